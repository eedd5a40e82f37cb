"""The emulator keeps Graph's published throttling budgets when asked (auditor_dev/emulator/budgets.py;
https://learn.microsoft.com/graph/throttling-limits): a request's cost, the 429 and its headers, the
refill, the audit log's 5 per 10 s, the usage reports' 14 per 10 minutes, the 80 % header."""

from __future__ import annotations

import json

import pytest
from graph_tenants import make_tenant

from auditor_dev.emulator import GraphEmulator
from auditor_dev.emulator.budgets import AppLimits, Bucket, Budgets, cost
from auditor_dev.emulator.errors import GraphError
from tests.loopback import http

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
    # 10 units, on a clock that stands still: the bucket refills nothing while a busy machine answers
    budgets = Budgets(scale=0.001, seconds=100, clock=FakeClock())
    with GraphEmulator(snap, token=TOKEN, budgets=budgets) as graph:
        answers = [http.get(graph.url + "/subscribedSkus", headers=AUTH, timeout=10) for _ in range(4)]
        batch = http.post(
            graph.url + "/$batch",
            headers=AUTH,
            timeout=10,
            json={"requests": [{"id": "1", "method": "GET", "url": "/subscribedSkus"}]},
        )
        mailbox = http.get(
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
        answers = [http.get(graph.url + "/subscribedSkus", headers=AUTH, timeout=10) for _ in range(3)]
    assert all(a.status_code == 200 and "x-ms-resource-unit" not in a.headers for a in answers)


# --- the limits beyond the directory's resource units ("Microsoft Graph service-specific throttling limits") ---

SIGN_INS = {"$select": "id,signInActivity", "$top": "500"}


def test_get_sign_in_activity_allows_ten_requests_a_minute_per_app_and_tenant() -> None:
    """ "GET signInActivity: 10 requests per minute" per app per tenant; a users listing without it
    is not counted, a $filter on it is; the refusal names its limit and when it allows one again."""
    clock = FakeClock()
    budgets = _budgets(clock)
    for _ in range(10):
        budgets.charge("GET", "/users", SIGN_INS)
        clock.now += 2.1  # under the reports' 5 per 10 s as well
    budgets.charge("GET", "/users", {"$select": "id,displayName", "$top": "999"})  # not a sign-in read
    with pytest.raises(GraphError) as refused:
        budgets.charge(
            "GET", "/users", {"$filter": "signInActivity/lastSuccessfulSignInDateTime le 2026-01-01T00:00:00Z"}
        )
    assert refused.value.status == 429
    assert refused.value.headers["x-ms-throttle-information"] == "SignInActivityLimitExceeded"
    assert refused.value.headers["x-ms-throttle-scope"] == "Tenant_Application/Read/app-1/tenant-1"
    assert float(refused.value.headers["Retry-After"]) == pytest.approx(60 - 21, abs=0.01)
    clock.now += 60 - 21
    budgets.charge("GET", "/users", SIGN_INS)  # the first has left the minute
    assert budgets.refused == {"SignInActivityLimitExceeded Tenant_Application": 1}


def test_get_sign_in_activity_is_ten_a_minute_per_app_across_all_tenants() -> None:
    """The same ten a minute for the app in every tenant: a second tenant's first sign-in read is
    refused once the first tenant spent them, with the scope Application; another app is not."""
    clock = FakeClock()
    app = AppLimits(clock=clock)
    one = Budgets(clock=clock, app=app).for_tenant(10, "t1", "app")
    two = Budgets(clock=clock, app=app).for_tenant(10, "t2", "app")
    other = Budgets(clock=clock).for_tenant(10, "t2", "another-app")
    for _ in range(10):
        one.charge("GET", "/users", SIGN_INS)
        clock.now += 2.1
    with pytest.raises(GraphError) as refused:
        two.charge("GET", "/users", SIGN_INS)
    assert refused.value.headers["x-ms-throttle-scope"] == "Application/Read/app/t2"
    other.charge("GET", "/users", SIGN_INS)
    two.charge("GET", "/users", {"$select": "id", "$top": "999"})  # the app's other reads go on


def test_a_sign_in_read_also_counts_among_the_identity_reports() -> None:
    """Microsoft lists signInActivity among the resources of the identity and access reports' limits
    (5 requests per 10 s per app and tenant): a sixth request in 10 s is refused, and the refused one
    is counted in no window."""
    clock = FakeClock()
    budgets = _budgets(clock)
    for _ in range(3):
        budgets.charge("GET", "/auditLogs/directoryAudits", {})
    budgets.charge("GET", "/users", SIGN_INS)
    budgets.charge("GET", "/users", SIGN_INS)
    with pytest.raises(GraphError) as refused:
        budgets.charge("GET", "/users", SIGN_INS)
    assert refused.value.headers["x-ms-throttle-information"] == "IdentityAndAccessReportsLimitExceeded"
    clock.now += 10.0
    for _ in range(8):  # 2 of the minute's 10 used: 8 left, the refused one not counted
        budgets.charge("GET", "/users", SIGN_INS)
        clock.now += 2.1
    with pytest.raises(GraphError):
        budgets.charge("GET", "/users", SIGN_INS)


def test_the_identity_reports_allow_122_per_ten_seconds_per_app_across_tenants() -> None:
    clock = FakeClock()
    app = AppLimits(clock=clock)
    tenants = [Budgets(clock=clock, app=app).for_tenant(10, f"t{i}", "app") for i in range(25)]
    for budgets in tenants:
        for _ in range(5):
            try:
                budgets.charge("GET", "/auditLogs/directoryAudits", {})
            except GraphError as exc:
                assert exc.headers["x-ms-throttle-scope"].startswith("Application/Read/app/")
    assert sum(b.refused.get("IdentityAndAccessReportsLimitExceeded Application", 0) for b in tenants) == 125 - 122


def test_conditional_access_allows_one_request_a_second_and_its_429_has_no_retry_after() -> None:
    clock = FakeClock()
    budgets = _budgets(clock)
    assert budgets.charge("GET", "/identity/conditionalAccess/policies", {}) == {}
    with pytest.raises(GraphError) as refused:
        budgets.charge("GET", "/identity/conditionalAccess/namedLocations", {})
    assert refused.value.status == 429 and "Retry-After" not in refused.value.headers
    assert refused.value.headers["x-ms-throttle-scope"] == "Tenant/Read/app-1/tenant-1"
    with pytest.raises(GraphError):
        budgets.charge("GET", "/identityProtection/riskyUsers", {})  # the same service's limit
    budgets.charge("GET", "/users", {"$select": "id"})  # the directory is not held by it
    clock.now += 1.0
    budgets.charge("GET", "/identityProtection/riskyUsers", {})


def test_usage_reports_allow_forty_per_ten_minutes_per_tenant_for_all_reports() -> None:
    clock = FakeClock()
    budgets = _budgets(clock)
    names = [f"getReport{i}" for i in range(3)]
    for i in range(40):
        budgets.charge_report(f"/reports/{names[i % 3]}(period='D7')")
    with pytest.raises(GraphError) as refused:
        budgets.charge_report("/reports/getAnotherReport(period='D7')")  # its own 14 untouched
    assert refused.value.headers["x-ms-throttle-scope"] == "Tenant/Read/app-1/tenant-1"
    clock.now += 600.0
    budgets.charge_report("/reports/getAnotherReport(period='D7')")


def test_the_identity_write_quota_per_app_and_tenant_per_app_and_per_tenant() -> None:
    """3,000 writes per 2 min 30 s per app and tenant; 35,000 per 5 minutes per app across tenants;
    18,000 per 5 minutes per tenant (scaled by a hundredth: 30, 350, 180)."""
    clock = FakeClock()
    app = AppLimits(scale=0.01, clock=clock)
    budgets = Budgets(scale=0.01, clock=clock, app=app).for_tenant(10, "t1", "app")
    for _ in range(30):
        budgets.charge("PATCH", "/users/abc", {})
        clock.now += 0.5  # within the directory bucket's refill
    with pytest.raises(GraphError) as refused:
        budgets.charge("POST", "/users/abc/assignLicense", {})
    assert refused.value.headers["x-ms-throttle-scope"] == "Tenant_Application/ReadWrite/app/t1"
    assert refused.value.headers["x-ms-throttle-information"] == "WriteLimitExceeded"
    budgets.charge("GET", "/users", {"$select": "id"})  # reads go on
    clock.now += 150.0
    budgets.charge("POST", "/users/abc/assignLicense", {})
    # per app across tenants: 350 in 5 minutes, whichever tenant writes
    clock.now += 300.0
    others = [Budgets(scale=0.01, clock=clock, app=app).for_tenant(10, f"o{i}", "app") for i in range(12)]
    written = 0
    for other in others:
        for _ in range(30):
            try:
                other.charge("PATCH", "/users/abc", {})
                written += 1
            except GraphError as exc:
                assert exc.headers["x-ms-throttle-scope"].startswith("Application/ReadWrite/")
            clock.now += 0.05
    assert written == 350


def test_the_emulator_answers_a_conditional_access_429_without_retry_after() -> None:
    snap = make_tenant(30)
    with GraphEmulator(snap, token=TOKEN, budgets=Budgets(seconds=100)) as graph:
        answers = [
            http.get(graph.url + "/identity/conditionalAccess/policies", headers=AUTH, timeout=10) for _ in range(2)
        ]
    assert answers[0].status_code != 429
    assert answers[1].status_code == 429 and "Retry-After" not in answers[1].headers


def test_restart_fills_every_budget_again() -> None:
    """The benchmark's runs follow one another: each starts with the budgets full (restart)."""
    clock = FakeClock()
    budgets = _budgets(clock)
    for _ in range(5):
        budgets.charge("GET", "/users", SIGN_INS)
    with pytest.raises(GraphError):
        budgets.charge("GET", "/users", SIGN_INS)
    budgets.restart()
    assert budgets.refused == {}
    for _ in range(5):
        budgets.charge("GET", "/users", SIGN_INS)
