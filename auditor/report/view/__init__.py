"""The view model shared by the HTML and Markdown renderers.

Everything a template shows is computed here, already localised and formatted, so the templates
only lay it out. Tenant-sourced strings pass through `clean` (no control characters, bounded
length); escaping is the template environment's job (HTML autoescape, Markdown finalize).

`build_view` puts the report's header together here; its parts have a module each:
`context` (the locale, cloud and catalog of one rendering, and the limits), `findings` (a
section per rule, the fixes its findings share and a table row per finding, and the RowMemo the
renderers share), `states` (what the plan does about each finding), `changes` (since the
baseline), `seats` (a row per product), `insights` (the nightly blocks: trends, renewals, cost
allocation, causes) and `license_insight_rows` (Microsoft's own counts beside the auditor's). `digest`
is the e-mail's digest of the same document.

The view's records are frozen msgspec Structs rather than dataclasses: they behave alike here
(fields, equality, repr), and defining one costs a few hundredths of a millisecond where a frozen
dataclass costs about one, which every report's start-up pays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import msgspec
from msgspec import UNSET

from auditor import i18n
from auditor.formats.report_model import ExchangeExport, NotEvaluated, ReportDocument, Summary
from auditor.i18n.said import localize
from auditor.plan.holds import ACCOUNT_RULES
from auditor.plan.money import opening
from auditor.plan.summary import plan_header
from auditor.policyset.config_problems import not_said_again
from auditor.render.text import clean
from auditor.report.view.changes import Changes, build_changes
from auditor.report.view.context import (
    LIST_CAP,
    NAME_LIMIT,
    SEVERITIES,
    SEVERITY_COLOURS,
    TABLE_CAP,
    TEXT_LIMIT,
    RenderContext,
    config_problem_lines,
    unset_or,
)
from auditor.report.view.distributor_rows import distributor_lines, distributor_title
from auditor.report.view.findings import RowMemo, RuleSection, build_sections
from auditor.report.view.kind_rows import KindRow, build_kind_rows
from auditor.report.view.license_insight_rows import LicenseInsightView, build_license_insight
from auditor.report.view.once import Role
from auditor.report.view.page import PageContext
from auditor.report.view.psa_rows import psa_lines, psa_title
from auditor.report.view.seats import SeatRow, build_seats, has_lifecycle_seats, in_use_lines

__all__ = ["GapRow", "NotEvaluatedRow", "PageContext", "ReportView", "RowMemo", "SeverityCount", "build_view"]


class GapRow(msgspec.Struct, frozen=True):
    """Tenant data that could not be read: which part, the Graph request, and why."""

    part: str
    request: str
    reason: str


class NotEvaluatedRow(msgspec.Struct, frozen=True):
    """A rule that was not evaluated: its title, the policy entry, and why."""

    rule: str
    policy: str
    reason: str


class SeverityCount(msgspec.Struct, frozen=True):
    key: str
    label: str
    count: int
    count_text: str
    bg: str
    fg: str


class ReportView(msgspec.Struct, frozen=True):
    t: i18n.Translations  # the templates' texts (pgettext/npgettext in auditor.render.environment)
    lang: str
    tenant_name: str
    tenant_id: str
    cloud: str
    generated: str
    as_of: str
    collected: str
    policies: str
    plan: str  # "3 changes, net -€45.60 per month; ..." (auditor.plan), empty for a report without actions
    holds: str  # whether litigation holds were checked (--exchange-export); empty without account findings
    status: str  # ok | findings | incomplete
    status_text: str
    status_colour: str
    complete: bool
    incomplete_rules: str
    gaps: tuple[GapRow, ...]
    gaps_more: str
    not_evaluated: tuple[NotEvaluatedRow, ...]
    not_evaluated_more: str
    changes: Changes | None
    severities: tuple[SeverityCount, ...]
    open_total: str
    waived_total: str
    unused_spend: str
    reclaimable_spend: str
    problems: tuple[str, ...]  # report.json config_problems, one line each (auditor.policyset.config_problems)
    money: str  # the money story the report opens with (auditor.plan.money); "" without `money`
    users_total: str
    users_licensed: str
    seats: tuple[SeatRow, ...]
    seats_more: str
    seats_lifecycle: bool  # some product has seats in grace, suspended or locked out: show those columns
    warnings: tuple[str, ...]
    warnings_more: str
    sections: tuple[RuleSection, ...]
    rest_note: str  # where the steps of the findings a table lists without steps are ("" when none is)
    roles: tuple[Role, ...]  # the roles the sections' recipes name, each once, numbered
    redacted: bool
    generated_by: str
    license_insight: LicenseInsightView | None = None  # Microsoft's own counts beside the auditor's
    in_use: tuple[str, ...] = ()  # the closing summary, a line per product (seats.in_use_lines)
    # when the nightly's sign-in activity was read in full (report.json sign_ins_read_at); "" when by this run
    sign_ins_read: str = ""
    distributor_title: str = ""  # the distributor's seats under the seats table (view.distributor_rows)
    distributor: tuple[str, ...] = ()
    psa_title: str = ""  # the three-way table's differences with the PSA (view.psa_rows)
    psa: tuple[str, ...] = ()
    kinds: tuple[KindRow, ...] = ()  # licensed accounts that are not people, per kind


T = TypeVar("T")


def holds_line(ctx: RenderContext, document: ReportDocument) -> str:
    """Whether the litigation holds of the accounts' mailboxes were checked (--exchange-export,
    docs/exchange-export.md); empty for a report without a finding about an account's licenses."""
    export = document.exchange_export
    if isinstance(export, ExchangeExport):
        return ctx.t.npgettext(
            "holds_checked",
            "checked against the Exchange export {file} ({n} mailbox)",
            "checked against the Exchange export {file} ({n} mailboxes)",
            export.mailboxes,
            file=clean(export.file, 200),
        )
    if any(f.rule in ACCOUNT_RULES for f in document.findings):
        return ctx.t.pgettext(
            "holds_not_checked",
            "not checked (no --exchange-export): a litigation hold the policy declares is accepted without a check",
        )
    return ""


def _capped(items: Sequence[T], cap: int, ctx: RenderContext) -> tuple[list[T], str]:
    more = len(items) - cap
    return list(items[:cap]), ctx.list_more(more)


def build_view(
    document: ReportDocument,
    page: PageContext,
    *,
    cap_per_rule: int,
    every_fix: bool = True,
) -> ReportView:
    """Localise and format `document` for display, as `page` says (PageContext); at most `cap_per_rule`
    findings per rule, and without `every_fix`, the steps of a fix only one finding has left to report.json.
    A renderer that builds the view several times gives `page` the plan's header line, the states and a
    RowMemo, so the plan is compiled once and each finding row built once."""
    locale, cloud, plan_line, memo = page.locale, page.cloud, page.plan_line, page.memo
    ctx = RenderContext(document, locale, cloud, page.wording, page.states)
    summary: Summary = document.summary
    tenant = document.tenant
    tool = document.tool
    complete = document.complete and not document.gaps and not document.not_evaluated
    unwaived = summary.unwaived
    status = "incomplete" if not complete else ("findings" if unwaived else "ok")
    status_text = {
        "incomplete": ctx.t.pgettext("status_incomplete", "Incomplete report: not every rule was evaluated"),
        "findings": ctx.t.pgettext("status_findings", "Findings need attention"),
        "ok": ctx.t.pgettext("status_compliant", "Compliant: no open findings"),
    }

    not_evaluated_all = list(document.not_evaluated)
    rule_ids = sorted({n.rule for n in not_evaluated_all})
    incomplete_rules = (
        ctx.t.pgettext("incomplete_rules", "Rules not evaluated: {rules}", rules=", ".join(map(ctx.title, rule_ids)))
        if rule_ids
        else ""
    )
    gaps, gaps_more = _capped(document.gaps, TABLE_CAP, ctx)
    not_evaluated, not_evaluated_more = _capped(not_evaluated_all, TABLE_CAP, ctx)
    # a warning shown atop the report as a configuration problem is not said again among the warnings
    unsaid = not_said_again(document.warnings, unset_or(document.config_problems, []))
    warnings, warnings_more = _capped(unsaid, LIST_CAP, ctx)

    by_severity = summary.by_severity
    severities = tuple(
        SeverityCount(
            key=s,
            label=ctx.severity_label(s),
            count=by_severity.get(s, 0),
            count_text=ctx.num(by_severity.get(s, 0)),
            bg=SEVERITY_COLOURS[s][0],
            fg=SEVERITY_COLOURS[s][1],
        )
        for s in SEVERITIES
    )
    skus = document.skus
    seats, seats_more = build_seats(ctx, skus)
    roles: dict[str, Role] = {}
    sections = build_sections(ctx, document.findings, cap_per_rule, memo, roles, every_fix)
    return ReportView(
        t=ctx.t,
        lang=locale.value,
        tenant_name=clean(tenant.name, NAME_LIMIT),
        tenant_id=clean(tenant.id, 64),
        cloud=clean(i18n.cloud_name(ctx.t, str(tenant.cloud or cloud.value)), 60),
        generated=i18n.format_datetime(str(unset_or(document.generated_at, "")), locale),
        as_of=i18n.format_datetime(str(unset_or(document.as_of, "")), locale),
        collected=i18n.format_datetime(str(unset_or(document.collected_at, "")), locale),
        sign_ins_read=i18n.format_datetime(document.sign_ins_read_at, locale) if document.sign_ins_read_at else "",
        policies=clean(", ".join(str(p) for p in document.policies), TEXT_LIMIT),
        plan=clean(plan_header(document, locale) if plan_line is None else plan_line, TEXT_LIMIT),
        holds=clean(holds_line(ctx, document), TEXT_LIMIT),
        status=status,
        status_text=status_text[status],
        status_colour="#2b8a3e" if status == "ok" else "#c92a2a",
        complete=complete,
        incomplete_rules=incomplete_rules,
        gaps=tuple(
            GapRow(
                part=clean(g.part, 100),
                request=clean(g.request, TEXT_LIMIT),
                reason=clean(g.reason, TEXT_LIMIT),
            )
            for g in gaps
        ),
        gaps_more=gaps_more,
        not_evaluated=tuple(
            NotEvaluatedRow(
                rule=ctx.title(n.rule),
                policy=clean(n.policy, NAME_LIMIT),
                # a merged report's row names its tenant, as its warnings do ("Fabrikam: ...")
                reason=clean(_tenant_prefix(n) + localize(n.reason, ctx.t, ctx.product_name), TEXT_LIMIT),
            )
            for n in not_evaluated
        ),
        not_evaluated_more=not_evaluated_more,
        changes=build_changes(ctx, document, min(cap_per_rule, LIST_CAP)),
        severities=severities,
        open_total=ctx.num(unwaived),
        waived_total=ctx.num(summary.waived),
        unused_spend=ctx.cost(summary.unused_monthly_cost),
        reclaimable_spend=ctx.cost(summary.reclaimable_monthly_cost),
        money=" ".join(opening(document.money, locale)) if document.money is not UNSET else "",
        problems=config_problem_lines(ctx, unset_or(document.config_problems, None)),
        users_total=ctx.num(summary.users.total),
        users_licensed=ctx.num(summary.users.licensed),
        seats=seats,
        seats_more=seats_more,
        seats_lifecycle=has_lifecycle_seats(skus),
        in_use=in_use_lines(ctx, skus),
        distributor_title=distributor_title(ctx, unset_or(document.distributor, None)),
        distributor=distributor_lines(ctx, unset_or(document.distributor, None)),
        psa_title=psa_title(ctx, unset_or(document.psa, None)),
        psa=psa_lines(ctx, unset_or(document.psa, None)),
        warnings=tuple(clean(localize(str(w), ctx.t, ctx.product_name), TEXT_LIMIT) for w in warnings),
        warnings_more=warnings_more,
        sections=sections,
        rest_note=ctx.t.pgettext(
            "recipe_rest_once",
            "Where a table of findings has no steps above it, each finding's own steps are in report.md and "
            "findings.csv.",
        )
        if any(recipe.rest for section in sections for recipe in section.recipes)
        else "",
        roles=tuple(roles.values()),
        redacted=page.redacted,
        generated_by=ctx.t.pgettext(
            "generated_by",
            "Generated by {tool} {version}.",
            tool=clean(tool.name if tool is not UNSET else "license-auditor", 60),
            version=clean(tool.version if tool is not UNSET else "", 30),
        ),
        license_insight=build_license_insight(ctx, document),
        kinds=build_kind_rows(ctx, document, summary.currency),
    )


def _tenant_prefix(n: NotEvaluated) -> str:
    """ "Fabrikam: " before a merged report's rule not evaluated; "" in a tenant's own report."""
    name = n.tenant_name if isinstance(n.tenant_name, str) and n.tenant_name else ""
    return f"{name}: " if name else ""
