"""Lists read as each language writes them, and each group a fix touches gets its own sentence and
its own admin-center path (never "X, Y comes from the group G1, G2" or "Groups > G1, G2")."""

from __future__ import annotations

import pytest

from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.wording import remediation

USER = {"type": "user", "id": "11111111-aaaa", "upn": "ann@contoso.example", "display_name": "Ann Lee"}
DETAILS = {
    "assigned_by_group": {"POWER_BI_PRO": ["Power BI Users"], "SPE_E3": ["All Staff", "Staff EU"]},
    "group_kinds": {},
    "assigned_by_group_ids": {"POWER_BI_PRO": ["g-pbi"], "SPE_E3": ["g-all", "g-eu"]},
    "sku_ids": {
        "POWER_BI_PRO": "f8a1db68-be16-40ed-86d5-cb42ce701560",
        "SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965",
    },
}


def fix(locale: Locale = Locale.EN) -> dict:
    return remediation(
        DisabledUserLicensed.id,
        finding_of(USER, ["POWER_BI_PRO", "SPE_E3"], DETAILS),
        cloud=Cloud.WORLDWIDE,
        locale=locale,
    )


def test_one_sentence_per_product_and_one_path_per_group() -> None:
    r = fix()
    assert "POWER_BI_PRO comes from the group Power BI Users" in r["summary"]
    assert "SPE_E3 comes from the group All Staff:" in r["summary"]
    assert "SPE_E3 comes from the group Staff EU:" in r["summary"]
    assert "POWER_BI_PRO, SPE_E3 comes" not in r["summary"]
    steps = "\n".join(r["steps"])
    for group in ("Power BI Users", "All Staff", "Staff EU"):
        assert f"All groups > {group} >" in steps
    assert "All Staff, Staff EU" not in steps


@pytest.mark.parametrize(
    ("locale", "joined"),
    [
        (Locale.EN, "POWER_BI_PRO and SPE_E3"),
        (Locale.NL, "POWER_BI_PRO en SPE_E3"),
        (Locale.DA, "POWER_BI_PRO og SPE_E3"),
        (Locale.SV, "POWER_BI_PRO och SPE_E3"),
        (Locale.TR, "POWER_BI_PRO ve SPE_E3"),
    ],
)
def test_lists_use_each_languages_conjunction(locale: Locale, joined: str) -> None:
    from auditor import wording

    assert joined in wording.message(
        DisabledUserLicensed.id, finding_of(USER, ["POWER_BI_PRO", "SPE_E3"], DETAILS), locale=locale
    )
