"""`audit --tenants`' e-mail: each tenant's report to the email_to the tenants file (or the demo's
sample) gives it, through a real SMTP server on loopback; the run says what was sent, and what not
and why, and refuses a run-wide --email-to it would otherwise drop without a word."""

from __future__ import annotations

import email
import email.policy
import io
import json
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from auditor.cli import main

from .conftest import smtp_server

SAMPLES = {
    "licensing@contoso.example": "Contoso",
    "it@northwind.example": "Northwind",
    "it@fabrikam.example": "Fabrikam",
}


def _texts(message: EmailMessage) -> str:
    """Every text the message carries: its bodies and attachments, a zipped report.html unzipped."""
    texts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        if (part.get_filename() or "").endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                texts += [archive.read(name).decode("utf-8") for name in archive.namelist()]
        else:
            texts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(texts)


def test_the_demos_customers_get_their_reports_and_never_the_msps_cost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with smtp_server() as server:
        flags = ["--smtp-host", server.host, "--smtp-port", str(server.port), "--from", "audit@msp.example"]
        assert main(["audit", "--demo", "--tenants", *flags]) == 1
    err = capsys.readouterr().err
    assert "contoso: e-mailed to licensing@contoso.example via smtp" in err
    assert "fabrikam: e-mailed to it@fabrikam.example via smtp" in err
    got = {tuple(m.rcpt_tos): m for m in server.recorder.messages}
    assert sorted(got) == sorted((to,) for to in SAMPLES)
    for (to,), received in got.items():
        message = email.message_from_bytes(received.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        assert SAMPLES[to] in message["Subject"]
    # Contoso's seats at Pax8: the MSP's cost and margin stay in distributor.json, out of the customer's e-mail
    seats = json.loads((tmp_path / "reports" / "tenants" / "contoso" / "distributor.json").read_text("utf-8"))
    assert seats["mailed_to_customer"] is True
    # what the MSP's own report.html shows of them (the run without e-mail): its cost and its margin a month
    costs = {f"€{p[k]:,.2f}" for p in seats["products"] for k in ("cost_monthly", "margin_monthly") if p.get(k)}
    assert costs
    contoso = email.message_from_bytes(got[("licensing@contoso.example",)].content, policy=email.policy.default)
    assert isinstance(contoso, EmailMessage)
    assert not [cost for cost in costs if cost in _texts(contoso)]


def test_without_smtp_the_run_says_that_nothing_was_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "--demo", "--tenants"]) == 1
    assert (
        "no e-mail sent: the tenants file gives 3 of 3 tenants an email_to; give --smtp-host HOST --from ADDR "
        "(or --sender) to send each its report"
    ) in capsys.readouterr().err


def test_a_run_wide_email_to_is_refused_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["audit", "--demo", "--tenants", "--email-to", "me@example.com", "--smtp-host", "127.0.0.1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--email-to names one audit's recipients" in err and "email_to" in err
    assert not (tmp_path / "reports").exists()
