"""Lookups built once per audit so that every rule runs in time linear in the tenant.

Users are addressed by their position in `snapshot.users`. A population (who a policy entry
applies to) is either ALL or a set of positions; users are grouped by their exact set of SKUs,
since tenants have millions of users but only a handful of distinct license layouts.
"""

from __future__ import annotations

import fnmatch
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from .model import Sku, TenantSnapshot, User
from .policy.model import Selector


class AllBut:
    """Every user position except `excluded`: a population of a million without a million-entry set."""

    __slots__ = ("excluded", "size")

    def __init__(self, size: int, excluded: frozenset[int]) -> None:
        self.size = size
        self.excluded = excluded  # positions, all below `size`

    def __contains__(self, pos: object) -> bool:
        return isinstance(pos, int) and 0 <= pos < self.size and pos not in self.excluded

    def __len__(self) -> int:
        return self.size - len(self.excluded)

    def __iter__(self) -> Iterator[int]:
        excluded = self.excluded
        return (i for i in range(self.size) if i not in excluded)


Population = frozenset[int] | AllBut | None  # None = every user
T = TypeVar("T")


def _positions() -> array[int]:
    return array("I")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_guid(text: str) -> bool:
    return bool(_GUID.match(text))


class TenantIndex:
    def __init__(self, snapshot: TenantSnapshot) -> None:
        self.snapshot = snapshot
        self.users = snapshot.users
        self.sku_by_id: dict[str, Sku] = {s.sku_id.lower(): s for s in snapshot.skus}
        self.sku_by_part: dict[str, Sku] = {s.sku_part_number.lower(): s for s in snapshot.skus}
        self.group_name: dict[str, str] = {g.id: g.display_name for g in snapshot.groups}
        self.warnings: list[str] = []
        self._position = {u.id: i for i, u in enumerate(snapshot.users)}
        # positions as 4-byte arrays: a list of a million ints is 36 MB, an array 4 MB
        self._by_skuset: dict[frozenset[str], array[int]] = defaultdict(_positions)
        for i, u in enumerate(snapshot.users):
            self._by_skuset[u.sku_ids].append(i)
        self._populations: dict[Selector, frozenset[int] | None] = {}
        self._combined: dict[tuple[Selector, Selector | None], Population] = {}
        self._where: dict[str, array[int]] = {}
        self._groups_by_ref: dict[str, list[str]] = defaultdict(list)
        for g in snapshot.groups:
            self._groups_by_ref[g.id.lower()].append(g.id)
            self._groups_by_ref[g.display_name.lower()].append(g.id)
        self._members = {g.id: g.members for g in snapshot.groups}
        self._direct: dict[str, array[int]] | None = None
        self._attributes: dict[str, dict[str, array[int]]] = {}

    # --- SKUs -------------------------------------------------------------------------------

    def resolve_sku(self, ref: str) -> str | None:
        """skuId (lower-case) for a part number or GUID as written in a policy; None if unknown."""
        sku = self.sku_by_part.get(ref.lower()) or self.sku_by_id.get(ref.lower())
        if sku is not None:
            return sku.sku_id.lower()
        return ref.lower() if is_guid(ref) else None

    def resolve_skus(self, refs: Iterable[str]) -> frozenset[str]:
        return frozenset(r for r in (self.resolve_sku(x) for x in refs) if r is not None)

    def part(self, sku_id: str) -> str:
        sku = self.sku_by_id.get(sku_id.lower())
        return sku.sku_part_number if sku else sku_id

    def parts(self, sku_ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(self.part(s) for s in sku_ids))

    # --- populations ------------------------------------------------------------------------

    def has_group(self, ref: str) -> bool:
        return ref.lower() in self._groups_by_ref

    def group_members(self, ref: str) -> set[int]:
        ids = self._groups_by_ref.get(ref.lower(), [])
        if not ids:
            self.warnings.append(f"group '{ref}' named in a policy was not found in the tenant")
        elif len(set(ids)) > 1:
            self.warnings.append(f"group name '{ref}' is ambiguous ({len(set(ids))} groups); all are used")
        out: set[int] = set()
        for gid in set(ids):
            out.update(self._position[m] for m in self._members[gid] if m in self._position)
        return out

    def select(self, selector: Selector) -> frozenset[int] | None:
        if selector not in self._populations:
            self._populations[selector] = self._select(selector)
        return self._populations[selector]

    def _select(self, s: Selector) -> frozenset[int] | None:
        users = self.users
        parts: list[set[int]] = []
        if s.groups:
            members: set[int] = set()
            for ref in s.groups:
                members |= self.group_members(ref)
            parts.append(members)
        if s.departments:
            parts.append(self._attribute("department", {d.lower() for d in s.departments}))
        if s.user_types:
            parts.append(self._attribute("user_type", {t.lower() for t in s.user_types}))
        if s.usage_locations:
            parts.append(self._attribute("usage_location", {loc.lower() for loc in s.usage_locations}))
        if s.upn:
            # not cached: a lower-cased copy of every UPN would cost ~80 MB per million users
            match = re.compile("|".join(fnmatch.translate(p.lower()) for p in s.upn)).match
            parts.append({i for i, u in enumerate(users) if match(u.user_principal_name.lower())})
        if not parts:
            return None  # `all: true`
        parts.sort(key=len)
        result = parts[0]
        for p in parts[1:]:
            result = result & p
        return frozenset(result)

    def _attribute(self, name: str, wanted: set[str]) -> set[int]:
        """Users whose attribute (case-insensitive) is one of `wanted`; one pass per attribute, ever."""
        table = self._attributes.get(name)
        if table is None:
            table = defaultdict(_positions)
            for i, u in enumerate(self.users):
                value = getattr(u, name)
                if value:
                    table[value.lower()].append(i)
            self._attributes[name] = table
        out: set[int] = set()
        for value in wanted:
            out.update(table.get(value, ()))
        return out

    def population(self, match: Selector, except_: Selector | None) -> Population:
        key = (match, except_)
        if key not in self._combined:
            self._combined[key] = self._population(match, except_)
        return self._combined[key]

    def _population(self, match: Selector, except_: Selector | None) -> Population:
        base = self.select(match)
        if except_ is None:
            return base
        excluded = self.select(except_)
        if excluded is None:
            return frozenset()
        if base is None:
            return AllBut(len(self.users), excluded)
        return base - excluded

    def where(self, name: str, test: Callable[[User], bool]) -> array[int]:
        """Positions of the users passing `test`, in order; computed once per `name`."""
        found = self._where.get(name)
        if found is None:
            found = array("I", (i for i, u in enumerate(self.users) if test(u)))
            self._where[name] = found
        return found

    # --- iteration --------------------------------------------------------------------------

    def by_skuset(self, pop: Population, verdict: Callable[[frozenset[str]], T | None]) -> Iterator[tuple[int, T]]:
        """Yield (position, verdict) for users in `pop` whose SKU set gets a non-None verdict.

        The verdict is computed once per distinct SKU set, and the smaller side (population or
        offending users) is walked, so cost stays proportional to min(|pop|, |offenders|).
        """
        verdicts = {k: v for k in self._by_skuset if (v := verdict(k)) is not None}
        if not verdicts:
            return
        offenders = sum(len(self._by_skuset[k]) for k in verdicts)
        if pop is not None and len(pop) < offenders:
            users = self.users
            for i in sorted(pop):
                v = verdicts.get(users[i].sku_ids)
                if v is not None:
                    yield i, v
            return
        for k in sorted(verdicts, key=lambda k: self._by_skuset[k][0]):
            v = verdicts[k]
            for i in self._by_skuset[k]:
                if pop is None or i in pop:
                    yield i, v

    def direct_holders(self, sku_id: str) -> array[int]:
        """Users holding `sku_id` through a direct (not group-based) assignment."""
        if self._direct is None:
            direct: dict[str, array[int]] = defaultdict(_positions)
            # Decoded snapshots share one tuple per license layout: work each layout out once.
            layouts: dict[tuple[int, int], list[str]] = {}
            for i, u in enumerate(self.users):
                if not u.assigned_licenses:
                    continue
                key = (id(u.assigned_licenses), id(u.license_assignment_states))
                skus = layouts.get(key)
                if skus is None:
                    skus = layouts[key] = _direct_skus(u)
                for sid in skus:
                    direct[sid].append(i)
            self._direct = direct
        return self._direct.get(sku_id, array("I"))

    def assignment_errors(self) -> Iterator[int]:
        """Positions of users with a license assignment in an error state."""
        errors: dict[int, bool] = {}  # per shared states tuple
        for i, u in enumerate(self.users):
            states = u.license_assignment_states
            if not states:
                continue
            bad = errors.get(id(states))
            if bad is None:
                bad = errors[id(states)] = any(s.is_error for s in states)
            if bad:
                yield i

    def assigning_groups(self, user: User, sku_id: str) -> list[str]:
        """Display names of the groups that assign `sku_id` to `user` (empty = direct)."""
        sku_id = sku_id.lower()
        return sorted(
            self.group_name.get(s.assigned_by_group, s.assigned_by_group)
            for s in user.license_assignment_states
            if s.assigned_by_group and s.sku_id.lower() == sku_id
        )

    def assigning_group_ids(self, user: User, sku_id: str) -> list[str]:
        sku_id = sku_id.lower()
        return sorted(
            s.assigned_by_group
            for s in user.license_assignment_states
            if s.assigned_by_group and s.sku_id.lower() == sku_id
        )


def _direct_skus(u: User) -> list[str]:
    via_group = {s.sku_id.lower() for s in u.license_assignment_states if s.assigned_by_group}
    direct_states = {s.sku_id.lower() for s in u.license_assignment_states if not s.assigned_by_group}
    out = []
    for lic in u.assigned_licenses:
        sid = lic.sku_id.lower()
        if sid in direct_states or sid not in via_group:
            out.append(sid)
    return out
