"""subscription-expiring words each lifecycle state by what nextLifecycleDateTime means for it."""

from __future__ import annotations

import pytest

from auditor import i18n, wording
from auditor.data.model import Locale
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.upkeep import SubscriptionExpiring

SUBJECT = {"type": "subscription", "id": "sub-1", "sku": "SPE_E3"}
UNKNOWN = {"en": "unknown", "nl": "onbekend", "da": "ukendt", "sv": "okänd", "tr": "bilinmiyor"}


def say(status: str, date: str | None, locale: str, days_left: int | None = None) -> str:
    return wording.message(
        SubscriptionExpiring.id,
        finding_of(
            SUBJECT,
            ["SPE_E3"],
            {
                "status": status,
                "is_trial": False,
                "next_lifecycle": date,
                "days_left": days_left,
                "total_licenses": 10,
            },
        ),
        locale=Locale(locale),
    )


@pytest.mark.parametrize("locale", [loc.value for loc in Locale])
@pytest.mark.parametrize("status", ["Warning", "Suspended", "LockedOut"])
def test_a_lapsed_state_names_the_next_change_not_a_passed_end_date(locale: str, status: str) -> None:
    dated = say(status, "2027-01-15T00:00:00Z", locale, days_left=54)
    assert i18n.format_date("2027-01-15", Locale(locale)) in dated  # the date as the language writes it
    undated = say(status, None, locale)
    assert "2027" not in undated and UNKNOWN[locale] not in undated.lower() and "()" not in undated
    assert dated != undated


def test_english_wording_per_state() -> None:
    assert "expired (Warning) and is in its grace period" in say("Warning", "2027-01-15T00:00:00Z", "en")
    assert "disabled (Suspended) on Jan 15, 2027" in say("Warning", "2027-01-15T00:00:00Z", "en")
    assert "is disabled (Suspended)" in say("Suspended", "2027-01-15T00:00:00Z", "en")
    assert "deleted on Jan 15, 2027" in say("Suspended", "2027-01-15T00:00:00Z", "en")
    assert "is disabled (LockedOut)" in say("LockedOut", None, "en")
    assert "passed" not in say("Warning", "2027-01-15T00:00:00Z", "en")
    assert "reached its end date on Oct 1, 2026 and has the status Active (Enabled)" in say(
        "Enabled", "2026-10-01T00:00:00Z", "en", days_left=-31
    )
    assert "ends on Dec 1, 2026 (30 days left)" in say("Enabled", "2026-12-01T00:00:00Z", "en", days_left=30)
    assert "ends on Dec 1, 2026 (1 day left)" in say("Enabled", "2026-12-01T00:00:00Z", "en", days_left=1)
