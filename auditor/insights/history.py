"""The history file: one compact JSON record per audit, one per line (JSON Lines), appended by
`audit --history FILE` and printed by `license-auditor history FILE`.

A record (`schema` 1):

    {"schema": 1, "generated_at": "2026-11-01T06:00:00Z", "as_of": "...", "tenant": "<tenant id>",
     "complete": true,
     "findings": {"open": 31, "waived": 2,
                  "by_severity": {"critical": 0, "high": 9, "medium": 14, "low": 8},
                  "by_rule": {"disabled-user-licensed": {"high": 4}, ...}},
     "currency": "EUR", "unused_monthly_cost": 506.25, "reclaimable_monthly_cost": 120.5,
     "products": {"SPE_E3": {"usable": 200, "assigned": 185, "unused_monthly_cost": 506.25}, ...},
     "seats": 185, "spend_monthly": 8333.5}

`copilot_seats` (each judged Copilot seat: its holder, last use, and whether it was idle; written since
it was added, when a policy judges Copilot seats: auditor.insights.copilot_points) feeds each seat's
history (auditor.insights.copilot_history).

`seats` (the paid licenses in use: consumed seats of the products that are not free) and
`spend_monthly` (report.json's money.spend_monthly) are written by runs since they were added, and
are absent from older records; the roll-up of `audit --tenants` compares them with last month's.

A malformed line (not JSON, not an object, a field of the wrong type, a number the audit cannot
compute with: NaN, Infinity, a count above MAX_COUNT, an amount above MAX_AMOUNT) is reported with
its line number and skipped: it never stops an audit. At most MAX_NAMED such lines are named, then
their count. Records of another tenant are left out of that tenant's trends.
"""

from __future__ import annotations

import errno
import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NotRequired, TypedDict

import msgspec
from msgspec import UNSET

from auditor.common.currency import is_currency
from auditor.common.errors import UsageError
from auditor.common.timestamps import parse_timestamp
from auditor.formats.report_model import Amount, ReportDocument
from auditor.reference import product_names

from .copilot_points import BadPoint, SeatPoint, parse_points, points_of

SCHEMA = 1
SEVERITIES = ("critical", "high", "medium", "low")
MAX_LINE = 1_000_000  # bytes: a longer line is not a record this program wrote
MAX_FILE = 256_000_000  # bytes read at most (about a century of nightly records for 500 products)
# Far above any tenant's seats, findings or monthly spend, and small enough that sums, averages and
# money formatting stay exact: a larger number is not one this program wrote.
MAX_COUNT = 1_000_000_000
MAX_AMOUNT = 1_000_000_000_000.0
MAX_NAMED = 20  # malformed lines named one by one; the rest are counted in one line


class ProductJson(TypedDict):
    usable: int
    assigned: int
    unused_monthly_cost: float | None
    free: NotRequired[bool]


class FindingsJson(TypedDict):
    open: int
    waived: int
    by_severity: dict[str, int]
    by_rule: dict[str, dict[str, int]]


class RecordJson(TypedDict):
    """One line of history.jsonl (`seats` and `spend_monthly` only when known)."""

    schema: int
    generated_at: str
    as_of: str
    tenant: str
    complete: bool
    findings: FindingsJson
    currency: str | None
    unused_monthly_cost: float | None
    reclaimable_monthly_cost: float | None
    products: dict[str, ProductJson]
    seats: NotRequired[int]
    spend_monthly: NotRequired[float]
    copilot_seats: NotRequired[list[SeatPoint]]  # encoded by msgspec as the line is written (append_record)


@dataclass(frozen=True)
class ProductPoint:
    usable: int
    assigned: int
    unused_monthly_cost: float | None = None
    free: bool = False  # a free product (Power Automate Free: 10,000 seats): not in the seat totals

    def to_json(self) -> ProductJson:
        out: ProductJson = {
            "usable": self.usable,
            "assigned": self.assigned,
            "unused_monthly_cost": self.unused_monthly_cost,
        }
        if self.free:
            out["free"] = True
        return out


@dataclass(frozen=True)
class Record:
    generated_at: str
    as_of: str
    tenant: str
    complete: bool
    open: int
    waived: int
    by_severity: dict[str, int]
    by_rule: dict[str, dict[str, int]]
    currency: str | None
    unused_monthly_cost: float | None
    reclaimable_monthly_cost: float | None
    products: dict[str, ProductPoint] = field(default_factory=dict)
    line: int = 0
    seats: int | None = None  # paid licenses in use (absent from records written before it was added)
    spend_monthly: float | None = None  # money.spend_monthly: the paid seats at the policy's prices
    copilot_seats: tuple[SeatPoint, ...] | None = None  # the judged Copilot seats (None: not recorded)

    def to_json(self) -> RecordJson:
        out: RecordJson = {
            "schema": SCHEMA,
            "generated_at": self.generated_at,
            "as_of": self.as_of,
            "tenant": self.tenant,
            "complete": self.complete,
            "findings": {
                "open": self.open,
                "waived": self.waived,
                "by_severity": dict(self.by_severity),
                "by_rule": {r: dict(s) for r, s in self.by_rule.items()},
            },
            "currency": self.currency,
            "unused_monthly_cost": self.unused_monthly_cost,
            "reclaimable_monthly_cost": self.reclaimable_monthly_cost,
            "products": {sku: p.to_json() for sku, p in self.products.items()},
        }
        if self.seats is not None:
            out["seats"] = self.seats
        if self.spend_monthly is not None:
            out["spend_monthly"] = self.spend_monthly
        if self.copilot_seats is not None:
            out["copilot_seats"] = list(self.copilot_seats)
        return out


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def text(self, path: Path | str) -> str:
        return f"{path}:{self.line}: {self.message}; line skipped"


# --- from a report document -----------------------------------------------------------------


def _amount(cost: Amount | None) -> float | None:
    return round(cost.amount, 2) if cost is not None else None


def record_of(document: ReportDocument) -> Record:
    """The history record of a report document (report.json)."""
    summary = document.summary
    by_rule: dict[str, Counter[str]] = {}
    for f in document.findings:
        if not f.waived:
            by_rule.setdefault(f.rule, Counter())[f.severity] += 1
    unused = summary.unused_monthly_cost
    products: dict[str, ProductPoint] = {}
    for row in document.skus:
        if not row.sku:
            continue
        cost = row.unused_monthly_cost
        products[row.sku] = ProductPoint(
            row.enabled + row.warning,
            row.consumed,
            round(float(cost), 2) if cost is not None else None,
            free=row.free is True,
        )
    money = document.money if document.money is not UNSET else None
    spend = money.spend_monthly if money is not None else None
    return Record(
        generated_at="" if document.generated_at is UNSET else str(document.generated_at),
        as_of="" if document.as_of is UNSET else str(document.as_of),
        tenant=document.tenant.id,
        complete=document.complete,
        open=summary.unwaived,
        waived=summary.waived,
        by_severity={s: summary.by_severity.get(s, 0) for s in SEVERITIES},
        by_rule={r: dict(sorted(c.items())) for r, c in sorted(by_rule.items())},
        currency=unused.currency if unused is not None else None,
        unused_monthly_cost=_amount(unused),
        reclaimable_monthly_cost=_amount(summary.reclaimable_monthly_cost),
        products=products,
        seats=sum(row.consumed for row in document.skus if not row.free),
        spend_monthly=round(spend, 2) if spend is not None else None,
        copilot_seats=points_of(document) if isinstance(document.copilot_seats, list) else None,
    )


# --- reading ----------------------------------------------------------------------------------


class _Bad(Exception):
    pass


def _time(value: object, name: str) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise _Bad(f"{name} is not an ISO-8601 date-time")
    try:
        parse_timestamp(value)
    except ValueError:
        raise _Bad(f"{name} {value[:40]!r} is not an ISO-8601 date-time") from None
    try:  # the records are sorted by time: one without a zone cannot be placed
        parse_timestamp(value, require_zone=True)
    except ValueError:
        raise _Bad(f"{name} {value[:40]!r} has no time zone (the audit writes UTC, ending in Z)") from None
    return value


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Bad(f"{name} is not a whole number")
    if value > MAX_COUNT:
        raise _Bad(f"{name} is larger than {MAX_COUNT:,}")
    return value


def _money(value: object, name: str) -> float | None:
    if value is None:
        return None
    # NaN and Infinity: Python's JSON reader accepts them, and no sum or chart can use them
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise _Bad(f"{name} is not an amount")
    if not 0 <= value <= MAX_AMOUNT:
        raise _Bad(f"{name} is not an amount from 0 to {MAX_AMOUNT:,.0f}")
    return float(value)


def _object(value: object, name: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise _Bad(f"{name} is not an object")
    return value


def parse_record(doc: object, line: int = 0) -> Record:
    """A record from one parsed line; _Bad names the first field that is wrong."""
    doc = _object(doc, "the line")
    if doc.get("schema") != SCHEMA:
        raise _Bad(f"schema {str(doc.get('schema'))[:20]!r} is not {SCHEMA}")
    findings = _object(doc.get("findings"), "findings")
    by_sev = _object(findings.get("by_severity"), "findings.by_severity")
    by_rule: dict[str, dict[str, int]] = {}
    for rule, counts in _object(findings.get("by_rule", {}), "findings.by_rule").items():
        by_rule[str(rule)] = {
            str(s): _count(n, f"findings.by_rule.{rule}.{s}")
            for s, n in _object(counts, f"findings.by_rule.{rule}").items()
        }
    products: dict[str, ProductPoint] = {}
    for sku, point in _object(doc.get("products", {}), "products").items():
        point = _object(point, f"products.{sku}")
        where = f"products.{sku}"
        products[str(sku)] = ProductPoint(
            _count(point.get("usable"), f"{where}.usable"),
            _count(point.get("assigned"), f"{where}.assigned"),
            _money(point.get("unused_monthly_cost"), f"{where}.unused_monthly_cost"),
            free=point.get("free") is True,
        )
    currency = doc.get("currency")
    if currency is not None and not is_currency(currency):
        raise _Bad("currency is not a three-letter currency code")
    tenant = doc.get("tenant")
    if not isinstance(tenant, str):
        raise _Bad("tenant is not text")
    complete = doc.get("complete")
    if not isinstance(complete, bool):
        raise _Bad("complete is not true or false")
    return Record(
        generated_at=_time(doc.get("generated_at"), "generated_at"),
        as_of=_time(doc.get("as_of"), "as_of"),
        tenant=tenant,
        complete=complete,
        open=_count(findings.get("open"), "findings.open"),
        waived=_count(findings.get("waived", 0), "findings.waived"),
        by_severity={s: _count(by_sev.get(s, 0), f"findings.by_severity.{s}") for s in SEVERITIES},
        by_rule=by_rule,
        currency=currency,
        unused_monthly_cost=_money(doc.get("unused_monthly_cost"), "unused_monthly_cost"),
        reclaimable_monthly_cost=_money(doc.get("reclaimable_monthly_cost"), "reclaimable_monthly_cost"),
        products=products,
        line=line,
        seats=_count(doc["seats"], "seats") if doc.get("seats") is not None else None,
        spend_monthly=_money(doc["spend_monthly"], "spend_monthly") if doc.get("spend_monthly") is not None else None,
        copilot_seats=_points(doc.get("copilot_seats")),
    )


def _points(value: object) -> tuple[SeatPoint, ...] | None:
    if value is None:
        return None
    try:
        return parse_points(value)
    except BadPoint as exc:
        raise _Bad(str(exc)) from None


def parse_lines(lines: Iterable[bytes]) -> tuple[list[Record], list[Problem]]:
    """The records of a history file's lines (numbered from 1) and the problems of the others."""
    records: list[Record] = []
    problems: list[Problem] = []
    for n, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        if len(text) > MAX_LINE:
            problems.append(Problem(n, f"{len(text):,} bytes is longer than a history record can be"))
            continue
        try:
            doc = json.loads(text)
        except UnicodeDecodeError:
            problems.append(Problem(n, "not UTF-8"))
            continue
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            problems.append(Problem(n, f"not JSON ({getattr(exc, 'msg', type(exc).__name__)})"))
            continue
        try:
            records.append(parse_record(doc, n))
        except _Bad as exc:
            problems.append(Problem(n, str(exc)))
    return records, problems


def read_history(path: Path) -> tuple[list[Record], list[Problem]]:
    """Every record of the file in time order, and the problems of the lines skipped. A missing
    file is an empty history; one that cannot be read is a UsageError naming it."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except FileNotFoundError:
        return [], []
    except IsADirectoryError:
        raise UsageError(f"--history: {path} is a directory, not a history file") from None
    except OSError as exc:
        raise UsageError(f"--history: cannot read {path}: {exc.strerror or exc}") from None
    problems: list[Problem] = []
    if len(data) > MAX_FILE:
        data = data[: data.rfind(b"\n", 0, MAX_FILE) + 1]
        problems.append(
            Problem(
                data.count(b"\n") + 1,
                f"the file is larger than {MAX_FILE // 1_000_000} MB; the records after this line were not read",
            )
        )
    records, bad = parse_lines(data.split(b"\n"))
    records.sort(key=lambda r: (_sort_time(r.generated_at), r.line))
    return records, problems + bad  # the file's own problem first: it is never left to the count


def problem_lines(problems: Iterable[Problem], path: Path | str) -> list[str]:
    """One line per skipped line, the first MAX_NAMED of them, then one line counting the rest: a
    history with thousands of damaged lines must not flood the log or the report's warnings."""
    problems = list(problems)
    lines = [p.text(path) for p in problems[:MAX_NAMED]]
    rest = len(problems) - MAX_NAMED
    if rest > 0:
        lines.append(f"{rest:,} more malformed lines of {path} skipped")
    return lines


def _sort_time(text: str) -> datetime:
    return parse_timestamp(text)


def of_tenant(records: Iterable[Record], tenant: str) -> list[Record]:
    """The records of one tenant (ids compare without case); all when `tenant` is empty."""
    key = tenant.lower()
    return [r for r in records if not key or not r.tenant or r.tenant.lower() == key]


# --- appending --------------------------------------------------------------------------------


_APPEND = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def check_appendable(path: Path) -> None:
    """UsageError, as append_record would raise it, when a record could not be appended to the
    file: called before collecting, so a path that cannot take the record fails in a second, not
    after a long collection and the reports. The file is opened for appending, nothing written;
    a missing one is created and removed again (the only sure test, whoever runs the audit)."""
    try:
        try:
            fd = os.open(path, _APPEND)
        except FileNotFoundError:
            fd = os.open(path, _APPEND | os.O_CREAT | os.O_EXCL, 0o666)
            os.unlink(path)
        os.close(fd)
    except OSError as exc:
        raise UsageError(f"--history: cannot append to {path}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:  # O_NOFOLLOW's answer: "Too many levels of symbolic links" misleads
        return "it is a symbolic link (give the file itself)"
    return exc.strerror or str(exc)


def record_line(record: Record) -> bytes:
    """The record as one line of history.jsonl, its newline included (its Structs encoded by msgspec)."""
    doc = record.to_json()
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=msgspec.to_builtins).encode() + b"\n"


def append_record(path: Path, record: Record) -> None:
    """Append one line to the file (created if missing) in a single write. A file whose last line
    lacks its newline (a write cut short) gets one first, so the new record stands on its own line.
    A symbolic link at `path` is refused rather than written through."""
    line = record_line(record)
    try:
        fd = os.open(path, _APPEND | os.O_CREAT, 0o666)
    except OSError as exc:
        raise UsageError(f"--history: cannot append to {path}: {_reason(exc)}") from None
    try:
        size = os.fstat(fd).st_size
        if size:
            with path.open("rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    line = b"\n" + line
        os.write(fd, line)
    except OSError as exc:
        raise UsageError(f"--history: cannot append to {path}: {_reason(exc)}") from None
    finally:
        os.close(fd)


# --- the `history` command --------------------------------------------------------------------


def table(records: list[Record]) -> str:
    """The plain-text table `license-auditor history` prints."""
    head = (
        "generated",
        "complete",
        "open",
        "critical",
        "high",
        "medium",
        "low",
        "unused/month",
        "paid seats assigned/usable",
    )
    rows: list[tuple[str, ...]] = [head]
    for r in records:
        # paid seats only: a free product's 10,000 seats would drown the ones the tenant pays for
        paid = [p for p in r.products.values() if not p.free]
        usable = sum(p.usable for p in paid)
        assigned = sum(p.assigned for p in paid)
        money = "" if r.unused_monthly_cost is None else f"{r.unused_monthly_cost:,.2f} {r.currency or ''}".strip()
        rows.append(
            (
                r.generated_at,
                "yes" if r.complete else "NO",
                str(r.open),
                *(str(r.by_severity.get(s, 0)) for s in SEVERITIES),
                money,
                f"{assigned}/{usable}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for i, row in enumerate(rows):
        cells = [c.ljust(widths[j]) if j < 2 else c.rjust(widths[j]) for j, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _product(part: str) -> str:
    """A record's product as people know it, by Microsoft's product table, with its part number beside
    it ("Microsoft 365 E3 (SPE_E3)"); the part number alone when the table does not know it."""
    name = product_names().product(None, part)
    return f"{name} ({part})" if name and name != part else part


def products_table(records: list[Record]) -> str:
    """Per product: assigned/usable at the first and the last record, and the change."""
    if not records:
        return ""
    first, last = records[0], records[-1]
    rows = [("product", "first assigned/usable", "last assigned/usable", "change")]
    for sku in sorted(set(first.products) | set(last.products)):
        a, b = first.products.get(sku), last.products.get(sku)
        delta = (b.assigned if b else 0) - (a.assigned if a else 0)
        rows.append(
            (
                _product(sku),
                f"{a.assigned}/{a.usable}" if a else "-",
                f"{b.assigned}/{b.usable}" if b else "-",
                f"{delta:+d}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(row)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"
