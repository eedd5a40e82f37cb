"""Issue 87, points 1, 2 and 6: a one-tenant `audit` reads its distributor as `audit --tenants` does
(--distributor names the tenants file whose entry maps it, --pax8-endpoint the Pax8 stand-in), the
tenant read through the Graph emulator; the annual and the monthly Power BI Pro of the sample told
apart by Pax8's vendorSubscriptionId; both prices read, the MSP's month in its report; and the same
report e-mailed to the tenant's recipients (a real SMTP server on loopback) holds no figure of the
MSP's cost."""

from __future__ import annotations

import email
import io
import json
import zipfile
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from delivery.conftest import smtp_server

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

from .test_pax8 import ANNUAL, COMPANY, MONTHLY, PBI, SAMPLE, SECRET, _stand_in, power_bi_at_pax8

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contoso-policy.yaml"
# what the two Power BI Pro subscriptions cost the MSP (31 x 8.45 + 3 x 10.14), bill the customer, leave as margin
COST, BILLED, MARGIN = "€292.37", "€325.24", "€32.87"


def _audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *more: str, vendor_ids: bool = True) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    token = app_token("00000000-0000-0000-0000-000000000000")
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("PAX8_CLIENT_ID", "msp")
    monkeypatch.setenv("PAX8_CLIENT_SECRET", SECRET)
    sample = load_snapshot(SAMPLE)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "t.yaml").write_text(
        "defaults:\n  client_id: 00000000-0000-0000-0000-0000000000c1\ntenants:\n"
        "  - name: Other\n    tenant_id: other.example\n"
        f"  - name: Contoso\n    tenant_id: {sample.tenant_id}\n"
        f"    distributor: {{pax8: {{company_id: {COMPANY}, products: {{{PBI}: POWER_BI_PRO}}}}}}\n",
        "utf-8",
    )
    with _stand_in(power_bi_at_pax8(vendor_ids=vendor_ids)) as pax8, GraphEmulator(sample, token=token) as graph:
        argv = ["audit", "--graph-endpoint", graph.url, "--auth", "token", "--tenant-id", sample.tenant_id]
        argv += ["--policies", "p.yaml", "--output-dir", "out", "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never"]
        code = main([*argv, "--distributor", "t.yaml", "--pax8-endpoint", pax8.url, *more])
        assert pax8.writes == 0  # read only
    return code, (tmp_path / "out" / "report.md").read_text("utf-8").replace("\\", "")


def test_a_one_tenant_audit_reads_its_distributor_with_the_tenants_files_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, md = _audit(tmp_path, monkeypatch)
    assert code == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (product,) = report["distributor"]["products"]
    assert product["matched_by"] == "subscription"
    assert {s["microsoft_subscription"]: s["billing_term"] for s in product["subscriptions"]} == {
        ANNUAL: "Annual",
        MONTHLY: "Monthly",
    }
    # the bill: the annual subscription takes its own term end at Pax8, the monthly one none
    facts = {r["subscription"]: r for r in report["billing_facts"]}
    # the annual's commerce id: its commitment's last day is May 8, 2027, the renewal the day after (issue 99)
    assert facts["6e9f47c9-e18a-5d0c-9d04-93b1459d83b4"]["term_end"] == "2027-05-09"
    assert "cf86da0c-f640-56d1-913b-79bd0b93b3ed" not in facts  # the monthly's: no date is taken for it
    # the MSP's month at the distributor: the customer's, then per product (both prices read)
    assert (
        f"Each month at the distributor, this customer: cost {COST}, billed {BILLED}, margin {MARGIN}; "
        f"Power BI Pro: cost {COST}, billed {BILLED}, margin {MARGIN}." in md
    )
    assert SECRET not in capsys.readouterr().err


def test_two_power_bi_subscriptions_without_vendor_ids_are_named_not_guessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, md = _audit(tmp_path, monkeypatch, vendor_ids=False)
    err = capsys.readouterr().err
    assert code == 0, err
    ids = "00000000-0000-4000-8000-000000000011 and 00000000-0000-4000-8000-000000000012"
    assert f"Power BI Pro: 2 subscriptions at the distributor name no Microsoft subscription ({ids})" in md
    assert "which is which is not guessed" in err
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert not [r for r in report.get("billing_facts", []) if r.get("term_end")]  # no date guessed


def _parts(message: EmailMessage) -> str:
    """Every text the message carries: its bodies and its attachments (report.html unzipped)."""
    texts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        if part.get_filename() and part.get_filename().endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = b"".join(archive.read(n) for n in archive.namelist())
        texts.append(data.decode("utf-8", "replace"))
    return "\n".join(texts).replace("&#39;", "'")


def test_the_report_e_mailed_to_the_tenants_recipients_holds_no_cost_of_the_msp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with smtp_server() as server:
        mail = ["--smtp-host", server.host, "--smtp-port", str(server.port), "--from", "msp@msp.example"]
        code, md = _audit(tmp_path, monkeypatch, *mail, "--email-to", "it@contoso.example")
        (received,) = server.recorder.messages
    assert code == 0, capsys.readouterr().err
    message = email.message_from_bytes(received.content, policy=default)
    assert isinstance(message, EmailMessage)
    sent = _parts(message)
    assert "Seats at the distributor (Pax8)" in sent  # the distributor's seats are the customer's too
    for figure in (COST, MARGIN, "8.45", "10.14", "cost you"):  # Pax8's partnerCost, and what follows from it
        assert figure not in sent and figure not in md, figure
    # the MSP's own files keep it: report.json (and so distributor.json, the roll-up)
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["distributor"]["mailed_to_customer"] is True
    assert report["distributor"]["totals"][0]["cost_monthly"] == 292.37


def test_a_one_tenant_audit_names_the_entry_it_cannot_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.yaml").write_text(
        "defaults:\n  client_id: 00000000-0000-0000-0000-0000000000c1\ntenants:\n"
        "  - name: Other\n    tenant_id: other.example\n",
        "utf-8",
    )
    monkeypatch.setenv("PAX8_CLIENT_ID", "msp")
    monkeypatch.setenv("PAX8_CLIENT_SECRET", SECRET)
    snapshot = str(SAMPLE)
    argv = [
        "audit",
        "--snapshot",
        snapshot,
        "--policies",
        str(EXAMPLE),
        "--output-dir",
        "out",
        "--distributor",
        "t.yaml",
    ]
    assert main([*argv, "--as-of", "2026-11-01T06:00:00Z"]) == 2
    assert "is not one entry of the file" in capsys.readouterr().err
    assert main(["audit", "--demo", "--tenants", "--distributor", "t.yaml", "--output-dir", "many"]) == 2
    assert "--tenants: --distributor names one tenant" in capsys.readouterr().err
