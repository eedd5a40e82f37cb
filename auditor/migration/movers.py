"""Who moves: users.csv (source_upn,target_upn[,batch,complete_by,workloads]) or a --domain selector.

users.csv may be as Excel saves it in the report languages' countries (auditor.common.spreadsheet): UTF-8
with or without a byte-order mark or the Windows code page, `;` between cells, and complete_by with
the day first (dd-mm-yyyy). A bad file is one UsageError (exit 2) that lists every bad value at
once, each as `users.csv:LINE:COLUMN: message`."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from auditor.common import spreadsheet
from auditor.common.errors import UsageError
from auditor.data.model import User

REQUIRED = ("source_upn", "target_upn")
OPTIONAL = ("batch", "complete_by", "workloads")
WORKLOADS = ("mailbox", "onedrive")  # what Microsoft's cross-tenant migration moves per user
MAX_BYTES = 64 * 1024 * 1024  # far above any tenant's list of users; a larger file is not a users.csv


@dataclass(frozen=True, slots=True)
class Mover:
    """One user who moves: its UPN in each tenant, its batch, when its move completes, what moves."""

    source_upn: str
    target_upn: str
    batch: str = ""
    complete_by: date | None = None  # None: the cutover
    workloads: tuple[str, ...] = WORKLOADS
    line: int = 0  # users.csv line (0: chosen by --domain)
    column: int = 1  # users.csv column of source_upn


class Problems(spreadsheet.Problems):
    """The bad values of one input file (up to spreadsheet.LIMIT), raised together."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path

    def raise_any(self) -> None:
        """UsageError (exit 2) with the one problem, or with all of them, one a line."""
        message = self.text()
        if message is not None:
            raise UsageError(message)


def read_text(path: Path, flag: str) -> str:
    """An input file's text (UTF-8, a byte-order mark allowed); a usage error naming `flag` if unreadable."""
    try:
        return path.read_text("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{flag}: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{flag}: {path} is not UTF-8 text ({exc.reason})") from None


def read_users(path: Path) -> list[Mover]:
    """The movers of users.csv; UsageError naming file:line:column for every bad value."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"--users: cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise UsageError(f"--users: {path} is larger than {MAX_BYTES} bytes: not a users.csv")
    if spreadsheet.workbook(raw):
        raise UsageError(f"--users: {path} {spreadsheet.SAVE_AS_CSV}")
    text = spreadsheet.decode(raw)
    first = next((line for line in text.splitlines() if line.strip()), "")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=spreadsheet.separator(first), strict=True)
    problems = Problems(path)
    movers: list[Mover] = []
    try:
        movers = _read_rows(rows, problems)
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a NUL byte ...
        problems.add(rows.line_num, 0, f"not a CSV row users.csv can hold: {exc}")
    problems.raise_any()
    return movers


def _read_rows(rows: Iterator[list[str]], problems: Problems) -> list[Mover]:
    header = [name.strip().lower() for name in next(rows, [])]
    if not _header_ok(header, problems):
        return []
    column = {name: header.index(name) for name in header}
    movers: list[Mover] = []
    seen: dict[str, int] = {}
    targets: dict[str, int] = {}
    for line, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if problems.full:
            problems.count_rest(itertools.chain((row,), rows))
            break
        if len(row) != len(header):
            problems.add(line, min(len(row), len(header)) + 1, f"{len(row)} values, the header has {len(header)}")
            continue
        value = {name: row[i].strip() for name, i in column.items()}
        before = len(problems.found)
        _check_upns(line, column, value, seen, targets, problems)
        mover = _mover(line, column, value, problems)
        if len(problems.found) == before:
            movers.append(mover)
    if not movers and not problems.found:
        problems.add(2, 1, "no users: give one row per moving user")
    return movers


def _header_ok(header: list[str], problems: Problems) -> bool:
    """users.csv's column names, each known and once, the required ones there; False (each problem
    noted) when the rows cannot be read by them."""
    before = len(problems.found)
    for name in REQUIRED:
        if name not in header:
            problems.add(
                1,
                1,
                f"the header needs the columns {', '.join(REQUIRED)} (optional: "
                f"{', '.join(OPTIONAL)}); {name} is missing",
            )
    for number, name in enumerate(header, 1):
        if name not in REQUIRED + OPTIONAL:
            problems.add(1, number, f"unknown column {name!r} (known: {', '.join(REQUIRED + OPTIONAL)})")
        elif header.index(name) != number - 1:
            problems.add(1, number, f"column {name!r} appears twice")
    return len(problems.found) == before


def _check_upns(
    line: int,
    column: dict[str, int],
    value: dict[str, str],
    seen: dict[str, int],
    targets: dict[str, int],
    problems: Problems,
) -> None:
    """Both UPNs look like UPNs, and neither is listed twice (`seen` and `targets` remember the lines)."""
    for name in REQUIRED:
        if "@" not in value[name].strip("@"):
            problems.add(line, column[name] + 1, f"{name} {value[name]!r} is not a UPN (name@domain)")
    source, target = value["source_upn"].lower(), value["target_upn"].lower()
    if source in seen:
        problems.add(
            line, column["source_upn"] + 1, f"{value['source_upn']} is listed twice (first on line {seen[source]})"
        )
    if target in targets:
        problems.add(
            line,
            column["target_upn"] + 1,
            f"target {value['target_upn']} is listed twice (first on line {targets[target]})",
        )
    seen.setdefault(source, line)
    targets.setdefault(target, line)


def _mover(line: int, column: dict[str, int], value: dict[str, str], problems: Problems) -> Mover:
    """One row's mover: its batch, its completion date and the workloads that move."""
    complete_by = None
    if value.get("complete_by"):
        try:
            complete_by = spreadsheet.day(value["complete_by"])
        except ValueError as exc:
            problems.add(line, column["complete_by"] + 1, f"complete_by: {exc}")
    workloads: tuple[str, ...] = WORKLOADS
    if "workloads" in column:
        try:
            workloads = _workloads(value["workloads"])
        except ValueError as exc:
            problems.add(line, column["workloads"] + 1, str(exc))
    return Mover(
        value["source_upn"],
        value["target_upn"],
        value.get("batch", ""),
        complete_by,
        workloads,
        line,
        column["source_upn"] + 1,
    )


def _workloads(text: str) -> tuple[str, ...]:
    """`mailbox;onedrive`, `mailbox`, `onedrive`, or `none`/empty (the user moves without data);
    ValueError naming an unknown one."""
    names = [n.strip().lower() for n in text.split(";") if n.strip()]
    if names in ([], ["none"]):
        return ()
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise ValueError(f"unknown workload {unknown[0]!r} (known: {', '.join(WORKLOADS)}, none)")
    return tuple(w for w in WORKLOADS if w in names)


def domain_movers(users: Sequence[User], domain: str) -> list[Mover]:
    """--domain: every member of the source whose UPN is in `domain`, keeping its UPN in the target
    (the domain moves with them), in UPN order."""
    suffix = "@" + domain.strip().lstrip("@").lower()
    if suffix == "@" or "." not in suffix:
        raise UsageError(f"--domain: {domain!r} is not a domain name (contoso.com)")
    chosen = sorted(
        u.user_principal_name
        for u in users
        if u.user_type != "Guest" and u.user_principal_name.lower().endswith(suffix)
    )
    if not chosen:
        raise UsageError(f"--domain: no member of the source tenant has a UPN in {domain}")
    return [Mover(upn, upn) for upn in chosen]
