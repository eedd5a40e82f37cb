"""Issue 108, item 1: seats up as well as down at the distributor. The sample tenant under the example policy
with Microsoft 365 E3's spare minimum raised to 8, its license changes made and planned again (the seats
assigned after the plan and 8 spare are more than the 204 Microsoft enables): the bill buys the E3 seats
short, and where the tenant buys E3 through Pax8 or Sherweb, `plan` plans the purchase on the subscription
the seats belong to (Pax8: the one whose vendorSubscriptionId names the tenant's E3 subscription), `apply
--distributor --yes` makes it against the stand-in, journaled, and `undo --distributor --yes` takes it off
again. An edited plan.json that buys more is refused (the fresh compile buys
fewer); one cut to a seat is made. Through the real CLI, the Graph emulator and the stand-ins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor_dev.commerce.pax8 import added_since

from .test_distributor_sample import at_pax8, sample, sherweb_e3
from .test_distributor_writes import undo_argv
from .test_sherweb import CUSTOMER

SHORT_MIN = "spare_seats: {max: 10, max_percent: 5, min: 8}"  # E3: short of 8 spare after the changes


def _purchase(plan: dict[str, Any]) -> dict[str, Any]:
    (change,) = [c for c in plan["bill"]["distributor"] if c["kind"] == "increase"]
    return change


def buy_one(out: Path) -> dict[str, Any]:
    """plan.json's purchase cut to one seat, as a reviewer may: a file may buy fewer than the plan, never more
    than a fresh compile buys. (The fresh compile here counts 3 fewer E3 seats assigned after the plan than
    `plan` does, a difference in the group removals it plans: it buys fewer, and the plan as written would be
    refused for buying more; one seat is within both.)"""
    path = out / "plan.json"
    doc = json.loads(path.read_text("utf-8"))
    change = _purchase(doc)
    seats = change["seats"]
    change |= {"to": change["from"] + 1, "seats": 1, "monthly_saving": round(change["monthly_saving"] / seats, 2)}
    if "monthly_price" in change:  # Sherweb gives no price: the bill's own, at cost
        change["monthly_price"] = round(change["monthly_price"] / seats, 2)
    body = change["request"]["body"]
    if "quantity" in body:
        body["quantity"] = change["to"]
    else:
        body["subscriptionAmendmentParameters"][0]["newQuantity"] = change["to"]
    path.write_text(json.dumps(doc), "utf-8")
    return change


def _journal(out: Path, pattern: str) -> tuple[Path, list[dict[str, Any]]]:
    (path,) = sorted(out.glob(pattern))
    return path, [json.loads(t) for t in path.read_text("utf-8").splitlines()]


def test_the_bill_buys_the_spare_minimum_and_pax8_gets_the_purchase_on_the_named_subscription(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_pax8(tmp_path, monkeypatch, spare=SHORT_MIN, applied=True) as (pax8, world):
        plan = world.plan()
        (buy,) = [a for a in plan["bill"]["actions"] if a["action"] == "buy" and a["sku"] == "SPE_E3"]
        (e3_bill,) = [p for p in plan["bill"]["products"] if p["sku"] == "SPE_E3"]
        # the seats assigned after the plan and the 8 spare are more than the 204 Microsoft enables
        n = buy["seats"]
        assert n == e3_bill["assigned_after"] + 8 - e3_bill["purchased"] > 0 and e3_bill["purchased"] == 204
        assert buy["reason"].startswith("The policy keeps 8 spare licenses after the plan:")
        change = _purchase(plan)
        e3 = next(s for s in pax8.subscriptions if s["vendorSubscriptionId"] == change["subscription"])
        assert (change["source"], change["api_id"], change["from"], change["to"]) == ("pax8", e3["id"], 210, 210 + n)
        assert change["request"] == {
            "method": "PUT",
            "path": f"/v1/subscriptions/{e3['id']}",
            "body": {"quantity": 210 + n},
        }
        # at the MSP's cost (partnerCost 30.40) and the customer's price (33.75), one seat
        assert (change["monthly_saving"], change["monthly_price"]) == (round(-30.4 * n, 2), round(33.75 * n, 2))
        assert not [c for c in plan["bill"]["distributor"] if c["sku"] == "SPE_E3" and c["kind"] != "increase"]
        md = (world.out / "plan.md").read_text("utf-8").replace("\\", "")
        assert f"more license{'s' if n > 1 else ''} of Microsoft 365 E3 at the distributor, from 210 to {210 + n}" in md
        n = buy_one(world.out)["seats"]
        # without --yes nothing is sent
        capsys.readouterr()
        assert world.apply("--distributor", "--pax8-endpoint", pax8.url) == 0
        assert "would apply" in capsys.readouterr().out and pax8.writes == 0
        assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url) == 0
        said = capsys.readouterr().out
        assert f"buy {n} SPE_E3 at Pax8" in said and "-> done" in said
        assert e3["quantity"] == 210 + n and pax8.writes == 1
        path, lines = _journal(world.out, "distributor-journal-*.jsonl")
        assert [(ln["kind"], ln["outcome"], ln["from"], ln["to"]) for ln in lines] == [
            ("increase", "sending", 210, 210 + n),
            ("increase", "done", 210, 210 + n),
        ]
        # undo takes the seats bought off again, inside Microsoft's seven days (Pax8's history dates the purchase)
        argv = undo_argv(path, "pax8", pax8.url, world.graph.url, world.tenant_id)
        assert main(argv) == 0
        assert "would take them off" in capsys.readouterr().out and e3["quantity"] == 210 + n
        assert main([*argv, "--yes"]) == 0
        assert e3["quantity"] == 210 and pax8.writes == 2
        _, undone = _journal(world.out, "distributor-undo-*.jsonl")
        assert [(ln["kind"], ln["outcome"], ln["from"], ln["to"]) for ln in undone][-1] == (
            "undo_increase",
            "done",
            210 + n,
            210,
        )


def test_an_edited_plan_buying_more_sends_nothing_then_the_plan_as_written_buys_what_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_pax8(tmp_path, monkeypatch, spare=SHORT_MIN, applied=True) as (pax8, world):
        path = world.out / "plan.json"
        as_written = path.read_text("utf-8")
        doc = json.loads(as_written)
        change = _purchase(doc)
        n = change["seats"]
        change |= {"to": 220, "seats": 10, "monthly_saving": -304.0, "monthly_price": 337.5}  # 10, more than the plan's
        change["request"]["body"] = {"quantity": 220}
        path.write_text(json.dumps(doc), "utf-8")
        capsys.readouterr()
        # the refused run's journal is the one given, apart from the next run's
        edited = ("--journal", str(tmp_path / "edited.jsonl"))
        assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url, *edited) == 3
        assert "refused, nothing sent: (to)" in capsys.readouterr().err
        assert pax8.writes == 0 and {s["quantity"] for s in pax8.subscriptions if s["id"] == change["api_id"]} == {210}
        # one seat: within what the fresh compile buys, sent as the fresh compile has it, and nothing more
        path.write_text(as_written, "utf-8")
        n = buy_one(world.out)["seats"]
        assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url) == 0
        assert [s["quantity"] for s in pax8.subscriptions if s["id"] == change["api_id"]] == [210 + n]
        assert pax8.writes == 1


def test_a_purchase_at_sherweb_is_planned_made_and_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        sherweb_e3(monkeypatch) as sherweb,
        sample(
            tmp_path,
            monkeypatch,
            f"{{sherweb: {{customer_id: {CUSTOMER}}}}}",
            "--sherweb-endpoint",
            sherweb.url,
            spare=SHORT_MIN,
            applied=True,
        ) as world,
    ):
        change = _purchase(world.plan())
        n = change["seats"]
        assert (change["source"], change["from"], change["to"]) == ("sherweb", 210, 210 + n)
        body = change["request"]["body"]
        assert body == {
            "subscriptionAmendmentParameters": [{"subscriptionId": change["api_id"], "newQuantity": 210 + n}]
        }
        n = buy_one(world.out)["seats"]
        assert world.apply("--distributor", "--yes", "--sherweb-endpoint", sherweb.url) == 0
        assert sherweb.subscriptions[CUSTOMER][0]["quantity"] == 210 + n
        path, _ = _journal(world.out, "distributor-journal-*.jsonl")
        capsys.readouterr()
        assert main([*undo_argv(path, "sherweb", sherweb.url, world.graph.url, world.tenant_id), "--yes"]) == 0
        assert sherweb.subscriptions[CUSTOMER][0]["quantity"] == 210


def test_the_stand_ins_refuse_taking_off_seats_added_more_than_seven_days_ago() -> None:
    """Microsoft's rule, passed on by both distributors: seats added can be decreased within seven days only."""
    added: dict[str, tuple[float, int]] = {}
    assert added_since(added, "s", 10, 12, 0.0) == "" and added == {"s": (0.0, 10)}  # an increase, recorded
    assert added_since(dict(added), "s", 12, 10, 167 * 3600.0) == ""  # inside the 168 hours
    assert "seven days" in added_since(dict(added), "s", 12, 10, 169 * 3600.0)  # past them: refused
    assert added_since({}, "t", 12, 10, 169 * 3600.0) == ""  # seats never added through the API: not this rule
