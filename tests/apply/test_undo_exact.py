"""Undo is exact (issue 37, items 1-3): the seats of the whole undo are checked first, a re-join
waits for the group's license and a CountViolation is a failure, a failure stops only what
depends on it, a user is never left without a product they held, and undo keeps to the plan."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from auditor_dev.emulator import GraphEmulator
from auditor_dev.emulator.hooks import Reply, Request

from .conftest import (
    ANNA,
    BEN,
    CARL,
    DORA,
    E5,
    G_E3,
    G_E5,
    TEAMS,
    RereadFails,
    add_member,
    assign,
    journal_lines,
    make_tenant,
    outcome_lines,
    remove_member,
    run,
    write_plan,
)


def _move() -> list[dict[str, Any]]:
    """Ben's direct E5 moved to the licensing group G_E5: join, then remove the direct copy."""
    removal = assign(
        BEN,
        remove=[E5],
        precondition=[{"holds": E5, "how": "direct"}, {"holds": E5, "how": "group", "group": G_E5, "active": True}],
    )
    return [add_member(BEN, G_E5), removal]


def test_a_re_join_in_count_violation_is_failed_and_the_other_lines_go_on(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    holder: list[GraphEmulator] = []

    def take_the_seat(request: Request) -> None:
        # between the seat check and the re-join, someone takes the E5 seat Carl freed
        if request.method == "POST" and request.path == f"/groups/{G_E5}/members/$ref" and holder:
            holder.pop().tenant.assign_license(
                DORA, {"addLicenses": [{"skuId": E5, "disabledPlans": []}], "removeLicenses": []}
            )

    graph = graph_for(make_tenant(e5_seats=3), responders=[take_the_seat], group_license_delay=0.2)
    plan = write_plan(tmp_path, [add_member(DORA, G_E3), remove_member(CARL, G_E5)])
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    holder.append(graph.emulator)
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl"), "--wait", "20s") == 3
    captured = capsys.readouterr()
    lines = outcome_lines(tmp_path / "undo.jsonl")
    # Graph accepted the re-join (204), but the group's license is in error: failed, never done
    assert [(x["undoes"]["n"], x["outcome"], x["status"]) for x in lines] == [(2, "failed", 204), (1, "done", 204)]
    assert (
        "the license of Microsoft 365 E5 from group License - E5 is in state Error with the error not enough "
        "licenses (CountViolation)"
    ) in lines[0]["note"]
    # the failure stopped nothing that does not depend on it: Dora left G_E3
    assert not graph.member(DORA, G_E3)
    assert "1 of 2 change(s) undone, 0 skipped, 1 failed" in captured.out
    assert "CountViolation" in captured.err


def test_two_run_move_undo_puts_the_direct_copy_back_before_leaving(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(group_license_delay=1.0)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    # the first apply joins and leaves the removal pending; the second removes the direct copy
    assert run("apply", plan, graph, "--yes", "--journal", str(first), "--wait", "0") == 0
    graph.clock.advance(1.3)  # group licensing reaches Ben (group_license_delay)
    assert run("apply", plan, graph, "--yes", "--journal", str(second), "--wait", "10s") == 0
    assert graph.direct(BEN) == {} and graph.by_group(BEN) == {(E5, G_E5)}
    capsys.readouterr()
    writes = len(graph.writes())
    assert run("undo", first, graph) == 0  # the dry run says so, and sends nothing
    out = capsys.readouterr().out
    assert (
        "1. undo change 2 of second.jsonl first (the direct assignment goes back before the user leaves the group "
        "in the undo of change 1): Assign Microsoft 365 E5 to Ben (ben@contoso.example)"
    ) in out
    assert "2. undo change 1: Remove Ben (ben@contoso.example) from the group License - E5" in out
    assert "dry run: 2 change(s) would be undone, 0 skipped" in out
    assert len(graph.writes()) == writes
    # undoing the first journal alone: the second journal (same plan, found by its SHA-256) removed
    # the direct copy that rests on the join, so it is put back before Ben leaves the group
    assert run("undo", first, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    out = capsys.readouterr().out
    assert "read with the plan's other journals: second.jsonl" in out
    assert out.index("1. undo change 2 of second.jsonl first") < out.index("2. undo change 1: Remove Ben")
    assert graph.direct(BEN) == {E5: ()}, "Ben is never without E5"
    assert not graph.member(BEN, G_E5)
    lines = outcome_lines(tmp_path / "undo.jsonl")
    assert [(x["undoes"], x["action"]["kind"], x["outcome"]) for x in lines] == [
        ({"journal": "second.jsonl", "n": 2}, "assign_license", "done"),
        ({"journal": "first.jsonl", "n": 1}, "remove_member", "done"),
    ]


def test_leaving_is_refused_when_the_product_would_go_with_the_group(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The direct copy was removed outside the plan's journals: nothing to put back, so Ben stays."""
    graph = graph_for(group_license_delay=0.2)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--wait", "10s") == 0
    assert graph.direct(BEN) == {}
    lines = journal_lines(journal)
    # keep the join only (the removal's lines are lost, e.g. another copy of the journal)
    journal.write_text("".join(json.dumps(x) + "\n" for x in lines if x["n"] == 1), encoding="utf-8")
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    said = capsys.readouterr()  # the reason on the change's line; the last line names the change
    assert "holds Microsoft 365 E5 only from group License - E5: leaving it would leave them without it" in said.out
    assert "1 change(s) not undone, each with its reason above: 1" in said.err
    assert graph.member(BEN, G_E5) and graph.by_group(BEN) == {(E5, G_E5)}


def test_a_removal_of_unknown_outcome_keeps_the_join_it_rests_on(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    holder: list[GraphEmulator] = []

    def made_then_504(request: Request) -> Reply | None:
        # the removal is made, but the answer is lost: 504
        if request.method == "POST" and request.path == f"/users/{BEN}/assignLicense" and holder:
            holder.pop().tenant.assign_license(BEN, {"addLicenses": [], "removeLicenses": [E5]})
            return Reply(504, {"error": {"code": "GatewayTimeout", "message": "timeout"}})
        return None

    graph = graph_for(responders=[RereadFails(f"/users/{BEN}/assignLicense"), made_then_504], group_license_delay=0.2)
    holder.append(graph.emulator)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--wait", "10s") == 3
    assert [x["outcome"] for x in outcome_lines(journal)] == ["done", "unknown"]
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    err = capsys.readouterr().out  # on the change's own line
    assert "change 2, which rests on it, has an unknown outcome (j.jsonl line 4)" in err
    assert graph.member(BEN, G_E5) and graph.by_group(BEN) == {(E5, G_E5)}, "Ben keeps E5 from the group"


def test_journal_lines_carry_the_plan_and_undo_keeps_to_its_users(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3)])
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    sha = hashlib.sha256(plan.read_bytes()).hexdigest()
    assert {line["plan"]["sha256"] for line in journal_lines(journal)} == {sha}
    # an edited journal: Ben's line now names Anna, whom the plan does not name
    edited = tmp_path / "edited" / "apply.jsonl"
    edited.parent.mkdir()
    edited.write_text(journal.read_text(encoding="utf-8").replace(BEN, ANNA), encoding="utf-8")
    (edited.parent / "plan.json").write_bytes(plan.read_bytes())
    writes = len(graph.writes())
    assert run("undo", edited, graph, "--yes", "--journal", str(tmp_path / "undo-edited.jsonl")) == 3
    assert f"names no change for user {ANNA}" in capsys.readouterr().out
    assert graph.direct(ANNA) == {E5: (TEAMS,)}
    assert [f"{w.method} {w.path}" for w in graph.writes()[writes:]] == [f"DELETE /groups/{G_E3}/members/{DORA}/$ref"]
    # the undo journal names the plan too: it can itself be undone, within the same plan
    assert {line["plan"]["sha256"] for line in journal_lines(tmp_path / "undo-edited.jsonl")} == {sha}
    # without the plan beside it (or --plan), undo refuses: exit 2, nothing written
    alone = tmp_path / "alone" / "apply.jsonl"
    alone.parent.mkdir()
    alone.write_bytes(journal.read_bytes())
    assert run("undo", alone, graph, "--yes") == 2
    assert "the plan it was applied from (plan.json, SHA-256" in capsys.readouterr().err
    assert run("undo", alone, graph, "--yes", "--plan", str(plan), "--journal", str(tmp_path / "u2.jsonl")) == 0
    assert graph.direct(BEN) == {E5: ()}


def test_a_failed_undo_holds_back_only_the_changes_it_rests_on(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    refusing: list[bool] = []

    def refuse_ben(request: Request) -> Reply | None:
        if refusing and request.method == "POST" and request.path == f"/users/{BEN}/assignLicense":
            return Reply(400, {"error": {"code": "Request_BadRequest", "message": "License assignment failed."}})
        return None

    graph = graph_for(responders=[refuse_ben], group_license_delay=0.2)
    # Dora joins G_E3 (independent); Ben's direct E5 moves to G_E5 (the removal rests on the join)
    plan = write_plan(tmp_path, [add_member(DORA, G_E3), *_move()], depends={3: [2]})
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--wait", "10s") == 0
    assert graph.direct(BEN) == {} and graph.member(DORA, G_E3)
    refusing.append(True)
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    lines = outcome_lines(tmp_path / "undo.jsonl")
    assert [(x["undoes"]["n"], x["outcome"]) for x in lines] == [(3, "failed"), (2, "skipped"), (1, "done")]
    assert lines[1]["note"] == "change(s) 3, which rest on it, stay in effect (their undo was not made)"
    assert graph.member(BEN, G_E5) and graph.by_group(BEN) == {(E5, G_E5)}, "Ben keeps E5 from the group"
    assert not graph.member(DORA, G_E3), "the independent change was undone"
