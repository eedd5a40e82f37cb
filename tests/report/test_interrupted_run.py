"""An audit cut short while it writes its reports (Ctrl-C, or killed), then the next audit: the output
folder holds a whole report (the last one or the new one, every file its run.json names, and no other
run's), and previous/ one complete report. Through the real CLI (`audit --demo` in a child process,
tests/killed_at.py), the signal sent by the child itself after its Nth file is in place, so each point of
the writing is hit exactly, whatever the machine's load."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from auditor.common.run_record import RECORD, digest
from tests.killed_at import signalled_at


def audit(out: Path, *interrupt: str) -> subprocess.CompletedProcess[str]:
    """`audit --demo` into `out` in a child process (tests/killed_at.py), which sends itself `interrupt`'s signal
    once its Nth file (`interrupt`: N, the signal's name) is in place in `out`."""
    nth, sig = (int(interrupt[0]), interrupt[1]) if interrupt else (0, "SIGINT")
    return signalled_at(out, nth, sig, ["audit", "--demo", "--output-dir", str(out)], timeout=240)


def files(directory: Path) -> dict[str, str]:
    """The files of a folder (not its folders) and their SHA-256."""
    return {p.name: digest(p) for p in directory.iterdir() if p.is_file()}


def complete(directory: Path) -> dict[str, str]:
    """The folder's files, checked to be one run's, whole: each file its run.json names, as named, and
    no other."""
    held = files(directory)
    recorded = json.loads((directory / RECORD).read_text("utf-8"))["files"]
    assert {**recorded, RECORD: held.get(RECORD)} == held, directory
    return held


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder after one complete `audit --demo`."""
    out = tmp_path_factory.mktemp("first") / "out"
    assert audit(out).returncode == 1
    return out


@pytest.mark.parametrize("sig", ["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("nth", [1, 5, 20])  # the license list; a report; a file swapped in (of 17)
def test_an_interrupted_audit_leaves_a_complete_report(first: Path, tmp_path: Path, nth: int, sig: str):
    """The last report stays in the folder until the new one is written whole (test_report_swap.py kills
    the run at every step); Ctrl-C leaves the folder as it was, or with the new report whole."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    report = complete(out)

    cut = audit(out, str(nth), sig)
    assert cut.returncode == (130 if sig == "SIGINT" else -signal.SIGKILL), cut.stderr[-2000:]
    assert (out / "report.json").is_file()  # never missing
    if sig == "SIGINT":
        assert not os.path.lexists(out / ".writing")  # settled on the way out
        left = complete(out)  # a whole report: the last one, or the new one
        assert left == report or complete(out / "previous") == report

    assert audit(out).returncode == 1
    assert not os.path.lexists(out / ".writing")
    latest, kept = complete(out), complete(out / "previous")
    assert latest != kept and latest != report  # previous/ the last complete report, never a mix


def test_an_earlier_versions_cut_short_files_never_replace_the_complete_previous(first: Path, tmp_path: Path):
    """The folder as an interrupted run of an earlier version left it (it wrote into the folder
    itself): report.json, findings.csv and licensed-users.csv without run.json, the complete report in
    previous/. The next run removes those three and keeps previous/ as it was."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    assert audit(out).returncode == 1
    report = complete(out / "previous")
    for name in ("report.json", "findings.csv", "licensed-users.csv"):
        (out / name).write_bytes((out / name).read_bytes()[:1000])  # cut short
    for path in out.iterdir():
        if path.is_file() and path.name not in ("report.json", "findings.csv", "licensed-users.csv"):
            path.unlink()

    run = audit(out)
    assert run.returncode == 1
    assert complete(out / "previous") == report
    assert "an interrupted run's files (no run.json); previous/ keeps the last complete report" in run.stderr
    complete(out)
