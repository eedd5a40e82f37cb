"""remediation.actions: every finding's fix as complete, ordered Graph calls, each with the user and
group it changes, what must still hold, its seat effect and whether it is ready to run; other ways
to fix it as explicit alternatives."""

from __future__ import annotations

import re
from typing import Any

from auditor import wording
from auditor.cross_tenant.rules import CrossTenantDuplicate
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import E5, EMS, F3, USER
from auditor.rules.assignments import SkuCombinationForbidden, SkuForbidden, SkuNotAllowed
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.assignment_errors import LicenseAssignmentError

from .factory import E3, F1, audit, rem, tenant, user
from .factory import E5 as TENANT_E5  # a real skuId: the tenant's E5 has known plans


def fix_for(
    rule: str,
    subject: dict[str, Any],
    skus: list[str],
    details: dict[str, Any],
    cloud: Cloud = Cloud.WORLDWIDE,
    locale: Locale = Locale.EN,
) -> dict[str, Any]:
    """The remediation of a finding given by its parts (a finding the rules need not produce)."""
    return wording.remediation(rule, finding_of(subject, skus, details), cloud=cloud, locale=locale)


def calls(r: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a["method"], a["path"]) for a in r["actions"]]


def group(gid: str, name: str, *sku_ids: str, members: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "id": gid,
        "displayName": name,
        "assignedLicenses": [{"skuId": s, "disabledPlans": []} for s in sku_ids],
        "members": list(members),
    }


def from_groups(name: str, *pairs: tuple[str, str | None]) -> dict[str, Any]:
    """A user holding each (skuId, assigning group id or None for direct)."""
    out = user(name)
    out["assignedLicenses"] = [{"skuId": sid, "disabledPlans": []} for sid in dict.fromkeys(s for s, _ in pairs)]
    out["licenseAssignmentStates"] = [
        {"skuId": sid, "assignedByGroup": gid, "state": "Active", "error": "None"} for sid, gid in pairs
    ]
    return out


# --- a product from two groups: one removal per group -------------------------------------------


def test_a_product_from_two_groups_leaves_each_group_in_its_own_call() -> None:
    details = {
        "assigned_by_group": {"SPE_E5": ["Sales", "All"]},
        "group_kinds": {},
        "assigned_by_group_ids": {"SPE_E5": ["g2", "g1"]},
        "sku_ids": {"SPE_E5": E5},
        "leaving": {"g2": [], "g1": ["SPE_E5"]},
    }
    r = fix_for(DisabledUserLicensed.id, USER, ["SPE_E5"], details)
    assert calls(r) == [
        ("DELETE", "/groups/g2/members/11111111-aaaa/$ref"),
        ("DELETE", "/groups/g1/members/11111111-aaaa/$ref"),
    ]
    first, second = r["actions"]
    assert (first["group"], second["group"]) == ("g2", "g1") and first["user"] == "11111111-aaaa"
    # the group's copy, and the facts the finding rests on: the account is still disabled and still a
    # person's (apply re-checks both)
    assert first["precondition"] == [
        {"member_of": "g2"},
        {"holds": E5.lower(), "how": "group", "group": "g2"},
        {"account_enabled": False},
        {"person": True},
    ]
    # the product goes only once the last group is left
    assert (first["seats"], second["seats"]) == ({}, {"SPE_E5": -1})
    assert "Sales" in first["description"] and "All" in second["description"]


def test_products_from_two_groups_leave_both_groups(tmp_path: Any) -> None:
    """E3 from one group, E5 from another, both forbidden: two DELETEs, each group's seats."""
    policy = "assignments:\n  - name: all\n    match: {all: true}\n    forbidden: [SPE_E3, SPE_F1]\n"
    groups = [group("g-e3", "Office", E3, members=("id-two",)), group("g-f1", "Frontline", F1, members=("id-two",))]
    doc = tenant([from_groups("two", (E3, "g-e3"), (F1, "g-f1"), (TENANT_E5, None))], groups=groups)
    (f,) = [f for f in audit(tmp_path, policy, doc).findings if f.rule == SkuForbidden.id]
    assert dict(f.details)["leaving"] == {"g-e3": ["SPE_E3"], "g-f1": ["SPE_F1"]}
    r = rem(f)
    assert [(a["kind"], a["group"], a["seats"], a["ready"]) for a in r["actions"]] == [
        ("remove_member", "g-e3", {"SPE_E3": -1}, True),
        ("remove_member", "g-f1", {"SPE_F1": -1}, True),
    ]


def test_leaving_a_group_counts_every_product_it_takes(tmp_path: Any) -> None:
    """The group gives E3 and F1; only F1 is forbidden, but leaving takes both (details.leaving)."""
    policy = "assignments:\n  - name: all\n    match: {all: true}\n    forbidden: [SPE_F1]\n"
    doc = tenant(
        [from_groups("both", (E3, "g-1"), (F1, "g-1"), (TENANT_E5, None))],
        groups=[group("g-1", "Staff", E3, F1, members=("id-both",))],
    )
    (f,) = [f for f in audit(tmp_path, policy, doc).findings if f.rule == SkuForbidden.id]
    (action,) = rem(f)["actions"]
    assert action["seats"] == {"SPE_E3": -1, "SPE_F1": -1}


# --- sku-not-allowed: join the replacement's group first, then leave the old one -----------------


def test_not_allowed_from_a_group_joins_the_group_of_the_replacement_first(tmp_path: Any) -> None:
    policy = (
        "assignments:\n  - name: staff\n    match: {all: true}\n    allowed: [SPE_E3]\n    required_any: [SPE_E3]\n"
    )
    groups = [
        group("g-e5", "Knowledge", TENANT_E5, members=("id-kw",)),
        group("g-mix", "A mixed", E3, F1),  # gives F1 too, which is not allowed: not preferred
        group("g-e3", "Office", E3),
    ]
    doc = tenant([from_groups("kw", (TENANT_E5, "g-e5"))], groups=groups)
    (f,) = [f for f in audit(tmp_path, policy, doc).findings if f.rule == SkuNotAllowed.id]
    assert dict(f.details)["replace_group"] == {"id": "g-e3", "name": "Office", "gives": ["SPE_E3"], "kind": "assigned"}
    r = rem(f)
    join, leave = r["actions"]
    assert (join["kind"], join["method"], join["path"]) == ("add_member", "POST", "/groups/g-e3/members/$ref")
    assert join["body"] == {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/id-kw"}
    assert join["precondition"] == [{"not_member_of": "g-e3"}] and join["seats"] == {"SPE_E3": 1}
    assert join["group"] == "g-e3" and join["user"] == "id-kw" and join["ready"]
    assert "Office" in join["description"] and "never without a license" in join["description"]
    assert (leave["kind"], leave["path"]) == ("remove_member", "/groups/g-e5/members/id-kw/$ref")
    assert leave["seats"] == {"SPE_E5": -1} and leave["ready"]
    # the old group is left only once the new group's copy works (group licensing is not instant)
    assert {"holds": E3, "how": "group", "group": "g-e3", "active": True} in leave["precondition"]
    assert any("Add Kw (kw@contoso.example) to the group Office" in s for s in r["steps"])
    assert "move Kw (kw@contoso.example) to the group Office, which assigns" in r["summary"]  # named, as the steps do


def test_not_allowed_direct_replacement_is_one_call_with_add_and_remove() -> None:
    subject, skus, details = wording.by_id()[SkuNotAllowed.id].example_finding
    r = fix_for(SkuNotAllowed.id, subject, skus, details)
    (action,) = r["actions"]
    assert action["body"] == {"addLicenses": [{"disabledPlans": [], "skuId": F3}], "removeLicenses": [E5]}
    assert action["seats"] == {"SPE_F3": 1, "SPE_E5": -1}
    assert action["precondition"] == [{"lacks": F3.lower()}, {"holds": E5.lower(), "how": "direct"}]


def test_not_allowed_removal_that_ends_data_is_listed_not_ready() -> None:
    subject, skus, details = wording.by_id()[SkuNotAllowed.id].example_finding
    r = fix_for(SkuNotAllowed.id, subject, skus, details | {"data_lost": {"SPE_E5": ["Exchange Online (Plan 2)"]}})
    (action,) = r["actions"]  # still shown: one Replace a person finishes after keeping the data
    assert action["body"]["removeLicenses"] == [E5] and not action["ready"] and action["blocked"] == "data_lost"


# --- sku-combination-forbidden: one product goes, never both -------------------------------------


def test_combination_removes_only_the_included_product_and_offers_the_other_as_alternative() -> None:
    subject, skus, details = wording.by_id()[SkuCombinationForbidden.id].example_finding  # remove EMS, keep SPE_E5
    r = fix_for(SkuCombinationForbidden.id, subject, skus, details)
    assert [a["body"] for a in r["actions"]] == [{"addLicenses": [], "removeLicenses": [EMS]}]
    (alt,) = r["alternatives"]
    assert "Remove SPE_E5 instead and keep EMS" in alt["label"]
    assert [a["body"] for a in alt["actions"]] == [{"addLicenses": [], "removeLicenses": [E5]}]
    # the steps remove EMS only: never the product that includes it
    assert not any(re.search(r"clear the box(es)? for .*SPE_E5", s) for s in r["steps"])
    assert any("clear the box for EMS" in s for s in r["steps"])


def test_combination_without_a_default_removes_nothing_in_its_steps() -> None:
    details = {
        "combination": ["SPE_E3", "SPE_E5"],
        "assigned_by_group": {"SPE_E3": ["Office"], "SPE_E5": []},
        "group_kinds": {},
        "assigned_by_group_ids": {"SPE_E3": ["g-o"]},
        "sku_ids": {"SPE_E3": E3, "SPE_E5": E5},
    }
    r = fix_for(SkuCombinationForbidden.id, USER, ["SPE_E3", "SPE_E5"], details)
    assert r["actions"] == []
    text = "\n".join(r["steps"])
    assert "clear the box" not in text and "choose Remove" not in text
    ways = [[(a["kind"], a["group"]) for a in alt["actions"]] for alt in r["alternatives"]]
    assert ways == [[("remove_member", "g-o")], [("assign_license", None)]]


def test_combination_a_group_giving_both_products_is_never_fixed_by_calls_that_skip_it() -> None:
    """EMS comes from two groups, one of which (Bundle) also gives SPE_E5: leaving Bundle would take
    the product to keep, and leaving only the other would leave EMS in place. The call is listed,
    not ready."""
    subject, skus, details = wording.by_id()[SkuCombinationForbidden.id].example_finding  # remove EMS, keep SPE_E5
    both = details | {
        "assigned_by_group": {"EMS": ["Bundle", "Mobility"], "SPE_E5": ["Bundle"]},
        "group_kinds": {},
        "assigned_by_group_ids": {"EMS": ["g-b", "g-m"], "SPE_E5": ["g-b"]},
    }
    r = fix_for(SkuCombinationForbidden.id, subject, skus, both)
    (leave,) = r["actions"]
    assert (leave["kind"], leave["group"]) == ("remove_member", "g-m")
    assert not leave["ready"] and leave["blocked"] == "group_keeps"
    assert any("Bundle" in step for step in r["steps"])


# --- cross-tenant-duplicate: the group path, a deliberate target, the cloud's admin center -------

TENANTS = [
    {
        "id": "t-f",
        "name": "Fabrikam",
        "upn": "alice@fabrikam.example",
        "user_id": "u-f",
        "assigned_by_group": ["Sales"],
        "assigned_by_group_ids": ["g-sales"],
    },
    {"id": "t-c", "name": "Contoso", "upn": "alice@contoso.example", "user_id": "u-c", "assigned_by_group": []},
]
ALICE = {"type": "user", "id": "alice@contoso.example", "upn": "alice@contoso.example"}
CROSS = {"identity": "alice@contoso.example", "sku_ids": {"SPE_E3": E3}, "tenants": TENANTS}


def test_cross_tenant_keeps_the_home_account_and_leaves_the_group_elsewhere() -> None:
    """The home account (the matched identity) is listed last here: the call still targets the other."""
    r = fix_for(CrossTenantDuplicate.id, ALICE, ["SPE_E3"], CROSS)
    (action,) = r["actions"]
    assert (action["kind"], action["path"]) == ("remove_member", "/groups/g-sales/members/u-f/$ref")
    assert action["tenant"] == "t-f" and action["user"] == "u-f" and action["group"] == "g-sales"
    assert "Fabrikam" in action["description"] and "Sales" in action["description"]
    (alt,) = r["alternatives"]  # keep it in Fabrikam instead: remove the direct copy in Contoso
    assert "Fabrikam" in alt["label"]
    assert [(a["path"], a["tenant"]) for a in alt["actions"]] == [("/users/u-c/assignLicense", "t-c")]


def test_cross_tenant_steps_follow_the_cloud() -> None:
    steps = {
        c: "\n".join(fix_for(CrossTenantDuplicate.id, ALICE, ["SPE_E3"], CROSS, c)["steps"])
        for c in (Cloud.WORLDWIDE, Cloud.GERMANY, Cloud.CHINA, Cloud.USGOV)
    }
    assert "Licenses and apps" in steps[Cloud.WORLDWIDE] and "Product licenses" not in steps[Cloud.WORLDWIDE]
    for legacy in (steps[Cloud.GERMANY], steps[Cloud.CHINA]):
        assert "Product licenses > Edit" in legacy and "Licenses and apps" not in legacy
    # US Government: the worldwide admin center's steps after a note on its own portal (docs/guidance.md)
    assert steps[Cloud.USGOV].startswith("This tenant is in a US Government cloud")
    assert "Licenses and apps" in steps[Cloud.USGOV] and "Product licenses" not in steps[Cloud.USGOV]


# --- what is not ready ---------------------------------------------------------------------------


def test_lookups_values_to_choose_and_placeholders_are_not_ready() -> None:
    subject, skus, details = wording.by_id()[LicenseAssignmentError.id].example_finding
    usage = fix_for(LicenseAssignmentError.id, subject, skus, details | {"error": "ProhibitedInUsageLocationViolation"})
    (patch,) = usage["actions"]
    assert patch["kind"] == "set_usage_location" and patch["blocked"] == "choose_value" and not patch["ready"]
    (again,) = fix_for(LicenseAssignmentError.id, subject, skus, details)["actions"]
    # an assignment in Error holds no seat: reprocessed once a seat is free, it takes one
    assert again["kind"] == "reprocess" and again["ready"] and again["seats"] == {"SPE_E5": 1}
    (partly,) = fix_for(LicenseAssignmentError.id, subject, skus, details | {"state": "ActiveWithError"})["actions"]
    assert partly["seats"] == {}  # active already: its seat is taken
    assert again["precondition"] == [{"exists": True}]
    no_id = fix_for(
        SkuForbidden.id,
        {"type": "user", "display_name": "Nobody"},
        ["SPE_E5"],
        {"sku_ids": {"SPE_E5": E5}, "assigned_by_group": {"SPE_E5": []}},
    )
    (action,) = no_id["actions"]
    assert action["path"] == "/users/{user-id}/assignLicense" and action["user"] is None
    assert action["blocked"] == "placeholder"
    unknown_sku = fix_for(SkuForbidden.id, USER, ["SPE_E5"], {"assigned_by_group": {"SPE_E5": []}})
    assert unknown_sku["actions"][0]["blocked"] == "placeholder"


# --- the memo: each user gets their own ids in every field ---------------------------------------


def test_reused_guidance_puts_each_users_id_in_every_field() -> None:
    details = {
        "allowed": ["SPE_E3"],
        "replace_with": "SPE_E3",
        "replace_with_id": E3,
        "assigned_by_group": {"SPE_E5": ["Knowledge"]},
        "group_kinds": {},
        "assigned_by_group_ids": {"SPE_E5": ["g-e5"]},
        "sku_ids": {"SPE_E5": E5},
        "leaving": {"g-e5": ["SPE_E5"]},
        "replace_group": {"id": "g-e3", "name": "Office", "gives": ["SPE_E3"]},
    }
    seen = []
    for uid in ("aaaa-0001", "bbbb-0002", "cccc-0003"):
        subject = {"type": "user", "id": uid, "upn": f"{uid}@contoso.example", "display_name": uid.upper()}
        r = fix_for(SkuNotAllowed.id, subject, ["SPE_E5"], details)
        join, leave = r["actions"]
        assert join["user"] == leave["user"] == uid
        assert join["body"] == {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{uid}"}
        assert leave["path"] == f"/groups/g-e5/members/{uid}/$ref"
        assert uid.upper() in join["description"] and uid.upper() in leave["description"]
        others = [o for o in seen if o != uid]
        assert not any(o in str(r) for o in others), (uid, others)
        seen.append(uid)
    # a user the report names without id or UPN is never given another user's id
    r = fix_for(SkuNotAllowed.id, {"type": "user", "display_name": "Nameless"}, ["SPE_E5"], details)
    assert all(a["user"] is None and a["blocked"] == "placeholder" for a in r["actions"])
    assert not any(o in str(r) for o in seen)
