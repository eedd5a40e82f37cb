"""The file selects, the source decides, as one step of the write engine (auditor.apply.write_engine): the
engine compares a kind's changes with the fresh compile's and refuses, itself, each one the fresh compile does
not hold equal in every field: journaled `refused`, named with the field that differs, counted for exit 3, and
never handed to the kind's `check`. A kind declares only where its changes are in the fresh compile, how it
shows one, and its re-read and request; the engine is the one caller of auditor.apply.agree."""

from __future__ import annotations

import ast
import asyncio
import copy
import io
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from auditor.apply import agree
from auditor.apply.fresh import FreshPlan
from auditor.apply.write_engine import BillJournal, Held, Ready, Sent, in_bill, read_lines, run_changes, selected
from auditor.formats.bill_model import Bill, CommerceChange, CommerceRequest, RequestBody
from auditor.vendors.registry import BODIES

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 1)


def _fresh(changes: list[dict[str, Any]]) -> FreshPlan:
    """A fresh compile whose bill holds `changes` (plan.json's shape) at the distributor."""
    return _fresh_of([BODIES.change(msgspec.convert(c, CommerceChange)) for c in changes])


def _change(n: int, api_id: str, to: int) -> dict[str, Any]:
    """A reduction at the distributor in plan.json's shape."""
    return {
        "n": n,
        "kind": "reduce",
        "source": "pax8",
        "scope": "company-1",
        "api_id": api_id,
        "subscription": f"ms-{api_id}",
        "sku": "SPE_E3",
        "sku_id": "05e9a617-0261-4cee-bb44-138d3ef5d965",
        "from": 10,
        "to": to,
        "seats": 10 - to,
        "window": "now",
        "not_before": None,
        "by": None,
        "monthly_saving": 36.0 * (10 - to),
        "saving_from": "2026-11-01",
        "request": {"method": "PUT", "path": f"/v1/subscriptions/{api_id}", "body": {"quantity": to}},
    }


class _Kind:
    """A write kind that records each change its `check` is given, and sends nothing."""

    flag = "distributor"
    plan: str | None = "ab" * 32
    where = in_bill("distributor")

    def __init__(self, out: io.StringIO) -> None:
        self.out = out
        self.checked: list[int] = []

    def show(self, change: CommerceChange) -> CommerceChange:
        print(f"  D{change.n}. reduce {change.sku}", file=self.out)
        return change

    def said(self, change: CommerceChange) -> str:
        return f"D{change.n}"

    async def check(self, change: CommerceChange, execute: bool) -> Held | Ready:
        self.checked.append(change.n)
        return Ready(change, lambda: Sent("done"))

    def not_sent(self, change: CommerceChange) -> str:
        return "not sent"

    def lost(self, change: CommerceChange, sent: Sent) -> str:
        return "lost"


def test_the_engine_refuses_what_the_fresh_compile_does_not_hold_before_the_kind_checks_it(tmp_path: Path) -> None:
    planned = [_change(1, "sub-a", 7), _change(2, "sub-b", 4)]
    fresh = copy.deepcopy(planned)
    fresh[1] |= {"to": 6, "seats": 4, "monthly_saving": 144.0}  # the tool would take 4 seats off, the file 6
    fresh[1]["request"]["body"] = {"quantity": 6}
    changes = [BODIES.change(msgspec.convert(c, CommerceChange)) for c in planned]
    selection = selected(_Kind.where, changes, _fresh(fresh), TODAY)
    assert list(selection.refused) == [2] and selection.refused[2].field == "to"

    out, refusals = io.StringIO(), list[str]()
    kind = _Kind(out)
    journal = BillJournal(tmp_path / "journal.jsonl")
    try:
        counted = asyncio.run(
            run_changes(
                selection.changes,
                kind,
                execute=True,
                journal=journal,
                out=out,
                refused=selection.refused,
                refusals=refusals,
            )
        )
    finally:
        journal.close()
    assert kind.checked == [1]  # the refused change never reaches the kind's check
    assert counted == 1  # exit 3
    assert "  D2. reduce SPE_E3\n      -> REFUSED: (to) its `to` is not the one the tool would write now" in (
        out.getvalue()
    )
    assert refusals and refusals[0].startswith("D2: refused, nothing sent: (to) ")
    problems: list[str] = []
    lines = [(line.n, line.outcome, line.note[:18]) for line in read_lines(tmp_path / "journal.jsonl", problems)]
    assert not problems
    assert lines == [(1, "sending", ""), (1, "done", ""), (2, "refused", "not sent: (to) its")]


def test_a_change_the_fresh_compile_holds_is_sent_as_the_fresh_compile_has_it() -> None:
    """The file chooses a later day for its change; what is sent is the fresh compile's change on that day."""
    planned = [_change(1, "sub-a", 7) | {"saving_from": "2026-12-01"}]
    changes = [BODIES.change(msgspec.convert(c, CommerceChange)) for c in planned]
    selection = selected(in_bill("distributor"), changes, _fresh([_change(1, "sub-a", 7)]), TODAY)
    assert not selection.refused
    assert selection.changes[0].saving_from == "2026-12-01"


def _callers(name: str) -> set[str]:
    """The modules of the product (auditor/) that import `name` from auditor.apply.agree or call `name`."""
    found: set[str] = set()
    for path in sorted((ROOT / "auditor").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            imported = (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").endswith("agree")
                and any(alias.name == name for alias in node.names)
            )
            called = isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Name) and node.func.id == name)
                or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
            )
            if imported or called:
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_the_engine_is_the_one_caller_of_agree() -> None:
    assert _callers("agreement") == {"auditor/apply/write_engine.py"}
    # and the one reader of the fresh compile's changes: a kind says where they are (write_engine.InFresh)
    assert _callers("bill_changes") == {"auditor/apply/write_engine.py"}


class _BodyWithAMinimum(RequestBody, frozen=True, kw_only=True):
    """A request body that names a quantity which is not the change's: the fewest seats the subscription takes."""

    minimumQuantity: int


def test_a_field_named_for_a_quantity_that_is_not_the_changes_stays_as_the_fresh_compile_has_it() -> None:
    """A file may take fewer seats off than the fresh compile (10 -> 7, where it takes 10 -> 6): the fresh change
    made smaller carries the file's quantity in its request, and nothing else changes. A body's
    `minimumQuantity` of 6, equal to the fresh compile's quantity, is no quantity of the change: a rule by key
    name ("quantity" in it) set it to 7 too, and refused the file's change for keeping it."""

    def reduce(to: int, minimum: int) -> dict[str, Any]:
        change = _change(1, "sub-a", to)
        return change | {"request": change["request"] | {"body": {"quantity": to, "minimumQuantity": minimum}}}

    def typed(change: dict[str, Any]) -> CommerceChange:
        body = msgspec.convert(change["request"]["body"], _BodyWithAMinimum)
        plain = change | {"request": change["request"] | {"body": None}}
        return msgspec.structs.replace(msgspec.convert(plain, CommerceChange), request=_put("sub-a", body))

    fresh, mine = typed(reduce(6, 6)), typed(reduce(7, 6))
    assert (mine.to, mine.seats, mine.monthly_saving) == (7, 3, 108.0)
    found = selected(in_bill("distributor"), [mine], _fresh_of([fresh]), TODAY)
    assert not found.refused and found.changes == [mine]
    # the minimum edited is refused, named by the request
    found = selected(in_bill("distributor"), [typed(reduce(7, 7))], _fresh_of([fresh]), TODAY)
    assert found.refused[1].field == "request"
    # more seats off than the fresh compile takes (10 -> 5), or none: refused by `to`
    for to in (5, 10):
        found = selected(in_bill("distributor"), [typed(reduce(to, 6))], _fresh_of([fresh]), TODAY)
        assert found.refused[1].field == "to", to
    assert fresh.smaller(7) == mine and fresh.smaller(5) is None and fresh.smaller(10) is None


def _put(api_id: str, body: RequestBody) -> CommerceRequest:
    return CommerceRequest(method="PUT", path=f"/v1/subscriptions/{api_id}", body=body)


def _fresh_of(changes: list[CommerceChange]) -> FreshPlan:
    bill = Bill(products=[], actions=[], monthly_saving_now=0, monthly_saving_within_year=0, as_of="2026-11-01")
    return FreshPlan(bill=msgspec.structs.replace(bill, distributor=changes))


def test_a_records_fields_are_worked_out_once_a_type_not_for_each_change(monkeypatch: Any) -> None:
    """msgspec.structs.fields evaluates the record type's annotations at each call: asked again for each field
    of each change compared, it was most of apply's time between its fresh compile and its first write (at
    1,000 changes, 54 s). The agreement asks once for each record type."""
    agree._fields_of.cache_clear()
    agree._attributes.cache_clear()
    asked: list[object] = []
    real = msgspec.structs.fields

    def counted(kind: Any) -> Any:
        asked.append(kind)
        return real(kind)

    monkeypatch.setattr(msgspec.structs, "fields", counted)
    changes = [BODIES.change(msgspec.convert(_change(n, f"sub-{n}", 5), CommerceChange)) for n in range(1, 41)]
    found = agree.agreement(changes, list(changes))
    assert found.refused == {} and set(found.matched) == set(range(1, 41))
    assert asked == [CommerceChange]
