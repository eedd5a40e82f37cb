"""docs/nightly.md (once docs/github-actions.md) followed line by line: one environment everywhere, its
secrets reach the example's job, the action is taken from a copy pinned to a commit (no release is published), and the
permissions it lists for a policy are enough for a complete audit of that policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "nightly.md").read_text("utf-8")
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
AS_OF = "2026-11-01T06:00:00Z"


def _example() -> dict:
    found = re.search(r"<!-- example: composite -->\n```yaml\n(.*?)```", DOC, re.DOTALL)
    assert found
    return yaml.safe_load(found[1])


def test_one_environment_holds_the_credential_and_the_secrets_everywhere() -> None:
    nightly = yaml.safe_load((ROOT / ".github" / "workflows" / "nightly-audit.yml").read_text("utf-8"))
    named = {job["environment"] for job in nightly["jobs"].values() if "environment" in job}
    assert named == {"license-audit"}
    job = _example()["jobs"]["audit"]
    assert job["environment"] == "license-audit"  # so its SMTP secrets, environment secrets, reach it
    assert "secrets.SMTP_PASSWORD" in json.dumps(job)
    assert "Environment secrets**: `SMTP_USERNAME` and" in DOC
    for page in sorted((ROOT / "docs").glob("*.md")):  # every workflow the docs give names that environment
        text = page.read_text("utf-8")
        assert "environment:audit" not in text, page.name
        assert all(e == "license-audit" for e in re.findall(r"^\s+environment: ([\w-]+)", text, re.M)), page.name
    assert "repository secrets" not in (ROOT / "tenants.example.yaml").read_text("utf-8")


def test_the_action_is_taken_from_a_copy_pinned_to_a_commit() -> None:
    (uses,) = [step["uses"] for step in _example()["jobs"]["audit"]["steps"] if "license-auditor" in step["uses"]]
    assert uses == "YOUR-ORG/license-auditor@YOUR-COMMIT-SHA"
    assert "contoso/license-auditor" not in DOC
    assert "Fork or copy this repository" in DOC


def test_the_fork_step_says_a_public_fork_shows_the_report_and_needs_actions_enabled() -> None:
    """A fork of a public repository is public, and the nightly uploads the unredacted report.json as an
    artifact for as many days as the workflow keeps it; a fork runs no workflow until Actions are enabled."""
    step = DOC.split("## 1. ", 1)[1].split("\n## ", 1)[0]
    flat = " ".join(step.split())
    workflow = (ROOT / ".github" / "workflows" / "nightly-audit.yml").read_text("utf-8")
    (days,) = set(re.findall(r"retention-days: (\d+)", workflow.split("Upload the reports", 1)[1][:600]))
    assert "A fork of a public repository is public" in flat and "unredacted" in flat
    assert f"artifact kept {days} days" in flat
    assert "enable Actions" in flat


def _listed(marker: str) -> tuple[str, ...]:
    """The permissions the doc lists under `<!-- permissions: marker -->`, in backticks."""
    found = re.search(rf"<!-- permissions: {marker} -->\n(.*?)\n\n", DOC, re.DOTALL)
    assert found
    return tuple(dict.fromkeys(re.findall(r"`([A-Z][\w-]*(?:\.[\w-]+)+)`", found[1])))


@pytest.mark.parametrize("marker", ["first policy", "example policy"])
def test_the_listed_permissions_audit_the_policy_completely(
    marker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    tenant = load_snapshot(SAMPLE)
    roles = _listed(marker)
    assert "User.Read.All" in roles
    if marker == "first policy":
        assert main(["init", "--snapshot", str(SAMPLE)]) == 0
        policies = "policies"
    else:
        policies = str(ROOT / "examples" / "contoso-policy.yaml")
    token = app_token(tenant.tenant_id, roles)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    with GraphEmulator(tenant, token=token) as graph:
        code = main(
            [
                "audit",
                "--graph-endpoint",
                graph.url,
                "--tenant-id",
                tenant.tenant_id,
                "--auth",
                "token",
                "--policies",
                policies,
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ]
        )
    report = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    assert code == 1 and report["complete"] is True, report.get("gaps")
