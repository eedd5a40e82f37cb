"""The night's shards planned from the apps' sign-in lanes (auditor.delivery.lanes, through
`python -m auditor.delivery.matrix --night`): each tenant's sign-in requests from its kept read, the
apps of the tenants file, the CPU a tenant costs; a plan whose lanes cannot hold the night is
refused (exit 6) naming the apps that are over and how many more the night needs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from auditor.delivery.lanes import EXIT_TOO_FEW_APPS, Need, app_shares, needs, of_app, plan, slice_of
from auditor.delivery.matrix import TenantJob, load_tenants, main
from auditor.formats.report_model import Users
from auditor.graph.kept_sign_ins import KEPT_FILE, due, save
from auditor.graph.lane_share import LaneShare, share_floor
from tests.documents import empty_summary, report_document

NOW = "2026-11-28T03:00:00Z"


def _app(n: int) -> str:
    return f"00000000-0000-0000-0000-00000000e3{n:02d}"


def _file(tmp_path: Path, tenants: int, apps: int) -> Path:
    lines = ["tenants:"]
    for n in range(1, tenants + 1):
        lines += [
            f"  - name: Customer {n:04d}",
            f"    tenant_id: 00000000-0000-0000-0001-{n:012d}",
            f"    client_id: {_app((n - 1) % apps + 1)}",
        ]
    path = tmp_path / "tenants.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_too_few_apps_for_the_night_is_refused_naming_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """960 tenants without a kept read (a request each) on 3 apps, a night of 30 minutes: each app has
    320 requests, 1,860.3 s of its lane alone (10 a minute), past the night less its last minute; a lane
    holds 276 requests in it (6.3 s slots): refused, exit 6, each app named, 4 apps needed, 1 more;
    nothing written for the workflow to run."""
    output = tmp_path / "out"
    code = main(
        ["--file", str(_file(tmp_path, 960, 3)), "--night", "30m", "--as-of", NOW, "--github-output"],
        environ={"GITHUB_OUTPUT": str(output)},
    )
    err = capsys.readouterr().err
    assert code == EXIT_TOO_FEW_APPS == 6
    assert all(f"app {_app(n)}: 320 sign-in requests, 31.0 min of its lane" in err for n in (1, 2, 3))
    assert "The night needs 4 apps: register 1 more" in err
    assert not output.exists()


def test_enough_apps_make_a_plan_the_workflow_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """900 tenants on 4 apps: 225 requests an app fit (at 10 a minute and an answer: 1,320.3 s); by
    app, each app's 225 tenants' CPU (2 s each here) needs one shard of the night: 4 shards, each one
    app's (`--app`), all run at once (parallel=4)."""
    output = tmp_path / "out"
    args = ["--file", str(_file(tmp_path, 900, 4)), "--night", "30m", "--as-of", NOW, "--cpu-per-tenant", "2"]
    code = main([*args, "--github-output"], environ={"GITHUB_OUTPUT": str(output)})
    captured = capsys.readouterr()
    assert code == 0, captured.err
    matrix = json.loads(captured.out)
    assert matrix == {"include": [{"app": _app(n), "index": str(n), "shard": "1/1"} for n in range(1, 5)]}
    assert output.read_text().splitlines()[1:] == ["count=900", "parallel=4"]
    summary = json.loads(captured.err)
    assert summary["sign_in_requests_by_app"] == {_app(n): 225 for n in range(1, 5)}
    assert summary["lane_s_by_app"] == {_app(n): 1320.3 for n in range(1, 5)}
    assert summary["apps_needed"] == 4 and summary["apps_over"] == []


def test_slices_of_the_whole_file_share_each_app_between_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--slices: the tenants' CPU (900 x 2 s) needs 2 slices of the 30 minutes, each holding tenants of
    every app; each app's lane in each slice is its share's (1/2, 2/2) floor of that slice's requests."""
    args = ["--file", str(_file(tmp_path, 900, 4)), "--night", "30m", "--as-of", NOW, "--cpu-per-tenant", "2"]
    code = main([*args, "--slices"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out)["include"] == [
        {"app": "", "index": "1", "shard": "1/2"},
        {"app": "", "index": "2", "shard": "2/2"},
    ]
    summary = json.loads(captured.err)
    jobs = load_tenants(tmp_path / "tenants.yaml")
    for n in range(1, 5):
        parts = [sum(1 for j in jobs if j.client_id == _app(n) and slice_of(j.key, 2) == k) for k in (1, 2)]
        floors = [share_floor(r, LaneShare(k, 2), latency=0.3) for k, r in zip((1, 2), parts, strict=True)]
        assert summary["lane_s_by_app"][_app(n)] == round(max(floors), 1)


def test_one_app_over_while_another_has_room_asks_to_move_tenants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two apps, 400 tenants on one and 4 on the other: two lanes would hold the 404 requests, the one
    app's cannot hold its 400: refused, naming it, asking to move tenants rather than add apps."""
    path = _file(tmp_path, 404, 1)
    text = path.read_text("utf-8").split("\n")
    for line, n in ((3 * i + 3, i) for i in range(400, 404)):
        assert text[line] == f"    client_id: {_app(1)}", n
        text[line] = f"    client_id: {_app(2)}"
    path.write_text("\n".join(text), "utf-8")
    assert main(["--file", str(path), "--night", "30m", "--as-of", NOW]) == EXIT_TOO_FEW_APPS
    err = capsys.readouterr().err
    assert f"the sign-in lanes of {_app(1)} cannot hold the night" in err
    assert "2 apps would if the tenants were spread evenly: move some of their tenants" in err


def test_the_shards_too_many_to_run_at_once_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "--file",
            str(_file(tmp_path, 40, 4)),
            "--night",
            "30m",
            "--as-of",
            NOW,
            "--cpu-per-tenant",
            "600",
            "--parallel",
            "8",
        ]
    )
    assert code == EXIT_TOO_FEW_APPS  # each app's 10 tenants' 6,000 s of CPU: 4 shards an app
    assert "needs 16 shards at once, and 8 jobs run at once" in capsys.readouterr().err


def test_each_tenants_requests_come_from_its_kept_read(tmp_path: Path) -> None:
    """A kept read whose full read is due: ceil(users / 500); one not due: the filtered read of the
    users quiet since the cutoff (none: no request); none kept: a full read of the users its last
    report counted, else of 500 users."""
    now = datetime(2026, 11, 28, 3, tzinfo=UTC)
    read_at = now - timedelta(days=1)
    jobs = [
        TenantJob(f"t{n}", f"T{n}", f"00000000-0000-0000-0001-{n:012d}", _app(1), "worldwide", "", "", "p", "high")
        for n in range(1, 40)
    ]
    # the first not due tonight, the first due tonight, by the cadence's hash of the tenant id
    quiet_one = next(j for j in jobs if not due(j.tenant_id, read_at, now, 7))
    full_one = next(j for j in jobs if due(j.tenant_id, read_at, now, 7))
    old, recent = "2026-01-01T00:00:00Z", "2026-11-20T00:00:00Z"
    for job, quiet in ((quiet_one, 600), (full_one, 0)):
        times = {f"u{i}": (None, None, old if i < quiet else recent) for i in range(1_200)}
        (tmp_path / "shard-1" / job.key).mkdir(parents=True)
        save(tmp_path / "shard-1" / job.key / KEPT_FILE, job.tenant_id, read_at, 90, times)
    got = {n.key: n for n in needs(jobs, [tmp_path], now)}
    assert got[full_one.key] == Need(full_one.key, _app(1), 3, True)
    assert got[quiet_one.key] == Need(quiet_one.key, _app(1), 2, False)  # 600 quiet: two pages
    other = next(j for j in jobs if j not in (quiet_one, full_one))
    assert got[other.key] == Need(other.key, _app(1), 1, None)
    # no kept read, but last night's report counted 1,700 users: a full read of four pages
    (tmp_path / "shard-2" / other.key).mkdir(parents=True)
    users = Users(total=1_700, licensed=1_200)
    report = report_document(summary=msgspec.structs.replace(empty_summary(), users=users))
    (tmp_path / "shard-2" / other.key / "report.json").write_bytes(msgspec.json.encode(report))
    assert needs([other], [tmp_path], now) == [Need(other.key, _app(1), 4, None)]
    # a file report.json's reader refuses (a part of one) counts as none: the floor's one page
    (tmp_path / "shard-2" / other.key / "report.json").write_text('{"summary": {"users": {"total": 1700}}}', "utf-8")
    assert needs([other], [tmp_path], now) == [Need(other.key, _app(1), 1, None)]


def test_a_shards_share_of_an_app_is_its_place_among_the_shards_holding_the_apps_tenants() -> None:
    """Every shard works the same N out of the whole file: an app whose tenants fall in shards 1 and 3
    of 3 is shared 1/2 and 2/2 there, and shard 2 has no share of it; the plan gives each app's lane
    in each shard the floor of that share."""
    jobs = [
        TenantJob(key, key, "00000000-0000-0000-0001-000000000001", _app(1), "worldwide", "", "", "p", "high")
        for key in ("a", "b", "c", "d", "e", "f")
    ]
    held = sorted({slice_of(j.key, 3) for j in jobs})
    for k in range(1, 4):
        shares = app_shares(jobs, (k, 3))
        assert shares == ({_app(1): LaneShare(held.index(k) + 1, len(held))} if k in held else {})
    done = plan([Need(j.key, j.client_id, 10, True) for j in jobs], 1800, shards=3, by_app=False)
    parts = [10 * sum(1 for j in jobs if slice_of(j.key, 3) == k) for k in held]
    assert done.lane_s[_app(1)] == max(
        share_floor(r, LaneShare(i + 1, len(held)), latency=0.3) for i, r in enumerate(parts)
    )


def test_the_shards_of_one_app_are_its_tenants_sliced() -> None:
    """--app CLIENT_ID with --shard K/N: slice K of that app's tenants; their shares are of those
    slices alone (the matrix planned by app: each shard one app's)."""
    jobs = [
        TenantJob(
            f"t{n}", f"T{n}", f"00000000-0000-0000-0001-{n:012d}", _app(n % 2 + 1), "worldwide", "", "", "p", "high"
        )
        for n in range(1, 21)
    ]
    mine = of_app(jobs, _app(2).upper())
    assert [j.key for j in mine] == [f"t{n}" for n in range(1, 21) if n % 2 == 1]
    assert {tuple(app_shares(mine, (k, 2))) for k in (1, 2)} == {(_app(2),)}
