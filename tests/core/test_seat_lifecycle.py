"""Seats by their documented lifecycle: warning units are the grace period (still usable), trial
seats are not spend, a deleted product is history. Through the rules and the engine's seat table."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.data.model import Severity
from auditor.formats.report_model import finding_of
from auditor.rules.seats import (
    LicenseSuspended,
    SeatsInGrace,
    SkuNotApproved,
    SpareSeatsOverLimit,
    SpareSeatsUnderMinimum,
)

from .factory import E3, E5, audit, fired, sku, tenant, user

CATALOG = """catalog:
  - sku: SPE_E3
    spare_seats: {min: 2, max: 3}
    price: {monthly: 30, currency: EUR}
  - sku: SPE_E5
    spare_seats: {max: 0}
    price: {monthly: 50, currency: EUR}
"""


def units(
    part: str, enabled: int, consumed: int, warning: int = 0, suspended: int = 0, status: str = "Enabled"
) -> dict[str, Any]:
    out = sku(part, enabled, consumed)
    out["prepaidUnits"].update(warning=warning, suspended=suspended)
    out["capabilityStatus"] = status
    return out


def subscription(sku_id: str, part: str, total: int, trial: bool) -> dict[str, Any]:
    return {
        "id": f"sub-{part}-{trial}",
        "skuId": sku_id,
        "skuPartNumber": part,
        "status": "Enabled",
        "isTrial": trial,
        "totalLicenses": total,
        "createdDateTime": "2026-10-01T00:00:00Z",
        "nextLifecycleDateTime": "2026-12-01T00:00:00Z",
    }


def test_a_product_wholly_in_its_grace_period_is_not_short_of_seats(tmp_path: Any) -> None:
    """It used to read "Purchased 0 / Available -20" and advise buying 20 more."""
    doc = tenant([user(f"u{i}", "SPE_E3") for i in range(20)], skus=[units("SPE_E3", 0, 20, warning=22)])
    result = audit(tmp_path, CATALOG, doc)
    assert fired(result, SpareSeatsUnderMinimum.id) == []
    (row,) = [r for r in result.seats if r.sku == "SPE_E3"]
    assert (row.enabled, row.warning, row.unused) == (0, 22, 2)


def test_grace_seats_count_as_usable_for_both_limits(tmp_path: Any) -> None:
    """5 enabled + 10 in grace with 12 assigned: 3 available, not -7."""
    doc = tenant([user(f"u{i}", "SPE_E3") for i in range(12)], skus=[units("SPE_E3", 5, 12, warning=10)])
    result = audit(tmp_path, CATALOG, doc)
    assert fired(result) == [(SeatsInGrace.id, "SPE_E3", ("SPE_E3",))]  # the lapse ahead, not a shortfall
    short = tenant([user(f"u{i}", "SPE_E3") for i in range(12)], skus=[units("SPE_E3", 5, 12, warning=6)])
    (finding,) = [f for f in audit(tmp_path, CATALOG, short).findings if f.rule == SpareSeatsUnderMinimum.id]
    assert dict(finding.details)["enabled"] == 11 and dict(finding.details)["unused"] == -1


def test_trial_seats_are_not_spend_and_never_over_the_limit(tmp_path: Any) -> None:
    skus = [units("SPE_E3", 10, 9), units("SPE_E5", 25, 0)]
    subs = [subscription(E5, "SPE_E5", 25, trial=True), subscription(E3, "SPE_E3", 10, trial=False)]
    doc = tenant([user(f"u{i}", "SPE_E3") for i in range(9)], skus=skus, subscriptions=subs)
    result = audit(tmp_path, CATALOG, doc)
    assert fired(result, SpareSeatsOverLimit.id) == []
    (e5,) = [r for r in result.seats if r.sku == "SPE_E5"]
    assert e5.trial == 25 and e5.unused_monthly_cost == 0
    paid = tenant(
        [user(f"u{i}", "SPE_E3") for i in range(9)],
        skus=skus,
        subscriptions=[subscription(E5, "SPE_E5", 25, trial=False)],
    )
    (over,) = [f for f in audit(tmp_path, CATALOG, paid).findings if f.rule == SpareSeatsOverLimit.id]
    assert over.monthly_cost == 25 * 50


def test_a_deleted_product_is_not_a_product_to_approve(tmp_path: Any) -> None:
    doc = tenant([user("a", "SPE_E3")], skus=[units("SPE_E3", 10, 1), units("SPE_E5", 0, 0, status="Deleted")])
    assert fired(audit(tmp_path, "catalog:\n  - sku: SPE_E3\n", doc), SkuNotApproved.id) == []
    live = tenant([user("a", "SPE_E3")], skus=[units("SPE_E3", 10, 1), units("SPE_E5", 3, 0, status="Suspended")])
    assert [p for _, p, _ in fired(audit(tmp_path, "catalog:\n  - sku: SPE_E3\n", live), SkuNotApproved.id)] == [
        "SPE_E5"
    ]


def test_a_free_product_never_exceeds_a_spare_seat_limit(tmp_path: Any) -> None:
    doc = tenant([user("a", "SPE_E3")], skus=[units("SPE_E3", 10000, 1)])
    assert (
        fired(
            audit(tmp_path, "catalog:\n  - sku: SPE_E3\n    free: true\n    spare_seats: {max: 5}\n", doc),
            SpareSeatsOverLimit.id,
        )
        == []
    )


def test_products_are_named_for_people(tmp_path: Any) -> None:
    """The policy's catalog name wins, then Microsoft's product-names table; an unknown SKU keeps its part."""
    unknown = {
        "skuId": "12345678-1234-1234-1234-123456789abc",
        "skuPartNumber": "CONTOSO_SPECIAL",
        "consumedUnits": 0,
        "prepaidUnits": {"enabled": 1, "suspended": 0, "warning": 0, "lockedOut": 0},
    }
    doc = tenant([user("a", "SPE_E3")], skus=[units("SPE_E3", 10, 1), units("SPE_E5", 1, 0), unknown])
    result = audit(tmp_path, "catalog:\n  - sku: SPE_E5\n    name: E5 (executives)\n", doc)
    names = {r.sku: r.name for r in result.seats}
    assert names == {"SPE_E3": "Microsoft 365 E3", "SPE_E5": "E5 (executives)", "CONTOSO_SPECIAL": "CONTOSO_SPECIAL"}


def test_seats_in_grace_name_their_lapse_date(tmp_path: Any) -> None:
    sub = subscription(E3, "SPE_E3", 10, trial=False) | {
        "status": "Warning",
        "nextLifecycleDateTime": "2026-11-20T00:00:00Z",
    }
    doc = tenant([user("a", "SPE_E3")], skus=[units("SPE_E3", 0, 1, warning=10)], subscriptions=[sub])
    (f,) = [f for f in audit(tmp_path, CATALOG, doc).findings if f.rule == SeatsInGrace.id]
    assert dict(f.details)["lapse"] == "2026-11-20T00:00:00Z" and dict(f.details)["warning"] == 10


def test_holders_of_suspended_seats_are_license_suspended_not_short(tmp_path: Any) -> None:
    """A suspended product used to read as "assigned more than bought ... buy more"."""
    doc = tenant([user(f"u{i}", "SPE_E3") for i in range(20)], skus=[units("SPE_E3", 0, 20, suspended=20)])
    result = audit(tmp_path, CATALOG, doc)
    assert fired(result, SpareSeatsUnderMinimum.id) == []
    (f,) = [f for f in result.findings if f.rule == LicenseSuspended.id]
    assert dict(f.details)["affected"] == 20 and f.severity is Severity.HIGH
    partly = tenant([user(f"u{i}", "SPE_E3") for i in range(20)], skus=[units("SPE_E3", 15, 20, suspended=5)])
    (f,) = [f for f in audit(tmp_path, CATALOG, partly).findings if f.rule == LicenseSuspended.id]
    assert dict(f.details)["affected"] == 5
    fine = tenant([user(f"u{i}", "SPE_E3") for i in range(10)], skus=[units("SPE_E3", 15, 10, suspended=5)])
    assert fired(audit(tmp_path, CATALOG, fine), LicenseSuspended.id) == []  # every holder on a live seat


def test_too_many_seats_are_reduced_at_the_renewal_and_rise_in_severity_before_it(tmp_path: Any) -> None:
    """Term subscriptions can only shrink at renewal: say when, and raise severity inside the window."""
    skus = [units("SPE_E3", 10, 9), units("SPE_E5", 10, 0)]

    def renewing(when: str) -> dict[str, Any]:
        return subscription(E5, "SPE_E5", 10, trial=False) | {"nextLifecycleDateTime": when}

    soon = tenant([user("a", "SPE_E3")], skus=skus, subscriptions=[renewing("2026-11-11T00:00:00Z")])
    (f,) = [f for f in audit(tmp_path, CATALOG, soon).findings if f.rule == SpareSeatsOverLimit.id]
    assert f.severity is Severity.HIGH and dict(f.details)["renewal_days"] == 10
    later = tenant([user("a", "SPE_E3")], skus=skus, subscriptions=[renewing("2027-03-01T00:00:00Z")])
    (f,) = [f for f in audit(tmp_path, CATALOG, later).findings if f.rule == SpareSeatsOverLimit.id]
    assert f.severity is Severity.MEDIUM and dict(f.details)["renewal"] == "2027-03-01T00:00:00Z"
    wide = CATALOG.replace("spare_seats: {max: 0}", "spare_seats: {max: 0, renewal_window_days: 150}")
    (f,) = [f for f in audit(tmp_path, wide, later).findings if f.rule == SpareSeatsOverLimit.id]
    assert f.severity is Severity.HIGH


@pytest.mark.parametrize("locale", ["en", "nl", "da", "sv", "tr"])
def test_the_renewal_date_is_in_the_message_and_the_fix(locale: str) -> None:
    from auditor import i18n, wording
    from auditor.data.model import Cloud, Locale

    renewal = i18n.format_date("2026-11-11", Locale(locale))  # as the language writes a date
    subject = {"type": "sku", "id": E5, "sku": "SPE_E5"}
    details = {"enabled": 10, "consumed": 0, "unused": 10, "limit": 0, "renewal": "2026-11-11T00:00:00Z"}
    text = wording.message(SpareSeatsOverLimit.id, finding_of(subject, ["SPE_E5"], details), locale=Locale(locale))
    fix = wording.remediation(
        SpareSeatsOverLimit.id,
        finding_of(subject, ["SPE_E5"], details),
        cloud=Cloud.WORLDWIDE,
        locale=Locale(locale),
    )
    assert renewal in text and renewal in fix["summary"] and "10" in fix["summary"]


def test_validate_warns_that_caps_on_a_free_product_do_nothing(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.cli import main

    from .factory import policy_file

    path = policy_file(tmp_path, "catalog:\n  - sku: FLOW_FREE\n    free: true\n    spare_seats: {max: 5}\n")
    assert main(["validate", path]) == 0
    err = capsys.readouterr().err
    assert "catalog entry FLOW_FREE (line 5) is free, so its spare_seats max/max_percent never applies" in err
    plain = policy_file(tmp_path, "catalog:\n  - sku: FLOW_FREE\n    free: true\n", name="q.yaml")
    assert main(["validate", plain]) == 0 and "warning" not in capsys.readouterr().err
