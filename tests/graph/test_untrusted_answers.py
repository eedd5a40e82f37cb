"""Answers the collector must not trust: foreign or circular @odata.nextLinks, endless paging,
gzip bombs, slow drips and odd Retry-After values. The real client (msgraph-sdk adapter, httpx)
talks to small loopback servers that answer exactly as each case needs."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from auditor.common.errors import EXIT_COLLECTION, CollectionError
from auditor.graph import retries
from auditor.graph.auth import StaticTokenCredential
from auditor.graph.client import GraphClient, RetryPolicy
from auditor.graph.progress import Progress
from auditor_dev.emulator import Reply, Request, app_token

TOKEN = "untrusted-answers-token"
TOKEN_JWT = app_token("00000000-0000-0000-0000-0000000000aa")  # carries the roles the permission check wants
ROOT = Path(__file__).resolve().parents[2]
FAST = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_cap=0.02, request_deadline=1.5, throttled_wait=0.05)

Answer = Callable[[str], tuple[int, dict[str, str], bytes] | None]


@dataclass
class Server:
    port: int = 0
    seen: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/v1.0"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hanging up on a refused answer is the point of several tests


@contextmanager
def serve(answer: Answer | None = None, drip: bool = False) -> Iterator[Server]:
    """A server that records each request and answers with `answer(path)` (default: 404).
    `drip` sends the body one byte at a time, 0.3 s apart."""
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.seen.append((self.path, self.headers.get("Authorization")))
            status, headers, body = (answer(self.path) if answer else None) or (404, {}, b"")
            self.send_response(status)
            for key, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                if drip:
                    # on the wall clock: what the drip tests is the client's real deadline per attempt
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.3)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def page(users: list[str], next_link: str | None = None) -> tuple[int, dict[str, str], bytes]:
    doc: dict[str, Any] = {"value": [{"id": u} for u in users]}
    if next_link is not None:
        doc["@odata.nextLink"] = next_link
    return 200, {"Content-Type": "application/json"}, json.dumps(doc).encode()


def read_all(base_url: str, **client_args: Any) -> list[Any]:
    async def run() -> list[Any]:
        client = GraphClient(
            base_url=base_url,
            credential=StaticTokenCredential(TOKEN),
            **{"retry": FAST, "timeout": 5, "progress": Progress(stream=_Null()), **client_args},
        )
        try:
            return [item async for items in client.pages("/users?$select=id") for item in items]
        finally:
            await client.aclose()

    return asyncio.run(run())


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(
    "target",
    [
        "other-port",  # same host, another port: would receive the bearer token
        "other-host",  # localhost instead of 127.0.0.1
        "https",  # another scheme
        "other-path",  # /beta instead of /v1.0
        "dot-segments",  # /v1.0/../beta
        "credentials",  # user:pass@ in the authority
        "file",  # file:///etc/passwd used to be retried for 47 s as a network error
    ],
)
def test_a_next_link_off_the_endpoint_stops_the_run_and_is_never_contacted(target: str) -> None:
    with serve() as bystander:
        links = {
            "other-port": f"{bystander.url()}/users?$skiptoken=x",
            "other-host": None,  # filled in below: needs the endpoint's port
            "https": None,
            "other-path": None,
            "dot-segments": None,
            "credentials": None,
            "file": "file:///etc/passwd",
        }

        def answer(path: str) -> tuple[int, dict[str, str], bytes] | None:
            return page(["a"], links[target]) if path.startswith("/v1.0/users") else None

        with serve(answer) as endpoint:
            port = endpoint.port
            links.update(
                {
                    "other-host": f"http://localhost:{port}/v1.0/users?$skiptoken=x",
                    "https": f"https://127.0.0.1:{port}/v1.0/users?$skiptoken=x",
                    "other-path": f"http://127.0.0.1:{port}/beta/users?$skiptoken=x",
                    "dot-segments": f"http://127.0.0.1:{port}/v1.0/../beta/users",
                    "credentials": f"http://u:p@127.0.0.1:{port}/v1.0/users?$skiptoken=x",
                }
            )
            waits = _Waits()
            with pytest.raises(
                CollectionError, match=r"GET /users\?\$select=id returned an @odata.nextLink outside"
            ) as caught:
                read_all(endpoint.url(), progress=waits)
            assert waits.waits == []  # refused at once, not retried as a network error (what the client decided)
            assert len(endpoint.seen) == 1  # the first page only: the foreign link was not followed
    assert caught.value.exit_code == EXIT_COLLECTION
    assert bystander.seen == []
    assert "skiptoken" not in str(caught.value)


def test_the_token_goes_only_to_the_endpoint() -> None:
    """docs/graph.md: the token is sent only to the endpoint (scheme, host, port, path)."""
    pages = {"/v1.0/users?$select=id": "/v1.0/users?$skiptoken=2", "/v1.0/users?$skiptoken=2": None}

    with serve(
        lambda path: page([path[-1]], None if pages.get(path) is None else f"http://127.0.0.1:{port}{pages[path]}")
    ) as endpoint:
        port = endpoint.port
        items = read_all(endpoint.url())
    assert [i["id"] for i in items] == ["d", "2"]
    assert [auth for _, auth in endpoint.seen] == [f"Bearer {TOKEN}"] * 2


def test_a_page_linking_to_itself_is_a_loop() -> None:
    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        return page(["a"], f"http://127.0.0.1:{port}/v1.0/users?$skiptoken=same")

    with serve(answer) as endpoint:
        port = endpoint.port
        with pytest.raises(CollectionError, match="already read"):
            read_all(endpoint.url())
        assert len(endpoint.seen) == 2


def test_an_endless_chain_of_new_links_is_bounded() -> None:
    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        n = int(path.rsplit("=", 1)[1]) if "skiptoken" in path else 0
        return page([f"u{n}"], f"http://127.0.0.1:{port}/v1.0/users?$skiptoken={n + 1}")

    with serve(answer) as endpoint:
        port = endpoint.port
        with pytest.raises(CollectionError, match="after 25 pages"):
            read_all(endpoint.url(), max_pages=25)
        assert len(endpoint.seen) <= 26  # the read-ahead may have asked for one more


def test_a_gzip_bomb_is_refused_without_expanding_it() -> None:
    bomb = gzip.compress(b'{"value": [' + b" " * (64 * 1024 * 1024) + b"]}", compresslevel=9)
    assert len(bomb) < 200_000

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, bomb

    with (
        serve(answer) as endpoint,
        pytest.raises(CollectionError, match="larger than 1,048,576 bytes after decompression"),
    ):
        read_all(endpoint.url(), max_answer_bytes=1024 * 1024)


def test_a_gzipped_page_within_the_limit_is_read() -> None:
    body = gzip.compress(json.dumps({"value": [{"id": str(i)} for i in range(2000)]}).encode())

    with serve(lambda path: (200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, body)) as ep:
        items = read_all(ep.url())
    assert len(items) == 2000


def test_an_encoding_not_asked_for_is_refused() -> None:
    with (
        serve(lambda path: (200, {"Content-Encoding": "br"}, b"\x00\x01")) as endpoint,
        pytest.raises(CollectionError, match="Content-Encoding 'br'"),
    ):
        read_all(endpoint.url())


def test_a_slow_drip_hits_the_request_deadline() -> None:
    """One byte every 0.3 s never trips the 5 s read timeout; the 1.5 s deadline per attempt does (the
    whole answer would take 7 s: without the deadline it is read, and no error is raised)."""
    with serve(lambda path: page(["a"]), drip=True) as endpoint:
        with pytest.raises(CollectionError, match="did not finish answering within 2s"):
            read_all(endpoint.url())
        assert len(endpoint.seen) == 3  # the first attempt and two retries


class _Waits(Progress):
    """The client's progress reports, keeping the length of each wait it announces."""

    def __init__(self) -> None:
        super().__init__(stream=_Null())
        self.waits: list[float] = []

    def waiting(self, request: str, why: str, seconds: float, attempt: int, limit: int) -> None:
        self.waits.append(seconds)
        super().waiting(request, why, seconds, attempt, limit)


def _throttled_once(
    retry_after: str, policy: RetryPolicy = FAST, progress: _Waits | None = None
) -> tuple[_Waits, Server]:
    """Read a listing whose first answer is a 429 with this Retry-After; the waits the client announced
    (into `progress` when given: read even when the read fails)."""
    progress = progress if progress is not None else _Waits()

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        if len(endpoint.seen) == 1:
            return 429, {"Retry-After": retry_after}, b'{"error": {"code": "TooManyRequests", "message": "wait"}}'
        return page(["a"])

    with serve(answer) as endpoint:
        assert [i["id"] for i in read_all(endpoint.url(), progress=progress, retry=policy)] == ["a"]
    return progress, endpoint


@pytest.mark.parametrize(
    "value", ["-5", "nan", "NaN", "inf", "-inf", "1e999", "Mon, 01 Jan 2001 00:00:00 GMT", "soon", ""]
)
def test_retry_after_that_is_not_a_usable_wait_means_the_normal_backoff(value: str) -> None:
    progress, endpoint = _throttled_once(value)
    assert len(endpoint.seen) == 2
    [wait] = progress.waits
    # a 429 without a usable Retry-After: the policy's least wait (a second by default), not 0, a
    # negative, NaN or an endless wait
    assert wait == FAST.throttled_wait


def test_retry_after_in_seconds_is_waited() -> None:
    started = time.monotonic()
    progress, _ = _throttled_once("1")
    assert progress.waits == [1.0] and time.monotonic() - started >= 1.0
    progress, _ = _throttled_once("0")
    assert progress.waits == [0.0]  # at once, as asked: not the backoff


NOW = datetime(2026, 11, 1, 6, 0, 0, 250_000, tzinfo=UTC)  # what the client reads the HTTP-dates against


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Retry-After date read against NOW, not the wall clock: the wait is what the client decided,
    however long a busy machine took between the header and its reading."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return NOW.astimezone(tz)

    monkeypatch.setattr(retries, "datetime", Frozen)


def _http_date(seconds: float) -> str:
    """NOW + `seconds` as an HTTP-date, in whole seconds (the date's own precision): a quarter of a
    second less than `seconds` after NOW."""
    return format_datetime((NOW + timedelta(seconds=seconds)).replace(microsecond=0), usegmt=True)


def test_retry_after_as_an_http_date_is_waited(frozen_now: None) -> None:
    progress, _ = _throttled_once(_http_date(2))
    assert progress.waits == [1.75]  # the date is NOW's second + 2 s, NOW a quarter of a second into it


@pytest.mark.parametrize("value, shown", [("7", "7"), ("later", None)])
def test_retry_after_beyond_the_limit_fails_at_once_naming_the_request(
    value: str, shown: str | None, frozen_now: None
) -> None:
    """A date 30 s ahead (29.75 s) is read as 30 s, past the 5 s limit, like "7"; nothing is waited."""
    limit = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_cap=0.02, max_retry_after=5)
    header = value if shown else _http_date(30)
    waits = _Waits()
    with pytest.raises(
        CollectionError,
        match=rf"^GET /users\?\$select=id: Graph asked to wait "
        rf"{shown or '30'}s \(Retry-After\), more than the 5s limit",
    ):
        _throttled_once(header, limit, waits)
    assert waits.waits == []  # no wait begun (what the client decided, whatever the machine's load)


def test_negative_retry_after_is_retried_with_backoff_not_hammered() -> None:
    calls: list[float] = []

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        calls.append(time.monotonic())
        if len(calls) < 3:
            return 429, {"Retry-After": "-1"}, b'{"error": {"code": "TooManyRequests", "message": "slow down"}}'
        return page(["a"])

    with serve(answer) as endpoint:
        assert [i["id"] for i in read_all(endpoint.url())] == ["a"]
    assert len(calls) == 3


def test_a_listing_read_page_after_page_is_bounded_by_users_not_only_pages(
    harness: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One chain of pages (concurrency 1, no count asked up front): once it passes COUNT_AFTER users
    the count is asked, and the listing stops at twice it, long before the page limit."""
    monkeypatch.setattr("auditor.graph.users.COUNT_AFTER", 300, raising=False)
    asked: list[str] = []
    endless = _endless_users(asked)
    with pytest.raises(CollectionError, match=r"1,100 users while GET /users/\$count reports 3;") as caught:
        _crafted_users(harness, endless, users=3, concurrency=1)
    assert caught.value.exit_code == EXIT_COLLECTION and "nothing partial was used" in str(caught.value)
    assert len(asked) <= 12  # the 11th page, and the one asked ahead


def test_users_cap_is_twice_the_count() -> None:
    from auditor.graph.partitions import UNCOUNTED_CAP, check_cap, users_cap

    assert users_cap(100_000) == 200_000 and users_cap(3) == 1003 and users_cap(None) == UNCOUNTED_CAP
    check_cap(200_000, 100_000, "/users?$top=999")
    with pytest.raises(CollectionError, match=r"GET /users returned 200,001 users while GET /users/\$count"):
        check_cap(200_001, 100_000, "/users?$top=999")
    with pytest.raises(CollectionError, match="no count could be read"):
        check_cap(UNCOUNTED_CAP + 1, None, "/users")


def _endless_users(asked: list[str]) -> Callable[[Request], Reply]:
    """An answer to GET /users that never ends: 100 new users a page, each page linking the next;
    each request's target goes to `asked`."""
    from graph_tenants import make_tenant

    from auditor.graph.collector import USER_FIELDS
    from auditor_dev.emulator.wire import user_wire

    template = make_tenant(1).users[0]

    def endless(request: Request) -> Reply:
        asked.append(request.target)
        n = int(request.query.get("$skiptoken", 0))
        users = [
            user_wire(template.with_values(id=f"u{n}-{i}", user_principal_name=f"u{n}-{i}@x.example"), USER_FIELDS)
            for i in range(100)
        ]
        link = f"http://{request.headers['host']}/v1.0/users?$skiptoken={n + 1}"
        return Reply(200, {"value": users, "@odata.nextLink": link})

    return endless


def _crafted_users(
    harness: Callable[..., Any],
    answer: Callable[[Request], Reply | None],
    users: int = 1,
    with_sign_in: bool = False,
    concurrency: int = 4,
) -> Any:
    """collect() from an emulated tenant of `users` users whose GET /users pages `answer` replaces."""
    from graph_tenants import make_tenant

    def users_pages(request: Request) -> Reply | None:
        return answer(request) if request.method == "GET" and request.path == "/users" else None

    h = harness(make_tenant(users), faults=[users_pages], retry=FAST)
    return h.collect(need_sign_in=with_sign_in, concurrency=concurrency)


def test_a_users_listing_far_beyond_its_count_is_stopped(harness: Callable[..., Any]) -> None:
    """An endless chain of pages of new users stops once it passes GET /users/$count with a wide margin."""
    asked: list[str] = []
    endless = _endless_users(asked)
    with pytest.raises(CollectionError, match=r"users while GET /users/\$count reports 3") as caught:
        _crafted_users(harness, endless, users=3)
    assert caught.value.exit_code == EXIT_COLLECTION
    assert len(asked) <= 12


def _snapshot_from(harness: Callable[..., Any], pages: list[list[dict[str, Any]]], with_sign_in: bool = False) -> Any:
    """What collect() reads from a tenant whose GET /users serves `pages` in order."""

    def answer(request: Request) -> Reply:
        n = int(request.query.get("$skiptoken", 0))
        doc: dict[str, Any] = {"value": pages[n]}
        if n + 1 < len(pages):
            doc["@odata.nextLink"] = f"http://{request.headers['host']}/v1.0/users?$skiptoken={n + 1}"
        return Reply(200, json.dumps(doc).encode())  # ASCII, as Graph escapes: a lone surrogate stays "\ud800"

    return _crafted_users(harness, answer, with_sign_in=with_sign_in)


def _users_from(harness: Callable[..., Any], pages: list[list[dict[str, Any]]], with_sign_in: bool = False) -> Any:
    return _snapshot_from(harness, pages, with_sign_in).users


def _wire(uid: str, **changes: Any) -> dict[str, Any]:
    from auditor.graph.collector import USER_FIELDS

    doc = {field: None for field in USER_FIELDS} | {
        "id": uid,
        "userPrincipalName": f"{uid}@contoso.example",
        "accountEnabled": True,
        "assignedLicenses": [{"skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "disabledPlans": []}],
        "licenseAssignmentStates": [
            {
                "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965",
                "assignedByGroup": None,
                "state": "Active",
                "error": "None",
                "disabledPlans": [],
            }
        ],
    }
    for key, value in changes.items():
        if value is _ABSENT:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


_ABSENT = object()


@pytest.mark.parametrize("field", ["accountEnabled", "assignedLicenses", "licenseAssignmentStates", "userType", "id"])
def test_a_selected_field_that_does_not_come_back_stops_the_run(field: str, harness: Callable[..., Any]) -> None:
    """Absent accountEnabled used to read as enabled, absent assignedLicenses as unlicensed: a compliant report."""
    pages = [[_wire(f"u{i}") for i in range(3)], [_wire("u3", **{field: _ABSENT}), _wire("u4")]]
    with pytest.raises(
        CollectionError,
        match=rf"GET /users returned an object .*item 0.*{field}: missing, though "
        r"\$select asked for it",
    ) as caught:
        _users_from(harness, pages)
    assert caught.value.exit_code == EXIT_COLLECTION


def test_null_values_and_an_absent_sign_in_activity_are_data_not_gaps(harness: Callable[..., Any]) -> None:
    pages = [[_wire("u0", accountEnabled=None, userType=None), _wire("u1", signInActivity=None), _wire("u2")]]
    users = _users_from(harness, pages, with_sign_in=True)
    assert [u.id for u in users] == ["u0", "u1", "u2"]
    assert all(u.last_sign_in_date_time is None for u in users)


def test_an_identical_user_on_two_pages_counts_once_and_the_snapshot_reads_back(
    harness: Callable[..., Any], tmp_path: Any
) -> None:
    from auditor.snapshot import load_snapshot, save_snapshot

    pages = [[_wire("u0"), _wire("u1")], [_wire("u1"), _wire("u2")], [_wire("u0")]]
    snapshot = _snapshot_from(harness, pages)
    assert [u.id for u in snapshot.users] == ["u0", "u1", "u2"]
    path = tmp_path / "snapshot.json"
    save_snapshot(snapshot, path)
    assert [u.id for u in load_snapshot(path).users] == ["u0", "u1", "u2"]


def test_a_user_on_two_pages_with_different_data_stops_the_run(harness: Callable[..., Any]) -> None:
    pages = [[_wire("u0"), _wire("u1")], [_wire("u1", accountEnabled=False)]]
    with pytest.raises(CollectionError, match=r"returned user u1 .* twice with different data") as caught:
        _users_from(harness, pages)
    assert caught.value.exit_code == EXIT_COLLECTION


def test_a_lone_surrogate_on_a_graph_page_is_replaced(harness: Callable[..., Any]) -> None:
    users = _users_from(harness, [[_wire("u0", displayName="Eve \ud800 Mallory"), _wire("u1")]])
    assert [u.display_name for u in users] == ["Eve \ufffd Mallory", ""]


def test_clean_message_masks_tokens_and_neutralises_log_commands() -> None:
    from auditor.common.errors import clean_message

    jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJl"
    text = (
        f"401: echo Authorization: Bearer {jwt} token={jwt}\n::warning ::pwned\n  ::add-mask::x\r\n"
        "\x1b[31mred\x1b[0m\x07"
    )
    cleaned = clean_message(text)
    assert jwt not in cleaned and "Authorization: Bearer ***" in cleaned
    assert not any(line.lstrip().startswith("::") for line in cleaned.splitlines())
    assert "\x1b" not in cleaned and "\r" not in cleaned and "\x07" not in cleaned
    assert clean_message("policies/a.yaml:3:1: bad\npolicies/b.yaml:9:2: worse").count("\n") == 1


@pytest.mark.parametrize(
    "control",
    ["\u202e", "\u202d", "\u202a", "\u061c", "\u200f", "\u200e", "\u2066", "\u2067", "\u2069"],
)
def test_clean_message_removes_bidirectional_controls_and_tag_characters(control: str) -> None:
    """A user name `Eve\u202eexe.txt` reads `Evetxt.exe` in a log; tag characters hide text altogether."""
    from auditor.common.errors import clean_message

    tags = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous") + "\U000e007f"
    assert clean_message(f"user Eve{control}exe.txt{tags} has no license") == "user Eveexe.txt has no license"
    assert clean_message("بريد: Ali (ali@contoso.example)") == "بريد: Ali (ali@contoso.example)"  # letters stay


def test_a_401_body_echoing_the_token_never_reaches_stderr(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The error message carries Graph's message; a hostile or buggy server may echo the Authorization
    header or send workflow commands and terminal escapes in it."""
    from auditor.cli import main

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        message = f"Bearer {TOKEN_JWT} is invalid\n::warning ::all clear\x1b[2J"
        body = json.dumps({"error": {"code": "InvalidAuthenticationToken", "message": message}}).encode()
        return 401, {"Content-Type": "application/json"}, body

    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", TOKEN_JWT)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    with serve(answer) as endpoint:
        code = main(
            [
                "audit",
                "--graph-endpoint",
                endpoint.url(),
                "--auth",
                "token",
                "--policies",
                str(ROOT / "examples" / "contoso-policy.yaml"),
                "--output-dir",
                str(tmp_path / "out"),
            ]
        )
    err = capsys.readouterr().err
    assert code == EXIT_COLLECTION
    assert "rejected the access token" in err
    assert TOKEN_JWT not in err and "Bearer ***" in err
    assert "\x1b" not in err and not any(line.lstrip().startswith("::") for line in err.splitlines())


def _runner_reads_a_command(line: str) -> bool:
    """Whether the GitHub Actions runner takes `line` for a workflow command (actions/runner,
    ActionCommand.TryParseV2 and TryParse): `::` once leading white space is trimmed, or the
    legacy `##[` anywhere in the line."""
    return (
        line.strip(
            " \t\v\f\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
            "\u200a\u2028\u2029\u202f\u205f\u3000"
        ).startswith("::")
        or "##[" in line
    )


@pytest.mark.parametrize(
    "text",
    [
        "Contoso ##[add-mask]secret",
        "x##[warning]pwned",
        "##[set-output name=x;]y",
        "ann ##[group]fold",
        "a ##[error]one ##[warning]two",
        "\u2003::warning ::em space",
        "\u00a0::error::no-break space",
        "\u3000::add-mask::ideographic space",
        "#\u200b#[warning]zero width",
        "#\u00ad#[warning]soft hyphen",
    ],
)
def test_clean_message_leaves_no_line_the_runner_reads_as_a_command(text: str) -> None:
    from auditor.common.errors import clean_message

    cleaned = clean_message(f"license-auditor: {text}\n{text}")
    assert not any(_runner_reads_a_command(line) for line in cleaned.splitlines()), cleaned
    assert not any("##[" in line.replace("\u200b", "").replace("\u00ad", "") for line in cleaned.splitlines())


def test_a_tenant_name_with_a_legacy_workflow_command_reaches_the_log_neutralised(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import dataclasses

    from auditor.cli import main
    from auditor.snapshot import load_snapshot, save_snapshot

    root = Path(__file__).resolve().parents[2]
    sample = load_snapshot(root / "auditor_dev" / "sample" / "sample-tenant.json")
    path = tmp_path / "tenant.json"
    save_snapshot(dataclasses.replace(sample, tenant_name="Contoso ##[add-mask]x ##[warning]all clear"), path)
    main(
        [
            "audit",
            "--snapshot",
            str(path),
            "--policies",
            str(root / "examples" / "contoso-policy.yaml"),
            "--output-dir",
            str(tmp_path / "out"),
            "--format",
            "json",
            "--as-of",
            "2026-11-01T06:00:00Z",
        ]
    )
    err = capsys.readouterr().err
    assert "Contoso" in err and "all clear" in err
    assert not any(_runner_reads_a_command(line) for line in err.splitlines())
