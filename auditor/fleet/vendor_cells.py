"""What the roll-up's cells of the MSP's systems share (auditor.fleet.distributor_cells, psa_cells,
invoice_cells): a tenant's file of the run read back into its section's record (and summed up for
tenants.json), a cell's frame ("–" without the system, "not read" when it could not be read, the count of
products billed otherwise first) and an amount as a cell shows it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import msgspec

from auditor.common import shapes
from auditor.data.model import Locale

from ..i18n import format_money, format_number

_Section = TypeVar("_Section")
_Figures = TypeVar("_Figures")
_Found = TypeVar("_Found", bound=Mapping[str, object])

ERROR_SHOWN = 300  # characters of a reading's error in tenants.json (the tenant's file holds it whole)


def read_back(folder: Path, name: str, shape: type[_Section]) -> _Section | None:
    """The tenant's file `name` of the run (distributor.json, psa.json, invoice.json) as its record; None
    without one, or with one this version does not write (no figures)."""
    try:
        return shapes.decode((folder / name).read_bytes(), shape)
    except (OSError, msgspec.DecodeError):
        return None


def figures(folder: Path, name: str, shape: type[_Section], summed: Callable[[_Section], _Figures]) -> _Figures | None:
    """The tenant's file `name` of the run read back (`read_back`) and `summed` up as tenants.json holds
    it (its module's `rollup_figures`); None without one."""
    doc = read_back(folder, name, shape)
    return summed(doc) if doc is not None else None


def cell(found: _Found | None, unread: str, said: Callable[[_Found], str]) -> str:
    """A tenant's cell of one of the MSP's systems from its figures in tenants.json: "–" without the
    system, `unread` ("not read", in the system's words) when it could not be read, else what `said`
    makes of them."""
    if not isinstance(found, Mapping):
        return "–"
    if found.get("error"):
        return unread
    return said(found)


def counted(differences: int | None, locale: Locale, *said: str) -> str:
    """The count of products the system bills otherwise (its figures' `differences`), then what else the
    cell says, " · " between."""
    return " · ".join([format_number(int(differences or 0), locale), *said])


def money(value: object, currency: object, locale: Locale, *, priced_in: bool = True) -> str:
    """An amount in its currency, "–" when none is given (or, with `priced_in`, when no currency is named;
    without, an amount in no named currency is shown as a plain one)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–"
    named = currency if isinstance(currency, str) and currency else None
    if named is None and priced_in:
        return "–"
    return format_money(value, named, locale)
