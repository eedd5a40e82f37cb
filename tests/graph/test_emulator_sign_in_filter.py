"""The emulator answers Graph's documented filter on sign-in activity (the user resource:
signInActivity "Supports `$filter` (`eq`, `ne`, `not`, `ge`, `le`) *but not with any other filterable
properties*"): one `le` or `ge` comparison of lastSignInDateTime or lastSuccessfulSignInDateTime; a
user without the compared time matches neither; beside any other clause it is refused with Graph's
error shape; and it is counted in the sign-in lane (10 a minute per app per tenant)."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest

from auditor.data.model import TenantSnapshot, User
from auditor_dev.emulator import GraphEmulator, app_token
from auditor_dev.emulator.budgets import Budgets
from tests.loopback import http

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CUTOFF = "2024-06-01T00:00:00Z"


def _with_times(tenant: TenantSnapshot) -> TenantSnapshot:
    """Every fourth user never signed in, every fourth other has only lastSignInDateTime, the rest
    both times, half of them before the cutoff."""
    users: list[User] = []
    for i, u in enumerate(tenant.users):
        kind = i % 4
        when = f"2024-0{3 + (i % 2) * 4}-15T10:00:00Z"  # March (before the cutoff) or July (after)
        users.append(
            u.with_values(
                last_sign_in_date_time=None if kind == 0 else when,
                last_non_interactive_sign_in_date_time=None,
                last_successful_sign_in_date_time=None if kind in (0, 1) else when,
            )
        )
    return dataclasses.replace(tenant, users=users)


@pytest.fixture(scope="module")
def signed(tenant: TenantSnapshot) -> TenantSnapshot:
    return _with_times(tenant)


@pytest.fixture(scope="module")
def graph(signed: TenantSnapshot):
    with GraphEmulator(signed, token=TOKEN) as emulator:
        yield emulator


def _ids(graph: GraphEmulator, flt: str, top: int = 500) -> list[str]:
    url: str | None = f"{graph.url}/users?$select=id,signInActivity&$top={top}&$filter={quote(flt)}"
    ids: list[str] = []
    while url:
        r = http.get(url, headers=AUTH, timeout=10)
        assert r.status_code == 200, r.text
        doc = r.json()
        ids += [u["id"] for u in doc["value"]]
        url = doc.get("@odata.nextLink")
    return ids


@pytest.mark.parametrize("prop", ["lastSuccessfulSignInDateTime", "lastSignInDateTime"])
def test_le_and_ge_keep_the_users_with_the_time_and_no_one_without(graph, signed, prop) -> None:
    attr = {"lastSuccessfulSignInDateTime": "last_successful_sign_in_date_time"}.get(prop, "last_sign_in_date_time")
    before = [u.id for u in signed.users if getattr(u, attr) is not None and getattr(u, attr) <= CUTOFF]
    after = [u.id for u in signed.users if getattr(u, attr) is not None and getattr(u, attr) >= CUTOFF]
    never = {u.id for u in signed.users if getattr(u, attr) is None}
    assert before and after and never
    assert _ids(graph, f"signInActivity/{prop} le {CUTOFF}") == before
    assert _ids(graph, f"signInActivity/{prop} ge {CUTOFF}", top=7) == after  # paged, in order
    assert never.isdisjoint(before + after)


def test_the_filtered_answer_carries_the_times(graph, signed) -> None:
    r = http.get(
        f"{graph.url}/users?$select=id,signInActivity&$top=500&$filter="
        + quote(f"signInActivity/lastSuccessfulSignInDateTime le {CUTOFF}"),
        headers=AUTH,
        timeout=10,
    )
    first = r.json()["value"][0]
    user = next(u for u in signed.users if u.id == first["id"])
    assert first["signInActivity"]["lastSuccessfulSignInDateTime"] == user.last_successful_sign_in_date_time


@pytest.mark.parametrize(
    "flt",
    [
        f"signInActivity/lastSuccessfulSignInDateTime le {CUTOFF} and accountEnabled eq true",
        f"accountEnabled eq true and signInActivity/lastSignInDateTime le {CUTOFF}",
        f"signInActivity/lastSuccessfulSignInDateTime le {CUTOFF} or startswith(userPrincipalName,'a')",
        f"signInActivity/lastNonInteractiveSignInDateTime le {CUTOFF}",
        f"signInActivity/lastSignInDateTime lt {CUTOFF}",
        pytest.param(
            "signInActivity/lastSignInDateTime le yesterday",
            marks=pytest.mark.off_contract("a literal Graph cannot parse, to see its 400"),
        ),
    ],
)
def test_anything_else_on_sign_in_activity_is_refused_as_graph_refuses_a_filter(graph, flt) -> None:
    r = http.get(f"{graph.url}/users?$select=id,signInActivity&$filter={quote(flt)}", headers=AUTH, timeout=10)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "Request_UnsupportedQuery" and "query filter clause" in error["message"]
    assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])


def test_a_filter_on_sign_in_activity_takes_a_turn_of_the_sign_in_lane(signed) -> None:
    """Ten filtered reads in a minute pass (11 s apart on the emulator's own clock, so the identity
    reports' 5 per 10 s never bind); the eleventh within that minute is the sign-in limit's 429."""
    now = [0.0]
    token = app_token(signed.tenant_id, ("User.Read.All", "AuditLog.Read.All"))
    flt = quote(f"signInActivity/lastSuccessfulSignInDateTime le {CUTOFF}")
    statuses, reasons = [], []
    with GraphEmulator(signed, token=token, budgets=Budgets(clock=lambda: now[0])) as graph:
        for i in range(12):
            now[0] = [0, 1, 2, 3, 4, 15, 16, 17, 18, 19, 30, 61][i]  # the virtual clock, no sleep
            answer = http.get(
                f"{graph.url}/users?$select=id&$top=500&$filter={flt}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            statuses.append(answer.status_code)
            reasons.append(answer.headers.get("x-ms-throttle-information"))
    assert statuses == [200] * 10 + [429, 200]
    assert reasons[10] == "SignInActivityLimitExceeded"
