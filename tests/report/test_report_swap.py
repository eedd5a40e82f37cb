"""The report folder moves in one step: an audit killed at any step of its writing and its swap leaves
report.json in the output folder (the last run's or its own, whole), previous/ a complete report, and
the next run finishes or undoes what it left. Through the real CLI: `audit` in a subprocess that kills
itself at its Nth change of the output folder (a rename, link, removal or new folder in it), so every
step is hit exactly, whatever the machine's load. Each step is a test of its own: one audit each, under the
suite's per-test timeout with a wide margin (the steps together, in one test, took longer than it on a busy
machine: the count of steps decided the verdict, not the code)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from auditor.common.run_record import RECORD, digest
from auditor.common.staging import recover
from auditor.pipeline.folder import run_files
from tests.killed_at import changes, killed_at

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"


def audit(out: Path, nth: int, *flags: str) -> subprocess.CompletedProcess[str]:
    argv = ["audit", "--snapshot", str(SAMPLE), "--policies", str(EXAMPLE), "--output-dir", str(out)]
    return killed_at(out, nth, [*argv, "--format", "json,csv", "--fail-on", "never", *flags])


def files(directory: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")}


def complete(directory: Path) -> dict[str, str]:
    """The folder's files, checked to be one run's, whole: each file its run.json names, and no other."""
    held = files(directory)
    recorded = json.loads((directory / RECORD).read_text("utf-8"))["files"]
    assert {**recorded, RECORD: held.get(RECORD)} == held, directory
    return held


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder after two complete audits: a report in it and one in previous/."""
    out = tmp_path_factory.mktemp("first") / "out"
    assert audit(out, 0, "--as-of", "2026-10-01").returncode == 0
    assert audit(out, 0, "--as-of", "2026-10-02").returncode == 0
    return out


MOST_STEPS = 32  # at least the changes an audit makes in its folder (test_each_step_has_its_case holds it)


@pytest.fixture(scope="module")
def steps(first: Path, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The changes of the folder a run not cut makes (the third audit into it: a report and a previous/)."""
    out = tmp_path_factory.mktemp("whole") / "out"
    shutil.copytree(first, out)
    whole = audit(out, 0, "--as-of", "2026-10-03")
    assert whole.returncode == 0, whole.stderr[-2000:]
    return changes(whole)


def test_each_step_has_its_case(steps: int) -> None:
    assert 20 < steps <= MOST_STEPS  # more steps: raise MOST_STEPS, so that every one is cut


@pytest.mark.parametrize("nth", range(1, MOST_STEPS + 1))
def test_an_audit_killed_at_any_step_leaves_a_whole_report_in_place(first: Path, steps: int, tmp_path: Path, nth: int):
    old, kept = complete(first), complete(first / "previous")
    out = tmp_path / "cut"
    shutil.copytree(first, out)
    cut = audit(out, nth, "--as-of", "2026-10-03")
    if nth > steps:  # no such step: the run is not cut, and its report is in place
        assert cut.returncode == 0, cut.stderr[-2000:]
        assert complete(out) != old and complete(out / "previous") == old
        return
    assert cut.returncode == -signal.SIGKILL, (nth, cut.stderr[-2000:])
    # report.json in place at every moment: the last run's, or the new run's whole
    report = digest(out / "report.json")
    new = (_recorded(out / ".writing") or _recorded(out)).get("report.json")  # run.json moves in last
    assert report in (old["report.json"], new), nth
    if nth == 1:  # cut before its first change: the last run's report
        assert report == old["report.json"]
    if nth == steps:  # cut at its last change (the commit's removal): the new one
        assert report != old["report.json"]
    # previous/ whole (the older report, or the last), or between the swap's two renames, the last in .outgoing/
    assert (
        complete(out / "previous") in (kept, old) if (out / "previous").exists() else complete(out / ".outgoing") == old
    )

    recover(out, run_files(out))  # what the next run does first
    latest = complete(out)
    assert latest == old or complete(out / "previous") == old, nth  # as it was, or the swap finished
    assert not any(p.name.startswith(".") for p in out.iterdir()), (nth, sorted(p.name for p in out.iterdir()))


@pytest.mark.parametrize("nth", [20, 22])  # committed: report.json replaced; previous/ between its renames
def test_the_next_audit_finishes_the_cut_swap(first: Path, tmp_path: Path, nth: int):
    old = complete(first)
    out = tmp_path / "out"
    shutil.copytree(first, out)
    assert audit(out, nth, "--as-of", "2026-10-03").returncode == -signal.SIGKILL
    assert audit(out, 0, "--as-of", "2026-10-04").returncode == 0
    latest, kept = complete(out), complete(out / "previous")
    assert latest != kept and old not in (latest, kept)  # the cut run's report reached the folder, then previous/


def _recorded(directory: Path) -> dict[str, str]:
    try:
        return dict(json.loads((directory / RECORD).read_text("utf-8"))["files"])
    except (OSError, ValueError):
        return {}
