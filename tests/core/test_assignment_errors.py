"""License assignment errors as Graph documents them: every error value and state, and one finding
per group with hasMembersWithLicenseErrors (hand-made tenants)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from auditor.common.errors import SnapshotError
from auditor.data.model import Severity, SubjectType
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.assignment_errors import GroupLicenseErrors, LicenseAssignmentError
from auditor.snapshot import LICENSE_ERROR_GROUPS, load_snapshot, snapshot_from_json, write_snapshot

from .factory import E3, E5, audit, sku, tenant, user

ERRORS = "hygiene:\n  assignment_errors: {}\n"
GROUPS = "hygiene:\n  group_license_errors: {}\n"
G1, G2, G3 = "g-staff", "g-bi", "g-clean"
PARTS = ["signInActivity", LICENSE_ERROR_GROUPS]


def failing(name: str, state: str, error: str, via: str | None = None, part: str = "SPE_E5") -> dict[str, Any]:
    """A user holding E3 fine and `part` in the given state."""
    u = user(name, "SPE_E3", part)
    u["licenseAssignmentStates"] = [
        {"skuId": E3, "assignedByGroup": None, "state": "Active", "error": "None"},
        {"skuId": E5 if part == "SPE_E5" else E3, "assignedByGroup": via, "state": state, "error": error},
    ]
    return u


def group(gid: str, name: str, flag: bool | None, *members: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": gid,
        "displayName": name,
        "assignedLicenses": [{"skuId": E5, "disabledPlans": []}],
        "members": [f"id-{m}" for m in members],
    }
    if flag is not None:
        out["hasMembersWithLicenseErrors"] = flag
    return out


@pytest.mark.parametrize(
    ("state", "error", "reported"),
    [
        ("Error", "CountViolation", True),
        ("Error", "MutuallyExclusiveViolation", True),
        ("Error", "DependencyViolation", True),
        ("Error", "ProhibitedInUsageLocationViolation", True),
        ("Error", "UniquenessViolation", True),
        ("Error", "Other", True),
        ("Error", "SomethingGraphAddsLater", True),
        ("Error", "None", True),  # the state alone says it failed
        ("ActiveWithError", "CountViolation", True),
        ("ActiveWithError", "None", True),  # active, but not applied in full
        ("Disabled", "UniquenessViolation", True),
        ("Disabled", "None", False),  # Graph documents no failure for it
        ("Active", "None", False),
    ],
)
def test_every_error_value_and_state(tmp_path, state: str, error: str, reported: bool) -> None:
    result = audit(tmp_path, ERRORS, tenant([failing("ann", state, error)]))
    found = [f for f in result.findings if f.rule == LicenseAssignmentError.id]
    assert bool(found) is reported
    if reported:
        [f] = found
        assert f.skus == ("SPE_E5",) and f.severity is Severity.HIGH
        assert dict(f.details)["error"] == error and dict(f.details)["state"] == state
        partly = "is active, but could not be applied in full" in f.message
        assert partly is (state == "ActiveWithError")


def test_group_finding_counts_members_and_errors(tmp_path) -> None:
    users = [
        failing("ann", "Error", "CountViolation", via=G1),
        failing("bob", "Error", "CountViolation", via=G1),
        failing("cy", "ActiveWithError", "MutuallyExclusiveViolation", via=G1),
        failing("dee", "Error", "CountViolation"),  # direct: not the group's
        failing("eve", "Error", "CountViolation", via=G2),
    ]
    groups = [
        group(G1, "All Staff", True, "ann", "bob", "cy"),
        group(G2, "BI", False, "eve"),
        group(G3, "Clean", False),
    ]
    result = audit(tmp_path, GROUPS, tenant(users, groups=groups, collectedParts=PARTS))
    # G2 is not flagged by Graph, but eve's state names it with an error: the states decide too
    bi, f = sorted((f for f in result.findings if f.rule == GroupLicenseErrors.id), key=lambda f: f.subject.id)
    assert bi.subject.id == G2 and dict(bi.details)["members_with_errors"] == 1
    assert f.subject.type is SubjectType.GROUP and f.subject.id == G1 and f.subject.display_name == "All Staff"
    assert f.severity is Severity.MEDIUM and f.skus == ("SPE_E5",)
    details = dict(f.details)
    assert details["members_with_errors"] == 3
    assert details["errors"] == {"CountViolation": 2, "MutuallyExclusiveViolation": 1}
    assert details["group"] == "All Staff" and details["group_id"] == G1
    assert "All Staff" in f.message and "3 members" in f.message


def test_one_member_with_two_failed_products_counts_once(tmp_path) -> None:
    u = user("ann", "SPE_E3", "SPE_E5")
    u["licenseAssignmentStates"] = [
        {"skuId": s, "assignedByGroup": G1, "state": "Error", "error": "CountViolation"} for s in (E3, E5)
    ]
    result = audit(tmp_path, GROUPS, tenant([u], groups=[group(G1, "All Staff", True, "ann")], collectedParts=PARTS))
    [f] = [f for f in result.findings if f.rule == GroupLicenseErrors.id]
    assert dict(f.details)["members_with_errors"] == 1 and dict(f.details)["errors"] == {"CountViolation": 2}
    assert f.skus == ("SPE_E3", "SPE_E5")


def test_a_flagged_group_whose_members_show_no_error_still_reports_it(tmp_path) -> None:
    """Graph's flag decides; the snapshot may lag (or the member is not a user it holds)."""
    doc = tenant([user("ann", "SPE_E5", via=G1)], groups=[group(G1, "All Staff", True, "ann")], collectedParts=PARTS)
    result = audit(tmp_path, GROUPS, doc)
    [f] = [f for f in result.findings if f.rule == GroupLicenseErrors.id]
    assert dict(f.details)["members_with_errors"] == 0 and dict(f.details)["errors"] == {}
    assert f.skus == ("SPE_E5",)  # the group's own products


def test_without_the_read_the_users_states_name_the_groups(tmp_path) -> None:
    """An older snapshot, or a tenant that refuses the filter, has no flags: every user is read, so
    the failing members' licenseAssignmentStates still name their groups (never "no group has errors")."""
    users = [failing("ann", "Error", "CountViolation", via=G1), failing("bob", "Error", "CountViolation", via=G3)]
    result = audit(tmp_path, GROUPS, tenant(users, groups=[group(G1, "All Staff", None, "ann")]))
    found = {f.subject.id: f for f in result.findings if f.rule == GroupLicenseErrors.id}
    assert set(found) == {G1, G3} and result.not_evaluated == ()
    assert found[G1].subject.display_name == "All Staff" and dict(found[G1].details)["members_with_errors"] == 1
    assert dict(found[G3].details)["group_id"] == G3  # a group the snapshot does not hold: named by its id


def test_severity_from_the_policy(tmp_path) -> None:
    doc = tenant(
        [failing("ann", "Error", "CountViolation", via=G1)],
        groups=[group(G1, "All Staff", True, "ann")],
        collectedParts=PARTS,
    )
    result = audit(tmp_path, "hygiene:\n  group_license_errors: {severity: high}\n", doc)
    assert [f.severity for f in result.findings] == [Severity.HIGH]


def test_the_group_flag_round_trips_and_old_snapshots_load(tmp_path) -> None:
    groups = [group(G1, "All Staff", True), group(G2, "BI", False), group(G3, "Clean", None)]
    snap = snapshot_from_json(tenant([user("ann", "SPE_E5")], groups=groups, collectedParts=PARTS))
    assert [g.has_members_with_license_errors for g in snap.groups] == [True, False, None]
    out = io.StringIO()
    write_snapshot(snap, out)
    path = tmp_path / "s.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    again = load_snapshot(path)
    assert again == snap and LICENSE_ERROR_GROUPS in again.collected_datasets
    written = json.loads(out.getvalue())["groups"]
    assert [g.get("hasMembersWithLicenseErrors", "absent") for g in written] == [True, False, "absent"]


def test_a_malformed_flag_is_refused(tmp_path) -> None:
    doc = tenant([user("ann", "SPE_E5")], groups=[group(G1, "All Staff", True)], skus=[sku("SPE_E5")])
    doc["groups"][0]["hasMembersWithLicenseErrors"] = "yes"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SnapshotError, match="hasMembersWithLicenseErrors"):
        load_snapshot(path)


def test_one_product_failing_from_two_groups_gives_two_findings_with_their_own_ids(tmp_path) -> None:
    u = user("ann", "SPE_E5")
    u["licenseAssignmentStates"] = [
        {"skuId": E5, "assignedByGroup": gid, "state": "Error", "error": "ProhibitedInUsageLocationViolation"}
        for gid in (G1, G2)
    ]
    groups = [group(G1, "All Staff", True, "ann"), group(G2, "BI", True, "ann")]
    result = audit(tmp_path, ERRORS, tenant([u], groups=groups, collectedParts=PARTS))
    ids = [f.id for f in result.findings if f.rule == LicenseAssignmentError.id]
    assert len(ids) == 2 and len(set(ids)) == 2  # the baseline tells them apart


def test_a_partly_applied_assignment_is_not_reprocessed_while_its_conflict_is_there(tmp_path) -> None:
    """ActiveWithError keeps what it applied; a reprocess while the conflict stands only fails again,
    so the call waits (cause_first) for a person to fix the cause. A CountViolation with a seat free
    now has nothing to fix: its reprocess stays ready, partly applied or not."""
    from auditor import wording as guidance
    from auditor.data.model import Cloud, Locale

    users = [
        failing("cy", "ActiveWithError", "MutuallyExclusiveViolation", via=G1),
        failing("dee", "ActiveWithError", "None", via=G1),
        failing("eve", "Error", "MutuallyExclusiveViolation", via=G1),
        failing("fay", "ActiveWithError", "CountViolation", via=G1),
    ]
    result = audit(tmp_path, ERRORS, tenant(users, skus=[sku("SPE_E5", enabled=10, consumed=4)]))
    ready: dict[str, bool] = {}
    blocked: dict[str, str | None] = {}
    for f in result.findings:
        rem = guidance.remediation(
            f.rule,
            finding_of(f.subject, list(f.skus), dict(f.details)),
            cloud=Cloud.WORLDWIDE,
            locale=Locale.EN,
        )
        [action] = [a for a in rem["actions"] if a["kind"] == "reprocess"]
        ready[f.subject.upn.split("@")[0]], blocked[f.subject.upn.split("@")[0]] = action["ready"], action["blocked"]
    assert blocked == {"cy": "cause_first", "dee": "cause_first", "eve": None, "fay": None}
    assert ready == {"cy": False, "dee": False, "eve": True, "fay": True}
