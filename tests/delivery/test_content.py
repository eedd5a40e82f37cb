"""Subject line, header safety and run links, from report.json alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.common.errors import UsageError
from auditor.delivery.content import build_mail, header_safe, run_url_from_env, subject_for
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument

from .conftest import REPORT, recorded


def report(**summary: Any) -> ReportDocument:
    """REPORT as the e-mail reads it (auditor.delivery.content.load_report), with `summary`'s values."""
    data = json.loads(json.dumps(REPORT))
    data["summary"].update(summary)
    return decode_report(json.dumps(data), "report.json")


def test_subject_counts_and_cost() -> None:
    assert subject_for(report()) == "[license-auditor] Contoso: 2 high, 9 medium, EUR 1,240/month unused"
    data = report(
        by_severity={"critical": 1, "high": 0, "medium": 0, "low": 3},
        unused_monthly_cost={"amount": 12345.6, "currency": "USD"},
    )
    assert subject_for(data) == "[license-auditor] Contoso: 1 critical, 3 low, USD 12,346/month unused"


def test_subject_when_clean_or_unpriced() -> None:
    data = report(
        by_severity={"critical": 0, "high": 0, "medium": 0, "low": 0},
        unused_monthly_cost={"amount": 0.0, "currency": "EUR"},
    )
    assert subject_for(data) == "[license-auditor] Contoso: no findings"
    data = report(by_severity=dict.fromkeys(("critical", "high", "medium", "low"), 0), unused_monthly_cost=None)
    assert subject_for(data) == "[license-auditor] Contoso: no findings"


def test_incomplete_audit_never_reads_clean() -> None:
    data = report(by_severity={"critical": 0, "high": 0, "medium": 0, "low": 0})
    data.complete = False
    assert subject_for(data).startswith("[license-auditor] Contoso: INCOMPLETE DATA, no findings")


def test_header_safe_strips_every_line_breaker() -> None:
    assert header_safe("A\rB\nC\x85D\u2028E\u2029F\x00G\u200eH\tI") == "A B C D E F G H I"
    assert header_safe("x" * 200) == "x" * 79 + "…"
    data = report()
    data.tenant.name = "\r\n"
    assert subject_for(data).startswith("[license-auditor] 11111111-2222-3333-4444-555555555555: ")


@pytest.mark.parametrize(
    ("env", "url"),
    [
        (
            {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "1"},
            "https://github.com/o/r/actions/runs/1",
        ),
        (
            {
                "GITHUB_SERVER_URL": "https://ghe.contoso.example/",
                "GITHUB_REPOSITORY": "it/audit",
                "GITHUB_RUN_ID": "77",
            },
            "https://ghe.contoso.example/it/audit/actions/runs/77",
        ),
        ({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "1\r\nX: y"}, None),
        ({"GITHUB_SERVER_URL": "javascript:alert(1)", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "1"}, None),
        ({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": 'o/r"><script>', "GITHUB_RUN_ID": "1"}, None),
        ({}, None),
    ],
)
def test_run_url_only_from_well_formed_variables(env: dict[str, str], url: str | None) -> None:
    assert run_url_from_env(env) == url


def test_bad_report_directories(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"report.json: not found"):
        build_mail(tmp_path, attachment_limit=10, run_url=None)
    (tmp_path / "report.json").write_text('{"summary": ', encoding="utf-8")
    with pytest.raises(UsageError, match=r"report.json:1:13: not valid JSON"):
        build_mail(tmp_path, attachment_limit=10, run_url=None)
    (tmp_path / "report.json").write_text("[]", encoding="utf-8")
    with pytest.raises(UsageError, match="not a license-auditor report"):
        build_mail(tmp_path, attachment_limit=10, run_url=None)


def test_html_without_body_tag_gets_the_banner_in_front(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps(REPORT), encoding="utf-8")
    (tmp_path / "digest.html").write_text("<p>fragment</p>", encoding="utf-8")
    recorded(tmp_path)  # the files as one run wrote them
    mail = build_mail(tmp_path, attachment_limit=10, run_url="https://github.com/o/r/actions/runs/1")
    assert mail.html is not None
    assert mail.html.startswith('<div class="delivery-notes">') and mail.html.endswith("<p>fragment</p>")
