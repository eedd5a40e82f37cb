"""benchmarks.msp's counts of the second night: each tenant's kept full read written as the nightly
keeps it and read back through kept_sign_ins.load (a kept read built by hand has no file, and its
times cannot be read), for `--week` and for the emulators of `--second-night`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.graph.kept_sign_ins import KEPT_FILE, SCHEMA, KeptRead, full_night, load, times
from benchmarks.msp import FULL_EVERY, SECOND, planned_sign_ins, tenants, week


def test_a_kept_read_without_its_file_says_so() -> None:
    kept = KeptRead(SCHEMA, "t", "2026-11-01T06:00:00Z", 90, 0)  # not from load(): no path
    with pytest.raises(ValueError, match="kept read of tenant t has no file"):
        next(times(kept))


def test_the_week_counts_every_tenant_each_night() -> None:
    rows = week(4, 7, 300)
    assert len(rows) == FULL_EVERY
    for row in rows:
        assert row["full_reads"] + row["filtered"] + row["no_request"] == 4
        assert row["sign_in_requests"] >= row["filtered"]
        assert row["waiting"] == 0  # 4 small tenants fit any budget
    assert sum(row["full_reads"] for row in rows) == 4  # one full night each


def test_the_weeks_full_reads_wait_their_turn_within_the_budget() -> None:
    """12 tenants read in full every night (--full-every 1) with a lane of 10 requests (half a minute):
    10 a night, the two left over first the next night, every tenant in turn."""
    rows = week(12, 7, 300, every=1, minutes=0.5, nights=3)
    assert [row["full_read_requests"] for row in rows] == [10, 10, 10]
    assert [row["waiting"] for row in rows] == [2, 2, 2]
    # the two that waited go first the next night: those left waiting are always read the night before
    assert [row["waiting_oldest_days"] for row in rows] == [1, 1, 1]
    assert all(row["lane_floor_s"] < 60 for row in rows)  # the full reads all go in the lane's first minute


def test_the_second_night_plan_keeps_each_tenants_full_read(tmp_path: Path) -> None:
    for n, tenant in enumerate(tenants(2, 7, successful=True), start=1):
        folder = tmp_path / f"customer-{n:04d}"
        planned = planned_sign_ins(tenant, full_night(tenant.tenant_id, SECOND, FULL_EVERY), folder)
        kept, why = load(folder / KEPT_FILE)
        assert kept is not None and why == "" and kept.tenant_id == tenant.tenant_id
        assert kept.count == len(tenant.users) and planned >= 0


def test_the_second_night_runs_every_tenant_with_its_own_token(tmp_path: Path) -> None:
    """`--second-night` end to end at a tiny size, the fleet split over two apps: each tenant audited
    with its own emulator's token (the tenants file holds none; each tenant's `client_id` its app's),
    every tenant read whole, the checked one's findings.csv equal."""
    root = Path(__file__).parents[2]
    tiny = ["--tenants", "2", "--second-night", "--latency-ms", "0", "--check", "1", "--no-budgets", "--apps", "2"]
    # a crash (issue 110 saw one run end by signal 11) names its signal and, with faulthandler on in this
    # process and the audits it starts, where each thread was: the traceback ends the stderr quoted
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.msp", *tiny, "--keep", str(tmp_path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    died = f"killed by {signal.Signals(-run.returncode).name}: " if run.returncode < 0 else ""
    assert run.returncode == 0, died + run.stderr[-6000:]
    result = json.loads(run.stdout)
    assert result["status"] == {"ok": 2, "incomplete": 0, "failed": 0}
    assert result["findings_csv_equal_alone"] == "1/1"
    assert result["sign_in_requests_sent"] == result["sign_in_requests_expected"]
    assert (tmp_path / "out" / "customer-0002" / KEPT_FILE).is_file()
    assert result["apps"] == 2
    # the CPU a tenant costs and the machine's load beside the wall time (a shared machine's wall says both)
    assert abs(result["cpu_ms_per_tenant"] - result["cpu_s"] * 1000 / 2) <= 50  # cpu_s is rounded to 0.1 s
    assert len(result["load_average_before"]) == len(result["load_average_after"]) == 3
    assert result["tenant_reports"] == "mailed"  # the nightly's: no tenant is e-mailed here, so no pages
    assert not (tmp_path / "out" / "customer-0001" / "report.html").exists()
    assert (tmp_path / "out" / "customer-0001" / "report.json").is_file()
    text = (tmp_path / "tenants.yaml").read_text("utf-8")
    assert len({line.split(":", 1)[1].strip() for line in text.splitlines() if "client_id:" in line}) == 2
