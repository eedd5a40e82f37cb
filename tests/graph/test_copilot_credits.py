"""The tenant's Copilot Credits balance (Graph beta getTenantCreditBalance), read by the real collector
from the emulator for the bill when the tenant holds Copilot: the rows reach the snapshot, the bill
in report.json and the rendered bill beside the Copilot seats, marked beta; an omitted quantity is
"none", never 0; without CopilotCostManagement.Read.All it is a named gap, never a zero balance;
it is not asked without a bill or without a Copilot product; /v1.0 does not serve it."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "core"))

from factory import AS_OF, IDS, sku, tenant, user

from auditor.cli import main
from auditor.data.copilot_credits_data import COPILOT_CREDITS, CREDITS_PATH, CopilotCredits, CreditBalance
from auditor.data.model import Locale, TenantSnapshot
from auditor.evaluation.engine import evaluate
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.i18n import translations
from auditor.plan.bill import copilot_credits
from auditor.plan.bill_view import bill_view
from auditor.plan.credits_view import credit_lines
from auditor.policyset.load import load_policies
from auditor.render.text import md_escape
from auditor.snapshot import load_snapshot, save_snapshot, snapshot_from_json
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, LoggedRequest, app_token
from tests.billing import bills

COPILOT = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
BETA = f"/beta{CREDITS_PATH}"
CREDITS = CopilotCredits(
    (
        CreditBalance("prepaidCredits", 18340.5, 25000.0, 6659.5, "copilotCredit", "2026-11-01T04:00:00Z"),
        CreditBalance("payAsYouGo", 1210.0, None, None, "copilotCredit", None),
    )
)


def with_copilot(credits: CopilotCredits | None = CREDITS, holds: bool = True) -> TenantSnapshot:
    IDS.setdefault("Microsoft_365_Copilot", COPILOT)
    skus = [sku("SPE_E3"), *([sku("Microsoft_365_Copilot", enabled=6, consumed=1)] if holds else [])]
    doc = tenant([user("ann", "SPE_E3", *(["Microsoft_365_Copilot"] if holds else []))], skus=skus)
    if credits is not None:
        doc[COPILOT_CREDITS] = credits.to_graph()
    return snapshot_from_json(doc)


def collected(
    snapshot: TenantSnapshot, roles: tuple[str, ...] = DEMO_ROLES, *, asked: bool = True
) -> tuple[TenantSnapshot, list[LoggedRequest]]:
    token = app_token(snapshot.tenant_id, roles)
    with GraphEmulator(snapshot, token=token) as graph:

        async def run() -> TenantSnapshot:
            client = GraphClient(
                base_url=graph.url,
                credential=StaticTokenCredential(token),
                cloud=snapshot.cloud,
                progress=Progress(None, interval=0),
            )
            try:
                return await collect(client, CollectOptions(copilot_credits=asked), clock=lambda: AS_OF)
            finally:
                await client.aclose()

        return asyncio.run(run()), graph.requests_to(BETA)


def test_the_balance_is_read_on_beta_into_the_snapshot(tmp_path: Path) -> None:
    snapshot, asked = collected(with_copilot())
    assert [r.status for r in asked] == [200]
    assert snapshot.copilot_credits == CREDITS and COPILOT_CREDITS in snapshot.collected_datasets
    assert snapshot.complete
    # omitted as Graph omits them, and kept so through a snapshot file
    assert CREDITS.to_graph()["billingMethodBalances"][1] == {
        "billingMethod": "payAsYouGo",
        "consumedQuantity": 1210.0,
        "unit": "copilotCredit",
    }
    save_snapshot(snapshot, tmp_path / "s.json")
    assert load_snapshot(tmp_path / "s.json").copilot_credits == CREDITS


def test_without_the_permission_a_named_gap_never_a_zero() -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "CopilotCostManagement.Read.All")
    snapshot, asked = collected(with_copilot(), roles)
    assert [r.status for r in asked] == [403]
    assert snapshot.copilot_credits is None and COPILOT_CREDITS not in snapshot.collected_datasets
    # the month's use has gaps of its own (test_copilot_credit_use.py)
    (gap,) = [g for g in snapshot.gaps if g.dataset == COPILOT_CREDITS]
    assert (gap.dataset, gap.request) == (COPILOT_CREDITS, f"GET {BETA}")
    assert "403 Authorization_RequestDenied" in gap.reason and "CopilotCostManagement.Read.All" in gap.reason
    bill = bills.of(bills.bill_json(copilot_credits=copilot_credits(snapshot.copilot_credits, snapshot.gaps)))
    said, per_user = credit_lines(translations(Locale.EN), bill)[0], credit_lines(translations(Locale.EN), bill)[-1]
    assert "not read, so not known (not zero)" in said and "CopilotCostManagement.Read.All" in said
    assert "0" not in said.replace("403", "")
    # no rule reads the balance: the refusal is the bill's to say, and the audit stays complete (no exit 3)
    policies = load_policies([Path(__file__).parents[2] / "examples" / "contoso-policy.yaml"])
    assert evaluate(policies, snapshot, AS_OF).gaps == ()
    assert "delegated permission CopilotCostManagement-UserData.Read.All" in per_user


def test_not_asked_without_a_bill_nor_without_copilot() -> None:
    snapshot, asked = collected(with_copilot(), asked=False)
    assert asked == [] and snapshot.copilot_credits is None and not snapshot.gaps
    snapshot, asked = collected(with_copilot(holds=False))
    assert asked == [] and snapshot.copilot_credits is None and not snapshot.gaps
    assert copilot_credits(None, ()) is None  # and the bill says nothing of it


E7 = "9a18296a-025f-4e37-9ffa-30bf8d1ce775"  # MICROSOFT_365_E7: carries Copilot's service plans


def test_asked_for_a_product_that_carries_copilot_whatever_its_name() -> None:
    """Microsoft 365 E7 alone (no part number says "copilot"): its service plans, as subscribedSkus lists
    them or, where it lists none, as Microsoft's product table does, carry Copilot's."""
    IDS.setdefault("MICROSOFT_365_E7", E7)
    listed = {**sku("MICROSOFT_365_E7", enabled=3, consumed=1), "servicePlans": [
        {"servicePlanId": "a62f8878-de10-42f3-b68f-6149a25ceb97", "servicePlanName": "M365_COPILOT_APPS",
         "provisioningStatus": "Success", "appliesTo": "User"}]}  # fmt: skip
    for e7 in (listed, sku("MICROSOFT_365_E7", enabled=3, consumed=1)):
        doc = tenant([user("ann", "MICROSOFT_365_E7")], skus=[e7])
        doc[COPILOT_CREDITS] = CREDITS.to_graph()
        snapshot, asked = collected(snapshot_from_json(doc))
        assert [r.status for r in asked] == [200]
        assert snapshot.copilot_credits == CREDITS


@pytest.mark.off_contract("asks v1.0 for a beta-only API on purpose")
def test_the_emulator_serves_it_on_beta_only() -> None:
    snapshot = with_copilot()
    token = app_token(snapshot.tenant_id)
    with GraphEmulator(snapshot, token=token) as graph:
        base = graph.url.removesuffix("/v1.0")

        def get(path: str) -> tuple[int, dict[str, object]]:
            request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
            try:
                with urllib.request.urlopen(request) as answer:
                    return answer.status, json.loads(answer.read())
            except HTTPError as exc:
                return exc.code, json.loads(exc.read())

        status, body = get(BETA)
        assert status == 200 and body["billingMethodBalances"] == CREDITS.to_graph()["billingMethodBalances"]
        status, body = get(f"/v1.0{CREDITS_PATH}")
        assert status == 400 and body["error"]["code"] == "BadRequest"  # type: ignore[index]


def test_the_bill_shows_it_beside_the_copilot_seats_marked_beta() -> None:
    bill = {
        "as_of": "2026-11-01",
        "products": [{"sku": "Microsoft_365_Copilot", "purchased": 6, "assigned_after": 1, "spare": 0, "surplus": 5}],
        "actions": [],
        "monthly_saving_now": 0.0,
        "monthly_saving_within_year": 0.0,
        "copilot_credits": copilot_credits(CREDITS, ()),
    }
    view = bill_view(bills.of(bill), "EUR", Locale.EN)
    assert view is not None
    prepaid, payg, per_user = view.credits
    assert prepaid == (
        "Copilot Credits (Microsoft Graph beta, subject to change), Prepaid Copilot Credits: consumed "
        "18,340.50, purchased 25,000, remaining 6,659.50. Data as of Nov 1, 2026."
    )
    # the line after the first says neither the title nor the date again (issue 99: each thing once)
    assert payg == "Pay-as-you-go: consumed 1,210, purchased none (no purchased pool), remaining none (no finite pool)."
    assert per_user.startswith("Credits per user are not shown")
    for locale in (Locale.NL, Locale.DA, Locale.SV, Locale.TR):
        other = bill_view(bills.of(bill), "EUR", locale)
        assert other is not None and "beta" in other.credits[0] and "consumed" not in other.credits[0]
        per_user_there = other.credits[-1]
        assert "CopilotCostManagement-UserData.Read.All" in per_user_there and "are not shown" not in per_user_there


def test_the_demo_bill_shows_the_sample_credits(tmp_path: Path) -> None:
    sample = Path(__file__).parents[2] / "auditor_dev" / "sample"
    code = main(
        [
            "audit",
            "--demo",
            "--billing",
            str(sample / "sample-billing.csv"),
            "--billing-source",
            "file",
            "--output-dir",
            str(tmp_path),
            "--fail-on",
            "never",
        ]
    )
    assert code == 0
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    credits = report["bill"]["copilot_credits"]
    assert credits["beta"] is True and credits["request"] == f"GET {BETA}" and "gap" not in credits
    assert [b["billing_method"] for b in credits["balances"]] == ["prepaidCredits", "payAsYouGo"]
    assert credits["balances"][1]["purchased"] is None  # omitted by Graph: null, not 0
    markdown = (tmp_path / "report.md").read_text("utf-8")
    seats = markdown.index("| Microsoft Copilot for Microsoft 365 | 6 |")  # the bill's product table
    assert seats < markdown.index(md_escape("Copilot Credits (Microsoft Graph beta, subject to change)"))
    # the plan's bill keeps the audit's reading, beside the same seats
    assert main(["plan", "--report-dir", str(tmp_path), "--billing", str(sample / "sample-billing.csv")]) == 0
    plan = json.loads((tmp_path / "plan.json").read_text("utf-8"))
    assert plan["bill"]["copilot_credits"] == credits
    assert md_escape("Prepaid Copilot Credits: consumed 18,340.50") in (tmp_path / "plan.md").read_text("utf-8")
