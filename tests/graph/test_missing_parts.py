"""A read that cannot be made removes exactly the judgements it can hide (issue 95, points 9 and 12).

Through the real command line against the emulator, on the sample tenant and the example policy:

- a cloud whose Graph has no Microsoft Entra Agent ID answers the agent listings 400 `BadRequest`
  "Resource not found for the segment '…'" (GraphEmulator(unknown_segments=AGENT_ID)): a type Graph does
  not know has no objects, so the person rules judge everyone, a note says why, and the night is complete;
  any other answer there (a 403, another 400, a 404, a malformed 200) is still a gap;
- a places listing refused (403), not offered (the same 400), or answered with something that is not a
  listing of rooms leaves `shared-mailbox-licensed` judging every mailbox by its purpose: only the room
  mailboxes the listing alone names (they sign in) are named as not judged, and a previous run's finding
  on such a room is unverified, not resolved;
- a malformed answer of an optional read (agents, places, a usage report, the report settings) is that
  part's gap (or, for the settings, a note): the report is written and never reads as compliant.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.model import AssignedLicense, LicenseAssignmentState, TenantSnapshot, User
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed, SharedMailboxLicensed
from auditor.rules.hygiene.kinds import AgentUserOrphaned
from auditor.rules.usage.activity import Rightsize
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import AGENT_ID, DEMO_ROLES, PLACES, GraphEmulator, Reply, Request, app_token
from tests.graph.emulator_faults import Fault, FaultKind

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"
PERSON_RULES = (DisabledUserLicensed.id, InactiveUserLicensed.id)
SHARED = SharedMailboxLicensed.id
# a room mailbox on a person's suite whose Teams Rooms device signs in daily: never asked its mailbox
# purpose (no rule could flag it as dormant), so only the places listing says it is a room
ACTIVE_ROOM = "61000000-0000-4000-8000-0000000000a1"
DAILY = "2026-10-31T07:00:00Z"


def _without_agents(tenant: TenantSnapshot) -> TenantSnapshot:
    """The sample as a cloud without Agent ID holds it: no account is an agent user."""
    users = [u.with_values(identity_parent_id=None, agent=False) for u in tenant.users]
    return dataclasses.replace(tenant, users=tuple(users), agents=None)


def _with_active_room(tenant: TenantSnapshot) -> TenantSnapshot:
    e5 = next(s.sku_id for s in tenant.skus if s.sku_part_number == "SPE_E5")
    room = User.new(
        ACTIVE_ROOM,
        "room.huddle@contoso.example",
        "Huddle room",
        usage_location="DE",
        mailbox_purpose="room",
        assigned_licenses=(AssignedLicense(e5),),
        license_assignment_states=(LicenseAssignmentState(e5, None, "Active", "None"),),
        created_date_time="2025-01-01T00:00:00Z",
        last_sign_in_date_time=DAILY,
        last_non_interactive_sign_in_date_time=DAILY,
        last_successful_sign_in_date_time=DAILY,
    )
    return dataclasses.replace(tenant, users=(*tenant.users, room))


def _audit(
    where: Path,
    monkeypatch: pytest.MonkeyPatch,
    tenant: TenantSnapshot,
    *more: str,
    responders: tuple[Any, ...] = (),
    unknown: tuple[str, ...] = (),
    server_roles: tuple[str, ...] | None = None,
) -> tuple[int, dict[str, Any], GraphEmulator]:
    """`audit` of `tenant` served by the emulator: its exit code, report.json and the emulator."""
    monkeypatch.chdir(where)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    token = app_token(tenant.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    emulator = GraphEmulator(
        tenant, token=token, responders=list(responders), unknown_segments=unknown, roles=server_roles
    )
    with emulator as graph:
        args = ["audit", "--graph-endpoint", graph.url, "--tenant-id", tenant.tenant_id, "--auth", "token"]
        code = main([*args, "--policies", str(POLICY), "--as-of", AS_OF, "--format", "json", *more])
    return code, json.loads((where / "reports" / "report.json").read_text("utf-8")), emulator


def _found(report: dict[str, Any], *rules: str) -> set[tuple[str, str]]:
    return {(f["rule"], f["subject"]["id"]) for f in report["findings"] if not rules or f["rule"] in rules}


# --- a cloud without Microsoft Entra Agent ID -----------------------------------------------------


@pytest.fixture(scope="module")
def no_agents() -> TenantSnapshot:
    return _without_agents(load_snapshot(SAMPLE))


def test_a_cloud_without_agent_id_judges_every_person_and_is_complete(
    no_agents: TenantSnapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    code, whole, _ = _audit(tmp_path / "with", monkeypatch, no_agents)
    assert code == 1 and whole["complete"] is True  # Graph v1.0 with Agent ID, and no agent user in the tenant
    code, report, graph = _audit(tmp_path / "without", monkeypatch, no_agents, unknown=AGENT_ID)
    [asked] = [r for r in graph.requests if r.path == "/users/microsoft.graph.agentUser"]
    assert asked.status == 400  # the emulator answered as such a cloud's Graph does
    assert code == 1 and report["complete"] is True  # no exit 3 because of it
    assert report["gaps"] == [] and report["not_evaluated"] == []
    leavers = _found(report, *PERSON_RULES)
    assert {r for r, _ in leavers} == set(PERSON_RULES)  # leavers and inactive accounts reported
    assert _found(report) == _found(whole)  # exactly what the same tenant gives where Agent ID exists
    [note] = [w for w in report["warnings"] if "microsoft.graph.agentUser" in w]
    assert "Resource not found for the segment" in note and "no account is an agent user" in note


AGENT_USERS_PATTERN = r"^GET /v1\.0/users/microsoft\.graph\.agentUser"


def _garbage(pattern: str, body: Any, content_type: str = "application/json") -> Any:
    """A responder answering 200 with `body` to the requests `pattern` matches (a proxy, a Graph incident)."""
    import re

    rx = re.compile(pattern)

    def respond(request: Request) -> Reply | None:
        return Reply(200, body, content_type=content_type, label="garbage") if rx.search(request.target) else None

    return respond


@pytest.mark.parametrize(
    "responder",
    [
        pytest.param(Fault(FaultKind.FORBIDDEN, AGENT_USERS_PATTERN), id="403"),
        pytest.param(
            Fault(
                FaultKind.REFUSED,
                AGENT_USERS_PATTERN,
                status=400,
                code="Request_BadRequest",
                message="Invalid request.",
            ),
            id="another-400",
        ),
        pytest.param(
            Fault(
                FaultKind.REFUSED,
                AGENT_USERS_PATTERN,
                status=400,
                code="BadRequest",
                message="Invalid filter clause: the property 'identityParentId' does not exist.",
            ),
            id="a-400-BadRequest-of-another-kind",
        ),
        pytest.param(
            Fault(FaultKind.REFUSED, AGENT_USERS_PATTERN, status=500, code="InternalServerError", message="Oops."),
            id="500",
        ),
        pytest.param(
            _garbage(AGENT_USERS_PATTERN, {"value": "garbage"}),
            id="value-not-a-list",
            marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
        ),
        pytest.param(
            _garbage(AGENT_USERS_PATTERN, {"value": [{"id": 5}]}),
            id="an-item-without-its-parent",
            marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
        ),
        pytest.param(_garbage(AGENT_USERS_PATTERN, b"<html>proxy</html>", "text/html"), id="not-json"),
    ],
)
def test_any_other_answer_on_the_agent_users_is_their_gap_and_the_report_is_written(
    responder: Any, no_agents: TenantSnapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, report, _ = _audit(tmp_path, monkeypatch, no_agents, responders=(responder,))
    assert code == 3 and report["complete"] is False  # not read as compliant
    assert [g["part"] for g in report["gaps"]] == ["agentUsers"]
    skipped = {n["rule"] for n in report["not_evaluated"]}
    assert set(PERSON_RULES) <= skipped  # an agent user would be taken for a person
    assert len(report["findings"]) > 40  # the rest of the audit is the sample's


@pytest.mark.off_contract("serves a malformed listing, to see it become a gap")
def test_a_malformed_agent_identity_listing_is_that_parts_gap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = load_snapshot(SAMPLE)
    garbage = _garbage(r"^GET /v1\.0/servicePrincipals/microsoft\.graph\.agentIdentity", {"value": "garbage"})
    code, report, _ = _audit(tmp_path, monkeypatch, tenant, responders=(garbage,))
    assert code == 3 and [g["part"] for g in report["gaps"]] == ["agentIdentities"]
    assert {n["rule"] for n in report["not_evaluated"]} == {AgentUserOrphaned.id}  # the person rules judged
    assert {r for r, _ in _found(report, *PERSON_RULES)} == set(PERSON_RULES)


# --- the places listing -----------------------------------------------------------------------------

PLACES_PATTERN = r"^GET /v1\.0/places/"
NO_PLACES_ROLES = tuple(r for r in DEMO_ROLES if r != "Place.Read.All")


@pytest.fixture(scope="module")
def with_room() -> TenantSnapshot:
    return _with_active_room(load_snapshot(SAMPLE))


@pytest.fixture(scope="module")
def whole_with_room(with_room: TenantSnapshot, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        code, report, _ = _audit(tmp_path_factory.mktemp("whole"), patch, with_room)
    assert code == 1 and report["complete"] is True
    assert (SHARED, ACTIVE_ROOM) in _found(report)  # the active room, found through the places listing alone
    return report


PLACES_CASES = [
    pytest.param({"server_roles": NO_PLACES_ROLES}, "Place.Read.All", id="403"),
    pytest.param(
        {"responders": (_garbage(PLACES_PATTERN, {"value": "garbage"}),)},
        "page without a `value` list",
        id="value-garbage",
        marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
    ),
    pytest.param(
        {"responders": (_garbage(PLACES_PATTERN, {"value": [42]}),)},
        "does not document",
        id="item-42",
        marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
    ),
    pytest.param(
        {"responders": (_garbage(PLACES_PATTERN, {"value": [{"emailAddress": {"address": "x"}}]}),)},
        "does not document",
        id="address-an-object",
        marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
    ),
]


@pytest.mark.parametrize(("served", "said"), PLACES_CASES)
def test_without_the_places_listing_shared_mailboxes_are_judged_and_only_rooms_named(
    served: dict[str, Any],
    said: str,
    with_room: TenantSnapshot,
    whole_with_room: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, report, graph = _audit(tmp_path, monkeypatch, with_room, **served)
    assert any(r.path == "/places/microsoft.graph.room" for r in graph.requests)  # asked, and answered so
    assert code == 3 and report["complete"] is False  # a report is written; it is not read as compliant
    [gap] = report["gaps"]
    assert gap["part"] == "rooms" and said in gap["reason"]
    # the rule judged every mailbox whose purpose was read: all it found before but the active room
    assert _found(report, SHARED) == _found(whole_with_room, SHARED) - {(SHARED, ACTIVE_ROOM)}
    assert {f["details"]["mailbox_purpose"] for f in report["findings"] if f["rule"] == SHARED} == {"shared", "room"}
    # only the judgements the gap hides are named as not evaluated
    [hidden] = report["not_evaluated"]
    assert hidden["rule"] == SHARED and hidden["only"] == {"mailbox_purpose": ["room"]}
    assert "room mailbox whose purpose was not read" in hidden["reason"]
    # every other account is judged as before (the active room itself is, by the rules that do not read
    # the rooms, what an account whose purpose no rule asked is: as where no rule asks for the places listing)
    assert {f for f in _found(report) if f[1] != ACTIVE_ROOM} == {
        f for f in _found(whole_with_room) if f[1] != ACTIVE_ROOM
    }


def test_a_cloud_without_the_places_listing_is_complete_and_says_so(
    with_room: TenantSnapshot, whole_with_room: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Graph does not know the segment: the listing is not offered there, as in the national clouds, so
    # nothing can be granted or retried; the run is complete and a note names what it did without
    code, report, graph = _audit(tmp_path, monkeypatch, with_room, unknown=PLACES)
    assert any(r.path == "/places/microsoft.graph.room" for r in graph.requests)
    assert code == 1 and report["complete"] is True and report["gaps"] == [] and report["not_evaluated"] == []
    [note] = [w for w in report["warnings"] if "places listing" in w]
    assert "Resource not found for the segment 'places'" in note and "mailbox purpose" in note
    # every mailbox whose purpose was read is judged; the active room is what it is where the listing is never asked
    assert _found(report, SHARED) == _found(whole_with_room, SHARED) - {(SHARED, ACTIVE_ROOM)}


def test_a_room_the_listing_alone_named_is_unverified_not_resolved(
    with_room: TenantSnapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, first, _ = _audit(tmp_path, monkeypatch, with_room)
    assert code == 1 and (SHARED, ACTIVE_ROOM) in _found(first)
    code, report, _ = _audit(tmp_path, monkeypatch, with_room, "--baseline", "previous", server_roles=NO_PLACES_ROLES)
    assert code == 3
    changes = report["changes"]
    assert [f["subject"]["id"] for f in changes["unverified"]] == [ACTIVE_ROOM]
    assert ACTIVE_ROOM not in {f["subject"]["id"] for f in changes["resolved"]}
    # the shared mailboxes were judged again: persisting, not unverified
    shared = {f["subject"]["id"] for f in report["findings"] if f["rule"] == SHARED}
    assert shared and all(f["change"] == "persisting" for f in report["findings"] if f["rule"] == SHARED)


# --- the usage reports --------------------------------------------------------------------------------


def test_a_malformed_usage_report_is_the_usage_gap_and_the_report_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = load_snapshot(SAMPLE)
    # the reports' downloads answer bytes that are not UTF-8 text: not a report Microsoft writes
    broken = _garbage(r"^GET /v1\.0/download/", b"\xff\xfe\xfd<binary>", "text/csv")
    code, report, graph = _audit(tmp_path, monkeypatch, tenant, responders=(broken,))
    assert any(r.path.startswith("/download/") for r in graph.requests)
    assert code == 3 and report["complete"] is False
    assert {g["part"] for g in report["gaps"]} == {"usageReports"}
    assert {CopilotSeatIdle.id, Rightsize.id} <= {n["rule"] for n in report["not_evaluated"]}
    assert {r for r, _ in _found(report, *PERSON_RULES)} == set(PERSON_RULES)  # the rest judged


@pytest.mark.off_contract("serves a malformed report setting, to see it become a note")
def test_a_malformed_report_setting_is_a_note_and_the_rows_tell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = load_snapshot(SAMPLE)
    odd = _garbage(r"^GET /v1\.0/admin/reportSettings", {"displayConcealedNames": "maybe"})
    code, report, graph = _audit(tmp_path, monkeypatch, tenant, responders=(odd,))
    assert any(r.path == "/admin/reportSettings" and r.status == 200 for r in graph.requests)  # answered so
    assert "returned no displayConcealedNames true or false" in capsys.readouterr().err
    assert code == 1 and report["complete"] is True  # the rows carry user principal names: nothing concealed
    assert not {CopilotSeatIdle.id, Rightsize.id} & {n["rule"] for n in report["not_evaluated"]}


# --- the context reads beside the audit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "asked"),
    [
        (r"azureADPremiumLicenseInsight", "/beta/reports/azureADPremiumLicenseInsight"),
        (r"getTenantCreditBalance", "/beta/copilot/costManagement/getTenantCreditBalance"),
    ],
    ids=["license-insight", "copilot-credits"],
)
def test_a_context_read_that_answers_no_json_leaves_the_audit_complete(
    pattern: str, asked: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Microsoft's own counts and the Copilot Credits balance are context no rule reads: a page that is not
    JSON (a proxy's) is said (a note, or the bill's gap), never the end of the audit."""
    tenant = load_snapshot(SAMPLE)
    proxy = _garbage(pattern, b"<html><body>Service temporarily unavailable</body></html>", "text/html")
    code, report, graph = _audit(tmp_path, monkeypatch, tenant, responders=(proxy,))
    assert any(r.path.endswith(asked.rsplit("/", 1)[1]) and r.status == 200 for r in graph.requests)
    assert code == 1 and report["complete"] is True
    if "LicenseInsight" in asked:  # the counts are said among the warnings (the credits: the bill's gap, with a bill)
        assert any(
            "azureADPremiumLicenseInsight returned a page that is not valid JSON" in w for w in report["warnings"]
        )
