"""`license-auditor undo JOURNAL`: the done changes reverted newest first, against the Graph emulator."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.apply import read_journal
from auditor.apply.journal import JournalError
from auditor.data.model import PrepaidUnits
from auditor.formats.plan_json import PlanFileError
from auditor_dev.emulator import Reply, Request, error_document

from .conftest import (
    ANNA,
    BEN,
    CARL,
    DORA,
    E3,
    E5,
    EXCHANGE,
    G_E3,
    G_E5,
    OTHER_TENANT,
    TEAMS,
    TENANT,
    add_member,
    assign,
    make_tenant,
    outcome_lines,
    remove_member,
    reprocess,
    run,
    write_plan,
)


def _apply(tmp_path: Path, graph: Any) -> Path:
    plan = write_plan(
        tmp_path,
        [
            add_member(DORA, G_E3, "Dora joins License - E3"),
            assign(ANNA, add=[(E3, [EXCHANGE])], remove=[E5], description="Replace E5 with E3 for Anna"),
            remove_member(CARL, G_E5, "Carl leaves License - E5"),
            reprocess(BEN),
            assign(DORA, remove=[E5]),  # skipped: Dora holds no E5
        ],
    )
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    assert [x["outcome"] for x in outcome_lines(journal)] == ["done"] * 4 + ["skipped"]
    return journal


def _state(graph: Any) -> dict[str, Any]:
    return {uid: (graph.direct(uid), graph.by_group(uid)) for uid in (ANNA, BEN, CARL, DORA)} | {
        "members": (graph.member(DORA, G_E3), graph.member(CARL, G_E5)),
        "seats": (graph.consumed(E3), graph.consumed(E5)),
    }


def test_undo_restores_the_state_before_the_apply(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    before = _state(graph)
    journal = _apply(tmp_path, graph)
    assert _state(graph) != before
    writes = len(graph.writes())
    capsys.readouterr()

    # dry run first: reads, shows, writes nothing
    assert run("undo", journal, graph) == 0
    out = capsys.readouterr().out
    assert len(graph.writes()) == writes
    assert out.index("undo change 3:") < out.index("undo change 2:") < out.index("undo change 1:")
    assert f"      POST /groups/{G_E5}/members/$ref" in out
    assert f"      DELETE /groups/{G_E3}/members/{DORA}/$ref" in out
    assert "reprocessLicenseAssignment has no inverse" in out
    assert "dry run: 3 change(s) would be undone, 1 skipped" in out

    assert run("undo", journal, graph, "--yes") == 0
    assert _state(graph) == before
    assert graph.direct(ANNA) == {E5: (TEAMS,)}, "E5 came back with Teams still switched off"
    assert [f"{w.method} {w.path}" for w in graph.writes()[writes:]] == [
        f"POST /groups/{G_E5}/members/$ref",
        f"POST /users/{ANNA}/assignLicense",
        f"DELETE /groups/{G_E3}/members/{DORA}/$ref",
    ]
    [undo_journal] = tmp_path.glob("undo-*.jsonl")
    lines = outcome_lines(undo_journal)
    assert [(x["n"], x["undoes"], x["outcome"]) for x in lines] == [
        (1, {"journal": "apply.jsonl", "n": 4}, "skipped"),
        (2, {"journal": "apply.jsonl", "n": 3}, "done"),
        (3, {"journal": "apply.jsonl", "n": 2}, "done"),
        (4, {"journal": "apply.jsonl", "n": 1}, "done"),
    ]
    assert lines[0]["note"].startswith("reprocessLicenseAssignment has no inverse")
    assert lines[2]["request"]["body"] == {
        "addLicenses": [{"disabledPlans": [TEAMS], "skuId": E5}],
        "removeLicenses": [E3],
    }
    assert lines[1]["request"]["body"] == {"@odata.id": f"{graph.url}/directoryObjects/{CARL}"}


def test_undo_skips_what_already_matches_the_state_before(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for()
    journal = _apply(tmp_path, graph)
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo1.jsonl")) == 0
    writes = len(graph.writes())
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo2.jsonl")) == 0
    assert len(graph.writes()) == writes
    notes = [(x["outcome"], x["note"]) for x in outcome_lines(tmp_path / "undo2.jsonl")]
    assert [o for o, _ in notes] == ["skipped"] * 4
    assert all(n.startswith(("already as before", "reprocessLicenseAssignment has no inverse")) for _, n in notes)


def test_undo_sends_only_the_part_that_differs(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for()
    journal = tmp_path / "apply.jsonl"
    plan = write_plan(tmp_path, [assign(ANNA, add=[(E3, [])], remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    # someone removed E3 by hand since: only E5 needs restoring
    edit = write_plan(tmp_path, [assign(ANNA, remove=[E3])], name="edit.json")
    assert run("apply", edit, graph, "--yes", "--journal", str(tmp_path / "edit.jsonl")) == 0
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    [line] = outcome_lines(tmp_path / "undo.jsonl")
    assert line["request"]["body"] == {"addLicenses": [{"disabledPlans": [TEAMS], "skuId": E5}], "removeLicenses": []}
    assert graph.direct(ANNA) == {E5: (TEAMS,)}


def test_an_undo_journal_can_itself_be_undone(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for()
    journal = _apply(tmp_path, graph)
    applied = _state(graph)
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    assert run("undo", tmp_path / "undo.jsonl", graph, "--yes", "--journal", str(tmp_path / "redo.jsonl")) == 0
    assert _state(graph) == applied


def test_undo_restores_what_the_free_seats_allow_and_names_the_rest(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(make_tenant(e5_seats=3))  # Anna, Ben and Carl use every E5 seat
    journal = tmp_path / "apply.jsonl"
    plan = write_plan(tmp_path, [assign(ANNA, add=[(E3, [])]), assign(BEN, remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    # the seat Ben freed is taken before the undo
    take = write_plan(tmp_path, [add_member(DORA, G_E5)], name="take.json")
    assert run("apply", take, graph, "--yes", "--journal", str(tmp_path / "take.jsonl")) == 0
    assert graph.consumed(E5) == 3
    capsys.readouterr()
    # a dry run says it first, and writes nothing
    writes = len(graph.writes())
    assert run("undo", journal, graph) == 3
    assert "Microsoft 365 E5 short by 1" in capsys.readouterr().err
    assert len(graph.writes()) == writes
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    captured = capsys.readouterr()
    # said before the first write, per product and by how many
    assert (
        "not enough free seats for the whole undo: Microsoft 365 E5 short by 1 (the undo takes back 1, 0 free)"
        in captured.err
    )
    # change 2 (Ben's E5 back) cannot be restored; change 1 (Anna's E3 taken off) needs no E5 seat and is
    lines = outcome_lines(tmp_path / "undo.jsonl")
    assert [(x["undoes"]["n"], x["outcome"]) for x in lines] == [(2, "skipped"), (1, "done")]
    assert lines[0]["note"].startswith(
        "not enough free seats: Microsoft 365 E5 short by 1 (its undo takes back 1, 0 free now)"
    )
    # the reason is said once, on the change's own line; the last line names the change by number
    reason = "not enough free seats: Microsoft 365 E5 short by 1 (its undo takes back 1, 0 free now)"
    assert (captured.out + captured.err).count(reason) == 1 and reason in captured.out
    assert "1 change(s) not undone, each with its reason above: 2" in captured.err
    assert graph.direct(ANNA) == {E5: (TEAMS,)} and graph.direct(BEN) == {}


def test_an_over_assigned_product_is_warned_of_first_and_its_undo_names_what_cannot_go_back(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """E5 is held by Anna, Ben and Carl on 2 enabled seats (1 suspended): Microsoft assigns no seat
    beyond the enabled ones (licenseUnitsDetail: suspended units "can't be assigned"), so of the 2
    removals an undo gives back 1. apply says so before its first change; undo names the other, once."""
    tenant = make_tenant()
    skus = tuple(
        msgspec.structs.replace(s, prepaid_units=PrepaidUnits(enabled=2, suspended=1)) if s.sku_id == E5 else s
        for s in tenant.skus
    )
    graph = graph_for(dataclasses.replace(tenant, skus=skus))
    plan = write_plan(
        tmp_path,
        [assign(ANNA, remove=[E5], seats={"SPE_E5": -1}), assign(BEN, remove=[E5], seats={"SPE_E5": -1})],
    )
    journal = tmp_path / "apply.jsonl"
    warning = "is assigned to 1 more user(s) than it has enabled seats"
    capsys.readouterr()
    assert run("apply", plan, graph) == 0  # a dry run says it too: before any change is made
    assert warning in capsys.readouterr().err and graph.writes() == []
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    said = capsys.readouterr()
    assert (said.out + said.err).count(warning) == 1
    assert "of the 2 these changes take away, an undo can give back 1" in said.err
    assert graph.consumed(E5) == 1

    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    said = capsys.readouterr()
    # newest first: Ben's E5 takes the one enabled seat left, Anna's cannot come back
    lines = outcome_lines(tmp_path / "undo.jsonl")
    assert [(x["undoes"]["n"], x["outcome"]) for x in lines] == [(2, "done"), (1, "skipped")]
    reason = "not enough free seats: Microsoft 365 E5 short by 1 (its undo takes back 1, 0 free now)"
    assert lines[1]["note"].startswith(reason)
    assert (said.out + said.err).count(reason) == 1  # once, on the change's own line
    assert said.err.splitlines()[-1].endswith("1 change(s) not undone, each with its reason above: 1")
    assert graph.direct(BEN) == {E5: ()} and graph.direct(ANNA) == {}
    assert graph.consumed(E5) == 2


def test_undo_names_a_change_whose_user_is_gone_and_restores_the_others(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    deleted: list[str] = []

    def gone(request: Request) -> Reply | None:  # Graph's answer for a user deleted since
        if deleted and request.method == "GET" and request.path.startswith(f"/users/{deleted[0]}"):
            return Reply(404, error_document("Request_ResourceNotFound", f"Resource '{deleted[0]}' does not exist."))
        return None

    graph = graph_for(responders=[gone])
    journal = tmp_path / "apply.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3)])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    deleted.append(BEN)
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    said = capsys.readouterr()
    assert "the user no longer exists" in said.out and "not undone, each with its reason above: 1" in said.err
    assert not graph.member(DORA, G_E3), "the other change was undone"
    assert [x["outcome"] for x in outcome_lines(tmp_path / "undo.jsonl")] == ["done", "skipped"]


def test_a_broken_journal_line_is_named_and_the_others_used(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_text('{"n": 1}\nnot json\n', encoding="utf-8")
    with pytest.raises(JournalError) as caught:  # exit 3: nothing in it can be used
        read_journal(journal)
    assert str(caught.value).startswith(f"{journal}: no intact journal line; line 1: tenant_id: ")
    assert "line 2: cut or damaged: not a JSON object" in str(caught.value)
    good = {
        "time": "2026-11-02T09:00:00.000Z",
        "n": 1,
        "tenant_id": "7a1c0f3e-5b2d-4e8f-9a6b-1c2d3e4f5a6b",
        "cloud": "worldwide",
        "action": assign(BEN, remove=[E5]) | {"n": 1},
        "request": {},
        "status": 200,
        "outcome": "done",
        "note": "",
        "before": None,
    }
    # a hand-edited state whose disabled plans are not GUIDs: named here, not a crash in undo
    edited = {
        "exists": True,
        "assignedLicenses": [],
        "licenseAssignmentStates": [
            {"skuId": E5, "assignedByGroup": None, "disabledPlans": [7], "state": "Active", "error": "None"}
        ],
    }
    usable = good | {"outcome": "skipped"}
    bad = [good, good | {"before": edited}, good | {"outcome": "maybe"}, usable | {"tenant_id": OTHER_TENANT}]
    journal.write_text("".join(json.dumps(x) + "\n" for x in [usable, *bad]) + "not json\n", encoding="utf-8")
    read = read_journal(journal)
    assert [line.line for line in read.lines] == [1]
    assert [(d.line, d.reason.split(":")[0]) for d in read.damaged] == [
        (2, "before"),
        (3, "before.licenseAssignmentStates"),
        (4, "outcome"),
        (5, "tenant_id"),
        (6, "cut or damaged"),
    ]
    assert read.damaged[0].reason == "before: a done change must record the user's state before it"
    assert read.damaged[2].reason.startswith("outcome: 'maybe' is not one of")
    journal.write_text("", encoding="utf-8")
    with pytest.raises(PlanFileError, match="holds no journal lines"):
        read_journal(journal)


def test_undo_is_for_the_journal_s_tenant_only(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    journal = _apply(tmp_path, graph)
    writes = len(graph.writes())
    other = graph_for(tenant_claim=OTHER_TENANT)
    assert run("undo", journal, other, "--yes") == 2
    assert f"the credential signs in to tenant {OTHER_TENANT}" in capsys.readouterr().err
    assert run("undo", journal, graph, "--yes", "--tenant-id", OTHER_TENANT) == 2
    assert f"is for tenant {TENANT}" in capsys.readouterr().err
    assert len(graph.writes()) == writes and other.writes() == []
    assert not list(tmp_path.glob("undo-*"))


def test_a_journal_without_done_changes_has_nothing_to_undo(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    journal = tmp_path / "dry.jsonl"
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    assert run("apply", plan, graph, "--journal", str(journal)) == 0
    assert run("undo", journal, graph, "--yes") == 0
    assert "0 change(s) done" in capsys.readouterr().out
    assert graph.writes() == [] and not list(tmp_path.glob("undo-*"))


def test_the_undo_listing_shows_the_reverse_of_each_change(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each undo line says what undo does (the reverse call), never what the change it undoes did."""
    graph = graph_for()
    journal = _apply(tmp_path, graph)
    capsys.readouterr()
    assert run("undo", journal, graph) == 0
    out = capsys.readouterr().out
    lines = [line.strip() for line in out.splitlines()]
    # change 3 removed Carl from G_E5: its undo adds him back (named as Graph names them: item 25)
    assert "2. undo change 3: Add Carl (carl@contoso.example) to the group License - E5" in lines
    # change 2 gave Anna E3 (Exchange off) for E5 (Teams off): its undo puts E5 back and takes E3
    assert (
        "3. undo change 2: Assign Microsoft 365 E5 (service plans turned off: 1) to Anna (anna@contoso.example) "
        "and remove Microsoft 365 E3, in one call"
    ) in lines
    # change 1 added Dora to G_E3: its undo removes her
    assert "4. undo change 1: Remove Dora (dora@contoso.example) from the group License - E3" in lines
    assert "1. undo change 4: nothing to send" in lines  # a reprocess has no reverse; the next line says why
    # the original changes' words are nowhere in the listing
    for original in (
        f"Remove user {CARL} from the group {G_E5}",
        f"Add user {DORA} to the group {G_E3}",
        f"Assign {E3} (service plans turned off: 1) to user {ANNA}",
        "Reprocess the group licenses",
    ):
        assert original not in out

    # the undo journal's own description is the reverse too (an undo journal can itself be undone)
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    described = {
        x["undoes"]["n"]: x["action"]["description"]
        for x in outcome_lines(tmp_path / "undo.jsonl")
        if x["outcome"] == "done"
    }
    assert described[3] == f"Undo change 3: Add user {CARL} to the group {G_E5}"
    assert described[1] == f"Undo change 1: Remove user {DORA} from the group {G_E3}"
