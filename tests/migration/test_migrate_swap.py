"""Issue 117, point 5, for `migrate`: its plan moves into the output folder as the audit's report does, in one
committed swap (auditor.common.staging): the last plan stays in place until the new one is written whole.
`migrate --demo` killed at each change of the folder (tests/killed_at.py) leaves migration.json the last run's
or its own, whole, previous/ whole, an audit's previous report beside it untouched; the next run finishes or
undoes what it left. Through the real CLI."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from auditor.common.run_record import digest
from auditor.common.staging import recover
from auditor.migration.write import FILES
from tests.killed_at import changes, killed_at

MOST_STEPS = 32  # at least the changes a migrate makes in its folder (test_each_step_has_its_case holds it)
AUDITS = {"report.json": b'{"the": "last audit"}\n'}  # an audit's report in the folder the plan shares
EARLIER_AUDITS = {"report.json": b'{"the": "audit before"}\n'}
PINNED = {"SOURCE_DATE_EPOCH": "1793512800"}  # generated_at pinned: a run's files known from its day


def migrate(out: Path, nth: int, day: str) -> subprocess.CompletedProcess[str]:
    argv = ["migrate", "--demo", "--output-dir", str(out), "--as-of", f"{day}T06:00:00Z"]
    return killed_at(out, nth, argv, PINNED)


def plans(directory: Path) -> dict[str, str]:
    """The migration plan's files in the folder (each file's digest)."""
    return {name: digest(directory / name) for name in FILES if (directory / name).is_file()}


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder after two complete runs (a plan in it, one in previous/), an audit's reports beside them."""
    out = tmp_path_factory.mktemp("first") / "out"
    (out / "previous").mkdir(parents=True)
    for folder, files in ((out, AUDITS), (out / "previous", EARLIER_AUDITS)):
        for name, data in files.items():
            (folder / name).write_bytes(data)
    for day in ("2026-11-01", "2026-11-02"):
        assert migrate(out, 0, day).returncode in (0, 1)
    return out


@pytest.fixture(scope="module")
def whole(first: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, str]]:
    """The changes of the folder a run not cut makes, and the plan it leaves."""
    out = tmp_path_factory.mktemp("whole") / "out"
    shutil.copytree(first, out)
    run = migrate(out, 0, "2026-11-03")
    assert run.returncode in (0, 1), run.stderr[-2000:]
    return changes(run), plans(out)


def test_each_step_has_its_case(first: Path, whole: tuple[int, dict[str, str]]) -> None:
    steps, new = whole
    assert 8 < steps <= MOST_STEPS  # more steps: raise MOST_STEPS, so that every one is cut
    assert new != plans(first) and set(new) == set(FILES)


@pytest.mark.parametrize("nth", range(1, MOST_STEPS + 1))
def test_a_migrate_killed_at_any_step_leaves_a_whole_plan_in_place(
    first: Path, whole: tuple[int, dict[str, str]], tmp_path: Path, nth: int
) -> None:
    steps, new = whole
    old, kept = plans(first), plans(first / "previous")
    out = tmp_path / "cut"
    shutil.copytree(first, out)
    cut = migrate(out, nth, "2026-11-03")
    if nth > steps:  # no such step: the run is not cut
        assert cut.returncode in (0, 1) and plans(out) == new and plans(out / "previous") == old
        return
    assert cut.returncode == -signal.SIGKILL, (nth, cut.stderr[-2000:])
    # migration.json in place at every moment: the last run's, or the new run's whole
    assert digest(out / "migration.json") in (old["migration.json"], new["migration.json"]), nth
    if nth == 1:
        assert plans(out) == old
    # previous/ whole (the older plan, or the last), or between the swap's two renames, the last in .outgoing/
    held = out / "previous" if (out / "previous").exists() else out / ".outgoing"
    assert plans(held) in ((kept, old) if held.name == "previous" else (old,)), nth
    assert (out / "report.json").read_bytes() == AUDITS["report.json"]  # the audit's, never moved

    recover(out, FILES)  # what the next run does first
    assert plans(out) in (old, new), nth  # as it was, or the swap finished
    assert plans(out / "previous") == (kept if plans(out) == old else old), nth
    assert (out / "previous" / "report.json").read_bytes() == EARLIER_AUDITS["report.json"], nth  # kept beside it
    assert not any(p.name.startswith(".") for p in out.iterdir()), (nth, sorted(p.name for p in out.iterdir()))


def test_a_failed_migrate_moves_the_last_plan_aside_and_keeps_the_audits(first: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(first, out)
    old = plans(out)
    argv = ["migrate", "--demo", "--output-dir", str(out), "--as-of", "2026-11-03T06:00:00Z", "--map", "missing.yaml"]
    assert killed_at(out, 0, argv, PINNED).returncode == 2
    assert plans(out) in ({}, old)  # never another run's plan read as this one's
    assert (out / "previous" / "report.json").read_bytes() == EARLIER_AUDITS["report.json"]
