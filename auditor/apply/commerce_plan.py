"""plan.json's commerce changes (`bill.commerce`) as `apply --commerce` reads them: decoded into
CommerceChange and held to the shape `plan` writes (auditor/plan/commerce.py), so a hand edit is
refused before anything is read or sent: the kind, the seats, the request's method and path, and
its body, which must be exactly the one plan writes for the change's kind and `to`."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from typing import Any

import msgspec
from msgspec import Struct

from auditor.billing.commerce_records import ProductTerm, next_term_product
from auditor.common import shapes
from auditor.common.errors import UsageError
from auditor.common.numbers import is_int
from auditor.formats.bill_model import CommerceChange, NextTerm, Quantity

from ..billing.arm import MCA, MPA
from ..plan.commerce import request_body, request_line
from ..vendors.registry import BODIES

KINDS = ("reduce", "schedule_reduction", "cancel")


def shape_error(c: CommerceChange) -> str | None:
    """What is wrong with a commerce change's shape (a hand-edited plan), else None: its kind, its
    seats (a reduction goes down: `to` below `from`, `seats` their difference; a cancel to 0), and
    its request, which must be the one its kind makes on its own scope and subscription id."""
    wrong = _request_error(c)
    return wrong if wrong is not None or c.to is None else _body_error(c, c.to)


def _request_error(c: CommerceChange) -> str | None:
    """shape_error's checks but the body's."""
    kind, frm, to, seats = c.kind, c.from_, c.to, c.seats
    if kind not in KINDS:
        return f"its kind {kind[:40]!r} is not one apply makes ({', '.join(KINDS)})"
    if not (is_int(frm) and is_int(to) and is_int(seats)):
        return "its from, to and seats must be whole numbers"
    if kind == "cancel" and to != 0:
        return f"a cancel ends at 0 seats, not {to}"
    if kind != "cancel" and not 0 < to < frm:
        return f"a reduction goes from {frm} down to fewer seats, not to {to}"
    if seats != frm - to:
        return f"its seats are {seats}, but {frm} to {to} is {frm - to}"
    if not (c.scope and c.api_id):
        return "it names no scope and subscription id"
    expected = request_line(c.source, kind, c.scope, c.api_id, c.agreement)
    method, path = c.request.method.upper(), c.request.path
    if expected is None:
        return f"no API makes a {kind} of a {c.source[:40]} subscription"
    if (method, path) != expected:
        return f"its request {method} {path[:200]} is not {expected[0]} {expected[1]}"
    return None


def _body_error(c: CommerceChange, to: int) -> str | None:
    """What is wrong with a change's body, else None: it must be exactly the body plan writes for its
    kind and `to` (another key, such as Partner Center's `status` or a billing subscription's
    `autoRenew`, would go out with the change: RequestBody refuses it as plan.json is read,
    _edited_body says so); a scheduled reduction's product must be a whole ProductTerm (apply sends
    the one it reads again)."""
    body = c.request.common
    next_term = body.scheduledNextTermInstructions if body is not None else None
    product = next_term.product if isinstance(next_term, NextTerm) else None
    if c.kind == "schedule_reduction" and not _product_term(product):
        return "its scheduledNextTermInstructions.product is not a product term (productId, skuId, ...)"
    expected = request_body(c.source, c.kind, to, product)
    if body != expected:
        given = msgspec.json.encode(body).decode()[:200]
        return f"its body {given} is not the one plan writes for it: {msgspec.json.encode(expected).decode()}"
    return None


def _product_term(product: ProductTerm | None) -> bool:
    """Whether `product` is a ProductTerm as plan writes it (commerce_records.next_term_product: none empty)."""
    if product is None:
        return False
    offer = f"{product.productId}:{product.skuId}:{product.availabilityId}"
    return next_term_product(offer, product.billingCycle, product.termDuration) == product


_BODY_AT = re.compile(r"^request\.body\b.* - at `\$\.bill\.commerce\[(\d+)\]`")


def _edited_body(plan: Mapping[str, object] | bytes, said: str) -> str | None:
    """What a plan.json refused for a key its change's body may not hold says: what is wrong with the
    change's request besides (its method or path, as for any other change), else the change and the
    body as the file gives it (a hand edit); None when another place is wrong."""
    place = _BODY_AT.search(said)
    if place is None:
        return None
    try:
        doc: Any = (
            json.loads(plan.removeprefix(codecs.BOM_UTF8)) if isinstance(plan, bytes) else plan
        )  # dug into: any wrong turn is None
        change = doc["bill"]["commerce"][int(place.group(1))]
        n, given = change["n"], json.dumps(change["request"]["body"], separators=(",", ":"), ensure_ascii=False)
        stripped = shapes.convert({**change, "request": {**change["request"], "body": None}}, CommerceChange)
    except (ValueError, LookupError, TypeError):
        return None
    wrong = _delete_error(stripped) or _request_error(stripped)
    if wrong is not None:
        return wrong if wrong.startswith("commerce change") else f"commerce change {n}: {wrong}"
    return f"commerce change {n}: its body {given[:200]} is not the one plan writes for it ({said})"


class _CommerceBill(Struct, frozen=True):
    """The part of plan.json's `bill` apply --commerce reads (the rest is not decoded)."""

    commerce: list[CommerceChange] | None = None


class _CommercePlan(Struct, frozen=True):
    bill: _CommerceBill | None = None


def commerce_of(plan: Mapping[str, object] | bytes, where: str = "plan.json") -> list[CommerceChange]:
    """The plan's commerce changes (none when the plan's bill has none), decoded from plan.json's
    bytes (or a document already parsed) into CommerceChange, each checked for its shape and its
    request against the change it makes. A wrong shape is a UsageError naming `where` and the
    place (`$.bill.commerce[0].seats`)."""
    try:
        if isinstance(plan, bytes):
            doc = shapes.decode(plan.removeprefix(codecs.BOM_UTF8), _CommercePlan)
        else:
            doc = shapes.convert(plan, _CommercePlan)
        changes = BODIES.changes(doc.bill.commerce if doc.bill is not None else None, "$.bill.commerce")
    except msgspec.ValidationError as exc:
        edited = _edited_body(plan, str(exc))
        if edited is not None:
            raise UsageError(f"{where}: {edited} (plan again)") from None
        raise UsageError(f"{where}: bill.commerce is not a list of commerce changes: {exc} (plan again)") from None
    except msgspec.DecodeError as exc:
        raise UsageError(f"{where}: not valid JSON: {exc}") from None
    for c in changes:
        deleted = _delete_error(c)
        if deleted is not None:
            raise UsageError(f"{where}: {deleted}")
        asked = _asked_seats(c)
        if c.kind in ("reduce", "schedule_reduction") and asked != c.to:
            raise UsageError(
                f"{where}: commerce change {c.n} asks for {asked} seats, but it reduces to {c.to} (plan again)"
            )
        wrong = shape_error(c)
        if wrong:
            raise UsageError(f"{where}: commerce change {c.n}: {wrong} (plan again)")
    return changes


def _delete_error(c: CommerceChange) -> str | None:
    method = c.request.method.upper()
    arm_cancel = c.kind == "cancel" and c.source == "billing-account"
    if method == "DELETE" and not (arm_cancel and (c.agreement or MCA) in (MCA, MPA)):
        return (
            f"commerce change {c.n} is a DELETE; the only one a plan sends is the cancel "
            "of a billing subscription of a Microsoft Customer or Partner Agreement account"
        )
    return None


def _asked_seats(change: CommerceChange) -> int | None:
    """The seat count a change's request asks for (None: its body names none)."""
    body = change.request.common
    if body is None:
        return None
    if change.kind == "schedule_reduction":
        next_term = body.scheduledNextTermInstructions
        return next_term.quantity if isinstance(next_term, NextTerm) else None
    if change.source == "billing-account":
        return body.properties.quantity if isinstance(body.properties, Quantity) else None
    return body.quantity if isinstance(body.quantity, int) else None
