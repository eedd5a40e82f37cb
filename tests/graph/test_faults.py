"""Faults and bad answers: bounded retries with a visible wait, gaps for 403, exit 3 otherwise."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import FAST_RETRY
from emulator_faults import Fault, FaultKind, sign_in_forbidden
from graph_tenants import make_tenant

from auditor.common.errors import EXIT_COLLECTION, AuthError, CollectionError
from auditor.graph import RetryPolicy
from auditor.snapshot import SIGN_IN_ACTIVITY
from auditor_dev.emulator import app_token

SECOND_USERS_PAGE = r"^GET /v1\.0/users\?(?!.*signInActivity).*\$skiptoken="  # the listing's, not the sign-ins'


@pytest.fixture(scope="module")
def small():
    return make_tenant(1200, seed=11)


def _statuses(h, pattern="/users"):
    """The statuses of the requests to `pattern`, but the sign-in listing's (read apart, 500 a page)."""
    return [r.status for r in h.emulator.requests_to(pattern) if "signInActivity" not in r.query.get("$select", "")]


def test_429_honours_retry_after(small, harness):
    h = harness(small, faults=[Fault(FaultKind.THROTTLE, SECOND_USERS_PAGE, count=1, retry_after=1)])
    got = h.collect((), need_sign_in=True)
    assert h.waited >= 1.0  # on the harness's virtual clock
    assert got.users == small.users
    assert _statuses(h) == [200, 429, 200]  # 1,200 users: two pages of 999
    assert "waiting 1s" in h.stderr.getvalue() and "429" in h.stderr.getvalue()


@pytest.mark.parametrize("kind", [FaultKind.UNAVAILABLE, FaultKind.GATEWAY_TIMEOUT])
def test_503_504_retry_with_backoff(small, harness, kind):
    h = harness(small, faults=[Fault(kind, r"^GET /v1\.0/subscribedSkus", count=2, retry_after=0)])
    got = h.collect((), need_sign_in=True)
    assert got.skus == small.skus
    assert _statuses(h, "/subscribedSkus") == [int(kind.value)] * 2 + [200]
    assert h.stderr.getvalue().count("waiting") == 2


def test_dropped_connection_is_retried(small, harness):
    h = harness(small, faults=[Fault(FaultKind.DROP, SECOND_USERS_PAGE, count=2)])
    got = h.collect((), need_sign_in=True)
    assert got.users == small.users
    assert "dropped" in h.stderr.getvalue()


def test_slow_answer_within_timeout(small, harness):
    h = harness(small, faults=[Fault(FaultKind.SLOW, r"/organization", delay=0.5)])
    assert h.collect((), need_sign_in=False).tenant_id == small.tenant_id


def test_slow_answer_past_timeout_is_retried(small, harness):
    # the first answer is held until the read is over: past the client's timeout, however slowly a busy
    # machine runs; the timeout only has to leave the other answers time enough
    held = threading.Event()
    slow = Fault(FaultKind.SLOW, r"/directory/subscriptions", delay=120, release=held)
    h = harness(small, faults=[slow], timeout=2.0)
    try:
        got = h.collect((), need_sign_in=False)
    finally:
        held.set()
    assert got.subscriptions == small.subscriptions
    assert "did not answer in time" in h.stderr.getvalue()


def test_persistent_503_stops_with_exit_3(small, harness):
    h = harness(small, faults=[Fault(FaultKind.UNAVAILABLE, SECOND_USERS_PAGE, count=None, retry_after=0)])
    with pytest.raises(CollectionError) as err:
        h.collect((), need_sign_in=True)
    assert err.value.exit_code == EXIT_COLLECTION
    text = str(err.value)
    assert "GET /users?$select=" in text and "failed after 3 retries" in text and "503" in text
    assert _statuses(h).count(503) == 1 + FAST_RETRY.max_retries


def test_retry_after_beyond_limit_fails_fast(small, harness):
    h = harness(small, faults=[Fault(FaultKind.THROTTLE, r"/organization", count=None, retry_after=3600)])
    with pytest.raises(CollectionError, match="Retry-After"):
        h.collect((), need_sign_in=False)
    assert h.waited < 5  # on the harness's virtual clock: it did not wait the hour


def test_total_wait_is_bounded(small, harness):
    policy = RetryPolicy(max_retries=10, backoff_base=1, backoff_cap=1, max_retry_after=5, max_total_wait=2)
    h = harness(small, faults=[Fault(FaultKind.THROTTLE, r"/organization", count=None, retry_after=1)], retry=policy)
    with pytest.raises(CollectionError, match="in total"):
        h.collect((), need_sign_in=False)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (FaultKind.TRUNCATE, "truncated"),
        (FaultKind.NOT_JSON, "not valid JSON"),
        (FaultKind.NO_VALUE, "without a `value`"),
    ],
)
def test_bad_pages_stop_the_run(small, harness, kind, words):
    h = harness(small, faults=[Fault(kind, SECOND_USERS_PAGE, count=1)])
    with pytest.raises(CollectionError) as err:
        h.collect((), need_sign_in=True)
    assert words in str(err.value)
    assert "/users" in str(err.value)
    assert err.value.exit_code == EXIT_COLLECTION


def test_sign_in_403_becomes_gap_and_users_are_reread(small, harness):
    h = harness(small, faults=[sign_in_forbidden()])
    got = h.collect(("Sales Team",), need_sign_in=True)
    assert [g.dataset for g in got.gaps] == ["signInActivity"]
    gap = got.gaps[0]
    assert "signInActivity" in gap.request and "Entra ID P1" in gap.reason
    assert SIGN_IN_ACTIVITY not in got.collected_datasets
    assert len(got.users) == len(small.users)
    assert all(u.last_sign_in_date_time is None for u in got.users)
    assert [u.id for u in got.users] == [u.id for u in small.users]
    # the sign-in listing and the users listing run side by side: which reaches Graph first varies
    reads = h.emulator.requests_to("/users")
    signed = [r for r in reads if "signInActivity" in r.query.get("$select", "")]
    listed = [r for r in reads if "signInActivity" not in r.query.get("$select", "")]
    assert signed and all(r.status == 403 for r in signed)
    assert listed and all(r.query["$top"] == "999" for r in listed if "$skiptoken" not in r.query)


def test_sign_in_403_on_a_later_page_restarts_cleanly(small, harness):
    fault = Fault(FaultKind.FORBIDDEN, r"^GET /v1\.0/users\?.*signInActivity.*\$skiptoken", count=None)
    got = harness(small, faults=[fault]).collect((), need_sign_in=True)
    assert [g.dataset for g in got.gaps] == ["signInActivity"]
    assert [u.id for u in got.users] == [u.id for u in small.users]


def test_403_on_subscriptions_is_a_named_gap(small, harness):
    h = harness(small, faults=[Fault(FaultKind.FORBIDDEN, r"/directory/subscriptions", count=None)])
    got = h.collect((), need_sign_in=False)
    assert [(g.dataset, g.request) for g in got.gaps] == [("subscriptions", "GET /directory/subscriptions")]
    assert "LicenseAssignment.Read.All or Organization.Read.All" in got.gaps[0].reason  # what to grant
    assert got.subscriptions == () and [u.id for u in got.users] == [u.id for u in small.users]


def test_wrong_token_is_auth_error(small, harness):
    h = harness(
        small,
        token=app_token(
            small.tenant_id,
            ("User.Read.All", "Organization.Read.All", "GroupMember.Read.All", "AuditLog.Read.All"),
            lifetime=7200,
        ),
    )
    with pytest.raises(AuthError) as err:
        h.collect((), need_sign_in=False)
    assert "401" in str(err.value) and "InvalidAuthenticationToken" in str(err.value)
    assert err.value.exit_code == EXIT_COLLECTION
    assert h.token not in str(err.value)


def test_missing_permissions_are_named_before_collecting(small, harness):
    h = harness(small, roles=("User.Read.All",))
    with pytest.raises(AuthError) as err:
        h.collect(("Sales Team",), need_sign_in=False)
    text = str(err.value)
    assert "GroupMember.Read.All" in text and "Organization.Read.All" in text and "LicenseAssignment.Read.All" in text
    assert "User.Read.All (" not in text  # granted, so not named as missing
    assert h.emulator.requests == []


def test_directory_read_all_covers_the_read_set(small, harness):
    h = harness(small, roles=("Directory.Read.All",))
    got = h.collect((), need_sign_in=True)
    assert [g.dataset for g in got.gaps] == ["signInActivity"]
    assert "AuditLog.Read.All" in got.gaps[0].reason
    assert all("signInActivity" not in r.query.get("$select", "") for r in h.emulator.requests)


def test_delegated_token_skips_the_check(small, harness, monkeypatch):
    import base64
    import json

    claims = {"tid": small.tenant_id, "scp": "User.Read.All", "exp": int(time.time()) + 600}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    token = f"e30.{payload}.sig"
    h = harness(small)
    h.emulator.token = token
    h.token = token
    got = h.collect((), need_sign_in=True)
    assert got.users == small.users
    assert "delegated" in h.stderr.getvalue()


def test_expired_token_is_refused_before_any_request(small, harness):
    expired = app_token(small.tenant_id, lifetime=-10)
    h = harness(small, token=expired)
    with pytest.raises(AuthError, match="expired"):
        h.collect((), need_sign_in=False)
    assert h.emulator.requests == []


def test_answers_read_are_not_kept_until_a_cycle_collection(small, harness):
    """httpx's response and its stream refer to each other; the client lets the stream go once
    the body is read, so pages are freed as soon as they are decoded, not at a later full
    garbage collection (a million users' pages otherwise piled up by the hundred megabytes)."""
    import gc

    import httpx

    h = harness(small)
    gc.collect()
    gc.disable()
    try:
        h.collect(concurrency=4)
        alive = [o for o in gc.get_objects() if isinstance(o, httpx.Response)]
    finally:
        gc.enable()
    assert alive == []
