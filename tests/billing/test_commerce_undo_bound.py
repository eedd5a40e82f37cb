"""undo --commerce decides a buy-back at the call: the journal and the plan beside it only select the change.
An edited journal line (any field of CommerceLine, enumerated from its declaration), a plan not beside the
journal or a forged kept copy buy nothing the unedited journal would not; a plan and a line that agree on
more seats than the tenant's seats allow buy only up to what they allow (assigned now plus the policy's
spare). Against the Partner Center stand-in, the Copilot reduction 6 -> 4 of the sample."""

from __future__ import annotations

import asyncio
import copy
import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.apply.commerce import Commerce, commerce_of, run_commerce
from auditor.apply.commerce_undo import undo_commerce
from auditor.apply.distributor_bound import TenantNow
from auditor.apply.plan_binding import kept_plan
from auditor.apply.undo_bound import COMPARED
from auditor.apply.write_engine import BillJournal
from auditor.formats.bill_model import CommerceChange, CommerceLine
from auditor.vendors.commerce_sources import Access
from auditor.vendors.registry import BODIES

from .test_commerce_apply import CONSUMED, COPILOT, TODAY, Token, _bill, _journal, _seats, bind, seats_now, world

__all__ = ["world"]  # the stand-ins, a fixture of test_commerce_apply

Run = tuple[list[Any], list[str], str]  # the seats each write sent asks for, the problems named, the console


@pytest.fixture()
def reduced(world: Any, tmp_path: Path) -> Any:
    """The Copilot reduction 6 -> 4 made and journaled, bound to plan.json beside the journal; the licenses
    given back since (6 assigned, 4 seats)."""
    snapshot, facts, arm, pc = world
    changes = commerce_of({"bill": _bill(arm.url, pc.url, facts, snapshot, CONSUMED)})[:1]
    commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
    path = tmp_path / "commerce.jsonl"
    journal = BillJournal(path)
    sha = bind(tmp_path, changes)
    seats = _seats({COPILOT: (6, 4)})
    run = run_commerce(
        changes, commerce, seats, execute=True, journal=journal, today=TODAY, out=io.StringIO(), plan=sha
    )
    assert asyncio.run(run) == 0
    journal.close()
    yield commerce, pc, path, sha
    commerce.close()


TENANT = seats_now(Microsoft_365_Copilot=(COPILOT, 6, 4))


def _undo(reduced: Any, lines: list[dict[str, Any]], tenant: TenantNow = TENANT) -> Run:
    """undo --commerce --yes (a yes to every question) of the journal as `lines` say, on the subscription as
    the reduction left it: the writes it sent, the problems it named (exit 3), its console."""
    commerce, pc, path, _ = reduced
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines), "utf-8")
    (sub,) = next(iter(pc.customers.values()))[:1]
    sub["quantity"] = 4
    before = len(pc.requests)
    problems: list[str] = []
    out = io.StringIO()
    undo_commerce(path, commerce, lambda q: True, tenant=tenant, execute=True, out=out, today=TODAY, problems=problems)
    return [r.body.get("quantity") for r in pc.requests[before:] if r.method != "GET"], problems, out.getvalue()


def _edited(value: Any, name: str) -> Any:
    """Another value of the field's kind: what an edit of the journal could say instead."""
    if name == "plan":
        return "0" * 64
    if isinstance(value, bool) or value is None:
        return "edited" if name not in ("status", "read") else 1000
    if isinstance(value, int):
        return value + 1000
    if isinstance(value, float):
        return value * 10 + 1
    if isinstance(value, str):
        return "2099-12-31" if name == "by" else value + "-edited"
    assert isinstance(value, dict)  # the request: its body asks for more
    return {**value, "body": {"quantity": 1000}}


def test_each_field_of_a_done_line_edited_buys_nothing_the_unedited_would_not(reduced: Any) -> None:
    path = reduced[2]
    lines = _journal(path)
    assert [ln["outcome"] for ln in lines] == ["sending", "done"] and lines[0]["read"] == 6
    unedited, problems, _ = _undo(reduced, copy.deepcopy(lines))
    assert unedited == [6] and problems == []  # bought back to the plan's 6
    fields = msgspec.structs.fields(CommerceLine)
    compared = {f.encode_name for f in fields if f.name in (*COMPARED, "n", "plan")}
    for field in fields:
        name = field.encode_name
        edited = copy.deepcopy(lines)
        edited[1][name] = _edited(edited[1].get(name), field.name)
        sent, problems, _ = _undo(reduced, edited)
        assert all(seats in unedited for seats in sent), (name, sent)
        if name in compared:  # the plan does not bear the line out: refused, named (exit 3)
            assert any("not bought back" in p for p in problems), (name, problems)
            # nothing sent, but for the change the journal's `sending` line still names (its outcome settled by
            # the re-read, as any change left sending is): the unedited buy-back, bound to the plan
            assert sent == ([6] if name == "n" else []), (name, sent)


def test_a_forged_quantity_read_buys_nothing(reduced: Any) -> None:
    lines = _journal(reduced[2])
    lines[0]["read"] = 1000
    sent, problems, _ = _undo(reduced, lines)
    assert sent == [] and "the journal records 1000 seats read before the write, the plan's change 6" in problems[0]


def test_a_plan_not_beside_the_journal_buys_nothing(reduced: Any) -> None:
    _, _, path, sha = reduced
    (path.parent / "plan.json").rename(path.parent.parent / f"{path.parent.name}-elsewhere.json")
    sent, problems, _ = _undo(reduced, _journal(path))
    assert sent == [] and f"the plan it came from (SHA-256 {sha[:16]}…) is not beside the journal" in problems[0]


def test_a_forged_kept_copy_buys_nothing(reduced: Any) -> None:
    """The plan copy kept under the journal's SHA-256, its bytes another plan's (1000 seats before): not the
    plan of that SHA-256, so not bound; the line edited to say the same buys nothing."""
    _, _, path, sha = reduced
    doc = json.loads((path.parent / "plan.json").read_text("utf-8"))
    (path.parent / "plan.json").unlink()
    doc["bill"]["commerce"][0] |= {"from": 1000, "seats": 996}
    kept_plan(path.parent, sha).write_text(json.dumps(doc), "utf-8")
    lines = _journal(path)
    for line in lines:
        line["from"] = 1000
    lines[0]["read"] = 1000
    sent, problems, _ = _undo(reduced, lines)
    assert sent == [] and "is not beside the journal" in problems[0]


def test_a_plan_and_line_past_the_tenants_seats_buy_only_up_to_them(reduced: Any) -> None:
    """A plan and a line that agree (the copy named by its own SHA-256) on 10 seats before: the tenant has 6
    assigned and 4 seats, and its policy allows no spare, so the buy-back goes to 6, never 10."""
    _, _, path, _ = reduced
    doc = json.loads((path.parent / "plan.json").read_text("utf-8"))
    doc["bill"]["commerce"][0] |= {"from": 10, "seats": 6}
    sha = bind(path.parent, [BODIES.change(msgspec.convert(doc["bill"]["commerce"][0], CommerceChange))])
    lines = _journal(path)
    for line in lines:
        line |= {"from": 10, "plan": sha}
    lines[0]["read"] = 10
    sent, problems, out = _undo(reduced, lines)
    assert sent == [6] and problems == []
    assert "C1: at most 6 seats: the plan's change took it from 10; the tenant has 4 seats of it, 6 assigned now" in out
    # assigned now no more than the seats it has: nothing to buy back, named (exit 3)
    sent, problems, _ = _undo(reduced, lines, seats_now(Microsoft_365_Copilot=(COPILOT, 4, 4)))
    assert sent == [] and "nothing to buy back above its 4 seats" in problems[0]
    # the tenant's seats not read: nothing bought
    sent, problems, _ = _undo(reduced, lines, TenantNow(unread="GET /subscribedSkus: 503"))
    assert sent == [] and "the tenant's seats could not be read" in problems[0]
