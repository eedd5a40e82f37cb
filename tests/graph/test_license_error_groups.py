"""GET /groups?$filter=hasMembersWithLicenseErrors eq true: the real collector against the emulator."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import msgspec
import pytest
from emulator_faults import Fault, FaultKind
from graph_tenants import make_tenant

from auditor.common.errors import CollectionError
from auditor.data.model import Group, TenantSnapshot
from auditor.evaluation.engine import evaluate
from auditor.policyset.load import load_policies
from auditor.rules.hygiene.assignment_errors import GroupLicenseErrors, LicenseAssignmentError
from auditor.snapshot import LICENSE_ERROR_GROUPS

FILTER = "hasMembersWithLicenseErrors eq true"
OLD_GROUP = "aaaaaaaa-1111-4222-8333-444444444444"


def _with_group_errors(flags: bool = True) -> TenantSnapshot:
    """make_tenant with one member of the E3 group in CountViolation, and a group whose licenses are
    gone but whose members' removal failed (no assignedLicenses, so only the filter finds it)."""
    snap = make_tenant(60, seed=5)
    licensing = next(g for g in snap.groups if g.assigned_licenses)
    pos, user = next((i, u) for i, u in enumerate(snap.users) if u.id in licensing.members)
    states = tuple(
        msgspec.structs.replace(s, state="Error", error="CountViolation") if s.assigned_by_group == licensing.id else s
        for s in user.license_assignment_states
    )
    users = list(snap.users)
    users[pos] = user.with_values(license_assignment_states=states)
    old = Group(OLD_GROUP, "Old Licenses", (), (), has_members_with_license_errors=True if flags else None)
    groups = tuple(
        sorted(
            (
                *(
                    msgspec.structs.replace(
                        g, has_members_with_license_errors=(g.id == licensing.id) if flags else None
                    )
                    for g in snap.groups
                ),
                old,
            ),
            key=lambda g: g.id,
        )
    )
    return dataclasses.replace(snap, users=tuple(users), groups=groups)


def test_the_filter_flags_every_group_and_adds_the_ones_no_other_read_returns(harness):
    snap = _with_group_errors()
    h = harness(snap)
    got = h.collect((), need_sign_in=False)
    flags = {g.display_name: g.has_members_with_license_errors for g in got.groups}
    # the licensing group is read by assignedLicenses; the old group only by the filter
    assert flags == {"License - Microsoft 365 E3": True, "Old Licenses": True}
    assert LICENSE_ERROR_GROUPS in got.collected_datasets and got.gaps == ()
    old = next(g for g in got.groups if g.id == OLD_GROUP)
    assert old.assigned_licenses == () and old.members == ()
    [read] = [r for r in h.emulator.requests_to(r"^/groups$") if r.query.get("$filter") == FILTER]
    assert read.query["$select"] == "id,displayName" and read.query["$count"] == "true"
    assert read.headers.get("consistencylevel") == "eventual"


def test_a_group_without_errors_is_false_not_unknown(harness):
    snap = _with_group_errors()
    got = harness(snap).collect(("Sales Team",), need_sign_in=False)
    assert {g.display_name: g.has_members_with_license_errors for g in got.groups}["Sales Team"] is False


def test_the_emulator_derives_the_flag_from_the_users_when_the_snapshot_lacks_it(harness):
    snap = _with_group_errors(flags=False)  # no flags: the users' error states decide
    got = harness(snap).collect((), need_sign_in=False)
    assert [g.display_name for g in got.groups if g.has_members_with_license_errors] == ["License - Microsoft 365 E3"]


def test_403_is_a_named_gap_and_the_groups_stay_unknown(harness, tmp_path):
    snap = _with_group_errors()
    h = harness(snap, faults=[Fault(FaultKind.FORBIDDEN, r"hasMembersWithLicenseErrors", count=None)])
    got = h.collect((), need_sign_in=False)
    assert [g.dataset for g in got.gaps] == [LICENSE_ERROR_GROUPS]
    assert "GroupMember.Read.All" in got.gaps[0].reason and FILTER in got.gaps[0].request
    assert LICENSE_ERROR_GROUPS not in got.collected_datasets
    # the other group reads still worked; no group claims to be free of errors
    assert [g.display_name for g in got.groups] == ["License - Microsoft 365 E3"]
    assert all(g.has_members_with_license_errors is None for g in got.groups)
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: t}\n"
        "hygiene:\n  group_license_errors: {}\n  assignment_errors: {}\n",
        encoding="utf-8",
    )
    as_of = datetime.fromisoformat(got.collected_at.replace("Z", "+00:00"))
    result = evaluate(load_policies([str(policy)]), got, as_of)
    assert not result.complete  # the gap stays: the report never reads as complete
    # the members' own failures are still reported, and their states name the group
    assert {f.rule for f in result.findings} == {LicenseAssignmentError.id, GroupLicenseErrors.id}
    assert ("Error", "CountViolation") in {
        (dict(f.details)["state"], dict(f.details)["error"])
        for f in result.findings
        if f.rule == LicenseAssignmentError.id
    }


def test_a_refused_filter_is_a_note_and_the_states_still_name_the_group(harness, tmp_path):
    """Some tenants answer the documented filter with 400 Request_UnsupportedQuery: not a failure."""
    snap = _with_group_errors()
    h = harness(snap, faults=[Fault(FaultKind.UNSUPPORTED, r"hasMembersWithLicenseErrors", count=None)])
    got = h.collect((), need_sign_in=False)
    assert got.gaps == () and LICENSE_ERROR_GROUPS not in got.collected_datasets
    assert all(g.has_members_with_license_errors is None for g in got.groups)
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: t}\n"
        "hygiene:\n  group_license_errors: {}\n",
        encoding="utf-8",
    )
    as_of = datetime.fromisoformat(got.collected_at.replace("Z", "+00:00"))
    result = evaluate(load_policies([str(policy)]), got, as_of)
    assert result.complete and [f.subject.display_name for f in result.findings] == ["License - Microsoft 365 E3"]


def test_other_failures_of_the_read_still_raise(harness):
    snap = _with_group_errors()
    h = harness(snap, faults=[Fault(FaultKind.NO_VALUE, r"hasMembersWithLicenseErrors", count=None)])
    with pytest.raises(CollectionError):
        h.collect((), need_sign_in=False)


def test_states_round_trip_through_the_emulator(harness):
    snap = _with_group_errors()
    got = harness(snap).collect((), need_sign_in=False)
    failed = [s for u in got.users for s in u.license_assignment_states if s.is_error]
    assert {(s.state, s.error) for s in failed} >= {("Error", "CountViolation"), ("ActiveWithError", "CountViolation")}
