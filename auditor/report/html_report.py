"""report.html: one self-contained, e-mail-safe page (inline CSS, table layout, no scripts,
no external images or fonts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.insights.view import insights_view
from auditor.model import Cloud, Locale
from auditor.plan.summary import plan_header
from auditor.report.environment import html_environment
from auditor.report.guidance_api import Guidance
from auditor.report.view import RowMemo, build_view

SIZE_LIMIT = 1_000_000  # bytes: mail gateways and clients clip or reject larger bodies
CAP_PER_RULE = 50


def render_html(
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
    """The HTML report. Shows at most `cap_per_rule` findings per rule, and fewer when needed to
    stay under `size_limit` bytes; each rule section says how many more are in the CSV/JSON."""
    template = html_environment().get_template("report.html.j2")
    cap = cap_per_rule
    memo = memo if memo is not None else RowMemo()  # a smaller cap reuses the rows already built
    extras = insights_view(document, locale)
    if plan_line is None:
        plan_line = plan_header(document, locale)
    while True:
        view = build_view(document, locale=locale, cloud=cloud, guidance=guidance, cap_per_rule=cap, redacted=redacted,
                          plan_line=plan_line, memo=memo)
        html = template.render(v=view, t=view.t, x=extras)
        if cap == 0 or len(html.encode("utf-8")) <= size_limit:
            return html
        cap //= 2
