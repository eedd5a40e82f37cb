"""`audit --tenants --baseline previous`: one budget a night for the app's sign-in lane
(auditor.fleet.sign_in_lane). The full reads the cadence asks for fit the budget, the longest waiting
first; the others wait, are named, and read what a night between two full reads reads."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from auditor.cli import build_parser
from auditor.delivery.matrix import read_tenants_file
from auditor.fleet.arguments import FleetOptions
from auditor.fleet.run import cmd_tenants, run_tenants
from auditor.fleet.sign_in_lane import LANE_FILE, Candidate, budget_requests, plan, schedule
from auditor.graph.kept_sign_ins import KEPT_FILE, SignInPlan, due, full_night, full_read_reason, load, save
from auditor.graph.pacing import forget_app_windows
from auditor_dev.emulator import GraphEmulator, app_token
from tests.delivery.test_rollup_rows import _job
from tests.graph.test_kept_sign_ins import POLICY, START, WINDOW, _sign_in_reads, _tenant

TENANT = "11111111-2222-3333-4444-555555555555"


def test_the_budget_is_the_requests_the_lane_answers_in_its_minutes() -> None:
    # 10 a minute: 140 requests' last one goes 13 minutes after the first
    assert budget_requests(13) == 140
    assert budget_requests(1) == 20
    assert budget_requests(14) == 150
    assert budget_requests(0.5) == 10  # the first minute's ten go at once
    assert budget_requests(0) == sys.maxsize  # no budget


def test_the_longest_waiting_read_first_and_none_passes_one_that_waits() -> None:
    night = START + timedelta(days=8)
    line = [
        Candidate("a", "app", 5, night - timedelta(days=7)),
        Candidate("b", "app", 6, night - timedelta(days=9)),  # waited two nights: first
        Candidate("c", "app", 1, night - timedelta(days=7)),
        Candidate("d", "app", 1, night - timedelta(days=7)),
    ]
    assert schedule(line, 10) == (["b"], ["a", "c", "d"])  # c and d would fit, but a waits before them
    assert schedule(line, 12) == (["b", "a", "c"], ["d"])
    assert schedule(line, 12, spent=12) == ([], ["b", "a", "c", "d"])  # the forced reads took the budget
    # a read larger than the budget is made when it is first in line, else it would never be
    assert schedule([Candidate("big", "app", 30, night)], 10) == (["big"], [])


def test_a_night_that_waited_stays_due_until_the_read_is_made() -> None:
    read_at = next(START + timedelta(days=d) for d in range(7) if full_night(TENANT, START + timedelta(days=d + 1), 7))
    assert due(TENANT, read_at, read_at + timedelta(days=1), 7)  # its night
    assert due(TENANT, read_at, read_at + timedelta(days=3), 7)  # its night came and the read waited
    assert not due(TENANT, read_at + timedelta(days=1), read_at + timedelta(days=3), 7)  # read on its night
    assert due(TENANT, read_at + timedelta(days=1), read_at + timedelta(days=8), 7)  # a week old


def test_the_fleets_verdict_sets_the_cadence_aside_but_never_the_window(tmp_path: Path) -> None:
    save(tmp_path / KEPT_FILE, TENANT, START, WINDOW, {})
    kept, why = load(tmp_path / KEPT_FILE)
    assert kept is not None
    week_old = START + timedelta(days=8)
    plan_ = SignInPlan(tmp_path, WINDOW, every=7)
    assert full_read_reason(plan_, kept, why, TENANT, week_old) == "the kept read is 8 days old"
    waits = SignInPlan(tmp_path, WINDOW, every=7, tonight=False)
    assert full_read_reason(waits, kept, why, TENANT, week_old) is None  # the filtered read tonight
    now = SignInPlan(tmp_path, WINDOW, every=7, tonight=True)
    assert "lane has room" in (full_read_reason(now, kept, why, TENANT, START + timedelta(hours=1)) or "")
    # older than the window allows: the filter cannot stand in for a full read, whatever the fleet says
    assert (
        full_read_reason(waits, kept, why, TENANT, START + timedelta(days=WINDOW))
        == f"the kept read is {WINDOW} days old"
    )
    # another tenant's file is read in full too
    assert full_read_reason(waits, kept, why, "99999999-2222-3333-4444-555555555555", week_old)


def test_the_plan_reads_the_kept_reads_and_names_those_that_wait(tmp_path: Path) -> None:
    night = START + timedelta(days=8)
    jobs = [_job(key) for key in ("a", "b", "c", "d")]
    for job, users in zip(jobs[:3], (2_400, 4_000, 300), strict=True):  # 5, 8 and 1 requests, each a week old
        (tmp_path / job.key).mkdir()
        save(
            tmp_path / job.key / KEPT_FILE,
            job.tenant_id,
            START,
            WINDOW,
            {f"u{i}": (None, None, None) for i in range(users)},
        )
    # d has no kept read: in full whatever the budget, its requests (one at least) counted first
    lane = plan(jobs, tmp_path, night, 7, 2)  # 30 requests
    assert lane.budget == 30 and lane.forced == ["d"]
    assert lane.verdicts == {"a": True, "b": True, "c": True}
    lane = plan(jobs, tmp_path, night, 7, 0.5)  # 10 requests: d's 1, a's 5, then b's 8 do not fit
    assert lane.verdicts == {"a": True, "b": False, "c": False} and lane.waiting == ["b", "c"]
    assert lane.requests == {"c": 6}  # by app (the tenants file's client id)
    assert "2 wait for a night with room (the filtered read tonight): b, c" in lane.say()
    written = json.loads(lane.write(tmp_path).read_text("utf-8"))
    assert written["waiting"] == ["b", "c"] and written["full_reads"] == ["a", "d"]
    assert written["budget_requests_per_app"] == 10 and written["without_kept_read"] == ["d"]
    # the night after a's read (of no user: one request): b and c still due, b (older key) first; a only
    # when the next night is its tenant's night, and then last in line (its read is the newest)
    save(tmp_path / "a" / KEPT_FILE, jobs[0].tenant_id, night, WINDOW, {})
    later = plan(jobs, tmp_path, night + timedelta(days=1), 7, 0.5)  # d's 1, b's 8, c's 1
    expected = {"b": True, "c": True}
    if full_night(jobs[0].tenant_id, night + timedelta(days=1), 7):
        expected["a"] = False
    assert later.verdicts == expected


def _fleet(tmp_path: Path, url: str, *extra: str) -> FleetOptions:
    (tmp_path / "policy.yaml").write_text(POLICY, "utf-8")
    (tmp_path / "tenants.yaml").write_text(
        f"tenants:\n  - name: Acme\n    tenant_id: {_tenant(600).tenant_id}\n    graph_endpoint: {url}\n"
        f"    client_id: 00000000-0000-0000-0000-00000000e301\n    policies: policy.yaml\n",
        "utf-8",
    )
    args = build_parser().parse_args(
        [
            *("audit", "--tenants", str(tmp_path / "tenants.yaml"), "--auth", "token"),
            *("--output-dir", str(tmp_path / "out"), "--fail-on", "never"),
            *("--baseline", "previous", *extra),
        ]
    )
    return FleetOptions.of(args)


def test_a_tenant_whose_read_waits_reads_the_filter_and_one_with_room_reads_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real audit against the emulator: the first night reads in full (no kept read), a week later
    the cadence asks for a full read; with the fleet's verdict `wait` the tenant sends the filtered
    request instead, and with room in the budget it reads in full, named in sign-in-lane.json."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)  # the tenants file's paths are the repository's, relative
    snap = _tenant(600)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", app_token(snap.tenant_id))
    out = tmp_path / "out" / "acme"
    week_later = START + timedelta(days=8)
    with GraphEmulator(snap, token=app_token(snap.tenant_id)) as graph:
        forget_app_windows()
        assert cmd_tenants(_fleet(tmp_path, graph.url, "--as-of", START.isoformat())) == 0
        assert _sign_in_reads(graph)[0] and (out / KEPT_FILE).is_file()  # the first night's full read
        assert json.loads((tmp_path / "out" / LANE_FILE).read_text("utf-8"))["without_kept_read"] == ["acme"]
        graph.requests.clear()
        forget_app_windows()
        options = _fleet(tmp_path, graph.url, "--as-of", week_later.isoformat())
        jobs = read_tenants_file(Path(options.tenants)).jobs
        waits = dataclasses.replace(options, lane={"acme": False})
        [outcome] = run_tenants(waits, jobs, tmp_path / "out")
        assert outcome.status == "ok", (out / "audit.log").read_text("utf-8")
        full, filtered = _sign_in_reads(graph)
        assert (full, len(filtered)) == ([], 1)  # the read waited: tonight's filter, as between two full reads
        graph.requests.clear()
        forget_app_windows()
        assert cmd_tenants(options) == 0
        full, filtered = _sign_in_reads(graph)
    assert (len(full), filtered) == (2, [])
    lane = json.loads((tmp_path / "out" / LANE_FILE).read_text("utf-8"))
    assert lane["full_reads"] == ["acme"] and lane["waiting"] == []
    assert "the fleet's sign-in lane has room" in (out / "audit.log").read_text("utf-8")
    assert "sign-in lane: 1 full read tonight, 2 requests" in capsys.readouterr().err
    kept, _ = load(out / KEPT_FILE)
    assert kept is not None and kept.read_at == week_later.strftime("%Y-%m-%dT%H:%M:%SZ")
    # the nightly's tenant not e-mailed tonight: the files the next night, the roll-up and plan read, no pages
    written = {p.name for p in out.iterdir() if p.is_file()}
    assert {"report.json", "findings.csv", "licensed-users.csv"} <= written
    assert not written & {"report.html", "report.md", "digest.html", "digest.txt"}


def test_the_nightly_writes_the_pages_of_the_tenants_it_mails(tmp_path: Path) -> None:
    options = _fleet(tmp_path, "https://graph.example")
    assert options.pages == "mailed"
    assert [f.value for f in options.tenant_formats(mailed=False)] == ["json", "csv"]
    assert [f.value for f in options.tenant_formats(mailed=True)] == ["json", "html", "md", "csv"]
    every = _fleet(tmp_path, "https://graph.example", "--tenant-reports", "all").tenant_formats(mailed=False)
    assert len(every) == 4
    only_html = _fleet(tmp_path, "https://graph.example", "--format", "html")
    assert [f.value for f in only_html.tenant_formats(mailed=False)] == ["html"]  # what --format asks, at least


def test_a_shards_lane_budget_is_its_shares_slots(tmp_path: Path) -> None:
    """A shard with half of an app's lane (LaneShare 1/2: every other 6.3 s slot) budgets the slots of
    its share within the minutes: 2 minutes are 9 requests, not the 10 of the whole lane; said, and
    written in sign-in-lane.json."""
    from auditor.graph.lane_share import LaneShare  # the share, for this test alone

    night = START + timedelta(days=8)
    jobs = [_job(key) for key in ("a", "b", "c", "d")]
    for job, users in zip(jobs[:3], (2_400, 1_500, 300), strict=True):  # 5, 3 and 1 requests, a week old
        (tmp_path / job.key).mkdir()
        save(
            tmp_path / job.key / KEPT_FILE,
            job.tenant_id,
            START,
            WINDOW,
            {f"u{i}": (None, None, None) for i in range(users)},
        )
    whole = plan(jobs, tmp_path, night, 7, 2)
    assert whole.budget == 30 and whole.shared == {}
    shared = plan(jobs, tmp_path, night, 7, 2, {"c": LaneShare(1, 2)})  # the app of every _job is "c"
    assert shared.shared == {"c": 9}
    # d's 1 (no kept read) then a's 5, b's 3: 9; c's 1 waits
    assert shared.verdicts == {"a": True, "b": True, "c": False}
    assert "9 for c, this run's share" in shared.say()
    assert json.loads(shared.write(tmp_path).read_text("utf-8"))["budget_requests_of_the_share_by_app"] == {"c": 9}
