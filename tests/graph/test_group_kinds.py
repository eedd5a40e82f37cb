"""The groups as they are: the collector reads groupTypes, membershipRule, onPremisesSyncEnabled and
mailEnabled of the licensing groups (the real msgraph-sdk against the emulator), snapshots keep
them (an older snapshot without them reads as "kind not known", never as "cloud group"), and the
emulator refuses a member change to a dynamic, synced or mail-enabled security group as Graph does,
alone and inside $batch."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json

import msgspec
import pytest
from graph_tenants import make_tenant
from msgraph import GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from test_emulator_writes import ANNA, CARL, E3_GROUP, PLAIN_GROUP, api  # noqa: F401  (api: the fixture)
from test_emulator_writes import make_tenant as writes_tenant

from auditor.data.model import Group, TenantSnapshot
from auditor.graph import GraphClient, StaticTokenCredential
from auditor.graph.groups import GROUP_FIELDS
from auditor.snapshot import load_snapshot, write_snapshot
from auditor_dev.emulator.tenant import DYNAMIC_REFUSED, MAIL_REFUSED, SYNCED_REFUSED

RULE = '(user.department -eq "Sales") and (user.accountEnabled -eq true)'


def _kinds(snap: TenantSnapshot, **by_name: dict[str, object]) -> TenantSnapshot:
    """`snap` with the named groups given these Group fields."""
    groups = tuple(
        msgspec.structs.replace(g, **by_name[g.display_name]) if g.display_name in by_name else g for g in snap.groups
    )
    return dataclasses.replace(snap, groups=groups)


DYNAMIC = {
    "group_types": ("DynamicMembership",),
    "membership_rule": RULE,
    "on_premises_sync_enabled": None,
    "mail_enabled": False,
}
SYNCED = {"group_types": (), "on_premises_sync_enabled": True, "mail_enabled": False}
MAIL = {"group_types": (), "mail_enabled": True}


def test_the_collector_reads_each_groups_kind(harness):
    snap = _kinds(make_tenant(40, seed=3), **{"License - Microsoft 365 E3": DYNAMIC, "Sales Team": SYNCED})
    h = harness(snap)
    got = h.collect(("Sales Team",), need_sign_in=False)
    by_name = {g.display_name: g for g in got.groups}
    licensing, sales = by_name["License - Microsoft 365 E3"], by_name["Sales Team"]
    assert (licensing.dynamic, licensing.synced, licensing.membership_rule) == (True, False, RULE)
    assert (sales.dynamic, sales.synced, sales.kind_known) == (False, True, True)
    # the $select asks for the four fields (Graph returns only what is selected)
    reads = [
        r
        for r in h.emulator.requests
        if r.path.startswith("/groups")
        and "members" not in r.path.lower()
        and "$filter" in r.query
        and "hasMembersWithLicenseErrors" not in r.query["$filter"]
    ]
    assert reads and all(r.query.get("$select") == GROUP_FIELDS for r in reads)
    for field in ("groupTypes", "membershipRule", "onPremisesSyncEnabled", "mailEnabled"):
        assert field in GROUP_FIELDS.split(",")


def test_a_snapshot_keeps_the_kind_and_an_older_one_reads_as_not_known(tmp_path):
    snap = _kinds(make_tenant(10, seed=3), **{"License - Microsoft 365 E3": DYNAMIC})
    out = io.StringIO()
    write_snapshot(snap, out)
    path = tmp_path / "s.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    again = {g.display_name: g for g in load_snapshot(path).groups}
    assert again["License - Microsoft 365 E3"] == next(g for g in snap.groups if g.dynamic)
    assert again["Sales Team"].kind_known and again["Sales Team"].dynamic is False
    # a snapshot written before the kind was read: no groupTypes at all
    doc = json.loads(out.getvalue())
    for g in doc["groups"]:
        for field in ("groupTypes", "membershipRule", "onPremisesSyncEnabled", "mailEnabled"):
            g.pop(field, None)
    path.write_text(json.dumps(doc), encoding="utf-8")
    old = load_snapshot(path).groups
    assert old and all(not g.kind_known and g.dynamic is None and g.synced is None for g in old)


def test_a_group_of_unknown_kind_is_neither_dynamic_nor_cloud_only():
    group = Group("g", "G")
    assert (group.kind_known, group.dynamic, group.synced, group.mail_security) == (False, None, None, None)
    assert Group("g", "G", group_types=("Unified",), mail_enabled=True).mail_security is False


@pytest.mark.parametrize(
    ("kind", "status", "code", "message"),
    [
        (DYNAMIC, 403, "Authorization_RequestDenied", DYNAMIC_REFUSED),
        (SYNCED, 400, "Request_BadRequest", SYNCED_REFUSED),
        (MAIL, 400, "Request_BadRequest", MAIL_REFUSED),
    ],
)
def test_member_changes_to_groups_no_program_may_change_are_refused(api, kind, status, code, message):  # noqa: F811
    snap = writes_tenant()
    a = api(_kinds(snap, **{g.display_name: kind for g in snap.groups if g.id in (E3_GROUP, PLAIN_GROUP)}))
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{CARL}"}
    for r in (
        a.post(f"/groups/{E3_GROUP}/members/$ref", ref),
        a.delete(f"/groups/{E3_GROUP}/members/{ANNA}/$ref"),
        a.delete(f"/groups/{PLAIN_GROUP}/members/{CARL}/$ref"),
    ):
        assert r.status_code == status
        assert r.json()["error"]["code"] == code and r.json()["error"]["message"] == message
    batch = {
        "requests": [
            {"id": "1", "method": "DELETE", "url": f"/groups/{E3_GROUP}/members/{ANNA}/$ref"},
            {
                "id": "2",
                "method": "POST",
                "url": f"/groups/{PLAIN_GROUP}/members/$ref",
                "body": ref,
                "headers": {"Content-Type": "application/json"},
            },
        ]
    }
    got = {x["id"]: x for x in a.post("/$batch", batch).json()["responses"]}
    assert [(got[i]["status"], got[i]["body"]["error"]["message"]) for i in "12"] == [(status, message)] * 2
    # nothing changed: Anna keeps the group's E3, Carl stays in Sales, nothing was written
    groups = {g.id: g for g in a.graph.snapshot().groups}
    assert ANNA in groups[E3_GROUP].members and CARL in groups[PLAIN_GROUP].members
    assert CARL not in groups[E3_GROUP].members


def test_the_sdk_sees_graphs_refusal(api):  # noqa: F811
    snap = writes_tenant()
    a = api(_kinds(snap, **{g.display_name: DYNAMIC for g in snap.groups if g.id == E3_GROUP}))
    token = a.headers["Authorization"].removeprefix("Bearer ")

    async def run() -> tuple[object, object, object]:
        client = GraphClient(base_url=a.graph.url, credential=StaticTokenCredential(token))
        try:
            sdk = GraphServiceClient(request_adapter=client.adapter)
            try:
                await sdk.groups.by_group_id(E3_GROUP).members.ref.post(
                    ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{CARL}")
                )
            except ODataError as exc:
                assert exc.error is not None
                return exc.response_status_code, exc.error.code, exc.error.message
            return None, None, None
        finally:
            await client.aclose()

    assert asyncio.run(run()) == (403, "Authorization_RequestDenied", DYNAMIC_REFUSED)


def test_direct_members_are_read_for_a_named_licensing_group_only(harness):
    snap = make_tenant(40, seed=3)
    licensing = next(g for g in snap.groups if g.assigned_licenses)
    nested = licensing.members[0]  # a member only through a nested group
    direct = tuple(m for m in licensing.members if m != nested)
    snap = _kinds(snap, **{licensing.display_name: {"direct_members": direct}})
    h = harness(snap)
    named = h.collect((licensing.display_name,), need_sign_in=False)
    got = next(g for g in named.groups if g.id == licensing.id)
    assert got.direct_members == tuple(sorted(direct)) and nested in got.members
    assert h.emulator.requests_to(rf"/groups/{licensing.id}/members/microsoft.graph.user")
    # not named by a policy: neither its members nor its direct members are read
    h2 = harness(snap)
    plain = next(g for g in h2.collect((), need_sign_in=False).groups if g.id == licensing.id)
    assert plain.direct_members is None and plain.members == ()
    assert not h2.emulator.requests_to(rf"/groups/{licensing.id}/members")


def test_direct_members_share_the_member_strings(harness):
    """A licensing group's direct members are kept as its members' own strings (the same tuple
    when nobody is nested): at a million users the second list would otherwise hold every id again."""
    snap = make_tenant(40, seed=3)
    licensing = next(g for g in snap.groups if g.assigned_licenses)
    nested = licensing.members[0]
    direct = tuple(m for m in licensing.members if m != nested)
    flat = _kinds(snap, **{licensing.display_name: {"direct_members": licensing.members}})
    got = next(
        g for g in harness(flat).collect((licensing.display_name,), need_sign_in=False).groups if g.id == licensing.id
    )
    assert got.direct_members is got.members
    nesting = _kinds(snap, **{licensing.display_name: {"direct_members": direct}})
    got = next(
        g
        for g in harness(nesting).collect((licensing.display_name,), need_sign_in=False).groups
        if g.id == licensing.id
    )
    by_value = {m: m for m in got.members}
    assert got.direct_members == tuple(sorted(direct))
    assert all(d is by_value[d] for d in got.direct_members)
