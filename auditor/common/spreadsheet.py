"""Cells of a CSV file as a spreadsheet program writes it in the report languages' countries.

Excel saves "CSV" in the separator, decimal mark, date order, TRUE/FALSE words and code page of the
computer's regional settings. In the Netherlands, Denmark, Sweden and Turkey that is a `;` between
cells, a comma for decimals, the day first (dd-mm-yyyy, dd.mm.yyyy) and the language's own words
for TRUE and FALSE; "CSV UTF-8" starts with a byte-order mark, plain "CSV" is the Windows code page
(1252 in Western Europe, 1254 in Turkey). The billing and moves files accept all of these besides
the ISO forms their docs show.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator
from datetime import date

# Excel's TRUE and FALSE in English, Dutch, Danish, Swedish and Turkish, and the words people type
TRUE_WORDS = frozenset(("true", "yes", "1", "on", "waar", "ja", "sand", "sant", "doğru", "evet"))
FALSE_WORDS = frozenset(("false", "no", "0", "off", "onwaar", "nee", "falsk", "falskt", "nej", "yanliş", "hayir"))
# the letters that show a Turkish file (code page 1254) read as Western (1252): Ğ ğ İ ı Ş ş
_CP1254_SIGNS = re.compile("[ÐðÝýÞþ]")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_FIRST = re.compile(r"(\d{1,2})([-.])(\d{1,2})\2(\d{4})")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DECIMAL = re.compile(r"\d{1,9}([.,]\d{1,6})?")
# a zip archive (an .xlsx, .xlsm or .ods workbook) or an OLE compound file (an .xls workbook)
_WORKBOOK_SIGNS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
LIMIT = 50  # problems listed from one file: enough to see what is wrong; a file of bad rows stops there


def workbook(raw: bytes) -> bool:
    """The bytes are a spreadsheet workbook (.xlsx, .xls, .ods), not a CSV file."""
    return raw.startswith(_WORKBOOK_SIGNS)


SAVE_AS_CSV = "is a spreadsheet workbook, not a CSV file: save it as CSV (UTF-8 or the Excel CSV of your language)"


def where(name: str, line: int, column: int) -> str:
    """`file:line:column`, `file:line` when not one cell, `file` when not one line."""
    return f"{name}:{line}:{column}" if column else f"{name}:{line}" if line else name


class Problems:
    """The bad cells of one input file, each kept as (line, column, message) text (never an exception
    and its traceback), the first LIMIT of them; more are only counted. A reader stops checking once
    `full` and counts the rows it leaves unchecked (`count_rest`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[int, int, str]] = []
        self.more = 0  # problems beyond LIMIT, counted only
        self.unchecked = 0  # rows left unchecked once full

    @property
    def full(self) -> bool:
        return len(self.found) >= LIMIT

    def add(self, line: int, column: int, message: str) -> None:
        if self.full:
            self.more += 1
        else:
            self.found.append((line, column, message))

    def count_rest(self, rows: Iterator[list[str]]) -> None:
        """Count the rows left unchecked once `full` (blank rows not counted)."""
        with contextlib.suppress(csv.Error):  # an unreadable row: the count stops there
            for row in rows:
                self.unchecked += any(cell.strip() for cell in row)

    def text(self) -> str | None:
        """The message naming every kept problem (one: that problem alone), or None when there is none."""
        if not self.found:
            return None
        lines = [f"{where(self.name, line, column)}: {message}" for line, column, message in self.found]
        if len(lines) == 1:
            return lines[0]
        head = f"{self.name}: {len(lines) + self.more} problems, nothing read"
        if self.more:
            head += f" (the first {LIMIT} listed)"
        if self.unchecked:
            rest = "1 more row was" if self.unchecked == 1 else f"{self.unchecked} more rows were"
            head += f"; checking stopped at {LIMIT} problems, {rest} not checked"
        return head + ":\n" + "\n".join(f"  {line}" for line in lines)


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252, or 1254 when
    the text shows Turkish letters."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    western = raw.decode("cp1252", errors="replace")
    return raw.decode("cp1254", errors="replace") if _CP1254_SIGNS.search(western) else western


def separator(header_line: str) -> str:
    """`;` when the header row uses it and no comma (Excel in countries with a decimal comma), else `,`."""
    return ";" if ";" in header_line and "," not in header_line else ","


def _word(text: str) -> str:
    return text.strip().casefold().replace("ı", "i")  # Turkish dotless i: YANLIŞ -> yanliş


def flag(text: str) -> bool:
    """TRUE or FALSE in any of the report languages; ValueError otherwise."""
    word = _word(text)
    if word in {_word(w) for w in TRUE_WORDS}:
        return True
    if word in {_word(w) for w in FALSE_WORDS}:
        return False
    raise ValueError(f"{text!r} is not true or false")


def decimal(text: str) -> float:
    """A number with a dot or a comma for decimals (no thousands separator); ValueError otherwise."""
    if not _DECIMAL.fullmatch(text.strip()):
        raise ValueError(f"{text!r} is not a number (digits, a dot or a comma for decimals)")
    return float(text.strip().replace(",", "."))


def day(text: str) -> date:
    """YYYY-MM-DD, or the day first (dd-mm-yyyy, dd.mm.yyyy); dd/mm/yyyy only when the day cannot
    be the month (13 or more), since Excel in the United States writes mm/dd/yyyy. ValueError otherwise."""
    text = text.strip()
    try:
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
        if m := _DAY_FIRST.fullmatch(text):
            return date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
        if m := _SLASHED.fullmatch(text):
            first, second, year = (int(g) for g in m.groups())
            if first > 12 >= second:
                return date(year, second, first)
            if second > 12 >= first:
                return date(year, first, second)
            raise ValueError(f"{text!r} could be day/month or month/day: write it as YYYY-MM-DD")
    except ValueError as exc:
        if "could be" in str(exc):
            raise
        raise ValueError(f"{text!r} is not a date") from None
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or DD-MM-YYYY)")
