"""`$filter` on GET /users as Graph takes it: startsWith on userPrincipalName (the partitioned
reads), and a comparison on signInActivity (the nightly's read of what can have changed).

Graph documents `startsWith` on userPrincipalName as a default query (no advanced query
parameters needed), and several clauses joined by `or` (the query-parameters page's example
`startswith(displayName,'mary') or ... or startswith(userPrincipalName,'mary')`). Directory string
comparisons are case-insensitive, so `startswith(userPrincipalName,'a')` matches `Adele@...` too.
An empty prefix is Graph's 400 Request_UnsupportedQuery. Anything else the emulator does not
implement is a 400 as well (the caller raises it).

signInActivity: the user resource says it "Supports `$filter` (`eq`, `ne`, `not`, `ge`, `le`) *but
not with any other filterable properties*", with the example
`signInActivity/lastSuccessfulSignInDateTime le 2024-06-01T00:00:00Z` ("How to detect and
investigate inactive user accounts"). The emulator takes one `le` or `ge` comparison of
`lastSignInDateTime` or `lastSuccessfulSignInDateTime` with a UTC date-time, alone: joined to any
other clause it is refused as Graph refuses a filter it does not take (400
Request_UnsupportedQuery). The property "isn't returned for a user who never signed in", and no page
says what a comparison does with such a user: here a user without the compared time matches no
comparison, neither `le` nor `ge` (so nothing the collector does may rest on either answer for them).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import User

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


_SIGN_IN = re.compile(
    r"\s*signInActivity/(lastSignInDateTime|lastSuccessfulSignInDateTime)\s+(le|ge)\s+"
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,7})?Z)\s*",
    re.IGNORECASE,  # Graph's property names and operators are not case-sensitive
)
_SIGN_IN_PROPERTIES = {
    "lastsignindatetime": "last_sign_in_date_time",
    "lastsuccessfulsignindatetime": "last_successful_sign_in_date_time",
}


@dataclass(frozen=True)
class SignInComparison:
    """`signInActivity/<property> <le|ge> <date-time>`, Graph's documented filter on sign-in activity."""

    attribute: str  # the User attribute compared
    operator: str  # "le" or "ge"
    when: datetime

    def matches(self, user: User) -> bool:
        """Whether `user` is in the answer: a user without the compared time matches no comparison."""
        value = timestamp_or_none(getattr(user, self.attribute))
        if value is None:
            return False
        return value <= self.when if self.operator == "le" else value >= self.when


def mentions_sign_in(text: str) -> bool:
    return "signinactivity" in text.lower()


def sign_in_comparison(text: str) -> SignInComparison:
    """The one comparison of a filter on signInActivity; UnsupportedFilter for anything else (another
    operator or property, a second clause, another property beside it: "not with any other
    filterable properties")."""
    m = _SIGN_IN.fullmatch(text)
    if m is None:
        raise UnsupportedFilter(text)
    when = timestamp_or_none(m.group(3))
    if when is None:
        raise UnsupportedFilter(text)
    return SignInComparison(_SIGN_IN_PROPERTIES[m.group(1).lower()], m.group(2).lower(), when)


class UpnIndex:
    """A list of users' UPNs in lower case, sorted, as a directory index holds them: the users under
    a prefix are one range of it, found by bisection, so a partition's count or listing costs the
    emulator only its own users, not a pass over the tenant (at a million users those passes took
    a core for tens of seconds while the audit it served was measured)."""

    def __init__(self, upns: Iterable[str]) -> None:
        lowered = [upn.lower() for upn in upns]
        self._at = sorted(range(len(lowered)), key=lowered.__getitem__)  # stable: equal UPNs in order
        self._keys = [lowered[at] for at in self._at]

    def starting(self, prefixes: tuple[str, ...]) -> list[int]:
        """The positions (in the list the index was built from, in order) of the UPNs that start
        with one of `prefixes` (lower case)."""
        found: set[int] = set()
        for prefix in prefixes:
            found.update(self._at[slice(*self._range(prefix))])
        return sorted(found)

    def _range(self, prefix: str) -> tuple[int, int]:
        start = bisect.bisect_left(self._keys, prefix)
        n = len(prefix)
        # cut to the prefix's length, the sorted keys stay sorted: its UPNs end where that stops being it
        return start, bisect.bisect_right(self._keys, prefix, start, key=lambda key: key[:n])


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
