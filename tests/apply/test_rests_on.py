"""A removal that rests on another product (license-redundant, sku-combination-forbidden) is made
only while the user still holds that product in a working copy with the plans that covered it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.plan.actions import Action, PlanFinding
from auditor.plan.covers import with_kept
from auditor.rules.assignments import SkuCombinationForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.overlap import LicenseRedundant

from .conftest import DORA, E3, E5, TEAMS, assign, outcome_lines, run, write_plan


@pytest.mark.parametrize(
    ("e5", "outcome", "note"),
    [
        ([], "done", ""),
        ([TEAMS], "skipped", f"SPE_E5 ({E5}) has service plan(s) {TEAMS} turned off now, and the change rests on them"),
        (None, "skipped", f"the user does not hold SPE_E5 ({E5})"),
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


def test_the_plan_gives_a_redundant_removal_and_a_combination_removal_the_kept_product() -> None:

    def finding(rule: str, details: dict[str, Any]) -> PlanFinding:
        return PlanFinding("f1", rule, 3, "Dora", False, None, {"sku_ids": {"SPE_E3": E3, "SPE_E5": E5}, **details}, ())

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
    other = finding(DisabledUserLicensed.id, {})
    assert with_kept(other, removal) is removal
