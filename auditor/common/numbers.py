"""Whole numbers read from text a person or a service wrote: ASCII digits only.

`str.isdigit` also accepts superscripts and other digit characters that `int()` refuses ("²"), so a
check with it lets a crash through; read numbers with `whole_number` instead.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str) -> int | None:
    """The number `text` spells in ASCII digits (surrounding blanks allowed), else None."""
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None
