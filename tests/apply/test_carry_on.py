"""apply carries on past a change Graph refused or whose outcome is unknown (auditor/apply/carry.py),
against the Graph emulator with per-request faults: a conflicting license (400), a user deleted
since the re-read (404), a write outside the credential's administrative unit (403), a 504, a
dropped connection, and a re-read that fails too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind, license_conflict, outside_unit, user_deleted

from auditor_dev.emulator import Drop, Request

from .conftest import (
    ANNA,
    BEN,
    CARL,
    DORA,
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


def _outcomes(journal: Path) -> list[tuple[int, str]]:
    return [(line["n"], line["outcome"]) for line in outcome_lines(journal)]


def test_a_refused_change_fails_alone_and_what_rests_on_it_is_skipped(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(responders=[license_conflict(DORA), outside_unit(rf"^POST /v1\.0/groups/{G_E3}/members/\$ref$")])
    plan = write_plan(
        tmp_path,
        [
            assign(BEN, remove=[E5]),  # 1 done
            assign(DORA, add=[(E3, [])]),  # 2 refused: 400 conflicting plans
            add_member(DORA, G_E5),  # 3 the same user: skipped
            add_member(ANNA, G_E3),  # 4 refused: 403 (administrative unit)
            assign(ANNA, remove=[E5]),  # 5 depends on 4: skipped
            remove_member(CARL, G_E5),  # 6 unrelated: done
        ],
        depends={5: [4]},
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    out, err = capsys.readouterr()
    assert _outcomes(journal) == [
        (1, "done"),
        (2, "failed"),
        (3, "skipped"),
        (4, "failed"),
        (5, "skipped"),
        (6, "done"),
    ]
    lines = {line["n"]: line for line in outcome_lines(journal)}
    assert (lines[2]["status"], lines[4]["status"]) == (400, 403)
    assert lines[2]["note"].startswith("Graph refused it: 400 Request_BadRequest: License assignment failed")
    assert "the signed-in role is scoped to administrative units this object is not in" in lines[4]["note"]
    assert lines[3]["note"].startswith("change 2 for the same user failed (Graph refused it: 400 Request_BadRequest")
    assert lines[5]["note"].startswith(
        "it depends on change 4, which failed: Graph refused it: 403 Authorization_RequestDenied"
    )
    assert "2 of 6 change(s) applied, 2 skipped (2 of them resting on a change that failed), 2 failed" in out
    assert "2 change(s) did not go through (2 failed, 0 outcome unknown" in err
    assert graph.direct(BEN) == {} and not graph.member(CARL, G_E5)
    assert not graph.member(DORA, G_E5) and graph.direct(ANNA) != {}


def test_a_user_deleted_since_the_re_read_fails_that_change_only(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(responders=[user_deleted(BEN)])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3)])
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    assert _outcomes(journal) == [(1, "failed"), (2, "done")]
    assert "404 Request_ResourceNotFound" in outcome_lines(journal)[0]["note"]


def test_a_skip_for_a_failure_carries_to_the_changes_resting_on_the_skipped_one(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(responders=[outside_unit(rf"^POST /v1\.0/groups/{G_E3}/members/\$ref$")])
    plan = write_plan(
        tmp_path, [add_member(DORA, G_E3), add_member(ANNA, G_E5), assign(ANNA, remove=[E5])], depends={2: [1], 3: [2]}
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    lines = outcome_lines(journal)
    assert [x["outcome"] for x in lines] == ["failed", "skipped", "skipped"]
    assert lines[2]["note"].startswith(
        "it depends on change 2, which was skipped: it depends on change 1, which failed"
    )


def test_max_failures_stops_the_run_and_names_what_is_left(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = Fault(
        FaultKind.REFUSED,
        match=r"^POST /v1\.0/users/[^/]+/assignLicense$",
        count=None,
        status=403,
        code="Authorization_RequestDenied",
        message="Insufficient privileges to complete the operation.",
    )
    graph = graph_for(responders=[refused])
    plan = write_plan(
        tmp_path,
        [assign(ANNA, remove=[E5]), assign(BEN, remove=[E5]), add_member(DORA, G_E3), remove_member(CARL, G_E5)],
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal), "--max-failures", "2") == 3
    out, err = capsys.readouterr()
    assert _outcomes(journal) == [(1, "failed"), (2, "failed")]
    assert "0 of 4 change(s) applied, 0 skipped, 2 failed, 2 left (not attempted)" in out
    assert "2 change(s) failed (--max-failures 2): stopped there" in err
    assert not graph.member(DORA, G_E3)


@pytest.mark.parametrize("made", [True, False])
def test_an_unknown_outcome_is_settled_by_re_reading_the_user_and_the_run_goes_on(
    tmp_path: Path, graph_for: Any, made: bool
) -> None:
    graphs: list[Any] = []

    def drop(request: Request) -> Drop | None:
        if request.method == "POST" and request.path == f"/users/{BEN}/assignLicense":
            if made:  # Graph made it, and the connection dropped before the answer
                graphs[0].emulator.tenant.assign_license(BEN, {"addLicenses": [], "removeLicenses": [E5]})
            return Drop()
        return None

    graph = graph_for(responders=[drop])
    graphs.append(graph)
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(BEN, G_E3), add_member(DORA, G_E3)])
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == (0 if made else 3)
    lines = outcome_lines(journal)
    if made:
        assert [x["outcome"] for x in lines] == ["done", "done", "done"]
        assert "the user, re-read, shows the change made" in lines[0]["note"]
    else:
        assert [x["outcome"] for x in lines] == ["failed", "skipped", "done"]
        assert "the user, re-read, does not show the change" in lines[0]["note"]
    assert graph.member(DORA, G_E3)


def test_a_504_then_a_failed_re_read_stops_the_run(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    timeout = Fault(FaultKind.GATEWAY_TIMEOUT, match=rf"^POST /v1\.0/users/{BEN}/assignLicense$")
    reread = Fault(FaultKind.REFUSED, match=rf"^GET /v1\.0/users/{BEN}\?", count=None, status=403)
    # the first re-read (before the change) passes; every later one is refused
    first = Fault(FaultKind.SLOW, match=rf"^GET /v1\.0/users/{BEN}\?", count=1)
    graph = graph_for(responders=[first, timeout, reread])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3)])
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    [line] = outcome_lines(journal)
    assert (line["outcome"], line["status"]) == ("unknown", 504)
    assert "the user could not be re-read" in line["note"]
    assert "1 outcome unknown, 1 left (not attempted)" in capsys.readouterr().out
    assert not graph.member(DORA, G_E3)


def test_undo_reverts_the_done_changes_of_a_run_that_carried_on(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(responders=[license_conflict(DORA)])
    plan = write_plan(
        tmp_path,
        [assign(BEN, remove=[E5]), assign(DORA, add=[(E3, [])]), add_member(DORA, G_E3), remove_member(CARL, G_E5)],
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    assert _outcomes(journal) == [(1, "done"), (2, "failed"), (3, "skipped"), (4, "done")]
    capsys.readouterr()
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "u.jsonl"), "--wait", "0") == 0
    assert E5 in graph.direct(BEN)
    assert graph.member(CARL, G_E5)
    assert not graph.member(DORA, G_E3) and graph.direct(DORA) == {}
    assert "2 of 2 change(s) undone" in capsys.readouterr().out
