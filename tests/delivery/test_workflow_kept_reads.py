"""The many-tenants workflow carries each tenant's folder from night to night: its fetch step, run by
bash with a `gh` that serves the previous run's shard artifacts, restores every tenant's last folder
(its report, run.json, history and kept sign-in read) into the shard's output folder, and the audit
step's `--baseline previous` then reads the kept sign-in read instead of every user's activity again
(docs/lane.md). Before, the step copied only the reports to a baseline folder: every night was a full
read for every tenant, and the lane's budget was never planned from a kept read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from . import fake_gh

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "nightly-many-tenants.yml"
KEPT = "sign-in-activity.json.gz"
BASELINE = ("--baseline", "previous")


def _job(name: str) -> dict[str, object]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = doc["jobs"][name]
    assert isinstance(job, dict)
    return job


def _step(name: str) -> str:
    steps = _job("audit")["steps"]
    assert isinstance(steps, list)
    return str(next(s for s in steps if s.get("name") == name)["run"])


def _night(out: Path) -> dict[str, list[str] | dict[str, int] | int]:
    """One night of the demo fleet as the audit step runs it, into `out`; the sign-in lane it planned."""
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--demo", "--tenants", "--output-dir", str(out), *BASELINE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    lane = json.loads((out / "sign-in-lane.json").read_text(encoding="utf-8"))
    assert isinstance(lane, dict)
    return lane


def _keys(lane: dict[str, list[str] | dict[str, int] | int], name: str) -> set[str]:
    value = lane[name]
    assert isinstance(value, list)
    return set(value)


def test_the_audit_step_keeps_each_tenants_folder_from_night_to_night() -> None:
    assert "--baseline previous)" in _step("Audit the shard")


def test_a_restored_folder_gives_the_next_night_its_kept_sign_in_read(tmp_path: Path) -> None:
    first = _night(tmp_path / "night-1")
    kept = sorted(p.parent.name for p in (tmp_path / "night-1").glob(f"*/{KEPT}"))
    assert kept, "the first night kept no sign-in read: nothing to carry"
    assert set(kept) <= _keys(first, "without_kept_read")

    env = fake_gh.install(tmp_path, {98: fake_gh.run_object(98, workflow=WORKFLOW.name)}, {})
    artifact = tmp_path / "gh-state" / "artifacts" / "98" / "license-audit-shard-1"
    shutil.copytree(tmp_path / "night-1", artifact, ignore=shutil.ignore_patterns("snapshot.json"))
    env |= {
        "OUT": "shard",
        "GITHUB_RUN_ID": "99",
        "WORKFLOW_REF": f"contoso/audit/.github/workflows/{WORKFLOW.name}@refs/heads/main",
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step("Fetch each tenant's last folder")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert fake_gh.downloads(tmp_path) == ["98"]
    for key in kept:
        for name in ("report.json", "run.json", "history.jsonl", KEPT):
            restored = tmp_path / "shard" / key / name
            assert restored.read_bytes() == (tmp_path / "night-1" / key / name).read_bytes(), restored

    second = _night(tmp_path / "shard")
    assert not set(kept) & _keys(second, "without_kept_read"), second
    assert second["requests_by_app"] != first["requests_by_app"]
    for key in kept:  # last night's complete report is tonight's baseline
        previous = tmp_path / "shard" / key / "previous" / "report.json"
        assert previous.read_bytes() == (tmp_path / "night-1" / key / "report.json").read_bytes()
