"""E-mail over a real SMTP server on loopback (aiosmtpd): MIME structure, TLS, auth and every refusal."""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from auditor.common.errors import EXIT_DELIVERY, DeliveryError, UsageError
from auditor.delivery import EmailOptions, SmtpSecurity, send_report
from auditor.formats.report_json import decode_report

from .conftest import CSV, REPORT, REPORT_HTML, Credentials, Tls, free_port, recorded, smtp_server, write_report

SUBJECT = "[license-auditor] Contoso: 2 high, 9 medium, EUR 1,240/month unused"


def options(port: int, **overrides: Any) -> EmailOptions:
    values: dict[str, Any] = {
        "recipients": ("ops@contoso.example", "cfo@contoso.example"),
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "from_address": "auditor@contoso.example",
        "smtp_timeout": 10.0,
    }
    values.update(overrides)
    return EmailOptions(**values)


def parse(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_delivers_html_with_text_alternative_and_csv_attachment(report_dir: Path) -> None:
    with smtp_server() as server:
        send_report(report_dir, options(server.port), environ={})
    [received] = server.recorder.messages
    assert received.mail_from == "auditor@contoso.example"
    assert received.rcpt_tos == ["ops@contoso.example", "cfo@contoso.example"]
    message = parse(received.content)
    assert message["Subject"] == SUBJECT
    assert message["From"] == "auditor@contoso.example"
    assert message["To"] == "ops@contoso.example, cfo@contoso.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@contoso.example>")
    assert message.get_content_type() == "multipart/mixed"
    body, report, attachment = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    plain, html = body.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert "Findings need attention (2 high)" in plain.get_content()  # digest.txt
    assert html.get_content_type() == "text/html"
    assert '<body class="report"><h1>License audit: Contoso</h1>' in html.get_content()  # digest.html
    assert "Ærø Ünïcode" in html.get_content()
    assert report.get_content_type() == "text/html"  # the full report, beside the CSV
    assert report.get_filename() == "report.html"
    assert report.get_payload(decode=True) == REPORT_HTML.encode()
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename() == "findings.csv"
    assert attachment.get_payload(decode=True) == CSV.encode()
    assert "CI run" not in plain.get_content()  # no GitHub variables in this environment


def test_a_line_starting_with_from_arrives_as_written(tmp_path: Path) -> None:
    # smtplib flattens with mbox escaping: an 8-bit body's "From " at a line's start arrived as ">From ".
    text = "License audit: Contoso\n\nThe bill changes\nFrom Mar 18, 2027: 4 licenses fewer — Ærø\n"
    html = "<!DOCTYPE html>\n<html><body><p>The bill changes<br>\nFrom Mar 18, 2027: Ærø</p></body></html>\n"
    report_dir = write_report(tmp_path / "r")
    (report_dir / "digest.txt").write_text(text, encoding="utf-8")
    (report_dir / "digest.html").write_text(html, encoding="utf-8")
    recorded(report_dir)  # the files as one run wrote them
    with smtp_server() as server:
        send_report(report_dir, options(server.port), environ={})
    [received] = server.recorder.messages
    assert b">From " not in received.content
    message = parse(received.content)
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content().replace("\r\n", "\n") == text  # the wire's line ends are CRLF
    assert rich.get_content().replace("\r\n", "\n") == html
    for part in (plain, rich):
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        raw = part.get_payload(decode=False)
        assert raw.isascii() and all(len(line) <= 76 for line in raw.splitlines())


def test_links_the_ci_run_when_github_variables_are_set(report_dir: Path) -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "contoso/it-audit", "GITHUB_RUN_ID": "42"}
    with smtp_server() as server:
        send_report(report_dir, options(server.port), environ=env)
    message = parse(server.recorder.messages[0].content)
    body = message.get_body(("html",))
    assert body is not None
    url = "https://github.com/contoso/it-audit/actions/runs/42"
    assert f'<a href="{url}">{url}</a>' in body.get_content()
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().replace("\r\n", "\n").startswith(f"CI run: {url}\n\nLicense audit: Contoso")


def test_tenant_name_cannot_inject_headers(tmp_path: Path) -> None:
    report = json.loads(json.dumps(REPORT))
    report["tenant"]["name"] = "Contoso\r\nBcc: thief@evil.example\r\n\r\n<script>"
    report_dir = write_report(tmp_path / "r", report)
    with smtp_server() as server:
        send_report(report_dir, options(server.port, recipients=("ops@contoso.example",)), environ={})
    [received] = server.recorder.messages
    assert received.rcpt_tos == ["ops@contoso.example"]
    message = parse(received.content)
    assert message["Bcc"] is None
    assert message["Subject"] == (
        "[license-auditor] Contoso Bcc: thief@evil.example <script>: 2 high, 9 medium, EUR 1,240/month unused"
    )
    head = received.content.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in head and b"\rBcc:" not in head


def test_starttls_with_self_signed_certificate_and_login(report_dir: Path, tls: Tls) -> None:
    creds = Credentials("auditor", "s3cret-Pa55")
    env = {"SMTP_USERNAME": creds.username, "SMTP_PASSWORD": creds.password}
    with smtp_server(
        tls_context=tls.server_context(), require_starttls=True, auth_required=True, authenticator=creds
    ) as server:
        send_report(
            report_dir, options(server.port, smtp_security=SmtpSecurity.STARTTLS, smtp_ca_file=tls.cert), environ=env
        )
    assert len(server.recorder.messages) == 1
    assert parse(server.recorder.messages[0].content)["Subject"] == SUBJECT


def test_implicit_tls(report_dir: Path, tls: Tls) -> None:
    with smtp_server(ssl_context=tls.server_context()) as server:
        send_report(report_dir, options(server.port, smtp_security=SmtpSecurity.SSL, smtp_ca_file=tls.cert), environ={})
    assert len(server.recorder.messages) == 1


def test_untrusted_certificate_is_a_delivery_error(report_dir: Path, tls: Tls) -> None:
    with (
        smtp_server(tls_context=tls.server_context(), require_starttls=True) as server,
        pytest.raises(DeliveryError) as caught,
    ):
        send_report(report_dir, options(server.port, smtp_security=SmtpSecurity.STARTTLS), environ={})
    assert caught.value.exit_code == EXIT_DELIVERY
    assert "certificate not trusted" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert server.recorder.messages == []
    assert (report_dir / "report.html").exists() and (report_dir / "findings.csv").exists()


def test_starttls_required_but_not_offered(report_dir: Path) -> None:
    with smtp_server() as server, pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_report(report_dir, options(server.port, smtp_security=SmtpSecurity.STARTTLS), environ={})
    assert server.recorder.messages == []


def test_rejected_login_never_shows_the_password(report_dir: Path, tls: Tls) -> None:
    creds = Credentials("auditor", "right-password")
    env = {"SMTP_USERNAME": "auditor", "SMTP_PASSWORD": "Wr0ng-Secret!"}
    with (
        smtp_server(
            tls_context=tls.server_context(), require_starttls=True, auth_required=True, authenticator=creds
        ) as server,
        pytest.raises(DeliveryError) as caught,
    ):
        send_report(
            report_dir, options(server.port, smtp_security=SmtpSecurity.STARTTLS, smtp_ca_file=tls.cert), environ=env
        )
    message = str(caught.value)
    assert message.startswith(f"SMTP server 127.0.0.1:{server.port} rejected the login of SMTP_USERNAME (535")
    assert "Wr0ng-Secret!" not in message
    assert server.recorder.messages == []


def test_credentials_are_not_sent_in_clear_text_to_a_remote_relay(report_dir: Path) -> None:
    env = {"SMTP_USERNAME": "auditor", "SMTP_PASSWORD": "pw"}
    with pytest.raises(UsageError, match="without TLS"):
        send_report(report_dir, options(25, smtp_host="smtp.contoso.example"), environ=env)


def test_every_recipient_refused(report_dir: Path) -> None:
    refused = ("ops@contoso.example", "cfo@contoso.example")
    with smtp_server(refuse=refused) as server, pytest.raises(DeliveryError) as caught:
        send_report(report_dir, options(server.port), environ={})
    assert "refused every recipient" in str(caught.value)
    assert "cfo@contoso.example: 550 5.1.1 mailbox unavailable" in str(caught.value)
    assert server.recorder.messages == []


def test_one_recipient_refused_is_still_a_failure(report_dir: Path) -> None:
    with smtp_server(refuse={"cfo@contoso.example"}) as server, pytest.raises(DeliveryError) as caught:
        send_report(report_dir, options(server.port), environ={})
    assert "delivered to 1 of 2 recipients; refused cfo@contoso.example: 550" in str(caught.value)
    assert [m.rcpt_tos for m in server.recorder.messages] == [["ops@contoso.example"]]


def test_refused_connection(report_dir: Path) -> None:
    port = free_port()
    with pytest.raises(DeliveryError) as caught:
        send_report(report_dir, options(port), environ={})
    assert str(caught.value) == f"cannot connect to SMTP server 127.0.0.1:{port}: connection refused"
    assert caught.value.exit_code == EXIT_DELIVERY


def test_large_csv_is_linked_not_attached(tmp_path: Path) -> None:
    report_dir = write_report(tmp_path / "r", csv="x" * 5000)
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "contoso/audit", "GITHUB_RUN_ID": "7"}
    with smtp_server() as server:
        send_report(report_dir, options(server.port, attachment_limit=1000), environ=env)
    message = parse(server.recorder.messages[0].content)
    assert [part.get_filename() for part in message.iter_attachments()] == ["report.html"]  # under the limit
    plain = message.get_body(("plain",))
    assert plain is not None
    assert (
        "findings.csv is not attached (0.0 MB is over the 0.0 MB limit); download it from the CI run: "
        "https://github.com/contoso/audit/actions/runs/7."
    ) in plain.get_content()


def test_large_report_is_attached_zipped(tmp_path: Path) -> None:
    report_dir = write_report(tmp_path / "r")
    full = "<!DOCTYPE html><html><body>" + "<p>Ærø row</p>\n" * 20_000 + "</body></html>\n"
    (report_dir / "report.html").write_text(full, encoding="utf-8")
    recorded(report_dir)  # the files as one run wrote them
    with smtp_server() as server:
        send_report(report_dir, options(server.port), environ={})
    message = parse(server.recorder.messages[0].content)
    report, csv = message.iter_attachments()
    assert (report.get_filename(), report.get_content_type()) == ("report.html.zip", "application/zip")
    data = report.get_payload(decode=True)
    assert isinstance(data, bytes) and len(data) < len(full.encode()) // 10
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["report.html"]
        assert archive.read("report.html") == full.encode()
    assert csv.get_filename() == "findings.csv"


def test_large_csv_is_attached_zipped(tmp_path: Path) -> None:
    rows = "".join(f"a{n:06d},license-redundant,medium,user{n}@contoso.example\r\n" for n in range(20_000))
    report_dir = write_report(tmp_path / "r", csv="id,rule,severity,upn\r\n" + rows)
    with smtp_server() as server:
        send_report(report_dir, options(server.port), environ={})
    message = parse(server.recorder.messages[0].content)
    _, csv = message.iter_attachments()
    assert (csv.get_filename(), csv.get_content_type()) == ("findings.csv.zip", "application/zip")
    data = csv.get_payload(decode=True)
    assert isinstance(data, bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["findings.csv"]
        assert archive.read("findings.csv") == (report_dir / "findings.csv").read_bytes()


def test_report_dropped_before_the_csv_when_the_server_limit_needs_it(tmp_path: Path) -> None:
    report_dir = write_report(tmp_path / "r")
    (report_dir / "report.html").write_bytes(os.urandom(40_000))  # does not zip smaller
    recorded(report_dir)  # the files as one run wrote them
    with smtp_server(data_size_limit=30_000) as server:
        send_report(report_dir, options(server.port), environ={})
    message = parse(server.recorder.messages[0].content)
    assert [part.get_filename() for part in message.iter_attachments()] == ["findings.csv"]
    plain = message.get_body(("plain",))
    assert plain is not None and "report.html is not attached (the message would exceed" in plain.get_content()
    html = message.get_body(("html",))
    assert html is not None and "report.html is not attached" in html.get_content()


def test_attachment_dropped_when_server_size_limit_would_refuse_it(tmp_path: Path) -> None:
    report_dir = write_report(tmp_path / "r", csv="y" * 40_000)
    with smtp_server(data_size_limit=20_000) as server:
        send_report(report_dir, options(server.port), environ={})
    message = parse(server.recorder.messages[0].content)
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    assert plain is not None
    assert "report.html and findings.csv are not attached (the message would exceed" in plain.get_content()


def test_without_html_report_the_text_is_the_html_part(tmp_path: Path) -> None:
    report_dir = write_report(tmp_path / "r", html=False, md=False, csv=None)
    with smtp_server() as server:
        send_report(report_dir, options(server.port), environ={})
    message = parse(server.recorder.messages[0].content)
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(("html",))
    plain = message.get_body(("plain",))
    assert html is not None and plain is not None
    assert "Unwaived findings: 11 (waived: 1)" in plain.get_content()
    assert "<pre" in html.get_content() and "Unused seats: EUR 1,240 per month" in html.get_content()


def test_long_subject_reads_back_exactly(tmp_path: Path) -> None:
    report = json.loads(json.dumps(REPORT))
    report["tenant"]["name"] = "Contoso Pharmaceuticals Research & Development Europe — Ærø Ünïcode Division " * 2
    report_dir = write_report(tmp_path / "r", report)
    with smtp_server() as server:
        send_report(report_dir, options(server.port, recipients=("ops@contoso.example",)), environ={})
    message = parse(server.recorder.messages[0].content)
    from auditor.delivery import subject_for

    subject = subject_for(decode_report(json.dumps(report), "report.json"))
    assert message["Subject"] == subject
    assert len(subject) > 120
    assert all(len(line) <= 998 for line in server.recorder.messages[0].content.split(b"\r\n"))


def test_html_dropped_when_the_message_is_still_over_the_server_size_limit(tmp_path: Path) -> None:
    report_dir = write_report(tmp_path / "r", csv="y" * 40_000)
    html = (report_dir / "digest.html").read_text(encoding="utf-8")
    (report_dir / "digest.html").write_text(html.replace("</body>", "<p>row</p>" * 6_000 + "</body>"), encoding="utf-8")
    recorded(report_dir)  # the files as one run wrote them
    with smtp_server(data_size_limit=30_000) as server:
        send_report(report_dir, options(server.port), environ={})
    raw = server.recorder.messages[0].content
    assert len(raw) <= 30_000
    message = parse(raw)
    html_part = message.get_body(("html",))
    assert html_part is not None and "<p>row</p>" not in html_part.get_content()  # the text, as <pre>
    plain = message.get_body(("plain",))
    assert plain is not None and "The HTML report is too large to e-mail" in plain.get_content()


def test_a_message_too_large_even_as_text_is_a_delivery_error(tmp_path: Path) -> None:
    """The relay would refuse it after the upload; say so plainly instead (exit 4)."""
    report_dir = write_report(tmp_path / "r", html=False, md=True)
    (report_dir / "digest.txt").write_text("| a | b |\n" * 20_000, encoding="utf-8")
    too_large = r"message too large \(.* bytes even as plain text; the server accepts at most 20,000\)"
    recorded(report_dir)  # the files as one run wrote them
    with smtp_server(data_size_limit=20_000) as server, pytest.raises(DeliveryError, match=too_large):
        send_report(report_dir, options(server.port), environ={})
    assert server.recorder.messages == []
