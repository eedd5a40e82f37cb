"""The e-mail flags: parsing, inference of the transport, and the bad-usage messages."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from auditor.common.errors import UsageError
from auditor.delivery import SmtpSecurity, Transport, add_email_arguments, add_email_command, options_from_args
from auditor.delivery.arguments import main

from .conftest import smtp_server


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    add_email_command(sub)
    audit = sub.add_parser("audit")
    add_email_arguments(audit)
    return parser.parse_args(argv)


def test_email_command_flags() -> None:
    args = parse(
        [
            "email",
            "--report-dir",
            "out",
            "--to",
            "a@contoso.example",
            "--to",
            "b@contoso.example, c@x.example",
            "--smtp-host",
            "smtp.contoso.example",
            "--smtp-ssl",
            "--smtp-port",
            "2465",
            "--from",
            "audit@contoso.example",
        ]
    )
    options = options_from_args(args)
    assert options is not None
    assert options.recipients == ("a@contoso.example", "b@contoso.example", "c@x.example")
    assert (options.via, options.smtp_security, options.port) == (Transport.SMTP, SmtpSecurity.SSL, 2465)
    assert args.report_dir == Path("out")
    assert args.func.__name__ == "run_email_command"


def test_audit_without_email_to_means_no_mail() -> None:
    assert options_from_args(parse(["audit"])) is None


def test_sender_implies_graph_and_default_ports() -> None:
    options = options_from_args(
        parse(["audit", "--email-to", "a@contoso.example", "--sender", "s@contoso.example"]),
        graph_adapter_factory=lambda: None,
    )  # type: ignore[arg-type,return-value]
    assert options is not None and options.via is Transport.GRAPH
    starttls = options_from_args(
        parse(["audit", "--email-to", "a@c.example", "--smtp-host", "h", "--from", "f@c.example", "--smtp-starttls"])
    )
    assert starttls is not None and starttls.port == 587


def test_starttls_and_ssl_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse(["email", "--to", "a@c.example", "--smtp-starttls", "--smtp-ssl"])
    assert caught.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_password_is_not_a_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(["email", "--to", "a@c.example", "--smtp-password", "x"])
    assert "unrecognized arguments: --smtp-password" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--to", "a@c.example", "--from", "f@c.example"], "--smtp-host is required"),
        (["--to", "a@c.example", "--smtp-host", "h"], "--from is required"),
        (["--to", "a@c.example", "--via", "graph"], "--sender MAILBOX is required"),
        (["--to", "Eve <e@c.example>", "--smtp-host", "h", "--from", "f@c.example"], "not a plain e-mail address"),
        (
            ["--to", "a@c.example", "--smtp-host", "h", "--from", "f@c.example\r\nBcc: x@y.example"],
            "not a plain e-mail address",
        ),
        (["--to", "a@c.example", "--smtp-host", "h", "--from", "f@c.example", "--smtp-port", "0"], "not a TCP port"),
    ],
)
def test_bad_usage(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        options_from_args(parse(["email", *argv]))


def test_graph_without_connection_flags_is_a_usage_error(report_dir: Path) -> None:
    from auditor.delivery import send_report

    options = options_from_args(parse(["email", "--to", "a@c.example", "--sender", "s@c.example"]))
    assert options is not None
    with pytest.raises(UsageError, match="--via graph needs the Graph connection flags"):
        send_report(report_dir, options, environ={})


def test_module_entry_point_sends_and_reports_errors(report_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_server() as server:
        assert (
            main(
                [
                    "--report-dir",
                    str(report_dir),
                    "--to",
                    "a@contoso.example",
                    "--smtp-host",
                    "127.0.0.1",
                    "--smtp-port",
                    str(server.port),
                    "--from",
                    "f@contoso.example",
                ]
            )
            == 0
        )
    assert len(server.recorder.messages) == 1
    assert (
        main(
            [
                "--report-dir",
                str(report_dir / "missing"),
                "--to",
                "a@contoso.example",
                "--smtp-host",
                "127.0.0.1",
                "--from",
                "f@contoso.example",
            ]
        )
        == 2
    )
    assert "report.json: not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--to", "a@c.example", "--smtp-host", "h", "--from", "f@c.example\n"],
        ["--to", "a@c.example", "--sender", "s@c.example\n"],
    ],
)
def test_a_trailing_newline_is_not_part_of_a_plain_address(argv: list[str]) -> None:
    """`$` matches before a final newline: 'a@x\\n' passed the check and failed later with exit 5."""
    with pytest.raises(UsageError, match="not a plain e-mail address"):
        options_from_args(parse(["email", *argv]), graph_adapter_factory=lambda: None)  # type: ignore[arg-type,return-value]


def test_workflow_identifiers_match_whole_strings() -> None:
    """A newline never reaches the job matrix inside a tenant or client id: refused inside, trimmed at the end."""
    from auditor.delivery.matrix import tenant_from_env

    guid = "00000000-0000-0000-0000-000000000001"
    [job] = tenant_from_env({"AZURE_TENANT_ID": "contoso.onmicrosoft.com\n", "AZURE_CLIENT_ID": f"{guid}\n"})
    assert (job.tenant_id, job.client_id) == ("contoso.onmicrosoft.com", guid)
    for tenant_id, client_id in (("contoso.onmicrosoft.com\nx", guid), (f"{guid}\nx", guid), (guid, f"{guid}\nx")):
        with pytest.raises(UsageError, match="is not a"):
            tenant_from_env({"AZURE_TENANT_ID": tenant_id, "AZURE_CLIENT_ID": client_id})
