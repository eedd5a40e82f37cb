"""`--billing-source` on the command line: the demo's bill from the emulated billing APIs with no CSV,
a snapshot audit and a plan reading the stand-ins with their own tokens, and exit 2 when the billing
account is not chosen."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.delivery.matrix import load_tenants
from auditor_dev.commerce import BillingStandIn, PartnerCenterStandIn, sample_commerce
from auditor_dev.demo import sample_tenant
from tests.demo_runs import DemoRuns

SAMPLE = Path(__file__).parents[2] / "auditor_dev" / "sample"


@pytest.fixture(scope="module")
def demo(demo_runs: DemoRuns) -> dict[str, object]:
    # the session's `audit --demo --output-dir one --fail-on never` (exit 0): report.json is the same whatever
    # the formats
    return json.loads((demo_runs.single() / "report.json").read_text("utf-8"))


def test_the_demo_shows_the_bill_from_the_emulated_billing_apis_without_a_file(demo: dict[str, object]) -> None:
    bill = demo["bill"]
    assert isinstance(bill, dict)
    by_sub = {a["subscription"]: a for a in bill["actions"]}
    copilot = by_sub["8af68566-8229-5983-be4b-f5d5f157d380"]  # through the partner: 2 seats added 3 days ago
    assert (copilot["window"], copilot["by"], copilot["sources"]["seats_added"], copilot["channel"]) == (
        "within_7_days",
        "2026-11-05",  # the day of its allowedUntilDateTime, 2026-11-05T14:20Z: not rebuilt a day earlier
        "partner-center",
        "csp",
    )
    assert copilot["confidence"] == "documented"
    ems = by_sub["1b814d71-f7f2-5a90-beed-2d08c1609a8b"]  # auto-renew off: it would move into a paid EST
    assert ems["action"] in ("cancel_at_end_of_term", "reduce", "none")
    assert ems["sources"]["auto_renew"] == "billing-account"
    f1 = by_sub["b5ac0e02-6581-545c-bcd5-ef6193795ae0"]  # an annual term, as the sample's billing file says
    assert (f1["sources"]["term"], f1["window"]) == ("billing-account", "renewal")
    trial = by_sub["e7d983f9-5f53-55e8-b9bb-db56753eaef9"]
    assert trial["sources"]["renewal"] == "billing-account"
    # what no API sells stays unknown without the file
    vl = by_sub["69039d75-8e63-5ba8-8360-4a9ebcbb603b"]
    assert (vl["window"], vl["confidence"], vl["sources"]["channel"]) == ("unknown", "unknown", "unknown")


def test_a_snapshot_audit_and_a_plan_read_the_stand_ins_with_their_own_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = sample_tenant()
    commerce = sample_commerce(snapshot, datetime(2026, 11, 1, 6))
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--demo",
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--fail-on",
                "never",
                "--billing-source",
                "none",
                "--save-snapshot",
                str(tmp_path / "snap.json"),
            ]
        )
        == 0
    )
    assert "bill" not in json.loads((out / "report.json").read_text("utf-8"))
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    with BillingStandIn(commerce.accounts) as arm, PartnerCenterStandIn(commerce.customers) as pc:
        plan_dir = tmp_path / "plan"
        assert main(
            [
                "plan",
                "--report-dir",
                str(out),
                "--output-dir",
                str(plan_dir),
                "--billing-source",
                "auto",
                "--billing-endpoint",
                arm.url,
                "--partner-center-endpoint",
                pc.url,
            ]
        ) in (0, 1)
        assert arm.requests and pc.requests
        assert all(r.headers["authorization"] == "Bearer arm-token" for r in arm.requests)
        assert all(r.method == "GET" for r in arm.requests + pc.requests)  # reading never changes a thing
    bill = json.loads((plan_dir / "plan.json").read_text("utf-8"))["bill"]
    sources = {v for a in bill["actions"] for v in a["sources"].values()}
    assert {"billing-account", "partner-center"} <= sources


def test_several_billing_accounts_and_none_chosen_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--demo",
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--fail-on",
                "never",
                "--billing-source",
                "none",
            ]
        )
        == 0
    )
    with BillingStandIn({"acct-a": [], "acct-b": []}) as arm:
        code = main(
            ["plan", "--report-dir", str(out), "--billing-source", "billing-account", "--billing-endpoint", arm.url]
        )
    assert code == 2
    assert "2 billing accounts: acct-a (acct-a), acct-b (acct-b); choose one with --billing-account" in (
        capsys.readouterr().err
    )


def test_a_failing_billing_source_is_a_warning_not_a_failed_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "expired")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--demo",
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--fail-on",
                "never",
                "--billing-source",
                "none",
            ]
        )
        == 0
    )
    with BillingStandIn({"acct": []}) as arm:
        code = main(
            ["plan", "--report-dir", str(out), "--billing-source", "billing-account", "--billing-endpoint", arm.url]
        )
    assert code in (0, 1)
    assert "warning: the bill's commerce facts: billing-account: billing accounts: HTTP 401" in capsys.readouterr().err


def test_the_tenants_file_takes_billing_source_and_account(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "tenants:\n  - name: Contoso\n    tenant_id: contoso.onmicrosoft.com\n"
        "    client_id: 11111111-2222-3333-4444-555555555555\n    billing_source: billing-account\n"
        "    billing_account: 'abc:def_2019-05-31'\n",
        "utf-8",
    )
    (job,) = load_tenants(path)
    assert (job.billing_source, job.billing_account) == ("billing-account", "abc:def_2019-05-31")
    path.write_text(path.read_text("utf-8").replace("billing-account\n", "graph\n"), "utf-8")
    with pytest.raises(Exception, match="billing_source"):
        load_tenants(path)


def test_when_no_billing_source_can_be_read_the_report_says_which_facts_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source refused and no file: the report still has a bill (every fact unknown), its gaps, and
    a warning a person reads in report.md; the audit does not fail for it."""
    snapshot = tmp_path / "s.json"
    assert (
        main(
            [
                "audit",
                "--demo",
                "--output-dir",
                str(tmp_path / "first"),
                "--format",
                "json",
                "--fail-on",
                "never",
                "--billing-source",
                "none",
                "--save-snapshot",
                str(snapshot),
            ]
        )
        == 0
    )
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "expired")
    out = tmp_path / "out"
    with BillingStandIn({"acct": []}) as arm:
        code = main(
            [
                "audit",
                "--snapshot",
                str(snapshot),
                "--policies",
                str(Path(__file__).parents[2] / "examples" / "contoso-policy.yaml"),
                "--output-dir",
                str(out),
                "--format",
                "json,md",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
                "--auth",
                "token",
                "--billing-source",
                "billing-account",
                "--billing-endpoint",
                arm.url,
            ]
        )
    assert code == 0
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["bill"]["gaps"] and "HTTP 401" in report["bill"]["gaps"][0]
    assert report["bill"]["actions"] and all(
        a["confidence"] != "documented" for a in report["bill"]["actions"] if a["action"] != "buy"
    )
    assert any("the bill's commerce facts: billing-account" in w for w in report["warnings"])
    assert "the bill's commerce facts\\: billing\\-account" in (out / "report.md").read_text("utf-8")
