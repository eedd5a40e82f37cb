"""A usage report's CSV rows, read as they arrive: the columns a rule of the run reads (by their
documented names, from the header), the checks that make a changed report a named gap rather than
"no activity" (a column gone, another Report Period), and the rows merged into one UserUsage per user.

The collector (auditor.graph.usage_reports), the dormant accounts' read (auditor.graph.dormant_usage)
and apply's Copilot re-check (auditor.apply.copilot_recheck) read reports through it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any

import msgspec

from auditor.common.numbers import whole_number

from .usage_data import (
    LAST_ACTIVITY,
    NUMBER_FIELDS,
    PERIOD,
    STORAGE_REPORTS,
    TEXT_FIELDS,
    WORKLOADS,
    Report,
    UserUsage,
    is_date,
)


class BadReport(ValueError):
    """A report's CSV is not what Microsoft documents (unreadable values, rows shorter than the header)."""


class ColumnsMissing(BadReport):
    """The report lacks a column a rule of the run reads (Microsoft renames and drops columns): the
    collector turns it into a named gap, not a failed audit."""

    def __init__(self, report: Report, columns: list[str]) -> None:
        self.report = report
        self.columns = columns
        super().__init__(f"the CSV lacks the column(s) {', '.join(columns)}")

    def reason(self) -> str:
        """The gap's reason: the report, the columns, and what cannot be evaluated without them."""
        fields = {self.report.columns.get(c) for c in self.columns}
        uses = sorted(w.title for w in WORKLOADS.values() if w.report is self.report and w.field in fields)
        if self.report.name in STORAGE_REPORTS:
            uses.append("the mailbox and OneDrive sizes the removals rest on")
        if self.report.key in self.columns:
            uses = ["every column (the report names no user)"]
        if set(self.columns) & {*self.report.gathered_required, PERIOD}:
            uses.append(f"whether a {self.report.name} user used it within the window")
        return (
            f"{self.report.name} has no column {', '.join(repr(c) for c in self.columns)} (Microsoft may have "
            f"renamed or dropped it; docs/graph.md lists the columns read), which {', '.join(uses) or 'a rule'} "
            "needs: the usage rules are not evaluated for any user in this run; the rest of the audit ran"
        )


class PeriodMismatch(BadReport):
    """The report's Report Period is not the period asked for: its blank dates would not mean "no
    activity in the window". The collector turns it into a named gap; apply's re-check skips."""

    def __init__(self, report: Report, asked: str, said: str) -> None:
        self.report = report
        self.asked = asked
        self.said = said
        super().__init__(f"its {PERIOD} is {said[:30]!r}, not {asked[1:]!r} ({asked} was asked for)")

    def reason(self) -> str:
        return (
            f"{self.report.name} answered for another period than the one asked for ({PERIOD} {self.said[:30]!r}, "
            f"asked {self.asked}): its dates cannot tell use within the window; the usage rules are not "
            "evaluated for any user in this run; the rest of the audit ran"
        )


def _value(column: str, name: str, text: str) -> Any:
    """The value of CSV column `column` (snapshot field `name`) in a row."""
    text = text.strip()
    if not text:
        return None
    if name in NUMBER_FIELDS:
        if (number := whole_number(text)) is None:
            raise BadReport(f"{column} {text[:30]!r} is not a number")
        return number
    if name == "hasArchive":
        low = text.lower()
        if low not in ("true", "false"):
            raise BadReport(f"{column} {text[:30]!r} is not True or False")
        return low == "true"
    if name in TEXT_FIELDS:
        return text[:100]
    if not is_date(text):
        raise BadReport(f"a last activity date {text[:30]!r} is not YYYY-MM-DD")
    return text


class RowReader:
    """Turns one report's CSV rows into {upn (lower case): {field: value}}, column order from the
    header (Microsoft adds columns over time: only the named ones are read). Rows of deleted users
    are skipped; `keep` says which UPNs are worth keeping (the tenant's users)."""

    def __init__(
        self,
        report: Report,
        keep: Container[str] | None,
        fields: Container[str] | None = None,
        period: str | None = None,
    ) -> None:
        self.report = report
        self.keep = keep
        self.needed = fields  # the snapshot fields a rule of the run reads (None: every documented column)
        self.period = period  # the period asked for ("D90"): each row's Report Period must say it
        self.reset()

    def reset(self) -> None:
        """Forget every row read (the report is read again from its start)."""
        self.index: dict[str, int] | None = None
        # upn (lower case) -> (upn as written, the values of report.columns in order): tuples, and
        # each distinct date once, keep a million rows small
        self.rows: dict[str, tuple[Any, ...]] = {}
        self._texts: dict[Any, Any] = {}
        self._wanted: list[tuple[int, str, str]] = []  # (cell, CSV column, snapshot field)
        self._gathered: list[tuple[int, str]] | None = None  # (cell, CSV column) of report.gathered
        self._period_cell: int | None = None
        self.columns: tuple[str, ...] | None = None  # the header, as served
        self.refreshed: str | None = None
        self.seen = 0  # data rows, kept or not
        self.named = 0  # rows whose UPN looks like a UPN (concealed reports carry hashes)

    def header(self, cells: list[str]) -> None:
        names = [c.strip().lstrip("\ufeff") for c in cells]
        report = self.report
        # only the columns a rule of the run reads must be there; the other documented ones are read
        # when present
        wanted = [report.key, *(c for c, f in report.columns.items() if self.needed is None or f in self.needed)]
        gather = report.gathered is not None and (self.needed is None or report.gathered in self.needed)
        if gather:
            wanted += report.gathered_required
        if report.period_column and self.period is not None:
            wanted.append(PERIOD)
        missing = [c for c in wanted if c not in names]
        if missing:
            raise ColumnsMissing(report, missing)
        self.columns = tuple(names)
        columns = {**report.columns, **report.optional}
        gathered = [
            (i, name)
            for i, name in enumerate(names)
            if (name.endswith(LAST_ACTIVITY) and name not in columns) or name in report.counters
        ]
        self.index = {
            name: names.index(name)
            for name in (*wanted, *columns, PERIOD, "Report Refresh Date", "Is Deleted")
            if name in names
        }
        self.index.update({name: i for i, name in gathered} if gather else {})
        self._wanted = [
            (self.index[column], column, field) for column, field in columns.items() if column in self.index
        ]
        self._gathered = gathered if gather else None
        self._period_cell = self.index.get(PERIOD) if self.period is not None else None

    def row(self, cells: list[str]) -> None:
        if self.index is None:
            self.header(cells)
            return
        if not any(c.strip() for c in cells):
            return
        index = self.index
        if len(cells) < len(index) or max(index.values()) >= len(cells):
            raise BadReport(f"row {self.seen + 1} has {len(cells)} columns, fewer than the header")
        self.seen += 1
        if "Is Deleted" in index and cells[index["Is Deleted"]].strip().lower() == "true":
            return
        upn = cells[index[self.report.key]].strip()
        if "@" in upn:
            self.named += 1
        if self._period_cell is not None and (said := cells[self._period_cell].strip()) != (self.period or "")[1:]:
            raise PeriodMismatch(self.report, self.period or "", said)
        if "Report Refresh Date" in index and self.refreshed is None:
            refreshed = cells[index["Report Refresh Date"]].strip()
            self.refreshed = refreshed if is_date(refreshed) else None
        key = upn.lower()
        if not upn or (self.keep is not None and key not in self.keep):
            return
        texts = self._texts
        values = [_value(column, name, cells[i]) for i, column, name in self._wanted]
        if self._gathered is not None:
            values.append(self._gather(cells))
        # only texts (the dates) are shared: True == 1 and False == 0, so sharing numbers beside
        # the archive flag would turn an item count of 1 into True
        self.rows[key] = (upn, *(texts.setdefault(v, v) if isinstance(v, str) else v for v in values))

    def _gather(self, cells: list[str]) -> dict[str, str | int] | None:
        """The row's gathered columns that show use: dates, and counters above zero (None: none does)."""
        found: dict[str, str | int] = {}
        texts = self._texts
        for i, column in self._gathered or ():
            text = cells[i].strip()
            if not text:
                continue
            if column.endswith(LAST_ACTIVITY):
                if not is_date(text):
                    raise BadReport(f"{column} {text[:30]!r} is not YYYY-MM-DD")
                found[column] = texts.setdefault(text, text)
            elif (number := whole_number(text)) is None or number < 0:
                raise BadReport(f"{column} {text[:30]!r} is not a count")
            elif number:
                found[column] = number
        return found or None

    def fields(self) -> tuple[str, ...]:
        """The snapshot fields of the values in `rows`, in order."""
        gathered = (self.report.gathered,) if self._gathered is not None and self.report.gathered else ()
        return (*(name for _, _, name in self._wanted), *gathered)

    @property
    def concealed(self) -> bool:
        """Rows whose user names are all hashes: the tenant conceals names in reports."""
        return self.seen > 0 and self.named == 0


def merge_rows(readers: Iterable[RowReader]) -> tuple[UserUsage, ...]:
    """One UserUsage per user, from every report that listed the user, sorted by UPN. Each
    reader's rows are dropped once merged (only one copy of a million rows at a time)."""
    merged: dict[str, UserUsage] = {}
    replace = msgspec.structs.replace
    for reader in sorted(readers, key=lambda r: r.report.name):
        name, fields = reader.report.name, reader.fields()
        for key, (upn, *values) in reader.rows.items():
            found = merged.get(key)
            extra = dict(zip(fields, values, strict=True))
            merged[key] = (
                UserUsage(upn, **extra, reports=(name,))
                if found is None
                else replace(found, **extra, reports=(*found.reports, name))
            )
        reader.rows = {}
    return tuple(merged[key] for key in sorted(merged))
