"""One ISO 4217 check for every reader of money (issue 106): the billing file, an invoice's lines, a
vendor's answers and the history's records each said it with a regex of their own, two of them with
`$`, which lets a line break after the code through."""

from __future__ import annotations

import pytest

from auditor.common.currency import is_currency


@pytest.mark.parametrize("value", ["EUR", "USD", "GBP"])
def test_three_capitals_are_a_currency(value: str) -> None:
    assert is_currency(value)


@pytest.mark.parametrize("value", ["eur", "EURO", "EU", "", "USD\n", " USD", "ÉUR", None, 978, b"EUR", ["EUR"]])
def test_anything_else_is_none(value: object) -> None:
    assert not is_currency(value)
