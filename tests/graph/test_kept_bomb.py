"""A kept sign-in file (auditor.graph.kept_sign_ins) that is a gzip bomb: a small file whose one line
decompresses to far more than a line of the file ever holds. The audit (load) and the matrix planner's
lanes (header, load_quiet) refuse it as a named gap after reading at most one line's bound, never the
whole line into memory (a 1.5 MB file used to cost 3.2 GB)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from auditor.graph.kept_sign_ins import MAX_LINE, SCHEMA, header, load, load_quiet

HEADER = {"schema": SCHEMA, "tenant_id": "t", "read_at": "2026-11-01T00:00:00Z", "window_days": 90, "count": 1}
BOMB = 64 * 1024 * 1024  # decompressed bytes of the one line: far past MAX_LINE


def _bomb(path: Path, *, first: bool) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as fh:
        if not first:
            fh.write(json.dumps(HEADER, separators=(",", ":")).encode() + b"\n")
        block = b" " * (1024 * 1024)
        for _ in range(BOMB // len(block)):
            fh.write(block)
    return path


def test_a_bomb_after_the_header_is_a_gap_read_within_the_bound(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "kept.jsonl.gz", first=False)
    assert path.stat().st_size < BOMB // 500
    tracemalloc.start()
    try:
        kept, why = load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept is None and "past" in why and "once decompressed" in why, why
    assert peak < 4 * MAX_LINE < BOMB // 4  # one line's bound, not the line
    kept, why, quiet = load_quiet(path, datetime(2026, 10, 1, tzinfo=UTC))  # the matrix planner's read
    assert kept is None and "once decompressed" in why and quiet == []


def test_a_bomb_as_the_first_line_has_no_header(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "kept.jsonl.gz", first=True)
    tracemalloc.start()
    try:
        found = header(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found is None
    assert peak < 4 * MAX_LINE
