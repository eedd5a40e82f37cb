"""Pacing by Graph's published budgets, so the collector keeps under them instead of meeting them as 429s.

Microsoft's "Microsoft Graph service-specific throttling limits"
(https://learn.microsoft.com/graph/throttling-limits; docs/graph.md, "Graph's throttling budgets"):

- the audit log (auditLogs/directoryAudits, auditLogs/signIns): 5 requests per 10 s per app and tenant.
  Every stream of the client takes a turn from one RequestWindow, so there are never more;
- each Microsoft 365 usage report (/reports/get...(period=...)): 14 requests per 10 minutes, likewise;
- directory reads: a bucket of resource units refilled over 10 s, whose size the client does not
  know; Graph says when 80 % of it is used (`x-ms-throttle-limit-percentage`, 0.8 to 1.8). While the
  last answer said so, directory requests go one at a time, each after the pause that lets the
  bucket refill to 75 % (it refills a tenth of itself per second); when an answer comes without the
  header, they go at full speed again.

One Pacing per GraphClient, which is one app in one tenant. `seconds` scales the windows (tests
use the emulator's budgets scaled the same way).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping

AUDIT_REQUESTS, AUDIT_WINDOW = 5, 10.0
REPORT_REQUESTS, REPORT_WINDOW = 14, 600.0
DIRECTORY_WINDOW = 10.0  # the directory bucket refills over this many seconds
CALM = 0.75  # the share of the bucket used that a paused request waits for
PERCENTAGE = "x-ms-throttle-limit-percentage"
_OTHER_SERVICES = ("mailboxSettings", "sendMail", "$batch", "/download/")  # not the directory's budget


class RequestWindow:
    """At most `limit` requests in any `window` seconds. A request holds a turn while it is in
    flight and is counted from when its answer came back: Graph counts it from its arrival, which
    is earlier, so Graph never sees more than `limit` in a window."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.in_flight = 0
        self.answered: deque[float] = deque()  # when the answers of the last window came back

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        while True:
            now = self.clock()
            while self.answered and self.answered[0] <= now - self.window:
                self.answered.popleft()
            if self.in_flight + len(self.answered) < self.limit:
                break
            # the oldest answer leaves the window then; with every turn in flight, look again soon
            await asyncio.sleep(self.answered[0] + self.window - now if self.answered else 0.05)
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            self.answered.append(self.clock())


class DirectoryPace:
    """Directory reads slow down while Graph says 80 % of their budget is used (see the module)."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.used: float | None = None  # the last answer's x-ms-throttle-limit-percentage, if any
        self._one = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self.used is None:
            yield
            return
        async with self._one:  # one at a time while the budget is tight
            if self.used is not None:
                await asyncio.sleep(max(0.0, self.used - CALM) * self.window)
            yield

    def answered(self, headers: Mapping[str, str]) -> None:
        value = headers.get(PERCENTAGE)
        try:
            self.used = float(value) if value is not None else None
        except ValueError:
            self.used = None


class Pacing:
    """The budgets one client keeps to, by the path of each request."""

    def __init__(self, seconds: float = 1.0) -> None:
        self.seconds = seconds
        self.audit = RequestWindow(AUDIT_REQUESTS, AUDIT_WINDOW * seconds)
        self.reports: dict[str, RequestWindow] = {}
        self.directory = DirectoryPace(DIRECTORY_WINDOW * seconds)

    @contextlib.asynccontextmanager
    async def turn(self, path: str) -> AsyncIterator[None]:
        """Wait for `path`'s budget to allow a request, around sending it."""
        if "/auditLogs/" in path:
            async with self.audit.turn():
                yield
        elif "/reports/" in path and "(" in path:
            async with self._report(path).turn():
                yield
        elif any(part in path for part in _OTHER_SERVICES):
            yield
        else:
            async with self.directory.turn():
                yield

    def answered(self, path: str, headers: Mapping[str, str]) -> None:
        """Note a directory answer's x-ms-throttle-limit-percentage (or its absence)."""
        if not any(part in path for part in ("/auditLogs/", "/reports/", *_OTHER_SERVICES)):
            self.directory.answered(headers)

    def _report(self, path: str) -> RequestWindow:
        name = path.rsplit("/", 1)[-1].split("(", 1)[0]
        window = self.reports.get(name)
        if window is None:
            window = self.reports[name] = RequestWindow(REPORT_REQUESTS, REPORT_WINDOW * self.seconds)
        return window
