"""The library rules build their guidance from: words, text references and the shared remediation pieces.

Each rule's texts (auditor/rules/<topic>/<name>_texts.py, beside the rule; the merge rules' in
auditor/cross_tenant/rules_texts.py) hold
its one-line message and remediation (`RuleGuidance`); they read the finding's facts
and return text references, which the public functions in `auditor.wording` render in the
requested locale. The facts behind the steps
come from the "Move users to a different subscription" and "Transfer licenses between tenants"
pages (see links.py); Graph actions follow the Microsoft Graph v1.0 reference.

This module imports no rule: the rules' guidance imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar

from auditor.data.blocked import DATA_LOST, PLANS_UNKNOWN, STORAGE_WAITS
from auditor.data.finding import Own
from auditor.data.finding_facts import BillFigures
from auditor.data.model import Locale

from ..i18n import format_list, format_size
from . import texts
from .cloud_variants import Variant
from .details import Details, RuleDetails
from .remediation import Action, Remediation, TextRef, assign_license, leaving_order, remove_member
from .texts.declare import Declared

# the rule's own details, the record beside the rule (RuleGuidance[SkuCombinationForbiddenDetails])
D = TypeVar("D", bound=Own)
LINKS_ASSIGN = ["move_users", "assign_licenses", "unassign_licenses", "admin_roles", "graph:user_assign"]
LINKS_GROUP = ["group_licensing", "graph:group_remove_member", "graph:group_assign"]


class ValueFormatter:
    """Writes the values that go into a text's placeholders in one locale: lists joined as the
    language writes them ("A, B and C"), products named for people ("Microsoft 365 E3", from
    `names`: part number -> name; else the part number), subscription states and the catalogs'
    small words ("none", "unknown")."""

    def __init__(
        self,
        locale: Locale,
        names: Mapping[str, str] | None = None,
        titles: Callable[[str], str] | None = None,
    ) -> None:
        self.locale = locale
        self._names = names or {}
        self._titles = titles

    def rule(self, rule_id: str) -> str:
        """A rule as its title names it in this locale ("Guest holds licenses"), never its id; the id
        where no title is known (a rule of another version)."""
        return self._titles(rule_id) if self._titles is not None else rule_id

    def _list(self, parts: Sequence[str], style: Literal["standard", "or"] = "standard") -> str:
        return format_list(parts, self.locale, style=style)

    def word(self, name: str) -> str:
        value = texts.WORDS.raw(self.locale, f"word.{name}")
        return value if isinstance(value, str) else " ".join(value)

    def state(self, value: str) -> str:
        """A subscription state as the admin center names it, Graph's value beside it: "Expired
        (Warning)", in a translated report in its words ("Verlopen (waarschuwing)"). A value the
        catalogs do not name is shown as Graph gives it."""
        beside = f"state_value.{value.lower()}"
        return self._said(
            f"state.{value.lower()}", self.word(beside) if f"word.{beside}" in texts.WORDS[self.locale] else value
        )

    def error(self, code: str) -> str:
        """A license assignment error in words, Graph's code beside it: "not enough licenses
        (CountViolation)". A code the catalogs do not name is shown as Graph gives it."""
        return self._said(f"error.{code.lower()}", code)

    def _said(self, name: str, value: str) -> str:
        if f"word.{name}" not in texts.WORDS[self.locale]:
            return value
        return f"{self.word(name)} ({value})"

    def all(self, parts: Sequence[str]) -> str:
        return self._list(parts) if parts else self.word("none")

    def skus(self, parts: Sequence[str]) -> str:
        """The finding's own products, by name; an empty list means the report lacked them."""
        return self._list([self.product(p) for p in parts]) if parts else self.word("unknown")

    def any(self, parts: Sequence[str]) -> str:
        return self._list(parts, "or") if parts else self.word("none")

    def product(self, part: str) -> str:
        """A product as people know it (the part number stays in CSV, JSON and the Graph calls)."""
        return self._names.get(part) or part

    def subject(self, f: Details) -> str:
        """How a text names the finding's subject: a user by name and UPN, a product or a
        subscription by the product's name (never its part number or id, which the report's subject
        column and the Graph calls carry)."""
        sku = f.subject.sku
        if f.subject_type in ("sku", "subscription") and sku:
            return self.product(sku)
        return f.label()

    def products(self, parts: Sequence[str]) -> str:
        return self.all([self.product(p) for p in parts])

    def any_product(self, parts: Sequence[str]) -> str:
        return self.any([self.product(p) for p in parts])

    def listing(self, name: str, parts: Sequence[str], *, products: bool = True, empty: str = "none") -> dict[str, str]:
        """The values of a counted text that names a list: {name: the parts joined ("A, B and C";
        products by name unless `products` is false), "count": how many}. The text's words agree
        with the list through `count` (Turkish "{sku} ürününü" for one product, "ürünlerini" for
        two). No parts: the word `empty` ("none", "unknown") and no count, so the plural."""
        if not parts:
            return {name: self.word(empty)}
        return {
            name: self._list([self.product(p) for p in parts] if products else list(parts)),
            "count": str(len(parts)),
        }

    def size(self, value: object) -> str:
        """Bytes as admins read a mailbox or OneDrive size: "8.4 GB" (i18n.format_size)."""
        if not isinstance(value, int | float) or isinstance(value, bool):
            return self.word("unknown")
        return format_size(value, self.locale)

    def one_of(self, name: str, parts: Sequence[str]) -> dict[str, str]:
        """The values of a counted text that names one product of several ("A or B"): it reads as
        one product, so the singular."""
        return {name: self.any_product(parts), "count": "1"}


def group_steps(f: Details, w: ValueFormatter, parts: Sequence[str]) -> list[TextRef]:
    """Per product and per group that assigns it: its own sentence and its own admin-center path
    (two groups never run into one path "Groups > All groups > G1, G2")."""
    steps: list[TextRef] = []
    for part in parts:
        names, ids = f.groups(part), f.group_ids(part)
        for i, group in enumerate(names):
            gid = ids[i] if len(ids) == len(names) else ""
            values = {"sku": w.product(part), "group": group}
            steps += [
                TextRef("steps.group.explain", values),
                membership_step(f, gid, values),
                TextRef("steps.group.license", values),
            ]
            others = [p for p in f.group_licenses(gid) if p not in f.skus]
            if others:
                steps.append(TextRef("steps.group.also", {**values, **w.listing("others", others)}))
    return steps


def membership_step(f: Details, gid: str, values: Mapping[str, str]) -> TextRef:
    """How to take the user out of group `gid`: in the admin center, or, for a group whose members
    no program may change, where its membership is decided (its rule, quoted; on-premises Active
    Directory; Exchange Online), or a check of its kind first when that is not known."""
    kind = f.group_kind(gid) if gid else None
    if kind is None:
        return TextRef("steps.group.membership", values)
    key = f"steps.group.{kind[0]}" if kind[0] in _KINDS else "steps.group.unknown"
    return TextRef(key, {**values, "rule": kind[1]})


_KINDS = ("dynamic", "synced", "mail", "unknown")


def group_summaries(
    f: Details, w: ValueFormatter, parts: Sequence[str], key: str, extra: dict[str, str]
) -> tuple[TextRef, ...]:
    """One summary sentence per product and group that assigns it (the sentences are singular)."""
    return tuple(
        TextRef(key, {**extra, "sku": w.product(part), "old": w.product(part), "group": group})
        for part in parts
        for group in (f.groups(part) or (w.word("unknown"),))
    )


def data_lost(f: Details) -> Mapping[str, list[str]]:
    """Per product: the data-holding plans its removal would switch off (DataLoss.of, auditor/impact/services.py)."""
    return f.fix.data_lost


def plans_unknown(f: Details) -> set[str]:
    """Products whose service plans nobody lists (DataLoss.of, auditor/impact/services.py): they may hold data."""
    return set(f.fix.plans_unknown)


def storage_wait(f: Details) -> str | None:
    """Why the user's data does not fit the smaller plan the change leaves, or is not known to
    (details.storage.wait, auditor/impact/storage_fit.py); None when it fits or nothing shrinks."""
    wait = f.fix.storage.wait if f.fix.storage is not None else None
    return wait if wait in STORAGE_WAITS else None


def at_risk(f: Details) -> set[str]:
    """Products never removed by a ready-to-run call: their removal ends data, or may, or leaves
    the user's data in a plan it does not fit (then each of the finding's products waits)."""
    return (
        {part for part, plans in data_lost(f).items() if plans}
        | plans_unknown(f)
        | (set(f.skus) if storage_wait(f) else set())
    )


def storage_steps(f: Details, w: ValueFormatter) -> list[TextRef]:
    """What the tenant's usage reports say of the data a smaller plan must hold: the sizes and the
    limits side by side, and, when the change waits, why and what to do."""
    storage = f.fix.storage
    if storage is None:
        return []
    wait = storage_wait(f)
    user = f.label()
    if wait == "storage_unknown":
        return [TextRef("steps.storage.unknown", {"user": user, "reason": storage.unknown or ""})]
    mailbox = {
        "user": user,
        "size": w.size(storage.mailbox_bytes),
        "quota": w.size(storage.mailbox_limit_bytes),
        "plan": storage.mailbox_plan or "",
    }
    onedrive = {
        "user": user,
        "size": w.size(storage.onedrive_bytes),
        "quota": w.size(storage.onedrive_limit_bytes),
        "plan": storage.onedrive_plan or "",
    }
    if wait == "mailbox_too_large":
        return [TextRef("steps.storage.mailbox_too_large", mailbox)]
    if wait == "archive":
        return [TextRef("steps.storage.archive", {"user": user, "plan": storage.archive_plan or ""})]
    if wait == "onedrive_too_large":
        return [TextRef("steps.storage.onedrive_too_large", onedrive)]
    out = []
    if storage.mailbox_limit_bytes is not None:
        out.append(TextRef("steps.storage.mailbox_fits", mailbox))
    if storage.archive_plan is not None:
        out.append(TextRef("steps.storage.no_archive", {"user": user, "plan": storage.archive_plan}))
    if storage.onedrive_limit_bytes is not None:
        out.append(TextRef("steps.storage.onedrive_fits", onedrive))
    return out


def keep_data(f: Details) -> list[TextRef]:
    """The general "keep the data first" step, unless the finding names the plans whose data a
    removal would end: then loss_steps says it for each product, and once is enough."""
    return [] if data_lost(f) else [TextRef("steps.data.keep")]


def loss_steps(f: Details, w: ValueFormatter, parts: Sequence[str]) -> list[TextRef]:
    """What the data says first (storage_steps), then one line per product whose removal would
    cost the user data: keep the data first."""
    lost, unknown = data_lost(f), plans_unknown(f)
    return storage_steps(f, w) + [
        TextRef("steps.loss.data", {"sku": w.product(part), **w.listing("plans", lost.get(part, ()), products=False)})
        if lost.get(part)
        else TextRef("steps.loss.unknown", {"sku": w.product(part)})
        for part in parts
        if lost.get(part) or part in unknown
    ]


def loss_summary(f: Details, w: ValueFormatter, parts: Sequence[str]) -> TextRef | None:
    lost = data_lost(f)
    costly = [p for p in parts if lost.get(p)]
    if not costly:
        return None
    plans = sorted({name for p in costly for name in lost.get(p, ())})
    return TextRef("summary.loss.data", {**w.listing("sku", costly), "plans": w.all(plans)})


def risk(f: Details, parts: Sequence[str]) -> str | None:
    """Why removing `parts` is not ready to run: data that would not fit the plan left (or whose
    size is not known), data it would end, or plans nobody lists."""
    wait = storage_wait(f)
    if wait and parts:
        return wait
    lost = data_lost(f)
    if any(lost.get(p) for p in parts):
        return DATA_LOST
    unknown = plans_unknown(f)
    return PLANS_UNKNOWN if any(p in unknown for p in parts) else None


def direct_removals(
    f: Details,
    parts: Sequence[str],
    describe: Callable[[Sequence[str]], TextRef],
    add: Sequence[str] = (),
    describe_add: TextRef | None = None,
) -> list[Action]:
    """One assignLicense for the products whose removal ends no data (with `add` in the same call),
    and one, not ready, for those whose removal would or may (still listed, so the report shows it).
    `describe_add` describes the call that only adds (every removal at risk)."""
    risky = at_risk(f)
    safe = [p for p in parts if p not in risky]
    held = [p for p in parts if p in risky]
    out: list[Action] = []
    if safe or (add and not held):
        out.append(assign_license(f, add, safe, describe(safe) if safe or describe_add is None else describe_add))
        add = ()
    if held:  # the replacement goes with them when nothing else may go: one change, not ready
        out.append(assign_license(f, add, held, describe(held), risk(f, held)))
    return out


def group_removals(
    f: Details, w: ValueFormatter, parts: Sequence[str], skip: Callable[[str, str], bool] | None = None
) -> list[Action]:
    """One membership removal per group that assigns one of `parts` (never one call for two groups),
    each not ready when leaving would end data. `skip(group id, group name)` leaves a group out."""
    out: list[Action] = []
    for gid, name, given in leaving_order(f, parts):
        if skip is not None and skip(gid, name):
            continue
        values = {"sku": w.products(given), "group": name}
        kind = None if gid.startswith("{") else f.group_kind(gid)
        others = [p for p in f.group_licenses(gid) if p not in f.skus]
        if gid.startswith("{"):
            key = "graph.membership_lookup"
        elif kind is not None:  # not a call to run: where the membership is changed instead
            key = f"graph.membership.{kind[0] if kind[0] in _KINDS else 'unknown'}"
            values |= {"rule": kind[1]}
        elif others:
            key = "graph.membership.also"
            values |= w.listing("others", others)
        else:
            key = "graph.membership"
        out.append(remove_member(f, gid, given, TextRef(key, values), risk(f, given)))
    return out


def removal_frame(grouped: bool) -> tuple[str, list[TextRef], list[str]]:
    """A removal's role, next steps and links (with the group-licensing pages when a group assigns
    a product)."""
    links = ["unassign_licenses", "buy_licenses", "admin_roles", "graph:user_assign"]
    return (
        "role.group" if grouped else "role.assign",
        [TextRef("next.freed"), TextRef("next.rerun")],
        links + (LINKS_GROUP if grouped else []),
    )


def removal_actions(f: Details, w: ValueFormatter, parts: Sequence[str]) -> list[Action]:
    """removal()'s Graph calls alone: one assignLicense for the products assigned directly, one
    membership removal per group for the rest."""
    return direct_removals(
        f, f.direct(parts), lambda ps: TextRef("graph.remove", w.listing("sku", ps))
    ) + group_removals(f, w, f.grouped(parts))


def removal(
    f: Details,
    v: Variant,
    w: ValueFormatter,
    parts: Sequence[str],
    *,
    intro: Sequence[TextRef] = (),
    remove_block: str = "",
    lead: TextRef | None = None,
    more_links: Sequence[str] = (),
    calls: bool = True,
) -> Remediation:
    """Take `parts` away from the user: per user where assigned directly (one assignLicense), via
    each group that assigns them otherwise (one membership removal per group). A product whose
    removal would cost the user data (a mailbox, files) gets a keep-the-data step first, and its
    call is listed but not ready to run. `lead` goes before the summary, `more_links` after the
    links; without `calls` the remediation has no Graph calls (the admin removes after checking)."""
    direct, grouped = f.direct(parts), f.grouped(parts)
    block = remove_block or f"steps.remove.{v.steps}"
    steps = list(intro)
    if not parts:  # the report named no products: still show where to look
        unknown = w.listing("sku", (), empty="unknown")
        steps.append(TextRef(block, unknown))
        nothing = TextRef("summary.remove", unknown)
        return Remediation(
            (lead, nothing) if lead is not None else nothing,
            steps,
            "role.assign",
            [TextRef("next.freed"), TextRef("next.rerun")],
            ["unassign_licenses", "buy_licenses", "admin_roles", *more_links],
        )
    steps += loss_steps(f, w, parts)
    if direct:
        steps.append(TextRef(block, w.listing("sku", direct)))
    steps += group_steps(f, w, grouped)
    actions = removal_actions(f, w, parts) if calls else []
    summary: TextRef | tuple[TextRef, ...]
    if direct:
        # one sentence for the direct products, one per product and group for the rest (grammar)
        summary = (
            TextRef("summary.remove", w.listing("sku", direct)),
            *group_summaries(f, w, grouped, "summary.remove_group", {}),
        )
    else:
        summary = group_summaries(f, w, grouped, "summary.remove_group", {})
    loss = loss_summary(f, w, parts)
    if loss is not None:
        summary = (loss, *(summary if isinstance(summary, tuple) else (summary,)))
    if lead is not None:
        summary = (lead, *(summary if isinstance(summary, tuple) else (summary,)))
    role, next_steps, links = removal_frame(bool(grouped))
    return Remediation(summary, steps, role, next_steps, [*links, *more_links], actions)


# held_twice's sentences for a product that several groups give (the plural, and no admin-center path
# naming one group)
_MANY_GROUPS = {
    "steps.group.loss": "steps.group.loss.many",
    "steps.group.redundant": "steps.group.redundant.many",
    "summary.to_group.loss": "summary.to_group.loss.many",
    "summary.to_group.redundant": "summary.to_group.redundant.many",
}


def held_twice(
    f: Details, w: ValueFormatter, twice: Mapping[str, list[str]], lost: Mapping[str, list[str]] | None
) -> Remediation:
    """The user already gets the product from a group: the direct copy goes, never a "join the
    group" step, and only when the group's copy turns on every plan the direct one does. One line
    per product, naming its own groups and the plans its removal would switch off."""
    lost = lost or {}  # product -> the service plans only the direct copy turns on (HeldTwice.plans_lost)
    steps: list[TextRef] = []
    safe: list[str] = []

    def say(key: str, part: str) -> TextRef:
        """The sentence for one product: its one group by name (with its admin-center path), or
        its groups together in the plural form (never two names in one path)."""
        groups = twice.get(part, [])
        values = {"sku": w.product(part), **w.listing("plans", lost.get(part, ()), products=False)}
        if len(groups) > 1:
            return TextRef(_MANY_GROUPS[key], values | {"groups": w.all(groups)})
        return TextRef(key, values | {"group": w.all(groups)})

    for part in sorted(twice):
        if lost.get(part):
            steps.append(say("steps.group.loss", part))
        else:
            steps.append(say("steps.group.redundant", part))
            safe.append(part)
    first = sorted(twice)[0]
    summary = say("summary.to_group.loss" if lost.get(first) else "summary.to_group.redundant", first)
    actions = (
        [assign_license(f, [], safe, TextRef("graph.remove_direct", w.listing("sku", safe)), group_keeps=True)]
        if safe
        else []
    )
    return Remediation(
        summary,
        steps,
        "role.assign",
        [TextRef("next.rerun")],
        ["group_licensing", "unassign_licenses", "admin_roles", "graph:user_assign"],
        actions,
    )


# --- messages --------------------------------------------------------------------------------

Message = tuple[str, dict[str, str]]  # (text key, placeholder values)


def base_values(f: Details, w: ValueFormatter) -> dict[str, str]:
    """The placeholders every message may use: {sku} is the finding's products, and `count` how many
    (a message counted by another number sets its own `count`)."""
    subject = w.subject(f)
    return {"user": subject, "subject": subject, **w.listing("sku", f.skus, empty="unknown")}


# --- what a rule carries for the guidance -------------------------------------------------------

FindingExample = tuple[dict[str, Any], list[str], dict[str, Any]]  # (subject, skus, details) as in report.json


DATA_KEPT_EXPIRED = "message.data_kept_expired"  # the note of a finding whose declaration has expired


def bill_figures(f: Details) -> BillFigures | None:
    """The plan's bill for the finding's product (`details.bill`, set by auditor.plan.bill once the
    bill is built: purchased, after, spare, drop, buy, to, from); None without a bill. A seat figure
    the finding gives as an order (a new total, seats to buy) is the bill's, so that the report
    gives one answer per product."""
    return f.fix.bill


def bill_values(f: Details) -> dict[str, str]:
    """The placeholders of the bill's note ({bill_after}, {bill_spare}, {bill_to}, {bill_buy},
    {bill_drop}, {bill_from}); none without a bill."""
    bill = bill_figures(f)
    if bill is None:
        return {}
    shown = {"after": bill.after, "spare": bill.spare, "to": bill.to, "buy": bill.buy}
    out = {f"bill_{k}": str(v if v is not None else "") for k, v in shown.items()}
    return out | {"bill_drop": str(bill.drop or 0), "bill_from": bill.from_ or "", "bill_moves": str(_moves(bill))}


def _moves(bill: BillFigures) -> int:
    """The seats the plan's bill keeps or buys for the moves that wait for a license: what it pays for
    beyond the seats assigned and kept spare ("assigned: 10, kept spare: 0, moves: 15 ... 25 in all")."""
    if bill.to is None or bill.after is None:
        return 0
    return max(bill.to - bill.after - (bill.spare or 0), 0)


def bill_note(f: Details) -> tuple[str, ...]:
    """The key of the sentence that says the plan's bill for the product after the message, and why
    its figure differs from today's counts: seats bought, seats dropped (on a known day or not), or
    every seat kept."""
    bill = bill_figures(f)
    if bill is None:
        return ()
    if bill.why == "mixed" and not bill.buy:
        return ("message.bill.buy_mixed",)
    if bill.buy:
        if bill.why == "short":
            return ("message.bill.buy_short",)
        if bill.why == "mixed":
            return ("message.bill.buy_mixed",)
        return ("message.bill.buy_moves",) if _moves(bill) else ("message.bill.buy",)
    if bill.drop:
        return ("message.bill.reduce",) if bill.from_ else ("message.bill.reduce_undated",)
    return ("message.bill.keep",)


class RuleGuidance(Generic[D]):
    """The guidance of a rule: its one-line message and its remediation, built from the finding's
    facts (as report.json stores them, so a report can be re-rendered). A rule's is a class of its
    own in the `_texts` module beside the rule's (auditor/rules/hygiene/upkeep_texts.py for
    auditor/rules/hygiene/upkeep.py; a merge rule's in auditor/cross_tenant/rules_texts.py), with the rule's `id`.

    It is generic in the rule's details record (`RuleGuidance[SkuCombinationForbiddenDetails]`),
    as the rule is (`Rule[SkuCombinationForbiddenDetails]`): its methods read `f.own.field`, checked
    by mypy against the record the rule writes, which auditor.wording decodes the details by (the rule's
    declaration, auditor.evaluation.records.record_type; a test holds the two declarations equal).

    Its English texts are declared on it (`texts`): `rule.<id>.title`, `.describe` and `.message`
    (and its variants `rule.<id>.message.<variant>`), and the steps and summaries only it uses."""

    id: ClassVar[str]  # the rule's (an engine rule's guidance takes it from the rule: `id = rules.X.id`)
    texts: ClassVar[tuple[Declared, ...]] = ()
    # False when the fix has no Graph call on purpose (the admin checks something first, or the
    # fix is a purchase); the guidance tests hold every other rule to having one.
    graph_calls: ClassVar[bool] = True
    # A typical finding (subject, skus, details): the guidance tests render it in every locale and cloud.
    example_finding: ClassVar[FindingExample]

    @classmethod
    def message_key(cls, variant: str = "") -> str:
        return f"rule.{cls.id}.message{variant}"

    @classmethod
    def message_keys(cls) -> tuple[str, ...]:
        """Every message key the rule can produce: its texts `rule.<id>.message` and
        `rule.<id>.message.<variant>`, in the order declared (the catalogs must have each)."""
        base = cls.message_key()
        return tuple(text.key for text in cls.texts if text.key == base or text.key.startswith(f"{base}."))

    def message(self, f: RuleDetails[D], w: ValueFormatter) -> Message:
        """The one-line message: a text key and its values."""
        return self.message_key(), base_values(f, w)

    def notes(self, f: RuleDetails[D]) -> tuple[str, ...]:
        """The text keys of sentences to add after the message, in order: by default one saying the
        policy's `data_kept` declaration has expired (it then counts as absent), when it has, and
        the plan's bill for the product, when the finding has one (bill_note; the message's values
        then hold bill_values)."""
        expired = (DATA_KEPT_EXPIRED,) if f.fix.data_kept is not None and f.fix.data_kept.expired else ()
        return expired + bill_note(f)

    def note_values(self, f: RuleDetails[D], w: ValueFormatter) -> dict[str, str]:
        """Values the notes read beside the message's, under their own names where they differ: a
        note's {count} ("reaches back 30 days") is not the number the message agrees with."""
        return {}

    def remediation(self, f: RuleDetails[D], v: Variant, w: ValueFormatter) -> Remediation:
        """The remediation: which steps, which Graph actions (and alternatives), which role, which links."""
        raise NotImplementedError

    def row_note(self, f: RuleDetails[D], w: ValueFormatter) -> Message | None:
        """What a user's row in the report says where the report does not show the finding's steps
        (a fix of its own, left to report.md and report.json): by default nothing, the rule's title
        and the row say enough; a rule whose steps name what they act on says it here too."""
        return None

    def default_actions(self, f: RuleDetails[D], v: Variant, w: ValueFormatter) -> list[Action]:
        """The remediation's default Graph actions alone, which is all a plan reads: the whole
        remediation's here; a rule with many findings gives them without building its steps' texts."""
        return self.remediation(f, v, w).actions
