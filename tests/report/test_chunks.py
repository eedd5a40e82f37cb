"""Findings worked out a chunk at a time, by forked processes for an audit run alone
(auditor.report.chunks): in order, an error in a chunk raised as in one process, a killed process's
chunks worked out here, no process outliving the audit, and an audit among many (auditor.fleet runs
them in threads) never forks. That the report files are byte for byte those one process writes is
in test_streamed_findings.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor import commands
from auditor.cli import build_parser, main
from auditor.common.outputs import output_lock
from auditor.pipeline import output as output_stage
from auditor.pipeline.arguments import AuditOptions
from auditor.report import chunks
from tests.core.factory import sample_audit_argv, watch_command

ROOT = Path(__file__).resolve().parents[2]


def _pid(items: Sequence[int]) -> tuple[list[int], int]:
    return list(items), os.getpid()


def test_in_one_process_the_chunks_come_in_order() -> None:
    items = list(range(10))
    seen = list(chunks.in_chunks(items, _pid, workers=1))
    assert [part for part, _ in seen] == [items]
    assert {pid for _, pid in seen} == {os.getpid()}


def test_forked_processes_work_the_chunks_out_in_order(forked_chunks: int) -> None:
    items = list(range(100))
    seen = list(chunks.in_chunks(items, _pid, workers=2))
    assert [part for part, _ in seen] == [items[i : i + forked_chunks] for i in range(0, 100, forked_chunks)]
    pids = {pid for _, pid in seen}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_an_error_in_a_forked_chunk_is_raised_here(forked_chunks: int) -> None:
    def work(items: Sequence[int]) -> int:
        if 50 in items:
            raise ValueError("chunk with 50")
        return len(items)

    with pytest.raises(ValueError, match="chunk with 50"):
        list(chunks.in_chunks(list(range(100)), work, workers=2))


def test_when_a_forked_process_is_killed_the_rest_is_worked_out_here(
    forked_chunks: int, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = os.getpid()

    def work(items: Sequence[int]) -> list[int]:
        if 50 in items and os.getpid() != parent:
            os._exit(9)  # as the kernel's out-of-memory killer ends a process: no exception, no result
        return list(items)

    items = list(range(100))
    assert [i for part in chunks.in_chunks(items, work, workers=2) for i in part] == items
    assert "ended unexpectedly" in capsys.readouterr().err


_ORPHAN = r"""
import os, sys, time
from pathlib import Path
from auditor.common.outputs import output_lock
from auditor.report import chunks
chunks.CHUNK = 1

def work(items):
    os.write(1, f"{os.getpid()}\n".encode())  # one write: the two processes' lines never interleave
    time.sleep(120)
    return items

with output_lock(Path(sys.argv[1])):
    for _ in chunks.in_chunks(list(range(4)), work, workers=2):
        pass
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie nobody reaped has ended too


def test_when_the_audit_is_killed_its_processes_die_and_free_the_output_directory(
    tmp_path: Path, forked_chunks: int
) -> None:
    """A forked process holds the audit's lock on the output directory: were it to outlive an audit
    killed by the out-of-memory killer, every later run into the directory would exit 2."""
    audit = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert audit.stdout is not None
    try:
        workers = [int(audit.stdout.readline()) for _ in range(2)]
    finally:
        audit.kill()
        audit.wait()
    deadline = time.monotonic() + 10
    while not all(map(_gone, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(_gone, workers))
    with output_lock(tmp_path):  # the next run may write
        pass


def test_ctrl_c_stops_the_audit_and_not_its_processes_first(forked_chunks: int) -> None:
    parent = os.getpid()

    def work(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C reaches every process of the terminal's group
        return list(items)

    items = list(range(100))
    assert [i for part in chunks.in_chunks(items, work, workers=2) for i in part] == items


def test_no_more_processes_than_the_cap_or_the_chunks(monkeypatch: pytest.MonkeyPatch, forked_chunks: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert chunks.available_workers() == chunks.MAX_WORKERS == 8
    forked: list[int] = []

    class Pool(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: Any) -> None:
            forked.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(chunks, "ProcessPoolExecutor", Pool)
    seen = list(chunks.in_chunks(list(range(2 * forked_chunks)), _pid, workers=8))
    assert [part for part, _ in seen] == [list(range(forked_chunks)), list(range(forked_chunks, 2 * forked_chunks))]
    assert forked == [2]  # two chunks: two processes, not eight


def test_nothing_forks_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert chunks.available_workers() == 1


def _watch_workers(monkeypatch: pytest.MonkeyPatch, seen: list[int]) -> None:
    """The `workers` cmd_audit hands render, on a machine of 4 cores."""
    watch_command(monkeypatch, "render", lambda *args, **kwargs: seen.append(args[2].workers))
    monkeypatch.setattr(output_stage, "available_workers", lambda: 4)


def test_an_audit_alone_hands_its_findings_to_the_machines_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    _watch_workers(monkeypatch, seen)
    assert main(sample_audit_argv(tmp_path)) == 0
    assert seen == [4]


def test_an_audit_among_many_works_its_findings_out_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """auditor.fleet runs each tenant's audit in a thread, with its own environment: a process
    forked beside other threads could start with a lock one of them holds."""
    seen: list[int] = []
    _watch_workers(monkeypatch, seen)
    options = AuditOptions.of(build_parser().parse_args(sample_audit_argv(tmp_path)))
    assert commands.run_audit(replace(options, environment=dict(os.environ))) == 0
    assert seen == [1]
