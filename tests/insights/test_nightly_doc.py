"""docs/nightly.md's command, as written, run night after night from one folder (a cron job): the
first night has no baseline and runs; each later night compares with the report of the night before."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from auditor.cli import main
from auditor_dev.emulator import VirtualTime

from .conftest import ROOT
from .test_notify import Receiver

DOC = ROOT / "docs" / "nightly.md"
TENANT = "--graph --tenant-id contoso.onmicrosoft.com"  # the doc's live tenant; the test's is the demo's


def _doc_block() -> tuple[list[str], list[list[str]]]:
    """The shell block of docs/nightly.md that runs the nightly from cron: its `export` lines as written,
    and its commands, continuation lines joined, comments dropped."""
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", DOC.read_text("utf-8"), re.S) if "--baseline previous" in b]
    assert len(blocks) == 1
    text = blocks[0].replace("\\\n", " ")
    exports = [line for line in text.splitlines() if line.startswith("export ")]
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines() if not line.startswith("export ")]
    assert any(TENANT in line for line in lines), "the doc's tenant changed: change TENANT here"
    return exports, [shlex.split(line.replace(TENANT, "--demo")) for line in lines if line]


def _exported(exports: list[str], home: Path) -> dict[str, str]:
    """What the block's `export` lines set, run by bash as cron would run them (HOME is `home`)."""
    names = [line.split()[1].split("=", 1)[0] for line in exports]
    script = "\n".join([*exports, *(f'printf "%s\\0" "${name}"' for name in names)])
    done = subprocess.run(
        ["bash", "-c", script],
        env={"HOME": str(home), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return dict(zip(names, done.stdout.split("\0")[:-1], strict=True))


def test_the_documented_nightly_command_runs_the_first_night_and_every_later_one(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    virtual_graph_time: VirtualTime,
) -> None:
    """Graph's windows (`--causes` reads the audit log at 5 requests per 10 s) on a virtual clock."""
    monkeypatch.chdir(tmp_path)
    exports, (audit, history) = _doc_block()
    assert audit[:2] == ["license-auditor", "audit"] and history[:2] == ["license-auditor", "history"]
    monkeypatch.delenv("AUDITOR_NOTIFY_WEBHOOK", raising=False)
    with Receiver() as receiver:
        # the webhook as the block gives it (issue 121: `--notify-format` alone exits 2): the secret kept in
        # the file the block reads, here holding the receiver's URL
        for name in re.findall(r"~/(\S+?)\)", "\n".join(exports)):
            (tmp_path / name).write_text(receiver.url + "\n", "utf-8")
        for name, value in _exported(exports, tmp_path).items():
            monkeypatch.setenv(name, value)
        assert main(audit[1:]) == 1  # the first night: findings, no baseline
        first = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
        assert "no earlier report" in capsys.readouterr().err
        assert "changes" not in first or not first["changes"]
        assert main(audit[1:]) == 1  # the second night: compared with the first
        second = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
        assert second["changes"]["baseline_generated_at"] == first["generated_at"]
        assert second["changes"]["new"] == 0 and second["changes"]["persisting"] == len(second["findings"])
        assert len(receiver.bodies) == 2
    assert main(history[1:]) == 0
    assert len((tmp_path / "reports" / "history.jsonl").read_text("utf-8").splitlines()) == 2
    assert virtual_graph_time.skipped > 0  # the windows were waited for, on the virtual clock


def test_a_night_that_stopped_before_its_reports_leaves_the_baseline_in_previous(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report moved to reports/previous/ by a run that then stopped is the next night's baseline."""
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "--demo", "--format", "json"]) == 1
    before = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    (tmp_path / "reports" / "previous").mkdir()
    (tmp_path / "reports" / "report.json").rename(tmp_path / "reports" / "previous" / "report.json")
    assert main(["audit", "--demo", "--format", "json", "--baseline", "previous"]) == 1
    after = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    assert after["changes"]["baseline_generated_at"] == before["generated_at"]
