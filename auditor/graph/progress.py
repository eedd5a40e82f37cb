"""Progress on stderr while collecting: pages, users, partitions, rate, ETA, and waits for throttling.

On a terminal one line is rewritten in place; otherwise plain lines, at most every few seconds,
so CI logs stay short.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from auditor.common.errors import clean_message
from auditor.common.numbers import english_count


class Progress:
    def __init__(self, stream: TextIO | None = None, *, interval: float = 5.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if not self.tty else 0.2
        self.started = time.monotonic()
        self.since = self.started  # when the users now being counted started to be read (for the rate)
        self.pages = 0
        self.users = 0
        self.total: int | None = None  # users expected (GET /users/$count), when known
        self.parts_done = 0  # partitions of /users read to the end, when read in partitions
        self.parts_total: int | None = None
        self._last = 0.0
        self._open_line = False
        # LICENSE_AUDITOR_TIMINGS=1 (the benchmarks): each line says when it was written, in seconds since the start
        self.stamped = bool(os.environ.get("LICENSE_AUDITOR_TIMINGS"))

    def _write(self, text: str, transient: bool = False) -> None:
        text = clean_message(text)  # request paths carry group names and server text
        if self.stamped:
            text = f"[{time.monotonic() - self.started:7.1f}s] {text}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + text + ("" if transient else "\n"))
            self._open_line = transient
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def expect(self, total: int) -> None:
        self.total = total

    def partitions(self, done: int, total: int) -> None:
        """`done` of `total` partitions of /users have been read to their end."""
        self.parts_done, self.parts_total = done, total

    def restart(self) -> None:
        """The users read so far are dropped and read again (another way): count from zero."""
        self.users = self.pages = self.parts_done = 0
        self.parts_total = None
        self.since = time.monotonic()

    def users_page(self, count: int) -> None:
        self.pages += 1
        self.users += count
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self._write(self.line(now - self.since), transient=True)

    def line(self, elapsed: float) -> str:
        """The progress line after `elapsed` seconds."""
        rate = self.users / max(elapsed, 1e-6)
        done = f"{self.users:,}"
        eta = ""
        if self.total and self.users > self.total:
            # $count is eventually consistent; a share over 100 % would only mislead
            done += f" (more than the {self.total:,} GET /users/$count reported)"
        elif self.total:
            done += f" of {self.total:,} ({self.users / self.total:.0%})"
            left = max(self.total - self.users, 0)
            if rate > 0:
                eta = f", ETA {duration(left / rate)}"
        parts = f" ({self.parts_done} of {self.parts_total} partitions done)" if self.parts_total else ""
        pages = english_count(self.pages, "page", "pages")
        return f"collecting users: {done} in {pages}{parts}, {rate:,.0f} users/s{eta}"

    def note(self, message: str) -> None:
        self._write(message)

    def waiting(self, request: str, why: str, seconds: float, attempt: int, limit: int) -> None:
        wait = f"{seconds:.1f}s" if 0 < seconds < 1 else f"{seconds:.0f}s"
        self._write(f"{why} on {request}; waiting {wait} before retry {attempt} of {limit}")

    def finish(self, users: int, requests: int) -> None:
        elapsed = time.monotonic() - self.started
        self._write(f"collected {users:,} users with {requests:,} Graph requests in {elapsed:.1f}s")


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class SilentProgress(Progress):
    def _write(self, text: str, transient: bool = False) -> None:
        text = clean_message(text)  # request paths carry group names and server text
        return None
