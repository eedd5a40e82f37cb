"""The policy's licensing groups (`catalog: [{sku, licensing_group}]`) resolved against the tenant.

`licensing_groups(policy, index)` reads, once per check, which group each catalog product names
and what the tenant holds under that name (an object id, or a display name, compared without
regard to case). `for_user(...)` gives a finding's `details.licensing_group`: per product the
group to join, the products joining it would newly give the user (their seats), or the problem
that keeps the fix from joining it:

- `not_found`: no group read from the tenant has that name or id (the collector reads the groups
  that assign licenses and the groups the policies name);
- `ambiguous`: several groups have that name (`matches`: how many): which one is meant is the
  admin's choice, never a guess;
- `not_assigning`: the group does not assign the product, so joining it would not give it;
- `plans_lost`: the group's copy turns off service plans the user's direct copy turns on, so
  moving the user to it would switch them off (named in `plans`);
- `member`: the user is a member of the group already (directly or through another group), yet
  holds no working copy from it: joining again is no fix;
- a reason of auditor.impact.group_kinds.membership_blocked: the group's members are not changed by a
  call of this tool.

An entry of a group found also says `needs_p1` when neither the group's products nor the user's
own carry Microsoft Entra ID P1 or are on Microsoft's list of products that open group-based
licensing (auditor/reference/group-licensing.csv): the user needs a product carrying P1 as well.

Each entry names the policy file and line, so the finding can say where the name comes from.
"""

from __future__ import annotations

import os
from typing import NamedTuple, TypedDict

from auditor.data.blocked import GROUP_DYNAMIC, GROUP_KIND_UNKNOWN, GROUP_MAIL, GROUP_SYNCED
from auditor.data.model import Group, User
from auditor.policy.index import TenantIndex

from ...i18n.said import LICENSING_GROUP_MANY, LICENSING_GROUP_NONE, LICENSING_GROUP_NOT_ASSIGNING
from ...impact.entitlement_scope import opens_group_licensing
from ...impact.fix_facts import GroupJoin
from ...impact.group_kinds import membership_blocked
from ...policy.objects import Policy, PolicySet
from ..base import Context

NOT_FOUND = "not_found"
AMBIGUOUS = "ambiguous"
NOT_ASSIGNING = "not_assigning"
PLANS_LOST = "plans_lost"


class LicensingGroupEntry(TypedDict, total=False):
    """A product's licensing group as a finding names it (for_user): where the policy names it, the
    group found (its kind as Details.group_kind reads it), or the problem that keeps the fix from it."""

    ref: str  # as the policy writes it
    file: str
    line: int
    id: str
    name: str
    kind: str  # assigned, dynamic, synced, mail or unknown
    problem: str  # NOT_FOUND, AMBIGUOUS, NOT_ASSIGNING, PLANS_LOST, MEMBER or a membership_blocked reason
    matches: int  # AMBIGUOUS: how many groups have the name
    rule: str  # a dynamic group's membership rule
    plans: list[str]  # PLANS_LOST: the service plans the group's copy turns off
    gives: list[str]  # the products joining newly gives the user
    needs_p1: bool


class ReplaceGroup(GroupJoin, total=False):
    """A group that gives a fix's replacement (details.replace_group: GroupIndex.replacement, or the
    rule's own), with its kind (absent: not known); `required`: the policy asks for a group."""

    required: bool


MEMBER = "member"  # the user is a member already, yet the group's copy does not reach them


class Named(NamedTuple):
    """A catalog product's licensing group as the policy names it, and what the tenant holds under it."""

    ref: str  # as written
    line: int  # the catalog entry's line
    found: list[Group]  # the tenant's groups with that id or display name
    members: frozenset[str]  # of the one group found (lower-case ids; transitive, as read): empty otherwise


def licensing_groups(policy: Policy, index: TenantIndex) -> dict[str, Named]:
    """skuId (lower case) -> its licensing group, for each catalog product that names one."""
    out: dict[str, Named] = {}
    for entry in policy.catalog or ():
        sid = index.resolve_sku(entry.sku)
        if not entry.licensing_group or sid is None or sid in out:
            continue
        ref = entry.licensing_group.strip().lower()
        found = [g for g in index.snapshot.groups if g.id.lower() == ref or g.display_name.lower() == ref]
        members = frozenset(m.lower() for m in found[0].members) if len(found) == 1 else frozenset()
        out[sid] = Named(entry.licensing_group, entry.licensing_group_line or entry.line, found, members)
    return out


def shown_file(path: str) -> str:
    """The policy file as a report may show it: relative to the working folder when it lies
    inside it, else its name alone (a report leaves the machine; its folders are not for others)."""
    resolved = os.path.abspath(path)
    cwd = os.getcwd()
    if os.path.commonpath([resolved, cwd]) == cwd:
        return os.path.relpath(resolved, cwd)
    return os.path.basename(resolved)


_KINDS = {
    None: "assigned",
    GROUP_DYNAMIC: "dynamic",
    GROUP_SYNCED: "synced",
    GROUP_MAIL: "mail",
    GROUP_KIND_UNKNOWN: "unknown",
}


def for_user(
    policy: Policy, ctx: Context, user: User, sku_ids: list[str], groups: dict[str, Named]
) -> dict[str, LicensingGroupEntry]:
    """A finding's `licensing_group`, {part: {...}}, for the products among `sku_ids` the catalog
    gives a licensing group; empty when none has one."""
    index = ctx.index
    held = {lic.sku_id.lower(): lic for lic in user.assigned_licenses}
    direct = {s.sku_id.lower(): s for s in user.license_assignment_states if not s.assigned_by_group}
    out: dict[str, LicensingGroupEntry] = {}
    for sid in sku_ids:
        if sid not in groups:
            continue
        ref, line, found, members = groups[sid]
        entry = LicensingGroupEntry(ref=ref, file=shown_file(policy.file), line=line)
        if not found:
            entry["problem"] = NOT_FOUND
        elif len(found) > 1:
            entry["problem"], entry["matches"] = AMBIGUOUS, len(found)
        else:
            group = found[0]
            entry["id"], entry["name"] = group.id, group.display_name
            copy = next((lic for lic in group.assigned_licenses if lic.sku_id.lower() == sid), None)
            blocked = membership_blocked(group)
            # the group's kind, as replace_group records it: the join's call reads it (Details.group_kind)
            entry["kind"] = _KINDS[blocked]
            if copy is None:
                entry["problem"] = NOT_ASSIGNING
            elif user.id.lower() in members:
                entry["problem"] = MEMBER
            elif blocked is not None:
                entry["problem"] = blocked
                if group.dynamic and group.membership_rule:
                    entry["rule"] = group.membership_rule
            else:
                own = direct.get(sid)
                # a plan is on unless a copy turns it off: what the group's copy turns off and the
                # direct one does not would be switched off once the direct copy goes
                off = {p.lower() for p in copy.disabled_plans}
                lost = sorted(off - {p.lower() for p in own.disabled_plans}) if own is not None else []
                if lost:
                    entry["problem"] = PLANS_LOST
                    entry["plans"] = [ctx.data_loss.service_plan_name(sid, p) for p in lost]
            # the products joining gives that the user does not hold yet: each takes a seat
            entry["gives"] = sorted(
                index.part(lic.sku_id) for lic in group.assigned_licenses if lic.sku_id.lower() not in held
            )
            # group-based licensing itself needs P1 or a product on Microsoft's list for each user it licenses
            if not opens_group_licensing(index, {*held, *(lic.sku_id for lic in group.assigned_licenses)}):
                entry["needs_p1"] = True
        out[index.part(sid)] = entry
    return out


# --- the fix: join the group (and, for a direct copy, remove it once the group's copy is active) ----


def warnings(policies: PolicySet, index: TenantIndex) -> list[str]:
    """The licensing groups a policy names that the tenant does not hold as one group that assigns
    the product, each at its policy file:line (`validate --snapshot`, and the audit's warnings)."""
    out = []
    for policy in policies.policies:
        for sid, named in licensing_groups(policy, index).items():
            where = f'{policy.file}:{named.line}: licensing_group "{named.ref}" for {index.part(sid)}'
            if not named.found:
                out.append(LICENSING_GROUP_NONE.say(where=where))
            elif len(named.found) > 1:
                out.append(LICENSING_GROUP_MANY.say(where=where, n=len(named.found)))
            elif not any(lic.sku_id.lower() == sid for lic in named.found[0].assigned_licenses):
                out.append(LICENSING_GROUP_NOT_ASSIGNING.say(where=where, product=index.part(sid)))
    return out
