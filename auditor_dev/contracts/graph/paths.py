"""A Graph v1.0 URL path resolved against the kept metadata: what it addresses (an entity set's
collection, one entity, a navigation, a cast, a structural property, a bound action or function,
`$count`, `$ref`), or why the metadata carries no such path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote

from .model import Model, Operation, Ref


class Kind(Enum):
    RESOURCE = "resource"  # an entity, a collection of them, or a structured property
    VALUE = "value"  # a primitive or enum property: answered as {"value": ...}
    OPERATION = "operation"
    COUNT = "count"
    REF = "ref"
    BATCH = "batch"


@dataclass(frozen=True)
class Target:
    kind: Kind
    ref: Ref | None  # what the answer holds (None: nothing, or not checked)
    operation: Operation | None = None
    entity_set: bool = False  # a POST to it creates one of its entities


class Unresolved(ValueError):
    """A path the kept metadata does not carry."""


_CALL = re.compile(r"^([A-Za-z_][\w.]*)\((.*)\)$")


def resolve(model: Model, path: str, extra: Mapping[str, frozenset[str]] | None = None) -> Target:
    """`path` (after /v1.0, URL-encoded or not) resolved, or Unresolved saying where it leaves the metadata."""
    extra = extra or {}  # function parameters taken beyond the metadata's, by function name
    segments = [unquote(s) for s in path.strip("/").split("/") if s]
    if segments == ["$batch"]:
        return Target(Kind.BATCH, None)
    if not segments or segments[0] not in model.roots:
        raise Unresolved(f"no entity set or singleton {segments[0] if segments else ''!r}")
    current = model.roots[segments[0]]
    target = Target(Kind.RESOURCE, current, entity_set=current.collection)
    for n, segment in enumerate(segments[1:], start=1):
        last = n == len(segments) - 1
        if target.kind in (Kind.COUNT, Kind.REF, Kind.VALUE) or (target.kind is Kind.OPERATION and target.ref is None):
            raise Unresolved(f"nothing follows {segments[n - 1]!r}")
        assert target.ref is not None
        current = target.ref
        if segment == "$count" and current.collection:
            target = Target(Kind.COUNT, None)
            continue
        if segment == "$ref" and last and current.name in model.types and model.types[current.name].entity:
            target = Target(Kind.REF, None)
            continue
        if segment in model.types and model.derives(segment, current.name):
            target = Target(Kind.RESOURCE, Ref(segment, current.collection), entity_set=target.entity_set)
            continue
        call = _CALL.match(segment)
        name = call.group(1) if call else segment
        operations = model.bound(name, current)
        if operations:
            target = _operation(operations, call.group(2) if call else None, segment, extra)
            continue
        if current.collection:
            target = Target(Kind.RESOURCE, Ref(current.name, False, False))  # a key
            continue
        navigation = model.navigations(current.name).get(segment)
        if navigation is not None:
            target = Target(Kind.RESOURCE, navigation, entity_set=navigation.collection)
            continue
        prop = model.properties(current.name).get(segment)
        if prop is not None:
            kind = Kind.RESOURCE if prop.name in model.types else Kind.VALUE
            target = Target(kind, prop)
            continue
        raise Unresolved(f"{current.name} has no navigation property, property, cast or bound operation {segment!r}")
    return target


def _operation(
    operations: list[Operation], arguments: str | None, segment: str, extra: Mapping[str, frozenset[str]]
) -> Target:
    functions = [op for op in operations if not op.action]
    if arguments is not None or functions:
        named = {a.split("=", 1)[0].strip() for a in (arguments or "").split(",") if a.strip()}
        for op in functions:
            if set(op.parameters) <= named <= set(op.parameters) | extra.get(op.name, frozenset()):
                return Target(Kind.OPERATION, op.returns, op)
        raise Unresolved(f"no overload of function {segment!r} takes the parameters {sorted(named)}")
    return Target(Kind.OPERATION, operations[0].returns, operations[0])
