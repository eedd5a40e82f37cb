"""Pacing by Graph's published budgets, so the collector keeps under them instead of meeting them as 429s.

Microsoft's "Microsoft Graph service-specific throttling limits"
(https://learn.microsoft.com/graph/throttling-limits; docs/graph.md, "Graph's throttling budgets"):

- identity and access reports (auditLogs/directoryAudits, auditLogs/signIns, and a List users that
  selects or filters on signInActivity): 5 requests per 10 s per app and tenant, and 122 per 10 s per
  app across all tenants. Every stream of the client takes a turn from one RequestWindow, so there
  are never more;
- "GET signInActivity": 10 requests per minute per app per tenant, and 10 per minute per app across
  all tenants (AppWindows.sign_in, one per app in the process: every tenant's sign-in reads take
  turns from it; a shard of several reading with the app at once takes its share of the lane in
  slots instead, auditor.graph.lane_share). A tenant of a multi-tenant run that has to wait for
  that lane says so to the run (LANE_WAIT, set by auditor.fleet for each tenant): it gives its place
  among the tenants at work to the next tenant while it waits, and takes one again once its request
  is answered;
- each Microsoft 365 usage report (/reports/get...(period=...)): 14 requests per 10 minutes per app
  and tenant, and the reports together 40 per 10 minutes per tenant for all apps;
- identity protection and Conditional Access (/identity/conditionalAccess/..., /identityProtection/...):
  1 request per second per tenant for all apps (its 429 carries no Retry-After: client.py waits a
  second then);
- directory reads: a bucket of resource units refilled over 10 s, whose size the client does not
  know; Graph says when 80 % of it is used (`x-ms-throttle-limit-percentage`, 0.8 to 1.8). While the
  last answer said so, directory requests go one at a time, each after the pause that lets the
  bucket refill to 75 % (it refills a tenth of itself per second); when an answer comes without the
  header, they go at full speed again.

- the per-app budget across tenants (150,000 units per 20 s): one AppBudget per app in the
  process, shared by every tenant's client (a multi-tenant run), taking each answer's
  x-ms-resource-unit; directory requests wait while it is spent.

The number of streams of user pages follows the tenant's bucket (budget_streams), not a fixed 4, and
so does that of the group member listings: every stream of directory pages holds, while it reads,
the units one of its pages costs (MEMBER_UNITS) from a StreamShare of what the bucket refills in
FASTEST_PAGE, the tenant's (Pacing.streams: the smallest bucket until the users are counted) and
the app's across tenants (AppBudget.streams) alike (Pacing.stream).

One Pacing per GraphClient, which is one app in one tenant. `seconds` scales the windows and
`scale` the units (tests use the emulator's budgets scaled the same way). `timer` is the clock the
windows read and the sleep every wait of the client goes through (its pacing, its retries, a 429's
hold): the wall clock (RealTime) unless a test gives one whose waits cost no wall time
(auditor_dev.emulator.VirtualTime, which the emulator's budgets read too).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextvars import ContextVar
from typing import Protocol

from auditor.common.numbers import whole_number

from .lane_share import LaneShare, SlotWindow, share_of, wall_epoch
from .shared_lane import SharedWindow, shared_limiter

AUDIT_REQUESTS, AUDIT_WINDOW = 5, 10.0  # identity and access reports, per app per tenant
APP_AUDIT_REQUESTS = 122  # the same, per app across all tenants, per AUDIT_WINDOW
SIGN_IN_REQUESTS, SIGN_IN_WINDOW = 10, 60.0  # GET signInActivity: per app per tenant, and per app across tenants
REPORT_REQUESTS, REPORT_WINDOW = 14, 600.0  # each usage report (CSV), per app per tenant
TENANT_REPORT_REQUESTS = 40  # usage reports (CSV) together, per tenant for all apps, per REPORT_WINDOW
CONDITIONAL_ACCESS_REQUESTS, CONDITIONAL_ACCESS_WINDOW = 1, 1.0  # per tenant for all apps
# the identity write quota (POST, PATCH, PUT, DELETE cost 1 each): per app and tenant, per app across
# tenants, per tenant for all apps
WRITE_REQUESTS, WRITE_WINDOW = 3_000, 150.0
APP_WRITE_REQUESTS, TENANT_WRITE_REQUESTS, WRITES_WINDOW = 35_000, 18_000, 300.0
CONDITIONAL_ACCESS_PATHS = ("/identity/conditionalAccess/", "/identityProtection/")
DIRECTORY_WINDOW = 10.0  # the directory bucket refills over this many seconds
# the directory bucket's resource units by the tenant's users: (fewer users than, units) then above
TENANT_UNITS, LARGE_TENANT_UNITS = ((50, 3_500), (501, 5_000)), 8_000
APP_UNITS, APP_WINDOW = 150_000, 20.0  # per app across tenants
# Not Microsoft's figure: the least time this program assumes a page of users takes on Graph (the
# benchmark's latency is 0.3 s), so a stream of user pages spends at most a unit per this long
FASTEST_PAGE = 0.25
CALM = 0.75  # the share of the bucket used that a paused request waits for
# What a page of a group's user members costs: Microsoft's base cost (groups/{id}/transitiveMembers 5,
# groups/{id}/members 3) less 1 for $select
MEMBER_UNITS = {"transitiveMembers": 4, "members": 2}
_LOOK_AGAIN = 0.02  # seconds between looks for room among the streams
PERCENTAGE = "x-ms-throttle-limit-percentage"
_OTHER_SERVICES = ("mailboxSettings", "sendMail", "$batch", "/download/")  # not the directory's budget


class Timer(Protocol):
    """The clock the pacing reads and the sleep the client waits with."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTime:
    """The wall clock: time.monotonic (the event loop's own clock) and asyncio.sleep."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


REAL_TIME = RealTime()


def reads_sign_ins(path: str, query: str) -> bool:
    """Whether a request is Microsoft's "GET signInActivity": a List users (or Get user) that selects
    or filters on signInActivity (`query`: the URL's query string, unquoted)."""
    segments = [s for s in path.split("/") if s]
    return "signInActivity" in query and "users" in (segments[-1:] + segments[-2:-1])


def tenant_units(users: int) -> int:
    """The directory bucket's resource units per 10 s of a tenant with `users` users."""
    return next((units for below, units in TENANT_UNITS if users < below), LARGE_TENANT_UNITS)


def budget_streams(users: int, units_per_page: int = 1, cap: int = 64) -> int:
    """How many streams of user pages (a unit each: GET users with $select) the tenant's bucket
    refills for at a page per FASTEST_PAGE, at most `cap` (the partitions there are)."""
    return max(1, min(cap, int(tenant_units(users) / DIRECTORY_WINDOW * FASTEST_PAGE / units_per_page)))


def stream_units(units_per_second: float) -> float:
    """The units streams may hold at once: what a budget refilling `units_per_second` refills while
    a page is read (FASTEST_PAGE), so streams reading a page each that fast spend no more."""
    return units_per_second * FASTEST_PAGE


class StreamShare:
    """Streams of directory pages sharing one budget: each holds the units one of its pages costs
    while it reads, and together they hold at most `capacity`, except that one stream may always
    go (a page dearer than the share must still be read). Thread-safe: the share of the budget
    across tenants is held by the clients of every tenant, each on its own event loop."""

    def __init__(self, capacity: float) -> None:
        self.capacity = capacity
        self.held = 0.0
        self.streams = 0
        self.peak = 0  # the most streams held at once (for the tests and the benchmark)
        self._lock = threading.Lock()

    def take(self, units: float) -> bool:
        with self._lock:
            if self.streams and self.held + units > self.capacity:
                return False
            self.held += units
            self.streams += 1
            self.peak = max(self.peak, self.streams)
            return True

    def give(self, units: float) -> None:
        with self._lock:
            self.held -= units
            self.streams -= 1


class AppBudget:
    """The per-app budget across tenants (150,000 units per 20 s), one for every client of the
    process that signs in as the app (app_budget): each directory answer's x-ms-resource-unit is
    taken from it, and while it is spent directory requests wait for it to refill."""

    def __init__(
        self, units: float = APP_UNITS, window: float = APP_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity, self.rate, self.clock = units, units / window, clock
        self.tokens = float(units)
        self._stamp = clock()
        self._lock = threading.Lock()
        self.streams = StreamShare(stream_units(self.rate))

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait(self) -> float:
        """Seconds until the budget has a unit again (0: now)."""
        with self._lock:
            self._refill()
            return 0.0 if self.tokens > 0 else (1 - self.tokens) / self.rate

    def spent(self, units: int) -> None:
        with self._lock:
            self._refill()
            self.tokens -= units


_APP_BUDGETS: dict[tuple[str, Timer, LaneShare | None], AppBudget] = {}
_APP_LOCK = threading.Lock()


def app_budget(app_id: str, seconds: float = 1.0, scale: float = 1.0, timer: Timer = REAL_TIME) -> AppBudget:
    """The one AppBudget of the process for `app_id` (every tenant it audits shares it; a test's
    virtual clock has its own): the process's share of the app's units when it has one."""
    share = share_of(app_id)
    units = APP_UNITS * scale / (share.n if share is not None else 1)
    with _APP_LOCK:
        budget = _APP_BUDGETS.get((app_id, timer, share))
        if budget is None:
            budget = _APP_BUDGETS[app_id, timer, share] = AppBudget(units, APP_WINDOW * seconds, timer.now)
        return budget


class LaneWait(Protocol):
    """A multi-tenant run's hold on one tenant's place among the tenants at work (auditor.fleet)."""

    def leave(self) -> bool:
        """Give the place to the next tenant while this one waits for the app's sign-in lane; False:
        it keeps it (the run lets only so many tenants wait so)."""
        ...

    def back(self) -> None:
        """Take a place again (blocking until one is free), after leave() gave it."""
        ...


# the tenant's LaneWait, in a multi-tenant run (each tenant's event loop runs in a context of its own)
LANE_WAIT: ContextVar[LaneWait | None] = ContextVar("lane_wait", default=None)


class RequestWindow:
    """At most `limit` requests in any `window` seconds. A request holds a turn while it is in
    flight and is counted from when its answer came back: Graph counts it from its arrival, which
    is earlier, so Graph never sees more than `limit` in a window. Thread-safe: a window per app
    across tenants is shared by the clients of every tenant, each on its own event loop. A `lane`
    (the app's sign-in window across tenants) lets a tenant that has to wait for it leave its place
    among the tenants at work meanwhile (LANE_WAIT), and take one again once its request is
    answered: a tenant whose other reads are done holds nothing while it waits for its turn.
    `taken`: when (on the window's clock) each turn was given, the send times it planned (the tests
    read it: never more than `limit` in any `window` seconds, whatever the machine's load)."""

    def __init__(self, limit: int, window: float, timer: Timer = REAL_TIME, lane: bool = False) -> None:
        self.limit = limit
        self.window = window
        self.timer = timer
        self.clock = timer.now
        self.lane = lane
        self.in_flight = 0
        self.answered: deque[float] = deque()  # when the answers of the last window came back
        self.taken: list[float] = []  # when each turn was given (read-only: the tests)
        self._last = threading.local()  # the turn this thread took last (undo gives back that one)
        self._lock = threading.Lock()

    def _take(self) -> float:
        """Take a turn now and return 0, or return the seconds to wait before looking again."""
        with self._lock:
            now = self.clock()
            while self.answered and self.answered[0] <= now - self.window:
                self.answered.popleft()
            if self.in_flight + len(self.answered) < self.limit:
                self.in_flight += 1
                self.taken.append(now)
                self._last.at = now
                return 0.0
            # the oldest answer leaves the window then; with every turn in flight, look again soon
            return max(0.001, self.answered[0] + self.window - now) if self.answered else 0.05

    def try_take(self) -> bool:
        """Take a turn if one is free now (without waiting)."""
        return self._take() == 0

    def undo(self) -> None:
        """Give back the turn this thread's try_take took, unused (nothing was sent): another tenant's
        thread may have taken one of the window since (nothing on this thread waits between the two)."""
        with self._lock:
            self.in_flight -= 1
            self.taken.remove(self._last.at)

    def done(self) -> None:
        """A turn try_take took was used: its answer is in."""
        with self._lock:
            self.in_flight -= 1
            self.answered.append(self.clock())

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        hook = LANE_WAIT.get() if self.lane else None
        away = False
        while (wait := self._take()) > 0:
            if hook is not None and not away:
                away = hook.leave()
            await self.timer.sleep(wait)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1
                self.answered.append(self.clock())
        if away:  # answered: back among the tenants at work (a request that failed ends the tenant away)
            assert hook is not None
            await asyncio.to_thread(hook.back)


class AppWindows:
    """The request windows of one app across all tenants, one for every client of the process
    that signs in as the app (app_windows): "GET signInActivity" 10 per minute (the sign-in lane
    every tenant's sign-in reads take turns from) and the identity and access reports 122 per 10 s.
    With a `share` (a shard's, auditor.graph.lane_share) the lane is the share's slots and the
    reports' window the share's part of the 122."""

    def __init__(
        self,
        seconds: float = 1.0,
        scale: float = 1.0,
        timer: Timer = REAL_TIME,
        share: LaneShare | None = None,
        shared: tuple[str, str] | None = None,
    ) -> None:
        self.sign_in: RequestWindow | SlotWindow | SharedWindow
        if share is None:
            self.sign_in = RequestWindow(_count(SIGN_IN_REQUESTS, scale), SIGN_IN_WINDOW * seconds, timer, lane=True)
            if shared is not None:  # (url, app id): the whole lane, kept in Redis for every worker (shared_lane)
                epoch = wall_epoch if isinstance(timer, RealTime) else timer.now
                limit = _count(SIGN_IN_REQUESTS, scale)
                self.sign_in = SharedWindow(*shared, limit, SIGN_IN_WINDOW * seconds, timer, epoch)
            self.reports = RequestWindow(_count(APP_AUDIT_REQUESTS, scale), AUDIT_WINDOW * seconds, timer)
            return
        # the slots are numbered on the UTC clock every runner keeps alike (a test's timer: its own)
        epoch = wall_epoch if isinstance(timer, RealTime) else timer.now
        limit = _count(SIGN_IN_REQUESTS, scale)
        self.sign_in = SlotWindow(limit, SIGN_IN_WINDOW, share, timer, epoch, seconds, lane=LANE_WAIT)
        self.reports = RequestWindow(share.count(_count(APP_AUDIT_REQUESTS, scale)), AUDIT_WINDOW * seconds, timer)


def _count(requests: int, scale: float) -> int:
    """A published request count, scaled (tests), never below one request."""
    return max(1, round(requests * scale))


_APP_WINDOWS: dict[tuple[str, float, float, Timer, LaneShare | None, str | None], AppWindows] = {}


def forget_app_windows() -> None:
    """Start every app's windows across tenants afresh, as a new process would (the tests: each
    test, or each simulated night, is a run of its own; not what a long-lived process should do)."""
    with _APP_LOCK:
        _APP_WINDOWS.clear()


def app_windows(app_id: str, seconds: float = 1.0, scale: float = 1.0, timer: Timer = REAL_TIME) -> AppWindows:
    """The one AppWindows of the process for `app_id` (every tenant it audits shares them; the
    scaled windows and the virtual clocks of the tests apart), of the process's share of the app's
    limits when it has one (lane_share.set_shares)."""
    share = share_of(app_id)
    url = shared_limiter()
    shared = (url, app_id) if url is not None and share is None else None
    with _APP_LOCK:
        windows = _APP_WINDOWS.get((app_id, seconds, scale, timer, share, url))
        if windows is None:
            windows = AppWindows(seconds, scale, timer, share, shared)
            _APP_WINDOWS[app_id, seconds, scale, timer, share, url] = windows
        return windows


class DirectoryPace:
    """Directory reads slow down while Graph says 80 % of their budget is used (see the module)."""

    def __init__(self, window: float, timer: Timer = REAL_TIME) -> None:
        self.window = window
        self.timer = timer
        self.used: float | None = None  # the last answer's x-ms-throttle-limit-percentage, if any
        self._one = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self.used is None:
            yield
            return
        async with self._one:  # one at a time while the budget is tight
            if self.used is not None:
                await self.timer.sleep(max(0.0, self.used - CALM) * self.window)
            yield

    def answered(self, headers: Mapping[str, str]) -> None:
        value = headers.get(PERCENTAGE)
        try:
            self.used = float(value) if value is not None else None
        except ValueError:
            self.used = None


class Pacing:
    """The budgets one client keeps to, by the path of each request."""

    def __init__(self, seconds: float = 1.0, scale: float = 1.0, timer: Timer = REAL_TIME) -> None:
        self.seconds = seconds
        self.scale = scale
        self.timer = timer
        self.audit = RequestWindow(AUDIT_REQUESTS, AUDIT_WINDOW * seconds, timer)
        self.sign_in = RequestWindow(_count(SIGN_IN_REQUESTS, scale), SIGN_IN_WINDOW * seconds, timer)
        self.conditional_access = RequestWindow(CONDITIONAL_ACCESS_REQUESTS, CONDITIONAL_ACCESS_WINDOW * seconds, timer)
        self.reports: dict[str, RequestWindow] = {}
        self.all_reports = RequestWindow(_count(TENANT_REPORT_REQUESTS, scale), REPORT_WINDOW * seconds, timer)
        self.windows: AppWindows | None = None  # the app's windows across tenants, once the app is known
        self.directory = DirectoryPace(DIRECTORY_WINDOW * seconds, timer)
        self.app: AppBudget | None = None  # the budget across tenants, once the app is known (share)
        # the tenant's directory streams: sized for the smallest bucket until its users are counted
        self.streams = StreamShare(self._stream_units(0))

    def _stream_units(self, users: int) -> float:
        return stream_units(tenant_units(users) * self.scale / (DIRECTORY_WINDOW * self.seconds))

    def counted(self, users: int) -> None:
        """The tenant has `users` users (GET /users/$count): its streams share its bucket's size."""
        self.streams.capacity = self._stream_units(users)

    @contextlib.asynccontextmanager
    async def stream(self, units: float) -> AsyncIterator[None]:
        """Hold a stream of directory pages costing `units` each: from the tenant's share and, once
        the app is known, the app's across tenants; wait while either is full."""
        shares = [self.streams, *((self.app.streams,) if self.app is not None else ())]
        while True:
            taken = []
            for share in shares:
                if not share.take(units):
                    break
                taken.append(share)
            if len(taken) == len(shares):
                break
            for share in taken:
                share.give(units)
            await self.timer.sleep(_LOOK_AGAIN)
        try:
            yield
        finally:
            for share in shares:
                share.give(units)

    def share(self, app_id: str) -> None:
        """Keep to the process's budget across tenants of `app_id` too (app_budget), unless given one."""
        if self.app is None:
            self.app = app_budget(app_id, self.seconds, self.scale, self.timer)
        if self.windows is None:
            self.windows = app_windows(app_id, self.seconds, self.scale, self.timer)

    def _windows(self, path: str, query: str) -> list[RequestWindow | SlotWindow | SharedWindow]:
        """The request windows a request takes a turn from, the scarcest first (the sign-in lane
        across tenants is waited for before a turn of the tenant's audit window is held)."""
        app = self.windows
        if reads_sign_ins(path, query):
            shared = [app.sign_in] if app is not None else []
            return [*shared, self.sign_in, *([app.reports] if app is not None else []), self.audit]
        if "/auditLogs/" in path:
            return [*([app.reports] if app is not None else []), self.audit]
        if "/reports/" in path and "(" in path:
            return [self.all_reports, self._report(path)]
        if any(part in path for part in CONDITIONAL_ACCESS_PATHS):
            return [self.conditional_access]
        return []

    @contextlib.asynccontextmanager
    async def turn(self, path: str, query: str = "") -> AsyncIterator[None]:
        """Wait for the budgets of `path` (with its query string, unquoted) to allow a request,
        around sending it."""
        windows = self._windows(path, query)
        if windows and isinstance(windows[0], SlotWindow):  # a shard's share of the app's sign-in lane
            async with self._slotted(windows[0], [w for w in windows[1:] if isinstance(w, RequestWindow)]):
                yield
            return
        if windows:
            async with contextlib.AsyncExitStack() as turns:
                for window in windows:
                    await turns.enter_async_context(window.turn())
                yield
            return
        if any(part in path for part in _OTHER_SERVICES):
            yield
        else:
            while self.app is not None and (wait := self.app.wait()) > 0:
                await self.timer.sleep(wait)
            async with self.directory.turn():
                yield

    @contextlib.asynccontextmanager
    async def _slotted(self, slot: SlotWindow, others: list[RequestWindow]) -> AsyncIterator[None]:
        """A request in the share's next slot: nothing held while it waits for the slot's start (the
        tenant's and the app's other windows stay free for other requests), then a turn of each other
        window taken at once; one not free (or the slot passed meanwhile): all given back, the slot
        lost, the next one waited for. So the request leaves at its slot's start, or not in it."""
        away = False
        while True:
            number, away = await slot.wait(away)
            taken: list[RequestWindow] = []
            for window in others:
                if not window.try_take():
                    break
                taken.append(window)
            if len(taken) == len(others) and slot.on_time(number):
                break
            for window in taken:
                window.undo()
            slot.lost(number)
        slot.sent(number)
        try:
            yield
        finally:
            for window in taken:
                window.done()
            await slot.back(away)

    def answered(self, path: str, headers: Mapping[str, str]) -> None:
        """Note a directory answer's x-ms-throttle-limit-percentage (or its absence)."""
        if not any(part in path for part in ("/auditLogs/", "/reports/", *_OTHER_SERVICES)):
            self.directory.answered(headers)
            units = whole_number(headers.get("x-ms-resource-unit", ""))
            if self.app is not None and units is not None:
                self.app.spent(units)

    def _report(self, path: str) -> RequestWindow:
        name = path.rsplit("/", 1)[-1].split("(", 1)[0]
        window = self.reports.get(name)
        if window is None:
            window = self.reports[name] = RequestWindow(REPORT_REQUESTS, REPORT_WINDOW * self.seconds, self.timer)
        return window
