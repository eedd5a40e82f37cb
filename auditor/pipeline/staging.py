"""A run's files written into a folder of their own, then swapped into the output folder whole.

An audit interrupted while it wrote its reports (Ctrl-C, a time limit, a full disk) used to leave
report.json and findings.csv in the output folder without run.json, and the next run moved them
into previous/ over the last complete report. So an audit writes every file of its report into
DIR/.writing/ (inside DIR, so on its disk: a rename moves each file), records them there in run.json,
and only then moves them into DIR, run.json last. In DIR, report files without run.json are never
this version's finished run.

A run that stops leaves .writing/ behind at worst; `settle` (on the way out of a failed run, and
before the next run moves anything) finishes its swap when its run.json is there (every file was
written and recorded: the swap itself was cut short), and otherwise removes it. Either way, nothing
half-written ever reaches DIR or previous/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from auditor.common.errors import UsageError
from auditor.common.run_record import RECORD, digest, owner

STAGING = ".writing"


def staging_dir(directory: Path) -> Path:
    """Where a run into `directory` writes its files before they are swapped in."""
    return directory / STAGING


def fresh_staging(directory: Path) -> Path:
    """An empty staging folder (whatever an earlier run left there settled first)."""
    settle(directory)
    staging = staging_dir(directory)
    staging.mkdir()
    return staging


def swap(directory: Path, written: Iterable[Path]) -> list[Path]:
    """Move the staged files into `directory`, run.json last, and remove the staging folder; the
    paths of `written` as they are once moved (a path outside the staging folder as it was)."""
    staging = staging_dir(directory)
    _move_in(directory)
    shutil.rmtree(staging)
    return [directory / p.name if p.parent == staging else p for p in written]


def settle(directory: Path) -> None:
    """What an earlier run left in the staging folder: swapped in when it holds its run.json and every
    file that names (the swap was cut short), else removed. Nothing when there is none."""
    staging = staging_dir(directory)
    if not os.path.lexists(staging):
        return
    if staging.is_symlink() or not staging.is_dir():
        staging.unlink()  # a link or a file planted at the name: removed, never followed
        return
    if _complete(directory, staging):
        _move_in(directory)
    shutil.rmtree(staging)


def discard(directory: Path) -> None:
    """Remove the staging folder, whatever it holds (a failed tenant of a many-tenant run keeps no
    report; its audit may still be writing there, so what cannot be removed now is left to `settle`)."""
    staging = staging_dir(directory)
    if staging.is_symlink():
        staging.unlink(missing_ok=True)
    else:
        shutil.rmtree(staging, ignore_errors=True)


def _move_in(directory: Path) -> None:
    """The staged files into DIR (a temporary file of an unfinished write left out), run.json last."""
    staging = staging_dir(directory)
    names = sorted(p.name for p in staging.iterdir() if p.name != RECORD and not p.name.startswith("."))
    for name in names:
        os.replace(staging / name, directory / name)
    if os.path.lexists(staging / RECORD):
        os.replace(staging / RECORD, directory / RECORD)  # last: DIR holds the whole run once it is there


def _complete(directory: Path, staging: Path) -> bool:
    """The staged run recorded its files, and each is in the staging folder or, moved already, in DIR
    as recorded."""
    try:
        found = owner(staging)
    except UsageError:  # a run.json cut short or not this program's: not a finished run
        return False
    if found is None or not found.recorded:
        return False
    for name, sha in found.files.items():
        if os.path.lexists(staging / name):
            continue
        moved = directory / name
        if moved.is_symlink() or not moved.is_file() or digest(moved) != sha:
            return False
    return True
