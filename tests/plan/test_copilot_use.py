"""Use of Copilot in any column of the Copilot usage report (v2), through the real CLI on the demo
tenant and the Graph emulator: audit, plan and apply's re-check read it alike (auditor.data.copilot_use).

The demo's Copilot Daily uses Copilot only on the web, in the Microsoft 365 Copilot app and in Edge
(the report's own Last Activity Date and Chat (work) are blank, 57 prompts over 21 days): no
finding, no change. A holder who used Copilot only in Edge after the audit keeps the seat at apply;
a report that answers for another Report Period than the one asked for is a named gap in the audit
and a named skip in apply."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

import auditor_dev.emulator.server as emulator_server
from auditor.cli import main
from auditor.data.usage_data import COPILOT, COPILOT_ACTIVITY, USAGE_REPORTS
from auditor.demo_write import DEMO_STATE
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor.snapshot.write import save_snapshot
from auditor_dev.demo import sample_tenant
from auditor_dev.emulator.reports import ReportOptions

from .test_copilot_move import _holds
from .test_copilot_recheck import HOLDER, _journal, _plan

DAILY = "copilot.daily@contoso.example"  # uses Copilot only through the v2 report's other columns


def _report(tmp_path: Path) -> dict[str, Any]:
    return json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _idle(report: dict[str, Any]) -> set[str]:
    return {f["subject"]["upn"] for f in report["findings"] if f["rule"] == CopilotSeatIdle.id}


@pytest.mark.parametrize("command", ["audit", "plan"])
def test_use_only_on_the_web_in_the_app_and_in_edge_is_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main([command, "--demo"]) in (0, 1)  # audit: 1 for findings; both: complete (not 3)
    idle = _idle(_report(tmp_path))
    assert DAILY not in idle
    assert idle  # the demo's idle seats are still found (Copilot Never, Copilot Idle, the pilot's)
    if command == "plan":
        plan = json.loads((tmp_path / "reports" / "plan.json").read_text("utf-8"))
        daily = next(u.id for u in sample_tenant().users if u.user_principal_name == DAILY)
        assert not [c for c in plan["changes"] if c.get("user") == daily]


def _state_with(tmp_path: Path, upn: str, activity: dict[str, str | int]) -> Path:
    """The demo tenant as apply finds it: `upn`'s Copilot report row gains `activity`."""
    tenant = sample_tenant()
    usage = tenant.usage_reports
    assert usage is not None
    rows = tuple(
        msgspec.structs.replace(r, **{COPILOT_ACTIVITY: activity}) if r.userPrincipalName == upn else r
        for r in usage.users
    )
    state = tmp_path / "reports" / DEMO_STATE
    save_snapshot(dataclasses.replace(tenant, usage_reports=dataclasses.replace(usage, users=rows)), state)
    return state


@pytest.mark.parametrize(
    ("activity", "said"),
    [
        ({"Edge Last Activity Date": "2026-10-29", "Prompts submitted for all apps": 3}, "use of Edge on 2026-10-29"),
        # a count that no column dates: use the report does not date keeps the seat
        ({"Prompts submitted for all apps": 57}, "use without a date (Prompts submitted for all apps: 57)"),
    ],
)
def test_apply_keeps_the_seat_of_a_holder_who_used_copilot_in_another_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, activity: dict[str, str | int], said: str
) -> None:
    take, give = _plan(tmp_path, monkeypatch)
    state = _state_with(tmp_path, HOLDER, activity)

    main(["apply", "--demo", "--yes", "--wait", "0"])
    assert _holds(state, HOLDER)
    lines = _journal(tmp_path)
    assert lines[take["n"]]["outcome"] == "skipped" and said in lines[take["n"]]["note"]
    assert lines[give["n"]]["outcome"] == "skipped"


def test_a_report_for_another_period_is_a_gap_in_the_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Copilot report answering for 7 days when 90 were asked: its blank dates say nothing of
    the window, so no seat is judged (a named gap, not an empty list that reads as compliant)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    monkeypatch.setattr(emulator_server, "ReportOptions", lambda: ReportOptions(report_period={COPILOT.name: "7"}))
    main(["audit", "--demo"])
    report = _report(tmp_path)
    assert not _idle(report)
    gaps = [g for g in report["gaps"] if g["part"] == USAGE_REPORTS]
    assert gaps and "Report Period '7'" in gaps[0]["reason"] and "asked D90" in gaps[0]["reason"]
    assert CopilotSeatIdle.id in {n["rule"] for n in report["not_evaluated"]}


def test_a_report_for_another_period_skips_the_removal_at_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    take, _ = _plan(tmp_path, monkeypatch)
    monkeypatch.setattr(emulator_server, "ReportOptions", lambda: ReportOptions(report_period={COPILOT.name: "7"}))
    main(["apply", "--demo", "--yes", "--wait", "0"])
    state = tmp_path / "reports" / DEMO_STATE
    assert _holds(state, HOLDER)
    lines = _journal(tmp_path)
    assert lines[take["n"]]["outcome"] == "skipped"
    assert "could not be re-read" in lines[take["n"]]["note"] and "Report Period is '7'" in lines[take["n"]]["note"]
