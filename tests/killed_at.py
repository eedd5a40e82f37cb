"""A command of the real CLI in a child process that kills itself (SIGKILL: nothing of it runs after) at its
Nth change of one folder (a rename, link, removal or new folder in it), so that every step of a write is hit
exactly, whatever the machine's load: tests/report/test_report_swap.py (audit), tests/migration/test_migrate_swap.py
(migrate); or that signals itself once its Nth file is in place (tests/report/test_interrupted_run.py).

Each run is a process of its own, forked from a server that has imported the product's modules once
(multiprocessing's forkserver, started at a worker's first run): a run costs its command, not another
interpreter's start-up and imports, and the tests make one run per step. The child takes the environment it is
given whole, works in the repository's root, writes its stdout and stderr to files the parent reads back, and
wraps the folder changes (os.replace, rename, link, unlink, mkdir, rmdir, symlink) before it runs the command, as
a child started afresh would; the command line looks each of them up on `os` when it calls it."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _product_modules() -> list[str]:
    """Every module of the product and its developer tools (the demo's stand-ins) by their files, but a
    `__main__` (which would run a command line): what a command imports as it runs, imported by the server
    once rather than by each child."""
    files = [*(ROOT / "auditor").rglob("*.py"), *(ROOT / "auditor_dev").rglob("*.py")]
    names = [".".join(path.relative_to(ROOT).with_suffix("").parts) for path in files]
    return sorted(name.removesuffix(".__init__") for name in names if not name.endswith("__main__"))


# the server the runs fork from: it imports the product (and this module, the children's entry) once
_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload([*_product_modules(), "tests.killed_at"])
_FOLDER_CHANGES = ("replace", "rename", "link", "unlink", "mkdir", "rmdir", "symlink")


def _cutting(out: str, nth: int, count: list[int]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrapper of an os function that counts each call changing `out` (or by a folder's fd) and kills the
    process at the `nth` (0: never)."""

    def inside(arg: object) -> bool:
        if not isinstance(arg, str | bytes | os.PathLike):
            return False
        return (os.path.abspath(os.fsdecode(arg)) + os.sep).startswith(out + os.sep)

    def hooked(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("dir_fd") is not None or any(inside(a) for a in args[:2]):
                count[0] += 1
                if count[0] == nth:
                    os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return call

    return hooked


def _signalling(out: str, nth: int, sig: int) -> Callable[..., Any]:
    """os.replace that sends `sig` to the process once its `nth` file is in place in `out` (a rename into it
    or into a folder inside it; the last run's files moved into previous/ not counted)."""
    previous, real, done = os.path.join(out, "previous"), os.replace, [0]

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        real(src, dst, *args, **kwargs)
        parent = os.path.dirname(os.path.abspath(dst))
        if parent != previous and (parent + os.sep).startswith(out + os.sep):
            done[0] += 1
            if done[0] == nth:
                os.kill(os.getpid(), sig)

    return replace


def _child(run: tuple[str, int, str | None, list[str]], environ: dict[str, str], out_file: str, err_file: str) -> None:
    """The run in the forked child: the command's argv, its folder's changes counted (on a run not cut, their
    count on stderr's last line), or its files put in place counted up to the signal it sends itself."""
    folder, nth, sig, argv = run
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(ROOT)
    for fd, name in ((1, out_file), (2, err_file)):
        os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    count = [0]
    if sig is None:
        hooked = _cutting(os.path.abspath(folder), nth, count)
        for name in _FOLDER_CHANGES:
            setattr(os, name, hooked(getattr(os, name)))
    else:
        # Ctrl-C as at a terminal: Python's own handling, whatever disposition the test runner passed down
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.replace = _signalling(os.path.abspath(folder), nth, getattr(signal, sig))
    from auditor.cli import main  # the server imported it; bound here, after the wrapping, as a fresh child would

    code = main(argv)
    sys.stdout.flush()
    if sig is None:
        sys.stderr.write(f"\nchanges: {count[0]}\n")
    sys.stderr.flush()
    os._exit(code)


def _forked(
    run: tuple[str, int, str | None, list[str]], env: Mapping[str, str] | None, timeout: float | None
) -> subprocess.CompletedProcess[str]:
    folder, nth, sig, argv = run
    with tempfile.TemporaryDirectory() as held:
        out_file, err_file = os.path.join(held, "stdout"), os.path.join(held, "stderr")
        environ = {**os.environ, **(env or {})}
        child = _SERVER.Process(target=_child, args=(run, environ, out_file, err_file))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(argv, timeout or 0)
        out, err = (Path(name).read_text("utf-8") if Path(name).exists() else "" for name in (out_file, err_file))
    return subprocess.CompletedProcess(["forked", folder, str(nth), str(sig), *argv], child.exitcode, out, err)


def killed_at(
    folder: Path, nth: int, argv: list[str], env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`argv` run in a child killed at its `nth` change of `folder` (0: run whole), with `env` added to the
    environment: its exit code (-SIGKILL when cut), stdout and stderr. No timeout of its own: the suite's per
    test (pyproject's `timeout`) bounds the one run a test makes."""
    return _forked((str(folder), nth, None, argv), env, None)


def signalled_at(
    folder: Path, nth: int, sig: str, argv: list[str], timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """`argv` run in a child that sends itself `sig` ("SIGINT": Ctrl-C, "SIGKILL") once its `nth` file is in
    place in `folder` (0: never): its exit code, stdout and stderr (tests/report/test_interrupted_run.py)."""
    return _forked((str(folder), nth, sig, argv), None, timeout)


def changes(run: subprocess.CompletedProcess[str]) -> int:
    """The changes of the folder a run not cut made."""
    return int(run.stderr.rsplit("changes: ", 1)[1])
