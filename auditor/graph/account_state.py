"""When the accounts the rules could flag were disabled (`grace_days`): the audit log's account-state
entries, read whichever way costs fewer requests.

The audit log is Graph's dearest read: 5 requests per 10 s per app and tenant (pacing.py), and a
tenant whose HR system updates its users writes thousands of "Update user" entries a day. Only the
entries of the accounts `disabled-user-licensed` could flag decide a finding's disable time: the
candidates, licensed and disabled, without an employeeLeaveDateTime (which comes first). Two ways
to read them, back KEPT_DAYS (up to where the nightly causes' listings begin, when they are read):

    tenant-wide   one listing per activity of ACCOUNT_STATE, every page:
        GET /auditLogs/directoryAudits?$filter=activityDateTime ge <since> and activityDateTime le <until>
            and activityDisplayName eq 'Update user'&$top=500
    by account    one listing per candidate, every activity of it (the account-state ones kept):
        GET /auditLogs/directoryAudits?$filter=activityDateTime ge <since> and activityDateTime le <until>
            and targetResources/any(t: t/id eq '<user id>')&$top=500

Microsoft's directoryAudit reference documents `$filter` (`eq`) on targetResources' id, and no `or`,
so by account costs a request per candidate (more only for an account with over 500 entries).

The choice (Choice.AUTO): the tenant-wide listings start at once, beside the users. Once every user
is in and the candidates are known, the pages still to read tenant-wide are estimated from how far
back the pages read reach (entries come newest first: pages read × time left ÷ time covered); when
the candidates are fewer, the listings stop, what they read is dropped, and each candidate's
entries are read instead. A progress line says which way, how many requests, and how long that
takes at the published rate.

With the nightly causes (`recent`: the baseline's read), every account's entries since then are
wanted anyway, so the tenant-wide listings read them, and hold at their first page reaching further
back (no page before `recent` is asked for) until the users are in and the choice is made: then they
go on to `since` (the tenant's way) or stop there, and the candidates' entries before `recent` are
read one listing each.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from auditor.data.audit_entries import ACCOUNT_STATE, AuditEntry
from auditor.data.model import User

from .client import GraphClient, together
from .directory_audits import audit_path, entry_pages, iso
from .pacing import AUDIT_REQUESTS, AUDIT_WINDOW
from .progress import Progress, duration

RATE = AUDIT_REQUESTS / AUDIT_WINDOW  # the audit log's published rate: requests per second


class Choice(Enum):
    AUTO = "auto"  # whichever costs fewer requests (the module's docstring)
    TENANT = "tenant"  # the whole tenant's account-state entries
    ACCOUNTS = "accounts"  # the candidates' entries, one listing each


def candidates(users: Iterable[User]) -> list[str]:
    """The ids of the accounts whose disable time can decide a finding: licensed, disabled, and
    without an employeeLeaveDateTime (auditor.impact.services.DisableTimes reads that first)."""
    return [u.id for u in users if u.assigned_licenses and not u.account_enabled and not u.employee_leave_date_time]


def at_rate(requests: float) -> str:
    """How long `requests` audit-log requests take at the published rate."""
    return duration(requests / RATE)


class _Listing:
    """One activity's tenant-wide listing, read in the background, with how far back it reached.
    With `hold_at`, it waits at the first page reaching further back than that (`held`) until told
    to go on (`go_on(True)`) or to stop there (`go_on(False)`)."""

    def __init__(self, activity: str, since: datetime, until: datetime, hold_at: datetime | None = None) -> None:
        self.path = audit_path(iso(since), iso(until), activity)
        self.since, self.until = since, until
        self.entries: list[AuditEntry] = []
        self.pages = 0
        self.done = False
        self.oldest: datetime | None = None
        self.answered = asyncio.Event()  # the first page came, or the listing ended
        self.hold_at = hold_at
        self.held = asyncio.Event()  # reached back past hold_at, or ended
        self._go = asyncio.Event()
        self._on = True

    async def run(self, client: GraphClient) -> None:
        try:
            async for page in entry_pages(client, self.path):
                self.pages += 1
                self.entries.extend(page)
                if page:
                    oldest = min(e.when for e in page)
                    self.oldest = oldest if self.oldest is None else min(self.oldest, oldest)
                self.answered.set()
                if self.hold_at is not None and self.oldest is not None and self.oldest < self.hold_at:
                    self.hold_at = None
                    self.held.set()
                    await self._go.wait()  # no further page is asked for meanwhile (no read-ahead here)
                    if not self._on:
                        return
            self.done = True
        finally:
            self.answered.set()
            self.held.set()

    def go_on(self, on: bool) -> None:
        self._on = on
        self._go.set()

    def left(self) -> float:
        """The pages still to read, estimated (the entries of the time covered so far spread evenly)."""
        if self.done:
            return 0
        if self.oldest is None:
            return math.inf
        covered = (self.until - self.oldest).total_seconds()
        remaining = max(0.0, (self.oldest - self.since).total_seconds())
        return math.inf if covered <= 0 else math.ceil(self.pages * remaining / covered)


@dataclass
class AccountStates:
    """The account-state entries from `since` to `until` (auditor.graph.directory_audits.AccountRead).
    `users`: every user, once read (the candidates are among them). `recent`: from then on every
    account's entries are wanted (the nightly causes' interval), so they are read for the whole
    tenant either way, and by account only before it. `chosen`: the way read, after read()."""

    since: datetime
    until: datetime
    users: Awaitable[Iterable[User]]
    progress: Progress
    choice: Choice = Choice.AUTO
    recent: datetime | None = None
    chosen: Choice | None = field(default=None, init=False)

    async def read(self, client: GraphClient) -> list[AuditEntry]:
        if self.recent is not None and self.choice is not Choice.TENANT:
            return await self._after_recent(client, self.recent)
        listings = (
            []
            if self.choice is Choice.ACCOUNTS
            else [_Listing(activity, self.since, self.until) for activity in ACCOUNT_STATE]
        )
        async with _running(listings, client) as tasks:
            ids = await self._candidates(tasks, [listing.answered for listing in listings])
            left = sum(listing.left() for listing in listings) if self.choice is not Choice.ACCOUNTS else math.inf
            if self.choice is Choice.ACCOUNTS or (self.choice is Choice.AUTO and len(ids) < left):
                # the tenant's listings stop: what they read is dropped
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self.chosen = Choice.ACCOUNTS
                self._say_accounts(len(ids), left)
                return await _each_account(client, ids, self.since, self.until)
            self.chosen = Choice.TENANT
            self._say_tenant(left, len(ids))
            await asyncio.gather(*tasks)
        return [e for listing in listings for e in listing.entries]

    async def _after_recent(self, client: GraphClient, recent: datetime) -> list[AuditEntry]:
        """With the nightly causes: the whole tenant's entries since `recent` (the causes need every
        account's); before it, back to `since`, the candidates' or the tenant's, whichever costs fewer
        requests (Choice.ACCOUNTS: the candidates'). The tenant-wide listings hold at the first page
        reaching past `recent` until that is chosen, so nothing before it is listed for the whole
        tenant unless that way is chosen."""
        listings = [_Listing(activity, self.since, self.until, hold_at=recent) for activity in ACCOUNT_STATE]
        async with _running(listings, client) as tasks:
            ids = await self._candidates(tasks, [listing.held for listing in listings])
            left = sum(listing.left() for listing in listings)
            by_account = recent > self.since and (self.choice is Choice.ACCOUNTS or len(ids) < left)
            for listing in listings:
                listing.go_on(not by_account)
            if by_account:
                self.chosen = Choice.ACCOUNTS
                self._say_accounts(len(ids), left)
                before = await _each_account(client, ids, self.since, recent)
            else:
                self.chosen = Choice.TENANT
                self._say_tenant(left, len(ids))
                before = []
            await asyncio.gather(*tasks)
        return before + [e for listing in listings for e in listing.entries if not by_account or e.when >= recent]

    async def _candidates(self, tasks: Sequence[asyncio.Future[None]], reached: Sequence[asyncio.Event]) -> list[str]:
        """The accounts the rules could flag, once the users are in and every listing has reached
        its point (`reached`); a listing that failed by then fails the read."""
        # shielded: this read may be cancelled (a sibling listing failed) while the users are still coming
        ids = candidates(await asyncio.shield(self.users))
        await asyncio.gather(*(event.wait() for event in reached))
        for task in tasks:
            if task.done():
                task.result()
        return ids

    def _say_accounts(self, accounts: int, tenant_pages: float) -> None:
        instead = f" (the whole tenant's: about {tenant_pages:,.0f} more pages)" if math.isfinite(tenant_pages) else ""
        before = " before the baseline's read" if self.recent is not None else ""
        self.progress.note(
            f"audit log: the account-state entries of the {accounts:,} disabled licensed accounts{before}, one "
            f"request each, about {at_rate(accounts)} at Graph's 5 requests per 10 s{instead}"
        )

    def _say_tenant(self, pages: float, accounts: int) -> None:
        before = " before the baseline's read" if self.recent is not None else ""
        by_account = f"(reading them by account would take {accounts:,} requests)"
        if round(pages) == 0:  # the first pages reached back as far as the log is read
            self.progress.note(f"audit log: all the tenant's account-state entries{before} read {by_account}")
            return
        self.progress.note(
            f"audit log: about {pages:,.0f} more pages of the tenant's account-state entries{before}, about "
            f"{at_rate(pages)} at Graph's 5 requests per 10 s {by_account}"
        )


async def _each_account(client: GraphClient, ids: Sequence[str], since: datetime, until: datetime) -> list[AuditEntry]:
    """Each account's account-state entries from `since` to `until`, one listing an account."""
    turns = asyncio.Semaphore(AUDIT_REQUESTS)  # no more waiting at once than the budget lets go
    start, end = iso(since), iso(until)

    async def one(user_id: str) -> list[AuditEntry]:
        async with turns:
            return [
                e
                async for page in entry_pages(client, audit_path(start, end, target=user_id))
                for e in page
                if e.activity in ACCOUNT_STATE
            ]

    found = await together(*(one(i) for i in ids))
    return [e for batch in found for e in batch]


@asynccontextmanager
async def _running(listings: Sequence[_Listing], client: GraphClient) -> AsyncIterator[Sequence[asyncio.Future[None]]]:
    """The listings started as tasks; all cancelled (and awaited) if the read fails."""
    tasks = [asyncio.ensure_future(listing.run(client)) for listing in listings]
    try:
        yield tasks
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
