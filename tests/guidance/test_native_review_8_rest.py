"""Native review 8 beyond its top five (../shared/reviews/locale-native-review-8.md; the top five are
held in tests/guidance/test_native_review_8.py), and fact check 10's F13, held on the catalogs as rounds
6 and 7 are: each entry is the text's context and domain, the wording the reviewer found, which the text
may no longer say, and the wording that replaced it, which it says (English: the template's msgid; the
others: every plural form). What was answered rather than changed is in tests/reviews/native-review-8-answers.md."""

from __future__ import annotations

import pytest

from auditor.data.model import Locale
from auditor.delivery.content import _money
from tests.guidance.review_rounds import CatalogEntry, unfixed_in_catalogs

WAITING = ("money_waiting_person", "money_waiting_split")  # S2: the state label in the language's own quotes
RESOURCE = ("steps.resource.confirm", "steps.resource.confirm.mailbox")

FIXED: dict[Locale, list[CatalogEntry]] = {
    Locale.EN: [
        ("steps.inactive.confirm", "guidance", "if it is, record", "if it is still needed, record a waiver"),  # E4
        (
            "message.bill.buy_mixed",
            "guidance",
            "per user, the",
            "for each user in scope, the cheapest product that includes",
        ),  # E6 (review 9's E5 then named the service plan)
        ("bill_not_the_plans", "messages", "by another amount", "a different amount than the licenses freed"),  # E7
        ("rollup_psa_month", "messages", "otherwise than", "whose billed seats differ from the seats assigned"),  # E9
        ("rollup_invoice", "messages", "otherwise than", "whose invoiced seats differ from the seats assigned"),  # E9
        ("rollup_invoice_unmatched", "messages", "matched to none", "that match none of the tenant's products"),  # E10
        ("psa_msp_pays_unbilled", "messages", "at your cost", "at your price from the distributor"),  # E11
        ("rule.entitlement-missing.describe", "guidance", "", "a Defender for Office 365 policy"),  # fact check F13
        *((key, "messages", '"needs', "“needs an admin's decision”") for key in WAITING),  # S2
    ],
    Locale.NL: [
        ("bill_reason_buy", "messages", "wachten hebben", "wachten, hebben die licentie"),  # nl 3
        ("message.bill.buy", "guidance", "als reserve behouden", "reserve: {bill_spare}"),  # nl 2
        ("message.bill.buy_moves", "guidance", "als reserve behouden", "reserve: {bill_spare}"),  # nl 2
        ("rule.entitlement-missing.describe", "guidance", "", "een beleid van Defender voor Office 365"),
        *((key, "messages", '"beheerder', "“beheerder moet beslissen”") for key in WAITING),
    ],
    Locale.DA: [
        ("distributor_billed_more", "messages", "licenser mere", "end Microsoft tæller"),  # da 1
        *((key, "guidance", "HR-feed kan", "eller et HR-feed, kan angive") for key in RESOURCE),  # da 2
        ("rule.entitlement-missing.describe", "guidance", "", "en politik i Defender for Office 365"),
        *((key, "messages", '"kræver', "»kræver en administrators afgørelse«") for key in WAITING),
    ],
    Locale.SV: [
        ("rule.sku-not-approved.message.over", "guidance", "fler än som", "fler än vad som kan tilldelas"),  # sv 1
        ("distributor_billed_fewer", "messages", ", eller inte", "eller ännu inte fakturerad"),  # sv 2
        ("rule.entitlement-missing.describe", "guidance", "", "en princip i Defender för Office 365"),
        *((key, "messages", '"kräver', "”kräver en administratörs beslut”") for key in WAITING),
    ],
    Locale.TR: [
        ("plan_commerce_title", "messages", "ayrı bir onaydan sonra", "ayrıca onaylanır"),  # tr 2
        ("distributor_billed_fewer", "messages", "lisans eksik", "distribütörde {n} lisans daha az"),  # tr 3
        ("state_person", "messages", "incelemesi", "yönetici kararı gerekiyor"),  # tr, the remark on its length
        ("rule.entitlement-missing.describe", "guidance", "", "bir Office 365 için Defender ilkesi"),
        *((key, "messages", '"yönetici', "“yönetici kararı gerekiyor”") for key in WAITING),
    ],
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_what_the_round_8_reviewer_found_is_gone_and_the_fix_is_said(locale: Locale) -> None:
    assert unfixed_in_catalogs(locale, FIXED[locale]) == []


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        (Locale.EN, "EUR 378"),
        (Locale.NL, "EUR 378"),
        (Locale.DA, "378 EUR"),
        (Locale.SV, "378 EUR"),
        (Locale.TR, "378 EUR"),
    ],
)
def test_the_mail_subjects_currency_code_stands_where_the_language_puts_it(locale: Locale, said: str) -> None:
    """tr 1: Turkish writes an ISO code after the number ("ayda 378 EUR tutarında"), as Danish and Swedish do."""
    assert _money(378.0, "EUR", locale).replace("\xa0", " ") == said
