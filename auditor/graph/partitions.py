"""Partitioned parallel reading of GET /users, and the proof that it read every user.

Real Graph takes roughly 0.5-3 s per page of users, and a listing is a chain (each page's
@odata.nextLink comes with the page before it), so a million users read one page after another
take most of an hour. Split by the first character of userPrincipalName, the listing becomes
independent chains that Graph serves at the same time:

    GET /users?$filter=startswith(userPrincipalName,'a')&$select=...&$top=500     (each letter)
    GET /users?$filter=startswith(userPrincipalName,'0') or ... '9')&...           (the digits)
    GET /users?$filter=startswith(userPrincipalName,'''') or ... '~')&...          (the other characters)

Graph documents startsWith on userPrincipalName as a default query (no ConsistencyLevel header),
its comparison is case-insensitive, and the query-parameters page combines startsWith clauses
with `or`. Entra ID allows A-Z, a-z, 0-9 and ' . - _ ! # ^ ~ in a user name; a guest's UPN
starts with the guest's e-mail address, whose local part may also start with $ % & * + / = ? `
{ | }. Every one of those characters starts a partition. See docs/graph.md.

Proof of completeness: GET /users/$count (ConsistencyLevel: eventual) before the read, and after
it (asked beside the last pages: once every partition has started and about two pages a stream
are left).
The union of the partitions' user ids must not fall short of the smaller count by more than the
two counts differ (users created or deleted while the tenant was read cannot be told apart from
users missed; in a tenant that did not change, the tolerance is zero). A shortfall beyond that (a
UPN starting with a character outside the partitions, a user renamed from a partition not yet
read into one already read) re-reads /users one page after another; if that read falls short of
a fresh count too, the users part is a gap (exit 3).

When Graph refuses a partition (400) the read falls back to one page after another, says so on
stderr and among the report's warnings. A user returned twice (renamed while read) follows the
sequential read's rule: an identical copy is dropped, a different one stops the run.

Not loaded by `--help`, `validate` or snapshot audits (imports the client).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..errors import AuthError, CollectionError
from ..model import Gap, User
from .client import GraphClient, GraphRequestError
from .pacing import budget_streams, tenant_units
from .progress import Progress

EVENTUAL = {"ConsistencyLevel": "eventual", "Accept": "text/plain"}
# First letters, most frequent first (given names and common UPN schemes), so the longest
# partitions start first and the last ones to finish are short.
LETTERS = "jmsadckrlbtepnghfvwiyozuqx"
DIGITS = "0123456789"
# The other characters a user name may start with: Entra ID's ' . - _ ! # ^ ~, then those an
# e-mail local part (a guest's UPN) may start with, in groups of at most ten clauses.
SPECIALS = ("'.-_!#^~", "$%&*+/=?`{|}")
# Partitioning pays once the chain is long: P partitions cost about P requests of their own,
# so with N streams it wins when pages * (N - 1) > P. MIN_PAGES keeps small tenants sequential.
MIN_PAGES = 4
# The read is about to end when every partition has started and this many pages a stream are left:
# what can be asked for at its end (the second count, the usage reports) is asked then.
NEAR_END_PAGES = 2


@dataclass(frozen=True)
class Partition:
    """Users whose userPrincipalName starts with one of `chars` (case-insensitively)."""

    chars: str

    @property
    def filter(self) -> str:
        return " or ".join(f"startswith(userPrincipalName,'{c.replace(chr(39), chr(39) * 2)}')" for c in self.chars)

    def split(self) -> list[Partition]:
        return [Partition(c) for c in self.chars]


def partitions() -> list[Partition]:
    """Every partition, the likely largest first; together they cover every character above."""
    return [*(Partition(c) for c in LETTERS), Partition(DIGITS), *(Partition(s) for s in SPECIALS)]


def partition_path(users_path: str, part: Partition) -> str:
    """`users_path` (GET /users?$select=...&$top=...) restricted to one partition."""
    return f"{users_path}&$filter={quote(part.filter, safe='')}"


def worth_partitioning(total: int, page_size: int, concurrency: int) -> bool:
    pages = math.ceil(total / page_size)
    return concurrency > 1 and pages >= MIN_PAGES and pages * (concurrency - 1) > len(partitions())


class Refused(Exception):
    """Graph refused a partition's filter (400): read /users one page after another instead."""

    def __init__(self, error: GraphRequestError) -> None:
        super().__init__(str(error))
        self.error = error


# A users listing is bounded by the users it returns, not only by its pages (GraphClient.max_pages
# alone lets 50,000 pages of 999 new users each through): at most twice GET /users/$count. $count
# lags by seconds, never by half the tenant; the 1,000 more keep a tiny tenant's count from
# stopping a read that met a few users created meanwhile. A listing read one page after another
# asks for the count once it passes COUNT_AFTER users; when no count can be had, UNCOUNTED_CAP
# bounds it (far above the directory's default object quota of 300,000 objects with a verified
# domain, docs/graph.md).
COUNT_AFTER = 50_000
UNCOUNTED_CAP = 5_000_000


def users_cap(counted: int | None) -> int:
    """The most users a listing may return when GET /users/$count reported `counted` (None: unknown)."""
    return UNCOUNTED_CAP if counted is None else max(2 * counted, counted + 1000)


def check_cap(read: int, counted: int | None, path: str) -> None:
    """CollectionError (nothing partial used) once `read` users passed users_cap(counted)."""
    if read <= users_cap(counted):
        return
    against = (f"GET /users/$count reports {counted:,}" if counted is not None
               else f"no count could be read and {UNCOUNTED_CAP:,} is the most read without one")
    raise CollectionError(f"GET {path.split('?')[0]} returned {read:,} users while {against}; stopped reading a "
                          "listing that does not end — nothing partial was used; re-run, and report it if it "
                          "persists")


async def count_users(client: GraphClient) -> int:
    """GET /users/$count (ConsistencyLevel: eventual): the users in the tenant, as Graph's
    eventually consistent index has them. CollectionError when not answered with a number."""
    response = await client.fetch("/users/$count", headers=EVENTUAL)
    text = response.content.strip()
    if not text.isdigit() or len(text) > 11:  # bytes: ASCII digits only
        raise CollectionError(f"GET /users/$count returned {text[:40]!r}, not a number of users")
    return int(text)


class Gathered:
    """The users read so far, one table per chain of pages (a partition, or the one sequential
    chain), each user once. Paging under change can repeat a user (renamed while read, or moved
    between pages): an identical copy is dropped (it would count twice and make a snapshot the
    reader rejects); a copy that differs cannot be settled, so the run stops."""

    def __init__(self) -> None:
        self.tables: list[list[User]] = []  # in the order the chains were started
        self.ids: set[str] = set()  # of the users read

    def __len__(self) -> int:
        return len(self.ids)

    def chain(self) -> list[User]:
        table: list[User] = []
        self.tables.append(table)
        return table

    def add(self, table: list[User], page: list[User], path: str) -> None:
        """Add `page`'s users not read before to `table` (one of this gathering's chains)."""
        before = len(self.ids)
        self.ids.update(u.id for u in page)
        if len(self.ids) - before == len(page):
            table.extend(page)
            return
        # Rare, so this path may be slow: look each user up among every chain read so far.
        index = {u.id: (t, pos) for t in self.tables for pos, u in enumerate(t)}
        for user in page:
            uid = user.id
            hit = index.get(uid)
            if hit is None:
                table.append(user)
                index[uid] = (table, len(table) - 1)
            elif hit[0][hit[1]] != user:
                raise CollectionError(
                    f"GET {path.split('?')[0]} returned user {uid} ({user.user_principal_name}) twice with "
                    "different data (the tenant changed while it was read); re-run the collection")

    def users(self) -> list[User]:
        """Every chain's users, in the order the chains were started: the first chain's table
        takes the others' users, each let go once taken (never a second copy of them all)."""
        tables, self.tables = self.tables, []
        if not tables:
            return []
        out = tables[0]
        for i in range(1, len(tables)):
            out.extend(tables[i])
            tables[i] = out  # the taken table is dropped here
        return out


class PartitionedRead:
    """Read every partition of `path`, at most `concurrency` at once, into one table of users.

    `fast`/`slow` decode a page (GraphClient.pages) into a list of users. `expected`:
    the users GET /users/$count reported before the read; `near_end` is called once, when the read
    is about to end (see `after`)."""

    def __init__(self, client: GraphClient, progress: Progress, path: str, *, concurrency: int,
                 fast: Callable[[bytes], Any], slow: Callable[[list[Any]], list[User]],
                 page_size: int, expected: int | None = None, on_page: Callable[[list[User]], None] | None = None,
                 near_end: Callable[[], None] | None = None, shared: bool = False) -> None:
        self.client = client
        self.shared = shared  # each partition holds a stream of the directory budget (Pacing.stream)
        self.progress = progress
        self.path = path
        self.concurrency = concurrency
        self.fast = fast
        self.slow = slow
        self.on_page = on_page
        self.gathered = Gathered()
        self.done = 0
        self.total = 0
        self.queue: deque[Partition] = deque()
        # users left when the read counts as about to end: two pages a stream
        self._end_margin = NEAR_END_PAGES * page_size * concurrency
        self._expected = expected
        self._near_end = near_end
        self._after: asyncio.Future[int | None] | None = None  # GET /users/$count at the end (`after`)

    async def run(self) -> list[User]:
        queue = self.queue = deque(partitions())
        self.total = len(queue)
        self.progress.partitions(0, self.total)

        async def worker() -> None:
            while True:
                if not queue:
                    self._check_end()
                    return
                part = queue.popleft()
                try:
                    if self.shared:
                        async with self.client.pacing.stream(1):  # GET users with $select: a unit
                            await self._read(part)
                    else:
                        await self._read(part)
                except Refused:
                    if len(part.chars) == 1:
                        raise
                    # a group of clauses refused: its characters one by one (each a documented query)
                    queue.extendleft(reversed(part.split()))
                    self.total += len(part.chars) - 1
                    self.progress.partitions(self.done, self.total)
                    continue
                self.done += 1
                self.progress.partitions(self.done, self.total)

        workers = [asyncio.ensure_future(worker()) for _ in range(min(self.concurrency, len(queue)))]
        try:
            await asyncio.gather(*workers)
        except BaseException:
            if self._after is not None:
                self._after.cancel()
                await asyncio.gather(self._after, return_exceptions=True)
            raise
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return self.gathered.users()

    def _check_end(self) -> None:
        """The read is about to end once every partition has started and at most two pages a
        stream of the users counted before are left to read."""
        if self._after is not None or self.queue:
            return
        if self._expected is None or self._expected - len(self.gathered) <= self._end_margin:
            self._ending()

    def _ending(self) -> None:
        if self._after is None:
            self._after = asyncio.ensure_future(_count_or_none(self.client))
            if self._near_end is not None:
                self._near_end()

    async def after(self) -> int | None:
        """GET /users/$count after the read, or None when it failed. It is asked when the read is
        about to end (`_check_end`), so it overlaps the last pages instead of following them; every
        partition's read began before it. A user deleted after the count but before its page was
        read looks missed, which only reads /users again (the safe side); asking earlier than the
        last few pages would make that likelier in a tenant whose users mostly start with one
        character (its partition can be most of the read)."""
        self._ending()
        assert self._after is not None
        return await self._after

    async def _read(self, part: Partition) -> None:
        path = partition_path(self.path, part)
        table = self.gathered.chain()
        first = True
        try:
            page: list[User]
            async for page in self.client.pages(path, fast=self.fast, slow=self.slow):
                first = False
                self.gathered.add(table, page, path)
                check_cap(len(self.gathered), self._expected, path)
                self.progress.users_page(len(page))
                if self.on_page is not None:
                    self.on_page(page)
                self._check_end()
        except GraphRequestError as exc:
            if exc.status == 400 and first:
                raise Refused(exc) from None
            raise


@dataclass(frozen=True)
class Check:
    """Users read against GET /users/$count before and after: `short` users beyond the tolerance."""

    read: int
    before: int
    after: int | None

    @property
    def tolerance(self) -> int:
        return abs(self.after - self.before) if self.after is not None else 0

    @property
    def short(self) -> int:
        low = min(self.before, self.after) if self.after is not None else self.before
        return max(low - self.read - self.tolerance, 0)

    def describe(self) -> str:
        counts = f"{self.before:,}" if self.after in (None, self.before) else f"{self.before:,} then {self.after:,}"
        return f"read {self.read:,} users while GET /users/$count reported {counts}"

    def gap(self) -> Gap:
        return Gap("users", "GET /users/$count", f"{self.describe()}: {self.short:,} user(s) may be missing, also "
                                                 "after reading /users again one page after another — re-run; if it "
                                                 "persists, report it")


@dataclass
class UsersRead:
    """How the collector reads /users: everything read_users needs from it."""

    client: GraphClient
    progress: Progress
    path: str  # GET /users?$select=...&$top=...
    page_size: int
    concurrency: int | None  # partitions at once (None: as many as the tenant's budget allows)
    fast: Callable[[bytes], Any]
    slow: Callable[[list[Any]], list[User]]
    sequential: Callable[[], Any]  # an awaitable of every user, read one page after another
    notes: list[str]  # for stderr and the report's warnings
    gaps: list[Gap]
    on_page: Callable[[list[User]], None] | None = None  # each page of users, as read
    near_end: Callable[[], None] | None = None  # once, when a partitioned read is about to end


async def read_users(how: UsersRead) -> list[User]:
    """Every user: in partitions when the tenant is large enough and concurrency allows, proven
    complete against GET /users/$count; otherwise (or when that fails) one page after another."""
    if how.concurrency is not None and how.concurrency <= 1:
        users: list[User] = await how.sequential()
        return users
    try:
        before = await count_users(how.client)
    except AuthError:
        raise
    except CollectionError as exc:
        how.progress.note(f"could not count the users ({exc}); reading them one page after another")
        users = await how.sequential()
        return users
    how.progress.expect(before)
    if how.concurrency is None:
        how.client.pacing.counted(before)  # the directory streams share the bucket of this tenant's size
    streams = how.concurrency or budget_streams(before, cap=len(partitions()))
    if not worth_partitioning(before, how.page_size, streams):
        users = await how.sequential()
        return users
    if how.concurrency is None:
        how.progress.note(f"reading /users in {streams} partitions at once (the directory budget of a tenant of "
                          f"{before:,} users: {tenant_units(before):,} resource units per 10 s)")
    reader = PartitionedRead(how.client, how.progress, how.path, concurrency=streams, fast=how.fast,
                             slow=how.slow, page_size=how.page_size, expected=before,
                             on_page=how.on_page, near_end=how.near_end, shared=how.concurrency is None)
    try:
        users = await reader.run()
    except Refused as exc:
        _say(how, f"Graph refused the partitioned read of /users ({exc.error.request} answered {exc.error.status} "
                  f"{exc.error.code or '(no code)'}); the users were read one page after another instead")
        how.progress.restart()
        users = await how.sequential()
        return users
    after = await reader.after()
    check = Check(len(users), before, after)
    if not check.short:
        return users
    _say(how, f"the partitioned read of /users {check.describe()}; the users were read again one page after "
              "another")
    del users
    how.progress.restart()
    users = await how.sequential()
    again = Check(len(users), after if after is not None else before, await _count_or_none(how.client))
    if again.short:
        how.gaps.append(again.gap())
    return users


async def _count_or_none(client: GraphClient) -> int | None:
    try:
        return await count_users(client)
    except AuthError:
        raise
    except CollectionError:
        return None


def _say(how: UsersRead, text: str) -> None:
    how.progress.note(text)
    how.notes.append(text)
