"""grace_days: the real collector (msgraph-sdk adapter + httpx) reads when each account was disabled
from the loopback emulator: the users' employeeLeaveDateTime, where the app may read it, and the
directory audit's account-state entries as far back as Entra ID keeps them. An emulator write
that disables a user is logged as Graph logs it, and the plan counts grace_days from it."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graph_tenants import make_tenant

from auditor.cli import main
from auditor.common.timestamps import parse_timestamp
from auditor.data.audit_entries import (
    ACCOUNT_STATE,
    DISABLE,
    ENABLE,
    UPDATE,
    AuditEntry,
    DirectoryAudits,
    Modified,
    Target,
)
from auditor.data.model import TenantSnapshot
from auditor.snapshot import LEAVE_DATE
from auditor_dev.emulator import DEMO_ROLES, WRITE_ROLES, GraphEmulator, Reply, Request, app_token, error_document
from tests.loopback import http

LEAVE_ROLE = "User-LifeCycleInfo.Read.All"
ADMIN = "admin-app"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def leavers() -> TenantSnapshot:
    """make_tenant with a leave date on one disabled user, audit entries disabling two others (one
    of them enabled again since), and an entry older than the audit log keeps for a fourth."""
    base = make_tenant(250)
    now = parse_timestamp(base.collected_at)
    users = list(base.users)
    disabled = [i for i, u in enumerate(users) if u.assigned_licenses and not u.account_enabled]
    users[disabled[0]] = users[disabled[0]].with_values(employee_leave_date_time=_iso(now - timedelta(days=20)))

    def entry(n: int, activity: str, days_ago: int, at: int, enabled: bool | None = None) -> AuditEntry:
        user = users[disabled[at]]
        modified = (
            () if enabled is None else (Modified("AccountEnabled", json.dumps([not enabled]), json.dumps([enabled])),)
        )
        return AuditEntry(
            f"audit-{n}",
            activity,
            _iso(now - timedelta(days=days_ago)),
            "success",
            "app",
            ADMIN,
            "app-id",
            (Target("User", user.id, None, user.user_principal_name, modified),),
        )

    entries = (
        entry(1, DISABLE, 3, 1),
        entry(2, UPDATE, 3, 1, enabled=False),
        entry(3, DISABLE, 9, 2),
        entry(4, ENABLE, 6, 2),
        entry(5, DISABLE, 45, 3),
    )
    audits = DirectoryAudits(_iso(now - timedelta(days=90)), base.collected_at, entries)
    return dataclasses.replace(base, users=tuple(users), directory_audits=audits)


def _disabled(snapshot: TenantSnapshot) -> list[Any]:
    return [u for u in snapshot.users if u.assigned_licenses and not u.account_enabled]


def test_the_collector_reads_leave_dates_and_the_account_state_entries(harness: Any, leavers: TenantSnapshot) -> None:
    h = harness(leavers, roles=(*DEMO_ROLES, LEAVE_ROLE))
    got = h.collect(disable_times=True)
    listed = [r for r in h.emulator.requests_to(r"/users") if "signInActivity" not in r.query["$select"]]
    assert listed and all("employeeLeaveDateTime" in r.query["$select"].split(",") for r in listed)
    first = _disabled(leavers)[0]
    read = {u.id: u.employee_leave_date_time for u in got.users}
    assert read[first.id] == first.employee_leave_date_time
    assert sum(1 for v in read.values() if v is not None) == 1  # null for everybody else
    assert LEAVE_DATE in got.collected_datasets and got.gaps == ()
    # only the account-state activities, each back 30 days from the collection's clock
    audits = h.emulator.requests_to(r"/auditLogs/directoryAudits")
    since = _iso(parse_timestamp(leavers.collected_at) - timedelta(days=30))
    assert sorted(r.query["$filter"].split("activityDisplayName eq ")[1].strip("'") for r in audits) == sorted(
        ACCOUNT_STATE
    )
    assert all(f"activityDateTime ge {since}" in r.query["$filter"] for r in audits)
    assert isinstance(got.directory_audits, DirectoryAudits) and got.directory_audits.since == since
    # the 45-day-old entry is older than the log is read for
    assert sorted(e.id for e in got.directory_audits.entries) == ["audit-1", "audit-2", "audit-3", "audit-4"]


def test_without_grace_days_neither_is_read(harness: Any, leavers: TenantSnapshot) -> None:
    h = harness(leavers, roles=(*DEMO_ROLES, LEAVE_ROLE))
    got = h.collect()
    assert all("employeeLeaveDateTime" not in r.query["$select"] for r in h.emulator.requests_to(r"/users"))
    assert h.emulator.requests_to(r"/auditLogs/directoryAudits") == []
    assert got.directory_audits is None and LEAVE_DATE not in got.collected_datasets


def test_an_app_without_the_lifecycle_permission_does_not_select_the_leave_date(
    harness: Any, leavers: TenantSnapshot
) -> None:
    h = harness(leavers)  # DEMO_ROLES: no User-LifeCycleInfo.Read.All
    got = h.collect(disable_times=True)
    assert all("employeeLeaveDateTime" not in r.query["$select"] for r in h.emulator.requests_to(r"/users"))
    assert all(u.employee_leave_date_time is None for u in got.users)
    assert LEAVE_DATE not in got.collected_datasets and got.gaps == ()  # a note, not a gap: the audit remains
    assert any("employeeLeaveDateTime is not readable" in n and "User-LifeCycleInfo.Read.All" in n for n in got.notes)
    assert isinstance(got.directory_audits, DirectoryAudits) and got.directory_audits.entries


def test_a_403_for_the_leave_date_reads_the_users_again_without_it(harness: Any, leavers: TenantSnapshot) -> None:
    def refuse(request: Request) -> Reply | None:
        if request.path == "/users" and "employeeLeaveDateTime" in request.query.get("$select", ""):
            return Reply(
                403, error_document("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            )
        return None

    h = harness(leavers, roles=(*DEMO_ROLES, LEAVE_ROLE), faults=(refuse,))
    got = h.collect(disable_times=True, concurrency=1)
    assert len(got.users) == len(leavers.users)
    assert LEAVE_DATE not in got.collected_datasets and got.gaps == ()
    assert any("employeeLeaveDateTime is not readable (Graph answered 403" in n for n in got.notes)
    assert "signInActivity" in got.collected_datasets  # the sign-ins are not given up for it


GRACE = (
    "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: grace}\n"
    "hygiene:\n  disabled_users: {severity: high, grace_days: 14}\n"
)


def test_disabling_a_user_through_graph_starts_its_grace_days(
    tmp_path: Path, leavers: TenantSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = app_token(leavers.tenant_id, DEMO_ROLES + WRITE_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    policy = tmp_path / "grace.yaml"
    policy.write_text(GRACE, encoding="utf-8")
    user = next(u for u in leavers.users if u.assigned_licenses and u.account_enabled)
    with GraphEmulator(leavers, token=token) as graph:
        headers = {"Authorization": f"Bearer {token}"}
        answer = http.patch(f"{graph.url}/users/{user.id}", json={"accountEnabled": False}, headers=headers)
        assert answer.status_code == 204
        logged = http.get(f"{graph.url}/auditLogs/directoryAudits", headers=headers).json()["value"]
        code = main(
            [
                "audit",
                "--graph-endpoint",
                graph.url,
                "--policies",
                str(policy),
                "--output-dir",
                str(tmp_path / "out"),
                "--format",
                "json",
                "--fail-on",
                "never",
                "--allow-gaps",
            ]
        )
    assert code == 0
    mine = [e for e in logged if e["targetResources"][0]["id"] == user.id]
    assert sorted(e["activityDisplayName"] for e in mine) == [DISABLE, UPDATE]
    update = next(e for e in mine if e["activityDisplayName"] == UPDATE)
    assert update["targetResources"][0]["modifiedProperties"] == [
        {"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"},
        {"displayName": "Included Updated Properties", "oldValue": None, "newValue": '"AccountEnabled"'},
    ]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    finding = next(f for f in report["findings"] if f["subject"]["id"] == user.id)
    details = finding["details"]
    assert details["disabled_from"] == "directoryAudit" and details["disabled_at"] == mine[0]["activityDateTime"]
    assert main(["plan", "--report-dir", str(tmp_path / "out")]) == 0
    plan = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    skipped = next(s for s in plan["skipped"] if s["finding"] == finding["id"])
    ready = (parse_timestamp(details["disabled_at"]) + timedelta(days=14)).date().isoformat()
    assert skipped["reason"] == "grace_period" and skipped["not_before"] == ready
    assert parse_timestamp(details["disabled_at"]) > datetime.now(UTC) - timedelta(minutes=5)  # the write's own time
