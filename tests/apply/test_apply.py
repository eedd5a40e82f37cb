"""`license-auditor apply PLAN` end to end: the real CLI and msgraph-sdk adapter against the Graph emulator."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind

from auditor_dev.emulator import DEMO_ROLES, Drop, Reply, Request, error_document

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
    add_member,
    assign,
    journal_lines,
    make_tenant,
    outcome_lines,
    remove_member,
    run,
    write_plan,
)


def _replace_plan(tmp_path: Path) -> Path:
    """Dora joins the E3 group; Anna moves from E5 to E3 directly (Exchange off); Carl leaves the E5 group."""
    return write_plan(
        tmp_path,
        [
            add_member(DORA, G_E3, "Dora joins License - E3"),
            assign(
                ANNA,
                add=[(E3, [EXCHANGE])],
                remove=[E5],
                seats={"SPE_E3": 1, "SPE_E5": -1},
                description="Replace Microsoft 365 E5 with Microsoft 365 E3 for Anna",
            ),
            remove_member(CARL, G_E5, "Carl leaves License - E5"),
        ],
    )


def test_dry_run_reads_and_shows_but_writes_nothing(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    plan = _replace_plan(tmp_path)
    assert run("apply", plan, graph) == 0
    out = capsys.readouterr().out
    assert graph.writes() == []
    assert graph.emulator.requests, "the dry run re-reads each user"
    # what the call does, said from the call: never plan.json's text ("Dora joins License - E3"); the
    # user, the group and the products by the names people know (the ids are on the request line)
    assert "   1. Add Dora (dora@contoso.example) to the group License - E3\n" in out
    assert "Dora joins" not in out
    assert (
        "   2. Assign Microsoft 365 E3 (service plans turned off: 1) to Anna (anna@contoso.example) and remove "
        "Microsoft 365 E5, in one call"
    ) in out
    # leaving a group says what else it gives, as far as Graph shows it (item 6)
    assert "leaving the group License - E5 takes away the license Microsoft 365 E5 (as far as Graph shows it)" in out
    assert f"      POST /users/{ANNA}/assignLicense   (seats: Microsoft 365 E3 +1, Microsoft 365 E5 -1)" in out
    assert f"      DELETE /groups/{G_E5}/members/{CARL}/$ref" in out
    assert out.count("-> would apply") == 3
    assert "dry run: 3 change(s) would be applied, 0 skipped; nothing was written" in out
    assert not list(tmp_path.glob("journal-*")), "a dry run writes no journal unless --journal is given"
    assert graph.direct(ANNA) == {E5: (TEAMS,)}


def test_dry_run_with_journal_records_dry_run_lines(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for()
    journal = tmp_path / "dry.jsonl"
    assert run("apply", _replace_plan(tmp_path), graph, "--journal", str(journal)) == 0
    assert [line["outcome"] for line in journal_lines(journal)] == ["dry-run"] * 3
    assert graph.writes() == []


def test_yes_applies_each_change_and_journals_it(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    e3, e5 = graph.consumed(E3), graph.consumed(E5)
    assert run("apply", _replace_plan(tmp_path), graph, "--yes") == 0
    out = capsys.readouterr().out
    # the tenant changed as the plan says
    assert graph.member(DORA, G_E3) and (E3, G_E3) in graph.by_group(DORA)
    assert graph.direct(ANNA) == {E3: (EXCHANGE,)}
    assert not graph.member(CARL, G_E5) and graph.user(CARL).license_assignment_states == ()
    assert (graph.consumed(E3), graph.consumed(E5)) == (e3 + 2, e5 - 2)
    assert [f"{w.method} {w.path}" for w in graph.writes()] == [
        f"POST /groups/{G_E3}/members/$ref",
        f"POST /users/{ANNA}/assignLicense",
        f"DELETE /groups/{G_E5}/members/{CARL}/$ref",
    ]
    # the journal, next to the plan
    [journal] = tmp_path.glob("journal-*.jsonl")
    lines = outcome_lines(journal)
    assert [(x["n"], x["outcome"], x["status"]) for x in lines] == [
        (1, "done", 204),
        (2, "done", 200),
        (3, "done", 204),
    ]
    assert f"journal: {journal}" in out and "3 of 3 change(s) applied, 0 skipped" in out
    first, second, third = lines
    assert set(first) == {
        "time",
        "n",
        "tenant_id",
        "cloud",
        "action",
        "request",
        "status",
        "outcome",
        "note",
        "before",
        "plan",
    }
    assert first["plan"] == {
        "file": "plan.json",
        "sha256": hashlib.sha256((tmp_path / "plan.json").read_bytes()).hexdigest(),
    }
    assert first["time"].endswith("Z") and first["tenant_id"] == graph.emulator.snapshot().tenant_id
    # the member reference names the object on the endpoint written to
    assert first["request"]["body"] == {"@odata.id": f"{graph.url}/directoryObjects/{DORA}"}
    assert first["before"]["member_of"] == [] and first["before"]["groups_read"] == [G_E3]
    assert second["action"]["description"] == "Replace Microsoft 365 E5 with Microsoft 365 E3 for Anna"
    assert second["request"] == {
        "method": "POST",
        "path": f"/users/{ANNA}/assignLicense",
        "body": {"addLicenses": [{"disabledPlans": [EXCHANGE], "skuId": E3}], "removeLicenses": [E5]},
    }
    assert second["before"]["licenseAssignmentStates"] == [
        {"skuId": E5, "assignedByGroup": None, "disabledPlans": [TEAMS], "state": "Active", "error": "None"}
    ]
    assert second["before"]["assignedLicenses"] == [{"skuId": E5, "disabledPlans": [TEAMS]}]
    assert third["before"]["member_of"] == [G_E5]


def test_a_change_whose_precondition_no_longer_holds_is_skipped(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    plan = write_plan(
        tmp_path,
        [
            assign(BEN, remove=[E5]),
            assign(DORA, remove=[E5]),  # Dora holds no E5 (any more)
            add_member(DORA, G_E5),  # needs change 2
            remove_member(ANNA, G_E5),  # Anna is no member
            assign(CARL, remove=[E5], precondition=[{"holds": E5, "how": "group", "group": G_E3}]),
        ],
        depends={3: [2]},
    )
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 0
    out = capsys.readouterr().out
    lines = outcome_lines(tmp_path / "j.jsonl")
    assert [(x["n"], x["outcome"], x["status"]) for x in lines] == [
        (1, "done", 200),
        (2, "skipped", None),
        (3, "skipped", None),
        (4, "skipped", None),
        (5, "skipped", None),
    ]
    assert lines[1]["note"] == "the user does not hold Microsoft 365 E5 by direct assignment"
    assert lines[1]["before"]["exists"] is True and lines[1]["before"]["assignedLicenses"] == []
    assert lines[2]["note"] == "it depends on change 2, which was not applied"
    assert lines[3]["note"] == "the user is not a direct member of group License - E5"
    assert lines[4]["note"] == f"group {G_E3} does not assign Microsoft 365 E5 to the user"
    assert [f"{w.method} {w.path}" for w in graph.writes()] == [f"POST /users/{BEN}/assignLicense"]
    assert "1 of 5 change(s) applied, 4 skipped" in out
    assert graph.direct(BEN) == {}


def test_a_deleted_user_is_skipped(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for()
    gone = "55555555-5555-4555-8555-555555555555"
    plan = write_plan(tmp_path, [assign(gone, remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 0
    [line] = outcome_lines(tmp_path / "j.jsonl")
    assert (line["outcome"], line["note"], line["before"]) == (
        "skipped",
        "the user no longer exists",
        {"exists": False},
    )
    assert graph.writes() == []


def test_a_refused_write_is_journaled_and_the_unrelated_changes_go_on(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(make_tenant(e3_seats=0))
    plan = write_plan(
        tmp_path,
        [
            assign(BEN, remove=[E5]),
            assign(DORA, add=[(E3, [])]),  # no E3 seat is free: Graph refuses it
            add_member(ANNA, G_E3),
        ],
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    captured = capsys.readouterr()
    lines = outcome_lines(journal)
    assert [(x["n"], x["outcome"], x["status"]) for x in lines] == [
        (1, "done", 200),
        (2, "failed", 400),
        (3, "done", 204),
    ]
    assert lines[1]["note"].startswith("Graph refused it: 400 Request_BadRequest: Subscription with SKU")
    assert f"change 2 (POST /users/{DORA}/assignLicense): Graph refused it: 400 Request_BadRequest" in captured.err
    assert "2 of 3 change(s) applied, 0 skipped, 1 failed" in captured.out
    assert "-> FAILED" in captured.out
    assert [w.path for w in graph.writes()] == [
        f"/users/{BEN}/assignLicense",
        f"/users/{DORA}/assignLicense",
        f"/groups/{G_E3}/members/$ref",
    ]
    assert graph.member(ANNA, G_E3)


@pytest.mark.parametrize("kind", [FaultKind.THROTTLE, FaultKind.UNAVAILABLE])
def test_a_write_throttled_is_sent_again_after_retry_after(
    tmp_path: Path, graph_for: Any, kind: FaultKind, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = Fault(kind, match=r"^POST /v1\.0/users/[^/]+/assignLicense$", count=1, retry_after=1)
    graph = graph_for(responders=[fault])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    started = graph.clock.now()  # apply's client waits on it (apply_waits)
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 0
    assert graph.clock.now() - started >= 1.0, "waited the Retry-After second"
    assert fault.hits == 1
    sent = [(r.path, r.status) for r in graph.writes()]
    assert sent == [(f"/users/{BEN}/assignLicense", int(kind.value)), (f"/users/{BEN}/assignLicense", 200)]
    [line] = outcome_lines(tmp_path / "j.jsonl")
    assert (line["outcome"], line["status"], line["note"]) == ("done", 200, "after 1 throttled attempt(s)")
    assert (
        f"Graph is {'throttling' if kind is FaultKind.THROTTLE else 'unavailable'} ({kind.value})"
        in capsys.readouterr().err
    )
    assert graph.direct(BEN) == {}


def test_a_504_on_a_write_is_not_sent_again(tmp_path: Path, graph_for: Any) -> None:
    fault = Fault(FaultKind.GATEWAY_TIMEOUT, match=r"^POST /v1\.0/users/[^/]+/assignLicense$", count=1)
    graph = graph_for(responders=[fault])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(ANNA, G_E3)])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 3
    line, other = outcome_lines(tmp_path / "j.jsonl")
    # the user, re-read, settles it: not made; the unrelated join goes on
    assert (line["outcome"], line["status"], other["outcome"]) == ("failed", 504, "done")
    assert "the user, re-read, does not show the change" in line["note"]
    assert [w.path for w in graph.writes()] == [f"/users/{BEN}/assignLicense", f"/groups/{G_E3}/members/$ref"]


def test_throttling_past_the_limits_fails_the_write(tmp_path: Path, graph_for: Any) -> None:
    def throttle(request: Request) -> Reply | None:
        if request.method == "POST":
            return Reply(
                429, error_document("TooManyRequests", "Too many requests."), headers={"Retry-After": "100000"}
            )
        return None

    graph = graph_for(responders=[throttle])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 3
    [line] = outcome_lines(tmp_path / "j.jsonl")
    assert (line["outcome"], line["status"]) == ("failed", 429)
    assert "more than the 300s limit" in line["note"]
    assert len(graph.writes()) == 1


def test_a_dropped_connection_leaves_the_outcome_unknown_and_is_not_resent(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop(request: Request) -> Drop | None:
        return Drop() if request.method == "POST" else None

    graph = graph_for(responders=[drop])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(ANNA, G_E3)])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 3
    lines = outcome_lines(tmp_path / "j.jsonl")
    assert [(x["outcome"], x["status"]) for x in lines] == [("failed", None), ("failed", None)]
    assert "the connection failed" in lines[0]["note"] and "does not show the change" in lines[0]["note"]
    assert len([r for r in graph.emulator.requests if r.method == "POST"]) == 2, "each sent once"
    assert "change 1 (POST" in capsys.readouterr().err


def test_missing_permissions_are_named_before_any_write(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(roles=(*DEMO_ROLES, "GroupMember.ReadWrite.All"))
    plan = _replace_plan(tmp_path)
    assert run("apply", plan, graph, "--yes") == 3
    err = capsys.readouterr().err
    assert (
        "lacks the Microsoft Graph application permission(s): LicenseAssignment.ReadWrite.All for assigning "
        "and removing licenses (assignLicense)" in err
    )
    assert "GroupMember.ReadWrite.All for" not in err
    assert "no change was made" in err
    assert graph.writes() == []
    assert not list(tmp_path.glob("journal-*")), "no empty journal is left behind"
    assert graph.token not in err


def test_a_dry_run_says_apply_would_stop_for_a_missing_permission(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(roles=DEMO_ROLES)
    assert run("apply", _replace_plan(tmp_path), graph) == 3
    captured = capsys.readouterr()
    assert captured.out.count("-> would apply") == 3
    assert "LicenseAssignment.ReadWrite.All" in captured.err and "GroupMember.ReadWrite.All" in captured.err
    assert "`apply --yes` would stop before the first write" in captured.err
    assert graph.writes() == []


def test_graph_refusing_a_write_names_the_permission(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # the token claims the permission, but Graph does not grant it (consent withdrawn since)
    graph = graph_for(server_roles=DEMO_ROLES)
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 3
    err = capsys.readouterr().err
    assert "403 Authorization_RequestDenied" in err
    assert (
        "the credential needs LicenseAssignment.ReadWrite.All (or Directory.ReadWrite.All, User.ReadWrite.All)" in err
    )
    [line] = outcome_lines(tmp_path / "j.jsonl")
    assert (line["outcome"], line["status"]) == ("failed", 403)


def test_an_opaque_token_cannot_be_checked_and_apply_says_so(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(token="opaque-access-token-0123456789")
    assert run("apply", write_plan(tmp_path, [assign(BEN, remove=[E5])]), graph, "--yes") == 0
    err = capsys.readouterr().err
    assert "permissions could not be checked" in err
    assert graph.emulator.requests_to(r"/organization"), "the tenant is confirmed by reading /organization"
    assert graph.direct(BEN) == {}


def test_a_credential_for_another_tenant_is_refused(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(tenant_claim=OTHER_TENANT)
    assert run("apply", _replace_plan(tmp_path), graph, "--yes") == 2
    assert f"the credential signs in to tenant {OTHER_TENANT}" in capsys.readouterr().err
    assert graph.writes() == []


def test_each_journal_line_is_on_disk_before_the_next_request(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = graph_for(make_tenant(e3_seats=0))
    journal = tmp_path / "j.jsonl"
    seen: list[tuple[int, int]] = []  # (complete lines in the file, requests sent) at each fsync
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if journal.exists():
            text = journal.read_text(encoding="utf-8")
            assert text == "" or text.endswith("\n")
            seen.append((len(text.splitlines()), len(graph.writes())))

    monkeypatch.setattr("auditor.apply.journal.os.fsync", fsync)
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), assign(ANNA, remove=[E5]), assign(DORA, add=[(E3, [])])])
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    # one fsync per line (after the file's directory entry): each change's `sending` line is on disk before
    # its write goes out, and its outcome line before the next one's
    assert seen[-6:] == [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (6, 3)]
    assert [x["outcome"] for x in outcome_lines(journal)] == ["done", "done", "failed"]


def test_an_existing_journal_is_never_overwritten(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    journal = tmp_path / "j.jsonl"
    journal.write_text("keep\n", encoding="utf-8")
    assert run("apply", _replace_plan(tmp_path), graph, "--yes", "--journal", str(journal)) == 2
    assert "already exists" in capsys.readouterr().err
    assert journal.read_text(encoding="utf-8") == "keep\n"
    assert graph.writes() == []
