"""Groups re-checked at the moment of the change (issue 37, items 4, 6, 21): apply reads the group
again before a join, a leave, and a removal of the direct copy the group stands in for; a write
retried after a 503 is settled by re-reading the user. Against the Graph emulator, which serves
isAssignableToRole, resourceProvisioningOptions and appRoleAssignments as Graph does."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.data.model import AssignedLicense, Group
from auditor_dev.emulator import GraphEmulator, error_document
from auditor_dev.emulator.hooks import Reply, Request
from tests.loopback import http

from .conftest import (
    BEN,
    CARL,
    E3,
    E5,
    G_E3,
    G_E5,
    TEAMS,
    add_member,
    assign,
    make_tenant,
    outcome_lines,
    remove_member,
    run,
    write_plan,
)

G_EMPTY = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"  # assigns nothing


def _move() -> list[dict[str, Any]]:
    removal = assign(
        BEN,
        remove=[E5],
        precondition=[{"holds": E5, "how": "direct"}, {"holds": E5, "how": "group", "group": G_E5, "active": True}],
    )
    return [add_member(BEN, G_E5), removal]


def _with_group(group: Group) -> Any:
    tenant = make_tenant()
    return dataclasses.replace(tenant, groups=(*(g for g in tenant.groups if g.id != group.id), group))


def test_a_join_to_a_group_that_switched_teams_off_is_skipped(tmp_path: Path, graph_for: Any) -> None:
    # edited after the plan: the group's copy of E5 turns Teams off, which Ben's direct copy has on
    edited = Group(
        G_E5,
        "License - E5",
        (AssignedLicense(E5, (TEAMS,)),),
        (CARL,),
        has_members_with_license_errors=False,
        group_types=(),
        mail_enabled=False,
    )
    graph = graph_for(_with_group(edited))
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl"), "--wait", "5s") == 0
    join, removal = outcome_lines(tmp_path / "j.jsonl")
    assert join["outcome"] == "skipped"
    assert (
        "turns off service plan(s) Microsoft Teams of Microsoft 365 E5 that the user's direct assignment has on"
        in join["note"]
    )
    assert removal["outcome"] == "skipped" and "depends on change 1" in removal["note"]
    assert graph.writes() == [] and graph.direct(BEN) == {E5: ()}


def test_a_join_to_a_group_that_no_longer_assigns_the_product_is_skipped(tmp_path: Path, graph_for: Any) -> None:
    edited = Group(
        G_E5,
        "License - E5",
        (AssignedLicense(E3),),
        (CARL,),
        has_members_with_license_errors=False,
        group_types=(),
        mail_enabled=False,
    )
    graph = graph_for(_with_group(edited))
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 0
    [join, _] = outcome_lines(tmp_path / "j.jsonl")
    assert join["outcome"] == "skipped" and "group License - E5 no longer assigns Microsoft 365 E5" in join["note"]
    assert graph.writes() == []


def test_the_removal_re_reads_the_group_edited_between_two_runs(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(group_license_delay=60.0)
    plan = write_plan(tmp_path, _move(), depends={2: [1]})
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "first.jsonl"), "--wait", "0") == 0
    assert graph.member(BEN, G_E5)
    # before the second run an admin switches Teams off in the group's copy
    tenant = graph.emulator.tenant
    at = tenant.groups.index(tenant.group(G_E5))
    tenant.groups[at] = msgspec.structs.replace(tenant.groups[at], assigned_licenses=(AssignedLicense(E5, (TEAMS,)),))
    graph.emulator.tenant.group_license_delay = 0.0
    tenant.reprocess(BEN)
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "second.jsonl"), "--wait", "5s") == 0
    [_, removal] = outcome_lines(tmp_path / "second.jsonl")
    assert removal["outcome"] == "skipped"
    assert "turns off service plan(s) Microsoft Teams of Microsoft 365 E5" in removal["note"]
    assert graph.direct(BEN) == {E5: ()}, "the direct copy (Teams on) stays"


@pytest.mark.parametrize("make", ["role", "empty"])
def test_role_assignable_or_license_free_groups_are_never_joined_or_left(
    tmp_path: Path, graph_for: Any, make: str
) -> None:
    if make == "role":
        tenant, props = make_tenant(), {G_E3: {"isAssignableToRole": True}, G_E5: {"isAssignableToRole": True}}
        join_group, leave_group, words = G_E3, G_E5, "is role-assignable (isAssignableToRole)"
    else:
        empty = Group(
            G_EMPTY, "Sales", (), (CARL,), has_members_with_license_errors=False, group_types=(), mail_enabled=False
        )
        tenant, props = _with_group(empty), {}
        join_group, leave_group, words = G_EMPTY, G_EMPTY, "assigns no license now (assignedLicenses is empty)"
    graph = graph_for(tenant, group_properties=props)
    plan = write_plan(tmp_path, [add_member(BEN, join_group), remove_member(CARL, leave_group)])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 0
    lines = outcome_lines(tmp_path / "j.jsonl")
    assert [line["outcome"] for line in lines] == ["skipped", "skipped"]
    assert all(words in line["note"] for line in lines)
    assert graph.writes() == []


def test_leaving_a_group_says_what_else_it_gives(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    props = {
        G_E5: {
            "resourceProvisioningOptions": ["Team"],
            "appRoleAssignments": [
                {"id": "x1", "resourceDisplayName": "Contoso HR"},
                {"id": "x2", "resourceDisplayName": "Expenses"},
            ],
        }
    }
    graph = graph_for(group_properties=props)
    plan = write_plan(tmp_path, [remove_member(CARL, G_E5)])
    assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "j.jsonl")) == 0
    said = (
        "leaving the group License - E5 takes away the license Microsoft 365 E5; membership of its team (the group "
        "is a Team: resourceProvisioningOptions); 2 app role assignment(s) (Contoso HR, Expenses)"
    )
    assert said in capsys.readouterr().out
    [line] = outcome_lines(tmp_path / "j.jsonl")
    assert line["outcome"] == "done" and said in line["note"]


def _unavailable_once(graph_holder: list[GraphEmulator], make_it: bool) -> Any:
    """The first assignLicense is answered 503; with `make_it`, Graph made it all the same."""

    def responder(request: Request) -> Reply | None:
        if request.method == "POST" and request.path == f"/users/{BEN}/assignLicense" and graph_holder:
            emulator = graph_holder.pop()
            if make_it:
                emulator.tenant.assign_license(BEN, {"addLicenses": [], "removeLicenses": [E5]})
            return Reply(
                503, error_document("ServiceUnavailable", "Service unavailable."), headers={"Retry-After": "1"}
            )
        return None

    return responder


@pytest.mark.parametrize(("made", "outcome"), [(True, "done"), (False, "failed")])
def test_a_write_retried_after_a_503_is_settled_by_re_reading_the_user(
    tmp_path: Path, graph_for: Any, made: bool, outcome: str
) -> None:
    holder: list[GraphEmulator] = []
    refused: list[bool] = []

    def refuse_retry(request: Request) -> Reply | None:
        # without the first attempt made, the retry is refused anyway (a guess would say "failed")
        if not made and request.method == "POST" and not holder and not refused:
            refused.append(True)
            return Reply(400, error_document("Request_BadRequest", "License assignment failed."))
        return None

    graph = graph_for(responders=[_unavailable_once(holder, made), refuse_retry])
    holder.append(graph.emulator)
    started = graph.clock.now()  # apply's client waits on it (apply_waits)
    code = run(
        "apply",
        write_plan(tmp_path, [assign(BEN, remove=[E5])]),
        graph,
        "--yes",
        "--journal",
        str(tmp_path / "j.jsonl"),
    )
    assert graph.clock.now() - started < 30
    [line] = outcome_lines(tmp_path / "j.jsonl")
    assert line["outcome"] == outcome, line["note"]
    assert "after a 503 was retried" in line["note"]
    assert code == (0 if made else 3)


def test_the_emulator_refuses_a_role_assignable_groups_member_change_as_graph_does(graph_for: Any) -> None:
    """Graph takes RoleManagement.ReadWrite.Directory besides GroupMember.ReadWrite.All for it, and
    serves isAssignableToRole and resourceProvisioningOptions with the group."""
    graph = graph_for(group_properties={G_E3: {"isAssignableToRole": True, "resourceProvisioningOptions": ["Team"]}})
    headers = {"Authorization": f"Bearer {graph.token}"}
    doc = http.get(
        f"{graph.url}/groups/{G_E3}?$select=id,isAssignableToRole,resourceProvisioningOptions", headers=headers
    ).json()
    assert doc == {"id": G_E3, "isAssignableToRole": True, "resourceProvisioningOptions": ["Team"]}
    assert http.get(f"{graph.url}/groups/{G_E5}?$select=isAssignableToRole", headers=headers).json() == {
        "isAssignableToRole": None
    }
    body = {"@odata.id": f"{graph.url}/directoryObjects/{BEN}"}
    refused = http.post(f"{graph.url}/groups/{G_E3}/members/$ref", json=body, headers=headers)
    assert refused.status_code == 403 and not graph.member(BEN, G_E3)
    assert http.post(f"{graph.url}/groups/{G_E5}/members/$ref", json=body, headers=headers).status_code == 204


def test_groups_are_named_alone_unless_two_share_a_name(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Entra ID group names are not unique: once the run has read two groups of one name, each is said
    # with its id beside it (the HTTP request lines always carry the ids)
    tenant = make_tenant()
    twins = tuple(msgspec.structs.replace(g, display_name="Licensed staff") for g in tenant.groups)
    plan = write_plan(tmp_path, [add_member(BEN, G_E3), remove_member(CARL, G_E5)])
    graph = graph_for(tenant)
    assert run("apply", plan, graph) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if "group" in line and "/groups/" not in line]
    said = [line for line in said if not line.startswith("plan ")]  # the plan's first line names its tenant
    assert len(said) == 3 and not any(G_E3 in line or G_E5 in line for line in said), said
    graph = graph_for(dataclasses.replace(tenant, groups=twins))
    assert run("apply", plan, graph) == 0
    out = capsys.readouterr().out
    assert f"Remove Carl (carl@contoso.example) from the group Licensed staff ({G_E5})" in out
    assert f"leaving the group Licensed staff ({G_E5}) takes away the license Microsoft 365 E5" in out


def test_what_leaving_takes_says_one_license_or_several() -> None:
    from auditor.apply.groups import GroupState, what_leaving_takes

    names = {"e5": "Microsoft 365 E5", "pbi": "Power BI Pro"}
    one = GroupState("g", True, "Sales", licenses={"e5": ()})
    two = GroupState("g", True, "Sales", licenses={"pbi": (), "e5": ()})
    said = (what_leaving_takes(one, names), what_leaving_takes(two, names))
    assert said == (
        "leaving the group Sales takes away the license Microsoft 365 E5 (as far as Graph shows it)",
        "leaving the group Sales takes away the licenses Microsoft 365 E5, Power BI Pro (as far as Graph shows it)",
    )


def test_a_line_break_in_a_name_cannot_forge_a_console_line(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A group name with a line break (tenant data) stays on its line: apply's and undo's consoles
    never show a line the run did not write ("      -> done", as CI log readers see it)."""
    tenant = make_tenant()
    forged = "License - E5\n      -> done (HTTP 204)\n   9. Nothing to see"
    groups = tuple(msgspec.structs.replace(g, display_name=forged) if g.id == G_E5 else g for g in tenant.groups)
    tenant = dataclasses.replace(tenant, groups=groups)
    graph = graph_for(tenant)
    plan = write_plan(tmp_path, [remove_member(CARL, G_E5)])
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("9. Nothing")]
    assert [line.strip() for line in lines if line.strip().startswith("-> done")] == [
        "-> done (HTTP 204)",
        "-> done (HTTP 204): the group's license is active for the user",
    ]
    assert any("License - E5       -> done (HTTP 204)    9. Nothing to see" in line for line in lines)
