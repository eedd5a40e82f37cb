"""JSON values against the kept Graph metadata's types: what an answer's object (or a request's
body) carries that its type does not declare, or carries in another JSON type than the EDM type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .model import Model, Ref

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGERS = frozenset({"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte"})
_NUMBERS = frozenset({"Edm.Double", "Edm.Single", "Edm.Decimal"})
# types whose JSON form is a string the validator does not parse further
_STRINGS = frozenset({"Edm.String", "Edm.Binary", "Edm.Duration", "Edm.TimeOfDay"})


# The directory's types are open (OpenType="true") for the directory extensions an application
# registers, which Graph names extension_{appId}_{name} (learn.microsoft.com/graph/extensibility-overview,
# "Directory (Microsoft Entra ID) extensions"); any other undeclared property is outside the contract.
def annotation(key: str) -> bool:
    """An OData control or instance annotation (@odata.type, @odata.nextLink, members@odata.bind)."""
    return "@" in key


def _primitive(kind: str, value: Any) -> str | None:
    """Why `value` is not a JSON value of the EDM primitive `kind`; None when it is."""
    if kind in _STRINGS:
        ok = isinstance(value, str)
    elif kind == "Edm.Guid":
        ok = isinstance(value, str) and bool(_GUID.match(value))
    elif kind == "Edm.DateTimeOffset":
        ok = isinstance(value, str) and bool(_DATETIME.match(value))
    elif kind == "Edm.Date":
        ok = isinstance(value, str) and bool(_DATE.match(value))
    elif kind == "Edm.Boolean":
        ok = isinstance(value, bool)
    elif kind in _INTEGERS:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind in _NUMBERS:
        ok = (isinstance(value, int | float) and not isinstance(value, bool)) or value in ("NaN", "INF", "-INF")
    else:  # Edm.Untyped, Edm.Stream and the like: anything
        ok = True
    return None if ok else f"{value!r:.60} is not {kind}"


# `expanded` given as DEEP: a request body, which may carry any navigation property inline (deep insert)
DEEP = frozenset({"*"})


def problems(model: Model, ref: Ref, value: Any, where: str, expanded: frozenset[str] = frozenset()) -> Iterator[str]:
    """Each way `value` (at `where`, a property path) breaks `ref`."""
    if value is None:
        if not ref.nullable:
            yield f"{where}: null where {ref.name} is not nullable"
        return
    if ref.collection:
        if not isinstance(value, list):
            yield f"{where}: {type(value).__name__} where Collection({ref.name}) is declared"
            return
        item = Ref(ref.name, False, ref.nullable)
        for n, element in enumerate(value):
            yield from problems(model, item, element, f"{where}[{n}]", expanded)
        return
    kind = model.primitives.get(ref.name, ref.name)
    if kind in model.enums:
        if not isinstance(value, str):
            yield f"{where}: {value!r:.60} is not a member of {kind}"
            return
        members = model.enums[kind]
        # a flags enum is written as its members joined by commas ("a,b")
        unknown = [m for m in value.split(",") if m.strip() not in members]
        if unknown:
            yield f"{where}: {unknown[0]!r} is not a member of {kind}"
        return
    if kind in model.types:
        yield from structured(model, kind, value, where, expanded if expanded is DEEP else frozenset())
        return
    if kind.startswith("Edm."):
        why = _primitive(kind, value)
        if why is not None:
            yield f"{where}: {why}"
        return
    yield f"{where}: type {kind} is not in the kept metadata (add it: scripts/cut_graph_metadata.py)"


def structured(
    model: Model, name: str, value: Any, where: str, expanded: frozenset[str] = frozenset()
) -> Iterator[str]:
    """Each way the JSON object `value` breaks the entity or complex type `name` (or the type its
    @odata.type names, which must derive from it); `expanded`: navigation properties it may carry."""
    if not isinstance(value, dict):
        yield f"{where}: {type(value).__name__} where {name} (an object) is declared"
        return
    named = value.get("@odata.type")
    if isinstance(named, str):
        actual = named.removeprefix("#")
        if actual not in model.types:
            yield f"{where}: @odata.type {named} is not in the kept metadata (add it: scripts/cut_graph_metadata.py)"
            return
        if not model.derives(actual, name):
            yield f"{where}: @odata.type {named} does not derive from {name}"
            return
        name = actual
    props = model.properties(name)
    navs = model.navigations(name)
    for key, item in value.items():
        if annotation(key):
            continue
        if key in props:
            yield from problems(model, props[key], item, f"{where}.{key}", expanded)
        elif key in navs and (key in expanded or expanded is DEEP):
            yield from problems(model, navs[key], item, f"{where}.{key}", expanded)
        elif not _open_to(model, name, key):
            yield f"{where}: {name} has no property {key!r}"


def _open_to(model: Model, name: str, key: str) -> bool:
    """Whether the open type `name` may carry the undeclared property `key`: an open complex type (an
    audit record's auditData) any; an open entity type (the directory's) only a directory extension."""
    chain = model.chain(name)
    if not any(model.types[t].open for t in chain):
        return False
    return not model.types[name].entity or key.startswith("extension_")
