"""Partitioned parallel reading of GET /users, and the proof that it read every user.

Real Graph takes roughly 0.5-3 s per page of users, and a listing is a chain (each page's
@odata.nextLink comes with the page before it), so a million users read one page after another
take most of an hour. Split by the first character of userPrincipalName, the listing becomes
independent chains that Graph serves at the same time:

    GET /users?$filter=startswith(userPrincipalName,'a')&$select=...&$top=999     (each letter)
    GET /users?$filter=startswith(userPrincipalName,'0') or ... '9')&...           (the digits)
    GET /users?$filter=startswith(userPrincipalName,'''') or ... '~')&...          (the other characters)

Graph documents startsWith on userPrincipalName as a default query (no ConsistencyLevel header),
its comparison is case-insensitive, and the query-parameters page combines startsWith clauses
with `or`. Entra ID allows A-Z, a-z, 0-9 and ' . - _ ! # ^ ~ in a user name; a guest's UPN
starts with the guest's e-mail address, whose local part may also start with $ % & * + / = ? `
{ | }. Every one of those characters starts a partition. See docs/graph.md.

A first character can hold a large share of the tenant (a tenth of it starts with 'm' or 'j' in
many, nearly all of it in one of numbered accounts), and a partition is a chain of its own. So in a
tenant of COUNT_FROM_PAGES pages or more, each partition is counted first (GET /users/$count with
its filter, ConsistencyLevel: eventual); one longer than twice its fair share (the tenant's pages
over the streams; and than SPLIT_PAGES) is read as narrower partitions instead, the largest first:

    startswith(userPrincipalName,'ma'), ... 'mz', then 'm0' or ... 'm9', then the other characters
    (a UPN's second character may also be the '@')

and one of several prefixes is read one prefix at a time; the narrower ones are counted in turn
when the wider one was over twice that limit, down to MAX_PREFIX characters. Narrowing costs
requests (each narrower partition ends in a page of its own, or an empty one), so a partition
only somewhat longer than its share is read whole. The counts only plan the read: a failed one
reads the partition whole, and completeness is proven as below.

Proof of completeness, of a read in partitions or in one chain: GET /users/$count (ConsistencyLevel:
eventual) before the read, and after it (beside the last pages of partitions, once every one has
started and about two pages a stream are left). The user ids read must not fall short of the
smaller count by more than the two counts differ (users created or deleted meanwhile look missed).
A shortfall beyond that (a UPN outside the partitions, a user renamed into a partition already read,
a page cut short) re-reads /users in one chain; short of a fresh count too, a users gap (exit 3).

When Graph refuses a partition (400) the read falls back to one page after another, says so on
stderr and among the report's warnings. A user returned twice (renamed while read) follows the
sequential read's rule: an identical copy is dropped, a different one stops the run.

Not loaded by `--help`, `validate` or snapshot audits (imports the client).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from auditor.common.errors import AuthError, CollectionError
from auditor.common.numbers import english_count
from auditor.data.model import Gap, User

from .client import GraphClient, GraphRequestError
from .counts import COUNT_AFTER as COUNT_AFTER  # re-exported: the users listing's reads import them here
from .counts import UNCOUNTED_CAP as UNCOUNTED_CAP
from .counts import check_cap as check_cap
from .counts import count_at, count_or_none, uncounted_gap
from .counts import users_cap as users_cap
from .pacing import budget_streams, tenant_units
from .progress import Progress

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
# The characters that may follow a prefix, in groups: a partition's narrower ones (Partition.narrower).
# After the first character of a UPN the '@' may come (a one-character local part).
FOLLOWING = (*LETTERS, DIGITS, SPECIALS[0] + "@", SPECIALS[1])
# The read is about to end when every partition has started and this many pages a stream are left:
# what can be asked for at its end (the second count, the usage reports) is asked then.
NEAR_END_PAGES = 2
# Partitions are counted (and the long ones narrowed) in a tenant of this many pages or more; a
# partition is narrowed when longer than twice the pages over the streams, and than SPLIT_PAGES; a
# prefix grows to MAX_PREFIX characters at most.
COUNT_FROM_PAGES = 100
SPLIT_PAGES = 10
MAX_PREFIX = 4
# The most streams of user pages in a tenant whose partitions are counted: narrowing gives streams
# beyond the first characters' partitions work of their own. A large tenant's bucket (8,000 units
# per 10 s) refills for 200 streams of a page each per pacing.FASTEST_PAGE; each stream holds a
# connection, and 64 keep the longest partition of a million users near a thirtieth of its pages.
MAX_STREAMS = 64


@dataclass(frozen=True)
class Partition:
    """Users whose userPrincipalName starts with one of `prefixes` (case-insensitively)."""

    prefixes: tuple[str, ...]

    @property
    def filter(self) -> str:
        return " or ".join(f"startswith(userPrincipalName,'{p.replace(chr(39), chr(39) * 2)}')" for p in self.prefixes)

    def split(self) -> list[Partition]:
        """One partition per prefix."""
        return [Partition((p,)) for p in self.prefixes]

    def narrower(self) -> list[Partition]:
        """Partitions that together hold this one's users, each fewer: one per prefix; for one
        prefix, that prefix followed by each group of FOLLOWING (none at MAX_PREFIX characters)."""
        if len(self.prefixes) > 1:
            return self.split()
        prefix = self.prefixes[0]
        if len(prefix) >= MAX_PREFIX:
            return []
        return [Partition(tuple(prefix + c for c in group)) for group in FOLLOWING]


def partitions() -> list[Partition]:
    """Every partition, the likely largest first; together they cover every character above."""
    return [*(Partition((c,)) for c in LETTERS), Partition(tuple(DIGITS)), *(Partition(tuple(s)) for s in SPECIALS)]


def partition_path(users_path: str, part: Partition) -> str:
    """`users_path` (GET /users?$select=...&$top=...) restricted to one partition."""
    return f"{users_path}&$filter={quote(part.filter, safe='')}"


def worth_partitioning(total: int, page_size: int, concurrency: int) -> bool:
    pages = math.ceil(total / page_size)
    return concurrency > 1 and pages >= MIN_PAGES and pages * (concurrency - 1) > len(partitions())


def stream_cap(total: int, page_size: int) -> int:
    """The most streams the users are read in: MAX_STREAMS when the partitions are counted (and so
    narrowed), else one a partition."""
    return MAX_STREAMS if math.ceil(total / page_size) >= COUNT_FROM_PAGES else len(partitions())


class Refused(Exception):
    """Graph refused a partition's filter (400): read /users one page after another instead."""

    def __init__(self, error: GraphRequestError) -> None:
        super().__init__(str(error))
        self.error = error


async def count_users(client: GraphClient, part: Partition | None = None) -> int:
    """GET /users/$count (ConsistencyLevel: eventual): the users in the tenant (or in `part`), as
    Graph's eventually consistent index has them. CollectionError when not answered with a number."""
    return await count_at(client, count_path(part))


def count_path(part: Partition | None = None) -> str:
    """GET /users/$count of the tenant, or of the users in `part`."""
    return "/users/$count" if part is None else f"/users/$count?$filter={quote(part.filter, safe='')}"


class Gathered:
    """The users read so far, one table per chain of pages (a partition, or the one sequential
    chain), each user once. Paging under change can repeat a user (renamed while read, or moved
    between pages): an identical copy is dropped (it would count twice and make a snapshot the
    reader rejects); a copy that differs cannot be settled, so the run stops."""

    def __init__(self) -> None:
        self.chains: list[tuple[tuple[str, ...], list[User]]] = []  # (its partition's prefixes, its users)
        self.ids: set[str] = set()  # of the users read

    def __len__(self) -> int:
        return len(self.ids)

    def chain(self, key: tuple[str, ...] = ()) -> list[User]:
        self.chains.append((key, []))
        return self.chains[-1][1]

    def add(self, table: list[User], page: list[User], path: str) -> None:
        """Add `page`'s users not read before to `table` (one of this gathering's chains)."""
        before = len(self.ids)
        self.ids.update(u.id for u in page)
        if len(self.ids) - before == len(page):
            table.extend(page)
            return
        # Rare, so this path may be slow: look each user up among every chain read so far.
        index = {u.id: (t, pos) for _, t in self.chains for pos, u in enumerate(t)}
        for user in page:
            uid = user.id
            hit = index.get(uid)
            if hit is None:
                table.append(user)
                index[uid] = (table, len(table) - 1)
            elif hit[0][hit[1]] != user:
                raise CollectionError(
                    f"GET {path.split('?')[0]} returned user {uid} ({user.user_principal_name}) twice with "
                    "different data (the tenant changed while it was read); re-run the collection"
                )

    def users(self) -> list[User]:
        """Every chain's users, in their partitions' order (not the order they started in, which
        differs from run to run): the first chain's table takes the others' users, each let go once
        taken (never a second copy of them all)."""
        tables, self.chains = [t for _, t in sorted(self.chains, key=lambda chain: chain[0])], []
        if not tables:
            return []
        out = tables[0]
        for i in range(1, len(tables)):
            out.extend(tables[i])
            tables[i] = out  # the taken table is dropped here
        return out


class Backlog:
    """The partitions not started yet, the largest first (by their count, else by their share of
    the wider partition's), and how many are being counted: a count may add narrower partitions,
    so a stream waits for it before it finds the backlog empty."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Partition, bool]] = []
        self._order = itertools.count()  # equal sizes: in the order added (LETTERS' order)
        self.counting = 0
        self._changed = asyncio.Event()

    def add(self, part: Partition, users: float, *, count: bool) -> None:
        """`users`: the partition's users, as far as known; `count`: count it before it is read."""
        heapq.heappush(self._heap, (-users, next(self._order), part, count))

    @property
    def settled(self) -> bool:
        """Every partition has started, and no count is left that could add one."""
        return not self._heap and not self.counting

    async def take(self) -> tuple[Partition, float, bool] | None:
        """The largest partition left (its users as far as known, and whether to count it first);
        None once the backlog is settled."""
        while not self._heap:
            if not self.counting:
                return None
            self._changed.clear()
            await self._changed.wait()
        users, _, part, count = heapq.heappop(self._heap)
        if count:  # counted from now on: a stream that finds the backlog empty waits for it
            self.counting += 1
        return part, -users, count

    def counted(self) -> None:
        """A count taken from the backlog is done (whatever it added is in the backlog)."""
        self.counting -= 1
        self._changed.set()


class PartitionedRead:
    """Read every partition of `path`, at most `concurrency` at once, into one table of users.

    `fast`/`slow` decode a page (GraphClient.pages) into a list of users. `expected`:
    the users GET /users/$count reported before the read; `near_end` is called once, when the read
    is about to end (see `after`)."""

    def __init__(
        self,
        client: GraphClient,
        progress: Progress,
        path: str,
        *,
        concurrency: int,
        fast: Callable[[bytes], Any],
        slow: Callable[[list[Any]], list[User]],
        page_size: int,
        expected: int | None = None,
        on_page: Callable[[list[User]], None] | None = None,
        near_end: Callable[[], None] | None = None,
        shared: bool = False,
    ) -> None:
        self.client = client
        self.shared = shared  # each partition holds a stream of the directory budget (Pacing.stream)
        self.progress = progress
        self.path = path
        self.concurrency = concurrency
        self.fast = fast
        self.slow = slow
        self.on_page = on_page
        self.page_size = page_size
        self.gathered = Gathered()
        self.done = 0
        self.total = 0
        self.backlog = Backlog()
        # the streams that read a partition: narrowing gives streams beyond the first characters'
        # partitions work of their own (the tests read this: what the read decided, whatever the
        # machine's load lets run at once)
        self.streams_read = 0
        # users left when the read counts as about to end: two pages a stream
        self._end_margin = NEAR_END_PAGES * page_size * concurrency
        self._expected = expected
        self._near_end = near_end
        self._after: asyncio.Future[int | None] | None = None  # GET /users/$count at the end (`after`)

    def longest(self) -> int | None:
        """The most pages a partition is read in whole: twice the tenant's pages over the streams,
        and at least SPLIT_PAGES (the module docstring); None: the tenant is too small for the
        partitions to be counted."""
        pages = math.ceil((self._expected or 0) / self.page_size)
        return max(SPLIT_PAGES, 2 * math.ceil(pages / self.concurrency)) if pages >= COUNT_FROM_PAGES else None

    async def run(self) -> list[User]:
        longest = self.longest()
        backlog = self.backlog
        for part in partitions():
            backlog.add(part, math.inf, count=longest is not None)
        self.total = len(partitions())
        self.progress.partitions(0, self.total)

        async def worker() -> None:
            read = False
            while True:
                taken = await backlog.take()
                if taken is None:
                    self._check_end()
                    return
                if self.shared:
                    async with self.client.pacing.stream(1):  # GET users with $select: a unit
                        done = await self._take(*taken, longest)
                else:
                    done = await self._take(*taken, longest)
                if done and not read:
                    read = True
                    self.streams_read += 1

        # counted partitions may be narrowed into more than there are first characters: every
        # stream then starts, and one waits for work while a count that could add some is out
        streams = self.concurrency if longest is not None else min(self.concurrency, self.total)
        workers = [asyncio.ensure_future(worker()) for _ in range(streams)]
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

    async def _take(self, part: Partition, users: float, count: bool, longest: int | None) -> bool:
        """Count `part` first when asked (narrowing it when it is longer than `longest` pages), then read
        it; whether it was read (not narrowed instead)."""
        if count:  # only in a read whose partitions are counted (`longest` is known)
            assert longest is not None
            try:
                counted = await count_or_none(self.client, count_path(part))
                narrower = self._narrow(part, counted, longest) if counted is not None else False
            finally:
                self.backlog.counted()
            if narrower:
                return False
            users = math.inf if counted is None else counted
        try:
            await self._read(part)
        except Refused:
            if len(part.prefixes) == 1:
                raise
            # a group of clauses refused: its prefixes one by one (each a documented query)
            singles = part.split()
            for single in singles:
                self.backlog.add(single, users, count=False)
            self._more(len(singles) - 1)
            return True
        self.done += 1
        self.progress.partitions(self.done, self.total)
        return True

    def _narrow(self, part: Partition, users: int, longest: int) -> bool:
        """Whether `part`, of `users` users, is longer than `longest` pages and so was replaced in
        the backlog by its narrower partitions (each counted in turn when `part` was over twice
        that: one of them could then be long too)."""
        narrower = part.narrower() if math.ceil(users / self.page_size) > longest else []
        for sub in narrower:
            self.backlog.add(sub, users / len(narrower), count=users > 2 * longest * self.page_size)
        if narrower:
            self._more(len(narrower) - 1)
        return bool(narrower)

    def _more(self, partitions: int) -> None:
        self.total += partitions
        self.progress.partitions(self.done, self.total)

    def _check_end(self) -> None:
        """The read is about to end once every partition has started and at most two pages a
        stream of the users counted before are left to read."""
        if self._after is not None or not self.backlog.settled:
            return
        if self._expected is None or self._expected - len(self.gathered) <= self._end_margin:
            self._ending()

    def _ending(self) -> None:
        if self._after is None:
            self._after = asyncio.ensure_future(count_or_none(self.client, count_path()))
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
        table = self.gathered.chain(part.prefixes)
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
    listed: bool = False  # `before` is the listing's own @odata.count (GET /users/$count failed)

    @property
    def tolerance(self) -> int:
        return abs(self.after - self.before) if self.after is not None else 0

    @property
    def short(self) -> int:
        low = min(self.before, self.after) if self.after is not None else self.before
        return max(low - self.read - self.tolerance, 0)

    @property
    def excess(self) -> int:
        """Users read beyond the larger count and the tolerance: the listing and the count disagree
        the other way (a count that lags, or a listing that holds users the directory does not count)."""
        high = max(self.before, self.after) if self.after is not None else self.before
        return max(self.read - high - self.tolerance, 0)

    def describe(self) -> str:
        counts = f"{self.before:,}" if self.after in (None, self.before) else f"{self.before:,} then {self.after:,}"
        by = "the first page's @odata.count" if self.listed and self.after is None else "GET /users/$count"
        return f"read {self.read:,} users while {by} reported {counts}"

    def gap(self) -> Gap:
        return Gap(
            "users",
            "GET /users" if self.listed and self.after is None else "GET /users/$count",
            f"{self.describe()}: {english_count(self.short, 'user', 'users')} may be missing, also "
            "after reading /users again one page after another — re-run; if it "
            "persists, report it",
        )


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
    # an awaitable of every user, read one page after another, and (asked for with True) the first
    # page's @odata.count (None: not asked for, or not given)
    sequential: Callable[[bool], Any]
    notes: list[str]  # for stderr and the report's warnings
    gaps: list[Gap]
    on_page: Callable[[list[User]], None] | None = None  # each page of users, as read
    near_end: Callable[[], None] | None = None  # once, when a partitioned read is about to end


async def read_users(how: UsersRead) -> list[User]:
    """Every user: in partitions when the tenant is large enough and concurrency allows, else one
    page after another; either way proven complete against GET /users/$count."""
    if how.concurrency is not None and how.concurrency <= 1:
        return await _sequential(how, None)
    try:
        before = await count_users(how.client)
    except AuthError:
        raise
    except CollectionError as exc:
        how.progress.note(f"could not count the users ({exc}); reading them one page after another")
        return await _sequential(how, None)
    how.progress.expect(before)
    if how.concurrency is None:
        how.client.pacing.counted(before)  # the directory streams share the bucket of this tenant's size
    streams = how.concurrency or budget_streams(before, cap=stream_cap(before, how.page_size))
    if not worth_partitioning(before, how.page_size, streams):
        return await _sequential(how, before)
    if how.concurrency is None:
        how.progress.note(
            f"reading /users in {streams} partitions at once (the directory budget of a tenant of "
            f"{before:,} users: {tenant_units(before):,} resource units per 10 s)"
        )
    reader = PartitionedRead(
        how.client,
        how.progress,
        how.path,
        concurrency=streams,
        fast=how.fast,
        slow=how.slow,
        page_size=how.page_size,
        expected=before,
        on_page=how.on_page,
        near_end=how.near_end,
        shared=how.concurrency is None,
    )
    try:
        users = await reader.run()
    except Refused as exc:
        _say(
            how,
            f"Graph refused the partitioned read of /users ({exc.error.request} answered {exc.error.status} "
            f"{exc.error.code or '(no code)'}); the users were read one page after another instead",
        )
        how.progress.restart()
        return await _sequential(how, before)
    return await _proven(how, users, before, await reader.after(), "partitioned read")


async def _sequential(how: UsersRead, before: int | None) -> list[User]:
    """The users in one chain, proven complete (_proven) against `before` (None: not counted; the
    chain's first page then asks for its @odata.count, the count used when GET /users/$count fails
    after it too). Without any count the listing is a users gap: nothing shows it whole."""
    users: list[User]
    users, listed = await how.sequential(before is None)
    after = await count_or_none(how.client, count_path())
    first = before if before is not None else after if after is not None else listed
    if first is None:
        how.gaps.append(uncounted_gap(len(users)))
        how.progress.note(f"users: {how.gaps[-1].reason}")
        return users
    return await _proven(how, users, first, after, "read", listed=before is None and after is None)


async def _proven(
    how: UsersRead, users: list[User], before: int, after: int | None, read: str, *, listed: bool = False
) -> list[User]:
    """`users` when not short of the counts (Check; `listed`: `before` is the listing's @odata.count);
    else /users read again in one chain, and, short of a fresh count too, a users gap (exit 3):
    never a complete tenant."""
    check = Check(len(users), before, after, listed)
    if not check.short:
        if check.excess:  # neither is trusted silently: the users read are used, the disagreement named
            _say(
                how,
                f"the {read} of /users {check.describe()}: {check.excess:,} more than counted; the users "
                "read are used (each one Graph listed), and the count is not",
            )
        return users
    _say(how, f"the {read} of /users {check.describe()}; the users were read again one page after another")
    del users
    how.progress.restart()
    again: list[User]
    again, _ = await how.sequential(False)
    last = Check(
        len(again), after if after is not None else before, await count_or_none(how.client, count_path()), listed
    )
    if last.short:
        how.gaps.append(last.gap())
    return again


def _say(how: UsersRead, text: str) -> None:
    how.progress.note(text)
    how.notes.append(text)
