"""The Exchange Online export (`--exchange-export FILE` on `audit` and `plan`): one row per mailbox,
the CSV of the command docs/exchange-export.md gives in full (Get-EXOMailbox ... | Export-Csv).

    read_exchange_export(path) -> {ExternalDirectoryObjectId (lower case): MailboxExport}

Rows are matched to users by ExternalDirectoryObjectId (the user's Entra object id), never by
name: a UPN can change, and two tenants can hold the same one. Values are what PowerShell writes:
`True`/`False`, GUIDs, and InPlaceHolds joined with `;` (the command joins them: a list property
exported as is becomes its type name). Every problem (a missing column, a value that is not
True/False or not a GUID, a mailbox listed twice) stops the run with `file:line:column` (exit 2):
a half-read export would read as "no holds", which is the one answer it must never give wrongly.
No I/O besides reading the one file; no Graph.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from auditor.common.errors import UsageError

MAX_BYTES = 256 * 1024 * 1024  # about a million mailboxes; anything bigger is not this export
NO_GUID = "00000000-0000-0000-0000-000000000000"  # Exchange's ArchiveGuid of a mailbox without archive
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

ID = "ExternalDirectoryObjectId"
GUIDS = ("ExchangeGuid", "ArchiveGuid")
FLAGS = (
    "AutoExpandingArchiveEnabled",
    "LitigationHoldEnabled",
    "DelayHoldApplied",
    "ComplianceTagHoldApplied",
    "RetentionHoldEnabled",
    "IsDirSynced",
)
# the columns of the documented command, in the order it writes them
COLUMNS = (
    ID,
    "UserPrincipalName",
    "RecipientTypeDetails",
    "ExchangeGuid",
    "ArchiveGuid",
    "ArchiveStatus",
    "AutoExpandingArchiveEnabled",
    "LitigationHoldEnabled",
    "InPlaceHolds",
    "DelayHoldApplied",
    "ComplianceTagHoldApplied",
    "RetentionHoldEnabled",
    "IsDirSynced",
)


@dataclass(frozen=True)
class MailboxExport:
    """One mailbox as Exchange Online reports it (Get-EXOMailbox)."""

    upn: str
    recipient_type: str  # RecipientTypeDetails: UserMailbox, SharedMailbox, RoomMailbox, ...
    exchange_guid: str  # lower case
    archive_guid: str  # lower case; NO_GUID when the mailbox has no archive
    archive_status: str  # None, Active, ...
    auto_expanding_archive: bool
    litigation_hold: bool
    in_place_holds: tuple[str, ...]  # eDiscovery holds (UniH...), retention policies (mbx..., skp...), ...
    delay_hold: bool  # a hold removed within the last 30 days still keeps the mailbox
    compliance_tag_hold: bool  # items carry a retention label that holds them
    retention_hold: bool
    dir_synced: bool  # the user is synced from Active Directory: the mailbox is converted on premises

    @property
    def has_archive(self) -> bool:
        return self.archive_guid != NO_GUID or self.archive_status.lower() == "active"

    @property
    def holds(self) -> tuple[str, ...]:
        """The kinds of hold that keep this mailbox's content, in a fixed order; () when none."""
        kinds = (
            ("litigation_hold", self.litigation_hold),
            ("in_place_holds", bool(self.in_place_holds)),
            ("delay_hold", self.delay_hold),
            ("compliance_tag_hold", self.compliance_tag_hold),
            ("retention_hold", self.retention_hold),
        )
        return tuple(name for name, on in kinds if on)


class ExportError(UsageError):
    """A row or column of the export is not what the documented command writes (exit 2)."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        self.file, self.line, self.column = file, line, column
        super().__init__(f"{file}:{line}:{column}: {message}")


def read_exchange_export(path: str | Path) -> dict[str, MailboxExport]:
    """The export at `path`, keyed by lower-cased ExternalDirectoryObjectId (module docstring).
    Rows without an ExternalDirectoryObjectId (mailboxes with no Entra user, such as system
    mailboxes) are left out: no user can be matched to them."""
    name = str(path)
    text = _text(Path(path), name)
    lines = text.splitlines(keepends=True)
    start = 0
    if lines and lines[0].startswith("#TYPE"):  # Export-Csv without -NoTypeInformation (Windows PowerShell 5.1)
        start = 1
    rows = _records(lines[start:], name, start)
    try:
        header_line, header = next((n, cells) for n, cells in rows if any(c.strip() for c in cells))
    except StopIteration:
        raise ExportError(
            name,
            1,
            1,
            "the file is empty: expected the header of the documented Get-EXOMailbox export (docs/exchange-export.md)",
        ) from None
    index = _header(header, name, header_line)
    out: dict[str, MailboxExport] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            raise ExportError(
                name, line, len(cells) + 1, f"{len(cells)} values, fewer than the header's {len(header)} columns"
            )
        key = cells[index[ID]].strip().lower()
        if not key:
            continue
        if not _GUID.match(key):
            raise ExportError(name, line, index[ID] + 1, f"{ID} {key[:40]!r} is not a GUID")
        if key in out:
            raise ExportError(name, line, index[ID] + 1, f"{ID} {key} is listed twice")
        out[key] = _mailbox(cells, index, name, line)
    return out


def _text(path: Path, name: str) -> str:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{name}: Exchange export not found") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read the Exchange export: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UsageError(
            f"{name}: larger than {MAX_BYTES // 1024**2} MB, more than an Exchange export of this kind holds"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExportError(
            name, 1, 1, "the file is UTF-16: export it with -Encoding UTF8 as docs/exchange-export.md shows"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ExportError(
            name, line, column, "not UTF-8: export it with -Encoding UTF8 as docs/exchange-export.md shows"
        ) from None


def _records(lines: list[str], name: str, skipped: int) -> Iterator[tuple[int, list[str]]]:
    """(line of the record's first line, its cells); a quoted value may span lines."""
    reader = csv.reader(lines, strict=True)
    first = skipped + 1
    try:
        for cells in reader:
            yield first, cells
            first = skipped + reader.line_num + 1
    except csv.Error as exc:
        raise ExportError(name, skipped + reader.line_num, 1, f"not a CSV record: {exc}") from None


def _header(header: list[str], name: str, line: int) -> dict[str, int]:
    names = [h.strip() for h in header]
    for i, column in enumerate(names):
        if column and column in names[:i]:
            raise ExportError(name, line, i + 1, f"the column {column} is written twice")
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ExportError(
            name,
            line,
            len(names) + 1,
            f"missing column(s) {', '.join(missing)}: export with the command docs/exchange-export.md gives",
        )
    return {c: names.index(c) for c in COLUMNS}


def _mailbox(cells: list[str], index: Mapping[str, int], name: str, line: int) -> MailboxExport:
    def cell(column: str) -> str:
        return cells[index[column]].strip()

    for column in GUIDS:
        if not _GUID.match(cell(column)):
            raise ExportError(name, line, index[column] + 1, f"{column} {cell(column)[:40]!r} is not a GUID")
    flags: dict[str, bool] = {}
    for column in FLAGS:
        value = cell(column)
        if value not in ("True", "False"):
            raise ExportError(
                name,
                line,
                index[column] + 1,
                f"{column} {value[:30]!r} is not True or False (as PowerShell writes them)",
            )
        flags[column] = value == "True"
    holds = tuple(h.strip() for h in cell("InPlaceHolds").split(";") if h.strip())
    if any(h.startswith("System.") for h in holds):  # exported without the -join of the documented command
        raise ExportError(
            name,
            line,
            index["InPlaceHolds"] + 1,
            f"InPlaceHolds {holds[0][:40]!r} is a type name, not the holds: export with "
            "@{n='InPlaceHolds';e={$_.InPlaceHolds -join ';'}} as docs/exchange-export.md shows",
        )
    return MailboxExport(
        upn=cell("UserPrincipalName"),
        recipient_type=cell("RecipientTypeDetails"),
        exchange_guid=cell("ExchangeGuid").lower(),
        archive_guid=cell("ArchiveGuid").lower(),
        archive_status=cell("ArchiveStatus"),
        auto_expanding_archive=flags["AutoExpandingArchiveEnabled"],
        litigation_hold=flags["LitigationHoldEnabled"],
        in_place_holds=holds,
        delay_hold=flags["DelayHoldApplied"],
        compliance_tag_hold=flags["ComplianceTagHoldApplied"],
        retention_hold=flags["RetentionHoldEnabled"],
        dir_synced=flags["IsDirSynced"],
    )
