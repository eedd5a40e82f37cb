"""A dynamic, on-premises synced or mail-enabled group is never changed by a ready call, nor one whose
kind is not known; the step says where to change the membership instead (the rule quoted). Leaving
a group names what else the group gives."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Cloud, Finding, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.assignments import SkuForbidden, SkuRequiredMissing
from auditor.rules.hygiene.accounts import DisabledUserLicensed

from .factory import E3, F1, audit, tenant, user
from .factory import E5 as TENANT_E5

RULE = '(user.department -eq "Sales") and (user.city -ne "<Amsterdam>")'
FORBID_F1 = "assignments:\n  - name: all\n    match: {all: true}\n    forbidden: [SPE_F1]\n"


def _group(gid: str, name: str, *sku_ids: str, **kind: Any) -> dict[str, Any]:
    return {
        "id": gid,
        "displayName": name,
        "assignedLicenses": [{"skuId": s, "disabledPlans": []} for s in sku_ids],
        "members": ["id-ann"],
        **kind,
    }


def _from_group(gid: str, *sku_ids: str) -> dict[str, Any]:
    """Ann holds `sku_ids` from group `gid`, and E5 directly (it keeps her mailbox, so leaving the
    group ends no data and only the group's kind decides whether the call is ready)."""
    out = user("ann")
    out["assignedLicenses"] = [{"skuId": s, "disabledPlans": []} for s in (*sku_ids, TENANT_E5)]
    out["licenseAssignmentStates"] = [
        *({"skuId": s, "assignedByGroup": gid, "state": "Active", "error": "None"} for s in sku_ids),
        {"skuId": TENANT_E5, "assignedByGroup": None, "state": "Active", "error": "None"},
    ]
    return out


def _remediation(f: Finding, locale: Locale = Locale.EN) -> dict[str, Any]:
    return wording.remediation(
        f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), cloud=Cloud.WORLDWIDE, locale=locale
    )


def _forbidden_f1(tmp_path: Any, **kind: Any) -> dict[str, Any]:
    doc = tenant([_from_group("g-1", F1)], groups=[_group("g-1", "Frontline", F1, **kind)])
    (f,) = [f for f in audit(tmp_path, FORBID_F1, doc).findings if f.rule == SkuForbidden.id]
    return _remediation(f)


def test_a_cloud_group_is_left_by_a_ready_call(tmp_path: Any) -> None:
    r = _forbidden_f1(tmp_path)
    [a] = r["actions"]
    assert (a["kind"], a["group"], a["ready"], a["blocked"]) == ("remove_member", "g-1", True, None)


@pytest.mark.parametrize(
    ("kind", "blocked", "words"),
    [
        ({"groupTypes": ["DynamicMembership"], "membershipRule": RULE}, "group_dynamic", "membership rule"),
        ({"onPremisesSyncEnabled": True}, "group_synced", "on-premises Active Directory"),
        ({"mailEnabled": True}, "group_mail", "Exchange admin center"),
        ({"groupTypes": None}, "group_kind_unknown", "neither a dynamic group nor synced"),
    ],
)
def test_a_group_no_program_may_change_gets_no_ready_call(
    tmp_path: Any, kind: dict[str, Any], blocked: str, words: str
) -> None:
    r = _forbidden_f1(tmp_path, **kind)
    [a] = r["actions"]
    assert (a["kind"], a["ready"], a["blocked"]) == ("remove_member", False, blocked)
    assert words in a["description"]
    steps = " ".join(r["steps"])
    assert "Members, select" not in steps, "no admin-center membership removal for such a group"
    if blocked == "group_dynamic":
        assert f'"{RULE}"' in a["description"] and f'"{RULE}"' in steps  # the rule, quoted as the tenant wrote it


def test_a_leaver_from_a_dynamic_group_waits_with_the_rule_to_change(tmp_path: Any) -> None:
    ann = _from_group("g-dyn", F1)
    ann["accountEnabled"] = False
    doc = tenant(
        [ann], groups=[_group("g-dyn", "Sales Dynamic", F1, groupTypes=["DynamicMembership"], membershipRule=RULE)]
    )
    (f,) = [
        f
        for f in audit(tmp_path, "hygiene:\n  disabled_users: {severity: high}\n", doc).findings
        if f.rule == DisabledUserLicensed.id
    ]
    assert dict(f.details)["group_kinds"] == {"g-dyn": {"kind": "dynamic", "rule": RULE}}
    r = _remediation(f, Locale.NL)
    [a] = [a for a in r["actions"] if a["kind"] == "remove_member"]
    assert a["blocked"] == "group_dynamic" and RULE in a["description"]
    assert "dynamische groep" in a["description"]


def test_a_report_without_group_kinds_is_not_taken_as_cloud_groups(tmp_path: Any) -> None:
    """An older report.json (no details.group_kinds): the kind is not known, so no ready call."""
    doc = tenant([_from_group("g-1", F1)], groups=[_group("g-1", "Frontline", F1)])
    (f,) = [f for f in audit(tmp_path, FORBID_F1, doc).findings if f.rule == SkuForbidden.id]
    details = {k: v for k, v in dict(f.details).items() if k != "group_kinds"}
    r = wording.remediation(
        f.rule, finding_of(f.subject, list(f.skus), details), cloud=Cloud.WORLDWIDE, locale=Locale.EN
    )
    [a] = r["actions"]
    assert (a["ready"], a["blocked"]) == (False, "group_kind_unknown")


def test_leaving_a_group_names_what_else_it_gives(tmp_path: Any) -> None:
    """The group gives F1 and E3; the finding is about F1 only: leaving takes E3 too, and says so."""
    ann = _from_group("g-1", F1, E3)
    doc = tenant([ann], groups=[_group("g-1", "Frontline Plus", F1, E3)])
    (f,) = [f for f in audit(tmp_path, FORBID_F1, doc).findings if f.rule == SkuForbidden.id]
    assert dict(f.details)["group_licenses"] == {"g-1": ["SPE_E3", "SPE_F1"]}
    r = _remediation(f)
    [a] = [a for a in r["actions"] if a["kind"] == "remove_member"]
    assert a["description"].endswith("SPE_F1, and the other product the group gives, SPE_E3."), a["description"]
    assert any("Leaving Frontline Plus also takes SPE_E3 from" in s for s in r["steps"]), r["steps"]


def test_a_group_giving_only_the_findings_products_says_nothing_more(tmp_path: Any) -> None:
    r = _forbidden_f1(tmp_path)
    assert "also" not in r["actions"][0]["description"]
    assert not any("also takes" in s for s in r["steps"])


# --- a member of a group that assigns the required product, without the group's copy -----------

REQUIRE_F1 = "assignments:\n  - name: frontline\n    match: {groups: [Frontline]}\n    required_any: [SPE_F1]\n"


def _required(tmp_path: Any, direct: list[str] | None, **kind: Any) -> dict[str, Any]:
    ann = user("ann")
    group = _group("g-f1", "Frontline", F1, **kind)
    if direct is not None:
        group["directMembers"] = direct
    doc = tenant([ann], groups=[group])
    (f,) = [f for f in audit(tmp_path, REQUIRE_F1, doc).findings if f.rule == SkuRequiredMissing.id]
    return _remediation(f) | {"details": dict(f.details)}


def test_a_member_through_a_nested_group_joins_the_group_itself(tmp_path: Any) -> None:
    r = _required(tmp_path, direct=[])
    assert r["details"]["group_membership"] == [
        {"id": "g-f1", "name": "Frontline", "gives": ["SPE_F1"], "via": "nested"}
    ]
    assert [a["kind"] for a in r["actions"]] == ["add_member"], "no direct copy of a product the group gives"
    [join] = r["actions"]
    assert (join["group"], join["ready"], join["seats"]) == ("g-f1", True, {"SPE_F1": 1})
    assert "only through a nested group, and group-based licensing does not follow nested groups" in r["summary"]


def test_a_direct_member_without_the_copy_is_reprocessed(tmp_path: Any) -> None:
    r = _required(tmp_path, direct=["id-ann"])
    assert [(a["kind"], a["ready"]) for a in r["actions"]] == [("reprocess", True)]
    assert "direct member of the group Frontline" in r["summary"]


def test_membership_of_unknown_directness_gets_no_direct_copy(tmp_path: Any) -> None:
    r = _required(tmp_path, direct=None)
    assert r["actions"] == [] and "does not show whether the membership is direct" in r["summary"]


def test_a_nested_member_of_a_dynamic_group_gets_no_ready_join(tmp_path: Any) -> None:
    r = _required(tmp_path, direct=[], groupTypes=["DynamicMembership"], membershipRule=RULE)
    [join] = r["actions"]
    assert (join["kind"], join["ready"], join["blocked"]) == ("add_member", False, "group_dynamic")
