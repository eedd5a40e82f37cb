"""`license-auditor lists`: each customer's license list e-mailed to that customer alone (issue 77,
point 2), read back from a real SMTP server on loopback: the CSV attached as the audit wrote it, the
summary in the body in the tenant's language, and nothing of another tenant in any message."""

from __future__ import annotations

import csv
import email
import io
import json
import re
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.delivery.matrix import load_tenants
from tests.demo_runs import DemoRuns

from .conftest import recorded, smtp_server

CLIENT = "00000000-0000-0000-0000-0000000000c1"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, demo_runs: DemoRuns) -> Path:
    """`audit --demo --tenants` (the session's, copied once a module: `lists` reads it): Contoso and Fabrikam,
    each with its list, in one output folder."""
    return demo_runs.fleet(tmp_path_factory.mktemp("msp"))


def _tenants_file(tmp_path: Path, run: Path, extra: str = "") -> Path:
    ids = {k: json.loads((run / k / "report.json").read_text("utf-8"))["tenant"]["id"] for k in ("contoso", "fabrikam")}
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "defaults:\n"
        f"  client_id: {CLIENT}\n"
        "tenants:\n"
        "  - name: Contoso\n"
        f"    tenant_id: {ids['contoso']}\n"
        "    list_to: it@contoso.example\n"
        "  - name: Fabrikam\n"
        f"    tenant_id: {ids['fabrikam']}\n"
        "    locale: nl\n"
        "    email_to: nightly@fabrikam.example\n"
        "    list_to: [boss@fabrikam.example, it@fabrikam.example]\n" + extra,
        "utf-8",
    )
    return path


def _parsed(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_each_customer_gets_its_own_list_and_nothing_else(
    tmp_path: Path, run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenants = _tenants_file(tmp_path, run, "  - name: Northwind\n    tenant_id: northwind.example\n")
    with smtp_server() as server:
        argv = ["lists", str(run), "--tenants", str(tenants), "--smtp-host", server.host]
        code = main([*argv, "--smtp-port", str(server.port), "--from", "msp@msp.example"])
        received = list(server.recorder.messages)
    assert code == 0, capsys.readouterr().err
    by_rcpt = {tuple(sorted(m.rcpt_tos)): _parsed(m.content) for m in received}
    assert set(by_rcpt) == {("it@contoso.example",), ("boss@fabrikam.example", "it@fabrikam.example")}
    contoso, fabrikam = by_rcpt[("it@contoso.example",)], by_rcpt[("boss@fabrikam.example", "it@fabrikam.example")]
    for message, key, name in ((contoso, "contoso", "Contoso"), (fabrikam, "fabrikam", "Fabrikam")):
        attachments = list(message.iter_attachments())
        assert [a.get_filename() for a in attachments] == ["licensed-users.csv"]
        data = (run / key / "licensed-users.csv").read_bytes()
        assert attachments[0].get_payload(decode=True) == data  # as the audit wrote it
        assert name in str(message["Subject"])
    contoso_body = contoso.get_body(("plain",))
    assert contoso_body is not None
    text = contoso_body.get_content()
    assert "Microsoft 365 E3: 203 of 204 in use" in text and "Licenses in use" in text
    # the customer reads the one count the report gives, never "9 of 6 in use" (native review 7, E1)
    assert "Visio Plan 2: 9 in use; the subscription has expired (6 licenses in the grace period, 5 suspended)" in text
    assert "9 of 6" not in text
    fabrikam_body = fabrikam.get_body(("plain",))
    assert fabrikam_body is not None
    dutch = fabrikam_body.get_content()
    assert "Licenties in gebruik" in dutch and " in gebruik" in dutch  # the tenant's locale
    # the attached file's columns stay English, and the customer is told so (native review 7, S3)
    assert "De kolomnamen en codes in het bestand zijn Engels." in dutch
    assert "The file's column names and codes are in English." in text
    # nothing of Contoso in Fabrikam's message, nor its nightly recipient
    whole = b"".join(m.content for m in received if "boss@fabrikam.example" in m.rcpt_tos)
    assert b"contoso" not in whole.lower() and b"nightly@fabrikam" not in whole
    assert "northwind" not in capsys.readouterr().err  # no list_to: nothing sent, nothing said


def test_a_list_holding_another_tenants_rows_is_not_sent(tmp_path: Path, run: Path) -> None:
    copy = tmp_path / "run"
    for key in ("contoso", "fabrikam"):
        (copy / key).mkdir(parents=True)
        for name in ("report.json", "licensed-users.csv"):
            (copy / key / name).write_bytes((run / key / name).read_bytes())
    contoso_row = (run / "contoso" / "licensed-users.csv").read_text("utf-8-sig").splitlines()[1]
    with (copy / "fabrikam" / "licensed-users.csv").open("a", encoding="utf-8") as out:
        out.write(contoso_row + "\r\n")
    for key in ("contoso", "fabrikam"):
        recorded(copy / key)  # as one run wrote them: the list's own rows are what is refused
    tenants = _tenants_file(tmp_path, run)
    with smtp_server() as server:
        argv = ["lists", str(copy), "--tenants", str(tenants), "--smtp-host", server.host]
        code = main([*argv, "--smtp-port", str(server.port), "--from", "msp@msp.example"])
        received = list(server.recorder.messages)
    assert code == 3
    assert [m.rcpt_tos for m in received] == [["it@contoso.example"]]  # Contoso's own still goes


def test_a_list_beside_a_report_the_reader_refuses_is_not_sent(
    tmp_path: Path, run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "run"
    for key in ("contoso", "fabrikam"):
        (copy / key).mkdir(parents=True)
        for name in ("report.json", "licensed-users.csv"):
            (copy / key / name).write_bytes((run / key / name).read_bytes())
    report = json.loads((copy / "fabrikam" / "report.json").read_text("utf-8"))
    (copy / "fabrikam" / "report.json").write_text(json.dumps({**report, "skus": [{"sku": "SPE_E3"}]}), "utf-8")
    for key in ("contoso", "fabrikam"):
        recorded(copy / key)  # as one run wrote them: the report's own shape is what is refused
    tenants = _tenants_file(tmp_path, run)
    with smtp_server() as server:
        argv = ["lists", str(copy), "--tenants", str(tenants), "--smtp-host", server.host]
        code = main([*argv, "--smtp-port", str(server.port), "--from", "msp@msp.example"])
        received = list(server.recorder.messages)
    assert code == 3  # refused, as `plan` and `merge` refuse it, with the field's place
    assert "fabrikam: " in (err := capsys.readouterr().err) and "$.skus[0]" in err, err
    assert [m.rcpt_tos for m in received] == [["it@contoso.example"]]  # Contoso's own still goes


def test_list_to_is_checked_and_never_a_default(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(
        f"defaults:\n  client_id: {CLIENT}\n  list_to: all@msp.example\n"
        "tenants:\n  - name: A\n    tenant_id: a.example\n",
        "utf-8",
    )
    assert main(["lists", str(tmp_path), "--tenants", str(path), "--smtp-host", "h", "--from", "m@m.example"]) == 2
    path.write_text(
        f"defaults:\n  client_id: {CLIENT}\ntenants:\n"
        "  - name: A\n    tenant_id: a.example\n    list_to: not an address\n",
        "utf-8",
    )
    assert main(["lists", str(tmp_path), "--tenants", str(path), "--smtp-host", "h", "--from", "m@m.example"]) == 2


def test_the_list_goes_as_text_and_html_with_the_tenants_data_escaped_and_no_cost_of_the_msp(
    tmp_path: Path, run: Path
) -> None:
    """Issue 87, point 6: an HTML body beside the text (multipart/alternative), every word of the
    tenant's escaped; point 1: the customer's mail holds no figure of Pax8's partnerCost (Contoso's
    report.json has them: the demo's distributor)."""
    name = 'Contoso <b>& "Co"</b>'
    report = json.loads((run / "contoso" / "report.json").read_text("utf-8"))
    assert report["distributor"]["totals"][0]["cost_monthly"] == 7328.57  # the MSP's own figures are there
    path = tmp_path / "tenants.yaml"
    path.write_text(
        f"defaults:\n  client_id: {CLIENT}\ntenants:\n  - name: '{name}'\n    tenant_id: {report['tenant']['id']}\n"
        "    list_to: it@contoso.example\n",
        "utf-8",
    )
    (job,) = load_tenants(path)
    folder = tmp_path / "run" / job.key
    folder.mkdir(parents=True)
    (folder / "report.json").write_bytes((run / "contoso" / "report.json").read_bytes())
    rows = list(csv.reader(io.StringIO((run / "contoso" / "licensed-users.csv").read_text("utf-8-sig"))))
    with (folder / "licensed-users.csv").open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([rows[0], *([name, *row[1:]] for row in rows[1:])])
    recorded(folder)  # as one run wrote them
    with smtp_server() as server:
        argv = ["lists", str(tmp_path / "run"), "--tenants", str(path), "--smtp-host", server.host]
        assert main([*argv, "--smtp-port", str(server.port), "--from", "msp@msp.example"]) == 0
        (received,) = server.recorder.messages
    message = _parsed(received.content)
    body = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
    html_part = message.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "<li>Microsoft 365 E3: 203 of 204 in use</li>" in html and "<h2>Licenses in use</h2>" in html
    assert "Contoso &lt;b&gt;&amp; &quot;Co&quot;&lt;/b&gt;" in html and "<b>" not in html  # the tenant's name
    # the message as sent, but its Message-ID, whose random digits may spell any figure
    raw = received.content.decode("utf-8", "replace")
    sent = re.sub(r"(?im)^message-id:.*(?:\r?\n[ \t].*)*", "", raw) + "".join(
        str(p.get_content()) for p in message.walk() if p.get_content_maintype() == "text"
    )
    for figure in ("7,328.57", "7328.57", "30.40", "30.4", "212.80", "partnerCost", "margin"):
        assert figure not in sent, figure


def test_a_list_another_run_wrote_is_not_sent(tmp_path: Path, run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 95: the list and the report its summary comes from must be of the run that wrote the folder
    (run.json): Fabrikam's folder with a list of another night is refused, Contoso's still goes."""
    copy = tmp_path / "run"
    for key in ("contoso", "fabrikam"):
        (copy / key).mkdir(parents=True)
        for name in ("report.json", "licensed-users.csv", "run.json"):
            (copy / key / name).write_bytes((run / key / name).read_bytes())
    rows = (copy / "fabrikam" / "licensed-users.csv").read_text("utf-8-sig").splitlines()
    (copy / "fabrikam" / "licensed-users.csv").write_text("\r\n".join(rows[:-1]) + "\r\n", "utf-8-sig")
    with smtp_server() as server:
        argv = ["lists", str(copy), "--tenants", str(_tenants_file(tmp_path, run)), "--smtp-host", server.host]
        code = main([*argv, "--smtp-port", str(server.port), "--from", "msp@msp.example"])
        received = list(server.recorder.messages)
    assert code == 3
    assert [m.rcpt_tos for m in received] == [["it@contoso.example"]]
    assert "fabrikam: " in (err := capsys.readouterr().err) and "licensed-users.csv is not the file the run" in err
