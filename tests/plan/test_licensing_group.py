"""The policy's licensing group in the plan: `group_based_only` moves a direct copy to the group
(join, then remove the direct copy once the group's copy is active) and `sku-required-missing`
joins it instead of assigning directly; a name that matches no group, several groups or a group
that does not assign the product waits, naming the policy file and line. Seats: a move takes and
frees nothing (the user holds the product throughout); a join that gives a product takes a seat."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.blocked import GROUP_DYNAMIC, GROUP_KIND_UNKNOWN, GROUP_MAIL, GROUP_SYNCED, LICENSING_GROUP
from auditor.data.model import Locale
from auditor.plan.compile import compile_plan
from auditor.plan.write import plan_markdown
from auditor.report.document import build_document
from auditor.rules.assignments import AssignmentNotGroupBased, SkuRequiredMissing
from tests.core.factory import AS_OF, E3, F1, audit, policy_file, sku, tenant, user

ANNA = "11111111-1111-4111-8111-111111111111"  # E3 directly
BEN = "22222222-2222-4222-8222-222222222222"  # nothing, in the population that requires F1
G_E3 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
G_F1 = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
EXCHANGE = "efb87545-963c-4e0d-99df-69c6916d9eb0"

POLICY = """catalog:
  - sku: SPE_E3
    price: {monthly: 33.75, currency: EUR}
    licensing_group: "E3 Users"
  - sku: SPE_F1
    price: {monthly: 2.25, currency: EUR}
    licensing_group: "F1 Users"
assignments:
  - name: everyone
    match: {all: true}
    group_based_only: [SPE_E3]
  - name: frontline
    match: {upn: ["ben@*"]}
    required_any: [SPE_F1]
"""


def _groups(
    *, e3_name: str = "E3 Users", e3_plans_off: tuple[str, ...] = (), extra: tuple[dict[str, Any], ...] = ()
) -> list[dict[str, Any]]:
    return [
        {
            "id": G_E3,
            "displayName": e3_name,
            "members": [],
            "assignedLicenses": [{"skuId": E3, "disabledPlans": list(e3_plans_off)}],
        },
        {
            "id": G_F1,
            "displayName": "F1 Users",
            "members": [],
            "assignedLicenses": [{"skuId": F1, "disabledPlans": []}],
        },
        *extra,
    ]


def _plan(tmp_path: Path, groups: list[dict[str, Any]], policy: str = POLICY) -> tuple[Any, dict[str, Any]]:
    doc = tenant(
        [user("anna", "SPE_E3", id=ANNA), user("ben", id=BEN)],
        skus=[sku("SPE_E3", 10, 1), sku("SPE_E5"), sku("SPE_F1", 10, 0)],
        groups=groups,
    )
    result = audit(tmp_path, policy, doc)
    document = build_document(result, generated_at=AS_OF, remediate=wording.remediation)
    return compile_plan(document), document


def _finding(document: dict[str, Any], rule: str) -> dict[str, Any]:
    [found] = [f for f in document.findings if f.rule == rule]
    return found


def test_a_direct_copy_moves_to_the_licensing_group_in_two_dependent_steps(tmp_path: Path) -> None:
    plan, document = _plan(tmp_path, _groups())
    anna = [c for c in plan.changes if c.user == ANNA]
    assert [c.kind for c in anna] == ["add_member", "assign_license"]
    join, removal = anna
    assert join.group == G_E3 and join.path == f"/groups/{G_E3}/members/$ref"
    assert removal.body == {"addLicenses": [], "removeLicenses": [E3]}
    assert removal.depends_on == (join.n,)
    assert {"holds": E3, "how": "group", "group": G_E3, "active": True} in removal.precondition
    # Anna holds E3 throughout: the move takes no seat and frees none
    assert join.seats == {} and removal.seats == {}
    assert join.description == "Add Anna (anna@contoso.example) to the group E3 Users"
    details = _finding(document, AssignmentNotGroupBased.id).details["licensing_group"]
    assert details["SPE_E3"] | {"file": "-"} == {
        "ref": "E3 Users",
        "file": "-",
        "line": 7,
        "id": G_E3,
        "kind": "assigned",
        "name": "E3 Users",
        "gives": [],
    }
    text = plan_markdown(plan, created_at="2026-11-01T06:00:00Z")
    assert "Runs only once the license from the group that change" in text


def test_a_required_product_comes_from_joining_its_licensing_group(tmp_path: Path) -> None:
    plan, document = _plan(tmp_path, _groups())
    [join] = [c for c in plan.changes if c.user == BEN]
    assert join.kind == "add_member" and join.group == G_F1
    assert join.seats == {"SPE_F1": 1}  # the group's copy takes a seat
    [seat] = [s for s in plan.seats if s.sku == "SPE_F1"]
    assert (seat.consumed, seat.after) == (0, 1)
    # the move of Anna costs nothing; Ben's F1 costs its price
    assert plan.net_monthly == pytest.approx(-2.25)  # negative: it raises the cost
    # the summary names the group the step joins, not only "the required product"
    [ben] = [f for f in document.findings if f.subject.id == BEN and f.rule == SkuRequiredMissing.id]
    assert (
        ben.remediation["summary"].startswith("Add Ben")
        and "to the group F1 Users, which assigns" in ben.remediation["summary"]
    )


@pytest.mark.parametrize(
    ("groups", "words"),
    [
        (_groups(e3_name="Somebody else"), "but no group of the tenant has that name or object id"),
        (
            _groups(
                extra=(
                    {
                        "id": "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
                        "displayName": "e3 users",
                        "members": [],
                        "assignedLicenses": [],
                    },
                )
            ),
            "but 2 groups of the tenant have that name",
        ),
        (
            [{"id": G_E3, "displayName": "E3 Users", "members": [], "assignedLicenses": []}],
            "but the group does not assign Microsoft 365 E3",
        ),
        (_groups(e3_plans_off=(EXCHANGE,)), "turned off, which the user's direct assignment turns on"),
    ],
    ids=["not-found", "ambiguous", "not-assigning", "plans-lost"],
)
def test_a_licensing_group_that_cannot_be_joined_waits_and_says_where(
    tmp_path: Path, groups: list[dict[str, Any]], words: str
) -> None:
    plan, document = _plan(tmp_path, groups)
    assert [c for c in plan.changes if c.user == ANNA] == []
    finding = _finding(document, AssignmentNotGroupBased.id)
    [skipped] = [s for s in plan.skipped if s.finding == finding.id]
    assert skipped.reason == LICENSING_GROUP
    assert words in skipped.description
    assert "(p.yaml:7)" in skipped.description  # outside the working folder: the file's name alone
    text = plan_markdown(plan, created_at="2026-11-01T06:00:00Z")
    assert "licensing group cannot be joined as it stands" in text


def test_a_member_whose_group_copy_did_not_apply_is_not_joined_again(tmp_path: Path) -> None:
    groups = _groups()
    # a direct member already, but holds no F1: the group's copy did not reach him, so the fix
    # reprocesses his licenses; it neither joins the group again nor adds a direct copy
    groups[1] |= {"members": [BEN], "directMembers": [BEN]}
    plan, _ = _plan(tmp_path, groups)
    assert [c.kind for c in plan.changes if c.user == BEN] == ["reprocess"]
    assert not [s for s in plan.skipped if s.rule == SkuRequiredMissing.id]


POLICY_E3 = """catalog:
  - sku: SPE_E3
    licensing_group: "E3 Users"
assignments:
  - name: everyone
    match: {all: true}
    group_based_only: [SPE_E3]
"""


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_the_move_reads_in_every_language(tmp_path: Path, locale: Locale) -> None:
    doc = tenant([user("anna", "SPE_E3", id=ANNA)], skus=[sku("SPE_E3", 10, 1)], groups=_groups())
    document = build_document(
        audit(tmp_path, POLICY_E3, doc), generated_at=AS_OF, locale=locale, remediate=wording.remediation
    )
    rem = _finding(document, AssignmentNotGroupBased.id).remediation
    assert not any("{" in step for step in rem["steps"])
    assert "E3 Users" in rem["steps"][0]
    join, removal = rem["actions"]
    assert "E3 Users" in join["description"] and join["ready"] and removal["ready"]
    if locale is not Locale.EN:  # translated, not the English
        assert "Microsoft Entra admin center, go to Groups" not in rem["steps"][0]
        assert not join["description"].startswith("Adds ")


def test_validate_names_a_licensing_group_the_tenant_lacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    snapshot = tmp_path / "tenant.json"
    snapshot.write_text(
        json.dumps(tenant([user("anna", "SPE_E3", id=ANNA)], groups=_groups(e3_name="Other"))), encoding="utf-8"
    )
    path = policy_file(tmp_path, POLICY)
    assert main(["validate", path, "--snapshot", str(snapshot)]) == 0
    err = capsys.readouterr().err
    assert f'{path}:7: licensing_group "E3 Users" for SPE_E3 matches no group in the tenant' in err


@pytest.mark.parametrize(
    ("kind", "reason", "words"),
    [
        (
            {"groupTypes": ["DynamicMembership"], "membershipRule": '(user.department -eq "Office")'},
            GROUP_DYNAMIC,
            'its membership rule "(user.department -eq "Office")" decides who is a member',
        ),
        ({"groupTypes": [], "onPremisesSyncEnabled": True}, GROUP_SYNCED, "synced from on-premises Active Directory"),
        ({"groupTypes": [], "mailEnabled": True, "securityEnabled": True}, GROUP_MAIL, "in the Exchange admin center"),
        ({"groupTypes": None}, GROUP_KIND_UNKNOWN, "does not show whether it is a dynamic group"),
    ],
    ids=["dynamic", "synced", "mail", "unknown"],
)
def test_a_licensing_group_whose_members_no_call_may_change_is_not_joined(
    tmp_path: Path, kind: dict[str, Any], reason: str, words: str
) -> None:
    groups = _groups()
    groups[0] = {**groups[0], **kind}
    plan, document = _plan(tmp_path, groups)
    assert [c for c in plan.changes if c.user == ANNA] == []
    finding = _finding(document, AssignmentNotGroupBased.id)
    [skipped] = [s for s in plan.skipped if s.finding == finding.id]
    assert skipped.reason == reason
    assert words in skipped.description


# --- a replacement whose target has a licensing group joins it (issue 37 item 17) -----------------

REPLACE = """catalog:
  - sku: SPE_F1
    price: {monthly: 2.25, currency: EUR}
    licensing_group: "F1 Users"
assignments:
  - name: frontline
    match: {upn: ["anna@*"]}
    allowed: [SPE_F1]
    required_any: [SPE_F1]
"""


def test_a_replacement_into_a_product_with_a_licensing_group_joins_the_group(tmp_path: Path) -> None:
    """Anna holds E3 directly and may hold only F1, whose catalog entry names "F1 Users": the fix
    joins that group and removes the direct E3 once the group's F1 is active; never a direct F1."""
    from auditor.rules.assignments import SkuNotAllowed

    plan, document = _plan(tmp_path, _groups(), REPLACE)
    actions = _finding(document, SkuNotAllowed.id).remediation["actions"]
    assert [a["kind"] for a in actions] == ["add_member", "assign_license"]
    join, removal = actions
    assert join["path"] == f"/groups/{G_F1}/members/$ref"
    assert removal["body"] == {"addLicenses": [], "removeLicenses": [E3]}
    assert {"holds": F1.lower(), "how": "group", "group": G_F1, "active": True} in removal["precondition"]
    assert not any(F1 in str((a.get("body") or {}).get("addLicenses")) for a in actions)
    # (the plan holds it back until the mailbox is known to fit F1: no usage report here)
    assert [s.reason for s in plan.skipped if s.rule == SkuNotAllowed.id] == ["storage_unknown"]


def test_group_based_only_replacement_joins_a_group_that_assigns_it(tmp_path: Path) -> None:
    from auditor.rules.assignments import SkuNotAllowed

    policy = REPLACE.replace('    licensing_group: "F1 Users"\n', "") + "    group_based_only: true\n"
    _, document = _plan(tmp_path, _groups(), policy)
    actions = _finding(document, SkuNotAllowed.id).remediation["actions"]
    assert [a["kind"] for a in actions] == ["add_member", "assign_license"]
    assert actions[0]["path"] == f"/groups/{G_F1}/members/$ref"
    assert actions[1]["body"] == {"addLicenses": [], "removeLicenses": [E3]}
    # and when no group assigns F1, the replacement waits: never a direct copy
    (tmp_path / "alone").mkdir()
    _, alone = _plan(tmp_path / "alone", [g for g in _groups() if g["id"] != G_F1], policy)
    [waits] = _finding(alone, SkuNotAllowed.id).remediation["actions"]
    assert waits["body"]["addLicenses"] and not waits["ready"] and waits["blocked"] == LICENSING_GROUP
    # without it, the same replacement assigns F1 directly in one Replace call
    (tmp_path / "plain").mkdir()
    _, plain = _plan(tmp_path / "plain", _groups(), REPLACE.replace('    licensing_group: "F1 Users"\n', ""))
    [replace_call] = _finding(plain, SkuNotAllowed.id).remediation["actions"]
    assert replace_call["body"]["addLicenses"][0]["skuId"].lower() == F1.lower()


def test_a_rightsize_into_a_product_with_a_licensing_group_joins_it(tmp_path: Path) -> None:
    from auditor.data.usage_data import ACTIVE_USERS
    from auditor.rules.usage.activity import Rightsize

    policy = (
        'catalog:\n  - sku: SPE_E3\n    licensing_group: "E3 Users"\nusage:\n'
        "  - rightsize: {from: SPE_E5, to: SPE_E3}\n    unless_active: [teams]\n    days: 30\n"
    )
    usage = {
        "reports": [
            {"name": ACTIVE_USERS.name, "period": "D30", "reportRefreshDate": "2026-10-30", "request": "GET /x"}
        ],
        "users": [
            {"userPrincipalName": "cy@contoso.example", "teamsLastActivityDate": None, "reports": [ACTIVE_USERS.name]}
        ],
    }
    doc = tenant(
        [user("cy", "SPE_E5", id=BEN)],
        skus=[sku("SPE_E3", 10, 1), sku("SPE_E5", 10, 1)],
        groups=_groups(),
        collectedParts=["signInActivity", "usageReports"],
        usageReports=usage,
    )
    result = audit(tmp_path, policy, doc)
    document = build_document(result, generated_at=AS_OF, remediate=wording.remediation)
    actions = _finding(document, Rightsize.id).remediation["actions"]
    assert actions[0]["kind"] == "add_member" and actions[0]["path"] == f"/groups/{G_E3}/members/$ref"
    assert not any((a.get("body") or {}).get("addLicenses") for a in actions)


# Exchange Online (Plan 1): carries no AAD_PREMIUM plan (Microsoft's product table) and is not on
# Microsoft's list of products that open group-based licensing (auditor/reference/group-licensing.csv)
EXCHANGE_P1 = "4b9405b0-7788-4568-add1-99614e613b69"
G_MAIL = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
MAIL_POLICY = """catalog:
  - sku: EXCHANGESTANDARD
    price: {monthly: 3.75, currency: EUR}
    licensing_group: "Mail Users"
assignments:
  - name: everyone
    match: {all: true}
    group_based_only: [EXCHANGESTANDARD]
"""


def _mail_user(name: str, *also: str) -> dict[str, Any]:
    """A user holding Exchange Online (Plan 1) directly, and `also` (factory products) directly too."""
    found = user(name, *also)
    found["assignedLicenses"].append({"skuId": EXCHANGE_P1, "disabledPlans": []})
    found["licenseAssignmentStates"].append(
        {"skuId": EXCHANGE_P1, "assignedByGroup": None, "state": "Active", "error": "None"}
    )
    return found


def test_a_move_to_a_group_whose_product_does_not_open_group_licensing_needs_p1(tmp_path: Path) -> None:
    """Group-based licensing needs P1 (or a product Microsoft lists) for each user it licenses: Cara
    holds nothing else, so her move to the group says P1 is needed as well; Dora's Microsoft 365 E3
    carries P1, so hers does not."""
    mail = {
        "skuId": EXCHANGE_P1,
        "skuPartNumber": "EXCHANGESTANDARD",
        "consumedUnits": 2,
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
    }
    groups = [
        {
            "id": G_MAIL,
            "displayName": "Mail Users",
            "members": [],
            "assignedLicenses": [{"skuId": EXCHANGE_P1, "disabledPlans": []}],
        }
    ]
    doc = tenant([_mail_user("cara"), _mail_user("dora", "SPE_E3")], skus=[mail, sku("SPE_E3", 10, 1)], groups=groups)
    document = build_document(audit(tmp_path, MAIL_POLICY, doc), generated_at=AS_OF, remediate=wording.remediation)
    found = {f.subject.upn.split("@")[0]: f for f in document.findings if f.rule == AssignmentNotGroupBased.id}
    assert found["cara"].details["licensing_group"]["EXCHANGESTANDARD"]["needs_p1"] is True
    assert "needs_p1" not in found["dora"].details["licensing_group"]["EXCHANGESTANDARD"]
    p1 = "Group-based licensing needs Microsoft Entra ID P1"
    cara_steps = found["cara"].remediation["steps"]
    assert cara_steps[0].startswith("In the Microsoft Entra admin center") and cara_steps[1].startswith(p1)
    assert "Mail Users" in cara_steps[1] and "Cara" in cara_steps[1]
    assert not any(p1 in step for step in found["dora"].remediation["steps"])


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_a_configuration_problem_is_said_once_in_the_report_s_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], locale: Locale
) -> None:
    """The digest's first lines (the e-mail's) and the report's box said the licensing group the tenant
    lacks in English with its part number, and the console and the report said it twice."""
    import json

    snapshot = tmp_path / "tenant.json"
    doc = tenant([user("anna", "SPE_E3", id=ANNA)], skus=[sku("SPE_E3", 10, 1)], groups=_groups(e3_name="Other"))
    snapshot.write_text(json.dumps(doc), encoding="utf-8")
    path = policy_file(tmp_path, POLICY + "  - name: flows\n    match: {all: true}\n    forbidden: [FLOW_FREE]\n")
    out = tmp_path / "out"
    argv = ["audit", "--snapshot", str(snapshot), "--policies", path, "--output-dir", str(out)]
    main([*argv, "--locale", locale.value, "--format", "json,md,html", "--as-of", "2026-11-01T06:00:00Z"])
    err = capsys.readouterr().err
    assert err.count('licensing_group "E3 Users"') == 1, err
    digest = (out / "digest.txt").read_text("utf-8")
    report = re.sub(r"\\(?=[^\w\s]|_)", "", (out / "report.md").read_text("utf-8"))  # Markdown's escapes
    head = "\n".join(digest.splitlines()[:6])
    assert 'licensing_group "E3 Users"' in head and "Microsoft 365 E3" in head
    assert report.count('licensing_group "E3 Users"') == 1
    assert "Microsoft Power Automate Free" in report
    if locale is not Locale.EN:
        for english in ("matches no group", "of SPE_E3", "its findings need", "which the tenant does not have"):
            assert english not in digest and english not in report, english
