"""Which Microsoft subscription a distributor's subscription names, asked of one join by the audit, the
plan and `apply --distributor` (auditor.billing.distributor_join). Graph gives a companySubscription two
ids, its `id` and its `commerceSubscriptionId`, and they differ (the sample tenant's E3: 2e698e5f… and
6f5e5c0b…); Pax8's vendorSubscriptionId may name either, in any spelling of the GUID. Through `audit
--tenants`, `plan` and `apply` against the Graph emulator and the Pax8 and Sherweb stand-ins:

- the sample's own reductions at Pax8 (its vendorSubscriptionId the commerce id) and at Sherweb are
  planned and made;
- two billed Pax8 subscriptions that name one Microsoft subscription (the same id, the other id, or the
  GUID in braces and capitals) are named in the report as ambiguous, nothing is planned on them, and
  apply refuses a change on one of them should the second appear after the plan;
- a change edited onto another company's Pax8 subscription is refused, exit 3, named on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from msgspec import to_builtins

from auditor.cli import main
from auditor.vendors.pax8.requests import update as pax8_update
from auditor_dev.commerce import SAMPLE_CLIENT_ID, SAMPLE_COMPANY, Pax8StandIn, sample_pax8
from auditor_dev.commerce.pax8 import SAMPLE_E3_IDS
from auditor_dev.emulator import GraphEmulator

from .test_distributor_sample import PAX8_SECRET, RENEWED, sherweb_e3, signed_in
from .test_sherweb import CUSTOMER

E3_AT_PAX8 = "00000000-0000-4000-8000-000000000001"  # the sample's E3 at Pax8: 210 seats, monthly
TWIN = "00000000-0000-4000-8000-000000000006"  # a second E3 subscription at Pax8, naming the same one
OTHER_COMPANY = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"  # another customer of the MSP at Pax8
SPELLINGS = {  # how the twin's vendorSubscriptionId names the sample's E3 subscription
    "the same id": SAMPLE_E3_IDS["id"],
    "its commerce id": SAMPLE_E3_IDS["commerce"],
    "braces and capitals": "{" + SAMPLE_E3_IDS["id"].upper() + "}",
}


@dataclass
class Fleet:
    graph: GraphEmulator
    tenant_id: str
    out: Path  # the tenant's folder of the run: report.json, plan.json
    endpoint: list[str]

    def plan(self) -> dict[str, Any]:
        return json.loads((self.out / "plan.json").read_text("utf-8"))

    def section(self) -> dict[str, Any]:
        return json.loads((self.out / "report.json").read_text("utf-8"))["distributor"]

    def apply(self, *more: str) -> int:
        argv = ["apply", str(self.out / "plan.json"), "--graph-endpoint", self.graph.url, "--auth", "token"]
        return main([*argv, "--tenant-id", self.tenant_id, "--max-age", "1000d", "--policies", "p.yaml", *more])

    def distributor(self) -> int:
        """The plan's license changes made first, then its changes at the distributor (--yes both)."""
        assert self.apply("--yes") == 0
        return self.apply("--distributor", "--yes", *self.endpoint)


@contextmanager
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, *endpoint: str) -> Iterator[Fleet]:
    """`audit --tenants` of Contoso (the sample tenant through the Graph emulator; `entry`: its tenants
    entry's distributor block), then its plan."""
    snapshot, token = signed_in(tmp_path, monkeypatch)
    with GraphEmulator(snapshot, token=token) as graph:
        (tmp_path / "t.yaml").write_text(
            f"tenants:\n  - name: Contoso\n    tenant_id: {snapshot.tenant_id}\n    graph_endpoint: {graph.url}\n"
            f"    policies: p.yaml\n    client_id: 00000000-0000-0000-0000-0000000000c1\n    distributor: {entry}\n",
            "utf-8",
        )
        argv = ["audit", "--tenants", "t.yaml", "--auth", "token", "--output-dir", "out", "--tenant-concurrency", "1"]
        assert main([*argv, "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never", *endpoint]) in (0, 1)
        assert main(["plan", "--report-dir", "out/contoso"]) == 0
        yield Fleet(graph, snapshot.tenant_id, tmp_path / "out" / "contoso", list(endpoint))


@contextmanager
def at_pax8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str, *more: dict[str, Any]
) -> Iterator[tuple[Fleet, Pax8StandIn]]:
    """The sample's seats at Pax8, its E3's vendorSubscriptionId Graph's `named` id ("id", "commerce"),
    `more` subscriptions beside them."""
    companies, subscriptions, products = sample_pax8("2026-11-01", named=named)
    companies.append({"id": OTHER_COMPANY, "name": "Fabrikam", "status": "Active"})
    monkeypatch.setenv("PAX8_CLIENT_ID", SAMPLE_CLIENT_ID)
    monkeypatch.setenv("PAX8_CLIENT_SECRET", PAX8_SECRET)
    mapped = ", ".join(f"{k}: {v}" for k, v in products.items())
    entry = f"{{pax8: {{company_id: {SAMPLE_COMPANY}, products: {{{mapped}}}}}}}"
    with (
        Pax8StandIn(
            client_id=SAMPLE_CLIENT_ID,
            client_secret=PAX8_SECRET,
            companies=companies,
            subscriptions=[*subscriptions, *more],
        ) as pax8,
        fleet(tmp_path, monkeypatch, entry, "--pax8-endpoint", pax8.url) as world,
    ):
        yield world, pax8


def _twin(vendor_id: str, **more: Any) -> dict[str, Any]:
    """A second billed E3 subscription at Pax8, 210 seats, naming the sample's E3 subscription."""
    _, subscriptions, _ = sample_pax8("2026-11-01")
    (e3,) = [s for s in subscriptions if s["id"] == E3_AT_PAX8]
    return e3 | {"id": TWIN, "vendorSubscriptionId": vendor_id, **more}


def _kept(plan: dict[str, Any]) -> int:
    (e3,) = [p for p in plan["bill"]["products"] if p["sku"] == "SPE_E3"]
    return int(e3["assigned_after"]) + int(e3["spare"])


def test_the_samples_pax8_reduction_is_made_when_pax8_names_the_commerce_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Graph's two ids of the E3 subscription differ; Pax8 names the commerceSubscriptionId, the report
    # records the id: the audit joins by either, and apply asks the same join
    assert SAMPLE_E3_IDS["id"] != SAMPLE_E3_IDS["commerce"]
    with at_pax8(tmp_path, monkeypatch, "commerce") as (world, pax8):
        (product,) = [p for p in world.section()["products"] if p["sku"] == "SPE_E3"]
        assert [s["microsoft_subscription"] for s in product["subscriptions"]] == [SAMPLE_E3_IDS["id"]]
        (change,) = world.plan()["bill"]["distributor"]
        keep = _kept(world.plan())
        assert (change["api_id"], change["subscription"], change["from"], change["to"]) == (
            E3_AT_PAX8, SAMPLE_E3_IDS["id"], 210, keep,
        )  # fmt: skip
        capsys.readouterr()
        monkeypatch.setenv("SOURCE_DATE_EPOCH", RENEWED)  # E3's monthly renewal: its reduction is due (issue 116.4)
        assert world.distributor() == 0, capsys.readouterr().err
        assert "-> done" in capsys.readouterr().out
        (e3,) = [s for s in pax8.subscriptions if s["id"] == E3_AT_PAX8]
        assert e3["quantity"] == keep


def test_the_samples_sherweb_reduction_is_made_where_graphs_ids_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        sherweb_e3(monkeypatch) as sherweb,
        fleet(
            tmp_path, monkeypatch, f"{{sherweb: {{customer_id: {CUSTOMER}}}}}", "--sherweb-endpoint", sherweb.url
        ) as world,
    ):
        (change,) = world.plan()["bill"]["distributor"]
        keep = _kept(world.plan())
        assert (change["source"], change["from"], change["to"]) == ("sherweb", 210, keep)
        capsys.readouterr()
        assert world.distributor() == 0, capsys.readouterr().err
        assert "-> done" in capsys.readouterr().out
        assert sherweb.subscriptions[CUSTOMER][0]["quantity"] == keep


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_two_pax8_subscriptions_naming_one_microsoft_subscription_are_named_not_reduced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    with at_pax8(tmp_path, monkeypatch, "id", _twin(SPELLINGS[spelling])) as (world, pax8):
        section = world.section()
        assert "error" not in section
        (product,) = [p for p in section["products"] if p["sku"] == "SPE_E3"]
        assert product["billed"] == 420  # each is billed: both counted, neither guessed away
        (found,) = [f for f in section["findings"] if f["kind"] == "ambiguous" and f["sku"] == "SPE_E3"]
        assert found == {
            "kind": "ambiguous",
            "sku": "SPE_E3",
            "subscriptions": [E3_AT_PAX8, TWIN],
            "microsoft_subscription": SAMPLE_E3_IDS["id"],
        }
        assert any(TWIN in w and "name one Microsoft subscription" in w for w in section["warnings"])
        md = (world.out / "report.md").read_text("utf-8").replace("\\", "")
        assert (
            f"Microsoft 365 E3: 2 subscriptions at the distributor name one Microsoft subscription "
            f"({SAMPLE_E3_IDS['id']}): {E3_AT_PAX8} and {TWIN}; which is the one is not guessed"
        ) in md
        bill = world.plan()["bill"]
        assert not [c for c in bill.get("distributor") or [] if c["sku"] == "SPE_E3"]  # no cancel, no reduction
        (why,) = [r for r in bill["distributor_skipped"] if r.startswith("SPE_E3")]
        assert E3_AT_PAX8 in why and TWIN in why and "not written" in why
        assert pax8.writes == 0


def test_apply_refuses_a_change_on_a_subscription_pax8_now_names_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # planned on the one E3 subscription at Pax8; by the call, a second one names the same Microsoft
    # subscription (by its other id): which one is the tenant's is not guessed, nothing is sent
    with at_pax8(tmp_path, monkeypatch, "id") as (world, pax8):
        (change,) = world.plan()["bill"]["distributor"]
        assert change["api_id"] == E3_AT_PAX8
        pax8.subscriptions.append(_twin(SAMPLE_E3_IDS["commerce"]))
        capsys.readouterr()
        assert world.distributor() == 3
        err = capsys.readouterr().err
        assert "D1. reduce SPE_E3 at Pax8" in err and "refused, nothing sent" in err
        # two Pax8 subscriptions name the Microsoft one now: the fresh compile plans no change on either
        assert "refused, nothing sent: (api_id) the tool would not make this change now" in err
        assert not [r for r in pax8.requests if r.method in ("PUT", "DELETE")]
        assert {s["id"]: s["quantity"] for s in pax8.subscriptions if s["id"] in (E3_AT_PAX8, TWIN)} == {
            E3_AT_PAX8: 210,
            TWIN: 210,
        }


def test_a_change_edited_onto_another_companys_pax8_subscription_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = _twin(SAMPLE_E3_IDS["id"], id="00000000-0000-4000-8000-000000000077", companyId=OTHER_COMPANY)
    with at_pax8(tmp_path, monkeypatch, "id", theirs) as (world, pax8):
        plan = world.out / "plan.json"
        doc = world.plan()
        (change,) = doc["bill"]["distributor"]
        change |= {"api_id": theirs["id"], "request": to_builtins(pax8_update(theirs["id"], change["to"]))}
        plan.write_text(json.dumps(doc), "utf-8")
        capsys.readouterr()
        assert world.distributor() == 3
        err = capsys.readouterr().err
        assert f"D1. reduce SPE_E3 at Pax8 (subscription {theirs['id']})" in err and "refused, nothing sent" in err
        assert "refused, nothing sent: (api_id) its `api_id` is not the one the tool would write now" in err
        assert not [r for r in pax8.requests if r.method in ("PUT", "DELETE")]
        (journal,) = world.out.glob("distributor-journal-*.jsonl")
        assert [json.loads(t)["outcome"] for t in journal.read_text("utf-8").splitlines()] == ["refused"]
