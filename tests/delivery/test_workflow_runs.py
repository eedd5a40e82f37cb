"""license-apply.yml plans only from a report of the nightly audit's own run on the default branch of
this repository, and action.yml takes its baseline only from such runs of the calling workflow: each
step is run by bash, as GitHub runs it, with a `gh` that describes crafted runs (tests/delivery/
fake_gh.py), so a run a pull request started, one on another branch, one from a fork, one in
another repository or one of another workflow is refused before its artifact is downloaded."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.delivery.runs import Trusted, main, refusal, workflow_file

from . import fake_gh

ROOT = Path(__file__).resolve().parents[2]
TRUSTED = Trusted(fake_gh.REPO, fake_gh.NIGHTLY, "main")

# How a run can be other code than the nightly audit's on the default branch, and what the refusal names.
OTHER_CODE: list[tuple[dict[str, Any], str]] = [
    ({"event": "pull_request"}, "started by a pull request (pull_request)"),
    ({"event": "pull_request_target"}, "started by a pull request (pull_request_target)"),
    ({"event": "pull_request_review"}, "started by a pull request"),
    ({"branch": "feature"}, "ran on branch feature, not on the default branch main"),
    ({"head_repo": "mallory/audit"}, "its code came from mallory/audit (a fork)"),
    ({"repo": "mallory/audit", "head_repo": "mallory/audit"}, "it ran in mallory/audit, not in contoso/audit"),
    (
        {"workflow": "license-apply.yml"},
        "a run of .github/workflows/license-apply.yml, not of .github/workflows/nightly-audit.yml",
    ),
]
IDS = ["pull_request", "pull_request_target", "pull_request_review", "branch", "fork", "repository", "workflow"]


def _step(path: Path, name: str) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = (
        [s for job in (doc.get("jobs") or {}).values() for s in job["steps"]] if "jobs" in doc else doc["runs"]["steps"]
    )
    return next(s for s in steps if s.get("name") == name)


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- the rule -----------------------------------------------------------------------------------------


def test_the_nightly_run_on_the_default_branch_is_trusted() -> None:
    for event in ("schedule", "workflow_dispatch"):
        assert refusal(fake_gh.run_object(7, event=event), TRUSTED) is None
    # the form github.workflow_ref uses is read as the same workflow
    run = fake_gh.run_object(7) | {"path": "contoso/audit/.github/workflows/nightly-audit.yml@refs/heads/main"}
    assert refusal(run, TRUSTED) is None


@pytest.mark.parametrize(("crafted", "reason"), OTHER_CODE, ids=IDS)
def test_a_run_of_other_code_is_refused(crafted: dict[str, Any], reason: str) -> None:
    why = refusal(fake_gh.run_object(7, **crafted), TRUSTED)
    assert why is not None and reason in why


@pytest.mark.parametrize(
    "broken",
    [
        {"head_repository": None},
        {"repository": None},
        {"event": None},
        {"head_branch": None},
        {"path": None},
        {"path": ".github/workflows/nightly-audit.yml/../other.yml@main"},
        {"path": "nightly-audit.yml"},
    ],
)
def test_a_run_github_does_not_fully_describe_is_refused(broken: dict[str, Any]) -> None:
    assert refusal(fake_gh.run_object(7) | broken, TRUSTED) is not None
    assert refusal("not a run", TRUSTED) is not None


def test_workflow_file() -> None:
    assert workflow_file(".github/workflows/a.yml", "o/r") == ".github/workflows/a.yml"
    assert workflow_file("O/R/.github/workflows/a.yml@refs/heads/main", "o/r") == ".github/workflows/a.yml"
    assert workflow_file("dynamic/pages/pages-build-deployment", "o/r") == ""


def test_the_command_line_without_a_repository_or_gh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["check", "7", "--workflow", "nightly-audit.yml"], environ={}) == 2
    assert "not OWNER/REPO" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path))  # no gh at all
    assert main(["check", "7", "--workflow", "nightly-audit.yml", "--repo", "o/r"], environ={}) == 3
    assert capsys.readouterr().err.startswith("::error::cannot read the runs from GitHub")
    with pytest.raises(SystemExit):
        main(["check", "7; rm -rf /", "--workflow", "nightly-audit.yml"], environ={})
    with pytest.raises(SystemExit):
        main(["check", "7", "--workflow", "../x"], environ={})


# --- license-apply.yml: the run id a person gives -----------------------------------------------------


def _apply_download(tmp_path: Path, run: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    step = _step(ROOT / ".github" / "workflows" / "license-apply.yml", "Download the audit's report")
    env = fake_gh.install(
        tmp_path, {run["id"]: run}, {run["id"]: {"report.json": json.dumps({"complete": True, "findings": []})}}
    )
    env |= {k: v for k, v in step["env"].items() if "${{" not in v}
    env |= {"NIGHTLY_WORKFLOW": "nightly-audit.yml", "RUN_ID": str(run["id"]), "TENANT": "contoso"}
    return _bash(step["run"], tmp_path, env)


def test_apply_downloads_the_nightly_runs_report(tmp_path: Path) -> None:
    done = _apply_download(tmp_path, fake_gh.run_object(4242))
    assert done.returncode == 0, done.stderr
    assert fake_gh.downloads(tmp_path) == ["4242"]
    assert (tmp_path / "report" / "report.json").exists()


@pytest.mark.parametrize(("crafted", "reason"), OTHER_CODE, ids=IDS)
def test_apply_refuses_a_run_of_other_code(tmp_path: Path, crafted: dict[str, Any], reason: str) -> None:
    done = _apply_download(tmp_path, fake_gh.run_object(4242, **crafted))
    assert done.returncode == 2, done.stderr
    assert fake_gh.downloads(tmp_path) == []
    assert not (tmp_path / "report").exists()
    assert done.stderr.startswith("::error::run 4242 is not a run of nightly-audit.yml on main in contoso/audit")
    assert reason in done.stderr


@pytest.mark.parametrize("event", ["push", "schedule"])
def test_apply_refuses_a_run_whose_commit_is_not_on_the_default_branch(tmp_path: Path, event: str) -> None:
    """A tag named like the default branch (`git push origin HEAD:refs/tags/main`) gives its runs
    head_branch "main"; only the commit tells: it must be reachable from the branch (compare API)."""
    done = _apply_download(tmp_path, fake_gh.run_object(4242, event=event, head_sha=fake_gh.ELSEWHERE))
    assert done.returncode == 2, done.stderr
    assert fake_gh.downloads(tmp_path) == []
    assert (
        f"its commit {fake_gh.ELSEWHERE[:12]} is not on the default branch main (the compare API says diverged"
        in done.stderr
    )
    compare = [c for c in fake_gh.calls(tmp_path) if c[:1] == ["api"] and "/compare/" in c[1]]
    assert compare == [["api", f"repos/{fake_gh.REPO}/compare/{fake_gh.TIP}...{fake_gh.ELSEWHERE}"]]


def test_the_tip_of_the_default_branch_itself_is_trusted(tmp_path: Path) -> None:
    done = _apply_download(tmp_path, fake_gh.run_object(4242, head_sha=fake_gh.TIP))
    assert done.returncode == 0, done.stderr
    assert fake_gh.downloads(tmp_path) == ["4242"]


def test_apply_refuses_a_run_github_does_not_know(tmp_path: Path) -> None:
    step = _step(ROOT / ".github" / "workflows" / "license-apply.yml", "Download the audit's report")
    env = fake_gh.install(tmp_path, {}, {4242: {"report.json": "{}"}})
    env |= {"NIGHTLY_WORKFLOW": "nightly-audit.yml", "RUN_ID": "4242", "TENANT": "contoso"}
    done = _bash(step["run"], tmp_path, env)
    assert done.returncode == 3 and fake_gh.downloads(tmp_path) == []
    assert "HTTP 404" in done.stderr


def test_apply_names_the_nightly_workflow() -> None:
    step = _step(ROOT / ".github" / "workflows" / "license-apply.yml", "Download the audit's report")
    assert step["env"]["NIGHTLY_WORKFLOW"] == "${{ vars.LICENSE_AUDIT_WORKFLOW || 'nightly-audit.yml' }}"
    script = step["run"]
    assert script.index("auditor.delivery.runs check") < script.index("gh run download")


def test_each_journal_is_kept_with_its_plan_as_long_as_the_plan(tmp_path: Path) -> None:
    """undo needs the exact plan bytes beside the journal; a re-run of the plan job replaces the plan artifact."""
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "license-apply.yml").read_text(encoding="utf-8"))
    plan_upload = next(s for s in flow["jobs"]["plan"]["steps"] if s.get("name") == "Upload the plan")["with"]
    steps = flow["jobs"]["apply"]["steps"]
    names = [s.get("name") for s in steps]
    upload = next(s for s in steps if s.get("name") == "Upload the journal")["with"]
    assert upload["path"].splitlines() == ["journal/journal-${{ github.run_attempt }}.jsonl", "journal/plan.json"]
    assert plan_upload["retention-days"] == upload["retention-days"] == 90
    commerce = next(s for s in flow["jobs"]["commerce"]["steps"] if s.get("name") == "Upload the commerce journal")
    assert commerce["with"]["path"].splitlines() == ["plan/commerce-journal-*.jsonl", "plan/plan.json"]
    assert commerce["with"]["retention-days"] == 90
    keep = next(s for s in steps if s.get("name") == "Keep the plan beside the journal")
    assert names.index("Apply") < names.index("Keep the plan beside the journal") < names.index("Upload the journal")
    assert keep["if"] == "always()"
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "plan.json").write_bytes(b'{"plan_version": 1}\n')
    (tmp_path / "journal").mkdir()
    assert _bash(keep["run"], tmp_path, {"ATTEMPT": "2"}).returncode == 0
    assert list((tmp_path / "journal").iterdir()) == []  # no journal (nothing attempted): nothing to keep
    (tmp_path / "journal" / "journal-2.jsonl").write_text("{}\n")
    assert _bash(keep["run"], tmp_path, {"ATTEMPT": "2"}).returncode == 0
    assert (tmp_path / "journal" / "plan.json").read_bytes() == b'{"plan_version": 1}\n'


def test_a_re_run_downloads_the_earlier_attempts_journals_before_applying(tmp_path: Path) -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "license-apply.yml").read_text(encoding="utf-8"))
    steps = flow["jobs"]["apply"]["steps"]
    names = [s.get("name") for s in steps]
    assert names.index("Download the earlier attempts' journals") < names.index("Apply")
    upload = next(s for s in steps if s.get("name") == "Upload the journal")["with"]
    assert upload["name"] == "license-journal-${{ inputs.tenant }}-${{ github.run_attempt }}"
    assert flow["jobs"]["apply"]["env"]["ATTEMPT"] == "${{ github.run_attempt }}"
    step = _step(ROOT / ".github" / "workflows" / "license-apply.yml", "Download the earlier attempts' journals")
    env = fake_gh.install(tmp_path, {}, {})
    run_dir = tmp_path / "gh-state" / "artifacts" / "4242"
    for attempt in (1, 3):  # attempt 2 stopped before its first change: no journal
        folder = run_dir / f"license-journal-contoso-{attempt}"
        folder.mkdir(parents=True)
        (folder / f"journal-{attempt}.jsonl").write_text(f'{{"attempt": {attempt}}}\n')
        (folder / "plan.json").write_text("{}\n")  # each journal's artifact carries its plan (gh never overwrites)
    (run_dir / "license-journal-other-1").mkdir()  # another tenant's journal is not read
    (run_dir / "license-journal-other-1" / "journal-1.jsonl").write_text("{}\n")
    env |= {"GITHUB_RUN_ID": "4242", "TENANT": "contoso", "ATTEMPT": "4"}
    done = _bash(step["run"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "journal").iterdir()) == ["journal-1.jsonl", "journal-3.jsonl"]
    assert "attempt 2: no journal" in done.stdout
    assert [c[c.index("--name") + 1] for c in fake_gh.calls(tmp_path) if c[:2] == ["run", "download"]] == [
        "license-journal-contoso-1",
        "license-journal-contoso-3",
    ]
    # the first attempt reads nothing
    (tmp_path / "journal").rename(tmp_path / "seen")
    env["ATTEMPT"] = "1"
    assert _bash(step["run"], tmp_path, env).returncode == 0
    assert list((tmp_path / "journal").iterdir()) == []


# --- action.yml: the baseline of the calling workflow -------------------------------------------------


def _action_baseline(
    tmp_path: Path, runs: dict[int, dict[str, Any]], artifacts: dict[int, dict[str, str]]
) -> subprocess.CompletedProcess[str]:
    step = _step(ROOT / "action.yml", "Fetch the previous report (baseline)")
    env = fake_gh.install(tmp_path, runs, artifacts)
    env |= {
        "ARTIFACT": "license-audit-report",
        "WORKFLOW_REF": "contoso/audit/.github/workflows/audit.yml@refs/heads/main",
        "BASELINE_DIR": str(tmp_path / "baseline"),
        "GITHUB_RUN_ID": "99",
        "GITHUB_REF_NAME": "main",
    }
    return _bash(step["run"], tmp_path, env)


@pytest.mark.parametrize(("crafted", "reason"), OTHER_CODE[:-1], ids=IDS[:-1])
def test_the_actions_baseline_is_never_a_run_of_other_code(
    tmp_path: Path, crafted: dict[str, Any], reason: str
) -> None:
    report = {"complete": True, "summary": {}}
    done = _action_baseline(
        tmp_path,
        {98: fake_gh.run_object(98, workflow="audit.yml", **crafted), 97: fake_gh.run_object(97, workflow="audit.yml")},
        {98: {"report.json": json.dumps(report | {"run": 98})}, 97: {"report.json": json.dumps(report | {"run": 97})}},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "baseline" / "report.json").read_text())["run"] == 97
    assert fake_gh.downloads(tmp_path) == ["97"]
    assert reason in done.stderr


def test_the_actions_baseline_skips_a_run_of_a_tag_named_like_the_branch(tmp_path: Path) -> None:
    report = {"complete": True, "summary": {}}
    done = _action_baseline(
        tmp_path,
        {
            98: fake_gh.run_object(98, workflow="audit.yml", event="push", head_sha=fake_gh.ELSEWHERE),
            97: fake_gh.run_object(97, workflow="audit.yml"),
        },
        {98: {"report.json": json.dumps(report | {"run": 98})}, 97: {"report.json": json.dumps(report | {"run": 97})}},
    )
    assert done.returncode == 0, done.stderr
    assert fake_gh.downloads(tmp_path) == ["97"]
    assert "is not on the default branch main" in done.stderr


def test_the_actions_baseline_skips_another_workflows_run(tmp_path: Path) -> None:
    done = _action_baseline(
        tmp_path,
        {98: fake_gh.run_object(98, workflow="nightly-audit.yml")},
        {98: {"report.json": json.dumps({"complete": True})}},
    )
    assert done.returncode == 0, done.stderr
    assert fake_gh.downloads(tmp_path) == [] and not (tmp_path / "baseline").exists()
    assert "not of .github/workflows/audit.yml" in done.stderr


# --- license-apply.yml: the plan the reviewer sees ----------------------------------------------------


def _plan_summary(tmp_path: Path, plan_md: str | None, artifact_url: str = "") -> str:
    step = _step(ROOT / ".github" / "workflows" / "license-apply.yml", "Job summary")
    if plan_md is not None:
        (tmp_path / "plan").mkdir()
        (tmp_path / "plan" / "plan.md").write_text(plan_md, encoding="utf-8")
    summary = tmp_path / "summary.md"
    env = {
        "PATH": "/usr/bin:/bin",
        "GITHUB_STEP_SUMMARY": str(summary),
        "ARTIFACT": "license-plan-contoso",
        "ARTIFACT_URL": artifact_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": fake_gh.REPO,
        "GITHUB_RUN_ID": "4242",
    }
    done = _bash(step["run"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    return summary.read_text(encoding="utf-8")


def test_a_plan_too_long_for_the_summary_says_so_and_links_the_whole_plan(tmp_path: Path) -> None:
    line = "1. Remove Microsoft 365 E5 (SPE_E5) from Jåne Doe — ünïcode\n"
    plan_md = "**20000 changes, net -€1,140,000.00 per month**\n\n" + line * 20000 + "2. the last change\n"
    text = _plan_summary(tmp_path, plan_md, "https://github.com/contoso/audit/actions/runs/4242/artifacts/77")
    assert len(text.encode()) < 1024 * 1024  # GitHub's limit for one step's summary
    note = f"> **This summary shows only the first part of the plan**: plan.md has {len(plan_md.encode())} bytes"
    assert text.startswith("> [!WARNING]\n" + note) and text.count(note) == 2
    assert "[license-plan-contoso](https://github.com/contoso/audit/actions/runs/4242/artifacts/77)" in text
    assert "**20000 changes" in text and "the last change" not in text
    body = text.split("\n\n", 1)[1].rsplit("\n\n> [!WARNING]", 1)[0]
    assert all(shown == line.rstrip("\n") for shown in body.splitlines()[2:]), "only whole lines are shown"


def test_without_the_artifacts_address_the_summary_links_the_run(tmp_path: Path) -> None:
    text = _plan_summary(tmp_path, "x\n" * 600_000)
    assert "[license-plan-contoso](https://github.com/contoso/audit/actions/runs/4242)" in text


def test_a_plan_that_fits_is_shown_whole_without_a_note(tmp_path: Path) -> None:
    plan_md = "## License change plan\n\n" + "1. a change\n" * 1000
    text = _plan_summary(tmp_path, plan_md)
    assert text == plan_md


def test_no_plan_says_so(tmp_path: Path) -> None:
    text = _plan_summary(tmp_path, None)
    assert text == "No plan was made; see the Plan step.\n"
