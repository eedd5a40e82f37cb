"""The file selects, the source decides, at the distributor: an edited distributor change in plan.json is
refused naming its field, and Pax8 receives nothing from it.

The sample tenant with its Pax8 seats (test_distributor_sample's world): audited, planned, its license changes
made. Then each edit of the plan's E3 reduction (its quantity below the plan's, its kind, its subscription,
its product, its window) is applied with `apply --distributor --yes`: each run exits 3, names the field the
fresh compile disagrees on, and sends Pax8 no write. Last, the plan as written with a change appended: its
own reduction is made, the appended one refused (auditor.apply.agree, auditor.apply.write_engine.selected)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .test_distributor_sample import RENEWED, _e3, _kept, at_pax8

Edit = Callable[[dict[str, Any], list[dict[str, Any]]], str]


def _quantity_below(e3: dict[str, Any], subscriptions: list[dict[str, Any]]) -> str:
    """Pax8 `PUT quantity` 5 below the plan's: more seats off than the tool would take."""
    e3 |= {"to": e3["to"] - 5, "seats": e3["seats"] + 5}
    e3["request"]["body"] = {"quantity": e3["to"]}
    return "to"


def _cancelled(e3: dict[str, Any], subscriptions: list[dict[str, Any]]) -> str:
    e3 |= {"kind": "cancel", "to": 0, "seats": e3["from"]}
    e3["request"] = {
        "method": "DELETE",
        "path": f"/v1/subscriptions/{e3['api_id']}?cancelDate={e3['not_before'] or '2026-11-01'}",
        "body": None,
    }
    return "kind"


def _other_subscription(e3: dict[str, Any], subscriptions: list[dict[str, Any]]) -> str:
    other = next(s for s in subscriptions if s["id"] != e3["api_id"])
    e3["request"]["path"] = e3["request"]["path"].replace(e3["api_id"], str(other["id"]))
    e3["api_id"] = str(other["id"])
    return "api_id"


def _other_product(e3: dict[str, Any], subscriptions: list[dict[str, Any]]) -> str:
    e3 |= {"sku": "SPE_E5", "sku_id": "06ebc4ee-1bb5-47dd-8120-11324bc54e06"}
    return "sku"


def _window(e3: dict[str, Any], subscriptions: list[dict[str, Any]]) -> str:
    e3["window"] = "within_7_days"
    return "window"


def _appended(e3: dict[str, Any], subscriptions: list[dict[str, Any]]) -> str:
    """A second change appended: the plan's own reduction again, on another of the customer's subscriptions."""
    return _other_subscription(e3, subscriptions)


EDITS: list[Edit] = [_quantity_below, _cancelled, _other_subscription, _other_product, _window]


def test_each_edited_distributor_change_is_refused_and_pax8_receives_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_pax8(tmp_path, monkeypatch) as (pax8, world):
        written = world.plan()
        keep = _kept(written)
        assert world.apply("--yes") == 0  # the plan's license changes
        monkeypatch.setenv("SOURCE_DATE_EPOCH", RENEWED)  # E3's monthly renewal: its reduction is due (issue 116.4)
        path = world.out / "plan.json"
        as_written = path.read_text("utf-8")
        for edit in EDITS:
            doc = json.loads(as_written)
            field = edit(_e3(doc), pax8.subscriptions)
            path.write_text(json.dumps(doc), "utf-8")
            capsys.readouterr()
            assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url) == 3, edit.__name__
            err = capsys.readouterr().err
            assert f"refused, nothing sent: ({field})" in err, (edit.__name__, err[-600:])
            assert pax8.writes == 0, edit.__name__
            for journal in world.out.glob("distributor-journal-*.jsonl"):  # each run's own, read and set aside
                journal.rename(journal.with_suffix(f".{edit.__name__}"))
        # the plan as written, a change appended to it: the plan's own reduction is made, the appended refused
        doc = json.loads(as_written)
        appended = json.loads(json.dumps(_e3(doc))) | {"n": len(doc["bill"]["distributor"]) + 1}
        doc["bill"]["distributor"].append(appended)
        field = _appended(appended, pax8.subscriptions)
        path.write_text(json.dumps(doc), "utf-8")
        before = {s["id"]: s["quantity"] for s in pax8.subscriptions}
        assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url) == 3
        assert f"refused, nothing sent: ({field})" in capsys.readouterr().err
        e3 = _e3(written)["api_id"]
        assert {s["id"]: s["quantity"] for s in pax8.subscriptions} == before | {e3: keep}
        assert pax8.writes == 1  # the plan's own reduction, and nothing else
