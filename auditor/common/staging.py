"""A run's files written into a folder of their own, then swapped into the output folder in one step.

An audit writes every file of its report into DIR/.writing/ (inside DIR, so on its disk) and records
them there in run.json; the last run's report stays in DIR, where it was, the whole time. Only then
the swap: the last run's files are linked into DIR/.outgoing/ (DIR keeps them), and one atomic write of
DIR/.swap.json commits the swap. From there on it only goes forward: each new file replaces its
namesake in one rename (so report.json is always there, the last run's or this one's, whole), run.json
last, the last run's other files leave DIR, and .outgoing/ becomes previous/ (the older previous/
moved aside by one rename, then removed).

A run stopped at any moment (Ctrl-C, killed, a full disk) leaves DIR as it was or, once committed,
a swap the next run finishes before anything else (`recover`): an uncommitted .outgoing/ is removed,
a staged run that recorded every file is swapped in (its writing was whole), any other is removed.
A run that fails with an error moves the last report aside in the same one step (`retire`), so
yesterday's report is never read as today's. `migrate` moves its plan the same way (auditor.migration.command).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from auditor.common.errors import UsageError
from auditor.common.outputs import PREVIOUS, write_text
from auditor.common.run_record import RECORD, digest, owner

STAGING = ".writing"
OUTGOING = ".outgoing"  # the last run's files, linked, becoming previous/
SWAP = ".swap.json"  # the commit of a swap: {"old": names leaving DIR, "new": names coming in}
OLDER = ".previous-older"  # previous/ as it was, while .outgoing/ takes its name


def staging_dir(directory: Path) -> Path:
    """Where a run into `directory` writes its files before they are swapped in."""
    return directory / STAGING


def fresh_staging(directory: Path, names: Sequence[str]) -> Path:
    """An empty staging folder (whatever an earlier run left recovered first; `names`: the files of a
    run in DIR, as recover takes them)."""
    recover(directory, names)
    staging = staging_dir(directory)
    staging.mkdir()
    return staging


def swap(directory: Path, names: Sequence[str], *, others: bool = False) -> None:
    """The staged run into DIR and DIR's files of `names` (the last run's) into previous/, in one step.
    `others`: previous/'s files of other names stay in it (a folder two commands share: `migrate`'s plan
    beside an audit's report, its previous/ keeping the audit's last one)."""
    staging = staging_dir(directory)
    new = sorted(p.name for p in staging.iterdir() if not p.name.startswith("."))
    _commit(directory, names, new, others=others)


def retire(directory: Path, names: Sequence[str], *, others: bool = False) -> None:
    """DIR's files of `names` into previous/ in one step, nothing in their place (a failed run)."""
    discard(directory)
    _commit(directory, names, [], others=others)


def recover(directory: Path, names: Sequence[str]) -> None:
    """What an interrupted run left: a committed swap finished; else its .outgoing/ removed, and a staged
    run that recorded every file it wrote swapped in (its swap was what was cut short), any other removed."""
    for cut in directory.glob(f".{SWAP}.*.tmp"):  # a commit killed while it was written: never made
        cut.unlink()
    if os.path.lexists(directory / SWAP):
        _finish(directory)
        return
    _remove(directory / OUTGOING)
    staging = staging_dir(directory)
    if not os.path.lexists(staging):
        return
    if staging.is_symlink() or not staging.is_dir():
        staging.unlink()  # a link or a file planted at the name: removed, never followed
        return
    if _complete(staging):
        swap(directory, names)
    else:
        shutil.rmtree(staging)


def settle(directory: Path, names: Sequence[str]) -> None:
    """On the way out of a run cut short: a committed swap finished, a whole staged run swapped in,
    anything else of it removed; DIR otherwise as it was."""
    recover(directory, names)


def discard(directory: Path) -> None:
    """Remove the staging folder, whatever it holds (a failed tenant of a many-tenant run keeps no
    report; its audit may still be writing there, so what cannot be removed now is left to `recover`)."""
    staging = staging_dir(directory)
    if staging.is_symlink():
        staging.unlink(missing_ok=True)
    else:
        shutil.rmtree(staging, ignore_errors=True)


def _commit(directory: Path, names: Sequence[str], new: list[str], *, others: bool = False) -> None:
    old = [n for n in dict.fromkeys(names) if os.path.lexists(directory / n) and not _real_dir(directory / n)]
    if old:
        previous = directory / PREVIOUS
        if previous.is_symlink() or (previous.exists() and not previous.is_dir()):
            raise UsageError(
                f"{previous} is a symbolic link or a file; the previous reports go into a directory "
                "of that name — remove it"
            )
        outgoing = directory / OUTGOING
        _remove(outgoing)
        outgoing.mkdir()
        for name in old:
            _link(directory / name, outgoing / name)  # DIR keeps its file until the new one replaces it
        kept = sorted(previous.iterdir()) if others and previous.is_dir() else []
        for path in kept:  # another command's files in previous/: carried into the previous/ that replaces it
            if path.name not in names and not _real_dir(path):
                _link(path, outgoing / path.name)
    write_text(directory / SWAP, json.dumps({"old": old, "new": new}))  # the commit: one rename
    _finish(directory)


def _finish(directory: Path) -> None:
    """A committed swap carried to its end; each step may be done already (a run cut short within it)."""
    try:
        marker = json.loads((directory / SWAP).read_text("utf-8"))
        old, new = [str(n) for n in marker["old"]], [str(n) for n in marker["new"]]
    except (OSError, ValueError, KeyError, TypeError):
        marker = None
    if marker is None:  # not a commit this program wrote whole: nothing is moved on its word
        _remove(directory / OUTGOING)
        (directory / SWAP).unlink(missing_ok=True)
        return
    staging = staging_dir(directory)
    for name in sorted(n for n in new if n != RECORD and "/" not in n):
        if os.path.lexists(staging / name):
            os.replace(staging / name, directory / name)
    if RECORD in new and os.path.lexists(staging / RECORD):
        os.replace(staging / RECORD, directory / RECORD)  # last: DIR holds the whole run once it is there
    for name in old:
        if name not in new and "/" not in name:
            (directory / name).unlink(missing_ok=True)  # linked into .outgoing/
    outgoing, previous, older = directory / OUTGOING, directory / PREVIOUS, directory / OLDER
    if os.path.lexists(outgoing):
        if os.path.lexists(previous) and not os.path.lexists(older):
            os.rename(previous, older)
        os.rename(outgoing, previous)
    _remove(older)
    _remove(staging)
    (directory / SWAP).unlink(missing_ok=True)  # last: the swap is done


def _link(source: Path, target: Path) -> None:
    """`target` the same file as `source` (a link to it as it is, never followed); a copy where the
    disk takes no hard links."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target, follow_symlinks=False)


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
        path.unlink()
    elif os.path.lexists(path):
        shutil.rmtree(path)


def _complete(staging: Path) -> bool:
    """The staged run recorded its files, and each is in the staging folder as recorded."""
    try:
        found = owner(staging)
    except UsageError:  # a run.json cut short or not this program's: not a finished run
        return False
    if found is None or not found.recorded:
        return False
    for name, sha in found.files.items():
        staged = staging / name
        if staged.is_symlink() or not staged.is_file() or digest(staged) != sha:
            return False
    return True
