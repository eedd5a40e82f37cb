"""Issue 95, points 3, 5 and 10: apply --distributor makes a change only if re-deriving it from the
distributor's re-read gives the plan's change, and undo --distributor puts back at most what the tool
read before its write. Through the Graph emulator and the Pax8 and Sherweb stand-ins: an edited plan.json
(a scheduled annual reduction turned into a cancellation today on another product; another Sherweb
customer's subscription) is refused, named, exit 3, nothing sent; an edited journal buys nothing; a
put-back the distributor's quantity no longer allows exits 3."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from msgspec import to_builtins

from auditor.apply import distributor_undo
from auditor.apply import run as apply_run
from auditor.cli import main
from auditor.vendors.pax8.requests import cancel as pax8_cancel
from auditor.vendors.sherweb.requests import amend as sherweb_amend

from .test_distributor_sherweb import at_sherweb
from .test_distributor_writes import ANNUAL_AT_PAX8, CANCELLED, MONTHLY_AT_PAX8, audited, power_bi_seats, undo_argv
from .test_sherweb import CATALOG, CUSTOMER, E3
from .test_sherweb import _sub as sherweb_sub

NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OTHER_CUSTOMER = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"  # a second customer of the MSP at Sherweb


def _edit(plan: Path, n: int, **fields: Any) -> None:
    doc = json.loads(plan.read_text("utf-8"))
    (change,) = [c for c in doc["bill"]["distributor"] if c["n"] == n]
    change.update(fields)
    plan.write_text(json.dumps(doc), "utf-8")


def _most_free(world: Any) -> str:
    """The tenant's product with the most seats nobody holds (another product than Power BI Pro)."""
    skus = world.graph.snapshot().skus
    others = [s for s in skus if s.sku_part_number != "POWER_BI_PRO"]
    return max(others, key=lambda s: s.usable - s.consumed_units).sku_id


def test_a_scheduled_annual_reduction_edited_into_a_cancel_today_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(apply_run, "clock", lambda: NOV_2)
    with audited(tmp_path, monkeypatch, split=CANCELLED, clock=NOV_2.timestamp) as world:
        plan = world.out / "plan.json"
        (d2,) = [c for c in world.plan()["bill"]["distributor"] if c["n"] == 2]
        assert (d2["api_id"], d2["not_before"]) == (ANNUAL_AT_PAX8, "2027-05-08")  # annual: at its commitment's end
        _edit(
            plan, 2, kind="cancel", to=0, seats=31, not_before=None, window="any_time", saving_from="2026-11-02",
            sku_id=_most_free(world), request=to_builtins(pax8_cancel(ANNUAL_AT_PAX8, "2026-11-02")),
        )  # fmt: skip
        assert world.apply("--yes") == 3
        out = capsys.readouterr()
        assert "D2. cancel POWER_BI_PRO at Pax8" in out.err and "refused, nothing sent" in out.err
        # compiled again at the call, the annual subscription is reduced at its commitment's end: not cancelled
        assert (
            'refused, nothing sent: (kind) its `kind` is not the one the tool would write now: the plan says "cancel"'
            in out.err
        )
        assert not [r for r in world.pax8.requests if r.method == "DELETE" and ANNUAL_AT_PAX8 in r.path]
        annual = next(s for s in world.pax8.subscriptions if s["id"] == ANNUAL_AT_PAX8)
        assert annual["status"] == "Active" and annual["quantity"] == 31
        _, lines = world.journal()
        assert [(ln["n"], ln["outcome"]) for ln in lines if ln["n"] == 2] == [(2, "refused")]


def test_a_scheduled_reduction_made_due_today_by_an_edit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(apply_run, "clock", lambda: NOV_2)
    with audited(tmp_path, monkeypatch, split=CANCELLED, clock=NOV_2.timestamp) as world:
        power_bi_seats(world, -4)  # seats enough: only the commitment stops it
        _edit(world.out / "plan.json", 2, not_before=None, window="any_time", saving_from="2026-11-02")
        assert world.apply("--yes") == 3
        err = capsys.readouterr().err
        assert "D2. reduce POWER_BI_PRO at Pax8" in err and "refused, nothing sent: (window)" in err
        assert "(a plan may put a change later, never sooner)" in err
        assert not [r for r in world.pax8.requests if r.method == "PUT"]


def test_another_sherweb_customers_subscription_edited_into_the_plan_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        other = sherweb_sub(7, "MS-0A-O365-E3-NCE-1Y", "Microsoft 365 E3", 50)
        world.sherweb.subscriptions[OTHER_CUSTOMER] = [other]
        world.sherweb.catalogs[OTHER_CUSTOMER] = [dict(i) for i in CATALOG]
        _edit(
            world.out / "plan.json", 1, scope=OTHER_CUSTOMER, api_id=other["id"], sku="SPE_E3", sku_id=E3,
            to=46, seats=4, **{"from": 50}, request=to_builtins(sherweb_amend(OTHER_CUSTOMER, other["id"], 46)),
        )  # fmt: skip
        power_bi_seats(world, -1)
        assert world.apply("--yes") == 3
        err = capsys.readouterr().err
        # no change of the fresh compile writes to the other customer's subscription: refused, naming it
        assert "refused, nothing sent: (api_id) the tool would not make this change now" in err
        assert f"no change of sherweb subscription {other['id']}" in err
        assert world.sherweb.writes == 0 and world.sherweb.subscriptions[OTHER_CUSTOMER][0]["quantity"] == 50


def test_a_sherweb_change_edited_onto_another_product_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        _edit(world.out / "plan.json", 1, sku_id=E3, sku="SPE_E3")  # its seat check on E3's seats
        assert world.apply("--yes") == 3
        assert (
            "refused, nothing sent: (sku) its `sku` is not the one the tool would write now" in capsys.readouterr().err
        )
        assert world.sherweb.writes == 0 and world.seats() == 34


def test_an_edited_journal_puts_back_no_more_than_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        assert world.apply("--yes") == 0
        assert world.quantities()[MONTHLY_AT_PAX8] == 2
        path, lines = world.journal()
        for line in lines:  # every line says 5000 seats were there before
            line["from"] = 5000
            line["read"] = 5000
        path.write_text("".join(json.dumps(ln) + "\n" for ln in lines), "utf-8")
        asked: list[str] = []
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: asked.append(q) or True)
        writes = world.pax8.writes
        argv = undo_argv(path, "pax8", world.pax8.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 3
        err = capsys.readouterr().err
        assert "not put back: the journal says" in err and "5000" in err and "the plan's change" in err
        assert not asked and world.pax8.writes == writes and world.quantities()[MONTHLY_AT_PAX8] == 2
        (world.out / "plan.json").write_text("{}", "utf-8")  # a later plan: undo reads the copy apply kept
        for first in world.out.glob("distributor-undo-*"):  # the second run's may take the same second's name
            first.rename(first.with_suffix(".first"))
        for line in lines:
            line["from"], line["read"] = 6, 6
        path.write_text("".join(json.dumps(ln) + "\n" for ln in lines), "utf-8")
        assert main(argv) == 0
        assert asked == [
            "D1. put POWER_BI_PRO back from 2 to 6 seats at Pax8 (4 seats at 10.14 at Pax8 now: they cost 40.56 a "
            "month again)?"
        ]
        assert world.quantities()[MONTHLY_AT_PAX8] == 6


def test_undo_exits_3_when_sherweb_changed_the_quantity_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        assert world.apply("--yes") == 0 and world.seats() == 30
        world.sherweb.subscriptions[CUSTOMER][0]["quantity"] = 31  # a seat bought since the reduction
        path, _ = world.journal()
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
        argv = undo_argv(path, "sherweb", world.sherweb.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 3
        err = capsys.readouterr().err
        assert "D1. put POWER_BI_PRO back from 30 seats at Sherweb: not undone: it now has 31 seats" in err
        assert world.seats() == 31 and world.sherweb.writes == 1  # the reduction only


def test_a_sherweb_sku_the_catalog_lists_twice_by_the_call_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # planned on Power BI Pro; by the call Sherweb's catalog lists its SKU a second time with E3's id: which
    # Microsoft product the subscription is cannot be re-derived, so nothing is written (issue 95, point 4)
    with at_sherweb(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)
        (pbi,) = [i for i in world.sherweb.catalogs[CUSTOMER] if i["sku"] == "MS-0B-PBI-PRO-NCE-1M"]
        world.sherweb.catalogs[CUSTOMER].append({**pbi, "microsoftSkuId": E3})
        assert world.apply("--yes") == 3
        err = capsys.readouterr().err
        # Sherweb names no one Microsoft product for the subscription now: the fresh compile plans no change on it
        assert "refused, nothing sent: (api_id) the tool would not make this change now" in err
        assert world.sherweb.writes == 0 and world.seats() == 34
