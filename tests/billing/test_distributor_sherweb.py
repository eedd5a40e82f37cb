"""Issue 87, point 4, write side: the plan's reductions for a Sherweb customer are Sherweb amendments
(CreateSubscriptionsAmendment, a new quantity), made by `apply --distributor` as Pax8's are: a dry run
without --yes, the Sherweb subscription and the tenant's seats re-read at the call (and Sherweb's
committedMinimalQuantities), journaled before the call, the amendment's status read; `undo
--distributor` puts the quantity back. Through the Sherweb stand-in and the Graph emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from msgspec import to_builtins

from auditor.apply import distributor_undo
from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor.vendors.sherweb.requests import amend as sherweb_amend
from auditor_dev.commerce.sherweb import SherwebStandIn
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

from .test_distributor_writes import EXAMPLE, operator_policy, power_bi_seats, undo_argv
from .test_sherweb import CUSTOMER, KEY, SAMPLE, SECRET, _stand_in, _sub

PBI_AT_SHERWEB = _sub(2, "MS-0B-PBI-PRO-NCE-1M", "Power BI Pro", 0)["id"]
TOKEN_PATH = "/auth/oidc/connect/token"


@dataclass
class SherwebWorld:
    sherweb: SherwebStandIn
    graph: GraphEmulator
    tenant_id: str
    token: str
    out: Path

    def apply(self, *more: str) -> int:
        argv = ["apply", str(self.out / "plan.json"), "--distributor", "--sherweb-endpoint", self.sherweb.url]
        argv += ["--graph-endpoint", self.graph.url, "--auth", "token", "--tenant-id", self.tenant_id]
        return main([*argv, "--max-age", "1000d", "--policies", "p.yaml", *more])

    def journal(self, pattern: str = "distributor-journal-*") -> tuple[Path, list[dict[str, Any]]]:
        (path,) = sorted(self.out.glob(pattern))
        return path, [json.loads(t) for t in path.read_text("utf-8").splitlines()]

    def seats(self) -> int:
        return int(self.sherweb.subscriptions[CUSTOMER][0]["quantity"])


@contextmanager
def at_sherweb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **term: Any) -> Iterator[SherwebWorld]:
    """The sample tenant, its Power BI Pro bought at Sherweb (34 seats, a monthly term: `term` more of
    its commitmentTerm), audited with its distributor (a one-tenant audit) and planned."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id, (*DEMO_ROLES, "LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All"))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    for name, value in (
        ("SHERWEB_CLIENT_ID", "msp"),
        ("SHERWEB_CLIENT_SECRET", SECRET),
        ("SHERWEB_SUBSCRIPTION_KEY", KEY),
    ):
        monkeypatch.setenv(name, value)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    operator_policy(tmp_path)  # undo's bound: the operator's policies/, never a plan's (issue 117, point 4)
    (tmp_path / "t.yaml").write_text(
        f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n"
        "    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        f"    distributor: {{sherweb: {{customer_id: {CUSTOMER}}}}}\n",
        "utf-8",
    )
    monthly = {"type": "Monthly", "termEndDate": "2026-12-08", **term}
    pbi = _sub(2, "MS-0B-PBI-PRO-NCE-1M", "Power BI Pro", 34, commitmentTerm=monthly)
    with _stand_in([pbi]) as sherweb, GraphEmulator(sample, token=token) as graph:
        argv = ["audit", "--graph-endpoint", graph.url, "--auth", "token", "--tenant-id", sample.tenant_id]
        argv += ["--policies", "p.yaml", "--output-dir", "out", "--as-of", "2026-11-01T06:00:00Z"]
        argv += ["--fail-on", "never", "--distributor", "t.yaml", "--sherweb-endpoint", sherweb.url]
        assert main(argv) == 0
        assert main(["plan", "--report-dir", "out"]) == 0
        yield SherwebWorld(sherweb, graph, sample.tenant_id, token, tmp_path / "out")


def test_a_reduction_at_sherweb_is_planned_made_journaled_and_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        plan = json.loads((world.out / "plan.json").read_text("utf-8"))
        (change,) = plan["bill"]["distributor"]
        assert (change["source"], change["kind"], change["from"], change["to"], change["not_before"]) == (
            "sherweb", "reduce", 34, 30, None,
        )  # fmt: skip
        assert change["request"] == to_builtins(sherweb_amend(CUSTOMER, PBI_AT_SHERWEB, 30))
        assert change["request"]["body"] == {
            "subscriptionAmendmentParameters": [{"subscriptionId": PBI_AT_SHERWEB, "newQuantity": 30}]
        }
        md = (world.out / "plan.md").read_text("utf-8").replace("\\", "")
        assert "D1. Reduce Power BI Pro at the distributor from 34 to 30 licenses" in md
        # Sherweb's changes are Sherweb's, never labelled Pax8 (issue 99, point 12)
        assert "quantity at the distributor (Sherweb);" in md and "Pax8" not in md
        assert f"POST /service-provider/v1/billing/subscriptions/amendments?customerId={CUSTOMER}" in md
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned, the 30 kept
        assert world.apply() == 0  # the dry run
        said = capsys.readouterr().out
        assert f"D1. reduce POWER_BI_PRO at Sherweb (subscription {PBI_AT_SHERWEB}): 34 -> 30 seats" in said
        assert "-> would apply" in said and world.sherweb.writes == 0
        assert world.apply("--yes") == 0
        assert "-> done" in capsys.readouterr().out
        assert world.seats() == 30
        (sent,) = [r for r in world.sherweb.requests if r.method == "POST" and r.path != TOKEN_PATH]
        assert sent.query == {"customerId": CUSTOMER} and sent.headers["ocp-apim-subscription-key"] == KEY
        path, lines = world.journal()
        assert [ln["outcome"] for ln in lines] == ["sending", "done"]
        (amendment,) = world.sherweb.amendments
        assert lines[1]["note"] == f"Sherweb's amendment {amendment}"
        asked: list[str] = []
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: asked.append(q) or True)
        argv = undo_argv(path, "sherweb", world.sherweb.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 0
        assert world.seats() == 34
        assert asked == [
            "D1. put POWER_BI_PRO back from 30 to 34 seats at Sherweb (4 seats, at a price Sherweb's API does not "
            "give)?"
        ]
        out = capsys.readouterr()
        texts = out.out + out.err + "".join(p.read_text("utf-8") for p in world.out.glob("*.jsonl"))
        assert SECRET not in texts and KEY not in texts


def test_refused_at_the_call_when_seats_were_taken_or_sherweb_holds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = [{"committedUntil": "2099-01-01", "quantity": 32}]  # decreased no lower than 32 for now
    with at_sherweb(tmp_path, monkeypatch, committedMinimalQuantities=committed) as world:
        power_bi_seats(world, -1)  # 30 assigned, the 30 kept
        assert world.apply("--yes") == 0
        said = capsys.readouterr().out
        assert "skipped: Sherweb takes no fewer than 32 seats today (its committedMinimalQuantities)" in said
        del world.sherweb.subscriptions[CUSTOMER][0]["commitmentTerm"]["committedMinimalQuantities"]
        power_bi_seats(world, 4)  # 34 of 34 assigned now
        for path in world.out.glob("distributor-journal-*"):
            path.rename(path.with_suffix(".first"))
        assert world.apply("--yes") == 0
        assert "skipped: 30 seats would be left, below the 34 assigned now" in capsys.readouterr().out
        assert world.sherweb.writes == 0 and world.seats() == 34


def test_an_amendment_sherweb_fails_is_journaled_failed_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        world.sherweb.amendment_status = "Failure"
        assert world.apply("--yes") == 3
        assert "-> FAILED: Sherweb's amendment" in capsys.readouterr().out
        _, lines = world.journal()
        assert [ln["outcome"] for ln in lines] == ["sending", "failed"]


@pytest.mark.off_contract("newQuantity of other types than Sherweb's int32, on purpose")
def test_the_stand_in_refuses_what_sherweb_refuses() -> None:
    committed = {"type": "Monthly", "termEndDate": "2099-01-31", "committedMinimalQuantities": [
        {"committedUntil": "2099-01-01", "quantity": 5}]}  # fmt: skip
    with _stand_in([_sub(2, "MS-0B-PBI-PRO-NCE-1M", "Power BI Pro", 10, commitmentTerm=committed)]) as sherweb:
        url = f"{sherweb.url}/service-provider/v1/billing/subscriptions/amendments"
        form = {"grant_type": "client_credentials", "client_id": "msp", "client_secret": SECRET}
        token = httpx.post(f"{sherweb.url}{TOKEN_PATH}", data=form | {"scope": "service-provider"}).json()
        bearer, keyed = {"Authorization": f"Bearer {token['access_token']}"}, {"Ocp-Apim-Subscription-Key": KEY}

        def amend(sub_id: object, quantity: object, headers: dict[str, str], customer: str = CUSTOMER) -> int:
            body = {"subscriptionAmendmentParameters": [{"subscriptionId": sub_id, "newQuantity": quantity}]}
            return httpx.post(url, params={"customerId": customer}, json=body, headers=headers).status_code

        assert amend(PBI_AT_SHERWEB, 6, bearer) == 401  # no subscription key
        assert amend(PBI_AT_SHERWEB, 6, keyed) == 401  # no token
        both = bearer | keyed
        assert amend("b7c1e2d3-0000-4000-8000-000000000099", 6, both) == 404  # not the customer's
        assert amend(PBI_AT_SHERWEB, 6, both, customer="8e2b6a4c-1d3f-4b7e-a9c0-5f6e7d8c9b0a") == 404
        for bad in (0, -1, 2.5, "6", True, 4):  # 4: below the committed minimal quantity
            assert amend(PBI_AT_SHERWEB, bad, both) == 400, bad
        assert httpx.post(url, params={"customerId": CUSTOMER}, json={}, headers=both).status_code == 400
        assert sherweb.subscriptions[CUSTOMER][0]["quantity"] == 10
        assert amend(PBI_AT_SHERWEB, 6, both) == 200 and sherweb.subscriptions[CUSTOMER][0]["quantity"] == 6
        (amendment,) = sherweb.amendments
        status = httpx.get(f"{url}/{amendment}/status", headers=both)
        assert status.json() == "Success"
        assert httpx.get(f"{url}/nope/status", headers=both).status_code == 404


@pytest.mark.parametrize(
    ("term_end", "not_before"),
    [
        ("2026-11-17", "2026-11-18"),  # its term began 18 October: day 14, past the seven days
        ("2026-11-24", "2026-11-25"),  # began 25 October: day 7, the seven days just over
        ("2026-11-27", None),  # began 28 October: day 4, inside them: now
    ],
)
def test_a_monthly_term_at_sherweb_is_reduced_in_the_seven_days_after_its_renewal(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    term_end: str,
    not_before: str | None,
) -> None:
    """Microsoft's seven days after a renewal hold a Sherweb monthly term as they hold Pax8's (issue 116, point 4):
    planned on 1 November, a term that began more than seven days before waits for its renewal, the day after its
    termEndDate, and apply sends nothing before that day."""
    with at_sherweb(tmp_path, monkeypatch, termEndDate=term_end) as world:
        plan = json.loads((world.out / "plan.json").read_text("utf-8"))
        (change,) = plan["bill"]["distributor"]
        assert (change["kind"], change["from"], change["to"], change["not_before"]) == ("reduce", 34, 30, not_before)
        if not_before is not None:
            power_bi_seats(world, -1)
            assert world.apply("--yes") == 0
            assert f"scheduled for {not_before}" in capsys.readouterr().out and world.sherweb.writes == 0
