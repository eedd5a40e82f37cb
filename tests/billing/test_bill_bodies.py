"""The request bodies of a bill's changes are typed by the Bodies their reader passes (auditor.formats.bill_model),
never by a table the vendors' registry fills as it is imported: a reader without the registry reads Microsoft's
commerce, and the registry's BODIES read each distributor's own body."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from auditor.formats.bill_model import Bill, Bodies, CommerceChange, RequestBody
from auditor.vendors.registry import BODIES, DISTRIBUTORS

ROOT = Path(__file__).resolve().parents[2]


def _change(source: str, body: dict[str, object]) -> dict[str, object]:
    return {
        "n": 1, "kind": "reduce", "source": source, "scope": "s", "api_id": "a", "subscription": None, "sku": "X",
        "sku_id": None, "from": 3, "to": 1, "seats": 2, "window": "any_time", "not_before": None, "by": None,
        "monthly_saving": 0.0, "saving_from": None, "request": {"method": "PATCH", "path": "/p", "body": body},
    }  # fmt: skip


def test_microsofts_commerce_is_read_without_the_registry() -> None:
    """report.json's reader (formats) reads a bill's commerce changes with Bodies(): no vendor imported first."""
    code = (
        "import sys, msgspec\n"
        "from auditor.formats.bill_model import Bill, Bodies, RequestBody\n"
        f"change = {_change('partner-center', {'quantity': 1})!r}\n"
        "doc = {'products': [], 'actions': [], 'monthly_saving_now': 0, 'monthly_saving_within_year': 0,\n"
        "       'as_of': '2026-11-01', 'commerce': [change]}\n"
        "bill = Bodies().bill(msgspec.convert(doc, Bill))\n"
        "assert bill.commerce[0].request.body == RequestBody(quantity=1), bill.commerce\n"
        "assert 'auditor.vendors.registry' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_distributors_body_is_its_own_by_the_bodies_passed() -> None:
    decoded = msgspec.convert(_change("pax8", {"quantity": 1}), CommerceChange)
    own = BODIES.change(decoded)
    assert type(own.request.body) is DISTRIBUTORS["pax8"].body
    # read without the distributors' bodies it is Microsoft's shape, which its own change never equals
    assert type(Bodies().change(decoded).request.body) is RequestBody
    assert Bodies().change(decoded) != own


def test_a_field_its_distributor_does_not_take_is_named_at_its_place() -> None:
    doc = {"products": [], "actions": [], "monthly_saving_now": 0, "monthly_saving_within_year": 0, "as_of": "x"}
    doc |= {"distributor": [_change("pax8", {"quantity": 1}), _change("pax8", {"quantity": 1, "status": "x"})]}
    with pytest.raises(msgspec.ValidationError) as refused:
        BODIES.bill(msgspec.convert(doc, Bill), "$.bill")
    assert str(refused.value) == "request.body: Object contains unknown field `status` - at `$.bill.distributor[1]`"
