"""A Halo invoice's currency as Halo gives it: `currency` is the currency's symbol ("€", "$"), beside an
integer `currency_code` that is an id of the instance's own currency list, not an ISO 4217 code (the
HaloPSA API reference's Invoice: "currency | string | Currency symbol"; redanthrax/halopsa-node
docs/invoices.md: "The currency symbol (default: "$")", "The currency code ID (default: 1)"; docs/msp.md,
"HaloPSA").

    read_currency(given, configured)    the ISO 4217 code the symbol `given` stands for; a symbol several
                                        currencies write ("$", "kr", "¥") is the instance's configured
                                        one (HALO_CURRENCY) when that is one of them, else Ambiguous

A code written as the symbol (an instance whose symbol is "EUR") is read as itself. Which currency a
symbol several currencies share means is never guessed from the symbol alone: the line carries the codes
it may be (PsaLine.currency_choices), and the three-way table reads it as the distributor's one currency
when that is among them, else the line's money is a named gap (its seats are still compared).
"""

from __future__ import annotations

from auditor.common.currency import is_currency

# a symbol one currency alone writes
ONE: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₺": "TRY",
    "₽": "RUB",
    "₪": "ILS",
    "₩": "KRW",
    "₱": "PHP",
    "฿": "THB",
    "₫": "VND",
    "₦": "NGN",
    "zł": "PLN",
    "Kč": "CZK",
    "Ft": "HUF",
    "R$": "BRL",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "US$": "USD",
    "HK$": "HKD",
    "S$": "SGD",
    "R": "ZAR",
}
# a symbol several currencies write: which one is the instance's own (its configured currency)
SHARED: dict[str, tuple[str, ...]] = {
    "$": ("USD", "AUD", "CAD", "NZD", "SGD", "HKD", "MXN"),
    "kr": ("DKK", "SEK", "NOK", "ISK"),
    "kr.": ("DKK", "ISK"),
    "¥": ("JPY", "CNY"),
    "Fr.": ("CHF",),
    "CHF": ("CHF",),
}


class Ambiguous(ValueError):
    """A symbol several currencies write, with no configured currency among them: `choices`."""

    def __init__(self, symbol: str, choices: tuple[str, ...]) -> None:
        super().__init__(symbol)
        self.symbol, self.choices = symbol, choices


def read_currency(given: str, configured: str = "") -> str | None:
    """The ISO 4217 code of Halo's `currency` (its symbol, stripped); None for a text that is no
    currency's symbol; Ambiguous for a symbol several currencies write and `configured` is none of."""
    symbol = given.strip()
    if is_currency(symbol):
        return symbol
    if symbol in ONE:
        return ONE[symbol]
    choices = SHARED.get(symbol)
    if choices is None:
        return None
    if len(choices) == 1:
        return choices[0]
    if configured in choices:
        return configured
    raise Ambiguous(symbol, choices)
