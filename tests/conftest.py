"""Snapshot (golden file) support for the whole suite, with syrupy.

- A normal run never writes a snapshot: a missing, different or unused snapshot fails (syrupy's default).
- `pytest --snapshot-update` writes them, and that run fails too whenever it created, changed or
  deleted a snapshot (hook below): review `git diff`, then run again without the flag.
- `report_file` snapshots a report file as it is, one snapshot file each (`.json`, `.html`, `.md`,
  `.csv` under the test's `__snapshots__/`), so they can be opened and diffed like the real output.
  They are compared as exact text: BOM, line endings and encoding included.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.data import SnapshotCollection
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

import auditor.cli  # noqa: F401  the command line registers the demo's developer tools (auditor.demo), as in production
from auditor.apply.fresh import FreshPlan
from auditor.graph.pacing import forget_app_windows
from auditor_dev import contracts
from auditor_dev.emulator import VirtualTime

# a program a test starts that dies by a signal prints where each of its threads was (the test quotes stderr)
os.environ.setdefault("PYTHONFAULTHANDLER", "1")


@pytest.fixture(autouse=True)
def _own_plan_locks(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """apply and undo lock a plan by its SHA-256 in the system's temporary folder (auditor.apply.lock):
    a run of the suite locks its plans in its own folder, so two runs at once never share a lock."""
    monkeypatch.setattr("auditor.apply.lock.lock_folder", lambda: tmp_path_factory.getbasetemp() / "plan-locks")


def agreeing(real: Any) -> Any:
    """`real` (auditor.pipeline.recompile.recompile), but for a plan that records no policy file (no
    `policy_sha256`): the file's own changes and bill. A plan a test of apply's write loop writes by hand
    (tests/apply/conftest.write_plan) records none, so apply cannot hold it to the operator's --policies nor
    compile it again at the call (a real such plan is refused, exit 2: test_file_selects runs the real one);
    those tests (journals, signals, undo, seats) get the fresh compile a tenant and policy agreeing with the
    file would give. A plan `plan` wrote names its policy files and is compiled again for real
    (tests/apply/test_file_selects.py edits such plans). `python tests/agreeing.py ARGS` runs the command
    line with it, for a test that runs apply as a child process."""

    @functools.wraps(real)  # `__wrapped__`: the real one, for a test that needs it
    def recompile(plan: Any, options: Any, now: Any) -> FreshPlan:
        if plan.policy_sha256:
            return real(plan, options, now)
        # imported here: tests/test_snapshot_update.py runs a copy of this conftest outside the tests package
        from tests.agreeing import as_written

        return as_written(plan.path)

    return recompile


@pytest.fixture(autouse=True)
def _hand_written_plans_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand-written plan (no policy files) is compiled again as its own changes (agreeing)."""
    from auditor.pipeline import recompile as module

    monkeypatch.setattr(module, "recompile", agreeing(module.recompile))


@pytest.fixture(autouse=True)
def _vendor_contracts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Every request a test's client sends to a stand-in, and every answer a stand-in gives, in this process
    or a child it starts, is held against the vendor's published schema (auditor_dev.contracts): a test
    fails on what falls outside it. A test marked `off_contract` (a fault injected on purpose) must meet
    at least one violation, so the mark cannot outlive its reason."""
    log = tmp_path / "contract-violations.log"
    monkeypatch.setenv(contracts.VIOLATIONS_FILE, str(log))
    contracts.forget()
    yield
    found = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    contracts.forget()
    marked = request.node.get_closest_marker("off_contract")
    if marked is None and found:
        pytest.fail("outside the vendor's published contract:\n" + "\n".join(found[:20]), pytrace=False)
    if marked is not None and not found:
        pytest.fail(
            f"marked off_contract ({marked.args[0] if marked.args else ''}) but every request and answer "
            "kept to the contract: remove the mark",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _fresh_sign_in_lane() -> None:
    """Each test is a process of its own for Graph's limits per app across tenants (the sign-in
    lane's 10 requests a minute): a test's sign-in reads do not wait for an earlier test's."""
    forget_app_windows()


@pytest.fixture
def virtual_graph_time(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    """Graph's request windows on a virtual clock for the audits a test runs through the command line
    (`audit --demo`): every GraphClient built without a pacing of its own paces and retries on it,
    and the demo's emulator keeps Graph's budgets on it, so the windows cost no wall time. What was
    waited: the clock's `skipped`."""
    # imported here: tests/test_snapshot_update.py runs a copy of this conftest outside the tests package
    from tests.demo_runs import on_virtual_time

    return on_virtual_time(monkeypatch)


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The demo runs identical in every test that asks (tests/demo_runs.py DemoRuns): each made once a
    session (a worker), read-only, its output and contract violations handed to each asking test."""
    # imported here: tests/test_snapshot_update.py runs a copy of this conftest outside the tests package
    from tests.demo_runs import DemoRuns

    runs = DemoRuns(tmp_path_factory.mktemp("demo-runs"))
    yield runs
    runs.close()


class ReportFileExtension(SingleFileSnapshotExtension):
    """One UTF-8 text file per snapshot, read and written without newline translation."""

    _write_mode = WriteMode.TEXT

    def read_snapshot_data_from_location(self, *, snapshot_location: str, snapshot_name: str, session_id: str) -> Any:
        try:
            return Path(snapshot_location).read_bytes().decode("utf-8")
        except FileNotFoundError:
            return None

    @classmethod
    def write_snapshot_collection(
        cls, *, snapshot_collection: SnapshotCollection, name_order: dict[str, int] | None = None
    ) -> None:
        data = next(iter(snapshot_collection)).data
        if not isinstance(data, str):
            raise TypeError(f"a report file snapshot is text, not {type(data).__name__}")
        Path(snapshot_collection.location).write_bytes(data.encode("utf-8"))


REPORT_FILE_EXTENSIONS: dict[str, type[ReportFileExtension]] = {
    suffix: type(f"{suffix.capitalize()}FileExtension", (ReportFileExtension,), {"file_extension": suffix})
    for suffix in ("json", "html", "md", "csv")
}


@pytest.fixture
def report_file(snapshot: SnapshotAssertion) -> Callable[[Path], SnapshotAssertion]:
    """`assert path.read_bytes().decode() == report_file(path)`: the snapshot for a file of `path`'s type."""

    def of(path: Path) -> SnapshotAssertion:
        return snapshot.use_extension(REPORT_FILE_EXTENSIONS[path.suffix.lstrip(".")])

    return of


def _written(config: pytest.Config) -> int:
    """Snapshots this session created, changed or deleted (syrupy's report; 0 without --snapshot-update)."""
    syrupy = getattr(config, "_syrupy", None)
    if syrupy is None or not config.option.update_snapshots:
        return 0
    report = syrupy.report
    return int(report.num_created + report.num_updated + report.num_unused)


@pytest.hookimpl(trylast=True)  # after syrupy's own sessionfinish, which writes its report and deletes unused files
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # an update is never a pass: the run that wrote snapshots fails until someone has looked at them
    if _written(session.config) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _written(config):
        terminalreporter.write_line(
            "snapshots were written or deleted: review `git diff`, then run again without --snapshot-update", red=True
        )
