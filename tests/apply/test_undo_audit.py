"""undo gives back only what the tenant's own record shows this tool took: before it reverts a license or
membership change, the directory audit log (GET /auditLogs/directoryAudits) must show that change as the
latest of that user's product, made by the credential undo signs in with. Through the CLI and the Graph
emulator, whose audit log records its writes by the calling app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    ALL_ROLES,
    ANNA,
    CARL,
    DORA,
    E3,
    E5,
    G_E3,
    G_E5,
    TEAMS,
    add_member,
    assign,
    journal_lines,
    remove_member,
    run,
    write_plan,
)


def _applied(tmp_path: Path, graph: Any) -> Path:
    plan = write_plan(tmp_path, [assign(ANNA, add=[(E3, [])], remove=[E5]), assign(DORA, remove=[E5])])
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    assert [(x["n"], x["outcome"]) for x in journal_lines(journal) if x["outcome"] != "sending"] == [
        (1, "done"),
        (2, "skipped"),  # Dora holds no E5: the tool never removed it
    ]
    return journal


def test_a_removal_the_tool_never_made_edited_into_the_journal_is_refused(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    journal = _applied(tmp_path, graph)
    lines = journal_lines(journal)
    (skipped,) = [x for x in lines if x["n"] == 2]
    (done,) = [x for x in lines if x["n"] == 1 and x["outcome"] == "done"]
    # the journal edited to say the tool removed Dora's E5: undo would give her a seat of E5
    skipped["outcome"], skipped["status"], skipped["note"] = "done", 200, ""
    skipped["before"] = {
        **done["before"],
        "assignedLicenses": [{"disabledPlans": [], "skuId": E5}],
        "licenseAssignmentStates": [{"assignedByGroup": None, "disabledPlans": [], "skuId": E5, "state": "Active"}],
    }
    journal.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    capsys.readouterr()
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    err = capsys.readouterr().err
    assert "1 change(s) not undone, each with its reason above: 2" in err
    undone = {x["undoes"]["n"]: x for x in journal_lines(tmp_path / "undo.jsonl") if x["outcome"] != "sending"}
    assert undone[2]["outcome"] == "skipped"
    assert f"shows no change of the product {E5} for user {DORA} by this tool's credential" in undone[2]["note"]
    assert graph.direct(DORA) == {}  # no seat of E5 given
    assert undone[1]["outcome"] == "done" and graph.direct(ANNA) == {E5: (TEAMS,)}  # the tool's own change: undone


def test_without_the_audit_log_undo_gives_nothing_back(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(roles=tuple(r for r in ALL_ROLES if r != "AuditLog.Read.All"))
    journal = _applied(tmp_path, graph)
    capsys.readouterr()
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    (line,) = [x for x in journal_lines(tmp_path / "undo.jsonl") if x["outcome"] != "sending"]
    assert line["outcome"] == "skipped"
    assert "the token lacks the application permission AuditLog.Read.All" in line["note"]
    assert graph.direct(ANNA) == {E3: ()}  # E5 not given back without the log's word


def test_the_log_is_read_once_for_the_whole_journal_not_once_per_user(tmp_path: Path, graph_for: Any) -> None:
    """The directory audit log allows 5 requests in 10 seconds: undo reads it for one user to tell the log's
    clock from the journal's, then once for every user from the journal's first write (auditor.apply.undo_audit),
    so the number of reads does not grow with the journal's users."""
    graph = graph_for()
    plan = write_plan(
        tmp_path,
        [
            assign(ANNA, add=[(E3, [])], remove=[E5]),
            remove_member(CARL, G_E5, "Carl leaves License - E5"),
            add_member(DORA, G_E3, "Dora joins License - E3"),
        ],
    )
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    before = len(graph.emulator.requests)
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    reads = [r for r in graph.emulator.requests[before:] if r.path == "/auditLogs/directoryAudits"]
    assert len(reads) == 2  # the first user's own entries, then the window of every user's
    assert "targetResources" in reads[0].query["$filter"] and "targetResources" not in reads[1].query["$filter"]
    assert [x["outcome"] for x in journal_lines(tmp_path / "undo.jsonl") if x["outcome"] != "sending"] == ["done"] * 3
