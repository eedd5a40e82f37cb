"""Whole numbers read from text a person or a service wrote: ASCII digits only.

`str.isdigit` also accepts superscripts and other digit characters that `int()` refuses ("²"), so a
check with it lets a crash through; read numbers with `whole_number` instead.
"""

from __future__ import annotations

import re
from typing import TypeGuard

_DIGITS = re.compile(r"[0-9]+")


def whole_number(text: str) -> int | None:
    """The number `text` spells in ASCII digits (surrounding blanks allowed), else None."""
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def is_int(value: object) -> TypeGuard[int]:
    """A whole number as JSON gives one: an int, never a bool (which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def english_count(n: int, one: str, other: str) -> str:
    """A count in an English console message ("1 tenant", "3 tenants"): the CLI's messages on stderr are
    English, so they take English's two forms here rather than a glued "tenant(s)" (native review 7, E13).
    It lives here, not in auditor.i18n, so the command line can say it without loading the catalogs."""
    return f"{n:,} {one if n == 1 else other}"


def english_plural(n: int, one: str) -> str:
    """english_count of a word whose plural takes an s ("1 request", "12 requests")."""
    return english_count(n, one, f"{one}s")
