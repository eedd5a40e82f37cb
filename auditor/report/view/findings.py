"""The findings part of the report view: one section per rule, with its fix recipes and a row per
finding shown (the row's Graph calls, alternatives and waiver)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from auditor import i18n
from auditor.report.text import clean, safe_url
from auditor.report.view.context import (
    NAME_LIMIT,
    SEVERITIES,
    SEVERITY_COLOURS,
    SEVERITY_RANK,
    TEXT_LIMIT,
    UNKNOWN_SEVERITY_COLOURS,
    RenderContext,
    products_text,
    subject_text,
)

BLOCK_CAP = 4  # distinct fix recipes shown per rule
ACTION_CAP = 10  # Graph calls shown per finding (and per alternative); report.json has them all
ALTERNATIVE_CAP = 4


class Link(msgspec.Struct, frozen=True):
    title: str
    url: str | None  # None: not a plain https link, shown as text only


class FixBlock(msgspec.Struct, frozen=True):
    caption: str
    steps: tuple[str, ...]
    role: str
    next_steps: tuple[str, ...]
    links: tuple[Link, ...]


class ActionLine(msgspec.Struct, frozen=True):
    """One Graph call of a finding's fix, numbered in the order to run."""

    n: int
    description: str
    method: str
    path: str
    body: str
    ready: bool
    status: str  # "ready to run", or why a person must finish it


class AlternativeBlock(msgspec.Struct, frozen=True):
    label: str
    actions: tuple[ActionLine, ...]


class FindingRow(msgspec.Struct, frozen=True):
    id: str
    severity: str
    severity_label: str
    bg: str
    fg: str
    subject_kind: str
    subject_name: str
    subject_detail: str
    products: str
    policy: str
    message: str
    fix: str
    actions: tuple[ActionLine, ...]  # the default fix's Graph calls, in order (at most ACTION_CAP)
    alternatives: tuple[AlternativeBlock, ...]
    actions_more: str  # "…and N more, listed in report.json." when calls were left out
    cost: str
    change: str
    waived: bool
    waiver_reason: str
    waiver_owner: str
    waiver_expires: str


class RuleSection(msgspec.Struct, frozen=True):
    rule: str
    title: str
    description: str
    severity: str
    severity_label: str
    bg: str
    fg: str
    open_count: int
    open_count_text: str
    waived_count_text: str
    open_text: str
    waived_text: str
    blocks: tuple[FixBlock, ...]
    rows: tuple[FindingRow, ...]
    more_text: str


def _policy_text(finding: Mapping[str, Any]) -> str:
    """The policy entry, prefixed with the tenant's name for findings a multi-tenant merge carried over."""
    policy = clean(finding.get("policy", ""), NAME_LIMIT)
    tenant = finding.get("tenant")
    if isinstance(tenant, Mapping) and tenant.get("name"):
        return f"{clean(tenant['name'], NAME_LIMIT)} · {policy}"
    return policy


def _call_parts(action: Mapping[str, Any]) -> tuple[str, str, str]:
    body = action.get("body")
    body_text = "" if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True)
    return clean(action.get("method", ""), 20), clean(action.get("path", ""), TEXT_LIMIT), clean(body_text, 2000)


def _actions(ctx: RenderContext, items: object) -> tuple[tuple[ActionLine, ...], int]:
    """The calls as shown (at most ACTION_CAP) and how many were left out."""
    listed = [a for a in items if isinstance(a, Mapping)] if isinstance(items, list | tuple) else []
    lines = []
    for n, action in enumerate(listed[:ACTION_CAP], start=1):
        method, path, body = _call_parts(action)
        ready = action.get("ready") is True
        lines.append(ActionLine(n, clean(action.get("description", ""), TEXT_LIMIT), method, path, body, ready,
                                ctx.action_status(ready, action.get("blocked"))))
    return tuple(lines), len(listed) - len(lines)


def _alternatives(ctx: RenderContext, items: object) -> tuple[AlternativeBlock, ...]:
    listed = [a for a in items if isinstance(a, Mapping)] if isinstance(items, list | tuple) else []
    return tuple(AlternativeBlock(clean(alt.get("label", ""), TEXT_LIMIT), _actions(ctx, alt.get("actions"))[0])
                 for alt in listed[:ALTERNATIVE_CAP])


def _block(remediation: Mapping[str, Any], caption: str) -> FixBlock:
    def strings(key: str) -> tuple[str, ...]:
        items = remediation.get(key) or []
        return tuple(clean(s, 2000) for s in items) if isinstance(items, list | tuple) else ()

    links = []
    for link in remediation.get("links") or []:
        if isinstance(link, Mapping):
            links.append(Link(clean(link.get("title", ""), NAME_LIMIT), safe_url(link.get("url"))))
    return FixBlock(
        caption=caption,
        steps=strings("steps"),
        role=clean(remediation.get("role") or "", 2000),  # never cut: it names who may make the change
        next_steps=strings("next_steps"),
        links=tuple(links),
    )


def _change_label(ctx: RenderContext, finding: Mapping[str, Any]) -> str:
    change = finding.get("change")
    if change == "new":
        return ctx.t.pgettext("change_new", "New")
    if change == "persisting":
        first_seen = i18n.format_date(str(finding.get("first_seen", "")), ctx.locale)
        return ctx.t.pgettext("change_persisting", "Open since {date}", date=first_seen)
    return ""


def finding_row(ctx: RenderContext, finding: Mapping[str, Any], remediation: Mapping[str, Any]) -> FindingRow:
    """A finding as its rule section shows it, with `remediation` (ctx.remediation of it)."""
    severity = str(finding.get("severity", ""))
    bg, fg = SEVERITY_COLOURS.get(severity, UNKNOWN_SEVERITY_COLOURS)
    subject = finding.get("subject") or {}
    name, detail = subject_text(subject)
    actions, more = _actions(ctx, remediation.get("actions"))
    waiver = finding.get("waiver") if finding.get("waived") else None
    waiver = waiver if isinstance(waiver, Mapping) else {}
    cost = finding.get("monthly_cost")
    return FindingRow(
        id=clean(finding.get("id", ""), 64),
        severity=severity,
        severity_label=ctx.severity_label(severity),
        bg=bg,
        fg=fg,
        subject_kind=ctx.subject_labels.get(str(subject.get("type")), ""),
        subject_name=name,
        subject_detail=detail,
        products=products_text(finding.get("skus")),
        policy=_policy_text(finding),
        message=ctx.message(finding),
        fix=clean(remediation.get("summary", ""), TEXT_LIMIT),
        actions=actions,
        alternatives=_alternatives(ctx, remediation.get("alternatives")),
        actions_more=ctx.list_more(more),
        cost="" if cost is None else ctx.money(cost, ctx.currency),
        change=_change_label(ctx, finding),
        waived=bool(finding.get("waived")),
        waiver_reason=clean(waiver.get("reason", ""), TEXT_LIMIT),
        waiver_owner=clean(waiver.get("owner", ""), NAME_LIMIT),
        waiver_expires=i18n.format_date(str(waiver["expires"]), ctx.locale) if waiver.get("expires") else "",
    )


class RowMemo:
    """Each finding's remediation and row, built once for all the views of one rendering: the HTML
    and the Markdown show the same rows (only how many differs), and the HTML may build its view
    again with fewer. Used only by views of the same document, locale, cloud and catalog."""

    def __init__(self) -> None:
        self._owner: tuple[Any, ...] | None = None
        self._rows: dict[int, tuple[Mapping[str, Any], Mapping[str, Any], FindingRow]] = {}

    def serves(self, ctx: RenderContext) -> bool:
        owner = (ctx.document, ctx.locale, ctx.cloud, ctx.guidance)
        if self._owner is None:
            self._owner = owner
        return all(a is b or a == b for a, b in zip(self._owner, owner, strict=True))

    def row(self, ctx: RenderContext, finding: Mapping[str, Any]) -> tuple[Mapping[str, Any], FindingRow]:
        kept = self._rows.get(id(finding))
        if kept is not None and kept[0] is finding:
            return kept[1], kept[2]
        remediation = ctx.remediation(finding)
        row = finding_row(ctx, finding, remediation)
        self._rows[id(finding)] = (finding, remediation, row)
        return remediation, row


def build_sections(ctx: RenderContext, findings: Sequence[Mapping[str, Any]], cap: int,
                   memo: RowMemo | None = None) -> tuple[RuleSection, ...]:
    """One section per rule, open before waived and the most severe first; at most `cap` rows each."""
    if memo is None or not memo.serves(ctx):
        memo = RowMemo()
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for finding in findings:
        by_rule.setdefault(str(finding.get("rule", "")), []).append(finding)

    def order(rule: str) -> tuple[int, int, str]:
        items = by_rule[rule]
        open_ranks = [SEVERITY_RANK.get(str(f.get("severity")), 9) for f in items if not f.get("waived")]
        all_ranks = [SEVERITY_RANK.get(str(f.get("severity")), 9) for f in items]
        return (0 if open_ranks else 1, min(open_ranks or all_ranks), rule)

    sections = []
    for rule in sorted(by_rule, key=order):
        items = by_rule[rule]
        open_items = [f for f in items if not f.get("waived")]
        waived_items = [f for f in items if f.get("waived")]
        shown = (open_items + waived_items)[:cap]
        rows = []
        blocks: dict[tuple[Any, ...], FixBlock] = {}
        for finding in shown:
            remediation, row = memo.row(ctx, finding)
            rows.append(row)
            block = _block(remediation, clean(remediation.get("summary", ""), TEXT_LIMIT))
            key = (block.steps, block.role, block.next_steps, block.links)
            if key not in blocks and len(blocks) < BLOCK_CAP and (block.steps or block.next_steps or block.links):
                blocks[key] = block
        unique = list(blocks.values())
        if len(unique) == 1:  # one recipe for the whole rule: the row summaries say the specifics
            unique = [FixBlock("", *next(iter(blocks.keys())))]
        severity = str((open_items or items)[0].get("severity", ""))
        top = min((SEVERITY_RANK.get(str(f.get("severity")), 9) for f in (open_items or items)), default=9)
        severity = SEVERITIES[top] if top < len(SEVERITIES) else severity
        bg, fg = SEVERITY_COLOURS.get(severity, UNKNOWN_SEVERITY_COLOURS)
        hidden = len(items) - len(shown)
        sections.append(
            RuleSection(
                rule=clean(rule, 100),
                title=ctx.title(rule),
                description=ctx.describe(rule),
                severity=severity,
                severity_label=ctx.severity_label(severity),
                bg=bg,
                fg=fg,
                open_count=len(open_items),
                open_count_text=ctx.num(len(open_items)),
                waived_count_text=ctx.num(len(waived_items)),
                open_text=ctx.t.npgettext("rule_open", "{n} open finding", "{n} open findings", len(open_items)),
                waived_text=ctx.t.npgettext("rule_waived", "{n} waived", "{n} waived", len(waived_items))
                if waived_items else "",
                blocks=tuple(unique),
                rows=tuple(rows),
                more_text=ctx.t.npgettext(
                    "rule_more",
                    "{n} more finding of this rule is listed in findings.csv and report.json.",
                    "{n} more findings of this rule are listed in findings.csv and report.json.",
                    hidden,
                )
                if hidden > 0 else "",
            )
        )
    return tuple(sections)
