"""The licensing facts the guidance states, in every language (docs/guidance.md, "Facts"):

1. a group's members are changed by a Groups, User or Global Administrator or the group's owner; a
   License Administrator changes a group's licenses, not its members;
2. a subscription in its grace period (Warning) is reactivated under Billing > Your products, and
   seats-in-grace and subscription-expiring say so alike;
3. licenses on a term subscription can be removed within 7 days of purchase or renewal, otherwise
   at renewal: no text offers removal as always possible;
4. with volume licensing the number is changed through the reseller or partner, not by the Volume
   Licensing Service Center;
5. litigation hold is a mailbox setting (Exchange admin center); Purview shows eDiscovery holds and
   retention policies;
6. US Government clouds have their own portals and buy through an agreement or partner: no step
   sends an admin to the worldwide self-service purchase pages, and the steps say the path is not
   confirmed for that cloud;
7. Microsoft Cloud Deutschland closed in October 2021: the Germany steps say so.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.assignment_errors import GroupLicenseErrors
from auditor.rules.hygiene.upkeep import SubscriptionExpiring
from auditor.rules.seats import SeatsInGrace, SpareSeatsOverLimit

LOCALES = list(Locale)
ids = {"ids": lambda loc: loc.value}

# The admin roles and admin-center labels as Microsoft's pages in each language write them.
ROLES = {  # Groups Administrator, User Administrator, Global Administrator, License Administrator, owner
    Locale.EN: ("Groups Administrator", "User Administrator", "Global Administrator", "License Administrator", "owner"),
    Locale.NL: ("groepsbeheerder", "gebruikersbeheerder", "globale beheerder", "licentiebeheerder", "eigenaar"),
    Locale.DA: ("gruppeadministrator", "brugeradministrator", "global administrator", "licensadministrator", "ejer"),
    Locale.SV: ("gruppadministratör", "användaradministratör", "global administratör", "licensadministratör", "ägare"),
    Locale.TR: ("gruplar yöneticisi", "kullanıcı yöneticisi", "genel yönetici", "lisans yöneticisi", "sahibi"),
}
BILLING = {
    Locale.EN: "Billing > Your products",
    Locale.NL: "Facturering > Uw producten",
    Locale.DA: "Fakturering > Dine produkter",
    Locale.SV: "Fakturering > Dina produkter",
    Locale.TR: "Faturalama > Ürünleriniz",
}
BUY = {
    Locale.EN: "Buy licenses",
    Locale.NL: "Licenties kopen",
    Locale.DA: "Køb licenser",
    Locale.SV: "Köp licenser",
    Locale.TR: "Lisans satın al",
}
REMOVE = {
    Locale.EN: "Remove licenses",
    Locale.NL: "Licenties verwijderen",
    Locale.DA: "Fjern licenser",
    Locale.SV: "Ta bort licenser",
    Locale.TR: "Lisansları kaldır",
}
SEVEN_DAYS = {Locale.EN: "7 days", Locale.NL: "7 dagen", Locale.DA: "7 dage", Locale.SV: "7 dagar", Locale.TR: "7 gün"}
NOT_THE_VLSC = {
    Locale.EN: r"not by the Volume Licensing Service Center",
    Locale.NL: r"niet via het Volume License Service Center",
    Locale.DA: r"ikke af Volume License Service Center",
    Locale.SV: r"inte av Volume License Service Center",
    Locale.TR: r"Toplu Lisans Hizmeti Merkezi'nin kendisi tarafından değil",
}
LITIGATION_HOLD = {
    Locale.EN: "litigation hold",
    Locale.NL: "procesbewaring",
    Locale.DA: "procesretlig venteposition",
    Locale.SV: "bevarande av juridiska skäl",
    Locale.TR: "dava bekletmesi",
}
EXCHANGE_ADMIN_CENTER = {
    Locale.EN: "Exchange admin center",
    Locale.NL: "Exchange-beheercentrum",
    Locale.DA: "Exchange Administration",
    Locale.SV: "administrationscentret för Exchange",
    Locale.TR: "Exchange yönetim merkezi",
}
PORTALS = {Cloud.USGOV: "https://portal.office365.us", Cloud.USGOV_DOD: "https://portal.apps.mil"}
WORLDWIDE_PURCHASE = (
    "products.office.com",
    "microsoft.com/microsoft-365/business/compare",
    "linkid=834822",
    "admin.microsoft.com",
)


def _fix(rule: str, cloud: Cloud, locale: Locale, details: dict[str, Any] | None = None) -> dict[str, Any]:
    found = wording.by_id()[rule]
    subject, skus, example = found.example_finding
    return wording.remediation(
        rule, finding_of(subject, skus, example if details is None else details), cloud=cloud, locale=locale
    )


def _said(fix: dict[str, Any]) -> str:
    """Everything a remediation tells a person (not the Graph calls' paths)."""
    return "\n".join(
        [
            fix["summary"],
            *fix["steps"],
            *fix["next_steps"],
            fix["role"],
            *(alt["label"] for alt in fix["alternatives"]),
            *(a["description"] for a in fix["actions"]),
        ]
    )


@pytest.mark.parametrize("locale", LOCALES, **ids)
def test_fact_1_a_license_administrator_changes_licenses_not_members(locale: Locale) -> None:
    groups_admin, user_admin, global_admin, license_admin, owner = ROLES[locale]
    role = _fix(GroupLicenseErrors.id, Cloud.WORLDWIDE, locale)["role"]
    members, licenses = (part.lower() for part in role.split(";"))
    assert all(name.lower() in members for name in (groups_admin, user_admin, global_admin, owner)), role
    assert license_admin.lower() not in members, role
    assert license_admin.lower() in licenses, role


@pytest.mark.parametrize("locale", LOCALES, **ids)
def test_fact_2_a_subscription_in_its_grace_period_is_reactivated(locale: Locale) -> None:
    seats = _fix(SeatsInGrace.id, Cloud.WORLDWIDE, locale)
    subscription = _fix(
        SubscriptionExpiring.id,
        Cloud.WORLDWIDE,
        locale,
        {
            "status": "Warning",
            "is_trial": False,
            "next_lifecycle": "2026-12-01T00:00:00Z",
            "days_left": -5,
            "total_licenses": 25,
        },
    )
    for fix in (seats, subscription):
        reactivate = wording.render_one(locale, "steps.sub.reactivate", {"sku": "SPE_E5"})
        paid = wording.render_one(locale, "steps.sub.paid", {"sku": "SPE_E5", "date": "2026-12-01"})
        assert reactivate in fix["steps"] and paid not in fix["steps"]
        assert BILLING[locale] in reactivate
    assert [s for s in seats["steps"] if s in subscription["steps"]] == seats["steps"][:2]


@pytest.mark.parametrize("locale", LOCALES, **ids)
def test_fact_3_term_licenses_are_removed_within_seven_days_or_at_renewal(locale: Locale) -> None:
    """Wherever a remediation sends an admin to Remove licenses, it says when that is possible."""
    checked = 0
    for rule in wording.by_id():
        for cloud in (Cloud.WORLDWIDE, Cloud.GERMANY, Cloud.CHINA):
            said = _said(_fix(rule, cloud, locale))
            if REMOVE[locale] in said:
                checked += 1
                assert SEVEN_DAYS[locale] in said, (rule, cloud)
    assert checked >= 10
    renewal = {"enabled": 100, "consumed": 80, "unused": 20, "limit": 5, "renewal": "2026-12-01T00:00:00Z"}
    assert SEVEN_DAYS[locale] in _fix(SpareSeatsOverLimit.id, Cloud.WORLDWIDE, locale, renewal)["summary"]


@pytest.mark.parametrize("locale", LOCALES, **ids)
def test_fact_4_the_partner_changes_the_number_not_the_vlsc(locale: Locale) -> None:
    partner = wording.render_one(locale, "next.partner", {})
    assert re.search(NOT_THE_VLSC[locale], partner), partner
    assert partner in _fix(SpareSeatsOverLimit.id, Cloud.WORLDWIDE, locale)["next_steps"]


@pytest.mark.parametrize("locale", LOCALES, **ids)
def test_fact_5_litigation_hold_is_a_mailbox_setting_not_purview(locale: Locale) -> None:
    step = wording.render(locale, "steps.shared.check", {"user": "U"})[2]
    for clause in step.split(";"):
        if "Purview" in clause:
            assert LITIGATION_HOLD[locale] not in clause.lower(), clause
        if LITIGATION_HOLD[locale] in clause.lower():
            assert EXCHANGE_ADMIN_CENTER[locale] in clause, clause
    assert LITIGATION_HOLD[locale] in step.lower() and "Purview" in step


@pytest.mark.parametrize("cloud", list(PORTALS), ids=lambda c: c.value)
@pytest.mark.parametrize("locale", LOCALES, **ids)
def test_fact_6_us_government_steps_avoid_the_worldwide_purchase_pages(locale: Locale, cloud: Cloud) -> None:
    for rule in wording.by_id():
        fix = _fix(rule, cloud, locale)
        said = _said(fix)
        assert PORTALS[cloud] in fix["steps"][0], rule
        assert "2021" not in fix["steps"][0]
        assert BILLING[locale] not in said and not re.search(rf"\b{BUY[locale]}\b", said), rule
        assert not [u for u in (*WORLDWIDE_PURCHASE,) if u in said or any(u in link["url"] for link in fix["links"])]
    note = wording.render_one(locale, f"steps.cloud.{cloud.value}", {})
    assert note != wording.render_one(locale, "steps.cloud.germany", {})


@pytest.mark.parametrize("locale", LOCALES, **ids)
def test_fact_7_the_germany_steps_say_the_service_has_closed(locale: Locale) -> None:
    for rule in wording.by_id():
        germany, worldwide = _fix(rule, Cloud.GERMANY, locale), _fix(rule, Cloud.WORLDWIDE, locale)
        assert "2021" in germany["steps"][0] and "Microsoft Cloud Deutschland" in germany["steps"][0]
        assert germany["steps"][0] not in worldwide["steps"] and "2021" not in "\n".join(worldwide["steps"])
    # the variant the seed page documents stays: its own Active users link and the Bulk actions pane
    from auditor.rules.assignments import SkuNotAllowed

    steps = "\n".join(_fix(SkuNotAllowed.id, Cloud.GERMANY, locale)["steps"])
    assert "linkid=847686" in steps
    assert wording.render(locale, "steps.replace.legacy", {"user": "U", "new": "N", "url": "L"})[2] in steps
