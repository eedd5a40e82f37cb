"""`rollup --email-to`: the MSP's e-mail of many tenants, sent through a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

from auditor.cli import main

from .conftest import smtp_server


def _shard(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True)
    (folder / "tenants.json").write_text(
        json.dumps({"schema_version": 1, "generated_at": "2026-11-25T02:00:00+00:00", "shard": None, "tenants": rows}),
        "utf-8",
    )
    return folder


def _row(key: str, name: str, status: str = "ok", unused: float | None = 100.0, reason: str | None = None) -> dict:
    return {
        "key": key,
        "name": name,
        "tenant_id": "00000000-0000-0000-0000-000000000001",
        "status": status,
        "exit_code": 3 if status == "failed" else 1,
        "findings": None if status == "failed" else {"critical": 0, "high": 1, "medium": 2, "low": 0},
        "unused_monthly": unused,
        "plan_monthly_saving": None,
        "currency": "EUR",
        "next_window": None,
        "seats_short": [],
        "seconds": 2.0,
        "requests": 12,
        "reason": reason,
    }


def test_the_rollup_reaches_the_msp_with_every_tenant_attached(tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", [_row("fabrikam", "Fabrikam <b>bold</b>", unused=250.0)])
    two = _shard(tmp_path / "s2", [_row("tailspin", "Tailspin", "failed", None, "sign-in refused (AADSTS700016)")])
    with smtp_server() as server:
        code = main(
            [
                "rollup",
                str(one),
                str(two),
                "--output-dir",
                str(tmp_path / "all"),
                "--email-to",
                "msp@example.com",
                "--smtp-host",
                server.host,
                "--smtp-port",
                str(server.port),
                "--from",
                "audit@example.com",
            ]
        )
    assert code == 3  # a tenant failed
    (received,) = server.recorder.messages
    assert received.rcpt_tos == ["msp@example.com"]
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == (
        "[license-auditor] License audit of multiple tenants: 2 tenants audited, 1 failed; "
        "licenses unused: €250.00 a month."
    )
    html_part = message.get_body(("html",))
    assert html_part is not None
    body = html_part.get_content()
    assert "Fabrikam &lt;b&gt;bold&lt;/b&gt;" in body and "<b>bold" not in body  # tenant names are escaped
    assert body.index("Tailspin") < body.index("Fabrikam")  # the failed tenant leads
    (attachment,) = [part for part in message.iter_attachments()]
    assert attachment.get_filename() == "tenants.md"
    table = attachment.get_payload(decode=True).decode("utf-8")  # the file as written, UTF-8
    assert "AADSTS700016" in table and "€250" in table


def test_the_rollup_is_not_sent_through_graph(tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", [_row("fabrikam", "Fabrikam")])
    assert (
        main(
            [
                "rollup",
                str(one),
                "--output-dir",
                str(tmp_path / "all"),
                "--email-to",
                "msp@example.com",
                "--sender",
                "audit@example.com",
            ]
        )
        == 2
    )
    assert (tmp_path / "all" / "tenants.json").exists()  # the roll-up is written all the same
