"""A loopback Microsoft Graph v1.0 that serves a TenantSnapshot, strict where Graph is strict.

It speaks real HTTP on 127.0.0.1 so the real msgraph-sdk request adapter, httpx and the
collector run unchanged against it. Supported: /organization, /subscribedSkus,
/directory/subscriptions, /users (list and one; $filter=startsWith(userPrincipalName,'x') [or ...],
see filters.py), /users/$count, /groups (the $filter forms the collector
uses, hasMembersWithLicenseErrors eq true included), /groups/{id},
/groups/{id}/transitiveMembers[/microsoft.graph.user], /groups/{id}/members[/microsoft.graph.user],
/users/{id|upn}/memberOf[/microsoft.graph.group], /users/{id|upn}/mailboxSettings/userPurpose,
/auditLogs/directoryAudits (audits.py: the snapshot's entries and one for each of its own writes),
POST /users/{id|upn}/sendMail, the license writes (POST /users/{id|upn}/assignLicense,
POST /groups/{id}/members/$ref, DELETE /groups/{id}/members/{id}/$ref,
POST /users/{id|upn}/reprocessLicenseAssignment; their rules are in tenant.py) and POST /$batch
(JSON batching of any of these, at most 20, dependsOn honoured, each answered with its own
status). Anything else is a 400, 404 or 405 with Graph's error shape.

Writes are checked against application permissions: the `roles` given, else the `roles` claim of
the token (auditor.emulator.app_token), else (an opaque token) not at all; a write none of whose
documented permissions is granted is Graph's 403 Authorization_RequestDenied.

Two seams let code outside the package change what it serves (auditor/emulator/hooks.py):
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ..attributes import EXTENSION
from ..model import NO_MAILBOX, Group, TenantSnapshot, User
from . import wire
from .audits import READ_ROLES, AuditLog
from .errors import GraphError, bad, error_document, not_found
from .filters import Picked, UnsupportedFilter, matches, upn_prefixes
from .hooks import Drop, EncodedItems, Listings, Proceed, Reply, Request, Responder
from .reports import ReportOptions, ReportServer
from .tenant import ASSIGN_LICENSE_ROLES, GROUP_MEMBER_ROLES, REPROCESS_ROLES, TenantState

__all__ = ["GraphEmulator", "GraphError", "LoggedRequest", "SentMail", "dumps", "error_document"]

MAX_TOP = 999
MAX_BATCH = 20  # requests in one JSON batch
SIGN_IN_MAX_TOP = 500  # Graph's page size cap when signInActivity is selected
DEFAULT_TOP = 100
KNOWN_OPTIONS = frozenset(("$select", "$top", "$filter", "$count", "$skiptoken", "$orderby", "$search", "$expand"))


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # without the /v1.0 prefix, URL-decoded
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names; Authorization left out
    status: int
    fault: str | None  # the label of the responder's answer (e.g. a fault's "503"), else None
    batch: bool = False  # a request inside a POST /$batch (logged before the batch itself)
    body: Any = None  # the JSON body of a POST/PATCH/DELETE (None when it has none or is not JSON)
    at: float = field(default_factory=time.monotonic)  # time.monotonic() when the request arrived


@dataclass(frozen=True)
class SentMail:
    sender: str
    message: dict[str, Any]
    save_to_sent_items: bool


class PlainText(str):
    """A text/plain answer (e.g. /users/$count) rather than a JSON document."""


def _bad(message: str, code: str = "Request_BadRequest") -> GraphError:
    return bad(message, code)


def _unsupported(message: str) -> GraphError:
    return GraphError(400, "Request_UnsupportedQuery", message)


@dataclass
class _Query:
    select: tuple[str, ...] | None
    top: int | None
    filter: str | None
    count: bool
    skiptoken: str | None
    raw: list[tuple[str, str]] = field(default_factory=list)


class GraphEmulator:
    """Serve `snapshot` as Microsoft Graph on http://127.0.0.1:PORT/v1.0.

    Use as a context manager (or start()/stop()). `token` is the bearer token it accepts.
    `responders` are asked in order, for every authorised request (each inner request of a
    POST /$batch too), whether to answer it instead of the emulator; the first answer wins.
    `listings` may supply /users pages and groups' transitive user members already encoded as
    JSON (for very large tenants; the caller owns and closes it). See auditor/emulator/hooks.py.
    `latency_ms` (+ `latency_ms_per_kib` per KiB of the answer's body) delays every answer, the
    way Graph's own time to answer does (the benchmark measures with it; 0 costs nothing).
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
    ) -> None:
        self.tenant = TenantState(snapshot, mutually_exclusive)
        # Each answer waits latency_ms plus latency_ms_per_kib per KiB of its body before it is
        # sent, on its own request thread: concurrent requests overlap their waits, as on Graph.
        self.latency: tuple[float, float] | None = (
            (latency_ms / 1000, latency_ms_per_kib / 1000) if latency_ms > 0 or latency_ms_per_kib > 0 else None)
        self._filtered: dict[tuple[str, ...], list[int]] = {}  # positions of the users a prefix filter keeps
        self.audit_log = AuditLog(snapshot, token)  # auditLogs/directoryAudits, its own writes recorded
        # the usage reports (reports.py), from the snapshot's usageReports section
        self.reports = ReportServer(snapshot, reports or ReportOptions())
        self.listings = listings
        self.token = token
        # The application permissions writes are checked against: `roles`, else the token's
        # `roles` claim (an app_token), else none are checked (an opaque token).
        self.roles: frozenset[str] | None = frozenset(roles) if roles is not None else token_roles(token)
        self.responders = list(responders)
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

    # --- inspection ------------------------------------------------------------------------

    def snapshot(self) -> TenantSnapshot:
        """The tenant as it stands now, the writes so far included (and their directory audit entries)."""
        return self.audit_log.current(self.tenant.current())

    def writes(self) -> list[LoggedRequest]:
        """The logged requests that ask for a change (POST other than $batch and sendMail, PATCH,
        DELETE), in order, inner $batch requests included."""
        return [r for r in self.requests if r.method in ("POST", "PATCH", "DELETE")
                and r.path != "/$batch" and not r.path.endswith("/sendMail")]

    def requests_to(self, pattern: str) -> list[LoggedRequest]:
        """Logged requests whose path fully matches the regex `pattern` (e.g. r"/users")."""
        rx = re.compile(pattern)
        return [r for r in self.requests if rx.fullmatch(r.path)]

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def _respond(self, request: Request) -> Reply | Drop | Proceed | None:
        for responder in self.responders:
            answer = responder(request)
            if answer is not None:
                return answer
        return None

    # --- routing ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: _Query, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        """Return (status, JSON document or None) for an authorised request."""
        segments = [unquote(s) for s in path.strip("/").split("/") if s]
        if method == "POST":
            if len(segments) == 3 and segments[0] == "users" and segments[2] == "sendMail":
                return self._send_mail(segments[1], body)
            if segments == ["$batch"]:
                return self._batch(body)
            if len(segments) == 3 and segments[0] == "users" and segments[2] == "assignLicense":
                self._require(ASSIGN_LICENSE_ROLES)
                doc = _json_body(body)
                changed = self.tenant.assign_license(segments[1], doc)
                self.audit_log.license_changed(changed, doc)
                return 200, self._user_entity(changed)
            if len(segments) == 3 and segments[0] == "users" and segments[2] == "reprocessLicenseAssignment":
                self._require(REPROCESS_ROLES)
                return 200, self._user_entity(self.tenant.reprocess(segments[1]))
            if len(segments) == 4 and segments[0] == "groups" and segments[2:] == ["members", "$ref"]:
                self._require(GROUP_MEMBER_ROLES)
                self._record_member(True, segments[1], self.tenant.add_member(segments[1], _json_body(body)))
                return 204, None
            raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        if method == "DELETE":
            if len(segments) == 5 and segments[0] == "groups" and segments[2] == "members" and segments[4] == "$ref":
                self._require(GROUP_MEMBER_ROLES)
                self._record_member(False, segments[1], self.tenant.remove_member(segments[1], segments[3]))
                return 204, None
            raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        if method != "GET":
            raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        eventual = headers.get("consistencylevel", "").lower() == "eventual"
        if segments == ["organization"]:
            self._no_filter(query)
            snap = self.tenant.snapshot
            org: dict[str, Any] = {
                "id": snap.tenant_id,
                "displayName": snap.tenant_name,
                "tenantType": "AAD",
                "verifiedDomains": [],
                "countryLetterCode": None,
            }
            item = _project(org, query.select, wire.ORGANIZATION_PROPERTIES, "organization")
            return 200, {"@odata.context": "$metadata#organization", "value": [item]}
        if segments == ["subscribedSkus"]:
            self._no_filter(query)
            self._check_select(query.select, wire.SKU_PROPERTIES, "subscribedSku")
            items = [wire.sku_wire(s, query.select) for s in list(self.tenant.skus)]
            return 200, {"@odata.context": "$metadata#subscribedSkus", "value": items}
        if segments == ["directory", "subscriptions"]:
            self._no_filter(query)
            self._check_select(query.select, wire.SUBSCRIPTION_PROPERTIES, "companySubscription")
            subs = self.tenant.snapshot.subscriptions
            return self._page(path, query, [wire.subscription_wire(s, query.select) for s in subs], eventual, 999)
        if segments == ["users"]:
            return self._list_users(path, query, eventual)
        if segments == ["users", "$count"]:
            # Graph counts only as an advanced query; without the header it answers 400.
            if not eventual:
                raise _bad("$count is not currently supported.")
            if query.filter is not None:
                prefixes = self._upn_prefixes(query.filter)
                return 200, PlainText(str(sum(1 for u in self.tenant.users if matches(u.user_principal_name,
                                                                                       prefixes))))
            return 200, PlainText(str(len(self.tenant.users)))
        if len(segments) == 4 and segments[0] == "users" and segments[2:] == ["mailboxSettings", "userPurpose"]:
            return self._user_purpose(segments[1], query)
        if len(segments) == 2 and segments[0] == "users":
            user = self.tenant.user(segments[1])
            if user is None:
                raise not_found(segments[1])
            self._check_select(query.select, wire.USER_PROPERTIES, "user")
            return 200, wire.user_wire(user, query.select)
        if len(segments) in (3, 4) and segments[0] == "users" and segments[2] == "memberOf":
            member = self.tenant.user(segments[1])
            if member is None:
                raise not_found(segments[1])
            cast = segments[3] if len(segments) == 4 else None
            return self._member_of(path, query, member, cast, eventual)
        if segments == ["groups"]:
            return self._list_groups(path, query, eventual)
        if segments == ["auditLogs", "directoryAudits"]:
            self._require(READ_ROLES)
            return self._page(path, query, self.audit_log.select(query.filter), eventual, MAX_TOP)
        if len(segments) >= 2 and segments[0] == "groups":
            group = self.tenant.group(segments[1])
            if group is None:
                raise not_found(segments[1])
            if len(segments) == 2:
                self._check_select(query.select, wire.GROUP_PROPERTIES, "group")
                return 200, wire.group_wire(group, query.select)
            if segments[2] == "transitiveMembers" and len(segments) <= 4:
                cast = segments[3] if len(segments) == 4 else None
                return self._transitive_members(path, query, group, cast, eventual)
            if segments[2] == "members" and len(segments) <= 4:
                cast = segments[3] if len(segments) == 4 else None
                return self._members(path, query, group, cast, eventual)
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segments[-1] if segments else ''}'.")

    def _no_filter(self, query: _Query) -> None:
        if query.filter is not None:
            raise _unsupported("Unsupported query.")

    def _check_select(self, select: tuple[str, ...] | None, known: frozenset[str], type_name: str) -> None:
        for name in select or ():
            if name not in known and not (type_name == "user" and EXTENSION.match(name)):
                raise _bad(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")

    def _list_users(self, path: str, query: _Query, eventual: bool) -> tuple[int, Any]:
        prefixes = self._upn_prefixes(query.filter) if query.filter is not None else None
        self._check_select(query.select, wire.USER_PROPERTIES, "user")
        cap = SIGN_IN_MAX_TOP if query.select and "signInActivity" in query.select else MAX_TOP
        select = query.select
        listings = self.listings if not self.tenant.written else None  # pre-encoded: the tenant before writes
        encoded = listings.users(select) if listings is not None and select is not None else None
        if encoded is not None:
            if prefixes is not None:
                encoded = Picked(encoded, self._filtered_positions(prefixes))
            return self._page(path, query, encoded, eventual, cap)
        users: Sequence[User] = self.tenant.users
        if prefixes is not None:
            users = [u for u in users if matches(u.user_principal_name, prefixes)]
        return self._page(path, query, users, eventual, cap, lambda u: wire.user_wire(u, select))

    @staticmethod
    def _upn_prefixes(text: str) -> tuple[str, ...]:
        """The prefixes of a /users filter of startsWith(userPrincipalName,'...') clauses joined by
        `or` (see filters.py); any other filter is Graph's 400 for a filter it does not take."""
        try:
            return upn_prefixes(text)
        except UnsupportedFilter:
            raise _unsupported(f"Unsupported or invalid query filter clause specified for resource 'User': "
                               f"{text}") from None

    def _filtered_positions(self, prefixes: tuple[str, ...]) -> list[int]:
        """Positions of the users a prefix filter keeps, worked out once per filter (pre-encoded
        listings serve the tenant before any write, so the answer does not change)."""
        with self._lock:
            found = self._filtered.get(prefixes)
        if found is None:
            found = [i for i, u in enumerate(self.tenant.users) if matches(u.user_principal_name, prefixes)]
            with self._lock:
                self._filtered[prefixes] = found
        return found

    def _list_groups(self, path: str, query: _Query, eventual: bool) -> tuple[int, Any]:
        self._check_select(query.select, wire.GROUP_PROPERTIES, "group")
        groups: list[Group] = list(self.tenant.groups)
        text = (query.filter or "").strip()
        if text:
            m = re.fullmatch(r"displayName eq '((?:[^']|'')*)'", text)
            if m:
                name = m.group(1).replace("''", "'")
                groups = [g for g in groups if g.display_name.lower() == name.lower()]
            elif re.fullmatch(r"assignedLicenses/\$count ne 0", text):
                if not (eventual and query.count):
                    raise _unsupported(
                        "Request with $count in a $filter expression only works with the advanced query parameters: "
                        "'ConsistencyLevel: eventual' header and $count=true."
                    )
                groups = [g for g in groups if g.assigned_licenses]
            elif re.fullmatch(r"hasMembersWithLicenseErrors eq true", text):
                flagged = self.tenant.license_error_groups()
                groups = [g for g in groups if g.id.lower() in flagged]
            else:
                raise _unsupported(f"Unsupported or invalid query filter clause specified for resource 'Group': {text}")
        select = query.select
        return self._page(path, query, groups, eventual, MAX_TOP, lambda g: wire.group_wire(g, select))

    def _transitive_members(
        self, path: str, query: _Query, group: Group, cast: str | None, eventual: bool
    ) -> tuple[int, Any]:
        if query.filter is not None:
            raise _unsupported("Unsupported query.")
        if cast is not None:
            if cast != "microsoft.graph.user":
                if cast in ("microsoft.graph.group", "microsoft.graph.device", "microsoft.graph.servicePrincipal"):
                    return self._page(path, query, [], eventual, MAX_TOP)
                raise _bad(f"Resource not found for the segment '{cast}'.")
            if not (eventual and query.count):
                raise _unsupported(
                    "The OData cast on transitiveMembers is an advanced query: it needs the "
                    "'ConsistencyLevel: eventual' header and $count=true."
                )
        self._check_select(query.select, wire.USER_PROPERTIES, "user")
        select = query.select
        listings = self.listings if not self.tenant.written else None
        encoded = listings.members(group.id, select) if listings is not None and cast and select else None
        if encoded is not None:
            return self._page(path, query, encoded, eventual, MAX_TOP)
        members = self.tenant.members(group)

        def member(u: User) -> dict[str, Any]:
            doc = wire.user_wire(u, select)
            if cast is None:
                doc = {"@odata.type": "#microsoft.graph.user", **doc}
            return doc

        return self._page(path, query, members, eventual, MAX_TOP, member)

    def _members(self, path: str, query: _Query, group: Group, cast: str | None, eventual: bool) -> tuple[int, Any]:
        """GET /groups/{id}/members[/microsoft.graph.user]: the group's direct members (the
        snapshot keeps users only, every one a direct member). `$filter=id eq '...'` is an
        advanced query, as $filter on directory-object relationships is on Graph."""
        if cast is not None and cast != "microsoft.graph.user":
            if cast in ("microsoft.graph.group", "microsoft.graph.device", "microsoft.graph.servicePrincipal",
                        "microsoft.graph.orgContact"):
                return self._page(path, query, [], eventual, MAX_TOP)
            raise _bad(f"Resource not found for the segment '{cast}'.")
        self._check_select(query.select, wire.USER_PROPERTIES, "user")
        members: Sequence[User] = self.tenant.members(group)
        wanted = self._id_filter(query, eventual, "DirectoryObject")
        if wanted is not None:
            members = [u for u in members if u.id.lower() == wanted]
        select = query.select

        def member(u: User) -> dict[str, Any]:
            doc = wire.user_wire(u, select)
            return doc if cast is not None else {"@odata.type": "#microsoft.graph.user", **doc}

        return self._page(path, query, members, eventual, MAX_TOP, member)

    def _member_of(self, path: str, query: _Query, user: User, cast: str | None, eventual: bool) -> tuple[int, Any]:
        """GET /users/{id}/memberOf[/microsoft.graph.group]: the groups the user is a direct
        member of (the snapshot has no directory roles or administrative units)."""
        if cast is not None and cast != "microsoft.graph.group":
            if cast in ("microsoft.graph.directoryRole", "microsoft.graph.administrativeUnit"):
                return self._page(path, query, [], eventual, MAX_TOP)
            raise _bad(f"Resource not found for the segment '{cast}'.")
        self._check_select(query.select, wire.GROUP_PROPERTIES, "group")
        groups = self.tenant.member_of(user)
        wanted = self._id_filter(query, eventual, "DirectoryObject")
        if wanted is not None:
            groups = [g for g in groups if g.id.lower() == wanted]
        select = query.select

        def group(g: Group) -> dict[str, Any]:
            doc = wire.group_wire(g, select)
            return doc if cast is not None else {"@odata.type": "#microsoft.graph.group", **doc}

        return self._page(path, query, groups, eventual, MAX_TOP, group)

    def _id_filter(self, query: _Query, eventual: bool, resource: str) -> str | None:
        """The id of `$filter=id eq '<id>'` (lower case), the one filter the emulator takes on a
        relationship; it needs the advanced query headers."""
        if query.filter is None:
            return None
        m = re.fullmatch(r"\s*id eq '([^']*)'\s*", query.filter)
        if m is None:
            raise _unsupported(f"Unsupported or invalid query filter clause specified for resource '{resource}': "
                               f"{query.filter}")
        if not (eventual and query.count):
            raise _unsupported(
                "Request with $filter on a directory object relationship only works with the advanced query "
                "parameters: 'ConsistencyLevel: eventual' header and $count=true."
            )
        return m.group(1).lower()

    def _record_member(self, added: bool, group_key: str, user: User | None) -> None:
        group = self.tenant.group(group_key)
        if group is not None and user is not None:
            self.audit_log.membership(added, group, user)

    def _require(self, roles: Sequence[str]) -> None:
        """403 unless one of `roles` (the permissions Graph documents for the call) is granted."""
        if self.roles is not None and not self.roles.intersection(roles):
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    def _user_entity(self, user: User) -> dict[str, Any]:
        return {"@odata.context": f"{self.url}/$metadata#users/$entity", **wire.user_wire(user, None)}

    def _page(
        self,
        path: str,
        query: _Query,
        items: Sequence[Any] | EncodedItems,
        eventual: bool,
        cap: int,
        render: Callable[[Any], dict[str, Any]] | None = None,
    ) -> tuple[int, Any]:
        top = query.top if query.top is not None else DEFAULT_TOP
        size = min(top, cap)
        fingerprint = _fingerprint(path, query)
        offset = 0
        if query.skiptoken is not None:
            offset = _read_skiptoken(query.skiptoken, fingerprint)
        doc: dict[str, Any] = {"@odata.context": f"$metadata#{path.strip('/')}"}
        if query.count and eventual and offset == 0:
            doc["@odata.count"] = len(items)
        if offset + size < len(items):
            token = _make_skiptoken(fingerprint, offset + size)
            params = [(k, v) for k, v in query.raw if k != "$skiptoken"] + [("$skiptoken", token)]
            doc["@odata.nextLink"] = f"{self.url}{path}?" + "&".join(
                f"{quote(k, safe='$')}={quote(v, safe=',/$')}" for k, v in params
            )
        if not isinstance(items, Sequence):  # EncodedItems
            stop = min(offset + size, len(items))
            doc["value"] = _RawJSON(items.json_array(offset, stop) if offset < stop else b"[]")
            return 200, doc
        chunk = items[offset : offset + size]
        doc["value"] = [render(x) for x in chunk] if render is not None else list(chunk)
        return 200, doc

    def _user_purpose(self, key: str, query: _Query) -> tuple[int, Any]:
        """mailboxSettings/userPurpose: the snapshot's purpose; a licensed user without one has a
        person's mailbox ("user"); no mailbox (unlicensed, or NO_MAILBOX) is Graph's 404."""
        if query.select or query.filter or query.top:
            raise _bad("Query options are not supported on a property.")
        user = self.tenant.user(key)
        if user is None:
            raise GraphError(404, "ResourceNotFound", f"User not found: '{key}'.")
        purpose = user.mailbox_purpose
        if purpose is None and user.assigned_licenses:
            purpose = "user"
        if purpose is None or purpose == NO_MAILBOX:
            raise GraphError(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or "
                                                                 "is hosted on-premise.")
        context = f"{self.url}/$metadata#users('{user.id}')/mailboxSettings/userPurpose"
        return 200, {"@odata.context": context, "value": purpose}

    def _batch(self, body: bytes) -> tuple[int, Any]:
        """JSON batching (https://learn.microsoft.com/graph/json-batching): at most 20 requests,
        each answered on its own (status, headers, body), in order. `dependsOn` names earlier
        requests; a request whose dependency failed is not run and answers 424 Failed Dependency.
        A batch is fully parallel (no dependsOn) or fully sequential (every request after the
        first has one), as the documentation asks; a mix is a 400."""
        try:
            doc = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _bad("Invalid batch payload format.", "BadRequest") from None
        requests = doc.get("requests") if isinstance(doc, dict) else None
        if not isinstance(requests, list) or not requests:
            raise _bad("Invalid batch payload format.", "BadRequest")
        if len(requests) > MAX_BATCH:
            raise _bad(f"The number of batch requests exceeds the allowed limit of {MAX_BATCH}.", "BadRequest")
        ids: set[str] = set()
        for item in requests:
            rid = item.get("id") if isinstance(item, dict) else None
            if not isinstance(rid, str) or not rid or rid.lower() in ids:  # ids are not case-sensitive
                raise _bad("Batch request ids must be unique, non-empty strings.", "BadRequest")
            if not isinstance(item.get("url"), str) or not isinstance(item.get("method"), str):
                raise _bad(f"Batch request {rid} needs a method and a url.", "BadRequest")
            depends = item.get("dependsOn")
            if depends is not None:
                if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
                    raise _bad(f"dependsOn of batch request {rid} must be a list of request ids.", "BadRequest")
                for d in depends:
                    if d.lower() not in ids:
                        raise _bad(f"Batch request {rid} depends on '{d}', which is not an earlier request "
                                   "of the batch.", "BadRequest")
            ids.add(rid.lower())
        sequential = [bool(item.get("dependsOn")) for item in requests[1:]]
        if any(sequential) and not all(sequential):
            raise _bad("Batch should be either fully sequential or fully parallel.", "BadRequest")
        failed: set[str] = set()
        responses = []
        for item in requests:
            depends = [d.lower() for d in item.get("dependsOn") or []]
            skip = failed.intersection(depends)
            answer = self._batch_failed_dependency(item) if skip else self._batch_one(item)
            if not 200 <= answer["status"] < 300:
                failed.add(item["id"].lower())
            responses.append(answer)
        return 200, {"responses": responses}

    def _batch_failed_dependency(self, item: dict[str, Any]) -> dict[str, Any]:
        # Graph documents the 424 status, not the body; the error code and message are the emulator's.
        url, method = item["url"], item["method"].upper()
        parts = urlsplit(url)
        path = parts.path if parts.path.startswith("/") else "/" + parts.path
        doc = error_document("FailedDependency", "The request was not run: a request it depends on failed.")
        self._log(LoggedRequest(method, unquote(path), dict(parse_qsl(parts.query)), {}, 424, None, True,
                                item.get("body")))
        return {"id": item["id"], "status": 424, "headers": {"Content-Type": "application/json"}, "body": doc}

    def _batch_one(self, item: dict[str, Any]) -> dict[str, Any]:
        url, method = item["url"], item["method"].upper()
        parts = urlsplit(url)
        path = parts.path if parts.path.startswith("/") else "/" + parts.path
        query_log = dict(parse_qsl(parts.query))
        raw_headers = item.get("headers")
        inner_headers = ({str(k).lower(): str(v) for k, v in raw_headers.items()}
                         if isinstance(raw_headers, dict) else {})
        answer = self._respond(Request(method, unquote(path), parts.query, query_log, {}, batch=True))
        headers: dict[str, str] = {"Content-Type": "application/json"}
        doc: Any
        label = answer.label if answer is not None else None
        if isinstance(answer, Reply):
            if isinstance(answer.body, bytes | bytearray) or answer.close_after is not None:
                raise TypeError("inside a $batch a responder answers with a JSON document, not bytes")
            status, doc = answer.status, answer.body
            headers.update(answer.headers)
        elif isinstance(answer, Drop):
            raise TypeError("a responder cannot drop a request inside a $batch")
        else:
            try:
                if unquote(path).strip("/") == "$batch":
                    raise _bad("A batch cannot contain another batch.", "BadRequest")
                payload = b""
                if "body" in item and item["body"] is not None:
                    if "content-type" not in inner_headers:
                        # Graph requires the header with a body; answering this request alone
                        # (not the whole batch) is the emulator's choice.
                        raise _bad("A Content-Type header is required when a body is specified.", "BadRequest")
                    payload = dumps(item["body"])
                status, doc = self.handle(method, path, _parse_query(parts.query), inner_headers, payload)
            except GraphError as exc:
                status, doc = exc.status, error_document(exc.code, exc.message)
                headers.update(exc.headers)
        self._log(LoggedRequest(method, unquote(path), query_log, {}, status, label, True, item.get("body")))
        response: dict[str, Any] = {"id": item["id"], "status": status, "headers": headers}
        if doc is not None:
            response["body"] = doc
        return response

    def _send_mail(self, sender_key: str, body: bytes) -> tuple[int, Any]:
        sender = self.tenant.user(sender_key)
        if sender is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{sender_key}' is invalid.")
        try:
            doc = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _bad("Unable to read JSON request payload.", "RequestBodyRead") from None
        message = _check_mail(doc)
        save = doc.get("saveToSentItems", True)
        with self._lock:
            self.sent_mail.append(SentMail(sender.user_principal_name, message, bool(save)))
        return 202, None


def _logged_body(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _json_body(body: bytes) -> Any:
    if not body:
        raise bad("Empty Payload. JSON content expected.")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad("Unable to read JSON request payload.", "RequestBodyRead") from None


def token_roles(token: str) -> frozenset[str] | None:
    """The `roles` claim of a JWT bearer token (as auditor.emulator.app_token issues); None for
    an opaque token or one without the claim."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    roles = claims.get("roles") if isinstance(claims, dict) else None
    if not isinstance(roles, list):
        return None
    return frozenset(r for r in roles if isinstance(r, str))


def _check_mail(doc: Any) -> dict[str, Any]:
    """Validate a sendMail body the way Graph does for the fields the auditor sends."""
    if not isinstance(doc, dict) or not isinstance(doc.get("message"), dict):
        raise _bad("Empty Payload. JSON content expected.", "ErrorInvalidRequest")
    unknown = set(doc) - {"message", "saveToSentItems"}
    if unknown:
        raise _bad(
            f"The property '{sorted(unknown)[0]}' does not exist on type 'microsoft.graph.sendMail'.", "RequestBodyRead"
        )
    if "saveToSentItems" in doc and not isinstance(doc["saveToSentItems"], bool):
        raise _bad("saveToSentItems must be a boolean.", "RequestBodyRead")
    message = doc["message"]
    if not isinstance(message.get("subject", ""), str):
        raise _bad("subject must be a string.", "RequestBodyRead")
    body = message.get("body")
    if body is not None:
        if not isinstance(body, dict) or not isinstance(body.get("content", ""), str):
            raise _bad("body must be an itemBody with string content.", "RequestBodyRead")
        if str(body.get("contentType", "text")).lower() not in ("text", "html"):
            raise _bad(f"Requested value '{body.get('contentType')}' was not found.", "RequestBodyRead")
    recipients = 0
    for key in ("toRecipients", "ccRecipients", "bccRecipients"):
        value = message.get(key, [])
        if not isinstance(value, list):
            raise _bad(f"{key} must be a collection of recipients.", "RequestBodyRead")
        for r in value:
            address = r.get("emailAddress", {}).get("address") if isinstance(r, dict) else None
            if not isinstance(address, str) or "@" not in address:
                raise _bad("At least one recipient is not valid.", "ErrorInvalidRecipients")
            recipients += 1
    if recipients == 0:
        raise _bad("At least one recipient is required, but none were found.", "ErrorInvalidRecipients")
    for att in message.get("attachments", []) or []:
        if not isinstance(att, dict) or att.get("@odata.type") != "#microsoft.graph.fileAttachment":
            raise _bad("Attachments must be #microsoft.graph.fileAttachment.", "RequestBodyRead")
        try:
            base64.b64decode(att.get("contentBytes", ""), validate=True)
        except (binascii.Error, TypeError):
            raise _bad("contentBytes is not valid base64.", "RequestBodyRead") from None
    return message


def _fingerprint(path: str, query: _Query) -> str:
    return f"{path}|{query.select}|{query.filter}|{query.top}"


def _make_skiptoken(fingerprint: str, offset: int) -> str:
    raw = json.dumps({"f": fingerprint, "o": offset}).encode()
    return "RFNwdAIAAQAAA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_skiptoken(token: str, fingerprint: str) -> int:
    try:
        if not token.startswith("RFNwdAIAAQAAA"):
            raise ValueError
        payload = token[len("RFNwdAIAAQAAA") :]
        doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if doc["f"] != fingerprint or not isinstance(doc["o"], int):
            raise ValueError
        return int(doc["o"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _bad(
            "Invalid $skiptoken: the paging token does not belong to this query.", "Directory_ExpiredPageToken"
        ) from None


def _project(
    full: dict[str, Any], select: tuple[str, ...] | None, known: frozenset[str], type_name: str
) -> dict[str, Any]:
    if select is None:
        return full
    out = {}
    for name in select:
        if name not in known:
            raise _bad(f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.")
        out[name] = full.get(name)
    return out


def _parse_query(raw_query: str) -> _Query:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key.startswith("$") and key not in KNOWN_OPTIONS:
            raise _bad(f"Query option '{key}' is not allowed.")
        if key in seen:
            raise _bad(f"Query option '{key}' was specified more than once, but it must be specified at most once.")
        seen[key] = value
    if "$search" in seen or "$orderby" in seen or "$expand" in seen:
        raise _unsupported("The emulator does not implement $search, $orderby or $expand.")
    select = None
    if "$select" in seen:
        select = tuple(s.strip() for s in seen["$select"].split(",") if s.strip())
        if not select:
            raise _bad("Syntax error: $select is empty.")
    top = None
    if "$top" in seen:
        try:
            top = int(seen["$top"])
        except ValueError:
            raise _bad(f"Invalid page size specified: '{seen['$top']}'.") from None
        if not 1 <= top <= MAX_TOP:
            raise _bad(f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive.")
    count = False
    if "$count" in seen:
        if seen["$count"] not in ("true", "false"):
            raise _bad(f"Invalid value '{seen['$count']}' for $count.")
        count = seen["$count"] == "true"
    return _Query(select, top, seen.get("$filter"), count, seen.get("$skiptoken"), pairs)


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
            self._arrived = time.monotonic()
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
            answer = emulator._respond(Request(method, unquote(rel), parts.query, query_log, headers, body=body))
            if isinstance(answer, Reply):
                self._reply(answer, method, rel, query_log, headers)
                return
            if isinstance(answer, Drop):
                emulator._log(LoggedRequest(method, unquote(rel), query_log, headers, 0, answer.label,
                                            body=self._body_doc, at=self._arrived))
                self.close_connection = True
                _hard_close(self.connection)
                return
            label = answer.label if answer is not None else None
            try:
                query = _parse_query(parts.query)
                status, doc = emulator.handle(method, rel, query, headers, body)
            except GraphError as exc:
                self._finish(
                    method, rel, query_log, headers, exc.status, error_document(exc.code, exc.message), label,
                    exc.headers,
                )
                return
            self._finish(method, rel, query_log, headers, status, doc, label)

        def _report(self, method: str, path: str, raw_query: str, headers: dict[str, str]) -> None:
            """A usage report, its download or the report settings (reports.py); responders apply."""
            rel = path[len("/v1.0"):] if path.startswith("/v1.0/") else path
            query_log = dict(parse_qsl(raw_query, keep_blank_values=True))
            sent = self.headers.get("Authorization")
            authorized = sent == f"Bearer {emulator.token}"
            download = path.startswith("/download/")  # needs no token: responders apply to it as well
            answer = emulator._respond(Request(method, unquote(rel), raw_query, query_log, headers)) \
                if authorized or download else None
            if isinstance(answer, Reply):
                self._reply(answer, method, rel, query_log, headers)
                return
            port = emulator.port
            status, data, kind, extra = emulator.reports.answer(method, path, sent is not None, authorized, port)
            emulator._log(LoggedRequest(method, unquote(rel), query_log, headers, status,
                                        answer.label if answer is not None else None, at=self._arrived))
            self._raw(status, data, kind, extra)

        def _reply(self, answer: Reply, method: str, rel: str, query: dict[str, str], headers: dict[str, str]) -> None:
            """Send a responder's answer: a JSON document as the emulator sends its own, or bytes as they are."""
            extra = dict(answer.headers)
            if not isinstance(answer.body, bytes | bytearray):
                self._finish(method, rel, query, headers, answer.status, answer.body, answer.label, extra)
                return
            emulator._log(LoggedRequest(method, unquote(rel), query, headers, answer.status, answer.label,
                                        body=self._body_doc, at=self._arrived))
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
            emulator._log(LoggedRequest(method, unquote(rel), query, headers, status, fault, body=self._body_doc,
                                        at=self._arrived))
            if isinstance(doc, PlainText):
                self._raw(status, doc.encode(), "text/plain", extra)
                return
            data = b"" if doc is None else _encode(doc)
            self._raw(status, data, "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8", extra)

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

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or give up reset their connections; that is part of the job.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


@dataclass(frozen=True)
class _RawJSON:
    """JSON text the response writer embeds as is (a page's `value` array from EncodedItems)."""

    data: bytes


def dumps(doc: object) -> bytes:
    """The emulator's wire encoding: compact, UTF-8, non-ASCII kept (EncodedItems must match it)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _encode(doc: Any) -> bytes:
    value = doc.get("value") if isinstance(doc, dict) else None
    if isinstance(value, _RawJSON):
        head = dumps({k: v for k, v in doc.items() if k != "value"})
        return head[:-1] + b',"value":' + value.data + b"}"
    return dumps(doc)


def _hard_close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
