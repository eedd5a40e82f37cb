"""The report header's plan line: compiled from the report it heads, in the report's language."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument
from auditor.plan.compile import compile_plan
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.view import PageContext
from auditor.report.write import RenderOptions, render
from tests.report.report_fixtures import FakeGuidance

from .builders import (
    FORBIDDEN,
    G_E3,
    G_E5,
    NOT_ALLOWED,
    REQUIRED,
    assign,
    finding,
    join,
    leave,
    lookup,
    report,
    seat,
    uid,
)

SEATS = [seat("SPE_E5", 10, 8, price=57.0), seat("SPE_E3", 10, 10, price=33.75)]


def _document() -> ReportDocument:
    u1, u2, u3 = uid(1), uid(2), uid(3)
    document = report(
        [
            finding("f1", FORBIDDEN, u1, [assign(u1, remove=["SPE_E5"])]),
            finding("f2", NOT_ALLOWED, u2, [join(u2, G_E3, {"SPE_E3": 1}), leave(u2, G_E5, {"SPE_E5": -1})]),
            finding("f3", FORBIDDEN, u3, [lookup()]),
            finding("f4", FORBIDDEN, uid(4), [assign(uid(4), remove=["SPE_E3"])], waived=True),
        ],
        SEATS,
    )
    return document  # the typed document the renderers read


def _md(document: dict[str, Any], locale: Locale = Locale.EN) -> str:
    return render_page(MARKDOWN, document, PageContext(locale, Cloud.WORLDWIDE, FakeGuidance()))


def _html(document: dict[str, Any], locale: Locale = Locale.EN) -> str:
    return render_page(HTML, document, PageContext(locale, Cloud.WORLDWIDE, FakeGuidance()))


def test_markdown_header_says_how_many_changes_and_the_net_cost() -> None:
    text = _md(_document())
    # E3 is full: the plan stops at user 2's join; user 1's removal runs
    assert (
        "| Plan | 1 change, lowering license costs by €57\\.00 a month; stops at change 2\\: no free "
        "Microsoft 365 E3 seat; 2 findings need a person |\n"
    ) in text
    assert text.index("| Plan |") < text.index("| Policies |") + 200  # in the header table


def test_html_header_says_it_too() -> None:
    html = _html(_document())
    assert (
        '<td style="padding-right:12px;font-weight:bold;">Plan</td><td>1 change, lowering license costs by '
        "€57.00 a month; stops at change 2: no free Microsoft 365 E3 seat; 2 findings need a person</td>"
    ) in html


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        (
            Locale.NL,
            "| Plan | 1 wijziging, licentiekosten €\u00a057,00 per maand lager; stopt bij wijziging 2\\: geen "
            "vrije licentie voor Microsoft 365 E3; over 2 bevindingen moet een beheerder beslissen |",
        ),
        (
            Locale.DA,
            "| Plan | 1 ændring, licensomkostninger 57,00\u00a0€ pr\\. måned lavere; stopper ved ændring 2\\: "
            "ingen ledig licens til Microsoft 365 E3; 2 fund kræver en administrators afgørelse |",
        ),
        (
            Locale.SV,
            "| Plan | 1 ändring, licenskostnaden 57,00\u00a0€ per månad lägre; stoppar vid ändring 2\\: ingen "
            "ledig licens för Microsoft 365 E3; 2 avvikelser kräver en administratörs beslut |",
        ),
        (
            Locale.TR,
            "| Plan | 1 değişiklik, lisans maliyeti aylık €57,00 daha düşük; 2\\. değişiklikte durur\\: boş "
            "Microsoft 365 E3 lisansı yok; 2 bulgu için yönetici kararı gerekiyor |",
        ),
    ],
)
def test_the_header_line_is_in_the_reports_language(locale: Locale, line: str) -> None:
    assert line in _md(_document(), locale)


def test_an_empty_plan_still_says_so() -> None:
    document = report([finding("f1", FORBIDDEN, uid(1), [lookup()])], SEATS)
    assert "| Plan | 0 changes, license costs unchanged; 1 finding needs a person |" in _md(document)


def test_a_plan_that_costs_more_says_plus() -> None:
    document = report([finding("f1", REQUIRED, uid(1), [assign(uid(1), add=["SPE_E5"])])], SEATS)
    assert "| Plan | 1 change, raising license costs by €57\\.00 a month |" in _md(document)


def test_render_writes_the_line_into_both_headers(tmp_path: Path) -> None:
    render(_document(), tmp_path, RenderOptions(formats=["html", "md"], locale=Locale.NL, wording=FakeGuidance()))
    assert "<td>1 wijziging, licentiekosten €\u00a057,00 per maand lager;" in (tmp_path / "report.html").read_text()
    assert "| Plan | 1 wijziging, licentiekosten €\u00a057,00 per maand lager;" in (tmp_path / "report.md").read_text()


def test_render_compiles_the_plan_once_for_both_headers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counted(document: Any, **kw: Any) -> Any:
        calls.append(1)
        return compile_plan(document, **kw)

    monkeypatch.setattr(sys.modules["auditor.plan.summary"], "compile_plan", counted)
    render(_document(), tmp_path, RenderOptions(formats=["html", "md"], wording=FakeGuidance()))
    assert len(calls) == 1


def test_an_audit_compiles_its_plan_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The renewal forecast (which counts the seats the plan frees) and the report header share one
    compiled plan; the sample has subscriptions, so both need it."""
    import importlib

    from auditor.cli import main

    forecast = importlib.import_module("auditor.insights.forecast")
    summary = importlib.import_module("auditor.plan.summary")  # the package's `summary` is a function

    calls: list[int] = []

    def counted(document: Any, **kw: Any) -> Any:
        calls.append(1)
        return compile_plan(document, **kw)

    monkeypatch.setattr(forecast, "compile_plan", counted)
    monkeypatch.setattr(summary, "compile_plan", counted)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    root = Path(__file__).resolve().parents[2]
    code = main(
        [
            "audit",
            "--snapshot",
            str(root / "auditor_dev" / "sample" / "sample-tenant.json"),
            "--policies",
            str(root / "examples" / "contoso-policy.yaml"),
            "--output-dir",
            str(tmp_path / "out"),
            "--fail-on",
            "never",
            "--as-of",
            "2026-11-01T06:00:00Z",
            "--format",
            "html,md",
        ]
    )
    assert code == 0
    assert (tmp_path / "out" / "report.md").read_text(encoding="utf-8").count("change") > 0
    assert len(calls) == 1
