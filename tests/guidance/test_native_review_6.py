"""What the native reviewers of round 6 found (../shared/reviews/locale-native-review-6.md) in the English
source and the texts every language shares, held on the catalogs: each entry is the text's context and
domain, the wording the reviewer found, which the text may no longer say, and the wording that replaced
it, which it says (English: the template's msgid; the others: every plural form of the translation).
The figures and cells the review found (9 of 0 in use, the State cell, Findings per rule) are held on the
demo's files by tests/report/test_demo_says_one_thing.py."""

from __future__ import annotations

import pytest

from auditor.data.model import Locale
from tests.guidance.review_rounds import CatalogEntry, unfixed_in_catalogs

FIXED: dict[Locale, list[CatalogEntry]] = {
    Locale.EN: [
        # S1: a sentence with the date in it, not a label with the date glued on
        ("sign_ins_read_on", "messages", "", "Sign-in activity read in full on {date}"),
        ("distributor_term_end", "messages", "a reduction takes effect then", "can take effect from {start}"),  # E2, r7
        ("distributor_unused", "messages", "at its price", "at the distributor's price"),  # E4
        ("money_waiting_person", "messages", "waits for a decision waits", "depends on the findings"),  # E9
        ("plan_commerce_title", "messages", "after its own approval", "approved separately"),  # E6
        ("message.bill.buy", "guidance", "bill buys more", "the plan's bill adds licenses"),  # E7
        ("steps.agent.confirm", "guidance", "if it comes back", "if the agent is still in use"),  # E8
        ("said_sku_absent", "messages", "names SKU", "names the product"),  # E10
        ("said_licensing_group_where", "messages", '" of {product}', '" for {product}'),  # E10
        ("steps.error.CountViolation", "guidance", "Free {sku}", "Free up {sku}"),
        ("digest_new_resolved", "messages", "· resolved", "· Resolved"),
        ("rollup_title", "messages", "of many tenants", "License audit of multiple tenants"),  # minor point
        ("plan_reason_seats_needed", "messages", "remove the unused", "keep the unused licenses"),  # E3
        # the rule's title in the waiver's sentences, never its id (raw)
        ("rule.waiver-expired.message", "guidance", "for {waiver_rule} on", "for “{waiver_rule}” on"),
        ("steps.waiver.ask", "guidance", "for {waiver_rule} on", "for “{waiver_rule}” on"),
        ("steps.waiver.fix", "guidance", "for {waiver_rule} describes", "for “{waiver_rule}” describes"),
    ],
    Locale.NL: [
        ("sign_ins_read_on", "messages", "", "volledig gelezen op {date}"),
        ("distributor_term_end", "messages", "een verlaging gaat dan in", "kan ingaan vanaf {start}"),
        ("distributor_unused", "messages", "tegen zijn prijs", "tegen de prijs van de distributeur"),
        ("message.bill.buy", "guidance", "koopt de factuur van het plan er meer bij", "voegt de factuur van het plan"),
        ("steps.agent.confirm", "guidance", "komt hij terug", "wordt hij nog gebruikt"),
        ("steps.agent.confirm", "guidance", "na dat de agent", "na of de agent"),
        ("rule.waiver-expired.message", "guidance", "voor {waiver_rule} op", "voor “{waiver_rule}” op"),
        ("steps.waiver.ask", "guidance", "voor {waiver_rule} op", "voor “{waiver_rule}” op"),
        ("steps.waiver.fix", "guidance", "voor {waiver_rule} beschrijven", "voor “{waiver_rule}” beschrijven"),
        # nl's own: the merged report's note, the license-list e-mail
        (
            "said_scope_not_collected",
            "messages",
            "wie de beveiligingsfuncties bereiken",
            "op wie de beveiligingsfuncties",
        ),
        ("list_mail_subject", "messages", "met een licentie van", "{tenant}: gebruikers met een licentie op"),
        ("list_mail_body", "messages", "Bijgevoegd is de lijst", "Bijgevoegd vindt u de lijst"),
    ],
    Locale.DA: [
        ("sign_ins_read_on", "messages", "", "læst fuldt ud den {date}"),
        ("distributor_term_end", "messages", "en reduktion træder i kraft da", "træde i kraft fra den {start}"),
        ("distributor_unused", "messages", "til dens pris", "til distributørens pris"),
        ("steps.agent.confirm", "guidance", "kommer den tilbage", "bruges agenten stadig"),
        ("rule.waiver-expired.message", "guidance", "for {waiver_rule} på", "for »{waiver_rule}« på"),
        ("steps.waiver.ask", "guidance", "for {waiver_rule} på", "for »{waiver_rule}« på"),
        ("steps.waiver.fix", "guidance", "for {waiver_rule}.", "for »{waiver_rule}«."),
        # da's own
        ("list_mail_body", "messages", "Vedhæftet er listen", "Vedhæftet finder du listen"),
        ("list_mail_body", "messages", "om måneden", "pr. måned"),
        ("rollup_seats", "messages", "en måned før", "en måned tidligere"),
        ("rule.agent-user-orphaned.title", "guidance", "er væk", "er slettet"),
    ],
    Locale.SV: [
        ("sign_ins_read_on", "messages", "", "lästes i sin helhet den {date}"),
        ("distributor_term_end", "messages", "en minskning träder i kraft då", "färre licenser kan gälla från {start}"),
        ("distributor_unused", "messages", "till dess pris", "till distributörens pris"),
        ("steps.agent.confirm", "guidance", "om den kommer tillbaka", "om agenten fortfarande används"),
        ("rule.waiver-expired.message", "guidance", "för {waiver_rule} på", "för ”{waiver_rule}” på"),
        ("steps.waiver.ask", "guidance", "för {waiver_rule} på", "för ”{waiver_rule}” på"),
        ("steps.waiver.fix", "guidance", "för {waiver_rule}.", "för ”{waiver_rule}”."),
        # sv's own: a stale translation, the license-list e-mail and the roll-up's column
        ("plan_commerce_lead", "messages", "som sålde", "den kanal som prenumerationen köptes genom"),
        ("list_mail_body", "messages", "Bifogad är listan", "Bifogat finns listan"),
        ("rollup_seats", "messages", "i bruk", "Licenser som används"),
    ],
    Locale.TR: [
        ("sign_ins_read_on", "messages", "", "{date} tarihinde tam olarak okundu"),
        ("plan_commerce_title", "messages", "kendi onayından sonra", "ayrıca onaylanır"),  # then native review 8, tr 2
        ("distributor_term_end", "messages", "bir azaltma o zaman geçerli olur", "{start} tarihinden itibaren"),
        ("steps.agent.confirm", "guidance", "geri gelecekse", "aracı hâlâ kullanılıyorsa"),
        ("rule.waiver-expired.message", "guidance", "için {waiver_rule} muaf", "için “{waiver_rule}” muaf"),
        ("steps.waiver.ask", "guidance", "için {waiver_rule} muafiyetinin", "için “{waiver_rule}” muafiyetinin"),
        ("steps.waiver.fix", "guidance", "bulguyu {waiver_rule} kuralının", "bulguyu “{waiver_rule}” kuralının"),
        # tr's own
        ("said_group_absent", "messages", "ilkenin adını verdiği", "ilkede adı geçen"),
        ("rule.agent-user-orphaned.title", "guidance", "kaybolan", "Aracısı silinmiş aracı kullanıcısında"),
        ("steps.resource.swap", "guidance", "{user} kullanıcısının", "{user} kaynak hesabının"),
        ("list_mail_body", "messages", "listesi var", "listesini bulabilirsiniz"),
    ],
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_what_the_round_6_reviewer_found_is_gone_and_the_fix_is_said(locale: Locale) -> None:
    assert unfixed_in_catalogs(locale, FIXED[locale]) == []
