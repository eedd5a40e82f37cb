"""`$filter` on GET /users as Graph takes it for the partitioned reads: startsWith on userPrincipalName.

Graph documents `startsWith` on userPrincipalName as a default query (no advanced query
parameters needed), and several clauses joined by `or` (the query-parameters page's example
`startswith(displayName,'mary') or ... or startswith(userPrincipalName,'mary')`). Directory string
comparisons are case-insensitive, so `startswith(userPrincipalName,'a')` matches `Adele@...` too.
An empty prefix is Graph's 400 Request_UnsupportedQuery. Anything else the emulator does not
implement is a 400 as well (the caller raises it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from .hooks import EncodedItems

_CLAUSE = re.compile(r"\s*startswith\(\s*userprincipalname\s*,\s*'((?:[^']|'')*)'\s*\)\s*", re.IGNORECASE)
_OR = re.compile(r"or\s", re.IGNORECASE)


class UnsupportedFilter(ValueError):
    """The filter is not one the emulator implements (or Graph refuses it)."""


def upn_prefixes(text: str) -> tuple[str, ...]:
    """The prefixes of `startswith(userPrincipalName,'p1') or startswith(userPrincipalName,'p2') ...`,
    lower-cased; UnsupportedFilter for any other filter."""
    prefixes: list[str] = []
    at = 0
    while True:
        m = _CLAUSE.match(text, at)
        if m is None:
            raise UnsupportedFilter(text)
        prefix = m.group(1).replace("''", "'")
        if not prefix:
            raise UnsupportedFilter(text)
        prefixes.append(prefix.lower())
        at = m.end()
        if at == len(text):
            return tuple(prefixes)
        o = _OR.match(text, at)
        if o is None:
            raise UnsupportedFilter(text)
        at = o.end()


def by_next_character(positions: Iterable[int], upn_at: Callable[[int], str], at: int) -> dict[str, list[int]]:
    """`positions` (of users, in order) by the character of their UPN, in lower case, at index `at`
    ("" when it is shorter): one pass, as an index would, so that a partition costs the emulator
    only the users under its prefix."""
    found: dict[str, list[int]] = {}
    for i in positions:
        found.setdefault(upn_at(i).lower()[at:at + 1], []).append(i)
    return found


def matches(upn: str, prefixes: tuple[str, ...]) -> bool:
    return upn.lower().startswith(prefixes)


class Picked:
    """Some items of an EncodedItems list, by position (a filtered listing of pre-encoded users)."""

    def __init__(self, items: EncodedItems, positions: Sequence[int]) -> None:
        self._items = items
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    def json_array(self, start: int, stop: int) -> bytes:
        parts = [self._items.json_array(i, i + 1)[1:-1] for i in self._positions[start:stop]]
        return b"[" + b",".join(parts) + b"]"
