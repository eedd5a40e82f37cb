"""A tenants entry's `psa:` block (docs/msp.md, "What the customer is billed: the PSA"), checked as the
`distributor:` block is (auditor.delivery.matrix), each error naming the file, the line and the key:

    psa: {connectwise: {company_id: 250, products: {M365-E3: SPE_E3}}}
    psa: {autotask: {company_id: 29684712, products: {28: SPE_E3}}}

    psa: {halo: {company_id: 31, products: {MS-E3: SPE_E3}, team: Licensing}}

`company_id`: the customer in the MSP's PSA (ConnectWise Manage's company recId, Autotask's Companies
id, Halo's client id), a whole number; `products`: the PSA's product (ConnectWise's product.identifier of
the catalog, Autotask's Services id, Halo's item code) -> the SKU part number it bills. `board`
(ConnectWise), `queue` (Autotask) and `team` (Halo): where a ticket of a finding goes (`tickets`),
optional; `ticket`: an existing ticket of the customer's that its findings are added to as notes,
instead of a ticket each (optional). The block is kept as compact JSON (TenantJob.psa).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from auditor.common.errors import UsageError
from auditor.common.numbers import whole_number

_PART = re.compile(r"^[A-Za-z0-9_+.-]{1,80}\Z")  # a skuPartNumber
# ConnectWise's catalog identifier (free text in its catalog: letters, digits, a few marks, no line break)
_CW_PRODUCT = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ._:/+#&()-]{0,59}\Z")
_AT_SERVICE = re.compile(r"^[1-9][0-9]{0,11}\Z")  # an Autotask Services id
_BOARD = re.compile(r"^[^\x00-\x1f\x7f]{1,100}\Z")  # a service board's or queue's name
MAX_COMPANY = 2**31 - 1  # both PSAs' ids are 32-bit integers

# each PSA read: what its products map's keys are and their pattern, and its optional key naming where tickets go
PSAS: dict[str, tuple[str, re.Pattern[str], str]] = {
    "connectwise": ("ConnectWise product identifier", _CW_PRODUCT, "board"),
    "autotask": ("Autotask service id", _AT_SERVICE, "queue"),
    "halo": ("Halo item code", _CW_PRODUCT, "team"),  # vendor registration
}
NAMES = {"connectwise": "ConnectWise", "autotask": "Autotask", "halo": "Halo"}  # vendor registration


def _company(value: Any, field: str, name: str, what: str = "company id") -> int:
    if isinstance(value, str) and whole_number(value) is not None:
        value = whole_number(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COMPANY:
        raise UsageError(f"{field}: expected the customer's {NAMES[name]} {what} (a whole number)")
    return value


def _products(value: Any, field: str, name: str) -> dict[str, str]:
    what, pattern, _ = PSAS[name]
    products = value or {}
    if not isinstance(products, Mapping):
        raise UsageError(f"{field}: expected a mapping of {what}s to SKU part numbers")
    mapped: dict[str, str] = {}
    for product, part in products.items():
        key = str(product).strip() if isinstance(product, str | int) and not isinstance(product, bool) else ""
        if not pattern.match(key):
            raise UsageError(f"{field}: {str(product)[:60]!r} is not a {what}")
        if not isinstance(part, str) or not _PART.match(part.strip()):
            raise UsageError(f"{field}.{key}: expected a SKU part number such as SPE_E3")
        said = mapped.get(key.casefold())
        if said is not None and said != part.strip().upper():  # one product, two parts: not guessed
            raise UsageError(f"{field}: names {key!r} twice (in another case) as {said} and {part.strip()}")
        mapped[key.casefold()] = part.strip().upper()
    return mapped


def psa_block(value: Any, field: str) -> str:
    """`psa: {connectwise: {...}}` or `psa: {autotask: {...}}` as compact JSON ("" when absent);
    UsageError naming `field` (FILE:LINE: tenants[i].psa) and the key."""
    if value is None:
        return ""
    if not isinstance(value, Mapping) or len(value) != 1 or not set(value) <= set(PSAS):
        raise UsageError(
            f"{field}: expected {{connectwise: {{company_id: <id>, products: {{...}}}}}}, "
            "{autotask: {company_id: <id>, products: {...}}} or {halo: {company_id: <id>, products: {...}}}"
        )
    (name,) = value
    block, (what, _, where_to) = value[name], PSAS[name]
    here = f"{field}.{name}"
    if not isinstance(block, Mapping):
        raise UsageError(f"{here}: expected {{company_id: <id>, products: {{<{what}>: <SKU>}}}}")
    allowed = ("company_id", "products", where_to, "ticket")
    unknown = sorted(str(k) for k in set(block) - set(allowed))
    if unknown:  # the key alone: its value may be a key someone pasted
        raise UsageError(
            f"{here}: unknown key {unknown[0]!r} (allowed: {', '.join(allowed)}; no keys here: the "
            "PSA's credentials are environment variables, docs/msp.md)"
        )
    checked: dict[str, Any] = {
        "company_id": _company(block.get("company_id"), f"{here}.company_id", name),
        "products": _products(block.get("products"), f"{here}.products", name),
    }
    board = block.get(where_to)
    if board is not None:
        if not isinstance(board, str) or not _BOARD.match(board.strip()):
            raise UsageError(f"{here}.{where_to}: expected the name of a {where_to} (one line)")
        checked[where_to] = board.strip()
    if block.get("ticket") is not None:  # an existing ticket its findings are added to (CIPP#5630)
        checked["ticket"] = _company(block.get("ticket"), f"{here}.ticket", name, "ticket id")
    return json.dumps({name: checked}, sort_keys=True)


def company_key(psa: str) -> tuple[str, int] | None:
    """(the PSA, its company id) of a TenantJob's `psa` JSON, None when it names none."""
    if not psa:
        return None
    ((name, block),) = json.loads(psa).items()
    return name, int(block["company_id"])
