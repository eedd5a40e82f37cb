"""--notify-webhook: the summary posted as an Adaptive Card (Teams Workflows) or Slack blocks, to a
receiver on loopback; tenant text cannot format or link; a failed post exits 4 and the URL, a
secret, is never printed."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from auditor.common.errors import UsageError
from auditor.insights import notify
from auditor.insights.notify import slack_escape, webhook_url
from auditor.snapshot import save_snapshot
from tests.billing.bills import bill_json
from tests.documents import TENANT, report_document
from tests.report.report_fixtures import summary_of

from .conftest import SAMPLE, audit

EVIL = "Contoso *bold* [x](https://evil.example) <!channel> & ${secret}"


class Receiver:
    def __init__(self, status: int = 202) -> None:
        self.status = status
        self.bodies: list[Any] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                receiver.paths.append(self.path)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/workflows/secret-token-123/triggers/manual"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def evil_tenant(tmp_path: Path, sample) -> Path:
    path = tmp_path / "tenant.json"
    save_snapshot(dataclasses.replace(sample, tenant_name=EVIL), path)
    return path


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return [node] if isinstance(node, str) else []


def test_teams_gets_an_adaptive_card_whose_tenant_text_is_plain(tmp_path, receiver, evil_tenant, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "contoso/audit")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    base = tmp_path / "before"
    audit(base, "--snapshot", str(SAMPLE))
    code, _report = audit(
        tmp_path / "out",
        "--snapshot",
        str(evil_tenant),
        "--baseline",
        str(base / "report.json"),
        "--notify-webhook",
        receiver.url,
        "--notify-format",
        "teams",
        "--notify-when",
        "always",
    )
    assert code == 1 and len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    # tenant text only in TextRuns (no Markdown); no TextBlock, which would render it
    assert {b["type"] for b in card["body"]} == {"RichTextBlock"}
    assert card["body"][0]["inlines"][0]["text"] == f"License audit: {EVIL}"
    texts = _texts(card["body"])
    summary = _report["summary"]
    counts = ", ".join(f"{n} {sev}" for sev, n in summary["by_severity"].items() if n)
    assert any(t.startswith(f"{summary['unwaived']} open findings ({counts}) · 0 new · 0 resolved") for t in texts)
    assert "Most unused spend per month" in texts
    assert any(t.startswith("• Microsoft 365 E5: €273.75") for t in texts)
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the run", "url": "https://github.com/contoso/audit/actions/runs/42"}
    ]


def test_slack_gets_blocks_with_its_control_characters_escaped(tmp_path, receiver, evil_tenant, monkeypatch) -> None:
    monkeypatch.setenv("AUDITOR_NOTIFY_WEBHOOK", receiver.url)  # the URL from the environment, as in Actions
    code, _ = audit(tmp_path / "out", "--snapshot", str(evil_tenant), "--notify-format", "slack")
    assert code == 1
    body = receiver.bodies[0]
    header = body["blocks"][0]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert header["text"]["text"] == "License audit: " + slack_escape(EVIL)
    assert "<!channel>" not in json.dumps(body) and "&lt;!channel&gt; &amp;" in body["text"]
    assert all(block["text"]["type"] == "plain_text" for block in body["blocks"] if "text" in block)


@pytest.mark.parametrize("status", [500, 404])
def test_a_failed_post_exits_4_without_printing_the_url(tmp_path, capsys, status) -> None:
    with Receiver(status) as failing:
        code, written = audit(tmp_path / "out", "--snapshot", str(SAMPLE), "--notify-webhook", failing.url)
    err = capsys.readouterr().err
    assert code == 4 and written is not None
    assert f"the teams webhook at 127.0.0.1 answered HTTP {status}" in err
    assert "secret-token-123" not in err and "/workflows/" not in err


def test_an_unreachable_webhook_exits_4_and_incomplete_data_still_exits_3(tmp_path, capsys) -> None:
    with Receiver() as gone:
        url = gone.url
    code, _ = audit(tmp_path / "out", "--snapshot", str(SAMPLE), "--notify-webhook", url)
    err = capsys.readouterr().err
    assert code == 4 and "cannot post to the teams webhook at 127.0.0.1" in err and "secret-token-123" not in err


def test_the_webhook_must_be_https_except_on_loopback() -> None:
    assert webhook_url("https://prod.example/hook", {}) == "https://prod.example/hook"
    assert webhook_url(None, {"AUDITOR_NOTIFY_WEBHOOK": "http://localhost:1/x"}) == "http://localhost:1/x"
    assert webhook_url(None, {}) is None
    with pytest.raises(UsageError) as caught:
        webhook_url("http://hooks.example/secret-part", {})
    assert "secret-part" not in str(caught.value) and "https" in str(caught.value)
    with pytest.raises(UsageError, match="not a URL"):  # a port that is no number: refused before the audit
        webhook_url("https://hooks.example:abc/secret-part", {})


def test_a_format_without_a_webhook_is_a_usage_error(tmp_path, capsys) -> None:
    code, _ = audit(tmp_path / "out", "--snapshot", str(SAMPLE), "--notify-format", "slack")
    assert code == 2 and "AUDITOR_NOTIFY_WEBHOOK" in capsys.readouterr().err


class Trickler:
    """A loopback HTTP server that reads the request, then answers one byte every `every` seconds:
    each byte comes well within any read timeout, so only an overall deadline ends the wait."""

    ANSWER = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    def __init__(self, every: float) -> None:
        self.every = every
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.requests = 0
        self.whole = False  # the whole answer was sent (the client read it to its end)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/workflows/secret-token-123/triggers/manual"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.requests += 1
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(
                    next(
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    )
                )
                while len(body) < length:
                    body += conn.recv(65536)
                for i in range(len(self.ANSWER)):
                    if self.stop.wait(self.every):
                        return
                    try:
                        conn.sendall(self.ANSWER[i : i + 1])
                    except OSError:
                        break
                else:
                    self.whole = True

    def __enter__(self) -> Trickler:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def test_a_webhook_that_trickles_its_answer_is_given_up_at_the_deadline(tmp_path, capsys, monkeypatch) -> None:
    # each byte comes well within the read timeout; the whole answer would take about 12 s
    monkeypatch.setattr(notify, "DEADLINE", 2.0, raising=False)
    with Trickler(every=0.2) as slow:
        code, written = audit(tmp_path / "out", "--snapshot", str(SAMPLE), "--notify-webhook", slow.url)
    err = capsys.readouterr().err
    assert code == 4 and written is not None and slow.requests == 1
    assert "the teams webhook at 127.0.0.1 did not finish answering within 2 s" in err
    assert "secret-token-123" not in err
    # what the client decided: it gave up before the answer's end (not the wall time it took, which a
    # busy machine stretches: issue 110)
    assert not slow.whole


@pytest.mark.parametrize("host", ["xn--a.example", "a..b.example", "a" * 64 + ".example"])
def test_a_host_name_idna_cannot_encode_exits_4_not_5(tmp_path, capsys, host) -> None:
    code, written = audit(
        tmp_path / "out", "--snapshot", str(SAMPLE), "--notify-webhook", f"https://{host}/hooks/secret-token-123"
    )
    err = capsys.readouterr().err
    assert code == 4 and written is not None
    assert "license-auditor: error: cannot post to the teams webhook at " in err
    assert "internal error" not in err and "secret-token-123" not in err


def _slack(document: dict) -> dict:
    from auditor.insights.notify import payload

    tenant = {**TENANT, **document.pop("tenant", {})}
    return payload(report_document(summary=summary_of(None), tenant=tenant, **document), "slack")


def test_slack_limits_count_the_escaped_text_and_never_split_an_entity() -> None:
    from auditor.insights.notify import slack_text

    body = _slack({"tenant": {"name": "&" * 200}})
    header = body["blocks"][0]["text"]["text"]
    assert len(header) <= 150 and header.endswith("…")
    assert header[:-1].rstrip().endswith("&amp;") and "&amp" not in header.replace("&amp;", "")
    assert slack_text("a<b" * 100, 20) == "a&lt;b" * 3 + "a…"


def test_slack_never_sends_more_than_fifty_blocks() -> None:
    actions = [
        {
            "subscription": f"s{i}",
            "sku": "SPE_E3",
            "action": "reduce",
            "seats": 1,
            "window": "within_7_days",
            "by": "2026-11-26",
            "monthly_saving": 1.0,
        }
        for i in range(80)
    ]
    body = _slack({"tenant": {"name": "Contoso"}, "bill": bill_json(actions, as_of="2026-11-25")})
    assert len(body["blocks"]) == 50
    assert "more" in body["blocks"][-1]["text"]["text"]


def test_slack_fallback_text_turns_no_url_of_a_tenant_name_into_a_link() -> None:
    body = _slack({"tenant": {"name": "Click https://evil.example/login or www.evil.example"}})
    assert "://" not in body["text"] and "evil.example" not in body["text"]
    assert "evil[.]example" in body["text"] and body["mrkdwn"] is False
