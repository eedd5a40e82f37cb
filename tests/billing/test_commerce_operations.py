"""The commerce writes by the operations Microsoft documents, against stand-ins that follow
billingSubscription.json (2024-04-01) and its examples and Partner Center's pages, and the outcomes
of a write that cannot hurt: the tenant checked, the run's own reductions counted, an answer that
does not settle it recorded as unknown and named by undo (exit 3)."""

from __future__ import annotations

import asyncio
import copy
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from azure.core.exceptions import HttpResponseError

from auditor.apply.arguments import WriteOptions
from auditor.apply.commerce import Commerce, apply_commerce_changes, commerce_of, run_commerce
from auditor.apply.commerce_reread import reread
from auditor.apply.commerce_undo import undo_commerce
from auditor.apply.fresh import FreshPlan
from auditor.apply.write_engine import BillJournal
from auditor.billing import arm
from auditor.billing.arm import BillingSourceError
from auditor.billing.file import Channel
from auditor.common.errors import UsageError
from auditor.formats.bill_model import BillAction, CommerceChange
from auditor.formats.plan_json import load_plan
from auditor.graph.auth import StaticTokenCredential
from auditor.graph.client import GraphClient
from auditor.plan.commerce import commerce_changes
from auditor.vendors.commerce_sources import Access, BillingSource, gather
from auditor.vendors.registry import BODIES
from auditor_dev.commerce import BillingStandIn, PartnerCenterStandIn, sample_commerce
from auditor_dev.commerce.server import Asked, Reply
from auditor_dev.demo import sample_tenant
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from tests.agreeing import as_written
from tests.billing.test_commerce_apply import (
    ACCOUNT_SUB,
    CONSUMED,
    COPILOT,
    NOW,
    PBI,
    TODAY,
    Token,
    _arm_reduce,
    _bill,
    _journal,
    _seats,
    bind,
    seats_now,
    typed,
)


def _access(arm_url: str, pc_url: str) -> Access:
    return Access(Token("arm-token"), arm_url, None, Token("pc-token"), pc_url)


def _plan(tenant_id: str, commerce: list[dict[str, Any]]) -> dict[str, Any]:
    """A plan.json with no license changes and these commerce changes."""
    return {
        "plan_version": 1,
        "tenant_id": tenant_id,
        "tenant_name": "Contoso",
        "cloud": "worldwide",
        "created_at": "2026-11-01T06:30:00Z",
        "changes": [],
        "stopped": None,
        "bill": {"commerce": commerce},
    }


def _run(
    changes: list[dict[str, Any]],
    commerce: Commerce,
    table: dict[str, tuple[int, int]],
    path: Path,
    bound: bool = False,
) -> str:
    """The changes made, journaled in `path`; `bound`: plan.json beside it holds them (what undo binds to)."""
    journal = BillJournal(path)
    out = io.StringIO()
    plan = bind(path.parent, typed(*changes)) if bound else None
    seats = _seats(table)
    asyncio.run(
        run_commerce(typed(*changes), commerce, seats, execute=True, journal=journal, today=TODAY, out=out, plan=plan)
    )
    journal.close()
    return out.getvalue()


@pytest.fixture()
def sample() -> Any:
    snapshot = sample_tenant()
    return snapshot, sample_commerce(snapshot, datetime(2026, 11, 1, 6))


# --- the operations per agreement type -----------------------------------------------------------


def test_the_stand_in_refuses_what_microsoft_refuses_and_the_cancel_is_followed_to_its_end(sample: Any) -> None:
    """POST .../cancel "cancels a usage-based subscription" of a Microsoft Partner Agreement account
    only: refused on a Customer Agreement account and on a seat-based subscription of a Partner
    Agreement one; DELETE cancels a billing subscription of a Customer or Partner Agreement account,
    not a Microsoft Online Services Program one, and is what apply sends for both; a long-running
    operation whose Location is operationResults/cancelBillingSubscription_..., the subscription
    cancelled when it ends."""
    _, facts = sample
    [account] = facts.accounts
    subs = facts.accounts[account]
    accounts = {account: subs, "mpa": copy.deepcopy(subs), "mosp": copy.deepcopy(subs)}
    agreements = {"mpa": arm.MPA, "mosp": "MicrosoftOnlineServicesProgram"}
    with BillingStandIn(accounts, agreements=agreements, now=NOW, operation_polls=2) as st:
        with arm.client(Token("arm-token"), st.url) as c:
            # POST .../cancel on a Customer Agreement account, DELETE on an Online Services Program one
            with pytest.raises(
                HttpResponseError, match="supported only for billing accounts of type Microsoft Partner"
            ):
                c.billing_subscriptions.begin_cancel(
                    account, ACCOUNT_SUB, {"cancellationReason": "Other"}, polling_interval=0, **arm.options(c)
                ).result()
            with pytest.raises(HttpResponseError, match="Microsoft Partner Agreement or Microsoft Customer Agreement"):
                c.billing_subscriptions.begin_delete("mosp", ACCOUNT_SUB, polling_interval=0, **arm.options(c)).result()
            with pytest.raises(BillingSourceError, match="MicrosoftOnlineServicesProgram account is not cancelled"):
                arm.cancel_subscription(c, "mosp", ACCOUNT_SUB, "MicrosoftOnlineServicesProgram")
            # a Partner Agreement's seat-based (Microsoft 365) subscription: POST .../cancel is refused
            with pytest.raises(HttpResponseError, match="Cancels a usage-based subscription"):
                c.billing_subscriptions.begin_cancel(
                    "mpa", ACCOUNT_SUB, {"cancellationReason": "Other"}, polling_interval=0, **arm.options(c)
                ).result()
            arm.cancel_subscription(c, account, ACCOUNT_SUB, arm.MCA)
            arm.cancel_subscription(c, "mpa", ACCOUNT_SUB, arm.MPA)
        for name in (account, "mpa"):
            sub = next(s for s in st.accounts[name] if s["name"] == ACCOUNT_SUB)
            assert sub["properties"]["status"] == "Cancelled"
        writes = [(r.method, r.path.rsplit("/", 1)[-1]) for r in st.requests if r.method != "GET"]
        assert writes == [
            ("POST", "cancel"),
            ("DELETE", ACCOUNT_SUB),
            ("POST", "cancel"),
            ("DELETE", ACCOUNT_SUB),
            ("DELETE", ACCOUNT_SUB),
        ]
        polls = [r.path for r in st.requests if "/operationResults/" in r.path]
        assert len(polls) == 6  # two 202s, then the end, for each of the two operations
        assert all("/operationResults/cancelBillingSubscription_" + ACCOUNT_SUB + ":" in p for p in polls)
        # a subscription past its window (cancellationAllowedEndDate, no `cancellation`) is not cancelled
        past = "146ddd03-4baf-5407-9836-e858d3f903bb"
        with arm.client(Token("arm-token"), st.url) as c, pytest.raises(BillingSourceError, match="HTTP 400 Cancel"):
            arm.cancel_subscription(c, account, past, arm.MCA)


def test_the_channel_and_the_cancel_follow_the_accounts_agreement_type(sample: Any) -> None:
    """A Microsoft Online Services Program account's subscriptions follow the legacy rules (mosa:
    no 7-day window, no commerce change); a Customer Agreement's cancel is DELETE."""
    snapshot, facts = sample
    [account] = facts.accounts
    plans = {}
    for agreement in (arm.MCA, arm.MPA, "MicrosoftOnlineServicesProgram"):
        with (
            BillingStandIn(facts.accounts, agreements={account: agreement}, now=NOW) as st,
            PartnerCenterStandIn(facts.customers) as pc,
        ):
            got = gather(BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, None, _access(st.url, pc.url))
            assert got.billing is not None
            row = next(r for r in got.billing.rows if r.subscription == ACCOUNT_SUB)
            plans[agreement] = (row.channel, _bill(st.url, pc.url, facts, snapshot, CONSUMED)["commerce"])
    channel, changes = plans[arm.MCA]
    assert channel is Channel.MCA
    [cancel] = [c for c in changes if c["source"] == "billing-account"]
    assert (cancel["request"]["method"], cancel["request"]["body"], cancel["agreement"]) == ("DELETE", None, arm.MCA)
    assert cancel["request"]["path"].endswith(f"/billingSubscriptions/{ACCOUNT_SUB}?api-version=2024-04-01")
    assert cancel["product"] == "CFQ7TTC0L3PB:0001"
    channel, changes = plans[arm.MPA]
    assert channel is Channel.CSP
    channel, changes = plans["MicrosoftOnlineServicesProgram"]
    assert channel is Channel.MOSA
    assert not [c for c in changes if c["source"] == "billing-account"]  # legacy: any time, by a person


def test_a_missing_cancellation_falls_back_on_the_date_and_says_so(sample: Any, tmp_path: Path) -> None:
    """systemOverrides without `cancellation` (the shape of Microsoft's Get and Update examples):
    the window is cancellationAllowedEndDate's, said on the console and in the journal; past it, the
    change is skipped."""
    _, facts = sample
    [account] = facts.accounts
    with BillingStandIn(facts.accounts, now=NOW) as st, PartnerCenterStandIn(facts.customers) as pc:
        commerce = Commerce(_access(st.url, pc.url))
        text = _run([_arm_reduce(account)], commerce, {PBI: (34, 31)}, tmp_path / "j.jsonl")
        assert "systemOverrides gives no cancellation: its window is taken from cancellationAllowedEndDate" in text
        lines = _journal(tmp_path / "j.jsonl")
        assert [ln["outcome"] for ln in lines] == ["sending", "done"]
        assert "cancellationAllowedEndDate 2026-11-04" in lines[0]["note"]
        sub = next(s for s in st.accounts[account] if s["name"] == ACCOUNT_SUB)
        sub["properties"]["systemOverrides"] = {"cancellationAllowedEndDate": "2026-10-30T06:00:00Z"}
        sub["properties"]["quantity"] = 3
        text = _run([_arm_reduce(account)], commerce, {PBI: (34, 31)}, tmp_path / "k.jsonl")
        assert (
            "skipped: its cancellation window is shut (no cancellation given, cancellationAllowedEndDate 2026-10-30)"
            in text
        )
        commerce.close()


def test_a_renewal_reduction_takes_the_availability_offered_now(sample: Any, tmp_path: Path) -> None:
    """Schedule changes for a new commerce subscription: get the transition eligibilities of type
    `scheduled`, then PATCH scheduledNextTermInstructions with the availability they name (ids "can
    change over time"); the stand-in refuses the subscription's old availability."""
    snapshot, facts = sample
    new = "CFQ7TTC0MM8R00Q1"
    with (
        BillingStandIn(facts.accounts, now=NOW) as st,
        PartnerCenterStandIn(facts.customers, availabilities={"CFQ7TTC0MM8R:0002": new}) as pc,
    ):
        bill = _bill(st.url, pc.url, facts, snapshot, CONSUMED)
        copilot = next(a for a in bill["actions"] if a["sku"] == "Microsoft_365_Copilot")
        renewal = msgspec.convert(copilot | {"window": "renewal", "by": "2027-07-31"}, BillAction)
        [change] = msgspec.to_builtins(commerce_changes([renewal]))
        customer = next(iter(pc.customers))
        sub = pc.customers[customer][0]
        sub["refundableQuantity"] = {"totalQuantity": 0, "details": []}
        commerce = Commerce(_access(st.url, pc.url))
        # the plan's product, with the subscription's own (old) availability, is refused
        with pytest.raises(BillingSourceError, match=r"HTTP 400 800002\Z"):  # its code, never its text
            typed_change = BODIES.change(msgspec.convert(change, CommerceChange))
            commerce.send(typed_change, reread("partner-center", sub), typed_change.request.body)
        text = _run([change], commerce, {COPILOT: (6, 4)}, tmp_path / "j.jsonl")
        commerce.close()
        assert "-> done" in text, text
        asked = [(r.method, r.path) for r in pc.requests if "transitioneligibilities" in r.path]
        assert asked and all(
            r.query.get("eligibilityType") == "scheduled" for r in pc.requests if "transition" in r.path
        )
        assert sub["scheduledNextTermInstructions"]["product"]["availabilityId"] == new
        assert [ln["outcome"] for ln in _journal(tmp_path / "j.jsonl")] == ["sending", "done"]


# --- the checks before a write --------------------------------------------------------------------


def test_two_reductions_of_one_product_count_what_the_run_already_removed(sample: Any, tmp_path: Path) -> None:
    """Two subscriptions of Power BI Pro, one seat off each: 34 enabled, 33 assigned: the first
    leaves 33, the second would leave 32 for 33 users and is skipped."""
    _, facts = sample
    [account] = facts.accounts
    twin = copy.deepcopy(next(s for s in facts.accounts[account] if s["name"] == ACCOUNT_SUB))
    twin["name"] = "0c2b1f5e-3d4a-4b6c-8e9f-0a1b2c3d4e5f"
    twin["id"] = twin["id"].replace(ACCOUNT_SUB, twin["name"])
    accounts = {account: [*facts.accounts[account], twin]}
    second = _arm_reduce(account) | {"n": 2, "api_id": twin["name"], "subscription": twin["name"]}
    second["request"] = dict(second["request"], path=second["request"]["path"].replace(ACCOUNT_SUB, twin["name"]))
    with BillingStandIn(accounts, now=NOW) as st, PartnerCenterStandIn(facts.customers) as pc:
        commerce = Commerce(_access(st.url, pc.url))
        text = _run([_arm_reduce(account), second], commerce, {PBI: (34, 33)}, tmp_path / "j.jsonl")
        commerce.close()
    assert [(ln["n"], ln["outcome"]) for ln in _journal(tmp_path / "j.jsonl")] == [
        (1, "sending"),
        (1, "done"),
        (2, "skipped"),
    ]
    assert "32 seats would be left (after the 1 this run's earlier changes remove), below the 33 assigned now" in text


def test_the_re_read_product_must_be_the_plans(sample: Any, tmp_path: Path) -> None:
    _, facts = sample
    [account] = facts.accounts
    with BillingStandIn(facts.accounts, now=NOW) as st, PartnerCenterStandIn(facts.customers) as pc:
        sub = next(s for s in st.accounts[account] if s["name"] == ACCOUNT_SUB)
        sub["properties"]["productTypeId"] = "CFQ7TTC0LFLZ"
        commerce = Commerce(_access(st.url, pc.url))
        text = _run(
            [_arm_reduce(account) | {"product": "CFQ7TTC0L3PB:0001"}], commerce, {PBI: (34, 31)}, tmp_path / "j"
        )
        commerce.close()
    assert "skipped: its product is now CFQ7TTC0LFLZ:0001, the plan's is CFQ7TTC0L3PB:0001" in text
    assert not [r for r in st.requests if r.method != "GET"]


def test_commerce_only_refuses_a_credential_of_another_tenant(sample: Any, tmp_path: Path) -> None:
    """With another tenant's token (and a domain, not a GUID, as --tenant-id) nothing is read from
    the billing APIs and nothing is changed: exit 2, as the license changes' run refuses."""
    snapshot, facts = sample
    [account] = facts.accounts
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(snapshot.tenant_id, [_arm_reduce(account)])), "utf-8")
    other = app_token("11111111-2222-3333-4444-555555555555", DEMO_ROLES)
    with GraphEmulator(snapshot, token=other) as graph:

        def client() -> GraphClient:
            return GraphClient(base_url=graph.url, credential=StaticTokenCredential(other))

        with pytest.raises(
            UsageError, match="signs in to tenant 11111111-2222-3333-4444-555555555555, but the changes"
        ):
            apply_commerce_changes(
                WriteOptions(command="apply", yes=True), load_plan(plan), client, TODAY, _as_written(plan)
            )
    assert not list(tmp_path.glob("commerce-journal-*"))


def _as_written(plan: Path) -> Callable[[], FreshPlan]:
    """A fresh compile that agrees with the plan as written (apply's own runs it from the tenant)."""
    return lambda: as_written(plan)


# --- outcomes: an answer that does not settle it ------------------------------------------------


class _Made500(PartnerCenterStandIn):
    """Makes the PATCH, then answers 500 (the change made, the answer lost)."""

    def route(self, asked: Asked) -> Reply:
        reply = super().route(asked)
        return Reply(500, {"code": 500, "description": "Internal error"}) if asked.method == "PATCH" else reply


class _OneMore(PartnerCenterStandIn):
    """Answers a PATCH with one seat more than asked (200)."""

    def route(self, asked: Asked) -> Reply:
        reply = super().route(asked)
        if asked.method == "PATCH" and reply.status == 200 and isinstance(reply.body, dict):
            reply.body["quantity"] += 1
        return reply


def _copilot(st: BillingStandIn, pc: PartnerCenterStandIn, facts: Any, snapshot: Any) -> dict[str, Any]:
    [change] = [c for c in _bill(st.url, pc.url, facts, snapshot, CONSUMED)["commerce"] if c["sku_id"] == COPILOT]
    return change


def test_a_change_made_but_answered_500_is_unknown_and_undo_settles_it_by_re_reading(
    sample: Any, tmp_path: Path
) -> None:
    snapshot, facts = sample
    with BillingStandIn(facts.accounts, now=NOW) as st, _Made500(facts.customers) as pc:
        commerce = Commerce(_access(st.url, pc.url))
        path = tmp_path / "j.jsonl"
        journal = BillJournal(path)
        out = io.StringIO()
        failed = asyncio.run(
            run_commerce(
                typed(_copilot(st, pc, facts, snapshot)),
                commerce,
                _seats({COPILOT: (6, 4)}),
                execute=True,
                journal=journal,
                today=TODAY,
                out=out,
                plan=bind(tmp_path, typed(_copilot(st, pc, facts, snapshot))),
            )
        )
        journal.close()
        assert failed == 1 and "OUTCOME UNKNOWN (no answer that settles it)" in out.getvalue()
        assert [(ln["outcome"], ln["status"]) for ln in _journal(path)] == [("sending", None), ("unknown", 500)]
        # the re-read shows 4 seats: the change was made; undo offers it back (and names the lost buy-back)
        problems: list[str] = []
        asked: list[str] = []
        undo = io.StringIO()
        tenant = seats_now(Microsoft_365_Copilot=(COPILOT, 6, 4))
        yes = {"tenant": tenant, "execute": True, "today": TODAY, "problems": problems}
        undo_commerce(path, commerce, lambda q: asked.append(q) is None, out=undo, **yes)
        commerce.close()
    assert "its outcome was not known; re-read, the change shows as made" in undo.getvalue()
    assert asked == [
        "Buy back 2 seats of Microsoft_365_Copilot (8af68566-8229-5983-be4b-f5d5f157d380), "
        "at a price Partner Center's API does not give?"
    ]
    assert problems == [
        "C1: the buy-back has no answer: " + problems[0].split(": ", 2)[2]
    ]  # its PATCH answered 500 too


def test_an_answer_other_than_the_request_is_unknown_not_done(sample: Any, tmp_path: Path) -> None:
    snapshot, facts = sample
    with BillingStandIn(facts.accounts, now=NOW) as st, _OneMore(facts.customers) as pc:
        commerce = Commerce(_access(st.url, pc.url))
        text = _run([_copilot(st, pc, facts, snapshot)], commerce, {COPILOT: (6, 4)}, tmp_path / "j.jsonl", True)
        lines = _journal(tmp_path / "j.jsonl")
        assert lines[-1]["outcome"] == "unknown"
        assert lines[-1]["note"] == "the answer says 5 seats, the request asked for 4"
        assert "OUTCOME UNKNOWN: the answer says 5 seats, the request asked for 4" in text
        problems: list[str] = []
        undo_commerce(
            tmp_path / "j.jsonl",
            commerce,
            lambda q: True,
            tenant=seats_now(Microsoft_365_Copilot=(COPILOT, 6, 4)),
            execute=False,
            out=io.StringIO(),
            today=TODAY,
            problems=problems,
        )
        commerce.close()
    # the stand-in made 4 (its answer said 5): the re-read settles it as made
    assert problems == []


def test_undo_names_a_change_cut_off_mid_request_and_a_cut_line_and_exits_3(
    sample: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """kill -9 while a request was out: the journal ends on `sending` and the subscription does not
    show the change; a line cut in the middle: undo names both, crashes on neither, exits 3."""
    from auditor.cli import main

    _, facts = sample
    [account] = facts.accounts
    path = tmp_path / "commerce-journal-20261101T070000Z.jsonl"
    with BillingStandIn(facts.accounts, now=NOW) as st, PartnerCenterStandIn(facts.customers) as pc:
        journal = BillJournal(path)
        journal.write(_arm_reduce(account), "sending")
        journal.close()
        with path.open("a", encoding="utf-8") as handle:
            handle.write('{"n": 2, "kind": "reduce", "source": "partner-ce')
        monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
        monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
        endpoints = ["--billing-endpoint", st.url, "--partner-center-endpoint", pc.url]
        code = main(["undo", str(path), "--commerce", "--auth", "token", *endpoints])
    captured = capsys.readouterr()
    assert code == 3
    assert "C1: reduce POWER_BI_PRO" in captured.out and "the run stopped while its request was out" in captured.out
    assert "the re-read subscription does not show it" in captured.out
    assert f"{path.name}:2: not a whole journal line (cut?)" in captured.err
    assert "2 commerce changes need a person" in captured.err
    assert not [r for r in st.requests if r.method != "GET"]


def test_a_failed_buy_back_exits_3(sample: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.cli import main

    _, facts = sample
    [account] = facts.accounts
    path = tmp_path / "commerce-journal-20261101T070000Z.jsonl"
    with BillingStandIn(facts.accounts, now=NOW) as st, PartnerCenterStandIn(facts.customers) as pc:
        commerce = Commerce(_access(st.url, pc.url))
        _run([_arm_reduce(account)], commerce, {PBI: (34, 31)}, path, True)
        commerce.close()
        # the tenant's seats as Graph gives them now (the Graph path: test_distributor_undo_bounds)
        monkeypatch.setattr("auditor.apply.commerce_undo.tenant_of", lambda *_: seats_now(POWER_BI_PRO=(PBI, 34, 33)))
        st.writers = False  # the buy-back is refused (403)
        monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
        monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
        monkeypatch.setattr("auditor.apply.commerce_undo._ask", lambda q: True)
        endpoints = ["--billing-endpoint", st.url, "--partner-center-endpoint", pc.url]
        monkeypatch.setattr("auditor.apply.undoing.clock", lambda: datetime(2026, 11, 1, 7, tzinfo=UTC))
        assert main(["undo", str(path), "--commerce", "--yes", "--auth", "token", *endpoints]) == 3
    undo = next(tmp_path.glob("commerce-undo-*.jsonl"))
    assert [ln["outcome"] for ln in _journal(undo)] == ["sending", "failed"]


def test_the_samples_billing_file_agrees_with_its_stand_ins(sample: Any) -> None:
    """The sample's billing file and the billing account's stand-in give each subscription the same
    term and dates: merging them warns of no disagreement (F1 is an annual term in both)."""
    from auditor.billing.file import read_billing

    snapshot, facts = sample
    billing = read_billing(Path(__file__).parents[2] / "auditor_dev" / "sample" / "sample-billing.csv")
    with BillingStandIn(facts.accounts, now=NOW) as st, PartnerCenterStandIn(facts.customers) as pc:
        got = gather(BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, billing, _access(st.url, pc.url))
    assert [w for w in got.warnings if "differs from" in w] == []
    assert got.billing is not None
    f1 = next(r for r in got.billing.rows if r.subscription == "b5ac0e02-6581-545c-bcd5-ef6193795ae0")
    assert (f1.term.value if f1.term else None, f1.term_end, f1.source("term")) == ("P1Y", date(2027, 4, 4), "file")


def test_a_cancel_of_an_account_without_a_cancel_operation_is_not_sent(sample: Any, tmp_path: Path) -> None:
    """A cancel whose account is neither a Customer nor a Partner Agreement has no documented
    operation: skipped before anything is sent, never an unknown outcome."""
    _, facts = sample
    [account] = facts.accounts
    path = f"/providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{ACCOUNT_SUB}"
    cancel = _arm_reduce(account) | {
        "kind": "cancel",
        "to": 0,
        "seats": 3,
        "agreement": "MicrosoftOnlineServicesProgram",
        "request": {"method": "POST", "path": path + "/cancel", "body": None},
    }
    with BillingStandIn(facts.accounts, now=NOW) as st, PartnerCenterStandIn(facts.customers) as pc:
        commerce = Commerce(_access(st.url, pc.url))
        text = _run([cancel], commerce, {PBI: (34, 31)}, tmp_path / "j.jsonl")
        commerce.close()
    assert "skipped: could not build the request: a MicrosoftOnlineServicesProgram account's subscription" in text
    assert [ln["outcome"] for ln in _journal(tmp_path / "j.jsonl")] == ["skipped"]
    assert not [r for r in st.requests if r.method != "GET"]


# --- the plan apply checked is the plan whose commerce changes are made --------------------------


def test_a_plan_changed_since_apply_read_it_is_refused(sample: Any, tmp_path: Path) -> None:
    """apply reads plan.json once to check it (load_plan, which keeps its sha256) and again for its
    bill: bytes other than the ones checked (an edit in between, or the file gone) are refused
    before any client is made, anything read or any journal written."""
    snapshot, facts = sample
    [account] = facts.accounts
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(snapshot.tenant_id, [_arm_reduce(account)])), "utf-8")
    checked = load_plan(plan)

    def no_client() -> GraphClient:
        raise AssertionError("no client is made for a plan apply did not check")

    options = WriteOptions(command="apply", yes=True)
    edited = _arm_reduce(account) | {"to": 1, "seats": 2}
    edited["request"]["body"] = {"properties": {"quantity": 1}}
    plan.write_text(json.dumps(_plan(snapshot.tenant_id, [edited])), "utf-8")
    with pytest.raises(UsageError, match=r"plan\.json: the plan changed since apply read it \(its sha256 is no"):
        apply_commerce_changes(options, checked, no_client, TODAY, _as_written(plan))
    plan.unlink()
    with pytest.raises(UsageError, match=r"plan\.json: no such file"):
        apply_commerce_changes(options, checked, no_client, TODAY, _as_written(plan))
    assert not list(tmp_path.glob("commerce-journal-*"))
    # the bytes apply checked are read as they are: a plan's commerce with none is none
    plan.write_text(json.dumps(_plan(snapshot.tenant_id, [])), "utf-8")
    assert apply_commerce_changes(options, load_plan(plan), no_client, TODAY, _as_written(plan)) == 0


def test_a_commerce_change_of_the_wrong_type_is_exit_2_naming_the_place(
    sample: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-edited seat count that is not a number: exit 2 naming plan.json and the place
    (`$.bill.commerce[0].seats`), never an internal error; nothing is read or sent."""
    from auditor.apply import run as apply_run
    from auditor.cli import main

    snapshot, facts = sample
    [account] = facts.accounts
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(snapshot.tenant_id, [_arm_reduce(account) | {"seats": "1"}])), "utf-8")
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", "an-opaque-token-without-claims")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setattr(apply_run, "clock", lambda: datetime(2026, 11, 1, 7, tzinfo=UTC))
    args = ["apply", str(plan), "--auth", "token", "--commerce-only", "--tenant-id", snapshot.tenant_id]
    capsys.readouterr()
    assert main([*args, "--max-age", "30d"]) == 2
    err = capsys.readouterr().err
    assert f"{plan}: bill.commerce is not a list of commerce changes" in err
    assert "Expected `int`, got `str` - at `$.bill.commerce[0].seats`" in err
    assert not list(tmp_path.glob("commerce-journal-*"))


def test_commerce_of_reads_plan_json_bytes() -> None:
    """plan.json's bytes, as load_plan reads them (a UTF-8 byte order mark too); bytes that are not
    JSON are a UsageError naming the file."""
    doc = {"plan_version": 1, "bill": {"commerce": [_arm_reduce("acct")]}}
    [change] = commerce_of(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    assert (change.kind, change.from_, change.to, msgspec.to_builtins(change.request.body)) == (
        "reduce",
        3,
        2,
        {"properties": {"quantity": 2}},
    )
    assert commerce_of(json.dumps({"bill": None}).encode()) == []
    with pytest.raises(UsageError, match=r"^some/plan\.json: not valid JSON"):
        commerce_of(b'{"bill": ', "some/plan.json")
