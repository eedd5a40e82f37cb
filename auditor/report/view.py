"""The view model shared by the HTML and Markdown renderers.

Everything a template shows is computed here, already localised and formatted, so the templates
only lay it out. Tenant-sourced strings pass through `clean` (no control characters, bounded
length); escaping is the template environment's job (HTML autoescape, Markdown finalize).

The view's records are frozen msgspec Structs rather than dataclasses: they behave alike here
(fields, equality, repr), and defining one costs a few hundredths of a millisecond where a frozen
dataclass costs about one, which every report's start-up pays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from auditor import i18n
from auditor.model import Cloud, Locale
from auditor.plan.summary import plan_header
from auditor.report.guidance_api import Guidance, product_names_of
from auditor.report.text import clean, safe_url

SEVERITIES = ("critical", "high", "medium", "low")
_RANK = {name: i for i, name in enumerate(SEVERITIES)}

# background, foreground — contrast >= 4.5:1 for the white text
SEVERITY_COLOURS = {
    "critical": ("#7a0019", "#ffffff"),
    "high": ("#c2255c", "#ffffff"),
    "medium": ("#b35900", "#ffffff"),
    "low": ("#1c5d99", "#ffffff"),
}

NAME_LIMIT = 200
TEXT_LIMIT = 600
LIST_CAP = 20
TABLE_CAP = 50
SEAT_CAP = 200
BLOCK_CAP = 4
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


def _policy_text(finding: Mapping[str, Any]) -> str:
    """The policy entry, prefixed with the tenant's name for findings a multi-tenant merge carried over."""
    policy = clean(finding.get("policy", ""), NAME_LIMIT)
    tenant = finding.get("tenant")
    if isinstance(tenant, Mapping) and tenant.get("name"):
        return f"{clean(tenant['name'], NAME_LIMIT)} · {policy}"
    return policy


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


class SeverityCount(msgspec.Struct, frozen=True):
    key: str
    label: str
    count: int
    count_text: str
    bg: str
    fg: str


class SeatLine(msgspec.Struct, frozen=True):
    sku: str
    status: str
    enabled: str
    consumed: str
    unused: str
    usage_text: str
    used_pct: int
    free_pct: int
    over: bool
    price: str
    unused_cost: str
    warning: str  # in the grace period before suspension (still usable)
    suspended: str
    locked_out: str


class Row3(msgspec.Struct, frozen=True):
    a: str
    b: str
    c: str


class ReportView(msgspec.Struct, frozen=True):
    t: i18n.Translations  # the templates' texts (pgettext/npgettext in auditor.report.environment)
    lang: str
    tenant_name: str
    tenant_id: str
    cloud: str
    generated: str
    as_of: str
    collected: str
    policies: str
    plan: str  # "3 changes, net -€45.60 per month; ..." (auditor.plan), empty for a report without actions
    status: str  # ok | findings | incomplete
    status_text: str
    status_colour: str
    complete: bool
    incomplete_rules: str
    gaps: tuple[Row3, ...]
    gaps_more: str
    not_evaluated: tuple[Row3, ...]
    not_evaluated_more: str
    changes: Changes | None
    severities: tuple[SeverityCount, ...]
    open_total: str
    waived_total: str
    unused_spend: str
    reclaimable_spend: str
    users_total: str
    users_licensed: str
    seats: tuple[SeatLine, ...]
    seats_more: str
    seats_lifecycle: bool  # some product has seats in grace, suspended or locked out: show those columns
    warnings: tuple[str, ...]
    warnings_more: str
    sections: tuple[RuleSection, ...]
    redacted: bool
    generated_by: str


class _Context:
    """Locale, cloud and catalog for one rendering, with the per-rule lookups cached."""

    def __init__(self, document: Mapping[str, Any], locale: Locale, cloud: Cloud, guidance: Guidance) -> None:
        self.document = document
        self.locale = locale
        self.cloud = cloud
        self.guidance = guidance
        self.known = frozenset(guidance.ALL_RULE_IDS)
        self.names = product_names_of(document.get("skus"))
        self.currency = _summary_currency(document)
        self._titles: dict[str, str] = {}
        self.t = i18n.translations(locale)
        t = self.t
        self.severity_labels = {
            "critical": t.pgettext("severity_critical", "Critical"),
            "high": t.pgettext("severity_high", "High"),
            "medium": t.pgettext("severity_medium", "Medium"),
            "low": t.pgettext("severity_low", "Low"),
        }
        self.subject_labels = {
            "user": t.pgettext("subject_user", "User"),
            "sku": t.pgettext("subject_sku", "Product"),
            "subscription": t.pgettext("subject_subscription", "Subscription"),
            "waiver": t.pgettext("subject_waiver", "Waiver"),
            "group": t.pgettext("subject_group", "Group"),
        }

    def list_more(self, more: int) -> str:
        """The line under a capped list; empty when nothing was left out."""
        if more <= 0:
            return ""
        return self.t.npgettext("list_more", "…and {n} more, listed in report.json.",
                                "…and {n} more, listed in report.json.", more)

    def action_status(self, ready: bool, blocked: object) -> str:
        """"ready to run", or in a few words why a person must finish the call first."""
        if ready:
            return self.t.pgettext("action_ready", "ready to run")
        t = self.t
        reasons = {
            "placeholder": t.pgettext("action_placeholder", "not ready: fill in the missing id first"),
            "choose_value": t.pgettext("action_choose_value", "not ready: choose the value first"),
            "data_lost": t.pgettext("action_data_lost", "not ready: it would end data the user holds; keep the "
                                                        "data first"),
            "plans_unknown": t.pgettext("action_plans_unknown", "not ready: the product's service plans are "
                                                                "unknown, so it may end data"),
            "lookup": t.pgettext("action_lookup", "a lookup to read, not a change"),
            "after_group": t.pgettext("action_after_group", "not ready: only once the group's license is active"),
            "usage_unknown": t.pgettext("action_usage_unknown", "not ready: the usage reports cannot show whether "
                                                                "it is still used; check that first"),
            "group_keeps": t.pgettext("action_group_keeps", "not ready: a group gives both products; change that "
                                                            "group's licenses first"),
            "mailbox_too_large": t.pgettext("action_mailbox_too_large", "not ready: the mailbox does not fit the "
                                                                        "smaller plan"),
            "onedrive_too_large": t.pgettext("action_onedrive_too_large", "not ready: OneDrive does not fit the "
                                                                          "smaller plan"),
            "archive": t.pgettext("action_archive", "not ready: the mailbox has an archive the smaller plan lacks"),
            "storage_unknown": t.pgettext("action_storage_unknown", "not ready: the mailbox and OneDrive sizes are "
                                                                    "not known"),
        }
        return reasons.get(str(blocked), t.pgettext("action_not_ready", "not ready: a person must finish it"))

    def num(self, value: object) -> str:
        return i18n.format_number(value, self.locale) if isinstance(value, int | float) else clean(value)

    def money(self, amount: object, currency: str | None) -> str:
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            return self.t.pgettext("no_price", "not priced")
        return i18n.format_money(amount, currency, self.locale)

    def severity_label(self, severity: str) -> str:
        return self.severity_labels.get(severity) or clean(severity)

    def title(self, rule: str) -> str:
        if rule not in self._titles:
            self._titles[rule] = clean(self.guidance.title(rule, self.locale) if rule in self.known else rule)
        return self._titles[rule]

    def describe(self, rule: str) -> str:
        return clean(self.guidance.describe(rule, self.locale), 2000) if rule in self.known else ""

    def message(self, finding: Mapping[str, Any]) -> str:
        rule = finding["rule"]
        if rule not in self.known:
            return clean(finding.get("message", ""), TEXT_LIMIT)
        text = self.guidance.message(
            rule,
            subject=finding["subject"],
            skus=finding.get("skus", []),
            details=finding.get("details") or {},
            locale=self.locale,
            names=self.names,
        )
        return clean(text, TEXT_LIMIT)

    def remediation(self, finding: Mapping[str, Any]) -> Mapping[str, Any]:
        rule = finding["rule"]
        if rule not in self.known:
            carried = finding.get("remediation")  # as the report carries it
            return carried if isinstance(carried, Mapping) else {}
        return self.guidance.remediation(
            rule,
            cloud=self.cloud,
            locale=self.locale,
            subject=finding["subject"],
            skus=finding.get("skus", []),
            details=finding.get("details") or {},
            names=self.names,
        )


def _summary_currency(document: Mapping[str, Any]) -> str | None:
    cost = (document.get("summary") or {}).get("unused_monthly_cost") or {}
    currency = cost.get("currency") if isinstance(cost, Mapping) else None
    return currency if isinstance(currency, str) else None


def subject_text(subject: Mapping[str, Any]) -> tuple[str, str]:
    """(name, detail) to show for a finding's subject."""
    kind = subject.get("type")
    sid = str(subject.get("id", ""))
    if kind == "user":
        name = subject.get("display_name") or subject.get("upn") or sid
        detail = subject.get("upn") if subject.get("display_name") else ""
        return clean(name, NAME_LIMIT), clean(detail, NAME_LIMIT)
    if kind == "sku":
        return clean(subject.get("sku") or sid, NAME_LIMIT), ""
    if kind == "subscription":
        return clean(subject.get("sku") or sid, NAME_LIMIT), clean(sid, NAME_LIMIT)
    if kind == "group":
        name = subject.get("display_name")
        return clean(name or sid, NAME_LIMIT), clean(sid if name else "", NAME_LIMIT)
    return clean(sid, NAME_LIMIT), ""


def _products(skus: object) -> str:
    if isinstance(skus, list | tuple):
        return clean(", ".join(str(s) for s in skus), NAME_LIMIT)
    return ""


def _call_parts(action: Mapping[str, Any]) -> tuple[str, str, str]:
    body = action.get("body")
    body_text = "" if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True)
    return clean(action.get("method", ""), 20), clean(action.get("path", ""), TEXT_LIMIT), clean(body_text, 2000)


def _actions(ctx: _Context, items: object) -> tuple[tuple[ActionLine, ...], int]:
    """The calls as shown (at most ACTION_CAP) and how many were left out."""
    listed = [a for a in items if isinstance(a, Mapping)] if isinstance(items, list | tuple) else []
    lines = []
    for n, action in enumerate(listed[:ACTION_CAP], start=1):
        method, path, body = _call_parts(action)
        ready = action.get("ready") is True
        lines.append(ActionLine(n, clean(action.get("description", ""), TEXT_LIMIT), method, path, body, ready,
                                ctx.action_status(ready, action.get("blocked"))))
    return tuple(lines), len(listed) - len(lines)


def _alternatives(ctx: _Context, items: object) -> tuple[AlternativeBlock, ...]:
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
        role=clean(remediation.get("role") or "", NAME_LIMIT),
        next_steps=strings("next_steps"),
        links=tuple(links),
    )


def _change_label(ctx: _Context, finding: Mapping[str, Any]) -> str:
    change = finding.get("change")
    if change == "new":
        return ctx.t.pgettext("change_new", "New")
    if change == "persisting":
        first_seen = i18n.format_date(str(finding.get("first_seen", "")), ctx.locale)
        return ctx.t.pgettext("change_persisting", "Open since {date}", date=first_seen)
    return ""


def _row(ctx: _Context, finding: Mapping[str, Any], remediation: Mapping[str, Any]) -> FindingRow:
    severity = str(finding.get("severity", ""))
    bg, fg = SEVERITY_COLOURS.get(severity, ("#495057", "#ffffff"))
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
        products=_products(finding.get("skus")),
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

    def serves(self, ctx: _Context) -> bool:
        owner = (ctx.document, ctx.locale, ctx.cloud, ctx.guidance)
        if self._owner is None:
            self._owner = owner
        return all(a is b or a == b for a, b in zip(self._owner, owner, strict=True))

    def row(self, ctx: _Context, finding: Mapping[str, Any]) -> tuple[Mapping[str, Any], FindingRow]:
        kept = self._rows.get(id(finding))
        if kept is not None and kept[0] is finding:
            return kept[1], kept[2]
        remediation = ctx.remediation(finding)
        row = _row(ctx, finding, remediation)
        self._rows[id(finding)] = (finding, remediation, row)
        return remediation, row


def _sections(ctx: _Context, findings: Sequence[Mapping[str, Any]], cap: int,
              memo: RowMemo | None = None) -> tuple[RuleSection, ...]:
    if memo is None or not memo.serves(ctx):
        memo = RowMemo()
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for finding in findings:
        by_rule.setdefault(str(finding.get("rule", "")), []).append(finding)

    def order(rule: str) -> tuple[int, int, str]:
        items = by_rule[rule]
        open_ranks = [_RANK.get(str(f.get("severity")), 9) for f in items if not f.get("waived")]
        all_ranks = [_RANK.get(str(f.get("severity")), 9) for f in items]
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
        top = min((_RANK.get(str(f.get("severity")), 9) for f in (open_items or items)), default=9)
        severity = SEVERITIES[top] if top < len(SEVERITIES) else severity
        bg, fg = SEVERITY_COLOURS.get(severity, ("#495057", "#ffffff"))
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


def _change_items(ctx: _Context, findings: Sequence[Mapping[str, Any]], cap: int) -> tuple[tuple[ChangeItem, ...], str]:
    items = []
    for finding in findings[:cap]:
        name, detail = subject_text(finding.get("subject") or {})
        items.append(
            ChangeItem(
                rule_title=ctx.title(str(finding.get("rule", ""))),
                severity_label=ctx.severity_label(str(finding.get("severity", ""))),
                subject_name=name,
                subject_detail=detail,
                products=_products(finding.get("skus")),
                id=clean(finding.get("id", ""), 64),
            )
        )
    more = len(findings) - len(items)
    return tuple(items), ctx.list_more(more)


def _changes(ctx: _Context, document: Mapping[str, Any], cap: int) -> Changes | None:
    changes = document.get("changes")
    if not isinstance(changes, Mapping):
        return None
    findings = document.get("findings") or []
    new = [f for f in findings if f.get("change") == "new"]
    persisting = sum(1 for f in findings if f.get("change") == "persisting")
    resolved = list(changes.get("resolved") or [])
    unverified = list(changes.get("unverified") or [])
    new_items, new_more = _change_items(ctx, new, cap)
    resolved_items, resolved_more = _change_items(ctx, resolved, cap)
    unverified_items, unverified_more = _change_items(ctx, unverified, cap)
    return Changes(
        baseline_text=ctx.t.pgettext(
            "changes_baseline",
            "Compared with the report generated {date}.",
            date=i18n.format_datetime(str(changes.get("baseline_generated_at", "")), ctx.locale),
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
                (ctx.t.pgettext("changes_unverified_title", "Earlier findings not re-checked"),
                 unverified_items, unverified_more),
            )
            if entries
        ),
    )


def _seats(ctx: _Context, skus: Sequence[Mapping[str, Any]]) -> tuple[tuple[SeatLine, ...], str]:
    lines = []
    for sku in skus[:SEAT_CAP]:
        # usable = enabled + in grace: the seats that can be assigned today
        enabled = int(sku.get("enabled") or 0) + int(sku.get("warning") or 0)
        consumed = int(sku.get("consumed") or 0)
        used_pct = 100 if consumed > enabled or (enabled == 0 and consumed > 0) else 0
        if enabled > 0 and consumed <= enabled:
            used_pct = round(consumed * 100 / enabled)
        price = sku.get("price_monthly")
        if sku.get("free"):
            price_text = unused_text = ctx.t.pgettext("seats_free", "Free")
        else:
            price_text = ctx.money(price, sku.get("currency"))
            unused_text = ctx.money(sku.get("unused_monthly_cost"), sku.get("currency"))
        lines.append(
            SeatLine(
                sku=clean(_product(sku), NAME_LIMIT),
                status=clean(_state(ctx.t, str(sku.get("capability_status") or "")), 80),
                enabled=ctx.num(int(sku.get("enabled") or 0)),
                consumed=ctx.num(consumed),
                unused=ctx.num(sku.get("unused", enabled - consumed)),
                usage_text=ctx.t.pgettext("seats_usage_of", "{used} of {total}", used=ctx.num(consumed),
                                          total=ctx.num(enabled)),
                used_pct=used_pct,
                free_pct=100 - used_pct,
                over=consumed > enabled,
                price=price_text,
                unused_cost=unused_text,
                warning=ctx.num(int(sku.get("warning") or 0)),
                suspended=ctx.num(int(sku.get("suspended") or 0)),
                locked_out=ctx.num(int(sku.get("locked_out") or 0)),
            )
        )
    more = len(skus) - len(lines)
    if more <= 0:
        return tuple(lines), ""
    return tuple(lines), ctx.t.npgettext(
        "seats_more", "{n} more product is listed in report.json.", "{n} more products are listed in report.json.", more
    )


def _state(t: i18n.Translations, value: str) -> str:
    """A product's subscription state as the Microsoft 365 admin center names it, with Graph's
    capabilityStatus beside it where it is not simply active: "Active", "Expired (Warning)",
    "Disabled (Suspended)". The guidance names the states alike (word.state.* in its catalogs)."""
    names = {
        "enabled": t.pgettext("state_enabled", "Active"),
        "warning": t.pgettext("state_warning", "Expired"),
        "suspended": t.pgettext("state_suspended", "Disabled"),
        "lockedout": t.pgettext("state_lockedout", "Disabled"),
        "deleted": t.pgettext("state_deleted", "Deleted"),
    }
    name = names.get(value.lower())
    if name is None:
        return value  # a value Graph may add later: shown as Graph gives it
    return name if value.lower() == "enabled" else f"{name} ({value})"


def _product(sku: Mapping[str, Any]) -> str:
    """The product as people know it, with the part number beside it when the name differs."""
    part = str(sku.get("sku") or "")
    name = str(sku.get("name") or "")
    return f"{name} ({part})" if name and name != part else part


def _capped(items: Sequence[Any], cap: int, ctx: _Context) -> tuple[list[Any], str]:
    more = len(items) - cap
    return list(items[:cap]), ctx.list_more(more)


def build_view(
    document: Mapping[str, Any],
    *,
    locale: Locale,
    cloud: Cloud,
    guidance: Guidance,
    cap_per_rule: int,
    redacted: bool,
    plan_line: str | None = None,
    memo: RowMemo | None = None,
) -> ReportView:
    """Localise and format `document` for display; at most `cap_per_rule` findings per rule.

    `plan_line`: the header's plan summary when the caller has it (auditor.plan.plan_header),
    so a renderer that builds the view several times compiles the plan once. `memo`: the finding
    rows of the rendering's other views of this document (see RowMemo), built once."""
    ctx = _Context(document, locale, cloud, guidance)
    summary = document.get("summary") or {}
    tenant = document.get("tenant") or {}
    tool = document.get("tool") or {}
    complete = bool(document.get("complete", False)) and not document.get("gaps") and not document.get("not_evaluated")
    unwaived = int(summary.get("unwaived") or 0)
    status = "incomplete" if not complete else ("findings" if unwaived else "ok")
    status_text = {
        "incomplete": ctx.t.pgettext("status_incomplete", "Incomplete report: not every rule was evaluated"),
        "findings": ctx.t.pgettext("status_findings", "Findings need attention"),
        "ok": ctx.t.pgettext("status_compliant", "Compliant: no open findings"),
    }

    not_evaluated_all = list(document.get("not_evaluated") or [])
    rule_ids = sorted({str(n.get("rule", "")) for n in not_evaluated_all})
    incomplete_rules = (
        ctx.t.pgettext("incomplete_rules", "Rules not evaluated: {rules}", rules=", ".join(map(ctx.title, rule_ids)))
        if rule_ids
        else ""
    )
    gaps, gaps_more = _capped(document.get("gaps") or [], TABLE_CAP, ctx)
    not_evaluated, not_evaluated_more = _capped(not_evaluated_all, TABLE_CAP, ctx)
    warnings, warnings_more = _capped(document.get("warnings") or [], LIST_CAP, ctx)

    by_severity = summary.get("by_severity") or {}
    severities = tuple(
        SeverityCount(
            key=s,
            label=ctx.severity_label(s),
            count=int(by_severity.get(s) or 0),
            count_text=ctx.num(int(by_severity.get(s) or 0)),
            bg=SEVERITY_COLOURS[s][0],
            fg=SEVERITY_COLOURS[s][1],
        )
        for s in SEVERITIES
    )
    unused = summary.get("unused_monthly_cost") or {}
    reclaimable = summary.get("reclaimable_monthly_cost") or {}
    users = summary.get("users") or {}
    seats, seats_more = _seats(ctx, document.get("skus") or [])
    return ReportView(
        t=ctx.t,
        lang=locale.value,
        tenant_name=clean(tenant.get("name", ""), NAME_LIMIT),
        tenant_id=clean(tenant.get("id", ""), 64),
        cloud=clean(tenant.get("cloud", cloud.value), 20),
        generated=i18n.format_datetime(str(document.get("generated_at", "")), locale),
        as_of=i18n.format_datetime(str(document.get("as_of", "")), locale),
        collected=i18n.format_datetime(str(document.get("collected_at", "")), locale),
        policies=clean(", ".join(str(p) for p in document.get("policies") or []), TEXT_LIMIT),
        plan=clean(plan_header(document, locale) if plan_line is None else plan_line, TEXT_LIMIT),
        status=status,
        status_text=status_text[status],
        status_colour="#2b8a3e" if status == "ok" else "#c92a2a",
        complete=complete,
        incomplete_rules=incomplete_rules,
        gaps=tuple(
            Row3(
                clean(g.get("part", ""), 100),
                clean(g.get("request", ""), TEXT_LIMIT),
                clean(g.get("reason", ""), TEXT_LIMIT),
            )
            for g in gaps
        ),
        gaps_more=gaps_more,
        not_evaluated=tuple(
            Row3(
                ctx.title(str(n.get("rule", ""))),
                clean(n.get("policy", ""), NAME_LIMIT),
                clean(n.get("reason", ""), TEXT_LIMIT),
            )
            for n in not_evaluated
        ),
        not_evaluated_more=not_evaluated_more,
        changes=_changes(ctx, document, min(cap_per_rule, LIST_CAP)),
        severities=severities,
        open_total=ctx.num(unwaived),
        waived_total=ctx.num(int(summary.get("waived") or 0)),
        unused_spend=ctx.money(unused.get("amount"), unused.get("currency")),
        reclaimable_spend=ctx.money(reclaimable.get("amount"), reclaimable.get("currency")),
        users_total=ctx.num(int(users.get("total") or 0)),
        users_licensed=ctx.num(int(users.get("licensed") or 0)),
        seats=seats,
        seats_more=seats_more,
        seats_lifecycle=any(int(s.get(k) or 0) for s in document.get("skus") or ()
                            for k in ("warning", "suspended", "locked_out")),
        warnings=tuple(clean(w, TEXT_LIMIT) for w in warnings),
        warnings_more=warnings_more,
        sections=_sections(ctx, document.get("findings") or [], cap_per_rule, memo),
        redacted=redacted,
        generated_by=ctx.t.pgettext(
            "generated_by",
            "Generated by {tool} {version}.",
            tool=clean(tool.get("name", "license-auditor"), 60),
            version=clean(tool.get("version", ""), 30),
        ),
    )
