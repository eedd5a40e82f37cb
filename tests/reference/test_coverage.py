"""The service-plan coverage behind license-redundant, checked against Microsoft's table: every
shipped chain is a family the table numbers alike, no product carries two tiers of one, and every
numbered family the table has is either shipped or left out with a reason."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources

import pytest

from auditor.reference import DATA_FILE
from auditor.reference.coverage import LEFT_OUT, TIERS, covered, families

EXO1, EXO2 = "9aaf7827-d63c-4b61-89c3-182f06f82e5c", "efb87545-963c-4e0d-99df-69c6916d9eb0"
TODO1, TODO2, TODO3 = (
    "5e62787c-c316-451f-b873-1d05acd4d12c",
    "c87f142c-d1e9-4363-8630-aaea9c4d9ae5",
    "3fb82609-8c27-4f7b-bd51-30634711ee67",
)
SP1, SP1_MID, SP2 = (
    "c7699d2e-19aa-44de-8edf-1736da088ca1",
    "6b5b6a67-fc72-4a1f-a2b5-beecf05de761",
    "5dbe027f-2339-4123-9542-606e4d348a72",
)
FOUNDATION = "113feb6c-3fe4-4440-bddc-54d774bf0318"
ATP1, ATP2 = "f20fedf3-f3c3-43c3-8267-2bfdd51c0939", "8e0c0a52-6a6c-4d40-8370-dd62790dcd70"


def lines() -> list[str]:
    return resources.files("auditor.reference").joinpath(DATA_FILE).read_text("utf-8-sig").splitlines()


def products() -> dict[str, set[str]]:
    """skuPartNumber -> its service plan ids (lower-case)."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(lines()):
        out[row["String_Id"].strip()].add(row["Service_Plan_Id"].strip().lower())
    return out


def test_a_plan_covers_itself_and_the_lower_tiers_only() -> None:
    assert covered([EXO2]) == {EXO1, EXO2, FOUNDATION}  # Exchange Foundation: a part (PARTS)
    assert covered([EXO1]) == {EXO1, FOUNDATION}  # never upwards
    assert covered([TODO3]) == {TODO1, TODO2, TODO3} and covered([TODO2]) == {TODO1, TODO2}
    assert covered([SP2]) == {SP1, SP1_MID, SP2}
    assert covered([SP1_MID]) == {SP1_MID}  # the same tier does not cover its mate
    assert covered([ATP2]) == {ATP2}  # Defender for Office 365: left out
    assert covered([EXO2.upper(), "other"]) == {EXO1, EXO2, FOUNDATION, "other"}


@pytest.mark.parametrize("service", sorted(TIERS))
def test_each_chain_is_a_family_of_the_table(service: str) -> None:
    """Every shipped tier holds exactly the plans the table numbers so, in order, names and ids alike;
    a number of the family that is not shipped is left out by name."""
    found = families(lines())[service]
    numbers = sorted(found)
    shipped = TIERS[service]
    assert [set(tier) for tier in shipped] == [{(n, i.lower()) for n, i in found[k]} for k in numbers[: len(shipped)]]
    assert all(f"{service} (Plan {k})" in LEFT_OUT for k in numbers[len(shipped) :])


@pytest.mark.parametrize("service", sorted(TIERS))
def test_no_product_carries_two_tiers_of_a_chain(service: str) -> None:
    """A tier stands in place of the lower one; a product carrying both would mean it adds to it."""
    ids = {plan_id.lower() for tier in TIERS[service] for _, plan_id in tier}
    both = sorted(part for part, plans in products().items() if len(plans & ids) > 1)
    assert both == []


def test_every_numbered_family_is_decided() -> None:
    """A refreshed table with a new numbered family fails here until it is shipped or left out."""
    undecided = sorted(set(families(lines())) - set(TIERS) - set(LEFT_OUT))
    assert undecided == []


def test_left_out_families_that_products_carry_together_are_not_shipped() -> None:
    plans = products()
    assert {ATP1, ATP2} <= plans["SPE_E5"]  # why Defender for Office 365 is left out
    assert "Microsoft Defender for Office 365" in LEFT_OUT and "Microsoft Defender for Office 365" not in TIERS


def test_the_headline_case_is_covered_by_the_table() -> None:
    """EXCHANGESTANDARD's plans are all covered by SPE_E3's, by the chains and equal ids alone."""
    plans = products()
    assert plans["EXCHANGESTANDARD"] <= covered(plans["SPE_E3"])
    assert not plans["SPE_E3"] <= covered(plans["EXCHANGESTANDARD"])
    assert not plans["SPE_E3"] <= covered(plans["SPE_E5"])  # conservative: E5 does not cover E3 by plans


def test_every_part_plan_of_the_table_is_decided() -> None:
    """Every plan the table names a foundation, basic, discovery or essentials plan is a part plan
    covered by full plans (PARTS), or left out with a reason: a refreshed table with a new one fails."""
    from auditor.reference.coverage import PARTS, PARTS_LEFT_OUT, parts

    found = parts(lines())
    undecided = sorted(
        name
        for name, plan_id in found
        if (name, plan_id) not in PARTS and name not in PARTS_LEFT_OUT and not any(plan_id == key[1] for key in PARTS)
    )
    assert undecided == []
    assert set(PARTS) <= found, "a part plan that is no longer in the table"
    assert all(reason for reason in PARTS_LEFT_OUT.values()) and all(why for _, why in PARTS.values())
    named = {name for name, _ in found}
    assert set(PARTS_LEFT_OUT) <= named, "a left-out plan that is no longer in the table"


def test_each_part_is_covered_by_plans_of_the_table() -> None:
    from auditor.reference.coverage import PARTS

    ids = {
        (row["Service_Plan_Name"].strip(), row["Service_Plan_Id"].strip().lower()) for row in csv.DictReader(lines())
    }
    for (_, part_id), (fulls, _) in PARTS.items():
        assert fulls and all((name, plan_id.lower()) in ids for name, plan_id in fulls)
        for _, full_id in fulls:
            assert part_id in covered([full_id]) and full_id not in covered([part_id])


@pytest.mark.parametrize(("small", "big"), [("EMS", "SPE_E3"), ("EMS", "SPE_E5"), ("EMSPREMIUM", "SPE_E5")])
def test_ems_adds_no_plan_beside_microsoft_365(small: str, big: str) -> None:
    table = products()
    assert table[small] - covered(table[big]) == set()
