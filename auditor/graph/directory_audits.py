"""Read the directory changes of an interval: GET /auditLogs/directoryAudits (AuditLog.Read.All).

One listing per activity that can explain a new finding (auditor.directory_audits.ACTIVITIES; the nightly
interval since the baseline), or that says when an account was disabled (auditor.directory_audits.ACCOUNT_STATE,
for `grace_days`: back as far as Entra ID keeps them, KEPT_DAYS), each filtered on its interval as
Graph's reference documents it (activityDateTime supports ge and le, activityDisplayName eq), all
pages followed:

    GET /auditLogs/directoryAudits?$filter=activityDateTime ge <since> and activityDateTime le <until>
        and activityDisplayName eq 'Change user license'&$top=500

A token without AuditLog.Read.All, or a 403, is a named gap (part `directoryAudits`); every other
failure stops the run like any other read. Entra ID keeps audit entries 7 days (30 with Entra ID P1
or P2): an interval reaching further back returns only what is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from ..directory_audits import ACCOUNT_STATE, ACTIVITIES, AuditEntry, BadAudit, DirectoryAudits, entry_from_graph
from ..errors import CollectionError, clean_message
from ..model import Gap
from .auth import Permission, describe_missing
from .client import GraphClient, GraphRequestError

PART = "directoryAudits"
PAGE_SIZE = 500
KEPT_DAYS = 30  # Entra ID keeps directory audit entries 30 days (with P1 or P2; 7 without)
AUDIT_LOG = Permission("AuditLog.Read.All", "reading auditLogs/directoryAudits (the changes behind new findings)",
                       frozenset(("AuditLog.Read.All",)))


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def audit_path(since: str, until: str, activity: str) -> str:
    text = (f"activityDateTime ge {since} and activityDateTime le {until} and "
            f"activityDisplayName eq '{activity.replace(chr(39), chr(39) * 2)}'")
    return f"/auditLogs/directoryAudits?$filter={quote(text, safe='')}&$top={PAGE_SIZE}"


def _granted(claims: Mapping[str, Any] | None) -> bool:
    """False only when an app token's roles are known and lack AuditLog.Read.All."""
    if claims is None or ("scp" in claims and "roles" not in claims):
        return True
    roles = claims.get("roles")
    return isinstance(roles, list) and bool(AUDIT_LOG.satisfied_by & {r for r in roles if isinstance(r, str)})


def audit_windows(causes_since: datetime | None, disable_times_at: datetime | None) -> dict[str, datetime]:
    """Activity -> since when to read it: every activity of ACTIVITIES since `causes_since` (the
    nightly causes), and the account-state ones (ACCOUNT_STATE, for grace_days) also back KEPT_DAYS
    before `disable_times_at` (the audit's clock). Empty when neither is asked for."""
    windows = {activity: causes_since for activity in ACTIVITIES} if causes_since else {}
    if disable_times_at is not None:
        back = disable_times_at - timedelta(days=KEPT_DAYS)
        for activity in ACCOUNT_STATE:
            windows[activity] = min(windows.get(activity, back), back)
    return windows


async def read_audits(client: GraphClient, windows: Mapping[str, datetime], until: datetime,
                      claims: Mapping[str, Any] | None, gaps: list[Gap]) -> DirectoryAudits | None:
    """The entries of each activity of `windows` since its time up to `until`, newest first (the
    snapshot's `since` is the earliest); None (with a gap) when not readable."""
    start, end = iso(min(windows.values())), iso(until)
    first = f"GET {audit_path(start, end, next(iter(windows))).split('?')[0]}"
    if not _granted(claims):
        gaps.append(Gap(PART, first, describe_missing((AUDIT_LOG,))))
        return None

    async def one(activity: str) -> list[AuditEntry]:
        path = audit_path(iso(windows[activity]), end, activity)
        out: list[AuditEntry] = []
        async for page in client.pages(path):
            for i, raw in enumerate(page):
                try:
                    out.append(entry_from_graph(raw))
                except BadAudit as exc:
                    raise CollectionError(
                        f"GET /auditLogs/directoryAudits returned an entry Graph should not send: item {i}: "
                        f"{clean_message(str(exc))}; report it with the request id") from None
        return out

    try:
        found = await asyncio.gather(*(one(a) for a in windows))
    except GraphRequestError as exc:
        if exc.status != 403:
            raise
        reason = f"Graph answered 403 {exc.code}: {exc.graph_message}".strip()
        gaps.append(Gap(PART, exc.request, f"{reason} (needs the application permission AuditLog.Read.All, "
                                           "with admin consent)"))
        return None
    seen: set[str] = set()
    entries = []
    for entry in sorted((e for batch in found for e in batch), key=lambda e: (e.when, e.id), reverse=True):
        if entry.id not in seen:
            seen.add(entry.id)
            entries.append(entry)
    return DirectoryAudits(start, end, tuple(entries))
