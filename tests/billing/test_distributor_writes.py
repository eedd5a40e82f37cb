"""Issue 87, point 3: the plan's reductions at the distributor. The sample tenant read through the
Graph emulator, its Power BI Pro billed by the Pax8 stand-in (a monthly and an annual subscription,
each naming its Microsoft subscription); `plan` writes Pax8 quantity changes, `apply --distributor`
makes them (a dry run without --yes), journaled write-ahead, `undo --distributor` puts them back;
refused when the tenant's seats were taken meanwhile, scheduled when the annual term forbids it now,
never written on an ambiguous match."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

import httpx
import msgspec
import pytest
from msgspec import to_builtins

from auditor.apply import distributor_undo
from auditor.apply.distributor import Tenant, distributor_of, run_distributor
from auditor.billing.distributor_join import Joins, TenantSubscription
from auditor.cli import main
from auditor.common.errors import UsageError
from auditor.snapshot import load_snapshot
from auditor.vendors.pax8.client import Pax8
from auditor.vendors.pax8.requests import cancel as pax8_cancel
from auditor.vendors.pax8.requests import update as pax8_update
from auditor.vendors.pax8.writes import Pax8Writer
from auditor_dev.commerce.pax8 import Pax8StandIn
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

from .test_pax8 import COMPANY, PBI, PBI_SKU, SAMPLE, SECRET, _stand_in, _sub, power_bi_at_pax8

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contoso-policy.yaml"
MONTHLY_AT_PAX8, ANNUAL_AT_PAX8 = "00000000-0000-4000-8000-000000000012", "00000000-0000-4000-8000-000000000011"


class Seated(Protocol):
    """What power_bi_seats changes seats through: the Graph emulator and its token."""

    @property
    def graph(self) -> GraphEmulator: ...
    @property
    def token(self) -> str: ...


@dataclass
class World:
    pax8: Pax8StandIn
    graph: GraphEmulator
    tenant_id: str
    token: str
    out: Path

    def plan(self) -> dict[str, Any]:
        return json.loads((self.out / "plan.json").read_text("utf-8"))

    def apply(self, *more: str) -> int:
        argv = ["apply", str(self.out / "plan.json"), "--distributor", "--pax8-endpoint", self.pax8.url]
        argv += ["--graph-endpoint", self.graph.url, "--auth", "token", "--tenant-id", self.tenant_id]
        return main([*argv, "--max-age", "1000d", "--policies", "p.yaml", *more])

    def journal(self, pattern: str = "distributor-journal-*") -> tuple[Path, list[dict[str, Any]]]:
        (path,) = sorted(self.out.glob(pattern))
        return path, [json.loads(t) for t in path.read_text("utf-8").splitlines()]

    def quantities(self) -> dict[str, int]:
        return {str(s["id"]): int(s["quantity"]) for s in self.pax8.subscriptions}


def operator_policy(folder: Path) -> None:
    """The operator's policy, as undo reads it (the working folder's policies/: distributor_bound's
    operator_policies): the example policy the audit was given."""
    (folder / "policies").mkdir(exist_ok=True)
    (folder / "policies" / "contoso.yaml").write_bytes(EXAMPLE.read_bytes())


def undo_argv(journal: Path, vendor: str, vendor_url: str, graph_url: str, tenant_id: str, *more: str) -> list[str]:
    """`undo JOURNAL --distributor` at the `vendor`'s stand-in ("pax8" or "sherweb", at `vendor_url`), signed in
    to the tenant's Graph, which bounds a put-back by the seats assigned now."""
    endpoint = f"--{vendor}-endpoint"
    return ["undo", str(journal), "--distributor", *more, endpoint, vendor_url, *graph_argv(graph_url, tenant_id)]


def graph_argv(graph_url: str, tenant_id: str) -> list[str]:
    return ["--graph-endpoint", graph_url, "--auth", "token", "--tenant-id", tenant_id]


# Power BI Pro at Pax8 (annual, monthly seats): the plan drops 4 of the 34 seats, the monthly ones
# first: of 28 + 6 it reduces the monthly subscription to 2; of 31 + 3 it cancels the monthly one and
# reduces the annual one at its commitment's end
REDUCED, CANCELLED = (28, 6), (31, 3)


@contextmanager
def audited(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    vendor_ids: bool = True,
    split: tuple[int, int] = REDUCED,
    **stand_in: Any,
) -> Iterator[World]:
    """The sample tenant audited with its Pax8 seats (a one-tenant audit, --distributor) and planned."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    sample = load_snapshot(SAMPLE)
    writes = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All")  # a test changes the tenant's seats
    token = app_token(sample.tenant_id, (*DEMO_ROLES, *writes))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("PAX8_CLIENT_ID", "msp")
    monkeypatch.setenv("PAX8_CLIENT_SECRET", SECRET)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    operator_policy(tmp_path)  # undo's bound: the operator's policies/, never a plan's (issue 117, point 4)
    (tmp_path / "t.yaml").write_text(
        f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n"
        "    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        f"    distributor: {{pax8: {{company_id: {COMPANY}, products: {{{PBI}: POWER_BI_PRO}}}}}}\n",
        "utf-8",
    )
    pax8_seats = power_bi_at_pax8(vendor_ids=vendor_ids, split=split)
    with _stand_in(pax8_seats, **stand_in) as pax8, GraphEmulator(sample, token=token) as graph:
        argv = ["audit", "--graph-endpoint", graph.url, "--auth", "token", "--tenant-id", sample.tenant_id]
        argv += ["--policies", "p.yaml", "--output-dir", "out", "--as-of", "2026-11-01T06:00:00Z"]
        assert main([*argv, "--fail-on", "never", "--distributor", "t.yaml", "--pax8-endpoint", pax8.url]) == 0
        assert main(["plan", "--report-dir", "out"]) == 0
        yield World(pax8, graph, sample.tenant_id, token, tmp_path / "out")


def test_the_plan_reduces_at_pax8_now_and_at_the_annual_terms_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with audited(tmp_path, monkeypatch, split=CANCELLED) as world:
        bill = world.plan()["bill"]
        (pbi,) = [p for p in bill["products"] if p["sku"] == "POWER_BI_PRO"]
        assert pbi["surplus"] == 4  # the bill's seats to drop: 34 bought, 30 kept
        got = [(c["kind"], c["api_id"], c["from"], c["to"], c["not_before"], c["request"]) for c in bill["distributor"]]
        assert got == [  # the monthly one's 3 seats all go: a cancellation, from the plan's day
            ("cancel", MONTHLY_AT_PAX8, 3, 0, None, to_builtins(pax8_cancel(MONTHLY_AT_PAX8, "2026-11-01"))),
            ("reduce", ANNUAL_AT_PAX8, 31, 30, "2027-05-08", to_builtins(pax8_update(ANNUAL_AT_PAX8, 30))),
        ]
        assert got[0][5] == {
            "method": "DELETE",
            "path": f"/v1/subscriptions/{MONTHLY_AT_PAX8}?cancelDate=2026-11-01",
            "body": None,
        }
        assert got[1][5] == {"method": "PUT", "path": f"/v1/subscriptions/{ANNUAL_AT_PAX8}", "body": {"quantity": 30}}
        assert [c["monthly_saving"] for c in bill["distributor"]] == [30.42, 8.45]  # at partnerCost
        assert "distributor_skipped" not in bill
        md = (world.out / "plan.md").read_text("utf-8").replace("\\", "")
        assert "Reductions at the distributor (apply --distributor, approved separately)" in md
        assert "D1. Cancel Power BI Pro at the distributor (3 licenses)" in md
        assert f"DELETE /v1/subscriptions/{MONTHLY_AT_PAX8}?cancelDate=2026-11-01" in md
        assert "undo cannot bring a cancelled subscription back: it is bought again at the distributor." in md
        assert "D2. Reduce Power BI Pro at the distributor from 31 to 30 licenses" in md
        assert f'PUT /v1/subscriptions/{ANNUAL_AT_PAX8} {{"quantity":30}}' in md
        assert "Scheduled for May 8, 2027, the end of its commitment: apply sends nothing before that day." in md


def test_a_reduction_is_made_at_pax8_journaled_and_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned, the 30 kept
        assert world.apply() == 0  # the dry run
        assert world.pax8.writes == 0 and not list(world.out.glob("distributor-journal-*"))
        assert "-> would apply" in capsys.readouterr().out
        assert world.apply("--yes") == 0
        assert "-> done" in capsys.readouterr().out
        assert world.quantities() == {ANNUAL_AT_PAX8: 28, MONTHLY_AT_PAX8: 2}  # the monthly one first
        assert [r.method for r in world.pax8.requests if r.method == "PUT"] == ["PUT"]
        path, lines = world.journal()
        assert [(ln["n"], ln["outcome"]) for ln in lines] == [(1, "sending"), (1, "done")]
        # undo asks, then puts the quantity back
        asked: list[str] = []
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: asked.append(q) or True)
        argv = undo_argv(path, "pax8", world.pax8.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 0
        assert world.quantities()[MONTHLY_AT_PAX8] == 6
        assert asked == [
            "D1. put POWER_BI_PRO back from 2 to 6 seats at Pax8 (4 seats at 10.14 at Pax8 now: they cost 40.56 a "
            "month again)?"
        ]
        _, undone = world.journal("distributor-undo-*")
        assert [(ln["kind"], ln["to"], ln["outcome"]) for ln in undone] == [
            ("undo_reduce", 6, "sending"),
            ("undo_reduce", 6, "done"),
        ]
        assert SECRET not in capsys.readouterr().out + "".join(p.read_text() for p in world.out.glob("*.jsonl"))


def test_an_undo_without_a_terminal_to_ask_at_puts_nothing_back_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """undo --distributor buys seats back only after a person's yes: with no terminal to ask at (a
    pipe, a job) nothing is bought, the run names the change and exits 3, never 0 (issue 99)."""
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        assert world.apply("--yes") == 0
        reduced = world.quantities()
        path, _ = world.journal()
        monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: stdin is not a tty
        capsys.readouterr()
        argv = undo_argv(path, "pax8", world.pax8.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 3
        captured = capsys.readouterr()
        assert "not undone: no terminal to ask at" in captured.out
        assert "nobody was asked; run undo --distributor --yes at a terminal" in captured.err
        assert world.quantities() == reduced  # nothing bought back
        assert [r.method for r in world.pax8.requests if r.method == "PUT"] == ["PUT"]  # the reduction's only


def test_an_undo_without_yes_and_without_a_terminal_says_it_is_a_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --yes, undo --distributor is a dry run (exit 0, as every dry run of apply and undo): it names
    each put-back it would make and then says that nothing was written and what --yes would do, never
    nothing at all (issue 99, point 15)."""
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        assert world.apply("--yes") == 0
        reduced = world.quantities()
        path, _ = world.journal()
        monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal either
        capsys.readouterr()
        assert main(undo_argv(path, "pax8", world.pax8.url, world.graph.url, world.tenant_id)) == 0
        out = capsys.readouterr().out
        assert "-> would ask, then put them back" in out
        assert "dry run: 1 reduction would be put back, nothing was written" in out
        assert "with --yes, at a terminal, asks before each put-back" in out
        assert world.quantities() == reduced
        assert [r.method for r in world.pax8.requests if r.method == "PUT"] == ["PUT"]  # the reduction's only


POWER_BI_USERS = "9531985d-5d9d-49f8-9818-e811892f902b"  # the sample's group that gives Power BI Pro


def power_bi_seats(world: Seated, more: int) -> None:
    """Power BI Pro assigned to `more` users more in the tenant since the plan (Graph's assignLicense),
    or, when negative, as many members fewer in the group that gives it (the plan's removals made)."""
    auth = {"Authorization": f"Bearer {world.token}"}
    snapshot = world.graph.snapshot()
    if more < 0:
        (group,) = [g for g in snapshot.groups if g.id == POWER_BI_USERS]
        # the members the plan takes out of the group first (what apply would do), then others
        plan = world.plan() if hasattr(world, "plan") else {"changes": []}
        planned = [c["user"] for c in plan["changes"] if c["kind"] == "remove_member" and c["group"] == POWER_BI_USERS]
        members = [m for m in planned if m in group.members] + sorted(set(group.members) - set(planned))
        for member in members[:-more]:
            reply = httpx.delete(f"{world.graph.url}/groups/{group.id}/members/{member}/$ref", headers=auth)
            assert reply.status_code == 204, reply.text
        return
    free = [u for u in snapshot.users if PBI_SKU not in u.sku_ids and u.usage_location and u.account_enabled]
    for user in free[:more]:
        body = {"addLicenses": [{"skuId": PBI_SKU, "disabledPlans": []}], "removeLicenses": []}
        reply = httpx.post(f"{world.graph.url}/users/{user.id}/assignLicense", json=body, headers=auth)
        assert reply.status_code == 200, reply.text


def test_refused_when_the_tenants_seats_were_taken_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, 3)  # 34 of 34 assigned now
        assert world.apply("--yes") == 0
        said = capsys.readouterr().out
        assert "skipped: 30 seats would be left, below the 34 assigned now" in said
        assert "the plan counts 30 after its license changes: make them first (apply PLAN --yes)" in said
        assert world.pax8.writes == 0 and world.quantities()[MONTHLY_AT_PAX8] == 6
        _, lines = world.journal()
        assert [ln["outcome"] for ln in lines] == ["skipped"]


def test_the_annual_reduction_is_made_when_due_and_rechecked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with audited(tmp_path, monkeypatch, split=CANCELLED) as world:
        changes = distributor_of((world.out / "plan.json").read_bytes())
        assigned = [30]

        async def seats(sku_id: str) -> tuple[int, int] | None:
            return (34, assigned[0]) if sku_id == PBI_SKU else None

        async def subscriptions() -> Joins:  # the tenant's, as Graph lists them
            return Joins(TenantSubscription.of(s) for s in world.graph.snapshot().subscriptions)

        def run(today: date) -> str:
            out = io.StringIO()
            with Pax8("msp", SECRET, endpoint=world.pax8.url) as pax8:
                writers = {"pax8": Pax8Writer(pax8)}
                tenant = Tenant(seats, subscriptions)
                made = run_distributor(
                    changes[1:], writers, tenant, execute=False, journal=None, today=today, out=out,
                    customers={"pax8": COMPANY},
                )  # fmt: skip
                asyncio.run(made)
            return out.getvalue()

        assert "scheduled for 2027-05-08" in run(date(2027, 5, 7))
        assert "-> would apply" in run(date(2027, 5, 8))  # due: re-read and re-checked, then made
        assert "-> would apply" in run(date(2027, 5, 10))  # after its day: the commitment Pax8 gives ended then
        annual = world.pax8.subscriptions[0]
        annual["commitmentTerm"] = {**annual["commitmentTerm"], "endDate": "2028-05-08T00:00:00Z"}  # renewed
        assert "-> REFUSED: its commitment at Pax8 makes it due 2028-05-08, the plan's change 2027-05-08" in run(
            date(2027, 5, 10)
        )
        annual["commitmentTerm"] = {**annual["commitmentTerm"], "endDate": "2027-05-08T00:00:00Z"}
        assigned[0] = 34  # every seat assigned by the day it is due
        assert "would skip: 33 seats would be left, below the 34 assigned now" in run(date(2027, 5, 8))
        assigned[0] = 30
        world.pax8.subscriptions[0]["quantity"] = 33  # the MSP bought two more since the plan
        assert "it now has 33 seats at Pax8, the plan counted 31" in run(date(2027, 5, 8))


def test_an_ambiguous_match_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with audited(tmp_path, monkeypatch, vendor_ids=False) as world:
        bill = world.plan()["bill"]
        assert "distributor" not in bill
        (skipped,) = bill["distributor_skipped"]
        assert ANNUAL_AT_PAX8 in skipped and MONTHLY_AT_PAX8 in skipped and "name no Microsoft subscription" in skipped
        md = (world.out / "plan.md").read_text("utf-8").replace("\\", "")
        # plan.md says why itself (native review 7, E11), not "plan.json says why", in a sentence of the
        # report's language (plan.json's line is the record: native review 8)
        head = "1 reduction at the distributor is not planned, for this reason:\n\n- "
        why = md.split(head, 1)[1].split("\n", 1)[0]
        assert ANNUAL_AT_PAX8 in why and MONTHLY_AT_PAX8 in why and "vendorSubscriptionId" not in why
        assert "name no Microsoft subscription, so the plan does not make the change; reduce the one that is" in why
        assert "plan.json says why" not in md
        assert world.apply("--yes") == 0 and world.pax8.writes == 0


def test_a_hand_edited_change_is_refused() -> None:
    change = {
        "n": 1, "kind": "reduce", "source": "pax8", "scope": COMPANY, "api_id": MONTHLY_AT_PAX8,
        "subscription": "x", "sku": "POWER_BI_PRO", "sku_id": PBI_SKU, "from": 3, "to": 1, "seats": 2,
        "window": "any_time", "not_before": None, "by": None, "monthly_saving": 0.0, "saving_from": None,
        "request": {"method": "PUT", "path": f"/v1/subscriptions/{ANNUAL_AT_PAX8}", "body": {"quantity": 1}},
    }  # fmt: skip
    with pytest.raises(UsageError, match="its request is not PUT"):
        distributor_of(msgspec.json.encode({"bill": {"distributor": [change]}}))
    change["request"] = {"method": "PUT", "path": f"/v1/subscriptions/{MONTHLY_AT_PAX8}", "body": {"quantity": 0}}
    with pytest.raises(UsageError, match="down to at least one seat"):
        distributor_of(msgspec.json.encode({"bill": {"distributor": [{**change, "to": 0, "seats": 3}]}}))


SHERWEB_CUSTOMER = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
AMEND = f"/service-provider/v1/billing/subscriptions/amendments?customerId={SHERWEB_CUSTOMER}"


@pytest.mark.parametrize(
    ("source", "scope", "request_", "said"),
    [
        ("pax8", COMPANY, {"method": "PUT", "body": {"quantity": 1, "status": "Cancelled"}}, "unknown field `status`"),
        ("pax8", COMPANY, {"method": "PUT", "body": {"quantity": "1"}}, "Expected `int`, got `str`"),
        ("sherweb", SHERWEB_CUSTOMER, {"method": "POST", "path": AMEND, "body": {"subscriptionAmendmentParameters": [
            {"subscriptionId": MONTHLY_AT_PAX8, "newQuantity": 1, "effectiveDate": "2026-11-01"}]}},
         "unknown field `effectiveDate`"),
        ("sherweb", SHERWEB_CUSTOMER, {"method": "POST", "path": AMEND, "body": {"subscriptionAmendmentParameters": [
            {"subscriptionId": MONTHLY_AT_PAX8, "newQuantity": 1.5}]}}, "Expected `int`, got `float`"),
    ],
    ids=["pax8-unknown", "pax8-mistyped", "sherweb-unknown", "sherweb-mistyped"],
)  # fmt: skip
def test_a_body_with_a_field_its_distributor_does_not_take_is_refused_as_the_plan_is_read(
    source: str, scope: str, request_: dict[str, Any], said: str
) -> None:
    """plan.json's check holds a distributor change's body to the fields its distributor's API takes, of
    their types: a key it does not name, or a quantity that is no whole number, is refused as the file is
    read, naming the field, before any request is compared or sent."""
    change = {
        "n": 1, "kind": "reduce", "source": source, "scope": scope, "api_id": MONTHLY_AT_PAX8,
        "subscription": "x", "sku": "POWER_BI_PRO", "sku_id": PBI_SKU, "from": 3, "to": 1, "seats": 2,
        "window": "any_time", "not_before": None, "by": None, "monthly_saving": 0.0, "saving_from": None,
        "request": {"path": f"/v1/subscriptions/{MONTHLY_AT_PAX8}", **request_},
    }  # fmt: skip
    with pytest.raises(UsageError, match=r"bill\.distributor is not a list of distributor changes") as refused:
        distributor_of(msgspec.json.encode({"bill": {"distributor": [change]}}))
    assert said in str(refused.value)
    # the same change with the body its distributor takes is read
    body = request_["body"]
    if source == "pax8":
        good = {"quantity": 1}
    else:
        good = {"subscriptionAmendmentParameters": [{"subscriptionId": MONTHLY_AT_PAX8, "newQuantity": 1}]}
    assert body != good
    change["request"] = change["request"] | {"body": good}
    assert [c.to for c in distributor_of(msgspec.json.encode({"bill": {"distributor": [change]}}))] == [1]


@pytest.mark.off_contract("bodies Pax8's Update Subscription does not take, on purpose")
def test_the_stand_in_refuses_what_pax8_refuses() -> None:
    future = _sub(1, PBI, "Power BI Pro", 5, startDate="2099-01-01T00:00:00Z")
    with _stand_in([future, _sub(2, PBI, "Power BI Pro", 5)]) as pax8:
        url = f"{pax8.url}/v1/subscriptions"
        assert httpx.put(f"{url}/{future['id']}", json={"quantity": 4}).status_code == 401  # no token
        with Pax8("msp", SECRET, endpoint=pax8.url) as client:
            client.subscriptions(COMPANY)  # a token
            auth = {"Authorization": f"Bearer {next(iter(pax8.issued))}"}
        assert httpx.put(f"{url}/nope", json={"quantity": 4}, headers=auth).status_code == 404
        refused = httpx.put(f"{url}/{future['id']}", json={"quantity": 4}, headers=auth)
        assert refused.status_code == 422 and "future date" in refused.json()["message"]
        second = f"{url}/{_sub(2, PBI, '', 0)['id']}"
        for bad in (0, 1.5, "2", True):
            assert httpx.put(second, json={"quantity": bad}, headers=auth).status_code == 400, bad
        assert httpx.put(second, json={}, headers=auth).status_code == 400
        assert httpx.put(second, json={"quantity": 4}, headers=auth).json()["quantity"] == 4


def test_a_subscription_future_dated_since_the_plan_is_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch) as world:
        monthly = next(s for s in world.pax8.subscriptions if s["id"] == MONTHLY_AT_PAX8)
        monthly["startDate"] = "2099-01-01T00:00:00Z"  # Pax8: "Currently NOT supported ... with a future date"
        # Pax8 bills by the dates (issue 116, point 4): not billed before it starts, so the fresh compile at the
        # call plans nothing on it and the plan's change is refused, nothing sent
        assert world.apply("--yes") == 3
        said = capsys.readouterr().out
        assert f"holds no change of pax8 subscription {MONTHLY_AT_PAX8}" in said
        assert world.pax8.writes == 0


def test_a_refused_put_is_journaled_failed_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor_dev.commerce.server import Reply

    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned
        # Pax8 refuses the PUT after the re-read passed (what changed in between is Pax8's own)
        monkeypatch.setattr(world.pax8, "_update", lambda asked: Reply(422, {"message": "Quantity cannot be reduced"}))
        assert world.apply("--yes") == 3
        assert "-> FAILED: PUT /subscriptions/" in capsys.readouterr().out
        _, lines = world.journal()
        assert [(ln["outcome"], ln["status"]) for ln in lines] == [
            ("sending", None),
            ("failed", 422),
        ]
        assert world.quantities()[MONTHLY_AT_PAX8] == 6


class _Pinned(datetime):
    """The journals' clock, pinned to one second: two runs within it name the same default file."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _Pinned:
        return cls(2026, 11, 2, 9, 14, 3, tzinfo=UTC)


def test_apply_distributor_writes_the_journal_given_and_never_another_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`apply PLAN --distributor --journal FILE` journals in FILE (the plan kept beside it, for undo), as the
    licence changes' apply does; a default name taken by another run's journal is never written into."""
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        given = tmp_path / "mine.jsonl"
        assert world.apply("--yes", "--journal", str(given)) == 0
        lines = [json.loads(t) for t in given.read_text("utf-8").splitlines()]
        assert [(ln["n"], ln["outcome"]) for ln in lines] == [(1, "sending"), (1, "done")]
        assert not list(world.out.glob("distributor-journal-*"))
        capsys.readouterr()
        assert main(undo_argv(given, "pax8", world.pax8.url, world.graph.url, world.tenant_id)) == 0
        assert "-> would ask, then put them back to 6 seats" in capsys.readouterr().out  # its plan found beside it
        # another run's journal, named by the same second: the next run's default journal is a file of its own
        monkeypatch.setattr("auditor.apply.journal.datetime", _Pinned)
        other = world.out / "distributor-journal-20261102T091403Z.jsonl"
        other.write_text('{"n": 1}\n', "utf-8")
        assert world.apply("--yes") == 3  # made already: the fresh compile no longer makes it, so it is refused
        assert other.read_text("utf-8") == '{"n": 1}\n'
        (mine,) = [p for p in world.out.glob("distributor-journal-*") if p != other]
        assert mine.name == "distributor-journal-20261102T091403Z-2.jsonl"
        assert [json.loads(t)["outcome"] for t in mine.read_text("utf-8").splitlines()] == ["refused"]


def test_undo_distributor_journals_in_the_file_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`undo JOURNAL --distributor --yes --journal FILE` journals its put-backs in FILE, as apply does; no
    default name is made beside the journal it undoes."""
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        assert world.apply("--yes") == 0
        path, _ = world.journal()
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
        mine = tmp_path / "undo-mine.jsonl"
        argv = undo_argv(
            path, "pax8", world.pax8.url, world.graph.url, world.tenant_id, "--yes", "--journal", str(mine)
        )
        assert main(argv) == 0
        assert world.quantities()[MONTHLY_AT_PAX8] == 6
        lines = [json.loads(t) for t in mine.read_text("utf-8").splitlines()]
        assert [(ln["kind"], ln["to"], ln["outcome"]) for ln in lines] == [
            ("undo_reduce", 6, "sending"),
            ("undo_reduce", 6, "done"),
        ]
        assert not list(world.out.glob("distributor-undo-*"))
        capsys.readouterr()
