"""`license-auditor audit --graph/--demo` and `collect` end to end, through the real CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from emulator_faults import Fault, FaultKind, sign_in_forbidden

from auditor.cli import main
from auditor.graph import collector
from auditor.graph.options import CollectOptions
from auditor.pipeline.prepare import policy_set
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.overlap import LicenseRedundant
from auditor.rules.requests import requests_of
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture(scope="module")
def sample():
    return load_snapshot(SAMPLE)


def audit(tmp_path, *extra, name="out"):
    out = tmp_path / name
    code = main(
        ["audit", "--policies", str(EXAMPLE), "--output-dir", str(out), "--format", "json", "--as-of", AS_OF, *extra]
    )
    report = out / "report.json"
    return code, (json.loads(report.read_text(encoding="utf-8")) if report.exists() else None)


def _as_read(users):
    """The sample's users as a collection for the example policy reads them: it sets no grace_days,
    so employeeLeaveDateTime is not selected (the sample's leavers have one)."""
    return tuple(u.with_values(employee_leave_date_time=None) for u in users)


def _without_times(report):
    report = {k: v for k, v in report.items() if k != "collected_at"}
    report["tenant"] = {k: v for k, v in report["tenant"].items() if k != "collected_at"}
    return report


def test_demo_reads_the_sample_through_the_emulator(tmp_path, capsys):
    # the billing stand-ins are not in the snapshot: compare what Graph gives
    code, demo = audit(tmp_path, "--demo", "--billing-source", "none", name="demo")
    err = capsys.readouterr().err
    assert "Graph requests" in err
    code_snap, offline = audit(tmp_path, "--snapshot", str(SAMPLE), name="snap")
    assert code == code_snap == 1
    assert demo["complete"] is True
    assert _without_times(demo) == _without_times(offline)


def test_graph_endpoint_with_token_auth_and_save_snapshot(tmp_path, sample, monkeypatch):
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    saved = tmp_path / "evidence.json"
    with GraphEmulator(sample, token=token) as graph:
        code, report = audit(tmp_path, "--graph-endpoint", graph.url, "--save-snapshot", str(saved))
        # no request per user: only the mailbox purposes of disabled/inactive accounts, batched (the
        # $count and the agent users' cast are listings)
        listings = ("/users/$count", "/users/microsoft.graph.agentUser")
        per_user = [r for r in graph.requests if r.path.startswith("/users/") and r.path not in listings]
        assert per_user and all(r.batch and r.path.endswith("/mailboxSettings/userPurpose") for r in per_user)
        assert len(graph.requests_to(r"/\$batch")) == -(-len(per_user) // 20)
    assert code == 1 and report["complete"] is True
    evidence = load_snapshot(saved)
    assert evidence.users == _as_read(sample.users) and evidence.skus == sample.skus
    assert "employeeLeaveDateTime" not in evidence.collected_datasets


def test_persistent_failure_exits_3_without_a_report(tmp_path, sample, monkeypatch, capsys):
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    fault = Fault(FaultKind.UNAVAILABLE, r"/subscribedSkus", count=None, retry_after=0)
    with GraphEmulator(sample, token=token, responders=[fault]) as graph:
        code, report = audit(tmp_path, "--graph", "--graph-endpoint", graph.url)
    assert code == 3 and report is None
    err = capsys.readouterr().err
    assert "GET /subscribedSkus" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", [FaultKind.TRUNCATE, FaultKind.NOT_JSON, FaultKind.NO_VALUE])
def test_bad_page_exits_3_without_a_report(tmp_path, sample, monkeypatch, kind):
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    with GraphEmulator(sample, token=token, responders=[Fault(kind, r"^GET /v1\.0/users\?")]) as graph:
        code, report = audit(tmp_path, "--graph-endpoint", graph.url)
    assert code == 3 and report is None


def test_sign_in_gap_exits_3_unless_allowed(tmp_path, sample, monkeypatch):
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    with GraphEmulator(sample, token=token, responders=[sign_in_forbidden()]) as graph:
        code, report = audit(tmp_path, "--graph-endpoint", graph.url, name="strict")
        allowed, report2 = audit(tmp_path, "--graph-endpoint", graph.url, "--allow-gaps", name="allowed")
    assert code == 3
    assert report["complete"] is False
    assert [g["part"] for g in report["gaps"]] == ["signInActivity"]
    assert allowed == 1 and report2["complete"] is False


def test_rejected_token_exits_3_and_never_prints_it(tmp_path, sample, monkeypatch, capsys):
    wrong = app_token(sample.tenant_id, lifetime=1234)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", wrong)
    with GraphEmulator(sample, token="the-right-one") as graph:
        code, report = audit(tmp_path, "--graph-endpoint", graph.url, "--auth", "token")
    err = capsys.readouterr().err
    assert code == 3 and report is None
    assert "401" in err and wrong not in err and wrong.split(".")[1] not in err


def test_missing_token_exits_3(tmp_path, capsys):
    code, report = audit(tmp_path, "--graph", "--auth", "token")
    assert code == 3 and report is None
    assert "AUDITOR_ACCESS_TOKEN" in capsys.readouterr().err


def test_snapshot_and_graph_are_exclusive(tmp_path):
    code, _ = audit(tmp_path, "--graph", "--snapshot", str(SAMPLE))
    assert code == 2


def _moment(sample) -> datetime:
    """The sample's collection moment (its collectedAt)."""
    return datetime.fromisoformat(sample.collected_at.replace("Z", "+00:00"))


def _collect_at(tmp_path, sample, monkeypatch, moment: datetime):
    """`collect` against the emulator with the collection's clock at `moment` (collect has no --as-of:
    it judges which accounts look dormant, and reads their mailbox purpose, by its own clock)."""
    monkeypatch.setattr(collector, "_now", lambda: moment)
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    out = tmp_path / "tenant.json"
    with GraphEmulator(sample, token=token) as graph:
        code = main(["collect", "--policies", str(EXAMPLE), "--graph-endpoint", graph.url, "--output", str(out)])
    return code, load_snapshot(out)


def test_collect_writes_a_snapshot(tmp_path, sample, monkeypatch):
    code, got = _collect_at(tmp_path, sample, monkeypatch, _moment(sample))
    assert code == 0
    assert got.users == _as_read(sample.users) and got.subscriptions == sample.subscriptions
    assert {g.display_name for g in got.groups} >= {"Break Glass Accounts", "Frontline Workers"}


def test_collect_later_reads_the_purpose_of_the_accounts_gone_quiet_since(tmp_path, sample, monkeypatch):
    """Two months after the sample's moment more licensed accounts have no sign-in within the
    policy's inactivity window: collect asks for their mailbox purpose too (the emulator answers
    "user" for an account the sample did not ask about), and for nobody else."""
    later = _moment(sample) + timedelta(days=61)
    code, got = _collect_at(tmp_path, sample, monkeypatch, later)
    assert code == 0
    check = CollectOptions.of(requests_of(policy_set([str(EXAMPLE)])), as_of=None).mailboxes
    assert check is not None
    asked = {sample.users[i].id for i in check.candidates(sample.users, later, with_sign_in=True)}
    before = {sample.users[i].id for i in check.candidates(sample.users, _moment(sample), with_sign_in=True)}
    assert asked > before  # the later clock does select more accounts
    by_id = {u.id: u for u in sample.users}
    for user in got.users:
        was = by_id[user.id].mailbox_purpose
        expected = "user" if was is None and user.id in asked else was
        assert user.mailbox_purpose == expected, user.display_name


def test_collect_with_gap_exits_3(tmp_path, sample, monkeypatch):
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    out = tmp_path / "tenant.json"
    with GraphEmulator(sample, token=token, responders=[sign_in_forbidden()]) as graph:
        code = main(["collect", "--policies", str(EXAMPLE), "--graph-endpoint", graph.url, "--output", str(out)])
    assert code == 3
    assert [g.dataset for g in load_snapshot(out).gaps] == ["signInActivity"]


def test_tenant_id_mismatch_exits_3(tmp_path, sample, monkeypatch, capsys):
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    other = "00000000-1111-4222-8333-444444444444"
    with GraphEmulator(sample, token=token) as graph:
        code, report = audit(tmp_path, "--graph-endpoint", graph.url, "--tenant-id", other)
    assert code == 3 and report is None
    assert other in capsys.readouterr().err


def test_a_tenant_id_given_as_a_domain_is_checked_as_a_guid_is(tmp_path, sample, monkeypatch, capsys):
    """--tenant-id contoso.onmicrosoft.com with a static token for another tenant: the tenant read must
    have the domain among its verified domains (GET /organization?$select=verifiedDomains), else exit 3
    and no report; its own domain audits as before."""
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    with GraphEmulator(sample, token=token) as graph:
        code, report = audit(tmp_path, "--graph-endpoint", graph.url, "--tenant-id", "fabrikam.onmicrosoft.com")
        assert code == 3 and report is None
        err = capsys.readouterr().err
        assert f"the credential reads tenant {sample.tenant_id}, whose verified domains do not include" in err
        assert "--tenant-id fabrikam.onmicrosoft.com" in err
        code, report = audit(tmp_path, "--graph-endpoint", graph.url, "--tenant-id", "Contoso.example", name="own")
        assert code in (0, 1) and report is not None


def test_plain_http_only_on_loopback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", "x")
    code, _ = audit(tmp_path, "--graph-endpoint", "http://graph.example.com/v1.0")
    assert code == 2 and "plain http" in capsys.readouterr().err


@pytest.mark.parametrize("endpoint", ["http://[::1", "ftp://graph.example/v1.0", "graph.microsoft.com"])
def test_malformed_graph_endpoint_is_a_usage_error(tmp_path, capsys, monkeypatch, endpoint):
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", "abc.def.ghi")
    assert (
        main(
            [
                "audit",
                "--graph-endpoint",
                endpoint,
                "--auth",
                "token",
                "--policies",
                "examples/contoso-policy.yaml",
                "--output-dir",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "is not an http(s) URL" in err and "Traceback" not in err


def _audit_in_actions(tmp_path, graph_url, token, stderr, *, actions=True):
    """The audit as a workflow step runs it: its own process, GITHUB_ACTIONS=true, the token in the
    environment; `stderr` a file object or subprocess.PIPE (the runner reads a step's output from pipes)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AUDITOR_", "ACTIONS_"))}
    env.update({"AUDITOR_ACCESS_TOKEN": token, "SOURCE_DATE_EPOCH": "1793512800"})
    if actions:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "audit",
            "--policies",
            str(EXAMPLE),
            "--graph-endpoint",
            graph_url,
            "--output-dir",
            str(tmp_path / "out"),
            "--format",
            "json",
            "--as-of",
            AS_OF,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        timeout=300,
        check=False,
    )


def test_add_mask_goes_to_the_runner_log_and_never_into_a_file(tmp_path, sample):
    import subprocess

    token = app_token(sample.tenant_id)
    with GraphEmulator(sample, token=token) as graph:
        piped = _audit_in_actions(tmp_path, graph.url, token, subprocess.PIPE)
        log = tmp_path / "audit.log"
        with log.open("wb") as fh:  # `license-auditor audit ... 2> audit.log`, then uploaded as an artifact
            to_file = _audit_in_actions(tmp_path, graph.url, token, fh)
        outside = _audit_in_actions(tmp_path, graph.url, token, subprocess.PIPE, actions=False)
    # the runner's log: told to mask the token before anything could print it, once
    assert piped.returncode == 1
    assert piped.stderr.decode().splitlines()[0] == f"::add-mask::{token}"
    assert piped.stderr.decode().count(token) == 1 and token.encode() not in piped.stdout
    # a file keeps what it is given readable: the token is not written there
    assert to_file.returncode == 1 and "findings" in log.read_text()
    assert token not in log.read_text() and token.encode() not in to_file.stdout
    # outside GitHub Actions, no workflow command at all
    assert outside.returncode == 1 and b"::add-mask::" not in outside.stderr + outside.stdout


def test_a_usage_report_whose_column_changed_is_a_gap_and_the_audit_writes_its_report(tmp_path, sample, monkeypatch):
    """Microsoft renames a column the example policy's usage rules read: exit 3 with the report
    written and marked incomplete, the gap naming the report and the column; the other rules ran."""
    from auditor_dev.emulator import ReportOptions

    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    # the example policy reads Exchange's date (inactive_users), not Teams': Teams' may go unnoticed
    options = ReportOptions(
        renamed={"Exchange Last Activity Date": "Exchange Online Last Activity Date", "Teams Last Activity Date": ""}
    )
    with GraphEmulator(sample, token=token, reports=options) as graph:
        code, report = audit(tmp_path, "--graph-endpoint", graph.url)
    assert code == 3 and report is not None and report["complete"] is False
    [gap] = report["gaps"]
    assert gap["part"] == "usageReports" and "getOffice365ActiveUserDetail" in gap["request"]
    assert "no column 'Exchange Last Activity Date'" in gap["reason"] and "Exchange Online" in gap["reason"]
    assert {f["rule"] for f in report["findings"]} >= {DisabledUserLicensed.id, LicenseRedundant.id}
