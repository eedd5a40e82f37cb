"""A change's description says what its call does (auditor.plan.describe), never what report.json's
action text claims: a crafted report cannot show "removes Power BI Pro from Jane" over a call that
adds someone else to another group, in plan.json, plan.md, or where the plan stops."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli import main
from auditor.data.model import Locale
from auditor.formats.report_model import SeatRow, builtins
from auditor.plan.compile import compile_plan
from auditor.plan.describe import describe, products_of
from auditor.plan.write import plan_document, plan_markdown
from tests.demo_runs import DemoRuns

from .builders import (
    E3,
    E5,
    FORBIDDEN,
    G_E3,
    G_E5,
    NOT_ALLOWED,
    REQUIRED,
    assign,
    finding,
    join,
    leave,
    report,
    seat,
    uid,
)

CREATED = "2026-11-23T08:00:00Z"
SEATS = [
    seat("SPE_E5", 100, 50, price=57.0, name="Microsoft 365 E5"),
    seat("SPE_E3", 100, 50, price=33.75, name="Microsoft 365 E3"),
    seat("POWER_BI_PRO", 10, 5),
]
LIE = "Removes Power BI Pro from Jane"
JANE, MALLORY = uid(1), uid(66)


UNKNOWN = "0f1e2d3c-4b5a-4968-8776-655443322110"  # in no Microsoft product table


def _lying_report() -> dict:
    """A finding about Jane whose only action, described as a removal from her, adds Mallory to the E3 group."""
    lie = finding("f1", FORBIDDEN, JANE, [join(MALLORY, G_E3, {"SPE_E3": 1}, description=LIE)], name="Jane Doe")
    return report([lie], SEATS)


def test_a_crafted_description_never_reaches_the_plan() -> None:
    plan = compile_plan(_lying_report())
    (change,) = plan.changes
    # Mallory's id, not Jane's name: the finding that asks for the call names another user
    assert change.description == f"Add user {MALLORY} to the group {G_E3}"
    document = json.dumps(plan_document(plan, created_at=CREATED))
    text = plan_markdown(plan, created_at=CREATED)
    for out in (document, text):
        assert "Power BI" not in out and "Jane" not in out


def test_a_crafted_description_never_names_where_the_plan_stops() -> None:
    lie = finding(
        "f1", FORBIDDEN, JANE, [assign(JANE, add=["SPE_E3"], seats={"SPE_E3": 500}, description=LIE)], name="Jane Doe"
    )
    plan = compile_plan(report([lie], SEATS))
    assert plan.stopped is not None
    assert plan.stopped.description == "Assign Microsoft 365 E3 to Jane Doe (0001@contoso.example)"


def test_the_plan_command_writes_no_crafted_text(tmp_path: Path) -> None:
    """End to end through `license-auditor plan`: report.json in, plan.json and plan.md out."""
    (tmp_path / "report.json").write_text(json.dumps(_lying_report(), default=builtins), encoding="utf-8")
    assert main(["plan", "--report-dir", str(tmp_path)]) == 0
    for name in ("plan.json", "plan.md"):
        assert "Power BI" not in (tmp_path / name).read_text(encoding="utf-8")
    (change,) = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert change["description"] == f"Add user {MALLORY} to the group {G_E3}"


def _moves(joined: str, left: str) -> list[str]:
    """The descriptions of Jane's move from the group `left` (G_E5) to the group `joined` (G_E3), as
    her finding's details name the two groups."""
    jane = finding(
        "f1", NOT_ALLOWED, JANE, [join(JANE, G_E3, {"SPE_E3": 1}), leave(JANE, G_E5, {"SPE_E5": -1})], name="Jane Doe"
    )
    jane.details |= {
        "assigned_by_group": {"SPE_E5": [left]},
        "assigned_by_group_ids": {"SPE_E5": [G_E5]},
        "replace_group": {"id": G_E3, "name": joined, "gives": ["SPE_E3"]},
    }
    return [c.description for c in compile_plan(report([jane], SEATS)).changes]


def test_names_come_from_the_findings_that_ask_for_the_change() -> None:
    # the groups by their names; ids only beside a name two groups share (below)
    assert _moves("E3 users", "E5 users") == [
        "Add Jane Doe (0001@contoso.example) to the group E3 users",
        "Remove Jane Doe (0001@contoso.example) from the group E5 users",
    ]


def test_two_groups_of_one_name_are_told_apart_by_their_ids() -> None:
    # Entra ID group names are not unique: where the findings give one name to two groups, each change
    # names its group with the id beside the name
    assert _moves("Licensed staff", "Licensed staff") == [
        f"Add Jane Doe (0001@contoso.example) to the group Licensed staff ({G_E3})",
        f"Remove Jane Doe (0001@contoso.example) from the group Licensed staff ({G_E5})",
    ]


def test_names_two_findings_disagree_on_are_not_shown() -> None:
    one = finding("f1", FORBIDDEN, JANE, [leave(JANE, G_E5, {"SPE_E5": -1})], name="Jane Doe")
    other = finding("f2", NOT_ALLOWED, JANE, [leave(JANE, G_E5, {"SPE_E5": -1})], name="Someone Else")
    one.details |= {"assigned_by_group": {"SPE_E5": ["E5 users"]}, "assigned_by_group_ids": {"SPE_E5": [G_E5]}}
    other.details |= {"assigned_by_group": {"SPE_E5": ["Finance"]}, "assigned_by_group_ids": {"SPE_E5": [G_E5]}}
    (change,) = compile_plan(report([one, other], SEATS)).changes
    assert change.findings == ("f1", "f2")
    assert change.description == f"Remove user {JANE} from the group {G_E5}"


def test_every_kind_is_described_from_its_call() -> None:
    products = {E5: "Microsoft 365 E5 (SPE_E5)"}
    body = {"addLicenses": [{"skuId": E3, "disabledPlans": [uid(7), uid(8)]}], "removeLicenses": [E5]}
    assert describe("assign_license", body, JANE, None, products=products, user_label="Jane") == (
        f"Assign {E3} (service plans turned off: 2) to Jane and remove Microsoft 365 E5 (SPE_E5), in one call"
    )
    assert (
        describe("assign_license", {"addLicenses": [], "removeLicenses": [E5, E3]}, JANE, None, products=products)
        == f"Remove Microsoft 365 E5 (SPE_E5) and {E3} from user {JANE}"
    )
    assert describe("remove_member", None, JANE, G_E5) == f"Remove user {JANE} from the group {G_E5}"
    assert describe("reprocess", None, JANE, None, user_label="Jane") == "Reprocess the group licenses of Jane"
    assert (
        describe("set_usage_location", {"usageLocation": "NL"}, JANE, None, user_label="Jane")
        == "Set the usage location of Jane to NL"
    )
    assert (
        describe("add_member", {}, JANE, G_E3, locale=Locale.NL, user_label="Jane", group_label="E3")
        == "Jane toevoegen aan de groep E3"
    )


def test_the_plan_speaks_the_reports_language() -> None:
    lie = finding("f1", FORBIDDEN, JANE, [assign(JANE, remove=["SPE_E5"], description=LIE)], name="Jane Doe")
    (change,) = compile_plan(report([lie], SEATS, locale="nl")).changes
    assert change.description == "Microsoft 365 E5 van Jane Doe (0001@contoso.example) verwijderen"


def test_a_product_a_crafted_report_renamed_keeps_microsofts_name_for_the_skuid() -> None:
    """A seat-table row that calls E5 "Visio Plan 2": plan.md cannot take the name on trust, so it
    names the product the call changes by Microsoft's table for the skuId the call sends; a product
    the table does not know shows its part number and skuId, never a name the report chose."""
    labels = products_of(
        [
            SeatRow(sku_id=E5.upper(), sku="VISIOCLIENT", name="Visio Plan 2"),
            SeatRow(sku_id=UNKNOWN, sku="CONTOSO_ADDON", name="Visio Plan 2"),
        ]
    )
    assert labels == {E5: "Microsoft 365 E5", UNKNOWN: f"CONTOSO_ADDON ({UNKNOWN})"}


def test_a_group_the_user_is_to_join_is_named_as_the_report_names_it(tmp_path: Path, demo_runs: DemoRuns) -> None:
    """plan.md said "Add New Starter … to the group d23f0824-…" where the report and apply say
    "Frontline Workers": sku-required-missing names the group in its group_membership."""
    from auditor.plan.describe import group_name

    frontline = "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"
    details = {"group_membership": [{"id": frontline, "name": "Frontline Workers", "gives": ["SPE_F1"]}]}
    assert group_name([finding("f1", REQUIRED, "u", None, details=details)], frontline.upper()) == "Frontline Workers"
    out = demo_runs.single(tmp_path)  # the session's `audit --demo` (exit 0), copied: plan writes beside it
    assert main(["plan", "--report-dir", str(out)]) == 0
    md = (out / "plan.md").read_text("utf-8").replace("\\", "")
    assert "(new.starter@<!-- -->contoso.example) to the group Frontline Workers" in md
    assert f"to the group {frontline}" not in md
