"""sendMail through the real msgraph-sdk request adapter against a loopback HTTP server speaking Graph's contract.

The server below answers POST /v1.0/users/{id}/sendMail as documented (202 Accepted, empty body; errors as
{"error": {"code", "message"}}) and records each request.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from auditor.common.errors import EXIT_DELIVERY, DeliveryError
from auditor.delivery import EmailOptions, Transport, send_report
from auditor.delivery.content import build_mail
from auditor.delivery.graph import encode_within_limit

from .conftest import CSV, REPORT_HTML, recorded, write_report

TOKEN = "test-access-token-value"


@dataclass
class GraphLike:
    port: int
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail: tuple[int, str, str] | None = None  # status, code, message

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"


@pytest.fixture
def graph() -> Iterator[GraphLike]:
    state = GraphLike(port=0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(
                {
                    "path": unquote(self.path),
                    "auth": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "body": json.loads(body),
                }
            )
            if state.fail:
                status, code, message = state.fail
                payload = json.dumps({"error": {"code": code, "message": message}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            if not self.path.startswith("/v1.0/users/") or not self.path.endswith("/sendMail"):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def adapter_factory(base_url: str) -> Any:
    def build() -> Any:
        from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator
        from kiota_abstractions.authentication.base_bearer_token_authentication_provider import (
            BaseBearerTokenAuthenticationProvider,
        )
        from msgraph import GraphRequestAdapter

        class StaticToken(AccessTokenProvider):
            async def get_authorization_token(self, uri: str, additional_authentication_context: Any = None) -> str:
                return TOKEN

            def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
                return AllowedHostsValidator([])

        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken()))
        adapter.base_url = base_url
        return adapter

    return build


def graph_options(graph: GraphLike, **overrides: Any) -> EmailOptions:
    values: dict[str, Any] = {
        "recipients": ("ops@contoso.example",),
        "via": Transport.GRAPH,
        "sender": "license-audit@contoso.example",
        "graph_adapter_factory": adapter_factory(graph.base_url),
    }
    values.update(overrides)
    return EmailOptions(**values)


def test_send_mail_request_follows_graph_contract(report_dir: Path, graph: GraphLike) -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "contoso/audit", "GITHUB_RUN_ID": "9"}
    send_report(
        report_dir, graph_options(graph, recipients=("ops@contoso.example", "cfo@contoso.example")), environ=env
    )
    [request] = graph.requests
    assert request["path"] == "/v1.0/users/license-audit@contoso.example/sendMail"
    assert request["auth"] == f"Bearer {TOKEN}"
    assert request["content_type"] == "application/json"
    body = request["body"]
    assert body["saveToSentItems"] is False
    message = body["message"]
    assert message["subject"] == "[license-auditor] Contoso: 2 high, 9 medium, EUR 1,240/month unused"
    assert message["body"]["contentType"] == "html"
    assert '<body class="report">' in message["body"]["content"]
    assert "https://github.com/contoso/audit/actions/runs/9" in message["body"]["content"]
    assert message["toRecipients"] == [
        {"emailAddress": {"address": "ops@contoso.example"}},
        {"emailAddress": {"address": "cfo@contoso.example"}},
    ]
    report, attachment = message["attachments"]  # the full report beside the CSV
    assert report["name"] == "report.html" and report["contentType"] == "text/html"
    assert base64.b64decode(report["contentBytes"]) == REPORT_HTML.encode()
    assert attachment["@odata.type"] == "#microsoft.graph.fileAttachment"
    assert attachment["name"] == "findings.csv"
    assert attachment["contentType"] == "text/csv"
    assert base64.b64decode(attachment["contentBytes"]) == CSV.encode()


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (403, "ErrorAccessDenied", "HTTP 403 ErrorAccessDenied: Access is denied.; the app needs the Mail.Send"),
        (404, "ErrorInvalidUser", "HTTP 404 ErrorInvalidUser: Access is denied.; is license-audit@contoso.example a"),
        (400, "ErrorInvalidRecipients", "HTTP 400 ErrorInvalidRecipients: Access is denied."),
        (500, "ErrorInternalServerError", "HTTP 500 ErrorInternalServerError"),
    ],
)
def test_graph_errors_are_one_line_delivery_errors(
    report_dir: Path, graph: GraphLike, status: int, code: str, expected: str
) -> None:
    graph.fail = (status, code, "Access is denied.")
    with pytest.raises(DeliveryError) as caught:
        send_report(report_dir, graph_options(graph), environ={})
    message = str(caught.value)
    assert message.startswith("Graph POST /users/license-audit@contoso.example/sendMail failed: ")
    assert expected in message
    assert "\n" not in message and TOKEN not in message
    assert caught.value.exit_code == EXIT_DELIVERY
    assert (report_dir / "report.json").exists()


def test_unreachable_graph_endpoint(report_dir: Path) -> None:
    from .conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/v1.0"
    options = EmailOptions(
        recipients=("ops@contoso.example",),
        via=Transport.GRAPH,
        sender="license-audit@contoso.example",
        graph_adapter_factory=adapter_factory(url),
    )
    with pytest.raises(DeliveryError, match=r"^Graph POST /users/license-audit@contoso.example/sendMail: Connect"):
        send_report(report_dir, options, environ={})


def test_csv_over_three_megabytes_is_not_inlined(tmp_path: Path, graph: GraphLike) -> None:
    big = os.urandom(3 * 1024 * 1024 + 1)  # does not zip smaller
    report_dir = write_report(tmp_path / "r", csv=big)
    send_report(report_dir, graph_options(graph), environ={})
    message = graph.requests[0]["body"]["message"]
    assert [a["name"] for a in message["attachments"]] == ["report.html"]
    assert (
        "findings.csv is not attached (3.1 MB is over the 3.1 MB limit); it is in the report directory."
        in message["body"]["content"]
    )  # the zip it was tried as is no smaller


def test_request_over_four_megabytes_drops_attachment_then_html(tmp_path: Path) -> None:
    report_dir = write_report(tmp_path / "r", csv="c" * 1000)
    (report_dir / "digest.html").write_text("<html><body>" + "h" * 5000 + "</body></html>", encoding="utf-8")
    recorded(report_dir)  # the files as one run wrote them
    mail = build_mail(report_dir, attachment_limit=10_000, run_url=None)
    with_csv = json.loads(encode_within_limit(mail, ("a@b.example",), limit=100_000))
    assert "attachments" in with_csv["message"]
    without_csv = json.loads(encode_within_limit(mail, ("a@b.example",), limit=5_900))
    assert "attachments" not in without_csv["message"]
    assert "h" * 5000 in without_csv["message"]["body"]["content"]
    text_only = json.loads(encode_within_limit(mail, ("a@b.example",), limit=3_000))
    content = text_only["message"]["body"]["content"]
    assert "The HTML report is too large to e-mail; open report.html from the report directory." in content
    assert "h" * 5000 not in content
    with pytest.raises(DeliveryError, match="too large for a Graph sendMail request"):
        encode_within_limit(mail, ("a@b.example",), limit=200)
