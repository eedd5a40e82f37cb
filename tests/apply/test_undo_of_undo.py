"""Undoing an undo makes the plan's removals again: each is made only while what it rested on
still holds (a guest, no sign-in within the days, the covering product held), through a real
audit, plan, apply and undo of the sample tenant on the Graph emulator, with the tenant changed
between the undo and its undo."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

from .conftest import held_skus

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
WRITE = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")
GUEST = "7ebff206-8673-4721-8cdd-2055930d6eaf"  # leaves Power BI Users (rests on userType Guest)
IDLE = "1f7296ab-7961-4d92-9d39-d0a89a2ef80f"  # loses EMS E3 (rests on no sign-in in 90 days, and E3)
MAIL = "3b957bf8-f9f2-4663-af87-c99abdee02ef"  # loses Exchange Online (Plan 1), redundant beside E3
STAFF = "6513270e-269e-4d37-b2a7-4de452e6b438"  # All Office Staff: gives E3 to IDLE and MAIL
EXO_P1 = "4b9405b0-7788-4568-add1-99614e613b69"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"


class _Pinned(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """audit, plan, apply and undo the sample tenant; yields (emulator, the undo journal, conn)."""
    policies = ["--policies", str(EXAMPLE), "--as-of", "2026-11-01T06:00:00Z"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.setattr("auditor.apply.run.clock", lambda: datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    monkeypatch.setattr("auditor.graph.collector.datetime", _Pinned)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    snapshot = load_snapshot(SAMPLE)
    token = app_token(snapshot.tenant_id, roles=(*DEMO_ROLES, *WRITE))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AZURE_TENANT_ID", snapshot.tenant_id)
    with GraphEmulator(snapshot, token=token) as graph:
        conn = ["--graph-endpoint", graph.url, "--auth", "token"]
        assert main(["audit", *policies, "--output-dir", str(tmp_path), "--format", "json", *conn]) == 1
        assert main(["plan", "--report-dir", str(tmp_path)]) == 0
        plan = tmp_path / "plan.json"
        assert (
            main(
                [
                    "apply",
                    str(plan),
                    "--yes",
                    "--policies",
                    str(EXAMPLE),
                    "--journal",
                    str(tmp_path / "apply.jsonl"),
                    *conn,
                ]
            )
            == 0
        )
        assert (
            main(["undo", str(tmp_path / "apply.jsonl"), "--yes", "--journal", str(tmp_path / "undo.jsonl"), *conn])
            == 0
        )
        yield graph, tmp_path / "undo.jsonl", conn


def test_undoing_the_undo_checks_what_each_removal_rested_on(undone: Any, capsys: pytest.CaptureFixture[str]) -> None:
    graph, journal, conn = undone
    # between the undo and its undo: the guest became a member, the idle user signed in, and the
    # user whose Exchange Online (Plan 1) was redundant left the group that gave her E3
    graph.tenant.change_user(GUEST, user_type="Member")
    graph.tenant.change_user(IDLE, last_successful_sign_in_date_time="2026-10-31T09:15:00Z")
    graph.tenant.remove_member(STAFF, MAIL)
    assert E3 not in held_skus(graph, MAIL) and EXO_P1 in held_skus(graph, MAIL)
    capsys.readouterr()
    redo = journal.with_name("redo.jsonl")
    # as in apply, a change skipped because the tenant changed is no failure (exit 0), and is named
    assert main(["undo", str(journal), "--yes", "--journal", str(redo), *conn]) == 0
    assert "35 of 38 change(s) undone, 3 skipped" in capsys.readouterr().out
    skipped = {line["action"]["user"]: line["note"] for line in _lines(redo) if line["outcome"] == "skipped"}
    assert "userType is Member now; the change rests on userType Guest" in skipped[GUEST]
    assert "signed in successfully at 2026-10-31T09:15:00Z, within the last 90 days" in skipped[IDLE]
    assert skipped[MAIL] == "the user does not hold Microsoft 365 E3"
    assert EXO_P1 in held_skus(graph, MAIL)  # she keeps her mailbox's product
    # the removals whose grounds still hold are made again
    done = [line for line in _lines(redo) if line["outcome"] == "done"]
    assert len(done) >= 20 and not {GUEST, IDLE, MAIL} & {line["action"]["user"] for line in done}


def test_an_undo_line_that_kept_no_preconditions_is_not_undone(undone: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A journal written before the preconditions were kept: undoing it is refused, line by line (exit 3)."""
    graph, journal, conn = undone
    lines = _lines(journal)
    assert all("reversed_precondition" in x["action"] for x in lines if x["outcome"] == "done")
    for x in lines:
        x["action"].pop("reversed_precondition", None)
    journal.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    writes = len(graph.writes())
    capsys.readouterr()
    assert main(["undo", str(journal), "--yes", "--journal", str(journal.with_name("redo.jsonl")), *conn]) == 3
    assert len(graph.writes()) == writes
    assert "undoing an undo would make that change without those checks" in capsys.readouterr().out
