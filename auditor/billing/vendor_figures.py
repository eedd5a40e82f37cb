"""What the distributor's reconciliation (auditor.billing.distributor_seats) and the PSA's three-way table
(auditor.billing.psa_table) reckon alike, each saying it in its own words:

    one(values)                     the one value all of them share, else None
    one_currency(items)             the one currency the items give, else None
    currencies_mixed(items)         whether they give more than one
    products_with(findings, kinds)  how many products the findings of those kinds name
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol, TypeVar

_T = TypeVar("_T")


class _Priced(Protocol):
    """A distributor's subscription or a PSA's billing line, as its currency is read."""

    @property
    def currency(self) -> str | None: ...  # its ISO 4217 code (None: not given)


class _Tagged(Protocol):
    """A finding, as it is counted (its `sku`, where it has one, is read by name)."""

    @property
    def kind(self) -> str: ...


def one(values: Sequence[_T | None]) -> _T | None:
    """The one value all of them share, else None (none given, or two that differ)."""
    return values[0] if values and values[0] is not None and len(set(values)) == 1 else None


def _currencies(items: Iterable[_Priced]) -> set[str]:
    return {x.currency for x in items if x.currency}


def one_currency(items: Iterable[_Priced]) -> str | None:
    """The one currency the items give, else None (none gives one, or they give two)."""
    return one(sorted(_currencies(items)))


def currencies_mixed(items: Iterable[_Priced]) -> bool:
    """Whether the items are in more than one currency (those giving none left apart)."""
    return len(_currencies(items)) > 1


def products_with(findings: Iterable[_Tagged], kinds: Collection[str]) -> int:
    """How many products (their `sku`) the findings of the kinds `kinds` name."""
    return len({getattr(f, "sku", "") for f in findings if f.kind in kinds})
