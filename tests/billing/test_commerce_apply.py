"""apply --commerce against the stand-ins: only inside the window, never below the seats assigned,
never a delete, write-ahead journaled; undo asks before buying seats back and names the price."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from azure.core.credentials import AccessToken

import auditor_dev
from auditor.apply.commerce import Commerce, commerce_of, run_commerce
from auditor.apply.commerce_undo import undo_commerce
from auditor.apply.distributor_bound import Assigned, TenantNow
from auditor.apply.write_engine import BillJournal
from auditor.billing.arm import BillingSourceError
from auditor.common.errors import UsageError
from auditor.formats.bill_model import BillAction, CommerceChange
from auditor.plan.bill import commerce_facts
from auditor.plan.commerce import commerce_changes
from auditor.vendors.commerce_sources import Access, BillingSource, gather
from auditor.vendors.partner_center import client as partner_center
from auditor.vendors.registry import BODIES
from auditor_dev.commerce import BillingStandIn, PartnerCenterStandIn, sample_commerce
from auditor_dev.demo import sample_tenant
from tests.billing import bills
from tests.billing.bills import built as build_bill
from tests.documents import empty_summary, report_document

TODAY = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 6)


class Token:
    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, 2**31)


def _bill(arm_url: str, pc_url: str, commerce_doc: Any, snapshot: Any, consumed: dict[str, int]) -> dict[str, Any]:
    access = Access(Token("arm-token"), arm_url, None, Token("pc-token"), pc_url)
    got = gather(BillingSource.AUTO, snapshot.subscriptions, snapshot.tenant_id, None, access)
    # no currency: the seat rows name none, and the summary none either
    document = report_document(
        **commerce_facts(snapshot.subscriptions, {}),
        skus=[
            {"sku": part, "sku_id": sid, "consumed": n, "price_monthly": 10.0} for part, (sid, n) in consumed.items()
        ],
        summary=empty_summary(None),
        locale="en",
    )
    return build_bill(document, {}, got.billing, TODAY)


def typed(*changes: dict[str, Any]) -> list[CommerceChange]:
    """Commerce changes in plan.json's shape as apply decodes them (commerce_of's checks not made)."""
    return [BODIES.change(msgspec.convert(c, CommerceChange)) for c in changes]


def bind(directory: Path, changes: list[CommerceChange], tenant_id: str = "") -> str:
    """plan.json beside the journal, its bill's commerce changes `changes` (what undo binds a done line to);
    its SHA-256, as apply journals it with each line."""
    doc = {
        "plan_version": 1,
        "tenant_id": tenant_id or sample_tenant().tenant_id,
        "tenant_name": "Contoso",
        "cloud": "worldwide",
        "report_generated_at": "2026-11-01T06:00:00Z",
        "created_at": "2026-11-01T06:05:00Z",
        "currency": "EUR",
        "net_monthly": 0.0,
        "changes": [],
        "seats": {},
        "stopped": None,
        "skipped": [],
        "bill": {"commerce": [msgspec.to_builtins(c) for c in changes]},
    }
    data = json.dumps(doc).encode()
    (directory / "plan.json").write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def seats_now(**products: tuple[str, int, int]) -> TenantNow:
    """The tenant's seats as Graph gives them now: product name -> (skuId, assigned, the seats it has)."""
    return TenantNow({sku: Assigned(part, used, has) for part, (sku, used, has) in products.items()})


def _seats(table: dict[str, tuple[int, int]]) -> Any:
    async def read(sku_id: str) -> tuple[int, int] | None:
        return table.get(sku_id)

    return read


@pytest.fixture()
def world() -> Any:
    snapshot = sample_tenant()
    facts = sample_commerce(snapshot, datetime(2026, 11, 1, 6))
    with BillingStandIn(facts.accounts, now=NOW) as arm, PartnerCenterStandIn(facts.customers) as pc:
        yield snapshot, facts, arm, pc


COPILOT = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
PBI = "f8a1db68-be16-40ed-86d5-cb42ce701560"
CONSUMED = {"Microsoft_365_Copilot": (COPILOT, 4), "POWER_BI_PRO": (PBI, 31)}


def test_the_plan_names_what_an_api_can_do_and_the_dry_run_changes_nothing(world: Any) -> None:
    snapshot, facts, arm, pc = world
    bill = _bill(arm.url, pc.url, facts, snapshot, CONSUMED)
    changes = commerce_of({"bill": bill})
    assert [(c.kind, c.source, c.sku, c.from_, c.to) for c in changes] == [
        ("reduce", "partner-center", "Microsoft_365_Copilot", 6, 4),
        ("cancel", "billing-account", "POWER_BI_PRO", 3, 0),
    ]
    out = io.StringIO()
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    failed = asyncio.run(
        run_commerce(
            changes,
            commerce,
            _seats({COPILOT: (6, 4), PBI: (34, 31)}),
            execute=False,
            journal=None,
            today=TODAY,
            out=out,
        )
    )
    commerce.close()
    text = out.getvalue()
    assert failed == 0 and text.count("-> would apply") == 2
    # the money and the deadline: the day of allowedUntilDateTime (2026-11-05T14:20Z), not a day earlier
    assert "saves 21.00 a month from 2026-11-01; by 2026-11-05" in text
    # the billing account's window rests on cancellationAllowedEndDate alone (Microsoft's examples' shape)
    assert (
        "systemOverrides gives no cancellation: its window is taken from cancellationAllowedEndDate 2026-11-04" in text
    )
    assert "DELETE /providers/Microsoft.Billing/billingAccounts/" in text and "by 2026-11-04" in text
    assert all(r.method == "GET" for r in arm.requests + pc.requests)


def test_apply_makes_them_journaled_and_never_below_the_seats_assigned(world: Any, tmp_path: Path) -> None:
    snapshot, facts, arm, pc = world
    changes = commerce_of({"bill": _bill(arm.url, pc.url, facts, snapshot, CONSUMED)})
    journal = BillJournal(tmp_path / "commerce.jsonl")
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    out = io.StringIO()
    # someone assigned a Copilot license since the plan: 5 assigned, 4 would be left
    asyncio.run(
        run_commerce(
            changes,
            commerce,
            _seats({COPILOT: (6, 5), PBI: (34, 31)}),
            execute=True,
            journal=journal,
            today=TODAY,
            out=out,
        )
    )
    journal.close()
    lines = [json.loads(t) for t in (tmp_path / "commerce.jsonl").read_text("utf-8").splitlines()]
    assert [(ln["n"], ln["outcome"]) for ln in lines] == [(1, "skipped"), (2, "sending"), (2, "done")]
    assert "below the 5 assigned now" in lines[0]["note"]
    # a Microsoft Customer Agreement's cancel: DELETE, followed to its end (operationResults)
    assert [r.method for r in arm.requests if r.method != "GET"] == ["DELETE"]
    assert any("/operationResults/cancelBillingSubscription_cf86da0c" in r.path for r in arm.requests)
    assert not [r for r in pc.requests if r.method != "GET"]
    power_bi = next(s for s in arm.accounts[next(iter(arm.accounts))] if s["name"].startswith("cf86"))
    assert power_bi["properties"]["status"] == "Cancelled"


def test_outside_the_window_or_after_a_change_it_is_skipped(world: Any, tmp_path: Path) -> None:
    snapshot, facts, arm, pc = world
    changes = commerce_of({"bill": _bill(arm.url, pc.url, facts, snapshot, CONSUMED)})
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    out = io.StringIO()
    asyncio.run(
        run_commerce(
            changes,
            commerce,
            _seats({}),
            execute=True,
            journal=BillJournal(tmp_path / "j"),
            today=date(2026, 11, 6),
            out=out,
        )
    )
    assert out.getvalue().count("skipped: its window closed on") == 2
    # the partner's seats changed since the plan
    customer = next(iter(pc.customers))
    pc.customers[customer][0]["quantity"] = 7
    out = io.StringIO()
    asyncio.run(
        run_commerce(
            changes[:1], commerce, _seats({COPILOT: (7, 1)}), execute=False, journal=None, today=TODAY, out=out
        )
    )
    assert "it now has 7 seats, the plan counted 6" in out.getvalue()


def _journal(path: Path) -> list[dict[str, Any]]:
    return [json.loads(t) for t in path.read_text("utf-8").splitlines()]


def test_undo_asks_before_buying_seats_back_and_names_the_price(world: Any, tmp_path: Path) -> None:
    snapshot, facts, arm, pc = world
    changes = commerce_of({"bill": _bill(arm.url, pc.url, facts, snapshot, CONSUMED)})
    path = tmp_path / "commerce.jsonl"
    journal = BillJournal(path)
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    asyncio.run(
        run_commerce(
            changes[:1],
            commerce,
            _seats({COPILOT: (6, 4)}),
            execute=True,
            journal=journal,
            today=TODAY,
            out=io.StringIO(),
            plan=bind(tmp_path, changes),
        )
    )
    journal.close()
    # the licenses given back since: 6 assigned again, 4 seats
    tenant = seats_now(Microsoft_365_Copilot=(COPILOT, 6, 4))
    customer = next(iter(pc.customers))
    assert pc.customers[customer][0]["quantity"] == 4
    asked: list[str] = []
    out = io.StringIO()
    undo_path = tmp_path / "undo.jsonl"
    undo_journal = BillJournal(undo_path)
    assert (
        undo_commerce(
            path,
            commerce,
            lambda q: asked.append(q) is not None,
            tenant=tenant,
            execute=True,
            out=out,
            today=TODAY,
            undo_journal=undo_journal,
        )
        == 0
    )
    # Partner Center's subscription gives no price: none is named (never the plan's figure)
    assert asked == [
        "Buy back 2 seats of Microsoft_365_Copilot (8af68566-8229-5983-be4b-f5d5f157d380), "
        "at a price Partner Center's API does not give?"
    ]
    assert pc.customers[customer][0]["quantity"] == 4  # said no: nothing bought
    # without a terminal nobody can say yes: nothing is bought
    from auditor.apply import commerce_undo as commerce_module

    assert undo_commerce(path, commerce, commerce_module._ask, tenant=tenant, execute=True, out=out, today=TODAY) == 0
    assert pc.customers[customer][0]["quantity"] == 4
    assert undo_commerce(path, commerce, lambda q: True, tenant=tenant, execute=False, out=out, today=TODAY) == 0
    assert "with --yes, would ask: Buy back 2 seats" in out.getvalue()
    # after the reduction's window a buy-back is a new purchase for the term: refused, and said why
    late = io.StringIO()
    later = date(2026, 11, 6)
    assert undo_commerce(path, commerce, lambda q: True, tenant=tenant, execute=True, out=late, today=later) == 0
    assert "not bought back: its window closed on 2026-11-05" in late.getvalue()
    assert not [r for r in pc.requests if r.method == "PATCH" and r.body.get("quantity") == 6]
    yes: dict[str, Any] = {"tenant": tenant, "execute": True, "today": TODAY, "undo_journal": undo_journal}
    assert undo_commerce(path, commerce, lambda q: True, out=out, **yes) == 1
    assert pc.customers[customer][0]["quantity"] == 6
    # undone once: the subscription no longer has the seats the reduction left, so a second undo refuses
    again = io.StringIO()
    assert undo_commerce(path, commerce, lambda q: True, out=again, **yes) == 0
    assert "it now has 6 seats, the reduction left 4" in again.getvalue()
    undo_journal.close()
    lines = _journal(undo_path)
    assert [(ln["kind"], ln["outcome"]) for ln in lines] == [
        ("undo_reduce", "declined"),
        ("undo_reduce", "sending"),
        ("undo_reduce", "done"),
        ("undo_reduce", "skipped"),
    ]
    assert (lines[1]["from"], lines[1]["to"], lines[1]["request"]["body"]) == (4, 6, {"quantity": 6})


ACCOUNT_SUB = "cf86da0c-f640-56d1-913b-79bd0b93b3ed"  # the sample's Power BI Pro, in its cancellation window


def _arm_reduce(account: str) -> dict[str, Any]:
    """A reduction of the billing account's Power BI Pro from 3 seats to 2, as plan writes it."""
    path = (
        f"/providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{ACCOUNT_SUB}"
        "?api-version=2024-04-01"
    )
    return {
        "n": 1,
        "kind": "reduce",
        "source": "billing-account",
        "scope": account,
        "api_id": ACCOUNT_SUB,
        "subscription": ACCOUNT_SUB,
        "sku": "POWER_BI_PRO",
        "sku_id": PBI,
        "from": 3,
        "to": 2,
        "seats": 1,
        "window": "within_7_days",
        "not_before": "2026-10-28",
        "by": "2026-11-03",
        "monthly_saving": 10.0,
        "saving_from": "2026-11-01",
        "request": {"method": "PATCH", "path": path, "body": {"properties": {"quantity": 2}}},
    }


def test_the_billing_account_reduce_and_its_undo(world: Any, tmp_path: Path) -> None:
    _, _, arm, pc = world
    account = next(iter(arm.accounts))
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    path = tmp_path / "commerce.jsonl"
    journal = BillJournal(path)
    out = io.StringIO()
    assert (
        asyncio.run(
            run_commerce(
                typed(_arm_reduce(account)),
                commerce,
                _seats({PBI: (34, 31)}),
                execute=True,
                journal=journal,
                today=TODAY,
                out=out,
                plan=bind(tmp_path, typed(_arm_reduce(account))),
            )
        )
        == 0
    )
    journal.close()
    tenant = seats_now(POWER_BI_PRO=(PBI, 34, 33))  # 34 assigned again, 33 seats after the reduction
    patches = [r for r in arm.requests if r.method == "PATCH"]
    assert [(r.query["api-version"], r.body) for r in patches] == [("2024-04-01", {"properties": {"quantity": 2}})]
    sub = next(s for s in arm.accounts[account] if s["name"] == ACCOUNT_SUB)
    assert sub["properties"]["quantity"] == 2
    assert [(ln["outcome"], ln["by"]) for ln in _journal(path)] == [("sending", "2026-11-03"), ("done", "2026-11-03")]
    # the billing account, re-read, says the window is shut: the undo refuses and says why
    overrides = sub["properties"]["systemOverrides"]
    sub["properties"]["systemOverrides"] = {"cancellation": "NotAllowed"}
    shut = io.StringIO()
    assert undo_commerce(path, commerce, lambda q: True, tenant=tenant, execute=True, out=shut, today=TODAY) == 0
    assert "not bought back: its cancellation window is shut (NotAllowed, until ?)" in shut.getvalue()
    sub["properties"]["systemOverrides"] = overrides
    later = date(2026, 11, 4)
    assert undo_commerce(path, commerce, lambda q: True, tenant=tenant, execute=True, out=shut, today=later) == 0
    assert "its window closed on 2026-11-03" in shut.getvalue()
    assert sub["properties"]["quantity"] == 2
    asked: list[str] = []
    undo_path = tmp_path / "undo.jsonl"
    undo_journal = BillJournal(undo_path)
    assert (
        undo_commerce(
            path,
            commerce,
            lambda q: asked.append(q) is None,
            tenant=tenant,
            execute=True,
            out=io.StringIO(),
            today=TODAY,
            undo_journal=undo_journal,
        )
        == 1
    )
    undo_journal.close()
    assert asked == [
        f"Buy back 1 seats of POWER_BI_PRO ({ACCOUNT_SUB}), at a price the billing account's API does not give?"
    ]
    assert sub["properties"]["quantity"] == 3
    assert [r.body for r in arm.requests if r.method == "PATCH"][-1] == {"properties": {"quantity": 3}}
    assert [ln["outcome"] for ln in _journal(undo_path)] == ["sending", "done"]


def test_a_reduction_for_the_renewal_is_scheduled_in_partner_centers_shape(world: Any, tmp_path: Path) -> None:
    """scheduledNextTermInstructions: product (productId, skuId, availabilityId, billingCycle,
    termDuration: Partner Center's ProductTerm) and quantity; the stand-in refuses a body without them."""
    snapshot, facts, arm, pc = world
    bill = _bill(arm.url, pc.url, facts, snapshot, CONSUMED)
    copilot = next(a for a in bill["actions"] if a["sku"] == "Microsoft_365_Copilot")
    assert copilot["api"]["offer"] == "CFQ7TTC0MM8R:0002:CFQ7TTC0MM8R0002"  # the offer joined from Partner Center
    # the same seats, past their refundable window: the reduction waits for the renewal
    renewal = copilot | {"window": "renewal", "by": "2027-07-31", "not_before": "2026-11-01"}
    [change] = msgspec.to_builtins(commerce_changes([msgspec.convert(renewal, BillAction)]))
    product = {
        "productId": "CFQ7TTC0MM8R",
        "skuId": "0002",
        "availabilityId": "CFQ7TTC0MM8R0002",
        "billingCycle": "monthly",
        "termDuration": "P1Y",
    }
    assert change["kind"] == "schedule_reduction"
    assert change["request"]["body"] == {"scheduledNextTermInstructions": {"product": product, "quantity": 4}}
    # without the offer's three parts no change is planned: a person schedules it
    short = copilot | {"window": "renewal", "api": copilot["api"] | {"offer": "CFQ7TTC0MM8R"}}
    assert commerce_changes([msgspec.convert(short, BillAction)]) == []
    customer = next(iter(pc.customers))
    sub = pc.customers[customer][0]
    sub["refundableQuantity"] = {"totalQuantity": 0, "details": []}
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    journal = BillJournal(tmp_path / "commerce.jsonl")
    out = io.StringIO()
    assert (
        asyncio.run(
            run_commerce(
                typed(change), commerce, _seats({COPILOT: (6, 4)}), execute=True, journal=journal, today=TODAY, out=out
            )
        )
        == 0
    ), out.getvalue()
    journal.close()
    assert sub["scheduledNextTermInstructions"] == {"product": product, "quantity": 4}
    assert sub["quantity"] == 6  # this term keeps its seats
    [patch] = [r for r in pc.requests if r.method == "PATCH"]
    assert patch.body["scheduledNextTermInstructions"] == {"product": product, "quantity": 4}
    # Partner Center refuses a schedule that names no product: the stand-in does too (named by its code)
    with pytest.raises(BillingSourceError, match=r"HTTP 400 800002\Z"):
        partner_center.update_subscription(
            commerce.pc(), customer, sub | {"scheduledNextTermInstructions": {"quantity": 3}}
        )
    # a re-read subscription whose offer does not name the product: the change is skipped, and why
    sub["offerId"] = "CFQ7TTC0MM8R:0002"
    out = io.StringIO()
    asyncio.run(
        run_commerce(
            typed(change), commerce, _seats({COPILOT: (6, 4)}), execute=False, journal=None, today=TODAY, out=out
        )
    )
    assert "would skip: its offerId 'CFQ7TTC0MM8R:0002', billingCycle and termDuration do not name" in out.getvalue()
    commerce.close()


def test_a_plan_whose_request_is_not_its_change_is_refused() -> None:
    """A DELETE other than a Customer Agreement's cancel, or a request whose seats are not the
    change's `to`, is refused before anything is read or sent."""
    # a DELETE with nothing else of a change: not a commerce change at all (the place is named)
    with pytest.raises(UsageError, match=r"plan\.json: .*at `\$\.bill\.commerce\[0\]\.request`"):
        commerce_of({"bill": {"commerce": [{"n": 1, "request": {"method": "DELETE", "path": "/x"}}]}})
    with pytest.raises(UsageError, match="only one a plan sends is the cancel of a billing subscription"):
        commerce_of(
            {
                "bill": {
                    "commerce": [_arm_reduce("acct") | {"request": {"method": "DELETE", "path": "/x", "body": None}}]
                }
            }
        )
    mosp = _arm_reduce("acct") | {"kind": "cancel", "agreement": "MicrosoftOnlineServicesProgram"}
    with pytest.raises(UsageError, match="is a DELETE"):
        commerce_of({"bill": {"commerce": [mosp | {"request": {"method": "DELETE", "path": "/x", "body": None}}]}})
    # a Partner Agreement's seat-based subscription is cancelled by DELETE too, never POST .../cancel
    path = _arm_reduce("acct")["request"]["path"]
    mpa = _arm_reduce("acct") | {"kind": "cancel", "agreement": "MicrosoftPartnerAgreement", "to": 0, "seats": 3}
    assert commerce_of({"bill": {"commerce": [mpa | {"request": {"method": "DELETE", "path": path, "body": None}}]}})
    post = {"method": "POST", "path": path.replace("?", "/cancel?"), "body": {"cancellationReason": "Other"}}
    with pytest.raises(UsageError, match="is not DELETE"):
        commerce_of({"bill": {"commerce": [mpa | {"request": post}]}})
    tampered = _arm_reduce("acct")
    tampered["request"]["body"] = {"properties": {"quantity": 1}}
    with pytest.raises(UsageError, match="change 1 asks for 1 seats, but it reduces to 2"):
        commerce_of({"bill": {"commerce": [tampered]}})
    assert commerce_of({"bill": {"commerce": [_arm_reduce("acct")]}})


def test_apply_commerce_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """audit --demo, plan reading the stand-ins, then `apply --commerce` (dry run, then --yes)."""
    from auditor.apply import run as apply_run
    from auditor.cli import main
    from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

    snapshot = sample_tenant()
    facts = sample_commerce(snapshot, datetime(2026, 11, 1, 6))
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--demo",
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--fail-on",
                "never",
                "--billing-source",
                "none",
            ]
        )
        == 0
    )
    token = app_token(snapshot.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    monkeypatch.setattr(apply_run, "clock", lambda: datetime(2026, 11, 1, 7, tzinfo=__import__("datetime").UTC))
    with (
        BillingStandIn(facts.accounts, now=NOW) as arm,
        PartnerCenterStandIn(facts.customers) as pc,
        GraphEmulator(snapshot, token=token) as graph,
    ):
        endpoints = ["--billing-endpoint", arm.url, "--partner-center-endpoint", pc.url]
        assert main(["plan", "--report-dir", str(out), "--billing-source", "auto", *endpoints]) in (0, 1)
        plan = out / "plan.json"
        doc = json.loads(plan.read_text("utf-8"))
        assert doc["bill"]["commerce"]
        # plan.md (the plan job's summary, which the reviewers approve) lists each commerce change
        md = (out / "plan.md").read_text("utf-8")
        section = md[md.index("### Commerce changes") :]
        section = section[: section.index("### Changes, in the order")].replace("\\", "")
        # the product by its name, as the report says it; the subscription's id is in the request line only
        assert "C1. Reduce Microsoft Copilot for Microsoft 365 from 6 to 4" in section
        assert "PATCH /v1/customers/" in section and "Saves €59.01 a month from Nov 1, 2026; by Nov 5, 2026" in section
        assert "C2. Cancel Power BI Pro: 3 licenses" in section
        assert "(8af68566-" not in section and "(cf86da0c-" not in section
        assert "DELETE /providers/Microsoft.Billing/billingAccounts/" in section
        assert "A cancellation cannot be undone: the product would have to be bought again." in section
        base = [
            "apply",
            str(plan),
            "--graph-endpoint",
            graph.url,
            "--auth",
            "token",
            "--tenant-id",
            snapshot.tenant_id,
            "--policies",  # the operator's: the demo's example policy, as `audit --demo` was judged by
            str(Path(auditor_dev.__file__).parent / "sample" / "example-policy.yaml"),
            "--commerce",
            "--max-age",
            "30d",
            *endpoints,
        ]
        # --commerce-only (license-apply.yml's commerce job): the plan's license changes are not touched
        assert doc["changes"]
        plan.write_text(json.dumps(doc | {"created_at": "2026-11-01T06:30:00Z"}), "utf-8")
        capsys.readouterr()
        assert main([*base[: -3 - len(endpoints)], "--commerce-only", "--max-age", "30d", *endpoints]) == 0
        assert "commerce changes: " in capsys.readouterr().out
        # the tenant Graph answers for (apply.permissions.check_tenant), and the plan compiled again from the
        # tenant (auditor.pipeline.recompile): read, never written (no license change)
        assert {"/organization", "/subscribedSkus"} <= {r.path for r in graph.requests}
        writes = ("/assignLicense", "/$ref", "/reprocessLicenseAssignment")
        assert not [r for r in graph.requests if r.method in ("PATCH", "DELETE") or r.path.endswith(writes)]
        # with --commerce the license changes come first: their users are re-read, and the demo token,
        # which holds no write permission, stops there (the commerce-only run above did not need it)
        assert main(base) != 0
        assert "change(s) would be applied" in capsys.readouterr().out and graph.requests_to(r"/users/.*")
        # the demo's clock, and the commerce changes alone (the license changes are test_apply's)
        plan.write_text(json.dumps(doc | {"created_at": "2026-11-01T06:30:00Z", "changes": []}), "utf-8")
        arm.requests.clear()
        pc.requests.clear()
        capsys.readouterr()
        assert main(base) == 0
        dry = capsys.readouterr().out
        assert "dry run, nothing is changed" in dry and "by 2026-11-04" in dry
        assert all(r.method == "GET" for r in arm.requests + pc.requests)
        mine = out / "mine-commerce.jsonl"  # --journal FILE: the journal is that file, no name of its own
        assert main([*base, "--yes", "--journal", str(mine)]) == 0
        assert [r.method for r in arm.requests + pc.requests if r.method != "GET"]
        # the Power BI Pro cancel is the Customer Agreement's DELETE, never the Partner Agreement's POST .../cancel
        assert [r.method for r in arm.requests if r.method not in ("GET",)] == ["DELETE"]
        assert not list(out.glob("commerce-journal-*.jsonl"))
        journals = [mine]
        outcomes = [json.loads(t)["outcome"] for t in journals[0].read_text("utf-8").splitlines()]
        assert "sending" in outcomes and outcomes.index("sending") < len(outcomes) - 1
        # the Copilot seats are all assigned in the sample: only the Power BI Pro cancellation was made
        assert [r.method for r in pc.requests if r.method != "GET"] == []
        capsys.readouterr()
        undo = ["undo", str(journals[0]), "--commerce", "--yes", "--auth", "token", *endpoints]
        assert main(undo) == 0
        assert "POWER_BI_PRO was cancelled: buy a new subscription if it is needed again" in capsys.readouterr().out
        assert not [r for r in arm.requests if r.method == "PATCH"]


def test_plan_builds_the_audits_bill_from_report_json_without_reading_the_apis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """audit --demo reads the billing stand-ins; a plain `plan` after it (no billing flag, no API
    reachable) builds the same bill from report.json's billing_facts, commerce changes included."""
    from auditor.cli import main

    out = tmp_path / "out"
    assert main(["audit", "--demo", "--output-dir", str(out), "--format", "json", "--fail-on", "never"]) == 0
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["billing_facts"] and {s for r in report["billing_facts"] for _, s in r["sources"]} >= {
        "billing-account",
        "partner-center",
    }
    assert main(["plan", "--report-dir", str(out)]) in (0, 1)
    plan = json.loads((out / "plan.json").read_text("utf-8"))

    def key(a: dict[str, Any]) -> tuple[Any, ...]:
        return a["sku"], a["subscription"], a["action"], a["seats"], a["by"], a["window"], a["sources"]

    assert [key(a) for a in plan["bill"]["actions"]] == [key(a) for a in report["bill"]["actions"]]
    assert plan["bill"]["commerce"] == report["bill"]["commerce"] and plan["bill"]["commerce"]
    # --billing-source none is no bill's facts; file is the file alone (here none): not the saved ones
    assert main(["plan", "--report-dir", str(out), "--billing-source", "file"]) in (0, 1)
    assert "commerce" not in json.loads((out / "plan.json").read_text("utf-8"))["bill"]
    # a --billing file lies over the saved facts fact by fact: the API's deadline and ids stay
    saved = {r["subscription"]: r for r in report["billing_facts"]}
    changed = next(c for c in report["bill"]["commerce"])
    sub = changed["subscription"]
    row = saved[sub]
    (tmp_path / "b.csv").write_text(
        f"subscription,channel,unit_price,currency\n{sub},{row['channel']},"
        f"{row['unit_price'] or 10},{row['currency'] or 'EUR'}\n",
        "utf-8",
    )
    assert main(["plan", "--report-dir", str(out), "--billing", str(tmp_path / "b.csv")]) in (0, 1)
    bill = json.loads((out / "plan.json").read_text("utf-8"))["bill"]
    assert [c["subscription"] for c in bill.get("commerce") or []].count(sub) == 1
    # a report.json whose facts are not in shape is refused, with the place of the wrong value
    report["billing_facts"] = [{"subscription": 1}]
    (out / "report.json").write_text(json.dumps(report), "utf-8")
    capsys.readouterr()
    assert main(["plan", "--report-dir", str(out)]) == 2
    assert "$.billing_facts[0].subscription" in capsys.readouterr().err


def test_two_commerce_changes_of_one_product_are_told_apart_by_their_subscription() -> None:
    from auditor.data.model import Locale
    from auditor.plan.commerce import commerce_rows

    def change(n: int, sub: str, sku: str, kind: str = "reduce") -> dict[str, Any]:
        request = {"method": "PATCH", "path": f"/subscriptions/{sub}", "body": None}
        return {
            **dict.fromkeys(("sku_id", "agreement", "product", "not_before", "by", "saving_from")),
            **{"n": n, "kind": kind, "source": "partner-center", "scope": "c", "api_id": sub, "window": "renewal"},
            **{"subscription": sub, "sku": sku, "from": 6, "to": 4, "seats": 2, "monthly_saving": 0.0},
            "request": request,
        }

    commerce = [change(1, "sub-a", "POWER_BI_PRO"), change(2, "sub-b", "POWER_BI_PRO", "cancel")]
    commerce.append(change(3, "sub-c", "SPE_E3"))
    rows = commerce_rows(bills.of(bills.bill_json(commerce=commerce)), "EUR", Locale.EN)
    assert [r.what for r in rows] == [
        "Reduce Power BI Pro (sub-a) from 6 to 4 licenses",
        "Cancel Power BI Pro (sub-b): 6 licenses",
        "Reduce Microsoft 365 E3 from 6 to 4 licenses",
    ]
