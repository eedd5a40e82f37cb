"""Locale-independent building blocks of a remediation: text references and Graph actions.

An `Action` is one Microsoft Graph v1.0 call (path relative to the cloud's Graph endpoint) with
what it needs to be run safely by a program: the user and group it changes, the preconditions that
must still hold when it runs, its effect on consumed seats per product, and whether it is ready to
run as it stands (`blocked` says why not). docs/report-format.md describes the JSON form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.data.blocked import CHOOSE_VALUE, GROUP_BLOCKS, GROUP_KIND_UNKNOWN, LOOKUP, PLACEHOLDER
from auditor.data.remediation_json import ActionJson, ActionKind

from .details import GROUP_ID_PLACEHOLDER, USER_ID_PLACEHOLDER, Details

# Action.kind
ASSIGN_LICENSE: ActionKind = "assign_license"
ADD_MEMBER: ActionKind = "add_member"
REMOVE_MEMBER: ActionKind = "remove_member"
REPROCESS: ActionKind = "reprocess"
SET_USAGE_LOCATION: ActionKind = "set_usage_location"
KIND_LOOKUP: ActionKind = "lookup"

# The directory object a member add refers to (Graph's documented form), on worldwide Graph; a
# national cloud's remediation names its own Graph (Action.json's `directory_objects`).
DIRECTORY_OBJECTS = "https://graph.microsoft.com/v1.0/directoryObjects/"


@dataclass(frozen=True)
class TextRef:
    """A reference to one text of the catalogs: its key plus the values its placeholders need beyond
    the common ones. A remediation is made of these; auditor.wording renders them in a locale."""

    key: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Action:
    method: str
    path: str
    body: dict[str, object] | None  # the request's JSON body (ActionJson.body)
    description: TextRef
    kind: ActionKind = KIND_LOOKUP
    user: str | None = None  # the user object id the call changes
    group: str | None = None  # the group of a membership change
    precondition: tuple[Mapping[str, object], ...] = ()  # every item must hold when the call runs
    seats: Mapping[str, int] = field(default_factory=dict)  # part number -> change of consumed units
    blocked: str | None = None  # why a person must finish it (BLOCKED_REASONS); None = ready
    tenant: str | None = None  # the tenant to run it in, when the report covers several (a merge)

    @property
    def ready(self) -> bool:
        return self.blocked is None

    def json(self, description: str, directory_objects: str = DIRECTORY_OBJECTS) -> ActionJson:
        """The action as report.json holds it; `directory_objects`: the cloud's own
        https://<graph>/v1.0/directoryObjects/, which a member add's @odata.id refers to."""
        body = self.body
        ref = body.get("@odata.id") if body is not None else None
        if body is not None and isinstance(ref, str) and ref.startswith(DIRECTORY_OBJECTS):
            body = {**body, "@odata.id": directory_objects + ref.removeprefix(DIRECTORY_OBJECTS)}
        out: ActionJson = {
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "body": body,
            "description": description,
            "user": self.user,
            "group": self.group,
            "precondition": [dict(p) for p in self.precondition],
            "seats": dict(self.seats),
            "ready": self.ready,
            "blocked": self.blocked,
        }
        if self.tenant is not None:
            out["tenant"] = self.tenant
        return out


@dataclass(frozen=True)
class Alternative:
    """Another way to fix the finding than the default actions: a label and its own actions."""

    label: TextRef
    actions: tuple[Action, ...]


@dataclass
class Remediation:
    """How to fix one finding, as text references and Graph calls: what report.json's
    `remediation` object is rendered from (not the change set of `license-auditor plan`, which
    is auditor.formats.plan_records.ChangePlan)."""

    summary: TextRef | tuple[TextRef, ...]  # several: one sentence per product where grammar needs it
    steps: list[TextRef]
    role: str
    next_steps: list[TextRef]
    links: list[str]  # keys of links.URLS, or "graph:<key of links.GRAPH>"
    actions: list[Action] = field(default_factory=list)  # the default fix, in the order to run
    alternatives: list[Alternative] = field(default_factory=list)


def resting_on(remedy: Remediation, *facts: Mapping[str, object]) -> Remediation:
    """`remedy` with `facts` added to the preconditions of each of its calls: the facts about the user
    the finding rests on (a disabled account, a guest, no recent sign-in), which apply re-reads and
    checks right before each call, so a leaver re-enabled since the audit keeps everything."""

    remedy.actions = actions_resting_on(remedy.actions, *facts)
    remedy.alternatives = [
        replace(alt, actions=tuple(actions_resting_on(alt.actions, *facts))) for alt in remedy.alternatives
    ]
    return remedy


def actions_resting_on(actions: Sequence[Action], *facts: Mapping[str, object]) -> list[Action]:
    """resting_on for a list of calls: `facts` added to the preconditions of each (lookups aside)."""
    return [a if a.kind == KIND_LOOKUP else replace(a, precondition=(*a.precondition, *facts)) for a in actions]


# --- Graph actions (Microsoft Graph v1.0, paths relative to the cloud's Graph endpoint) ------


def _user(f: Details) -> str | None:
    ref = f.user_ref
    return None if ref == USER_ID_PLACEHOLDER else ref


def _sku(f: Details, part: str) -> tuple[str, bool]:
    """(skuId in lower case, known): a placeholder when the report lacks the id."""
    sid = f.sku_id(part)
    return sid.lower(), not sid.startswith("<")


def first_blocked(*reasons: str | None) -> str | None:
    return next((r for r in reasons if r), None)


def assign_license(
    f: Details,
    add: Sequence[str],
    remove: Sequence[str],
    description: TextRef,
    blocked: str | None = None,
    *,
    group_keeps: bool = False,
) -> Action:
    """POST /users/{id}/assignLicense; both arrays are required by the API, either may be empty.
    Precondition: the user lacks each added product and holds each removed one directly.
    `group_keeps`: the removed direct copies are held from a group too, and the group's copy stays
    (a precondition), so no seat is freed."""
    body = {
        "addLicenses": [{"disabledPlans": [], "skuId": f.sku_id(p)} for p in add],
        "removeLicenses": [f.sku_id(p) for p in remove],
    }
    user = _user(f)
    known = user is not None
    precondition: list[Mapping[str, Any]] = []
    for part in add:
        sid, ok = _sku(f, part)
        known = known and ok
        precondition.append({"lacks": sid})
    for part in remove:
        sid, ok = _sku(f, part)
        known = known and ok
        precondition.append({"holds": sid, "how": "direct"})
        if group_keeps:
            # a group's copy that works must still be there when the direct one goes
            precondition += [
                {"holds": sid, "how": "group", "group": gid.lower(), "active": True} for gid in f.group_ids(part)[:1]
            ]
    seats = {**{p: 1 for p in add}, **({} if group_keeps else {p: -1 for p in remove})}
    return Action(
        "POST",
        f"/users/{f.user_ref}/assignLicense",
        body,
        description,
        ASSIGN_LICENSE,
        user,
        None,
        tuple(precondition),
        seats,
        first_blocked(None if known else PLACEHOLDER, blocked),
    )


def leaving_order(f: Details, parts: Sequence[str]) -> list[tuple[str, str, list[str]]]:
    """(group id, group name, the parts among `parts` it assigns) for each group that assigns one of
    `parts`, in the order the membership removals run: by product, then as the report lists the
    groups (names and ids in one order, TenantIndex.assigning_groups). A product whose group ids the
    report lacks gets one entry per group name with the group-id placeholder."""
    out: dict[str, tuple[str, list[str]]] = {}
    for part in sorted(set(parts)):
        names, ids = list(f.groups(part)), list(f.group_ids(part))
        if ids and len(ids) == len(names):
            pairs = list(zip(ids, names, strict=True))
        elif ids:
            pairs = [(gid, names[i] if i < len(names) else gid) for i, gid in enumerate(ids)]
        else:
            pairs = [(f"{GROUP_ID_PLACEHOLDER}#{name}", name) for name in names]
        for gid, name in pairs:
            out.setdefault(gid, (name, []))[1].append(part)
    return [(gid, name, given) for gid, (name, given) in out.items()]


def leaving_seats(f: Details, gid: str, given: Sequence[str]) -> dict[str, int]:
    """The consumed-unit change of leaving group `gid`: -1 for each product the user would lose at
    that step (details.leaving, recorded at evaluation). Without it: the products among `given` that
    this group alone assigns."""
    leaving = f.fix.leaving or {}
    if gid in leaving:
        return {p: -1 for p in leaving[gid]}
    return {p: -1 for p in given if list(f.group_ids(p)) == [gid]}


def membership_block(f: Details, gid: str) -> str | None:
    """Why no call may change the members of group `gid` (GROUP_BLOCKS), or None."""
    if gid.startswith(GROUP_ID_PLACEHOLDER) or not gid:
        return None  # the placeholder blocks it already
    kind = f.group_kind(gid)
    return None if kind is None else GROUP_BLOCKS.get(kind[0], GROUP_KIND_UNKNOWN)


def remove_member(
    f: Details, gid: str, given: Sequence[str], description: TextRef, blocked: str | None = None
) -> Action:
    """DELETE /groups/{gid}/members/{uid}/$ref: the user leaves one group (removal by $ref needs a
    direct membership). Precondition: the user is a member and the group still assigns `given`."""
    user = _user(f)
    group = None if gid.startswith(GROUP_ID_PLACEHOLDER) else gid
    known = user is not None and group is not None
    path_gid = group or GROUP_ID_PLACEHOLDER
    precondition: list[Mapping[str, Any]] = [{"member_of": path_gid}]
    for part in given:
        sid, ok = _sku(f, part)
        known = known and ok
        precondition.append({"holds": sid, "how": "group", "group": path_gid})
    seats = leaving_seats(f, group, given) if group else {p: -1 for p in given if len(f.groups(p)) == 1}
    return Action(
        "DELETE",
        f"/groups/{path_gid}/members/{f.user_ref}/$ref",
        None,
        description,
        REMOVE_MEMBER,
        user,
        group,
        tuple(precondition),
        seats,
        first_blocked(None if known else PLACEHOLDER, membership_block(f, gid), blocked),
    )


def add_member(f: Details, gid: str, gives: Sequence[str], description: TextRef, blocked: str | None = None) -> Action:
    """POST /groups/{gid}/members/$ref: the user joins a group and gets the licenses it assigns
    (+1 seat for each product in `gives`, those the group would newly give). Precondition: the user
    is not a member yet."""
    user = _user(f)
    known = user is not None and bool(gid)
    path_gid = gid or GROUP_ID_PLACEHOLDER
    body: dict[str, object] = {"@odata.id": f"{DIRECTORY_OBJECTS}{f.user_ref}"}
    return Action(
        "POST",
        f"/groups/{path_gid}/members/$ref",
        body,
        description,
        ADD_MEMBER,
        user,
        gid or None,
        ({"not_member_of": path_gid},),
        {p: 1 for p in gives},
        first_blocked(None if known else PLACEHOLDER, membership_block(f, gid), blocked),
    )


def reprocess(f: Details, description: TextRef, takes: Sequence[str] = (), blocked: str | None = None) -> Action:
    """POST /users/{id}/reprocessLicenseAssignment. `takes`: products it may give the user once the
    cause is gone (an assignment in Error holds no seat; reprocessed with a seat free, it takes one):
    counted as a seat each, so a plan never counts on a seat a reprocess may take."""
    user = _user(f)
    return Action(
        "POST",
        f"/users/{f.user_ref}/reprocessLicenseAssignment",
        None,
        description,
        REPROCESS,
        user,
        None,
        ({"exists": True},),
        {p: 1 for p in takes},
        first_blocked(None if user else PLACEHOLDER, blocked),
    )


def set_usage_location(f: Details, description: TextRef) -> Action:
    """PATCH /users/{id} with usageLocation "XX": the admin must choose the country first."""
    user = _user(f)
    return Action(
        "PATCH",
        f"/users/{f.user_ref}",
        {"usageLocation": "XX"},
        description,
        SET_USAGE_LOCATION,
        user,
        None,
        ({"exists": True},),
        {},
        PLACEHOLDER if user is None else CHOOSE_VALUE,
    )


def lookup(path: str, description: TextRef) -> Action:
    """A GET for a person to read: never run by a plan."""
    return Action("GET", path, None, description, KIND_LOOKUP, None, None, (), {}, LOOKUP)


def list_holders(sku_id: str, description: TextRef) -> Action:
    path = (
        f"/users?$filter=assignedLicenses/any(x:x/skuId eq {sku_id})"
        "&$select=id,userPrincipalName,displayName,accountEnabled"
    )
    return lookup(path, description)
