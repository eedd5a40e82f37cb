"""A population of users as their positions in `snapshot.users` (auditor.policy.index builds them): a sorted
array of positions (Positions), or every position but a few (AllBut), so a population of a million
costs megabytes, not a million-entry set."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import chain, filterfalse, groupby


class Positions:
    """A set of user positions, as a sorted array of 4-byte numbers: a population of a million
    takes 4 MB (a frozenset of them about 60 MB). Membership by bisection, iteration in order;
    `&` and `-` as a frozenset's. Immutable."""

    __slots__ = ("_hash", "items")

    def __init__(self, positions: Iterable[int] = ()) -> None:
        items = positions if isinstance(positions, array) else array("I", sorted(set(positions)))
        self.items: array[int] = items
        self._hash: int | None = None

    @classmethod
    def union(cls, arrays: Iterable[array[int]]) -> Positions:
        """The positions in any of `arrays` (each sorted)."""
        parts = [a for a in arrays if a]
        if len(parts) == 1:
            return cls(parts[0])
        merged = sorted(chain.from_iterable(parts))
        return cls(array("I", (x for x, _ in groupby(merged))))

    def __contains__(self, pos: object) -> bool:
        items = self.items
        if not isinstance(pos, int):
            return False
        i = bisect_left(items, pos)
        return i < len(items) and items[i] == pos

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[int]:
        return iter(self.items)

    def __and__(self, other: Iterable[int]) -> Positions:
        small, large = (self, other) if not isinstance(other, Positions) or len(self) <= len(other) else (other, self)
        test = large.__contains__ if isinstance(large, (Positions, set, frozenset)) else set(large).__contains__
        return Positions(array("I", filter(test, small)))

    def __sub__(self, other: Iterable[int]) -> Positions:
        test = other.__contains__ if isinstance(other, (Positions, set, frozenset)) else set(other).__contains__
        return Positions(array("I", filterfalse(test, self.items)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Positions):
            return self.items == other.items
        if isinstance(other, (set, frozenset)):
            return len(other) == len(self) and all(map(other.__contains__, self.items))
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.items.tobytes())
        return self._hash

    def __repr__(self) -> str:
        return f"Positions({len(self)})"


class AllBut:
    """Every user position except `excluded`: a population of a million without a million-entry set."""

    __slots__ = ("excluded", "size")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AllBut) and (self.size, self.excluded) == (other.size, other.excluded)

    def __hash__(self) -> int:
        return hash((self.size, self.excluded))

    def __init__(self, size: int, excluded: Positions) -> None:
        self.size = size
        self.excluded = excluded  # positions, all below `size`

    def __contains__(self, pos: object) -> bool:
        return isinstance(pos, int) and 0 <= pos < self.size and pos not in self.excluded

    def __len__(self) -> int:
        return self.size - len(self.excluded)

    def __iter__(self) -> Iterator[int]:
        excluded = self.excluded
        return (i for i in range(self.size) if i not in excluded)
