"""The nightly workflow carries the history file from run to run in the report artifact: its fetch
step, run by bash with a `gh` that serves earlier runs' artifacts from folders, takes the history
from the newest earlier run that has one (complete or not) and the baseline from the newest
complete report; the audit step then appends to that file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NIGHTLY = ROOT / ".github" / "workflows" / "nightly-audit.yml"


def _step(name: str) -> dict[str, object]:
    doc = yaml.safe_load(NIGHTLY.read_text(encoding="utf-8"))
    return next(s for s in doc["jobs"]["audit"]["steps"] if s.get("name") == name)


def _fake_gh(bin_dir: Path, artifacts: Path) -> None:
    """`gh run list` prints the run ids (newest first); `gh run download RUN --dir D` copies
    artifacts/RUN into D, or fails when that run has no artifact."""
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"""#!/bin/bash
if [ "$1 $2" = "run list" ]; then ls {artifacts} | sort -rn; exit 0; fi
if [ "$1 $2" = "run download" ]; then
  run="$3"; shift 3
  while [ $# -gt 0 ]; do if [ "$1" = "--dir" ]; then dir="$2"; fi; shift; done
  [ -d "{artifacts}/$run" ] || exit 1
  mkdir -p "$dir" && cp -r "{artifacts}/$run/." "$dir/"
  exit 0
fi
exit 1
""")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)


def _run(tmp_path: Path, runs: dict[int, dict[str, str]]) -> subprocess.CompletedProcess[str]:
    artifacts = tmp_path / "artifacts"
    for run, files in runs.items():
        folder = artifacts / str(run)
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text)
    artifacts.mkdir(exist_ok=True)
    _fake_gh(tmp_path / "bin", artifacts)
    step = _step("Fetch the previous report (baseline) and the history")
    env = {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "OUT": "reports/contoso",
           "ARTIFACT": "license-audit-contoso", "GITHUB_REPOSITORY": "contoso/audit", "GITHUB_REF_NAME": "main",
           "GITHUB_RUN_ID": "99", "WORKFLOW_REF": "contoso/audit/.github/workflows/nightly-audit.yml@refs/heads/main",
           "HOME": str(tmp_path)}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", str(step["run"])], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)


def _report(complete: bool) -> str:
    return json.dumps({"complete": complete, "summary": {}})


def test_history_comes_from_the_newest_run_and_the_baseline_from_the_newest_complete(tmp_path: Path) -> None:
    done = _run(tmp_path, {
        98: {"report.json": _report(False), "history.jsonl": "run-98\n"},  # incomplete, newest
        97: {"report.json": _report(True), "history.jsonl": "run-97\n"},
        96: {"report.json": _report(True), "history.jsonl": "run-96\n"},
    })
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reports/contoso/history.jsonl").read_text() == "run-98\n"
    assert json.loads((tmp_path / "baseline/report.json").read_text())["complete"] is True
    assert (tmp_path / "baseline/history.jsonl").read_text() == "run-97\n"
    assert "history: history.jsonl of run 98" in done.stdout and "baseline: report.json of run 97" in done.stdout


def test_a_first_run_starts_the_history(tmp_path: Path) -> None:
    done = _run(tmp_path, {})
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "reports/contoso/history.jsonl").exists()
    assert not (tmp_path / "baseline").exists()
    assert "this run starts it" in done.stdout


@pytest.mark.parametrize("missing", ["history.jsonl", "report.json"])
def test_runs_without_a_file_are_skipped_for_it(tmp_path: Path, missing: str) -> None:
    newest = {"report.json": _report(True), "history.jsonl": "run-98\n"}
    del newest[missing]
    done = _run(tmp_path, {98: newest, 97: {"report.json": _report(True), "history.jsonl": "run-97\n"}})
    assert done.returncode == 0, done.stderr
    expected_history = "run-97\n" if missing == "history.jsonl" else "run-98\n"
    assert (tmp_path / "reports/contoso/history.jsonl").read_text() == expected_history
    assert (tmp_path / "baseline/report.json").exists()
