"""Applying a plan to the tenant, journaled, and undoing it (plan.json is read by
auditor.formats.plan_json: load_plan -> PlanFile of Change).

    state.py        re-read a change's subject: the `before` state
    preconditions.py  whether a change's preconditions still hold on it, and whether it shows the change made
    permissions.py  the Graph permissions the changes need; checked against the token's claims
    writer.py       send one write through the SDK request adapter (429/503 retried, bounded; no redirect)
    journal.py      the JSONL journal: written ahead (sending, then the outcome; fsync), the one reader of every journal
    write_engine.py the one journaled write path (sending, the call, the outcome) of every write kind; the bill's
                    journal, its apply loop and undo frame (commerce.py, distributor.py and their undo declare the rest)
    plan_binding.py the plan a write is bound to by its SHA-256: re-read, kept beside the journal, found again
    lock.py         one run per plan or journal at a time (flock, as audit locks its output directory)
    arguments.py    the apply and undo command-line flags (the parser; nothing of the run)
    undo.py         the inverse of a journaled change
    groups.py       re-read a group before a join, a leave or a removal the group stands in for
    undoing.py      `license-auditor undo JOURNAL`: seat check, the plan's journals, the products kept
    carry.py        carrying on past a failed change: what rests on it, --max-failures, settling by re-read
    session.py      one run's console and journal, the re-read before each change, and the write loop's steps
    run.py          `license-auditor apply PLAN`: the plan's changes, in order, through a session
"""

from __future__ import annotations

from auditor.common.lazy import lazy_exports

# Exported lazily: apply loads the Graph SDK, which `--help` and `plan` never need.
_WHERE = {
    "Journal": "journal",
    "JournalWriter": "journal",
    "read_journal": "journal",
    "cmd_apply": "run",
    "cmd_undo": "undoing",
}
__all__ = sorted(_WHERE)


__getattr__ = lazy_exports(__name__, _WHERE)
