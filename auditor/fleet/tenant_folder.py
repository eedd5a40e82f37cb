"""What a tenant's own folder of a many-tenant run says once its audit ended: the Graph requests its
log counts, whether its report.json reads as complete, whether its report is the tenant a tenants
entry names, and the files a failed tenant must not keep."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from ..common.errors import UsageError
from ..common.staging import retire
from ..formats.report_json import decode_report
from ..pipeline.folder import run_files

_REQUESTS = re.compile(r"with ([\d,]+) Graph requests")
_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")


def requests_made(folder: Path) -> int | None:
    """The Graph requests the tenant's collection made, as its log's last line about them says."""
    try:
        found = _REQUESTS.findall((folder / "audit.log").read_text("utf-8", errors="replace"))
    except OSError:
        return None
    return int(found[-1].replace(",", "")) if found else None


def reads_complete(folder: Path) -> bool:
    """The tenant's report.json exists and says its data is complete (with --allow-gaps an
    incomplete tenant exits as a complete one would). It answers, never raises: a report.json
    missing, or one the reader refuses (as the roll-up counts it: none), is not complete."""
    try:
        return decode_report((folder / "report.json").read_bytes(), str(folder / "report.json")).complete
    except (OSError, UsageError):
        return False


def entrys_tenant(entry: str, tenant_id: str, domain: object) -> bool | None:
    """Whether a report of the tenant `tenant_id` is of the tenant a tenants entry's `tenant_id` names
    (`entry`: its GUID, or one of its domains): for a domain, the one the audit found among the tenant's
    verified domains (report.json's `tenant.domain`); None when that cannot be checked (the report names
    no domain: an audit of a snapshot)."""
    wanted = entry.lower()
    if _GUID.match(wanted):
        return tenant_id.lower() == wanted
    if not isinstance(domain, str):
        return None
    return domain == wanted


def clear(folder: Path) -> None:
    """A tenant ended as failed keeps no report that could be read as today's (in its own folder: a
    link planted in its place is not followed)."""
    if folder.is_symlink():
        return
    # its staging folder removed, the last report moved into previous/ in one step (auditor.common.staging)
    with contextlib.suppress(OSError, UsageError):
        retire(folder, run_files(folder))
    (folder / "snapshot.json").unlink(missing_ok=True)
