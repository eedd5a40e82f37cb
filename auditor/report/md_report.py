"""report.md: a compact summary for the GitHub Actions job page ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.insights.view import insights_view
from auditor.model import Cloud, Locale
from auditor.plan.summary import plan_header
from auditor.report.environment import markdown_environment
from auditor.report.guidance_api import Guidance
from auditor.report.view import RowMemo, build_view

SIZE_LIMIT = 1_000_000  # bytes; GitHub rejects a step summary over 1 MiB
CAP_PER_RULE = 10


def render_markdown(
    document: Mapping[str, Any],
    *,
    locale: Locale,
    cloud: Cloud,
    guidance: Guidance,
    redacted: bool = False,
    plan_line: str | None = None,
    cap_per_rule: int = CAP_PER_RULE,
    size_limit: int = SIZE_LIMIT,
    memo: RowMemo | None = None,
) -> str:
    """The Markdown summary; every tenant-sourced value is escaped (see auditor.report.text)."""
    template = markdown_environment().get_template("summary.md.j2")
    cap = cap_per_rule
    memo = memo if memo is not None else RowMemo()  # a smaller cap reuses the rows already built
    extras = insights_view(document, locale)
    if plan_line is None:
        plan_line = plan_header(document, locale)
    while True:
        view = build_view(document, locale=locale, cloud=cloud, guidance=guidance, cap_per_rule=cap, redacted=redacted,
                          plan_line=plan_line, memo=memo)
        text = template.render(v=view, t=view.t, x=extras)
        if cap == 0 or len(text.encode("utf-8")) <= size_limit:
            return text
        cap //= 2
