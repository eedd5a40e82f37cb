"""The upkeep rules' details are records (auditor.rules.hygiene.upkeep): report.json gets what their
TypedDicts wrote (the billing file's `term`, `auto_renew` and `channel` only with one, a null term where it
has no row; the plan's `reduction` read, never written), and a report without the optional keys (an older
one) decodes with each record's defaults and reads as before."""

from __future__ import annotations

from auditor.data.finding import own_json
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.upkeep import SubscriptionExpiring, SubscriptionExpiringDetails, UsageLocationMissingDetails
from auditor.wording import message, remediation

SUB = {"type": "subscription", "id": "sub-1", "sku": "SPE_E5"}
DAYS = {"status": "Enabled", "next_lifecycle": "2026-12-01T00:00:00Z", "days_left": 9}


def test_the_upkeep_records_write_what_their_typed_dicts_wrote() -> None:
    bare = SubscriptionExpiringDetails(
        status="Enabled", is_trial=False, next_lifecycle=None, days_left=None, total_licenses=25
    )
    assert own_json(bare) == {
        "days_left": None,
        "is_trial": False,
        "next_lifecycle": None,
        "status": "Enabled",
        "total_licenses": 25,
    }
    no_row = own_json(SubscriptionExpiringDetails(term=None))
    assert no_row["term"] is None and "auto_renew" not in no_row and "channel" not in no_row
    row = own_json(SubscriptionExpiringDetails(term="P1Y", auto_renew=None, channel="csp"))
    assert (row["term"], row["auto_renew"], row["channel"]) == ("P1Y", None, "csp") and "reduction" not in row
    assert own_json(UsageLocationMissingDetails()) == {}


def test_an_older_reports_subscription_details_decode_with_the_records_defaults() -> None:
    """Without `term` (no billing file): the paid subscription's message; a null term: the unknown term's;
    the plan's `reduction`: the seats the renewal drops; nothing at all: unknown date, status and days."""
    plain = finding_of(SUB, ["SPE_E5"], DAYS)
    said = message(SubscriptionExpiring.id, plain, locale=Locale.EN)
    assert said == "The subscription SPE_E5 ends on Dec 1, 2026 (9 days left)."
    no_row = finding_of(SUB, ["SPE_E5"], {**DAYS, "term": None})
    assert "its term is not known" in message(SubscriptionExpiring.id, no_row, locale=Locale.EN)
    reduction = {"window": "renewal", "by": "2026-11-24", "seats": 3}
    reduced = finding_of(SUB, ["SPE_E5"], {**DAYS, "term": "P1Y", "reduction": reduction})
    said = message(SubscriptionExpiring.id, reduced, locale=Locale.EN)
    assert said.endswith("the plan drops 3 of its seats then; schedule the reduction by 2026-11-24.")
    nothing = finding_of(SUB, ["SPE_E5"], {})
    assert message(SubscriptionExpiring.id, nothing, locale=Locale.EN).endswith("(unknown days left).")
    fix = remediation(SubscriptionExpiring.id, nothing, cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    assert (
        fix["summary"] == "Renew SPE_E5 or turn on recurring billing before unknown, or move its users and let it end."
    )
