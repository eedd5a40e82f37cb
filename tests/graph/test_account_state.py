"""grace_days reads no more of the audit log than the rules need (auditor/graph/account_state.py):
the account-state entries of the whole tenant, or of the candidate accounts one listing each
(`targetResources/any(t: t/id eq '…')`), whichever costs fewer requests; on the emulator with
Graph's budgets on, scaled so a 10 s window lasts 0.5 s, the collector's waits and the emulator's
budgets on one virtual clock (no wall time spent waiting).

What is counted is what the collector chose to read: the requests Graph answered. A 429 is not a defect
here: the window is scaled to half a second, so a request a busy machine holds a few milliseconds in the
loopback's queue arrives in the next window, and the collector waits out its Retry-After and asks again
(tests/graph/test_pacing.py holds the pacing itself)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from auditor.data.audit_entries import ACCOUNT_STATE, ACTIVITIES, UPDATE, DirectoryAudits, disabled_times
from auditor.data.model import TenantSnapshot
from auditor.graph.account_state import Choice, candidates
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, Request, VirtualTime, app_token
from auditor_dev.emulator.budgets import Budgets
from benchmarks.audit_log_choice import LOG, collect_paced, hr_sync
from benchmarks.tenant import bench_tenant
from tests.loopback import http

SECONDS = 0.05


@pytest.fixture(scope="module")
def base() -> TenantSnapshot:
    return bench_tenant(2000)  # 2,020 users, 33 candidates


def _collect(snapshot: TenantSnapshot, choice: Choice) -> tuple[TenantSnapshot, list[Any], str]:
    token = app_token(snapshot.tenant_id, DEMO_ROLES)
    clock = VirtualTime()
    with GraphEmulator(snapshot, token=token, budgets=Budgets(seconds=SECONDS, clock=clock.now)) as graph:
        got, said = collect_paced(graph, snapshot, token, SECONDS, clock, disable_times=True, audit_choice=choice)
    return got, _answered(graph.requests_to(LOG)), said


def _answered(requests: list[Any]) -> list[Any]:
    """The requests Graph answered: a throttled one is asked again, and counted then."""
    return [r for r in requests if r.status != 429]


def _times(got: TenantSnapshot, ids: list[str]) -> dict[str, str]:
    assert isinstance(got.directory_audits, DirectoryAudits)
    found = disabled_times(got.directory_audits)
    return {i.lower(): found[i.lower()] for i in ids if i.lower() in found}


def test_many_updates_and_few_candidates_are_read_by_account(base: TenantSnapshot) -> None:
    tenant = hr_sync(base, 25_000)  # 51 pages of "Update user" for the whole tenant
    ids = candidates(tenant.users)
    assert 10 < len(ids) < 50
    whole, whole_asked, _ = _collect(tenant, Choice.TENANT)
    auto, auto_asked, said = _collect(tenant, Choice.AUTO)
    targeted = [r for r in auto_asked if "targetResources" in r.query["$filter"]]
    read = candidates(auto.users)  # and one whose employeeLeaveDateTime the app may not read
    assert len(read) == len(ids) + 1
    assert sorted(r.query["$filter"].split("t/id eq ")[1].strip("')") for r in targeted) == sorted(read)
    # the tenant-wide listings' first pages, read while the users were, then one request an account
    assert isinstance(tenant.directory_audits, DirectoryAudits)
    entries = tenant.directory_audits.entries
    pages = {a: max(1, -(-sum(1 for e in entries if e.activity == a) // 500)) for a in ACCOUNT_STATE}
    assert len(auto_asked) < len(whole_asked) == sum(pages.values()) == 51 + 1 + 1
    # how many tenant-wide pages come in while the users are read depends on the machine's speed (5
    # a window at the budget): on a loaded machine more than one each, never the listing's end
    assert len(ACCOUNT_STATE) <= len(auto_asked) - len(targeted) < sum(pages.values()) // 2
    # the same disable times for every account that could be flagged, four in five of them known
    times = _times(auto, read)
    assert times == _times(whole, read) and len(times) == len(ids) - len(ids[::5])
    assert auto.directory_audits.since == whole.directory_audits.since  # type: ignore[union-attr]
    assert {e.activity for e in auto.directory_audits.entries} <= set(ACCOUNT_STATE)  # type: ignore[union-attr]
    line = next(ln for ln in said.splitlines() if ln.startswith("audit log:"))
    assert f"of the {len(read)} disabled licensed accounts, one request each, about" in line
    assert "at Graph's 5 requests per 10 s (the whole tenant's: about" in line


def test_few_updates_are_read_for_the_whole_tenant(base: TenantSnapshot) -> None:
    tenant = hr_sync(base, 300)  # one page of each activity
    got, asked, said = _collect(tenant, Choice.AUTO)
    assert len(asked) == len(ACCOUNT_STATE)
    assert all("activityDisplayName eq" in r.query["$filter"] for r in asked)
    ids = candidates(tenant.users)
    assert len(_times(got, candidates(got.users))) == len(ids) - len(ids[::5])
    assert (
        "audit log: all the tenant's account-state entries read (reading them by account "
        f"would take {len(ids) + 1} requests)" in said
    )


def test_forced_by_account_reads_each_candidate_once(base: TenantSnapshot) -> None:
    tenant = hr_sync(base, 300)
    got, asked, _ = _collect(tenant, Choice.ACCOUNTS)
    assert len(asked) == len(candidates(got.users))
    assert all(
        f"activityDateTime ge {got.directory_audits.since}" in r.query["$filter"]  # type: ignore[union-attr]
        for r in asked
    )


def _listing(graph: GraphEmulator, token: str, text: str) -> httpx.Response:
    return http.get(f"{graph.url}{LOG}?$filter={quote(text, safe='')}", headers={"Authorization": f"Bearer {token}"})


def test_the_emulator_filters_on_targets_as_the_reference_documents(base: TenantSnapshot) -> None:
    tenant = hr_sync(base, 300)
    token = app_token(tenant.tenant_id, DEMO_ROLES)
    assert isinstance(tenant.directory_audits, DirectoryAudits)
    first = tenant.directory_audits.entries[-1]
    user = first.targets[0]
    with GraphEmulator(tenant, token=token) as graph:
        by_id = _listing(
            graph, token, f"targetResources/any(t: t/id eq '{user.id.upper()}') and activityDisplayName eq '{UPDATE}'"
        )
        assert by_id.status_code == 200
        value = by_id.json()["value"]
        assert value and all(any(t["id"] == user.id for t in e["targetResources"]) for e in value)
        assert all(e["activityDisplayName"] == UPDATE for e in value)
        expected = sum(
            1
            for e in tenant.directory_audits.entries
            if e.activity == UPDATE and any(t.id == user.id for t in e.targets)
        )
        assert len(value) == expected
        named = _listing(graph, token, f"targetResources/any(x:x/displayName eq '{first.targets[0].display_name}')")
        assert named.status_code == 200
        refused = [
            _listing(graph, token, text)
            for text in (
                f"targetResources/any(t: t/id eq '{user.id}') or activityDisplayName eq '{UPDATE}'",  # no `or`
                f"targetResources/any(t: t/userPrincipalName eq '{user.upn}')",  # not documented
                "result eq 'success'",
            )
        ]
    assert [r.status_code for r in refused] == [400, 400, 400]
    assert all(r.json()["error"]["code"] == "Request_UnsupportedQuery" for r in refused)


def test_with_the_nightly_causes_every_account_s_recent_entries_are_read_for_the_whole_tenant(
    base: TenantSnapshot,
) -> None:
    tenant = hr_sync(base, 25_000)
    token = app_token(tenant.tenant_id, DEMO_ROLES)
    at = datetime.fromisoformat(tenant.collected_at.replace("Z", "+00:00"))
    clock = VirtualTime()
    with GraphEmulator(tenant, token=token, budgets=Budgets(seconds=SECONDS, clock=clock.now)) as graph:
        got, _ = collect_paced(
            graph,
            tenant,
            token,
            SECONDS,
            clock,
            disable_times=True,
            audit_choice=Choice.ACCOUNTS,
            audits_since=at - timedelta(days=1),
        )
    asked = [r.query["$filter"] for r in graph.requests_to(LOG)]
    read = candidates(got.users)
    by_account = [f for f in asked if "targetResources" in f]
    assert len(by_account) == len(read)
    # by account up to the causes' interval; in it, every activity for the whole tenant
    day_ago = (at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(f"activityDateTime le {day_ago}" in f for f in by_account)
    whole = sorted(f.split("activityDisplayName eq ")[1].strip("'") for f in asked if "targetResources" not in f)
    assert set(whole) == set(ACTIVITIES) and len(whole) == len(ACTIVITIES) + 1  # a day of updates: two pages
    assert isinstance(got.directory_audits, DirectoryAudits)
    recent = {e.id for e in got.directory_audits.entries if e.activity == UPDATE and e.when >= at - timedelta(days=1)}
    assert recent == {
        e.id
        for e in tenant.directory_audits.entries  # type: ignore[union-attr]
        if e.activity == UPDATE and e.when >= at - timedelta(days=1)
    }


def test_with_the_nightly_causes_nothing_before_them_is_listed_for_the_whole_tenant(base: TenantSnapshot) -> None:
    # the chosen way (AUTO) with the causes: the tenant-wide account-state listings read the entries
    # since the baseline's read (the causes need them) and hold there until the choice; before it,
    # the candidates' one request each. The users' pages take 0.4 s each here (on the virtual clock the
    # budgets and the pacing keep: with the hold taken out the test still fails, 92 requests for 43),
    # while those listings used to go on reading back 30 days for the whole tenant.
    tenant = hr_sync(base, 25_000)
    token = app_token(tenant.tenant_id, DEMO_ROLES)
    at = datetime.fromisoformat(tenant.collected_at.replace("Z", "+00:00"))
    day_ago = (at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    clock = VirtualTime()

    def slow_users(request: Request) -> None:
        if request.path == "/users":
            clock.advance(0.4)  # on the clock the budgets and the collector's pacing keep

    budgets = Budgets(seconds=SECONDS, clock=clock.now)
    with GraphEmulator(tenant, token=token, responders=[slow_users], budgets=budgets) as graph:
        got, said = collect_paced(
            graph, tenant, token, SECONDS, clock, disable_times=True, audits_since=at - timedelta(days=1)
        )
    asked = _answered(graph.requests_to(LOG))
    read = candidates(got.users)
    # a day of HR updates is two pages; every other activity one; and one request per candidate,
    # up to the baseline's read
    assert len(asked) == len(ACTIVITIES) + 1 + len(read)
    assert sum(f"activityDateTime le {day_ago}" in r.query["$filter"] for r in asked) == len(read)
    arrivals = sorted(r.at for r in asked)  # never more than 5 in a (scaled) 10 s window
    assert all(later - first >= 10 * SECONDS for first, later in zip(arrivals, arrivals[5:], strict=False))
    line = next(ln for ln in said.splitlines() if ln.startswith("audit log:"))
    assert (
        f"of the {len(read)} disabled licensed accounts before the baseline's read, one request each, about "
        f"{len(read) * 2 // 60}m"
        in line
        and "at Graph's 5 requests per 10 s (the whole tenant's: about" in line
    )
    assert isinstance(got.directory_audits, DirectoryAudits)
    assert _times(got, read) == _times(_collect(tenant, Choice.TENANT)[0], read)
