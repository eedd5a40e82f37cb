"""The real collector (msgraph-sdk adapter + httpx) against the loopback Graph emulator."""

from __future__ import annotations

import dataclasses
import io
import math

import msgspec
import pytest
from graph_tenants import make_tenant

from auditor.data.model import TenantSnapshot
from auditor.graph.groups import GROUP_FIELDS
from auditor.snapshot import SIGN_IN_ACTIVITY, write_snapshot

GROUP_REFS = ("Sales Team", "License - Microsoft 365 E3")


def _text(snapshot: TenantSnapshot) -> str:
    out = io.StringIO()
    write_snapshot(snapshot, out)
    return out.getvalue()


def test_round_trip_is_exact(tenant, harness):
    h = harness(tenant)
    got = h.collect(GROUP_REFS, need_sign_in=True)
    assert got == tenant
    assert _text(got) == _text(tenant)
    # compare=False fields too: the decoder's sku_ids match the licenses
    assert [u.sku_ids for u in got.users] == [u.sku_ids for u in tenant.users]


def test_round_trip_without_sign_in(harness):
    snap = make_tenant(120, seed=3, with_sign_in=False)
    got = harness(snap).collect(GROUP_REFS, need_sign_in=False)
    assert got == snap
    assert SIGN_IN_ACTIVITY not in got.collected_datasets
    assert all(u.last_sign_in_date_time is None for u in got.users)


def test_groups_by_id_and_license_groups(tenant, harness):
    sales = next(g for g in tenant.groups if g.display_name == "Sales Team")
    h = harness(tenant)
    got = h.collect([sales.id], need_sign_in=False)
    # the referenced group plus every license-assigning group, nothing else
    assert {g.id for g in got.groups} == {g.id for g in tenant.groups}
    assert got.gaps == ()
    ids = h.emulator.requests_to(rf"/groups/{sales.id}")
    assert len(ids) == 1 and ids[0].query["$select"] == GROUP_FIELDS
    assert GROUP_FIELDS == "id,displayName,assignedLicenses,groupTypes,membershipRule,onPremisesSyncEnabled,mailEnabled"


def test_only_license_groups_without_refs(tenant, harness):
    got = harness(tenant).collect((), need_sign_in=False)
    assert [g.display_name for g in got.groups] == ["License - Microsoft 365 E3"]
    assert got.groups[0].members == ()  # membership is read only for groups a policy selects by
    assert got.groups[0].assigned_licenses == next(g for g in tenant.groups if g.assigned_licenses).assigned_licenses


def test_users_request_shape(tenant, harness):
    """The users are listed without signInActivity, 999 a page; their sign-in activity in a listing
    of its own, id and signInActivity only, 500 a page (Microsoft's advice for it)."""
    h = harness(tenant)
    got = h.collect(GROUP_REFS, need_sign_in=True)
    users = h.emulator.requests_to("/users")
    listing = [r for r in users if "signInActivity" not in r.query["$select"]]
    sign_ins = [r for r in users if "signInActivity" in r.query["$select"]]
    assert listing[0].query["$top"] == "999"
    assert listing[0].query["$select"].split(",") == [
        "id",
        "userPrincipalName",
        "displayName",
        "accountEnabled",
        "userType",
        "department",
        "usageLocation",
        "createdDateTime",
        "assignedLicenses",
        "licenseAssignmentStates",
    ]
    assert sign_ins[0].query["$select"] == "id,signInActivity" and sign_ins[0].query["$top"] == "500"
    assert "$filter" not in sign_ins[0].query  # never in partitions
    assert len(sign_ins) == math.ceil(len(tenant.users) / 500)
    assert len(listing) == math.ceil(len(tenant.users) / 999)
    assert all(r.status == 200 for r in h.emulator.requests)

    # each user has the sign-in times Graph holds for it
    def times(u):
        return (u.last_sign_in_date_time, u.last_non_interactive_sign_in_date_time, u.last_successful_sign_in_date_time)

    held = {u.id: times(u) for u in tenant.users}
    assert {u.id: times(u) for u in got.users} == held
    assert any(any(t) for t in held.values())
    # advanced queries carry ConsistencyLevel: eventual and $count=true
    for r in h.emulator.requests_to(r"/groups/[^/]+/transitiveMembers/microsoft\.graph\.user"):
        assert r.headers.get("consistencylevel") == "eventual" and r.query["$count"] == "true"


def test_page_size_999_without_sign_in(harness):
    snap = make_tenant(2100, seed=5, with_sign_in=False)
    h = harness(snap)
    got = h.collect((), need_sign_in=False)
    assert len(got.users) == 2100
    users = h.emulator.requests_to("/users")
    assert [r.query["$top"] for r in users] == ["999"] * 3
    assert "$skiptoken" not in users[0].query and all("$skiptoken" in r.query for r in users[1:])


def test_no_request_per_user(tenant, harness):
    h = harness(tenant)
    h.collect(GROUP_REFS, need_sign_in=True)
    paths = [r.path for r in h.emulator.requests]
    # the user count before (read in partitions or not?) and after (the listing proven complete)
    assert [p for p in paths if p.startswith("/users/")] == ["/users/$count", "/users/$count"]
    # organization, skus, subscriptions, the user counts, users pages, sign-in pages, 2 name lookups,
    # license groups, groups with license errors, members of 2 groups, and the direct members of the
    # one that assigns licenses
    n = len(tenant.users)
    assert len(paths) == 3 + 2 + math.ceil(n / 999) + math.ceil(n / 500) + 2 + 1 + 1 + 2 + 1


def test_missing_group_and_ambiguous_name_are_gaps(tenant, harness):
    twin = msgspec.structs.replace(tenant.groups[0], id="11111111-2222-4333-8444-555555555555")
    snap = dataclasses.replace(tenant, groups=(*tenant.groups, twin))
    got = harness(snap).collect(
        ["No Such Group", twin.display_name, "99999999-2222-4333-8444-555555555555"], need_sign_in=False
    )
    parts = [(g.dataset, g.reason) for g in got.gaps]
    assert len(parts) == 3 and all(p == "groups" for p, _ in parts)
    reasons = " | ".join(r for _, r in parts)
    assert "No Such Group" in reasons and "2 groups are named" in reasons and "does not exist" in reasons


def test_collected_at_and_cloud(tenant, harness):
    got = harness(tenant).collect((), need_sign_in=False)
    assert got.collected_at == tenant.collected_at
    assert got.cloud is tenant.cloud
    assert got.tenant_id == tenant.tenant_id and got.tenant_name == "Contoso Test"


def test_long_collection_asks_for_the_user_total_and_shows_an_eta(monkeypatch, harness):
    from emulator_faults import Fault, FaultKind

    from auditor.graph import collector

    monkeypatch.setattr(collector, "ETA_AFTER", 0.0)
    tenant = make_tenant(1600)
    # the third page is slow, so the count is in by the time the rest are read
    h = harness(tenant, faults=[Fault(FaultKind.SLOW, r"^GET /v1\.0/users\?.*skiptoken", delay=0.5)])
    got = h.collect(need_sign_in=True, concurrency=1)
    assert got.users == tenant.users
    counts = h.emulator.requests_to(r"/users/\$count")
    # one for the ETA while the pages are read, one at their end to prove the listing complete
    assert len(_before_last_page(h, counts)) == 1 and len(counts) == 2
    assert all(c.headers.get("consistencylevel") == "eventual" for c in counts)
    lines = h.stderr.getvalue().splitlines()
    assert any(f"of {len(tenant.users):,} (" in line and ", ETA " in line for line in lines), lines


def _before_last_page(h, counts):
    """The `counts` asked before the last page of the users listing (the ETA's, not the proof's)."""
    pages = [
        r for r in h.emulator.requests if r.path == "/users" and "signInActivity" not in r.query.get("$select", "")
    ]
    return [c for c in counts if c.at < pages[-1].at]


def test_quick_collection_spends_no_request_on_the_total(tenant, harness):
    """No count for an ETA; one after the listing, which proves it complete."""
    h = harness(tenant)
    h.collect(need_sign_in=True, concurrency=1)
    counts = h.emulator.requests_to(r"/users/\$count")
    assert len(counts) == 1 and not _before_last_page(h, counts)
    assert "ETA" not in h.stderr.getvalue()


@pytest.mark.parametrize("kind", ["FORBIDDEN", "THROTTLE", "UNAVAILABLE", "DROP"])
def test_a_failed_count_is_not_waited_for_and_the_listing_counts_itself(monkeypatch, harness, kind):
    from emulator_faults import Fault, FaultKind

    from auditor.graph import collector

    monkeypatch.setattr(collector, "ETA_AFTER", 0.0)
    tenant = make_tenant(1200)
    h = harness(
        tenant,
        faults=[
            Fault(FaultKind[kind], r"/users/\$count", count=None),
            Fault(FaultKind.SLOW, r"^GET /v1\.0/users\?.*skiptoken", delay=0.3),
        ],
    )
    got = h.collect(need_sign_in=True, concurrency=1)
    assert got.users == tenant.users and not got.gaps
    # one attempt: a best-effort read is neither retried nor waited for (the count after the listing,
    # its proof, fails too: the listing's first page asked $count=true, and its @odata.count proves it)
    assert len(_before_last_page(h, h.emulator.requests_to(r"/users/\$count"))) == 1
    err = h.stderr.getvalue()
    # the ETA's failure is silent (its total comes from the listing's @odata.count); only the proof's
    # retries (a 429 or 503 is waited out) name the count
    assert "collecting users: 1,200 of 1,200 (100%)" in err
    assert all("before retry" in line for line in err.splitlines() if "$count" in line)
