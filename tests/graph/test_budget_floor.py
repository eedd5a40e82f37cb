"""The benchmark's floor under Graph's published budgets (benchmarks/run.py, docs/performance.md)."""

from __future__ import annotations

import pytest

from benchmarks.run import budget_floor, budget_table


def test_the_floor_is_the_largest_of_pages_units_and_audit_log() -> None:
    # 100,000 users: 8,000 units per 10 s, 200 pages: the partitions are counted, and read by 64
    # streams (the budget allows more than that); 20,000 users are 40 pages, one stream a partition
    requests = {"requests": 260, "by_kind": {"users": 201}, "units": 300, "audit_log": 3, "throttled": 0}
    floor = budget_floor(100_000, 300, requests)
    assert floor["streams"] == 64 and budget_floor(20_000, 300, requests)["streams"] == 29
    assert floor["pages"] == pytest.approx(201 * 0.3 / 64)
    assert floor["units"] == pytest.approx(300 / 800)
    assert floor["audit_log"] == pytest.approx(6.0)
    assert (floor["s"], floor["by"]) == (pytest.approx(6.0), "audit_log")
    # many audit-log requests: they bound it; a tenant of 40 users has a 3,500-unit bucket
    assert budget_floor(40, 300, {**requests, "audit_log": 70})["s"] == pytest.approx(140.0)
    row = {
        "users": 100_000,
        "latency": {"ms": 300, "audit": {"wall_s": 12.0, "requests": requests}, "budget_floor": floor},
    }
    table = budget_table([row])
    assert "| 100,000 | 300 ms | 12.0 s | 6.0 s (audit_log) | 2.00 |" in table


def test_the_longest_chain_is_shown_beside_the_floor() -> None:
    requests = {
        "requests": 460,
        "by_kind": {"users": 201, "members": 200},
        "units": 300,
        "audit_log": 3,
        "longest_chain": {"pages": 100, "listing": "GET /groups/g1/transitiveMembers/microsoft.graph.user"},
    }
    floor = budget_floor(100_000, 300, requests)
    assert floor["chain"] == pytest.approx(30.0) and floor["s"] == pytest.approx(6.0)  # not part of the floor
    row = {
        "users": 100_000,
        "latency": {"ms": 300, "audit": {"wall_s": 40.0, "requests": requests}, "budget_floor": floor},
    }
    assert "| 30.0 s (GET /groups/g1/transitiveMembers/microsoft.graph.user) |" in budget_table([row])


def test_the_emulator_names_the_listing_read_in_the_most_pages() -> None:
    from auditor_dev.emulator.log import LoggedRequest
    from benchmarks.serve import _longest_chain

    def page(path: str, where: str = "", status: int = 200) -> LoggedRequest:
        return LoggedRequest("GET", path, {"$filter": where} if where else {}, {}, status, None)

    members = "/groups/g1/transitiveMembers/microsoft.graph.user"
    logged = [
        *(page("/users", "startswith(userPrincipalName,'m')") for _ in range(3)),
        *(page("/users", "startswith(userPrincipalName,'j')") for _ in range(2)),
        *(page(members) for _ in range(4)),
        page(members, status=429),
        page("/users/$count"),
    ]
    assert _longest_chain(logged) == {"pages": 4, "listing": f"GET {members}"}
    assert _longest_chain([]) == {"pages": 0, "listing": ""}


def test_the_sign_in_listing_bounds_a_large_tenant() -> None:
    """100,000 users: 200 sign-in requests, 10 a minute: the last sent after 19 minutes (1,140 s),
    its answer 0.3 s later; the 429s are shown by the limit that answered them."""
    requests = {
        "requests": 400,
        "by_kind": {"users": 101, "sign_in": 200},
        "units": 300,
        "audit_log": 0,
        "throttled": 2,
        "refused": {"SignInActivityLimitExceeded Application": 2},
    }
    floor = budget_floor(100_000, 300, requests)
    assert (floor["s"], floor["by"]) == (pytest.approx(1_140.3), "sign_in")
    row = {
        "users": 100_000,
        "latency": {"ms": 300, "audit": {"wall_s": 1_200.0, "requests": requests}, "budget_floor": floor},
    }
    table = budget_table([row])
    assert "| 1,140.3 s (sign_in) | 1.05 |" in table
    assert "| 2 (SignInActivityLimitExceeded Application: 2) |" in table
