"""A directory object's direct relationship as Graph pages it: /groups/{id}/members and
/users/{id}/memberOf, with or without an OData cast to one type, and `$filter=id eq '...'`,
which on a relationship is an advanced query."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import wire
from ..call import Answer, Call, Emulator
from ..errors import bad
from ..query import MAX_TOP, Query, check_select, page, unsupported


@dataclass(frozen=True)
class Kind:
    """The type a relationship holds (the snapshot keeps users in groups and groups of users)."""

    cast: str  # the OData cast segment that selects it, e.g. microsoft.graph.user
    type_name: str
    properties: frozenset[str]
    render: Callable[[Any, tuple[str, ...] | None], dict[str, Any]]


USERS = Kind("microsoft.graph.user", "user", wire.USER_PROPERTIES, wire.user_wire)
GROUPS = Kind("microsoft.graph.group", "group", wire.GROUP_PROPERTIES, wire.group_wire)


def direct(em: Emulator, call: Call, items: Sequence[Any], kind: Kind, other_casts: frozenset[str]) -> Answer:
    """Page `items` (all of `kind`); a cast to one of `other_casts` is an empty page, a cast to
    an unknown type Graph's 400. Without a cast each item says its @odata.type."""
    query, cast = call.query, call.cast()
    if cast is not None and cast != kind.cast:
        if cast in other_casts:
            return page(em.url, call.path, query, [], call.eventual, MAX_TOP)
        raise bad(f"Resource not found for the segment '{cast}'.")
    check_select(query.select, kind.properties, kind.type_name)
    wanted = id_filter(query, call.eventual, "DirectoryObject")
    if wanted is not None:
        items = [x for x in items if x.id.lower() == wanted]
    select = query.select

    def render(item: Any) -> dict[str, Any]:
        doc = kind.render(item, select)
        return doc if cast is not None else {"@odata.type": f"#{kind.cast}", **doc}

    return page(em.url, call.path, query, items, call.eventual, MAX_TOP, render)


def id_filter(query: Query, eventual: bool, resource: str) -> str | None:
    """The id of `$filter=id eq '<id>'` (lower case), the one filter the emulator takes on a
    relationship; it needs the advanced query headers."""
    if query.filter is None:
        return None
    m = re.fullmatch(r"\s*id eq '([^']*)'\s*", query.filter)
    if m is None:
        raise unsupported(
            f"Unsupported or invalid query filter clause specified for resource '{resource}': {query.filter}"
        )
    if not (eventual and query.count):
        raise unsupported(
            "Request with $filter on a directory object relationship only works with the advanced query "
            "parameters: 'ConsistencyLevel: eventual' header and $count=true."
        )
    return m.group(1).lower()
