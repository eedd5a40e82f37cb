"""Findings checked against each other (auditor/plan/crosscheck.py): no half replacement, a
leaver gets no smaller or added product, and a product that is not allowed is not moved to a group."""

from __future__ import annotations

from auditor.data.model import Locale
from auditor.i18n import translations
from auditor.plan.compile import compile_plan
from auditor.plan.reasons import _reason
from auditor.rules.assignments import AssignmentNotGroupBased
from auditor.rules.usage.activity import Rightsize

from .builders import DISABLED, G_E3, INACTIVE, NOT_ALLOWED, REQUIRED, assign, finding, join, report, seat, uid

U1, U2 = uid(1), uid(2)
ROOMY = [seat("SPE_E3", 50, 10, price=33.75), seat("SPE_E5", 50, 10, price=54.75), seat("VISIOCLIENT", 50, 10)]
RIGHTSIZE = Rightsize.id
GROUP_BASED = AssignmentNotGroupBased.id


def test_an_add_waits_while_the_replacement_of_the_same_user_waits() -> None:
    """sku-required-missing would give E3 while the E5 -> E3 replacement waits for a person: the user
    would hold both. The add waits with it; another user's add is not held."""
    doc = report(
        [
            finding(
                "repl",
                NOT_ALLOWED,
                U1,
                [assign(U1, add=["SPE_E3"], remove=["SPE_E5"], ready=False, blocked="mailbox_too_large")],
            ),
            finding("add", REQUIRED, U1, [assign(U1, add=["SPE_E3"])]),
            finding("other", REQUIRED, U2, [assign(U2, add=["SPE_E3"])]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert [c.findings for c in plan.changes] == [("other",)]
    held = {s.finding: s for s in plan.skipped}
    assert held["add"].reason == "replacement_waits" and held["add"].others == ("repl",)
    assert held["repl"].reason == "mailbox_too_large"
    text = _reason(translations(Locale.EN), "replacement_waits", ("repl",))
    assert "repl" in text and "replacement_waits" not in text


def test_a_ready_replacement_takes_the_add_along() -> None:
    doc = report(
        [
            finding("repl", NOT_ALLOWED, U1, [assign(U1, add=["SPE_E3"], remove=["SPE_E5"])]),
            finding("add", REQUIRED, U1, [assign(U1, add=["SPE_E3"])]),
        ],
        ROOMY,
    )
    plan = compile_plan(doc)
    assert not plan.skipped and [c.findings for c in plan.changes] == [("repl", "add")]


def test_a_leaver_gets_no_rightsize_change_ready_or_not() -> None:
    leaving = finding("left", DISABLED, U1, [assign(U1, remove=["SPE_E5"])])
    ready = finding("small", RIGHTSIZE, U1, [assign(U1, add=["SPE_E3"], remove=["SPE_E5"])])
    waiting = finding(
        "unsure", RIGHTSIZE, U2, [assign(U2, add=["SPE_E3"], remove=["SPE_E5"], ready=False, blocked="usage_unknown")]
    )
    idle = finding("idle", INACTIVE, U2, [assign(U2, remove=["SPE_E5"])])
    plan = compile_plan(report([leaving, ready, waiting, idle], ROOMY))
    held = {s.finding: s for s in plan.skipped}
    assert held["small"].reason == "leaver" and held["small"].others == ("left",)
    assert held["unsure"].reason == "leaver" and held["unsure"].others == ("idle",)  # no usage check to ask for
    assert {fid for c in plan.changes for fid in c.findings} == {"left", "idle"}
    assert all(c.body is None or not c.body.get("addLicenses") for c in plan.changes)  # nothing given to a leaver
    # a plan narrowed to rightsize still knows the user is leaving
    narrowed = compile_plan(report([leaving, ready], ROOMY), rules=[RIGHTSIZE])
    assert not narrowed.changes and narrowed.skipped[0].reason == "leaver"
    assert "left" in _reason(translations(Locale.NL), "leaver", ("left",))


def test_a_product_that_is_not_allowed_is_not_moved_to_a_group() -> None:
    """group_based_only would join the E3 group while sku-not-allowed removes E3 from the same
    user: the join would give E3 back through the group. The move waits, naming the removal, ready
    or not; another user's move is not held."""
    for ready in (True, False):
        doc = report(
            [
                finding(
                    "repl",
                    NOT_ALLOWED,
                    U1,
                    [assign(U1, add=["VISIOCLIENT"], remove=["SPE_E3"], ready=ready)],
                    skus=["SPE_E3"],
                ),
                finding(
                    "move",
                    GROUP_BASED,
                    U1,
                    [join(U1, G_E3, {}), assign(U1, remove=["SPE_E3"], seats={})],
                    skus=["SPE_E3"],
                ),
                finding(
                    "fine",
                    GROUP_BASED,
                    U2,
                    [join(U2, G_E3, {}), assign(U2, remove=["SPE_E3"], seats={})],
                    skus=["SPE_E3"],
                ),
            ],
            ROOMY,
        )
        plan = compile_plan(doc)
        held = {s.finding: s for s in plan.skipped}
        assert held["move"].reason == "not_allowed" and held["move"].others == ("repl",)
        planned = {fid for c in plan.changes for fid in c.findings}
        assert "fine" in planned and "move" not in planned and ("repl" in planned) == ready
    text = _reason(translations(Locale.EN), "not_allowed", ("repl",))
    assert "repl" in text and "not_allowed" not in text


def test_a_product_a_group_is_about_to_give_is_not_added_directly_too() -> None:
    """A direct member of the F3 group lacks the group's copy: sku-required-missing reprocesses the
    user (the group gives F3). The E3 -> F3 replacement would add a direct F3 beside it: it waits
    for the next audit. Without a ready group fix, the replacement goes ahead."""
    reprocess = {
        "kind": "reprocess",
        "ready": True,
        "blocked": None,
        "description": "",
        "method": "POST",
        "path": f"/users/{U1}/reprocessLicenseAssignment",
        "body": None,
        "user": U1,
        "group": None,
        "seats": {"VISIOCLIENT": 1},
        "precondition": [{"exists": True}],
    }
    replace = finding("repl", NOT_ALLOWED, U1, [assign(U1, add=["VISIOCLIENT"], remove=["SPE_E3"])], skus=["SPE_E3"])
    plan = compile_plan(report([replace, finding("group", REQUIRED, U1, [reprocess], skus=["VISIOCLIENT"])], ROOMY))
    held = {s.finding: s for s in plan.skipped}
    assert held["repl"].reason == "group_gives" and held["repl"].others == ("group",)
    assert [c.kind for c in plan.changes] == ["reprocess"]
    alone = compile_plan(report([replace], ROOMY))
    assert [c.findings for c in alone.changes] == [("repl",)]
    text = _reason(translations(Locale.EN), "group_gives", ("group",))
    assert "group" in text and "group_gives" not in text
