"""report.html and report.md, rendered by one loop: at most a number of findings per rule, fewer
when the page would be over its size limit.

    HTML      report.html: one self-contained, e-mail-safe page (inline CSS, table layout, no
              scripts, no external images or fonts)
    MARKDOWN  report.md: a compact summary for the GitHub Actions job page ($GITHUB_STEP_SUMMARY);
              every tenant-sourced value is escaped (see auditor.render.text)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from jinja2 import Environment, Template
from msgspec import UNSET

from auditor.formats.report_model import ReportDocument
from auditor.plan.bill_view import bill_view, document_currency
from auditor.plan.summary import header_plan, plan_header
from auditor.render.environment import html_environment, markdown_environment
from auditor.report.view import PageContext, RowMemo, build_view
from auditor.report.view.insights import insights_view
from auditor.report.view.states import document_states


@dataclass(frozen=True)
class Page:
    """One of the report's pages: its template and its limits."""

    template: str
    environment: Callable[[], Environment]
    size_limit: int  # bytes
    cap_per_rule: int  # findings shown per rule, at most
    # the steps of every fix, or only of those several findings share (a page read, not searched: the steps of a
    # fix only one finding has stay in report.md and report.json)
    every_fix: bool = True


# mail gateways and clients clip or reject a body over 1 MB
HTML = Page("report.html.j2", html_environment, size_limit=1_000_000, cap_per_rule=50, every_fix=False)
# GitHub rejects a step summary over 1 MiB
MARKDOWN = Page("summary.md.j2", markdown_environment, size_limit=1_000_000, cap_per_rule=10)


def render_page(
    page: Page,
    document: ReportDocument,
    context: PageContext,
    *,
    cap_per_rule: int | None = None,
    size_limit: int | None = None,
) -> str:
    """`page` of `document`: at most `cap_per_rule` findings per rule (the page's own by default), and
    fewer when needed to stay under `size_limit` bytes; each rule section says how many more are in
    the CSV/JSON."""
    return render_capped(
        page.environment().get_template(page.template),
        document,
        context,
        cap_per_rule=page.cap_per_rule if cap_per_rule is None else cap_per_rule,
        size_limit=page.size_limit if size_limit is None else size_limit,
        every_fix=page.every_fix,
    )


def render_capped(
    template: Template,
    document: ReportDocument,
    context: PageContext,
    *,
    cap_per_rule: int,
    size_limit: int,
    every_fix: bool = True,
) -> str:
    """`template` rendered with at most `cap_per_rule` findings per rule (and the steps of every
    fix, or without `every_fix` of those several findings share); while the text is over
    `size_limit` bytes, again with half as many (each rule section says how many more are in
    findings.csv and report.json), down to none."""
    locale, plan_line, states = context.locale, context.plan_line, context.states
    extras = insights_view(document, locale)
    bill = bill_view(
        document.bill if document.bill is not UNSET else None,
        document_currency(document),
        locale,  # audit with billing facts
        document.money if document.money is not UNSET else None,
    )
    if plan_line is None or states is None:
        plan = header_plan(document)
        plan_line = plan_header(document, locale, plan) if plan_line is None else plan_line
        states = document_states(document, plan, locale)
    # the plan compiled once, and a smaller cap reuses the rows already built
    context = replace(context, plan_line=plan_line, states=states, memo=context.memo or RowMemo())
    cap = cap_per_rule
    while True:
        view = build_view(document, context, cap_per_rule=cap, every_fix=every_fix)
        text: str = template.render(v=view, t=view.t, x=extras, b=bill)
        if cap == 0 or len(text.encode("utf-8")) <= size_limit:
            return text
        cap //= 2
