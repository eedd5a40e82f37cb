"""Trends per tenant in `audit --tenants` (issue 77, point 3): three nights of three tenants, each
served by its own Graph emulator on loopback, into one output folder. Each tenant's folder keeps its
own history.jsonl across the nights (no option given), each tenant's report charts its own runs,
nothing of one tenant reaches another's history, and the roll-up shows each tenant's seats and spend
against its own a month earlier. The nights are dated with --as-of and a pinned generation time:
no sleeping."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import msgspec
import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
CLIENT = "00000000-0000-0000-0000-0000000000c1"
NIGHTS = ("2026-11-01T06:00:00Z", "2026-12-01T06:00:00Z", "2026-12-02T06:00:00Z")
NAMES = ("Alpha", "Bravo", "Charlie")


TENANT_IDS = [f"00000000-0000-0000-0000-{n:012d}" for n in range(len(NAMES) + 1)]  # 0: the app's own


@contextlib.contextmanager
def _night(tmp_path: Path, token: str, night: int) -> Iterator[None]:
    """The three tenants as they are on `night`: each holds 10 * tenant more E3 seats each night,
    so every tenant's seats move, each by its own step."""
    sample = load_snapshot(SAMPLE)
    with contextlib.ExitStack() as stack:
        lines = ["defaults:", f"  client_id: {CLIENT}", "  policies: policies/example.yaml", "tenants:"]
        for n, name in enumerate(NAMES, start=1):
            skus = tuple(
                msgspec.structs.replace(s, consumed_units=s.consumed_units - 10 * n * (2 - night))
                if s.sku_part_number == "SPE_E3"
                else s
                for s in sample.skus
            )
            snapshot = replace(sample, tenant_id=TENANT_IDS[n], tenant_name=name, skus=skus)
            graph = stack.enter_context(GraphEmulator(snapshot, token=token))
            lines += [f"  - name: {name}", f"    tenant_id: {TENANT_IDS[n]}", f"    graph_endpoint: {graph.url}"]
        (tmp_path / "tenants.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        yield


def test_three_nights_of_three_tenants_keep_each_tenants_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = app_token(TENANT_IDS[0])
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "policies" / "example.yaml")
    rollups = []
    for night, as_of in enumerate(NIGHTS):
        epoch = int(datetime.fromisoformat(as_of.replace("Z", "+00:00")).timestamp())
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))  # the night's generation time, pinned
        with _night(tmp_path, token, night):
            argv = ["audit", "--tenants", "tenants.yaml", "--auth", "token", "--output-dir", "out"]
            assert main([*argv, "--as-of", as_of, "--format", "json,md,csv"]) in (0, 1)  # findings, no failure
        rollups.append(
            {r["name"]: r for r in json.loads((tmp_path / "out" / "tenants.json").read_text("utf-8"))["tenants"]}
        )
    for n, name in enumerate(NAMES, start=1):
        folder = tmp_path / "out" / name.lower()
        records = [json.loads(line) for line in (folder / "history.jsonl").read_text("utf-8").splitlines()]
        assert [r["as_of"][:10] for r in records] == [a[:10] for a in NIGHTS]  # kept across the nights
        assert {r["tenant"] for r in records} == {TENANT_IDS[n]}  # nothing of another tenant
        seats = [r["seats"] for r in records]
        assert seats[1] - seats[0] == seats[2] - seats[1] == 10 * n  # each tenant's own seats
        report = json.loads((folder / "report.json").read_text("utf-8"))
        assert len(report["trends"]["runs"]) == 3  # its trends, as a one-tenant run with --history shows them
        assert "history" not in " ".join(report["warnings"])  # no other tenant's records to leave out
        assert "Trend" in (folder / "report.md").read_text("utf-8")
        # the roll-up: tonight's seats and spend, against the newest record at least 28 days older
        assert rollups[0][name]["last_month"] is None  # no record a month old on the first night
        for night in (1, 2):
            row = rollups[night][name]
            assert row["seats"] == seats[night] and row["spend_monthly"] == records[night]["spend_monthly"]
            assert row["last_month"] == {
                "as_of": NIGHTS[0][:10],
                "seats": seats[0],
                "spend_monthly": records[0]["spend_monthly"],
            }
    table = (tmp_path / "out" / "tenants.md").read_text("utf-8")
    assert "Seats in use" in table and "Nov 1, 2026" in table
