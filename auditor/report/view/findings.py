"""The findings part of the report view: one section per rule; in it, the rule's fix once per
recipe the findings share, then a table of the people and products it is for, each with what the
plan will do about it. The Graph calls are in report.json, plan.json and findings.csv."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from msgspec import UNSET

from auditor import i18n
from auditor.data.finding import Holding
from auditor.data.model import Locale, Subject, SubjectType
from auditor.data.remediation_json import RemediationJson
from auditor.evaluation.records import record
from auditor.formats.report_model import ReportFinding
from auditor.formats.report_parts import FindingTenant
from auditor.render.text import clean, safe_url
from auditor.report.view import once
from auditor.report.view.context import (
    NAME_LIMIT,
    SEVERITIES,
    SEVERITY_COLOURS,
    SEVERITY_RANK,
    TEXT_LIMIT,
    UNKNOWN_SEVERITY_COLOURS,
    RenderContext,
    product_label,
    subject_text,
)
from auditor.report.view.once import Note, Role, Step, fix_says, role_number, state_notes, steps_once, titles_once
from auditor.rules.moves.subscription_move import SubscriptionMove
from auditor.rules.usage.copilot_seats import CopilotSeatIdleDetails

RECIPE_CAP = 6  # distinct fixes shown with their steps per rule; the rest point to findings.csv
ROLE_LIMIT = 2000  # the required-role line is never cut: it names who may make the change


# the rules whose monthly_cost is the difference of two prices (a move to a cheaper or dearer product),
# not a price: "Price per month: −€21.00" read as a negative price
PRICE_DIFFERENCE_RULES = frozenset({SubscriptionMove.id})


class Link(msgspec.Struct, frozen=True):
    title: str
    url: str | None  # None: not a plain https link, shown as text only


class FindingRow(msgspec.Struct, frozen=True):
    """One person or product in a recipe's table: who, which products and groups, and what the
    plan will do about it (auditor.report.view.states)."""

    id: str
    severity: str
    severity_label: str
    bg: str
    fg: str
    subject_kind: str
    user: bool  # a user's finding: its detail is the UPN (else a subscription's, a group's id)
    subject_name: str
    subject_detail: str  # the UPN of a user; the id of a subscription or group another shares the name of
    products: str
    groups: str  # the groups that assign the products, empty when assigned directly
    policy: str
    message: str  # the finding in one sentence, for what is not a user or a rule the catalog does not know
    note: str  # what a user's row says where its steps are not shown (RuleGuidance.row_note); mostly empty
    cost: str
    change: str
    state: str  # "ready", "waits until the data is kept", "needs an admin's decision"; empty when unknown
    state_ready: bool
    state_reason: str  # why it waits, in the plan's words
    waived: bool
    waiver_reason: str
    waiver_owner: str
    waiver_expires: str


class Recipe(msgspec.Struct, frozen=True):
    """A fix shared by findings of one rule: its steps once, then the people and products it is for.
    Findings whose steps really differ (another group to leave, another product to keep) get a
    recipe of their own."""

    caption: str
    steps: tuple[str, ...]
    role: str
    next_steps: tuple[str, ...]
    links: tuple[Link, ...]
    rows: tuple[FindingRow, ...]
    anchor: str = ""  # the recipe's id in report.html, which a step shown again links to
    shown: tuple[Step, ...] = ()  # the steps as the report shows them (auditor.report.view.once)
    role_ref: str = ""  # the role's number in the report's table of roles
    product: str = ""  # the products of every row, said once above the table; empty when the rows differ
    group: str = ""  # the same for the groups that assign them
    group_column: bool = True  # rows differ in their groups: the table has a column for them
    price_column: bool = True  # the product column, or only the prices when `product` says it once
    price_only: bool = False  # no row names a product of its own: the column holds only amounts
    id_column: bool = True  # some row has an address or id to show (a product's finding has none)
    state_column: bool = True  # some row has a state (a shared mailbox that keeps its license has none)
    price: str = ""  # the price of every row, said once beside `product`; empty when the rows differ
    state: FindingRow | None = None  # a row whose state (and why it waits) every row has, said once above the table
    rest: bool = False  # the findings with a fix of their own, whose steps are in findings.csv


class SeverityCount(msgspec.Struct, frozen=True):
    """A row of "Findings per rule": a rule's findings of one severity, as the digest counts them."""

    severity_label: str
    open_count_text: str
    waived_count_text: str


class RuleSection(msgspec.Struct, frozen=True):
    rule: str
    anchor: str  # the section's id in report.html ("rule-<id>"), which the digest links to
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
    shared: Recipe  # the steps, role, next steps and links every recipe of the rule has, shown once
    recipes: tuple[Recipe, ...]  # each with what is its own only
    more_text: str
    policy: str  # the policy entry of every row, said once; empty when the rows differ (each says its own)
    notes: tuple[Note, ...]  # why the plan holds its findings back, each reason once
    note_of: dict[str, str]  # row id -> the number of its note
    price_label: str = "Price per month"  # the rows' amount: a price, or a difference of two prices
    by_severity: tuple[SeverityCount, ...] = ()  # the "Findings per rule" rows, the most severe first
    severity_split: str = ""  # "8 medium and 1 low" where the open findings differ in severity; else empty


def severity_count(t: i18n.Translations, severity: str, n: str) -> str:
    """`n` findings of `severity` in running text, lower case ("14 high"), not the labels' "High"."""
    said = {
        "critical": lambda: t.pgettext("mail_critical", "{n} critical", n=n),
        "high": lambda: t.pgettext("mail_high", "{n} high", n=n),
        "medium": lambda: t.pgettext("mail_medium", "{n} medium", n=n),
        "low": lambda: t.pgettext("mail_low", "{n} low", n=n),
    }.get(severity)
    return said() if said else f"{n} {severity}"


def _by_severity(ctx: RenderContext, items: Sequence[ReportFinding]) -> tuple[tuple[SeverityCount, ...], str]:
    """A rule's findings per severity, the most severe first, and the open ones in words when they differ."""
    ranks = sorted({f.severity for f in items}, key=lambda sev: (SEVERITY_RANK.get(sev, 9), str(sev)))
    rows, said = [], []
    for severity in ranks:
        open_n = sum(1 for f in items if f.severity == severity and not f.waived)
        waived_n = sum(1 for f in items if f.severity == severity and f.waived)
        rows.append(SeverityCount(ctx.severity_label(str(severity)), ctx.num(open_n), ctx.num(waived_n)))
        if open_n:
            said.append(severity_count(ctx.t, str(severity), ctx.num(open_n)))
    return tuple(rows), i18n.format_list(said, ctx.locale) if len(said) > 1 else ""


def _policy_text(finding: ReportFinding) -> str:
    """The policy entry, prefixed with the tenant's name for findings a multi-tenant merge carried over."""
    policy = clean(finding.policy, NAME_LIMIT)
    tenant = finding.tenant
    if isinstance(tenant, FindingTenant) and tenant.name:
        return f"{clean(tenant.name, NAME_LIMIT)} · {policy}"
    return policy


def _recipe_of(remediation: RemediationJson) -> Recipe:
    def strings(items: list[str] | None) -> tuple[str, ...]:
        return tuple(clean(s, 2000) for s in items or ())

    links = []
    for link in remediation.get("links") or []:
        # Microsoft Graph's reference is for the calls, which are in report.json; people read the admin centers' pages
        if "/graph/api/" not in str(link.get("url")):
            links.append(Link(clean(link.get("title", ""), NAME_LIMIT), safe_url(link.get("url"))))
    return Recipe(
        caption=clean(remediation.get("summary", ""), TEXT_LIMIT),
        steps=strings(remediation.get("steps")),
        role=clean(remediation.get("role") or "", ROLE_LIMIT),
        next_steps=strings(remediation.get("next_steps")),
        links=tuple(links),
        rows=(),
    )


# Turkish names a user "<name> kullanıcısı", declined ("…kullanıcısının", "…kullanıcısına"): with "this user"
# ("tablodaki kişi") for the name, that reads "tablodaki kişi kullanıcısının". A user in general is "bu kullanıcı",
# declined in the same case: "bu kullanıcının". Per language: the named form, the general one, their case endings.
_GENERIC_USER: dict[Locale, tuple[str, str, dict[str, str]]] = {
    Locale.TR: (
        "kullanıcısı",
        "bu kullanıcı",
        {"nın": "nın", "ndan": "dan", "nda": "da", "na": "ya", "nı": "yı", "yla": "yla", "": ""},
    ),
}


def _generic_user(text: str, someone: str, locale: Locale) -> str:
    """`text` with "this user" said as its language says a user in general (see _GENERIC_USER)."""
    if locale not in _GENERIC_USER:
        return text
    named, generic, endings = _GENERIC_USER[locale]
    cases = "|".join(sorted(endings, key=len, reverse=True))
    pattern = re.compile(rf"{re.escape(someone)} {named}({cases})\b")
    return pattern.sub(lambda m: generic + endings[m.group(1)], text)


def shared_recipe(ctx: RenderContext, finding: ReportFinding) -> Recipe:
    """The finding's steps as they read for every user they fit: the catalog's remediation for the
    same facts with the user said as "this user" (the table's column names them), so that findings
    whose steps differ only by the user share one recipe. Other subjects keep their own steps."""
    subject = finding.subject
    if subject.type != "user" or finding.rule not in ctx.known:
        return own_recipe(ctx, finding)
    someone = ctx.t.pgettext("recipe_user", "this user")
    neutral = msgspec.structs.replace(finding, subject=Subject(SubjectType.USER, subject.id, display_name=someone))
    recipe = _recipe_of(ctx.remediation(neutral))

    def said(text: str) -> str:  # "this user holds …" begins a sentence with a capital
        text = _generic_user(text, someone, ctx.locale)
        general = _GENERIC_USER[ctx.locale][1] if ctx.locale in _GENERIC_USER else someone
        return text[:1].upper() + text[1:] if text.startswith((someone, general)) else text

    return msgspec.structs.replace(
        recipe,
        caption=said(recipe.caption),
        steps=tuple(said(s) for s in recipe.steps),
        next_steps=tuple(said(s) for s in recipe.next_steps),
    )


def own_recipe(ctx: RenderContext, finding: ReportFinding) -> Recipe:
    """The finding's steps with its subject named, for a recipe only this finding has."""
    return _recipe_of(ctx.remediation(finding))


def _change_label(ctx: RenderContext, finding: ReportFinding) -> str:
    change = finding.change
    if change == "new":
        return ctx.t.pgettext("change_new", "New")
    if change == "persisting":
        first_seen = i18n.format_date(str("" if finding.first_seen is UNSET else finding.first_seen), ctx.locale)
        if finding.waived:  # a waived finding is not open (native review 7, E14)
            return ctx.t.pgettext("change_found", "Found on {date}", date=first_seen)
        return ctx.t.pgettext("change_persisting", "Open since {date}", date=first_seen)
    return ""


def _groups_text(holding: Holding) -> str:
    """The groups that assign the finding's products, each once."""
    names: list[str] = []
    for groups in holding.assigned_by_group.values():
        for name in groups:
            if name not in names:
                names.append(name)
    return clean(", ".join(names), NAME_LIMIT)


def _products(ctx: RenderContext, skus: object) -> str:
    """The finding's products by their names for people ("Microsoft 365 E3, Visio Plan 2")."""
    if not isinstance(skus, list | tuple):
        return ""
    return clean(", ".join(product_label(s, ctx.names) for s in skus), NAME_LIMIT)


def without_name(message: str, name: str) -> str:
    """A message under its subject's name without the name it opens with ("Visio Plan 2: 3 of 9 ..."
    under "Visio Plan 2" says "3 of 9 ..."): the row says the name once."""
    head = f"{name}: "
    if not name or not message.startswith(head) or len(message) == len(head):
        return message
    rest = message[len(head) :]
    return rest[:1].upper() + rest[1:]


def finding_row(ctx: RenderContext, finding: ReportFinding, remediation: RemediationJson) -> FindingRow:
    """A finding as its recipe's table shows it, with `remediation` (ctx.remediation of it)."""
    severity = str(finding.severity)
    bg, fg = SEVERITY_COLOURS.get(severity, UNKNOWN_SEVERITY_COLOURS)
    subject = finding.subject
    name, detail = subject_text(subject, ctx.names, ctx.twins)
    if subject.type == "waiver":  # the rule by its title, as the waiver's sentence names it (native review 7)
        rule, _, rest = name.partition(":")
        name = (
            ctx.t.pgettext("waiver_name", "“{rule}”: {subject}", rule=ctx.title(rule), subject=rest) if rest else name
        )
    waiver = finding.waiver if finding.waived else None
    cost = finding.monthly_cost  # an idle seat priced (`exposure`) that saves nothing moves: it says where, not a price
    idle = record(finding, CopilotSeatIdleDetails)
    moved = cost is None and idle is not None and idle.exposure is not None
    note = ctx.row_note(finding)
    state = None if finding.waived else ctx.state_of(finding, remediation)
    products = _products(ctx, finding.skus)
    return FindingRow(
        id=clean(finding.id, 64),
        severity=severity,
        severity_label=ctx.severity_label(severity),
        bg=bg,
        fg=fg,
        subject_kind=ctx.subject_labels.get(subject.type, ""),
        user=subject.type == "user",
        subject_name=name,
        subject_detail=detail,
        products="" if products == name else products,  # a product's finding: its name says it
        groups=_groups_text(finding.holding),
        policy=_policy_text(finding),
        # a user's finding is said by its rule's title and the table; a product's, or one of a rule the
        # catalog does not know (from another version of the tool), by its message
        message=""
        if subject.type == "user" and finding.rule in ctx.known
        else without_name(ctx.message(finding), name),
        note=note,
        cost=note if moved else "" if cost is None else ctx.money(cost, ctx.currency),
        change=_change_label(ctx, finding),
        state=state.label if state else "",
        state_ready=bool(state and state.ready),
        state_reason=state.reason if state else "",
        waived=finding.waived,
        waiver_reason=clean(waiver.reason if waiver else "", TEXT_LIMIT),
        waiver_owner=clean(waiver.owner if waiver else "", NAME_LIMIT),
        waiver_expires=i18n.format_date(waiver.expires, ctx.locale) if waiver and waiver.expires else "",
    )


class RowMemo:
    """Each finding's row and shared recipe, built once for all the views of one rendering: the HTML
    and the Markdown show the same rows (only how many differs), and the HTML may build its view
    again with fewer. Used only by views of the same document, locale, cloud and catalog."""

    def __init__(self) -> None:
        self._owner: tuple[Any, ...] | None = None
        self._rows: dict[int, tuple[ReportFinding, Recipe, FindingRow, Recipe]] = {}

    def serves(self, ctx: RenderContext) -> bool:
        owner = (ctx.document, ctx.locale, ctx.cloud, ctx.wording)
        if self._owner is None:
            self._owner = owner
        return all(a is b or a == b for a, b in zip(self._owner, owner, strict=True))

    def row(self, ctx: RenderContext, finding: ReportFinding) -> tuple[Recipe, FindingRow, Recipe]:
        """The finding's shared recipe, its row, and its own recipe (its subject named)."""
        kept = self._rows.get(id(finding))
        if kept is not None and kept[0] is finding:
            return kept[1], kept[2], kept[3]
        row = finding_row(ctx, finding, ctx.remediation(finding))
        recipe = shared_recipe(ctx, finding)
        own = own_recipe(ctx, finding)
        self._rows[id(finding)] = (finding, recipe, row, own)
        return recipe, row, own


def _recipes(
    ctx: RenderContext, triples: Sequence[tuple[Recipe, FindingRow, Recipe]], known: bool, every_fix: bool
) -> tuple[Recipe, ...]:
    """The rows gathered under the recipes they share, the largest first, at most RECIPE_CAP with
    their steps; without `every_fix`, only the fix most of the rule's findings share and each fix
    several share. The other findings share one table, whose steps are in report.json. A recipe
    of one finding names its user; one several share says "this user"."""
    by_key: dict[tuple[Any, ...], tuple[Recipe, list[FindingRow]]] = {}
    own: dict[str, Recipe] = {}
    for recipe, row, own_steps in triples:
        key = (recipe.caption, recipe.steps, recipe.role, recipe.next_steps, recipe.links)
        by_key.setdefault(key, (recipe, []))[1].append(row)
        own[row.id] = own_steps
    ordered = sorted(by_key.values(), key=lambda item: -len(item[1]))
    kept = [item for n, item in enumerate(ordered) if every_fix or n == 0 or len(item[1]) > 1][:RECIPE_CAP]
    others = [item for item in ordered if all(item is not k for k in kept)]
    named = [(own[rows[0].id] if len(rows) == 1 else recipe, rows) for recipe, rows in kept]  # one finding's: its name
    # the caption (the fix in one sentence) tells a rule's recipes apart; one recipe's steps say it all
    # (the tables without steps say where theirs are, so a caption would tell nothing apart there)
    several = len(kept) > 1 or not known  # a rule the catalog does not know: its carried summary
    shown = [
        msgspec.structs.replace(
            recipe,
            rows=tuple(rows),
            caption=recipe.caption if several else "",
            product=_said_by_all(rows, "products"),
            group=_said_by_all(rows, "groups"),
            group_column=any(row.groups for row in rows) and not _said_by_all(rows, "groups"),
            # a column no row fills is left out: a product's finding has no id, and its name is its product
            price_column=any(row.products or row.cost for row in rows)
            and (not _said_by_all(rows, "products") or (any(row.cost for row in rows) and not price)),
            price_only=not any(row.products for row in rows),
            id_column=any(row.subject_detail for row in rows),
            state_column=any(row.state or row.waived for row in rows),
            price=price,
        )
        for recipe, rows in named
        for price in [_said_by_all(rows, "cost") if _said_by_all(rows, "products") else ""]
    ]
    if others:
        caption = ""  # where their steps are is said once, above the rules (ReportView.rest_note)
        # the steps all of them have: the rule's own steps (_shared) are only those every finding has
        common = once.leading_steps([r.steps for r, _ in others])
        # their steps are not shown: a row says what its rule's steps would name (RuleGuidance.row_note)
        rows = tuple(
            msgspec.structs.replace(row, message=row.message or row.note) for _, rows in others for row in rows
        )
        group, price = any(r.groups for r in rows), any(r.products or r.cost for r in rows)  # a column none fills: out
        shown.append(Recipe(caption, common, "", (), (), rows, rest=True, group_column=group, price_column=price))
    return tuple(shown)


def _said_by_all(rows: Sequence[FindingRow], field: str) -> str:
    """The value of `field` when two or more rows have it alike, so the table says it once above it."""
    values = {getattr(row, field) for row in rows}
    return values.pop() if len(rows) > 1 and len(values) == 1 else ""


def _shared(recipes: tuple[Recipe, ...], known: bool = True) -> tuple[Recipe, tuple[Recipe, ...]]:
    """What the recipes of a rule share, once: the steps every recipe begins with, and the role, next steps
    and links most of them have (a recipe with others shows its own); then the recipes with only
    what is theirs."""
    with_steps = [r for r in recipes if not r.rest and (r.steps or r.role or r.next_steps or r.links)]
    if not with_steps:
        return Recipe("", (), "", (), (), ()), recipes
    rest = [r for r in recipes if r.rest]
    steps = once.leading_steps([r.steps for r in with_steps + rest])

    def same(field: str) -> Any:
        values = [getattr(r, field) for r in with_steps]
        common = max(values, key=values.count)  # the first of the most frequent
        return common if len(values) == 1 or values.count(common) > 1 else type(common)()

    shared = Recipe("", steps, same("role"), same("next_steps"), same("links"), ())

    def own(r: Recipe) -> Recipe:
        extra = () if r.rest else r.steps[len(steps) :]
        # the caption (the fix in one sentence) tells a recipe apart when no step of its own does
        return msgspec.structs.replace(
            r,
            steps=extra,
            caption="" if extra and known else r.caption,
            role="" if r.role == shared.role else r.role,
            next_steps=() if r.next_steps == shared.next_steps else r.next_steps,
            links=() if r.links == shared.links else r.links,
        )

    return shared, tuple(own(r) for r in recipes)


def _once(recipe: Recipe, seen: set[object]) -> Recipe:
    """`recipe` without the next steps and links an earlier section of the report showed ("Run the
    audit again", "Buy or remove licenses"): each is read once, where it first applies."""
    next_steps = tuple(step for step in recipe.next_steps if step not in seen)
    links = tuple(link for link in recipe.links if link not in seen)
    seen.update(next_steps, links)
    return msgspec.structs.replace(recipe, next_steps=next_steps, links=links)


def _said_once(recipe: Recipe, anchor: str, shown: dict[str, str], roles: dict[str, Role]) -> Recipe:
    """`recipe` with its anchor, its steps as the report shows them and its role's number."""
    titles = titles_once([link.title for link in recipe.links])
    return msgspec.structs.replace(
        recipe,
        anchor=anchor,
        shown=steps_once(recipe.steps, anchor, shown),
        role_ref=role_number(roles, recipe.role),
        links=tuple(Link(title, link.url) for title, link in zip(titles, recipe.links, strict=True)),
    )


def _said_state(recipe: Recipe, note_of: Mapping[str, str]) -> Recipe:
    """`recipe` with the state its rows share said once, when two or more rows wait (or are ready)
    alike: the same state and the same note or reason."""
    states = {(row.state, row.state_ready, note_of.get(row.id) or row.state_reason, row.waived) for row in recipe.rows}
    alike = len(recipe.rows) > 1 and len(states) == 1 and recipe.rows[0].state and not recipe.rows[0].waived
    return msgspec.structs.replace(recipe, state=recipe.rows[0] if alike else None)


def _reasons_once(
    ctx: RenderContext, recipes: Sequence[Recipe], said: dict[str, tuple[str, str]], title: str
) -> tuple[Recipe, ...]:
    """`recipes` with a reason an earlier rule's row gave in full pointing at that row (its subject and rule:
    a section holds rows of several reasons, native review 9, S2); `said` records each reason's first row."""
    out = []
    for recipe in recipes:
        rows = []
        for row in recipe.rows:
            rule, name = (
                said.setdefault(row.state_reason, (title, row.subject_name)) if row.state_reason else (title, "")
            )
            if rule != title:
                said_row = ctx.t.pgettext("state_reason_said_row", "as for {name} under “{rule}”", name=name, rule=rule)
                pointer = said_row if name else ctx.t.pgettext("state_reason_said", "as under “{rule}”", rule=rule)
                row = msgspec.structs.replace(row, state_reason=pointer)
            rows.append(row)
        out.append(msgspec.structs.replace(recipe, rows=tuple(rows)))
    return tuple(out)


def _common_policy(recipes: Sequence[Recipe]) -> str:
    policies = {row.policy for recipe in recipes for row in recipe.rows}
    return policies.pop() if len(policies) == 1 else ""


def build_sections(
    ctx: RenderContext,
    findings: Sequence[ReportFinding],
    cap: int,
    memo: RowMemo | None = None,
    roles: dict[str, Role] | None = None,
    every_fix: bool = True,
) -> tuple[RuleSection, ...]:
    """One section per rule, open before waived and the most severe first; at most `cap` rows each,
    gathered under the recipes they share (without `every_fix`, a fix only one finding has is left
    to report.json). `roles`: role -> its number in the report's table of roles, filled in the
    order the sections name them."""
    if memo is None or not memo.serves(ctx):
        memo = RowMemo()
    roles = {} if roles is None else roles
    shown_steps: dict[str, str] = {}  # a long step -> the recipe that shows it in full
    by_rule: dict[str, list[ReportFinding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)

    def order(rule: str) -> tuple[int, int, str]:
        items = by_rule[rule]
        open_ranks = [SEVERITY_RANK.get(f.severity, 9) for f in items if not f.waived]
        all_ranks = [SEVERITY_RANK.get(f.severity, 9) for f in items]
        return (0 if open_ranks else 1, min(open_ranks or all_ranks), rule)

    sections = []
    seen: set[object] = set()  # next steps and links shown in an earlier section
    reasons: dict[str, tuple[str, str]] = {}  # why a row waits -> the rule and the subject of the row first saying it
    fix_said = {i for i, state in (ctx.states or {}).items() if state.fix_says}  # where the fix is shown
    for rule in sorted(by_rule, key=order):
        items = by_rule[rule]
        open_items = [f for f in items if not f.waived]
        waived_items = [f for f in items if f.waived]
        shown = (open_items + waived_items)[:cap]
        known = rule in ctx.known
        shared, recipes = _shared(_recipes(ctx, [memo.row(ctx, finding) for finding in shown], known, every_fix), known)
        severity = str((open_items or items)[0].severity)
        top = min((SEVERITY_RANK.get(f.severity, 9) for f in (open_items or items)), default=9)
        severity = SEVERITIES[top] if top < len(SEVERITIES) else severity
        bg, fg = SEVERITY_COLOURS.get(severity, UNKNOWN_SEVERITY_COLOURS)
        hidden = len(items) - len(shown)
        shared, recipes = _once(shared, seen), tuple(_once(recipe, seen) for recipe in recipes)
        anchor = rule_anchor(rule)
        fix = "fix-" + anchor.removeprefix("rule-")  # the recipes' ids; "rule-" begins a section's only
        shared = _said_once(shared, f"{fix}-0", shown_steps, roles)
        recipes = tuple(_said_once(recipe, f"{fix}-{i}", shown_steps, roles) for i, recipe in enumerate(recipes, 1))
        recipes = tuple(fix_says(r, fix_said) if (r.shown or shared.shown) and not r.rest else r for r in recipes)
        recipes = _reasons_once(ctx, recipes, reasons, ctx.title(rule))
        notes, note_of = state_notes((row.id, row.state_reason) for recipe in recipes for row in recipe.rows)
        recipes = tuple(_said_state(recipe, note_of) for recipe in recipes)
        by_severity, severity_split = _by_severity(ctx, items)
        sections.append(
            RuleSection(
                price_label=ctx.t.pgettext("price_difference", "Difference per month")
                if rule in PRICE_DIFFERENCE_RULES
                else ctx.t.pgettext("seats_price", "Price per month"),
                rule=clean(rule, 100),
                anchor=anchor,
                title=ctx.title(rule),
                description=ctx.describe(rule),
                severity=severity,
                severity_label=ctx.severity_label(severity),
                bg=bg,
                fg=fg,
                open_count=len(open_items),
                open_count_text=ctx.num(len(open_items)),
                waived_count_text=ctx.num(len(waived_items)),
                # one open finding and none waived: its one row says it
                open_text=ctx.t.npgettext("rule_open", "{n} open finding", "{n} open findings", len(open_items))
                if len(open_items) != 1 or waived_items
                else "",
                waived_text=ctx.t.npgettext("rule_waived", "{n} waived", "{n} waived", len(waived_items))
                if waived_items
                else "",
                shared=shared,
                recipes=recipes,
                more_text=ctx.t.npgettext(
                    "rule_more",
                    "{n} more finding of this rule is listed in findings.csv and report.json.",
                    "{n} more findings of this rule are listed in findings.csv and report.json.",
                    hidden,
                )
                if hidden > 0
                else "",
                policy=_common_policy(recipes),
                notes=notes,
                note_of=note_of,
                by_severity=by_severity,
                severity_split=severity_split,
            )
        )
    return tuple(sections)


def rule_anchor(rule: str) -> str:
    """The id of a rule's section in report.html: letters, digits and dashes only."""
    return "rule-" + "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "-" for ch in rule)[:100]
