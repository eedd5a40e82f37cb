"""Whether a user's mailbox and OneDrive fit the plan a change leaves them with.

A removal or replacement that keeps the user's mailbox or OneDrive, but under a smaller service
plan, is safe only when the data fits: Microsoft 365 E3 to F3 keeps the mailbox under Exchange
Online Kiosk (2 GB, no archive) and OneDrive under SharePoint Kiosk (2 GB). The limits are
auditor/reference/storage-limits.csv; the sizes are the tenant's own, from the mailbox and
OneDrive usage reports (auditor.policy.index.TenantIndex.mailbox_size and the rest).

`shrink(...)` tells, per license layout, whether a change keeps every limit the user has, or ends
the mailbox or OneDrive outright; `verdict(...)` then holds one user's sizes to what shrinks. No
`storage` details at all when the change keeps every limit, or ends the mailbox or OneDrive (that
is a data loss, which the admin's `data_kept` declaration speaks for: auditor/plan/declared.py).
Otherwise the finding's `storage` details give the sizes, the limits they are held to, the plan
that sets each limit, and `wait`, why the change must wait (None when everything fits):

    mailbox_too_large   the mailbox holds more than the smaller plan gives
    onedrive_too_large  OneDrive holds more than the smaller plan gives
    archive             the mailbox has an archive, and the plan left gives none
    storage_unknown     a size the change rests on is not known (`unknown` says why: the usage
                        reports' gap, or the reports do not list the user)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.data.blocked import ARCHIVE, MAILBOX_TOO_LARGE, ONEDRIVE_TOO_LARGE, STORAGE_UNKNOWN
from auditor.data.model import User
from auditor.policy.index import TenantIndex

from ..reference import product_names
from ..reference.storage import StorageLimit, storage_limits
from .fix_facts import StorageFacts, StorageVerdict


@dataclass(frozen=True)
class Limits:
    """What a set of service plans lets a user keep: the largest mailbox, archive and OneDrive any
    of them gives, each with the plan that gives it (None: none gives one)."""

    mailbox: tuple[int, str] | None
    archive: bool
    onedrive: tuple[int, str] | None

    @classmethod
    def of(cls, plan_ids: Iterable[str]) -> Limits:
        rows = [r for r in storage_limits().values() if r.service_plan_id in set(plan_ids)]
        return cls(_largest(rows, "mailbox_bytes"), any(r.has_archive for r in rows), _largest(rows, "onedrive_bytes"))


def _largest(rows: list[StorageLimit], field: str) -> tuple[int, str] | None:
    found = [(getattr(r, field), _plan_name(r)) for r in rows if getattr(r, field) is not None]
    return max(found) if found else None


def _plan_name(row: StorageLimit) -> str:
    """The plan as admins know it ("Exchange Online Kiosk"), from Microsoft's product table."""
    name = product_names().plan(plan_id=row.service_plan_id or "") if row.service_plan_id else None
    return name or row.subject


@dataclass(frozen=True)
class Shrink:
    """What a change takes from the limits the user has: which limits the data must be checked
    against (the same for every user with the same licenses)."""

    new: Limits
    mailbox: bool  # the mailbox stays, under a smaller limit
    archive: bool  # the mailbox stays, without an archive
    onedrive: bool  # OneDrive stays, under a smaller limit


def shrink(before: Iterable[str], after: Iterable[str]) -> Shrink | None:
    """The Shrink of moving from the service plans `before` (ids, the ones on for the user now) to
    `after` (those on once the change is made); None when every limit stays, or the mailbox or
    OneDrive ends outright (a data loss, not a question of size)."""
    old, new = Limits.of(before), Limits.of(after)
    mailbox = new.mailbox is not None and old.mailbox is not None and new.mailbox[0] < old.mailbox[0]
    archive = old.archive and not new.archive and new.mailbox is not None
    onedrive = new.onedrive is not None and old.onedrive is not None and new.onedrive[0] < old.onedrive[0]
    return Shrink(new, mailbox, archive, onedrive) if mailbox or archive or onedrive else None


def verdict(index: TenantIndex, user: User, change: Shrink) -> StorageVerdict:
    """{"storage": {...}}: the user's sizes held to the limits `change` leaves (module docstring)."""
    new = change.new
    out = StorageFacts()
    if change.mailbox or change.archive:
        out["mailbox_bytes"] = index.mailbox_size(user)
        out["has_archive"] = index.mailbox_has_archive(user)
    if change.mailbox and new.mailbox is not None:
        out["mailbox_limit_bytes"], out["mailbox_plan"] = new.mailbox
    if change.archive and new.mailbox is not None:
        out["archive_plan"] = new.mailbox[1]  # the plan that keeps the mailbox, without an archive
    if change.onedrive and new.onedrive is not None:
        out["onedrive_bytes"] = index.onedrive_size(user)
        out["onedrive_limit_bytes"], out["onedrive_plan"] = new.onedrive
    out["wait"] = _wait(out, change.mailbox, change.archive, change.onedrive)
    if out["wait"] == STORAGE_UNKNOWN:
        out["unknown"] = index.storage_unknown() or "the usage reports do not list this user"
    return {"storage": out}


def _wait(found: StorageFacts, mailbox: bool, archive: bool, onedrive: bool) -> str | None:
    """Why the change waits, in the order a person deals with it: a size not known first (nothing
    else can be told), then a mailbox too large, its archive, then OneDrive."""
    if (
        (mailbox and found.get("mailbox_bytes") is None)
        or (archive and found.get("has_archive") is None)
        or (onedrive and found.get("onedrive_bytes") is None)
    ):
        return STORAGE_UNKNOWN
    if mailbox and (found.get("mailbox_bytes") or 0) > found["mailbox_limit_bytes"]:
        return MAILBOX_TOO_LARGE
    if archive and found["has_archive"]:
        return ARCHIVE
    if onedrive and (found.get("onedrive_bytes") or 0) > found["onedrive_limit_bytes"]:
        return ONEDRIVE_TOO_LARGE
    return None
