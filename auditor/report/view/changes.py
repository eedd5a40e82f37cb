"""The changes part of the report view: what is new, resolved or not re-checked since the baseline
report (`--baseline`, auditor.report.baseline)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from auditor import i18n
from auditor.formats.report_model import BaselineChanges, ReportDocument, ReportFinding
from auditor.render.text import clean
from auditor.report.view.context import RenderContext, products_text, subject_text


class ChangeItem(msgspec.Struct, frozen=True):
    rule_title: str
    severity_label: str
    subject_name: str
    subject_detail: str
    products: str
    id: str = ""  # the finding's id (its cause, auditor.insights, is looked up by it)


class ChangeGroup(msgspec.Struct, frozen=True):
    title: str
    entries: tuple[ChangeItem, ...]
    more: str


class Changes(msgspec.Struct, frozen=True):
    baseline_text: str
    new_count: str
    persisting_count: str
    resolved_count: str
    unverified_count: str
    has_unverified: bool
    groups: tuple[ChangeGroup, ...]  # new, resolved, not re-checked; empty ones left out


def _change_items(
    ctx: RenderContext, findings: Sequence[ReportFinding], cap: int
) -> tuple[tuple[ChangeItem, ...], str]:
    items = []
    for finding in findings[:cap]:
        name, detail = subject_text(finding.subject, twins=ctx.twins)
        items.append(
            ChangeItem(
                rule_title=ctx.title(finding.rule),
                severity_label=ctx.severity_label(finding.severity),
                subject_name=name,
                subject_detail=detail,
                products=products_text(finding.skus),
                id=clean(finding.id, 64),
            )
        )
    more = len(findings) - len(items)
    return tuple(items), ctx.list_more(more)


def build_changes(ctx: RenderContext, document: ReportDocument, cap: int) -> Changes | None:
    """The changes since the baseline, at most `cap` entries per group; None without a baseline."""
    changes = document.changes
    if not isinstance(changes, BaselineChanges):
        return None
    findings = document.findings
    new = [f for f in findings if f.change == "new"]
    persisting = sum(1 for f in findings if f.change == "persisting")
    resolved, unverified = changes.resolved, changes.unverified
    new_items, new_more = _change_items(ctx, new, cap)
    resolved_items, resolved_more = _change_items(ctx, resolved, cap)
    unverified_items, unverified_more = _change_items(ctx, unverified, cap)
    return Changes(
        baseline_text=ctx.t.pgettext(
            "changes_baseline",
            "Compared with the report generated {date}.",
            date=i18n.format_datetime(changes.baseline_generated_at or "", ctx.locale),
        ),
        new_count=ctx.num(len(new)),
        persisting_count=ctx.num(persisting),
        resolved_count=ctx.num(len(resolved)),
        unverified_count=ctx.num(len(unverified)),
        has_unverified=bool(unverified),
        groups=tuple(
            ChangeGroup(title, entries, more)
            for title, entries, more in (
                (ctx.t.pgettext("changes_new_title", "New findings"), new_items, new_more),
                (ctx.t.pgettext("changes_resolved_title", "Resolved findings"), resolved_items, resolved_more),
                (
                    ctx.t.pgettext("changes_unverified_title", "Earlier findings not re-checked"),
                    unverified_items,
                    unverified_more,
                ),
            )
            if entries
        ),
    )
