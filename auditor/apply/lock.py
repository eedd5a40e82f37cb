"""One run per plan (or journal) at a time: an advisory lock on the file itself.

The same mechanism as `audit`'s lock on its output directory (auditor.common.outputs.output_lock): an
exclusive, non-blocking flock that the kernel drops when the process ends, however it ends, so no
stale lock file is ever left to clean up. `apply` holds the plan's lock and its new journal's;
`undo` holds the lock of the journal it reverts and of its own journal, so an undo cannot start
on a journal an apply is still writing, and two runs of one plan cannot interleave their writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
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
