"""report.html: one self-contained, e-mail-safe page (inline CSS, table layout, no scripts,
no external images or fonts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.model import Cloud, Locale
from auditor.render.environment import html_environment
from auditor.report.capped import render_capped
from auditor.report.view import RowMemo
from auditor.report.view.states import FindingState
from auditor.report.wording_api import Wording

SIZE_LIMIT = 1_000_000  # bytes: mail gateways and clients clip or reject larger bodies
CAP_PER_RULE = 50


def render_html(
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
    """The HTML report. Shows at most `cap_per_rule` findings per rule, and fewer when needed to
    stay under `size_limit` bytes; each rule section says how many more are in the CSV/JSON. It is
    read, not searched: the steps of a fix only one finding has are in report.md and report.json."""
    template = html_environment().get_template("report.html.j2")
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
        every_fix=False,
    )
