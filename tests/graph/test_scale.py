"""A 20,000-user tenant: the user pages are ceil(N / 999), plus the named group's members."""

from __future__ import annotations

import math

import msgspec
from graph_tenants import make_tenant


def test_20000_users_request_count_and_time(harness):
    snap = make_tenant(20_000, seed=20, with_sign_in=False)
    h = harness(snap)
    # one chain (partitions: test_partitions); the sign-in listing, at Graph's 10 requests a minute
    # (40 requests, 3 minutes at this size), is test_sign_in_lane's
    got = h.collect(("Sales Team",), need_sign_in=False, concurrency=1)
    # members are read for the group a policy selects by; license-only groups come without them
    expected = tuple(
        g if g.display_name == "Sales Team" else msgspec.structs.replace(g, members=(), direct_members=None)
        for g in snap.groups
    )
    assert got.users == snap.users and got.groups == expected
    users = h.emulator.requests_to("/users")
    assert len(users) == math.ceil(20_000 / 999) == 21
    members = h.emulator.requests_to(r"/groups/[^/]+/transitiveMembers/microsoft\.graph\.user")
    expected_members = sum(math.ceil(len(g.members) / 999) for g in snap.groups if g.display_name == "Sales Team")
    assert expected_members > 0
    assert len(members) == expected_members
    # organization, subscribedSkus, subscriptions, 1 name lookup, 1 license-group listing, 1 listing of the
    # groups with license errors, and the user count that proves the listing complete
    assert len(h.emulator.requests) == 6 + len(users) + len(members) + 1
    assert [r.path for r in h.emulator.requests if r.path.startswith("/users/")] == ["/users/$count"]
