"""Every tenant's report.html of the many-tenant demo (`audit --demo --tenants`, the language chosen with
--locale for every tenant) stays readable: at most 6,000 words in every language (issue 110), counted as
tests/report/test_report_words.py counts the demo's (tags stripped, <head> dropped). Contoso's report is
the demo's plus the distributor's seats (Pax8) and what the customer is billed (ConnectWise); the
distributor's lines say a product matched by its name and the MSP's month once, each in one line.

Measured at 6,226 in English and 6,274 in Dutch before the report said things once (issue 110): a row's
reason its fix says, a header over cells that say what they are, a label or heading in every section, a run
of steps shown before, shorter texts; with F3 bought at Pax8 (issue 108) and the closing list of products in
use kept (issue 77), 5,757 and 5,873 (da 5,580, sv 5,615, tr 5,220; Fabrikam at most 943; Northwind at most
4,853)."""

from __future__ import annotations

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from tests.demo_runs import DemoRuns

from .test_digest_size import words

CEILING = 6_000
TENANTS = ("contoso", "fabrikam", "northwind")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, demo_runs: DemoRuns) -> dict[tuple[str, Locale], str]:
    out: dict[tuple[str, Locale], str] = {}
    for locale in Locale:
        if locale is Locale.EN:  # no demo tenant sets a language: the session's run is English (exit 1 checked)
            folder = demo_runs.fleet()
        else:
            folder = tmp_path_factory.mktemp(f"fleet-{locale.value}")
            assert main(["audit", "--demo", "--tenants", "--locale", locale.value, "--output-dir", str(folder)]) == 1
        assert sorted(p.parent.name for p in folder.glob("*/report.html")) == list(TENANTS)
        for tenant in TENANTS:
            out[tenant, locale] = (folder / tenant / "report.html").read_text("utf-8")
    return out


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_each_tenants_report_is_within_6000_words(
    pages: dict[tuple[str, Locale], str], tenant: str, locale: Locale
) -> None:
    assert words(pages[tenant, locale]) <= CEILING, words(pages[tenant, locale])


def test_contosos_report_has_the_distributor_and_the_psa(pages: dict[tuple[str, Locale], str]) -> None:
    """The count is of the report with both fleet sections, each line of the MSP's month said once."""
    page = pages["contoso", Locale.EN].replace("&#39;", "'")
    assert "Seats at the distributor (Pax8)" in page and "What the customer is billed (ConnectWise)" in page
    assert page.count("Each month at the distributor, this customer: cost €7,328.57") == 1
    assert page.count("Matched to the distributor's products by their names only: Power BI Pro and") == 1
