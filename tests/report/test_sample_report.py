"""The bundled sample tenant's reports, through the CLI: one complete golden per format, in English,
and a few exact sentences per locale.

The goldens are syrupy snapshots in __snapshots__/test_sample_report/ (report.json, report.html,
report.md and findings.csv as the CLI writes them). `pytest --snapshot-update` rewrites them and
that run fails (tests/conftest.py): review `git diff`, then run again without the flag.

The other locales have no golden of their own: tests/report/test_catalogs.py and
tests/guidance/test_guidance_catalog.py check that every text is translated with the same
placeholders, and `test_rendered_sentences` below pins a handful of rendered sentences per locale
(a table header, numbers, money, a date, a finding message, a remediation), so a broken locale fails.
"""

# ruff: noqa: E501  (EXPECTED holds whole rendered lines)

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.seats import SpareSeatsUnderMinimum

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"
FILES = ("report.json", "report.html", "report.md", "findings.csv")

SampleReports = Callable[[Locale], Path]


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleReports]:
    """The folder of the sample tenant's reports in a locale, audited once per locale and module."""
    folders: dict[Locale, Path] = {}

    def audit(locale: Locale) -> Path:
        if locale not in folders:
            out = tmp_path_factory.mktemp(f"sample-{locale.value}")
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", "1793512800")  # "report generated" = AS_OF
                patch.chdir(ROOT)  # report.json's policy_files: the path as given, the same on every machine
                code = main(
                    [
                        "audit",
                        "--snapshot",
                        str(SAMPLE),
                        "--policies",
                        str(EXAMPLE.relative_to(ROOT)),
                        "--output-dir",
                        str(out),
                        "--format",
                        "json,html,md,csv",
                        "--as-of",
                        AS_OF,
                        "--locale",
                        locale.value,
                    ]
                )
            assert code == 1  # the sample has findings at or above the default --fail-on
            folders[locale] = out
        return folders[locale]

    yield audit


@pytest.mark.parametrize("name", FILES)
def test_sample_report(name: str, sample_reports: SampleReports, report_file: Callable[[Path], object]) -> None:
    path = sample_reports(Locale.EN) / name
    assert path.read_bytes().decode("utf-8") == report_file(path)


EXPECTED = {
    Locale.EN: {
        "title": "Microsoft 365 license audit – Contoso",
        "seats_header": "| Product | Purchased | In grace period | Suspended | Locked out | Assigned | Available | Status | Unused per month |",
        "free_product": "| Microsoft Power Automate Free | 10,056 |  |  |  | 56 | 10,000 | Active | Free |",
        "money": "- Unused licenses per month: **€377\\.95**",
        "as_of": "| Rules evaluated as of | Nov 1, 2026, 06\\:00 UTC |",
        "message": "Tove Jansen (user000007@contoso.example) is blocked from signing in but still holds Power BI Pro and Microsoft 365 E3. The directory audit log, which reaches back 30 days, has no entry of the account being disabled: it was disabled at least 30 days ago.",
        "remediation": "Free or buy Microsoft 365 E3 licenses so that at least 2 stay available.",
    },
    Locale.NL: {
        "title": "Microsoft 365-licentieaudit – Contoso",
        "seats_header": "| Product | Gekocht | In respijtperiode | Opgeschort | Vergrendeld | Toegewezen | Beschikbaar | Status | Ongebruikt per maand |",
        "free_product": "| Microsoft Power Automate Free | 10\\.056 |  |  |  | 56 | 10\\.000 | Actief | Gratis |",
        "money": "- Ongebruikte licenties per maand: **€\xa0377,95**",
        "as_of": "| Regels beoordeeld per | 1 nov 2026 06\\:00 UTC |",
        "message": "Tove Jansen (user000007@contoso.example) is geblokkeerd voor aanmelden maar heeft nog steeds Power BI Pro en Microsoft 365 E3. Het auditlogboek van de directory, dat 30 dagen teruggaat, bevat geen vermelding van het uitschakelen van het account: het is minstens 30 dagen geleden uitgeschakeld.",
        "remediation": "Maak Microsoft 365 E3-licenties vrij of koop er meer bij, zodat er minstens 2 beschikbaar blijven.",
    },
    Locale.DA: {
        "title": "Microsoft 365-licensrevision – Contoso",
        "seats_header": "| Produkt | Købt | I respitperiode | Suspenderet | Spærret | Tildelt | Ledige | Status | Ubrugt pr\\. måned |",
        "free_product": "| Microsoft Power Automate Free | 10\\.056 |  |  |  | 56 | 10\\.000 | Aktiv | Gratis |",
        "money": "- Ubrugte licenser pr\\. måned: **377,95\xa0€**",
        "as_of": "| Regler vurderet pr\\. | 1\\. nov\\. 2026 06\\.00 UTC |",
        "message": "Tove Jansen (user000007@contoso.example) er blokeret for logon, men har stadig Power BI Pro og Microsoft 365 E3. Katalogets overvågningslog, som går 30 dage tilbage, har ingen post om, at kontoen blev deaktiveret: den blev deaktiveret for mindst 30 dage siden.",
        "remediation": "Frigør eller køb Microsoft 365 E3-licenser, så mindst 2 forbliver ledige.",
    },
    Locale.SV: {
        "title": "Licensgranskning för Microsoft 365 – Contoso",
        "seats_header": "| Produkt | Köpta | I respitperiod | Avstängd | Spärrad | Tilldelade | Tillgängliga | Status | Oanvänt per månad |",
        "free_product": "| Microsoft Power Automate Free | 10\xa0056 |  |  |  | 56 | 10\xa0000 | Aktiv | Kostnadsfri |",
        "money": "- Oanvända licenser per månad: **377,95\xa0€**",
        "as_of": "| Reglerna utvärderade per | 1 nov\\. 2026 06\\:00 UTC |",
        "message": "Tove Jansen (user000007@contoso.example) är blockerad från inloggning men har fortfarande Power BI Pro och Microsoft 365 E3. Katalogens granskningslogg, som sträcker sig 30 dagar bakåt, har ingen post om att kontot inaktiverades: det inaktiverades för minst 30 dagar sedan.",
        "remediation": "Frigör eller köp Microsoft 365 E3-licenser så att minst 2 förblir lediga.",
    },
    Locale.TR: {
        "title": "Microsoft 365 lisans denetimi – Contoso",
        "seats_header": "| Ürün | Satın alınan | Yetkisiz kullanım süresinde | Askıya alınan | Kilitlenen | Atanan | Kullanılabilir | Durum | Aylık kullanılmayan |",
        "free_product": "| Microsoft Power Automate Free | 10\\.056 |  |  |  | 56 | 10\\.000 | Etkin | Ücretsiz |",
        "money": "- Kullanılmayan lisansların aylık tutarı: **€377,95**",
        "as_of": "| Kuralların değerlendirildiği tarih | 1 Kas 2026 06\\:00 UTC |",
        "message": "Tove Jansen (user000007@contoso.example) kullanıcısının oturum açması engellenmiş, ancak hâlâ Power BI Pro ve Microsoft 365 E3 ürünleri var. 30 gün geriye uzanan dizin denetim günlüğünde hesabın devre dışı bırakıldığına dair bir kayıt yok: hesap en az 30 gün önce devre dışı bırakıldı.",
        "remediation": "En az 2 tanesi boş kalacak şekilde Microsoft 365 E3 lisanslarını boşaltın veya satın alın.",
    },
}


MARKDOWN_LINES = ("seats_header", "free_product", "money", "as_of")  # whole lines of report.md


def _sentences(folder: Path) -> dict[str, str]:
    """The sentences of EXPECTED as the four files in `folder` have them."""
    html = (folder / "report.html").read_text("utf-8")
    rows = csv.DictReader(io.StringIO((folder / "findings.csv").read_text("utf-8-sig"), newline=""))
    document = json.loads((folder / "report.json").read_text("utf-8"))
    title = re.search("<title>([^<]*)</title>", html)
    return {
        "title": title.group(1) if title else "",
        "message": next(
            r["message"] for r in rows if r["rule"] == DisabledUserLicensed.id and r["display_name"] == "Tove Jansen"
        ),
        "remediation": next(
            f["remediation"]["summary"] for f in document["findings"] if f["rule"] == SpareSeatsUnderMinimum.id
        ),
    }


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_rendered_sentences(locale: Locale, sample_reports: SampleReports) -> None:
    folder = sample_reports(locale)
    expected = EXPECTED[locale]
    assert _sentences(folder) == {key: text for key, text in expected.items() if key not in MARKDOWN_LINES}
    markdown = set((folder / "report.md").read_text("utf-8").splitlines())
    assert [expected[key] for key in MARKDOWN_LINES if expected[key] not in markdown] == []
    assert f'<html lang="{locale.value}">' in (folder / "report.html").read_text("utf-8")
    assert json.loads((folder / "report.json").read_text("utf-8"))["locale"] == locale.value


@pytest.mark.parametrize("locale", [Locale.EN, Locale.NL])
def test_a_sections_last_step_comes_after_each_users_steps(locale: Locale, sample_reports: SampleReports) -> None:
    """Native review 9, S1: only the steps every recipe of a rule begins with are said once above them; a
    step they all end with ("select Replace > Close", the page's source note) stays after each recipe's own
    steps, so under "Product not allowed" a user's "Select the circle next to …" comes before "Replace > Close"."""
    md = (sample_reports(locale) / "report.md").read_text("utf-8").replace("\\", "")
    circle, close = {
        Locale.EN: ("Select the circle next to Direct Assignee", "select Replace > Close"),
        Locale.NL: ("Selecteer de cirkel naast Direct Assignee", "Vervangen > Sluiten"),
    }[locale]
    at = md.index(circle)
    assert close.replace(">", "&gt;") in md[at:] or close in md[at:]
    start = md.rfind("\n#### ", 0, at)
    assert start > 0
    section = md[start:at]
    assert close not in section and close.replace(">", "&gt;") not in section  # never before the user's steps


def _first_steps(md: str) -> dict[str, list[str]]:
    """Each section's steps above its first table (those its rows share), by the section's heading."""
    out = {}
    for section in md.split("\n#### ")[1:]:
        above = section.split("\n|", 1)[0]
        out[section.split("\n", 1)[0]] = [line for line in above.splitlines() if re.match(r"(?:-|\d+\.) ", line)]
    return out


@pytest.mark.parametrize("locale", [Locale.EN, Locale.NL])
def test_the_inactive_users_fix_opens_with_a_whole_step(locale: Locale, sample_reports: SampleReports) -> None:
    """Native review 9, S1's second half: "Inactive user holds licenses" had as its only How-to-fix step the cut
    "If no member of All Office Staff should have Microsoft 365 E3: …" (a step every recipe ends with, hoisted).
    Its steps now open with the first of the recipe's own, said whole."""
    steps = _first_steps((sample_reports(locale) / "report.md").read_text("utf-8"))
    inactive = next(said for title, said in steps.items() if "(inactive\\-user\\-licensed)" in title)
    assert len(inactive) > 1 and not inactive[0].rstrip().endswith("…"), inactive


def test_a_reason_said_earlier_points_at_the_row_that_said_it(sample_reports: SampleReports) -> None:
    """Native review 9, S2: "as under “Security feature without a license”" named a section of 12 rows and two
    reasons; the pointer names the row whose reason it is."""
    md = (sample_reports(Locale.EN) / "report.md").read_text("utf-8").replace("\\", "")
    marta = [line for line in md.splitlines() if line.startswith("| **Marta Kowalski**")]
    assert any("as for New Starter under “Security feature without a license”" in line for line in marta)
    assert not any("as under “" in line for line in marta)
