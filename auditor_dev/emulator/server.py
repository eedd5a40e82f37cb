"""A loopback Microsoft Graph v1.0 that serves a TenantSnapshot, strict where Graph is strict.

It speaks real HTTP on 127.0.0.1 so the real msgraph-sdk request adapter, httpx and the
collector run unchanged against it. This module holds the emulator's life cycle and what it
records; the HTTP plumbing (the request handler: tokens, responders, latency, encoding) is
handler.py's. What it serves is the route table
in routes.py, one handler module per resource under resources/:

- directory.py: /organization, /subscribedSkus, /directory/subscriptions, /auditLogs/directoryAudits
  (audit_log.py: the snapshot's entries and one for each of its own writes);
- users.py: /users (list and one; $filter=startsWith(userPrincipalName,'x') [or ...], see
  filters.py), /users/$count, /users/{id|upn}/memberOf[/microsoft.graph.group],
  /users/{id|upn}/transitiveMemberOf (nested groups too), /users/{id|upn}/mailboxSettings/userPurpose;
- groups.py: /groups (the $filter forms the collector uses, hasMembersWithLicenseErrors eq true
  included), /groups/{id}, /groups/{id}/transitiveMembers[/microsoft.graph.user],
  /groups/{id}/members[/microsoft.graph.user], /groups/{id}/appRoleAssignments;
- writes.py: POST /users/{id|upn}/assignLicense, POST /groups/{id}/members/$ref,
  DELETE /groups/{id}/members/{id}/$ref, POST /users/{id|upn}/reprocessLicenseAssignment,
  PATCH /users/{id|upn} (accountEnabled, usageLocation, employeeLeaveDateTime) (their rules are in
  tenant.py);
- mail.py: POST /users/{id|upn}/sendMail;
- relationships.py: /tenantRelationships/delegatedAdminRelationships (a partner tenant's GDAP
  relationships, given as `relationships`);
- batch.py: POST /$batch (JSON batching of any of these, at most 20, dependsOn honoured, each
  answered with its own status).

Paging and query options are query.py's. Anything else is a 400, 404 or 405 with Graph's error
shape. The usage reports (reports.py) are served beside the table, as Graph serves them beside v1.0.

Writes are checked against application permissions: the `roles` given, else the `roles` claim of
the token (auditor_dev.emulator.app_token), else (an opaque token) not at all; a write none of whose
documented permissions is granted is Graph's 403 Authorization_RequestDenied.

Two seams let code outside the package change what it serves (auditor_dev/emulator/hooks.py):
`responders` may answer a request instead of the emulator (the tests inject faults this way, inner
$batch requests included), and `listings` may supply user lists already encoded as JSON (the
benchmark serves a million users this way). The emulator itself injects nothing.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from auditor.data.copilot_chat_use import AUDIT_QUERIES_PATH
from auditor.data.model import TenantSnapshot
from auditor_dev.loopback import LoopbackServer

from .audit_log import AuditLog
from .audit_queries import AuditQueries
from .budgets import Budgets
from .call import Answer
from .encoding import dumps
from .errors import GraphError, error_document
from .filters import SignInComparison, UpnIndex
from .handler import Server, make_handler, token_claim, token_roles
from .hooks import Drop, Listings, Proceed, Reply, Request, Responder
from .log import LoggedRequest, SentMail
from .query import Query
from .reports import ReportOptions, ReportServer
from .routes import dispatch
from .tenant import TenantState

__all__ = ["Budgets", "GraphEmulator", "GraphError", "LoggedRequest", "SentMail", "dumps", "error_document"]


class GraphEmulator:
    """Serve `snapshot` as Microsoft Graph on http://127.0.0.1:PORT/v1.0.

    Use as a context manager (or start()/stop()). `token` is the bearer token it accepts.
    `responders` are asked in order, for every authorised request (each inner request of a
    POST /$batch too), whether to answer it instead of the emulator; the first answer wins.
    `listings` may supply /users pages and groups' transitive user members already encoded as
    JSON (for very large tenants; the caller owns and closes it). See auditor_dev/emulator/hooks.py.
    `latency_ms` (+ `latency_ms_per_kib` per KiB of the answer's body) delays every answer, the
    way Graph's own time to answer does (the benchmark measures with it; 0 costs nothing).
    `budgets` keeps Graph's published throttling budgets (budgets.py; `Budgets(scale=..., seconds=...)`
    shrinks them for tests); None (the default) answers as fast as it can.
    `clock` is the time the emulator keeps its own delays and log on (group_license_delay, the
    request log's times): the budgets' clock when they are kept, else this, else the wall clock (a
    test gives a VirtualTime's `now` and moves it on instead of sleeping).
    `audit_queries`: how the unified audit log's queries answer (resources/audit_queries.py: how many looks
    before a query succeeds, or that it fails); None: done at the first look.
    `contract` (on by default): every request and every JSON answer is checked against Graph's
    published v1.0 metadata (auditor_dev/contracts/graph) and what falls outside it recorded
    (auditor_dev.contracts.record); False skips the check, for benchmarks only.
    `unknown_segments` serves a cloud or Graph version that lacks an API: a request naming one of these
    segments or type casts is answered as Graph answers a segment it does not know, 400 `BadRequest`
    "Resource not found for the segment '…'." (routes.py): `AGENT_ID` (a cloud without Microsoft Entra
    Agent ID: no agentUser or agentIdentity type), `PLACES` (no places listing).
    """

    def __init__(
        self,
        snapshot: TenantSnapshot,
        *,
        token: str = "emulator-token",
        responders: Sequence[Responder] = (),
        port: int = 0,
        listings: Listings | None = None,
        roles: Iterable[str] | None = None,
        mutually_exclusive: Iterable[tuple[str, str]] = (),
        latency_ms: float = 0.0,
        latency_ms_per_kib: float = 0.0,
        reports: ReportOptions | None = None,
        group_license_delay: float = 0.0,
        group_properties: Mapping[str, Mapping[str, Any]] | None = None,
        budgets: Budgets | None = None,
        nested_from: TenantSnapshot | None = None,
        clock: Callable[[], float] | None = None,
        relationships: Sequence[Mapping[str, Any]] = (),
        unknown_segments: Iterable[str] = (),
        now: Callable[[], datetime] | None = None,
        audit_queries: AuditQueries | None = None,
        contract: bool = True,
    ) -> None:
        # every request and JSON answer held against Graph's published v1.0 metadata
        # (auditor_dev.contracts.graph); a benchmark that serves a million users may turn it off
        self.contract = contract
        # the segments and casts this cloud's Graph does not know (routes.dispatch answers them 400)
        self.unknown_segments = frozenset(unknown_segments)
        # the clock the request log's times and group licensing's delay read: the budgets' (a test's
        # VirtualTime), else `clock`, else the wall clock
        self.clock = budgets.clock if budgets is not None else clock or time.monotonic
        # group_license_delay: seconds before a new group member gets the group's licenses;
        # nested_from: the tenant that shows who is a member through a nested group (tenant.py)
        self.tenant = TenantState(snapshot, mutually_exclusive, group_license_delay, nested_from, self.clock, now)
        # what a group has beside the snapshot's fields, by group id: isAssignableToRole,
        # resourceProvisioningOptions (["Team"]) and appRoleAssignments (a list of Graph's objects)
        self.group_properties = {k.lower(): v for k, v in (group_properties or {}).items()}
        # Each answer waits latency_ms plus latency_ms_per_kib per KiB of its body before it is
        # sent, on its own request thread: concurrent requests overlap their waits, as on Graph.
        self.latency: tuple[float, float] | None = (
            (latency_ms / 1000, latency_ms_per_kib / 1000) if latency_ms > 0 or latency_ms_per_kib > 0 else None
        )
        self.wait: Callable[[float], None] = time.sleep  # how an answer waits out its latency
        self._filtered: dict[tuple[str, ...], list[int]] = {}  # positions of the users a prefix filter keeps
        self._signed: dict[SignInComparison, list[int]] = {}  # and of those a sign-in comparison keeps
        self._upn_index: UpnIndex | None = None  # the users' UPNs, sorted (filters.UpnIndex)
        self._index_lock = threading.Lock()
        self.audit_log = AuditLog(snapshot, token, now)  # auditLogs/directoryAudits, its own writes recorded
        # the unified audit log's queries (resources/audit_queries.py): the snapshot's Copilot interactions
        self.audit_queries = audit_queries or AuditQueries(snapshot)
        # the usage reports (reports.py), from the snapshot's usageReports section
        self.reports = ReportServer(snapshot, reports or ReportOptions())
        self.listings = listings
        # a partner tenant's GDAP relationships (resources/relationships.py), as Graph lists them
        self.relationships = list(relationships)
        self.token = token
        # The application permissions writes are checked against: `roles`, else the token's
        # `roles` claim (an app_token), else none are checked (an opaque token).
        self.roles: frozenset[str] | None = frozenset(roles) if roles is not None else token_roles(token)
        self.responders = list(responders)
        # Graph's throttling budgets for this app in this tenant, sized by the tenant's users
        self.budgets = (
            budgets.for_tenant(len(self.tenant.users), snapshot.tenant_id, token_claim(token, "appid"))
            if budgets is not None
            else None
        )
        self.requests: list[LoggedRequest] = []
        self.sent_mail: list[SentMail] = []
        self._lock = threading.Lock()
        self._port = port
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    def start(self) -> GraphEmulator:
        handler = make_handler(self)
        self._server = Server(("127.0.0.1", self._port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="graph-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> GraphEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def prepare(self, report_days: Sequence[int] = ()) -> None:
        """Work out now what the emulator otherwise works out on a listing's first request: the
        index of the users' UPNs (the partitioned reads), each group's members and direct members
        likewise, the groups with members in license errors, and the usage reports for rules of
        `report_days` days. A benchmark calls it before it measures: Graph does not index a tenant
        when an audit first asks for it, so an audit that waits while the emulator does is measured
        wrong (at a million users the first pages took 20 s)."""
        self._upns()
        for group in self.tenant.groups:
            for direct in (False, True):
                self.tenant.member_upns(group, direct=direct)
        self.tenant.license_error_groups()
        for days in report_days:
            self.reports.prepare(days)

    # --- inspection ------------------------------------------------------------------------

    def snapshot(self) -> TenantSnapshot:
        """The tenant as it stands now, the writes so far included (and their directory audit entries)."""
        return self.audit_log.current(self.tenant.current())

    def writes(self) -> list[LoggedRequest]:
        """The logged requests that ask for a change (POST other than $batch, sendMail and an audit
        log query, PATCH, DELETE), in order, inner $batch requests included. An audit log query is a
        search of the log Microsoft grants with a read permission (AuditLogsQuery.Read.All): it
        changes nothing in the tenant."""
        return [
            r
            for r in self.requests
            if r.method in ("POST", "PATCH", "DELETE")
            and r.path not in ("/$batch", AUDIT_QUERIES_PATH)
            and not r.path.endswith("/sendMail")
        ]

    def requests_to(self, pattern: str) -> list[LoggedRequest]:
        """Logged requests whose path fully matches the regex `pattern` (e.g. r"/users")."""
        rx = re.compile(pattern)
        return [r for r in self.requests if rx.fullmatch(r.path)]

    def log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def respond(self, request: Request) -> Reply | Drop | Proceed | None:
        for responder in self.responders:
            answer = responder(request)
            if answer is not None:
                return answer
        return None

    # --- what the handlers share (routes.py and resources/) --------------------------------

    def handle(self, method: str, path: str, query: Query, headers: dict[str, str], body: bytes) -> Answer:
        """Return (status, JSON document or None) for an authorised request (routes.py), the group
        licensing whose delay has passed applied first."""
        self.tenant.settle()
        return dispatch(self, method, path, query, headers, body)

    def charge(self, method: str, path: str, query: Mapping[str, str]) -> dict[str, str]:
        """Count a request against Graph's budgets (when kept): the headers its answer carries, or
        GraphError 429 over budget (budgets.py). `path` is without /v1.0."""
        return self.budgets.charge(method, path, query) if self.budgets is not None else {}

    def require(self, roles: Sequence[str]) -> None:
        """403 unless one of `roles` (the permissions Graph documents for the call) is granted."""
        if self.roles is not None and not self.roles.intersection(roles):
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    def record_mail(self, sender: str, message: dict[str, Any], save_to_sent_items: bool) -> None:
        with self._lock:
            self.sent_mail.append(SentMail(sender, message, save_to_sent_items))

    def filtered_positions(self, prefixes: tuple[str, ...]) -> list[int]:
        """Positions of the users a prefix filter keeps, in order, worked out once per filter from
        the index of their UPNs (pre-encoded listings serve the tenant before any write, so the
        answer does not change)."""
        with self._lock:
            found = self._filtered.get(prefixes)
        if found is None:
            found = self._upns().starting(prefixes)
            with self._lock:
                self._filtered[prefixes] = found
        return found

    def signed_positions(self, comparison: SignInComparison) -> list[int]:
        """Positions of the users a signInActivity comparison keeps, in order, worked out once per
        filter while the pre-encoded listings serve the tenant (it has not changed since)."""
        with self._lock:
            found = self._signed.get(comparison)
        if found is None:
            found = [i for i, u in enumerate(self.tenant.users) if comparison.matches(u)]
            with self._lock:
                self._signed[comparison] = found
        return found

    def _upns(self) -> UpnIndex:
        """The index of the users' UPNs, built on its first use (or by `prepare`) by one request
        while the others wait for it, under a lock of its own (not the one every request's log takes)."""
        with self._index_lock:
            if self._upn_index is None:
                self._upn_index = UpnIndex(u.user_principal_name for u in self.tenant.users)
            return self._upn_index
