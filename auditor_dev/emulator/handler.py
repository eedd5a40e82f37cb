"""The emulator's HTTP plumbing (auditor_dev/emulator/server.py holds its life cycle and what it
records): the request handler that checks the bearer token, asks the responders, charges Graph's
budgets, waits out the latency and encodes each answer as Graph sends it, and the threading server
it runs on.

The handler reads the emulator through `Served`, the few members it needs, so this module imports
nothing of server.py, which imports it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import socket
import uuid
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from ..contracts.graph.traffic import check_answer, check_request
from ..loopback import LoopbackServer
from .budgets import Budgets
from .call import Answer, PlainText
from .encoding import RawJSON, encode
from .errors import GraphError, error_document
from .hooks import Drop, Proceed, Reply, Request
from .log import LoggedRequest
from .query import Query, parse_query
from .reports import ReportServer


class Served(Protocol):
    """What the handler reads of the emulator (server.GraphEmulator)."""

    token: str  # the bearer token it accepts
    clock: Callable[[], float]
    latency: tuple[float, float] | None  # (seconds per answer, seconds per KiB of its body); None: none
    wait: Callable[[float], None]  # how an answer waits out its latency (time.sleep; a test's own, to see it)
    reports: ReportServer
    budgets: Budgets | None
    roles: frozenset[str] | None
    contract: bool  # hold every request and JSON answer against Graph's v1.0 metadata (auditor_dev.contracts.graph)

    @property
    def port(self) -> int: ...

    def respond(self, request: Request) -> Reply | Drop | Proceed | None: ...

    def log(self, entry: LoggedRequest) -> None: ...

    def charge(self, method: str, path: str, query: Mapping[str, str]) -> dict[str, str]: ...

    def handle(self, method: str, path: str, query: Query, headers: dict[str, str], body: bytes) -> Answer: ...


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


def make_handler(emulator: Served) -> type[BaseHTTPRequestHandler]:
    """The request handler class of `emulator`'s HTTP server: every request answered as Graph would."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        _body_doc: Any = None
        _arrived = 0.0
        _path = ""  # the request's path and query as sent, and its body: what an answer is checked against
        _query = ""
        _sent = b""
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
            self._path, self._query, self._sent = path, parts.query, body
            if emulator.contract:  # every request, a responder's or a refused one's too
                check_request(method, path, parts.query, body)
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
                method, path, sent is not None, authorized, port, emulator.roles, query_log
            )
            if emulator.contract and kind.startswith("application/json") and data:
                check_answer(method, path, raw_query, status, json.loads(data))
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
            if emulator.contract and not plain:
                value = doc.get("value") if isinstance(doc, dict) else None
                checked = json.loads(data) if isinstance(value, RawJSON) else doc  # a pre-encoded page too
                check_answer(method, self._path, self._query, status, checked, self._sent)
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
                emulator.wait(per_request + per_kib * len(data) / 1024)
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


class Server(LoopbackServer):
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
