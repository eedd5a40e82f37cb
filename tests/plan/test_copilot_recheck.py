"""An idle Copilot seat's move decided again at the call (auditor.apply.copilot_recheck): apply
re-reads the Copilot usage report (v2) before the holder's removal and the candidate's groups
before the assignment, on the demo tenant through the Graph emulator. A holder who used Copilot
Chat since the plan's window keeps the seat; a report that cannot be read, or conceals names,
skips the move, named."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import msgspec
import pytest

import auditor_dev.emulator.server as emulator_server
from auditor.cli import main
from auditor.demo_write import DEMO_STATE
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor.snapshot.write import save_snapshot
from auditor_dev.demo import sample_tenant
from auditor_dev.emulator.reports import ReportOptions

from .test_copilot_move import _holds

HOLDER = "copilot.never@contoso.example"
CANDIDATE = "user000006@contoso.example"


def _plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, object], dict[str, object]]:
    """plan --demo; the move's two changes (the holder's removal, the candidate's assignment)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["plan", "--demo"]) == 0
    report = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    (finding,) = [
        f
        for f in report["findings"]
        if f["rule"] == CopilotSeatIdle.id
        and f["details"]["disposition"] == "reassign"
        and f["subject"]["upn"] == HOLDER
    ]  # the never-used seat, which goes to the waiting list's member (the next goes to the audit log's Chat user)
    plan = json.loads((tmp_path / "reports" / "plan.json").read_text("utf-8"))
    take, give = [c for c in plan["changes"] if finding["id"] in c["findings"]]
    return take, give


def _journal(tmp_path: Path) -> dict[int, dict[str, object]]:
    (journal,) = (tmp_path / "reports").glob("journal-*.jsonl")
    lines = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    return {entry["n"]: entry for entry in lines if "n" in entry}


def test_the_plan_carries_the_window_and_the_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    take, give = _plan(tmp_path, monkeypatch)
    assert {"copilot_idle_since": "2026-10-02"} in take["precondition"]  # the demo's 30 days before 2026-11-01
    (groups,) = [c["in_any_group"] for c in give["precondition"] if "in_any_group" in c]
    assert len(groups) == 1 and {"account_enabled": True} in give["precondition"]


def test_a_holder_who_chatted_since_keeps_the_seat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    take, give = _plan(tmp_path, monkeypatch)
    tenant = sample_tenant()
    usage = tenant.usage_reports
    assert usage is not None
    rows = tuple(
        msgspec.structs.replace(r, copilotChatWorkLastActivityDate="2026-10-29") if r.userPrincipalName == HOLDER else r
        for r in usage.users
    )
    tenant = dataclasses.replace(tenant, usage_reports=dataclasses.replace(usage, users=rows))
    state = tmp_path / "reports" / DEMO_STATE
    save_snapshot(tenant, state)  # the tenant as apply finds it: the holder used Copilot Chat after the audit

    main(["apply", "--demo", "--yes", "--wait", "0"])
    assert _holds(state, HOLDER) and not _holds(state, CANDIDATE)
    lines = _journal(tmp_path)
    assert lines[take["n"]]["outcome"] == "skipped"
    assert "Copilot Chat (work) on 2026-10-29" in lines[take["n"]]["note"]
    assert lines[give["n"]]["outcome"] == "skipped" and str(take["n"]) in lines[give["n"]]["note"]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (ReportOptions(renamed={"Copilot Agent Last Activity Date": ""}), "could not be re-read"),
        (ReportOptions(concealed=True), "conceals user names"),
    ],
)
def test_a_report_that_cannot_be_read_skips_the_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: ReportOptions, said: str
) -> None:
    take, give = _plan(tmp_path, monkeypatch)
    monkeypatch.setattr(emulator_server, "ReportOptions", lambda: options)
    main(["apply", "--demo", "--yes", "--wait", "0"])
    state = tmp_path / "reports" / DEMO_STATE
    assert _holds(state, HOLDER) and not _holds(state, CANDIDATE)
    lines = _journal(tmp_path)
    assert lines[take["n"]]["outcome"] == "skipped" and said in lines[take["n"]]["note"]
    assert lines[give["n"]]["outcome"] == "skipped"


def test_a_candidate_who_left_the_waiting_list_gets_no_seat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    take, give = _plan(tmp_path, monkeypatch)
    tenant = sample_tenant()
    groups = tuple(
        msgspec.structs.replace(g, members=()) if g.display_name == "Copilot waiting list" else g for g in tenant.groups
    )
    state = tmp_path / "reports" / DEMO_STATE
    # and nobody in the audit log's Copilot Chat users (who would name her, or another, again)
    chat = tenant.copilot_chat_use
    assert chat is not None
    chat = dataclasses.replace(chat, users=())
    # taken off the list after the audit
    save_snapshot(dataclasses.replace(tenant, groups=groups, copilot_chat_use=chat), state)

    main(["apply", "--demo", "--yes", "--wait", "0"])
    lines = _journal(tmp_path)
    assert lines[take["n"]]["outcome"] == "done"  # the idle seat is freed all the same
    assert lines[give["n"]]["outcome"] == "skipped"
    assert "no longer a member of Copilot waiting list" in lines[give["n"]]["note"]
    assert not _holds(state, HOLDER) and not _holds(state, CANDIDATE)


def test_a_seat_the_candidate_cannot_take_is_named_and_undo_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    take, give = _plan(tmp_path, monkeypatch)
    tenant = sample_tenant()
    users = tuple(u.with_values(usage_location=None) if u.user_principal_name == CANDIDATE else u for u in tenant.users)
    state = tmp_path / "reports" / DEMO_STATE
    # the candidate lost their usage location after the audit: Graph refuses the assignment (400)
    save_snapshot(dataclasses.replace(tenant, users=users), state)
    capsys.readouterr()

    assert main(["apply", "--demo", "--yes", "--wait", "0"]) == 3
    lines = _journal(tmp_path)
    assert lines[take["n"]]["outcome"] == "done" and lines[give["n"]]["outcome"] == "failed"
    assert not _holds(state, HOLDER) and not _holds(state, CANDIDATE)
    said = " ".join(capsys.readouterr().err.split())
    assert f"taken from Copilot Never ({HOLDER}) by change {take['n']} is free" in said
    assert "license-auditor undo " in said and "journal-" in said

    assert main(["undo", "--demo", "--yes", "--wait", "0"]) == 0  # what the message says gives the seat back
    assert _holds(state, HOLDER) and not _holds(state, CANDIDATE)
