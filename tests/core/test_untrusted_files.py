"""Snapshot files a user or an attacker may hand the auditor: lone surrogates, and --save-snapshot
together with --snapshot."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli import main
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"


def _audit(*extra: str) -> int:
    return main(["audit", "--policies", str(POLICY), "--as-of", AS_OF, *extra])


def test_a_lone_surrogate_in_a_name_is_replaced_and_every_report_is_written(tmp_path: Path) -> None:
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    doc["users"][0]["displayName"] = "Eve \ud800 Mallory"
    tenant = tmp_path / "tenant.json"
    tenant.write_text(json.dumps(doc), encoding="utf-8")  # json.dumps escapes it as \ud800
    assert b"\\ud800" in tenant.read_bytes()
    out = tmp_path / "out"
    assert _audit("--snapshot", str(tenant), "--output-dir", str(out)) == 1  # not 5 (internal error)
    assert load_snapshot(tenant).users[0].display_name == "Eve \ufffd Mallory"
    for name in ("report.json", "report.html", "report.md", "findings.csv"):
        assert (out / name).read_text(encoding="utf-8")
    assert "Eve \ufffd Mallory" in (out / "report.json").read_text(encoding="utf-8")


def test_save_snapshot_with_a_snapshot_writes_the_data_used(tmp_path: Path) -> None:
    """It used to be ignored silently."""
    copy = tmp_path / "evidence.json"
    assert _audit("--snapshot", str(SAMPLE), "--output-dir", str(tmp_path / "out"), "--save-snapshot", str(copy)) == 1
    assert load_snapshot(copy) == load_snapshot(SAMPLE)
