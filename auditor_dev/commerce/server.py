"""The HTTP plumbing of the commerce stand-ins: one threaded server on 127.0.0.1, bearer tokens,
throttling with Retry-After, and the requests it answered (tests read them)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, unquote, urlsplit

from auditor_dev import contracts
from auditor_dev.loopback import LoopbackServer


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Asked:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


Route = Callable[[Asked], Reply]


class StandIn:
    """A loopback server answering through `route` (subclasses define it). A stand-in that names its
    vendor's published `contract` (auditor_dev/contracts/<contract>.json) holds every request it is sent
    and every answer it gives to it: what falls outside is recorded (auditor_dev.contracts) and fails the
    test that caused it."""

    contract: ClassVar[str | None] = None

    def __init__(self, token: str | None = "stand-in-token") -> None:
        self.token = token
        self.requests: list[Asked] = []
        self.throttle = 0  # answer this many next requests with 429 and Retry-After
        self.retry_after = 1
        self._lock = threading.Lock()
        self._server = LoopbackServer(("127.0.0.1", 0), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()  # its connections closed and their threads joined (auditor_dev.loopback)
        if self._thread is not None:
            self._thread.join()

    def route(self, asked: Asked) -> Reply:  # pragma: no cover - every stand-in defines it
        raise NotImplementedError

    def unauthorized(self, asked: Asked) -> Reply | None:  # the API's 401 body
        return Reply(401, {"error": "unauthorized"})

    def throttled(self, asked: Asked) -> Reply:  # the API's 429 body
        return Reply(429, {"error": "throttled"})

    def answer(self, asked: Asked) -> Reply:
        if self.contract is None:
            return self._answer(asked)
        contracts.check_request(self.contract, asked.method, asked.path, asked.query, asked.body)
        reply = self._answer(asked)
        contracts.check_answer(self.contract, asked.method, asked.path, reply.status, reply.body)
        return reply

    def _answer(self, asked: Asked) -> Reply:
        with self._lock:
            self.requests.append(asked)
            if self.throttle > 0:
                self.throttle -= 1
                reply = self.throttled(asked)
                reply.headers["Retry-After"] = str(self.retry_after)
                return reply
        if self.token is not None and asked.headers.get("authorization") != f"Bearer {self.token}":
            denied = self.unauthorized(asked)
            if denied is not None:
                return denied
        return self.route(asked)


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .requests
            return None

        def do_GET(self) -> None:
            self._serve("GET")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            if raw and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                body = dict(parse_qsl(raw.decode("utf-8", "replace")))  # an OAuth token request's form
            reply = stand_in.answer(Asked(method, unquote(parts.path), dict(parse_qsl(parts.query)), headers, body))
            # bytes go out as they are: what no JSON encoder writes (a number such as 1e400)
            data = b"" if reply.body is None else reply.body
            data = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
