"""report.json's and findings.csv's findings worked out a chunk at a time, by forked processes for
an audit run alone (auditor.report.chunks): the files are byte for byte those one process writes,
an error in a chunk fails the write as it does in one process, and an audit among many (auditor.fleet
runs them in threads) never forks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor import commands, wording
from auditor.cli import build_parser, main
from auditor.engine import evaluate
from auditor.enums import Format
from auditor.errors import UsageError
from auditor.model import AuditResult, Locale
from auditor.outputs import output_lock
from auditor.plan.summary import header_plan
from auditor.policy_load import load_policies
from auditor.report import chunks
from auditor.report.document import FindingRemediation, build_document
from auditor.report.write import render
from auditor.snapshot.decode import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "policies" / "example.yaml"
AS_OF = datetime(2026, 11, 1, 6, tzinfo=UTC)
GENERATED = datetime(2026, 11, 1, 7, tzinfo=UTC)

forks = pytest.mark.skipif(chunks.available_workers() < 2, reason="forks on Linux with two cores or more")


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return evaluate(load_policies([str(EXAMPLE)]), load_snapshot(SAMPLE), AS_OF)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(chunks, "CHUNK", 7)
    return 7


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def _pid(items: Sequence[int]) -> tuple[list[int], int]:
    return list(items), os.getpid()


def test_in_one_process_the_chunks_come_in_order() -> None:
    items = list(range(10))
    seen = list(chunks.in_chunks(items, _pid, workers=1))
    assert [part for part, _ in seen] == [items]
    assert {pid for _, pid in seen} == {os.getpid()}


@forks
def test_forked_processes_work_the_chunks_out_in_order(small_chunks: int) -> None:
    items = list(range(100))
    seen = list(chunks.in_chunks(items, _pid, workers=2))
    assert [part for part, _ in seen] == [items[i:i + small_chunks] for i in range(0, 100, small_chunks)]
    pids = {pid for _, pid in seen}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


@forks
def test_an_error_in_a_forked_chunk_is_raised_here(small_chunks: int) -> None:
    def work(items: Sequence[int]) -> int:
        if 50 in items:
            raise ValueError("chunk with 50")
        return len(items)

    with pytest.raises(ValueError, match="chunk with 50"):
        list(chunks.in_chunks(list(range(100)), work, workers=2))


@forks
def test_when_a_forked_process_is_killed_the_rest_is_worked_out_here(
        small_chunks: int, capsys: pytest.CaptureFixture[str]) -> None:
    parent = os.getpid()

    def work(items: Sequence[int]) -> list[int]:
        if 50 in items and os.getpid() != parent:
            os._exit(9)  # as the kernel's out-of-memory killer ends a process: no exception, no result
        return list(items)

    items = list(range(100))
    assert [i for part in chunks.in_chunks(items, work, workers=2) for i in part] == items
    assert "ended unexpectedly" in capsys.readouterr().err


_ORPHAN = """
import os, sys, time
from pathlib import Path
from auditor.outputs import output_lock
from auditor.report import chunks
chunks.CHUNK = 1

def work(items):
    print(os.getpid(), flush=True)
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


@forks
def test_when_the_audit_is_killed_its_processes_die_and_free_the_output_directory(tmp_path: Path) -> None:
    """A forked process holds the audit's lock on the output directory: were it to outlive an audit
    killed by the out-of-memory killer, every later run into the directory would exit 2."""
    audit = subprocess.Popen([sys.executable, "-c", _ORPHAN, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert audit.stdout is not None
    workers = [int(audit.stdout.readline()) for _ in range(2)]
    audit.kill()
    audit.wait()
    deadline = time.monotonic() + 10
    while not all(map(_gone, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(_gone, workers))
    with output_lock(tmp_path):  # the next run may write
        pass


@forks
def test_ctrl_c_stops_the_audit_and_not_its_processes_first(small_chunks: int) -> None:
    parent = os.getpid()

    def work(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C reaches every process of the terminal's group
        return list(items)

    items = list(range(100))
    assert [i for part in chunks.in_chunks(items, work, workers=2) for i in part] == items


@forks
def test_no_more_processes_than_the_cap_or_the_chunks(monkeypatch: pytest.MonkeyPatch, small_chunks: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert chunks.available_workers() == chunks.MAX_WORKERS == 8
    forked: list[int] = []

    class Pool(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: Any) -> None:
            forked.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(chunks, "ProcessPoolExecutor", Pool)
    seen = list(chunks.in_chunks(list(range(2 * small_chunks)), _pid, workers=8))
    assert [part for part, _ in seen] == [list(range(small_chunks)), list(range(small_chunks, 2 * small_chunks))]
    assert forked == [2]  # two chunks: two processes, not eight


def test_nothing_forks_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert chunks.available_workers() == 1


def _bare(result: AuditResult, locale: Locale) -> tuple[dict[str, Any], FindingRemediation]:
    remediation = FindingRemediation.of(result, wording.remediation, locale=locale, actions=wording.actions)
    return build_document(result, generated_at=GENERATED, locale=locale), remediation


@forks
@pytest.mark.parametrize("formats", [(Format.JSON, Format.CSV), (Format.JSON,), tuple(Format)])
@pytest.mark.parametrize("locale", [Locale.EN, Locale.TR])
def test_the_files_forked_processes_write_are_one_processes(
        result: AuditResult, tmp_path: Path, small_chunks: int, formats: tuple[Format, ...], locale: Locale) -> None:
    bare, remediation = _bare(result, locale)
    assert len(bare["findings"]) > 3 * small_chunks
    plan = header_plan(bare, remediation.actions)
    for workers in (1, 2):
        render(bare, tmp_path / str(workers), formats=formats, locale=locale, plan=plan, remediation=remediation,
               workers=workers)
    assert _files(tmp_path / "2") == _files(tmp_path / "1")
    assert all(f["remediation"] is None for f in bare["findings"])


@forks
def test_a_failure_in_a_forked_process_leaves_the_last_files_and_no_temporary_file(
        result: AuditResult, tmp_path: Path, small_chunks: int) -> None:
    out = tmp_path / "out"
    bare, remediation = _bare(result, Locale.EN)
    render(bare, out, formats=(Format.JSON, Format.CSV), remediation=remediation, workers=2)
    before = _files(out)
    parent = os.getpid()

    def remediate(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if os.getpid() != parent:
            raise OSError(28, "No space left on device")
        return wording.remediation(*args, **kwargs)

    failing = FindingRemediation(remediate, cloud=remediation.cloud, locale=remediation.locale,
                                 names=remediation.names)
    with pytest.raises(UsageError, match=r"report\.json.*cannot write report: No space left on device"):
        render(bare, out, formats=(Format.JSON, Format.CSV), remediation=failing, workers=2)
    assert _files(out) == before
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


def _argv(tmp_path: Path) -> list[str]:
    return ["audit", "--snapshot", str(SAMPLE), "--policies", str(EXAMPLE), "--output-dir", str(tmp_path / "out"),
            "--format", "json", "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never"]


def _watch_workers(monkeypatch: pytest.MonkeyPatch, seen: list[int]) -> None:
    wrapped = commands.render

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["workers"])
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(commands, "render", watched)
    monkeypatch.setattr(commands, "available_workers", lambda: 4)


def test_an_audit_alone_hands_its_findings_to_the_machines_cores(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    _watch_workers(monkeypatch, seen)
    assert main(_argv(tmp_path)) == 0
    assert seen == [4]


def test_an_audit_among_many_works_its_findings_out_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """auditor.fleet runs each tenant's audit in a thread, with its own environment: a process
    forked beside other threads could start with a lock one of them holds."""
    seen: list[int] = []
    _watch_workers(monkeypatch, seen)
    args = build_parser().parse_args(_argv(tmp_path))
    args.environment = dict(os.environ)
    assert commands.cmd_audit(args) == 0
    assert seen == [1]
