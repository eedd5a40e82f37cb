"""Size caps: report.html under 1 MB and report.md under 1 MiB whatever the tenant size, while
findings.csv keeps every finding.

The 100,000-user tenant's tests are `slow` (the CI job `benchmark`, `pytest -m slow`); the caps'
behaviour is held in the suite too: on a tenant past the cap (2,000 users, 2,200 findings) the pages
list 50 findings of a rule and name the rest while findings.csv keeps them all, and hostile input
(every rule at 2,000 findings of the longest names) stays under both limits."""

from __future__ import annotations

import copy
import csv
import io

import msgspec
import pytest

from auditor.data.finding_facts import Subject
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.csv_report import render_csv
from auditor.report.view import PageContext
from auditor.rules.hygiene.accounts import InactiveUserLicensed

from .report_fixtures import RULES, FakeGuidance, build_big, build_sample, user

HTML_LIMIT = 1_000_000
MD_LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def big() -> ReportDocument:
    return build_big(100_000)  # 110,000+ findings


@pytest.mark.slow
def test_html_of_a_100k_user_tenant_stays_small(big: ReportDocument) -> None:
    html = render_page(HTML, big, PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    assert len(html.encode("utf-8")) < HTML_LIMIT
    inactive = sum(1 for f in big.findings if f.rule == InactiveUserLicensed.id)
    assert f"{inactive - 50:,} more findings of this rule are listed in findings.csv and report.json." in html


@pytest.mark.slow
def test_markdown_of_a_100k_user_tenant_stays_small(big: ReportDocument) -> None:
    markdown = render_page(MARKDOWN, big, PageContext(Locale.SV, Cloud.WORLDWIDE, FakeGuidance()))
    assert len(markdown.encode("utf-8")) < MD_LIMIT
    assert "avvikelser för den här regeln finns i findings\\.csv och report\\.json" in markdown


@pytest.mark.slow
def test_csv_keeps_every_finding(big: ReportDocument) -> None:
    text = render_csv(big, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=FakeGuidance())
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + len(big.findings)
    assert rows[-1][4] == "user099999@contoso.example"


def test_past_the_cap_the_pages_name_the_rest_and_the_csv_keeps_every_finding() -> None:
    doc = build_big(2_000)
    inactive = sum(1 for f in doc.findings if f.rule == InactiveUserLicensed.id)
    html = render_page(HTML, doc, PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    assert f"{inactive - 50:,} more findings of this rule are listed in findings.csv and report.json." in html
    markdown = render_page(MARKDOWN, doc, PageContext(Locale.SV, Cloud.WORLDWIDE, FakeGuidance()))
    assert "avvikelser för den här regeln finns i findings\\.csv och report\\.json" in markdown
    rows = list(
        csv.reader(io.StringIO(render_csv(doc, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=FakeGuidance())))
    )
    assert len(rows) == 1 + len(doc.findings) and rows[-1][4] == "user001999@contoso.example"


def _worst_case() -> ReportDocument:
    """Every rule with 2,000 findings whose names are as long as Entra allows and expand the
    most when escaped."""
    doc = build_sample(complete=True)
    templates = {f.rule: f for f in doc.findings}
    findings = []
    for rule in RULES:
        for i in range(2000):
            f = copy.copy(templates[rule])
            name = ('"<&>' * 64)[:256]
            f.subject = msgspec.convert(user(f"id-{rule}-{i}", f"{'&' * 60}{i}@contoso.example", name), Subject)
            f.id = f"{rule}-{i}"
            f.message = name * 4
            findings.append(f)
    doc.findings = findings
    doc.warnings = ['"<&>' * 200] * 500
    doc.skus = doc.skus * 300
    return doc


def test_html_size_cap_holds_for_hostile_input() -> None:
    doc = _worst_case()
    html = render_page(HTML, doc, PageContext(Locale.TR, Cloud.WORLDWIDE, FakeGuidance()))
    assert len(html.encode("utf-8")) < HTML_LIMIT
    assert html.count("findings.csv ve report.json dosyalarında listeleniyor") == len(RULES)
    markdown = render_page(MARKDOWN, doc, PageContext(Locale.TR, Cloud.WORLDWIDE, FakeGuidance()))
    assert len(markdown.encode("utf-8")) < MD_LIMIT
