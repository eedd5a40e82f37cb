"""Mailbox purposes: the real collector (msgraph-sdk adapter + httpx) reads mailboxSettings/userPurpose
in JSON batches from the loopback emulator, for the disabled and inactive candidates only."""

from __future__ import annotations

import dataclasses
import io
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind, mailbox_forbidden, mailbox_throttled
from graph_tenants import make_tenant

from auditor.common.errors import CollectionError
from auditor.common.timestamps import parse_timestamp
from auditor.data.model import NO_MAILBOX, TenantSnapshot
from auditor.evaluation.engine import evaluate
from auditor.graph import MailboxCheck, RetryPolicy
from auditor.graph.arguments import MAILBOX_BATCHES
from auditor.graph.pacing import REAL_TIME
from auditor.policyset.load import load_policies
from auditor.rules.hygiene import last_sign_in
from auditor.rules.hygiene.accounts import DisabledUserLicensed, SharedMailboxLicensed, SharedMailboxUnlicensed
from auditor.snapshot import MAILBOX_SETTINGS, load_snapshot, write_snapshot
from auditor_dev.emulator import DEMO_ROLES, Reply, Request, error_document
from auditor_dev.emulator.log import most_in_flight

PURPOSE = r"/users/[^/]+/mailboxSettings/userPurpose"


@pytest.fixture(scope="module")
def mailboxes() -> TenantSnapshot:
    """make_tenant with purposes planted on some candidates and one licensed account without a mailbox."""
    base = make_tenant(250)
    users = list(base.users)
    disabled = [i for i, u in enumerate(users) if u.assigned_licenses and not u.account_enabled]
    users[disabled[0]] = users[disabled[0]].with_values(mailbox_purpose="shared")
    users[disabled[1]] = users[disabled[1]].with_values(mailbox_purpose="equipment")
    users[disabled[2]] = users[disabled[2]].with_values(mailbox_purpose=NO_MAILBOX)
    now = parse_timestamp(base.collected_at)
    never = next(
        i for i, u in enumerate(users) if u.assigned_licenses and u.account_enabled and last_sign_in(u) is None
    )
    users[never] = users[never].with_values(mailbox_purpose="room")
    active = next(
        i
        for i, u in enumerate(users)
        if u.assigned_licenses
        and u.account_enabled
        and (t := last_sign_in(u)) is not None
        and t > now - timedelta(days=10)
    )
    users[active] = users[active].with_values(mailbox_purpose="shared")  # not a candidate: never asked
    return dataclasses.replace(base, users=tuple(users))


def _expected(snapshot: TenantSnapshot, days: int | None, as_of: datetime | None = None) -> list[str]:
    """The candidates, computed here from the definition rather than by the collector's code."""
    cutoff = (as_of or parse_timestamp(snapshot.collected_at)) - timedelta(days=days or 0)
    out = []
    for u in snapshot.users:
        if not u.assigned_licenses:
            continue
        if not u.account_enabled or (days is not None and ((t := last_sign_in(u)) is None or t < cutoff)):
            out.append(u.id)
    return out


def _asked(h: Any) -> list[str]:
    inner = [r for r in h.emulator.requests if r.batch]
    assert all(r.path.endswith("/mailboxSettings/userPurpose") for r in inner)
    return [r.path.split("/")[2] for r in inner]


def test_only_candidates_are_asked_in_batches_of_twenty(mailboxes, harness):
    h = harness(mailboxes)
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90))
    expected = _expected(mailboxes, 90)
    assert len(expected) > 40  # several batches
    asked = _asked(h)
    assert sorted(asked) == sorted(expected) and len(asked) == len(set(asked))
    batches = h.emulator.requests_to(r"/\$batch")
    assert all(b.method == "POST" and b.status == 200 for b in batches)
    assert len(batches) == math.ceil(len(expected) / 20)
    inner = h.emulator.requests_to(PURPOSE)
    assert inner and all(r.batch for r in inner)  # every purpose asked inside a batch, none on its own
    assert got.gaps == () and MAILBOX_SETTINGS in got.collected_datasets
    by_id = {u.id: u for u in got.users}
    source = {u.id: u for u in mailboxes.users}
    for uid, user in by_id.items():
        if uid not in expected:
            assert user.mailbox_purpose is None
        elif source[uid].mailbox_purpose is not None:
            assert user.mailbox_purpose == source[uid].mailbox_purpose
        else:
            assert user.mailbox_purpose == "user"  # the emulator's licensed default
    assert sorted(u.mailbox_purpose for u in got.users if u.mailbox_purpose not in (None, "user")) == sorted(
        [NO_MAILBOX, "equipment", "room", "shared"]
    )  # the active shared mailbox was never asked
    # the snapshot keeps the purposes; null is "no mailbox", absent is "not asked"
    out = io.StringIO()
    write_snapshot(got, out)
    doc = json.loads(out.getvalue())
    settings = [u.get("mailboxSettings", "absent") for u in doc["users"]]
    assert settings.count(None) == 1 and {"userPurpose": "shared"} in settings
    assert settings.count("absent") == len(got.users) - len(expected)


def test_candidates_follow_the_audits_clock(mailboxes, harness):
    """`audit --as-of` judges inactivity at its own clock: the accounts asked about are the ones the
    rules could flag then, not at the moment of collection."""
    h = harness(mailboxes)
    earlier = parse_timestamp(mailboxes.collected_at) - timedelta(days=60)
    h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=30, as_of=earlier))
    expected = _expected(mailboxes, 30, earlier)
    assert sorted(_asked(h)) == sorted(expected)
    assert sorted(expected) != sorted(_expected(mailboxes, 30))  # the clock makes a difference here


def test_disabled_only_without_inactivity_window(mailboxes, harness):
    h = harness(mailboxes)
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    assert sorted(_asked(h)) == sorted(_expected(mailboxes, None))
    assert MAILBOX_SETTINGS in got.collected_datasets


def test_no_mailbox_check_no_batches(mailboxes, harness):
    h = harness(mailboxes)
    got = h.collect(need_sign_in=True)
    assert h.emulator.requests_to(r"/\$batch") == [] and _asked(h) == []
    assert MAILBOX_SETTINGS not in got.collected_datasets
    assert all(u.mailbox_purpose is None for u in got.users)


def test_throttled_inside_a_batch_is_retried(mailboxes, harness):
    h = harness(mailboxes, faults=[mailbox_throttled(count=3, retry_after=0)])
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90))
    inner = [r for r in h.emulator.requests if r.batch]
    throttled = [r for r in inner if r.status == 429]
    assert len(throttled) == 3
    for r in throttled:  # asked again, and answered
        assert any(o.path == r.path and o.status in (200, 404) for o in inner)
    assert got.gaps == () and MAILBOX_SETTINGS in got.collected_datasets
    assert sorted(set(_asked(h))) == sorted(_expected(mailboxes, 90))
    assert len(h.emulator.requests_to(r"/\$batch")) > math.ceil(len(_expected(mailboxes, 90)) / 20)
    assert "429" in h.stderr.getvalue()


def test_throttling_that_never_ends_fails_bounded(mailboxes, harness):
    h = harness(mailboxes, faults=[mailbox_throttled(count=None, retry_after=0)])
    with pytest.raises(CollectionError, match=r"mailboxSettings/userPurpose.*retries"):
        h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    per_user: dict[str, int] = {}
    for r in h.emulator.requests:
        if r.batch:
            per_user[r.path] = per_user.get(r.path, 0) + 1
    assert max(per_user.values()) == h.retry.max_retries + 1


def test_unavailable_inside_a_batch_is_retried(mailboxes, harness):
    h = harness(
        mailboxes,
        faults=[Fault(FaultKind.UNAVAILABLE, match=r"^GET /v1\.0/users/[^/]+/mailboxSettings", count=2, retry_after=0)],
    )
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    assert [r.status for r in h.emulator.requests if r.batch].count(503) == 2
    assert got.gaps == () and MAILBOX_SETTINGS in got.collected_datasets


def _asked_per_user(h: Any) -> dict[str, int]:
    per_user: dict[str, int] = {}
    for r in h.emulator.requests:
        if r.batch:
            per_user[r.path] = per_user.get(r.path, 0) + 1
    return per_user


def test_inner_retries_count_against_the_total_wait(mailboxes, harness):
    """The waits for a batch's throttled answers are the client's: bounded by its max_total_wait,
    and the run fails naming the request that was still throttled."""
    policy = RetryPolicy(max_retries=10, backoff_base=1, backoff_cap=1, max_retry_after=5, max_total_wait=2)
    h = harness(mailboxes, faults=[mailbox_throttled(count=None, retry_after=1)], retry=policy)
    with pytest.raises(
        CollectionError,
        match=r"^GET /users/[^/]+/mailboxSettings/userPurpose \(in POST /\$batch\) "
        r"still failing after waiting 2s in total: Graph is throttling \(429\)",
    ):
        h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    assert max(_asked_per_user(h).values()) == 3  # asked, then again after 1 s and 2 s: a third wait passes 2 s


def test_a_batch_and_its_rounds_are_one_request_to_the_retry_policy(mailboxes, harness):
    """The POST /$batch's own retry and the rounds for its throttled answers share one budget."""
    policy = RetryPolicy(max_retries=10, backoff_base=1, backoff_cap=1, max_retry_after=5, max_total_wait=2)
    outer = Fault(FaultKind.THROTTLE, match=r"^POST /v1\.0/\$batch", count=1, retry_after=1)
    h = harness(mailboxes, faults=[outer, mailbox_throttled(count=None, retry_after=1)], retry=policy)
    with pytest.raises(
        CollectionError,
        match=r"mailboxSettings/userPurpose \(in POST /\$batch\) still failing "
        r"after waiting 2s in total",
    ):
        h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None), concurrency=1)
    assert [r.status for r in h.emulator.requests_to(r"/\$batch")] == [429, 200, 200]
    assert max(_asked_per_user(h).values()) == 2  # 1 s for the POST and 1 s for one round: the budget is spent


def test_a_throttled_answer_inside_a_batch_holds_every_stream(harness, sends):
    """A 429 is Graph throttling the application in the tenant: its Retry-After holds the other
    batches and the users listing too, not only the answer that carried it (as the client decided
    to send, on its own clock: a busy machine delays requests on their way, not that decision)."""
    tenant = make_tenant(1200, seed=11)
    h = harness(tenant, faults=[mailbox_throttled(count=1, retry_after=1)], timer=REAL_TIME)
    h.emulator.latency = (0.05, 0.0)
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90), concurrency=4)
    assert got.gaps == () and MAILBOX_SETTINGS in got.collected_datasets
    assert [r.status for r in h.emulator.requests if r.batch].count(429) == 1
    [hold] = sends.holds
    assert hold[1] - hold[0] == 1 and not sends.during(hold)  # nothing sent for its Retry-After
    assert len([url for url in sends.after(hold) if url.endswith("/$batch")]) > 4  # the other batches went on


@pytest.mark.parametrize("concurrency", [None, 4])
def test_batches_at_once_follow_outlook_s_limits_not_the_directory_budget(harness, concurrency, monkeypatch):
    """Outlook budgets mailboxSettings per app and mailbox, and each request of a batch reads
    another mailbox once: without --concurrency up to MAILBOX_BATCHES batches are in flight (the
    directory bucket does not count them); with --concurrency N, N. Held on what the collector
    decided (its semaphore, and the batches inside it), not on requests in flight at the emulator,
    which a busy machine serializes (issue 110); the emulator's log still bounds them from above."""
    from auditor.graph.mailbox_purpose import MailboxPurposes, PurposeReads  # whose batches are counted

    made, batch = PurposeReads.__init__, MailboxPurposes._purpose_batch
    allowed, going, most = [], [0], [0]  # the batches the reads allow at once; those going; the most

    def init(self: PurposeReads, state: MailboxPurposes) -> None:
        made(self, state)
        allowed.append(self.limit._value)  # the semaphore as the reads made it, before any batch

    async def counted(self: MailboxPurposes, ids: list[str]) -> Any:
        going[0] += 1
        most[0] = max(most[0], going[0])
        try:
            return await batch(self, ids)
        finally:
            going[0] -= 1

    monkeypatch.setattr(PurposeReads, "__init__", init)
    monkeypatch.setattr(MailboxPurposes, "_purpose_batch", counted)
    tenant = make_tenant(3000, seed=11)  # 1,414 candidates: 71 batches
    h = harness(tenant)
    latency = 0.1
    h.emulator.latency = (latency, 0.0)
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90), concurrency=concurrency)
    assert got.gaps == () and MAILBOX_SETTINGS in got.collected_datasets
    batches = [r for r in h.emulator.requests if r.path == "/$batch"]
    assert len(batches) == math.ceil(len(_expected(tenant, 90)) / 20) > 2 * MAILBOX_BATCHES
    limit = concurrency or MAILBOX_BATCHES
    assert allowed == [limit]  # what the collector decided: Outlook's limit, not the directory's streams
    assert 1 < most[0] <= limit  # the batches overlap, and never more than that go at once ...
    assert most_in_flight(batches, latency) <= limit  # ... at the emulator either (a busy machine only lowers it)


def _disabled_policy(tmp_path: Any) -> Any:
    path = tmp_path / "p.yaml"
    path.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: p}\n"
        "hygiene:\n  disabled_users: {severity: high}\n  shared_mailboxes: {severity: low}\n"
    )
    return load_policies([str(path)])


def test_forbidden_is_a_gap_and_findings_say_they_could_not_tell(mailboxes, harness, tmp_path):
    h = harness(mailboxes, faults=[mailbox_forbidden()])
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90))
    gaps = [g for g in got.gaps if g.dataset == MAILBOX_SETTINGS]
    assert len(gaps) == 1 and "MailboxSettings.Read" in gaps[0].reason and "403" in gaps[0].reason
    assert "/mailboxSettings/userPurpose" in gaps[0].request
    assert MAILBOX_SETTINGS not in got.collected_datasets
    # refused once: what is still in flight (at most four batches) ends, the rest is not asked
    assert len(h.emulator.requests_to(r"/\$batch")) <= 4 < math.ceil(len(_expected(mailboxes, 90)) / 20)
    result = evaluate(_disabled_policy(tmp_path), got, parse_timestamp(got.collected_at))
    assert not result.complete  # a partial collection never reads as compliant
    # shared_mailboxes judges both directions: neither without the purposes
    assert [n.rule for n in result.not_evaluated] == [SharedMailboxLicensed.id, SharedMailboxUnlicensed.id]
    disabled = [f for f in result.findings if f.rule == DisabledUserLicensed.id]
    # every licensed disabled account still fires, the shared and equipment mailboxes included
    assert len(disabled) == len(_expected(mailboxes, None))
    assert all(dict(f.details)["shared_mailbox"] == "unknown" for f in disabled)
    assert all("could not tell whether it is a shared mailbox" in f.message for f in disabled)


def _answer(answers: dict[str, tuple[int, str, str]]) -> Any:
    """A responder that answers the inner purpose request of each listed user id with (status, code, message)."""

    def respond(request: Request) -> Reply | None:
        parts = request.path.split("/")
        if not request.batch or len(parts) != 5 or parts[3:] != ["mailboxSettings", "userPurpose"]:
            return None
        hit = answers.get(parts[2])
        return None if hit is None else Reply(hit[0], error_document(hit[1], hit[2]), label=str(hit[0]))

    return respond


def test_only_no_mailbox_404s_mean_no_mailbox_other_errors_leave_one_user_unknown(mailboxes, harness, tmp_path):
    """A user deleted while the tenant is read (404 Request_ResourceNotFound), another 404 code, a 400
    or a 409 inside a $batch leave that user's purpose unknown: no "no mailbox", no failed run, no gap.
    The findings on them say the auditor could not tell whether they are shared mailboxes."""
    candidates = _expected(mailboxes, None)
    odd = {
        candidates[3]: (
            404,
            "Request_ResourceNotFound",
            "Resource 'x' does not exist or one of its queried reference-property objects are not present.",
        ),
        candidates[4]: (404, "ErrorItemNotFound", "The specified object was not found in the store."),
        candidates[5]: (400, "ErrorInvalidUser", "The requested user is invalid."),
        candidates[6]: (409, "ErrorMailboxMoveInProgress", "The mailbox is being moved."),
    }
    plain = {
        candidates[7]: (
            404,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ),
        candidates[8]: (404, "MailboxNotSupportedForRESTAPI", "REST API is not yet supported for this mailbox."),
    }
    h = harness(mailboxes, faults=[_answer({**odd, **plain})])
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    assert got.gaps == () and MAILBOX_SETTINGS in got.collected_datasets
    by_id = {u.id: u for u in got.users}
    assert all(by_id[uid].mailbox_purpose is None for uid in odd)  # unknown, not NO_MAILBOX
    assert all(by_id[uid].mailbox_purpose == NO_MAILBOX for uid in plain)
    assert sum(by_id[uid].mailbox_purpose is not None for uid in candidates) == len(candidates) - len(odd)
    notes = h.stderr.getvalue()
    assert "could not read the mailbox purpose of 4 accounts" in notes and "(and 3 more)" in notes
    # kept as unknown through the snapshot file, and judged as such
    path = tmp_path / "snap.json"
    with path.open("w") as fh:
        write_snapshot(got, fh)
    again = load_snapshot(path)
    assert again == got
    result = evaluate(_disabled_policy(tmp_path), again, parse_timestamp(got.collected_at))
    assert result.complete
    disabled = {f.subject.id: f for f in result.findings if f.rule == DisabledUserLicensed.id}
    for uid in odd:
        assert dict(disabled[uid].details)["shared_mailbox"] == "unknown"
        assert "could not tell whether it is a shared mailbox" in disabled[uid].message
    for uid in plain:
        assert "shared_mailbox" not in dict(disabled[uid].details)
    assert {uid for uid, f in disabled.items() if "shared_mailbox" in dict(f.details)} == set(odd)


def test_a_user_deleted_mid_run_is_unknown_not_without_a_mailbox(mailboxes, harness):
    uid = _expected(mailboxes, None)[3]
    gone = (
        404,
        "Request_ResourceNotFound",
        f"Resource '{uid}' does not exist or one of its queried reference-property objects are not present.",
    )
    h = harness(mailboxes, faults=[_answer({uid: gone})])
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    assert next(u for u in got.users if u.id == uid).mailbox_purpose is None
    assert "404 Request_ResourceNotFound" in h.stderr.getvalue()


def test_missing_role_is_a_gap_without_requests(mailboxes, harness):
    roles = tuple(r for r in DEMO_ROLES if r != "MailboxSettings.Read")
    h = harness(mailboxes, roles=roles)
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90))
    assert h.emulator.requests_to(r"/\$batch") == []
    (gap,) = [g for g in got.gaps if g.dataset == MAILBOX_SETTINGS]
    assert "MailboxSettings.Read" in gap.reason and "$batch" in gap.request


def test_collected_purposes_drive_the_rules(mailboxes, harness, tmp_path):
    h = harness(mailboxes)
    got = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    path = tmp_path / "snap.json"
    with path.open("w") as fh:
        write_snapshot(got, fh)
    again = load_snapshot(path)
    assert again == got and [u.mailbox_purpose for u in again.users] == [u.mailbox_purpose for u in got.users]
    result = evaluate(_disabled_policy(tmp_path), again, parse_timestamp(got.collected_at))
    assert result.complete
    shared = {
        f.subject.id: dict(f.details)["mailbox_purpose"] for f in result.findings if f.rule == SharedMailboxLicensed.id
    }
    assert sorted(shared.values()) == ["equipment", "shared"]
    disabled = {f.subject.id for f in result.findings if f.rule == DisabledUserLicensed.id}
    assert not disabled & set(shared)
    assert len(disabled) == len(_expected(mailboxes, None)) - 2
    assert all("shared_mailbox" not in dict(f.details) for f in result.findings)


@pytest.mark.parametrize(
    "answer, complaint",
    [
        ({"responses": []}, r"no answer for GET /users/.+/mailboxSettings/userPurpose"),
        pytest.param(
            {"responses": "x"},
            r"no `responses` list",
            marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
        ),
        ({"responses": [{"id": "99", "status": 200, "body": {"value": "user"}}]}, r"id '99' that was never asked"),
        pytest.param(
            {"responses": [{"id": "1", "status": 200, "body": {}}]},
            r"GET /users/.+/mailboxSettings/userPurpose .*without",
            marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
        ),
    ],
)
def test_malformed_batch_answers_fail_naming_the_request(mailboxes, harness, answer, complaint):
    def one_user_batch(request: Request) -> Reply | None:
        if request.method != "POST" or request.path != "/$batch" or request.batch:
            return None
        doc = json.loads(request.body)
        first = doc["requests"][0]
        fixed = json.loads(json.dumps(answer))
        for r in fixed["responses"] if isinstance(fixed["responses"], list) else ():
            if r["id"] == "1":
                r["id"] = first["id"]
        if (
            isinstance(fixed["responses"], list)
            and fixed["responses"]
            and len(doc["requests"]) > 1
            and fixed["responses"][0]["id"] != "99"
        ):
            fixed["responses"] += [
                {"id": r["id"], "status": 200, "body": {"value": "user"}} for r in doc["requests"][1:]
            ]
        return Reply(200, fixed)

    h = harness(mailboxes, faults=[one_user_batch])
    with pytest.raises(CollectionError, match=complaint) as err:
        h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=None))
    assert "$batch" in str(err.value)


def test_collected_at_clock_is_the_cutoff(mailboxes, harness):
    """A later clock makes more accounts inactive: the window follows the collection's own clock."""
    h = harness(mailboxes)
    later = parse_timestamp(mailboxes.collected_at) + timedelta(days=400)
    h.snapshot = dataclasses.replace(mailboxes, collected_at=later.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90))
    assert sorted(_asked(h)) == sorted(_expected(h.snapshot, 90))
    assert len(_asked(h)) > len(_expected(mailboxes, 90))
