"""The nightly workflow carries the history file from run to run in the report artifact: its fetch
step, run by bash with a `gh` that serves earlier runs' artifacts from folders, takes the history
from the newest earlier run that has one (complete or not) and the baseline from the newest
complete report; the audit step then appends to that file. Only the workflow's own runs on the
default branch of the repository count: a run a pull request started, or one on another branch,
from a fork or of another workflow, is never read, however new."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from . import fake_gh

ROOT = Path(__file__).resolve().parents[2]
NIGHTLY = ROOT / ".github" / "workflows" / "nightly-audit.yml"


def _step(name: str) -> dict[str, object]:
    doc = yaml.safe_load(NIGHTLY.read_text(encoding="utf-8"))
    return next(s for s in doc["jobs"]["audit"]["steps"] if s.get("name") == name)


def _run(
    tmp_path: Path, runs: dict[int, dict[str, str]], crafted: dict[int, dict[str, object]] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the fetch step with earlier runs `runs` (id -> artifact files); `crafted` overrides what
    GitHub says about a run (a pull request's, another branch's, a fork's, another workflow's)."""
    described = {run: fake_gh.run_object(run) for run in runs} | (crafted or {})
    env = fake_gh.install(tmp_path, described, runs)
    step = _step("Fetch the previous report (baseline) and the history")
    env |= {
        "OUT": "reports/contoso",
        "ARTIFACT": "license-audit-contoso",
        "GITHUB_REF_NAME": "main",
        "GITHUB_RUN_ID": "99",
        "WORKFLOW_REF": "contoso/audit/.github/workflows/nightly-audit.yml@refs/heads/main",
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", str(step["run"])],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _report(complete: bool) -> str:
    return json.dumps({"complete": complete, "summary": {}})


def test_history_comes_from_the_newest_run_and_the_baseline_from_the_newest_complete(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        {
            98: {"report.json": _report(False), "history.jsonl": "run-98\n"},  # incomplete, newest
            97: {"report.json": _report(True), "history.jsonl": "run-97\n"},
            96: {"report.json": _report(True), "history.jsonl": "run-96\n"},
        },
    )
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


@pytest.mark.parametrize(
    "crafted",
    [
        {"event": "pull_request"},
        {"event": "pull_request_target"},
        {"branch": "feature"},
        {"head_repo": "mallory/audit"},  # a fork's pull request from its own branch named main
        {"repo": "mallory/audit"},
        {"workflow": "other.yml"},
    ],
    ids=lambda c: next(iter(c.values())),
)
def test_a_run_of_other_code_is_neither_baseline_nor_history(tmp_path: Path, crafted: dict[str, str]) -> None:
    poisoned = {"report.json": _report(True), "history.jsonl": '{"poisoned": true}\n'}
    done = _run(
        tmp_path,
        {98: poisoned, 97: {"report.json": _report(True), "history.jsonl": "run-97\n"}},
        crafted={98: fake_gh.run_object(98, **crafted)},
    )  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reports/contoso/history.jsonl").read_text() == "run-97\n"
    assert (tmp_path / "baseline/history.jsonl").read_text() == "run-97\n"
    assert "98" not in fake_gh.downloads(tmp_path)
    assert "run 98 left out" in done.stderr


def test_the_current_run_is_not_its_own_baseline(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        {
            99: {"report.json": _report(True), "history.jsonl": "run-99\n"},
            97: {"report.json": _report(True), "history.jsonl": "run-97\n"},
        },
    )
    assert done.returncode == 0, done.stderr
    assert fake_gh.downloads(tmp_path) == ["97"]
