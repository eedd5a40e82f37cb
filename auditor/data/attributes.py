"""User attributes read only when a policy's `cost_allocation:` asks for them.

An attribute is named by its path in Graph's user resource: a property (`companyName`,
`country`, `city`, `officeLocation`, `jobTitle`, `employeeType`, `state`), a property of a
complex one (`employeeOrgData/costCenter`, `employeeOrgData/division`,
`onPremisesExtensionAttributes/extensionAttribute1` … `15`), or a directory extension
(`extension_<app id without dashes>_<name>`). The collector adds each path's top-level property
to the users' `$select`; a user keeps the values it has as `User.attributes`, ((path, value), ...)
pairs (a value that is not text is written as JSON text), and the snapshot names the paths read
(`userAttributes`), so "not set" and "not read" stay apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from auditor.common import shapes

PATTERN = (
    r"^(companyName|country|city|officeLocation|jobTitle|employeeType|state|department"
    r"|employeeOrgData/(costCenter|division)"
    r"|onPremisesExtensionAttributes/extensionAttribute([1-9]|1[0-5])"
    r"|extension_[0-9a-fA-F]{32}_[A-Za-z0-9_]{1,100})$"
)
_PATH = re.compile(PATTERN)
EXTENSION = re.compile(r"^extension_[0-9a-fA-F]{32}_[A-Za-z0-9_]{1,100}\Z")
# the attributes every cost allocation reads (department is always read: the rules select by it)
STANDARD = ("companyName", "country")
MAX_VALUE = 256

Pairs = tuple[tuple[str, str], ...]


def is_path(text: str) -> bool:
    return bool(_PATH.match(text))


def top_level(paths: Iterable[str]) -> tuple[str, ...]:
    """The user properties to add to $select for these paths (department is selected anyway)."""
    out: list[str] = []
    for path in paths:
        name = path.split("/", 1)[0]
        if name != "department" and name not in out:
            out.append(name)
    return tuple(out)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text[:MAX_VALUE] if text else None


def pairs_from(raw: Mapping[str, object], paths: Sequence[str]) -> Pairs:
    """The (path, value) pairs a Graph user object (or a snapshot's user) has for `paths`."""
    out: list[tuple[str, str]] = []
    for path in paths:
        if path == "department":
            continue
        name, _, inner = path.partition("/")
        value = raw.get(name)
        if inner:
            value = value.get(inner) if isinstance(value, Mapping) else None
        text = _text(value)
        if text is not None:
            out.append((path, text))
    return tuple(out)


def to_graph(pairs: Pairs, paths: Sequence[str]) -> dict[str, str | dict[str, str | None] | None]:
    """The user properties (Graph's shape) for a snapshot or the emulator: every path read is
    present, null when the user has no value; complex properties as objects."""
    values = dict(pairs)
    out: dict[str, str | dict[str, str | None] | None] = {}
    for path in paths:
        if path == "department":
            continue
        name, _, inner = path.partition("/")
        if inner:
            holder = out.setdefault(name, {})
            if isinstance(holder, dict):
                holder[inner] = values.get(path)
        else:
            out[name] = values.get(path)
    return out


def wire_value(pairs: Pairs, name: str) -> Any:
    """A selected top-level property as Graph would send it, from the user's pairs (the emulator):
    employeeOrgData is null when the user has neither of its values; onPremisesExtensionAttributes
    is always an object (each attribute null when not set), as Graph returns them."""
    if name == "employeeOrgData":
        inner = {k.split("/", 1)[1]: v for k, v in pairs if k.startswith("employeeOrgData/")}
        return {"costCenter": inner.get("costCenter"), "division": inner.get("division")} if inner else None
    if name == "onPremisesExtensionAttributes":
        inner = {k.split("/", 1)[1]: v for k, v in pairs if k.startswith("onPremisesExtensionAttributes/")}
        return {f"extensionAttribute{i}": inner.get(f"extensionAttribute{i}") for i in range(1, 16)}
    return dict(pairs).get(name)


class Interner:
    """Shares equal pairs and equal pair tuples between users (a million users hold few distinct ones)."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, pairs: Pairs) -> Pairs:
        if not pairs:
            return ()
        shared = tuple(self._seen.setdefault(p, p) for p in pairs)
        result: Pairs = self._seen.setdefault(shared, shared)
        return result


class PageReader:
    """The attribute pairs of each user of a Graph page of users, read from the page's bytes (the
    users themselves are decoded by snapshot.UserDecoder; this reads only the extra properties)."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)
        fields = [(name, Any, None) for name in top_level(paths)]
        item = msgspec.defstruct("_AttributeUser", fields, gc=False)
        page = msgspec.defstruct("_AttributePage", [("value", list[item])], gc=False)  # type: ignore[valid-type]
        self._decoder = shapes.decoder(page)
        self._names = top_level(paths)
        self.intern = Interner()

    def read(self, body: bytes) -> list[Pairs] | None:
        try:
            page = self._decoder.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        names = self._names
        users: list[Any] = page.value  # type: ignore[attr-defined]
        return [self.intern(pairs_from({n: getattr(u, n) for n in names}, self.paths)) for u in users]
