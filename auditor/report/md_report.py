"""report.md: a compact summary for the GitHub Actions job page ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.model import Cloud, Locale
from auditor.render.environment import markdown_environment
from auditor.report.capped import render_capped
from auditor.report.view import RowMemo
from auditor.report.view.states import FindingState
from auditor.report.wording_api import Wording

SIZE_LIMIT = 1_000_000  # bytes; GitHub rejects a step summary over 1 MiB
CAP_PER_RULE = 10


def render_markdown(
    document: Mapping[str, Any],
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    redacted: bool = False,
    plan_line: str | None = None,
    cap_per_rule: int = CAP_PER_RULE,
    size_limit: int = SIZE_LIMIT,
    memo: RowMemo | None = None,
    states: Mapping[str, FindingState] | None = None,
) -> str:
    """The Markdown summary; every tenant-sourced value is escaped (see auditor.render.text)."""
    template = markdown_environment().get_template("summary.md.j2")
    return render_capped(
        template,
        document,
        locale=locale,
        cloud=cloud,
        wording=wording,
        redacted=redacted,
        plan_line=plan_line,
        cap_per_rule=cap_per_rule,
        size_limit=size_limit,
        memo=memo,
        states=states,
    )
