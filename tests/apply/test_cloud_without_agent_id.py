"""A cloud whose Graph has no Microsoft Entra Agent ID (issue 95, point 9): the agentUser cast is answered
400 `BadRequest` "Resource not found for the segment 'microsoft.graph.agentUser'." A type Graph does not
know has no objects, so the audit judges the leaver as a person, the plan removes its license, and apply,
re-reading the kind at the call, hears the same answer and makes the same change."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor_dev.emulator import AGENT_ID

from .conftest import E3, apply_yes, make_tenant, outcome_lines
from .test_account_kinds import LEAVER, POLICY, _user


def test_a_leaver_in_a_cloud_without_agent_id_is_audited_planned_and_applied(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = make_tenant()
    leaver = _user(LEAVER, "leaver", E3, account_enabled=False)
    graph = graph_for(dataclasses.replace(base, users=(leaver,), groups=(), agents=None))
    graph.emulator.unknown_segments = frozenset(AGENT_ID)  # this cloud's Graph has no Agent ID
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--format", "json"]
    assert main([*audit, "--output-dir", str(reports), *conn]) == 1  # findings, and complete: no exit 3
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert report["complete"] is True and report["gaps"] == []
    assert {f["subject"]["id"] for f in report["findings"] if f["rule"] == DisabledUserLicensed.id} == {LEAVER}
    assert main(["plan", "--report-dir", str(reports), "--rules", DisabledUserLicensed.id]) == 0
    [change] = json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert change["user"] == LEAVER and {"person": True} in change["precondition"]
    journal = tmp_path / "j.jsonl"
    assert (
        apply_yes(reports / "plan.json", graph, tmp_path / "policy.yaml", journal, "--rules", DisabledUserLicensed.id)
        == 0
    )
    [line] = outcome_lines(journal)
    assert line["outcome"] == "done"
    assert graph.direct(LEAVER) == {}
    asked = [r for r in graph.emulator.requests if r.path == "/users/microsoft.graph.agentUser"]
    assert asked and all(r.status == 400 for r in asked)  # the audit's listing and apply's re-read alike
