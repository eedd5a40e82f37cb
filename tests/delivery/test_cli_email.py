"""`license-auditor audit --email-to` and `license-auditor email` end to end, with a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from auditor.cli import main

from .conftest import free_port, smtp_server, write_report

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"


def audit(out: Path, *extra: str) -> int:
    return main(
        [
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(EXAMPLE),
            "--output-dir",
            str(out),
            "--as-of",
            AS_OF,
            *extra,
        ]
    )


def test_audit_emails_the_report_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    with smtp_server() as server:
        code = audit(
            out,
            "--email-to",
            "licensing@contoso.example",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            str(server.port),
            "--from",
            "audit@contoso.example",
        )
    assert code == 1  # the sample tenant has high findings; e-mail does not change the verdict
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [received] = server.recorder.messages
    assert received.rcpt_tos == ["licensing@contoso.example"]
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    name = report["tenant"]["name"]
    counts = ", ".join(f"{n} {s}" for s, n in report["summary"]["by_severity"].items() if n)
    assert str(message["Subject"]).startswith(f"[license-auditor] {name}: {counts}")
    # what went out, said once: the subject, the recipient, the transport and the files
    said = capsys.readouterr().err
    assert f"e-mailed {str(message['Subject'])!r} to licensing@contoso.example via smtp (127.0.0.1), with " in said
    assert "report.html" in said.rsplit("with ", 1)[1] and "findings.csv" in said.rsplit("with ", 1)[1]


def test_failed_delivery_exits_4_and_keeps_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    port = free_port()
    code = audit(
        out,
        "--email-to",
        "licensing@contoso.example",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(port),
        "--from",
        "audit@contoso.example",
    )
    assert code == 4
    assert (out / "report.json").exists()
    err = capsys.readouterr().err
    assert f"license-auditor: error: cannot connect to SMTP server 127.0.0.1:{port}: connection refused\n" in err
    assert "Traceback" not in err


def test_bad_email_flags_fail_before_the_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert audit(out, "--email-to", "not-an-address", "--smtp-host", "h", "--from", "a@b.example") == 2
    assert not out.exists()
    assert "recipient 'not-an-address': not a plain e-mail address" in capsys.readouterr().err


def test_audit_emails_through_graph_with_the_audit_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
    from auditor_dev.sample.generate import generate_tenant

    tenant = generate_tenant(80, seed=11)
    # the example policy's reads (its entitlements section reads Conditional Access and PIM), and Mail.Send
    token = app_token(tenant.tenant_id, roles=(*DEMO_ROLES, "Mail.Send"))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    out = tmp_path / "out"
    with GraphEmulator(tenant, token=token) as graph:
        code = main(
            [
                "audit",
                "--graph-endpoint",
                graph.url,
                "--auth",
                "token",
                "--policies",
                str(Path(__file__).resolve().parents[2] / "examples" / "contoso-policy.yaml"),
                "--output-dir",
                str(out),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--email-to",
                "admins@contoso.example",
                "--sender",
                tenant.users[0].user_principal_name,
            ]
        )
        sent = list(graph.sent_mail)
    err = capsys.readouterr().err
    assert code == 1, err
    assert len(sent) == 1
    mail = sent[0]
    assert mail.save_to_sent_items is False
    assert mail.message["toRecipients"] == [{"emailAddress": {"address": "admins@contoso.example"}}]
    assert mail.message["subject"].startswith("[license-auditor] Contoso: ")
    assert mail.message["body"]["contentType"].lower() == "html"
    # the digest is the body; the full report (zipped: it is over 100 KB) and the CSV are attached
    assert [a["name"] for a in mail.message["attachments"]] == ["report.html.zip", "findings.csv"]
    assert mail.message["body"]["content"] == (out / "digest.html").read_text(encoding="utf-8")
    assert len(mail.message["body"]["content"].encode()) < 100_000
    assert token not in err


def test_email_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report_dir = write_report(tmp_path / "r")
    with smtp_server() as server:
        assert (
            main(
                [
                    "email",
                    "--report-dir",
                    str(report_dir),
                    "--to",
                    "a@contoso.example",
                    "--to",
                    "b@contoso.example",
                    "--smtp-host",
                    "127.0.0.1",
                    "--smtp-port",
                    str(server.port),
                    "--from",
                    "audit@contoso.example",
                ]
            )
            == 0
        )
    assert server.recorder.messages[0].rcpt_tos == ["a@contoso.example", "b@contoso.example"]
    assert " to a@contoso.example, b@contoso.example via smtp (127.0.0.1), with " in capsys.readouterr().err
    with smtp_server(refuse={"a@contoso.example"}) as server:
        assert (
            main(
                [
                    "email",
                    "--report-dir",
                    str(report_dir),
                    "--to",
                    "a@contoso.example",
                    "--smtp-host",
                    "127.0.0.1",
                    "--smtp-port",
                    str(server.port),
                    "--from",
                    "audit@contoso.example",
                ]
            )
            == 4
        )
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"license-auditor: error: SMTP server 127.0.0.1:{server.port} refused every recipient "
        "(a@contoso.example: 550 5.1.1 mailbox unavailable)"
    ]


def test_email_command_requires_a_recipient(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["email", "--report-dir", "reports"])
    assert caught.value.code == 2
    assert "--to" in capsys.readouterr().err


@pytest.mark.parametrize("version", [4, 6, "5"])
def test_email_refuses_a_report_of_another_schema_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: object
) -> None:
    """A report.json this version does not read is refused (exit 2) before its `notify` is believed:
    one of another schema_version whose notify.send was false used to end "nothing changed", exit 0."""
    out = tmp_path / "out"
    assert audit(out, "--format", "json,html") == 1
    report = json.loads((out / "report.json").read_text("utf-8"))
    report |= {"schema_version": version, "notify": {"send": False, "reason": "nothing changed"}}
    (out / "report.json").write_text(json.dumps(report), "utf-8")
    capsys.readouterr()
    with smtp_server() as server:
        argv = [
            "email",
            "--report-dir",
            str(out),
            "--email-to",
            "it@contoso.example",
            "--from",
            "audit@contoso.example",
        ]
        code = main([*argv, "--smtp-host", server.host, "--smtp-port", str(server.port)])
        received = list(server.recorder.messages)
    err = capsys.readouterr().err
    assert code == 2 and received == []
    assert f"report.json: unsupported report schema_version {version!r}" in err or "before its first release" in err
    assert "nothing changed" not in err


def _email(report_dir: Path, port: int, *more: str) -> int:
    argv = ["email", "--report-dir", str(report_dir), "--to", "it@customer.example", "--smtp-host", "127.0.0.1"]
    return main([*argv, "--smtp-port", str(port), "--from", "audit@msp.example", *more])


def test_email_refuses_a_report_showing_the_msps_cost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 87: a report written without e-mail shows the MSP's cost and margin at the distributor; a
    later `email` of its folder could send them to the customer, so it is refused unless the MSP says
    --include-msp-cost. The audit's own e-mail (`mailed_to_customer`) leaves them out and goes."""
    from documents import distributor_product

    from .conftest import REPORT

    month = {"currency": "EUR", "cost_monthly": 292.37, "billed_monthly": 325.24, "margin_monthly": 32.87}
    products = [distributor_product("POWER_BI_PRO", **month)]
    section = {"schema": 1, "distributor": "pax8", "products": products, "findings": [], "totals": [month]}
    msp = write_report(tmp_path / "msp", {**REPORT, "distributor": section})
    mailed = write_report(tmp_path / "mailed", {**REPORT, "distributor": {**section, "mailed_to_customer": True}})
    with smtp_server() as server:
        assert _email(msp, server.port) == 2
        err = capsys.readouterr().err
        assert "shows the MSP's cost and margin at the distributor" in err and "--include-msp-cost" in err
        assert server.recorder.messages == []
        assert _email(mailed, server.port) == 0
        assert _email(msp, server.port, "--include-msp-cost") == 0
        assert len(server.recorder.messages) == 2


def test_email_refuses_a_report_showing_the_msps_differences_with_its_psa(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 97: the three-way table names what the MSP pays and does not bill, and a seat billed below
    its cost: a report showing them (its `psa` not mailed_to_customer) is the MSP's, refused as the
    distributor's cost is; the audit's own e-mail leaves them out and goes."""
    from .conftest import REPORT

    below = {"kind": "billed_below_cost", "sku": "SPE_E5", "unit_price": 47.0, "cost": 49.3}
    below |= {"cost_source": "distributor", "seats": 12, "loss_monthly": 27.6, "currency": "EUR"}
    section = {
        "schema": 1,
        "psa": "connectwise",
        "company_id": 250,
        "on": "2026-11-01",
        "products": [],
        "findings": [below],
    }
    msp = write_report(tmp_path / "msp", {**REPORT, "psa": section})
    mailed = write_report(tmp_path / "mailed", {**REPORT, "psa": {**section, "mailed_to_customer": True}})
    with smtp_server() as server:
        assert _email(msp, server.port) == 2
        assert "its differences with its PSA" in capsys.readouterr().err
        assert _email(mailed, server.port) == 0
        assert len(server.recorder.messages) == 1
