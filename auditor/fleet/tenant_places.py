"""The places of `audit --tenants`' tenants at work: --tenant-concurrency of them at once.

Graph gives one app 10 "GET signInActivity" requests a minute for all its tenants (the app's sign-in
lane: auditor.graph.pacing.AppWindows.sign_in). A tenant whose night reads its users' sign-in
activity in full waits for its turn in that lane, often after every other read of it is done, and a
place held meanwhile is one the next tenants cannot use: with 8 places and 1,000 small tenants, one
in seven reading in full, the places filled with tenants waiting for the lane and the fleet's night
took far longer than the lane itself (benchmarks/results/history-performance.md, "1,000 tenants end to
end"). So a tenant
that has to wait for the lane leaves its place to the next tenant (Seat.leave, through
auditor.graph.pacing.LANE_WAIT) and takes one again once its request is answered (Seat.back),
before it evaluates and writes its reports. At most as many tenants as there are places wait so at
once: the tenants at work, and the memory they hold, stay within twice --tenant-concurrency.
"""

from __future__ import annotations

import threading


class Places:
    """`count` places for tenants at work, and as many again for tenants waiting for the lane."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.working = 0
        self.away = 0
        self.returning = 0  # tenants away whose request was answered, waiting for a place: first served
        self._changed = threading.Condition()

    def _free(self) -> bool:
        return self.working < self.count and self.returning == 0

    def seat(self, timeout: float) -> Seat | None:
        """A place for the next tenant, waiting at most `timeout` seconds for one (None: none freed);
        a tenant coming back from the lane takes a freed place first."""
        with self._changed:
            if not self._free() and not self._changed.wait_for(self._free, timeout):
                return None
            self.working += 1
            return Seat(self)


class Seat:
    """One tenant's place: at work, away (waiting for the lane, its place given to another), or
    given back (the tenant ended, or was ended by its time limit). Thread-safe; give() is the last
    word, whatever the tenant's thread does after it."""

    def __init__(self, places: Places) -> None:
        self.places = places
        self.state = "working"

    def leave(self) -> bool:
        """Give the place to the next tenant while this one waits for the lane (False: it keeps it,
        when as many tenants as there are places wait already)."""
        places = self.places
        with places._changed:
            if self.state != "working" or places.away >= places.count:
                return False
            self.state = "away"
            places.working -= 1
            places.away += 1
            places._changed.notify_all()
            return True

    def back(self) -> None:
        """Take a place again after leave(), waiting until one is free; at once when the tenant's
        place was given back meanwhile (its time limit)."""
        places = self.places
        with places._changed:
            places.returning += 1
            places._changed.wait_for(lambda: self.state != "away" or places.working < places.count)
            places.returning -= 1
            places._changed.notify_all()
            if self.state != "away":
                return
            self.state = "working"
            places.away -= 1
            places.working += 1

    def give(self) -> None:
        """The tenant is done (or ended): its place, at work or away, goes to the next tenant. Once."""
        places = self.places
        with places._changed:
            if self.state == "working":
                places.working -= 1
            elif self.state == "away":
                places.away -= 1
            self.state = "given"
            places._changed.notify_all()
