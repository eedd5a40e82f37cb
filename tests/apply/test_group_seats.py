"""A join or leave is made only while the group's licenses move the seats the change's `seats`
expected: audit and plan the sample tenant on the Graph emulator, an admin adds E5 to two groups,
then apply skips the leave and the join and names what they would have moved."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.model import AssignedLicense
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

from .conftest import held_skus

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
WRITE = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")
PILOT_GROUP = "aa7f1640-4c71-4ef9-8b16-a30b43fa0a23"  # Copilot Pilot: the plan takes Pilot Tester out
PILOT = "6c8f11fe-70e4-4489-a1a1-0b3f664b4661"
FRONTLINE = "d23f0824-128b-4f33-8c5c-7fd0a6a3a450"  # Frontline Workers: the plan puts New Starter in
STARTER = "34b9b5df-9e77-49b1-8f42-05b4907a70c3"
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"


class _Pinned(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def test_a_leave_or_join_of_a_group_that_now_assigns_more_is_refused_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
        policies = ["--policies", str(EXAMPLE), "--as-of", "2026-11-01T06:00:00Z"]
        assert main(["audit", *policies, "--output-dir", str(tmp_path), "--format", "json", *conn]) == 1
        assert main(["plan", "--report-dir", str(tmp_path)]) == 0
        changes = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["changes"]
        leave = next(c for c in changes if c["kind"] == "remove_member" and c["user"] == PILOT)
        join = next(c for c in changes if c["kind"] == "add_member" and c["user"] == STARTER)
        assert (leave["seats"], join["seats"]) == ({"Microsoft_365_Copilot": -1}, {"SPE_F1": 1})
        # after the plan, an admin adds E5 to both groups
        for gid in (PILOT_GROUP, FRONTLINE):
            [group] = [g for g in graph.snapshot().groups if g.id == gid]
            graph.tenant.set_group_licenses(gid, (*group.assigned_licenses, AssignedLicense(E5)))
        held = held_skus(graph, PILOT)
        assert E5 in held
        capsys.readouterr()
        journal = tmp_path / "apply.jsonl"
        # compiled again at the call, leaving the pilot group takes E5 too: not the plan's change now, refused;
        # the tool would not join the starter at all now, and the re-read says why: skipped
        assert (
            main(
                [
                    "apply",
                    str(tmp_path / "plan.json"),
                    "--yes",
                    "--policies",
                    str(EXAMPLE),
                    "--journal",
                    str(journal),
                    *conn,
                ]
            )
            == 3
        )
        notes = {
            (x["action"]["kind"], x["action"]["user"]): (x["outcome"], x["note"])
            for x in map(json.loads, journal.read_text(encoding="utf-8").splitlines())
            if x["outcome"] in ("failed", "skipped")
        }
        outcome, note = notes[("remove_member", PILOT)]
        assert outcome == "failed" and note.startswith("refused (seats), nothing sent: its `seats`")
        assert '"SPE_E5":-1' in note
        outcome, note = notes[("add_member", STARTER)]
        assert outcome == "skipped"
        assert note.endswith("(Microsoft 365 F3 +1): joining it would give Microsoft 365 E5 too; plan again")
        assert held_skus(graph, PILOT) == held  # Pilot Tester keeps Copilot and E5
        assert E5 not in held_skus(graph, STARTER)
