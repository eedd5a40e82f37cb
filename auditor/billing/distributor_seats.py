"""The distributor's seats beside the tenant's, inside the tenant's own audit (docs/msp.md, "The
distributor's seats"; docs/bill.md, "The distributor's dates").

    payload(block, subscriptions) / failed(block, error)   what `audit --tenants` hands each tenant's
                                                            audit: its Pax8 subscriptions, read once
                                                            before the tenants are audited
    reconcile(block, rows, subscriptions)                   per product, what Pax8 bills beside what the
                                                            tenant has (report.json's `skus`)
    section(given, report)                                  report.json's `distributor`: the
                                                            reconciliation the report, the digest and
                                                            distributor.json show alike
    with_terms(billing, subscriptions, given)               the bill's rows with the distributor's
                                                            commitment term end where no API gave one

Each Pax8 subscription is matched to a tenant product by the entry's `products` map (Pax8 product id
-> SKU part number); a product the map does not name is matched by its name when Pax8's productName
is the name of exactly one of the tenant's products (Microsoft's product table, or the policy's
catalog name), with a warning that names the guess; else it is left out, with a warning. The seats
Pax8 bills are the quantities of its subscriptions in a billed status (Active, Activated,
PendingCancel). Findings, one or more per product:

    billed_more     Pax8 bills more seats than Microsoft has enabled in the tenant (prepaidUnits.enabled)
    billed_fewer    Pax8 bills fewer seats than are enabled (bought elsewhere, or not yet billed)
    billed_unused   seats Pax8 bills that nobody in the tenant holds (billed - consumedUnits), with
                    their money at Pax8's price
    term_end        the earliest end of a billed subscription's commitment term (or its endDate):
                    the date a reduction can take effect at the distributor

The bill: a subscription of a product the distributor bills, whose renewal neither the billing
account nor Partner Center (nor the billing file) gives, takes the product's `term_end` as its
renewal, through a partner (csp), each such fact's source `distributor`.

The report is read by attribute: `report` is the typed report.json (auditor.formats.report_model's
ReportDocument), its seat rows SeatRow. This package stands below `formats` (the layers,
pyproject.toml), so it names them by the Protocols SeatTable and Seat, the names it reads of
them; mypy checks the document a caller passes against them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from auditor.billing.file import BillingFile, BillingRow, Channel
from auditor.data.model import Subscription
from auditor.reference import product_names

if TYPE_CHECKING:  # the Pax8 client (httpx) loads only for a run that reads Pax8
    from auditor.billing.pax8 import Pax8Subscription  # the Pax8 client (httpx) loads for a run that reads Pax8

BILLED = ("Active", "Activated", "PendingCancel")  # statuses Pax8 bills
SOURCE = "distributor"  # the bill's fact source for a date the distributor gave


class Seat(Protocol):
    """A row of the tenant's seat table, as the reconciliation reads it (report.json's `skus`:
    auditor.formats.report_model.SeatRow)."""

    @property
    def sku(self) -> str: ...
    @property
    def sku_id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def enabled(self) -> int: ...
    @property
    def consumed(self) -> int: ...


class SeatTable(Protocol):
    """What the reconciliation reads of a report: its seat table (auditor.formats.report_model.ReportDocument)."""

    @property
    def skus(self) -> Sequence[Seat]: ...


@dataclasses.dataclass(frozen=True)
class _Product:
    """A product of the tenant's subscriptions, as a Seat: its part number and id, no counts."""

    sku: str
    sku_id: str
    name: str | None = None
    enabled: int = 0
    consumed: int = 0


def payload(block: Mapping[str, Any], subscriptions: Sequence[Pax8Subscription]) -> dict[str, Any]:
    """One tenant's Pax8 reading, as the run hands it to the tenant's audit (plain JSON values)."""
    return {"block": dict(block), "subscriptions": [dataclasses.asdict(s) for s in subscriptions]}


def failed(block: Mapping[str, Any], error: str) -> dict[str, Any]:
    """One tenant's Pax8 reading that failed: its one line."""
    return {"block": dict(block), "error": error}


def _subscriptions(given: Mapping[str, Any]) -> list[Pax8Subscription]:
    from auditor.billing.pax8 import Pax8Subscription  # the Pax8 client (httpx) loads for a run that reads Pax8

    return [Pax8Subscription(**s) for s in given.get("subscriptions") or []]


def billed_otherwise(findings: Sequence[Any]) -> int:
    """How many products the distributor bills otherwise than Microsoft counts them (billed more, fewer
    or unused; a term end is no difference): the figure the run's stderr line and tenants.json give."""
    return len({str(f.get("sku")) for f in findings if isinstance(f, Mapping) and f.get("kind") != "term_end"})


def section(given: Mapping[str, Any], report: SeatTable) -> dict[str, Any]:
    """report.json's `distributor` (and distributor.json): the reconciliation of the tenant's Pax8
    subscriptions with its products, or the reading's error."""
    block = given.get("block") or {}
    head = {"schema": 1, "distributor": "pax8", "company_id": block.get("company_id")}
    if given.get("error"):
        return {**head, "error": str(given["error"])}
    return {**head, **reconcile(block, report.skus, _subscriptions(given))}


def terms(given: Mapping[str, Any] | None, subscriptions: Sequence[Subscription]) -> dict[str, date]:
    """The distributor's commitment term end per product (SKU part number) of the tenant."""
    if not given or given.get("error"):
        return {}
    skus = [_Product(s.sku_part_number, s.sku_id) for s in subscriptions if s.sku_part_number]
    found = reconcile(given.get("block") or {}, skus, _subscriptions(given))
    return {p["sku"]: date.fromisoformat(p["term_end"]) for p in found["products"] if p["term_end"]}


def with_terms(
    billing: BillingFile | None, subscriptions: Sequence[Subscription], given: Mapping[str, Any] | None
) -> BillingFile | None:
    """The bill's rows, with the distributor's term end as the renewal of each subscription of a
    product it bills whose row gives none (no row: a row through a partner, both facts the
    distributor's). A renewal an API or the billing file gives is kept."""
    ends = terms(given, subscriptions)
    if not ends:
        return billing
    rows = list(billing.rows) if billing is not None else []
    changed = False
    for sub in subscriptions:
        end = ends.get(sub.sku_part_number.upper())
        if end is None:
            continue
        row = billing.row_for(sub) if billing is not None else None
        if row is None:
            rows.append(
                BillingRow(
                    sub.commerce_subscription_id or sub.id,
                    Channel.CSP,
                    0,
                    term_end=end,
                    sources=(("channel", SOURCE), ("renewal", SOURCE)),
                )
            )
        elif row.term_end is None:
            rows[rows.index(row)] = replace(row, term_end=end, sources=(*row.sources, ("renewal", SOURCE)))
        else:
            continue
        changed = True
    if not changed:
        return billing
    path = f"{billing.path}+{SOURCE}" if billing is not None else SOURCE
    return BillingFile(
        path, tuple(rows), billing.left_out if billing else 0, billing.first_left_out if billing else None
    )


def _names(skus: Sequence[Seat]) -> dict[str, list[str]]:
    """Each name a tenant product is known by (casefolded) -> the part numbers it names."""
    table = product_names()
    names: dict[str, list[str]] = {}
    for sku in skus:
        part = sku.sku
        for name in {sku.name, table.product(sku_id=sku.sku_id, part=part)}:
            if isinstance(name, str) and name:
                names.setdefault(name.casefold(), []).append(part)
    return names


def reconcile(
    block: Mapping[str, Any], rows: Sequence[Seat], subscriptions: Sequence[Pax8Subscription]
) -> dict[str, Any]:
    """The reconciliation of one tenant: per product, what Pax8 bills beside what the tenant has
    (`rows`: its seat table, report.json's `skus`)."""
    skus = [s for s in rows if s.sku]
    by_part = {s.sku.upper(): s for s in skus}
    mapped = {k.lower(): v.upper() for k, v in (block.get("products") or {}).items()}
    names = _names(skus)
    warnings: list[str] = []
    billed: dict[str, list[Pax8Subscription]] = {}
    guessed: dict[str, str] = {}
    for sub in subscriptions:
        part = mapped.get(sub.product_id.lower())
        if part is None:
            candidates = sorted(set(names.get(sub.product_name.casefold(), [])))
            if len(candidates) != 1:
                warnings.append(
                    f"Pax8 product {sub.product_name!r} ({sub.product_id}) matches no product of the tenant: "
                    "left out; name it under distributor.pax8.products"
                )
                continue
            part = candidates[0].upper()
            if sub.product_id not in guessed:
                guessed[sub.product_id] = part
                warnings.append(
                    f"Pax8 product {sub.product_name!r} ({sub.product_id}) was matched to {part} by its name: "
                    f"add `{sub.product_id}: {part}` under distributor.pax8.products to confirm it"
                )
        if sub.status in BILLED:
            billed.setdefault(part, []).append(sub)
    products, findings = [], []
    for part in sorted(billed):
        subs = billed[part]
        sku = by_part.get(part)
        seats = sum(s.quantity for s in subs)
        enabled, consumed = (sku.enabled, sku.consumed) if sku is not None else (0, 0)
        prices = [s.price for s in subs if s.price is not None]
        price = prices[0] if prices and len(set(prices)) == 1 else None
        currency = next((s.currency for s in subs if s.currency), None)
        ends = sorted(e for s in subs if (e := s.commitment_end or s.end))
        row = {
            "sku": part,
            "name": (sku.name if sku is not None else None) or part,
            "pax8_products": sorted({s.product_id for s in subs}),
            "matched_by": "name" if any(s.product_id in guessed for s in subs) else "map",
            "billed": seats,
            "enabled": enabled,
            "consumed": consumed,
            "price": price,
            "currency": currency,
            "billing_terms": sorted({s.billing_term for s in subs if s.billing_term}),
            "term_end": ends[0][:10] if ends else None,
            "in_tenant": part in by_part,
        }
        products.append(row)
        if seats > enabled:
            findings.append(
                {"kind": "billed_more", "sku": part, "billed": seats, "enabled": enabled, "seats": seats - enabled}
            )
        elif seats < enabled:
            findings.append(
                {"kind": "billed_fewer", "sku": part, "billed": seats, "enabled": enabled, "seats": enabled - seats}
            )
        if seats > consumed:
            unused = seats - consumed
            findings.append(
                {
                    "kind": "billed_unused",
                    "sku": part,
                    "seats": unused,
                    "monthly": round(unused * price, 2) if price is not None else None,
                    "currency": currency,
                }
            )
        if ends:
            findings.append({"kind": "term_end", "sku": part, "date": ends[0][:10]})
    return {"schema": 1, "distributor": "pax8", "products": products, "findings": findings, "warnings": warnings}
