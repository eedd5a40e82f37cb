"""Moving a direct copy to a licensing group: apply joins the group, waits (re-reading the user)
until the group's copy is Active, then removes the direct copy in the same run; a copy that is not
active in time, or is in error, leaves the removal pending. The emulator applies group licenses
after a delay, as Entra ID does in the background, and the real msgraph-sdk reads it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from auditor.data.model import AssignedLicense, Group

from .conftest import (
    BEN,
    E3,
    E5,
    G_E5,
    add_member,
    assign,
    journal_lines,
    make_tenant,
    outcome_lines,
    run,
    write_plan,
)

G_BOTH = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"  # assigns E3 and E5


def _move(group: str = G_E5, seats: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Ben's direct E5 moved to `group`: join it, then (once its copy is active) remove the direct copy."""
    removal = assign(
        BEN,
        remove=[E5],
        precondition=[{"holds": E5, "how": "direct"}, {"holds": E5, "how": "group", "group": group, "active": True}],
    )
    return [add_member(BEN, group, seats=seats), removal]


def _user_reads(graph: Any, user: str) -> int:
    return sum(1 for r in graph.emulator.requests if r.method == "GET" and r.path == f"/users/{user}")


def test_join_then_the_direct_copy_goes_in_the_same_run(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(group_license_delay=0.4)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--wait", "30s") == 0
    out = capsys.readouterr().out
    assert "waiting up to 30 seconds for the group's license" in out
    assert "2 of 2 change(s) applied, 0 skipped" in out
    assert graph.member(BEN, G_E5)
    assert graph.direct(BEN) == {}  # the direct copy went
    assert graph.by_group(BEN) == {(E5, G_E5)}  # the group's copy stays
    assert graph.consumed(E5) == 3  # Ben held one seat before and holds one after
    # right after the join the group's copy was not there yet: the user was read again until it was
    assert _user_reads(graph, BEN) >= 3
    lines = outcome_lines(journal)
    assert [(line["n"], line["outcome"]) for line in lines] == [(1, "done"), (2, "done")]
    states = lines[1]["before"]["licenseAssignmentStates"]
    assert {"skuId": E5, "assignedByGroup": G_E5, "disabledPlans": [], "state": "Active", "error": "None"} in states


def test_a_group_copy_not_active_in_time_leaves_the_removal_pending_and_the_next_apply_makes_it(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(group_license_delay=3.0)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    first = tmp_path / "first.jsonl"
    started = graph.clock.now()
    assert run("apply", plan, graph, "--yes", "--journal", str(first), "--wait", "1s") == 0
    out = capsys.readouterr().out
    assert "1 of 2 change(s) applied, 0 skipped, 1 pending (waiting for a group's license)" in out
    assert graph.member(BEN, G_E5)
    assert graph.direct(BEN) == {E5: ()}  # the direct copy stays
    [join, pending] = outcome_lines(first)
    assert join["outcome"] == "done"
    assert pending["outcome"] == "pending" and pending["status"] is None
    assert "was not active for the user after 1 second (--wait)" in pending["note"]
    assert [line["outcome"] for line in journal_lines(first)] == ["sending", "done", "pending"]  # never sent

    # once group licensing has reached Ben, the next apply of the same plan makes the removal
    graph.clock.advance(3.5 - (graph.clock.now() - started))
    second = tmp_path / "second.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(second), "--wait", "30s") == 0
    assert "1 of 2 change(s) applied, 1 skipped" in capsys.readouterr().out
    assert [(line["n"], line["outcome"]) for line in outcome_lines(second)] == [(1, "skipped"), (2, "done")]
    assert graph.direct(BEN) == {}
    assert graph.by_group(BEN) == {(E5, G_E5)}


def test_a_group_copy_in_error_leaves_the_removal_pending_with_the_error(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # the group gives E3 too, and no E3 seat is free: group licensing fails with CountViolation
    tenant = make_tenant(e3_seats=0)
    both = Group(
        G_BOTH,
        "License - E3 and E5",
        (AssignedLicense(E3), AssignedLicense(E5)),
        (),
        has_members_with_license_errors=False,
    )
    graph = graph_for(dataclasses.replace(tenant, groups=(*tenant.groups, both)), group_license_delay=0.3)
    plan = write_plan(tmp_path, _move(G_BOTH, {"SPE_E3": 1}), depends={2: [1]})
    journal = tmp_path / "j.jsonl"
    started = graph.clock.now()  # apply's --wait runs on it (apply_waits)
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--wait", "60s") == 0
    assert graph.clock.now() - started < 30  # an error is not waited out
    assert "1 pending" in capsys.readouterr().out
    [_, pending] = outcome_lines(journal)
    assert pending["outcome"] == "pending"
    assert "is in state Error with the error not enough licenses (CountViolation)" in pending["note"]
    assert graph.direct(BEN) == {E5: ()}  # Ben keeps his direct copy: he is never left without E5


def test_undo_reverses_the_join_and_the_removal(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(group_license_delay=0.3)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--wait", "30s") == 0
    assert graph.direct(BEN) == {} and graph.member(BEN, G_E5)
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    out = capsys.readouterr().out
    assert "2 of 2 change(s) undone" in out
    assert not graph.member(BEN, G_E5)
    assert graph.direct(BEN) == {E5: ()}  # the direct copy is back, as it was
    assert graph.by_group(BEN) == set()
    assert graph.consumed(E5) == 3
    undone = outcome_lines(tmp_path / "undo.jsonl")
    assert [(line["action"]["kind"], line["outcome"]) for line in undone] == [
        ("assign_license", "done"),
        ("remove_member", "done"),
    ]


def test_undo_keeps_a_join_that_a_pending_removal_rests_on(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A removal left pending may still be made by a later apply of the plan (a re-run of the
    workflow): the join it rests on is not undone while it is pending (item 2)."""
    graph = graph_for(group_license_delay=60.0)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--wait", "0") == 0
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    captured = capsys.readouterr()
    assert f"change 2 (POST /users/{BEN}/assignLicense) was left pending" in captured.out
    assert "nothing to undo" in captured.out
    assert "change 2, which rests on it, was left pending (j.jsonl line 3)" in captured.out
    assert graph.member(BEN, G_E5)
    assert graph.direct(BEN) == {E5: ()}


def test_a_dry_run_says_it_would_wait(tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]) -> None:
    graph = graph_for(group_license_delay=0.3)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    assert run("apply", plan, graph, "--wait", "2m") == 0
    out = capsys.readouterr().out
    assert "would wait up to 2 minutes (--wait) for the group's license to be active, then apply" in out
    assert "dry run: 2 change(s) would be applied, 0 skipped" in out
    assert graph.writes() == []


def test_other_preconditions_are_checked_before_any_wait(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A removal whose direct copy is gone already is skipped at once, not waited for."""
    graph = graph_for(group_license_delay=60.0)
    # Ben's direct E5 is taken away by hand after the plan was made
    gone = write_plan(tmp_path, [assign(BEN, remove=[E5])], name="by-hand.json")
    assert run("apply", gone, graph, "--yes", "--journal", str(tmp_path / "by-hand.jsonl")) == 0
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    started = graph.clock.now()
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl"), "--wait", "60s") == 0
    assert graph.clock.now() - started < 30
    # the join, planned as a move (no seat), would now give Ben an E5 seat: skipped too, at once
    out = capsys.readouterr().out
    assert "0 of 2 change(s) applied, 2 skipped" in out
    assert "joining it would give Microsoft 365 E5 too" in out
