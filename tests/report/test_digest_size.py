"""The digest stays an e-mail an admin reads in two minutes at any tenant size, in every locale:
under 100 KB (Gmail clips a message over 102 KB) and 1,500 words, with at most 20 people named
among the new findings and at most 10 top actions."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import msgspec
import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.model import Cloud, Locale
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument
from auditor.plan.summary import header_plan, plan_header
from auditor.report.baseline import compare
from auditor.report.digest import render_digest
from auditor.report.view.states import plan_states

ROOT = Path(__file__).parents[2]
BYTES = 100_000
WORDS = 1_500
LONG_NAME = ("Ana " * 64)[:256]  # as long as Entra allows, and as many words as it can hold


def words(page: str) -> int:
    return len(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<head>.*?</head>", " ", page, flags=re.S))).split())


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> ReportDocument:
    """The demo tenant's report grown to 5,000 findings, every one new since the baseline, each
    user's name as long and wordy as Entra allows."""
    out = tmp_path_factory.mktemp("demo")
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json"),
                "--policies",
                str(ROOT / "examples" / "contoso-policy.yaml"),
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
            ]
        )
        == 1
    )
    doc = decode_report((out / "report.json").read_bytes(), "report.json")
    templates = [f for f in doc.findings if f.subject.type == "user"]
    findings = []
    for i in range(5_000):
        f = copy.deepcopy(templates[i % len(templates)])
        f.id = f"{i:016x}"
        f.subject = msgspec.structs.replace(
            f.subject,
            display_name=LONG_NAME,
            upn=f"{'a' * 50}{i}@contoso.example",
            id=f"00000000-0000-0000-0000-{i:012d}",
        )
        f.monthly_cost = float(i % 97)
        findings.append(f)
    doc.findings = findings
    baseline = msgspec.structs.replace(doc, findings=[], generated_at="2026-10-31T06:00:00Z")
    return compare(baseline, doc)


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_the_digest_of_5000_findings_stays_small(large: ReportDocument, locale: Locale) -> None:
    plan = header_plan(large)
    page, text = render_digest(
        large,
        locale=locale,
        cloud=Cloud.WORLDWIDE,
        wording=wording,
        plan_line=plan_header(large, locale, plan),
        states=None if plan is None else plan_states(plan, locale),
    )
    assert len(page.encode("utf-8")) < BYTES, len(page.encode("utf-8"))
    assert len(text.encode("utf-8")) < BYTES
    assert words(page) < WORDS, words(page)
    assert len(text.split()) < WORDS, len(text.split())
    named = page.count("@contoso.example")  # the new findings' people, then the top actions'
    assert named <= 20 + 10
    assert text.count("\n- ") >= 10  # top actions and rules are there all the same


def test_a_capped_list_says_how_many_more(large: ReportDocument) -> None:
    _page, text = render_digest(large, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=wording)
    new = sum(1 for f in large.findings if f.change == "new" and not f.waived)
    assert 4_000 < new <= 5_000
    more = [int(n.replace(",", "")) for n in re.findall(r" and ([\d,]+) more", text)]
    assert sum(more) == new - 20  # everyone new is named or counted
    assert f"New: {new:,} · Resolved: 0" in text
