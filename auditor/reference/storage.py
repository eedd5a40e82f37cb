"""How much a mailbox, its archive and a OneDrive may hold under each service plan, shipped as data.

`storage-limits.csv` beside this module: one row per service plan that gives a mailbox or a
OneDrive (by `Service_Plan_Name` and id, as in Microsoft's product names table), plus
SHARED_MAILBOX_UNLICENSED, a shared mailbox without a license. Each row names the Microsoft page
its figures come from (Exchange Online limits, the OneDrive service description, "Remove a license
from a shared mailbox"). An empty `archive_gb` means the plan gives no archive mailbox (an archive
then needs a plan that has one); an empty `mailbox_gb` or `onedrive_gb`, that the plan gives none.

Sizes are in GB as Microsoft writes them and counted as 1024^3 bytes, as Exchange Online states
its quotas ("100 GB (107,374,182,400 bytes)"), so they compare with the usage reports' bytes.
The archive of Exchange Online Plan 2 grows on its own up to 1.5 TB (1,536 GB).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from auditor.common.numbers import whole_number

DATA_FILE = "storage-limits.csv"
COLUMNS = ("subject", "service_plan_id", "mailbox_gb", "archive_gb", "onedrive_gb", "source")
SHARED_MAILBOX = "SHARED_MAILBOX_UNLICENSED"
GB = 1024**3


@dataclass(frozen=True)
class StorageLimit:
    """What one service plan (or an unlicensed shared mailbox) lets a user keep, in bytes; None: none."""

    subject: str  # Service_Plan_Name, or SHARED_MAILBOX
    service_plan_id: str | None  # lower-case GUID
    mailbox_bytes: int | None
    archive_bytes: int | None
    onedrive_bytes: int | None
    source: str  # the Microsoft page the figures come from

    @property
    def has_archive(self) -> bool:
        return self.archive_bytes is not None


@cache
def storage_limits() -> dict[str, StorageLimit]:
    """The table, by subject (upper-case)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse(text)


def parse(text: str) -> dict[str, StorageLimit]:
    rows = csv.DictReader(io.StringIO(text))
    if tuple(rows.fieldnames or ()) != COLUMNS:
        raise ValueError(f"{DATA_FILE}: expected the columns {', '.join(COLUMNS)}")
    out: dict[str, StorageLimit] = {}
    for line, row in enumerate(rows, start=2):
        subject = row["subject"].strip().upper()
        if not subject or subject in out or not row["source"].startswith("https://learn.microsoft.com/"):
            raise ValueError(f"{DATA_FILE} line {line}: a subject named once and a learn.microsoft.com source")
        out[subject] = StorageLimit(
            subject,
            row["service_plan_id"].strip().lower() or None,
            _bytes(row["mailbox_gb"], line),
            _bytes(row["archive_gb"], line),
            _bytes(row["onedrive_gb"], line),
            row["source"].strip(),
        )
    return out


def _bytes(text: str, line: int) -> int | None:
    text = text.strip()
    if not text:
        return None
    if (number := whole_number(text)) is None:
        raise ValueError(f"{DATA_FILE} line {line}: {text!r} is not a whole number of GB")
    return number * GB


def plan_limits(service_plan_ids: set[str] | frozenset[str]) -> list[StorageLimit]:
    """The rows of these service plans (lower-case ids), e.g. a product's enabled plans."""
    return [limit for limit in storage_limits().values() if limit.service_plan_id in service_plan_ids]
