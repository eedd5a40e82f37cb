"""The top five of the native reviewers' round 8 (../shared/reviews/locale-native-review-8.md), held on what
the real CLI writes in every language:

1. a ConnectWise ticket of `tickets --demo` speaks the customer's language: its description is the message
   the report shows (not report.json's English), its summary names products by their names;
2. an Intune-enrolled device is retired or given to a licensed user, never a place "the user is taken out of";
3. an idle Copilot seat the plan moves to a candidate shows where it goes, not a price to save;
4. the roll-up's PSA cell says what its amounts are (the MSP's loss, the customer's money);
5. plan.md's reductions at the distributor that are not planned are said in the report's language, with the
   products by their names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import Cloud, Locale
from auditor.fleet.psa_cells import psa_cell
from auditor.fleet.rollup_model import TenantRow
from auditor.formats.report_model import finding_of
from auditor.i18n import translations
from auditor.rules.entitlements.entitlement import EntitlementMissing
from auditor.wording import remediation
from tests.plan.test_copilot_audit_log import audit_log_on

LOCALES = ("en", "nl", "da", "sv", "tr")
PARTS = ("SPE_E3", "SPE_E5", "AAD_PREMIUM_P2", "Microsoft_Entra_ID_Governance", "VISIOCLIENT", "POWER_BI_PRO")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`audit --demo --tenants --locale nl`, then Contoso's plan."""
    out = tmp_path_factory.mktemp("fleet")
    assert main(["audit", "--demo", "--tenants", "--locale", "nl", "--output-dir", str(out)]) == 1
    assert main(["plan", "--report-dir", str(out / "contoso")]) == 0
    return out


def test_a_tickets_summary_and_description_are_in_the_customers_language(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tickets", str(fleet), "--demo", "--yes"]) == 0
    tickets = json.loads((fleet / "demo-connectwise.json").read_text("utf-8"))["tickets"]
    assert tickets
    for ticket in tickets:
        summary, description = ticket["summary"], ticket["initialDescription"]
        assert not [p for p in PARTS if re.search(rf"\b{p}\b", summary)], summary  # products by their names
        first = description.split("\n\n")[0]
        assert "spare seats" not in first and "policy wants" not in first, first  # not report.json's English
    by_summary = {t["summary"]: t["initialDescription"] for t in tickets}
    e3 = by_summary["Te weinig vrije licenties: Microsoft 365 E3"]
    assert e3.startswith("Microsoft 365 E3: 1 licentie van de 204 is vrij; het beleid vraagt er minstens 2.")
    assert "Minder licenties dan gebruikers in bereik: Microsoft Entra ID P2" in by_summary


INTUNE_FINDING = finding_of(
    {"type": "user", "id": "34b9b5df", "upn": "new.starter@contoso.example", "display_name": "New Starter"},
    ["SPE_F1"],
    {
        "entitle_with": {"sku": "SPE_F1", "name": "Microsoft 365 F3", "monthly": 2.25, "free_seats": 3},
        "features": ["conditional_access", "intune"],
        "needs": "P1",
        "no_usage_location": False,
        "sku_ids": {"SPE_F1": "66b55226-6b4f-492c-910c-a3b7a3c9d993"},
        "via": {"conditional_access": ["Require MFA"], "intune": ["Android"]},
        "waits_for_seats": False,
    },
)
RETIRE = {
    "en": "retire",
    "nl": "buiten gebruik",
    "da": "tilbagetræk",
    "sv": "dra tillbaka",
    "tr": "kullanımdan kaldırın",
}
DEVICE_IN_SCOPE = {  # the user taken out of a device: the wording of round 8
    "en": "device enrolled in Intune (Android)",
    "nl": "apparaat dat is ingeschreven in Intune",
    "da": "enhed, der er tilmeldt Intune",
    "sv": "enhet som är registrerad i Intune",
    "tr": "Intune'a kaydedilmiş bir cihaz",
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("features", [["conditional_access", "intune"], ["intune"]])
def test_an_intune_device_is_retired_or_given_to_a_licensed_user(locale: str, features: list[str]) -> None:
    finding = finding_of(
        INTUNE_FINDING.subject, list(INTUNE_FINDING.skus), {**INTUNE_FINDING.details, "features": features}
    )
    said = remediation(EntitlementMissing.id, finding, cloud=Cloud.WORLDWIDE, locale=Locale(locale))
    steps = " ".join(said["steps"])
    summary = said["summary"] if isinstance(said["summary"], str) else " ".join(said["summary"])
    for text in (steps, summary):
        assert DEVICE_IN_SCOPE[locale] not in text
        assert RETIRE[locale] in text.lower()
    assert "(Android)" in steps
    assert ("Require MFA" in steps) == ("conditional_access" in features)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_copilot_seat_that_moves_is_not_shown_as_a_saving(tmp_path: Path, locale: str) -> None:
    # the example policy with its audit log turned on: Copilot Idle's seat moves too
    policy = audit_log_on(tmp_path)
    assert main(["audit", "--demo", "--policies", policy, "--locale", locale, "--output-dir", str(tmp_path)]) == 1
    report = (tmp_path / "report.md").read_text("utf-8").replace("\\", "")
    (never,) = [line for line in report.splitlines() if line.startswith("| **Copilot Never**")]
    assert "28" not in never  # no price: the seat stays on the bill
    assert "Sanne Jansen" in never
    assert ("moves to Sanne Jansen: no saving" if locale == "en" else "gaat naar Sanne Jansen: geen besparing") in never
    (idle,) = [line for line in report.splitlines() if line.startswith("| **Copilot Idle**")]
    assert "28" not in idle  # it moves too, to the audit log's Copilot Chat user
    assert ("with 23 Copilot Chat interaction records" if locale == "en" else "met 23 interactierecords") in idle
    (pilot,) = [line for line in report.splitlines() if line.startswith("| **Pilot Tester**")]
    assert "28.10" in pilot or "28,10" in pilot  # a seat removed is a saving
    assert "Price per month:** €28.10" not in report  # no price said once for both


PSA_ROW: TenantRow = {  # type: ignore[typeddict-item]
    "key": "contoso",
    "psa": {"psa": "connectwise", "differences": 5, "msp_monthly": 331.6, "customer_monthly": 403.8, "currency": "EUR"},
}
LOSE = {
    "en": "you lose €331.60 a month (seats you pay for and do not bill, or bill below cost)",
    "nl": "u verliest € 331,60 per maand",
    "da": "du taber 331,60 € pr. måned",
    "sv": "du förlorar 331,60 € per månad",
    "tr": "ayda €331,60 kaybediyorsunuz",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_rollups_psa_cell_says_what_its_amounts_are(locale: str) -> None:
    cell = psa_cell(PSA_ROW, translations(Locale(locale)), Locale(locale)).replace("\xa0", " ").replace("\u202f", " ")
    assert LOSE[locale] in cell
    assert "costs you" not in cell


def test_the_distributors_reasons_are_in_the_reports_language(fleet: Path) -> None:
    plan = (fleet / "contoso" / "plan.md").read_text("utf-8").replace("\\", "")
    bill = json.loads((fleet / "contoso" / "plan.json").read_text("utf-8"))["bill"]
    assert len(bill["distributor_skipped"]) == len(bill["distributor_not_planned"]) == 2  # the record stays
    head = "2 verlagingen bij de distributeur zijn niet gepland, om deze redenen:"
    reasons = plan.split(head, 1)[1].strip().split("\n\n", 1)[0].splitlines()
    assert reasons == [
        "- Power BI Pro: het Pax8-abonnement 00000000-0000-4000-8000-000000000003 noemt geen Microsoft-abonnement, "
        "dus het plan voert de wijziging niet uit; is het het Power BI Pro-abonnement van deze tenant, verlaag het dan "
        "in de Pax8-portal.",
        "- Microsoft 365 E5: het Pax8-abonnement 00000000-0000-4000-8000-000000000002 noemt geen "
        "Microsoft-abonnement, dus het plan voert de wijziging niet uit; is het het Microsoft 365 E5-abonnement van "
        "deze tenant, verlaag het dan in de Pax8-portal.",
    ]
