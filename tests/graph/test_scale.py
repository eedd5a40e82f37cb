"""A 20,000-user tenant: request count is ceil(N / page size), and it stays a few seconds."""

from __future__ import annotations

import math
import time

from graph_tenants import make_tenant


def test_20000_users_request_count_and_time(harness):
    snap = make_tenant(20_000, seed=20)
    h = harness(snap)
    start = time.monotonic()
    got = h.collect(("Sales Team",), need_sign_in=True)
    elapsed = time.monotonic() - start
    assert got.users == snap.users and got.groups == snap.groups
    users = h.emulator.requests_to("/users")
    assert len(users) == math.ceil(20_000 / 500) == 40
    members = h.emulator.requests_to(r"/groups/[^/]+/transitiveMembers/microsoft\.graph\.user")
    expected_members = sum(math.ceil(len(g.members) / 999) for g in snap.groups)
    assert len(members) == expected_members
    # organization, subscribedSkus, subscriptions, 1 name lookup, 1 license-group listing
    assert len(h.emulator.requests) == 5 + len(users) + len(members)
    assert not any(r.path.startswith("/users/") for r in h.emulator.requests)
    assert elapsed < 20, f"collecting 20,000 users took {elapsed:.1f}s"
