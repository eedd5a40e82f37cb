"""The `--billing FILE` CSV: what Graph does not say about a subscription (its term, billing
channel, renewal setting, seat additions and price).

One row per subscription, a header row naming the columns (any order, case-insensitive; the file
may start with a UTF-8 byte-order mark, as Excel writes it, and may use `;` between columns when
the header does):

    subscription  commerceSubscriptionId or the subscription id (directory/subscriptions)  required
    channel       mca | mosa | csp | ea | vl                                                  required
    term          P1M | P1Y | P3Y                                       empty: not known
    term_start    YYYY-MM-DD: the current term began (purchase or last renewal)
    term_end      YYYY-MM-DD: the current term ends (the renewal or anniversary date)
    auto_renew    true | false (yes/no, 1/0)                             empty: not known
    seats_added   DATE:N;DATE:N: seats added to the current term on DATE
    unit_price    price of one seat per month, a decimal number
    currency      ISO 4217 code (EUR, USD, ...)
    billing_frequency      P1M | P1Y | P3Y: how often the term is billed     empty: not known
    cancel_at_end_of_term  true | false: set to cancel when its term ends    empty: not known
    monthly_term  true | false: the product is sold on a monthly term (its Extended Service Term
                  costs about 3 % over that term's price, else about 23 %)    empty: not known

The file may also be as Excel saves it in the report languages' countries (auditor.common.spreadsheet):
`;` between cells, a comma for decimals, dates day first (DD-MM-YYYY, DD.MM.YYYY), TRUE and FALSE
in the language's words (WAAR/ONWAAR, SAND/FALSK, SANT/FALSKT, DOĞRU/YANLIŞ), in UTF-8 or the
Windows code page. docs/bill.md says where each column comes from. A refused file is one
BillingFileError (exit 2) that lists the bad cells as file:line:column, up to spreadsheet.LIMIT
(then checking stops and the rows left are counted); the column is the field's position in its
row, 1-based. A workbook (.xlsx, .xls) is refused with a word to save it as CSV.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from auditor.common import spreadsheet
from auditor.common.currency import is_currency
from auditor.common.errors import BillingFileError
from auditor.common.numbers import whole_number
from auditor.data.model import Subscription

MAX_BYTES = 16 * 1024 * 1024  # a billing file lists subscriptions, not users: anything larger is a wrong file


class Channel(StrEnum):
    """How the subscription was bought."""

    MCA = "mca"  # new commerce, bought directly (Microsoft Customer Agreement)
    MOSA = "mosa"  # legacy: Microsoft Online Subscription Agreement
    CSP = "csp"  # through a Cloud Solution Provider partner
    EA = "ea"  # Enterprise Agreement
    VL = "vl"  # other Volume Licensing


class Term(StrEnum):
    MONTH = "P1M"
    YEAR = "P1Y"
    THREE_YEARS = "P3Y"


COLUMNS = (
    "subscription",
    "channel",
    "term",
    "term_start",
    "term_end",
    "auto_renew",
    "seats_added",
    "unit_price",
    "currency",
    "billing_frequency",
    "cancel_at_end_of_term",
    "monthly_term",
)
REQUIRED = ("subscription", "channel")


@dataclass(frozen=True, slots=True)
class SeatAddition:
    on: date
    seats: int
    until: date | None = None  # the last day of its window as the API gives it (allowedUntilDateTime)


@dataclass(frozen=True, slots=True)  # slots: a file of a million rows is read whole before it is matched
class BillingRow:
    """One subscription's commerce facts, as the admin gave them (None: the cell was empty)."""

    subscription: str
    channel: Channel
    line: int
    term: Term | None = None
    term_start: date | None = None
    term_end: date | None = None
    auto_renew: bool | None = None
    seats_added: tuple[SeatAddition, ...] = ()
    unit_price: float | None = None
    currency: str | None = None
    billing_frequency: Term | None = None  # P1M: an annual or triennial term billed monthly
    cancel_at_end_of_term: bool | None = None  # set to cancel at the term's end (else auto-renew off = EST)
    cancel_by: date | None = None  # an API's cancellation deadline (cancellationAllowedEndDate/-UntilDate)
    quantity: int | None = None  # an API's seat count
    sources: tuple[tuple[str, str], ...] = ()  # (fact, graph|billing-account|partner-center|file) per fact given
    uncertain: bool = False  # joined to Graph's subscription by product, tenant and quantity, not by id
    api: tuple[tuple[str, str], ...] = ()  # the API that sold it: (("source", ...), ("id", ...), ("scope", ...))
    monthly_term: bool | None = None  # the product is sold on a monthly term (False: EST about 23 % over)

    def source(self, fact: str) -> str | None:
        """Where `fact` came from, when this row gives it."""
        return next((s for f, s in self.sources if f == fact), None)


@dataclass(frozen=True)
class BillingFile:
    path: str
    rows: tuple[BillingRow, ...]
    # rows matched_only() left out (they name no subscription of the tenant), and the first one's line
    left_out: int = 0
    first_left_out: int | None = None

    def row_for(self, subscription: Subscription) -> BillingRow | None:
        """The row naming `subscription` by its commerceSubscriptionId or its id (case-insensitive)."""
        keys = {k.lower() for k in (subscription.commerce_subscription_id, subscription.id) if k}
        return next((r for r in self.rows if r.subscription.lower() in keys), None)

    def unmatched(self, subscriptions: Iterable[Subscription]) -> list[BillingRow]:
        """Rows that name none of `subscriptions` (a typo, or another tenant's file)."""
        known = {k.lower() for s in subscriptions for k in (s.commerce_subscription_id, s.id) if k}
        return [r for r in self.rows if r.subscription.lower() not in known]

    def matched_only(self, subscriptions: Iterable[Subscription]) -> BillingFile:
        """The rows that name one of `subscriptions`; the others are only counted (`left_out`, the
        first one's line). A row naming no subscription of the tenant is never used, and keeping it
        would carry other tenants' subscription ids (an MSP's shared file) into this one's report."""
        gone = self.unmatched(subscriptions)
        if not gone:
            return self
        out = {id(r) for r in gone}
        lines = [r.line for r in gone] + ([self.first_left_out] if self.first_left_out is not None else [])
        return BillingFile(
            self.path,
            tuple(r for r in self.rows if id(r) not in out),
            self.left_out + len(gone),
            min(lines),
        )


def read_billing(path: str | Path) -> BillingFile:
    """Read and check a billing CSV; BillingFileError (exit 2) names the first bad cell."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BillingFileError(name, 0, 0, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise BillingFileError(name, 0, 0, f"larger than {MAX_BYTES} bytes: not a billing file")
    if spreadsheet.workbook(raw):
        raise BillingFileError(name, 0, 0, spreadsheet.SAVE_AS_CSV)
    return parse_billing(spreadsheet.decode(raw), name)


def parse_billing(text: str, name: str = "<billing>") -> BillingFile:
    """The rows of a billing CSV given as text (read_billing without the file)."""
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spreadsheet.separator(first), strict=True)
    header: list[str] | None = None
    rows: list[BillingRow] = []
    # every bad row up to spreadsheet.LIMIT, so that one run shows what there is to fix
    problems = spreadsheet.Problems(name)
    seen: dict[str, int] = {}
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record) or record[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = _header(record, name, start)
                continue
            if problems.full:
                problems.count_rest(itertools.chain((record,), reader))
                break
            try:
                row = _row(dict(zip(header, record, strict=False)), header, len(record), name, start)
            except BillingFileError as exc:
                problems.add(exc.line, exc.column, exc.reason)
                continue
            key = row.subscription.lower()
            if key in seen:
                problems.add(
                    start,
                    header.index("subscription") + 1,
                    f"subscription {row.subscription!r} is listed twice (first on line {seen[key]})",
                )
                continue
            seen[key] = start
            rows.append(row)
    except csv.Error as exc:
        problems.add(line, 0, f"not a readable CSV row: {exc}")
    if header is None and not problems.found:
        raise BillingFileError(name, 1, 0, f"no header row (columns: {', '.join(COLUMNS)})")
    if len(problems.found) == 1:
        raise BillingFileError(name, *problems.found[0])
    message = problems.text()
    if message is not None:
        raise BillingFileError(name, 0, 0, message.removeprefix(f"{name}: "))
    return BillingFile(name, tuple(rows))


def _header(record: Sequence[str], name: str, line: int) -> list[str]:
    header = [cell.strip().lower() for cell in record]
    for column, cell in enumerate(header, 1):
        if cell not in COLUMNS:
            raise BillingFileError(name, line, column, f"unknown column {cell!r} (columns: {', '.join(COLUMNS)})")
        if header.index(cell) != column - 1:
            raise BillingFileError(name, line, column, f"column {cell!r} appears twice")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BillingFileError(name, line, 0, f"the header lacks the column {missing[0]!r}")
    return header


def _row(cells: dict[str, str], header: list[str], width: int, name: str, line: int) -> BillingRow:
    if width > len(header):
        raise BillingFileError(
            name, line, len(header) + 1, f"{width} cells, but the header names {len(header)} columns"
        )

    def fail(column: str, message: str) -> BillingFileError:
        return BillingFileError(name, line, header.index(column) + 1, f"{column}: {message}")

    def cell(column: str) -> str:
        return cells.get(column, "").strip()

    subscription = cell("subscription")
    if not subscription:
        raise fail("subscription", "empty (give the commerceSubscriptionId or the subscription id)")
    try:
        channel = Channel(cell("channel").lower())
    except ValueError:
        raise fail("channel", f"{cell('channel')!r} is not one of {', '.join(c.value for c in Channel)}") from None
    term = _term(cell("term"), lambda m: fail("term", m))
    start = _date(cell("term_start"), lambda m: fail("term_start", m))
    end = _date(cell("term_end"), lambda m: fail("term_end", m))
    if start and end and end <= start:
        raise fail("term_end", f"{end.isoformat()} is not after term_start {start.isoformat()}")
    renew = _flag(cell("auto_renew"), lambda m: fail("auto_renew", m))
    price = _price(cell("unit_price"), lambda m: fail("unit_price", m))
    currency = cell("currency").upper() or None
    if currency and not is_currency(currency):
        raise fail("currency", f"{cell('currency')!r} is not a three-letter ISO 4217 code")
    frequency = _term(cell("billing_frequency"), lambda m: fail("billing_frequency", m))
    cancel_end = _flag(cell("cancel_at_end_of_term"), lambda m: fail("cancel_at_end_of_term", m))
    additions = _additions(cell("seats_added"), lambda m: fail("seats_added", m))
    monthly_term = _flag(cell("monthly_term"), lambda m: fail("monthly_term", m))
    given = {
        "channel": True,
        "term": term,
        "term_start": start,
        "renewal": end,
        "auto_renew": renew,
        "seats_added": additions,
        "price": price,
        "billing_frequency": frequency,
        "cancel_at_end_of_term": cancel_end,
        "monthly_term": monthly_term,
    }
    sources = tuple((fact, "file") for fact, value in given.items() if value is not None and value != ())
    return BillingRow(
        subscription,
        channel,
        line,
        term,
        start,
        end,
        renew,
        additions,
        price,
        currency,
        frequency,
        cancel_end,
        sources=sources,
        monthly_term=monthly_term,
    )


Fail = Callable[[str], BillingFileError]


def _term(text: str, fail: Fail) -> Term | None:
    if not text:
        return None
    try:
        return Term(text.upper())
    except ValueError:
        raise fail(f"{text!r} is not one of {', '.join(t.value for t in Term)}") from None


def _flag(text: str, fail: Fail) -> bool | None:
    if not text:
        return None
    try:
        return spreadsheet.flag(text)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _price(text: str, fail: Fail) -> float | None:
    if not text:
        return None
    try:
        return spreadsheet.decimal(text)
    except ValueError:
        raise fail(f"{text!r} is not a price (digits, a dot or a comma for decimals)") from None


def _iso_date(text: str) -> date | None:
    """A date as spreadsheet.day reads it, or None."""
    try:
        return spreadsheet.day(text)
    except ValueError:
        return None


def _date(text: str, fail: Fail) -> date | None:
    if not text:
        return None
    try:
        return spreadsheet.day(text)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _additions(text: str, fail: Fail) -> tuple[SeatAddition, ...]:
    out: list[SeatAddition] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        when, _, count = part.partition(":")
        if (on := _iso_date(when.strip())) is None:
            raise fail(f"{part!r}: {when.strip()!r} is not a date (DATE:N;DATE:N, DATE as YYYY-MM-DD)")
        if (seats := whole_number(count)) is None or seats < 1:
            raise fail(f"{part!r}: {count.strip()!r} is not a number of seats (1 or more)")
        out.append(SeatAddition(on, seats))
    return tuple(sorted(out, key=lambda a: a.on))
