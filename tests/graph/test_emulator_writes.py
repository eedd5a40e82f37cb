"""The emulator's writes: assignLicense, group members by $ref, reprocessLicenseAssignment and
$batch with dependsOn, each enforcing Graph's rules with Graph's error bodies (over HTTP)."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import msgspec
import pytest
from emulator_faults import Fault, FaultKind, write_throttled
from msgraph import GraphServiceClient
from msgraph.generated.models.assigned_license import AssignedLicense as SdkAssignedLicense
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import (
    AssignLicensePostRequestBody,
)

from auditor.data.model import (
    AssignedLicense,
    Cloud,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    ServicePlan,
    Sku,
    TenantSnapshot,
    User,
)
from auditor.graph import GraphClient, StaticTokenCredential
from auditor_dev.emulator import DEMO_ROLES, WRITE_ROLES, GraphEmulator, VirtualTime, app_token
from tests.loopback import http

TENANT = "6f1d3c2a-9b8e-4d7f-a1c2-3e4f5a6b7c8d"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
EXCH1 = "4b9405b0-7788-4568-add1-99614e613b69"  # EXCHANGESTANDARD
VISIO = "c5928f49-12ba-48f7-ada3-0d743a3601d5"  # suspended: no usable seat
UNKNOWN = "11111111-2222-3333-4444-555555555555"
EXO_P2 = "efb87545-963c-4e0d-99df-69c6916d9eb0"  # EXCHANGE_S_ENTERPRISE
EXO_P1 = "9aaf7827-d63c-4b61-89c3-182f06f82e5c"  # EXCHANGE_S_STANDARD
TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"
E3_GROUP = "aaaaaaaa-0000-4000-8000-000000000001"
E5_GROUP = "aaaaaaaa-0000-4000-8000-000000000002"
EXCH_GROUP = "aaaaaaaa-0000-4000-8000-000000000003"
PLAIN_GROUP = "aaaaaaaa-0000-4000-8000-000000000004"
ANNA, BEN, CARL, DORA, EVE = (f"bbbbbbbb-0000-4000-8000-00000000000{i}" for i in range(1, 6))
EXCLUSIVE = [(EXO_P1, EXO_P2)]
ROLES = (*DEMO_ROLES, *WRITE_ROLES)
INHERITED = "User license is inherited from a group membership and it cannot be removed directly from the user."


def _user(uid: str, name: str, states: tuple[LicenseAssignmentState, ...] = (), location: str | None = "NL") -> User:
    licenses = tuple(AssignedLicense(s.sku_id, s.disabled_plans) for s in states)
    return User.new(
        uid,
        f"{name}@contoso.example",
        name.title(),
        usage_location=location,
        assigned_licenses=licenses,
        license_assignment_states=tuple(
            msgspec.structs.replace(s, last_updated_date_time="2024-01-01T00:00:00Z") for s in states
        ),
    )


def make_tenant(e3_seats: int = 3, e5_seats: int = 1) -> TenantSnapshot:
    """Anna: E3 from the E3 group. Ben: E3 directly (Exchange switched off). Carl: nothing.
    Dora: nothing and no usage location. Eve: E3 both directly and from the E3 group."""
    skus = (
        Sku(
            f"{TENANT}_{E3}",
            E3,
            "SPE_E3",
            "User",
            "Enabled",
            3,
            PrepaidUnits(e3_seats, 0, 0, 0),
            (
                ServicePlan(EXO_P2, "EXCHANGE_S_ENTERPRISE", "Success", "User"),
                ServicePlan(TEAMS, "TEAMS1", "Success", "User"),
            ),
        ),
        Sku(
            f"{TENANT}_{E5}",
            E5,
            "SPE_E5",
            "User",
            "Enabled",
            0,
            PrepaidUnits(e5_seats, 0, 0, 0),
            (ServicePlan(EXO_P2, "EXCHANGE_S_ENTERPRISE", "Success", "User"),),
        ),
        Sku(
            f"{TENANT}_{EXCH1}",
            EXCH1,
            "EXCHANGESTANDARD",
            "User",
            "Enabled",
            0,
            PrepaidUnits(5, 0, 0, 0),
            (ServicePlan(EXO_P1, "EXCHANGE_S_STANDARD", "Success", "User"),),
        ),
        Sku(f"{TENANT}_{VISIO}", VISIO, "VISIOCLIENT", "User", "Suspended", 0, PrepaidUnits(0, 10, 0, 0)),
    )
    users = (
        _user(ANNA, "anna", (LicenseAssignmentState(E3, E3_GROUP, "Active", "None"),)),
        _user(BEN, "ben", (LicenseAssignmentState(E3, None, "Active", "None", (EXO_P2,)),)),
        _user(CARL, "carl"),
        _user(DORA, "dora", location=None),
        _user(
            EVE,
            "eve",
            (
                LicenseAssignmentState(E3, None, "Active", "None"),
                LicenseAssignmentState(E3, E3_GROUP, "Active", "None"),
            ),
        ),
    )
    groups = (
        Group(
            E3_GROUP,
            "License - E3",
            (AssignedLicense(E3),),
            (ANNA, EVE),
            has_members_with_license_errors=False,
            group_types=(),
            mail_enabled=False,
        ),
        Group(
            E5_GROUP,
            "License - E5",
            (AssignedLicense(E5),),
            (),
            has_members_with_license_errors=False,
            group_types=(),
            mail_enabled=False,
        ),
        Group(
            EXCH_GROUP,
            "License - Exchange",
            (AssignedLicense(EXCH1),),
            (),
            has_members_with_license_errors=False,
            group_types=(),
            mail_enabled=False,
        ),
        Group(
            PLAIN_GROUP, "Sales", (), (CARL,), has_members_with_license_errors=False, group_types=(), mail_enabled=False
        ),
    )
    return TenantSnapshot(TENANT, "Contoso", Cloud.WORLDWIDE, "2024-12-01T00:00:00Z", skus, (), users, groups)


class Api:
    """httpx against a running emulator, with its token."""

    def __init__(self, graph: GraphEmulator, token: str) -> None:
        self.graph = graph
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **headers: str) -> httpx.Response:
        return http.get(self.graph.url + path, headers={**self.headers, **headers}, timeout=10)

    def post(self, path: str, body: object = None) -> httpx.Response:
        return http.post(self.graph.url + path, json=body, headers=self.headers, timeout=10)

    def delete(self, path: str) -> httpx.Response:
        return http.delete(self.graph.url + path, headers=self.headers, timeout=10)

    def assign(
        self, user: str, add: list[dict[str, object]] | None = None, remove: list[str] | None = None
    ) -> httpx.Response:
        return self.post(f"/users/{user}/assignLicense", {"addLicenses": add or [], "removeLicenses": remove or []})

    def join(self, group: str, user: str) -> httpx.Response:
        return self.post(
            f"/groups/{group}/members/$ref", {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user}"}
        )

    def leave(self, group: str, user: str) -> httpx.Response:
        return self.delete(f"/groups/{group}/members/{user}/$ref")

    def licenses(self, user: str) -> dict[str, object]:
        r = self.get(f"/users/{user}?$select=id,assignedLicenses,licenseAssignmentStates")
        assert r.status_code == 200
        return r.json()

    def consumed(self) -> dict[str, int]:
        skus = self.get("/subscribedSkus").json()["value"]
        return {s["skuPartNumber"]: s["consumedUnits"] for s in skus}


def held(doc: dict[str, object]) -> dict[str, list[str]]:
    return {lic["skuId"]: lic["disabledPlans"] for lic in doc["assignedLicenses"]}  # type: ignore[attr-defined]


def states(doc: dict[str, object]) -> list[tuple[str, str | None, str, str]]:
    return [
        (s["skuId"], s["assignedByGroup"], s["state"], s["error"])  # type: ignore[index]
        for s in doc["licenseAssignmentStates"]
    ]  # type: ignore[attr-defined]


def error(r: httpx.Response) -> tuple[int, str, str]:
    body = r.json()["error"]
    return r.status_code, body["code"], body["message"]


@pytest.fixture
def api():
    opened: list[GraphEmulator] = []

    def make(snapshot: TenantSnapshot | None = None, roles: tuple[str, ...] = ROLES, **kwargs: object) -> Api:
        snap = snapshot or make_tenant()
        token = app_token(TENANT, roles)
        kwargs.setdefault("mutually_exclusive", EXCLUSIVE)
        graph = GraphEmulator(snap, token=token, **kwargs).start()  # type: ignore[arg-type]
        opened.append(graph)
        return Api(graph, token)

    yield make
    for graph in opened:
        graph.stop()


# --- assignLicense ----------------------------------------------------------------------------


def test_assign_license_adds_a_direct_license_and_takes_a_seat(api):
    a = api()
    r = a.assign(CARL, [{"skuId": E5, "disabledPlans": []}])
    assert r.status_code == 200
    assert r.json()["id"] == CARL and "displayName" in r.json()
    doc = a.licenses(CARL)
    assert held(doc) == {E5: []}
    assert states(doc) == [(E5, None, "Active", "None")]
    assert doc["licenseAssignmentStates"][0]["lastUpdatedDateTime"].startswith("20")
    assert a.consumed()["SPE_E5"] == 1
    listed = a.get("/users?$select=id,assignedLicenses&$top=999").json()["value"]
    assert {u["id"]: [x["skuId"] for x in u["assignedLicenses"]] for u in listed}[CARL] == [E5]


def test_assign_license_replaces_in_one_call_and_frees_the_seat(api):
    a = api()
    r = a.assign(BEN, [{"skuId": E5, "disabledPlans": []}], [E3])
    assert r.status_code == 200
    assert held(a.licenses(BEN)) == {E5: []}
    assert a.consumed() == {"SPE_E3": 2, "SPE_E5": 1, "EXCHANGESTANDARD": 0, "VISIOCLIENT": 0}


def test_adding_a_product_held_directly_changes_its_disabled_plans_only(api):
    a = api()
    assert a.assign(BEN, [{"skuId": E3, "disabledPlans": []}]).status_code == 200
    doc = a.licenses(BEN)
    assert held(doc) == {E3: []} and states(doc) == [(E3, None, "Active", "None")]
    assert a.consumed()["SPE_E3"] == 3


@pytest.mark.off_contract("leaves out an action parameter Graph requires, to see its 400")
def test_both_arrays_are_required(api):
    a = api()
    r = a.post(f"/users/{CARL}/assignLicense", {"addLicenses": [{"skuId": E5}]})
    assert error(r) == (
        400,
        "Request_BadRequest",
        "Invalid value specified for property 'removeLicenses' of resource 'User'.",
    )
    r = a.post(f"/users/{CARL}/assignLicense", {"removeLicenses": []})
    assert r.status_code == 400 and "addLicenses" in r.json()["error"]["message"]
    assert a.licenses(CARL)["assignedLicenses"] == []


def test_unknown_product_and_unknown_user(api):
    a = api()
    r = a.assign(CARL, [{"skuId": UNKNOWN, "disabledPlans": []}])
    assert error(r) == (400, "Request_BadRequest", f"License {UNKNOWN} does not correspond to a valid company License.")
    r = a.assign("nobody@contoso.example", [{"skuId": E5, "disabledPlans": []}])
    assert r.status_code == 404 and r.json()["error"]["code"] == "Request_ResourceNotFound"


def test_a_group_license_cannot_be_removed_directly(api):
    a = api()
    r = a.assign(ANNA, remove=[E3])
    assert error(r) == (400, "Request_BadRequest", INHERITED)
    assert held(a.licenses(ANNA)) == {E3: []}
    assert a.consumed()["SPE_E3"] == 3


def test_removing_a_product_not_held(api):
    a = api()
    r = a.assign(CARL, remove=[E3])
    assert error(r) == (400, "Request_BadRequest", "User does not have a corresponding license.")


def test_removing_the_direct_half_keeps_the_group_half_and_the_seat(api):
    a = api()
    assert a.assign(EVE, remove=[E3]).status_code == 200
    doc = a.licenses(EVE)
    assert held(doc) == {E3: []} and states(doc) == [(E3, E3_GROUP, "Active", "None")]
    assert a.consumed()["SPE_E3"] == 3


def test_no_usage_location_no_license(api):
    a = api()
    r = a.assign(DORA, [{"skuId": E5, "disabledPlans": []}])
    assert error(r) == (
        400,
        "Request_BadRequest",
        "License assignment cannot be done for user with invalid usage location.",
    )
    assert a.consumed()["SPE_E5"] == 0


def test_count_violation_on_direct_assignment(api):
    a = api(make_tenant(e3_seats=3))
    r = a.assign(CARL, [{"skuId": E3, "disabledPlans": []}])
    assert error(r) == (400, "Request_BadRequest", f"Subscription with SKU {E3} does not have any available licenses.")
    r = a.assign(CARL, [{"skuId": VISIO, "disabledPlans": []}])
    assert r.status_code == 400 and "does not have any available licenses" in r.json()["error"]["message"]
    assert a.licenses(CARL)["assignedLicenses"] == []
    # a seat freed by a removal can be taken
    assert a.assign(BEN, remove=[E3]).status_code == 200
    assert a.assign(CARL, [{"skuId": E3, "disabledPlans": []}]).status_code == 200
    assert a.consumed()["SPE_E3"] == 3


def test_mutually_exclusive_plans_on_direct_assignment(api):
    a = api()
    r = a.assign(ANNA, [{"skuId": EXCH1, "disabledPlans": []}])
    assert error(r) == (
        400,
        "Request_BadRequest",
        f"License assignment failed because service plans {EXO_P1}, {EXO_P2} are mutually exclusive.",
    )
    # Ben's E3 has Exchange switched off: no conflict
    assert a.assign(BEN, [{"skuId": EXCH1, "disabledPlans": []}]).status_code == 200
    # whole products can be configured as exclusive too
    b = api(mutually_exclusive=[(E5, EXCH1)])
    assert b.assign(CARL, [{"skuId": E5, "disabledPlans": []}]).status_code == 200
    r = b.assign(CARL, [{"skuId": EXCH1, "disabledPlans": []}])
    assert r.status_code == 400 and "mutually exclusive" in r.json()["error"]["message"]


def test_a_disabled_plan_must_belong_to_the_product(api):
    a = api()
    r = a.assign(CARL, [{"skuId": E5, "disabledPlans": [TEAMS]}])
    assert r.status_code == 400 and TEAMS in r.json()["error"]["message"]


# --- group members ----------------------------------------------------------------------------


def test_joining_a_licensing_group_gives_its_license(api):
    a = api()
    assert a.join(E5_GROUP, CARL).status_code == 204
    doc = a.licenses(CARL)
    assert held(doc) == {E5: []} and states(doc) == [(E5, E5_GROUP, "Active", "None")]
    assert a.consumed()["SPE_E5"] == 1
    members = a.get(f"/groups/{E5_GROUP}/transitiveMembers").json()["value"]
    assert [m["id"] for m in members] == [CARL]


def test_group_licensing_does_not_need_a_usage_location(api):
    a = api()
    r = a.assign(DORA, [{"skuId": E5, "disabledPlans": []}])
    assert r.status_code == 400
    assert a.join(E5_GROUP, DORA).status_code == 204  # Entra ID uses the tenant's location
    assert states(a.licenses(DORA)) == [(E5, E5_GROUP, "Active", "None")]


def test_joining_twice_is_refused(api):
    a = api()
    r = a.join(E3_GROUP, ANNA)
    assert error(r) == (
        400,
        "Request_BadRequest",
        "One or more added object references already exist for the following modified properties: 'members'.",
    )


@pytest.mark.off_contract("sends a $ref body Graph refuses, to see its 400")
def test_joining_unknown_group_or_object(api):
    a = api()
    assert a.join(UNKNOWN, CARL).status_code == 404
    assert a.join(E5_GROUP, UNKNOWN).status_code == 404
    r = a.post(f"/groups/{E5_GROUP}/members/$ref", {"id": CARL})
    assert r.status_code == 400


def test_joining_a_group_for_a_product_already_held_takes_no_seat(api):
    a = api()
    assert a.join(E3_GROUP, BEN).status_code == 204
    doc = a.licenses(BEN)
    # the group gives Exchange, which Ben's direct license switches off: the union is on
    assert held(doc) == {E3: []}
    assert states(doc) == [(E3, None, "Active", "None"), (E3, E3_GROUP, "Active", "None")]
    assert a.consumed()["SPE_E3"] == 3


def test_group_count_violation_is_recorded_not_refused(api):
    a = api(make_tenant(e5_seats=1))
    assert a.join(E5_GROUP, CARL).status_code == 204
    assert a.join(E5_GROUP, BEN).status_code == 204  # group licensing never fails the request
    doc = a.licenses(BEN)
    assert held(doc) == {E3: [EXO_P2]}
    assert (E5, E5_GROUP, "Error", "CountViolation") in states(doc)
    assert a.consumed()["SPE_E5"] == 1
    flagged = a.get("/groups?$filter=hasMembersWithLicenseErrors eq true").json()["value"]
    assert [g["id"] for g in flagged] == [E5_GROUP]


def test_group_mutually_exclusive_violation_is_recorded(api):
    a = api()
    assert a.join(EXCH_GROUP, ANNA).status_code == 204
    doc = a.licenses(ANNA)
    assert (EXCH1, EXCH_GROUP, "Error", "MutuallyExclusiveViolation") in states(doc)
    assert held(doc) == {E3: []}
    assert a.consumed()["EXCHANGESTANDARD"] == 0


def test_group_licensing_reaches_a_new_member_after_the_delay_on_the_emulators_clock(api):
    """group_license_delay is kept on the emulator's clock (a test's VirtualTime here): nothing from
    the group until it has passed, then the group's state; a member who left meanwhile gets none."""
    clock = VirtualTime()
    a = api(group_license_delay=60.0, clock=clock.now)
    assert a.join(E5_GROUP, BEN).status_code == 204
    assert a.join(E3_GROUP, CARL).status_code == 204
    assert a.leave(E3_GROUP, CARL).status_code == 204
    clock.advance(59.0)
    assert [s for s in states(a.licenses(BEN)) if s[1] == E5_GROUP] == []
    clock.advance(2.0)
    [ben] = [u for u in a.graph.snapshot().users if u.id == BEN]  # the time come, without a request too
    assert any(s.assigned_by_group == E5_GROUP and s.state == "Active" for s in ben.license_assignment_states)
    assert (E5, E5_GROUP, "Active", "None") in states(a.licenses(BEN))
    assert [s for s in states(a.licenses(CARL)) if s[1] == E3_GROUP] == []


def test_leaving_a_group_removes_its_license_and_frees_the_seat(api):
    a = api()
    assert a.leave(E3_GROUP, ANNA).status_code == 204
    doc = a.licenses(ANNA)
    assert doc["assignedLicenses"] == [] and doc["licenseAssignmentStates"] == []
    assert a.consumed()["SPE_E3"] == 2
    members = a.get(f"/groups/{E3_GROUP}/transitiveMembers").json()["value"]
    assert [m["id"] for m in members] == [EVE]


def test_leaving_keeps_a_product_something_else_gives(api):
    a = api()
    assert a.leave(E3_GROUP, EVE).status_code == 204
    doc = a.licenses(EVE)
    assert held(doc) == {E3: []} and states(doc) == [(E3, None, "Active", "None")]
    assert a.consumed()["SPE_E3"] == 3


def test_leaving_a_group_one_is_not_in(api):
    a = api()
    r = a.leave(E3_GROUP, CARL)
    assert error(r) == (
        404,
        "Request_ResourceNotFound",
        "One or more removed object references do not exist for the following modified properties: 'members'.",
    )
    assert a.leave(UNKNOWN, CARL).status_code == 404


def test_leaving_keeps_a_membership_through_a_nested_group(api):
    """Carl is in the E3 group through a nested group: joining makes him a direct member too (group-based
    licensing gives him E3), leaving takes the direct membership and its license, not the nested one."""
    snap = make_tenant(e3_seats=4)  # a seat free for Carl
    groups = tuple(
        msgspec.structs.replace(g, members=(ANNA, EVE, CARL), direct_members=(ANNA, EVE)) if g.id == E3_GROUP else g
        for g in snap.groups
    )
    a = api(dataclasses.replace(snap, groups=groups))

    def listed(kind: str) -> list[str]:
        return sorted(m["id"] for m in a.get(f"/groups/{E3_GROUP}/{kind}?$select=id").json()["value"])

    assert CARL not in listed("members") and CARL in listed("transitiveMembers")
    assert a.leave(E3_GROUP, CARL).status_code == 404  # not a direct member: nothing to remove
    assert a.join(E3_GROUP, CARL).status_code == 204
    assert CARL in listed("members") and held(a.licenses(CARL)) == {E3: []}
    assert a.leave(E3_GROUP, CARL).status_code == 204
    assert CARL not in listed("members") and CARL in listed("transitiveMembers")
    assert held(a.licenses(CARL)) == {}  # group-based licensing does not follow the nested group
    assert a.leave(E3_GROUP, ANNA).status_code == 204  # a direct-only member leaves altogether
    assert ANNA not in listed("transitiveMembers")


# --- reprocessLicenseAssignment ---------------------------------------------------------------


def test_reprocess_turns_an_error_into_a_license_once_a_seat_is_free(api):
    a = api(make_tenant(e5_seats=1))
    assert a.join(E5_GROUP, CARL).status_code == 204
    assert a.join(E5_GROUP, BEN).status_code == 204
    assert a.leave(E5_GROUP, CARL).status_code == 204
    # a freed seat is not taken on its own
    assert (E5, E5_GROUP, "Error", "CountViolation") in states(a.licenses(BEN))
    r = a.post(f"/users/{BEN}/reprocessLicenseAssignment")
    assert r.status_code == 200 and r.json()["id"] == BEN
    doc = a.licenses(BEN)
    assert (E5, E5_GROUP, "Active", "None") in states(doc) and E5 in held(doc)
    assert a.consumed()["SPE_E5"] == 1
    assert a.get("/groups?$filter=hasMembersWithLicenseErrors eq true").json()["value"] == []


def test_reprocess_unknown_user(api):
    a = api()
    assert a.post(f"/users/{UNKNOWN}/reprocessLicenseAssignment").status_code == 404


# --- membership reads -------------------------------------------------------------------------


def test_member_of_and_members_reflect_writes(api):
    a = api()
    assert a.join(E5_GROUP, ANNA).status_code == 204
    groups = a.get(f"/users/{ANNA}/memberOf").json()["value"]
    assert [(g["@odata.type"], g["id"]) for g in groups] == [
        ("#microsoft.graph.group", E3_GROUP),
        ("#microsoft.graph.group", E5_GROUP),
    ]
    cast = a.get(f"/users/{ANNA}/memberOf/microsoft.graph.group?$select=id,displayName").json()["value"]
    assert cast == [{"id": E3_GROUP, "displayName": "License - E3"}, {"id": E5_GROUP, "displayName": "License - E5"}]
    members = a.get(f"/groups/{E3_GROUP}/members?$select=id").json()["value"]
    assert members == [
        {"@odata.type": "#microsoft.graph.user", "id": ANNA},
        {"@odata.type": "#microsoft.graph.user", "id": EVE},
    ]
    assert a.leave(E3_GROUP, ANNA).status_code == 204
    assert [g["id"] for g in a.get(f"/users/{ANNA}/memberOf").json()["value"]] == [E5_GROUP]


@pytest.mark.off_contract("filters memberOf on a property directoryObject lacks, to see Graph's 400")
def test_membership_filter_by_id_is_an_advanced_query(api):
    a = api()
    path = f"/groups/{E3_GROUP}/members?$filter=id eq '{ANNA}'&$count=true&$select=id"
    assert a.get(path).status_code == 400
    r = a.get(path, ConsistencyLevel="eventual")
    assert r.status_code == 200 and [m["id"] for m in r.json()["value"]] == [ANNA]
    r = a.get(f"/users/{CARL}/memberOf?$filter=id eq '{E3_GROUP}'&$count=true", ConsistencyLevel="eventual")
    assert r.json()["value"] == [] and r.json()["@odata.count"] == 0
    assert (
        a.get(
            f"/users/{CARL}/memberOf?$filter=displayName eq 'Sales'&$count=true", ConsistencyLevel="eventual"
        ).status_code
        == 400
    )


def test_member_of_pages(api):
    a = api()
    for group in (E5_GROUP, EXCH_GROUP, PLAIN_GROUP):
        if group != PLAIN_GROUP:
            assert a.join(group, CARL).status_code == 204
    first = a.get(f"/users/{CARL}/memberOf?$top=2").json()
    assert len(first["value"]) == 2
    rest = http.get(first["@odata.nextLink"], headers=a.headers, timeout=10).json()
    assert [g["id"] for g in first["value"] + rest["value"]] == [E5_GROUP, EXCH_GROUP, PLAIN_GROUP]
    assert "@odata.nextLink" not in rest


# --- $batch -----------------------------------------------------------------------------------


def _req(rid: str, method: str, url: str, body: object = None, depends: list[str] | None = None) -> dict[str, object]:
    item: dict[str, object] = {"id": rid, "method": method, "url": url}
    if body is not None:
        item["body"] = body
        item["headers"] = {"Content-Type": "application/json"}
    if depends:
        item["dependsOn"] = depends
    return item


def test_batch_runs_writes_in_order_and_fails_dependents_with_424(api):
    a = api(make_tenant(e3_seats=3))
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{CARL}"}
    batch = {
        "requests": [
            _req("1", "POST", f"/users/{BEN}/assignLicense", {"addLicenses": [], "removeLicenses": [E3]}),
            _req("2", "POST", f"/groups/{E3_GROUP}/members/$ref", ref, ["1"]),
            _req("3", "POST", f"/users/{ANNA}/assignLicense", {"addLicenses": [], "removeLicenses": [E3]}, ["2"]),
            _req("4", "POST", f"/users/{CARL}/reprocessLicenseAssignment", None, ["3"]),
            _req("5", "GET", f"/users/{CARL}?$select=id,assignedLicenses", None, ["4"]),
        ]
    }
    r = a.post("/$batch", batch)
    assert r.status_code == 200
    got = {x["id"]: x for x in r.json()["responses"]}
    assert [got[i]["status"] for i in "12345"] == [200, 204, 400, 424, 424]
    assert got["3"]["body"]["error"]["message"] == INHERITED
    assert got["4"]["body"]["error"]["code"] == "FailedDependency"
    # the seat Ben gave up went to Carl through the group
    assert held(a.licenses(CARL)) == {E3: []} and a.licenses(BEN)["assignedLicenses"] == []
    assert a.consumed()["SPE_E3"] == 3
    inner = [(x.method, x.path, x.status) for x in a.graph.requests if x.batch]
    assert inner[1] == ("POST", f"/groups/{E3_GROUP}/members/$ref", 204)
    assert inner[4] == ("GET", f"/users/{CARL}", 424)
    assert a.graph.writes()[0].body == {"addLicenses": [], "removeLicenses": [E3]}


def test_batch_parallel_requests_each_answer(api):
    a = api()
    batch = {
        "requests": [
            _req(
                "a",
                "POST",
                f"/groups/{E5_GROUP}/members/$ref",
                {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{CARL}"},
            ),
            _req("b", "DELETE", f"/groups/{E3_GROUP}/members/{CARL}/$ref"),
            _req(
                "c",
                "POST",
                f"/users/{DORA}/assignLicense",
                {"addLicenses": [{"skuId": E5, "disabledPlans": []}], "removeLicenses": []},
            ),
        ]
    }
    got = {x["id"]: x for x in a.post("/$batch", batch).json()["responses"]}
    assert (got["a"]["status"], got["b"]["status"], got["c"]["status"]) == (204, 404, 400)
    assert "body" not in got["a"]


@pytest.mark.parametrize(
    ("requests", "words"),
    [
        (
            [_req("1", "GET", "/users"), _req("2", "GET", "/users", depends=["1"]), _req("3", "GET", "/users")],
            "fully sequential or fully parallel",
        ),
        ([_req("1", "GET", "/users", depends=["2"]), _req("2", "GET", "/users")], "not an earlier request"),
        ([_req("x", "GET", "/users"), _req("X", "GET", "/users")], "unique"),
        ([_req(str(i), "GET", "/users") for i in range(21)], "limit of 20"),
    ],
)
def test_malformed_batches_are_refused_whole(api, requests, words):
    a = api()
    r = a.post("/$batch", {"requests": requests})
    assert r.status_code == 400 and words in r.json()["error"]["message"]
    assert not [x for x in a.graph.requests if x.batch]


def test_batch_body_needs_a_content_type(api):
    a = api()
    item = {
        "id": "1",
        "method": "POST",
        "url": f"/users/{CARL}/assignLicense",
        "body": {"addLicenses": [], "removeLicenses": []},
    }
    got = a.post("/$batch", {"requests": [item]}).json()["responses"][0]
    assert got["status"] == 400


# --- permissions, throttling, logging ---------------------------------------------------------


def test_writes_need_write_permissions(api):
    a = api(roles=DEMO_ROLES)
    r = a.assign(CARL, [{"skuId": E5, "disabledPlans": []}])
    assert error(r) == (403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    assert a.join(E5_GROUP, CARL).status_code == 403
    assert a.leave(E3_GROUP, ANNA).status_code == 403
    assert a.post(f"/users/{ANNA}/reprocessLicenseAssignment").status_code == 403
    assert a.get("/users?$select=id").status_code == 200  # reads are unaffected
    assert a.licenses(CARL)["assignedLicenses"] == []
    # one of the documented permissions is enough for its call
    b = api(roles=("LicenseAssignment.ReadWrite.All",))
    assert b.assign(CARL, [{"skuId": E5, "disabledPlans": []}]).status_code == 200
    assert b.join(E5_GROUP, DORA).status_code == 403
    # an explicit grant overrides the token's roles
    c = api(roles=DEMO_ROLES)
    c.graph.roles = frozenset({"Directory.ReadWrite.All"})
    assert c.join(E5_GROUP, CARL).status_code == 204


def test_throttling_can_be_injected_on_writes(api):
    a = api(responders=[write_throttled(count=1, retry_after=7)])
    r = a.assign(CARL, [{"skuId": E5, "disabledPlans": []}])
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert a.licenses(CARL)["assignedLicenses"] == []  # a throttled write changes nothing
    assert a.assign(CARL, [{"skuId": E5, "disabledPlans": []}]).status_code == 200
    logged = a.graph.writes()
    assert [(w.status, w.fault) for w in logged] == [(429, "429"), (200, None)]
    assert logged[1].body == {"addLicenses": [{"skuId": E5, "disabledPlans": []}], "removeLicenses": []}


def test_throttling_inside_a_batch(api):
    fault = Fault(FaultKind.THROTTLE, match=r"^DELETE /v1\.0/groups/", count=1, retry_after=3)
    a = api(responders=[fault])
    batch = {
        "requests": [
            _req("1", "DELETE", f"/groups/{E3_GROUP}/members/{ANNA}/$ref"),
            _req("2", "POST", f"/users/{ANNA}/reprocessLicenseAssignment", None, ["1"]),
        ]
    }
    got = {x["id"]: x for x in a.post("/$batch", batch).json()["responses"]}
    assert got["1"]["status"] == 429 and got["1"]["headers"]["Retry-After"] == "3"
    assert got["2"]["status"] == 424
    assert held(a.licenses(ANNA)) == {E3: []}


def test_concurrent_writes_lose_no_seat(api):
    """Many users join one licensing group at once: exactly the free seats are taken."""
    base = make_tenant(e5_seats=10)
    extra = tuple(_user(f"cccccccc-0000-4000-8000-{i:012d}", f"user{i}") for i in range(40))
    snapshot = TenantSnapshot(
        base.tenant_id, base.tenant_name, base.cloud, base.collected_at, base.skus, (), base.users + extra, base.groups
    )
    a = api(snapshot)
    barrier = threading.Barrier(8)  # eight joins start together, five times over

    def join(user: User) -> int:
        barrier.wait(timeout=120)  # a guard against a hang, however late a busy machine starts a thread
        return a.join(E5_GROUP, user.id).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(join, extra))
    assert codes == [204] * 40
    assert a.consumed()["SPE_E5"] == 10
    now = a.graph.snapshot()
    active = [u for u in now.users if any(s.sku_id == E5 and s.state == "Active" for s in u.license_assignment_states)]
    failed = [u for u in now.users if any(s.error == "CountViolation" for s in u.license_assignment_states)]
    assert (len(active), len(failed)) == (10, 30)
    assert len(next(g for g in now.groups if g.id == E5_GROUP).members) == 40


# --- the real msgraph-sdk ---------------------------------------------------------------------


def test_the_sdk_request_builders_drive_the_writes(api):
    a = api()
    token = a.headers["Authorization"].removeprefix("Bearer ")

    async def run() -> tuple[object, tuple[object, object, object]]:
        client = GraphClient(base_url=a.graph.url, credential=StaticTokenCredential(token))
        try:
            sdk = GraphServiceClient(request_adapter=client.adapter)
            body = AssignLicensePostRequestBody(
                add_licenses=[SdkAssignedLicense(sku_id=E5, disabled_plans=[])], remove_licenses=[]
            )
            user = await sdk.users.by_user_id(CARL).assign_license.post(body)
            await sdk.groups.by_group_id(E5_GROUP).members.ref.post(
                ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{CARL}")
            )
            try:
                await sdk.users.by_user_id(ANNA).assign_license.post(
                    AssignLicensePostRequestBody(add_licenses=[], remove_licenses=[E3])
                )
            except ODataError as exc:
                assert exc.error is not None
                return user, (exc.response_status_code, exc.error.code, exc.error.message)
            return user, (None, None, None)
        finally:
            await client.aclose()

    user, refused = asyncio.run(run())
    assert user.id == CARL  # type: ignore[attr-defined]
    assert refused == (400, "Request_BadRequest", INHERITED)
    doc = a.licenses(CARL)
    assert states(doc) == [(E5, None, "Active", "None"), (E5, E5_GROUP, "Active", "None")]
    assert a.consumed()["SPE_E5"] == 1


def test_a_write_marks_the_tenant_written_before_anyone_can_see_it(api):
    """A request that sees a changed user or group must not be served from the pre-encoded listings
    of the tenant as it was (a member partition picked by the new listing's positions from the old
    encoding would be malformed): every write says `written` before it replaces anything."""
    a = api()
    tenant = a.graph.tenant
    seen: list[tuple[str, bool]] = []

    class Watched(list):  # type: ignore[type-arg]
        def __init__(self, name: str, items: list[object]) -> None:
            super().__init__(items)
            self.name = name

        def __setitem__(self, at, value):  # type: ignore[no-untyped-def]
            seen.append((self.name, tenant.written))
            super().__setitem__(at, value)

    tenant.users, tenant.groups = Watched("users", tenant.users), Watched("groups", tenant.groups)
    assert a.assign(CARL, [{"skuId": E5, "disabledPlans": []}]).status_code == 200
    tenant.written = False  # each write on its own
    assert a.join(PLAIN_GROUP, BEN).status_code == 204  # the group replaced
    tenant.written = False
    tenant.change_user(ANNA, account_enabled=False)
    assert {name for name, _ in seen} == {"users", "groups"}
    assert all(written for _, written in seen), seen
