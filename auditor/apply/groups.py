"""The group a change joins or leaves, as Graph shows it at the moment of the change.

A plan rests on the group as the audit saw it; an admin may have edited it since (taken a license
off, switched Teams or Exchange off in its copy, made it role-assignable). So before a join, and
before a direct copy is removed because a group gives the product, apply reads the group again:

    GET /groups/{id}?$select=id,displayName,assignedLicenses,isAssignableToRole,resourceProvisioningOptions
    GET /groups/{id}/appRoleAssignments?$select=id,resourceDisplayName   (before leaving it)

A role-assignable group (isAssignableToRole: its members hold a Microsoft Entra role) and a group
with no assignedLicenses (it licenses nobody: a plan's join or leave cannot be about licensing) are
never joined or left by a ready change. Leaving a group also takes away what else it gives: its
other licenses, the team when it is a Team (resourceProvisioningOptions holds "Team") and the apps
its app role assignments open; apply says so as far as Graph shows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..formats.plan_json import Change
from ..graph.client import GraphClient, GraphRequestError
from .state import UserState, held_apart_from, product_name, service_plans
from .wait import awaited

GROUP_SELECT = "id,displayName,assignedLicenses,isAssignableToRole,resourceProvisioningOptions"


@dataclass(frozen=True)
class GroupState:
    id: str  # lower case
    exists: bool
    name: str = ""
    licenses: Mapping[str, tuple[str, ...]] | None = None  # skuId -> disabledPlans; None: Graph gave none
    role_assignable: bool = False
    team: bool = False
    app_roles: tuple[str, ...] | None = None  # the apps its app role assignments name; None: not read
    app_roles_error: str = ""
    twin: bool = False  # another group the run read has the same name (names are not unique)

    @property
    def label(self) -> str:
        """ "License - E5": the group's name; with its id beside it, "License - E5 (bbbb…)", only
        where another group of the run has the same name, and the id alone when it has none."""
        return f"{self.name} ({self.id})" if self.name and self.twin else self.name or self.id


async def read_group(client: GraphClient, gid: str, *, app_roles: bool = False) -> GroupState:
    """The group now (`exists` False on 404); with `app_roles`, its app role assignments too (a
    refused read leaves them unknown, and says why)."""
    try:
        doc = await client.get(f"/groups/{gid}?$select={GROUP_SELECT}")
    except GraphRequestError as exc:
        if exc.status == 404:
            return GroupState(gid, False)
        raise
    if not isinstance(doc, dict):
        return GroupState(gid, False)
    licenses: dict[str, tuple[str, ...]] | None = None
    if isinstance(doc.get("assignedLicenses"), list):
        licenses = {}
        for lic in doc["assignedLicenses"]:
            if isinstance(lic, dict) and isinstance(lic.get("skuId"), str):
                plans = lic.get("disabledPlans")
                licenses[lic["skuId"].lower()] = (
                    tuple(sorted(str(p).lower() for p in plans)) if isinstance(plans, list) else ()
                )
    options = doc.get("resourceProvisioningOptions")
    name = doc.get("displayName")
    found: tuple[str, ...] | None = None
    error = ""
    if app_roles:
        try:
            apps: set[str] = set()
            async for page in client.pages(f"/groups/{gid}/appRoleAssignments?$select=id,resourceDisplayName"):
                apps.update(
                    str(item.get("resourceDisplayName") or item.get("id") or "?")
                    for item in page
                    if isinstance(item, dict)
                )
            found = tuple(sorted(apps))
        except GraphRequestError as exc:
            error = f"GET /groups/{gid}/appRoleAssignments answered {exc.status}"
    return GroupState(
        gid,
        True,
        name if isinstance(name, str) else "",
        licenses,
        doc.get("isAssignableToRole") is True,
        isinstance(options, list) and "Team" in options,
        found,
        error,
    )


def never_by_a_ready_call(group: GroupState, verb: str) -> list[str]:
    """Why a ready change must not join or leave (`verb`) the group: it is gone, role-assignable,
    or assigns no license."""
    if not group.exists:
        return [f"group {group.id} no longer exists"]
    if group.role_assignable:
        return [
            f"group {group.label} is role-assignable (isAssignableToRole): its members hold a Microsoft Entra "
            f"role, so apply does not {verb} it; a person with the Privileged Role Administrator role decides"
        ]
    if not group.licenses:
        return [
            f"group {group.label} assigns no license now (assignedLicenses is empty): the change was planned "
            f"for a licensing group, so apply does not {verb} it"
        ]
    return []


def gives_unmet(group: GroupState, sku: str, direct: tuple[str, ...] | None, products: Mapping[str, str]) -> list[str]:
    """Why the group no longer gives `sku` in a copy that keeps every service the user's direct copy
    (its disabledPlans `direct`; None: no direct copy) has on."""
    name = products.get(sku, sku)
    if not group.exists or group.licenses is None or sku not in group.licenses:
        return [f"group {group.label} no longer assigns {name}"]
    if direct is None:
        return []
    lost = sorted(set(group.licenses[sku]) - set(direct))
    if lost:
        return [
            f"group {group.label} turns off service plan(s) {service_plans(lost)} of {name} that the user's direct "
            "assignment has on: the group's license would take them away"
        ]
    return []


def what_leaving_takes(group: GroupState, products: Mapping[str, str]) -> str:
    """What leaving the group takes away besides the change's own purpose, as far as Graph shows it."""
    parts = []
    if group.licenses:
        names = sorted(products.get(s, s) for s in group.licenses)
        parts.append(("the license " if len(names) == 1 else "the licenses ") + ", ".join(names))
    if group.team:
        parts.append("membership of its team (the group is a Team: resourceProvisioningOptions)")
    if group.app_roles:
        parts.append(f"{len(group.app_roles)} app role assignment(s) ({', '.join(group.app_roles)})")
    elif group.app_roles is None and group.app_roles_error:
        parts.append(f"any app role assignments (not known: {group.app_roles_error})")
    return (
        f"leaving the group {group.label} takes away "
        + ("; ".join(parts) if parts else "no license")
        + " (as far as Graph shows it)"
    )


def seats_unmet(group: GroupState, change: Change, state: UserState, parts: Mapping[str, str]) -> list[str]:
    """Why a join or leave would move other seats than the change's `seats` expected: the group's
    licenses now, less those the user holds another way (a leave takes the rest away; a join gives
    those the user lacks), set beside the products the change's seats name (by part number)."""
    if not group.exists or group.licenses is None or change.group is None:
        return []
    joining = change.kind == "add_member"
    if joining:
        moved = {sku for sku in group.licenses if not state.holds(sku)}
    else:
        moved = {sku for sku in group.licenses if not held_apart_from(state, sku, change.group)}
    now = {parts.get(sku, sku) for sku in moved}
    expected = {part for part, delta in change.seats.items() if (delta > 0 if joining else delta < 0)}
    if now == expected:
        return []
    planned = ", ".join(f"{product_name(p)} {change.seats[p]:+d}" for p in sorted(expected)) or "none"
    verb = "joining" if joining else "leaving"
    more = sorted(now - expected)
    less = sorted(expected - now)
    said = []
    if more:
        said.append(f"{'give' if joining else 'take away'} {', '.join(product_name(p) for p in more)} too")
    if less:
        said.append(f"not {'give' if joining else 'take away'} {', '.join(product_name(p) for p in less)}")
    return [
        f"group {group.label} assigns other licenses now than the change's seats expected ({planned}): "
        f"{verb} it would {' and '.join(said)}; plan again"
    ]


class Session(Protocol):
    """What a group check needs of the apply run (session.Session): the groups read so far, its re-read
    of a group, and the products' names and part numbers."""

    groups: dict[str, GroupState]
    products: dict[str, str]
    parts: dict[str, str]

    async def group(self, gid: str, *, app_roles: bool = False) -> GroupState: ...


async def group_unmet(
    session: Session, change: Change, state: UserState, changes: Sequence[Change], by_n: dict[int, Change]
) -> list[str]:
    """Why the group a change rests on no longer allows it (groups.py), read at the moment of the
    change: a join (or leave) of a role-assignable group or of one that assigns no license; a join
    whose group no longer gives, in a copy that keeps every service the direct copy has on, the
    products the changes that wait for it rest on; a removal of the direct copy on the same terms."""
    direct = state.direct()
    if change.kind in ("add_member", "remove_member") and change.group:
        group = session.groups.get(change.group) or await session.group(change.group)
        reasons = never_by_a_ready_call(group, "join" if change.kind == "add_member" else "leave")
        if reasons or change.kind == "remove_member":
            return reasons or seats_unmet(group, change, state, session.parts)
        waiting = [w for c in changes if change.n in c.depends_on for w in awaited(c, by_n) if w.group == change.group]
        return [
            r for w in dict.fromkeys(waiting) for r in gives_unmet(group, w.sku, direct.get(w.sku), session.products)
        ] or seats_unmet(group, change, state, session.parts)
    if change.kind != "assign_license" or change.body is None:
        return []
    found: list[str] = []
    for cond in change.precondition:
        sku, gid = str(cond.get("holds")), str(cond.get("group"))
        if cond.get("how") != "group" or sku not in change.body.get("removeLicenses", []):
            continue
        group = await session.group(gid)
        reasons = gives_unmet(group, sku, direct.get(sku), session.products)
        # the copy the user holds now, too: its disabled plans as Graph applied them
        for copy in (a for a in state.assignments if a.sku == sku and a.group == gid):
            lost = sorted(set(copy.disabled_plans) - set(direct.get(sku, ())))
            if lost and not reasons:
                reasons = [
                    f"the user's license for {session.products.get(sku, sku)} from group {group.label} has "
                    f"service plan(s) {service_plans(lost)} turned off that the direct assignment has on"
                ]
        found += reasons
    return found
