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
- a reason of auditor.rules.groups.membership_blocked: the group's members are not changed by a
  call of this tool.

Each entry names the policy file and line, so the finding can say where the name comes from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from ...guidance.facts import Facts, as_int, as_map, as_strs, as_text
from ...guidance.library import ValueFormatter
from ...guidance.remediation import (
    BLOCKED_REASONS,
    GROUP_DYNAMIC,
    GROUP_KIND_UNKNOWN,
    GROUP_MAIL,
    GROUP_SYNCED,
    LICENSING_GROUP,
    Action,
    TextRef,
    add_member,
    assign_license,
)
from ...guidance.texts.declare import Text
from ...index import TenantIndex
from ...model import Group, User
from ...policy.model import Policy, PolicySet
from ..base import Context
from ..groups import membership_blocked

NOT_FOUND = "not_found"
AMBIGUOUS = "ambiguous"
NOT_ASSIGNING = "not_assigning"
PLANS_LOST = "plans_lost"
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


_KINDS = {None: "assigned", GROUP_DYNAMIC: "dynamic", GROUP_SYNCED: "synced", GROUP_MAIL: "mail",
          GROUP_KIND_UNKNOWN: "unknown"}


def for_user(policy: Policy, ctx: Context, user: User, sku_ids: list[str],
             groups: dict[str, Named]) -> dict[str, Any]:
    """{"licensing_group": {part: {...}}} for the products among `sku_ids` the catalog gives a
    licensing group; empty when none has one."""
    index = ctx.index
    held = {lic.sku_id.lower(): lic for lic in user.assigned_licenses}
    direct = {s.sku_id.lower(): s for s in user.license_assignment_states if not s.assigned_by_group}
    out: dict[str, dict[str, Any]] = {}
    for sid in sku_ids:
        if sid not in groups:
            continue
        ref, line, found, members = groups[sid]
        entry: dict[str, Any] = {"ref": ref, "file": shown_file(policy.file), "line": line}
        if not found:
            entry["problem"] = NOT_FOUND
        elif len(found) > 1:
            entry |= {"problem": AMBIGUOUS, "matches": len(found)}
        else:
            group = found[0]
            entry |= {"id": group.id, "name": group.display_name}
            copy = next((lic for lic in group.assigned_licenses if lic.sku_id.lower() == sid), None)
            blocked = membership_blocked(group)
            # the group's kind, as replace_group records it: the join's call reads it (Facts.group_kind)
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
                    entry |= {"problem": PLANS_LOST, "plans": [ctx.data_loss.service_plan_name(sid, p) for p in lost]}
            # the products joining gives that the user does not hold yet: each takes a seat
            entry["gives"] = sorted(index.part(lic.sku_id) for lic in group.assigned_licenses
                                    if lic.sku_id.lower() not in held)
        out[index.part(sid)] = entry
    return {"licensing_group": out} if out else {}


# --- the fix: join the group (and, for a direct copy, remove it once the group's copy is active) ----


def entries(f: Facts) -> dict[str, Mapping[str, Any]]:
    """details.licensing_group, read defensively: part -> its entry."""
    return {part: as_map(entry) for part, entry in as_map(f.details.get("licensing_group")).items()}


def _where(entry: Mapping[str, Any]) -> str:
    """"policies/contoso.yaml:12": where the policy names the group."""
    file, line = as_text(entry.get("file")) or "?", as_int(entry.get("line"))
    return f"{file}:{line}" if line else file


def problem_line(f: Facts, w: ValueFormatter, part: str, entry: Mapping[str, Any]) -> TextRef:
    """What keeps the fix from joining the product's licensing group, in words."""
    problem = as_text(entry.get("problem")) or ""
    values = {"ref": as_text(entry.get("ref")) or "?", "where": _where(entry), "sku": w.product(part),
              "group": as_text(entry.get("name")) or as_text(entry.get("ref")) or "?"}
    if problem == AMBIGUOUS:
        return TextRef("graph.licensing_group.ambiguous", values | {"count": str(as_int(entry.get("matches")) or 2)})
    if problem == PLANS_LOST:
        return TextRef("graph.licensing_group.plans_lost",
                    values | w.listing("plans", as_strs(entry.get("plans")), products=False))
    key = {NOT_FOUND: "graph.licensing_group.not_found", NOT_ASSIGNING: "graph.licensing_group.not_assigning",
           MEMBER: "graph.licensing_group.member", GROUP_DYNAMIC: "graph.licensing_group.dynamic",
           GROUP_SYNCED: "graph.licensing_group.synced", GROUP_MAIL: "graph.licensing_group.mail",
           GROUP_KIND_UNKNOWN: "graph.licensing_group.unknown"}.get(problem, "graph.licensing_group.blocked")
    return TextRef(key, values | {"rule": as_text(entry.get("rule")) or ""})


def join(f: Facts, w: ValueFormatter, parts: Sequence[str], entry: Mapping[str, Any]) -> Action:
    """The call that adds the user to the parts' licensing group: ready, or waiting with the reason."""
    gid = as_text(entry.get("id")) or ""
    problem = as_text(entry.get("problem"))
    gives = [p for p in as_strs(entry.get("gives"))]
    if problem is not None:
        blocked = problem if problem in BLOCKED_REASONS else LICENSING_GROUP
        return replace(add_member(f, gid, [], problem_line(f, w, parts[0], entry)), blocked=blocked)
    values = {"group": as_text(entry.get("name")) or gid, **w.listing("sku", list(parts))}
    return add_member(f, gid, gives, TextRef("graph.join_licensing", values))


def remove_after_join(f: Facts, w: ValueFormatter, parts: Sequence[str], entry: Mapping[str, Any]) -> Action:
    """The direct copies of `parts` removed once the group's copy of each is active: apply runs it
    after the join, waiting for the group's copy (`apply --wait`). The user keeps holding each
    product (through the group), so it frees no seat: the join took none for them either."""
    gid = (as_text(entry.get("id")) or "").lower()
    action = assign_license(f, [], list(parts), TextRef("graph.remove_after_group", w.listing("sku", list(parts))))
    active = tuple({"holds": f.sku_id(p).lower(), "how": "group", "group": gid, "active": True} for p in parts)
    return replace(action, precondition=(*action.precondition, *active), seats={})


def by_group(f: Facts, parts: Sequence[str]) -> list[tuple[Mapping[str, Any], list[str]]]:
    """(entry, the parts it gives) for each licensing group among `parts`, one entry per group
    that can be joined (its id) and one per part whose group cannot."""
    found = entries(f)
    out: dict[str, tuple[Mapping[str, Any], list[str]]] = {}
    for part in parts:
        entry = found.get(part)
        if entry is None:
            continue
        key = f"id:{entry.get('id')}" if entry.get("problem") is None else f"part:{part}"
        out.setdefault(key, (entry, []))[1].append(part)
    return list(out.values())


def group_name(entry: Mapping[str, Any]) -> str:
    """The licensing group as the texts name it: its display name, else the policy's reference."""
    return as_text(entry.get("name")) or as_text(entry.get("ref")) or "?"


def join_steps(w: ValueFormatter, entry: Mapping[str, Any], parts: Sequence[str]) -> TextRef:
    return TextRef("steps.group.join", {"group": group_name(entry), **w.listing("sku", list(parts))})


TEXTS = (
    Text("graph.join_licensing", "Adds {user} to the group {group}, which assigns {sku}.",
         "Adds {user} to the group {group}, which assigns {sku}."),
    Text("steps.group.join", "In the Microsoft Entra admin center, go to Groups > All groups, open the group "
         "{group}, select Members > Add members and add {user}. The group assigns {sku}.",
         "In the Microsoft Entra admin center, go to Groups > All groups, open the group {group}, select Members > "
         "Add members and add {user}. The group assigns {sku}."),
    Text("graph.licensing_group.not_found", "The policy names \"{ref}\" as the licensing group of {sku} ({where}), "
         "but no group of the tenant has that name or object id: correct the policy, or create the group and give "
         "it {sku}."),
    Text("graph.licensing_group.ambiguous", "The policy names \"{ref}\" as the licensing group of {sku} ({where}), "
         "but {count} group of the tenant has that name: name the group by its object id in the policy.",
         "The policy names \"{ref}\" as the licensing group of {sku} ({where}), but {count} groups of the tenant "
         "have that name: name the group by its object id in the policy."),
    Text("graph.licensing_group.dynamic", "The policy names the group {group} as the licensing group of {sku} "
         "({where}), but it is a dynamic group: its membership rule \"{rule}\" decides who is a member, so no call "
         "adds {user}. Change the rule, or the user's attributes it reads, so that it includes {user}."),
    Text("graph.licensing_group.synced", "The policy names the group {group} as the licensing group of {sku} "
         "({where}), but the group is synced from on-premises Active Directory: add {user} to it there. The "
         "change reaches Microsoft Entra ID with the next synchronization."),
    Text("graph.licensing_group.mail", "The policy names the group {group} as the licensing group of {sku} "
         "({where}), but it is a mail-enabled security group or a distribution list, whose members Microsoft "
         "Graph cannot change: add {user} to it in the Exchange admin center."),
    Text("graph.licensing_group.unknown", "The policy names the group {group} as the licensing group of {sku} "
         "({where}), but the snapshot does not show whether it is a dynamic group or synced from on-premises "
         "Active Directory, so no call adds {user} to it: audit a new collection, which reads it, or add {user} "
         "by hand after checking the group."),
    Text("graph.licensing_group.not_assigning", "The policy names the group {group} as the licensing group of {sku} "
         "({where}), but the group does not assign {sku}, so joining it would not give it: add {sku} to the group's "
         "licenses, or correct the policy."),
    Text("graph.licensing_group.plans_lost", "The group {group} ({where}) gives {sku} with the service plan {plans} "
         "turned off, which the user's direct assignment turns on: moving the user to the group would switch it "
         "off. Change the group's license options first.",
         "The group {group} ({where}) gives {sku} with the service plans {plans} turned off, which the user's "
         "direct assignment turns on: moving the user to the group would switch them off. Change the group's "
         "license options first."),
    Text("graph.licensing_group.member", "{user} is already a member of the group {group} ({where}), but the group's "
         "{sku} does not reach the user: check the group's license errors for the user, and whether the "
         "membership comes through another group, which group licensing does not follow."),
    Text("graph.licensing_group.blocked", "The members of the group {group} ({where}) are not changed by a call of "
         "this tool: add {user} to it where the group is managed."),
)


def warnings(policies: PolicySet, index: TenantIndex) -> list[str]:
    """The licensing groups a policy names that the tenant does not hold as one group that assigns
    the product, each at its policy file:line (`validate --snapshot`, and the audit's warnings)."""
    out = []
    for policy in policies.policies:
        for sid, named in licensing_groups(policy, index).items():
            where = f"{policy.file}:{named.line}: licensing_group \"{named.ref}\" of {index.part(sid)}"
            if not named.found:
                out.append(f"{where} matches no group in the tenant; its findings wait for a person")
            elif len(named.found) > 1:
                out.append(f"{where} matches {len(named.found)} groups in the tenant; name the group by its object "
                           "id; its findings wait for a person")
            elif not any(lic.sku_id.lower() == sid for lic in named.found[0].assigned_licenses):
                out.append(f"{where}: the group does not assign {index.part(sid)}; its findings wait for a person")
    return out
