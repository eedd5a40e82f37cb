"""A loopback Microsoft Graph v1.0 that serves a TenantSnapshot, strict where Graph is strict.

It speaks real HTTP on 127.0.0.1 so the real msgraph-sdk request adapter, httpx and the
collector run unchanged against it. This module holds the emulator's life cycle, what it records
and the HTTP plumbing (tokens, responders, latency, encoding). What it serves is the route table
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

import base64
import binascii
import contextlib
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from auditor.data.model import TenantSnapshot

from .audit_log import AuditLog
from .budgets import Budgets
from .call import Answer, PlainText
from .encoding import dumps, encode
from .errors import GraphError, error_document
from .filters import SignInComparison, UpnIndex
from .hooks import Drop, Listings, Proceed, Reply, Request, Responder
from .log import LoggedRequest, SentMail
from .query import Query, parse_query
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
    ) -> None:
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
        self._filtered: dict[tuple[str, ...], list[int]] = {}  # positions of the users a prefix filter keeps
        self._signed: dict[SignInComparison, list[int]] = {}  # and of those a sign-in comparison keeps
        self._upn_index: UpnIndex | None = None  # the users' UPNs, sorted (filters.UpnIndex)
        self._index_lock = threading.Lock()
        self.audit_log = AuditLog(snapshot, token, now)  # auditLogs/directoryAudits, its own writes recorded
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
        self._server: ThreadingHTTPServer | None = None
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
        handler = _make_handler(self)
        self._server = _Server(("127.0.0.1", self._port), handler)
        self._server.daemon_threads = True
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
        """The logged requests that ask for a change (POST other than $batch and sendMail, PATCH,
        DELETE), in order, inner $batch requests included."""
        return [
            r
            for r in self.requests
            if r.method in ("POST", "PATCH", "DELETE") and r.path != "/$batch" and not r.path.endswith("/sendMail")
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


JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8"


def _logged_body(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT bearer token (as auditor_dev.emulator.app_token issues); None for an opaque one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def token_claim(token: str, name: str) -> str | None:
    """A string claim of a JWT bearer token (`appid`, `tid`); None for an opaque token or without it."""
    value = (_claims(token) or {}).get(name)
    return value if isinstance(value, str) else None


def token_roles(token: str) -> frozenset[str] | None:
    """The `roles` claim of a JWT bearer token (as auditor_dev.emulator.app_token issues); None for
    an opaque token or one without the claim."""
    claims = _claims(token)
    roles = claims.get("roles") if claims is not None else None
    if not isinstance(roles, list):
        return None
    return frozenset(r for r in roles if isinstance(r, str))


def _make_handler(emulator: GraphEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        _body_doc: Any = None
        _arrived = 0.0
        disable_nagle_algorithm = True  # headers and body are two writes; no 40 ms delayed-ACK stalls
        server_version = "GraphEmulator/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .requests
            return

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            self._arrived = emulator.clock()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            self._body_doc = _logged_body(body) if method != "GET" else None
            parts = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"}
            path = parts.path
            if emulator.reports.serves(path):
                self._report(method, path, parts.query, headers)
                return
            if not path.startswith("/v1.0/") and path != "/v1.0":
                doc = error_document("BadRequest", "Unsupported API version.")
                self._finish(method, path, {}, headers, 404, doc, None)
                return
            rel = path[len("/v1.0") :] or "/"
            query_log = dict(parse_qsl(parts.query, keep_blank_values=True))
            auth = self.headers.get("Authorization", "")
            if auth != f"Bearer {emulator.token}":
                message = "Access token is empty." if not auth else "Access token validation failure. Invalid audience."
                self._finish(
                    method, rel, query_log, headers, 401, error_document("InvalidAuthenticationToken", message), None
                )
                return
            answer = emulator.respond(Request(method, unquote(rel), parts.query, query_log, headers, body=body))
            if isinstance(answer, Reply):
                self._reply(answer, method, rel, query_log, headers)
                return
            if isinstance(answer, Drop):
                emulator.log(
                    LoggedRequest(
                        method, unquote(rel), query_log, headers, 0, answer.label, body=self._body_doc, at=self._arrived
                    )
                )
                self.close_connection = True
                _hard_close(self.connection)
                return
            label = answer.label if answer is not None else None
            charged: dict[str, str] = {}
            try:
                charged = emulator.charge(method, unquote(rel), query_log)
                query = parse_query(parts.query)
                status, doc = emulator.handle(method, rel, query, headers, body)
                if isinstance(answer, Proceed) and (answer.keep is not None or answer.uncounted) and status == 200:
                    doc = _shortened(doc, answer.keep, answer.uncounted)
            except GraphError as exc:
                self._finish(
                    method,
                    rel,
                    query_log,
                    headers,
                    exc.status,
                    error_document(exc.code, exc.message),
                    label,
                    {**charged, **exc.headers},
                )
                return
            self._finish(method, rel, query_log, headers, status, doc, label, charged)

        def _report(self, method: str, path: str, raw_query: str, headers: dict[str, str]) -> None:
            """A usage report, its download or the report settings (reports.py); responders apply."""
            rel = path[len("/v1.0") :] if path.startswith("/v1.0/") else path
            query_log = dict(parse_qsl(raw_query, keep_blank_values=True))
            sent = self.headers.get("Authorization")
            authorized = sent == f"Bearer {emulator.token}"
            download = path.startswith("/download/")  # needs no token: responders apply to it as well
            answer = (
                emulator.respond(Request(method, unquote(rel), raw_query, query_log, headers))
                if authorized or download
                else None
            )
            if isinstance(answer, Reply):
                self._reply(answer, method, rel, query_log, headers)
                return
            port = emulator.port
            try:
                if authorized and "(" in rel and emulator.budgets is not None:  # a report, not its download
                    emulator.budgets.charge_report(unquote(rel))
            except GraphError as exc:
                self._finish(
                    method,
                    rel,
                    query_log,
                    headers,
                    exc.status,
                    error_document(exc.code, exc.message),
                    None,
                    exc.headers,
                )
                return
            status, data, kind, extra = emulator.reports.answer(
                method, path, sent is not None, authorized, port, emulator.roles
            )
            emulator.log(
                LoggedRequest(
                    method,
                    unquote(rel),
                    query_log,
                    headers,
                    status,
                    answer.label if answer is not None else None,
                    at=self._arrived,
                    seconds=emulator.clock() - self._arrived,
                )
            )
            self._raw(status, data, kind, extra)

        def _reply(self, answer: Reply, method: str, rel: str, query: dict[str, str], headers: dict[str, str]) -> None:
            """Send a responder's answer: a JSON document as the emulator sends its own, or bytes as they are."""
            extra = dict(answer.headers)
            if not isinstance(answer.body, bytes | bytearray):
                self._finish(method, rel, query, headers, answer.status, answer.body, answer.label, extra)
                return
            emulator.log(
                LoggedRequest(
                    method,
                    unquote(rel),
                    query,
                    headers,
                    answer.status,
                    answer.label,
                    body=self._body_doc,
                    at=self._arrived,
                )
            )
            self._raw(answer.status, bytes(answer.body), answer.content_type, extra, answer.close_after)

        def _finish(
            self,
            method: str,
            rel: str,
            query: dict[str, str],
            headers: dict[str, str],
            status: int,
            doc: Any,
            fault: str | None,
            extra: dict[str, str] | None = None,
        ) -> None:
            plain = isinstance(doc, PlainText)
            data = doc.encode() if plain else b"" if doc is None else encode(doc)
            emulator.log(
                LoggedRequest(
                    method,
                    unquote(rel),
                    query,
                    headers,
                    status,
                    fault,
                    body=self._body_doc,
                    at=self._arrived,
                    seconds=emulator.clock() - self._arrived,
                )
            )
            self._raw(status, data, "text/plain" if plain else JSON_TYPE, extra)

        def _raw(
            self,
            status: int,
            data: bytes,
            content_type: str,
            extra: dict[str, str] | None = None,
            close_after: int | None = None,
        ) -> None:
            if emulator.latency is not None:
                per_request, per_kib = emulator.latency
                time.sleep(per_request + per_kib * len(data) / 1024)
            self.send_response(status)
            if data:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("request-id", str(uuid.uuid4()))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if close_after is not None:  # Content-Length promised all of it
                self.wfile.write(data[:close_after])
                self.wfile.flush()
                self.close_connection = True
                _hard_close(self.connection)
            elif data:
                self.wfile.write(data)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a collector opening its streams, member partitions and
    # batches at once met refused connections Graph would have taken
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or give up reset their connections; that is part of the job.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


def _hard_close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


def _shortened(doc: Any, keep: int | None, uncounted: bool = False) -> Any:
    """A listing's page cut to its first `keep` items, without its @odata.nextLink (Proceed.keep;
    None: as it was), and with `uncounted` without its @odata.count (Proceed.uncounted)."""
    page = json.loads(encode(doc)) if doc is not None else None  # a pre-encoded `value` too
    if not isinstance(page, dict) or not isinstance(page.get("value"), list):
        return doc
    if keep is not None:
        page = {k: v for k, v in page.items() if k != "@odata.nextLink"} | {"value": page["value"][:keep]}
    return {k: v for k, v in page.items() if k != "@odata.count"} if uncounted else page
