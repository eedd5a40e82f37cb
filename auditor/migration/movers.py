"""Who moves: users.csv (source_upn,target_upn[,batch,complete_by,workloads]) or a --domain selector.

A bad row is a located error: `users.csv:LINE:COLUMN: message` (exit 2)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import UsageError
from ..model import User

REQUIRED = ("source_upn", "target_upn")
OPTIONAL = ("batch", "complete_by", "workloads")
WORKLOADS = ("mailbox", "onedrive")  # what Microsoft's cross-tenant migration moves per user


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


def _where(path: Path, line: int, column: int) -> str:
    return f"{path}:{line}:{column}"


def read_text(path: Path, flag: str) -> str:
    """An input file's text (UTF-8, a byte-order mark allowed); a usage error naming `flag` if unreadable."""
    try:
        return path.read_text("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{flag}: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{flag}: {path} is not UTF-8 text ({exc.reason})") from None


def read_users(path: Path) -> list[Mover]:
    """The movers of users.csv; UsageError naming file:line:column for the first bad value."""
    rows = csv.reader(read_text(path, "--users").splitlines())
    try:
        return _read_rows(path, rows)
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a NUL byte ...
        raise UsageError(f"{path}:{rows.line_num}: not a CSV row users.csv can hold: {exc}") from None


def _read_rows(path: Path, rows: Iterator[list[str]]) -> list[Mover]:
    header = _header(path, [name.strip().lower() for name in next(rows, [])])
    column = {name: header.index(name) for name in header}
    movers: list[Mover] = []
    seen: dict[str, int] = {}
    targets: dict[str, int] = {}
    for line, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise UsageError(f"{_where(path, line, min(len(row), len(header)) + 1)}: {len(row)} values, "
                             f"the header has {len(header)}")
        value = {name: row[i].strip() for name, i in column.items()}
        _check_upns(path, line, column, value, seen, targets)
        movers.append(_mover(path, line, column, value))
    if not movers:
        raise UsageError(f"{_where(path, 2, 1)}: no users: give one row per moving user")
    return movers


def _header(path: Path, header: list[str]) -> list[str]:
    """users.csv's column names, each known and once, the required ones there."""
    for name in REQUIRED:
        if name not in header:
            raise UsageError(f"{_where(path, 1, 1)}: the header needs the columns {', '.join(REQUIRED)} "
                             f"(optional: {', '.join(OPTIONAL)}); {name} is missing")
    for number, name in enumerate(header, 1):
        if name not in REQUIRED + OPTIONAL:
            raise UsageError(f"{_where(path, 1, number)}: unknown column {name!r} (known: "
                             f"{', '.join(REQUIRED + OPTIONAL)})")
        if header.index(name) != number - 1:
            raise UsageError(f"{_where(path, 1, number)}: column {name!r} appears twice")
    return header


def _check_upns(path: Path, line: int, column: dict[str, int], value: dict[str, str], seen: dict[str, int],
                targets: dict[str, int]) -> None:
    """Both UPNs look like UPNs, and neither is listed twice (`seen` and `targets` remember the lines)."""
    for name in REQUIRED:
        if "@" not in value[name].strip("@"):
            raise UsageError(f"{_where(path, line, column[name] + 1)}: {name} {value[name]!r} is not a UPN "
                             "(name@domain)")
    source, target = value["source_upn"].lower(), value["target_upn"].lower()
    if source in seen:
        raise UsageError(f"{_where(path, line, column['source_upn'] + 1)}: {value['source_upn']} is "
                         f"listed twice (first on line {seen[source]})")
    if target in targets:
        raise UsageError(f"{_where(path, line, column['target_upn'] + 1)}: target {value['target_upn']} is "
                         f"listed twice (first on line {targets[target]})")
    seen[source], targets[target] = line, line


def _mover(path: Path, line: int, column: dict[str, int], value: dict[str, str]) -> Mover:
    """One row's mover: its batch, its completion date and the workloads that move."""
    complete_by = None
    if value.get("complete_by"):
        try:
            complete_by = date.fromisoformat(value["complete_by"])
        except ValueError:
            raise UsageError(f"{_where(path, line, column['complete_by'] + 1)}: complete_by "
                             f"{value['complete_by']!r} is not a date (YYYY-MM-DD)") from None
    workloads: tuple[str, ...] = WORKLOADS
    if "workloads" in column:
        workloads = _workloads(value["workloads"], _where(path, line, column["workloads"] + 1))
    return Mover(value["source_upn"], value["target_upn"], value.get("batch", ""), complete_by,
                 workloads, line, column["source_upn"] + 1)


def _workloads(text: str, where: str) -> tuple[str, ...]:
    """`mailbox;onedrive`, `mailbox`, `onedrive`, or `none`/empty (the user moves without data)."""
    names = [n.strip().lower() for n in text.split(";") if n.strip()]
    if names in ([], ["none"]):
        return ()
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise UsageError(f"{where}: unknown workload {unknown[0]!r} (known: {', '.join(WORKLOADS)}, none)")
    return tuple(w for w in WORKLOADS if w in names)


def domain_movers(users: Sequence[User], domain: str) -> list[Mover]:
    """--domain: every member of the source whose UPN is in `domain`, keeping its UPN in the target
    (the domain moves with them), in UPN order."""
    suffix = "@" + domain.strip().lstrip("@").lower()
    if suffix == "@" or "." not in suffix:
        raise UsageError(f"--domain: {domain!r} is not a domain name (contoso.com)")
    chosen = sorted(u.user_principal_name for u in users
                    if u.user_type != "Guest" and u.user_principal_name.lower().endswith(suffix))
    if not chosen:
        raise UsageError(f"--domain: no member of the source tenant has a UPN in {domain}")
    return [Mover(upn, upn) for upn in chosen]
