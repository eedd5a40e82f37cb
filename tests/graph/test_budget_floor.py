"""The benchmark's floor under Graph's published budgets (benchmarks/run.py, docs/performance.md)."""

from __future__ import annotations

import pytest

from benchmarks.run import budget_floor, budget_table


def test_the_floor_is_the_largest_of_pages_units_and_audit_log() -> None:
    # 100,000 users: 8,000 units per 10 s, 29 partitions (the budget allows more streams than that)
    requests = {"requests": 260, "by_kind": {"users": 201}, "units": 300, "audit_log": 3, "throttled": 0}
    floor = budget_floor(100_000, 300, requests)
    assert floor["streams"] == 29
    assert floor["pages"] == pytest.approx(201 * 0.3 / 29)
    assert floor["units"] == pytest.approx(300 / 800)
    assert floor["audit_log"] == pytest.approx(6.0)
    assert (floor["s"], floor["by"]) == (pytest.approx(6.0), "audit_log")
    # many audit-log requests: they bound it; a tenant of 40 users has a 3,500-unit bucket
    assert budget_floor(40, 300, {**requests, "audit_log": 70})["s"] == pytest.approx(140.0)
    row = {"users": 100_000, "latency": {"ms": 300, "audit": {"wall_s": 12.0, "requests": requests},
                                         "budget_floor": floor}}
    table = budget_table([row])
    assert "| 100,000 | 300 ms | 12.0 s | 6.0 s (audit_log) | 2.00 |" in table
