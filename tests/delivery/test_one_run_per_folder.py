"""Issue 95 (the newcomer's second finding): a one-tenant run and a many-tenant run in one folder mixed, and
`email` sent Contoso's subject and text with the MSP's roll-up, Fabrikam's data and the MSP's margin, as the
HTML body. Through the real CLI, in the README's order (`audit --demo`, then `audit --demo --tenants`, then
`email --report-dir reports --email-to` a customer, to a real SMTP server on loopback): each run keeps a
folder of its own, a run refuses another kind's folder (exit 2) and moves nothing, and `email` sends only
parts of one run, never the roll-up, never the margin."""

from __future__ import annotations

import email
import email.policy
import shutil
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from auditor.cli import main

from .conftest import smtp_server

CUSTOMER = "it@contoso.example"


def _main(argv: list[str]) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
        return main(argv)


@pytest.fixture(scope="module")
def readme_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder after the README's two demo commands, each with its default folder."""
    base = tmp_path_factory.mktemp("readme")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(base)
        assert _main(["audit", "--demo"]) == 1
        assert _main(["audit", "--demo", "--tenants"]) == 1
    return base


@pytest.fixture
def work(readme_runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shutil.copytree(readme_runs / "reports", tmp_path / "reports")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _email(folder: str, *extra: str) -> tuple[int, list[EmailMessage]]:
    with smtp_server() as server:
        argv = ["email", "--report-dir", folder, "--email-to", CUSTOMER, "--smtp-host", "127.0.0.1"]
        code = _main([*argv, "--smtp-port", str(server.port), "--from", "msp@msp.example", *extra])
    messages = [email.message_from_bytes(m.content, policy=email.policy.default) for m in server.recorder.messages]
    return code, [m for m in messages if isinstance(m, EmailMessage)]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _parts(message: EmailMessage) -> str:
    """Every part the message carries, decoded: the subject, the text, the HTML, the attachments."""
    said = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() != "multipart":
            payload = part.get_payload(decode=True)
            said.append(payload.decode("utf-8", "replace") if isinstance(payload, bytes) else "")
    return "\n".join(said)


def test_the_readme_order_keeps_two_folders_and_mails_the_customer_one_run(work: Path) -> None:
    reports, fleet = work / "reports", work / "reports" / "tenants"
    assert (fleet / "tenants.json").is_file() and (fleet / "contoso" / "report.json").is_file()
    assert not (reports / "tenants.json").exists() and not (reports / "previous").exists()
    assert "multiple tenants" not in (reports / "digest.html").read_text("utf-8")  # the one-tenant digest, untouched
    code, [message] = _email("reports")
    assert code == 0
    assert str(message["Subject"]).startswith("[license-auditor] Contoso: ")
    html = message.get_body(("html",))
    assert html is not None
    assert html.get_content().replace("\r\n", "\n") == (reports / "digest.html").read_text("utf-8")
    text = _parts(message)  # nothing of the roll-up (its title, Fabrikam's row) nor the MSP's cost and margin
    assert "License audit of multiple tenants" not in text and "Fabrikam (fabrikam)" not in text
    assert "margin €" not in text and "billed €" not in text


def test_a_run_refuses_a_folder_another_kind_of_run_owns_and_moves_nothing(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = work / "reports"
    before = _files(reports)
    assert _main(["audit", "--demo", "--tenants", "--output-dir", "reports"]) == 2
    err = capsys.readouterr().err
    assert "--output-dir reports: the folder holds a one-tenant audit's reports (Contoso)" in err
    assert _main(["audit", "--demo", "--output-dir", "reports/tenants"]) == 2
    assert "--output-dir reports/tenants: the folder holds the tenants' folders and roll-up" in capsys.readouterr().err
    assert _main(["rollup", "reports/tenants", "--output-dir", "reports"]) == 2
    assert _files(reports) == before  # nothing moved, nothing written over, nothing lost


def test_a_one_tenant_audit_refuses_a_tenants_folder_of_the_many_tenant_run(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """reports/tenants/contoso holds a tenant's report (run.json says tenant), but the roll-up above names it."""
    fleet = work / "reports" / "tenants"
    before = _files(fleet)
    assert _main(["audit", "--demo", "--output-dir", "reports/tenants/contoso"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "license-auditor: error: --output-dir reports/tenants/contoso: the folder is a tenant's of `audit --tenants`, "
        f"whose roll-up is in {fleet.resolve()}; a one-tenant `audit` writes into a folder of its own: give another "
        "--output-dir, or run `audit --tenants` again"
    ]
    assert _files(fleet) == before  # nothing of the tenant's folder nor the roll-up moved
    assert _main(["audit", "--demo", "--tenants", "--output-dir", "reports/tenants"]) == 1  # its own run still writes


def test_a_folder_mixed_as_an_earlier_version_left_it_is_never_sent(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder the issue found: the roll-up's digest.html and license list over the one-tenant run's."""
    reports, fleet = work / "reports", work / "reports" / "tenants"
    for name in ("digest.html", "licensed-users.csv"):
        shutil.copy(fleet / name, reports / name)
    code, sent = _email("reports")
    assert (code, sent) == (2, [])
    assert "reports/digest.html is not the file the run that wrote reports/run.json wrote" in capsys.readouterr().err
    (reports / "run.json").unlink()  # as an earlier version wrote it: nothing tells its parts are of one run
    code, sent = _email("reports", "--include-msp-cost")
    assert (code, sent) == (2, [])
    assert "without run.json nothing tells that its files come from one run" in capsys.readouterr().err


def test_the_roll_up_and_the_msps_margin_never_reach_a_customer(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for extra in ((), ("--include-msp-cost",)):  # the roll-up is not a report to e-mail, whatever the flag
        code, sent = _email("reports/tenants", *extra)
        assert (code, sent) == (2, [])
        assert "the folder holds the tenants' folders and roll-up" in capsys.readouterr().err
    code, sent = _email("reports/tenants/contoso")  # its report shows the MSP's cost at Pax8: refused
    assert (code, sent) == (2, [])
    err = capsys.readouterr().err
    assert "shows the MSP's cost and margin" in err
    # the advice is one its run takes: `audit --tenants` refuses --email-to, and mails each tenant itself
    assert "--email-to" not in err and "a tenant's of `audit --tenants`" in err and "--smtp-host" in err
    stale = work / "reports" / "renewal-2099-01-01-Other.ics"  # a part no run of this folder wrote
    stale.write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "utf-8")
    code, sent = _email("reports")
    assert (code, sent) == (2, [])
    assert f"{stale.relative_to(work)} is not the file the run" in capsys.readouterr().err


def test_the_advice_for_a_tenants_folder_of_the_many_tenant_run_is_one_it_takes(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`email` refuses Contoso's folder of `audit --tenants` (the MSP's cost at Pax8) and says to run that
    run again with the mail flags: done, the run mails Contoso its report, and its folder can be mailed."""
    assert _email("reports/tenants/contoso")[0] == 2
    capsys.readouterr()
    with smtp_server() as server:
        argv = ["audit", "--demo", "--tenants", "--smtp-host", "127.0.0.1", "--smtp-port", str(server.port)]
        assert _main([*argv, "--from", "msp@msp.example"]) == 1
        assert server.recorder.messages  # each sample tenant's report to the email_to its entry gives
    code, sent = _email("reports/tenants/contoso")
    assert code == 0 and len(sent) == 1, capsys.readouterr().err
