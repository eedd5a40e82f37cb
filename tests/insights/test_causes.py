"""Who caused a new finding: write to the emulator, audit against the baseline with --causes, and
find the write named in the finding, in the report's "what changed", and in a snapshot."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from msgspec.structs import replace

from auditor.data.audit_entries import ACCOUNT_STATE, ACTIVITIES, UPDATE, AuditEntry, DirectoryAudits, Modified, Target
from auditor.data.enums import SubjectType
from auditor.data.finding_facts import Subject
from auditor.formats.report_model import ReportFinding
from auditor.insights.causes import cause_for
from auditor.rules.assignments import SkuForbidden
from auditor.rules.hygiene.upkeep import UsageLocationMissing
from auditor.snapshot import load_snapshot, save_snapshot
from auditor_dev.emulator import DEMO_ROLES, WRITE_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.audit_log import APP_NAME
from tests.loopback import http

from .conftest import SAMPLE, audit

# the audit log's 5 requests per 10 s, which the collector keeps, waited for on a virtual clock
pytestmark = pytest.mark.usefixtures("virtual_graph_time")


def _e5(sample):
    return next(s.sku_id for s in sample.skus if s.sku_part_number == "SPE_E5")


def _contractor(sample):
    e5 = _e5(sample).lower()
    return next(
        u
        for u in sample.users
        if u.user_principal_name.startswith("contractor") and u.usage_location and e5 not in u.sku_ids
    )


def test_a_license_write_is_named_as_the_cause_of_the_new_finding(tmp_path: Path, sample, monkeypatch) -> None:
    token = app_token(sample.tenant_id, DEMO_ROLES + WRITE_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    user = _contractor(sample)
    with GraphEmulator(sample, token=token) as graph:
        code, baseline = audit(tmp_path / "before", "--graph-endpoint", graph.url)
        assert baseline is not None and code == 1
        # the example policy's grace_days: the account-state activities, back as far as the log keeps them
        read_before = len(graph.requests_to(r"/auditLogs/directoryAudits"))
        answer = http.post(
            f"{graph.url}/users/{user.id}/assignLicense",
            json={"addLicenses": [{"skuId": _e5(sample), "disabledPlans": []}], "removeLicenses": []},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200
        saved = tmp_path / "tenant.json"
        code, report = audit(
            tmp_path / "after",
            "--graph-endpoint",
            graph.url,
            "--baseline",
            str(tmp_path / "before" / "report.json"),
            "--causes",
            "--save-snapshot",
            str(saved),
        )
        reads = graph.requests_to(r"/auditLogs/directoryAudits")[read_before:]
    assert report is not None and report["complete"] is True
    # the interval since the baseline's tenant read, one listing per activity (the account-state
    # ones from further back, for grace_days)
    assert read_before == len(ACCOUNT_STATE) and len(reads) == len(ACTIVITIES)
    assert all(
        f"activityDateTime ge {baseline['collected_at']}" in r.query["$filter"]
        for r in reads
        if not any(f"'{activity}'" in r.query["$filter"] for activity in ACCOUNT_STATE)
    )
    new = [f for f in report["findings"] if f.get("change") == "new"]
    forbidden = next(f for f in new if f["rule"] == SkuForbidden.id and f["subject"]["id"] == user.id)
    cause = forbidden["cause"]
    # Entra's "Change user license" carries no detail: the cause is its operation's "Update user" (split into
    # sequence entries for the sample's E5, joined to read what was added)
    assert cause["activity"] == "Update user" and cause["kind"] == "license"
    assert cause["by"] == APP_NAME and cause["by_type"] == "app" and cause["added"] == ["SPE_E5"]
    assert report["changes"]["causes"]["read"] is True and report["changes"]["causes"]["explained"] >= 1
    html = (tmp_path / "after" / "report.html").read_text(encoding="utf-8")
    md = (tmp_path / "after" / "report.md").read_text(encoding="utf-8")
    line = f"Cause: {APP_NAME} changed the user&#39;s licenses"
    explained = [f for f in new if f.get("cause")]
    # in each finding's row and in "Changes since the previous run"
    assert html.count(line) == 2 * len(explained) and forbidden in explained
    assert "changed the user's licenses" in md and "added\\: SPE\\_E5" in md
    assert all(line.startswith("- ") for line in md.splitlines() if "(Medium) · _Cause" in line)

    # the same from the snapshot that run saved: it keeps the directory audit entries
    snapshot = load_snapshot(saved)
    assert snapshot.directory_audits is not None and snapshot.directory_audits.entries
    code, offline = audit(
        tmp_path / "offline",
        "--snapshot",
        str(saved),
        "--baseline",
        str(tmp_path / "before" / "report.json"),
        "--causes",
    )
    assert offline is not None
    again = next(f for f in offline["findings"] if f["id"] == forbidden["id"])
    assert again["cause"] == cause


def test_group_membership_writes_are_recorded_and_served(tmp_path: Path, sample) -> None:
    token = app_token(sample.tenant_id, DEMO_ROLES + WRITE_ROLES)
    group = next(g for g in sample.groups if g.assigned_licenses)
    user = next(u for u in sample.users if u.usage_location and u.id not in group.members)
    with GraphEmulator(sample, token=token) as graph:
        headers = {"Authorization": f"Bearer {token}"}
        ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user.id}"}
        assert http.post(f"{graph.url}/groups/{group.id}/members/$ref", json=ref, headers=headers).status_code == 204
        assert http.delete(f"{graph.url}/groups/{group.id}/members/{user.id}/$ref", headers=headers).status_code == 204
        page = http.get(
            f"{graph.url}/auditLogs/directoryAudits",
            params={"$filter": "activityDisplayName eq 'Add member to group'", "$top": "1"},
            headers=headers,
        ).json()
        everything = [
            e
            for e in http.get(f"{graph.url}/auditLogs/directoryAudits", headers=headers).json()["value"]
            if e["targetResources"][0]["id"] == user.id
        ]  # the sample holds entries of its own
        bad = http.get(f"{graph.url}/auditLogs/directoryAudits", params={"$filter": "category eq 'x'"}, headers=headers)
    assert [e["activityDisplayName"] for e in everything] == ["Remove member from group", "Add member to group"] or {
        e["activityDisplayName"] for e in everything
    } == {"Remove member from group", "Add member to group"}
    added = page["value"][0]
    assert added["activityDisplayName"] == "Add member to group" and "@odata.nextLink" not in page
    assert added["targetResources"][0]["id"] == user.id and added["targetResources"][1]["id"] == group.id
    assert added["initiatedBy"]["app"]["displayName"] == APP_NAME
    assert bad.status_code == 400


def test_paging_follows_next_link(sample) -> None:
    base = sample.collected_at
    entries = tuple(
        AuditEntry(
            f"a{i}",
            UPDATE,
            base,
            "success",
            "user",
            f"admin{i}@contoso.example",
            "x",
            (Target("User", sample.users[0].id, modified=(Modified("Department", None, '"X"'),)),),
        )
        for i in range(5)
    )
    tenant = dataclasses.replace(sample, directory_audits=DirectoryAudits(base, base, entries))
    token = app_token(sample.tenant_id)
    with GraphEmulator(tenant, token=token) as graph:
        headers = {"Authorization": f"Bearer {token}"}
        url: str | None = f"{graph.url}/auditLogs/directoryAudits?$top=2"
        seen = []
        while url:
            doc = http.get(url, headers=headers).json()
            seen += [e["id"] for e in doc["value"]]
            url = doc.get("@odata.nextLink")
    assert sorted(seen) == [f"a{i}" for i in range(5)]


@pytest.mark.parametrize("how", ["token without the role", "Graph answers 403"])
def test_without_audit_log_read_the_causes_are_a_named_gap(tmp_path: Path, sample, monkeypatch, how) -> None:
    reader = ("User.Read.All", "Organization.Read.All", "GroupMember.Read.All", "MailboxSettings.Read")
    if how == "token without the role":
        token, roles = app_token(sample.tenant_id, reader), None
    else:  # the token claims the role, the emulator does not grant it
        token, roles = app_token(sample.tenant_id), reader
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    base = tmp_path / "before"
    with GraphEmulator(sample, token=token) as graph:
        audit(base, "--graph-endpoint", graph.url, "--allow-gaps")
    with GraphEmulator(sample, token=token, roles=roles) as graph:
        code, report = audit(
            tmp_path / "after", "--graph-endpoint", graph.url, "--baseline", str(base / "report.json"), "--causes"
        )
    assert code == 3 and report is not None and report["complete"] is False
    gap = next(g for g in report["gaps"] if g["part"] == "directoryAudits")
    assert "AuditLog.Read.All" in gap["reason"] and "/auditLogs/directoryAudits" in gap["request"]


def test_causes_needs_a_baseline(tmp_path: Path, capsys) -> None:
    code, _ = audit(tmp_path, "--demo", "--causes")
    assert code == 2 and "--baseline" in capsys.readouterr().err


def test_the_cause_is_the_change_that_fits_the_rule(sample) -> None:
    user = sample.users[0]
    t0, t1 = "2026-11-20T08:00:00Z", "2026-11-21T08:00:00Z"
    department = AuditEntry(
        "d",
        UPDATE,
        t1,
        "success",
        "user",
        "hr@contoso.example",
        "h",
        (Target("User", user.id, modified=(Modified("Department", '["Sales"]', '["Field"]'),)),),
    )
    location = AuditEntry(
        "u",
        UPDATE,
        t0,
        "success",
        "user",
        "it@contoso.example",
        "i",
        (Target("User", user.id, modified=(Modified("UsageLocation", '["NL"]', "[]"),)),),
    )
    other = AuditEntry(
        "o",
        UPDATE,
        t1,
        "success",
        "user",
        "it@contoso.example",
        "i",
        (Target("User", "someone-else", modified=(Modified("UsageLocation", '["NL"]', "[]"),)),),
    )
    finding = ReportFinding(
        id="f1",
        rule=UsageLocationMissing.id,
        severity="low",
        policy=None,
        subject=Subject(type=SubjectType.USER, id=user.id),
        skus=[],
        message="",
        details={},
        monthly_cost=None,
        waived=False,
        waiver=None,
        remediation=None,
    )
    cause = cause_for(finding, [department, location, other], {})
    assert cause is not None and cause.property == "UsageLocation" and cause.old == "NL" and cause.new is None
    assert cause.by == "it@contoso.example" and cause.others == 1
    assert cause_for(replace(finding, rule=SkuForbidden.id), [department, location], {}).property == "Department"
    assert cause_for(replace(finding, subject=Subject(type=SubjectType.SKU, id="x")), [department], {}) is None


def test_redacted_reports_pseudonymise_who_made_the_change(tmp_path: Path, sample) -> None:
    base = tmp_path / "before"
    audit(base, "--snapshot", str(SAMPLE))
    before = json.loads((base / "report.json").read_text(encoding="utf-8"))
    # the baseline lacks one finding of a user, so it is new now; a directory audit entry explains it
    mine = next(f for f in before["findings"] if f["subject"]["type"] == "user" and not f["waived"])
    before["findings"] = [f for f in before["findings"] if f["id"] != mine["id"]]
    before["collected_at"] = "2026-10-01T00:00:00Z"
    (base / "report.json").write_text(json.dumps(before), encoding="utf-8")
    entry = AuditEntry(
        "x",
        UPDATE,
        "2026-10-20T08:00:00Z",
        "success",
        "user",
        "alice.admin@contoso.example",
        "a",
        (Target("User", mine["subject"]["id"], modified=(Modified("Department", '["A"]', '["B"]'),)),),
    )
    tenant = dataclasses.replace(
        sample, directory_audits=DirectoryAudits("2026-09-01T00:00:00Z", "2026-11-01T06:00:00Z", (entry,))
    )
    path = tmp_path / "tenant.json"
    save_snapshot(tenant, path)
    _code, report = audit(
        tmp_path / "after", "--snapshot", str(path), "--baseline", str(base / "report.json"), "--causes", "--redact"
    )
    assert report is not None
    assert next(f for f in report["findings"] if f["id"] == mine["id"])["cause"]["by"] == "alice.admin@contoso.example"
    html = (tmp_path / "after" / "report.html").read_text(encoding="utf-8")
    assert "alice.admin" not in html and "changed Department from A to B" in html
