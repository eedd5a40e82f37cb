"""A member change to a group whose members Graph will not change (it became dynamic or synced
since the plan, or a plan.json written by hand): Graph's refusal is journaled as failed with
Graph's own message, and the run stops there with exit 3 instead of crashing."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor_dev.emulator.tenant import DYNAMIC_REFUSED, SYNCED_REFUSED

from .conftest import (
    BEN,
    CARL,
    DORA,
    E5,
    G_E3,
    G_E5,
    add_member,
    assign,
    make_tenant,
    outcome_lines,
    remove_member,
    run,
    write_plan,
)

RULE = '(user.department -eq "Sales")'


@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [
        (
            {"group_types": ("DynamicMembership",), "membership_rule": RULE},
            403,
            f"Graph refused it: 403 Authorization_RequestDenied: {DYNAMIC_REFUSED}",
        ),
        ({"on_premises_sync_enabled": True}, 400, f"Graph refused it: 400 Request_BadRequest: {SYNCED_REFUSED}"),
    ],
)
def test_graphs_refusal_is_journaled_as_failed(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str], kind: dict[str, Any], status: int, words: str
) -> None:
    snap = make_tenant()
    groups = tuple(msgspec.structs.replace(g, **kind) if g.id == G_E5 else g for g in snap.groups)
    graph = graph_for(dataclasses.replace(snap, groups=groups))
    plan = write_plan(
        tmp_path,
        [
            assign(BEN, remove=[E5]),
            remove_member(CARL, G_E5, "Carl leaves License - E5"),
            add_member(DORA, G_E3),
        ],
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 3
    captured = capsys.readouterr()
    lines = outcome_lines(journal)
    assert [(x["n"], x["outcome"], x["status"]) for x in lines] == [
        (1, "done", 200),
        (2, "failed", status),
        (3, "done", 204),
    ]
    assert lines[1]["note"].startswith(words), lines[1]["note"]
    if status == 403:  # the same 403 as a missing permission: the note names both causes
        assert "unless the group is dynamic: then change its membership rule instead" in lines[1]["note"]
    assert f"change 2 (DELETE /groups/{G_E5}/members/{CARL}/$ref): {words}" in captured.err
    assert "Traceback" not in captured.err
    assert graph.member(CARL, G_E5), "Carl is still a member"
    assert graph.member(DORA, G_E3), "the run went on past the refusal"
