"""A plan's age is measured from when its tenant data was read (report.json's collected_at), not
only from when the plan was made: a plan built today from a 29-day-old report is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main

from .conftest import BEN, E5, assign, run, write_plan

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"


def _stamp(plan: Path, collected: str) -> None:
    doc = json.loads(plan.read_text(encoding="utf-8"))
    doc["report_collected_at"] = collected
    plan.write_text(json.dumps(doc), encoding="utf-8")


def test_a_fresh_plan_of_an_old_report_is_refused(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])  # created an hour before apply's clock
    _stamp(plan, "2026-10-03T06:00:00Z")  # its tenant data was read 29 days before
    assert run("apply", plan, graph, "--yes") == 2
    err = capsys.readouterr().err
    assert (
        f"{plan}: report_collected_at: the plan rests on tenant data read 2026-10-03T06:00:00Z, 29 days 1 hour "
        "ago, more than --max-age 7 days"
    ) in err
    assert graph.emulator.requests == [] and graph.direct(BEN) == {E5: ()}
    assert run("apply", plan, graph, "--yes", "--max-age", "30d") == 0  # allowed on purpose


def test_plan_records_when_the_data_was_read_and_refuses_old_data_with_max_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(SAMPLE),
                "--policies",
                str(EXAMPLE),
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
            ]
        )
        == 0
    )
    collected = json.loads((out / "report.json").read_text(encoding="utf-8"))["collected_at"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18: weeks after the data was read
    assert main(["plan", "--report-dir", str(out)]) == 0
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["report_collected_at"] == collected
    assert "warning: the report's tenant data was read" in capsys.readouterr().err
    again = tmp_path / "again"
    shutil.copytree(out, again)
    assert main(["plan", "--report-dir", str(again), "--max-age", "7d"]) == 2
    assert "more than --max-age 7 days: audit again, then plan" in capsys.readouterr().err
