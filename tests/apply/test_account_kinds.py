"""Accounts that are not people (issue 73): a Teams resource account, a Teams Rooms account and
agent users are read as what they are by the real collector against the emulator, the person rules
leave them alone, and apply re-reads the kind before a person's rule takes a license away."""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.account_kinds import PHONE_RESOURCE_LICENSE
from auditor.data.agents import AgentIdentity, Agents
from auditor.data.enums import AccountKind, Locale
from auditor.data.model import (
    NO_MAILBOX,
    RESOURCE_DEPARTMENT,
    TEAMS_ROOMS_PRO,
    AssignedLicense,
    LicenseAssignmentState,
    PrepaidUnits,
    Sku,
    TenantSnapshot,
    User,
)
from auditor.formats.report_model import finding_of
from auditor.rules.assignments import SkuForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed, SharedMailboxLicensed
from auditor.rules.hygiene.kinds import AgentUserOrphaned, ResourceAccountPaidLicense
from auditor.snapshot import load_snapshot, save_snapshot
from auditor_dev.emulator import DEMO_ROLES

from .conftest import E3, E5, TENANT, WRITE, apply_yes, make_tenant, outcome_lines

LEAVER = "51000000-0000-4000-8000-000000000001"  # a person who left: disabled, E3
# a Teams resource account (call queue) on E3: disabled by design, never signed in, no mailbox (Graph's 404)
QUEUE = "51000000-0000-4000-8000-000000000002"
IDLE = "51000000-0000-4000-8000-000000000003"  # a person who never signed in
AGENT = "51000000-0000-4000-8000-000000000004"  # an agent user whose agent identity lives
ORPHAN = "51000000-0000-4000-8000-000000000005"  # an agent user whose agent identity is deleted
ROOMS = "51000000-0000-4000-8000-000000000006"  # a Teams Rooms account, its device not seen for months
SERVICE = "51000000-0000-4000-8000-000000000007"  # a service account, declared by employeeType
BOARDROOM = "51000000-0000-4000-8000-000000000008"  # a room mailbox on E3
PARENT = "5a000000-0000-4000-8000-00000000000a"
GONE = "5a000000-0000-4000-8000-00000000000b"
NEVER = "0001-01-01T00:00:00Z"

POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: people, owner: it@contoso.example}
hygiene:
  disabled_users:
    severity: high
    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2027-06-30}
  inactive_users: {days: 90, severity: medium}
"""


def _user(uid: str, name: str, sku: str, **values: Any) -> User:
    return User.new(
        uid,
        f"{name}@contoso.example",
        name,
        usage_location="DE",
        assigned_licenses=(AssignedLicense(sku),),
        license_assignment_states=(LicenseAssignmentState(sku, None, "Active", "None"),),
        created_date_time="2025-01-01T00:00:00Z",
        last_sign_in_date_time=NEVER,
        last_non_interactive_sign_in_date_time=NEVER,
        last_successful_sign_in_date_time=NEVER,
        **values,
    )


def tenant() -> TenantSnapshot:
    base = make_tenant()
    rooms_sku = Sku(f"{TENANT}_{TEAMS_ROOMS_PRO}", TEAMS_ROOMS_PRO, "Microsoft_Teams_Rooms_Pro", "User", "Enabled", 1,
                    PrepaidUnits(2, 0, 0, 0))  # fmt: skip
    users = (
        _user(LEAVER, "leaver", E3, account_enabled=False),
        _user(
            QUEUE,
            "queue",
            E3,
            account_enabled=False,
            department="Microsoft Communication Application Instance",
            mailbox_purpose=NO_MAILBOX,
        ),
        _user(IDLE, "idle", E3),
        _user(AGENT, "agent", E3, identity_parent_id=PARENT),
        _user(ORPHAN, "orphan", E3, identity_parent_id=GONE),
        _user(ROOMS, "rooms", TEAMS_ROOMS_PRO),
    )
    agents = Agents({AGENT: PARENT, ORPHAN: GONE}, {PARENT: AgentIdentity(PARENT, "Helpdesk agent", True)})
    return dataclasses.replace(
        base,
        skus=(*base.skus, rooms_sku),
        users=users,
        groups=(),
        collected_datasets=frozenset({"signInActivity"}),
        agents=agents,
    )


def _audit(tmp_path: Path, graph: Any, code: int = 1) -> dict[str, Any]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json,csv"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == code
    report: dict[str, Any] = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    return report


def _flagged(report: dict[str, Any], rule: str) -> set[str]:
    return {f["subject"]["id"] for f in report["findings"] if f["rule"] == rule}


def test_the_person_rules_judge_only_people_read_through_the_collector(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(tenant())
    report = _audit(tmp_path, graph)
    assert _flagged(report, DisabledUserLicensed.id) == {LEAVER}  # not the call queue
    assert _flagged(report, InactiveUserLicensed.id) == {IDLE}  # not the agents, not the Teams Rooms account
    kinds = {f["subject"]["id"]: f["subject"]["kind"] for f in report["findings"]}
    assert kinds == {LEAVER: "person", IDLE: "person"}
    assert not report["gaps"]
    asked = {r.path for r in graph.emulator.requests}
    assert "/users/microsoft.graph.agentUser" in asked  # User.Read.All: the person rules need no more
    assert "/servicePrincipals/microsoft.graph.agentIdentity" not in asked
    with (tmp_path / "reports" / "findings.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["subject_id"]: r["account_kind"] for r in rows} == {LEAVER: "person", IDLE: "person"}


def test_the_kinds_from_graph_and_through_a_snapshot_file(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(tenant())
    saved = tmp_path / "snapshot.json"
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    conn = ["--graph-endpoint", graph.url, "--auth", "token", "--save-snapshot", str(saved)]
    args = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    assert main([*args, "--output-dir", str(tmp_path / "r"), *conn]) == 1
    read = load_snapshot(saved)
    kinds = {u.id: u.kind for u in read.users}
    assert kinds == {
        LEAVER: AccountKind.PERSON,
        QUEUE: AccountKind.RESOURCE,
        IDLE: AccountKind.PERSON,
        AGENT: AccountKind.AGENT,
        ORPHAN: AccountKind.AGENT,
        ROOMS: AccountKind.TEAMS_ROOMS,
    }
    assert read.agents is not None and read.agents.identities is None  # the person rules read no parents
    again = tmp_path / "again.json"
    save_snapshot(read, again)
    assert load_snapshot(again).agents == read.agents


def test_without_agent_identity_read_all_the_agents_are_known_and_their_parents_are_a_gap(
    tmp_path: Path, graph_for: Any
) -> None:
    roles = tuple(r for r in (*DEMO_ROLES, *WRITE) if r != "AgentIdentity.Read.All")
    graph = graph_for(tenant(), roles=roles)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY + "  agent_users: {severity: medium}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == 3  # incomplete: the gap says what is missing
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert [g["part"] for g in report["gaps"]] == ["agentIdentities"]
    assert "AgentIdentity.Read.All" in report["gaps"][0]["reason"]
    assert [n["rule"] for n in report["not_evaluated"]] == [AgentUserOrphaned.id]
    assert _flagged(report, InactiveUserLicensed.id) == {IDLE}  # the agent users are still agents


@pytest.mark.parametrize("becomes", [None, RESOURCE_DEPARTMENT])
def test_apply_rereads_the_kind_before_a_person_rule_removes_a_license(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, becomes: str | None
) -> None:
    graph = graph_for(tenant())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    _audit(tmp_path, graph)
    reports = tmp_path / "reports"
    assert main(["plan", "--report-dir", str(reports), "--rules", DisabledUserLicensed.id]) == 0
    [change] = json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert change["user"] == LEAVER and change["body"]["removeLicenses"] == [E3]
    assert {"person": True} in change["precondition"]
    if becomes is not None:  # between plan and apply the account becomes a call queue's resource account
        graph.emulator.tenant.change_user(LEAVER, department=becomes, mailbox_purpose=NO_MAILBOX)
    journal = tmp_path / "j.jsonl"
    assert (
        apply_yes(reports / "plan.json", graph, tmp_path / "policy.yaml", journal, "--rules", DisabledUserLicensed.id)
        == 0
    )
    [line] = outcome_lines(journal)
    if becomes is None:
        assert line["outcome"] == "done"
        assert graph.direct(LEAVER) == {}
    else:
        assert line["outcome"] == "skipped"
        assert line["note"].startswith("the account is a resource account now")
        assert graph.direct(LEAVER) == {E3: ()}  # the phone number behind the queue keeps working
    asked = [r for r in graph.emulator.requests if r.path == "/users/microsoft.graph.agentUser"]
    assert any("id eq" in str(r.query) for r in asked)


@pytest.mark.off_contract("selects a property agentUser lacks, to see Graph's 400")
def test_the_emulator_serves_the_agent_casts_as_graph_documents_them(graph_for: Any) -> None:
    graph = graph_for(tenant())
    headers = {"Authorization": f"Bearer {graph.token}"}

    def get(path: str) -> httpx.Response:
        return httpx.get(f"{graph.url}{path}", headers=headers)

    listed = get("/users/microsoft.graph.agentUser?$select=id,identityParentId").json()["value"]
    assert [(u["id"], u["identityParentId"]) for u in listed] == [(AGENT, PARENT), (ORPHAN, GONE)]
    assert get(f"/users/microsoft.graph.agentUser/{AGENT}").json()["identityParentId"] == PARENT
    assert get(f"/users/microsoft.graph.agentUser/{LEAVER}").status_code == 404  # a person is no agent user
    assert get(f"/servicePrincipals/microsoft.graph.agentIdentity/{PARENT}").json()["accountEnabled"] is True
    assert get(f"/servicePrincipals/{GONE}").status_code == 404  # the deleted agent identity
    assert get("/users/microsoft.graph.agentUser?$select=id,nickname").status_code == 400
    assert get("/servicePrincipals/microsoft.graph.agentIdentity?$filter=accountEnabled eq false").status_code == 400


RULES_POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: kinds, owner: it@contoso.example}
catalog:
  - {sku: SPE_E3, price: {monthly: 33.75, currency: EUR}}
  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}
  - {sku: PHONESYSTEM_VIRTUALUSER, free: true}
  - {sku: Microsoft_Teams_Rooms_Pro, price: {monthly: 37.50, currency: EUR}}
hygiene:
  resource_accounts: {severity: medium}
  agent_users: {severity: medium}
"""


def _with_resource_seats(snapshot: TenantSnapshot) -> TenantSnapshot:
    """`snapshot` with the resource license's seats, and the orphaned agent holding E5 (Teams: no data
    of its own ends with it) instead of E3 (a mailbox: its removal would wait for a person)."""
    orphan = _user(ORPHAN, "orphan", E5, identity_parent_id=GONE)
    users = tuple(orphan if u.id == ORPHAN else u for u in snapshot.users)
    resource = Sku(f"{TENANT}_{PHONE_RESOURCE_LICENSE}", PHONE_RESOURCE_LICENSE, "PHONESYSTEM_VIRTUALUSER", "User",
                   "Enabled", 0, PrepaidUnits(5, 0, 0, 0))  # fmt: skip
    return dataclasses.replace(snapshot, skus=(*snapshot.skus, resource), users=users)


@pytest.mark.parametrize("restored", [False, True])
def test_the_swap_is_one_call_and_an_orphaned_agent_loses_its_license(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, restored: bool
) -> None:
    snapshot = _with_resource_seats(tenant())
    graph = graph_for(snapshot)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    policy = tmp_path / "policy.yaml"
    policy.write_text(RULES_POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == 0  # medium findings only
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    found = {(f["rule"], f["subject"]["id"]): f for f in report["findings"]}
    assert set(found) == {(ResourceAccountPaidLicense.id, QUEUE), (AgentUserOrphaned.id, ORPHAN)}
    assert found[(ResourceAccountPaidLicense.id, QUEUE)]["monthly_cost"] == 33.75
    assert found[(AgentUserOrphaned.id, ORPHAN)]["details"]["parent"] == "gone"
    assert main(["plan", "--report-dir", str(reports)]) == 0
    changes = {c["user"]: c for c in json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]}
    assert set(changes) == {QUEUE, ORPHAN}
    swap = changes[QUEUE]
    assert swap["body"] == {
        "addLicenses": [{"disabledPlans": [], "skuId": PHONE_RESOURCE_LICENSE}],
        "removeLicenses": [E3],
    }
    assert {"account_kind": "resource"} in swap["precondition"]
    assert {"agent_orphaned": GONE} in changes[ORPHAN]["precondition"]
    if restored:  # the agent identity is restored from the deleted items between plan and apply
        back = Agents(snapshot.agents.parents, {**snapshot.agents.identities, GONE: AgentIdentity(GONE, "Back", True)})  # type: ignore[union-attr,dict-item]
        graph.emulator.tenant.snapshot = dataclasses.replace(graph.emulator.tenant.snapshot, agents=back)
    journal = tmp_path / "j.jsonl"
    assert apply_yes(reports / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    outcomes = {line["action"]["user"]: line for line in outcome_lines(journal)}
    assert outcomes[QUEUE]["outcome"] == "done"
    assert graph.direct(QUEUE) == {PHONE_RESOURCE_LICENSE: ()}  # swapped in one call: never without a license
    calls = [r for r in graph.writes() if r.path == f"/users/{QUEUE}/assignLicense"]
    assert len(calls) == 1
    if restored:
        assert outcomes[ORPHAN]["outcome"] == "skipped"
        assert "exists and is enabled now" in outcomes[ORPHAN]["note"]
        assert graph.direct(ORPHAN) == {E5: ()}
    else:
        assert outcomes[ORPHAN]["outcome"] == "done"
        assert graph.direct(ORPHAN) == {}


SELECTING_POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: selecting, owner: it@contoso.example}
assignments:
  - name: agents
    match: {kinds: [agent]}
    forbidden: [SPE_E3]
hygiene:
  disabled_users:
    severity: high
    except: {attributes: {employeeType: [service]}}
"""


def test_match_and_except_select_by_kind_and_by_attribute(tmp_path: Path, graph_for: Any) -> None:
    base = tenant()
    service = _user(SERVICE, "svc", E3, account_enabled=False, attributes=(("employeeType", "Service"),))
    graph = graph_for(dataclasses.replace(base, users=(*base.users, service)))
    policy = tmp_path / "policy.yaml"
    policy.write_text(SELECTING_POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == 1
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert _flagged(report, SkuForbidden.id) == {AGENT, ORPHAN}  # the agents, by kind
    assert _flagged(report, DisabledUserLicensed.id) == {LEAVER}  # not the service account, by employeeType
    selected = [r for r in graph.emulator.requests if r.path == "/users" and "employeeType" in str(r.query)]
    assert selected  # the collector read the attribute the exception names


def test_the_report_shows_each_kind_holding_licenses(tmp_path: Path, graph_for: Any) -> None:
    """Excepted or not judged, an account that is not a person's is counted in its kind's row."""
    graph = graph_for(_with_resource_seats(tenant()))
    policy = tmp_path / "policy.yaml"
    policy.write_text(RULES_POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json,md"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == 0
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert report["account_kinds"] == [
        {"kind": "resource", "accounts": 1, "products": {"SPE_E3": 1}, "monthly": 33.75},
        {"kind": "teams_rooms", "accounts": 1, "products": {"Microsoft_Teams_Rooms_Pro": 1}, "monthly": 37.5},
        {"kind": "agent", "accounts": 2, "products": {"SPE_E3": 1, "SPE_E5": 1}, "monthly": 88.5},
    ]
    md = (reports / "report.md").read_text(encoding="utf-8")
    assert "### Accounts that are not people" in md
    assert "| Teams resource accounts | 1 | Microsoft 365 E3 × 1 | €33\\.75 |" in md


def test_a_room_on_a_persons_suite_is_told_of_teams_rooms_priced_by_the_policy(tmp_path: Path, graph_for: Any) -> None:
    base = tenant()
    room = _user(BOARDROOM, "boardroom", E3, account_enabled=False, mailbox_purpose="room")
    graph = graph_for(dataclasses.replace(base, users=(*base.users, room)))
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        RULES_POLICY.replace("  agent_users:", "  shared_mailboxes: {}\n  agent_users:"), encoding="utf-8"
    )
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == 0
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    [f] = [f for f in report["findings"] if f["rule"] == SharedMailboxLicensed.id]
    assert f["subject"]["id"] == BOARDROOM and f["subject"]["kind"] == "room"
    assert f["details"]["teams_rooms"] == {
        "Microsoft_Teams_Rooms_Basic": None,
        "Microsoft_Teams_Rooms_Pro": {"monthly": 37.5, "currency": "EUR"},
    }
    said = wording.message(f["rule"], finding_of(f["subject"], f["skus"], f["details"]), locale=Locale.EN)
    assert said.endswith("it takes Microsoft Teams Rooms Basic or Microsoft Teams Rooms Pro (€37.50) instead.")
    # the Teams Rooms account itself keeps its Teams Rooms license: not a shared mailbox's finding
    assert ROOMS not in _flagged(report, SharedMailboxLicensed.id)


def test_a_report_written_before_the_kinds_still_plans_the_person_precondition(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plan adds {"person": true} to a person's rule's removal that an older report.json lacks, so apply
    re-reads the kind before it: a call queue the older engine judged a leaver keeps its license."""
    graph = graph_for(tenant())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    _audit(tmp_path, graph)
    reports = tmp_path / "reports"
    path = reports / "report.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    for f in report["findings"]:  # as an engine before the account kinds wrote it
        f["subject"].pop("kind", None)
        for action in (f.get("remediation") or {}).get("actions") or []:
            action["precondition"] = [c for c in action.get("precondition") or [] if c != {"person": True}]
    path.write_text(json.dumps(report), encoding="utf-8")
    assert main(["plan", "--report-dir", str(reports), "--rules", DisabledUserLicensed.id]) == 0
    [change] = json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert {"person": True} in change["precondition"]
    # the account becomes a call queue's resource account: the department, and its mailbox gone
    graph.emulator.tenant.change_user(LEAVER, department=RESOURCE_DEPARTMENT, mailbox_purpose=NO_MAILBOX)
    journal = tmp_path / "j.jsonl"
    assert (
        apply_yes(reports / "plan.json", graph, tmp_path / "policy.yaml", journal, "--rules", DisabledUserLicensed.id)
        == 0
    )
    [line] = outcome_lines(journal)
    assert line["outcome"] == "skipped" and graph.direct(LEAVER) == {E3: ()}
