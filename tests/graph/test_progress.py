"""The progress line: counts, rate, and an ETA once the total is known."""

from __future__ import annotations

import io

from auditor.graph.progress import Progress


def test_line_without_a_total_has_no_eta() -> None:
    p = Progress(io.StringIO())
    p.pages, p.users = 4, 2000
    assert p.line(2.0) == "collecting users: 2,000 in 4 pages, 1,000 users/s"


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
