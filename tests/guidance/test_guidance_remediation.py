"""Remediation content: complete for every rule, locale and cloud; correct Graph actions."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from auditor import wording
from auditor.cross_tenant.rules import CrossTenantDuplicate, SeatsRebalanceAcrossTenants
from auditor.data.blocked import BLOCKED_REASONS
from auditor.data.finding_facts import FindingFactsError
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.cloud_variants import ACTIVE_USERS_URL, Variant
from auditor.guidance.examples import E5, EMS, F3, USER
from auditor.guidance.library import FindingExample
from auditor.rules.assignments import (
    AssignmentNotGroupBased,
    SkuCombinationForbidden,
    SkuForbidden,
    SkuNotAllowed,
    SkuRequiredMissing,
)
from auditor.rules.hygiene.accounts import (
    DisabledUserLicensed,
    GuestLicensed,
    InactiveUserLicensed,
    SharedMailboxLicensed,
)
from auditor.rules.hygiene.assignment_errors import GroupLicenseErrors, LicenseAssignmentError
from auditor.rules.hygiene.overlap import LicenseRedundant
from auditor.rules.hygiene.upkeep import SubscriptionExpiring, UsageLocationMissing
from auditor.rules.seats import SkuNotApproved, SpareSeatsOverLimit, SpareSeatsUnderMinimum
from auditor.rules.waivers.waiver_expired import WaiverExpired
from auditor.wording import ALL_RULE_IDS, message, remediation

LEFTOVER = re.compile(r"\{[a-z_]+\}")

# Every rule's example finding (subject, skus, details), from the rule itself.
RICH: dict[str, FindingExample] = {rule_id: rule.example_finding for rule_id, rule in wording.by_id().items()}
# Every licenseAssignmentState error value Graph documents, an undocumented one, and the states
# (Graph: state Active, ActiveWithError, Disabled, Error), each rendered in every locale and cloud.
ERROR_CODES = [
    "CountViolation",
    "MutuallyExclusiveViolation",
    "DependencyViolation",
    "ProhibitedInUsageLocationViolation",
    "UniquenessViolation",
    "Other",
    "SomethingNew",
]
ERROR_VARIANTS: dict[str, dict[str, Any]] = {
    **{f"{code}/Error": {"error": code, "state": "Error"} for code in ERROR_CODES},
    "CountViolation/ActiveWithError": {"error": "CountViolation", "state": "ActiveWithError"},
    "None/ActiveWithError": {"error": "None", "state": "ActiveWithError"},
    "None/Error": {"error": "None", "state": "Error"},
    "UniquenessViolation/Disabled": {"error": "UniquenessViolation", "state": "Disabled"},
    "MutuallyExclusiveViolation/direct": {
        "error": "MutuallyExclusiveViolation",
        "state": "Error",
        "assigned_by_group": {"SPE_E5": []},
        "group_kinds": {},
        "assigned_by_group_ids": {},
    },
}
GROUP_VARIANTS: dict[str, dict[str, Any]] = {
    "counted": RICH[GroupLicenseErrors.id][2],
    "every-code": {
        "group": "All Staff",
        "group_id": "g-1",
        "members_with_errors": 9,
        "errors": {code: 1 for code in ERROR_CODES},
    },
    "uncounted": {"group": "All Staff", "group_id": "g-1", "members_with_errors": 0, "errors": {}},
}
# rules whose fix has no Graph call on purpose (each says so: `graph_calls = False`); e.g.
# shared-mailbox-licensed: the size, archive and hold checks come first, a ready call would skip them
NO_GRAPH_ACTION = {rule_id for rule_id, rule in wording.by_id().items() if not rule.graph_calls}
assert SharedMailboxLicensed.id in NO_GRAPH_ACTION  # removing would skip the mailbox checks
NO_LINKS = {WaiverExpired.id}


def rich_fix(rule: str, cloud: Cloud = Cloud.WORLDWIDE, locale: Locale = Locale.EN, **over: Any) -> dict[str, Any]:
    subject, skus, details = RICH[rule]
    args: dict[str, Any] = {"subject": subject, "skus": skus, "details": details} | over
    return remediation(rule, finding_of(args["subject"], args["skus"], args["details"]), cloud=cloud, locale=locale)


def all_text(r: dict[str, Any]) -> str:
    parts = [r["summary"], r["role"], *r["steps"], *r["next_steps"], *(link["title"] for link in r["links"])]
    parts += [a["description"] for a in r["actions"]]
    for alt in r["alternatives"]:
        parts += [alt["label"], *(a["description"] for a in alt["actions"])]
    return "\n".join(parts)


def act(r: dict[str, Any]) -> dict[str, Any] | None:
    """The first action of the default fix (None when there is none)."""
    return r["actions"][0] if r["actions"] else None


ACTION_KEYS = {
    "kind",
    "method",
    "path",
    "body",
    "description",
    "user",
    "group",
    "precondition",
    "seats",
    "ready",
    "blocked",
}


def assert_complete(rule: str, r: dict[str, Any]) -> None:
    assert set(r) == {"summary", "steps", "actions", "alternatives", "role", "next_steps", "links"}
    assert isinstance(r["summary"], str) and r["summary"].strip()
    assert r["steps"] and all(isinstance(s, str) and s.strip() for s in r["steps"])
    assert isinstance(r["role"], str) and r["role"].strip()
    assert r["next_steps"] and all(isinstance(s, str) and s.strip() for s in r["next_steps"])
    if rule not in NO_LINKS:
        assert r["links"]
    for link in r["links"]:
        assert link["title"].strip() and link["url"].startswith("https://")
    if rule in NO_GRAPH_ACTION:
        assert r["actions"] == [] and r["alternatives"] == []
    else:
        assert r["actions"]
    for action in [*r["actions"], *(a for alt in r["alternatives"] for a in alt["actions"])]:
        assert set(action) - {"tenant"} == ACTION_KEYS
        assert action["method"] in {"GET", "POST", "PATCH", "DELETE"}
        assert action["path"].startswith("/") and action["description"].strip()
        assert action["body"] is None or isinstance(action["body"], dict)
        assert action["ready"] is (action["blocked"] is None)
        assert action["ready"] or action["blocked"] in BLOCKED_REASONS
        assert all(isinstance(n, int) for n in action["seats"].values())
    for alt in r["alternatives"]:
        assert alt["label"].strip()
    assert not LEFTOVER.search(all_text(r)), all_text(r)
    json.dumps(r)


def test_fixture_covers_every_rule() -> None:
    assert set(RICH) == set(ALL_RULE_IDS)


@pytest.mark.parametrize("cloud", list(Cloud), ids=lambda c: c.value)
@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
@pytest.mark.parametrize("rule", sorted(RICH))
def test_complete_for_every_rule_locale_and_cloud(rule: str, locale: Locale, cloud: Cloud) -> None:
    r = rich_fix(rule, cloud, locale)
    assert_complete(rule, r)
    msg = message(rule, finding_of(RICH[rule][0], RICH[rule][1], RICH[rule][2]), locale=locale)
    assert msg.strip() and "\n" not in msg and not LEFTOVER.search(msg)


@pytest.mark.parametrize("cloud", list(Cloud), ids=lambda c: c.value)
@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
@pytest.mark.parametrize("variant", sorted(ERROR_VARIANTS))
def test_every_assignment_error_variant_is_complete(variant: str, locale: Locale, cloud: Cloud) -> None:
    subject, skus, details = RICH[LicenseAssignmentError.id]
    details = details | ERROR_VARIANTS[variant]
    r = rich_fix(LicenseAssignmentError.id, cloud, locale, details=details)
    assert_complete(LicenseAssignmentError.id, r)
    msg = message(LicenseAssignmentError.id, finding_of(subject, skus, details), locale=locale)
    assert msg.strip() and "\n" not in msg and not LEFTOVER.search(msg)


@pytest.mark.parametrize("cloud", list(Cloud), ids=lambda c: c.value)
@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
@pytest.mark.parametrize("variant", sorted(GROUP_VARIANTS))
def test_every_group_error_variant_is_complete(variant: str, locale: Locale, cloud: Cloud) -> None:
    subject, skus, _ = RICH[GroupLicenseErrors.id]
    details = GROUP_VARIANTS[variant]
    r = rich_fix(GroupLicenseErrors.id, cloud, locale, details=details)
    assert_complete(GroupLicenseErrors.id, r)
    assert "All Staff" in r["summary"] and any("All Staff" in s for s in r["steps"])
    msg = message(GroupLicenseErrors.id, finding_of(subject, skus, details), locale=locale)
    assert "All Staff" in msg and not LEFTOVER.search(msg)


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
@pytest.mark.parametrize("rule", sorted(RICH))
def test_missing_details_degrade(rule: str, locale: Locale) -> None:
    for subject, skus, details in (
        ({}, [], {}),
        ({"type": "user"}, ["X"], {}),
        (RICH[rule][0], [], RICH[rule][2]),  # full details, but the finding names no products
    ):
        r = remediation(rule, finding_of(subject, skus, details), cloud=Cloud.CHINA, locale=locale)
        assert r["summary"] and r["steps"]
        assert not LEFTOVER.search(all_text(r))
        assert message(rule, finding_of(subject, skus, details), locale=locale)


@pytest.mark.parametrize(
    ("subject", "skus", "details", "place"),
    [
        ({"type": "user", "id": 3}, [], {}, "subject.id"),
        ({"type": "user"}, [None], {}, "skus[0]"),
        ({"type": "user"}, ["X"], {"assigned_by_group": "oops"}, "details.assigned_by_group"),
        ({"type": "user"}, ["X"], {"sku_ids": {"X": 1}}, "details.sku_ids[...]"),
        ({"type": "user"}, ["X"], {"storage": {"wait": 3}}, "details.storage.wait"),
        ({"type": "user"}, ["X"], {"bill": {"drop": "many"}}, "details.bill.drop"),
    ],
)
def test_malformed_parts_are_refused_with_their_place(
    subject: dict[str, Any], skus: list[Any], details: dict[str, Any], place: str
) -> None:
    """A finding's subject, products, holding and fix are decoded once (auditor.data.finding_facts):
    a value of the wrong type is named, never read as something else."""
    with pytest.raises(FindingFactsError, match=re.escape(f"`{place}`")):
        remediation(LicenseRedundant.id, finding_of(subject, skus, details), cloud=Cloud.WORLDWIDE, locale=Locale.EN)


def test_unknown_rule_raises_key_error() -> None:
    with pytest.raises(KeyError):
        remediation("no-such-rule", finding_of({}, [], {}), cloud=Cloud.WORLDWIDE, locale=Locale.EN)
    with pytest.raises(KeyError):
        message("no-such-rule", finding_of({}, [], {}), locale=Locale.EN)


def test_output_is_deterministic_plain_text() -> None:
    hostile = {**USER, "display_name": "<b>Ann</b> {sku} & {0}"}
    a = rich_fix(SkuForbidden.id, subject=hostile)
    b = rich_fix(SkuForbidden.id, subject=hostile)
    assert a == b
    assert "<b>Ann</b> {sku} & {0}" in a["summary"]  # verbatim: escaping belongs to the renderers
    msg = message(SkuForbidden.id, finding_of(hostile, ["SPE_E5"], {}), locale=Locale.NL)
    assert "<b>Ann</b> {sku} & {0}" in msg and "&amp;" not in msg


# --- cloud variants ----------------------------------------------------------------------------


def test_replace_steps_differ_per_cloud() -> None:
    ww, de, cn = (rich_fix(SkuNotAllowed.id, c)["steps"] for c in (Cloud.WORLDWIDE, Cloud.GERMANY, Cloud.CHINA))
    assert len({tuple(ww), tuple(de), tuple(cn)}) == 3
    text = {c: "\n".join(s) for c, s in (("ww", ww), ("de", de), ("cn", cn))}
    assert "linkid=834822" in text["ww"] and "linkid=847686" in text["de"] and "linkid=850628" in text["cn"]
    assert "More options (...)" in text["ww"] and "Manage product licenses" in text["ww"]
    assert "Replace existing product license assignments > Next" in text["ww"]
    assert "Replace > Close." in text["ww"] and "Bulk actions" not in text["ww"]
    for legacy in (text["de"], text["cn"]):
        assert "Bulk actions" in legacy and "Edit product licenses" in legacy and "Assign products" in legacy
        assert "Replace > Close > Close" in legacy and "More options" not in legacy


@pytest.mark.parametrize(
    ("cloud", "portal"), [(Cloud.USGOV, "https://portal.office365.us"), (Cloud.USGOV_DOD, "https://portal.apps.mil")]
)
def test_us_government_clouds_use_worldwide_steps_at_their_own_portal(cloud: Cloud, portal: str) -> None:
    """The worldwide admin center's steps, opened at the cloud's own portal, after a note that says
    the path is not confirmed for that cloud; the Graph calls are the same."""
    ww, gov = rich_fix(SkuNotAllowed.id, Cloud.WORLDWIDE), rich_fix(SkuNotAllowed.id, cloud)
    assert portal in gov["steps"][0] and "not confirmed" in gov["steps"][0]
    assert gov["steps"][1:] == [s.replace(ACTIVE_USERS_URL[Variant.WORLDWIDE], portal) for s in ww["steps"]]
    assert gov["actions"] == ww["actions"] and gov["summary"] == ww["summary"]


def test_dutch_replace_steps_use_dutch_labels() -> None:
    ww = "\n".join(rich_fix(SkuNotAllowed.id, Cloud.WORLDWIDE, Locale.NL)["steps"])
    de = "\n".join(rich_fix(SkuNotAllowed.id, Cloud.GERMANY, Locale.NL)["steps"])
    assert "Gebruikers > Actieve gebruikers" in ww and "Meer opties (...)" in ww
    assert "Productlicenties beheren" in ww and "Bestaande productlicentietoewijzingen vervangen" in ww
    assert "Bulkacties" in de and "Productlicenties bewerken" in de and "Producten toewijzen" in de
    assert "Vervangen > Sluiten > Sluiten" in de


@pytest.mark.parametrize(
    "rule",
    [SkuForbidden.id, UsageLocationMissing.id, SubscriptionExpiring.id, SkuNotApproved.id, AssignmentNotGroupBased.id],
)
def test_other_admin_center_steps_follow_the_cloud(rule: str) -> None:
    ww, de, cn = ("\n".join(rich_fix(rule, c)["steps"]) for c in (Cloud.WORLDWIDE, Cloud.GERMANY, Cloud.CHINA))
    assert ww != de != cn
    assert "linkid=834822" in ww and "linkid=847686" in de and "linkid=850628" in cn


# --- Graph actions ------------------------------------------------------------------------------


def test_replace_is_one_assign_license_call_with_add_and_remove() -> None:
    r = rich_fix(SkuNotAllowed.id)
    assert act(r)["method"] == "POST"
    assert act(r)["path"] == "/users/11111111-aaaa/assignLicense"
    assert act(r)["body"] == {"addLicenses": [{"disabledPlans": [], "skuId": F3}], "removeLicenses": [E5]}
    assert "SPE_F3" in r["summary"] and "SPE_E5" in r["summary"]
    assert any("takes away every license" in s for s in r["steps"])
    assert any("Reassign the freed licenses" in s for s in r["next_steps"])
    assert r["role"] == "Global Administrator, License Administrator or User Administrator"


def test_not_allowed_without_replacement_removes_and_names_allowed_products() -> None:
    _, _, details = RICH[SkuNotAllowed.id]
    details = {k: v for k, v in details.items() if not k.startswith("replace_with")} | {"allowed": ["SPE_F1", "SPE_F3"]}
    r = rich_fix(SkuNotAllowed.id, details=details)
    assert act(r)["body"] == {"addLicenses": [], "removeLicenses": [E5]}
    assert "SPE_F1 or SPE_F3" in r["summary"]
    assert any("SPE_F1 or SPE_F3" in s for s in r["steps"])


def test_direct_license_is_removed_per_user() -> None:
    r = rich_fix(SkuForbidden.id)
    assert r["actions"] == [
        {
            "kind": "assign_license",
            "method": "POST",
            "path": "/users/11111111-aaaa/assignLicense",
            "body": {"addLicenses": [], "removeLicenses": [E5]},
            "description": "Removes the directly assigned SPE_E5 from Ann Lee (ann@contoso.example).",
            "user": "11111111-aaaa",
            "group": None,
            "precondition": [{"holds": E5.lower(), "how": "direct"}],
            "seats": {"SPE_E5": -1},
            "ready": True,
            "blocked": None,
        }
    ]


def test_group_assigned_license_is_fixed_through_the_group() -> None:
    details = {
        "forbidden": ["SPE_E5"],
        "assigned_by_group": {"SPE_E5": ["Sales"]},
        "group_kinds": {},
        "assigned_by_group_ids": {"SPE_E5": ["g-sales"]},
        "sku_ids": {"SPE_E5": E5},
    }
    r = rich_fix(SkuForbidden.id, details=details)
    action = act(r)
    assert action["method"] == "DELETE" and action["body"] is None
    assert action["path"] == "/groups/g-sales/members/11111111-aaaa/$ref"
    text = all_text(r)
    assert "Sales" in r["summary"] and "cannot be removed from a single user" in text
    assert any("Groups > All groups > Sales > Members" in s for s in r["steps"])
    assert any("Groups > All groups > Sales > Licenses" in s for s in r["steps"])
    assert "Groups Administrator" in r["role"]
    assert not any("Active users" in s for s in r["steps"])  # no per-user removal offered
    assert "https://docs.microsoft.com/graph/api/group-delete-members" in {link["url"] for link in r["links"]}


def test_group_assigned_without_ids_and_with_several_groups() -> None:
    base = {"sku_ids": {"SPE_E5": E5}}
    r = rich_fix(DisabledUserLicensed.id, details=base | {"assigned_by_group": {"SPE_E5": ["Sales"]}})
    assert act(r)["path"] == "/groups/{group-id}/members/11111111-aaaa/$ref"
    assert "look up the group's id" in act(r)["description"]
    assert not act(r)["ready"] and act(r)["blocked"] == "placeholder" and act(r)["group"] is None
    r = rich_fix(
        DisabledUserLicensed.id,
        details=base
        | {
            "assigned_by_group": {"SPE_E5": ["Sales", "All"]},
            "group_kinds": {},
            "assigned_by_group_ids": {"SPE_E5": ["g2", "g1"]},
        },
    )
    # names and ids are listed in one order: each call leaves the group its text names (Sales = g2, All = g1)
    assert [a["path"] for a in r["actions"]] == [
        "/groups/g2/members/11111111-aaaa/$ref",
        "/groups/g1/members/11111111-aaaa/$ref",
    ]
    assert ["Sales" in r["actions"][0]["description"], "All" in r["actions"][1]["description"]] == [True, True]


def test_mixed_direct_and_group_removes_only_the_direct_one_per_user() -> None:
    details = {
        "assigned_by_group": {"SPE_E5": [], "EMS": ["Security"]},
        "group_kinds": {},
        "assigned_by_group_ids": {"EMS": ["g-s"]},
        "sku_ids": {"SPE_E5": E5, "EMS": EMS},
    }
    r = rich_fix(InactiveUserLicensed.id, skus=["EMS", "SPE_E5"], details=details | {"days": 90, "last_sign_in": None})
    assert act(r)["body"] == {"addLicenses": [], "removeLicenses": [E5]}
    assert [(a["kind"], a["group"]) for a in r["actions"]] == [("assign_license", None), ("remove_member", "g-s")]
    assert "SPE_E5" in r["summary"] and "EMS" in r["summary"]
    assert any("Security" in s for s in r["steps"])


def test_replace_when_the_old_product_comes_from_a_group() -> None:
    _, _, details = RICH[SkuNotAllowed.id]
    details = details | {
        "assigned_by_group": {"SPE_E5": ["Knowledge workers"]},
        "group_kinds": {},
        "assigned_by_group_ids": {"SPE_E5": ["g-kw"]},
    }
    r = rich_fix(SkuNotAllowed.id, details=details)
    # no group is known to assign SPE_F3: it is assigned directly first, then the group is left
    assert [a["kind"] for a in r["actions"]] == ["assign_license", "remove_member"]
    assert act(r)["body"] == {"addLicenses": [{"disabledPlans": [], "skuId": F3}], "removeLicenses": []}
    assert r["actions"][1]["path"] == "/groups/g-kw/members/11111111-aaaa/$ref"
    assert "Knowledge workers" in r["summary"] and "SPE_F3" in r["summary"]


def test_required_missing_assigns_the_first_required_product() -> None:
    r = rich_fix(SkuRequiredMissing.id)
    assert act(r)["body"] == {"addLicenses": [{"disabledPlans": [], "skuId": F3}], "removeLicenses": []}
    assert "SPE_F3 or SPE_E3" in r["summary"]
    r = rich_fix(SkuRequiredMissing.id, details={"required_any": ["SPE_E3"]})
    assert act(r)["body"]["addLicenses"][0]["skuId"] == "<skuId of SPE_E3>"


def test_not_group_based_adds_to_group_before_removing_direct() -> None:
    r = rich_fix(AssignmentNotGroupBased.id)
    steps = "\n".join(r["steps"])
    assert steps.index("Add members") < steps.index("Wait until") < steps.index("clear the box")
    assert act(r)["body"] == {"addLicenses": [], "removeLicenses": [E5]}
    assert "Once the group's license is active" in act(r)["description"]
    assert not act(r)["ready"] and act(r)["blocked"] == "after_group"  # never before a group's copy is active


def test_combination_removes_the_product_the_other_includes() -> None:
    r = rich_fix(SkuCombinationForbidden.id)
    assert act(r)["body"] == {"addLicenses": [], "removeLicenses": [EMS]}
    assert "SPE_E5 and EMS" in r["summary"]
    assert any("keep SPE_E5 and remove EMS" in s for s in r["steps"])


def test_combination_without_a_covering_product_prefills_nothing() -> None:
    subject, skus, details = RICH[SkuCombinationForbidden.id]
    plain = {k: v for k, v in details.items() if k not in ("remove", "keep")}
    r = remediation(
        SkuCombinationForbidden.id, finding_of(subject, skus, plain), cloud=Cloud.WORLDWIDE, locale=Locale.EN
    )
    assert r["actions"] == []  # only the admin knows which product stays
    assert any("Decide which of" in s for s in r["steps"])
    # each way is spelled out, and each removes one product only
    assert [alt["actions"][0]["body"]["removeLicenses"] for alt in r["alternatives"]] == [[E5], [EMS]]


@pytest.mark.parametrize(
    "rule", [DisabledUserLicensed.id, InactiveUserLicensed.id, GuestLicensed.id, SkuForbidden.id, SkuNotAllowed.id]
)
@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_a_removal_that_costs_data_is_not_prefilled(rule: str, locale: Locale) -> None:
    subject, skus, details = RICH[rule]
    part = skus[0]
    lost = {**details, "data_lost": {part: ["Exchange Online (Plan 2)"]}}
    r = remediation(rule, finding_of(subject, skus, lost), cloud=Cloud.GERMANY, locale=locale)
    # the removal stays listed (the report shows it), but is never ready to run
    sid = details["sku_ids"][part]
    touching = [
        a
        for a in r["actions"]
        if (sid in str(a["body"]) and a["body"] and sid in a["body"].get("removeLicenses", []))
        or a["kind"] == "remove_member"
    ]
    assert touching, rule
    assert all(not a["ready"] and a["blocked"] == "data_lost" for a in touching), rule
    assert "Exchange Online (Plan 2)" in r["summary"]
    assert sum("Exchange Online (Plan 2)" in s for s in r["steps"]) == 1
    assert not LEFTOVER.search(all_text(r))


@pytest.mark.parametrize(
    ("code", "expect"),
    [
        ("CountViolation", "not enough"),
        ("MutuallyExclusiveViolation", "conflicts"),
        ("DependencyViolation", "depends on"),
        ("UniquenessViolation", "proxy addresses"),
        ("SomethingNew", "SomethingNew"),
        ("Other", "Other"),
    ],
)
def test_assignment_error_guidance_per_code(code: str, expect: str) -> None:
    _, _, details = RICH[LicenseAssignmentError.id]
    r = rich_fix(LicenseAssignmentError.id, details=details | {"error": code})
    assert expect in r["summary"]
    assert act(r)["method"] == "POST"
    assert act(r)["path"] == "/users/11111111-aaaa/reprocessLicenseAssignment"
    assert act(r)["body"] is None
    assert "Reprocess" in r["steps"][-1]
    assert any("All Staff" in s for s in r["steps"])  # group-assigned: the group's page
    if code == "CountViolation":
        assert "Billing Administrator" in r["role"]
        assert any("Buy licenses" in s for s in r["steps"])


def test_assignment_error_for_usage_location_sets_it() -> None:
    _, _, details = RICH[LicenseAssignmentError.id]
    r = rich_fix(LicenseAssignmentError.id, details=details | {"error": "ProhibitedInUsageLocationViolation"})
    assert act(r)["method"] == "PATCH" and act(r)["path"] == "/users/11111111-aaaa"
    assert set(act(r)["body"]) == {"usageLocation"}
    assert "usage location" in r["summary"] and "Reprocess" in r["steps"][-1]


def test_an_error_value_graph_does_not_document_gets_the_generic_advice() -> None:
    """UsageLocationNotAllowed is not a licenseAssignmentState.error value; it used to get usage advice."""
    _, _, details = RICH[LicenseAssignmentError.id]
    r = rich_fix(LicenseAssignmentError.id, details=details | {"error": "UsageLocationNotAllowed"})
    assert act(r)["method"] == "POST" and act(r)["path"].endswith("/reprocessLicenseAssignment")
    assert "(UsageLocationNotAllowed)" in r["summary"]


def test_dependency_violation_means_removal_is_blocked_by_a_dependent_product() -> None:
    """Microsoft: another assigned product depends on this one, so removing it is blocked."""
    _, _, details = RICH[LicenseAssignmentError.id]
    r = rich_fix(LicenseAssignmentError.id, details=details | {"error": "DependencyViolation"})
    assert "is blocked" in r["summary"] and "depends on" in r["summary"]
    assert any("only then remove" in s for s in r["steps"])


def test_usage_location_missing_patches_the_user() -> None:
    r = rich_fix(UsageLocationMissing.id)
    assert act(r)["method"] == "PATCH"
    assert act(r)["path"] == "/users/11111111-aaaa"
    assert act(r)["body"] == {"usageLocation": "XX"}
    assert "cannot be assigned without" in r["summary"]


def test_unused_seats_reassign_or_remove_from_subscription() -> None:
    r = rich_fix(SpareSeatsOverLimit.id)
    steps = "\n".join(r["steps"])
    assert "Billing > Your products" in steps and "Remove licenses" in steps and "85 licenses" in steps
    assert "15" in r["summary"]
    assert act(r)["path"] == "/users/{user-id}/assignLicense"
    assert act(r)["body"] == {"addLicenses": [{"disabledPlans": [], "skuId": E5}], "removeLicenses": []}
    assert "Billing Administrator" in r["role"]


def test_too_few_free_seats_buy_or_free() -> None:
    r = rich_fix(SpareSeatsUnderMinimum.id)
    steps = "\n".join(r["steps"])
    assert "Buy licenses" in steps and "105 licenses" in steps
    assert act(r)["method"] == "GET" and E5 in act(r)["path"]
    over = rich_fix(SpareSeatsUnderMinimum.id, details={"enabled": 10, "consumed": 12, "unused": -2, "min": None})
    assert "(2 licenses short)" in over["summary"] and "12 licenses" in "\n".join(over["steps"])


def test_subscription_trial_paid_and_past_differ() -> None:
    trial = rich_fix(SubscriptionExpiring.id)
    _, _, details = RICH[SubscriptionExpiring.id]
    paid = rich_fix(SubscriptionExpiring.id, details=details | {"is_trial": False})
    past = rich_fix(SubscriptionExpiring.id, details=details | {"status": "Warning", "days_left": -3})
    assert len({trial["summary"], paid["summary"], past["summary"]}) == 3
    assert "trial" in trial["summary"] and "Dec 1, 2026" in trial["summary"]
    assert "recurring billing" in paid["summary"]
    assert "past its end date" in past["summary"] and "Warning" in past["summary"]
    assert any("grace period" in s for s in past["steps"])
    for r in (trial, paid, past):
        assert any("Replace existing product license assignments" in s for s in r["steps"])
        assert "Billing Administrator" in r["role"]


def test_waiver_expired_points_to_owner() -> None:
    r = rich_fix(WaiverExpired.id)
    assert "it-lead@contoso.example" in r["summary"]
    title = wording.title(SkuForbidden.id, Locale.EN)
    assert any(f"“{title}”" in s for s in r["steps"]) and not any(SkuForbidden.id in s for s in r["steps"])


# --- across tenants -----------------------------------------------------------------------------

TRANSFER_URLS = {
    "https://support.microsoft.com/help/4471406/how-to-contact-the-microsoft-volume-licensing-service-center",
    "https://docs.microsoft.com/Exchange/mailbox-migration/migrate-mailboxes-across-tenants",
    "https://aka.ms/modernSpoAdminCenter/CloudContentMigrations",
    "https://docs.microsoft.com/microsoft-365/commerce/licenses/buy-licenses",
}


@pytest.mark.parametrize("rule", [CrossTenantDuplicate.id, SeatsRebalanceAcrossTenants.id])
def test_transfer_guidance(rule: str) -> None:
    r = rich_fix(rule)
    steps = "\n".join(r["steps"])
    assert "cannot be transferred" in steps and "cannot be moved between tenants" in r["summary"]
    assert "Volume Licensing Service Center" in steps
    assert "cancel its subscription" in steps and "buy the licenses in the tenant" in steps
    assert "remove the licenses it no longer needs" in steps and "buy the same number in the other tenant" in steps
    assert "cross-tenant mailbox migration" in steps and "SharePoint data (cloud content migration)" in steps
    assert {link["url"] for link in r["links"]} >= TRANSFER_URLS
    for locale in Locale:
        localized = rich_fix(rule, locale=locale)
        assert {link["url"] for link in localized["links"]} >= TRANSFER_URLS
        assert len(localized["steps"]) == len(r["steps"])


def test_rebalance_names_both_tenants() -> None:
    r = rich_fix(SeatsRebalanceAcrossTenants.id)
    assert "Contoso (12)" in r["summary"] and "Fabrikam (4)" in r["summary"]


# --- messages -----------------------------------------------------------------------------------


def test_messages_choose_their_variant() -> None:
    subject, skus, details = RICH[InactiveUserLicensed.id]
    assert "(last sign-in: Jan 2, 2026)" in message(
        InactiveUserLicensed.id, finding_of(subject, skus, details), locale=Locale.EN
    )
    never = message(
        InactiveUserLicensed.id, finding_of(subject, skus, details | {"last_sign_in": None}), locale=Locale.EN
    )
    assert "never signed in" in never
    subject, skus, details = RICH[SubscriptionExpiring.id]
    assert message(SubscriptionExpiring.id, finding_of(subject, skus, details), locale=Locale.EN).startswith(
        "The trial SPE_E5 ends on Dec 1, 2026"
    )
    # a subscription is named by its product's name, never by its id (the report's subject column has that)
    named = message(
        SubscriptionExpiring.id,
        finding_of(subject, skus, details),
        locale=Locale.EN,
        names={"SPE_E5": "Microsoft 365 E5"},
    )
    assert named.startswith("The trial Microsoft 365 E5 ends on Dec 1, 2026") and "sub-1" not in named


def test_message_numbers_stay_plain() -> None:
    subject, skus, _ = RICH[SpareSeatsOverLimit.id]
    details = {"enabled": 12000, "consumed": 10766, "unused": 1234, "limit": 100}
    for locale in Locale:
        text = message(SpareSeatsOverLimit.id, finding_of(subject, skus, details), locale=locale)
        assert "1234" in text and "12000" in text and "100" in text


def test_cross_tenant_duplicate_targets_the_other_tenants_account() -> None:
    plan = remediation(
        CrossTenantDuplicate.id,
        finding_of(
            {"type": "user", "id": "alice@contoso.example", "upn": "alice@contoso.example"},
            ["SPE_E3"],
            {
                "identity": "alice@contoso.example",
                "sku_ids": {"SPE_E3": "05e9a617-0261-4cee-bb44-138d3ef5d965"},
                "tenants": [
                    {"id": "t1", "name": "Contoso", "upn": "alice@contoso.example", "user_id": "u-1"},
                    {"id": "t2", "name": "Fabrikam", "upn": "alice@fabrikam.example", "user_id": "u-2"},
                ],
            },
        ),
        cloud=Cloud.WORLDWIDE,
        locale=Locale.EN,
    )
    action = plan["actions"][0]
    assert action["path"] == "/users/u-2/assignLicense" and action["tenant"] == "t2"
    assert action["body"] == {"addLicenses": [], "removeLicenses": ["05e9a617-0261-4cee-bb44-138d3ef5d965"]}


RESOLVE = "https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems"


@pytest.mark.parametrize(
    ("code", "anchor"),
    [
        ("CountViolation", "#not-enough-licenses"),
        ("MutuallyExclusiveViolation", "#conflicting-service-plans"),
        ("DependencyViolation", "#other-products-depend-on-this-license"),
        ("ProhibitedInUsageLocationViolation", "#usage-location-isnt-allowed"),
        ("UniquenessViolation", "#duplicate-proxy-addresses"),
        ("Other", "#find-license-assignment-errors"),
        ("SomethingNew", "#find-license-assignment-errors"),
    ],
)
def test_each_assignment_error_cites_its_section_of_the_resolve_page(code: str, anchor: str) -> None:
    _, _, details = RICH[LicenseAssignmentError.id]
    r = rich_fix(LicenseAssignmentError.id, details=details | {"error": code})
    assert r["links"][0]["url"] == RESOLVE + anchor
    # group-assigned: also the section on reprocessing the group
    assert RESOLVE + "#force-group-license-processing-to-resolve-errors" in [link["url"] for link in r["links"]]


def test_an_active_with_error_assignment_is_worded_as_partly_active() -> None:
    _, _, details = RICH[LicenseAssignmentError.id]
    r = rich_fix(LicenseAssignmentError.id, details=details | {"state": "ActiveWithError"})
    assert r["summary"].startswith("SPE_E5 is active for Ann Lee (ann@contoso.example), but not every part")
    msg = message(
        LicenseAssignmentError.id,
        finding_of(USER, ["SPE_E5"], details | {"state": "ActiveWithError"}),
        locale=Locale.EN,
    )
    assert "is active for" in msg and "not all of it could be applied" in msg
    plain = message(LicenseAssignmentError.id, finding_of(USER, ["SPE_E5"], details), locale=Locale.EN)
    assert "failed" in plain and "active" not in plain


def test_usage_location_error_means_not_offered_there() -> None:
    _, _, details = RICH[LicenseAssignmentError.id]
    r = rich_fix(LicenseAssignmentError.id, details=details | {"error": "ProhibitedInUsageLocationViolation"})
    assert "not available in the usage location" in r["summary"]
    assert "out of the group" in r["steps"][0]


def test_group_errors_guidance_names_the_group_each_cause_and_reprocess() -> None:
    r = rich_fix(GroupLicenseErrors.id)
    assert "All Staff" in r["summary"] and "(3 members in this audit)" in r["summary"]
    assert r["steps"][0].startswith("In the Microsoft Entra admin center, go to Groups > All groups > All Staff")
    # each cause in words, Graph's code beside it
    assert [s.split(":")[0] for s in r["steps"][1:3]] == [
        "Not enough licenses (CountViolation)",
        "Conflicting service plans (MutuallyExclusiveViolation)",
    ]
    assert "2 members affected" in r["steps"][1] and "Reprocess" in r["steps"][-1]
    assert act(r)["method"] == "GET"
    assert act(r)["path"].startswith("/groups/g-1/membersWithLicenseErrors")
    urls = [link["url"] for link in r["links"]]
    assert urls[:3] == [
        RESOLVE + "#find-license-assignment-errors",
        RESOLVE + "#not-enough-licenses",
        RESOLVE + "#conflicting-service-plans",
    ]
    assert "Groups Administrator" in r["role"]


def test_a_rules_own_detail_of_the_wrong_type_is_refused_with_its_place() -> None:
    """The rule's own details are decoded by its record (the rule's, found by its id); an absent field
    takes its default (an older report), one of the wrong type is named."""
    subject, skus, details = RICH[SpareSeatsOverLimit.id]
    assert message(SpareSeatsOverLimit.id, finding_of(subject, skus, {}), locale=Locale.EN)
    with pytest.raises(FindingFactsError, match=re.escape("`details.enabled`")):
        message(SpareSeatsOverLimit.id, finding_of(subject, skus, details | {"enabled": "many"}), locale=Locale.EN)
