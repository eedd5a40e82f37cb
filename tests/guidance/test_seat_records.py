"""The seat rules' details are records (auditor.rules.seats.catalog and lifecycle): report.json gets what
their TypedDicts wrote (each rule its own counts, spare-seats-under-minimum's `min` null too), and a report
without the optional keys (an older one) decodes with each record's defaults and reads as before."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E5
from auditor.rules.seats.catalog import (
    SkuNotApproved,
    SkuNotApprovedDetails,
    SpareSeatsOverLimit,
    SpareSeatsOverLimitDetails,
    SpareSeatsUnderMinimum,
    SpareSeatsUnderMinimumDetails,
)
from auditor.rules.seats.lifecycle import (
    LicenseSuspended,
    LicenseSuspendedDetails,
    SeatsInGrace,
    SeatsInGraceDetails,
)
from auditor.wording import message, remediation

SKU = {"type": "sku", "id": E5, "sku": "SPE_E5"}


def test_the_seat_records_write_what_their_typed_dicts_wrote() -> None:
    assert own_json(SkuNotApprovedDetails(enabled=25, consumed=3)) == {"consumed": 3, "enabled": 25}
    under = SpareSeatsUnderMinimumDetails(enabled=10, consumed=12, unused=-2, min=None)
    assert own_json(under) == {"consumed": 12, "enabled": 10, "min": None, "unused": -2}
    over = SpareSeatsOverLimitDetails(
        enabled=100, consumed=80, unused=20, limit=5, max=5, max_percent=None, warning=0, trial=0
    )
    assert own_json(over) == {
        "consumed": 80,
        "enabled": 100,
        "limit": 5,
        "max": 5,
        "max_percent": None,
        "renewal": None,
        "renewal_days": None,
        "trial": 0,
        "unused": 20,
        "warning": 0,
    }
    grace = SeatsInGraceDetails(warning=3, enabled=10, consumed=9, lapse=None)
    assert own_json(grace) == {"consumed": 9, "enabled": 10, "lapse": None, "warning": 3}
    suspended = LicenseSuspendedDetails(suspended=2, locked_out=0, usable=8, consumed=10, affected=2)
    assert own_json(suspended) == {"affected": 2, "consumed": 10, "locked_out": 0, "suspended": 2, "usable": 8}


def test_an_older_reports_seat_details_decode_with_the_records_defaults() -> None:
    """A seat finding without its counts: every count reads "unknown", no message claims a figure."""
    found = finding_of(SKU, ["SPE_E5"], {})
    for rule in (SpareSeatsOverLimit, SpareSeatsUnderMinimum, SkuNotApproved, SeatsInGrace, LicenseSuspended):
        said = message(rule.id, found, locale=Locale.EN)
        assert said and "None" not in said, (rule.id, said)
        assert remediation(rule.id, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN)["summary"], rule.id
    assert "unknown" in message(SeatsInGrace.id, found, locale=Locale.EN)
    assert "unknown" in message(LicenseSuspended.id, found, locale=Locale.EN)


def test_the_counts_are_read_from_the_records() -> None:
    over = finding_of(SKU, ["SPE_E5"], {"enabled": 100, "consumed": 80, "unused": 20, "limit": 5})
    fix = remediation(SpareSeatsOverLimit.id, over, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert "15" in str(fix["summary"]) and "85" in str(fix), fix["summary"]
    grace = finding_of(SKU, ["SPE_E5"], {"warning": 7, "lapse": "2026-12-01T00:00:00Z"})
    said = message(SeatsInGrace.id, grace, locale=Locale.EN)
    assert "7" in said and "Dec 1, 2026" in said, said
