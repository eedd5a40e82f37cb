"""The progress line: counts, rate, and an ETA once the total is known."""

from __future__ import annotations

import io
import re

import pytest

from auditor.graph.progress import Progress


def test_line_without_a_total_has_no_eta() -> None:
    p = Progress(io.StringIO())
    p.pages, p.users = 4, 2000
    assert p.line(2.0) == "collecting users: 2,000 in 4 pages, 1,000 users/s"


def test_one_page_is_said_as_one() -> None:
    """Native review 9, E19: "in 1 page", not "in 1 pages"."""
    p = Progress(io.StringIO())
    p.expect(265)
    p.pages, p.users = 1, 265
    assert p.line(1.0) == "collecting users: 265 of 265 (100%) in 1 page, 265 users/s, ETA 0s"


def test_line_with_a_total_has_share_and_eta() -> None:
    p = Progress(io.StringIO())
    p.expect(1_000_000)
    p.pages, p.users = 500, 250_000
    assert p.line(10.0) == "collecting users: 250,000 of 1,000,000 (25%) in 500 pages, 25,000 users/s, ETA 30s"
    p.users = 100_000
    assert p.line(100.0).endswith("1,000 users/s, ETA 15m00s")
    p.users = 10_000
    assert p.line(100.0).endswith("ETA 2h45m")


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    p = Progress(out, interval=0)
    p.expect(1000)
    p.users_page(500)
    p.users_page(500)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()
    assert lines[-1].startswith("collecting users: 1,000 of 1,000 (100%) in 2 pages") and lines[-1].endswith("ETA 0s")


def test_more_users_than_counted_never_reads_as_a_share_over_100_percent() -> None:
    p = Progress(io.StringIO())
    p.expect(3)
    p.pages, p.users = 230, 230
    line = p.line(1.0)
    assert line == "collecting users: 230 (more than the 3 GET /users/$count reported) in 230 pages, 230 users/s"
    assert "%" not in line and "ETA" not in line


def test_the_benchmarks_lines_say_when_they_were_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """With LICENSE_AUDITOR_TIMINGS=1 (the benchmarks) each line starts with its time since the start,
    from which benchmarks.nightly reads when the sign-in lane started and ended and the collection ended."""
    from benchmarks.nightly import timeline

    monkeypatch.setenv("LICENSE_AUDITOR_TIMINGS", "1")
    out = io.StringIO()
    p = Progress(out, interval=0)
    p.started -= 12.5
    p.note("signInActivity: 17,652 users' last successful sign-in in the kept read is before ...")
    p.note("read signInActivity in 36 requests (500 users a request)")
    p.finish(1_000, 40)
    lines = out.getvalue().splitlines()
    assert all(re.match(r"^\[ +12\.[56]s\] ", line) for line in lines), lines
    assert set(timeline(out.getvalue())) == {"lane_started_s", "lane_ended_s", "collected_s"}
    monkeypatch.delenv("LICENSE_AUDITOR_TIMINGS")
    plain = io.StringIO()
    Progress(plain, interval=0).note("signInActivity: no request")
    assert plain.getvalue() == "signInActivity: no request\n"
