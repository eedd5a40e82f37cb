"""/groups: the list (the $filter forms the collector uses), one group, and its members and
transitiveMembers."""

from __future__ import annotations

import re
from typing import Any

from auditor.data.model import Group, User

from .. import wire
from ..call import Answer, Call, Emulator, PlainText
from ..errors import bad, not_found
from ..filters import Picked, UnsupportedFilter, upn_prefixes
from ..query import MAX_TOP, check_select, page, unsupported
from . import relations

_NOT_USERS = frozenset(
    (
        "microsoft.graph.group",
        "microsoft.graph.device",
        "microsoft.graph.servicePrincipal",
        "microsoft.graph.orgContact",
    )
)


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
    return page(
        em.url,
        call.path,
        query,
        groups,
        call.eventual,
        MAX_TOP,
        lambda g: wire.group_wire(g, select, em.group_properties.get(g.id.lower())),
    )


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


def member_prefixes(call: Call, *, counting: bool = False) -> tuple[str, ...] | None:
    """The UPN prefixes of a member listing's `$filter` (startswith(userPrincipalName,'…') clauses
    joined by `or`; filters.py), or None without one. A filter on a relationship is an advanced
    query on the user cast: without `ConsistencyLevel: eventual` and `$count=true` (`counting`: the
    /$count segment, which is the count), or on another property, Graph's 400."""
    query = call.query
    if query.filter is None:
        return None
    if call.cast() != relations.USERS.cast or not (call.eventual and (query.count or counting)):
        raise unsupported(
            "Request with $filter on a directory object relationship only works with the advanced "
            "query parameters: 'ConsistencyLevel: eventual' header and $count=true."
        )
    try:
        return upn_prefixes(query.filter)
    except UnsupportedFilter:
        raise unsupported(
            f"Unsupported or invalid query filter clause specified for resource 'User': {query.filter}"
        ) from None


def count_transitive_members(em: Emulator, call: Call) -> Answer:
    """GET /groups/{id}/transitiveMembers/microsoft.graph.user/$count (ConsistencyLevel: eventual)."""
    return _count_members(em, call, direct=False)


def count_direct_members(em: Emulator, call: Call) -> Answer:
    """GET /groups/{id}/members/microsoft.graph.user/$count (ConsistencyLevel: eventual)."""
    return _count_members(em, call, direct=True)


def _count_members(em: Emulator, call: Call, *, direct: bool) -> Answer:
    group = _group(em, call)
    if not call.eventual:
        raise bad("$count is not currently supported.")
    if call.cast() != relations.USERS.cast:
        raise bad(f"Resource not found for the segment '{call.cast()}'.")
    prefixes = member_prefixes(call, counting=True)
    listed = (
        em.tenant.members_starting(group, prefixes, direct=direct)
        if prefixes is not None
        else em.tenant.listing(group, direct=direct)
    )
    return 200, PlainText(str(len(listed)))


def _member_partition(em: Emulator, call: Call, group: Group, prefixes: tuple[str, ...], *, direct: bool) -> Answer:
    """A page of the group's (direct) user members whose UPN starts with one of `prefixes`."""
    select = call.query.select
    check_select(select, wire.USER_PROPERTIES, "user")
    listings = em.listings if not em.tenant.written else None
    if listings is not None and select:  # the listing's pre-encoded members, picked
        encoded = (listings.direct_members if direct else listings.members)(group.id, select)
        if encoded is not None:
            return page(
                em.url,
                call.path,
                call.query,
                Picked(encoded, em.tenant.member_partition(group, prefixes, direct=direct)),
                call.eventual,
                MAX_TOP,
            )
    return page(
        em.url,
        call.path,
        call.query,
        em.tenant.members_starting(group, prefixes, direct=direct),
        call.eventual,
        MAX_TOP,
        lambda u: wire.user_wire(u, select),
    )


def transitive_members(em: Emulator, call: Call) -> Answer:
    group = _group(em, call)
    query, cast, eventual = call.query, call.cast(), call.eventual
    prefixes = member_prefixes(call)
    if prefixes is not None:
        return _member_partition(em, call, group, prefixes, direct=False)
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
    # a UPN prefix filter partitions the listing; `id eq` is relations.direct's
    prefixes = member_prefixes(call) if (query.filter or "").lstrip().lower().startswith("startswith(") else None
    if prefixes is not None:
        return _member_partition(em, call, group, prefixes, direct=True)
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
