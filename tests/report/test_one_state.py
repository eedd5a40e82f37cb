"""One state per finding, the plan's, in every file: `audit --demo` then `plan --demo`, and each
finding's state in report.json, findings.csv and report.md is the one plan.json gives it (issue 75,
point 1: the CSV and report.json used to judge each finding's calls alone, so three leavers the
plan makes ready with the policy's data_kept read "not ready" there, and five findings the plan
holds back had a ready Graph call in the CSV)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.rules.assignments import AssignmentNotGroupBased
from auditor.rules.hygiene.accounts import DisabledUserLicensed

DECLARATION = {"data_lost", "data_together"}  # auditor.plan.summary.DECLARATION_REASONS
LABELS = {  # report.md's words for each state (auditor.report.view.states)
    "ready": "**ready**",
    "in_part": "**ready in part**",
    "declaration": "**waits until the data is kept**",
    "person": "**needs an admin's decision**",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("one-state")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(where)
        mp.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
        assert main(["audit", "--demo"]) == 1
        assert main(["plan", "--demo"]) == 0
    return where / "reports"


def _plan(reports: Path) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """Finding id -> its state in plan.json, and -> the plan's changes for it, in order."""
    plan = json.loads((reports / "plan.json").read_text("utf-8"))
    calls: dict[str, list[dict[str, Any]]] = {}
    for change in plan["changes"]:
        for finding in change["findings"]:
            calls.setdefault(finding, []).append(change)
    states = dict.fromkeys(calls, "ready")
    for s in plan["skipped"]:
        if s["reason"] == "waived":
            continue
        states[s["finding"]] = (
            "in_part" if s.get("in_part") else "declaration" if s["reason"] in DECLARATION else "person"
        )
    return states, calls


def test_report_json_and_the_csv_give_each_finding_the_plans_state(demo: Path) -> None:
    expected, calls = _plan(demo)
    report = json.loads((demo / "report.json").read_text("utf-8"))
    rows = {r["id"]: r for r in csv.DictReader((demo / "findings.csv").open(encoding="utf-8-sig"))}
    assert len(report["findings"]) == len(rows) > 80
    assert {"ready", "person"} <= set(expected.values())
    wrong = []
    for finding in report["findings"]:
        fid, row = finding["id"], rows[finding["id"]]
        state = (finding.get("state") or {}).get("key")
        planned = calls.get(fid, [])
        seen = (state, row["state"] or None, int(row["actions_ready"]), row["action_path"])
        want = (expected.get(fid), expected.get(fid), len(planned), planned[0]["path"] if planned else "")
        if seen != want:
            wrong.append(f"{finding['rule']} {finding['subject'].get('upn')}: {seen} != the plan's {want}")
    assert not wrong, "\n".join(wrong)


def test_a_held_back_finding_has_no_ready_call_and_a_declared_one_is_ready(demo: Path) -> None:
    """The issue's two cases by name: Direct Assignee's group join, which the plan holds back while it
    removes E3 from her, and the leaver whose data the policy's data_kept keeps."""
    rows = list(csv.DictReader((demo / "findings.csv").open(encoding="utf-8-sig")))
    (join,) = [r for r in rows if r["rule"] == AssignmentNotGroupBased.id and r["subject"].startswith("direct.e3@")]
    assert (join["actions_ready"], join["action_path"], join["state"]) == ("0", "", "person")
    (leaver,) = [r for r in rows if r["rule"] == DisabledUserLicensed.id and r["subject"].startswith("leaver.dated@")]
    assert (leaver["actions_ready"], leaver["state"]) == ("1", "ready")
    report = json.loads((demo / "report.json").read_text("utf-8"))
    (finding,) = [f for f in report["findings"] if f["id"] == leaver["id"]]
    assert finding["state"] == {"key": "ready"}


def _sections(markdown: str) -> Iterator[tuple[str, list[str]]]:
    """(rule id, the section's lines) for each rule section of report.md."""
    rule, lines = "", []
    for line in markdown.splitlines():
        heading = re.match(r"#### .*\(([a-z\\-]+)\)$", line)
        if heading:
            if rule:
                yield rule, lines
            rule, lines = heading.group(1).replace("\\-", "-"), []
        elif line.startswith(("## ", "### ")):
            if rule:
                yield rule, lines
            rule, lines = "", []
        else:
            lines.append(line)
    if rule:
        yield rule, lines


def test_report_md_shows_each_users_finding_in_the_plans_state(demo: Path) -> None:
    expected, _ = _plan(demo)
    report = json.loads((demo / "report.json").read_text("utf-8"))
    sections = dict(_sections((demo / "report.md").read_text("utf-8")))
    checked, wrong = 0, []
    for finding in report["findings"]:
        upn, state = finding["subject"].get("upn"), expected.get(finding["id"])
        if not upn or state is None or finding["rule"] not in sections:
            continue
        local, domain = upn.split("@")
        shown = local.replace(".", "\\.") + "\\@<!-- -->" + domain.replace(".", "\\.")
        rows = [line for line in sections[finding["rule"]] if shown in line and line.startswith("|")]
        labels = {label for label in LABELS.values() if any(label in row for row in rows)}
        if labels:  # a block of one state says it once, above its rows
            checked += 1
            if labels != {LABELS[state]}:
                wrong.append(f"{finding['rule']} {upn}: {sorted(labels)} != the plan's {LABELS[state]}")
    assert checked > 30
    assert not wrong, "\n".join(wrong)


def _html_blocks(page: str) -> dict[str, list[str]]:
    """Rule id -> its recipes in report.html (each from its `fix-<id>-<n>` anchor to the next anchor)."""
    marks = list(re.finditer(r'id="(?:rule|fix)-([a-z-]+?)(-\d+)?"', page))
    ends = [m.start() for m in marks[1:]] + [len(page)]
    blocks: dict[str, list[str]] = {}
    for mark, end in zip(marks, ends, strict=True):
        if mark.group(2):
            blocks.setdefault(mark.group(1), []).append(page[mark.start() : end])
    return blocks


def test_report_html_shows_each_users_finding_in_the_plans_state(demo: Path) -> None:
    expected, _ = _plan(demo)
    report = json.loads((demo / "report.json").read_text("utf-8"))
    blocks = _html_blocks((demo / "report.html").read_text("utf-8"))
    words = {key: label.strip("*") for key, label in LABELS.items()}
    checked, wrong = 0, []
    for finding in report["findings"]:
        upn, state = finding["subject"].get("upn"), expected.get(finding["id"])
        if not upn or state is None:
            continue
        labels = set()
        for block in blocks.get(finding["rule"], []):
            rows = [row for row in block.split("<tr") if f">{upn}</td>" in row]
            if not rows:
                continue
            shown = " ".join(rows) if "State:</b>" not in block else block  # a recipe of one state says it once
            labels |= {word for word in words.values() if f'font-weight:bold;">{word}</span>' in shown}
        if labels:
            checked += 1
            if labels != {words[state]}:
                wrong.append(f"{finding['rule']} {upn}: {sorted(labels)} != the plan's {words[state]}")
    assert checked > 30
    assert not wrong, "\n".join(wrong)
