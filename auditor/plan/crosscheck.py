"""Findings checked against each other: changes that are each safe alone but wrong together.

Each rule judges a user on its own; the plan sees all of a user's findings at once. Two
combinations are held back here, in one place:

1. No half replacement. A finding that replaces one product with another (adds F3, removes E3)
   waits: then no other finding of the same user may add the replacement on its own. Otherwise
   `sku-required-missing` would give the frontline worker F3 while the E3 -> F3 replacement waits
   for a person, and the user would hold both (paying twice) until someone notices. The adding
   finding waits with the replacement (`replacement_waits`, naming it).
2. A leaver gets no smaller product. A user the audit finds leaving (`disabled-user-licensed`,
   `inactive-user-licensed`) gets no `rightsize` change and no change that gives a product: the
   leaver finding's removals are what happens to the user's licenses. Such a finding waits with
   the reason `leaver`, naming the leaver finding, whether or not it would have been ready.

3. A product the policy does not allow the user is not moved to a group. `group_based_only` asks
   that a product come from a group; `sku-not-allowed` and `sku-forbidden` say the user should not
   hold it at all. Joining the product's licensing group would give it back through the group
   while the other finding removes it (or, while that removal waits, make it harder to remove).
   The group-based finding waits with the reason `not_allowed`, naming the other finding; once
   that one's change has run, the product is gone and so is the group-based finding. A Teams
   resource account's paid product (`resource-account-paid-license`) is one such product: the
   swap to the free resource license removes it.

4. A product a group is about to give is not also added directly. When one finding's ready fix
   lets a group give the user a product (a reprocess for a direct member whose group copy did not
   apply, or a join), another finding of the same user that adds the product directly (a
   replacement E3 -> F3) would leave the user with two copies and take two seats. The direct add
   waits with the reason `group_gives`, naming the group's finding; the next audit sees the
   group's copy and plans what is left (removing E3 alone).

`held_back(...)` answers with the findings to hold back and why; compile.py applies it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.plan.actions import PlanFinding
from auditor.rules.assignments import AssignmentNotGroupBased, SkuForbidden, SkuNotAllowed
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.rules.hygiene.kinds import ResourceAccountPaidLicense
from auditor.rules.usage.activity import Rightsize

LEAVER_RULES = (DisabledUserLicensed.id, InactiveUserLicensed.id)
RIGHTSIZE = Rightsize.id

# Skipped reasons (plan.json `skipped[].reason`; docs/plan-and-apply.md)
REPLACEMENT_WAITS = "replacement_waits"  # it adds what a waiting replacement of the same user adds
LEAVER = "leaver"  # the user is leaving: no smaller or added product, the leaver finding decides
NOT_ALLOWED = "not_allowed"  # a product another finding removes as not allowed is not moved to a group
# (a Teams resource account's paid product, which the swap to the free resource license removes, too)
NOT_ALLOWED_RULES = (SkuNotAllowed.id, SkuForbidden.id, ResourceAccountPaidLicense.id)
GROUP_GIVES = "group_gives"  # a product a ready group fix gives the user is not added directly too
GROUP_FIXES = ("reprocess", "add_member")


@dataclass(frozen=True)
class Hold:
    reason: str  # REPLACEMENT_WAITS, LEAVER, NOT_ALLOWED or GROUP_GIVES
    others: tuple[str, ...]  # the findings it waits with (the replacement) or for (the leaver's, the removal)


def user_of(f: PlanFinding) -> str | None:
    """The id of the user the finding is about (lower case), or None for a product or a group."""
    subject = f.source.subject if f.source is not None else None
    if subject is None or subject.type != "user":
        return None
    return subject.id.lower() or None


def skus_of(f: PlanFinding) -> set[str]:
    """The products (part numbers) the finding is about."""
    skus = f.source.skus if f.source is not None else []
    return {s for s in skus if isinstance(s, str)}


def gives_directly(f: PlanFinding) -> set[str]:
    """The products the finding's assignLicense calls add."""
    return {part for a in f.actions if a.kind == "assign_license" for part, delta in a.seats.items() if delta > 0}


def gives_through_group(f: PlanFinding) -> set[str]:
    """The products the finding's ready reprocess or join lets a group give."""
    return {part for a in f.actions if a.kind in GROUP_FIXES and a.runs for part, delta in a.seats.items() if delta > 0}


def gives(f: PlanFinding) -> set[str]:
    """The products (part numbers) the finding's actions give the user."""
    return {part for a in f.actions for part, delta in a.seats.items() if delta > 0}


def takes(f: PlanFinding) -> set[str]:
    return {part for a in f.actions for part, delta in a.seats.items() if delta < 0}


def held_back(every: Iterable[PlanFinding], in_scope: Iterable[PlanFinding], waiting: set[str]) -> dict[str, Hold]:
    """{finding id: Hold} for the findings of `in_scope` to hold back. `every`: all of the report's
    findings (a leaver is a leaver even when the plan is narrowed to other rules); `waiting`: the ids
    of the findings that wait for a person anyway."""
    users = _Users.of(every, waiting)
    out: dict[str, Hold] = {}
    for f in in_scope:
        user = user_of(f)
        if user is None or f.rule in LEAVER_RULES:
            continue
        hold = users.hold(f, user, waiting)
        if hold is not None:
            out[f.id] = hold
    return out


class _Users:
    """What the report's findings say about each user, for the cross-checks."""

    def __init__(self) -> None:
        self.leavers: dict[str, list[str]] = {}
        self.replacing: dict[str, list[tuple[str, set[str]]]] = {}  # user -> (waiting replacement, what it gives)
        self.not_allowed: dict[str, list[tuple[str, set[str]]]] = {}  # user -> (finding, the products it removes)
        self.from_group: dict[str, list[tuple[str, set[str]]]] = {}  # user -> (ready group fix, what it gives)

    @classmethod
    def of(cls, every: Iterable[PlanFinding], waiting: set[str]) -> _Users:
        users = cls()
        for f in every:
            user = user_of(f)
            if user is None or f.waived:
                continue
            if f.rule in LEAVER_RULES:
                users.leavers.setdefault(user, []).append(f.id)
            if f.rule in NOT_ALLOWED_RULES:
                users.not_allowed.setdefault(user, []).append((f.id, skus_of(f)))
            if f.id not in waiting and (through := gives_through_group(f)):
                users.from_group.setdefault(user, []).append((f.id, through))
            if f.id in waiting and gives(f) and takes(f):
                users.replacing.setdefault(user, []).append((f.id, gives(f)))
        return users

    def hold(self, f: PlanFinding, user: str, waiting: set[str]) -> Hold | None:
        """Why finding `f` of `user` waits for another finding, or None."""
        if user in self.leavers and (f.rule == RIGHTSIZE or gives(f)):
            return Hold(LEAVER, tuple(self.leavers[user]))
        if f.rule == AssignmentNotGroupBased.id:
            removing = tuple(fid for fid, parts in self.not_allowed.get(user, ()) if parts & skus_of(f))
            if removing:
                return Hold(NOT_ALLOWED, removing)
        if f.id in waiting:
            return None
        given = tuple(fid for fid, parts in self.from_group.get(user, ()) if fid != f.id and parts & gives_directly(f))
        if given:
            return Hold(GROUP_GIVES, given)
        same = tuple(rid for rid, given in self.replacing.get(user, ()) if rid != f.id and gives(f) & given)
        return Hold(REPLACEMENT_WAITS, same) if same else None
