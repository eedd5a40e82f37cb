"""Thirty nightly audits against the Graph emulator, with the tenant changing between nights (users
added and removed, a product renamed by Microsoft, a group deleted, the policy edited, one night's
Graph failing half-way, one night's sign-in data refused), each night's baseline chosen as the
nightly workflow chooses it (the newest earlier report that is complete) and one history file
carried from night to night. Nothing may be lost: every night's history line, baseline and report
agree; a failed or incomplete night never becomes a baseline; the history never loses a line; a
finding is resolved once (until it comes back)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from emulator_faults import Fault, FaultKind, sign_in_forbidden
from graph_tenants import make_tenant

from auditor.cli import main
from auditor.data.model import Group, TenantSnapshot, User
from auditor.graph.pacing import forget_app_windows
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor_dev.emulator import GraphEmulator, app_token

POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata:
  name: nightly
catalog:
  - sku: SPE_E3
    price: {monthly: 33.75, currency: EUR}
  - sku: SPE_E5
    price: {monthly: 54.75, currency: EUR}
assignments:
  - name: everyone
    match: {all: true}
    exclusive: [[SPE_E3, SPE_E5]]
hygiene:
  disabled_users: {severity: high}
  inactive_users:
    days: 90
    severity: medium
  guest_users: {severity: medium}
  assignment_errors: {severity: high}
  usage_location: {severity: low}
"""
START = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
NIGHTS = 30
FAILS = 17  # Graph answers the users, then fails on the groups: no report
REFUSED = 23  # signInActivity refused: a report marked incomplete


def _drop_user(snap: TenantSnapshot, user: User) -> TenantSnapshot:
    groups = tuple(
        msgspec.structs.replace(
            g,
            members=tuple(m for m in g.members if m != user.id),
            direct_members=tuple(m for m in (g.direct_members or ()) if m != user.id)
            if g.direct_members is not None
            else None,
        )
        for g in snap.groups
    )
    return dataclasses.replace(snap, users=tuple(u for u in snap.users if u.id != user.id), groups=groups)


def _drop_group(snap: TenantSnapshot, group: Group) -> TenantSnapshot:
    users = tuple(
        u.with_values(
            license_assignment_states=tuple(s for s in u.license_assignment_states if s.assigned_by_group != group.id),
            assigned_licenses=tuple(
                a
                for a in u.assigned_licenses
                if any(s.sku_id == a.sku_id and s.assigned_by_group != group.id for s in u.license_assignment_states)
            ),
        )
        for u in snap.users
    )
    return dataclasses.replace(snap, users=users, groups=tuple(g for g in snap.groups if g.id != group.id))


def _tenant_on(night: int, snap: TenantSnapshot, last: dict[str, Any] | None) -> TenantSnapshot:
    """The tenant as it is on `night`, changed from the night before (`last`: the last report)."""
    if night in (5, 9, 26) and last is not None:  # an account the last report flagged is deleted
        flagged = sorted(f["subject"]["id"] for f in last["findings"] if f["rule"] == InactiveUserLicensed.id)
        snap = _drop_user(snap, next(u for u in snap.users if u.id == flagged[0]))
    if night in (8, 14):  # new hires; one of them disabled at once, with a license
        template = next(u for u in snap.users if u.assigned_licenses and u.user_type == "Member")
        added = tuple(
            template.with_values(
                id=f"00000000-0000-4000-8000-0000000000{night:02d}",
                user_principal_name=f"new{night}@contoso.example",
                display_name=f"New {night}",
                account_enabled=night != 14,
            )
            for _ in range(1)
        )
        snap = dataclasses.replace(snap, users=snap.users + added)
    if night == 12:  # Microsoft renames a product's part number
        snap = dataclasses.replace(
            snap,
            skus=tuple(
                msgspec.structs.replace(s, sku_part_number="Microsoft_365_E5") if s.sku_part_number == "SPE_E5" else s
                for s in snap.skus
            ),
        )
    if night == 15:  # the Sales group is deleted
        snap = _drop_group(snap, next(g for g in snap.groups if g.display_name == "Sales Team"))
    return snap


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_thirty_nights_lose_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    history = tmp_path / "history.jsonl"
    snap = dataclasses.replace(make_tenant(30), collected_at=START.isoformat().replace("+00:00", "Z"))
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    reports: dict[int, dict[str, Any]] = {}
    codes: dict[int, int] = {}
    resolved_on: dict[str, list[int]] = {}
    reported_on: dict[str, list[int]] = {}
    for night in range(1, NIGHTS + 1):
        forget_app_windows()  # a day has passed since the last night's sign-in reads
        snap = _tenant_on(night, snap, reports[max(reports)] if reports else None)
        if night == 20:  # the admin edits the policy: inactive after 60 days instead of 90
            policy.write_text(
                policy.read_text(encoding="utf-8").replace(
                    "days: 90\n    severity: medium", "days: 60\n    severity: medium", 1
                ),
                encoding="utf-8",
            )
        when = START + timedelta(days=night)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(when.timestamp())))
        faults: list[Any] = []
        if night == FAILS:
            faults = [Fault(FaultKind.UNAVAILABLE, r"^GET /v1\.0/groups", count=None, retry_after=0)]
        if night == REFUSED:
            faults = [sign_in_forbidden()]
        # the workflow's baseline: the newest earlier report that says it is complete
        complete = [n for n in sorted(reports) if reports[n]["complete"]]
        baseline = tmp_path / f"night-{complete[-1]:02d}" / "report.json" if complete else None
        out = tmp_path / f"night-{night:02d}"
        before = _lines(history)
        with GraphEmulator(snap, token=token, responders=faults) as graph:
            codes[night] = main(
                [
                    "audit",
                    "--graph-endpoint",
                    graph.url,
                    "--policies",
                    str(policy),
                    "--output-dir",
                    str(out),
                    "--format",
                    "json",
                    "--history",
                    str(history),
                    "--fail-on",
                    "never",
                    "--as-of",
                    when.isoformat().replace("+00:00", "Z"),
                    *(["--baseline", str(baseline)] if baseline else []),
                ]
            )
        after = _lines(history)
        assert after[: len(before)] == before, f"night {night}: the history lost or changed a line"
        if not (out / "report.json").exists():
            assert night == FAILS and codes[night] == 3
            assert after == before, "a night without a report adds no history line"
            continue
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        reports[night] = report
        # the history line is this night's report
        assert len(after) == len(before) + 1
        line = json.loads(after[-1])
        assert (line["generated_at"], line["complete"]) == (report["generated_at"], report["complete"])
        assert line["findings"]["open"] == report["summary"]["unwaived"]
        assert line["findings"]["by_severity"] == report["summary"]["by_severity"]
        # the baseline is the newest complete night, never the failed or the incomplete one
        if baseline is not None:
            chosen = json.loads(baseline.read_text(encoding="utf-8"))
            assert chosen["complete"] is True
            assert report["changes"]["baseline_generated_at"] == chosen["generated_at"]
            for gone in report["changes"]["resolved"]:
                resolved_on.setdefault(gone["id"], []).append(night)
        for f in report["findings"]:
            reported_on.setdefault(f["id"], []).append(night)

    assert codes[FAILS] == 3 and FAILS not in reports
    assert reports[REFUSED]["complete"] is False and codes[REFUSED] == 3
    assert [n for n in reports if not reports[n]["complete"]] == [REFUSED]
    assert len(_lines(history)) == NIGHTS - 1
    # nights 24.. compare with night 22, the newest complete one before them
    assert reports[REFUSED + 1]["changes"]["baseline_generated_at"] == reports[REFUSED - 1]["generated_at"]
    assert reports[FAILS + 1]["changes"]["baseline_generated_at"] == reports[FAILS - 1]["generated_at"]
    # a set-up that points --baseline at the incomplete night anyway (a cron job's previous/) is not
    # compared with it: findings of the rules it could not evaluate would all read as new
    with GraphEmulator(snap, token=token) as graph:
        assert (
            main(
                [
                    "audit",
                    "--graph-endpoint",
                    graph.url,
                    "--policies",
                    str(policy),
                    "--output-dir",
                    str(tmp_path / "cron"),
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--baseline",
                    str(tmp_path / f"night-{REFUSED}" / "report.json"),
                ]
            )
            == 0
        )
    assert "changes" not in json.loads((tmp_path / "cron" / "report.json").read_text(encoding="utf-8"))
    assert "is an incomplete report (complete: false); this run is not compared with it" in capsys.readouterr().err
    # resolved once: a finding resolved twice was reported again in between
    assert resolved_on, "the tenant's changes resolved findings"
    for fid, nights in resolved_on.items():
        for first, second in itertools.pairwise(nights):
            assert any(first <= n < second for n in reported_on.get(fid, [])), (
                f"finding {fid} resolved on nights {first} and {second} without coming back in between"
            )
    # the deleted leavers' findings were resolved on the night they went
    assert any(5 in nights for nights in resolved_on.values()), resolved_on
