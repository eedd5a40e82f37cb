"""Writing files into an output directory without being steered outside it.

Every file the auditor writes (reports, snapshots) goes through `atomic_file`: a temporary file
created exclusively with a random name in the target's directory (so a symlink planted at
`report.md.tmp` is never followed), then renamed over the target (a rename replaces a symlink at
the target itself, never the file it points to), and removed on any failure (a full disk leaves
no `*.tmp` behind); a log written as it comes goes through `fresh_text`. `output_lock` keeps two
runs from writing one directory at once. A run's files move into the folder, and the last run's into
`previous/`, in one committed swap (auditor.common.staging).
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import IO

from auditor.common.errors import UsageError

PREVIOUS = "previous"
# What `audit --tenants` writes into a tenant's folder after that tenant's audit (auditor.fleet's
# distributor_reads, psa_reads, invoice_reads): a run's files like its report, so the next audit into the
# folder, one tenant's too, moves them into previous/ with that report, never leaving them to read as its own
DISTRIBUTOR_FILE, PSA_FILE, INVOICE_FILE = "distributor.json", "psa.json", "invoice.json"
FLEET_TENANT_FILES = (DISTRIBUTOR_FILE, PSA_FILE, INVOICE_FILE)


@cache
def _file_mode() -> int:
    """The mode an ordinary open() would give a new file (0666 less the umask); mkstemp uses 0600."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """Yield a binary file to write `path`'s new content into; `path` changes only if the block succeeds."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _file_mode())
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_text(path: Path, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """atomic_file for text; a lone surrogate in tenant text is replaced, never an error."""
    with atomic_file(path) as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        yield text
        text.flush()
        text.detach()


def write_bytes(path: Path, chunks: Iterable[bytes]) -> None:
    with atomic_file(path) as fh:
        fh.writelines(chunks)


def write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    write_bytes(path, [text.encode(encoding, errors="replace")])


def fresh_text(path: Path, *, encoding: str = "utf-8") -> IO[str]:
    """A new file at `path` for text written as it comes (a log), whatever was there removed first:
    created exclusively and never through a link (O_EXCL, O_NOFOLLOW), so a symlink planted at
    `path` is removed, never written through."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, _file_mode())
    return open(fd, "w", encoding=encoding, errors="replace")  # the caller closes it


def output_dir(path: Path) -> Path:
    """--output-dir, made if it is missing: a file of that name, or a folder that cannot be made, is a
    usage error (exit 2)."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--output-dir: {path} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--output-dir: cannot write to {path}: {exc.strerror or exc}") from None
    return path


@contextlib.contextmanager
def output_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on DIR for the block; a second run into DIR exits 2 at once.

    Two runs into one directory used to interleave their files (report.json in one language,
    report.md in another). The lock is an advisory flock on the directory itself, so no lock
    file sits among the reports, and the kernel drops it when the process ends, however it ends."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"--output-dir: cannot open {directory}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"another license-auditor run is writing to {directory}; wait for it to finish, "
                "or give this run another --output-dir"
            ) from None
        yield
    finally:
        os.close(fd)
