"""A dormant account the nightly's kept read already knows stays known without the sign-in lane, as
long as the active-user usage report shows it idle since (auditor.graph.dormant_usage): through the
CLI, the real collector and msgraph-sdk against the emulator, whose report lists every licensed user
in Microsoft's CSV shape (with hashed names when the tenant conceals them). The filtered sign-in
request goes out when the report shows the account active since the kept read, conceals names, or is
too old to say; the thirty nights with the report (test_kept_sign_ins) compare each night with a full
read."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind
from test_kept_sign_ins import POLICY, START, WINDOW, _iso, _sign_in_reads, _signed_in, _tenant

from auditor.cli import main
from auditor.data.model import TenantSnapshot
from auditor.data.usage_data import ACTIVE_USERS, ReportRead, UsageReports, UserUsage
from auditor.graph.kept_sign_ins import full_night
from auditor.graph.pacing import forget_app_windows
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.reports import ReportOptions


def _night(graph: GraphEmulator, policy: Path, out: Path, when: str, nightly: bool) -> dict[str, Any]:
    """One audit (a run of its own); a concealed report is a gap of the usage rules' too (exit 3)."""
    forget_app_windows()
    args = ["audit", "--graph-endpoint", graph.url, "--policies", str(policy), "--output-dir", str(out)]
    args += ["--format", "json", "--fail-on", "never", "--as-of", when, *(["--baseline", "previous"] * nightly)]
    assert main(args) in (0, 3)
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _with_usage(snap: TenantSnapshot, refreshed: str, used: dict[str, str]) -> TenantSnapshot:
    """`snap` with its active-user report refreshed on `refreshed`, `used` (UPN -> Exchange's last activity)."""
    rows = tuple(UserUsage(upn, exchangeLastActivityDate=d, reports=(ACTIVE_USERS.name,)) for upn, d in used.items())
    read = ReportRead(ACTIVE_USERS.name, "D30", refreshed, f"GET {ACTIVE_USERS.request(30)}")
    return dataclasses.replace(snap, usage_reports=UsageReports((read,), rows))


@pytest.mark.parametrize(
    ("case", "requests", "reports"),
    [
        ("idle", 0, 1),  # the policies' own read of the report answers: no request more
        ("active since", 1, 1),
        ("concealed", 1, 0),  # reportSettings says so: no report asked
        ("hashed names", 1, 2),  # reportSettings not readable: the rows say so, to both reads
        ("refreshed long ago", 1, 1),
        ("the policies' read refused", 0, 2),  # a gap of the usage rules; a read of its own answers
    ],
)
def test_a_dormant_account_costs_no_sign_in_request_while_the_usage_report_shows_it_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, requests: int, reports: int
) -> None:
    """Sign-in requests and active-user report requests on the second night, by what the report shows."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    base = _tenant(300)
    cutoff_ago = timedelta(days=WINDOW - 2)
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(base.tenant_id, START + timedelta(days=d + 1), 7)
    )
    second = first + timedelta(days=1)
    # one licensed person last seen before the cutoff (an open inactivity finding); every other
    # quiet user signed in three days ago
    users = [
        _signed_in(u, START - timedelta(days=3))
        if (ok := u.last_successful_sign_in_date_time) is not None and ok <= _iso(START - timedelta(days=20))
        else u
        for u in base.users
    ]
    dormant = next(u for u in users if u.assigned_licenses and u.last_successful_sign_in_date_time)
    users = [_signed_in(u, second - cutoff_ago - timedelta(days=5)) if u is dormant else u for u in users]
    snap = dataclasses.replace(base, users=tuple(users))
    # hashed names: the app may not read reportSettings, and the rows' user names are hashes
    roles = tuple(r for r in DEMO_ROLES if case != "hashed names" or r != "ReportSettings.Read.All")
    token = app_token(snap.tenant_id, roles)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    day = (second - timedelta(days=1)).date().isoformat()
    used = {dormant.user_principal_name: day} if case == "active since" else {}
    refreshed = (second - timedelta(days=10 if case == "refreshed long ago" else 1)).date().isoformat()
    tonight = _with_usage(snap, refreshed, used)
    options = ReportOptions(licensed_rows=True, concealed=case in ("concealed", "hashed names"))
    with GraphEmulator(snap, token=token, reports=options) as graph:
        _night(graph, policy, tmp_path / "nightly", _iso(first), True)
    refused = [Fault(FaultKind.FORBIDDEN, r"^GET /v1\.0/reports/getOffice365ActiveUserDetail", count=1)]
    faults = refused if case == "the policies' read refused" else []
    with GraphEmulator(tonight, token=token, reports=options, responders=faults) as graph:
        got = _night(graph, policy, tmp_path / "nightly", _iso(second), True)
        full, filtered = _sign_in_reads(graph)
        asked = graph.requests_to(r"/reports/getOffice365ActiveUserDetail.*")
    assert (full, len(filtered), len(asked)) == ([], requests, reports)
    finding = next(
        f for f in got["findings"] if f["rule"] == InactiveUserLicensed.id and f["subject"]["id"] == dormant.id
    )
    assert finding["details"]["sign_ins_read_at"] == _iso(first)
    if requests:
        assert "usage_quiet_through" not in finding["details"]
        return
    assert finding["details"]["usage_quiet_through"] == refreshed
    assert any(w.startswith("signInActivity: no request") and refreshed in w for w in got["warnings"])
    # a second run with the kept read moved away: the same finding, read in full
    shutil.rmtree(tmp_path / "nightly")
    with GraphEmulator(tonight, token=token, reports=options) as graph:
        again = _night(graph, policy, tmp_path / "nightly", _iso(second), True)
    same = next(f for f in again["findings"] if f["subject"]["id"] == dormant.id and f["rule"] == finding["rule"])
    assert (
        "usage_quiet_through" not in same["details"]
        and same["details"]["last_sign_in"] == finding["details"]["last_sign_in"]
    )
