"""A currency as the program reads one beside a figure of money: an ISO 4217 code, three capital
letters (EUR, USD), written exactly so (no blank, no line break). One check for every reader of money
(the billing file's column, an invoice's line, a vendor's answer, the history's records); each says
its own message when it refuses a value.

    is_currency(value)     True for such a code (a str), else False
"""

from __future__ import annotations

import re
from typing import TypeGuard

_CODE = re.compile(r"[A-Z]{3}")


def is_currency(value: object) -> TypeGuard[str]:
    """`value` is an ISO 4217 code: a text of exactly three capital letters A-Z."""
    return isinstance(value, str) and _CODE.fullmatch(value) is not None
