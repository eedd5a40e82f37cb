"""compile_plan: which findings, merged how, in what order, checked against which seats, at what cost."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from auditor.data.finding_facts import FindingFactsError
from auditor.formats.report_model import ReportDocument
from auditor.plan.compile import COUNT_VIOLATION, NOT_SUBSCRIBED, ChangePlan, compile_plan

from .builders import (
    ASSIGNMENT_ERROR,
    DISABLED,
    E3,
    E5,
    FORBIDDEN,
    G_E3,
    G_E5,
    INACTIVE,
    NO_USAGE_LOCATION,
    NOT_ALLOWED,
    REQUIRED,
    SPARE_SEATS,
    VISIO,
    assign,
    finding,
    join,
    leave,
    lookup,
    report,
    reprocess,
    seat,
    uid,
    usage_location,
)

U1, U2, U3 = uid(1), uid(2), uid(3)
ROOMY = [seat("SPE_E5", 100, 50, price=57.0), seat("SPE_E3", 100, 50, price=33.75), seat("VISIOCLIENT", 20, 5)]


def kinds(plan: ChangePlan) -> list[tuple[str, str]]:
    return [(c.kind, c.user) for c in plan.changes]


def reasons(plan: ChangePlan) -> dict[str, str]:
    return {s.finding: s.reason for s in plan.skipped}


# --- minimal change set -----------------------------------------------------------------------------


def test_one_users_license_actions_become_one_assign_license_call() -> None:
    doc = report(
        [
            finding("f1", NOT_ALLOWED, U1, [assign(U1, remove=["VISIOCLIENT"])]),
            finding("f2", FORBIDDEN, U1, [assign(U1, add=["SPE_E3"], remove=["SPE_E5"])]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert kinds(plan) == [("assign_license", U1)]
    change = plan.changes[0]
    assert change.body == {"addLicenses": [{"disabledPlans": [], "skuId": E3}], "removeLicenses": [VISIO, E5]}
    assert change.path == f"/users/{U1}/assignLicense"
    assert change.findings == ("f1", "f2")
    assert change.seats == {"VISIOCLIENT": -1, "SPE_E3": 1, "SPE_E5": -1}
    assert {"lacks": E3} in change.precondition and {"holds": E5, "how": "direct"} in change.precondition
    assert {"holds": VISIO, "how": "direct"} in change.precondition


def test_the_same_removal_or_group_leave_asked_twice_is_one_change_counted_once() -> None:
    doc = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])]),
            finding("f2", DISABLED, U1, [assign(U1, remove=["SPE_E5"])]),
            finding("f3", FORBIDDEN, U2, [leave(U2, G_E5, {"SPE_E5": -1})]),
            finding("f4", INACTIVE, U2, [leave(U2, G_E5, {"SPE_E5": -1})]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert kinds(plan) == [("assign_license", U1), ("remove_member", U2)]
    assert plan.changes[0].body == {"addLicenses": [], "removeLicenses": [E5]}
    assert plan.changes[0].findings == ("f1", "f2")
    assert plan.changes[1].findings == ("f3", "f4")
    assert plan.seats[0].sku == "SPE_E5" and plan.seats[0].after == 48  # 50 - 2 users, not 50 - 4


def test_findings_that_contradict_each_other_are_both_left_out() -> None:
    doc = report(
        [
            finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])]),
            finding("f2", FORBIDDEN, U1, [assign(U1, remove=["SPE_E3"]), reprocess(U1)]),
            finding("f3", NOT_ALLOWED, U2, [join(U2, G_E3, {"SPE_E3": 1})]),
            finding("f4", FORBIDDEN, U2, [leave(U2, G_E3, {"SPE_E3": -1})]),
            finding("f5", FORBIDDEN, U3, [assign(U3, remove=["SPE_E5"])]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert kinds(plan) == [("assign_license", U3)]  # no reprocess of U1 either: f2 is out whole
    skipped = {s.finding: s for s in plan.skipped}
    assert {fid: s.reason for fid, s in skipped.items()} == {fid: "contradiction" for fid in ("f1", "f2", "f3", "f4")}
    assert skipped["f1"].others == ("f2",) and skipped["f2"].others == ("f1",)
    assert skipped["f3"].others == ("f4",)
    assert plan.need_a_person == 4


HOLDS = {
    "SPE_E5": ["archive", "files", "mailbox"],
    "EXCHANGESTANDARD": ["archive", "mailbox"],
    "SPE_E3": ["archive", "files", "mailbox"],
}


def test_removals_that_together_end_the_mailbox_are_left_to_a_person() -> None:
    """Each removal keeps the mailbox (the other product has one too); both together end it."""
    held = {k: HOLDS[k] for k in ("SPE_E5", "EXCHANGESTANDARD")}
    doc = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])], data_kinds=held),
            finding(
                "f2",
                DISABLED,
                U1,
                [assign(U1, remove=["VISIOCLIENT"], seats={"EXCHANGESTANDARD": -1})],
                data_kinds=held,
            ),
            finding("f3", FORBIDDEN, U2, [assign(U2, remove=["SPE_E5"])], data_kinds=held),
        ],
        [*ROOMY, seat("EXCHANGESTANDARD", 10, 5)],
    )
    plan = compile_plan(doc)
    assert kinds(plan) == [("assign_license", U2)]
    skipped = {s.finding: s for s in plan.skipped}
    assert {fid: s.reason for fid, s in skipped.items()} == {"f1": "data_together", "f2": "data_together"}
    assert skipped["f1"].others == ("f2",) and skipped["f1"].data == ("archive", "files", "mailbox")
    assert skipped["f2"].to_json()["data"] == ["archive", "files", "mailbox"]


def test_removals_that_keep_a_product_holding_the_data_are_planned() -> None:
    doc = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])], data_kinds=HOLDS),
            finding(
                "f2",
                DISABLED,
                U1,
                [assign(U1, remove=["VISIOCLIENT"], seats={"EXCHANGESTANDARD": -1})],
                data_kinds=HOLDS,
            ),  # SPE_E3 stays, with its mailbox and files
        ],
        [*ROOMY, seat("EXCHANGESTANDARD", 10, 5)],
    )
    plan = compile_plan(doc)
    assert kinds(plan) == [("assign_license", U1)] and not plan.skipped


def test_without_what_the_products_hold_two_findings_removals_are_not_merged() -> None:
    """A report that does not say what each product holds (details.data_kinds) cannot be checked."""
    doc = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])], data_kinds={"absent": ()}),
            finding("f2", DISABLED, U1, [assign(U1, remove=["VISIOCLIENT"])], data_kinds={"absent": ()}),
            finding("f3", INACTIVE, U1, [assign(U1, remove=["SPE_E5"])], data_kinds={"absent": ()}),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert kinds(plan) == []
    assert {s.finding: (s.reason, s.data) for s in plan.skipped} == {
        fid: ("data_together", ("unknown",)) for fid in ("f1", "f2", "f3")
    }
    # one finding alone, or the same removal asked twice, was checked by the finding itself
    alone = compile_plan(
        report(
            [
                finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])], data_kinds={"absent": ()}),
                finding("f3", INACTIVE, U1, [assign(U1, remove=["SPE_E5"])], data_kinds={"absent": ()}),
            ],
            ROOMY,
        )
    )
    assert kinds(alone) == [("assign_license", U1)]


def test_one_product_added_with_different_disabled_plans_is_a_contradiction() -> None:
    doc = report(
        [
            finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])]),
            finding(
                "f2", REQUIRED, U1, [assign(U1, add=["SPE_E3"], disabled=["a0f2d6c0-0000-4000-8000-0000000000aa"])]
            ),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert plan.changes == ()
    assert reasons(plan) == {"f1": "contradiction", "f2": "contradiction"}


# --- order and dependencies ---------------------------------------------------------------------------


def test_a_user_joins_before_leaving_reprocess_runs_last_and_depends_on_the_rest() -> None:
    # the finding lists the leave first; the plan still joins first
    doc = report(
        [
            finding("f1", NOT_ALLOWED, U1, [leave(U1, G_E5, {"SPE_E5": -1}), join(U1, G_E3, {"SPE_E3": 1})]),
            finding("f2", ASSIGNMENT_ERROR, U1, [reprocess(U1)]),
            finding("f3", FORBIDDEN, U1, [assign(U1, remove=["VISIOCLIENT"])]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert [c.kind for c in plan.changes] == ["add_member", "assign_license", "remove_member", "reprocess"]
    join_n, assign_n, leave_n, _ = (c.n for c in plan.changes)
    assert [c.n for c in plan.changes] == [1, 2, 3, 4]
    assert plan.changes[0].depends_on == ()
    assert plan.changes[1].depends_on == (join_n,)  # a removal waits for the user's additions
    assert plan.changes[2].depends_on == (join_n,)
    assert plan.changes[3].depends_on == (join_n, assign_n, leave_n)


def test_an_addition_does_not_wait_for_a_removal_and_usage_location_comes_first() -> None:
    doc = report(
        [
            finding("f1", NO_USAGE_LOCATION, U1, [usage_location(U1, "NL")]),
            finding("f2", REQUIRED, U1, [join(U1, G_E3, {"SPE_E3": 1}), assign(U1, add=["VISIOCLIENT"])]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert [c.kind for c in plan.changes] == ["set_usage_location", "add_member", "assign_license"]
    assert plan.changes[0].body == {"usageLocation": "NL"}
    assert plan.changes[1].depends_on == (1,)
    assert plan.changes[2].depends_on == (1,)  # gives only: it does not wait for the join


def test_pure_removals_run_first_so_their_seats_are_free_for_replacements() -> None:
    # E3 is full; U1 (first in the report) moves E5 -> E3 and needs the seat U2's removal frees
    seats = [seat("SPE_E5", 10, 10, price=57.0), seat("SPE_E3", 10, 10, price=33.75)]
    doc = report(
        [
            finding("f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1}), leave(U1, G_E5, {"SPE_E5": -1})]),
            finding("f2", DISABLED, U2, [assign(U2, remove=["SPE_E3"])]),
        ],
        seats,
    )
    plan = compile_plan(doc)
    assert plan.stopped is None
    assert kinds(plan) == [("assign_license", U2), ("add_member", U1), ("remove_member", U1)]
    assert {s.sku: (s.consumed, s.after) for s in plan.seats} == {"SPE_E3": (10, 10), "SPE_E5": (10, 9)}


def test_removals_run_first_even_when_the_seats_would_suffice() -> None:
    doc = report(
        [
            finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])]),
            finding("f2", DISABLED, U2, [assign(U2, remove=["SPE_E3"])]),
        ],
        ROOMY,
    )
    assert kinds(compile_plan(doc)) == [("assign_license", U2), ("assign_license", U1)]


def test_a_replacement_that_frees_what_another_needs_goes_first() -> None:
    # U1 needs an E3 seat (none free); U2 takes the one free Visio seat and gives back an E3 seat
    seats = [seat("SPE_E3", 10, 10), seat("VISIOCLIENT", 5, 4)]
    doc = report(
        [
            finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])]),
            finding("f2", NOT_ALLOWED, U2, [assign(U2, add=["VISIOCLIENT"], remove=["SPE_E3"])]),
        ],
        seats,
    )
    plan = compile_plan(doc)
    assert plan.stopped is None
    assert kinds(plan) == [("assign_license", U2), ("assign_license", U1)]


def test_without_a_freeing_change_the_report_order_is_kept() -> None:
    doc = report([finding(f"f{i}", REQUIRED, uid(i), [assign(uid(i), add=["SPE_E3"])]) for i in (3, 1, 2)], ROOMY)
    assert [c.user for c in compile_plan(doc).changes] == [uid(3), uid(1), uid(2)]


# --- seats ------------------------------------------------------------------------------------------


def test_a_change_that_would_exceed_the_usable_seats_stops_the_plan_there() -> None:
    seats = [seat("SPE_E3", 10, 9, price=33.75)]
    doc = report([finding(f"f{i}", REQUIRED, uid(i), [assign(uid(i), add=["SPE_E3"])]) for i in (1, 2, 3)], seats)
    plan = compile_plan(doc)
    assert kinds(plan) == [("assign_license", U1)]
    assert plan.stopped is not None
    assert (plan.stopped.n, plan.stopped.sku, plan.stopped.usable, plan.stopped.needed) == (2, "SPE_E3", 10, 11)
    assert plan.stopped.reason == COUNT_VIOLATION
    assert plan.stopped.path == f"/users/{U2}/assignLicense"
    assert reasons(plan) == {"f2": "stopped", "f3": "stopped"}
    assert {s.sku: s.after for s in plan.seats} == {"SPE_E3": 10}


def test_a_user_that_fits_after_one_that_never_does_is_still_planned() -> None:
    seats = [seat("SPE_E3", 10, 10), seat("VISIOCLIENT", 5, 4)]
    doc = report(
        [
            finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])]),
            finding("f2", REQUIRED, U2, [assign(U2, add=["VISIOCLIENT"])]),
        ],
        seats,
    )
    plan = compile_plan(doc)
    assert kinds(plan) == [("assign_license", U2)]
    assert plan.stopped is not None and (plan.stopped.n, plan.stopped.sku) == (2, "SPE_E3")
    assert reasons(plan) == {"f1": "stopped"}


def test_the_stop_leaves_out_the_whole_user_so_no_one_is_half_changed() -> None:
    seats = [seat("SPE_E3", 10, 5), seat("VISIOCLIENT", 3, 3)]
    doc = report(
        [
            finding("f1", REQUIRED, U1, [join(U1, G_E3, {"SPE_E3": 1}), assign(U1, add=["VISIOCLIENT"])]),
        ],
        seats,
    )
    plan = compile_plan(doc)
    assert plan.changes == ()
    assert plan.stopped is not None and (plan.stopped.n, plan.stopped.sku) == (2, "VISIOCLIENT")
    assert reasons(plan) == {"f1": "stopped"}


def test_seats_in_the_grace_period_are_usable() -> None:
    doc = report([finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])])], [seat("SPE_E3", 10, 11, warning=2)])
    plan = compile_plan(doc)
    assert plan.stopped is None and len(plan.changes) == 1
    assert (plan.seats[0].usable, plan.seats[0].consumed, plan.seats[0].after) == (12, 11, 12)


def test_a_product_the_tenant_has_no_subscription_for_stops_the_plan() -> None:
    doc = report([finding("f1", REQUIRED, U1, [assign(U1, add=["SPE_E3"])])], [seat("SPE_E5", 5, 1)])
    plan = compile_plan(doc)
    assert plan.changes == ()
    assert plan.stopped is not None and plan.stopped.reason == NOT_SUBSCRIBED and plan.stopped.usable == 0


# --- cost -------------------------------------------------------------------------------------------


def test_net_monthly_cost_is_the_seat_change_times_the_price() -> None:
    doc = report(
        [
            finding("f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1}), leave(U1, G_E5, {"SPE_E5": -1})]),
            finding("f2", FORBIDDEN, U2, [assign(U2, remove=["SPE_E5"])]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert plan.net_monthly == pytest.approx(57.0 * 2 - 33.75)  # positive: it saves
    assert plan.currency == "EUR" and plan.unpriced == ()


def test_a_product_without_a_price_is_named_not_counted_as_zero() -> None:
    doc = report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5", "VISIOCLIENT"])]),
        ],
        ROOMY,
    )  # Visio has no price
    plan = compile_plan(doc)
    assert plan.net_monthly == 57.0
    assert plan.unpriced == ("VISIOCLIENT",)


def test_a_free_product_costs_nothing_and_is_not_unpriced() -> None:
    doc = report(
        [finding("f1", FORBIDDEN, U1, [assign(U1, remove=["VISIOCLIENT"])])], [seat("VISIOCLIENT", 10, 5, free=True)]
    )
    plan = compile_plan(doc)
    assert plan.net_monthly == 0.0 and plan.unpriced == ()


def test_without_any_price_the_cost_is_unknown() -> None:
    doc = report(
        [finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])])], [seat("SPE_E5", 10, 5)], currency=None
    )
    plan = compile_plan(doc)
    assert plan.net_monthly is None and plan.currency is None and plan.unpriced == ("SPE_E5",)


# --- scope and what needs a person --------------------------------------------------------------------


def _scoped() -> dict[str, Any]:
    return report(
        [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])], severity="critical"),
            finding("f2", INACTIVE, U2, [assign(U2, remove=["SPE_E3"])], severity="medium"),
            finding("f3", FORBIDDEN, U3, [assign(U3, remove=["VISIOCLIENT"])], severity="low"),
            finding("f4", FORBIDDEN, uid(4), [assign(uid(4), remove=["SPE_E5"])], waived=True),
        ],
        ROOMY,
    )


def test_waived_findings_are_not_planned() -> None:
    plan = compile_plan(_scoped())
    assert [c.findings for c in plan.changes] == [("f1",), ("f2",), ("f3",)]
    assert plan.skipped == ()


@pytest.mark.parametrize(
    ("options", "planned"),
    [
        ({"rules": [FORBIDDEN]}, ["f1", "f3"]),
        ({"min_severity": "medium"}, ["f1", "f2"]),
        ({"finding_ids": ["f3", "f2"]}, ["f2", "f3"]),
        ({"rules": [FORBIDDEN], "min_severity": "high"}, ["f1"]),
    ],
)
def test_filters(options: dict[str, Any], planned: list[str]) -> None:
    plan = compile_plan(_scoped(), **options)
    assert [fid for c in plan.changes for fid in c.findings] == planned


def test_a_waived_finding_named_on_purpose_is_listed_but_needs_no_person() -> None:
    plan = compile_plan(_scoped(), finding_ids=["f4"])
    assert plan.changes == ()
    assert reasons(plan) == {"f4": "waived"}
    assert plan.need_a_person == 0


def test_a_finding_with_an_action_that_is_not_ready_is_skipped_whole_with_the_reason() -> None:
    blocked = leave(U1, G_E5, {"SPE_E5": -1}, ready=False, blocked="data_lost", description="Leave E5 <group>")
    doc = report(
        [
            finding("f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1}), blocked]),
            finding("f2", FORBIDDEN, U2, [lookup(description="Find who holds it")]),
            finding("f3", SPARE_SEATS, U3, None),
            finding("f4", FORBIDDEN, uid(4), [assign(uid(4), remove=["SPE_E5"], ready=False)]),
            finding("f5", FORBIDDEN, uid(5), []),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert plan.changes == ()  # not even f1's join: half a replacement would leave two licenses
    assert reasons(plan) == {"f1": "data_lost", "f2": "lookup", "f3": "no_action", "f4": "not_ready", "f5": "no_action"}
    assert {s.finding: s.description for s in plan.skipped}["f1"] == "Leave E5 <group>"
    assert plan.need_a_person == 5


@pytest.mark.parametrize(
    "broken",
    [
        {"path": f"/users/{U2}/assignLicense"},  # another user's call
        {"method": "DELETE"},
        {"path": f"/users/{U1}/assignLicense?x=1"},
        {"user": "../groups"},
        {"body": {"addLicenses": [], "removeLicenses": []}},
        # what apply's own reading of plan.json refuses (the planner checks with the same parser)
        {"body": {"addLicenses": [], "removeLicenses": [E5], "userId": U2}},
        {"body": {"addLicenses": [{"skuId": E5}], "removeLicenses": [E5]}},
        {"precondition": [{"sudo": True}]},
        {"path": f"/users/{U1.upper()}/assignLicense/../../{U2}/assignLicense"},
    ],
)
def test_a_malformed_action_is_skipped_not_run(broken: dict[str, Any]) -> None:
    doc = report([finding("f1", FORBIDDEN, U1, [{**assign(U1, remove=["SPE_E5"]), **broken}])], ROOMY)
    plan = compile_plan(doc)
    assert plan.changes == ()
    assert reasons(plan) == {"f1": "malformed"}


def test_an_action_of_the_wrong_type_is_refused_as_report_json_is_read() -> None:
    """A remediation is typed (RemediationJson): a seat change that is not a number never reaches the planner."""
    with pytest.raises(msgspec.ValidationError, match=re.escape("remediation.actions[0].seats")):
        report([finding("f1", FORBIDDEN, U1, [{**assign(U1, remove=["SPE_E5"]), "seats": {"SPE_E5": "-1"}}])], ROOMY)


@pytest.mark.parametrize(
    ("broken", "place"),
    [
        ({"kind": "delete_user"}, "remediation.actions[0].kind"),
        ({"ready": "yes"}, "remediation.actions[0].ready"),
        ({"precondition": ["holds"]}, "remediation.actions[0].precondition[0]"),
        ({"description": 3}, "remediation.actions[0].description"),
    ],
)
def test_an_action_of_the_wrong_shape_is_refused_as_report_json_is_read(broken: dict[str, Any], place: str) -> None:
    """An action's shape is report.json's type (ActionJson): a kind apply does not know, a readiness
    that is not true or false, never reach the planner."""
    with pytest.raises(msgspec.ValidationError, match=re.escape(place)):
        report([finding("f1", FORBIDDEN, U1, [{**assign(U1, remove=["SPE_E5"]), **broken}])], ROOMY)


def test_an_action_without_its_kind_or_readiness_is_refused_as_report_json_is_read() -> None:
    action = assign(U1, remove=["SPE_E5"])
    for key in ("kind", "ready"):
        with pytest.raises(msgspec.ValidationError, match=f"missing required field `{key}`"):
            report([finding("f1", FORBIDDEN, U1, [{k: v for k, v in action.items() if k != key}])], ROOMY)


def test_a_finding_that_waits_for_a_person_is_skipped_for_that_reason_before_its_calls_are_parsed() -> None:
    bad_call = {**assign(U1, remove=["SPE_E5"]), "method": "DELETE"}
    doc = report([finding("f1", FORBIDDEN, U1, [bad_call, lookup(description="Find who holds it")])], ROOMY)
    # f1 needs a person whatever its call says
    assert reasons(compile_plan(doc)) == {"f1": "lookup"}


# --- calls ------------------------------------------------------------------------------------------


def test_group_references_name_the_clouds_graph_endpoint() -> None:
    actions = [join(U1, G_E3, {"SPE_E3": 1}), leave(U1, G_E5, {"SPE_E5": -1})]
    doc = report([finding("f1", NOT_ALLOWED, U1, actions)], ROOMY, cloud="usgov")
    plan = compile_plan(doc, graph_root="https://graph.microsoft.us/v1.0")
    assert plan.changes[0].body == {"@odata.id": f"https://graph.microsoft.us/v1.0/directoryObjects/{U1}"}
    assert plan.changes[1].body is None


# --- after apply ------------------------------------------------------------------------------------


def after_apply(document: ReportDocument, plan: ChangePlan) -> ReportDocument:
    """The report the next audit writes once the plan is applied: the fixed findings are gone and
    the seat table shows the simulated consumption."""
    fixed = {fid for c in plan.changes for fid in c.findings}
    after = {s.sku: s.after for s in plan.seats}
    skus = [msgspec.structs.replace(row, consumed=after.get(row.sku, row.consumed)) for row in document.skus]
    return msgspec.structs.replace(document, skus=skus, findings=[f for f in document.findings if f.id not in fixed])


def test_planning_again_after_the_plan_was_applied_gives_an_empty_plan() -> None:
    seats = [seat("SPE_E5", 10, 10, price=57.0), seat("SPE_E3", 10, 10, price=33.75), seat("VISIOCLIENT", 3, 3)]
    doc = report(
        [
            finding("f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1}), leave(U1, G_E5, {"SPE_E5": -1})]),
            finding("f2", DISABLED, U2, [assign(U2, remove=["SPE_E3"]), reprocess(U2)]),
            finding("f3", FORBIDDEN, U3, [lookup()]),
            finding("f4", REQUIRED, uid(4), [assign(uid(4), add=["VISIOCLIENT"])]),
        ],
        seats,
    )
    first = compile_plan(doc)
    assert len(first.changes) == 4 and first.stopped is not None
    again = compile_plan(after_apply(doc, first))
    assert again.changes == ()
    assert again.net_monthly == 0.0 and again.seats == ()
    assert {s.finding for s in again.skipped} == {"f3", "f4"}  # what needs a person (or seats) is still listed


def test_one_removal_counted_two_ways_frees_the_fewer_seats_whatever_the_order() -> None:
    """A direct copy a group's copy stands in for frees no seat; a plain removal of the same copy
    counts one. Merged, the change frees none, in either report order."""
    for order in ((0, 1), (1, 0)):
        asks = [
            finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E3"])]),
            finding("f2", INACTIVE, U1, [assign(U1, remove=["SPE_E3"], seats={})]),
        ]
        plan = compile_plan(report([asks[i] for i in order], ROOMY))
        (change,) = plan.changes
        assert change.seats == {} and set(change.findings) == {"f1", "f2"}


def test_a_leavers_details_of_the_wrong_type_are_refused_with_their_place() -> None:
    """A kind list that is no list, a grace that is no number (a hand-edited report.json): the plan refuses
    them, naming the key, instead of guessing what the removal ends (auditor.plan.leaver_facts): the fix's
    facts as report.json is read (finding_facts.Fix), the rule's own as the plan reads the finding."""
    broken = [
        finding("f1", FORBIDDEN, U1, [assign(U1, remove=["SPE_E5"])]),
        finding("f2", DISABLED, U1, [assign(U1, remove=["VISIOCLIENT"])]),
    ]
    broken[1].details = {"data_kinds": {"SPE_E5": "mailbox"}}
    with pytest.raises(ValueError, match=r"Expected `array`, got `str` - at `details.data_kinds\[...\]`"):
        report(broken, ROOMY)
    broken[1].details = {"grace_days": "30"}
    wrong = r"finding f2\'s details: Expected `int`, got `str` - at `details.grace_days`"
    with pytest.raises(FindingFactsError, match=wrong):
        compile_plan(report(broken, ROOMY))
