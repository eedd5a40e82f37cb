"""subscription-expiring with a billing file: the term decides whether a renewal is news."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from auditor import wording
from auditor.billing import parse_billing
from auditor.billing.windows import Reason, commerce_action
from auditor.data.model import Locale, Subscription
from auditor.evaluation.engine import evaluate
from auditor.formats.report_model import finding_of
from auditor.i18n import translations
from auditor.plan.bill import build_bill, commerce_facts, name_reductions
from auditor.plan.bill_texts import reason_text
from auditor.policyset.load import load_policies
from auditor.report.document import build_document
from auditor.rules.hygiene.upkeep import SubscriptionExpiring
from auditor.snapshot import snapshot_from_json
from tests.core.factory import AS_OF, E3, E5, F1, policy_file, sku, tenant, user

POLICY = "hygiene:\n  expiring_subscriptions: {days: 30}\n"
HEADER = "subscription,channel,term,term_start,term_end,auto_renew,seats_added,unit_price,currency\n"


def _sub(sid: str, sku_id: str, part: str, renews: str, total: int = 10) -> dict[str, Any]:
    return {
        "id": sid,
        "skuId": sku_id,
        "skuPartNumber": part,
        "status": "Enabled",
        "isTrial": False,
        "totalLicenses": total,
        "createdDateTime": "2025-01-01T00:00:00Z",
        "nextLifecycleDateTime": renews,
    }


def test_monthly_roll_overs_are_no_finding_and_an_annual_renewal_names_its_reduction(tmp_path: Path) -> None:
    subs = [
        _sub("monthly", E3, "SPE_E3", "2026-11-15T00:00:00Z"),
        _sub("annual", E5, "SPE_E5", "2026-11-20T00:00:00Z"),
        _sub("norow", F1, "SPE_F1", "2026-11-25T00:00:00Z"),
    ]
    doc = tenant(
        [user("a", "SPE_E5")],
        skus=[sku("SPE_E3", 10, 0), sku("SPE_E5", 10, 1), sku("SPE_F1", 10, 0)],
        subscriptions=subs,
    )
    billing = parse_billing(
        HEADER + "monthly,mca,P1M,2026-10-15,2026-11-15,true,,,\nannual,mca,P1Y,2025-11-20,2026-11-20,true,,,\n"
    )
    policies = load_policies([policy_file(tmp_path, POLICY)])
    snapshot = snapshot_from_json(doc)
    result = evaluate(policies, snapshot, AS_OF, billing)
    found = {f.subject.id: dict(f.details) for f in result.findings if f.rule == SubscriptionExpiring.id}
    assert sorted(found) == ["annual", "norow"]  # the monthly roll-over is no finding
    assert (found["annual"]["term"], found["norow"]["term"]) == ("P1Y", None)
    # without a billing file nothing changes: all three end within 30 days
    assert len([f for f in evaluate(policies, snapshot, AS_OF).findings if f.rule == SubscriptionExpiring.id]) == 3

    document = build_document(result, generated_at=AS_OF, remediate=wording.remediation)
    facts = commerce_facts(snapshot.subscriptions, {})
    document.subscriptions, document.spare_seats = facts["subscriptions"], facts["spare_seats"]
    document.bill = build_bill(document, {}, billing, AS_OF.date())
    document = name_reductions(document)
    annual = next(f for f in document.findings if f.subject.id == "annual")
    assert annual.details["reduction"] == {"window": "renewal", "by": "2026-11-19", "seats": 9}
    texts = {
        f.subject.id: wording.message(
            SubscriptionExpiring.id, finding_of(f.subject, f.skus, f.details), locale=Locale.EN
        )
        for f in document.findings
        if f.rule == SubscriptionExpiring.id
    }
    assert "for a term of P1Y" in texts["annual"] and "the plan drops 9 of its seats" in texts["annual"]
    assert "its term is not known" in texts["norow"]


def test_every_reason_has_its_sentence_in_every_language() -> None:
    keys = {
        "not_active",
        "trial_off",
        "trial_off_unknown",
        "trial_converts",
        "trial_converts_unknown",
        "nothing_to_drop",
        "vlsc",
        "vlsc_unknown",
        "partner_7_days",
        "partner_renewal",
        "partner_unknown",
        "unknown_term",
        "unknown_term_no_date",
        "legacy_cancel_over_25",
        "legacy_cancel",
        "legacy_reduce",
        "added_7_days",
        "cancel_7_days",
        "reduce_7_days",
        "ends_at_renewal",
        "renewal_recurring_off",
        "cancel_at_renewal",
        "reduce_at_renewal",
        "buy",
    }
    values = {
        "seats": 2,
        "by": date(2026, 11, 3),
        "renews": date(2027, 3, 1),
        "added": date(2026, 10, 29),
        "to": 8,
        "total": 10,
        "limit": 25,
        "status": "Suspended",
    }
    for locale in Locale:
        t = translations(locale)
        for key in keys:
            text = reason_text(t, Reason(key, values))
            assert text != key and "{" not in text, (locale, key)
    sub = Subscription("s", "x", "SPE_E3", "Enabled", False, 10, "2025-01-01T00:00:00Z", "2027-03-01T00:00:00Z")
    assert commerce_action(sub, None, 2, date(2026, 11, 1)).reason.key in keys


# The bill's "By" column is the last day to act: the reasons said "(before Apr 3, 2027)" beside
# "By: Apr 3, 2027", a day earlier in every language.
BY_WORDS = {
    Locale.EN: "by Mar 24, 2027",
    Locale.NL: "uiterlijk 24 mrt 2027",
    Locale.DA: "senest 24. mar. 2027",
    Locale.SV: "senast 24 mars 2027",
    Locale.TR: "en geç 24 Mar 2027 tarihine kadar",
}


def test_a_reason_s_deadline_is_the_by_column_s_day_not_the_day_before() -> None:
    values = {"seats": 2, "by": date(2027, 3, 24), "renews": date(2027, 4, 3), "to": 8, "total": 10}
    for locale in Locale:
        t = translations(locale)
        for key in ("reduce_at_renewal", "partner_renewal", "renewal_recurring_off"):
            text = reason_text(t, Reason(key, values))
            # reduce_at_renewal leaves the day to its row's "Do it by" (said once, in the table)
            assert (BY_WORDS[locale] in text) != (key == "reduce_at_renewal"), (locale, key, text)
            for before in ("before", "vóór", "før", "före", "önce"):
                assert before not in text, (locale, key, text)
