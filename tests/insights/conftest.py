"""Helpers for the nightly extras: the sample tenant served by the emulator, audited through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AUDITOR_ACCESS_TOKEN",
        "GITHUB_ACTIONS",
        "AUDITOR_NOTIFY_WEBHOOK",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_RUN_ID",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def sample() -> Any:
    return load_snapshot(SAMPLE)


def audit(
    out: Path, *extra: str, policies: Path = EXAMPLE, formats: str = "json,html,md,csv"
) -> tuple[int, dict[str, Any] | None]:
    code = main(
        ["audit", "--policies", str(policies), "--output-dir", str(out), "--format", formats, "--as-of", AS_OF, *extra]
    )
    report = out / "report.json"
    return code, (json.loads(report.read_text(encoding="utf-8")) if report.exists() else None)
