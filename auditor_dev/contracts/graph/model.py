"""The kept Graph v1.0 metadata (v1.0.xml beside this module), parsed once per process into the
few facts the validator reads: each type's properties and navigation properties (its base types'
included), enums' members, the entity sets and singletons, and the bound actions and functions."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import resources

from .cut import EDM, source_of


@dataclass(frozen=True)
class Ref:
    """A type reference: the full type name, whether a collection of it, whether null is allowed."""

    name: str
    collection: bool = False
    nullable: bool = True


@dataclass
class Structured:
    name: str
    entity: bool
    base: str | None
    open: bool
    abstract: bool
    properties: dict[str, Ref] = field(default_factory=dict)  # declared here
    navigations: dict[str, Ref] = field(default_factory=dict)  # declared here


@dataclass(frozen=True)
class Operation:
    name: str
    action: bool
    binding: Ref
    parameters: dict[str, Ref]  # without the binding parameter
    returns: Ref | None


@dataclass
class Model:
    source: str  # the kept file's source block, as one line
    types: dict[str, Structured] = field(default_factory=dict)
    enums: dict[str, frozenset[str]] = field(default_factory=dict)
    primitives: dict[str, str] = field(default_factory=dict)  # type definitions: name -> underlying Edm type
    roots: dict[str, Ref] = field(default_factory=dict)  # entity sets (collections) and singletons
    operations: dict[str, list[Operation]] = field(default_factory=dict)
    _props: dict[str, dict[str, Ref]] = field(default_factory=dict)
    _navs: dict[str, dict[str, Ref]] = field(default_factory=dict)

    def chain(self, name: str) -> list[str]:
        out: list[str] = []
        while name in self.types and name not in out:
            out.append(name)
            base = self.types[name].base
            if base is None:
                break
            name = base
        return out

    def properties(self, name: str) -> dict[str, Ref]:
        """The structural properties of `name`, its base types' included (cached)."""
        if name not in self._props:
            merged: dict[str, Ref] = {}
            for owner in reversed(self.chain(name)):
                merged.update(self.types[owner].properties)
            self._props[name] = merged
        return self._props[name]

    def navigations(self, name: str) -> dict[str, Ref]:
        if name not in self._navs:
            merged: dict[str, Ref] = {}
            for owner in reversed(self.chain(name)):
                merged.update(self.types[owner].navigations)
            self._navs[name] = merged
        return self._navs[name]

    def derives(self, name: str, base: str) -> bool:
        return base in self.chain(name)

    def bound(self, name: str, on: Ref) -> list[Operation]:
        """The operations `name` bound to `on` (a type, or a collection of it) or a base of it."""
        chain = self.chain(on.name)
        return [
            op
            for op in self.operations.get(name, [])
            if op.binding.collection == on.collection and op.binding.name in chain
        ]


def _ref(full: dict[str, str], text: str, nullable: str | None) -> Ref:
    collection = text.startswith("Collection(")
    inner = text[len("Collection(") : -1] if collection else text
    space, _, local = inner.rpartition(".")
    name = f"{full.get(space, space)}.{local}" if space else inner
    return Ref(name, collection, nullable != "false")


def parse(text: str) -> Model:
    root = ET.fromstring(text.encode("utf-8"))
    source = source_of(text)
    model = Model(source=f"{source.repo} {source.path}@{source.commit} ({source.date})" if source else "unknown")
    full = _namespaces(root)
    for schema in root.iter(f"{{{EDM}}}Schema"):
        space = schema.get("Namespace", "")
        for child in schema:
            kind = child.tag.rpartition("}")[2]
            name = f"{space}.{child.get('Name')}"
            if kind in ("EntityType", "ComplexType"):
                model.types[name] = _structured(full, name, child)
            elif kind == "EnumType":
                model.enums[name] = frozenset(m.get("Name", "") for m in child)
            elif kind == "TypeDefinition":
                model.primitives[name] = child.get("UnderlyingType", "Edm.String")
            elif kind in ("Action", "Function"):
                operation = _operation(full, child)
                if operation is not None:
                    model.operations.setdefault(operation.name, []).append(operation)
            elif kind == "EntityContainer":
                for item in child:
                    collection = item.tag.endswith("}EntitySet")
                    ref = _ref(full, item.get("EntityType" if collection else "Type", ""), None)
                    model.roots[item.get("Name", "")] = Ref(ref.name, collection)
    return model


def _namespaces(root: ET.Element) -> dict[str, str]:
    """Each schema's namespace and alias, to its namespace."""
    full = {"Edm": "Edm"}
    for schema in root.iter(f"{{{EDM}}}Schema"):
        space = schema.get("Namespace", "")
        full[space] = space
        if schema.get("Alias"):
            full[schema.get("Alias", "")] = space
    return full


def _structured(full: dict[str, str], name: str, element: ET.Element) -> Structured:
    base = element.get("BaseType")
    item = Structured(
        name,
        element.tag.endswith("}EntityType"),
        _ref(full, base, None).name if base else None,
        element.get("OpenType") == "true",
        element.get("Abstract") == "true",
    )
    for prop in element:
        ref = _ref(full, prop.get("Type", ""), prop.get("Nullable"))
        if prop.tag.endswith("}Property"):
            item.properties[prop.get("Name", "")] = ref
        elif prop.tag.endswith("}NavigationProperty"):
            item.navigations[prop.get("Name", "")] = ref
    return item


def _operation(full: dict[str, str], element: ET.Element) -> Operation | None:
    """A bound action or function; None for an unbound one (the tool calls none)."""
    params = [p for p in element if p.tag.endswith("}Parameter")]
    returned = next((p for p in element if p.tag.endswith("}ReturnType")), None)
    if element.get("IsBound") != "true" or not params:
        return None
    return Operation(
        element.get("Name", ""),
        element.tag.endswith("}Action"),
        _ref(full, params[0].get("Type", ""), None),
        {p.get("Name", ""): _ref(full, p.get("Type", ""), p.get("Nullable")) for p in params[1:]},
        _ref(full, returned.get("Type", ""), returned.get("Nullable")) if returned is not None else None,
    )


@functools.cache
def kept() -> Model:
    """The kept v1.0 subset, parsed once per process."""
    return parse(resources.files(__package__).joinpath("v1.0.xml").read_text(encoding="utf-8"))
