"""Kinds on evidence (issue 84): a free-text department never strips a person, and the resource
account's swap keeps what a phone line needs to dial out. Through the real collector against the
emulator, then plan and apply."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.account_kinds import PHONE_RESOURCE_LICENSE, account_kind
from auditor.data.enums import AccountKind, Cloud, Locale
from auditor.data.model import (
    NO_MAILBOX,
    AssignedLicense,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    ServicePlan,
    Sku,
    TenantSnapshot,
)
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed, SharedMailboxLicensed
from auditor.rules.hygiene.kinds import AgentUserOrphaned, ResourceAccountPaidLicense, free_allocation
from auditor.rules.hygiene.upkeep import UsageLocationMissing
from tests.graph.emulator_faults import Fault, FaultKind

from .conftest import E3, E5, G_E3, TENANT, apply_yes, make_tenant, outcome_lines
from .test_account_kinds import AGENT, ORPHAN, PARENT, _user
from .test_account_kinds import tenant as kinds_tenant

PHONE = "e43b5b99-8dfb-405f-9987-dc307f34bcbd"  # MCOEV: Microsoft Teams Phone Standard
CALLING = "0dab259f-bf13-4952-b7f8-7db8f131b28d"  # MCOPSTN1: Domestic Calling Plan
HR_TEXT = "microsoft communication application instance "  # as an HR feed writes it: lower case, a space after
PERSON = "61000000-0000-4000-8000-000000000001"  # a person whose department an HR feed set to the text
QUEUE = "61000000-0000-4000-8000-000000000002"  # a call queue: the resource department, disabled, no mailbox
DIALER = "61000000-0000-4000-8000-000000000003"  # a call queue on Teams Phone Standard and a Calling Plan
GROUPED = "61000000-0000-4000-8000-000000000004"  # a call queue given both by one group
G_PHONE = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"  # assigns Teams Phone Standard and a Calling Plan
RECENT = "2026-10-26T08:00:00Z"

POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: kinds, owner: it@contoso.example}
catalog:
  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}
  - {sku: SPE_E3, price: {monthly: 33.75, currency: EUR}}
  - {sku: MCOEV, price: {monthly: 8.00, currency: EUR}}
  - {sku: MCOPSTN1, price: {monthly: 12.00, currency: EUR}}
  - {sku: PHONESYSTEM_VIRTUALUSER, free: true}
hygiene:
  resource_accounts: {severity: medium}
  inactive_users: {days: 90, severity: medium}
"""


def _sku(sku_id: str, part: str, plan: str, plan_id: str, enabled: int, consumed: int) -> Sku:
    plans = (ServicePlan(plan_id, plan, "Success", "User"),)
    return Sku(f"{TENANT}_{sku_id}", sku_id, part, "User", "Enabled", consumed, PrepaidUnits(enabled, 0, 0, 0), plans)


def tenant(*, resource_enabled: int = 30, resource_consumed: int = 2) -> TenantSnapshot:
    base = make_tenant()
    signed_in = {"last_sign_in_date_time": RECENT, "last_successful_sign_in_date_time": RECENT}
    by_group = {"account_enabled": False, "department": "Microsoft Communication Application Instance"}
    users = (
        # E5 directly and E3 through a group, as the sample's CEO
        _user(PERSON, "ceo", E5, department=HR_TEXT).with_values(
            **signed_in,
            assigned_licenses=(AssignedLicense(E5), AssignedLicense(E3)),
            license_assignment_states=(
                LicenseAssignmentState(E5, None, "Active", "None"),
                LicenseAssignmentState(E3, G_E3, "Active", "None"),
            ),
        ),
        _user(GROUPED, "grouped", PHONE, **by_group).with_values(
            assigned_licenses=(AssignedLicense(PHONE), AssignedLicense(CALLING)),
            license_assignment_states=(
                LicenseAssignmentState(PHONE, G_PHONE, "Active", "None"),
                LicenseAssignmentState(CALLING, G_PHONE, "Active", "None"),
            ),
        ),
        _user(
            QUEUE,
            "queue",
            E5,
            account_enabled=False,
            department="Microsoft Communication Application Instance",
            mailbox_purpose=NO_MAILBOX,  # a resource account's: Graph answers 404 for its mailbox
        ),
        _user(
            DIALER, "dialer", PHONE, account_enabled=False, department="Microsoft Communication Application Instance"
        ).with_values(
            assigned_licenses=(AssignedLicense(PHONE), AssignedLicense(CALLING)),
            license_assignment_states=(
                LicenseAssignmentState(PHONE, None, "Active", "None"),
                LicenseAssignmentState(CALLING, None, "Active", "None"),
            ),
        ),
    )
    skus = (
        *base.skus,
        _sku(PHONE, "MCOEV", "MCOEV", "4828c8ec-dc2e-4779-b502-87ac9ce28ab7", 40, 1),
        _sku(CALLING, "MCOPSTN1", "MCOPSTN1", "4ed3ff63-69d7-4fb7-b984-5aec7f605ca8", 5, 1),
        _sku(
            PHONE_RESOURCE_LICENSE,
            "PHONESYSTEM_VIRTUALUSER",
            "MCOEV_VIRTUALUSER",
            "f47330e9-c134-43b3-9993-e7f004506889",
            resource_enabled,
            resource_consumed,
        ),
    )
    e3 = msgspec.structs.replace(next(g for g in base.groups if g.id == G_E3), members=(PERSON,))
    phone = Group(G_PHONE, "Phone lines", (AssignedLicense(PHONE), AssignedLicense(CALLING)), (GROUPED,),
                  has_members_with_license_errors=False, group_types=(), mail_enabled=False)  # fmt: skip
    return dataclasses.replace(
        base, skus=skus, users=users, groups=(e3, phone), collected_datasets=frozenset({"signInActivity"})
    )


def _run(tmp_path: Path, graph: Any, policy_text: str, *more: str) -> tuple[int, dict[str, Any]]:
    """`audit` of the emulator's tenant with `policy_text`: its exit code and report.json."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(policy_text, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token", *more]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    code = main([*audit, "--output-dir", str(reports), *conn])
    return code, json.loads((reports / "report.json").read_text(encoding="utf-8"))


def _audit(tmp_path: Path, graph: Any) -> dict[str, Any]:
    code, report = _run(tmp_path, graph, POLICY)
    assert code == 0  # medium findings only
    return report


def _found(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["subject"]["id"]: f for f in report["findings"] if f["rule"] == ResourceAccountPaidLicense.id}


def test_the_department_alone_never_makes_a_resource_account() -> None:
    skus = frozenset({E5})
    assert account_kind("Member", HR_TEXT, None, skus, None, True) is AccountKind.PERSON
    assert account_kind("Member", HR_TEXT, None, skus, None, None) is AccountKind.PERSON  # enabled not read
    # disabled is a leaver's state too: with a person's suite and its mailbox, the department is one signal
    assert account_kind("Member", HR_TEXT, "user", skus, None, False) is AccountKind.PERSON
    assert account_kind("Member", HR_TEXT, None, skus, None, False) is AccountKind.PERSON  # mailbox not read
    # a disabled account that never signed in and holds a line without a mailbox, or has no mailbox at all
    assert account_kind("Member", HR_TEXT, "user", frozenset({PHONE}), None, False) is AccountKind.RESOURCE
    assert account_kind("Member", HR_TEXT, NO_MAILBOX, skus, None, False) is AccountKind.RESOURCE
    # ... never once it signed in interactively, nor while that is not known
    assert account_kind("Member", HR_TEXT, NO_MAILBOX, skus, None, False, True) is AccountKind.PERSON
    assert account_kind("Member", HR_TEXT, NO_MAILBOX, skus, None, False, None) is AccountKind.PERSON
    # the resource license is Microsoft's own signal, whatever the department, on a disabled account that
    # never signs in interactively; a license anyone can assign does not outweigh an account that does
    resource = frozenset({PHONE_RESOURCE_LICENSE})
    assert account_kind("Member", None, None, resource, None, False) is AccountKind.RESOURCE
    assert account_kind("Member", None, None, resource | skus, None, False, True) is AccountKind.PERSON
    # no sign-in yet is no evidence: an enabled account with the license that never signed in (a new hire's
    # looks the same), or one whose state was not read, stays a person's (tests/core/test_resource_evidence.py)
    assert account_kind("Member", None, None, resource | skus, None, True) is AccountKind.PERSON
    assert account_kind("Member", None, None, resource | skus, None, None) is AccountKind.PERSON


def test_a_person_with_the_resource_department_keeps_every_license(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = graph_for(tenant())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    report = _audit(tmp_path, graph)
    found = _found(report)
    person = found[PERSON]
    assert person["subject"]["kind"] == "person"  # still judged by the person rules
    assert person["details"]["confirmed"] is False
    # neither the swap nor leaving the E3 group is ready, and no money is counted for a person's products
    actions = person["remediation"]["actions"]
    assert [a["kind"] for a in actions] == ["assign_license", "remove_member"]
    assert all(a["ready"] is False and a["blocked"] == "kind_unconfirmed" for a in actions)
    assert person["monthly_cost"] is None
    said = wording.message(
        person["rule"], finding_of(person["subject"], person["skus"], person["details"]), locale=Locale.EN
    )
    assert "nothing else shows that it is one" in said
    # the disabled call queue is a resource account on agreeing evidence: its swap is ready
    assert found[QUEUE]["subject"]["kind"] == "resource" and found[QUEUE]["details"]["confirmed"] is True
    assert found[QUEUE]["remediation"]["actions"][0]["ready"] is True
    reports = tmp_path / "reports"
    assert main(["plan", "--report-dir", str(reports)]) == 0
    changes = json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert PERSON not in {c["user"] for c in changes}  # the plan takes nothing from the person
    assert QUEUE in {c["user"] for c in changes}
    # between plan and apply the call queue's account is enabled (a person uses it now): compiled again
    # from the same evidence, the swap is not what the tool would make now, and nothing is sent
    graph.emulator.tenant.change_user(QUEUE, account_enabled=True)
    journal = tmp_path / "j.jsonl"
    assert apply_yes(reports / "plan.json", graph, tmp_path / "policy.yaml", journal) == 3
    outcomes = {line["action"]["user"]: line for line in outcome_lines(journal)}
    assert outcomes[QUEUE]["outcome"] == "failed"
    assert outcomes[QUEUE]["note"].startswith("refused (body), nothing sent")
    assert graph.direct(QUEUE) == {E5: ()}
    assert graph.direct(PERSON) == {E5: ()}
    assert PERSON in graph.emulator.tenant.group(G_E3).members


def test_a_person_with_the_resource_department_is_still_judged_by_the_person_rules(
    tmp_path: Path, graph_for: Any
) -> None:
    snapshot = tenant()
    idle = {
        "last_sign_in_date_time": "2026-03-01T08:00:00Z",
        "last_successful_sign_in_date_time": "2026-03-01T08:00:00Z",
    }
    users = tuple(u.with_values(**idle) if u.id == PERSON else u for u in snapshot.users)
    report = _audit(tmp_path, graph_for(dataclasses.replace(snapshot, users=users)))
    assert PERSON in {f["subject"]["id"] for f in report["findings"] if f["rule"] == InactiveUserLicensed.id}


def test_the_swap_keeps_the_calling_plan_a_call_queue_dials_out_with(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = graph_for(tenant())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    report = _audit(tmp_path, graph)
    dialer = _found(report)[DIALER]
    assert dialer["details"]["paid"] == {"MCOEV": PHONE}
    assert dialer["details"]["keeps"] == {"MCOPSTN1": CALLING}
    assert dialer["monthly_cost"] == 8.0  # Teams Phone Standard only: the Calling Plan stays on the bill
    steps = dialer["remediation"]["steps"]
    assert any("needs a Calling Plan or Communications Credits to dial out" in s for s in steps)
    reports = tmp_path / "reports"
    assert main(["plan", "--report-dir", str(reports)]) == 0
    [swap] = [
        c for c in json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"] if c["user"] == DIALER
    ]
    assert swap["body"]["removeLicenses"] == [PHONE]
    journal = tmp_path / "j.jsonl"
    assert apply_yes(reports / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    assert graph.direct(DIALER) == {CALLING: (), PHONE_RESOURCE_LICENSE: ()}


def test_a_group_that_also_gives_the_calling_plan_is_not_left(tmp_path: Path, graph_for: Any) -> None:
    report = _audit(tmp_path, graph_for(tenant()))
    grouped = _found(report)[GROUPED]
    assert grouped["details"]["keeps"] == {"MCOPSTN1": CALLING}
    leave = [a for a in grouped["remediation"]["actions"] if a["kind"] == "remove_member"]
    assert [(a["group"], a["ready"], a["blocked"]) for a in leave] == [(G_PHONE, False, "group_keeps")]
    reports = tmp_path / "reports"
    assert main(["plan", "--report-dir", str(reports)]) == 0
    changes = json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert not [c for c in changes if c["user"] == GROUPED and c["kind"] == "remove_member"]


def test_the_free_allocation_is_counted_and_a_swap_beyond_it_says_it_has_a_cost(tmp_path: Path, graph_for: Any) -> None:
    snapshot = tenant(resource_enabled=40, resource_consumed=29)
    # Teams Phone Standard's 40 Phone System licenses: 25 + 40 // 10 = 29 at no cost (this E5 lists no MCOEV)
    assert free_allocation(snapshot.skus) == 25 + 4
    e5 = msgspec.structs.replace(
        snapshot.skus[1],
        service_plans=(ServicePlan("4828c8ec-dc2e-4779-b502-87ac9ce28ab7", "MCOEV", "Success", "User"),),
    )
    # E5 carries Phone System, but Microsoft's page counts only the licenses of Teams Phone Standard, Teams
    # Phone with Calling Plan and Teams Shared Devices (issue 99, point 6): E5's 10 add none
    assert free_allocation((e5, *snapshot.skus[2:])) == 25 + 4
    # a subscription with Phone System features is allocated the 25 (the page's "such as"), nothing more
    assert free_allocation((e5, *snapshot.skus[:1])) == 25
    rooms = msgspec.structs.replace(
        e5, sku_part_number="Microsoft_Teams_Rooms_Pro", prepaid_units=PrepaidUnits(30, 0, 0, 0)
    )
    assert free_allocation((rooms, e5)) == 25
    shared = msgspec.structs.replace(rooms, sku_part_number="MCOCAP")  # Teams Shared Devices: its 30 count
    assert free_allocation((shared, e5)) == 25 + 3
    assert free_allocation(snapshot.skus[:2]) == 0  # no product with Phone System: no allocation
    report = _audit(tmp_path, graph_for(snapshot))
    queue = _found(report)[QUEUE]
    assert (queue["details"]["allocation"], queue["details"]["resource_in_use"]) == (29, 29)
    steps = queue["remediation"]["steps"]
    assert steps[0].startswith("The tenant's Teams Phone licenses give it 29")
    assert "a further one has a cost" in steps[0]
    assert not any("costs nothing)" in s for s in steps)


# --- optional reads degrade (a cloud or Graph version without Agent ID) -------------------------

AGENT_POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: agents, owner: it@contoso.example}
hygiene:
  disabled_users:
    severity: high
    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2027-06-30}
  agent_users: {severity: medium}
  usage_location: {severity: low}
"""


def _agent_audit(tmp_path: Path, graph: Any) -> tuple[int, dict[str, Any]]:
    return _run(tmp_path, graph, AGENT_POLICY)


# Graph's 400 BadRequest "Resource not found for the segment" is a cloud without Agent ID: no agent users, no gap
# (tests/graph/test_missing_parts.py)
@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (404, "Request_ResourceNotFound", "Resource 'microsoft.graph.agentUser' does not exist."),
        (501, "NotImplemented", "The cast is not supported in this cloud."),
    ],
)
def test_a_cloud_without_agent_users_is_a_gap_and_the_audit_goes_on(
    tmp_path: Path, graph_for: Any, status: int, code: str, message: str
) -> None:
    missing = Fault(FaultKind.REFUSED, match=r"microsoft\.graph\.agentUser", count=None, status=status, code=code,
                    message=message)  # fmt: skip
    exit_code, report = _agent_audit(tmp_path, graph_for(kinds_tenant(), responders=[missing]))
    assert exit_code == 3  # incomplete, and said so: not a crash (exit 3 with no report was the old answer)
    assert [g["part"] for g in report["gaps"]] == ["agentUsers"]
    assert "does not offer it" in report["gaps"][0]["reason"]
    not_evaluated = {n["rule"] for n in report["not_evaluated"]}
    # the rules that read the agent listing: judged without it, an agent user would be taken for a person
    assert not_evaluated == {AgentUserOrphaned.id, DisabledUserLicensed.id}
    assert UsageLocationMissing.id not in not_evaluated  # every rule that does not need the agents goes on


def test_a_cloud_without_agent_identities_leaves_only_the_orphan_rule_not_evaluated(
    tmp_path: Path, graph_for: Any
) -> None:
    segment = "Resource not found for the segment 'microsoft.graph.agentIdentity'."
    missing = Fault(FaultKind.REFUSED, match=r"microsoft\.graph\.agentIdentity", count=None, status=400,
                    code="BadRequest", message=segment)  # fmt: skip
    exit_code, report = _agent_audit(tmp_path, graph_for(kinds_tenant(), responders=[missing]))
    assert exit_code == 3
    assert [g["part"] for g in report["gaps"]] == ["agentIdentities"]
    assert [n["rule"] for n in report["not_evaluated"]] == [AgentUserOrphaned.id]


def test_an_agent_identity_listing_cut_short_is_corroborated_by_id(tmp_path: Path, graph_for: Any) -> None:
    """The listing answers empty (no nextLink) while both agent users name parents: the live parent is
    found by id and its agent user is no orphan; the deleted one (404 by id) is."""
    short = Fault(FaultKind.SHORT, match=r"^GET /v1\.0/servicePrincipals/microsoft\.graph\.agentIdentity", keep=0)
    graph = graph_for(kinds_tenant(), responders=[short])
    _, report = _agent_audit(tmp_path, graph)
    assert short.hits == 1 and not report["gaps"]
    orphans = {f["subject"]["id"] for f in report["findings"] if f["rule"] == AgentUserOrphaned.id}
    assert orphans == {ORPHAN} and AGENT not in orphans
    asked = {r.path for r in graph.emulator.requests}
    assert f"/servicePrincipals/{PARENT}" in asked


# --- rooms from the places listing --------------------------------------------------------------

ROOM = "61000000-0000-4000-8000-000000000009"  # a room mailbox on E5 whose Teams Rooms device signs in daily

ROOM_POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: rooms, owner: it@contoso.example}
hygiene:
  shared_mailboxes: {severity: low}
  inactive_users: {days: 90, severity: medium}
"""


def _room_tenant(cloud: Cloud = Cloud.WORLDWIDE) -> TenantSnapshot:
    base = make_tenant()
    daily = {
        "last_sign_in_date_time": "2026-10-31T07:00:00Z",
        "last_successful_sign_in_date_time": "2026-10-31T07:00:00Z",
    }
    room = _user(ROOM, "boardroom", E5, mailbox_purpose="room").with_values(**daily)
    return dataclasses.replace(
        base, users=(room,), groups=(), collected_datasets=frozenset({"signInActivity"}), cloud=cloud
    )


def _room_audit(tmp_path: Path, graph: Any, *more: str) -> tuple[int, dict[str, Any]]:
    return _run(tmp_path, graph, ROOM_POLICY, *more)


def _rooms_found(report: dict[str, Any]) -> set[str]:
    return {f["subject"]["id"] for f in report["findings"] if f["rule"] == SharedMailboxLicensed.id}


def test_an_active_room_on_a_persons_suite_is_found_through_the_places_listing(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(_room_tenant())
    code, report = _room_audit(tmp_path, graph)
    assert code == 0 and not report["gaps"]
    assert _rooms_found(report) == {ROOM}
    [finding] = [f for f in report["findings"] if f["subject"]["id"] == ROOM]
    assert finding["subject"]["kind"] == "room"
    asked = [r for r in graph.emulator.requests if r.path == "/places/microsoft.graph.room"]
    assert len(asked) == 1 and asked[0].status == 200
    # it signs in daily, so no rule could flag it as dormant: its mailbox purpose is asked only because the
    # places listing names it (a person's address can be a room's), and agrees
    asked = [r for r in graph.emulator.requests if r.path.endswith("/mailboxSettings/userPurpose")]
    assert {r.path for r in asked} == {f"/users/{ROOM}/mailboxSettings/userPurpose"}


def test_a_room_hidden_from_the_gal_falls_back_to_its_mailbox_purpose(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(_room_tenant())
    graph.emulator.tenant.rooms_hidden.add("boardroom@contoso.example")
    code, report = _room_audit(tmp_path, graph)
    assert code == 0 and not report["gaps"]
    assert _rooms_found(report) == set()  # an active account whose purpose no rule asked: as before


def test_without_place_read_all_the_rooms_are_a_gap_and_the_audit_goes_on(tmp_path: Path, graph_for: Any) -> None:
    from .conftest import ALL_ROLES

    graph = graph_for(_room_tenant(), roles=tuple(r for r in ALL_ROLES if r != "Place.Read.All"))
    code, report = _room_audit(tmp_path, graph)
    assert code == 3
    assert [g["part"] for g in report["gaps"]] == ["rooms"]
    assert "Place.Read.All" in report["gaps"][0]["reason"]
    assert not any(r.path.startswith("/places") for r in graph.emulator.requests)  # the token said it first


def test_a_national_cloud_says_the_places_listing_is_not_there(tmp_path: Path, graph_for: Any) -> None:
    graph = graph_for(_room_tenant(Cloud.CHINA))
    _, report = _room_audit(tmp_path, graph, "--cloud", "china")
    assert "rooms" not in {g["part"] for g in report["gaps"]}  # not a gap: a cloud without the listing, said
    assert any("places listing" in n and "global service only" in n for n in report["warnings"])
    assert not any(r.path.startswith("/places") for r in graph.emulator.requests)
