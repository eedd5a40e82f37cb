"""Issue 117, point 2, undo's side: `undo --distributor` puts seats back (and takes a purchase's off) only for a
customer the kept mapping proves the tenant's (auditor.vendors.mappings, as audit and `apply --distributor` are
held to it). A customer the kept mapping gives another tenant, or whose record at the distributor changed since
it was confirmed, is a named gap: nothing is sent for it, a line says why, and undo exits 3. Through the real
command line, the Sherweb stand-in and the Graph emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.apply import distributor_undo
from auditor.cli import main

from .test_distributor_purchase import buy_one
from .test_distributor_sample import sample, sherweb_e3
from .test_distributor_writes import operator_policy, power_bi_seats, undo_argv
from .test_mapping import CONTOSO, TOKEN_PATH, World, at_sherweb
from .test_sherweb import CUSTOMER

OTHER_TENANT = "tailspin.example"


def _reduced(world: World) -> Path:
    """The nightly audit of the sample tenant (its Sherweb customer CONTOSO confirmed the first time), its
    license removals made, and `apply --distributor --yes` taking Power BI Pro from 34 to 30 seats: the
    journal."""
    operator_policy(world.tmp)  # undo's bound: the operator's policies/
    assert world.audit(CONTOSO) == 0
    power_bi_seats(world, -1)
    assert world.apply("--yes") == 0 and world.seats(CONTOSO) == 30
    (journal,) = world.out.glob("distributor-journal-*.jsonl")
    return journal


def _undo(world: World, journal: Path) -> int:
    return main(undo_argv(journal, "sherweb", world.sherweb.url, world.graph.url, world.tenant_id, "--yes"))


def _keep(out: Path, *kept: dict[str, str]) -> None:
    (out / "mappings.json").write_text(json.dumps({"schema": 1, "mappings": list(kept)}), "utf-8")


@pytest.mark.parametrize("moved", ["record changed", "another tenant's"])
def test_a_put_back_for_a_customer_the_kept_mapping_does_not_prove_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], moved: str
) -> None:
    monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
    with at_sherweb(tmp_path, monkeypatch) as world:
        journal = _reduced(world)
        sent = len(world.amendments())
        if moved == "record changed":  # Sherweb's record of the customer is not the one confirmed any more
            world.sherweb.customers[CONTOSO] = "Woodgrove Bank"
            said = (
                f"Sherweb customer {CONTOSO} is not proven this tenant's: Sherweb's record of customer {CONTOSO} "
                "changed since the mapping was confirmed on 2026-11-01 (its name was 'Contoso Ltd.', now "
                "'Woodgrove Bank')"
            )
        else:  # the kept mapping gives the customer to another tenant (the MSP confirmed it there)
            _keep(world.out, {"vendor": "sherweb", "tenant": OTHER_TENANT, "customer": CONTOSO, "name": "Contoso Ltd."})
            said = (
                f"Sherweb customer {CONTOSO} is not proven this tenant's: Sherweb customer {CONTOSO} (Contoso Ltd.) "
                f"is the confirmed mapping of tenant {OTHER_TENANT}, not this tenant's"
            )
        capsys.readouterr()
        assert _undo(world, journal) == 3
        assert len(world.amendments()) == sent and world.seats(CONTOSO) == 30  # nothing put back
        err = capsys.readouterr().err
        assert said in err, err
        assert "mappings.json and run again" in err
        # the mapping confirmed again (its line as the tenant's, with the record now): put back
        name = world.sherweb.customers[CONTOSO]
        _keep(world.out, {"vendor": "sherweb", "tenant": world.tenant_id, "customer": CONTOSO, "name": name})
        assert _undo(world, journal) == 0
        assert world.seats(CONTOSO) == 34


def test_a_purchase_is_not_taken_off_for_a_customer_kept_as_another_tenants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        sherweb_e3(monkeypatch) as sherweb,
        sample(
            tmp_path,
            monkeypatch,
            f"{{sherweb: {{customer_id: {CUSTOMER}}}}}",
            "--sherweb-endpoint",
            sherweb.url,
            spare="spare_seats: {max: 10, max_percent: 5, min: 8}",
            applied=True,
        ) as world,
    ):
        n = buy_one(world.out)["seats"]
        assert world.apply("--distributor", "--yes", "--sherweb-endpoint", sherweb.url) == 0
        assert sherweb.subscriptions[CUSTOMER][0]["quantity"] == 210 + n
        (journal,) = world.out.glob("distributor-journal-*.jsonl")
        (kept,) = json.loads((world.out / "mappings.json").read_text("utf-8"))["mappings"]
        _keep(world.out, {**kept, "tenant": OTHER_TENANT})  # confirmed as another tenant's since
        posts = [r for r in sherweb.requests if r.method == "POST" and r.path != TOKEN_PATH]
        capsys.readouterr()
        argv = undo_argv(journal, "sherweb", sherweb.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 3
        assert [r for r in sherweb.requests if r.method == "POST" and r.path != TOKEN_PATH] == posts
        assert sherweb.subscriptions[CUSTOMER][0]["quantity"] == 210 + n  # not taken off
        err = capsys.readouterr().err
        assert f"is the confirmed mapping of tenant {OTHER_TENANT}, not this tenant's" in err, err
        _keep(world.out, kept)
        assert main(argv) == 0 and sherweb.subscriptions[CUSTOMER][0]["quantity"] == 210


@pytest.mark.parametrize("away", ["plan removed", "journal moved with its plan copy"])
def test_an_undo_whose_kept_mapping_cannot_be_found_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], away: str
) -> None:
    """The kept mapping is read wherever the journal is: with no plan beside the journal (plan.json and the copy
    apply kept removed), or the journal and its plan copy moved out of the report folder (mappings.json not
    beside them nor above them), undo does not trust the journal: nothing is sent, a line says what is missing,
    exit 3. Before the fix, a moved journal's undo kept the customer as seen the first time and put seats back."""
    monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
    with at_sherweb(tmp_path, monkeypatch) as world:
        journal = _reduced(world)
        sent = len(world.amendments())
        (copy,) = world.out.glob("plan-*.json")
        if away == "plan removed":
            (world.out / "plan.json").unlink()
            copy.unlink()
            said = "is not beside the journal"
        else:  # archived: the journal and the plan copy apply kept beside it, away from the report folder
            archive = tmp_path / "archive" / "2026-11"
            archive.mkdir(parents=True)
            journal = journal.rename(archive / journal.name)
            copy.rename(archive / copy.name)
            said = f"no mappings.json beside {archive / copy.name} or in the folder above it"
        capsys.readouterr()
        assert _undo(world, journal) == 3
        assert len(world.amendments()) == sent and world.seats(CONTOSO) == 30  # nothing put back
        err = capsys.readouterr().err
        assert said in err, err
        if away != "plan removed":  # and no mapping kept beside the moved journal, as if seen the first time
            assert not (journal.parent / "mappings.json").exists()
