"""The GitHub Actions files: actionlint (with shellcheck) over the workflows, the composite action's structure and
scripts, and the shell glue that turns exit codes into a verdict only after the report is published."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def actionlint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    binary = tool("actionlint")
    if binary is None:
        pytest.skip("actionlint is not installed (pip install '.[test]')")
    shellcheck = tool("shellcheck")
    options = ["-shellcheck", shellcheck] if shellcheck else []
    return subprocess.run(
        [binary, "-no-color", *options, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "nightly-audit.yml"}


def test_actionlint_passes_on_every_workflow() -> None:
    result = actionlint(*[str(p.relative_to(ROOT)) for p in WORKFLOWS])
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    # Proves the lint above can fail: an undefined step output and a shell bug must be reported.
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    result = actionlint(str(broken.relative_to(tmp_path)), cwd=tmp_path)
    assert result.returncode == 1
    assert 'property "nope" is not defined' in result.stdout


def zizmor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    binary = tool("zizmor")
    if binary is None:
        pytest.skip("zizmor is not installed (pip install '.[test]')")
    # offline: no GitHub API (what the machine reaches is the package registries); the auditor persona
    # reports every finding, those the default one leaves out too
    return subprocess.run(
        [binary, "--offline", "--persona=auditor", "--no-progress", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_zizmor_finds_nothing_in_the_workflows_and_the_action() -> None:
    result = zizmor(".github/workflows", "action.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_catches_a_persisted_credential_and_an_unpinned_image(tmp_path: Path) -> None:
    # Proves the check above can fail: the findings the workflows were fixed for
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    container: python:3.11-bookworm\n    steps:\n"
        "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0\n",
        encoding="utf-8",
    )
    result = zizmor(str(bad.relative_to(tmp_path)), cwd=tmp_path)
    assert result.returncode != 0
    assert "artipacked" in result.stdout and "unpinned-images" in result.stdout


def test_run_scripts_take_untrusted_values_from_env_only() -> None:
    # ${{ }} inside run: is pasted into the script before bash sees it: a tenant name or input could run code.
    for path in [*WORKFLOWS, ROOT / "action.yml"]:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^(\s*)run: \|\n((?:\1  .*\n|\s*\n)*)", text, re.MULTILINE):
            assert "${{" not in match.group(2), f"{path.name}: expression inside a run script:\n{match.group(2)}"
        for line in text.splitlines():
            if line.strip().startswith("run:") and "|" not in line:
                assert "${{" not in line, f"{path.name}: {line.strip()}"


def _runs_the_product(step: dict[Any, Any]) -> bool:
    run = str(step.get("run", ""))
    return "python -m auditor" in run or re.search(r"(^|[\s;(])license-auditor ", run) is not None


@pytest.mark.parametrize("path", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_every_job_that_runs_the_product_installs_it_first(path: Path) -> None:
    # a step that runs the product needs the package's dependencies (msgspec, pyyaml, ...), not one of them
    for name, job in load(path)["jobs"].items():
        installed = False
        for step in job.get("steps", []):
            run = str(step.get("run", ""))
            if re.search(r"pip install[^\n]*(\s|')\.(\[\w+\])?'?(\s|$)", run):
                installed = True
            if _runs_the_product(step):
                assert installed, f"{path.name}: job {name!r} runs the product before installing it: {run[:80]!r}"


def test_nightly_workflow_shape() -> None:
    nightly = load(ROOT / ".github" / "workflows" / "nightly-audit.yml")
    triggers = nightly[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"]
    assert "workflow_dispatch" in triggers
    assert nightly["permissions"] == {"contents": "read"}
    audit = nightly["jobs"]["audit"]
    assert audit["permissions"] == {"contents": "read", "id-token": "write", "actions": "read"}
    assert audit["strategy"]["matrix"] == "${{ fromJSON(needs.setup.outputs.matrix) }}"
    steps = {step.get("name", step.get("uses")): step for step in audit["steps"]}
    run = steps["Audit"]["run"]
    for flag in (
        "--auth github-oidc",
        "--baseline baseline/report.json",
        "--save-snapshot",
        '--fail-on "$FAIL_ON"',
        '--format "json,html,md,csv"',
    ):
        assert flag in run
    assert "|| code=$?" in run, "the audit step must record the exit code, not fail before the report is published"
    names = [step.get("name", "") for step in audit["steps"]]
    assert (
        names.index("Audit")
        < names.index("Job summary")
        < names.index("Upload the reports")
        < names.index("E-mail the report")
        < len(names) - 1
    )
    verdict = audit["steps"][-1]
    assert verdict["name"].startswith("Verdict")
    for name in ("Job summary", "Upload the reports", "E-mail the report", names[-1]):
        assert steps.get(name, verdict)["if"].startswith("always()")
    assert "GITHUB_STEP_SUMMARY" in steps["Job summary"]["run"]
    assert "gh run download" in steps["Fetch the previous report (baseline) and the history"]["run"]
    # the history file lives in the report folder, which the artifact uploads (all but the snapshot)
    assert 'args+=(--history "$OUT/history.jsonl")' in steps["Audit"]["run"]
    upload = steps["Upload the reports"]["with"]["path"].splitlines()
    assert upload == ["${{ env.OUT }}", "!${{ env.OUT }}/snapshot.json"]
    env = nightly["jobs"]["setup"]["steps"][-1]["env"]
    assert env["AZURE_TENANT_ID"] == "${{ vars.AZURE_TENANT_ID }}"
    assert env["AZURE_CLIENT_ID"] == "${{ vars.AZURE_CLIENT_ID }}"
    aggregate = nightly["jobs"]["aggregate"]
    assert aggregate["needs"] == ["setup", "audit"]
    assert "args=(merge " in next(s["run"] for s in aggregate["steps"] if s.get("name") == "Merge")


def test_apply_workflow_plans_without_the_tenant_and_writes_only_after_approval() -> None:
    flow = load(ROOT / ".github" / "workflows" / "license-apply.yml")
    assert set(flow[True]) == {"workflow_dispatch"}  # started by a person, never on a schedule
    assert flow["permissions"] == {"contents": "read"}
    plan, apply = flow["jobs"]["plan"], flow["jobs"]["apply"]
    # the plan job cannot sign in to the tenant; only the apply job, inside the approval gate, can
    assert "id-token" not in plan["permissions"] and plan["permissions"]["actions"] == "read"
    assert apply["permissions"] == {"contents": "read", "actions": "read", "id-token": "write"}
    assert apply["environment"] == "license-apply"
    assert apply["needs"] == "plan" and apply["if"] == "needs.plan.outputs.changes != '0'"
    plan_steps = {step.get("name"): step for step in plan["steps"]}
    assert 'gh run download "$RUN_ID"' in plan_steps["Download the audit's report"]["run"]
    assert "GITHUB_STEP_SUMMARY" in plan_steps["Job summary"]["run"]
    apply_steps = {step.get("name"): step for step in apply["steps"]}
    assert '--tenant "$TENANT"' in apply_steps["Tenant connection"]["run"]
    run = apply_steps["Apply"]["run"]
    for flag in ("apply plan/plan.json --yes", "--auth github-oidc", '--journal "journal/journal-$ATTEMPT.jsonl"'):
        assert flag in run
    assert apply_steps["Apply"]["env"]["AZURE_CLIENT_ID"] == "${{ steps.tenant.outputs.client_id }}"
    assert apply_steps["Upload the journal"]["if"] == "always()"
    assert flow["concurrency"]["cancel-in-progress"] is False


def test_commerce_changes_are_opt_in_with_their_own_approval_and_identity() -> None:
    flow = load(ROOT / ".github" / "workflows" / "license-apply.yml")
    commerce_input = flow[True]["workflow_dispatch"]["inputs"]["commerce"]
    assert commerce_input["type"] == "boolean" and commerce_input["default"] is False
    apply, commerce = flow["jobs"]["apply"], flow["jobs"]["commerce"]
    assert "--commerce" not in yaml.safe_dump(apply)  # the license writer never touches a subscription
    assert commerce["needs"] == ["plan", "apply"] and "inputs.commerce" in commerce["if"]
    assert "needs.plan.outputs.commerce != '0'" in commerce["if"]
    # its own environment (its own reviewers; the federated credential's subject) and its own client id
    assert commerce["environment"] == "license-apply-commerce" != apply["environment"]
    assert commerce["permissions"] == {"contents": "read", "actions": "read", "id-token": "write"}
    steps = {step.get("name"): step for step in commerce["steps"]}
    step = steps["Apply the commerce changes"]
    assert step["env"]["AZURE_CLIENT_ID"] == "${{ steps.tenant.outputs.billing_client_id }}"
    assert "apply plan/plan.json --yes --commerce-only" in step["run"] and "--auth github-oidc" in step["run"]
    names = [step.get("name") for step in commerce["steps"]]
    guard = steps["The billing write identity"]  # no billing identity: refuse, borrow none
    assert names.index("The billing write identity") < names.index("Apply the commerce changes")
    assert guard["env"]["BILLING_CLIENT_ID"] == step["env"]["AZURE_CLIENT_ID"]
    done = subprocess.run(
        ["bash", "-e", "-c", guard["run"]],
        env={"PATH": os.environ.get("PATH", "/usr/bin"), "BILLING_CLIENT_ID": "", "TENANT": "contoso"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "no billing write identity for contoso" in done.stdout
    assert steps["Tenant connection"]["env"]["LICENSE_BILLING_CLIENT_ID"] == "${{ vars.LICENSE_BILLING_CLIENT_ID }}"
    assert "plan/commerce-journal-" in steps["Upload the commerce journal"]["with"]["path"]
    assert "secrets." not in (ROOT / ".github" / "workflows" / "license-apply.yml").read_text("utf-8")


@pytest.mark.parametrize("name", ["nightly-audit.yml", "nightly-many-tenants.yml"])
def test_the_nightly_workflows_never_make_commerce_changes(name: str) -> None:
    text = (ROOT / ".github" / "workflows" / name).read_text("utf-8")
    scripts = [
        step.get("run", "")
        for job in load(ROOT / ".github" / "workflows" / name)["jobs"].values()
        for step in job.get("steps", [])
    ]
    assert scripts and not [s for s in scripts if re.search(r"\bapply\b", s)]
    assert "--commerce" not in text and "commerce-only" not in text
    assert "--commerce" not in (ROOT / "action.yml").read_text("utf-8")


def _uploads(steps: list[dict]) -> dict[str, dict]:
    return {
        step["name"]: step["with"] for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact@")
    }


def test_the_snapshot_is_kept_one_day_apart_from_the_reports_and_only_for_the_merge() -> None:
    """Every user's UPN and sign-in times used to be uploaded with the reports for 30 days, every night."""
    nightly = load(ROOT / ".github" / "workflows" / "nightly-audit.yml")
    audit = nightly["jobs"]["audit"]
    assert audit["env"]["NEEDS_SNAPSHOT"] == "${{ fromJSON(needs.setup.outputs.count) > 1 }}"
    run = next(s["run"] for s in audit["steps"] if s.get("name") == "Audit")
    assert 'if [ "$NEEDS_SNAPSHOT" = "true" ]; then args+=(--save-snapshot' in run
    uploads = _uploads(audit["steps"])
    reports = uploads["Upload the reports"]
    assert "!${{ env.OUT }}/snapshot.json" in reports["path"] and reports["retention-days"] == 30
    (snapshot,) = (u for name, u in uploads.items() if "snapshot" in name)
    assert snapshot["retention-days"] == 1 and snapshot["name"] == "${{ env.SNAPSHOT_ARTIFACT }}"
    for with_ in _uploads(ACTION["runs"]["steps"]).values():
        if "snapshot" in str(with_["name"]):
            assert with_["retention-days"] == 1
        else:
            assert "!${{ inputs.output-dir }}/snapshot.json" in with_["path"]


def test_redaction_defaults_on_for_public_repositories() -> None:
    nightly = load(ROOT / ".github" / "workflows" / "nightly-audit.yml")
    assert nightly["env"]["REDACT"] == "${{ vars.LICENSE_AUDIT_REDACT || 'auto' }}"
    assert ACTION["inputs"]["redact"]["default"] == "auto"
    scripts = [
        s["run"]
        for s in nightly["jobs"]["audit"]["steps"] + nightly["jobs"]["aggregate"]["steps"] + ACTION["runs"]["steps"]
        if "args+=(--redact)" in s.get("run", "")
    ]
    assert len(scripts) == 3  # tenant audit, merge, the action's audit
    for script in scripts:
        assert 'gh api "repos/$GITHUB_REPOSITORY" --jq .visibility' in script
        assert "|| visibility=public" in script  # unknown visibility: redact


_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def test_every_action_is_pinned_by_commit_sha_with_its_version() -> None:
    files = [ROOT / "action.yml", *(ROOT / ".github" / "workflows").glob("*.yml")]
    seen = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line and not line.strip().startswith("#"):
                ref = line.split("uses:", 1)[1].strip()
                if ref.startswith("./"):
                    continue
                seen += 1
                assert _PINNED.match(ref), f"{path.name}: {ref}"
    assert seen >= 10


def test_dependabot_updates_actions_and_pip() -> None:
    config = load(ROOT / ".github" / "dependabot.yml")
    assert config["version"] == 2
    assert {(u["package-ecosystem"], u["directory"]) for u in config["updates"]} == {
        ("github-actions", "/"),
        ("pip", "/"),
    }
    assert all(u["schedule"]["interval"] for u in config["updates"])


def test_ci_workflow_runs_the_project_ci_script() -> None:
    ci = load(ROOT / ".github" / "workflows" / "ci.yml")
    steps = ci["jobs"]["checks"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)
    assert "bookworm" in ci["jobs"]["checks"]["container"]


def test_the_tests_the_suite_deselects_run_in_a_job_of_their_own() -> None:
    """The suite (the README's `pytest -q`, on every core by pytest-xdist) leaves out the tests of
    large generated tenants (`slow`) and the translations check; each runs in a CI job of its own,
    so none is dropped."""
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["pytest"]["ini_options"]["addopts"]
    assert addopts.startswith("-m 'not translations and not slow' ")
    jobs = load(ROOT / ".github" / "workflows" / "ci.yml")["jobs"]
    runs = {name: "\n".join(step.get("run", "") for step in job["steps"]) for name, job in jobs.items()}
    assert ".venv/bin/python -m pytest -q -m slow" in runs["benchmark"]
    assert ".venv/bin/python -m pytest -q -m translations" in runs["translations"]


# --- composite action ------------------------------------------------------------------------


ACTION = load(ROOT / "action.yml")


def test_action_metadata_structure() -> None:
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    inputs: dict[str, Any] = ACTION["inputs"]
    for name, spec in inputs.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name), name
        assert spec.get("description"), f"input {name} has no description"
        assert not (spec.get("required") and "default" in spec), f"required input {name} has a default"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = {m for expr in EXPRESSION.findall(text) for m in re.findall(r"inputs\.([a-z0-9-]+)", expr)}
    assert used <= set(inputs), f"undeclared inputs: {used - set(inputs)}"
    assert set(inputs) - used == set(), f"inputs never used: {set(inputs) - used}"
    step_ids = {step.get("id") for step in ACTION["runs"]["steps"]}
    for name, output in ACTION["outputs"].items():
        ref = re.search(r"steps\.([a-z-]+)\.outputs", output["value"])
        assert ref and ref.group(1) in step_ids, f"output {name} refers to a missing step"
    for step in ACTION["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step)
        if "run" in step:
            assert step.get("shell") == "bash", f"composite run step {step.get('name')} needs shell: bash"


def test_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install '.[test]')")
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            continue
        script = tmp_path / "step.sh"
        # The step's env: block defines these for the script (actionlint tells shellcheck the same way).
        declared = "".join(f'{name}="${{{name}-}}"\n' for name in step.get("env", {}))
        script.write_text(declared + step["run"], encoding="utf-8")
        result = subprocess.run(
            [shellcheck, "-s", "bash", "-S", "style", str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"{step['name']}:\n{result.stdout}"


def test_actionlint_validates_a_workflow_using_the_action(tmp_path: Path) -> None:
    """The copy-paste example in docs/nightly.md, pointed at this checkout, lints clean."""
    docs = (ROOT / "docs" / "nightly.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- example: composite -->\n```yaml\n(.*?)```", docs, re.DOTALL)
    assert example, "docs/nightly.md lost its composite-action example"
    workflow = re.sub(r"uses: [\w.-]+/license-auditor@\S+", "uses: ./", example.group(1))
    assert "uses: ./" in workflow
    (tmp_path / ".git").mkdir()  # actionlint resolves `uses: ./` from the repository root it finds
    (tmp_path / "action.yml").write_text((ROOT / "action.yml").read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / ".github" / "workflows" / "audit.yml"
    target.parent.mkdir(parents=True)
    target.write_text(workflow, encoding="utf-8")
    result = actionlint(".github/workflows/audit.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # and a misspelt input is caught through the action's metadata
    target.write_text(workflow.replace("fail-on:", "fail-onn:"), encoding="utf-8")
    result = actionlint(".github/workflows/audit.yml", cwd=tmp_path)
    assert result.returncode == 1 and "fail-onn" in result.stdout


# --- the shell glue, run for real --------------------------------------------------------------


def step_script(name: str) -> str:
    return str(next(step["run"] for step in ACTION["runs"]["steps"] if step.get("name") == name))


def run_step(name: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step_script(name)],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
    )


@pytest.mark.parametrize(
    ("code", "email", "expected_exit", "expected_output"),
    [
        ("0", "success", 0, "0"),
        ("0", "skipped", 0, "0"),
        ("1", "success", 1, "1"),
        ("3", "success", 3, "3"),
        ("0", "failure", 4, "4"),
        ("1", "failure", 1, "1"),
        ("", "skipped", 3, "3"),
    ],
)
def test_verdict_comes_from_the_recorded_exit_code(
    tmp_path: Path, code: str, email: str, expected_exit: int, expected_output: str
) -> None:
    output = tmp_path / "output"
    output.touch()
    result = run_step(
        "Verdict", {"CODE": code, "EMAIL": email, "FAIL_ON": "high", "GITHUB_OUTPUT": str(output)}, tmp_path
    )
    assert result.returncode == expected_exit
    assert output.read_text() == f"exit-code={expected_output}\n"


def test_job_summary_is_cut_at_github_limit(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.md").write_text("x" * 1_200_000)
    summary = tmp_path / "summary.md"
    result = run_step("Job summary", {"OUT": "out", "CODE": "1", "GITHUB_STEP_SUMMARY": str(summary)}, tmp_path)
    assert result.returncode == 0, result.stderr
    text = summary.read_text()
    assert text.startswith("x" * 1000) and "Summary cut at 1 MB" in text
    assert len(text.encode()) < 1024 * 1024


def test_job_summary_without_report_says_so(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = run_step("Job summary", {"OUT": "missing", "CODE": "3", "GITHUB_STEP_SUMMARY": str(summary)}, tmp_path)
    assert result.returncode == 0
    assert "no report" in summary.read_text() and "exited with 3" in summary.read_text()


def test_a_rerun_job_can_upload_its_artifacts_again() -> None:
    """upload-artifact v4 refuses a name that already exists in the run (409 Conflict), and a re-run
    job is the same run: every upload replaces the earlier attempt's (`overwrite`) or carries the
    attempt in its name (the apply journal, which a re-run keeps beside the earlier ones)."""
    uploads = []
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            uploads += [
                (path.name, step["with"])
                for step in job.get("steps", [])
                if str(step.get("uses", "")).startswith("actions/upload-artifact@")
            ]
    assert len(uploads) >= 7
    assert [
        (name, w["name"])
        for name, w in uploads
        if w.get("overwrite") is not True and "github.run_attempt" not in str(w["name"])
    ] == []
