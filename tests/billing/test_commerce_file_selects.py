"""The file selects, the source decides, for the bill's commerce changes: `apply --commerce` sends a change
of plan.json only if a fresh compile of the tenant and its billing sources makes it the same.

On the demo (`plan --demo`, then `apply --demo --commerce-only --yes` half an hour after the audit, the
sample's Partner Center and billing account served by their stand-ins), the plan as written sends its
cancellation; each edit of one field (more seats off, another subscription, another kind, another
product) is refused naming that field, and is never journaled as sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main

Edit = Callable[[list[dict[str, Any]]], tuple[int, str]]


def _more_seats_off(changes: list[dict[str, Any]]) -> tuple[int, str]:
    reduce = next(c for c in changes if c["kind"] == "reduce")
    reduce |= {"to": reduce["to"] - 1, "seats": reduce["seats"] + 1}
    reduce["request"]["body"] = {"quantity": reduce["to"]}
    return reduce["n"], "to"


def _other_subscription(changes: list[dict[str, Any]]) -> tuple[int, str]:
    first, second = changes[0], changes[1]
    first["request"]["path"] = first["request"]["path"].replace(first["api_id"], second["api_id"])
    first["api_id"] = second["api_id"]
    return first["n"], "api_id"


def _cancel_made_a_reduction(changes: list[dict[str, Any]]) -> tuple[int, str]:
    cancel = next(c for c in changes if c["kind"] == "cancel")
    cancel |= {"kind": "reduce", "to": 1, "seats": cancel["from"] - 1}
    cancel["request"] |= {"method": "PATCH", "body": {"properties": {"quantity": 1}}}  # the billing account's
    return cancel["n"], "kind"


def _other_product(changes: list[dict[str, Any]]) -> tuple[int, str]:
    changes[0] |= {"sku": "SPE_E5", "sku_id": "06ebc4ee-1bb5-47dd-8120-11324bc54e06"}
    return changes[0]["n"], "sku"


EDITS: list[Edit] = [_more_seats_off, _other_subscription, _cancel_made_a_reduction, _other_product]


def _sent(folder: Path) -> set[tuple[int, str]]:
    """The commerce changes the run's journal says were sent: (n, request path); the journal set aside."""
    (journal,) = folder.glob("commerce-journal-*.jsonl")
    lines = [json.loads(t) for t in journal.read_text("utf-8").splitlines()]
    journal.unlink()
    return {(ln["n"], ln["request"]["path"]) for ln in lines if ln["outcome"] == "sending"}


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__.strip("_") for e in EDITS])
def test_an_edited_commerce_change_is_refused_and_never_sent(
    edit: Edit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")  # the plan made at the sample's moment
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setattr("auditor.apply.run.clock", lambda: datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    assert main(["plan", "--demo"]) == 0
    path = tmp_path / "reports" / "plan.json"
    as_written = path.read_text("utf-8")
    apply = ["apply", "--demo", "--commerce-only", "--yes"]
    assert main(apply) == 0
    written = _sent(path.parent)
    # the plan as written sends the Power BI Pro cancellation (the Copilot reduction waits: every seat is assigned)
    assert [m for m, _ in written] == [2]
    doc = json.loads(as_written)
    n, field = edit(doc["bill"]["commerce"])
    path.write_text(json.dumps(doc), "utf-8")
    capsys.readouterr()
    assert main(apply) == 3
    assert f"commerce change C{n} ({field}): refused, nothing sent" in capsys.readouterr().err
    sent = _sent(path.parent)
    assert n not in {m for m, _ in sent} and sent <= written
