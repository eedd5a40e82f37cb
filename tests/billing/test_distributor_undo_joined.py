"""Issue 116, point 2: `undo --distributor` re-reads the subscription with the audit's and apply's own join
(Pax8's vendorSubscriptionId -> the tenant's Microsoft subscription, Graph's GET /directory/subscriptions),
so where Pax8 names the Microsoft subscription by its vendorSubscriptionId alone (no vendorSkuId, an optional
field of Pax8's schema) a reduction is put back and a purchase taken back. Through the real CLI, the Graph
emulator and the Pax8 stand-in serving no vendorSkuId."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.apply import distributor_undo
from auditor.cli import main

from .test_distributor_purchase import SHORT_MIN, buy_one
from .test_distributor_sample import at_pax8
from .test_distributor_writes import MONTHLY_AT_PAX8, audited, power_bi_seats, undo_argv


def test_a_reduction_is_put_back_where_pax8_names_only_the_microsoft_subscription(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch, vendor_sku_ids=False) as world:
        assert not any("vendorSkuId" in s for s in world.pax8.subscriptions)
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned
        assert world.apply("--yes") == 0
        assert world.quantities()[MONTHLY_AT_PAX8] == 2
        path, _ = world.journal()
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
        capsys.readouterr()
        assert main(undo_argv(path, "pax8", world.pax8.url, world.graph.url, world.tenant_id, "--yes")) == 0
        said = capsys.readouterr()
        assert "cannot be told" not in said.out + said.err
        assert world.quantities()[MONTHLY_AT_PAX8] == 6


def test_a_purchase_is_taken_back_where_pax8_names_only_the_microsoft_subscription(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_pax8(tmp_path, monkeypatch, spare=SHORT_MIN, applied=True, vendor_sku_ids=False) as (pax8, world):
        assert not any("vendorSkuId" in s for s in pax8.subscriptions)
        change = buy_one(world.out)
        assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url) == 0
        (e3,) = [s for s in pax8.subscriptions if s["id"] == change["api_id"]]
        assert e3["quantity"] == change["to"]
        (path,) = sorted(world.out.glob("distributor-journal-*.jsonl"))
        capsys.readouterr()
        assert main(undo_argv(path, "pax8", pax8.url, world.graph.url, world.tenant_id, "--yes")) == 0
        said = capsys.readouterr()
        assert "cannot be told" not in said.out + said.err
        assert e3["quantity"] == change["from"]
        (undone,) = sorted(world.out.glob("distributor-undo-*.jsonl"))
        lines = [json.loads(t) for t in undone.read_text("utf-8").splitlines()]
        assert [(ln["kind"], ln["outcome"]) for ln in lines] == [
            ("undo_increase", "sending"),
            ("undo_increase", "done"),
        ]
