"""The guidance follows its source pages (/work/shared/guidance-sources: the Microsoft 365 admin
documentation in nl, da, sv, tr): page titles, product names and UI labels as the pages give them."""

from __future__ import annotations

import pytest

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.seats import SpareSeatsOverLimit
from auditor.wording import remediation

SUBJECT = {"type": "sku", "id": "SPE_E3", "sku": "SPE_E3"}
DETAILS = {"enabled": 20, "consumed": 10, "unused": 10, "limit": 2, "excess": 8}
MOVE = "https://docs.microsoft.com/microsoft-365/commerce/subscriptions/move-users-different-subscription"


def _links(cloud: Cloud, locale: Locale = Locale.EN) -> dict[str, str]:
    r = remediation(SpareSeatsOverLimit.id, finding_of(SUBJECT, ["SPE_E3"], DETAILS), cloud=cloud, locale=locale)
    return {link["url"].split("?")[0]: link["url"] for link in r["links"]}


@pytest.mark.parametrize(
    ("cloud", "view"),
    [
        (Cloud.WORLDWIDE, "o365-worldwide"),
        (Cloud.USGOV, "o365-worldwide"),
        (Cloud.USGOV_DOD, "o365-worldwide"),
        (Cloud.GERMANY, "o365-germany"),
        (Cloud.CHINA, "o365-21vianet"),
    ],
)
def test_the_move_users_link_shows_the_reports_cloud(cloud: Cloud, view: str) -> None:
    assert _links(cloud)[MOVE] == f"{MOVE}?view={view}"


# The caution of the source page, as each language words it (written here, not read from the catalog)
REPLACE_CAUTION = {
    Locale.EN: "every earlier license assignment",
    Locale.NL: "elke eerdere licentietoewijzing",
    Locale.DA: "alle tidligere licenstildelinger",
    Locale.SV: "alla tidigare licenstilldelningar",
    Locale.TR: "önceki tüm lisans atamalarını",
}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_every_move_variant_warns_that_replace_removes_earlier_assignments(locale: Locale) -> None:
    for key in ("steps.move.worldwide", "steps.move.legacy"):
        text = wording.raw(locale, key)
        assert isinstance(text, str) and REPLACE_CAUTION[locale] in text, (locale.value, key)


def test_removing_a_license_needs_an_assigning_role_in_transfer_guidance() -> None:
    assert "Global, License or User Administrator" in wording.raw(Locale.EN, "role.transfer")
    assert "licentiebeheerder of gebruikersbeheerder" in wording.raw(Locale.NL, "role.transfer")
    assert "licensadministrator eller brugeradministrator" in wording.raw(Locale.DA, "role.transfer")
    assert "licensadministratör eller användaradministratör" in wording.raw(Locale.SV, "role.transfer")
    assert "Lisans yöneticisi veya Kullanıcı yöneticisi" in wording.raw(Locale.TR, "role.transfer")


def test_page_titles_and_names_as_the_sources_give_them() -> None:
    nl = wording.CATALOGS[Locale.NL]
    assert nl["link.buy_licenses"] == "Abonnementslicenties beheren"
    assert nl["link.mailbox_migration"] == "Migratie van postvakken"
    assert nl["link.admin_roles"] == "Over beheerdersrollen in Microsoft 365"
    assert "de cirkel naast" in nl["steps.replace.worldwide"][1]
    for locale in (Locale.NL, Locale.DA, Locale.SV):
        assert wording.raw(locale, "link.vlsc") == "Volume License Service Center"
        assert "Volume License Service Center" in wording.raw(locale, "steps.transfer.vlsc")
    assert wording.raw(Locale.TR, "link.vlsc") == "Toplu Lisans Hizmeti Merkezi"


def test_language_fixes() -> None:
    sv = " ".join(t if isinstance(t, str) else " ".join(t) for t in wording.CATALOGS[Locale.SV].values())
    assert " ni " not in sv and "abonnemang" not in sv and "åt er" not in sv
    tr = " ".join(t if isinstance(t, str) else " ".join(t) for t in wording.CATALOGS[Locale.TR].values())
    assert "istisna" not in tr and "Var olan" not in tr
    assert str(wording.raw(Locale.DA, "steps.data.keep")).startswith("Før du fjerner licensen, skal du gemme")
    status = wording.raw(Locale.NL, "steps.sub.status")
    assert isinstance(status, str) and not status.startswith("Warning betekent") and "Suspended betekent" not in status
