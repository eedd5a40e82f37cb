"""A product held directly and from a group (common after a move to group-based licensing): the
fix removes the direct copy only when that costs no service, never asks to join a group the user
is in, and otherwise names what would be lost (Exchange Online: the mailbox)."""

from __future__ import annotations

from typing import Any

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.assignments import AssignmentNotGroupBased
from auditor.rules.hygiene.overlap import LicenseAssignedTwice

from .factory import E3, E5, audit, ready, tenant, user

EXCHANGE = "efb87545-963c-4e0d-99df-69c6916d9eb0"  # EXCHANGE_S_ENTERPRISE, Exchange Online (Plan 2)
POLICY = "assignments:\n  - name: everyone\n    match: {all: true}\n    group_based_only: [SPE_E3]\n"
GROUP = {
    "id": "g-staff",
    "displayName": "All Staff",
    "assignedLicenses": [{"skuId": E3, "disabledPlans": []}],
    "members": ["id-a"],
}


def held_twice(group_disables: list[str], direct_disables: list[str] | None = None) -> dict[str, Any]:
    states = [
        {
            "skuId": E3,
            "assignedByGroup": None,
            "state": "Active",
            "error": "None",
            "disabledPlans": direct_disables or [],
        },
        {
            "skuId": E3,
            "assignedByGroup": "g-staff",
            "state": "Active",
            "error": "None",
            "disabledPlans": group_disables,
        },
    ]
    return user("a", "SPE_E3", licenseAssignmentStates=states)


def finding(tmp_path: Any, u: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    result = audit(tmp_path, POLICY, tenant([u], groups=[GROUP]))
    (f,) = [f for f in result.findings if f.rule == AssignmentNotGroupBased.id]
    details = dict(f.details)
    rem = wording.remediation(
        f.rule, finding_of(f.subject, list(f.skus), details), cloud=Cloud.WORLDWIDE, locale=Locale.EN
    )
    return details, rem


def test_a_redundant_direct_copy_is_removed_without_joining_a_group(tmp_path: Any) -> None:
    details, rem = finding(tmp_path, held_twice([]))
    assert details["also_by_group"] == {"SPE_E3": ["All Staff"]} and details["plans_lost"] == {}
    assert "redundant" in rem["summary"]
    assert not any("Add " in s and "group" in s for s in rem["steps"])  # already a member
    assert ready(rem)[0]["body"] == {"addLicenses": [], "removeLicenses": [E3]}


def test_a_removal_that_would_switch_off_the_mailbox_is_not_proposed(tmp_path: Any) -> None:
    """The group's copy turns Exchange off; the direct one has it on: removing it costs the mailbox."""
    details, rem = finding(tmp_path, held_twice([EXCHANGE]))
    assert details["plans_lost"] == {"SPE_E3": ["Exchange Online (Plan 2)"]}
    assert "would switch off Exchange Online (Plan 2)" in rem["summary"]
    assert not ready(rem)
    assert any("do not remove the direct assignment yet" in s for s in rem["steps"])


def test_a_plan_off_in_both_copies_is_no_loss(tmp_path: Any) -> None:
    details, rem = finding(tmp_path, held_twice([EXCHANGE], direct_disables=[EXCHANGE]))
    assert details["plans_lost"] == {} and ready(rem)


def test_a_direct_only_assignment_keeps_the_move_to_a_group(tmp_path: Any) -> None:
    details, rem = finding(tmp_path, user("a", "SPE_E3"))
    assert "also_by_group" not in details
    (action,) = rem["actions"]  # listed, but only for after the group's copy is active
    assert action["body"]["removeLicenses"] == [E3] and action["blocked"] == "after_group"
    assert any("group" in s for s in rem["steps"])


def test_every_locale_has_the_words(tmp_path: Any) -> None:
    result = audit(tmp_path, POLICY, tenant([held_twice([EXCHANGE])], groups=[GROUP]))
    (f,) = [f for f in result.findings if f.rule == AssignmentNotGroupBased.id]
    for locale in Locale:
        rem = wording.remediation(
            f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), cloud=Cloud.CHINA, locale=locale
        )
        assert "Exchange Online (Plan 2)" in rem["summary"] and "All Staff" in rem["summary"], locale


def test_license_assigned_twice_fires_without_a_group_based_only_policy(tmp_path: Any) -> None:
    twice = held_twice([EXCHANGE])
    twice["userPrincipalName"], twice["id"] = "t@contoso.example", "id-t"
    direct = user("d", "SPE_E3")
    both = dict(held_twice([]), userPrincipalName="b@contoso.example", id="id-b")
    both["assignedLicenses"] = both["assignedLicenses"] + [{"skuId": E5, "disabledPlans": []}]
    both["licenseAssignmentStates"] = both["licenseAssignmentStates"] + [
        {"skuId": E5, "assignedByGroup": None, "state": "Active", "error": "None", "disabledPlans": []}
    ]
    result = audit(tmp_path, "hygiene:\n  assigned_twice: {}\n", tenant([twice, direct, both], groups=[GROUP]))
    found = {f.subject.upn: f for f in result.findings if f.rule == LicenseAssignedTwice.id}
    assert set(found) == {"t@contoso.example", "b@contoso.example"}
    assert found["b@contoso.example"].skus == ("SPE_E3",)  # only the product held twice, not E5
    assert all(f.monthly_cost is None and f.severity.value == 1 for f in found.values())
    rem = wording.remediation(
        LicenseAssignedTwice.id,
        finding_of(
            found["t@contoso.example"].subject,
            list(found["t@contoso.example"].skus),
            dict(found["t@contoso.example"].details),
        ),
        cloud=Cloud.USGOV,
        locale=Locale.SV,
    )
    assert not ready(rem) and "Exchange Online (Plan 2)" in rem["summary"]


def test_two_groups_are_named_together_in_the_plural_never_in_one_admin_center_path(tmp_path: Any) -> None:
    second = {
        "id": "g-sales",
        "displayName": "Sales",
        "assignedLicenses": [{"skuId": E3, "disabledPlans": []}],
        "members": ["id-a"],
    }
    states = [
        {"skuId": E3, "assignedByGroup": None, "state": "Active", "error": "None", "disabledPlans": []},
        *(
            {"skuId": E3, "assignedByGroup": g, "state": "Active", "error": "None", "disabledPlans": [EXCHANGE]}
            for g in ("g-staff", "g-sales")
        ),
    ]
    u = user("a", "SPE_E3", licenseAssignmentStates=states)
    result = audit(tmp_path, POLICY, tenant([u], groups=[GROUP, second]))
    (f,) = [f for f in result.findings if f.rule == AssignmentNotGroupBased.id]
    texts = {}
    for locale in Locale:
        rem = wording.remediation(
            f.rule,
            finding_of(f.subject, list(f.skus), dict(f.details)),
            cloud=Cloud.WORLDWIDE,
            locale=locale,
        )
        texts[locale] = rem
        assert "All Staff" in rem["summary"] and "Sales" in rem["summary"], locale
        assert not any("> All Staff" in s or "> Sales" in s for s in rem["steps"]), locale  # no group in a path
    en = texts[Locale.EN]
    assert "from the groups All Staff and Sales, but removing the direct assignment would switch off" in en["summary"]
    assert any("the licenses the groups All Staff and Sales assign all have switched off" in s for s in en["steps"])
    assert "van de groepen All Staff en Sales" in texts[Locale.NL]["summary"]
    assert "All Staff ve Sales gruplarından" in texts[Locale.TR]["summary"]


def test_removing_a_product_held_directly_and_from_a_group_takes_both_copies(tmp_path: Any) -> None:
    """A disabled account holding E3 directly and from a group: leaving the group alone would keep
    the direct copy (and its seat); the fix removes the direct copy and leaves the group."""
    from auditor.rules.hygiene import DisabledUserLicensed

    u = held_twice([])
    u["accountEnabled"] = False
    policy = "hygiene:\n  disabled_users: {}\n"
    result = audit(tmp_path, policy, tenant([u], groups=[GROUP]))
    (f,) = [f for f in result.findings if f.rule == DisabledUserLicensed.id]
    assert dict(f.details)["also_direct"] == ["SPE_E3"]
    rem = wording.remediation(
        f.rule,
        finding_of(f.subject, list(f.skus), dict(f.details)),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    calls = [(a["kind"], a["body"] if a["kind"] == "assign_license" else a["group"]) for a in rem["actions"]]
    assert ("assign_license", {"addLicenses": [], "removeLicenses": [E3]}) in calls
    assert ("remove_member", "g-staff") in calls
    assert sum(v for a in rem["actions"] for v in a["seats"].values()) == -1  # one seat, freed once
