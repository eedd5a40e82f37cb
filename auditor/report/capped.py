"""The one render loop of report.html and report.md: at most a number of findings per rule,
fewer when the page would be over its size limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Template

from auditor.model import Cloud, Locale
from auditor.plan.bill_view import bill_view, document_currency
from auditor.plan.summary import header_plan, plan_header
from auditor.report.view import RowMemo, build_view
from auditor.report.view.insights import insights_view
from auditor.report.view.states import FindingState, document_states
from auditor.report.wording_api import Wording


def render_capped(
    template: Template,
    document: Mapping[str, Any],
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    redacted: bool,
    plan_line: str | None,
    cap_per_rule: int,
    size_limit: int,
    memo: RowMemo | None,
    states: Mapping[str, FindingState] | None = None,
    every_fix: bool = True,
) -> str:
    """`template` rendered with at most `cap_per_rule` findings per rule (and the steps of every
    fix, or without `every_fix` of those several findings share); while the text is over
    `size_limit` bytes, again with half as many (each rule section says how many more are in
    findings.csv and report.json), down to none."""
    cap = cap_per_rule
    memo = memo if memo is not None else RowMemo()  # a smaller cap reuses the rows already built
    extras = insights_view(document, locale)
    bill = bill_view(
        document.get("bill"),
        document_currency(document),
        locale,  # audit with billing facts
        document.get("money"),
    )
    if plan_line is None or states is None:
        plan = header_plan(document)
        plan_line = plan_header(document, locale, plan) if plan_line is None else plan_line
        states = document_states(document, plan, locale)
    while True:
        view = build_view(
            document,
            locale=locale,
            cloud=cloud,
            wording=wording,
            cap_per_rule=cap,
            redacted=redacted,
            plan_line=plan_line,
            memo=memo,
            states=states,
            every_fix=every_fix,
        )
        text: str = template.render(v=view, t=view.t, x=extras, b=bill)
        if cap == 0 or len(text.encode("utf-8")) <= size_limit:
            return text
        cap //= 2
