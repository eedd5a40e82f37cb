"""Per-rule remediation plans: which steps, which Graph action, which role, which links.

Each builder reads the finding's facts and returns a Plan made of text references; the public
functions in `auditor.guidance` render it in the requested locale. The facts behind the steps
come from the "Move users to a different subscription" and "Transfer licenses between tenants"
pages (see links.py); Graph actions follow the Microsoft Graph v1.0 reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from ..model import Locale
from . import texts
from .clouds import Variant
from .facts import GROUP_ID_PLACEHOLDER, Facts, as_int, as_map, as_strs, as_text, number
from .plan import (
    Action,
    Line,
    Plan,
    assign_license,
    list_holders,
    remove_member,
    reprocess,
    set_usage_location,
)

# Graph licenseAssignmentState.error values with their own guidance; anything else -> "other".
ERROR_CODES = ("CountViolation", "MutuallyExclusiveViolation", "DependencyViolation", "UniquenessViolation")
# The usage-location error Graph documents (licenseAssignmentState.error); no other spelling exists.
USAGE_ERROR_CODES = ("ProhibitedInUsageLocationViolation",)
# companySubscription / subscribedSku states that mean the end date has already passed.
PAST_END_STATUSES = ("Warning", "Suspended", "LockedOut", "Deleted", "Expired")

LINKS_ASSIGN = ["move_users", "assign_licenses", "unassign_licenses", "admin_roles", "graph:user_assign"]
LINKS_GROUP = ["group_licensing", "graph:group_remove_member", "graph:group_assign"]
LINKS_TRANSFER = ["vlsc", "buy_licenses", "cancel_subscription", "mailbox_migration", "sharepoint_migration"]


# CLDR list patterns per report language (Babel): "A, B and C", "A, B en C", "A, B og C",
# "A, B och C", "A, B ve C". British English: no comma before "and", as the texts are written.
_LIST_LOCALE = {Locale.EN: "en_GB", Locale.NL: "nl", Locale.DA: "da", Locale.SV: "sv", Locale.TR: "tr"}


class Words:
    """Locale-aware words inside values: lists joined as the language writes them, and products
    named for people ("Microsoft 365 E3", from `names`: part number -> name; else the part number)."""

    def __init__(self, locale: Locale, names: Mapping[str, str] | None = None) -> None:
        self.locale = locale
        self._cldr = _LIST_LOCALE[locale]
        self._names = names or {}

    def _list(self, parts: Sequence[str], style: Literal["standard", "or"] = "standard") -> str:
        from babel.lists import format_list  # loaded on first use: most runs never join a list

        return format_list(list(parts), style=style, locale=self._cldr)

    def word(self, name: str) -> str:
        value = texts.raw(self.locale, f"word.{name}")
        return value if isinstance(value, str) else " ".join(value)

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

    def products(self, parts: Sequence[str]) -> str:
        return self.all([self.product(p) for p in parts])

    def any_product(self, parts: Sequence[str]) -> str:
        return self.any([self.product(p) for p in parts])


Builder = Callable[[Facts, Variant, Words], Plan]


def _group_steps(f: Facts, w: Words, parts: Sequence[str]) -> list[Line]:
    """Per product and per group that assigns it: its own sentence and its own admin-center path
    (two groups never run into one path "Groups > All groups > G1, G2")."""
    steps: list[Line] = []
    for part in parts:
        for group in f.groups(part):
            values = {"sku": w.product(part), "group": group}
            steps += [Line("steps.group.explain", values), Line("steps.group.membership", values),
                      Line("steps.group.license", values)]
    return steps


def _group_summaries(f: Facts, w: Words, parts: Sequence[str], key: str, extra: dict[str, str]) -> tuple[Line, ...]:
    """One summary sentence per product and group that assigns it (the sentences are singular)."""
    return tuple(Line(key, {**extra, "sku": w.product(part), "old": w.product(part), "group": group})
                 for part in parts for group in (f.groups(part) or (w.word("unknown"),)))


def _lost(f: Facts) -> Mapping[str, Any]:
    """Per product: the data-holding plans its removal would switch off (Context.data_lost)."""
    lost = f.details.get("data_lost")
    return lost if isinstance(lost, Mapping) else {}


def _loss_steps(f: Facts, w: Words, parts: Sequence[str]) -> list[Line]:
    """One line per product whose removal would cost the user data: keep the data first."""
    lost = _lost(f)
    return [Line("steps.loss.data", {"sku": w.product(part), "plans": w.all(as_strs(lost.get(part)))})
            for part in parts if lost.get(part)]


def _loss_summary(f: Facts, w: Words, parts: Sequence[str]) -> Line | None:
    lost = _lost(f)
    costly = [p for p in parts if lost.get(p)]
    if not costly:
        return None
    plans = sorted({name for p in costly for name in as_strs(lost.get(p))})
    return Line("summary.loss.data", {"sku": w.products(costly), "plans": w.all(plans)})


def _removal(
    f: Facts, v: Variant, w: Words, parts: Sequence[str], *, intro: Sequence[Line] = (), remove_block: str = ""
) -> Plan:
    """Take `parts` away from the user: per user where assigned directly, via the group otherwise.
    A product whose removal would cost the user data (a mailbox, files) gets a keep-the-data step
    first and is left out of the ready-to-run Graph call."""
    direct, grouped = f.direct(parts), f.grouped(parts)
    lost = _lost(f)
    block = remove_block or f"steps.remove.{v.steps}"
    steps = list(intro)
    if not parts:  # the report named no products: still show where to look
        steps.append(Line(block, {"sku": w.skus(())}))
        return Plan(Line("summary.remove", {"sku": w.skus(())}), steps, "role.assign",
                    [Line("next.freed"), Line("next.rerun")], ["unassign_licenses", "buy_licenses", "admin_roles"])
    steps += _loss_steps(f, w, parts)
    if direct:
        steps.append(Line(block, {"sku": w.products(direct)}))
    steps += _group_steps(f, w, grouped)
    safe_direct = [p for p in direct if not lost.get(p)]
    safe_grouped = [p for p in grouped if not lost.get(p) and f.groups(p)]
    action: Action | None = None
    summary: Line | tuple[Line, ...]
    if direct:
        if safe_direct:
            action = assign_license(f, [], safe_direct, Line("graph.remove", {"sku": w.products(safe_direct)}))
        summary = Line("summary.remove_mixed", {"direct": w.products(direct), "grouped": w.products(grouped)}) \
            if grouped else Line("summary.remove", {"sku": w.products(direct)})
    else:
        if safe_grouped:
            first = safe_grouped[0]
            action = remove_member(f, first, {"sku": w.product(first), "group": f.groups(first)[0]})
        summary = _group_summaries(f, w, grouped, "summary.remove_group", {})
    loss = _loss_summary(f, w, parts)
    if loss is not None:
        summary = (loss, *(summary if isinstance(summary, tuple) else (summary,)))
    links = ["unassign_licenses", "buy_licenses", "admin_roles", "graph:user_assign"]
    if grouped:
        links += LINKS_GROUP
    return Plan(summary, steps, "role.group" if grouped else "role.assign",
                [Line("next.freed"), Line("next.rerun")], links, action)


# --- assignments --------------------------------------------------------------------------


def sku_not_allowed(f: Facts, v: Variant, w: Words) -> Plan:
    bad = list(f.skus)
    new = f.text("replace_with")
    allowed = f.strs("allowed")
    if not bad or (not new and not allowed):  # no products named: _removal shows where to look
        return _removal(f, v, w, bad)
    direct, grouped = f.direct(bad), f.grouped(bad)
    lost = _lost(f)
    target = w.product(new) if new else w.any_product(allowed)
    steps: list[Line] = _loss_steps(f, w, bad)
    if direct:
        values = {"old": w.products(direct), "new": target}
        steps += [Line(f"steps.replace.{v.steps}", values), Line("steps.replace.caution", values)]
    for part in grouped:
        for group in f.groups(part):
            values = {"old": w.product(part), "sku": w.product(part), "new": target, "group": group}
            steps += [Line("steps.group.explain", values), Line("steps.group.replace", values)]
    action: Action | None = None
    safe_direct = [p for p in direct if not lost.get(p)]
    safe_grouped = [p for p in grouped if not lost.get(p) and f.groups(p)]
    if new and safe_direct:
        replacing = {"old": w.products(safe_direct), "new": target}
        action = assign_license(f, [new], safe_direct, Line("graph.replace", replacing))
    elif safe_direct:
        action = assign_license(f, [], safe_direct, Line("graph.remove_or_replace", {"sku": w.products(safe_direct)}))
    elif not direct and safe_grouped:
        first = safe_grouped[0]
        action = remove_member(f, first, {"sku": w.product(first), "group": f.groups(first)[0]})
    summary: Line | tuple[Line, ...]
    if grouped:
        summary = _group_summaries(f, w, grouped, "summary.replace_group", {"new": target})
    elif new:
        summary = Line("summary.replace", {"old": w.products(direct), "new": target})
    else:
        summary = Line("summary.not_allowed", {"sku": w.products(direct), "allowed": w.any_product(allowed)})
    loss = _loss_summary(f, w, bad)
    if loss is not None:
        summary = (loss, *(summary if isinstance(summary, tuple) else (summary,)))
    links = list(LINKS_ASSIGN) + (LINKS_GROUP if grouped else []) + ["buy_licenses"]
    return Plan(summary, steps, "role.group" if grouped else "role.assign",
                [Line("next.freed"), Line("next.rerun")], links, action)


def sku_forbidden(f: Facts, v: Variant, w: Words) -> Plan:
    return _removal(f, v, w, list(f.skus))


def sku_required_missing(f: Facts, v: Variant, w: Words) -> Plan:
    required = list(f.strs("required_any")) or list(f.skus)
    choice = w.any_product(required)
    steps = [Line(f"steps.assign.{v.steps}", {"sku": choice}), Line("steps.group.add", {"sku": choice})]
    action = None
    if required:
        action = assign_license(f, [required[0]], [], Line("graph.add", {"sku": w.product(required[0])}))
    return Plan(Line("summary.assign", {"sku": choice}), steps, "role.assign", [Line("next.rerun")],
                ["assign_licenses", "group_licensing", "admin_roles", "graph:user_assign"], action)


def sku_combination_forbidden(f: Facts, v: Variant, w: Words) -> Plan:
    combo = list(f.strs("combination")) or list(f.skus)
    held = list(f.skus) or combo
    values = {"combination": w.products(combo)}
    plan = _removal(f, v, w, held, intro=[Line("steps.combination.choose", values)])
    plan.summary = Line("summary.combination", values)
    # The default removal is the product the others include (the rule names it when the plans show
    # one); otherwise only the admin knows which product stays, and nothing is pre-filled.
    drop, keep = f.text("remove"), list(f.strs("keep"))
    direct = f.direct(held)
    steps: list[Line] = [Line("steps.combination.choose", values)]
    if drop and keep:
        steps.append(Line("steps.combination.keep", {"sku": w.product(drop), "keep": w.products(keep)}))
    steps += _loss_steps(f, w, held)
    if direct:
        steps.append(Line(f"steps.remove.{v.steps}", {"sku": w.any_product(direct)}))
    plan.steps = [*steps, *_group_steps(f, w, f.grouped(held))]
    plan.action = None
    if drop and keep and drop in direct and not _lost(f).get(drop):
        plan.action = assign_license(f, [], [drop], Line("graph.combination", {"sku": w.product(drop),
                                                                                         "keep": w.products(keep)}))
    return plan


def assignment_not_group_based(f: Facts, v: Variant, w: Words) -> Plan:
    twice = f.details.get("also_by_group")
    twice = twice if isinstance(twice, Mapping) else {}
    if not twice:
        parts = f.direct(f.skus) or list(f.skus)
        values = {"sku": w.products(parts)}
        steps = [Line("steps.group.add", values), Line("steps.group.wait", values),
                 Line(f"steps.remove.{v.steps}", values)]
        action = assign_license(f, [], parts, Line("graph.remove_after_group", values))
        return Plan(Line("summary.to_group", values), steps, "role.group", [Line("next.rerun")],
                    ["group_licensing", "unassign_licenses", "admin_roles", "graph:user_assign"], action)
    return _held_twice(f, w, twice)


def license_assigned_twice(f: Facts, v: Variant, w: Words) -> Plan:
    twice = f.details.get("also_by_group")
    if isinstance(twice, Mapping) and twice:
        return _held_twice(f, w, twice)
    return _removal(f, v, w, list(f.skus))  # the report lost the details: the generic, checked steps


def license_redundant(f: Facts, v: Variant, w: Words) -> Plan:
    """Remove the products that add nothing: one sentence per product naming the product that keeps
    its services (nothing is lost by construction). Direct copies go in one assignLicense; a copy
    from a group goes through every such group, except that a group which also assigns the covering
    product is not left (that would take the covering product too): the product leaves its licenses."""
    covers = as_map(f.details.get("covered_by"))
    cover_groups = as_map(f.details.get("cover_by_group"))
    twice = as_map(f.details.get("also_by_group"))
    parts = list(f.skus)
    if not parts or not covers:  # the report lost the details: the generic, checked steps
        return _removal(f, v, w, parts)
    unknown = w.word("unknown")

    def cover(part: str) -> str:
        found = as_text(covers.get(part))
        return w.product(found) if found else unknown

    def cover_part(part: str) -> str:
        return as_text(covers.get(part)) or unknown

    def shared(part: str) -> list[str]:
        return sorted(set(f.groups(part)) & set(as_strs(cover_groups.get(cover_part(part)))))

    direct = [p for p in parts if not f.groups(p) or p in twice]
    grouped = f.grouped(parts)
    steps = [Line("steps.redundant.keep", {"sku": w.product(p), "cover": cover(p)}) for p in parts]
    if direct:
        steps.append(Line(f"steps.remove.{v.steps}", {"sku": w.products(direct)}))
    summary: list[Line] = [Line("summary.redundant", {"sku": w.product(p), "cover": cover(p)}) for p in direct]
    leave: list[str] = []
    for part in grouped:
        for group in f.groups(part):
            values = {"sku": w.product(part), "group": group, "cover": cover(part)}
            if group in shared(part):
                steps.append(Line("steps.redundant.same_group", values))
                summary.append(Line("summary.redundant_same_group", values))
            else:
                steps += [Line("steps.group.explain", values), Line("steps.group.membership", values),
                          Line("steps.group.license", values)]
                summary.append(Line("summary.redundant_group", values))
                leave.append(part)
    action: Action | None = None
    if direct:
        action = assign_license(f, [], direct, Line("graph.remove_redundant", {"sku": w.products(direct)}))
    elif leave and f.groups(leave[0]):
        group = next(g for g in f.groups(leave[0]) if g not in shared(leave[0]))
        action = remove_member(f, leave[0], {"sku": w.product(leave[0]), "group": group})
    links = ["unassign_licenses", "buy_licenses", "admin_roles", "graph:user_assign"]
    if grouped:
        links += LINKS_GROUP
    return Plan(tuple(summary), steps, "role.group" if grouped else "role.assign",
                [Line("next.freed"), Line("next.rerun")], links, action)


def _held_twice(f: Facts, w: Words, twice: Mapping[str, Any]) -> Plan:
    """The user already gets the product from a group: the direct copy goes, never a "join the
    group" step, and only when the group's copy turns on every plan the direct one does. One line
    per product, naming its own groups and the plans its removal would switch off."""
    lost = f.details.get("plans_lost")
    lost = lost if isinstance(lost, Mapping) else {}
    steps: list[Line] = []
    safe: list[str] = []
    for part in sorted(twice):
        values = {"sku": w.product(part), "group": w.all(as_strs(twice.get(part))),
                  "plans": w.all(as_strs(lost.get(part)))}
        if lost.get(part):
            steps.append(Line("steps.group.loss", values))
        else:
            steps.append(Line("steps.group.redundant", values))
            safe.append(part)
    first = sorted(twice)[0]
    values = {"sku": w.product(first), "group": w.all(as_strs(twice.get(first))),
              "plans": w.all(as_strs(lost.get(first)))}
    summary = Line("summary.to_group.loss" if lost.get(first) else "summary.to_group.redundant", values)
    action = assign_license(f, [], safe, Line("graph.remove_direct", {"sku": w.products(safe)})) if safe else None
    return Plan(summary, steps, "role.assign", [Line("next.rerun")],
                ["group_licensing", "unassign_licenses", "admin_roles", "graph:user_assign"], action)


# --- seats and catalog ----------------------------------------------------------------------


def spare_seats_over_limit(f: Facts, v: Variant, w: Words) -> Plan:
    sku = f.subject_sku
    name = w.product(sku)
    enabled, unused, limit = f.int("enabled"), f.int("unused"), f.int("limit")
    excess = unused - limit if unused is not None and limit is not None and unused > limit else unused
    target = str(enabled - excess) if enabled is not None and excess is not None else w.word("unknown")
    renewal = (f.text("renewal") or "")[:10]
    values = {"sku": name, "excess": str(excess) if excess is not None else w.word("unknown"), "target": target,
              "date": renewal}
    steps = [Line("steps.seats.reassign", values), Line("steps.seats.remove", values)]
    action = assign_license(f, [sku], [], Line("graph.reassign", values))
    action = Action(action.method, "/users/{user-id}/assignLicense", action.body, action.description)
    return Plan(Line("summary.seats_over.renewal" if renewal else "summary.seats_over", values), steps,
                "role.billing_assign",
                [Line("next.partner"), Line("next.rerun")],
                ["buy_licenses", "move_users", "admin_roles", "graph:user_assign"], action)


def spare_seats_under_minimum(f: Facts, v: Variant, w: Words) -> Plan:
    sku = f.subject_sku
    name = w.product(sku)
    enabled, consumed, minimum = f.int("enabled"), f.int("consumed"), f.int("min")
    unknown = w.word("unknown")
    short = consumed - enabled if consumed is not None and enabled is not None and consumed > enabled else None
    if short is not None or minimum is None:
        summary = Line("summary.seats_short", {"sku": name, "short": str(short) if short is not None else unknown})
    else:
        summary = Line("summary.seats_under", {"sku": name, "min": str(minimum)})
    # Enough licenses in total = everything assigned now plus the free buffer the policy asks for.
    target = str(consumed + (minimum or 0)) if consumed is not None else unknown
    values = {"sku": name, "target": target}
    steps = [Line("steps.seats.free", values), Line("steps.seats.buy", values)]
    action = list_holders(f.sku_id(sku), Line("graph.holders", values))
    return Plan(summary, steps, "role.billing_assign", [Line("next.partner"), Line("next.rerun")],
                ["buy_licenses", "unassign_licenses", "admin_roles", "graph:user_list"], action)


def sku_not_approved(f: Facts, v: Variant, w: Words) -> Plan:
    sku = f.subject_sku
    name = w.product(sku)
    values = {"sku": name}
    steps = [Line("steps.not_approved.review", values), Line(f"steps.move.{v.steps}", values),
             Line("steps.not_approved.cancel", values)]
    action = list_holders(f.sku_id(sku), Line("graph.holders", values))
    return Plan(Line("summary.not_approved", values), steps, "role.billing_assign",
                [Line("next.freed"), Line("next.rerun")],
                ["move_users", "cancel_subscription", "buy_licenses", "admin_roles", "graph:user_list"], action)


def seats_in_grace(f: Facts, v: Variant, w: Words) -> Plan:
    sku = f.subject_sku
    name = w.product(sku)
    lapse = (f.text("lapse") or "")[:10]
    values = {"sku": name, "count": number(f.details.get("warning"), w.word("unknown")), "date": lapse}
    summary = Line("summary.grace" if lapse else "summary.grace.undated", values)
    steps = [Line("steps.sub.status", values), Line("steps.sub.paid" if lapse else "steps.sub.reactivate", values),
             Line("steps.grace.reduce", values)]
    return Plan(summary, steps, "role.billing_assign", [Line("next.rerun")],
                ["renew_subscription", "subscription_ends", "unassign_licenses", "admin_roles"],
                list_holders(f.sku_id(sku), Line("graph.holders", values)))


def license_suspended(f: Facts, v: Variant, w: Words) -> Plan:
    sku = f.subject_sku
    name = w.product(sku)
    values = {"sku": name, "count": number(f.details.get("affected"), w.word("unknown"))}
    steps = [Line("steps.sub.status", values), Line("steps.sub.reactivate", values),
             Line(f"steps.move.{v.steps}", values)]
    return Plan(Line("summary.suspended", values), steps, "role.billing_assign", [Line("next.rerun")],
                ["renew_subscription", "subscription_ends", "move_users", "admin_roles", "graph:user_list"],
                list_holders(f.sku_id(sku), Line("graph.holders", values)))


# --- hygiene --------------------------------------------------------------------------------


def _mailbox_unknown(f: Facts) -> list[Line]:
    """The auditor could not read whether the account is a shared mailbox: say so, and what to check."""
    return [Line("steps.mailbox.unknown")] if f.text("shared_mailbox") == "unknown" else []


def disabled_user_licensed(f: Facts, v: Variant, w: Words) -> Plan:
    return _removal(f, v, w, list(f.skus),
                    intro=[*_mailbox_unknown(f), Line("steps.disabled.confirm"), Line("steps.data.keep")])


def inactive_user_licensed(f: Facts, v: Variant, w: Words) -> Plan:
    return _removal(f, v, w, list(f.skus),
                    intro=[*_mailbox_unknown(f), Line("steps.inactive.confirm"), Line("steps.data.keep")])


def guest_licensed(f: Facts, v: Variant, w: Words) -> Plan:
    return _removal(f, v, w, list(f.skus), intro=[Line("steps.guest.confirm")], remove_block="steps.remove.entra")


def shared_mailbox_licensed(f: Facts, v: Variant, w: Words) -> Plan:
    """A shared, room or equipment mailbox works without a license unless it is large, archived or
    on hold: the checks come first, then the usual removal (per product, per group)."""
    plan = _removal(f, v, w, list(f.skus), intro=[Line("steps.shared.check")])
    summaries = plan.summary if isinstance(plan.summary, tuple) else (plan.summary,)
    plan.summary = (Line("summary.shared_mailbox"), *summaries)
    plan.links = [*plan.links, "shared_mailbox"]
    return plan


# The section of "Identify and resolve license assignment problems for a group" per error (links.py).
ERROR_LINKS = {
    "CountViolation": "resolve_count",
    "MutuallyExclusiveViolation": "resolve_conflict",
    "DependencyViolation": "resolve_dependency",
    "ProhibitedInUsageLocationViolation": "resolve_location",
    "UniquenessViolation": "resolve_proxy",
}


def license_assignment_error(f: Facts, v: Variant, w: Words) -> Plan:
    code = f.text("error") or ""
    part = f.skus[0] if f.skus else "?"
    groups = f.groups(part)
    values = {"sku": w.product(part), "error": code or w.word("unknown"), "group": w.all(groups)}
    steps: list[Line] = []
    role = "role.group" if groups else "role.assign"
    action: Action
    if code in USAGE_ERROR_CODES:
        summary = Line("summary.error.usage", values)
        steps += [Line(f"steps.error.{code}", values), Line(f"steps.usage.{v.steps}", values)]
        action = set_usage_location(f, Line("graph.usage", values))
    else:
        kind = code if code in ERROR_CODES else "other"
        summary = Line(f"summary.error.{kind}", values)
        steps.append(Line(f"steps.error.{kind}", values))
        action = reprocess(f, Line("graph.reprocess", values))
        if kind == "CountViolation":
            role = "role.billing_assign"
    if groups:
        steps.append(Line("steps.error.group", values))
    steps.append(Line("steps.reprocess", values))
    # ActiveWithError: the license works, but not all of it could be applied
    summaries = (Line("summary.error.partial", values), summary) if f.text("state") == "ActiveWithError" else summary
    links = [ERROR_LINKS.get(code, "resolve_find"), "assign_licenses", "graph:user_reprocess"]
    if groups:
        links.insert(1, "resolve_reprocess")
    if code == "CountViolation":
        links.insert(1, "buy_licenses")
    if code in USAGE_ERROR_CODES:
        links.append("graph:user_update")
    return Plan(summaries, steps, role, [Line("next.rerun")], links, action)


def group_license_errors(f: Facts, v: Variant, w: Words) -> Plan:
    """Where the fix of a group's failed assignments starts: the group's Licenses page, the causes
    (one line per error value, with its count), then one reprocess of the group."""
    unknown = w.word("unknown")
    group = f.text("group") or as_text(f.subject.get("display_name")) or as_text(f.subject.get("id")) or unknown
    gid = f.text("group_id") or as_text(f.subject.get("id")) or GROUP_ID_PLACEHOLDER
    count = f.int("members_with_errors")
    values = {"group": group, "count": number(count, unknown), "sku": w.skus(f.skus)}
    summary = Line("summary.group_errors" if count else "summary.group_errors.uncounted", values)
    steps = [Line("steps.group_errors.open", values)]
    errors = as_map(f.details.get("errors"))
    for code in sorted(errors):
        n = as_int(errors[code])
        steps.append(Line("steps.group_errors.cause", {**values, "error": code, "count": number(n, unknown)}))
    steps += [Line("steps.group_errors.fix", values), Line("steps.group_errors.reprocess", values)]
    links = ["resolve_find", *dict.fromkeys(ERROR_LINKS[c] for c in sorted(errors) if c in ERROR_LINKS),
             "resolve_reprocess", "graph:group_errors"]
    action = Action("GET", f"/groups/{gid}/membersWithLicenseErrors/microsoft.graph.user"
                    "?$select=id,userPrincipalName,displayName", None, Line("graph.group_errors", values))
    return Plan(summary, steps, "role.group", [Line("next.rerun")], links, action)


def usage_location_missing(f: Facts, v: Variant, w: Words) -> Plan:
    steps = [Line(f"steps.usage.{v.steps}"), Line("steps.usage.sync")]
    action = set_usage_location(f, Line("graph.usage"))
    return Plan(Line("summary.usage"), steps, "role.assign", [Line("next.rerun")],
                ["assign_licenses", "admin_roles", "graph:user_update"], action)


def subscription_expiring(f: Facts, v: Variant, w: Words) -> Plan:
    status = f.text("status") or ""
    days_left = f.int("days_left")
    past = status in PAST_END_STATUSES or (days_left is not None and days_left < 0)
    values = {"sku": w.product(f.subject_sku), "status": status or w.word("unknown"),
              "date": (f.text("next_lifecycle") or "")[:10] or w.word("unknown")}
    if past:
        summary = Line("summary.sub_past", values)
        steps = [Line("steps.sub.status", values), Line("steps.sub.reactivate", values)]
    elif f.details.get("is_trial") is True:
        summary = Line("summary.sub_trial", values)
        steps = [Line("steps.sub.trial", values)]
    else:
        summary = Line("summary.sub_paid", values)
        steps = [Line("steps.sub.paid", values)]
    steps += [Line(f"steps.move.{v.steps}", values), Line("steps.sub.lapse", values)]
    return Plan(summary, steps, "role.billing_assign", [Line("next.freed"), Line("next.rerun")],
                ["renew_subscription", "subscription_ends", "move_users", "cancel_subscription", "admin_roles"])


def waiver_expired(f: Facts, v: Variant, w: Words) -> Plan:
    unknown = w.word("unknown")
    values = {"owner": f.text("owner") or unknown, "waiver_rule": f.text("waiver_rule") or unknown,
              "waiver_subject": f.text("waiver_subject") or unknown}
    steps = [Line("steps.waiver.ask", values), Line("steps.waiver.renew", values), Line("steps.waiver.fix", values)]
    return Plan(Line("summary.waiver", values), steps, "role.waiver", [Line("next.rerun")], [])


# --- across tenants (merge) -------------------------------------------------------------------

TRANSFER_STEPS = ("steps.transfer.vlsc", "steps.transfer.cancel", "steps.transfer.remove", "steps.transfer.migrate")


def tenant_names(items: object, count_key: str) -> str:
    out = []
    for item in items if isinstance(items, list | tuple) else ():
        if isinstance(item, dict):
            name = str(item.get("tenant") or item.get("name") or item.get("id") or "?")
            count = item.get(count_key)
            out.append(f"{name} ({count})" if isinstance(count, int) and not isinstance(count, bool) else name)
    return ", ".join(out)


def cross_tenant_duplicate(f: Facts, v: Variant, w: Words) -> Plan:
    identity = f.text("identity") or f.label()
    sku = w.skus(f.skus)
    values = {"identity": identity, "sku": sku}
    steps = [Line("steps.transfer.fact", values), Line("steps.transfer.decide", values),
             *(Line(k, values) for k in TRANSFER_STEPS)]
    action = None
    if f.skus:
        # The subject is the matched person, not an account: aim the call at the account in the last
        # tenant listed (each tenant has its own object ids); the text says to pick the tenant.
        listed = f.details.get("tenants")
        accounts = [t for t in listed if isinstance(t, dict) and t.get("user_id")] if isinstance(listed, list) else []
        action = assign_license(f, [], list(f.skus), Line("graph.cross_remove", values))
        if accounts:
            action = replace(action, path=f"/users/{accounts[-1]['user_id']}/assignLicense")
    return Plan(Line("summary.cross_tenant", values), steps, "role.transfer",
                [Line("next.transfer_cost"), Line("next.rerun")],
                [*LINKS_TRANSFER, "unassign_licenses", "graph:user_assign"], action)


def seats_rebalance_across_tenants(f: Facts, v: Variant, w: Words) -> Plan:
    unknown = w.word("unknown")
    values = {"sku": w.product(f.subject_sku), "surplus": tenant_names(f.details.get("surplus"), "unused") or unknown,
              "shortage": tenant_names(f.details.get("shortage"), "short") or unknown}
    steps = [Line("steps.transfer.fact", values), *(Line(k, values) for k in TRANSFER_STEPS)]
    return Plan(Line("summary.rebalance", values), steps, "role.transfer",
                [Line("next.transfer_cost"), Line("next.rerun")], [*LINKS_TRANSFER, "move_users"])


BUILDERS: dict[str, Builder] = {
    "sku-not-allowed": sku_not_allowed,
    "sku-forbidden": sku_forbidden,
    "sku-required-missing": sku_required_missing,
    "sku-combination-forbidden": sku_combination_forbidden,
    "assignment-not-group-based": assignment_not_group_based,
    "spare-seats-over-limit": spare_seats_over_limit,
    "spare-seats-under-minimum": spare_seats_under_minimum,
    "sku-not-approved": sku_not_approved,
    "seats-in-grace": seats_in_grace,
    "license-suspended": license_suspended,
    "disabled-user-licensed": disabled_user_licensed,
    "inactive-user-licensed": inactive_user_licensed,
    "guest-licensed": guest_licensed,
    "shared-mailbox-licensed": shared_mailbox_licensed,
    "license-assignment-error": license_assignment_error,
    "group-license-errors": group_license_errors,
    "license-assigned-twice": license_assigned_twice,
    "license-redundant": license_redundant,
    "usage-location-missing": usage_location_missing,
    "subscription-expiring": subscription_expiring,
    "waiver-expired": waiver_expired,
    "cross-tenant-duplicate": cross_tenant_duplicate,
    "seats-rebalance-across-tenants": seats_rebalance_across_tenants,
}

# Every rule the catalog covers (engine and merge rules): BUILDERS is the one list.
ALL_RULE_IDS: tuple[str, ...] = tuple(BUILDERS)

