"""undo gives back only what the tenant's own record shows this tool took: before it reverts a license or
membership change, the directory audit log (GET /auditLogs/directoryAudits) must show that change as the
latest of that user's product, made by the credential undo signs in with. Through the CLI and the Graph
emulator, whose audit log records its writes by the calling app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import ALL_ROLES, ANNA, DORA, E3, E5, TEAMS, assign, journal_lines, run, write_plan


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
