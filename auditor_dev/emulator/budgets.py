"""Graph's published throttling budgets, kept by the emulator when asked: GraphEmulator(budgets=Budgets()).

From Microsoft's page "Microsoft Graph service-specific throttling limits"
(https://learn.microsoft.com/graph/throttling-limits):

- identity and access (directory) reads: a token bucket of resource units per app and tenant, refilled
  over 10 s: 3,500 units for a tenant under 50 users, 5,000 from 50 to 500, 8,000 above; per app across
  tenants 150,000 units per 20 s. A request costs its path's base cost (GET users 2,
  groups/{id}/members 3, groups/{id}/transitiveMembers 5, subscribedSkus 3, users/{id}/memberOf 2,
  anything else 1), less 1 with `$select`, plus 1 with `$expand`, less 1 with `$top` under 20, never
  below 1; each request of a JSON batch is counted on its own. Every directory answer carries
  `x-ms-resource-unit`, and `x-ms-throttle-limit-percentage` (0.8 to 1.8) once 80 % is used.
- identity and access reports (auditLogs/directoryAudits, auditLogs/signIns, and a List users or
  Get user that selects or filters on signInActivity): 5 requests per 10 s per app and tenant, and
  122 per 10 s per app across all tenants;
- "GET signInActivity" (the same users requests): 10 requests per minute per app per tenant, and 10
  per minute per app across all tenants (they also cost their resource units);
- identity protection and Conditional Access (identity/conditionalAccess/..., identityProtection/...):
  1 request per second per tenant for all apps, answered 429 without Retry-After ("The resources
  listed earlier do not return a `Retry-After` header on `429 Too Many Requests` responses.");
- Microsoft 365 usage reports (/reports/get...(period=...)): 14 requests per 10 minutes per app and
  tenant, for each report on its own, and 40 per 10 minutes per tenant for all apps;
- the identity write quota (POST, PATCH, PUT, DELETE on directory paths, 1 each): 3,000 requests per
  2 minutes and 30 seconds per app and tenant, 35,000 per 5 minutes per app across tenants, 18,000
  per 5 minutes per tenant for all apps.

The limits "per app across all tenants" are one AppLimits, which several emulators share (as one
app's tenants do): `Budgets(app=AppLimits.new())` for each. "Per tenant for all apps" are the
emulator's own (one emulator is one tenant).

Over budget the answer is 429 with `Retry-After` (seconds, as Graph's own sample gives them, with
decimals; none for Conditional Access), `x-ms-throttle-scope` (`Tenant_Application/Read/<app>/<tenant>`,
`Application/...` for a limit across tenants, `Tenant/...` for one of the tenant for all apps) and
`x-ms-throttle-information`, and Graph's error body. The Outlook reads the collector makes (mailbox
settings, sendMail) have limits of their own that the emulator does not keep.

`Budgets(scale=0.01)` multiplies every amount (units and requests, never below what one request
needs); `seconds=0.1` every window (a 10 s window lasts 1 s), so tests run the published shapes
quickly. `clock` is injectable (tests use a fake one). `across_tenants` is the per-app bucket: pass
one `Bucket` to several emulators' Budgets to make them share it, as one app's tenants do; `app`
likewise the per-app request windows (AppLimits).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# the published figures, which the collector's pacing keeps too
from auditor.graph.pacing import (
    APP_AUDIT_REQUESTS,
    APP_UNITS,
    APP_WINDOW,
    APP_WRITE_REQUESTS,
    AUDIT_REQUESTS,
    AUDIT_WINDOW,
    CONDITIONAL_ACCESS_PATHS,
    CONDITIONAL_ACCESS_REQUESTS,
    CONDITIONAL_ACCESS_WINDOW,
    DIRECTORY_WINDOW,
    REPORT_REQUESTS,
    REPORT_WINDOW,
    SIGN_IN_REQUESTS,
    SIGN_IN_WINDOW,
    TENANT_REPORT_REQUESTS,
    TENANT_WRITE_REQUESTS,
    WRITE_REQUESTS,
    WRITE_WINDOW,
    WRITES_WINDOW,
    reads_sign_ins,
    tenant_units,
)

from .errors import GraphError

Clock = Callable[[], float]

WARN_AT = 0.8  # x-ms-throttle-limit-percentage from this share of the bucket used
MIN_UNITS = 10  # a scaled bucket still holds the dearest request ($expand on transitiveMembers: 6)

# (method, path with {} for an id): base cost in resource units; anything else costs 1. Microsoft
# lists me/... paths and says they apply to users/{id}/... as well.
BASE_COSTS: dict[tuple[str, str], int] = {
    ("GET", "users"): 2,
    ("GET", "groups/{}/members"): 3,
    ("GET", "groups/{}/transitiveMembers"): 5,
    ("GET", "subscribedSkus"): 3,
    ("GET", "users/{}/memberOf"): 2,
    ("GET", "users/{}/transitiveMemberOf"): 2,
    ("GET", "users/{}/licenseDetails"): 2,
    ("GET", "users/{}/ownedObjects"): 2,
    ("GET", "applications"): 2,
    ("GET", "contracts"): 3,
    ("GET", "oauth2PermissionGrants"): 2,
    ("GET", "oauth2PermissionGrants/{}"): 2,
    ("GET", "servicePrincipals/{}/appRoleAssignments"): 2,
}
_ID_AT = {"groups": 1, "users": 1, "oauth2PermissionGrants": 1, "servicePrincipals": 1}
# paths of other services (Outlook's mailbox settings and mail, the batch envelope itself)
_NOT_DIRECTORY = ("mailboxSettings", "sendMail", "$batch")
WRITES = frozenset(("POST", "PATCH", "PUT", "DELETE"))
# x-ms-throttle-scope's first part, by the limit's scope on Microsoft's page
APP_TENANT, APP, TENANT = "Tenant_Application", "Application", "Tenant"


def path_key(path: str) -> str:
    """`groups/{}/members` for /groups/abc/members/microsoft.graph.user: ids as {}, no cast."""
    segments = [s for s in path.strip("/").split("/") if s]
    if segments and segments[-1].startswith("microsoft.graph."):
        segments.pop()
    if len(segments) > 1 and segments[0] in _ID_AT:
        segments[1] = "{}"
    return "/".join(segments)


def cost(method: str, path: str, query: Mapping[str, str]) -> int:
    """A directory request's resource units by Microsoft's table and its query options."""
    units = BASE_COSTS.get((method, path_key(path)), 1)
    if "$select" in query:
        units -= 1
    if "$expand" in query:
        units += 1
    top = query.get("$top", "")
    if top.isdigit() and int(top) < 20:
        units -= 1
    return max(1, units)


def _seconds(value: float) -> str:
    """A Retry-After value: seconds, rounded up to the millisecond."""
    return f"{max(0.001, math.ceil(value * 1000) / 1000):.3f}"


class Bucket:
    """A token bucket of `capacity` units, refilled evenly over `window` seconds."""

    def __init__(self, capacity: float, window: float, clock: Clock = time.monotonic) -> None:
        self.capacity = capacity
        self.rate = capacity / window
        self.clock = clock
        self.tokens = float(capacity)
        self._stamp = clock()
        self.lock = threading.Lock()

    def refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def short(self, units: int) -> float:
        """Seconds until `units` are in the bucket (0: they are now); call under `lock`, after refill()."""
        return 0.0 if self.tokens >= units else (units - self.tokens) / self.rate

    def used(self) -> float:
        return 1 - self.tokens / self.capacity


class RequestWindow:
    """At most `limit` requests in any `window` seconds (a sliding window of their arrivals). With
    `logged`, every arrival counted stays in `log` (an app's sign-in lane: the tests and the
    benchmark count its requests per window, lane_share.most_in_window)."""

    def __init__(self, limit: int, window: float, clock: Clock = time.monotonic, logged: bool = False) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._arrivals: deque[float] = deque()
        self.log: list[float] | None = [] if logged else None

    def short(self) -> float:
        """The seconds until a request is allowed (0: now), counting nothing."""
        now = self.clock()
        while self._arrivals and self._arrivals[0] <= now - self.window:
            self._arrivals.popleft()
        return self._arrivals[0] + self.window - now if len(self._arrivals) >= self.limit else 0.0

    def take(self) -> float:
        """Count a request now and return 0, or return the seconds until one is allowed."""
        wait = self.short()
        if wait == 0:
            self._arrivals.append(self.clock())
            if self.log is not None:
                self.log.append(self._arrivals[-1])
        return wait


@dataclass(frozen=True)
class Limit:
    """One of Microsoft's request limits: its window, its scope (APP_TENANT, APP, TENANT) and the
    reason a 429 over it names."""

    window: RequestWindow
    scope: str
    reason: str
    retry_after: bool = True  # Conditional Access answers 429 without Retry-After


class AppLimits:
    """An app's request limits across all tenants, shared by the emulators of its tenants."""

    def __init__(self, scale: float = 1.0, seconds: float = 1.0, clock: Clock = time.monotonic) -> None:
        def count(requests: int) -> int:
            return max(1, round(requests * scale))

        # the sign-in lane and the reports across tenants, each arrival logged (lane_share's tests, benchmarks.msp)
        self.sign_in = RequestWindow(count(SIGN_IN_REQUESTS), SIGN_IN_WINDOW * seconds, clock, logged=True)
        self.reports = RequestWindow(count(APP_AUDIT_REQUESTS), AUDIT_WINDOW * seconds, clock, logged=True)
        self.writes = RequestWindow(count(APP_WRITE_REQUESTS), WRITES_WINDOW * seconds, clock)
        self.lock = threading.Lock()  # the emulators of several tenants count on it at once


@dataclass
class Budgets:
    """The budgets of one app in one tenant (one emulator); see the module's docstring."""

    scale: float = 1.0
    seconds: float = 1.0
    clock: Clock = time.monotonic
    across_tenants: Bucket | None = None
    app: AppLimits | None = None
    app_id: str = "00000000-0000-0000-0000-000000000000"
    tenant_id: str = "00000000-0000-0000-0000-000000000000"
    _directory: Bucket | None = field(default=None, init=False)
    _reports: dict[str, RequestWindow] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    # 429s answered, by the limit's reason and scope (the benchmark reports them)
    refused: dict[str, int] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        def window(requests: int, seconds: float) -> RequestWindow:
            return RequestWindow(self._count(requests), seconds * self.seconds, self.clock)

        self._own_app = self.app is None  # not shared with other emulators: restart() empties it too
        if self.app is None:
            self.app = AppLimits(self.scale, self.seconds, self.clock)
        self._audit = window(AUDIT_REQUESTS, AUDIT_WINDOW)
        self._sign_in = window(SIGN_IN_REQUESTS, SIGN_IN_WINDOW)
        self._all_reports = window(TENANT_REPORT_REQUESTS, REPORT_WINDOW)
        self._conditional_access = RequestWindow(
            CONDITIONAL_ACCESS_REQUESTS, CONDITIONAL_ACCESS_WINDOW * self.seconds, self.clock
        )
        self._writes = window(WRITE_REQUESTS, WRITE_WINDOW)
        self._tenant_writes = window(TENANT_WRITE_REQUESTS, WRITES_WINDOW)

    def for_tenant(self, users: int, tenant_id: str, app_id: str | None) -> Budgets:
        """Size the directory bucket by the tenant's users (the emulator calls it when it starts)."""
        self._directory = Bucket(self._units(tenant_units(users)), DIRECTORY_WINDOW * self.seconds, self.clock)
        if self.across_tenants is None:
            self.across_tenants = Bucket(self._units(APP_UNITS), APP_WINDOW * self.seconds, self.clock)
        self.tenant_id = tenant_id
        self.app_id = app_id or self.app_id
        return self

    def restart(self) -> None:
        """Every budget full again, as after a long pause (the benchmark, between two runs of the
        auditor, each a process of its own): the windows empty, the buckets full, nothing refused."""
        if self._own_app:
            self.app = None
        self.__post_init__()
        for bucket in (self._directory, self.across_tenants):
            if bucket is not None:
                with bucket.lock:
                    bucket.tokens = float(bucket.capacity)
        self.refused.clear()

    def _units(self, units: int) -> int:
        return max(MIN_UNITS, round(units * self.scale))

    def _count(self, requests: int) -> int:
        return max(1, round(requests * self.scale))

    @property
    def directory(self) -> Bucket:
        if self._directory is None:
            self.for_tenant(0, self.tenant_id, None)
        assert self._directory is not None
        return self._directory

    def _limits(self) -> AppLimits:
        assert self.app is not None  # __post_init__
        return self.app

    def charge(self, method: str, path: str, query: Mapping[str, str]) -> dict[str, str]:
        """Count a v1.0 request (path without /v1.0) against its budgets: the headers its answer
        carries, or GraphError 429 when it is over one of them."""
        app = self._limits()
        first = path.strip("/").split("/", 1)[0]
        reports = [
            Limit(self._audit, APP_TENANT, "IdentityAndAccessReportsLimitExceeded"),
            Limit(app.reports, APP, "IdentityAndAccessReportsLimitExceeded"),
        ]
        if first == "auditLogs":
            return self._requests(reports)
        if first == "reports" and "(" in path:
            return self.charge_report(path)
        if any(part in path for part in _NOT_DIRECTORY):
            return {}
        if any(f"/{path.strip('/')}/".startswith(prefix) for prefix in CONDITIONAL_ACCESS_PATHS):
            return self._requests([Limit(self._conditional_access, TENANT, "IdentityProtectionLimitExceeded", False)])
        if method == "GET" and reads_sign_ins(path, f"{query.get('$select', '')} {query.get('$filter', '')}"):
            self._requests(
                [
                    Limit(self._sign_in, APP_TENANT, "SignInActivityLimitExceeded"),
                    Limit(app.sign_in, APP, "SignInActivityLimitExceeded"),
                    *reports,
                ]
            )
        elif method in WRITES:
            self._requests(
                [
                    Limit(self._writes, APP_TENANT, "WriteLimitExceeded"),
                    Limit(app.writes, APP, "WriteLimitExceeded"),
                    Limit(self._tenant_writes, TENANT, "WriteLimitExceeded"),
                ],
                kind="ReadWrite",
            )
        return self._units_for(cost(method, path, query))

    def charge_report(self, path: str) -> dict[str, str]:
        """A usage report's request: 14 per 10 minutes for each report, 40 for all of the tenant's."""
        name = path.rstrip("/").rsplit("/", 1)[-1].split("(", 1)[0]
        with self._lock:
            window = self._reports.get(name)
            if window is None:
                window = RequestWindow(self._count(REPORT_REQUESTS), REPORT_WINDOW * self.seconds, self.clock)
                self._reports[name] = window
        return self._requests(
            [
                Limit(window, APP_TENANT, "ReportsLimitExceeded"),
                Limit(self._all_reports, TENANT, "ReportsLimitExceeded"),
            ]
        )

    def _requests(self, limits: list[Limit], kind: str = "Read") -> dict[str, str]:
        """Count a request in every one of `limits`, or in none when one of them is spent (then 429,
        naming the one that allows it last)."""
        app = self._limits()
        with self._lock, app.lock:
            waits = [(limit.window.short(), limit) for limit in limits]
            wait, spent = max(waits, key=lambda pair: pair[0])
            if wait == 0:
                for limit in limits:
                    limit.window.take()
                return {}
            key = f"{spent.reason} {spent.scope}"
            self.refused[key] = self.refused.get(key, 0) + 1
        raise self._throttled(wait, spent.reason, scope=spent.scope, kind=kind, retry_after=spent.retry_after)

    def _units_for(self, units: int) -> dict[str, str]:
        bucket, app = self.directory, self.across_tenants
        assert app is not None
        with bucket.lock, app.lock:
            bucket.refill()
            app.refill()
            wait = max(bucket.short(units), app.short(units))
            if wait == 0:
                bucket.tokens -= units
                app.tokens -= units
            used = max(bucket.used(), app.used())
        if wait > 0:
            key = f"ResourceUnitLimitExceeded {APP_TENANT if bucket.short(units) else APP}"
            with self._lock:
                self.refused[key] = self.refused.get(key, 0) + 1
            raise self._throttled(wait, "ResourceUnitLimitExceeded", {"x-ms-resource-unit": str(units)})
        headers = {"x-ms-resource-unit": str(units)}
        if used >= WARN_AT:
            headers["x-ms-throttle-limit-percentage"] = f"{used:.2f}"
        return headers

    def _throttled(
        self,
        wait: float,
        reason: str,
        extra: Mapping[str, str] | None = None,
        *,
        scope: str = APP_TENANT,
        kind: str = "Read",
        retry_after: bool = True,
    ) -> GraphError:
        headers = {
            **({"Retry-After": _seconds(wait)} if retry_after else {}),
            "x-ms-throttle-scope": f"{scope}/{kind}/{self.app_id}/{self.tenant_id}",
            "x-ms-throttle-information": reason,
            **(extra or {}),
        }
        return GraphError(429, "TooManyRequests", "Too many requests. Please retry again later.", headers)
