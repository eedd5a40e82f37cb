"""Partitioned parallel reads of /users: coverage, fallbacks, the shared throttling hold, the
$count proof, and findings identical to reading one page after another."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import msgspec
import pytest
from emulator_faults import Fault, FaultKind
from graph_tenants import make_tenant

from auditor.common.errors import CollectionError
from auditor.data.model import TenantSnapshot
from auditor.data.usage_data import REPORTS, ReportRead, UsageNeed, UsageReports, UserUsage
from auditor.evaluation.engine import evaluate
from auditor.graph import partitions
from auditor.graph import users as user_reads
from auditor.graph.collector import USER_FIELDS
from auditor.graph.pacing import REAL_TIME
from auditor.graph.progress import Progress
from auditor.policyset.load import load_policies
from auditor.snapshot import SIGN_IN_ACTIVITY, load_snapshot
from auditor_dev.emulator import GraphEmulator, Reply, Request, app_token, wire
from tests.loopback import http

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
# First characters a userPrincipalName may have: Entra ID's user name characters, and those a guest's
# e-mail address may start with (its UPN starts with the address)
AWKWARD = "0123456789_-'.!#^~$%&*+/=?`{|}AZmq"
NON_ASCII = "éÖß"


@pytest.fixture
def partitioned(monkeypatch):
    """Partition whatever the tenant's size (the real threshold keeps small tenants in one chain)."""
    monkeypatch.setattr(partitions, "worth_partitioning", lambda total, page_size, concurrency: concurrency > 1)


def awkward_tenant(first: str = AWKWARD, n: int = 300) -> TenantSnapshot:
    base = make_tenant(n, seed=11)
    users = []
    for i, (u, c) in enumerate(zip(base.users, itertools.cycle(first), strict=False)):
        local = f"{c}user{i}"
        upn = f"{local}_example.org#EXT#@contoso.example" if u.user_type == "Guest" else f"{local}@contoso.example"
        users.append(u.with_values(user_principal_name=upn))
    return dataclasses.replace(base, users=tuple(users))


def user_requests(h) -> list:
    """The users listing's requests (the sign-in listing, never partitioned, apart: sign_in_requests)."""
    return [r for r in h.emulator.requests_to("/users") if r.method == "GET" and r not in sign_in_requests(h)]


def sign_in_requests(h) -> list:
    return [r for r in h.emulator.requests_to("/users") if "signInActivity" in r.query.get("$select", "")]


def by_id(snapshot: TenantSnapshot) -> list:
    return sorted(snapshot.users, key=lambda u: u.id)


# --- the emulator's side -------------------------------------------------------------------


def _get(graph: GraphEmulator, token: str, path: str, headers: dict[str, str] | None = None):

    return http.get(graph.url + path, headers={"Authorization": f"Bearer {token}", **(headers or {})})


def test_emulator_filters_users_by_upn_prefix_with_select_top_paging_and_count():
    snap = awkward_tenant()
    token = app_token(snap.tenant_id)
    select = ",".join((*USER_FIELDS, SIGN_IN_ACTIVITY))
    with GraphEmulator(snap, token=token) as graph:
        for text in ("startswith(userPrincipalName,'a')", "startsWith(userPrincipalName,'A')"):
            doc = _get(
                graph,
                token,
                f"/users?$select={select}&$top=3&$count=true&$filter={text}",
                {"ConsistencyLevel": "eventual"},
            ).json()
            wanted = [u for u in snap.users if u.user_principal_name.lower().startswith("a")]
            assert doc["@odata.count"] == len(wanted) > 3 and len(doc["value"]) == 3
            got = doc["value"]
            link = doc.get("@odata.nextLink")
            while link:
                page = _get(graph, token, link[len(graph.url) :]).json()
                got += page["value"]
                link = page.get("@odata.nextLink")
            assert [u["id"] for u in got] == [u.id for u in wanted]
            assert set(USER_FIELDS) <= set(got[0]) <= {*USER_FIELDS, SIGN_IN_ACTIVITY}
        quote_doc = _get(
            graph, token, "/users?$filter=startswith(userPrincipalName,'''') or startswith(userPrincipalName,'%23')"
        ).json()
        assert sorted(u["userPrincipalName"][0] for u in quote_doc["value"]) == sorted(
            u.user_principal_name[0] for u in snap.users if u.user_principal_name[0] in "'#"
        )
        count = _get(
            graph, token, "/users/$count?$filter=startswith(userPrincipalName,'0')", {"ConsistencyLevel": "eventual"}
        )
        assert count.text == str(sum(1 for u in snap.users if u.user_principal_name.startswith("0")))
        for bad in (
            "startswith(userPrincipalName,'')",
            "startswith(displayName,'a')",
            "userPrincipalName ge 'a'",
            "startswith(userPrincipalName,'a') and startswith(userPrincipalName,'b')",
        ):
            answer = _get(graph, token, f"/users?$filter={bad}")
            assert answer.status_code == 400 and answer.json()["error"]["code"] == "Request_UnsupportedQuery", bad


def test_emulator_latency_overlaps_on_concurrent_requests():
    """Each answer waits out its latency on its own request thread: four requests at once wait together
    (an emulator answering one at a time would never have the four waiting at once). The waits are the
    emulator's own (GraphEmulator.wait), seen as it asks for them, not timed on the wall clock."""
    snap = make_tenant(10)
    token = app_token(snap.tenant_id)
    asked: list[float] = []
    with GraphEmulator(snap, token=token, latency_ms=1500) as graph:
        graph.wait = asked.append  # waits nothing: the wait asked for is what is checked
        one = _get(graph, token, "/organization")
        assert one.status_code == 200 and asked == [1.5]
        together = threading.Barrier(4, timeout=60)  # the four waits meet; a guard against a hang, not a timing

        def wait(seconds: float) -> None:
            asked.append(seconds)
            together.wait()

        graph.wait = wait
        answers: list[int] = []

        def fetch() -> None:
            answers.append(
                http.get(graph.url + "/organization", headers={"Authorization": f"Bearer {token}"}).status_code
            )

        threads = [threading.Thread(target=fetch) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers == [200] * 4 and asked == [1.5] * 5 and not together.broken
    with GraphEmulator(snap, token=token, latency_ms_per_kib=100) as graph:
        asked.clear()
        graph.wait = asked.append
        body = _get(graph, token, "/users?$top=10").content
        assert asked == [pytest.approx(0.1 * len(body) / 1024)]


# --- coverage -------------------------------------------------------------------------------


def test_every_first_character_is_covered_without_a_second_read(harness, partitioned):
    snap = awkward_tenant()
    h = harness(snap)
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps and not got.notes
    listed = user_requests(h)
    assert listed and all("$filter" in r.query for r in listed)  # no read one page after another
    filters = {r.query["$filter"] for r in listed}
    assert len(filters) == len(partitions.partitions())
    assert len(h.emulator.requests_to(r"/users/\$count")) == 2  # before and after
    assert f" of {len(filters)} partitions done)" in h.stderr.getvalue()


def test_a_first_character_outside_the_partitions_is_read_again_in_one_chain(harness, partitioned):
    snap = awkward_tenant(AWKWARD + NON_ASCII)
    h = harness(snap)
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps
    assert len(got.notes) == 1 and "read again one page after another" in got.notes[0]
    assert f"while GET /users/$count reported {len(snap.users):,}" in got.notes[0]
    assert [r for r in user_requests(h) if "$filter" not in r.query]  # the second, sequential read
    assert "read again one page after another" in h.stderr.getvalue()


def test_progress_shows_partitions_and_an_eta(harness, partitioned):
    h = harness(awkward_tenant())
    h.collect(need_sign_in=True)
    lines = [line for line in h.stderr.getvalue().splitlines() if line.startswith("collecting users")]
    assert lines and all(" of 300 (" in line and "partitions done)" in line for line in lines)
    assert any(", ETA " in line for line in lines)
    total = len(partitions.partitions())
    assert f"({total - 1} of {total} partitions done)" in lines[-1] or f"({total} of {total}" in lines[-1]


# --- refusals and fallbacks -----------------------------------------------------------------


def test_a_refused_partition_falls_back_to_one_chain_and_says_so(harness, partitioned):
    snap = awkward_tenant()
    refused = Fault(FaultKind.UNSUPPORTED, r"startswith\(userPrincipalName,'m'\)", count=None)
    h = harness(snap, faults=[refused])
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps
    assert len(got.notes) == 1 and "Graph refused the partitioned read of /users" in got.notes[0]
    assert "answered 400 Request_UnsupportedQuery" in got.notes[0]
    assert "read one page after another instead" in h.stderr.getvalue()
    assert [r for r in user_requests(h) if "$filter" not in r.query]


def test_a_refused_group_of_characters_is_read_one_character_at_a_time(harness, partitioned):
    snap = awkward_tenant()
    refused = Fault(FaultKind.UNSUPPORTED, r" or startswith", count=None)  # any filter with `or`
    h = harness(snap, faults=[refused])
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps and not got.notes
    singles = {r.query["$filter"] for r in user_requests(h) if " or " not in r.query.get("$filter", " or ")}
    assert len(singles) == len(partitions.LETTERS) + len(partitions.DIGITS) + sum(map(len, partitions.SPECIALS))


def test_a_failed_count_reads_in_one_chain(harness, partitioned):
    snap = awkward_tenant()
    h = harness(snap, faults=[Fault(FaultKind.FORBIDDEN, r"/users/\$count", count=None)])
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps
    assert all("$filter" not in r.query for r in user_requests(h))
    assert "could not count the users" in h.stderr.getvalue()


def test_sign_in_refused_in_a_partition_reads_again_without_it(harness, partitioned):
    from emulator_faults import sign_in_forbidden

    snap = awkward_tenant()
    h = harness(snap, faults=[sign_in_forbidden()])
    got = h.collect(need_sign_in=True)
    assert [g.dataset for g in got.gaps] == ["signInActivity"]
    assert len(got.users) == len(snap.users)


# --- the $count proof -----------------------------------------------------------------------


class Count:
    """Answers GET /users/$count with the given numbers in turn (the last one from then on)."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Reply | None:
        if request.path != "/users/$count":
            return None
        with self.lock:
            value = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return Reply(200, str(value).encode(), content_type="text/plain", label="count")


def test_a_count_higher_than_what_was_read_twice_is_a_gap(harness, partitioned):
    snap = awkward_tenant()
    h = harness(snap, faults=[Count(len(snap.users) + 3)])
    got = h.collect(need_sign_in=True)
    assert len(got.users) == len(snap.users)
    assert [(g.dataset, g.request) for g in got.gaps] == [("users", "GET /users/$count")]
    assert "3 users may be missing" in got.gaps[0].reason
    assert len(got.notes) == 1  # the first shortfall: read again


def test_a_shortfall_that_a_second_read_explains_is_no_gap(harness, partitioned):
    snap = awkward_tenant()
    n = len(snap.users)
    h = harness(snap, faults=[Count(n + 2, n + 2, n)])
    got = h.collect(need_sign_in=True)
    assert not got.gaps and len(got.users) == n and len(got.notes) == 1


def test_counts_that_moved_during_the_read_are_the_tolerance(harness, partitioned):
    snap = awkward_tenant()
    n = len(snap.users)
    # two users created while the tenant was read (not in the listing yet): within the tolerance
    h = harness(snap, faults=[Count(n, n + 2)])
    got = h.collect(need_sign_in=True)
    assert not got.gaps and not got.notes


class HeldUntilTheEnd:
    """Holds the first page of 'j' until the requests of a read's end (the second GET /users/$count
    and every usage report) have come in: they come while it is held only when they are asked
    before the last page is answered. `released`: they came (not the minute's timeout)."""

    def __init__(self, reports: int) -> None:
        self.reports = reports
        self.counts = 0
        self.asked: list[str] = []
        self.lock = threading.Lock()
        self.end = threading.Event()
        self.held = False
        self.released: bool | None = None

    def __call__(self, request: Request) -> Reply | None:
        with self.lock:
            if request.path == "/users/$count":
                self.counts += 1
            elif request.path.startswith(("/reports/", "/copilot/")):
                self.asked.append(request.path)
            if self.counts >= 2 and len(self.asked) >= self.reports:
                self.end.set()
            hold = "startswith(userPrincipalName,'j')" in unquote(request.query_string) and not self.held
            self.held = self.held or hold
        if hold:
            self.released = self.end.wait(60)
        return None


def test_the_count_and_the_reports_are_asked_while_the_last_partitions_are_read(harness, partitioned):
    """Once the read is about to end, the second count and the usage reports go out beside the last
    pages instead of after them: the first partition is held until they have come in (never
    answered before them). The reports' rows are still read once every user is in."""
    snap = awkward_tenant()
    held = HeldUntilTheEnd(len(REPORTS))
    h = harness(snap, faults=[held])
    got = h.collect(need_sign_in=True, usage_reports=UsageNeed(frozenset(REPORTS), 60))
    assert by_id(got) == by_id(snap) and not got.gaps and not got.notes
    assert got.usage_reports is not None and [r.name for r in got.usage_reports.reports] == sorted(REPORTS)
    assert held.held and held.released  # the count and the reports came while 'j''s page was held
    assert held.counts == 2 and len(held.asked) == len(REPORTS)
    # the first count went out before the read (the plan's), the second beside its last page
    first = min(h.emulator.requests_to(r"/users/\$count"), key=lambda r: r.at)
    assert first.at < min(r.at for r in user_requests(h))


def test_reports_asked_early_keep_the_rows_of_users_only_a_second_read_found(harness, partitioned):
    """The reports go out near the end of the partitioned read, but their rows are read only once
    every user is in: users outside every partition (found by the second, one-chain read) keep
    their usage rows."""
    base = awkward_tenant(AWKWARD + NON_ASCII)
    rows = tuple(
        sorted(
            (
                UserUsage(u.user_principal_name, exchangeLastActivityDate="2026-10-01", reports=tuple(sorted(REPORTS)))
                for u in base.users
            ),
            key=lambda r: r.userPrincipalName.lower(),
        )
    )
    reads = tuple(ReportRead(name, "D90", "2026-10-30", "") for name in sorted(REPORTS))
    snap = dataclasses.replace(base, usage_reports=UsageReports(reads, rows))
    # the second read is held a second, so the reports' answers are in long before it ends
    held = Fault(FaultKind.SLOW, r"^GET /v1.0/users\?(?!.*filter)", count=1, delay=1.0)
    h = harness(snap, faults=[held])
    got = h.collect(need_sign_in=True, usage_reports=UsageNeed(frozenset(REPORTS), 60))
    assert len(got.notes) == 1 and "read again one page after another" in got.notes[0]
    outside = {u.user_principal_name.lower() for u in snap.users if u.user_principal_name[0] in NON_ASCII}
    assert outside and got.usage_reports is not None
    kept = {r.userPrincipalName.lower() for r in got.usage_reports.users}
    assert outside <= kept and len(kept) == len(snap.users)


def test_the_end_is_near_only_when_little_is_left_to_read(harness, partitioned, monkeypatch):
    """A partition started last can hold most users: the second count waits until about two pages
    a stream are left, not until the last partition has merely started."""
    monkeypatch.setattr(user_reads, "PAGE_SIZE", 20)  # read where users_path uses it
    snap = awkward_tenant("x" * 9 + "jm", n=300)  # 246 users in 'x', the last letter started
    h = harness(snap)
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps and not got.notes
    x_pages = sorted(r.at for r in user_requests(h) if "'x'" in r.query.get("$filter", ""))
    after = max(r.at for r in h.emulator.requests_to(r"/users/\$count"))
    left = 2 * 20 * 4  # users: two pages a stream
    read_before = sum(1 for at in x_pages if at < after) - 1  # the page asked last may be in flight
    assert len(x_pages) == 13 and read_before * 20 >= 246 - left - 20


def test_check_arithmetic():
    assert partitions.Check(100, 100, 100).short == 0
    assert partitions.Check(99, 100, 100).short == 1  # a quiet tenant: no tolerance
    assert partitions.Check(98, 100, 102).short == 0  # min(100, 102) - 98 = 2 <= |102 - 100|
    assert partitions.Check(97, 100, 98).short == 0
    assert partitions.Check(95, 100, 98).short == 1
    assert partitions.Check(120, 100, None).short == 0 and partitions.Check(99, 100, None).short == 1


def test_gap_exits_3_from_the_cli(tmp_path, monkeypatch, partitioned):
    from auditor.cli import main

    snap = awkward_tenant()
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    out = tmp_path / "snap.json"
    with GraphEmulator(snap, token=token, responders=[Count(len(snap.users) + 1)]) as graph:
        code = main(
            ["collect", "--graph-endpoint", graph.url, "--output", str(out), "--policies", str(ROOT / "examples")]
        )
    assert code == 3
    assert "users" in [g.dataset for g in load_snapshot(out).gaps]


# --- duplicates across partitions ------------------------------------------------------------


def _serve_twice(snap: TenantSnapshot, changed: bool):
    """Answer the 'q' partition with its users and a copy of an 'm' user (renamed while the tenant is read)."""
    victim = next(u for u in snap.users if u.user_principal_name.startswith("m"))
    copy = msgspec.structs.replace(victim, display_name="Renamed") if changed else victim
    select = (*USER_FIELDS, SIGN_IN_ACTIVITY)
    page = [u for u in snap.users if u.user_principal_name.lower().startswith("q")] + [copy]

    def responder(request: Request) -> Reply | None:
        if request.path == "/users" and "startswith(userPrincipalName,'q')" in unquote(request.query_string):
            return Reply(200, {"@odata.context": "$metadata#users", "value": [wire.user_wire(u, select) for u in page]})
        return None

    return responder


def test_an_identical_user_in_two_partitions_counts_once(harness, partitioned):
    snap = awkward_tenant()
    h = harness(snap, faults=[_serve_twice(snap, changed=False)])
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.notes and not got.gaps


def test_a_user_in_two_partitions_with_different_data_stops_the_run(harness, partitioned):
    snap = awkward_tenant()
    h = harness(snap, faults=[_serve_twice(snap, changed=True)])
    with pytest.raises(CollectionError, match="twice with different data"):
        h.collect(need_sign_in=True)


# --- one throttling budget ------------------------------------------------------------------


def test_a_429_on_one_stream_holds_every_stream(partitioned, sends):
    from conftest import Harness

    snap = awkward_tenant(n=600)
    throttle = Fault(FaultKind.THROTTLE, r"startswith\(userPrincipalName,'j'\)", count=1, retry_after=1)
    h = Harness(snap, faults=[throttle], timer=REAL_TIME)  # the client's clock, the one `sends` reads
    h.emulator.latency = (0.05, 0.0)
    with h:
        got = h.collect(need_sign_in=True)
    assert len(got.users) == len(snap.users)
    assert [r.status for r in h.emulator.requests].count(429) == 1
    # from the 429's arrival, no stream sent anything for its Retry-After (what the client decided:
    # requests already on their way may still arrive after it, as many as a busy machine holds back)
    [hold] = sends.holds
    assert hold[1] - hold[0] == 1 and not sends.during(hold)
    assert len(sends.after(hold)) > 4  # the other streams went on afterwards


# --- the same findings either way ------------------------------------------------------------


def _findings(snapshot: TenantSnapshot) -> list:
    policies = load_policies([ROOT / "examples"])
    result = evaluate(policies, snapshot, datetime(2026, 11, 1, 6, tzinfo=UTC))
    assert result.findings
    return list(result.findings)


@pytest.mark.parametrize("tenant_of", ["sample", "awkward"])
def test_findings_are_identical_to_reading_one_page_after_another(harness, partitioned, tenant_of):
    from auditor.graph.collector import MailboxCheck

    snap = load_snapshot(SAMPLE) if tenant_of == "sample" else awkward_tenant(AWKWARD + NON_ASCII)
    refs = ("Frontline Workers", "Break Glass Accounts", "Executives") if tenant_of == "sample" else ("Sales Team",)
    one = harness(snap).collect(refs, need_sign_in=True, mailboxes=MailboxCheck(90), concurrency=1)
    many_h = harness(snap)
    many = many_h.collect(refs, need_sign_in=True, mailboxes=MailboxCheck(90), concurrency=4)
    assert any("$filter" in r.query for r in user_requests(many_h))
    assert by_id(one) == by_id(many) and one.groups == many.groups
    assert _findings(one) == _findings(many)


def test_concurrency_1_is_one_request_after_another(harness):
    snap = make_tenant(2400)  # 5 sign-in pages: within the identity reports' 5 per 10 s, no ETA count
    h = harness(snap)
    got = h.collect(("Sales Team",), need_sign_in=True, concurrency=1)
    assert got.users == snap.users
    assert all("$filter" not in r.query for r in user_requests(h))
    # no count to plan the read; one after it, which proves it complete
    [count] = h.emulator.requests_to(r"/users/\$count")
    assert count.at > max(r.at for r in user_requests(h))


def test_concurrency_flag(capsys):
    from auditor.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["collect", "--output", "-", "--concurrency", "0"])
    assert exc.value.code == 2 and "--concurrency" in capsys.readouterr().err


def test_progress_line_with_partitions():
    p = Progress(io.StringIO())
    p.expect(10_000)
    p.partitions(3, 30)
    p.pages, p.users = 10, 5_000
    assert p.line(5.0) == (
        "collecting users: 5,000 of 10,000 (50%) in 10 pages (3 of 30 partitions done), 1,000 users/s, ETA 5s"
    )


def test_mailbox_purposes_are_read_while_the_users_are_listed(partitioned, monkeypatch):
    from conftest import Harness

    from auditor.graph.collector import MailboxCheck

    monkeypatch.setattr(user_reads, "PAGE_SIZE", 20)  # pages that follow one another in each partition
    snap = make_tenant(2000)
    # the first page of 'e' (117 users, six pages) is answered once a batch of purposes has come: its
    # next pages follow the batch whatever the machine's load (purposes asked only once every user is
    # listed: the batch never comes while it is held, and `released` stays False)
    batched = threading.Event()
    held, released = [False], [False]

    def hold_e(request: Request) -> Reply | None:
        if request.path == "/$batch":
            batched.set()
        elif "startswith(userPrincipalName,'e')" in unquote(request.query_string) and not held[0]:
            held[0] = True
            released[0] = batched.wait(60)
        return None

    h = Harness(snap, faults=[hold_e])
    h.emulator.latency = (0.02, 0.0)
    with h:
        # the disabled accounts' purposes; the dormant ones' follow their sign-ins (test_sign_in_lane.py)
        got = h.collect(need_sign_in=False, mailboxes=MailboxCheck(90))
    assert len(got.users) == len(snap.users) and not got.gaps
    listed = [r.at for r in user_requests(h)]
    batches = [r.at for r in h.emulator.requests if r.path == "/$batch"]
    assert held[0] and released[0]
    assert batches and min(batches) < max(listed)  # the first batch went out before the last page


# --- long partitions, narrowed ------------------------------------------------------------------

SECOND = "abcdefghijklmnopqrstuvwxyz0123456789'.-_!#^~$%&*+/=?`{|}"


def one_letter_tenant(n: int = 300) -> TenantSnapshot:
    """Most users' UPNs start with 'm' followed by every character a UPN may hold there (one is
    'm@...' itself); the rest are spread over a few letters."""
    base = make_tenant(n, seed=11)
    users = []
    for i, u in enumerate(base.users):
        local = "m" if i == 0 else f"m{SECOND[i % len(SECOND)]}user{i}" if i % 5 else f"{'jasx'[i % 4]}user{i}"
        upn = f"{local}_example.org#EXT#@contoso.example" if u.user_type == "Guest" else f"{local}@contoso.example"
        users.append(u.with_values(user_principal_name=upn))
    return dataclasses.replace(base, users=tuple(users))


@pytest.fixture
def counted(partitioned, monkeypatch):
    """Pages of 20 users, and partitions counted however small the tenant."""
    monkeypatch.setattr(user_reads, "PAGE_SIZE", 20)  # read where users_path uses it
    monkeypatch.setattr(partitions, "COUNT_FROM_PAGES", 1)
    monkeypatch.setattr(partitions, "SPLIT_PAGES", 1)


def filters_read(h) -> list[str]:
    return [r.query["$filter"] for r in user_requests(h) if "$filter" in r.query]


def test_a_long_partition_is_read_as_narrower_ones(harness, counted):
    snap = one_letter_tenant()
    h = harness(snap)
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps and not got.notes  # every user, no second read
    read = filters_read(h)
    assert "startswith(userPrincipalName,'m')" not in read  # 240 users, 12 pages: longer than 4
    assert "startswith(userPrincipalName,'ma')" in read and "startswith(userPrincipalName,'j')" in read
    pages = {f: read.count(f) for f in read}
    assert max(pages.values()) <= 8  # twice 15 pages over 4 streams
    counts = [r.query.get("$filter") for r in h.emulator.requests_to(r"/users/\$count")]
    assert "startswith(userPrincipalName,'m')" in counts and counts.count(None) == 2  # before and after
    total = len(partitions.partitions()) + len(partitions.FOLLOWING) - 1  # 'm' became its narrower ones
    assert f" of {total} partitions done)" in h.stderr.getvalue()


def test_narrowed_partitions_are_read_by_more_streams_than_first_characters(harness, counted, monkeypatch, readers):
    """With the partitions counted, the budget's streams are not capped at the first characters:
    'm' narrowed gives the streams beyond them work of their own. Counted as the streams that read a
    partition (what the read decided), not as requests in flight (what a busy machine lets run)."""
    monkeypatch.setattr(partitions, "MAX_STREAMS", 48)
    snap = one_letter_tenant(3000)  # 'm': 120 pages of 20; 'j', 'a', 's', 'x': 8 pages each
    h = harness(snap)
    h.emulator.latency = (0.3, 0.0)  # 'j' (a count, then 8 pages) still read when 'm''s count is in
    got = h.collect(need_sign_in=True, concurrency=None)  # the budget's streams (8,000 units: 200)
    assert by_id(got) == by_id(snap) and not got.gaps and not got.notes
    assert "reading /users in 48 partitions at once" in h.stderr.getvalue()
    [reader] = readers
    # 29 streams take the first characters; the other 19 wait for 'm''s count and take its narrower ones
    assert reader.streams_read > len(partitions.partitions())  # never more than 29 before
    assert any("'ma'" in f for f in filters_read(h))


def test_a_partition_whose_count_fails_is_read_whole(harness, counted):
    snap = one_letter_tenant()
    failed = Fault(FaultKind.UNAVAILABLE, r"\$count\?\$filter=startswith\(userPrincipalName,'m'\)", count=None)
    h = harness(snap, faults=[failed])
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps and not got.notes
    read = filters_read(h)
    assert "startswith(userPrincipalName,'m')" in read and not any("'ma'" in f for f in read)


def test_a_small_tenant_counts_no_partition(harness, partitioned, monkeypatch):
    monkeypatch.setattr(user_reads, "SIGN_IN_PAGE_SIZE", 20)
    snap = one_letter_tenant()  # 15 pages, fewer than COUNT_FROM_PAGES
    h = harness(snap)
    got = h.collect(need_sign_in=True)
    assert by_id(got) == by_id(snap) and not got.gaps
    assert [r.query.get("$filter") for r in h.emulator.requests_to(r"/users/\$count")] == [None, None]
    assert "startswith(userPrincipalName,'m')" in filters_read(h)


def test_narrower_partitions_cover_their_prefix():
    m = partitions.Partition(("m",))
    subs = m.narrower()
    prefixes = [p for sub in subs for p in sub.prefixes]
    assert sorted(prefixes) == sorted("m" + c for c in SECOND + "@")
    assert all(len(sub.prefixes) <= 12 for sub in subs)
    digits = partitions.Partition(tuple("0123456789"))
    assert digits.narrower() == digits.split() and len(digits.split()) == 10
    assert partitions.Partition(("m" * partitions.MAX_PREFIX,)).narrower() == []
    quoted = partitions.Partition(("m'",)).filter
    assert quoted == "startswith(userPrincipalName,'m''')"


def test_findings_of_a_narrowed_read_are_those_of_one_chain(harness, counted):
    from auditor.graph.collector import MailboxCheck

    snap = one_letter_tenant()
    one = harness(snap).collect(("Sales Team",), need_sign_in=True, mailboxes=MailboxCheck(90), concurrency=1)
    narrowed = harness(snap)
    many = narrowed.collect(("Sales Team",), need_sign_in=True, mailboxes=MailboxCheck(90), concurrency=4)
    assert "startswith(userPrincipalName,'ma')" in filters_read(narrowed)
    assert by_id(one) == by_id(many) and one.groups == many.groups
    assert _findings(one) == _findings(many)


def test_the_users_come_in_their_partitions_order_whichever_chain_started_first():
    """A chain starts when a stream is free (after its count, in a counted read), so the chains
    start in an order that differs from run to run; the snapshot keeps the partitions' order, so
    every list in the snapshot's order (the license list) is the same on every run."""
    gathered = partitions.Gathered()
    late, first, digits = gathered.chain(("m",)), gathered.chain(("a",)), gathered.chain(("0", "1"))
    users = make_tenant(6).users
    gathered.add(late, list(users[:2]), "/users")
    gathered.add(first, list(users[2:4]), "/users")
    gathered.add(digits, list(users[4:]), "/users")
    assert [u.id for u in gathered.users()] == [u.id for u in (*users[4:], *users[2:4], *users[:2])]


def test_a_narrowed_read_keeps_its_partitions_order(harness, counted):
    snap = one_letter_tenant()
    h = harness(snap)
    got = h.collect(need_sign_in=True, concurrency=4)
    quoted = r"startswith\(userPrincipalName,'((?:[^']|'')*)'\)"  # a quote in a prefix is doubled
    read = {tuple(p.replace("''", "'") for p in re.findall(quoted, f)) for f in filters_read(h)}
    assert any(len(p[0]) > 1 for p in read)  # narrowed: 'm' was read as narrower partitions

    def partition(upn: str) -> tuple[str, ...]:
        [key] = [p for p in read if any(upn.lower().startswith(prefix.lower()) for prefix in p)]
        return key

    keys = [partition(u.user_principal_name) for u in got.users]
    assert keys == sorted(keys) and len(set(keys)) > 5
