"""`audit --demo --tenants`: an MSP tries the many-tenant run and its roll-up offline, on the bundled
sample tenants, which differ from each other; each is read through its own Graph emulator on
127.0.0.1 as a tenants file's tenant is read through Graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main


def test_the_demo_audits_the_sample_tenants_and_rolls_them_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["audit", "--demo", "--tenants"]) == 1  # Contoso's findings at or above high
    rollup = json.loads((tmp_path / "reports" / "tenants.json").read_text("utf-8"))
    tenants = {t["name"]: t for t in rollup["tenants"]}
    assert set(tenants) == {"Contoso", "Fabrikam"}
    assert all(t["status"] == "ok" and t["requests"] for t in tenants.values())  # each read through Graph
    assert tenants["Contoso"]["findings"] != tenants["Fabrikam"]["findings"]  # tenants that differ
    for key in ("contoso", "fabrikam"):
        report = json.loads((tmp_path / "reports" / key / "report.json").read_text("utf-8"))
        assert report["complete"] is True and report["as_of"].startswith("2026-11-01")
    assert (tmp_path / "reports" / "tenants.md").is_file() and (tmp_path / "reports" / "digest.html").is_file()
    assert "2 tenants audited, 0 failed" in capsys.readouterr().err
    assert "AUDITOR_ACCESS_TOKEN" not in __import__("os").environ


def test_tenants_without_a_file_asks_for_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--tenants", "--output-dir", str(tmp_path)]) == 2
    assert "give the tenants file (or --demo" in capsys.readouterr().err
