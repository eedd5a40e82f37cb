"""Applying a plan to the tenant, journaled, and undoing it.

    plan_file.py    read plan.json strictly (load_plan -> PlanFile of Change)
    state.py        re-read a change's subject; evaluate its preconditions; the `before` state
    permissions.py  the Graph permissions the changes need; checked against the token's claims
    writer.py       send one write through the SDK request adapter (429/503 retried, bounded; no redirect)
    journal.py      the JSONL journal: written ahead (sending, then the outcome; fsync), read line by line
    lock.py         one run per plan or journal at a time (flock, as audit locks its output directory)
    undo.py         the inverse of a journaled change
    groups.py       re-read a group before a join, a leave or a removal the group stands in for
    undoing.py      `license-auditor undo JOURNAL`: seat check, the plan's journals, the products kept
    run.py          `license-auditor apply PLAN` (and the session undo uses too)
"""

from __future__ import annotations

import importlib
from typing import Any

# Exported lazily: the planner reads plan_file's parser, and must not load the writer (the SDK).
_WHERE = {
    "Journal": "journal", "JournalWriter": "journal", "read_journal": "journal",
    "Change": "plan_file", "PlanFile": "plan_file", "PlanFileError": "plan_file", "load_plan": "plan_file",
    "cmd_apply": "run", "cmd_undo": "undoing",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
