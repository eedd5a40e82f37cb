"""report.json's `license_insight` (auditor/impact/license_insight_comparison.py) for the templates:
Microsoft's own counts beside the auditor's, a row per count, and a sentence when they differ. Every
value shown is a number formatted here; the document's texts are not shown (the labels are the
catalog's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from msgspec import UNSET

from auditor.data.license_insight_data import InsightComparison
from auditor.formats.report_model import ReportDocument
from auditor.report.view.context import RenderContext


class InsightRow(msgspec.Struct, frozen=True):
    label: str
    microsoft: str
    auditor: str
    differs: bool
    why: str = ""  # why the auditor's count differs, beyond the note: "" when nothing more


class LicenseInsightView(msgspec.Struct, frozen=True):
    rows: tuple[InsightRow, ...]
    differs_note: str  # "" when every count read on both sides agrees


def _labels(ctx: RenderContext) -> dict[str, str]:
    t = ctx.t
    return {
        "premium_licenses": t.pgettext("insight_premium_licenses", "P1 and P2 licenses"),
        "p2_licenses": t.pgettext("insight_p2_licenses", "P2 licenses"),
        "conditional_access_users": t.pgettext("insight_ca_users", "Conditional Access: members"),
        "conditional_access_guests": t.pgettext("insight_ca_guests", "Conditional Access: guests"),
        "risk_based_users": t.pgettext("insight_risk_users", "Risk-based Conditional Access: members"),
        "risk_based_guests": t.pgettext("insight_risk_guests", "Risk-based Conditional Access: guests"),
    }


def _count(ctx: RenderContext, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return ctx.num(value)
    return ctx.t.pgettext("insight_not_read", "not read")


def _why(ctx: RenderContext, why: Mapping[str, int | None]) -> str:
    """What report.json's row says besides the note under the table (which says that Microsoft counts
    who used a feature and the licenses it grants): guests, disabled accounts, PIM's role holders."""
    t = ctx.t
    said: list[str] = []
    for reason, value in why.items():
        n = value or 0
        if reason == "guests":
            said.append(t.pgettext("insight_why_guests", "billed by monthly active users"))
        elif reason == "disabled_members" and n:
            said.append(
                t.npgettext(
                    "insight_why_disabled", "{n} disabled account not counted", "{n} disabled accounts not counted", n
                )
            )
        elif reason == "pim_roles" and n:
            said.append(
                t.npgettext(
                    "insight_why_pim_roles",
                    "{n} user eligible for a named role, counted under PIM",
                    "{n} users eligible for a named role, counted under PIM",
                    n,
                )
            )
    return "; ".join(said)


def build_license_insight(ctx: RenderContext, document: ReportDocument) -> LicenseInsightView | None:
    """The block, or None when the report holds no such counts."""
    found = document.license_insight
    if not isinstance(found, InsightComparison):
        return None
    labels = _labels(ctx)
    rows = []
    for row in found.rows:
        if row.count not in labels:
            continue
        theirs, ours = row.microsoft, row.auditor
        rows.append(
            InsightRow(
                label=labels[row.count],
                microsoft=_count(ctx, theirs),
                auditor=_count(ctx, ours),
                differs=theirs is not None and ours is not None and theirs != ours,
                why=_why(ctx, row.why) if row.why is not UNSET else "",
            )
        )
    note = ""
    if any(r.differs for r in rows):
        note = ctx.t.pgettext(
            "insight_differs",
            "Microsoft counts entitlements and the users who used a feature; license-auditor counts, as the licensing "
            "terms do, the seats of every product that includes the service plan, and every user in scope.",
        )
    return LicenseInsightView(rows=tuple(rows), differs_note=note)
