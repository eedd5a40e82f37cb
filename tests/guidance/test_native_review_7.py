"""What the native reviewers of round 7 found (../shared/reviews/locale-native-review-7.md) and issue 99
asked for, held on the catalogs as round 6's are (tests/guidance/test_native_review_6.py): each entry is
the text's context and domain, the wording the reviewer found, which the text may no longer say, and the
wording that replaced it, which it says (English: the template's msgid; the others: every plural form).
The figures the review found in the demo's files (the in-use line, the distributor's price, the one date,
the spare seats that add up) are held on those files: tests/report/test_demo_says_one_thing.py,
tests/billing/test_distributor_report.py, tests/billing/test_sample_bill.py."""

from __future__ import annotations

import pytest

from auditor.data.model import Locale
from tests.guidance.review_rounds import CatalogEntry, unfixed_in_catalogs

# the new-commerce removal sentence (issue 99, point 7): seats added mid-term, recurring billing, legacy
REMOVAL = ("next.freed", "steps.transfer.remove")

FIXED: dict[Locale, list[CatalogEntry]] = {
    Locale.EN: [
        ("distributor_unused_cost", "messages", "distributor's cost", "at your price from the distributor"),  # N1
        ("distributor_term_end", "messages", "the earliest day", "can take effect from {start}"),  # E2
        ("in_use_expired_suspended", "messages", "", "{used} in use; the subscription has expired"),  # E1
        ("rule.sku-not-approved.message", "guidance", "assigned)", "{consumed} of its {count}"),  # E1
        ("message.bill.buy_moves", "guidance", "up to {bill_to}", "for the changes that wait for a free license"),
        ("change_found", "messages", "Open since", "Found on {date}"),  # E14
        ("plan_distributor_skipped", "messages", "plan.json says why", "not planned, for th"),  # E11
        ("plan_distributor_lead", "messages", "(Pax8)", "({distributor})"),  # issue 99, point 12
        ("message.bill.buy_short", "guidance", "buys another number", "uses a different number"),  # E5
        ("plan_reason_use_not_shown", "messages", "not ended on", "a declaration alone is not enough"),  # E6
        ("plan_reason_mailbox_used", "messages", "not ended on", "a declaration alone is not enough"),  # E6
        ("init_price", "messages", "become money", "so unused seats get a cost"),  # E7
        ("bill_uplift_monthly_billing", "messages", "5 %", "about 5%"),  # E8
        ("init_spare", "messages", "5 %", "(5%, at least 2)"),  # E8
        ("rollup_distributor_month", "messages", "bills otherwise", "differs from Microsoft's"),  # E9
        ("gdap_quiet", "messages", "customer's ends", "no customer's relationship ends"),  # E10
        *((key, "guidance", "", "renewal or a seat addition") for key in REMOVAL),
        *((key, "guidance", "", "recurring billing on") for key in REMOVAL),
        *((key, "guidance", "", "legacy: any time") for key in REMOVAL),
    ],
    Locale.NL: [
        ("distributor_unused_cost", "messages", "kostprijs van de distributeur", "uw inkoopprijs bij de distributeur"),
        ("in_use_expired_suspended", "messages", "", "het abonnement is verlopen"),
        ("change_found", "messages", "Open sinds", "Gevonden op {date}"),
        ("rule.agent-user-orphaned.title", "guidance", "verdwenen", "van een verwijderde agent"),  # nl 1
        ("bill_sources", "messages", "en data onbekend", "; zonder: {n}."),  # nl 2; issue 110: the rows say it
        ("distributor_ambiguous", "messages", "welk welk is", "welk abonnement bij welk hoort"),  # nl 4
        ("steps.resource.seats", "guidance", "neem er eerst een", "schaf er eerst een aan"),  # nl 5
        ("init_price", "messages", "worden een bedrag", "een bedrag krijgen"),  # E7
        *((key, "guidance", "", "ouder abonnement: op elk moment") for key in REMOVAL),
    ],
    Locale.DA: [
        ("distributor_unused_cost", "messages", "distributørens kostpris", "indkøbspris hos distributøren"),
        ("in_use_expired_suspended", "messages", "", "abonnementet er udløbet"),
        ("change_found", "messages", "Åben siden", "Fundet den {date}"),
        ("gdap_quiet", "messages", "ingen kundes ophører", "ingen kunders relation ophører"),  # da 1
        ("plan_distributor_title", "messages", "separat", "godkendes særskilt"),  # da 2
        ("plan_distributor_now", "messages", "foretages", "Kan udføres nu"),  # da 2
        ("gdap_ended", "messages", "“", "relationen »{name}«"),  # da 3
        *((key, "guidance", "", "ældre abonnement: når som helst") for key in REMOVAL),
    ],
    Locale.SV: [
        ("distributor_unused_cost", "messages", "självkostnad", "inköpspris hos distributören"),
        ("in_use_expired_suspended", "messages", "", "prenumerationen har gått ut"),
        ("change_found", "messages", "Öppen sedan", "Hittad {date}"),
        ("rule.agent-user-orphaned.title", "guidance", "är borta", "vars agent har tagits bort"),  # sv 1
        ("gdap_quiet", "messages", "ingen kunds upphör", "ingen kunds relation upphör"),  # sv 2
        ("gdap_ended", "messages", "“", "relationen ”{name}”"),  # sv 3
        ("rule.resource-account-paid-license.describe", "guidance", "växeltelefonist", "automatisk växel"),  # sv 4
        *((key, "guidance", "", "äldre prenumeration: när som helst") for key in REMOVAL),
    ],
    Locale.TR: [
        ("distributor_unused_cost", "messages", "maliyet fiyatıyla", "distribütörden alış fiyatınızla"),
        ("in_use_expired_suspended", "messages", "", "aboneliğin süresi doldu"),
        ("change_found", "messages", "beri açık", "{date} tarihinde bulundu"),
        ("mail_unused", "messages", "ayda {amount} kullanılmıyor", "tutarında lisans kullanılmıyor"),  # tr 1
        ("plan_distributor_cancel", "messages", "iptal et (", "iptal edin ("),  # tr 2
        ("init_written", "messages", "kaynağından", "okunarak yazıldı"),  # tr 3
        *((key, "guidance", "", "eski abonelikte istediğiniz zaman") for key in REMOVAL),
    ],
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_what_the_round_7_reviewer_found_is_gone_and_the_fix_is_said(locale: Locale) -> None:
    assert unfixed_in_catalogs(locale, FIXED[locale]) == []


# each count of the in-use line takes its own plural form: one suspended license is "1 avstängd", not
# "1 avstängda" (native review 7, sv); one license that can be assigned is one "license", "licentie"
ONE_SUSPENDED = {
    Locale.EN: "Visio Plan 2: 9 in use; the subscription has expired (6 licenses in the grace period, 1 suspended)",
    Locale.NL: (
        "Visio Plan 2: 9 in gebruik; het abonnement is verlopen (6 licenties in de respijtperiode, 1 opgeschort)"
    ),
    Locale.DA: "Visio Plan 2: 9 i brug; abonnementet er udløbet (6 licenser i respitperioden, 1 suspenderet)",
    Locale.SV: "Visio Plan 2: 9 används; prenumerationen har gått ut (6 licenser i respitperioden, 1 avstängd)",
    Locale.TR: (
        "Visio Plan 2: 9 lisans kullanımda; aboneliğin süresi doldu (6 lisans yetkisiz kullanım süresinde, "
        "1 lisans askıya alındı)"
    ),
}
ONE_USABLE = {
    Locale.EN: "Visio Plan 2: 3 in use, more than the 1 license that can be assigned",
    Locale.NL: "Visio Plan 2: 3 in gebruik, meer dan de 1 licentie die kan worden toegewezen",
    Locale.DA: "Visio Plan 2: 3 i brug, flere end den 1 licens, der kan tildeles",
    Locale.SV: "Visio Plan 2: 3 används, fler än den 1 licens som kan tilldelas",
    Locale.TR: "Visio Plan 2: 3 lisans kullanımda, atanabilecek 1 lisanstan fazla",
}

BAR_ONE_USABLE = {  # the seat bar's and the trend's caption
    Locale.EN: "3 in use, more than the 1 that can be assigned",
    Locale.NL: "3 in gebruik, meer dan de 1 die kan worden toegewezen",
    Locale.DA: "3 i brug, flere end den 1, der kan tildeles",
    Locale.SV: "3 används, fler än den 1 som kan tilldelas",
    Locale.TR: "3 kullanımda, atanabilecek 1 sayısından fazla",
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_each_count_of_the_in_use_line_takes_its_own_plural(locale: Locale) -> None:
    from auditor import i18n
    from auditor.formats.report_model import SeatRow
    from auditor.report.view.seats import in_use_line, usage_text

    t = i18n.translations(locale)

    def num(n: int) -> str:
        return i18n.format_number(n, locale)

    expired = SeatRow(sku="VISIOCLIENT", sku_id="x", warning=6, suspended=1, consumed=9)
    assert in_use_line(t, num, "Visio Plan 2", expired) == ONE_SUSPENDED[locale]
    five = in_use_line(
        t, num, "Visio Plan 2", SeatRow(sku="VISIOCLIENT", sku_id="x", warning=6, suspended=5, consumed=9)
    )
    assert five == ONE_SUSPENDED[locale].replace("1 ", "5 ").replace("avstängd", "avstängda")
    over = SeatRow(sku="VISIOCLIENT", sku_id="x", enabled=1, consumed=3)
    assert in_use_line(t, num, "Visio Plan 2", over) == ONE_USABLE[locale]
    assert usage_text(t, num, 3, 1) == BAR_ONE_USABLE[locale]
