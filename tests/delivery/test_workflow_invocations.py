"""Every `license-auditor …` command line that action.yml and the workflows build is one the CLI accepts.

The `run:` scripts build their arguments as bash arrays (`args=(…)`, `args+=(…)` inside `if`/`case`
branches), so reading the YAML is not enough: each script is run by bash, as GitHub runs it, with a
stub `license-auditor` first on PATH that records its argv. The scripts run once per value of each
variable their branches test, so every branch's flags are recorded; each recorded argv is then
parsed by the real parser. Then the e-mail step's Graph command is sent for real to the emulator.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from auditor.cli import build_parser, main
from auditor.delivery.arguments import options_from_args
from auditor.delivery.options import Transport
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

from .conftest import write_report

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([ROOT / "action.yml", *(ROOT / ".github" / "workflows").glob("*.yml")])

# Plausible values for the variables the scripts pass through; anything else gets "value-NAME".
VALUES = {
    "AUTH": "github-oidc",
    "CLOUD": "worldwide",
    "FAIL_ON": "high",
    "MIN_SEVERITY": "medium",
    "LOCALE": "nl",
    "POLICIES": "policies/",
    "BILLING_SOURCE": "auto",
    "EMAIL_TO": "it@contoso.example",
    "SENDER": "reports@contoso.example",
    "MAIL_SENDER": "reports@contoso.example",
    "MAIL_FROM": "audit@contoso.example",
    "SMTP_HOST": "smtp.contoso.example",
    "SMTP_PORT": "587",
    "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
    "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001",
    "NOTIFY_FORMAT": "teams",
    "SHARD": "2/4",
    # as auditor.delivery.matrix writes it (its entries abridged)
    "MATRIX": json.dumps(
        {
            "include": [
                {
                    "key": k,
                    "tenant_id": f"{k}.example.onmicrosoft.com",
                    "client_id": f"00000000-0000-0000-0000-00000000000{n}",
                }
                | {"cloud": "worldwide"}
                for n, k in enumerate(("contoso", "fabrikam"), 1)
            ]
        }
    ),
}
_EQUALS = re.compile(r'"\$\{?(\w+)\}?"\s*==?\s*"([^"]*)"')
_NONEMPTY = re.compile(r'-[nz] "\$\{?(\w+)\}?"')
_CASE = re.compile(r'case "\$\{?(\w+)\}?" in\n(.*?)\n\s*esac', re.S)
_PATTERN = re.compile(r"^\s*([^()\s][^()]*)\)", re.M)
_COPY = re.compile(r'^\s*([a-z_][a-z0-9_]*)="\$\{?([A-Z_][A-Z0-9_]*)\}?"\s*$', re.M)
_VAR = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)")


@dataclass(frozen=True)
class Step:
    file: str
    name: str
    script: str
    env: dict[str, str]


def _steps() -> Iterator[Step]:
    for path in FILES:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        jobs = doc.get("jobs") or {"action": {"steps": (doc.get("runs") or {}).get("steps", [])}}
        for job in jobs.values():
            job_env = {k: str(v) for k, v in (job.get("env") or {}).items()}
            for step in job.get("steps", []):
                script = step.get("run") or ""
                if "license-auditor" in script and re.search(r"^\s*license-auditor\s", script, re.M):
                    env = job_env | {k: str(v) for k, v in (step.get("env") or {}).items()}
                    yield Step(path.name, step.get("name", "?"), script, env)


STEPS = list(_steps())


def _choices(script: str) -> dict[str, list[str]]:
    """Each variable a branch tests, with the values that take each branch (plus empty and other)."""
    choices: dict[str, set[str]] = {}
    for name, value in _EQUALS.findall(script):
        choices.setdefault(name, set()).add(value)
    for name in _NONEMPTY.findall(script):
        choices.setdefault(name, set())
    for name, body in _CASE.findall(script):
        for pattern in _PATTERN.findall(body):
            for alt in pattern.split("|"):
                alt = alt.strip().strip('"')
                if alt and alt != "*":
                    choices.setdefault(name, set()).add(alt)
    # `redact="$REDACT"`: what the script tests of the copy is chosen through the variable it copies
    for local, source in _COPY.findall(script):
        if local in choices:
            choices.setdefault(source, set()).update(choices.pop(local))
    cased = set(dict(_CASE.findall(script)))
    nonempty = set(_NONEMPTY.findall(script))
    return {
        name: sorted(values | {""} | ({VALUES.get(name, f"value-{name}")} if name in cased | nonempty else set()))
        for name, values in choices.items()
    }


def _stub(bin_dir: Path, log: Path) -> None:
    """A bash `license-auditor` that appends its argc and argv, NUL-separated, to `log`."""
    bin_dir.mkdir()
    stub = bin_dir / "license-auditor"
    stub.write_text(f'#!/bin/bash\nprintf \'%s\\0\' "$#" "$@" >> {shlex.quote(str(log))}\n')
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    (bin_dir / "python").symlink_to(sys.executable)
    gh = bin_dir / "gh"  # no GitHub here: every gh call fails, as it would without a token
    gh.write_text("#!/bin/bash\nexit 1\n")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)


def _read_log(log: Path) -> list[list[str]]:
    fields = log.read_bytes().decode().split("\0")[:-1] if log.exists() else []
    calls = []
    while fields:
        count = int(fields.pop(0))
        calls.append(fields[:count])
        del fields[:count]
    return calls


def _workspace(root: Path, env: dict[str, str]) -> None:
    """The files the scripts look for: a report in OUT, a baseline, the tenants' and shards' downloaded reports."""
    for directory in (
        root / env["OUT"],
        root / "baseline",
        root / env["BASELINE_DIR"],
        root / "tenants" / "license-audit-contoso",
        root / "tenants" / "license-audit-fabrikam",
    ):
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "report.json").write_text(json.dumps({"complete": True, "summary": {"unwaived": 0}}))
        (directory / "report.md").write_text("# report\n")
        (directory / "snapshot.json").write_text("{}")
    for shard in ("license-audit-shard-1", "license-audit-shard-2"):  # the many-tenants workflow's shards
        (root / "shards" / shard).mkdir(parents=True, exist_ok=True)
        (root / "shards" / shard / "tenants.json").write_text(json.dumps({"schema_version": 1, "tenants": []}))


def _run(step: Step, tmp: Path, overrides: dict[str, str]) -> list[list[str]]:
    log = tmp / "argv.jsonl"
    log.unlink(missing_ok=True)
    names = set(_VAR.findall(step.script)) | set(step.env)
    env = {name: VALUES.get(name, f"value-{name}") for name in names}
    env |= {k: v for k, v in step.env.items() if "${{" not in v}
    env |= {"OUT": "out", "BASELINE_DIR": "baseline-dir", "BASELINE": "previous"} | overrides
    _workspace(tmp, env)
    env |= {
        "PATH": f"{tmp / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(tmp / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary"),
        "HOME": str(tmp),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step.script],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{step.file} / {step.name} with {overrides}: {done.stderr}"
    return _read_log(log)


def _pairwise(choices: dict[str, list[str]]) -> list[dict[str, str]]:
    """Combinations of the branch variables' values such that every pair of values of two
    variables occurs in one of them (nested branches need pairs: the SMTP security `case` only
    runs when no Graph sender is set), far fewer than all combinations."""
    names = list(choices)
    wanted = {
        ((a, x), (b, y)) for i, a in enumerate(names) for b in names[i + 1 :] for x in choices[a] for y in choices[b]
    }
    wanted |= {((a, x), (a, x)) for a in names for x in choices[a]}
    picked: list[dict[str, str]] = []
    for combination in itertools.product(*choices.values()):
        values = dict(zip(names, combination, strict=True))
        covers = {((a, values[a]), (b, values[b])) for i, a in enumerate(names) for b in names[i:]}
        if covers & wanted:
            wanted -= covers
            picked.append(values)
        if not wanted:
            break
    return picked or [{}]


def _invocations(step: Step, tmp: Path) -> list[list[str]]:
    """The argv of every run, over pairwise combinations of the branch variables' values."""
    seen: list[list[str]] = []
    for overrides in _pairwise(_choices(step.script)):
        for argv in _run(step, tmp, overrides):
            if argv not in seen:
                seen.append(argv)
    return seen


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    _stub(tmp_path / "bin", tmp_path / "argv.jsonl")
    return tmp_path


def test_the_files_have_license_auditor_steps() -> None:
    by_file = {s.file for s in STEPS}
    assert {"action.yml", "nightly-audit.yml", "license-apply.yml"} <= by_file, by_file
    assert {"plan", "apply"} <= {s.script.split("args=(", 1)[1].split()[0] for s in STEPS if "args=(" in s.script}
    assert sum("email" in s.script for s in STEPS) >= 3  # action, tenant job, merged report


@pytest.mark.parametrize("step", STEPS, ids=lambda s: f"{s.file}:{s.name}")
def test_every_invocation_parses(step: Step, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    invocations = _invocations(step, workspace)
    assert invocations, f"{step.file} / {step.name}: the script never ran license-auditor"
    for argv in invocations:
        try:
            build_parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{step.file} / {step.name}: license-auditor {' '.join(argv)}\n{capsys.readouterr().err}")
    # Every flag a branch adds was exercised by some run.
    flags = {a for argv in invocations for a in argv if a.startswith("--")}
    for added in re.findall(r"args\+=\(([^)]*)\)", step.script):
        first = added.split()[0]
        assert first in flags, f"{step.file} / {step.name}: no run took the branch adding {first}"


def _graph_email_steps() -> list[Step]:
    return [s for s in STEPS if re.search(r"args=\(email\b", s.script) and "--via graph" in s.script]


def test_email_via_graph_reaches_the_emulator(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The e-mail steps' Graph command, as the workflow builds it, sends through sendMail. Only the sign-in
    differs: the emulator accepts a static token instead of GitHub OIDC, and listens on loopback."""
    steps = _graph_email_steps()
    assert {s.file for s in steps} >= {"action.yml", "nightly-audit.yml"}
    sample = load_snapshot(ROOT / "auditor_dev" / "sample" / "sample-tenant.json")
    sender = sample.users[1].user_principal_name
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    report_dir = workspace / "report"
    write_report(report_dir)
    for step in steps:
        overrides = {"VIA": "graph", "SENDER": sender, "MAIL_SENDER": sender}
        graph_argvs = [a for a in _run(step, workspace, overrides) if "--via" in a and "graph" in a]
        assert len(graph_argvs) == 1, (step.file, graph_argvs)
        argv = graph_argvs[0]
        argv[argv.index("--report-dir") + 1] = str(report_dir)
        argv[argv.index("--auth") + 1] = "token"
        with GraphEmulator(sample, token=token) as graph:
            assert main([*argv, "--graph-endpoint", graph.url]) == 0, (step.file, argv)
        assert len(graph.sent_mail) == 1
        mail = graph.sent_mail[0]
        assert mail.sender == sender
        assert [r["emailAddress"]["address"] for r in mail.message["toRecipients"]] == [VALUES["EMAIL_TO"]]
        assert any(a["name"] == "findings.csv" for a in mail.message.get("attachments", []))


# the commands whose mail goes through SMTP only (Graph's sendMail signs in to one tenant; they serve many)
SMTP_ONLY = {"lists", "rollup"}
# the repository set up to mail through Graph (docs/nightly.md): a sender mailbox, no SMTP relay
GRAPH_MAIL = {"MAIL_SENDER": VALUES["MAIL_SENDER"], "SMTP_HOST": "", "MAIL_FROM": "", "EMAIL_TO": VALUES["EMAIL_TO"]}


@pytest.mark.parametrize(
    "step", [s for s in STEPS if s.file.startswith("nightly-")], ids=lambda s: f"{s.file}:{s.name}"
)
@pytest.mark.parametrize("tenant_variables", [True, False], ids=["repository-tenant", "tenants-file"])
def test_a_nightly_set_up_for_graph_mail_builds_only_mail_its_commands_send(
    step: Step, tenant_variables: bool, workspace: Path
) -> None:
    """Issue 121: with Graph mail, the "all tenants" job ran `email --via smtp --smtp-host ''` (exit 2).
    Each command line's mail flags, as the command reads them, make a transport it sends with; the merged
    report goes through Graph, signed in to the repository variables' tenant, else the tenants file's first."""
    # the repository variables unset (a tenants file): only where the step reads them, not a matrix entry's
    unset = not tenant_variables and step.env.get("AZURE_TENANT_ID", "").startswith("${{ vars.")
    overrides = GRAPH_MAIL | ({"AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": ""} if unset else {})
    for argv in _run(step, workspace, overrides):
        args = build_parser().parse_args(argv)
        if not hasattr(args, "email_to"):
            continue
        recipients = [VALUES["EMAIL_TO"]] if argv[0] == "lists" else None
        options = options_from_args(args, recipients_instead=recipients)  # a UsageError: the command's exit 2
        if options is None:
            continue
        if argv[0] in SMTP_ONLY:
            assert options.via is Transport.SMTP, (step.name, argv)
            continue
        assert options.via is Transport.GRAPH and options.sender == VALUES["MAIL_SENDER"], (step.name, argv)
        tenant = argv[argv.index("--tenant-id") + 1]
        assert tenant == ("contoso.example.onmicrosoft.com" if unset else VALUES["AZURE_TENANT_ID"]), argv
