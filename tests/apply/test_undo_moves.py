"""Undo of a move made in two runs never leaves the user without the product: a group copy in
ActiveWithError still holds it, and a group the second run left is joined again before the user
leaves the group the first run joined. Against the Graph emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from .conftest import (
    BEN,
    CARL,
    E3,
    E5,
    G_E3,
    G_E5,
    add_member,
    assign,
    outcome_lines,
    remove_member,
    run,
    write_plan,
)


def _move_into_the_group_in_two_runs(tmp_path: Path, graph_for: Any) -> tuple[Any, Path]:
    """Ben's direct E5 moved to the group G_E5: run one joins, run two removes the direct copy."""
    graph = graph_for(group_license_delay=1.0)
    removal = assign(
        BEN,
        remove=[E5],
        precondition=[{"holds": E5, "how": "direct"}, {"holds": E5, "how": "group", "group": G_E5, "active": True}],
    )
    plan = write_plan(tmp_path, [add_member(BEN, G_E5), removal], depends={2: [1]})
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(first), "--wait", "0") == 0
    graph.clock.advance(1.3)  # group licensing reaches Ben (group_license_delay)
    assert run("apply", plan, graph, "--yes", "--journal", str(second), "--wait", "10s") == 0
    assert graph.direct(BEN) == {} and graph.by_group(BEN) == {(E5, G_E5)}
    return graph, first


@pytest.mark.parametrize(
    ("state", "error"),
    [
        ("ActiveWithError", "MutuallyExclusiveViolation"),  # works with an error: another product's plans conflict
        ("Error", "CountViolation"),  # does not work: the group's copy found no seat
    ],
)
def test_the_direct_copy_goes_back_whatever_the_state_of_the_group_copy(
    tmp_path: Path, graph_for: Any, state: str, error: str
) -> None:
    graph, first = _move_into_the_group_in_two_runs(tmp_path, graph_for)
    tenant = graph.emulator.tenant
    states = tuple(
        msgspec.structs.replace(s, state=state, error=error) for s in tenant.user(BEN).license_assignment_states
    )
    tenant.change_user(BEN, license_assignment_states=states)
    assert run("undo", first, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    assert graph.direct(BEN) == {E5: ()}, "the direct copy is put back before Ben leaves the group"
    assert not graph.member(BEN, G_E5)
    lines = outcome_lines(tmp_path / "undo.jsonl")
    assert [(x["undoes"], x["action"]["kind"], x["outcome"]) for x in lines] == [
        ({"journal": "second.jsonl", "n": 2}, "assign_license", "done"),
        ({"journal": "first.jsonl", "n": 1}, "remove_member", "done"),
    ]


def test_a_group_to_group_move_in_two_runs_is_undone_by_joining_the_old_group_first(
    tmp_path: Path, graph_for: Any, capsys: Any
) -> None:
    graph = graph_for(group_license_delay=1.0)
    leave = remove_member(CARL, G_E5)
    leave["precondition"] = [{"member_of": G_E5}, {"holds": E3, "how": "group", "group": G_E3, "active": True}]
    plan = write_plan(tmp_path, [add_member(CARL, G_E3), leave], depends={2: [1]})
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(first), "--wait", "0") == 0
    assert [x["outcome"] for x in outcome_lines(first)] == ["done", "pending"]
    graph.clock.advance(1.3)  # group licensing reaches Carl (group_license_delay)
    assert run("apply", plan, graph, "--yes", "--journal", str(second), "--wait", "10s") == 0
    assert graph.member(CARL, G_E3) and not graph.member(CARL, G_E5)
    capsys.readouterr()
    assert run("undo", first, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl"), "--wait", "10s") == 0
    out = capsys.readouterr().out
    assert "1. undo change 2 of second.jsonl first (the user joins that group again" in out
    assert graph.member(CARL, G_E5) and not graph.member(CARL, G_E3)
    assert graph.by_group(CARL) == {(E5, G_E5)}, "Carl holds E5 from its group again"
    lines = outcome_lines(tmp_path / "undo.jsonl")
    assert [(x["undoes"], x["action"]["kind"], x["outcome"]) for x in lines] == [
        ({"journal": "second.jsonl", "n": 2}, "add_member", "done"),
        ({"journal": "first.jsonl", "n": 1}, "remove_member", "done"),
    ]
