"""Bills for the tests: an action or a whole bill from the few fields a test names, the rest filled in
(auditor.formats.bill_model), as the JSON report.json and plan.json hold."""

from __future__ import annotations

from typing import Any

import msgspec

from auditor.formats.bill_model import Bill, BillAction
from auditor.plan import bill
from auditor.vendors.registry import BODIES

ACTION: dict[str, Any] = {
    "subscription": "sub-1",
    "sku": "SPE_E3",
    "action": "none",
    "seats": 0,
    "from": None,
    "to": None,
    "not_before": None,
    "by": None,
    "window": "any_time",  # a window other than unknown, as an action that names none was read
    "owner": "self",
    "monthly_saving": 0.0,
    "saving_from": None,
    "confidence": "unknown",
    "reason": "",
    "sources": {},
}


def action_json(**fields: Any) -> dict[str, Any]:
    """An action's JSON: `fields` over ACTION (pass `from_` for `from`)."""
    if "from_" in fields:
        fields["from"] = fields.pop("from_")
    return ACTION | fields


def action(**fields: Any) -> BillAction:
    return msgspec.convert(action_json(**fields), BillAction)


def bill_json(actions: Any = (), *, as_of: str = "2026-11-24", **more: Any) -> dict[str, Any]:
    """A bill's JSON with these actions (each an action's JSON, or a partial one filled in by action_json)."""
    out: dict[str, Any] = {
        "products": [],
        "actions": [action_json(**a) for a in actions],
        "monthly_saving_now": 0.0,
        "monthly_saving_within_year": 0.0,
        "as_of": as_of,
    }
    return out | more


def of(value: Any) -> Bill:
    """A bill's JSON (or a partial one) as the Bill its readers take."""
    return BODIES.bill(msgspec.convert(value, Bill))


def built(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """auditor.plan.bill.build_bill's bill as its JSON."""
    out: dict[str, Any] = msgspec.to_builtins(bill.build_bill(*args, **kwargs))
    return out
