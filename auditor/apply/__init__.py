"""Applying a plan to the tenant, journaled, and undoing it.

    plan_file.py    read plan.json strictly (load_plan -> Plan of Change)
    state.py        re-read a change's subject; evaluate its preconditions; the `before` state
    permissions.py  the Graph permissions the changes need; checked against the token's claims
    writer.py       send one write through the SDK request adapter (429/503 retried, bounded)
    journal.py      the JSONL journal: written line by line (fsync), read strictly by undo
    undo.py         the inverse of a journaled change
    run.py          `license-auditor apply PLAN` and `license-auditor undo JOURNAL`
"""

from __future__ import annotations

from .journal import Journal, JournalWriter, read_journal
from .plan_file import Change, Plan, PlanFileError, load_plan
from .run import cmd_apply, cmd_undo

__all__ = [
    "Change",
    "Journal",
    "JournalWriter",
    "Plan",
    "PlanFileError",
    "cmd_apply",
    "cmd_undo",
    "load_plan",
    "read_journal",
]
