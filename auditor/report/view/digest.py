"""The digest's view: what an admin reads in the morning e-mail, in two minutes.

Status and money first, then what changed since the last run (new findings by severity, naming
at most NAMES_CAP people), the top actions (at most ACTIONS_CAP, ranked by money and severity, each
with its state in the plan), the findings per rule as counts linking to the full report, and for a
merged report one line per tenant. Every list is capped and every name clipped, so the digest stays
small whatever the tenant's size (docs/reports.md gives the measures).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import msgspec
from msgspec import UNSET

from auditor import i18n
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import BaselineChanges, Notify, ReportDocument, ReportFinding, Summary
from auditor.formats.report_parts import FindingTenant
from auditor.plan.money import opening
from auditor.render.text import clean
from auditor.report.view.context import (
    SEVERITIES,
    SEVERITY_COLOURS,
    SEVERITY_RANK,
    RenderContext,
    config_problem_lines,
    product_label,
    subject_text,
    unset_or,
)
from auditor.report.view.distributor_rows import distributor_lines, distributor_title
from auditor.report.view.findings import rule_anchor, severity_count
from auditor.report.view.psa_rows import psa_lines, psa_title
from auditor.report.view.seats import in_use_lines
from auditor.report.view.states import FindingState
from auditor.report.wording_api import Wording

NAMES_CAP = 20  # people named among the new findings, then "and N more"
ACTIONS_CAP = 10
RULES_CAP = 40  # rules listed with their counts; a merged report of many tenants could have more
TENANTS_CAP = 60
DIGEST_NAME = 60  # characters of a name or UPN in the digest
HEADLINES = 12  # the bill's lines (windows about to shut, the bill a month, its largest days), and the migration's
LINE = 300  # characters of a headline: cut only between sentences, never in one that carries a figure


class NewGroup(msgspec.Struct, frozen=True):
    """New findings of one rule and severity: who, and how many more."""

    severity_label: str
    bg: str
    fg: str
    title: str
    count: str
    names: tuple[str, ...]
    more: str  # "and 3 more", empty when everyone is named


class TopAction(msgspec.Struct, frozen=True):
    id: str  # the finding's
    title: str  # the rule's title
    subject: str
    products: str
    cost: str
    state: str
    ready: bool
    severity_label: str


class RuleCount(msgspec.Struct, frozen=True):
    title: str
    anchor: str
    severity_label: str
    open_count: str
    new_count: str  # empty when none is new or there is no baseline


class TenantLine(msgspec.Struct, frozen=True):
    name: str
    status: str
    complete: bool
    open_count: str
    unused: str
    new_count: str


class DigestView(msgspec.Struct, frozen=True):
    t: i18n.Translations
    lang: str
    tenant_name: str
    as_of: str
    status: str  # ok | findings | incomplete
    status_text: str
    status_colour: str
    severities: str  # "13 high, 29 medium, 15 low"
    unused: str
    reclaimable: str
    problems: tuple[str, ...]  # report.json config_problems, one line each
    why: str  # why this run speaks (report.json notify), "" when it always does
    money: tuple[str, ...]  # the money story the digest opens with (auditor.plan.money); () without `money`
    plan: str  # the plan's line (auditor.plan.summary.plan_header); empty for a merged report
    bill_title: str  # "Your bill": the heading of `bill`
    bill: tuple[str, ...]  # at most HEADLINES: the bill's lines (auditor.plan.bill_view.digest_lines), when given
    headlines_title: str  # the heading of `headlines`
    headlines: tuple[str, ...]  # at most HEADLINES: the migration plan's lines, when given
    compared: bool  # a baseline was given: `new_*` and `resolved` mean something
    new_total: str
    new_groups: tuple[NewGroup, ...]
    resolved: str
    not_rechecked: str  # empty when every earlier finding was re-checked
    actions: tuple[TopAction, ...]
    rules: tuple[RuleCount, ...]
    rules_more: str
    tenants: tuple[TenantLine, ...]
    tenants_more: str
    cross: tuple[RuleCount, ...]  # a merged report's findings across tenants, per rule
    redacted: bool
    in_use: tuple[str, ...] = ()  # the closing summary, a line per product (seats.in_use_lines)
    # when the nightly's sign-in activity was read in full (report.json sign_ins_read_at); "" when by this run
    sign_ins_read: str = ""
    distributor_title: str = ""  # the distributor's seats beside them (view.distributor_rows)
    distributor: tuple[str, ...] = ()
    psa_title: str = ""  # the three-way table's differences with the PSA (view.psa_rows)
    psa: tuple[str, ...] = ()


def _short(value: object) -> str:
    return clean(value, DIGEST_NAME)


FIGURE = re.compile(r"\d")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def whole_sentences(value: object, limit: int = LINE) -> str:
    """A headline on one line in at most about `limit` characters, cut only between sentences: a
    sentence that carries a figure (an amount, a count, a date) is always kept whole, one without is
    left out when the line is already full. A single sentence longer than twice `limit` (a name
    that long is not ours) is cut."""
    text = clean(value, limit * 20)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for sentence in SENTENCE_END.split(text):
        if FIGURE.search(sentence) or len(" ".join([*kept, sentence])) <= limit:
            kept.append(clean(sentence, limit * 2))
    return " ".join(kept)


def _who(ctx: RenderContext, finding: ReportFinding) -> str:
    subject = finding.subject
    name, detail = subject_text(subject, ctx.names, ctx.twins)
    name, detail = _short(name), _short(detail)
    who = f"{name} ({detail})" if detail else name
    tenant = finding.tenant  # a merged report names the tenant of each finding
    return f"{_short(tenant.name or tenant.id)} · {who}" if isinstance(tenant, FindingTenant) else who


def _new_groups(ctx: RenderContext, new: Sequence[ReportFinding]) -> tuple[NewGroup, ...]:
    """New findings by severity and rule, naming at most NAMES_CAP subjects in all."""
    by_group: dict[tuple[int, str], list[ReportFinding]] = {}
    for finding in new:
        key = (SEVERITY_RANK.get(finding.severity, 9), finding.rule)
        by_group.setdefault(key, []).append(finding)
    budget = NAMES_CAP
    groups = []
    for (rank, rule), items in sorted(by_group.items()):
        named = [_who(ctx, f) for f in items[:budget]]
        budget -= len(named)
        severity = SEVERITIES[rank] if rank < len(SEVERITIES) else ""
        bg, fg = SEVERITY_COLOURS.get(severity, ("#495057", "#ffffff"))
        rest = len(items) - len(named)
        groups.append(
            NewGroup(
                ctx.severity_label(severity or items[0].severity),
                bg,
                fg,
                ctx.title(rule),
                ctx.num(len(items)),
                tuple(named),
                ctx.t.npgettext("digest_more", "and {n} more", "and {n} more", rest) if rest else "",
            )
        )
        if len(groups) >= RULES_CAP:
            break
    return tuple(groups)


def _top_actions(ctx: RenderContext, findings: Sequence[ReportFinding]) -> tuple[TopAction, ...]:
    """The open findings worth most per month, the most severe first among equals; each with its state."""
    open_items = [f for f in findings if not f.waived and f.alerts]

    def rank(f: ReportFinding) -> tuple[float, int, str]:
        cost = f.monthly_cost
        money = float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else 0.0
        return (-money, SEVERITY_RANK.get(f.severity, 9), f.id)

    actions = []
    for f in sorted(open_items, key=rank)[:ACTIONS_CAP]:
        remediation = f.remediation
        state: FindingState | None = ctx.state_of(f, remediation if isinstance(remediation, Mapping) else {})
        cost = f.monthly_cost
        # a product's or subscription's finding names its product as the subject already
        skus = f.skus if f.subject.type == "user" else []
        actions.append(
            TopAction(
                id=clean(f.id, 64),
                title=ctx.title(f.rule),
                subject=_who(ctx, f),
                products=clean(", ".join(product_label(s, ctx.names) for s in skus[:4]), 120),
                cost="" if not isinstance(cost, int | float) or not cost else ctx.money(cost, ctx.currency),
                state=state.label if state else ctx.t.pgettext("state_person", "needs an admin's decision"),
                ready=bool(state and state.ready),
                severity_label=ctx.severity_label(f.severity),
            )
        )
    return tuple(actions)


def _rule_counts(ctx: RenderContext, findings: Sequence[ReportFinding]) -> tuple[list[RuleCount], int]:
    """The open findings per rule and severity, the most severe first: a rule whose findings differ in
    severity has a row per severity, so that the rows add up to the header's counts per severity."""
    by_rule: dict[tuple[int, str], list[ReportFinding]] = {}
    for f in findings:
        if not f.waived:
            key = (SEVERITY_RANK.get(f.severity, 9), f.rule)
            by_rule.setdefault(key, []).append(f)
    keys = sorted(by_rule, key=lambda k: (k[0], -len(by_rule[k]), k[1]))
    rows = []
    for rank, rule in keys[:RULES_CAP]:
        items = by_rule[(rank, rule)]
        new = sum(1 for f in items if f.change == "new")
        rows.append(
            RuleCount(
                ctx.title(rule),
                rule_anchor(rule),
                ctx.severity_label(SEVERITIES[rank] if rank < len(SEVERITIES) else items[0].severity),
                ctx.num(len(items)),
                ctx.t.npgettext("digest_rule_new", "{n} new", "{n} new", new) if new else "",
            )
        )
    return rows, len(keys) - len(rows)


def _tenant_lines(ctx: RenderContext, document: ReportDocument) -> tuple[list[TenantLine], int]:
    tenants = unset_or(document.tenants, [])
    new_by_tenant: dict[str, int] = {}
    for f in document.findings:
        tenant = f.tenant
        if isinstance(tenant, FindingTenant) and f.change == "new":
            new_by_tenant[tenant.id] = new_by_tenant.get(tenant.id, 0) + 1
    lines = []
    for t in tenants[:TENANTS_CAP]:
        summary: Summary = t.summary
        unwaived = summary.unwaived
        complete = t.complete
        status = "incomplete" if not complete else "findings" if unwaived else "ok"
        lines.append(
            TenantLine(
                name=_short(t.name or t.id or ""),
                status=_status_texts(ctx)[status],
                complete=complete,
                open_count=ctx.t.npgettext("digest_open", "{n} open", "{n} open", unwaived),
                unused=ctx.cost(summary.unused_monthly_cost),
                new_count=ctx.t.npgettext("digest_rule_new", "{n} new", "{n} new", new_by_tenant.get(t.id, 0))
                if document.changes is not UNSET
                else "",
            )
        )
    return lines, len(tenants) - len(lines)


def _why(ctx: RenderContext, notify: Notify | None) -> str:
    """ "Sent because: 2 new findings; a renewal on Nov 20, 2026, within 7 days." (report.json notify)."""
    if notify is None or notify.when != "changed" or not notify.reasons:
        return ""
    texts = [clean(r.text, 200) for r in notify.reasons if r.text]
    return ctx.t.pgettext("notify_why", "Sent because: {reasons}.", reasons="; ".join(texts)) if texts else ""


def _status_texts(ctx: RenderContext) -> dict[str, str]:
    return {
        "incomplete": ctx.t.pgettext("status_incomplete", "Incomplete report: not every rule was evaluated"),
        "findings": ctx.t.pgettext("status_findings", "Findings need attention"),
        "ok": ctx.t.pgettext("status_compliant", "Compliant: no open findings"),
    }


def build_digest(
    document: ReportDocument,
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    plan_line: str,
    states: Mapping[str, FindingState] | None,
    headlines: Sequence[str] = (),
    bill: Sequence[str] = (),
    redacted: bool = False,
) -> DigestView:
    """The digest of `document` (after `compare` when a baseline was given). `states`: each finding's
    state in the plan (None for a merged report: the findings' own actions say). `bill`: the bill's
    lines, under their own heading; `headlines`: the migration plan's, when it is compiled. The
    opening says only the money story (at most four amounts, auditor.plan.money.opening)."""
    ctx = RenderContext(document, locale, cloud, wording, states)
    summary: Summary = document.summary
    complete = document.complete and not document.gaps and not document.not_evaluated
    status = "incomplete" if not complete else ("findings" if summary.unwaived else "ok")
    by_severity = summary.by_severity
    # in running text, in lower case as the mail's subject says them ("14 hoog"), not the labels' "Hoog"
    severities = [severity_count(ctx.t, s, ctx.num(by_severity.get(s, 0))) for s in SEVERITIES if by_severity.get(s)]
    findings = document.findings
    changes = document.changes if isinstance(document.changes, BaselineChanges) else None
    new = [f for f in findings if f.change == "new" and not f.waived and f.alerts]
    rules, rules_more = _rule_counts(ctx, findings)
    tenants, tenants_more = _tenant_lines(ctx, document)
    return DigestView(
        t=ctx.t,
        lang=locale.value,
        tenant_name=clean(document.tenant.name, DIGEST_NAME),
        as_of=i18n.format_date(str(unset_or(document.as_of, "")), locale),
        sign_ins_read=i18n.format_date(document.sign_ins_read_at, locale) if document.sign_ins_read_at else "",
        status=status,
        status_text=_status_texts(ctx)[status],
        status_colour="#1f7a35" if status == "ok" else "#c92a2a",  # contrast >= 4.5:1 on white
        severities=i18n.format_list(severities, locale) if severities else "",
        unused=ctx.cost(summary.unused_monthly_cost),
        reclaimable=ctx.cost(summary.reclaimable_monthly_cost),
        why=_why(ctx, unset_or(document.notify, None)),
        problems=config_problem_lines(ctx, unset_or(document.config_problems, None))[:10],
        money=tuple(opening(document.money, locale)) if document.money is not UNSET else (),
        plan=clean(plan_line, 600),
        bill_title=ctx.t.pgettext("bill_title", "Your bill"),
        bill=tuple(whole_sentences(line) for line in bill[:HEADLINES]),
        headlines_title=ctx.t.pgettext("migration_title", "Moving users to another tenant: the licensing plan"),
        headlines=tuple(whole_sentences(line) for line in headlines[:HEADLINES]),
        compared=changes is not None,
        new_total=ctx.num(len(new)),
        new_groups=_new_groups(ctx, new),
        resolved=ctx.num(len(changes.resolved)) if changes else "",
        not_rechecked=ctx.num(len(changes.unverified)) if changes and changes.unverified else "",
        actions=_top_actions(ctx, findings),
        rules=tuple(rules),
        rules_more=ctx.list_more(rules_more),
        tenants=tuple(tenants),
        tenants_more=ctx.list_more(tenants_more),
        cross=tuple(_rule_counts(ctx, [f for f in findings if f.tenant is None])[0])
        if document.tenants is not UNSET
        else (),
        redacted=redacted,
        in_use=in_use_lines(ctx, document.skus),
        distributor_title=distributor_title(ctx, unset_or(document.distributor, None)),
        distributor=distributor_lines(ctx, unset_or(document.distributor, None)),
        psa_title=psa_title(ctx, unset_or(document.psa, None)),
        psa=psa_lines(ctx, unset_or(document.psa, None)),
    )
