"""`plan --demo`, `apply --demo` and `undo --demo`: the write path end to end on the bundled sample
tenant, served by the emulator, before a newcomer touches a tenant of their own."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from auditor.cli import DEMO_STATE, main
from auditor.demo import sample_tenant
from auditor.snapshot import load_snapshot


def _licenses(path: Path | None = None) -> dict[str, frozenset[str]]:
    tenant = load_snapshot(path) if path else sample_tenant()
    return {u.id: u.sku_ids for u in tenant.users}


def test_plan_apply_and_undo_on_the_demo_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["plan", "--demo"]) == 0  # audits the demo first: reports/ holds no report yet
    plan = json.loads((tmp_path / "reports" / "plan.json").read_text("utf-8"))
    assert plan["changes"]

    assert main(["apply", "--demo"]) == 0  # a dry run writes nothing, keeps no tenant
    assert not (tmp_path / "reports" / DEMO_STATE).exists()

    capsys.readouterr()
    assert main(["apply", "--demo", "--yes", "--wait", "0"]) == 0
    said = capsys.readouterr().err
    # said before the first change: what an undo cannot give back
    assert "Enterprise Mobility + Security E3 is assigned to 5 more user(s) than it has enabled seats" in said
    assert "an undo can give back 15" in said
    # and how to see the effect: the audit of the tenant as the changes left it
    audit = shlex.split(said.rsplit("to audit it: ", 1)[1])
    assert main(audit[1:]) == 1
    after = json.loads((tmp_path / "reports" / "after" / "report.json").read_text("utf-8"))
    shipped = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    assert len(after["findings"]) < len(shipped["findings"])
    (journal,) = (tmp_path / "reports").glob("journal-*.jsonl")
    done = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    assert sum(1 for entry in done if entry.get("outcome") == "done") == len(plan["changes"])
    before, applied = _licenses(), _licenses(tmp_path / "reports" / DEMO_STATE)
    changed = {uid for uid in before if before[uid] != applied.get(uid)}
    assert changed  # the kept tenant is the one the changes left

    capsys.readouterr()
    code = main(["undo", "--demo", "--yes", "--wait", "0"])  # the newest journal in reports/
    restored = _licenses(tmp_path / "reports" / DEMO_STATE)
    still = {uid for uid in before if before[uid] != restored.get(uid)}
    assert still < changed  # undone where it could be
    # the sample's EMS is assigned to 20 users on 15 enabled seats (5 suspended): Microsoft assigns
    # no suspended seat, so 5 of the 20 removals cannot go back; each is named once, exit 3
    said = capsys.readouterr()
    # (and the 2 reprocessed users keep the copies a reprocess fixed: it has no inverse)
    assert code == 3 and len(still) == 5 + 2
    reason = "not enough free seats: Enterprise Mobility + Security E3 short by 1 (its undo takes back 1, 0 free now)"
    assert (said.out + said.err).count(reason) == 5  # once per change, on its own line
    assert said.err.splitlines()[-1].endswith("5 change(s) not undone, each with its reason above: 15, 14, 13, 12, 9")
    assert "AUDITOR_ACCESS_TOKEN" not in __import__("os").environ  # the demo's token does not outlive it


def test_without_demo_the_write_commands_still_need_their_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan"]) == 2
    assert "--report-dir" in capsys.readouterr().err
    assert main(["apply"]) == 2
    assert "PLAN" in capsys.readouterr().err
    assert main(["undo"]) == 2
    assert "JOURNAL" in capsys.readouterr().err


def test_a_later_plan_in_the_same_folder_leaves_the_undo_its_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """apply keeps the plan it applied beside its journal: a second audit and plan in the folder
    replace plan.json, and the first journal can still be undone."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["plan", "--demo"]) == 0
    first = (tmp_path / "reports" / "plan.json").read_bytes()
    assert main(["apply", "--demo", "--yes", "--wait", "0"]) == 0
    assert main(["audit", "--demo"]) == 1
    assert main(["plan", "--demo"]) == 0
    assert (tmp_path / "reports" / "plan.json").read_bytes() != first  # a new plan took its name
    capsys.readouterr()
    main(["undo", "--demo", "--wait", "0"])  # a dry run of the first journal
    said = capsys.readouterr()
    assert "is not beside it" not in said.err
    assert "30 change(s) would be undone" in said.out  # all but the 7 the sample's seats hold back
