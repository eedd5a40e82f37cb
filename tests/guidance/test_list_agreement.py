"""A text that names a list agrees with it: one product reads as one ("Microsoft 365 E3 ürününü
kaldırın", "clear the box"), two as several ("Microsoft 365 E3 ve Power BI Pro ürünlerini
kaldırın", "clear the boxes"), in every report language. The list's length is the `count` of a
counted text (guidance/texts); a number a text shows for something else has its own name."""

from __future__ import annotations

import re
from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance import texts
from auditor.rules.assignments import AssignmentNotGroupBased, SkuCombinationForbidden, SkuForbidden, SkuRequiredMissing
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.assignment_errors import GroupLicenseErrors, LicenseAssignmentError
from auditor.rules.seats import SeatsInGrace

USER = {"type": "user", "id": "11111111-aaaa", "upn": "ann@contoso.example", "display_name": "Ann Lee"}
NAMES = {"SPE_E3": "Microsoft 365 E3", "POWER_BI_PRO": "Power BI Pro", "EMS": "EMS E3"}
E3, PBI = "Microsoft 365 E3", "Power BI Pro"


def direct(*parts: str, **more: Any) -> dict[str, Any]:
    """Details of products the user holds directly (their removal ends no data)."""
    return {"assigned_by_group": {p: [] for p in parts}, "sku_ids": {p: f"sku-{p.lower()}" for p in parts}} | more


def say(rule: str, skus: list[str], details: dict[str, Any], locale: Locale) -> dict[str, Any]:
    """The message and the remediation of a finding, the texts of the actions and alternatives
    listed beside the steps."""
    fix = wording.remediation(rule, finding_of(USER, skus, details), cloud=Cloud.WORLDWIDE, locale=locale, names=NAMES)
    fix["message"] = wording.message(rule, finding_of(USER, skus, details), locale=locale, names=NAMES)
    fix["calls"] = [a["description"] for a in fix["actions"]]
    fix["others"] = [
        text for alt in fix["alternatives"] for text in (alt["label"], *(a["description"] for a in alt["actions"]))
    ]
    return fix


# --- Turkish: the case ending after the list ------------------------------------------------------


def test_turkish_one_and_two_products_held_directly() -> None:
    one = say(DisabledUserLicensed.id, ["SPE_E3"], direct("SPE_E3"), Locale.TR)
    two = say(DisabledUserLicensed.id, ["SPE_E3", "POWER_BI_PRO"], direct("SPE_E3", "POWER_BI_PRO"), Locale.TR)
    assert one["message"].endswith(f"hâlâ {E3} ürünü var.")
    assert two["message"].endswith(f"hâlâ {E3} ve {PBI} ürünleri var.")
    assert one["summary"] == f"Ann Lee (ann@contoso.example) kullanıcısından {E3} ürününü kaldırın."
    assert two["summary"] == f"Ann Lee (ann@contoso.example) kullanıcısından {E3} ve {PBI} ürünlerini kaldırın."
    assert f"Lisanslar altında {E3} kutusunun işaretini kaldırın ve Değişiklikleri kaydet'i seçin." in one["steps"]
    assert (
        f"Lisanslar altında {E3} ve {PBI} kutularının işaretini kaldırın ve Değişiklikleri kaydet'i seçin."
        in two["steps"]
    )
    assert one["calls"] == [f"Doğrudan atanmış {E3} ürününü Ann Lee (ann@contoso.example) kullanıcısından kaldırır."]
    assert two["calls"] == [
        f"Doğrudan atanmış {E3} ve {PBI} ürünlerini Ann Lee (ann@contoso.example) kullanıcısından kaldırır."
    ]


def test_turkish_two_forbidden_products() -> None:
    fix = say(
        SkuForbidden.id, ["SPE_E3", "POWER_BI_PRO"], direct("SPE_E3", "POWER_BI_PRO", forbidden=["SPE_E3"]), Locale.TR
    )
    assert fix["message"] == (
        f"Ann Lee (ann@contoso.example) kullanıcısında, ilkenin yasakladığı {E3} ve {PBI} ürünleri var."
    )
    assert fix["summary"] == f"Ann Lee (ann@contoso.example) kullanıcısından {E3} ve {PBI} ürünlerini kaldırın."
    assert f"{E3} ve {PBI} ürününü" not in str(fix)


def test_turkish_removal_via_two_groups_names_each_group_alone() -> None:
    """A product that two groups give: one sentence per group, each in the singular."""
    details = {
        "assigned_by_group": {"SPE_E3": ["All Staff", "Sales"]},
        "group_kinds": {},
        "assigned_by_group_ids": {"SPE_E3": ["g-1", "g-2"]},
        "sku_ids": {"SPE_E3": "sku-e3"},
    }
    fix = say(SkuForbidden.id, ["SPE_E3"], details, Locale.TR)
    assert fix["message"].endswith(f"{E3} ürünü var.")
    for group in ("All Staff", "Sales"):
        assert f"{E3} ürünü {group} grubundan geliyor:" in fix["summary"]
        assert (
            f"Ann Lee (ann@contoso.example) kullanıcısını {group} grubundan çıkarır; grubun atadığı lisanslar "
            "artık kullanıcıya uygulanmaz."
        ) in fix["calls"]
    assert "All Staff ve Sales grubundan" not in str(fix)


def test_turkish_an_error_from_two_groups() -> None:
    base = {"error": "CountViolation", "state": "Error", "sku_ids": {"SPE_E3": "sku-e3"}}
    one = say(LicenseAssignmentError.id, ["SPE_E3"], base | {"assigned_by_group": {"SPE_E3": ["All Staff"]}}, Locale.TR)
    two = say(
        LicenseAssignmentError.id,
        ["SPE_E3"],
        base | {"assigned_by_group": {"SPE_E3": ["All Staff", "Sales"]}},
        Locale.TR,
    )
    assert any(step.startswith("Lisans All Staff grubundan geliyor;") for step in one["steps"])
    assert any(
        step.startswith("Lisans All Staff ve Sales gruplarından geliyor;") and "grupların Lisanslar sayfalarına" in step
        for step in two["steps"]
    )
    en = say(
        LicenseAssignmentError.id,
        ["SPE_E3"],
        base | {"assigned_by_group": {"SPE_E3": ["All Staff", "Sales"]}},
        Locale.EN,
    )
    assert (
        "The license comes from the groups All Staff and Sales, so other members may have the same error: check "
        "the groups' Licenses pages in the Microsoft Entra admin center."
    ) in en["steps"]


@pytest.mark.parametrize(
    ("plans", "tr", "en"),
    [
        (
            ["Exchange Online (Plan 2)"],
            "Exchange Online (Plan 2) hizmetini açıyor. Bunu grubun",
            "Turn that plan on in the group's license settings",
        ),
        (
            ["Exchange Online (Plan 2)", "SharePoint (Plan 2)"],
            "Exchange Online (Plan 2) ve SharePoint (Plan 2) hizmetlerini açıyor. Bunları grubun",
            "Turn them on in the group's license settings",
        ),
    ],
)
def test_the_plans_a_direct_copy_alone_turns_on(plans: list[str], tr: str, en: str) -> None:
    details = {
        "also_by_group": {"SPE_E3": ["All Staff"]},
        "plans_lost": {"SPE_E3": plans},
        "assigned_by_group": {"SPE_E3": []},
        "sku_ids": {"SPE_E3": "sku-e3"},
    }
    assert tr in " ".join(say(AssignmentNotGroupBased.id, ["SPE_E3"], details, Locale.TR)["steps"])
    assert en in " ".join(say(AssignmentNotGroupBased.id, ["SPE_E3"], details, Locale.EN)["steps"])


def test_turkish_the_products_a_combination_keeps() -> None:
    details = direct(
        "SPE_E3",
        "POWER_BI_PRO",
        "EMS",
        combination=["SPE_E3", "POWER_BI_PRO", "EMS"],
        remove="EMS",
        keep=["SPE_E3", "POWER_BI_PRO"],
    )
    fix = say(SkuCombinationForbidden.id, ["SPE_E3", "POWER_BI_PRO", "EMS"], details, Locale.TR)
    assert f"{E3} ve {PBI} ürünlerini tutun ve EMS E3 ürününü kaldırın." in " ".join(fix["steps"])
    assert f"Bunun yerine {E3} ve {PBI} ürünlerini kaldırın; EMS E3 kalsın." in fix["others"]


@pytest.mark.parametrize(
    ("required", "message", "summary"),
    [
        (["SPE_E3"], f"kullanıcısında gerekli {E3} ürünü yok.", f"kullanıcısına gerekli {E3} ürününü verin."),
        (
            ["SPE_E3", "EMS"],
            f"kullanıcısında gerekli ürünlerin hiçbiri yok ({E3} ve EMS E3).",
            f"kullanıcısına gerekli ürünlerden birini verin: {E3} veya EMS E3.",
        ),
    ],
)
def test_turkish_the_required_products(required: list[str], message: str, summary: str) -> None:
    fix = say(SkuRequiredMissing.id, [], {"required_any": required}, Locale.TR)
    assert fix["message"].endswith(message) and fix["summary"].endswith(summary)


# --- Dutch, Danish, Swedish (and English): the same two-product findings ------------------------------

TWO = (E3, PBI)


@pytest.mark.parametrize(
    ("locale", "step"),
    [
        (Locale.EN, "Under Licenses, clear the boxes for {} and {}, then select Save changes."),
        (Locale.NL, "Schakel onder Licenties de vakjes voor {} en {} uit en selecteer Wijzigingen opslaan."),
        (Locale.DA, "Fjern markeringerne for {} og {} under Licenser, og vælg derefter Gem ændringer."),
        (Locale.SV, "Avmarkera rutorna för {} och {} under Licenser och välj sedan Spara ändringar."),
        (Locale.TR, "Lisanslar altında {} ve {} kutularının işaretini kaldırın ve Değişiklikleri kaydet'i seçin."),
    ],
)
def test_two_products_cleared_in_one_step(locale: Locale, step: str) -> None:
    fix = say(DisabledUserLicensed.id, ["SPE_E3", "POWER_BI_PRO"], direct("SPE_E3", "POWER_BI_PRO"), locale)
    assert step.format(*TWO) in fix["steps"]


@pytest.mark.parametrize(
    ("locale", "call"),
    [
        (Locale.EN, "Once the group's licenses are active for {u}, removes the direct assignments of {} and {}."),
        (Locale.NL, "Verwijdert de directe toewijzingen van {} en {} zodra de groepslicenties voor {u} actief zijn."),
        (Locale.DA, "Fjerner de direkte tildelinger af {} og {}, når gruppens licenser er aktive for {u}."),
        (Locale.SV, "Tar bort de direkta tilldelningarna av {} och {} när gruppens licenser är aktiva för {u}."),
        (
            Locale.TR,
            "Grubun lisansları {u} kullanıcısı için etkin olduğunda {} ve {} ürünlerinin doğrudan atamalarını "
            "kaldırır.",
        ),
    ],
)
def test_two_products_to_move_to_a_group(locale: Locale, call: str) -> None:
    fix = say(AssignmentNotGroupBased.id, ["SPE_E3", "POWER_BI_PRO"], direct("SPE_E3", "POWER_BI_PRO"), locale)
    assert fix["calls"] == [call.format(*TWO, u="Ann Lee (ann@contoso.example)")]


@pytest.mark.parametrize(
    ("locale", "one", "two"),
    [
        (Locale.DA, "Fjerner den direkte tildelte {} fra {u}.", "Fjerner de direkte tildelte {} og {} fra {u}."),
        (Locale.SV, "Tar bort den direkt tilldelade {} från {u}.", "Tar bort de direkt tilldelade {} och {} från {u}."),
    ],
)
def test_the_article_agrees_with_the_products(locale: Locale, one: str, two: str) -> None:
    u = "Ann Lee (ann@contoso.example)"
    assert say(DisabledUserLicensed.id, ["SPE_E3"], direct("SPE_E3"), locale)["calls"] == [one.format(E3, u=u)]
    assert say(DisabledUserLicensed.id, ["SPE_E3", "POWER_BI_PRO"], direct("SPE_E3", "POWER_BI_PRO"), locale)[
        "calls"
    ] == [two.format(*TWO, u=u)]


def test_swedish_participle_agrees_with_the_products() -> None:
    one = say(AssignmentNotGroupBased.id, ["SPE_E3"], direct("SPE_E3"), Locale.SV)["message"]
    two = say(AssignmentNotGroupBased.id, ["SPE_E3", "POWER_BI_PRO"], direct("SPE_E3", "POWER_BI_PRO"), Locale.SV)[
        "message"
    ]
    assert f"har fått {E3} tilldelad direkt" in one
    assert f"har fått {E3} och {PBI} tilldelade direkt" in two


# --- count: one meaning --------------------------------------------------------------------------


def test_count_is_the_number_a_counted_text_agrees_with() -> None:
    """The finding's products give messages a `count`; a message that shows a number (licenses in
    the grace period, members in error) sets its own and shows it as {count}, whatever the number of
    products."""
    grace = wording.message(
        SeatsInGrace.id,
        finding_of({"type": "sku", "id": "sku-e3", "sku": "SPE_E3"}, ["SPE_E3"], {"warning": 3, "enabled": 5}),
        locale=Locale.EN,
    )
    assert "3 licenses are in the grace period" in grace
    errors = {"group": "All Staff", "group_id": "g-1", "members_with_errors": 3, "errors": {"CountViolation": 5}}
    group = {"type": "group", "id": "g-1", "display_name": "All Staff"}
    for skus in (["SPE_E3"], ["SPE_E3", "POWER_BI_PRO"]):
        text = wording.message(GroupLicenseErrors.id, finding_of(group, skus, errors), locale=Locale.EN)
        assert "(3 members in this audit): not enough licenses (CountViolation)" in text
        fix = wording.remediation(
            GroupLicenseErrors.id, finding_of(group, skus, errors), cloud=Cloud.WORLDWIDE, locale=Locale.EN
        )
        assert "(3 members in this audit)" in fix["summary"]
        assert fix["steps"][1].startswith("Not enough licenses (CountViolation): 5 members affected.")


def _widened(skus: list[str], details: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The same finding with a second product, group and service plan wherever it names one."""
    if not skus:
        return skus, details
    extra, first = "POWER_BI_PRO", skus[0]
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, dict) and first in value:
            value = {**value, extra: value[first]}
        if key in ("data_lost", "plans_lost") and isinstance(value, dict):
            value = {part: [*plans, "SharePoint (Plan 2)"] for part, plans in value.items()}
        if key in ("keep", "combination", "required_any") and isinstance(value, list):
            value = [*value, extra]
        out[key] = value
    return [*skus, extra], out


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_every_counted_text_gets_a_count(locale: Locale, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule's example finding, and the same with two products: each counted text rendered has
    a whole number to agree with (else it would take the plural whatever the list), unless the
    list it names is not known ("unknown", "none")."""
    rendered = wording.render
    missing: list[str] = []
    counted: list[str] = []
    unknown = {wording.render_one(locale, f"word.{w}", {}) for w in ("unknown", "none")}

    def spy(locale: Locale, key: str, values: Any) -> list[str]:
        text = wording.raw(locale, key)
        if any(isinstance(item, texts.Counted) for item in ((text,) if isinstance(text, str) else text)):
            counted.append(key)
            if not re.fullmatch(r"\d+", str(values.get("count"))) and not unknown & set(values.values()):
                missing.append(key)
        return rendered(locale, key, values)

    monkeypatch.setattr(wording, "render", spy)
    names = {"SPE_E5": f"Microsoft 365 E5 ({locale.value})"}  # a mapping of its own: nothing reused from other tests
    for rule in wording.by_id().values():
        subject, skus, details = rule.example_finding
        for s, d in ((skus, details), _widened(skus, details)):
            wording.message(rule.id, finding_of(subject, s, d), locale=locale, names=names)
            wording.remediation(rule.id, finding_of(subject, s, d), cloud=Cloud.WORLDWIDE, locale=locale, names=names)
    assert len(set(counted)) > 15
    assert sorted(set(missing)) == []
