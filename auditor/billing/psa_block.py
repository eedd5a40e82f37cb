"""A tenants entry's `psa:` block (docs/msp.md, "What the customer is billed: the PSA"), checked as the
`distributor:` block is (auditor.delivery.matrix), each error naming the file, the line and the key:

    psa: {<name>: {company_id: 250, products: {M365-E3: SPE_E3}, <where_key>: Licensing, ticket: 5120}}

`<name>`: one of the PSAs of auditor.vendors.registry, whose own terms the caller passes (`psas`: each
PSA's name, what its products are and their shape, the key naming where its tickets go). `company_id`:
the customer in the MSP's PSA, a whole number; `products`: the PSA's product -> the SKU part number it
bills; `<where_key>` (board, queue, team): where a ticket of a finding goes (`tickets`), optional;
`ticket`: an existing ticket of the customer's that its findings are added to as notes, instead of a
ticket each (optional). The block is kept as compact JSON (TenantJob.psa).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Protocol

from auditor.common.errors import UsageError
from auditor.common.numbers import whole_number

_PART = re.compile(r"^[A-Za-z0-9_+.-]{1,80}\Z")  # a skuPartNumber
# the shapes of a PSA's product key, each PSA naming its own (its `product_pattern`): a catalog code (free text:
# letters, digits, a few marks, no line break), or a record's whole-number id
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ._:/+#&()-]{0,59}\Z")
NUMBER_ID = re.compile(r"^[1-9][0-9]{0,11}\Z")
_BOARD = re.compile(r"^[^\x00-\x1f\x7f]{1,100}\Z")  # a service board's or queue's name
MAX_COMPANY = 2**31 - 1  # the PSAs' ids are 32-bit integers


class PsaShape(Protocol):
    """What the block's checks know of a PSA (auditor.vendors.protocols.PSA, as the registry names it)."""

    @property
    def name(self) -> str: ...  # as a message names it
    @property
    def product(self) -> str: ...  # what its products map's keys are (a message names them)
    @property
    def product_pattern(self) -> re.Pattern[str]: ...  # their shape (CODE, NUMBER_ID)
    @property
    def where_key(self) -> str: ...  # the block's optional key naming where its tickets go (board, queue, team)


def _company(value: object, field: str, psa: PsaShape, what: str = "company id") -> int:
    if isinstance(value, str) and whole_number(value) is not None:
        value = whole_number(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COMPANY:
        raise UsageError(f"{field}: expected the customer's {psa.name} {what} (a whole number)")
    return value


def _products(value: object, field: str, psa: PsaShape) -> dict[str, str]:
    what, pattern = psa.product, psa.product_pattern
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


def psa_block(value: object, field: str, psas: Mapping[str, PsaShape]) -> str:
    """`psa: {<name>: {...}}` of one of `psas` (the registry's PSAs, by name) as compact JSON ("" when
    absent); UsageError naming `field` (FILE:LINE: tenants[i].psa) and the key."""
    if value is None:
        return ""
    if not isinstance(value, Mapping) or len(value) != 1 or not set(value) <= set(psas):
        shapes = [f"{{{name}: {{company_id: <id>, products: {{...}}}}}}" for name in psas]
        said = f"{', '.join(shapes[:-1])} or {shapes[-1]}" if len(shapes) > 1 else shapes[0]
        raise UsageError(f"{field}: expected {said}")
    (name,) = value
    psa = psas[name]
    block, what, where_to = value[name], psa.product, psa.where_key
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
        "company_id": _company(block.get("company_id"), f"{here}.company_id", psa),
        "products": _products(block.get("products"), f"{here}.products", psa),
    }
    board = block.get(where_to)
    if board is not None:
        if not isinstance(board, str) or not _BOARD.match(board.strip()):
            raise UsageError(f"{here}.{where_to}: expected the name of a {where_to} (one line)")
        checked[where_to] = board.strip()
    if block.get("ticket") is not None:  # an existing ticket its findings are added to (CIPP#5630)
        checked["ticket"] = _company(block.get("ticket"), f"{here}.ticket", psa, "ticket id")
    return json.dumps({name: checked}, sort_keys=True)


def company_key(psa: str) -> tuple[str, int] | None:
    """(the PSA, its company id) of a TenantJob's `psa` JSON, None when it names none."""
    if not psa:
        return None
    ((name, block),) = json.loads(psa).items()
    return name, int(block["company_id"])
