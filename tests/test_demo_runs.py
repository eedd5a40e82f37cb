"""The session's shared demo runs (tests/demo_runs.py): made once per command lines and pins, each asking
test sees the run's output and contract violations as its own, gets a writable copy, and a test that writes
into the shared run fails. The command line here is a stand-in for auditor.cli.main (a real demo run costs
seconds: the modules that share one prove it runs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from auditor_dev import contracts
from tests import demo_runs
from tests.demo_runs import DemoRuns


def _fake_main(calls: list[tuple[list[str], str | None, Path]]) -> object:
    def main(argv: list[str]) -> int:
        calls.append((argv, os.environ.get("PINNED"), Path.cwd()))
        assert "LATER" not in os.environ  # what the asking test set after the session began
        Path("reports").mkdir(exist_ok=True)
        (Path("reports") / f"{argv[0]}.txt").write_text(os.environ.get("PINNED", "-"), "utf-8")
        print(f"out {argv[0]}")
        print(f"err {argv[0]}", file=sys.stderr)
        contracts.record("pax8", f"GET /{argv[0]}", "outside")
        return len(argv)

    return main


def test_a_run_is_made_once_and_handed_to_each_asking_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[list[str], str | None, Path]] = []
    monkeypatch.setattr(demo_runs, "main", _fake_main(calls))
    monkeypatch.setenv("PINNED", "outside")
    mine = tmp_path / "mine.log"
    monkeypatch.setenv(contracts.VIOLATIONS_FILE, str(mine))
    runs = DemoRuns(tmp_path / "runs")
    monkeypatch.setenv("LATER", "1")
    argvs = (("audit", "--demo"), ("plan",))
    first = runs.run(argvs, {"PINNED": "1"})
    assert first.codes == (2, 1) and [c[:2] for c in calls] == [(["audit", "--demo"], "1"), (["plan"], "1")]
    assert calls[0][2] == first.folder != Path.cwd() and os.environ["PINNED"] == "outside"  # its own place and pins
    second = runs.run(argvs, {"PINNED": "1"})
    assert second is first and len(calls) == 2  # made once
    printed = capsys.readouterr()
    assert printed.out == "out audit\nout plan\n" * 2 and printed.err == "err audit\nerr plan\n" * 2
    assert mine.read_text("utf-8").splitlines() == ["pax8: GET /audit: outside", "pax8: GET /plan: outside"] * 2
    assert runs.run(argvs, {"PINNED": None}) is not first and calls[-1][1] is None  # other pins: another run
    copy = first.copy_to(tmp_path / "copy")
    assert (copy / "reports" / "audit.txt").read_text("utf-8") == "1"
    (copy / "reports" / "audit.txt").write_text("changed", "utf-8")  # the copy is the test's own
    assert runs.run(argvs, {"PINNED": "1"}) is first
    # a test that writes into the shared run (as root, the files' mode does not stop it) fails the next asking
    shared = first.folder / "reports" / "audit.txt"
    assert not os.access(shared, os.W_OK) or os.geteuid() == 0
    shared.chmod(0o644)
    shared.write_text("changed", "utf-8")
    with pytest.raises(AssertionError, match="a test wrote into the shared demo run"):
        runs.run(argvs, {"PINNED": "1"})
    with pytest.raises(AssertionError, match="a test wrote into the shared demo run"):
        runs.close()
