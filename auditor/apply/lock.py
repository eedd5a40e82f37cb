"""One run per plan (or journal) at a time: an advisory lock on the file itself.

The same mechanism as `audit`'s lock on its output directory (auditor.common.outputs.output_lock): an
exclusive, non-blocking flock that the kernel drops when the process ends, however it ends, so no
stale lock file is ever left to clean up. `apply` holds the plan's lock and its new journal's;
`undo` holds the lock of the journal it reverts and of its own journal, so an undo cannot start
on a journal an apply is still writing, and two runs of one plan cannot interleave their writes.

A plan is also locked by its content (`hold_plan`: its SHA-256), not only by its path: a copy of
the plan, or the `plan-<sha>.json` apply keeps beside its journal, is the same plan, and `apply`
and `undo` of it wait for each other. The lock file is `plan-<SHA-256>.lock` in a folder of the
user's own in the system's temporary folder (0700), empty, left there for the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from auditor.common.errors import UsageError


@contextlib.contextmanager
def hold(path: Path, what: str) -> Iterator[None]:
    """Hold the lock of `path` for the block; UsageError (exit 2) when another run holds it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot open it: {exc.strerror or exc}") from None
    try:
        lock(fd, path, what)
        yield
    finally:
        os.close(fd)


def lock(fd: int, path: Path, what: str) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise UsageError(f"another license-auditor run is using {what} {path}; wait for it to finish") from None


def lock_folder() -> Path:
    """Where the plans' locks are: a folder of the user's own in the system's temporary folder."""
    return Path(tempfile.gettempdir()) / f"license-auditor-{os.getuid()}"


@contextlib.contextmanager
def hold_plan(sha256: str) -> Iterator[None]:
    """Hold the lock of the plan whose bytes have this SHA-256, wherever its file is; UsageError
    (exit 2) when another run of the same plan (apply or undo) holds it."""
    folder = lock_folder()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.is_symlink() or folder.stat().st_uid != os.getuid():
            raise UsageError(f"{folder} is not a folder of this user's own: cannot lock the plan there")
        fd = os.open(folder / f"plan-{sha256[:64]}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot lock the plan in {folder}: {exc.strerror or exc}") from None
    try:
        lock(fd, Path(f"(SHA-256 {sha256[:16]}…)"), "the plan")
        yield
    finally:
        os.close(fd)
