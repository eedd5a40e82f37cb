"""One run of a demo command line (`audit --demo ...`, then `plan ...`) a session, kept read-only and handed
to every test that asks for the same run (the fixture `demo_runs` in tests/conftest.py).

Many modules audit the same demo with the same arguments and environment pins: the run is the same each time
(its reports are the demo's, at the demo's pinned moment), and costs seconds. A run is keyed by its command
lines and the environment it is given (a variable set, or None: removed); it runs once per pytest process
(each xdist worker its own), in a working directory of its own, on a virtual clock for Graph's request
windows (as `virtual_graph_time`), with stdout and stderr kept. A test gets:
- the exit codes, stdout and stderr (written again to the test's own stdout/stderr, so capsys reads them);
- the contract violations the run recorded, written again to the test's own log (tests/conftest.py
  `_vendor_contracts` fails the test on them, as if the test had run the command itself);
- the working directory: read-only, or copied, writable, into a folder of the test's (`copy_to`). A test
  that writes into it fails loudly: the files are read-only, and (for a run as root, whom that does not
  stop) every later asking, and the session's end, checks the files' digest against the run's.
A run whose inputs differ (a stand-in patched, another policy, another moment) is not one of these: it runs
as before, in the test."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import os
import shutil
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.graph.pacing import Pacing, forget_app_windows
from auditor_dev import contracts
from auditor_dev.emulator import Budgets, VirtualTime

Argvs = tuple[tuple[str, ...], ...]
Pins = tuple[tuple[str, str | None], ...]

# the many-tenant demo into the working directory's many/, without an operator's token: what a dozen
# modules read (exit 1: the samples' findings)
FLEET: Argvs = (("audit", "--demo", "--tenants", "--output-dir", "many"),)
NO_TOKEN: dict[str, str | None] = {"AUDITOR_ACCESS_TOKEN": None}
# the one-tenant demo into the working directory's one/, every format, without an operator's token: what
# the modules reading the demo's report files read (exit 0: --fail-on never)
SINGLE: Argvs = (("audit", "--demo", "--output-dir", "one", "--fail-on", "never"),)


def on_virtual_time(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    """Graph's request windows on a virtual clock: every GraphClient built without a pacing of its own paces
    and retries on it, and the demo's emulator keeps Graph's budgets on it (`virtual_graph_time`)."""
    clock = VirtualTime()
    monkeypatch.setattr("auditor.graph.client.Pacing", functools.partial(Pacing, timer=clock))
    monkeypatch.setattr("auditor_dev.emulator.Budgets", functools.partial(Budgets, clock=clock.now))
    return clock


def pin_environment(monkeypatch: pytest.MonkeyPatch, pins: Mapping[str, str | None]) -> None:
    """The test's own environment as a run's pins say: each variable set, or (None) removed."""
    for key, value in pins.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)


@dataclasses.dataclass(frozen=True)
class DemoRun:
    """What one run left: its working directory (read-only), each command's exit code, what it printed,
    and the contract violations it recorded."""

    folder: Path
    codes: tuple[int, ...]
    out: str
    err: str
    violations: tuple[str, ...]
    digest: str

    def copy_to(self, target: Path) -> Path:
        """The working directory's files copied into `target` (made if missing), writable: `target`."""
        for root, dirs, files in os.walk(self.folder):
            here = target / Path(root).relative_to(self.folder)
            here.mkdir(parents=True, exist_ok=True)
            for name in dirs:
                (here / name).mkdir(exist_ok=True)
            for name in files:
                shutil.copyfile(Path(root) / name, here / name)
        return target


def _digest(folder: Path) -> str:
    """Every file's path and bytes under `folder`, digested."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _unchanged(got: DemoRun) -> None:
    if _digest(got.folder) != got.digest:
        raise AssertionError(f"a test wrote into the shared demo run {got.folder}: copy it (copy_to) first")


def _read_only(folder: Path, writable: bool = False) -> None:
    """Every file and folder under `folder` read-only (or writable again, for the session's clean-up)."""
    for root, dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        for name in [*dirs, ""]:
            path = Path(root) / name
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


class DemoRuns:
    """The session's runs, by their command lines and environment pins, each made at its first asking."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.runs: dict[tuple[Argvs, Pins], DemoRun] = {}
        self.environ = dict(os.environ)  # the session's: a run never sees what the asking test set

    def fleet(self, into: Path | None = None) -> Path:
        """The many-tenant demo's folder (FLEET): the shared one, read-only, or a writable copy in `into`."""
        got = self.run(FLEET, NO_TOKEN)
        assert got.codes == (1,), got.err[-2000:]
        return (got.copy_to(into) if into is not None else got.folder) / "many"

    def single(self, into: Path | None = None) -> Path:
        """The one-tenant demo's folder (SINGLE): the shared one, read-only, or a writable copy in `into`."""
        got = self.run(SINGLE, NO_TOKEN)
        assert got.codes == (0,), got.err[-2000:]
        return (got.copy_to(into) if into is not None else got.folder) / "one"

    def run(self, argvs: Sequence[Sequence[str]], env: Mapping[str, str | None] | None = None) -> DemoRun:
        """The run of `argvs` (each a command line for auditor.cli.main, in order, in one working directory)
        under `env`, made now if this process has not made it: its stdout, stderr and violations are
        written again to the asking test's (what a test that ran it itself would have seen)."""
        key = (tuple(tuple(a) for a in argvs), tuple(sorted((env or {}).items())))
        if key not in self.runs:
            self.runs[key] = self._made(*key)
        got = self.runs[key]
        _unchanged(got)
        sys.stdout.write(got.out)
        sys.stderr.write(got.err)
        log = os.environ.get(contracts.VIOLATIONS_FILE)
        if log and got.violations:
            with open(log, "a", encoding="utf-8") as out:
                out.writelines(line + "\n" for line in got.violations)
        return got

    def _made(self, argvs: Argvs, pins: Pins) -> DemoRun:
        where = self.base / f"run-{len(self.runs)}"
        folder = where / "cwd"
        folder.mkdir(parents=True)
        log = where / "contract-violations.log"
        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(folder)
            for name in set(os.environ) - set(self.environ):
                patch.delenv(name)
            for name, value in [*self.environ.items(), *pins]:
                if value is None:
                    patch.delenv(name, raising=False)
                elif os.environ.get(name) != value:
                    patch.setenv(name, value)
            patch.setenv(contracts.VIOLATIONS_FILE, str(log))
            on_virtual_time(patch)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                codes = []
                for argv in argvs:
                    forget_app_windows()  # each command a process of its own, as in production
                    codes.append(main(list(argv)))
        _read_only(folder)
        found = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return DemoRun(folder, tuple(codes), out.getvalue(), err.getvalue(), tuple(found), _digest(folder))

    def close(self) -> None:
        """The kept folders writable again, so pytest can remove them with its other temporary folders."""
        for got in self.runs.values():
            _read_only(got.folder, writable=True)
        for got in self.runs.values():
            _unchanged(got)
