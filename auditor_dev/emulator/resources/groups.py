"""/groups: the list (the $filter forms the collector uses), one group, and its members and
transitiveMembers."""

from __future__ import annotations

import re
from typing import Any

from auditor.model import Group, User

from .. import wire
from ..call import Answer, Call, Emulator
from ..errors import bad, not_found
from ..query import MAX_TOP, check_select, page, unsupported
from . import relations

_NOT_USERS = frozenset(("microsoft.graph.group", "microsoft.graph.device", "microsoft.graph.servicePrincipal",
                        "microsoft.graph.orgContact"))


def list_groups(em: Emulator, call: Call) -> Answer:
    query = call.query
    check_select(query.select, wire.GROUP_PROPERTIES, "group")
    groups: list[Group] = list(em.tenant.groups)
    text = (query.filter or "").strip()
    if text:
        m = re.fullmatch(r"displayName eq '((?:[^']|'')*)'", text)
        if m:
            name = m.group(1).replace("''", "'")
            groups = [g for g in groups if g.display_name.lower() == name.lower()]
        elif re.fullmatch(r"assignedLicenses/\$count ne 0", text):
            if not (call.eventual and query.count):
                raise unsupported(
                    "Request with $count in a $filter expression only works with the advanced query parameters: "
                    "'ConsistencyLevel: eventual' header and $count=true."
                )
            groups = [g for g in groups if g.assigned_licenses]
        elif re.fullmatch(r"groupTypes/any\(c:c eq 'DynamicMembership'\)", text):
            groups = [g for g in groups if g.dynamic]
        elif re.fullmatch(r"hasMembersWithLicenseErrors eq true", text):
            flagged = em.tenant.license_error_groups()
            groups = [g for g in groups if g.id.lower() in flagged]
        else:
            raise unsupported(f"Unsupported or invalid query filter clause specified for resource 'Group': {text}")
    select = query.select
    return page(em.url, call.path, query, groups, call.eventual, MAX_TOP,
                lambda g: wire.group_wire(g, select, em.group_properties.get(g.id.lower())))


def get_group(em: Emulator, call: Call) -> Answer:
    group = _group(em, call)
    check_select(call.query.select, wire.GROUP_PROPERTIES, "group")
    return 200, wire.group_wire(group, call.query.select, em.group_properties.get(group.id.lower()))


def app_role_assignments(em: Emulator, call: Call) -> Answer:
    """GET /groups/{id}/appRoleAssignments: the apps the group's members reach through it
    (Emulator(group_properties={id: {"appRoleAssignments": [...]}}))."""
    group = _group(em, call)
    found = list((em.group_properties.get(group.id.lower()) or {}).get("appRoleAssignments", ()))
    return page(em.url, call.path, call.query, found, call.eventual, MAX_TOP)


def transitive_members(em: Emulator, call: Call) -> Answer:
    group = _group(em, call)
    query, cast, eventual = call.query, call.cast(), call.eventual
    if query.filter is not None:
        raise unsupported("Unsupported query.")
    if cast is not None:
        if cast != "microsoft.graph.user":
            if cast in ("microsoft.graph.group", "microsoft.graph.device", "microsoft.graph.servicePrincipal"):
                return page(em.url, call.path, query, [], eventual, MAX_TOP)
            raise bad(f"Resource not found for the segment '{cast}'.")
        if not (eventual and query.count):
            raise unsupported(
                "The OData cast on transitiveMembers is an advanced query: it needs the "
                "'ConsistencyLevel: eventual' header and $count=true."
            )
    check_select(query.select, wire.USER_PROPERTIES, "user")
    select = query.select
    listings = em.listings if not em.tenant.written else None
    encoded = listings.members(group.id, select) if listings is not None and cast and select else None
    if encoded is not None:
        return page(em.url, call.path, query, encoded, eventual, MAX_TOP)

    def member(u: User) -> dict[str, Any]:
        doc = wire.user_wire(u, select)
        return doc if cast is not None else {"@odata.type": "#microsoft.graph.user", **doc}

    return page(em.url, call.path, query, em.tenant.members(group), eventual, MAX_TOP, member)


def members(em: Emulator, call: Call) -> Answer:
    """GET /groups/{id}/members[/microsoft.graph.user]: the group's direct user members (the
    snapshot keeps users only: every member is direct unless the group lists its direct members,
    the rest being members through a nested group)."""
    group = _group(em, call)
    query, cast = call.query, call.cast()
    listings = em.listings if not em.tenant.written else None
    if listings is not None and cast == relations.USERS.cast and query.select and query.filter is None:
        check_select(query.select, wire.USER_PROPERTIES, "user")
        encoded = listings.direct_members(group.id, query.select)
        if encoded is not None:
            return page(em.url, call.path, query, encoded, call.eventual, MAX_TOP)
    return relations.direct(em, call, em.tenant.direct_members(group), relations.USERS, _NOT_USERS)


def _group(em: Emulator, call: Call) -> Group:
    group = em.tenant.group(call.params["group"])
    if group is None:
        raise not_found(call.params["group"])
    return group
