"""Run again once done (issue 117, low): a plan applied in full and applied again skips the changes it made,
each with the note of what the tenant shows now, and exits 0 (docs/plan-and-apply.md: "Run again once done,
the plan's made changes are skipped"); nothing is sent the second time, nothing is called refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator

from .test_file_selects import SAMPLE, Planned, _apply, _pinned, _real_recompile, _writes, planned

__all__ = ["planned"]  # the module's fixture: the sample audited and planned once


def test_a_plan_applied_again_once_done_skips_what_it_made_and_exits_0(
    planned: Planned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _pinned(monkeypatch, planned.token, planned.tenant_id)
    monkeypatch.setattr("auditor.pipeline.recompile.recompile", _real_recompile())
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(planned.plan), "utf-8")
    with GraphEmulator(load_snapshot(SAMPLE), token=planned.token) as graph:
        assert _apply(graph, path, tmp_path / "first.jsonl") == 0
        assert _writes(graph) == planned.written
        sent = len(graph.writes())
        capsys.readouterr()
        assert _apply(graph, path, tmp_path / "again.jsonl") == 0
        out, err = capsys.readouterr()
        assert len(graph.writes()) == sent, "nothing is sent again"
    assert "refused" not in err + out
    lines = [json.loads(t) for t in (tmp_path / "again.jsonl").read_text("utf-8").splitlines()]
    assert {ln["outcome"] for ln in lines} == {"skipped"} and len(lines) == len(planned.plan["changes"])
    # a reprocess stays possible once made: the first run's journal says it was made
    reprocessed = [ln for ln in lines if ln["action"]["kind"] == "reprocess"]
    assert reprocessed and all(
        ln["note"].startswith("made by an earlier run of this plan (first.jsonl, line ") for ln in reprocessed
    )
    assert f"0 of {len(lines)} change(s) applied, {len(lines)} skipped" in out
