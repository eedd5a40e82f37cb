"""`moves:` — move users from one product's subscription to another's (Microsoft's "Move users to
a different subscription": replace the license assignment).

    moves:
      - name: sales-to-e5
        match: {groups: ["Sales"]}
        from: SPE_E3
        to: SPE_E5
        keep_disabled_plans: true     # default: the service plans turned off on `from` stay off on `to`

Each selected user who holds `from` gets one finding of `subscription-move`. Its fix is the
replacement sku-not-allowed proposes: one assignLicense that adds `to` and removes `from` in the
same call (no moment without a mailbox), or, for a copy a group gives, joining the group that
gives `to` (the catalog's licensing_group first), waiting until its copy is Active, then leaving
the group that gives `from`. The checks of every replacement apply (data fit, what the user
would lose, dynamic and synced groups); on top of them a move waits when:

- `to` has no free seat for it: the users are taken alphabetically by user principal name, the
  first as many as `to` has free seats move, the others wait (`seats_to_buy`) and the plan's bill
  gets one `buy` for them (auditor.plan.bill);
- the user holds an assignment in MutuallyExclusiveViolation (`conflict`): Entra ID would refuse
  the new product until that conflict is resolved;
- every member of the group that gives `from` moves (`whole_group`): change the group's license
  (one call for the group) instead of each member's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, cast

from auditor.common.json_value import JsonObject
from auditor.data.model import Finding, Severity, User

from ...data.reads import Reads
from ...policy.objects import MoveEntry, Policy, Selector
from ...policy.selectors import SELECTOR_REF, parse_selector
from ...policy.yamlsource import PolicyNode
from ..assignments.licensing import Named, ReplaceGroup, licensing_groups
from ..assignments.selection import NO_REPLACEMENT, Replacement, SkuNotAllowedDetails, group_replacement
from ..base import SEVERITY_SCHEMA, SKU_REF_SCHEMA, Context, Rule

CONFLICT_ERROR = "MutuallyExclusiveViolation"


_EDITION = re.compile(r"_(E\d|P\d|O365|PLAN\d|\d|STANDARD|ENTERPRISE|DISCOVERY)$")


def _family(plan_name: str) -> str:
    """A service plan's name without its edition suffixes (FORMS_PLAN_E3 and FORMS_PLAN_E5 are one
    family; CDS_O365_P2 and CDS_O365_P3 too): `to` with a plan of the family keeps the service."""
    name = plan_name.upper()
    while (shorter := _EDITION.sub("", name)) != name and shorter:
        name = shorter
    return name


def parse_moves(node: PolicyNode) -> tuple[MoveEntry, ...]:
    """The `moves:` section: entries with unique names, `from` and `to` two products."""
    out: list[MoveEntry] = []
    names: dict[str, str] = {}
    for entry in node.entries():
        raw = entry.data
        if raw["name"] in names:
            entry.at("name").report(f"{entry.at('name').name}: '{raw['name']}' is already used by {names[raw['name']]}")
        names[raw["name"]] = entry.name
        if raw["from"].lower() == raw["to"].lower():
            entry.at("to").report(f"{entry.at('to').name}: from and to are the same product")
        out.append(
            MoveEntry(
                name=raw["name"],
                match=parse_selector(raw["match"]),
                from_=raw["from"],
                to=raw["to"],
                keep_disabled_plans=raw.get("keep_disabled_plans", True),
                severity=Severity.parse(raw["severity"]) if "severity" in raw else None,
                line=entry.line,
            )
        )
    return tuple(out)


def moves_section() -> JsonObject:
    return {"type": "array", "items": SubscriptionMove.fragment}


class SubscriptionMoveDetails(SkuNotAllowedDetails, frozen=True, kw_only=True):
    """`move` (the entry's name), `move_to`, `allowed`, `replace_with`, `replace_with_id`, `replace_group` as for
    sku-not-allowed (absent when the user holds `to` already); `plans_lost` (the plans `from` turns on that `to` lacks),
    `keep_disabled` and `keep_disabled_ids` (the disabled plans kept: names, ids), `waits_for_seats`, `conflict`,
    `whole_group` (group names);
    `monthly_cost` is the difference of the two prices per month"""

    optional: ClassVar[frozenset[str]] = SkuNotAllowedDetails.optional | {
        "keep_disabled",
        "keep_disabled_ids",
        "conflict",
        "whole_group",
    }
    move: str = ""  # the policy's move entry; "": not in the report (an older one)
    move_to: str = ""
    waits_for_seats: bool = False  # the target product has no free seat: the move waits for a purchase
    plans_lost: list[str] = []  # plans the old product turns on that the new one and no other product gives
    keep_disabled: list[str] = []  # plans off on the old product, turned off on the new one (keep_disabled_plans)
    keep_disabled_ids: list[str] = []
    conflict: list[str] = []  # products in MutuallyExclusiveViolation
    whole_group: list[str] = []  # groups every member of which moves: change the group's license instead


class SubscriptionMove(Rule[SubscriptionMoveDetails]):
    """A user the policy moves (the entry's `match` selects them) still holds the product it moves from (`from`).

    The move waits for a seat when `to` has too few free seats (the first moves by user principal name,
    alphabetically, get the seats), and for a person when the user holds an assignment in MutuallyExclusiveViolation
    or when every member of the group giving `from` moves.

    Example:
        moves:
          - name: sales-to-e5
            match: {groups: ["Sales"]}
            from: SPE_E3
            to: SPE_E5
            keep_disabled_plans: true
    """

    id = "subscription-move"
    removes = True  # the fix takes the finding's products away
    default_severity = Severity.LOW
    section = "moves"
    reads = Reads("users", "subscribedSkus")
    fragment: ClassVar[JsonObject] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "match", "from", "to"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "Unique within the policy; findings cite it."},
            "match": SELECTOR_REF,
            "from": {**SKU_REF_SCHEMA, "description": "The product the users leave."},
            "to": {**SKU_REF_SCHEMA, "description": "The product they get instead."},
            "keep_disabled_plans": {
                "type": "boolean",
                "description": "The service plans turned off on `from` stay off on `to` (default true).",
            },
            "severity": SEVERITY_SCHEMA,
        },
    }

    def configured(self, policy: Policy) -> bool:
        return bool(policy.moves)

    def selectors(self, policy: Policy) -> list[Selector]:
        return [m.match for m in policy.moves]

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for entry in policy.moves:
            yield from self.check(policy, entry, ctx)

    def check(self, policy: Policy, entry: MoveEntry, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        old, new = index.resolve_sku(entry.from_), index.resolve_sku(entry.to)
        if old is None or new is None or old not in index.sku_by_id or new not in index.sku_by_id:
            return  # validate --snapshot warns about a product the tenant lacks
        movers = sorted(
            (user for user, _ in index.holders(entry.match, None, lambda held: True if old in held else None)),
            key=lambda u: u.user_principal_name.lower(),
        )
        free = max(0, index.sku_by_id[new].unused)
        moving = {u.id.lower() for u in movers}
        groups = licensing_groups(policy, index)
        for user in movers:
            needs_seat = new not in user.sku_ids
            waits = needs_seat and free <= 0
            if needs_seat and not waits:
                free -= 1
            yield self._finding(policy, entry, ctx, user, old, new, waits, moving, groups)

    def _finding(
        self,
        policy: Policy,
        entry: MoveEntry,
        ctx: Context,
        user: User,
        old: str,
        new: str,
        waits: bool,
        moving: set[str],
        groups: dict[str, Named],
    ) -> Finding:
        index = ctx.index
        skus = frozenset((old,))
        joined = NO_REPLACEMENT  # the group the new product comes from
        saving = ctx.monthly_price(old)
        held = new in user.sku_ids
        if not held:
            if index.assigning_group_ids(user, old):
                joined = self._join(ctx, user, new, groups)
            if saving is not None:
                saving -= ctx.monthly_price(new) or 0.0
        kept = self._kept(ctx, user, old, new) if entry.keep_disabled_plans else []
        conflict = sorted(index.part(s.sku_id) for s in user.license_assignment_states if s.error == CONFLICT_ERROR)
        whole = [
            g.display_name
            for gid in index.assigning_group_ids(user, old)
            if (g := ctx.groups.get(gid)) is not None and g.members and {m.lower() for m in g.members} <= moving
        ]
        details = SubscriptionMoveDetails(
            move=entry.name,
            move_to=index.part(new),
            allowed=[index.part(new)],
            waits_for_seats=waits,
            plans_lost=self._plans_lost(ctx, user, old, new),
            keep_disabled=sorted(name for _, name in kept),
            keep_disabled_ids=sorted(pid for pid, _ in kept),
            conflict=conflict,
            whole_group=sorted(whole),
            replace_with="" if held else index.part(new),
            replace_with_id="" if held else index.sku_by_id[new].sku_id,
            replace_group=joined.replace_group,
        )
        text = f"moves from {index.part(old)} to {index.part(new)}" + (" once a seat is bought" if waits else "")
        return self.make(
            policy,
            f"moves/{entry.name}",
            ctx.user_subject(user),
            index.parts(skus),
            text,
            details,
            severity=entry.severity,
            monthly_cost=round(saving, 2) if saving else None,
            holding=ctx.user_details(user, skus, None),
        )

    @staticmethod
    def _join(ctx: Context, user: User, new: str, groups: dict[str, Named]) -> Replacement:
        """The group to join for `to`: the catalog's licensing group when it gives `to`, else any."""
        named = groups.get(new)
        if named is not None and len(named.found) == 1:
            group = named.found[0]
            if any(lic.sku_id.lower() == new for lic in group.assigned_licenses):
                gives = sorted(
                    ctx.index.part(lic.sku_id)
                    for lic in group.assigned_licenses
                    if lic.sku_id.lower() not in user.sku_ids
                )
                join = ReplaceGroup(id=group.id, name=group.display_name, gives=gives)
                join.update(cast(ReplaceGroup, ctx.groups.kind(group.id) or {"kind": "assigned"}))
                return Replacement(replace_group=join)
        return group_replacement(ctx, user, new, frozenset((new,)))

    @staticmethod
    def _plans_lost(ctx: Context, user: User, old: str, new: str) -> list[str]:
        """The plans `from` turns on for the user that `to` lacks and no other product gives."""
        loss = ctx.data_loss.plans
        names = dict(loss.service_plans(old))
        others = loss.enabled_ids(user, user.sku_ids - {old})
        kept = {_family(name) for pid, name in loss.service_plans(new)} | {
            _family(name) for sid in user.sku_ids - {old} for pid, name in loss.service_plans(sid) if pid in others
        }
        return sorted(
            {names[pid] for pid in loss.enabled_ids(user, {old}) if pid in names and _family(names[pid]) not in kept}
        )

    @staticmethod
    def _kept(ctx: Context, user: User, old: str, new: str) -> list[tuple[str, str]]:
        """The plans turned off on the user's direct `from` that `to` has too (by name), (id, name) each:
        turned off on `to`."""
        held = next((lic for lic in user.assigned_licenses if lic.sku_id.lower() == old), None)
        if held is None or not held.disabled_plans:
            return []
        plans = ctx.data_loss.plans
        off = {name for pid, name in plans.service_plans(old) if pid in {p.lower() for p in held.disabled_plans}}
        return [(pid, name) for pid, name in plans.service_plans(new) if name in off]
