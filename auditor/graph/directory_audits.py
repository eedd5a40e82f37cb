"""Read the directory changes of an interval: GET /auditLogs/directoryAudits (AuditLog.Read.All).

One listing per activity that can explain a new finding (auditor.data.audit_entries.ACTIVITIES; the nightly
interval since the baseline), each filtered on its interval as Graph's reference documents it
(activityDateTime supports ge and le, activityDisplayName eq), all pages followed:

    GET /auditLogs/directoryAudits?$filter=activityDateTime ge <since> and activityDateTime le <until>
        and activityDisplayName eq 'Change user license'&$top=500

The entries that say when an account was disabled (auditor.data.audit_entries.ACCOUNT_STATE, for
`grace_days`: back as far as Entra ID keeps them, KEPT_DAYS) are read by account_state.py, for the
whole tenant or by account, whichever costs fewer requests.

A token without AuditLog.Read.All, or a 403, is a named gap (part `directoryAudits`); every other
failure stops the run like any other read. Entra ID keeps audit entries 7 days (30 with Entra ID P1
or P2): an interval reaching further back returns only what is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Protocol
from urllib.parse import quote

from auditor.common.errors import CollectionError, clean_message
from auditor.data.audit_entries import (
    ACCOUNT_STATE,
    ACTIVITIES,
    AuditEntry,
    BadAudit,
    DirectoryAudits,
    entry_from_graph,
)
from auditor.data.model import Gap

from .auth import Permission, TokenClaims, describe_missing
from .client import GraphClient, GraphRequestError, together

PART = "directoryAudits"
PAGE_SIZE = 500
KEPT_DAYS = 30  # Entra ID keeps directory audit entries 30 days (with P1 or P2; 7 without)
AUDIT_LOG = Permission(
    "AuditLog.Read.All",
    "reading auditLogs/directoryAudits (the changes behind new findings)",
    frozenset(("AuditLog.Read.All",)),
)


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def audit_path(since: str, until: str, activity: str | None = None, target: str | None = None) -> str:
    """The listing of the entries from `since` to `until`: of one activity, or (by its id) of one
    target resource, as the directoryAudit reference documents the filters (targetResources: `eq`
    on id; no `or` is documented, so one target per request)."""
    clauses = [f"activityDateTime ge {since}", f"activityDateTime le {until}"]
    if activity is not None:
        clauses.append(f"activityDisplayName eq {_literal(activity)}")
    if target is not None:
        clauses.append(f"targetResources/any(t: t/id eq {_literal(target)})")
    return f"/auditLogs/directoryAudits?$filter={quote(' and '.join(clauses), safe='')}&$top={PAGE_SIZE}"


async def entry_pages(client: GraphClient, path: str) -> AsyncIterator[list[AuditEntry]]:
    """Each page of the listing `path`, decoded; CollectionError naming the item Graph should not send."""
    async for page in client.pages(path):
        out: list[AuditEntry] = []
        for i, raw in enumerate(page):
            try:
                out.append(entry_from_graph(raw))
            except BadAudit as exc:
                raise CollectionError(
                    f"GET /auditLogs/directoryAudits returned an entry Graph should not send: item {i}: "
                    f"{clean_message(str(exc))}; report it with the request id"
                ) from None
        yield out


def _granted(claims: TokenClaims | None) -> bool:
    """False only when an app token's roles are known and lack AuditLog.Read.All."""
    if claims is None or claims.delegated:
        return True
    return claims.roles is not None and bool(AUDIT_LOG.satisfied_by & set(claims.roles))


def audit_windows(causes_since: datetime | None, account_states: bool = False) -> dict[str, datetime]:
    """Activity -> since when to read it for the whole tenant: every activity of ACTIVITIES since
    `causes_since` (the nightly causes). Empty when not asked for. With `account_states` (grace_days)
    the ACCOUNT_STATE ones are account_state.py's: it reads them back KEPT_DAYS, and for the whole
    tenant at least since `causes_since`."""
    if not causes_since:
        return {}
    return {activity: causes_since for activity in ACTIVITIES if not (account_states and activity in ACCOUNT_STATE)}


class AccountRead(Protocol):
    """The account-state entries grace_days reads (account_state.AccountStates), from `since`."""

    since: datetime

    async def read(self, client: GraphClient) -> list[AuditEntry]: ...


async def read_audits(
    client: GraphClient,
    windows: Mapping[str, datetime],
    until: datetime,
    claims: TokenClaims | None,
    gaps: list[Gap],
    accounts: AccountRead | None = None,
) -> DirectoryAudits | None:
    """The entries of each activity of `windows` since its time up to `until`, and `accounts`'
    entries, newest first (the snapshot's `since` is the earliest); None (with a gap) when not
    readable."""
    start = iso(min([*windows.values(), *((accounts.since,) if accounts is not None else ())]))
    end = iso(until)
    if not _granted(claims):
        gaps.append(Gap(PART, "GET /auditLogs/directoryAudits", describe_missing((AUDIT_LOG,))))
        return None

    async def one(activity: str) -> list[AuditEntry]:
        return [
            e async for page in entry_pages(client, audit_path(iso(windows[activity]), end, activity)) for e in page
        ]

    try:
        found = await together(*(one(a) for a in windows), *((accounts.read(client),) if accounts else ()))
    except GraphRequestError as exc:
        if exc.status != 403:
            raise
        reason = f"Graph answered 403 {exc.code}: {exc.graph_message}".strip()
        gaps.append(
            Gap(PART, exc.request, f"{reason} (needs the application permission AuditLog.Read.All, with admin consent)")
        )
        return None
    seen: set[str] = set()
    entries = []
    for entry in sorted((e for batch in found for e in batch), key=lambda e: (e.when, e.id), reverse=True):
        if entry.id not in seen:
            seen.add(entry.id)
            entries.append(entry)
    return DirectoryAudits(start, end, tuple(entries))
