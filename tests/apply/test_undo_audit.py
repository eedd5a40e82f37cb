"""undo gives back only what the tenant's own record shows this tool took: before it reverts a license or
membership change, the directory audit log (GET /auditLogs/directoryAudits) must show that change as the
latest of that user's product, made by the credential undo signs in with. Through the CLI and the Graph
emulator, whose audit log records its writes by the calling app."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.data.model import LicenseAssignmentState, ServicePlan

from .conftest import (
    ALL_ROLES,
    ANNA,
    BEN,
    CARL,
    DORA,
    E3,
    E5,
    EXCHANGE,
    G_E3,
    G_E5,
    TEAMS,
    add_member,
    assign,
    journal_lines,
    make_tenant,
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


def _carl_direct_and_from_group() -> Any:
    """Carl holds E5 twice: directly and from License - E5 (the plan removes the direct copy)."""
    tenant = make_tenant()
    states = (LicenseAssignmentState(E5, None, "Active", "None"), LicenseAssignmentState(E5, G_E5, "Active", "None"))
    users = tuple(u.with_values(license_assignment_states=states) if u.id == CARL else u for u in tenant.users)
    return dataclasses.replace(tenant, users=users)


def test_a_direct_copy_removed_beside_a_groups_is_given_back(tmp_path: Path, graph_for: Any) -> None:
    """The plan removes Carl's direct E5 while License - E5 still gives it: Carl's license list is the same
    before and after, so only the log's LicenseAssignmentDetail (Entra's "Update user", beside a "Change user
    license" that carries no detail) shows the direct copy going. Undo reads it there and puts it back."""
    graph = graph_for(_carl_direct_and_from_group())
    plan = write_plan(tmp_path, [assign(CARL, remove=[E5])])
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    assert graph.direct(CARL) == {} and (E5, G_E5) in graph.by_group(CARL)
    log = graph.emulator.audit_log.select(None)
    (bare,) = [e for e in log if e.activity == "Change user license"]
    assert not [t for t in bare.targets if t.modified]  # Entra's "Change user license" carries no detail
    (update,) = [e for e in log if e.activity == "Update user" and e.correlation == bare.correlation]
    (carl,) = update.targets
    names = {m.name for m in carl.modified}
    assert {"AssignedLicense", "AssignedPlan", "LicenseAssignmentDetail"} <= names
    listed = next(m for m in carl.modified if m.name == "AssignedLicense")
    assert listed.old == listed.new  # the group still gives E5: the list does not change
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    assert [x["outcome"] for x in journal_lines(tmp_path / "undo.jsonl") if x["outcome"] != "sending"] == ["done"]
    assert graph.direct(CARL) == {E5: ()}


def test_a_split_record_is_joined_from_its_sequence_entries(tmp_path: Path, graph_for: Any) -> None:
    """A product of many service plans (any E3 or E5 bundle) makes the "Update user" record long: Entra splits
    it into "sequence" entries without modifiedProperties (additionalDetails id, seq, c, b). Undo joins them;
    with a part missing from the log it names exactly that and does not undo the product."""
    tenant = _carl_direct_and_from_group()
    plans = tuple(
        ServicePlan(f"{n:08x}-0000-4000-8000-000000000000", f"PLAN_{n}", "Success", "User") for n in range(200)
    )
    skus = tuple(msgspec.structs.replace(s, service_plans=plans) if s.sku_id == E5 else s for s in tenant.skus)
    graph = graph_for(dataclasses.replace(tenant, skus=skus))
    plan = write_plan(tmp_path, [assign(CARL, remove=[E5])])
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    from auditor.apply.undo_audit import _license_change, _records  # the joining, read as undo reads it

    log = graph.emulator.audit_log
    parts = [e for e in log.select(None) if e.detail("seq") is not None]
    assert len(parts) > 1 and all(e.activity == "Update user" and not e.targets[0].modified for e in parts)
    (joined,) = [r for r in _records(log.select(None), CARL.lower()) if r.entry.activity == "Update user"]
    assert not joined.missing and _license_change(joined, E5.lower()) == "removed"
    # one part lost: that record cannot be read; undo names why and reads the user's states instead
    lost = next(e for e in parts if e.detail("seq") == "2")
    broken = [r for r in _records([e for e in log.select(None) if e is not lost], CARL.lower()) if r.missing]
    assert broken and f"sequence entries (additionalDetails id {lost.detail('id')}) of which" in broken[0].missing
    log.entries.remove(lost)
    log._newest_first = None  # the emulator's cache of the listing
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    assert graph.direct(CARL) == {E5: ()}


def _usage(user: str, location: str) -> dict[str, Any]:
    return {
        "kind": "set_usage_location",
        "method": "PATCH",
        "path": f"/users/{user}",
        "body": {"usageLocation": location},
        "description": "Set the usage location",
        "user": user,
        "group": None,
        "precondition": [],
        "seats": {},
    }


def test_a_usage_location_the_tool_set_is_set_back(tmp_path: Path, graph_for: Any) -> None:
    """The log's "Update user" shows UsageLocation from DE to FR by this tool: undo sets DE again."""
    graph = graph_for()
    journal = tmp_path / "apply.jsonl"
    assert run("apply", write_plan(tmp_path, [_usage(BEN, "FR")]), graph, "--yes", "--journal", str(journal)) == 0
    assert graph.user(BEN).usage_location == "FR"
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    assert graph.user(BEN).usage_location == "DE"


def test_a_usage_location_no_plan_set_edited_into_the_journal_is_refused(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The plan (its copy beside the journal) asks to set Ben's usage location to DE, which it is already:
    apply skips it. The journal edited to say it was done from "KP" would have undo PATCH Ben's usageLocation
    to KP; the log shows no such change by this tool, so nothing is sent (exit 3)."""
    graph = graph_for()
    journal = tmp_path / "apply.jsonl"
    assert run("apply", write_plan(tmp_path, [_usage(BEN, "DE")]), graph, "--yes", "--journal", str(journal)) == 0
    lines = journal_lines(journal)
    (line,) = [x for x in lines if x["outcome"] != "sending"]
    assert line["outcome"] == "skipped"
    line["outcome"], line["status"], line["note"] = "done", 204, ""
    line["before"] = {**(line.get("before") or {}), "usageLocation": "KP"}
    journal.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    writes = len(graph.writes())
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    (undone,) = [x for x in journal_lines(tmp_path / "undo.jsonl") if x["outcome"] != "sending"]
    assert undone["outcome"] == "skipped"
    assert f"shows no change of the usage location for user {BEN} by this tool's credential" in undone["note"]
    assert len(graph.writes()) == writes and graph.user(BEN).usage_location == "DE"  # nothing PATCHed


def test_a_line_of_two_products_undoes_the_one_the_log_bears_out_and_names_the_other(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 116, point 3: a line that added E3 and removed E5, after which another writer changed Anna's E3
    (its latest record is not this tool's): undo gives E5 back, which the log shows the tool took, leaves E3 as
    the other writer left it, and names E3 exactly (exit 3), instead of refusing the whole line."""
    from auditor.data.audit_entries import Modified, Target  # the other writer's record, as Entra writes it

    graph = graph_for()
    plan = write_plan(tmp_path, [assign(ANNA, add=[(E3, [])], remove=[E5])])
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    log = graph.emulator.audit_log
    (mine,) = [e for e in log.select(None) if e.activity == "Update user"]
    detail = [{"SkuId": E3, "AssignedByGroup": None, "DisabledPlans": [], "State": "Active"}]
    changed = [{**detail[0], "DisabledPlans": [EXCHANGE]}]
    modified = (Modified("LicenseAssignmentDetail", json.dumps(detail), json.dumps(changed)),)
    other = dataclasses.replace(
        mine,
        id="Directory_99999999999999999999_other",
        by="Another tool",
        by_id="99999999-9999-4999-8999-999999999999",
        targets=(dataclasses.replace(mine.targets[0], modified=modified),),
        correlation="another-operation",
    )
    assert isinstance(other.targets[0], Target)
    log.entries.append(other)
    log._newest_first = None  # the emulator's cache of the listing
    capsys.readouterr()
    assert run("undo", str(journal), graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 3
    err = capsys.readouterr().err
    assert "change 1 undone in part: the directory audit log's latest change of the product" in err
    (line,) = [x for x in journal_lines(tmp_path / "undo.jsonl") if x["outcome"] != "sending"]
    assert line["outcome"] == "done"
    assert line["action"]["body"] == {"addLicenses": [{"disabledPlans": [TEAMS], "skuId": E5}], "removeLicenses": []}
    assert graph.direct(ANNA) == {E3: (), E5: (TEAMS,)}  # E5 given back, E3 left as the other writer left it
    assert f"product {E3}" in err and "was made by Another tool" in err and f"product {E5}" not in err
