"""The fleet's sign-in lane: one budget a night for every tenant's full sign-in read (docs/msp.md).

Graph answers an app 10 "GET signInActivity" requests a minute across all the tenants it reads
(auditor.graph.pacing; Microsoft's "Microsoft Graph service-specific throttling limits"), and the
nightly reads each tenant's sign-in activity in full one night in `--sign-in-full-every`
(auditor.graph.kept_sign_ins), on a night a hash of its tenant id picks. Over a fleet those nights
are uneven: 1,000 tenants' full reads take 143 to 180 requests a night, 14 to 17 minutes of the lane
at least, the night's floor (docs/performance.md).

So `audit --tenants --baseline previous` gives the lane a budget a night for each app
(--sign-in-lane-budget, in minutes of the lane; BUDGET_MINUTES by default). Before any tenant runs it
reads the first line of each tenant's kept read (its clock and users), and takes the tenants whose
full read the cadence asks for by tonight (kept_sign_ins.due: its night came since the kept read,
or the read is `every` days old), the longest waiting first, while their requests (ceil(users /
500) each) fit the budget. Those read in full tonight; the others wait for a night with room and
are named (on stderr and in LANE_FILE): tonight their findings rest on the filtered read, as on any
night between two full reads. A tenant without a kept read this run can use (none yet, unreadable,
newer than the clock, older than its window allows) reads in full whatever the budget: the filter
cannot stand in for it. Its requests count first. A tenant whose read alone passes the budget is
read when it is first in line, and no tenant passes one that waits (the line never starves one).
A tenant whose kept read tonight's listing does not corroborate (auditor.graph.kept_trust) reads in
full whatever the fleet says, as a one-tenant audit would: the budget counts the reads it can plan.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.common.numbers import english_count
from auditor.common.outputs import write_text
from auditor.common.timestamps import timestamp_or_none

from ..delivery.lanes import app_shares
from ..delivery.matrix import TenantJob
from ..graph.kept_sign_ins import FULL_EVERY, KEPT_FILE, MARGIN, due, header
from ..graph.lane_share import LaneShare, set_shares, share_requests
from ..graph.shared_lane import set_shared_limiter
from ..graph.users import SIGN_IN_PAGE_SIZE, sign_in_seconds
from ..report.baseline import LAST_RUN
from .arguments import LANE_BUDGET_MINUTES, FleetOptions

BUDGET_MINUTES = LANE_BUDGET_MINUTES  # the lane's budget a night by default (--sign-in-lane-budget)
LANE_FILE = "sign-in-lane.json"


def budget_requests(minutes: float) -> int:
    """The most sign-in requests one app sends within `minutes` of the lane (sign_in_seconds, answers
    taking no time); 0 minutes: no budget (every full read the cadence asks for)."""
    if minutes <= 0:
        return sys.maxsize
    n = 0
    while sign_in_seconds(n + 1) <= minutes * 60:
        n += 1
    return n


@dataclass(frozen=True)
class Candidate:
    """A tenant whose full read the cadence asks for tonight: its key, app (client id), requests and
    the kept read's clock (the older, the sooner)."""

    key: str
    app: str
    requests: int
    read_at: datetime


def schedule(due_ones: Sequence[Candidate], budget: int, spent: int = 0) -> tuple[list[str], list[str]]:
    """The keys of the full reads tonight and of those that wait, for one app's lane with `spent`
    requests taken already: the oldest kept read first, while the requests stay within `budget`."""
    tonight: list[str] = []
    waiting: list[str] = []
    for one in sorted(due_ones, key=lambda c: (c.read_at, c.key)):
        if not waiting and (spent + one.requests <= budget or (not tonight and spent == 0)):
            tonight.append(one.key)
            spent += one.requests
        else:
            waiting.append(one.key)
    return tonight, waiting


@dataclass
class LanePlan:
    """Tonight's lane: each tenant's verdict (True: reads in full; False: waits; absent: its cadence
    decides, which asks for no full read), and per app the budget and the requests planned."""

    budget: int
    verdicts: dict[str, bool] = field(default_factory=dict)
    forced: list[str] = field(default_factory=list)  # no usable kept read: in full, whatever the budget
    requests: dict[str, int] = field(default_factory=dict)  # by app: the forced and scheduled full reads'
    shared: dict[str, int] = field(default_factory=dict)  # by app of which the run has a share: its budget

    @property
    def waiting(self) -> list[str]:
        return [key for key, full in self.verdicts.items() if not full]

    def say(self) -> str:
        full = sum(self.verdicts.values()) + len(self.forced)
        budget = "no budget" if self.budget == sys.maxsize else f"a budget of {self.budget} requests an app"
        reads = english_count(full, "full read", "full reads")
        if self.shared and self.budget != sys.maxsize:  # a shard's: its share's slots within the budget's minutes
            budget += ", " + ", ".join(f"{n} for {app}, this run's share" for app, n in sorted(self.shared.items()))
        line = (
            f"license-auditor: sign-in lane: {reads} tonight, "
            f"{english_count(sum(self.requests.values()), 'request', 'requests')} ({budget})"
        )
        waiting = self.waiting
        if waiting:
            line += f"; {len(waiting)} wait for a night with room (the filtered read tonight): {', '.join(waiting)}"
        return line

    def write(self, root: Path) -> Path:
        doc = {
            "budget_requests_per_app": None if self.budget == sys.maxsize else self.budget,
            "budget_requests_of_the_share_by_app": self.shared,
            "requests_by_app": self.requests,
            "full_reads": sorted([k for k, full in self.verdicts.items() if full] + self.forced),
            "without_kept_read": sorted(self.forced),
            "waiting": self.waiting,
        }
        path = root / LANE_FILE
        write_text(path, json.dumps(doc, indent=2) + "\n")
        return path


def plan(
    jobs: Sequence[TenantJob],
    root: Path,
    now: datetime,
    every: int,
    minutes: float,
    shares: Mapping[str, LaneShare] | None = None,
) -> LanePlan:
    """Tonight's lane for `jobs`, whose kept reads are in root/<key>/ (module docstring); an app of
    which the run has a share (`shares`: a shard's) budgets its share's slots within `minutes`."""
    out = LanePlan(budget_requests(minutes))
    due_ones: list[Candidate] = []
    for job in jobs:
        kept = None if (root / job.key).is_symlink() else header(root / job.key / KEPT_FILE)
        read_at = timestamp_or_none(kept.read_at) if kept is not None else None
        requests = math.ceil(kept.count / SIGN_IN_PAGE_SIZE) if kept is not None else 1
        if kept is None or read_at is None or read_at > now or now - read_at >= timedelta(kept.window_days) - MARGIN:
            out.forced.append(job.key)
            out.requests[job.client_id] = out.requests.get(job.client_id, 0) + max(requests, 1)
        elif due(kept.tenant_id, read_at, now, every):
            due_ones.append(Candidate(job.key, job.client_id, max(requests, 1), read_at.astimezone(UTC)))
    for app in sorted({c.app for c in due_ones}):
        mine = [c for c in due_ones if c.app == app]
        share = (shares or {}).get(app)
        budget = share_requests(minutes, share) if share is not None and minutes > 0 else out.budget
        if share is not None and minutes > 0:
            out.shared[app] = budget
        tonight, waiting = schedule(mine, budget, out.requests.get(app, 0))
        out.verdicts.update({key: True for key in tonight} | {key: False for key in waiting})
        out.requests[app] = out.requests.get(app, 0) + sum(c.requests for c in mine if c.key in tonight)
    return out


def shares_tonight(options: FleetOptions, everyone: Sequence[TenantJob]) -> dict[str, LaneShare]:
    """The run's share of each app's limits across tenants (auditor.graph.lane_share), set for its
    every request and said on stderr: --lane-share K/N for every app; else, with --shard K/N, this
    shard's place among the shards holding a tenant of the app (`everyone`: the whole file, the same
    for every shard); none otherwise, nor for an app only this run reads with (N = 1: the whole lane)."""
    set_shared_limiter(options.shared_limiter)
    if options.shared_limiter is not None:  # the whole lane of each app, kept in Redis by every worker
        set_shares({})
        return {}
    if options.lane_share is not None:
        k, n = options.lane_share
        shares = {job.client_id: LaneShare(k, n) for job in everyone}
    else:
        shares = app_shares(everyone, options.shard) if options.shard is not None else {}
    shares = {app: share for app, share in shares.items() if share.n > 1}
    set_shares(shares)
    if shares:
        said = ", ".join(f"{app} {share}" for app, share in sorted(shares.items()))
        print(f"license-auditor: lane shares (each app's limits across tenants, in slots): {said}", file=sys.stderr)
    return shares


def lane_tonight(
    options: FleetOptions, jobs: Sequence[TenantJob], root: Path, shares: Mapping[str, LaneShare] | None = None
) -> LanePlan | None:
    """The nightly's (--baseline previous) sign-in lane tonight, said on stderr; None for another run."""
    run = options.audit
    if run.baseline != LAST_RUN:
        return None
    now = timestamp_or_none(run.as_of) or datetime.now(UTC)
    lane = plan(jobs, root, now, run.source.sign_in_full_every or FULL_EVERY, options.lane_minutes, shares)
    print(lane.say(), file=sys.stderr)
    return lane
