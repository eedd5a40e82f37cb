"""`moves:` end to end: policy -> findings -> plan -> the bill's buy action."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor import wording
from auditor.common.errors import PolicyError
from auditor.evaluation.engine import evaluate
from auditor.formats.report_model import ReportDocument
from auditor.plan.bill import commerce_facts, with_bill
from auditor.plan.compile import compile_plan
from auditor.policyset.load import load_policies
from auditor.report.document import build_document
from auditor.rules.moves.subscription_move import SubscriptionMove
from auditor.snapshot import snapshot_from_json
from tests.core.factory import AS_OF, E3, E5, F1, policy_file, sku, tenant, user

MOVE = """
moves:
  - name: sales-to-e5
    match: {groups: ["Sales"]}
    from: SPE_E3
    to: SPE_E5
"""
IDS = {name: f"00000000-0000-4000-8000-00000000000{n}" for n, name in enumerate(("anna", "bob", "cara", "dave"))}
SALES = {"id": "g-sales", "displayName": "Sales", "members": [IDS["cara"], IDS["anna"], IDS["bob"]]}


def person(name: str, *skus: str, **kw: Any) -> dict[str, Any]:
    return user(name, *skus, id=IDS[name], **kw)


def _run(tmp_path: Path, doc: dict[str, Any], policy: str = MOVE) -> tuple[Any, ReportDocument]:
    snapshot = snapshot_from_json(doc)
    result = evaluate(load_policies([policy_file(tmp_path, policy)]), snapshot, AS_OF)
    document = build_document(result, generated_at=AS_OF, remediate=wording.remediation)
    return result, msgspec.structs.replace(document, **commerce_facts(snapshot.subscriptions, {}))


def _subscription(sid: str, sku_id: str, part: str, total: int) -> dict[str, Any]:
    return {
        "id": sid,
        "skuId": sku_id,
        "skuPartNumber": part,
        "status": "Enabled",
        "isTrial": False,
        "totalLicenses": total,
        "createdDateTime": "2025-01-10T00:00:00Z",
        "nextLifecycleDateTime": "2027-01-10T00:00:00Z",
    }


def test_three_users_two_free_seats_two_move_alphabetically_and_one_seat_is_bought(tmp_path: Path) -> None:
    doc = tenant(
        [person("cara", "SPE_E3"), person("anna", "SPE_E3"), person("bob", "SPE_E3"), person("dave", "SPE_E3")],
        skus=[sku("SPE_E3", 10, 4), sku("SPE_E5", 2, 0), sku("SPE_F1")],
        groups=[SALES],
        subscriptions=[_subscription("s-e3", E3, "SPE_E3", 10), _subscription("s-e5", E5, "SPE_E5", 2)],
    )
    result, document = _run(tmp_path, doc)
    moves = {f.subject.upn: dict(f.details) for f in result.findings if f.rule == SubscriptionMove.id}
    assert sorted(moves) == ["anna@contoso.example", "bob@contoso.example", "cara@contoso.example"]
    assert [moves[u]["waits_for_seats"] for u in sorted(moves)] == [False, False, True]

    plan = compile_plan(document)
    calls = {c.path: c.body for c in plan.changes}
    # one assignLicense per mover that fits: E5 added and E3 removed in the same call (the "Replace")
    assert calls == {
        f"/users/{IDS[n]}/assignLicense": {"addLicenses": [{"disabledPlans": [], "skuId": E5}], "removeLicenses": [E3]}
        for n in ("anna", "bob")
    }
    waiting = [s for s in plan.skipped if s.rule == SubscriptionMove.id]
    assert [(s.subject, s.reason) for s in waiting] == [("Cara", "seats_to_buy")]

    bill = with_bill(plan, document, None, lambda _: None).bill
    assert bill is not None
    buy = [a for a in bill.actions if a.action == "buy"]
    assert [(a.sku, a.seats) for a in buy] == [("SPE_E5", 1)]
    # the two seats E3 frees (plus the 6 that were spare) go into its schedule
    e3 = next(p for p in bill.products if p.sku == "SPE_E3")
    assert (e3.purchased, e3.assigned_after, e3.surplus) == (10, 2, 8)


def test_a_move_through_groups_joins_the_licensing_group_and_names_a_whole_group(tmp_path: Path) -> None:
    e3_group = {
        "id": "g-e3",
        "displayName": "E3 users",
        "members": [IDS["anna"], IDS["bob"]],
        "assignedLicenses": [{"skuId": E3, "disabledPlans": []}],
    }
    e5_group = {
        "id": "g-e5",
        "displayName": "E5 users",
        "members": [],
        "assignedLicenses": [{"skuId": E5, "disabledPlans": []}],
    }
    users = [person(n, "SPE_E3", via="g-e3") for n in ("anna", "bob")]
    doc = tenant(
        users,
        skus=[sku("SPE_E3", 10, 2), sku("SPE_E5", 5, 0), sku("SPE_F1")],
        groups=[{**SALES, "members": [IDS["anna"]]}, e3_group, e5_group],
    )
    policy = MOVE + "catalog:\n  - {sku: SPE_E5, licensing_group: E5 users}\n  - {sku: SPE_E3}\n  - {sku: SPE_F1}\n"
    result, _ = _run(tmp_path, doc, policy)
    (finding,) = [f for f in result.findings if f.rule == SubscriptionMove.id]
    details = dict(finding.details)
    assert details["replace_group"]["name"] == "E5 users"
    assert "whole_group" not in details  # bob stays in "E3 users"

    result, _ = _run(tmp_path, doc, MOVE.replace('groups: ["Sales"]', 'groups: ["E3 users"]') + policy[len(MOVE) :])
    whole = [dict(f.details) for f in result.findings if f.rule == SubscriptionMove.id]
    assert [d["whole_group"] for d in whole] == [["E3 users"], ["E3 users"]]


def test_moves_are_validated_with_located_errors(tmp_path: Path) -> None:
    bad = MOVE + "  - name: sales-to-e5\n    match: {all: true}\n    from: SPE_E5\n    to: spe_e5\n"
    with pytest.raises(PolicyError) as caught:
        load_policies([policy_file(tmp_path, bad)])
    text = str(caught.value)
    assert "p.yaml:10:11: moves[1].name: 'sales-to-e5' is already used by moves[0]" in text
    assert "p.yaml:13:9: moves[1].to: from and to are the same product" in text


def test_the_plans_turned_off_on_from_stay_off_on_to_and_the_missing_ones_are_named(tmp_path: Path) -> None:
    def plans(*names: str) -> list[dict[str, Any]]:
        return [
            {
                "servicePlanId": f"00000000-0000-4000-9000-{n:012d}",
                "servicePlanName": name,
                "provisioningStatus": "Success",
                "appliesTo": "User",
            }
            for n, name in enumerate(names)
        ]

    e3 = {
        **sku("SPE_E3", 10, 1),
        "servicePlans": plans("EXCHANGE_S_ENTERPRISE", "YAMMER_ENTERPRISE", "KAIZALA_O365_P3"),
    }
    e5_plans = [
        {**p, "servicePlanId": p["servicePlanId"][:-3] + "5" + p["servicePlanId"][-2:]}
        for p in plans("EXCHANGE_S_ENTERPRISE", "YAMMER_ENTERPRISE")
    ]
    e5 = {**sku("SPE_E5", 10, 0), "servicePlans": e5_plans}
    yammer_off = user("anna", "SPE_E3", id=IDS["anna"])
    yammer_off["assignedLicenses"][0]["disabledPlans"] = [e3["servicePlans"][1]["servicePlanId"]]
    doc = tenant([yammer_off], skus=[e3, e5, sku("SPE_F1")], groups=[{**SALES, "members": [IDS["anna"]]}])
    _, document = _run(tmp_path, doc)
    (f,) = [f for f in document.findings if f.rule == SubscriptionMove.id]
    assert f.details["keep_disabled"] == ["YAMMER_ENTERPRISE"]
    assert f.details["plans_lost"] == ["KAIZALA_O365_P3"]
    assert f.remediation is not None
    (call,) = f.remediation["actions"]
    assert call["body"]["addLicenses"] == [{"disabledPlans": [e5_plans[1]["servicePlanId"]], "skuId": E5}]
    off = MOVE + "    keep_disabled_plans: false\n"
    _, document = _run(tmp_path, doc, off)
    (f,) = [f for f in document.findings if f.rule == SubscriptionMove.id]
    assert f.remediation is not None
    assert f.remediation["actions"][0]["body"]["addLicenses"] == [{"disabledPlans": [], "skuId": E5}]


def test_a_conflict_or_a_dynamic_group_leaves_the_move_to_a_person(tmp_path: Path) -> None:
    conflicted = person("anna", "SPE_E3")
    conflicted["licenseAssignmentStates"].append(
        {"skuId": F1, "assignedByGroup": None, "state": "Error", "error": "MutuallyExclusiveViolation"}
    )
    dynamic = {
        "id": "g-dyn",
        "displayName": "All Sales (dynamic)",
        "members": [IDS["bob"]],
        "groupTypes": ["DynamicMembership"],
        "membershipRule": '(user.department -eq "Sales")',
        "assignedLicenses": [{"skuId": E3, "disabledPlans": []}],
    }
    doc = tenant(
        [conflicted, person("bob", "SPE_E3", via="g-dyn")],
        skus=[sku("SPE_E3", 10, 2), sku("SPE_E5", 10, 0), sku("SPE_F1")],
        groups=[{**SALES, "members": [IDS["anna"], IDS["bob"]]}, dynamic],
    )
    _, document = _run(tmp_path, doc)
    found = {f.subject.upn.split("@")[0]: f for f in document.findings if f.rule == SubscriptionMove.id}
    anna, bob = found["anna"].remediation, found["bob"].remediation
    assert anna is not None and bob is not None
    assert found["anna"].details["conflict"] == ["SPE_F1"]
    assert {a["blocked"] for a in anna["actions"]} == {"conflict"}
    assert [a["blocked"] for a in bob["actions"] if a["kind"] == "remove_member"] == ["group_dynamic"]
    plan = compile_plan(document)
    assert not plan.changes
    assert {(s.subject, s.reason) for s in plan.skipped if s.rule == SubscriptionMove.id} == {
        ("Anna", "conflict"),
        ("Bob", "group_dynamic"),
    }


def test_validate_with_a_snapshot_refuses_a_product_no_table_knows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.cli import main

    policy = policy_file(tmp_path, MOVE.replace("to: SPE_E5", "to: SPE_E55"))
    assert main(["validate", policy, "--snapshot", "auditor_dev/sample/sample-tenant.json"]) == 2
    assert "the product SPE_E55 is known neither to the tenant nor to Microsoft's product table" in (
        capsys.readouterr().err
    )
