"""benchmarks/same_findings.py, the before/after check of issue 49: the run clock is masked, a
date-time the emulator's clock moved passes only as one shift within the runs' distance, and any
other byte fails."""

from __future__ import annotations

from datetime import timedelta

from benchmarks.same_findings import same

REPORT = b'{\n  "generated_at": "2026-11-25T14:07:37Z",\n  "disabled_at": "2026-10-26T14:08:33Z", "n": 1}\n'


def test_only_the_run_clock_may_differ() -> None:
    later = REPORT.replace(b"14:07:37", b"15:00:00")
    assert same(REPORT, later, None)  # generated_at is the run's clock
    assert not same(REPORT, REPORT.replace(b'"n": 1', b'"n": 2'), None)
    row = b"| Report generated | Nov 25, 2026, 14\\:08 UTC |"
    assert same(row, row.replace(b"14\\:08", b"14\\:11"), None)


def test_a_moved_date_time_passes_as_one_shift_within_the_runs_distance() -> None:
    moved = REPORT.replace(b"2026-10-26T14:08:33Z", b"2026-10-26T14:12:20Z")
    assert same(REPORT, moved, timedelta(minutes=4))
    assert not same(REPORT, moved, timedelta(minutes=3))  # moved further than the runs were apart
    assert not same(REPORT, moved, None)  # no distance known: nothing may move
    two = REPORT.replace(b'"n": 1', b'"n": "2026-10-26T14:08:33Z"')
    apart = two.replace(b"14:08:33", b"14:12:20", 1).replace(b"14:08:33", b"14:10:00")
    assert not same(two, apart, timedelta(minutes=4))  # two shifts: not one clock
