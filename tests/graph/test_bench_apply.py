"""benchmarks.apply's workload: a plan narrowed to its first changes, applied through the CLI against the
benchmark's emulator with Graph's limits on; apply's fresh compile reads what the audit read, and the
changes are the plan's, each made."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.data.copilot_chat_use import AUDIT_QUERIES_PATH
from benchmarks.apply import changes_of, measure, narrowed, outcomes, table
from benchmarks.policies import without_inactivity


def test_apply_of_a_narrowed_plan_reads_the_tenant_again_and_makes_every_change(tmp_path: Path) -> None:
    row = measure(1000, 20, 7, 0.0, tmp_path, without_inactivity(tmp_path))
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text("utf-8"))
    assert 20 <= row["plan"]["changes"] == len(plan["changes"]) < row["plan"]["of"]
    assert plan["filters"]["findings"] == narrowed(changes_of(tmp_path / "whole" / "plan.json"), 20)
    applied = row["apply"]
    assert applied["exit"] == 0 and applied["outcomes"] == {"done": len(plan["changes"])}
    assert applied["throttled"] == 0 == row["audit"]["requests"]["throttled"]
    # the fresh compile is a full read: the audit's listings of the users and of the groups' members again
    fresh, audit = applied["compile_requests"]["calls"], row["audit"]["requests"]["calls"]
    for call in ("GET /users", "GET /groups/{id}/transitiveMembers/microsoft.graph.user"):
        assert fresh[call] == audit[call] > 0
    # and it writes nothing; after it, each change is one write
    writes = applied["write_requests"]["calls"]
    # (the audit log's query of the Copilot interactions, where a policy asks for it, is a POST Microsoft
    # grants with a read permission)
    read_posts = ("/$batch", f"POST {AUDIT_QUERIES_PATH}")
    assert not any(name.split()[0] in ("POST", "DELETE") and not name.endswith(read_posts) for name in fresh)
    assert sum(n for name, n in writes.items() if name.split()[0] in ("POST", "DELETE")) == len(plan["changes"])
    assert applied["compile_s"] > 0 and applied["writes_s"] > 0
    assert "| … the fresh compile" in table(row)


def test_outcomes_are_each_changes_last_and_a_refusal_is_told_apart(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    lines = [
        {"n": 1, "outcome": "sending"},
        {"n": 1, "outcome": "done"},
        {"n": 2, "outcome": "failed", "note": "refused (body), nothing sent: ..."},
        {"n": 3, "outcome": "sending"},
        {"n": 3, "outcome": "failed", "note": "Graph answered 400"},
    ]
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    assert outcomes(journal) == {"done": 1, "refused": 1, "failed": 1}
    assert outcomes(tmp_path / "none.jsonl") == {}
