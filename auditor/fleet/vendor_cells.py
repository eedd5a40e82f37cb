"""What the roll-up's cells of the MSP's systems share (auditor.fleet.distributor_cells, psa_cells,
invoice_cells): a tenant's file of the run read back into its section's record, and an amount as a cell
shows it."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import msgspec

from auditor.common import shapes
from auditor.data.model import Locale

from ..i18n import format_money

_Section = TypeVar("_Section")


def read_back(folder: Path, name: str, shape: type[_Section]) -> _Section | None:
    """The tenant's file `name` of the run (distributor.json, psa.json, invoice.json) as its record; None
    without one, or with one this version does not write (no figures)."""
    try:
        return shapes.decode((folder / name).read_bytes(), shape)
    except (OSError, msgspec.DecodeError):
        return None


def money(value: object, currency: object, locale: Locale, *, priced_in: bool = True) -> str:
    """An amount in its currency, "–" when none is given (or, with `priced_in`, when no currency is named;
    without, an amount in no named currency is shown as a plain one)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–"
    named = currency if isinstance(currency, str) and currency else None
    if named is None and priced_in:
        return "–"
    return format_money(value, named, locale)
