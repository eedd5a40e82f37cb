"""Copilot seats for those the audit log shows using Copilot Chat (copilot-seat-idle's `audit_log`), through
the real CLI on the demo tenant and the Graph emulator. The example policy leaves the audit log off (it
needs AuditLogsQuery.Read.All); a copy with its `audit_log: beside` turned on, as docs/copilot.md says to
run it, asks for them beside the waiting list, so the never-used seat goes to the most active Chat user
without a seat (the waiting list's member, 31 interactions) and the next idle one to the audit log's Quinn
Andersson (23), whom no group names; the plan moves both, and apply compiles the plan again from a fresh
read of the tenant (the audit log queried again) before it moves them. When the audit log is refused the
gap is named and the waiting list stands alone; under the example policy nobody asks for it."""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import pytest

import auditor_dev.demo as demo_module
import auditor_dev.emulator as emulator
import auditor_dev.emulator.server as emulator_server
from auditor.cli import main
from auditor.data.copilot_chat_use import AUDIT_PERMISSION, COPILOT_AUDIT
from auditor.demo import sample_tenant
from auditor.demo_write import DEMO_STATE
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor_dev.emulator.audit_queries import AuditQueries

from .test_copilot_move import _holds
from .test_copilot_use import _report

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
NEVER, IDLE = "copilot.never@contoso.example", "copilot.idle@contoso.example"
QUINN, SANNE = "user000104@contoso.example", "user000006@contoso.example"
NEXT = "user000108@contoso.example"  # the audit log's next Chat user without a seat (5 interactions)


def audit_log_on(folder: Path) -> str:
    """A copy of the example policy with its commented-out `audit_log: beside` turned on."""
    text = EXAMPLE.read_text("utf-8")
    assert text.count("    # audit_log: beside\n") == 1
    copy = folder / "audit-log-policy.yaml"
    copy.write_text(text.replace("    # audit_log: beside\n", "    audit_log: beside\n"), "utf-8")
    return str(copy)


def _moves(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each idle holder's details, by the holder's UPN."""
    return {f["subject"]["upn"]: f["details"] for f in report["findings"] if f["rule"] == CopilotSeatIdle.id}


def test_the_most_active_chat_user_without_a_seat_gets_the_first_seat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["audit", "--demo", "--policies", audit_log_on(tmp_path), "--output-dir", "reports"]) == 1
    assert main(["plan", "--demo"]) == 0  # the report's policy: apply's fresh compile runs under it too
    report = _report(tmp_path)
    moves = _moves(report)
    never, idle = moves[NEVER], moves[IDLE]
    assert (never["candidate"], never["candidate_source"], never["candidate_interactions"]) == (SANNE, "group", 31)
    assert never["candidate_groups"]  # a group's member: apply re-checks the membership
    assert (idle["candidate"], idle["candidate_source"], idle["candidate_interactions"]) == (QUINN, "audit_log", 23)
    assert "candidate_groups" not in idle  # no group to re-check: the fresh compile finds them again
    # Copilot Daily uses Chat the most, but holds a seat: no candidate; the report names the audit log's count
    assert "copilot.daily@contoso.example" not in {d.get("candidate") for d in moves.values()}
    assert not [g for g in report["gaps"] if g["part"] == COPILOT_AUDIT]
    md = (tmp_path / "reports" / "report.md").read_text("utf-8")
    assert "with 23 Copilot Chat interaction records in the audit log" in md.replace("\\", "")

    plan = json.loads((tmp_path / "reports" / "plan.json").read_text("utf-8"))
    quinn = next(u.id for u in sample_tenant().users if u.user_principal_name == QUINN)
    (give,) = [c for c in plan["changes"] if c.get("user") == quinn]
    assert give["body"]["addLicenses"][0]["skuId"] and {"in_any_group"} - {k for p in give["precondition"] for k in p}

    # under the policy audit was given: the operator's, never one the plan names
    assert main(["apply", "--demo", "--policies", str(tmp_path / "audit-log-policy.yaml"), "--yes", "--wait", "0"]) == 0
    state = tmp_path / "reports" / DEMO_STATE
    assert _holds(state, QUINN) and _holds(state, SANNE)
    assert not _holds(state, NEVER) and not _holds(state, IDLE)


def test_a_refused_audit_log_is_a_named_gap_and_the_group_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    monkeypatch.setattr(emulator, "DEMO_ROLES", tuple(r for r in emulator.DEMO_ROLES if r != AUDIT_PERMISSION))
    # the policy asked for the audit log: a run without it is incomplete (exit 3), and says why
    assert main(["audit", "--demo", "--policies", audit_log_on(tmp_path)]) == 3
    report = _report(tmp_path)
    (gap,) = [g for g in report["gaps"] if g["part"] == COPILOT_AUDIT]
    assert AUDIT_PERMISSION in gap["reason"] and "403" in gap["reason"]
    moves = _moves(report)
    # the waiting list's member takes the never-used seat; nobody else waits (Quinn is in no group)
    assert (moves[NEVER]["candidate"], moves[NEVER]["candidate_source"]) == (SANNE, "group")
    assert "candidate_interactions" not in moves[NEVER]
    assert moves[IDLE]["disposition"] == "reduce"


def test_the_example_policy_asks_nothing_of_the_audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An admin who copies the example without granting AuditLogsQuery.Read.All gets a complete audit:
    the waiting list alone gives the seats, and the idle seat nobody waits for is reduced."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    monkeypatch.setattr(emulator, "DEMO_ROLES", tuple(r for r in emulator.DEMO_ROLES if r != AUDIT_PERMISSION))
    assert main(["audit", "--demo"]) == 1  # findings, and nothing missing
    report = _report(tmp_path)
    assert not [g for g in report["gaps"] if g["part"] == COPILOT_AUDIT]
    moves = _moves(report)
    assert moves[NEVER]["candidate"] == SANNE and "candidate_interactions" not in moves[NEVER]
    assert moves[IDLE]["disposition"] == "reduce"


def _quinn_a_guest() -> Any:
    sample = sample_tenant()
    users = [u.with_values(user_type="Guest") if u.user_principal_name == QUINN else u for u in sample.users]
    return dataclasses.replace(sample, users=users)


def test_a_guest_the_audit_log_shows_is_no_candidate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quinn, the audit log's Chat user who would take the idle seat, is a B2B guest: the records say so
    (`userType` guest) and the guest is given no paid seat (the guest rule would flag it): the seat is reduced."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    monkeypatch.setattr(demo_module, "sample_tenant", _quinn_a_guest)
    assert main(["audit", "--demo", "--policies", audit_log_on(tmp_path)]) == 1
    moves = _moves(_report(tmp_path))
    assert QUINN not in {d.get("candidate") for d in moves.values()}
    assert moves[NEVER]["candidate"] == SANNE and moves[IDLE]["candidate"] == NEXT


def test_another_organisations_records_make_no_candidate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quinn's Copilot records come from another organisation (`organizationId` is not the tenant's id):
    they are not this tenant's use, and Quinn is no candidate."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    other = "0b8f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
    monkeypatch.setattr(emulator_server, "AuditQueries", functools.partial(AuditQueries, elsewhere={QUINN: other}))
    assert main(["audit", "--demo", "--policies", audit_log_on(tmp_path)]) == 1
    report = _report(tmp_path)
    moves = _moves(report)
    assert QUINN not in {d.get("candidate") for d in moves.values()}
    assert moves[IDLE]["candidate"] == NEXT
