"""The money rules, held by value: what each amount of report.json's `summary` and `money` adds up,
and what it leaves out. The golden files and the tests that every file shows one amount agree with
each other; they stayed green when "reclaimable" summed a user's findings instead of taking the
largest (issue 78). Each figure here is worked out by hand from the rule docs/money.md gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.data.enums import SubjectType
from auditor.data.finding_facts import Subject
from auditor.formats.report_model import Amount, ReportFinding, SeatRow
from auditor.plan.money import bill_money, spend
from auditor.report.document import build_document, summary_json
from auditor.rules.assignments import SkuForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.rules.usage.activity import ProductUnused
from tests.billing import bills
from tests.core.factory import E3, audit, sku, tenant, user
from tests.documents import report_document


def _finding(rule: str, user: str, cost: float | None, *, waived: bool = False) -> ReportFinding:
    return ReportFinding(
        id=f"{rule}-{user}",
        rule=rule,
        severity="medium",
        policy=None,
        subject=Subject(type=SubjectType.USER, id=user),
        skus=[],
        message="",
        details={},
        monthly_cost=cost,
        waived=waived,
        waiver=None,
        remediation=None,
    )


def _reclaimable(findings: list[ReportFinding]) -> float:
    summary = summary_json(findings, "EUR", 0.0, users_total=3, users_licensed=3)
    assert summary.reclaimable_monthly_cost is not None
    return summary.reclaimable_monthly_cost.amount


def test_reclaimable_takes_each_users_largest_finding_not_their_sum() -> None:
    # an inactive user's licenses (54.75) cover the unused product among them (12.00): 54.75, not 66.75
    findings = [
        _finding(InactiveUserLicensed.id, "u1", 54.75),
        _finding(ProductUnused.id, "u1", 12.0),
        _finding(DisabledUserLicensed.id, "u2", 33.75),
    ]
    assert _reclaimable(findings) == 54.75 + 33.75 == 88.5
    # the order the findings come in does not matter
    assert _reclaimable(findings[::-1]) == 88.5


def test_reclaimable_leaves_out_waived_findings_and_rules_that_free_no_spend() -> None:
    findings = [
        _finding(InactiveUserLicensed.id, "u1", 20.0),
        _finding(DisabledUserLicensed.id, "u2", 100.0, waived=True),  # waived: not reclaimed
        _finding(SkuForbidden.id, "u3", 500.0),  # a forbidden product is replaced, not reclaimed
        _finding(ProductUnused.id, "u3", None),  # no price: nothing
    ]
    assert not SkuForbidden.reclaimable
    assert _reclaimable(findings) == 20.0


def _sku(sku: str, enabled: int, price: float | None, *, trial: int = 0, free: bool = False) -> SeatRow:
    return SeatRow(sku=sku, sku_id=f"{sku}-id", enabled=enabled, trial=trial, price_monthly=price, free=free)


def test_spend_is_the_paid_seats_at_their_prices() -> None:
    document = report_document(
        skus=[
            _sku("SPE_E3", 10, 33.75, trial=3),  # 7 paid seats: 236.25
            _sku("SPE_E5", 2, 54.75),  # 109.50
            _sku("FLOW_FREE", 10_000, 0.0, free=True),  # free: left out
            _sku("VISIOCLIENT", 5, None),  # no price: left out
            _sku("POWER_BI_PRO", 3, 9.99, trial=5),  # more trial units than enabled: nothing paid, never negative
        ]
    )
    assert spend(document) == 236.25 + 109.5 == 345.75
    assert spend(report_document(skus=[_sku("VISIOCLIENT", 5, None)])) is None


def _leave(sku: str, monthly: float, start: str | None, seats: int = 1) -> dict[str, Any]:
    action: dict[str, Any] = {"sku": sku, "monthly_saving": monthly, "seats": seats, "saving_from": start}
    if start is None:
        action["window"] = "unknown"
    return action


def test_the_bill_counts_each_reduction_from_its_day_and_the_unknown_apart() -> None:
    bill = {
        "as_of": "2026-11-01",
        "actions": [
            _leave("SPE_E5", 54.75, "2026-11-01T00:00:00Z", seats=1),  # the whole year: 657.00
            _leave("SPE_E5", 54.75, "2026-11-01T00:00:00Z", seats=1),  # the same day and product: one step
            _leave("SPE_E3", 36.5, "2027-05-02T00:00:00Z"),  # half the year (183 of 365 days): 219.60
            _leave("VISIOCLIENT", 10.0, None),  # day not known: a month apart
            _leave("SPE_E3", 20.0, "2028-01-01T00:00:00Z"),  # after the twelve months: none of them
        ],
    }
    money = bill_money(bills.of(bills.bill_json(bill["actions"], as_of=bill["as_of"])), spend=1_000.0)
    assert [(s.sku, s.seats, s.monthly) for s in money.leaves] == [
        ("SPE_E5", 2, 109.5),
        ("SPE_E3", 1, 36.5),
        ("SPE_E3", 1, 20.0),
        ("VISIOCLIENT", 1, 10.0),
    ]
    assert money.next_12_months == round(109.5 * 12 + 36.5 * 12 * 183 / 365, 2) == 1533.6
    assert money.unknown_monthly == 10.0
    assert money.lowers_monthly == 109.5 + 36.5 + 20.0 + 10.0 == 176.0
    assert money.spend_after_monthly == 1_000.0 - 176.0


def test_unused_spend_is_the_paid_seats_left_unused_at_their_prices(tmp_path: Path) -> None:
    """A seat row's unused spend: its unused seats less those on a running trial, at the catalog's
    price; a free product's is none. The summary adds the rows up."""
    trial = {"id": "t", "skuId": E3, "skuPartNumber": "SPE_E3", "status": "Enabled", "isTrial": True}
    doc = tenant(
        [user("a", "SPE_E3"), user("b", "SPE_E3"), user("c", "SPE_E5")],
        skus=[sku("SPE_E3", enabled=10, consumed=2), sku("SPE_E5", enabled=3, consumed=1), sku("SPE_F1", 5)],
        subscriptions=[{**trial, "totalLicenses": 3, "nextLifecycleDateTime": "2026-12-01T00:00:00Z"}],
    )
    policy = (
        "catalog:\n"
        "  - {sku: SPE_E3, price: {monthly: 33.75, currency: EUR}}\n"
        "  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}\n"
        "  - {sku: SPE_F1, free: true}\n"
    )
    result = audit(tmp_path, policy, doc)
    unused = {row.sku: row.unused_monthly_cost for row in result.seats}
    # SPE_E3: 8 unused, 3 of them on trial: 5 x 33.75; SPE_E5: 2 x 54.75; SPE_F1 free
    assert unused == {"SPE_E3": 168.75, "SPE_E5": 109.5, "SPE_F1": None}
    document = build_document(result, generated_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert document.summary.unused_monthly_cost == Amount(amount=168.75 + 109.5, currency="EUR")
