"""A command of the real CLI in a child process that kills itself (SIGKILL: nothing of it runs after) at its
Nth change of one folder (a rename, link, removal or new folder in it), so that every step of a write is hit
exactly, whatever the machine's load: tests/report/test_report_swap.py (audit), tests/migration/test_migrate_swap.py
(migrate)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the command's argv[3:] run in argv[1] killing itself at its argv[2]-th change inside that folder (0: never); on
# a run it did not cut, the count of changes on stderr's last line
CHILD = """
import os, signal, sys
out, n, count = os.path.abspath(sys.argv[1]), int(sys.argv[2]), [0]

def inside(arg):
    if not isinstance(arg, (str, bytes, os.PathLike)):
        return False
    return (os.path.abspath(os.fsdecode(arg)) + os.sep).startswith(out + os.sep)

def hooked(real):
    def call(*args, **kwargs):
        mine = kwargs.get("dir_fd") is not None or any(inside(a) for a in args[:2])
        if mine:
            count[0] += 1
            if count[0] == n:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call

for name in ("replace", "rename", "link", "unlink", "mkdir", "rmdir", "symlink"):
    setattr(os, name, hooked(getattr(os, name)))
from auditor.cli import main
code = main(sys.argv[3:])
sys.stderr.write(f"\\nchanges: {count[0]}\\n")
sys.exit(code)
"""


def killed_at(
    folder: Path, nth: int, argv: list[str], env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`argv` run in a child killed at its `nth` change of `folder` (0: run whole), with `env` added to the
    environment. No timeout of its own: the suite's per test (pyproject's `timeout`) bounds the one run a
    test makes."""
    command = [sys.executable, "-c", CHILD, str(folder), str(nth), *argv]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})


def changes(run: subprocess.CompletedProcess[str]) -> int:
    """The changes of the folder a run not cut made."""
    return int(run.stderr.rsplit("changes: ", 1)[1])
