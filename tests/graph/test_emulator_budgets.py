"""The emulator keeps Graph's published throttling budgets when asked (auditor_dev/emulator/budgets.py;
https://learn.microsoft.com/graph/throttling-limits): a request's cost, the 429 and its headers, the
refill, the audit log's 5 per 10 s, the usage reports' 14 per 10 minutes, the 80 % header."""

from __future__ import annotations

import json

import httpx
import pytest
from graph_tenants import make_tenant

from auditor_dev.emulator import GraphEmulator
from auditor_dev.emulator.budgets import Bucket, Budgets, cost
from auditor_dev.emulator.errors import GraphError

TOKEN = "budget-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("method", "path", "query", "units"),
    [
        ("GET", "/users", {}, 2),
        ("GET", "/users", {"$select": "id"}, 1),
        ("GET", "/users", {"$select": "id", "$top": "5"}, 1),  # never below 1
        ("GET", "/users", {"$top": "999"}, 2),
        ("GET", "/users", {"$top": "19"}, 1),
        ("GET", "/users", {"$expand": "manager"}, 3),
        ("GET", "/users/abc", {}, 1),
        ("GET", "/users/abc/memberOf/microsoft.graph.group", {"$select": "id"}, 1),
        ("GET", "/groups/g1/members", {}, 3),
        ("GET", "/groups/g1/members/microsoft.graph.user", {"$select": "id"}, 2),
        ("GET", "/groups/g1/transitiveMembers", {}, 5),
        ("GET", "/groups/g1/transitiveMembers/microsoft.graph.user", {"$select": "id", "$top": "999"}, 4),
        ("GET", "/subscribedSkus", {}, 3),
        ("GET", "/organization", {}, 1),
        ("POST", "/users/abc/assignLicense", {}, 1),
    ],
)
def test_a_request_costs_what_microsofts_table_says(method: str, path: str, query: dict[str, str], units: int) -> None:
    assert cost(method, path, query) == units


def _budgets(clock: FakeClock, users: int = 10, scale: float = 1.0) -> Budgets:
    return Budgets(scale=scale, clock=clock).for_tenant(users, "tenant-1", "app-1")


def test_the_bucket_is_sized_by_the_tenant_and_refills_over_ten_seconds() -> None:
    clock = FakeClock()
    assert [_budgets(clock, n).directory.capacity for n in (49, 50, 500, 501)] == [3_500, 5_000, 5_000, 8_000]
    budgets = _budgets(clock)  # 3,500 units
    for _ in range(1_750):
        budgets.charge("GET", "/users", {})  # 2 units each
    with pytest.raises(GraphError) as refused:
        budgets.charge("GET", "/users", {})
    assert refused.value.status == 429
    assert float(refused.value.headers["Retry-After"]) == pytest.approx(2 / 350, abs=0.002)
    clock.now += 1.0  # a tenth of the window: 350 units back
    for _ in range(175):
        budgets.charge("GET", "/users", {})
    with pytest.raises(GraphError):
        budgets.charge("GET", "/users", {})


def test_the_80_percent_header_and_the_units_of_every_answer() -> None:
    clock = FakeClock()
    budgets = _budgets(clock, scale=0.01)  # 35 units
    assert budgets.charge("GET", "/subscribedSkus", {}) == {"x-ms-resource-unit": "3"}
    for _ in range(12):
        headers = budgets.charge("GET", "/users", {})
    # 3 + 24 = 27 of 35 used: under 80 %
    assert "x-ms-throttle-limit-percentage" not in headers
    headers = budgets.charge("GET", "/users", {})
    assert headers == {"x-ms-resource-unit": "2", "x-ms-throttle-limit-percentage": "0.83"}


def test_one_app_across_tenants_shares_its_bucket() -> None:
    clock = FakeClock()
    shared = Bucket(20, 20.0, clock)
    one = Budgets(clock=clock, across_tenants=shared).for_tenant(10, "t1", "app")
    two = Budgets(clock=clock, across_tenants=shared).for_tenant(10, "t2", "app")
    for _ in range(5):
        one.charge("GET", "/users", {})
        two.charge("GET", "/users", {})
    with pytest.raises(GraphError):
        two.charge("GET", "/organization", {})


def test_the_audit_log_allows_five_requests_per_ten_seconds() -> None:
    clock = FakeClock()
    budgets = _budgets(clock)
    for _ in range(5):
        assert budgets.charge("GET", "/auditLogs/directoryAudits", {}) == {}
        clock.now += 1.0
    with pytest.raises(GraphError) as refused:
        budgets.charge("GET", "/auditLogs/signIns", {})
    assert float(refused.value.headers["Retry-After"]) == pytest.approx(5.0)
    assert refused.value.headers["x-ms-throttle-information"] == "IdentityAndAccessReportsLimitExceeded"
    clock.now += 5.0
    budgets.charge("GET", "/auditLogs/directoryAudits", {})


def test_each_usage_report_allows_fourteen_requests_per_ten_minutes() -> None:
    clock = FakeClock()
    budgets = _budgets(clock)
    for _ in range(14):
        budgets.charge_report("/reports/getMailboxUsageDetail(period='D7')")
    with pytest.raises(GraphError):
        budgets.charge_report("/reports/getMailboxUsageDetail(period='D30')")
    budgets.charge_report("/reports/getOffice365ActiveUserDetail(period='D7')")  # another report: its own 14
    clock.now += 600.0
    budgets.charge_report("/reports/getMailboxUsageDetail(period='D7')")


def test_over_budget_the_emulator_answers_429_with_graphs_headers_and_body() -> None:
    snap = make_tenant(30)
    with GraphEmulator(snap, token=TOKEN, budgets=Budgets(scale=0.001, seconds=100)) as graph:  # 10 units
        answers = [httpx.get(graph.url + "/subscribedSkus", headers=AUTH, timeout=10) for _ in range(4)]
        batch = httpx.post(
            graph.url + "/$batch",
            headers=AUTH,
            timeout=10,
            json={"requests": [{"id": "1", "method": "GET", "url": "/subscribedSkus"}]},
        )
        mailbox = httpx.get(
            graph.url + f"/users/{snap.users[0].id}/mailboxSettings/userPurpose", headers=AUTH, timeout=10
        )
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["x-ms-resource-unit"] == "3"
    assert "x-ms-throttle-limit-percentage" not in answers[1].headers
    assert answers[2].headers["x-ms-throttle-limit-percentage"] == "0.90"
    refused = answers[3]
    assert float(refused.headers["Retry-After"]) > 0
    app = "00000000-0000-0000-0000-000000000000"  # an opaque token names no app
    assert refused.headers["x-ms-throttle-scope"] == f"Tenant_Application/Read/{app}/{snap.tenant_id}"
    assert refused.headers["x-ms-throttle-information"] == "ResourceUnitLimitExceeded"
    assert refused.json()["error"]["code"] == "TooManyRequests"
    inner = json.loads(batch.content)["responses"][0]
    assert inner["status"] == 429 and "Retry-After" in inner["headers"]  # each request of a batch counts
    assert mailbox.status_code in (200, 404)  # Outlook's limits are not the directory's
    assert [r.status for r in graph.requests_to("/subscribedSkus") if not r.batch] == [200, 200, 200, 429]


def test_budgets_are_off_by_default() -> None:
    with GraphEmulator(make_tenant(30), token=TOKEN) as graph:
        answers = [httpx.get(graph.url + "/subscribedSkus", headers=AUTH, timeout=10) for _ in range(3)]
    assert all(a.status_code == 200 and "x-ms-resource-unit" not in a.headers for a in answers)
