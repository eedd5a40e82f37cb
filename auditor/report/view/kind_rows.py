"""report.json's `account_kinds` (auditor.evaluation.engine.account_kind_rows) for the templates: a row per kind
of account that is not a person's and holds licenses (how many, which products, what they cost), so
an account that no rule judges, or that a policy excepts, is still seen (docs/account-kinds.md).
Every value shown is a number formatted here, a product's name, or the catalog's label of the kind."""

from __future__ import annotations

import msgspec

from auditor.formats.report_model import ReportDocument
from auditor.render.text import clean
from auditor.report.view.context import RenderContext, product_label

NAME_LIMIT = 400


class KindRow(msgspec.Struct, frozen=True):
    label: str
    accounts: str
    products: str
    monthly: str


def _labels(ctx: RenderContext) -> dict[str, str]:
    t = ctx.t
    return {
        "guest": t.pgettext("kind_guest", "Guests"),
        "shared": t.pgettext("kind_shared", "Shared mailboxes"),
        "room": t.pgettext("kind_room", "Room mailboxes"),
        "equipment": t.pgettext("kind_equipment", "Equipment mailboxes"),
        "resource": t.pgettext("kind_resource", "Teams resource accounts"),
        "teams_rooms": t.pgettext("kind_teams_rooms", "Teams Rooms accounts"),
        "agent": t.pgettext("kind_agent", "Agent users"),
        "break_glass": t.pgettext("kind_break_glass", "Break-glass accounts"),
        "service": t.pgettext("kind_service", "Service accounts"),
    }


def build_kind_rows(ctx: RenderContext, document: ReportDocument, currency: str | None) -> tuple[KindRow, ...]:
    labels = _labels(ctx)
    rows = []
    for row in document.account_kinds or ():
        if row.kind not in labels:
            continue
        text = ", ".join(f"{product_label(part, ctx.names)} × {ctx.num(n)}" for part, n in sorted(row.products.items()))
        rows.append(
            KindRow(
                label=labels[row.kind],
                accounts=ctx.num(row.accounts),
                products=clean(text, NAME_LIMIT),
                monthly=ctx.money(row.monthly, currency),
            )
        )
    return tuple(rows)
