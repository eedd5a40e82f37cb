"""A removal that rests on another product (license-redundant, sku-combination-forbidden) is made
only while the user still holds that product in a working copy with the plans that covered it."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.cli import main
from auditor.data.enums import SubjectType
from auditor.data.finding_facts import Subject
from auditor.data.model import AssignedLicense, LicenseAssignmentState, ServicePlan, TenantSnapshot
from auditor.formats.report_model import ReportFinding
from auditor.plan.actions import Action, PlanFinding
from auditor.plan.covers import kept_unknown, with_kept
from auditor.rules.assignments import SkuCombinationForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed
from auditor.rules.hygiene.overlap import LicenseRedundant

from .conftest import (
    CARL,
    DORA,
    E3,
    E5,
    EXCHANGE,
    G_E5,
    TEAMS,
    apply_yes,
    assign,
    make_tenant,
    outcome_lines,
    run,
    write_plan,
)


@pytest.mark.parametrize(
    ("e5", "outcome", "note"),
    [
        ([], "done", ""),
        (
            [TEAMS],
            "skipped",
            "Microsoft 365 E5 has service plan(s) Microsoft Teams turned off now, and the change rests on them",
        ),
        (None, "skipped", "the user does not hold Microsoft 365 E5"),
    ],
)
def test_a_redundant_removal_rests_on_the_covering_product(
    tmp_path: Path, graph_for: Any, e5: list[str] | None, outcome: str, note: str
) -> None:
    graph = graph_for()
    adds = [{"skuId": E3, "disabledPlans": []}] + ([{"skuId": E5, "disabledPlans": e5}] if e5 is not None else [])
    graph.emulator.tenant.assign_license(DORA, {"addLicenses": adds, "removeLicenses": []})
    removal = assign(
        DORA,
        remove=[E3],
        precondition=[{"holds": E3, "how": "direct"}, {"holds": E5, "active": True, "plans_on": [TEAMS]}],
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", write_plan(tmp_path, [removal]), graph, "--yes", "--journal", str(journal)) == 0
    [line] = outcome_lines(journal)
    assert line["outcome"] == outcome
    assert line["note"].startswith(note)
    assert (E3 in graph.direct(DORA)) is (outcome == "skipped")


def _planned(finding: str, rule: str, details: dict[str, object]) -> PlanFinding:
    """A finding on Dora as the plan reads it: the report's finding with no actions."""
    source = ReportFinding(
        id=finding,
        rule=rule,
        severity="high",
        policy="p/hygiene",
        subject=Subject(type=SubjectType.USER, id=DORA, display_name="Dora"),
        skus=["SPE_E3"],
        message="",
        details=details,
        monthly_cost=None,
        waived=False,
        waiver=None,
        remediation=None,
    )
    return PlanFinding(finding, rule, 3, "Dora", False, None, (), {}, source)


def test_the_plan_gives_a_redundant_removal_and_a_combination_removal_the_kept_product() -> None:

    def finding(rule: str, details: dict[str, Any]) -> PlanFinding:
        return _planned("f1", rule, {"sku_ids": {"SPE_E3": E3, "SPE_E5": E5}, **details})

    removal = Action(
        "assign_license",
        True,
        None,
        "",
        DORA,
        None,
        "POST",
        f"/users/{DORA}/assignLicense",
        {"addLicenses": [], "removeLicenses": [E3]},
        {},
        ({"holds": E3, "how": "direct"},),
    )
    redundant = finding(LicenseRedundant.id, {"covered_by": {"SPE_E3": "SPE_E5"}, "cover_plans": {"SPE_E5": [TEAMS]}})
    assert with_kept(redundant, removal).precondition == (
        {"holds": E3, "how": "direct"},
        {"holds": E5, "active": True, "plans_on": [TEAMS]},
    )
    combination = finding(SkuCombinationForbidden.id, {"keep": ["SPE_E5"], "remove": "SPE_E3"})
    assert with_kept(combination, removal).precondition == (
        {"holds": E3, "how": "direct"},
        {"holds": E5, "active": True},
    )
    other = finding(GuestLicensed.id, {})
    assert with_kept(other, removal) is removal
    # a person's rule's removal rests on the account being a person's still (an older report lacks it)
    leaver = finding(DisabledUserLicensed.id, {})
    assert with_kept(leaver, removal).precondition == ({"holds": E3, "how": "direct"}, {"person": True})
    # the kept product's id from the finding's own `cover_ids` (its `sku_ids` lists the removed product only)
    own = _planned(
        "f2",
        LicenseRedundant.id,
        {"sku_ids": {"SPE_E3": E3}, "covered_by": {"SPE_E3": "SPE_E5"}, "cover_ids": {"SPE_E5": E5}},
    )
    assert with_kept(own, removal).precondition[-1] == {"holds": E5, "active": True}
    assert kept_unknown(own) == []
    # a redundancy finding without it: the removal cannot re-check what it rests on, and is not planned
    bare = _planned("f2", LicenseRedundant.id, {k: v for k, v in own.details.items() if k != "cover_ids"})
    assert kept_unknown(bare) == ["SPE_E5"]


# --- end to end: audit -> plan -> the user leaves the group giving the covering product -> apply ---------

REDUNDANT_POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: redundant, owner: it@contoso.example}
hygiene:
  redundant_products: {severity: high}
"""


def _dora_e3_beside_e5_from_a_group() -> TenantSnapshot:
    """Dora holds E3 (Exchange) directly and E5 (Exchange and Teams) from the group G_E5: E3 adds nothing."""
    base = make_tenant()
    skus = tuple(
        msgspec.structs.replace(
            s, service_plans=(*s.service_plans, ServicePlan(EXCHANGE, "EXCHANGE_S_ENTERPRISE", "Success", "User"))
        )
        if s.sku_id == E5
        else s
        for s in base.skus
    )
    states = (LicenseAssignmentState(E3, None, "Active", "None"), LicenseAssignmentState(E5, G_E5, "Active", "None"))
    users = tuple(
        u.with_values(assigned_licenses=(AssignedLicense(E3), AssignedLicense(E5)), license_assignment_states=states)
        if u.id == DORA
        else u
        for u in base.users
        if u.id in (DORA, CARL)
    )
    groups = tuple(msgspec.structs.replace(g, members=(CARL, DORA)) if g.id == G_E5 else g for g in base.groups)
    return dataclasses.replace(base, skus=skus, users=users, groups=groups)


@pytest.mark.parametrize("leaves", [False, True])
def test_a_planned_redundant_removal_is_refused_once_the_covering_product_is_gone(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, leaves: bool
) -> None:
    graph = graph_for(_dora_e3_beside_e5_from_a_group())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    policy = tmp_path / "policy.yaml"
    policy.write_text(REDUNDANT_POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == 1
    assert main(["plan", "--report-dir", str(reports)]) == 0
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    [finding] = [f for f in report["findings"] if f["rule"] == LicenseRedundant.id]
    assert finding["details"]["covered_by"] == {"SPE_E3": "SPE_E5"}
    [change] = json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert change["body"]["removeLicenses"] == [E3]
    assert {"holds": E5, "active": True, "plans_on": sorted([EXCHANGE, TEAMS])} in change["precondition"]

    if leaves:  # between plan and apply, Dora leaves the group that gives her E5
        graph.emulator.tenant.remove_member(G_E5, DORA)
        assert graph.by_group(DORA) == set()
    journal = tmp_path / "j.jsonl"
    assert apply_yes(reports / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    [line] = outcome_lines(journal)
    if leaves:
        assert (line["outcome"], line["note"]) == ("skipped", "the user does not hold Microsoft 365 E5")
        assert graph.direct(DORA) == {E3: ()}  # she keeps her mailbox
    else:
        assert line["outcome"] == "done"
        assert graph.direct(DORA) == {} and graph.by_group(DORA) == {(E5, G_E5)}
