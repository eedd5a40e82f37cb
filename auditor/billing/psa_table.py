"""The three-way table (docs/msp.md, "The three-way table"): per customer and product, what the tenant
holds, what the distributor bills the MSP and what the MSP bills the customer in its PSA, and each
difference named for what it costs and whom.

    payload(psa, block, on, lines) / failed(psa, block, error)   what `audit --tenants` hands each tenant's
                                                                  audit: its PSA lines, read once before
    section(given, report, distributor, mailed=False)            report.json's `psa`

A PSA line is matched to a product by the tenants entry's `products` map (the PSA's product -> a SKU part
number); a line whose product the map does not name is that customer's gap (unmapped_product), and so is
a product two agreements bill (two_agreements): neither is compared, the rest is. The seats the PSA
bills the customer are its billable lines' quantity less what they include; the seats assigned in the
tenant are Microsoft's consumedUnits; the distributor's are its reconciliation's (report.json's
`distributor`). The differences, per product:

    msp_pays_unbilled       the distributor bills more seats than the PSA bills the customer: the MSP
                            pays for them (partnerCost) and bills nothing (unitPrice): its margin, monthly
    customer_billed_unheld  the PSA bills the customer more seats than are assigned: the customer's money
    billed_below_cost       the PSA's unitPrice is below what a seat costs the MSP (the distributor's
                            partnerCost, else the PSA's own unit cost): the MSP's loss on every seat
    billed_not_held         the PSA bills a product the tenant does not hold: the customer's money
    held_not_billed         the tenant holds seats of a product the MSP resells (the distributor bills it,
                            or the map names it) and no active agreement bills it: the MSP's
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from msgspec import UNSET

from auditor.billing.distributor_records import DistributorSection, ProductRow
from auditor.billing.distributor_seats import SeatTable
from auditor.billing.psa_records import (
    DIFFERENCES,
    BilledBelowCost,
    BilledNotHeld,
    CustomerBilledUnheld,
    HeldNotBilled,
    MspPaysUnbilled,
    PsaBlock,
    PsaFinding,
    PsaLine,
    PsaLineRecord,
    PsaPayload,
    PsaProductRow,
    PsaSection,
    TwoAgreements,
    UnmappedProduct,
)
from auditor.billing.vendor_figures import currencies_mixed, one, one_currency, products_with


def payload(psa: str, block: PsaBlock, on: str, lines: Iterable[PsaLine]) -> PsaPayload:
    """One tenant's reading in its PSA, as the run hands it to the tenant's audit."""
    return PsaPayload(psa=psa, block=block.copy(), on=on, lines=list(lines))


def failed(psa: str, block: PsaBlock, error: str) -> PsaPayload:
    return PsaPayload(psa=psa, block=block.copy(), error=error)


def _costs_apart(line: PsaLine) -> bool:
    """Whether the PSA records the line's cost in another currency than the customer is billed in."""
    return bool(line.cost_currency and line.currency and line.cost_currency != line.currency)


def _money(seats: int, each: float | None) -> float | None:
    return round(seats * each, 2) if each is not None else None


def _record(line: PsaLine) -> PsaLineRecord:
    return PsaLineRecord(
        agreement_id=line.agreement_id,
        agreement=line.agreement,
        id=line.id,
        product=line.product,
        quantity=line.quantity,
        less_included=line.less_included,
        billed=line.billed,
        unit_price=line.unit_price,
        unit_cost=line.unit_cost,
        billable=line.billable,
        effective=line.effective,
    )


class _Table:
    """One customer's table, built product by product."""

    def __init__(self, given: PsaPayload, report: SeatTable, distributor: DistributorSection | None, name: str) -> None:
        self.name = name
        block = given["block"]
        self.mapped = {k.casefold(): v.upper() for k, v in (block.get("products") or {}).items()}
        self.seats = {s.sku.upper(): s for s in report.skus if s.sku}
        self.dist: dict[str, ProductRow] = {}
        self.warnings: list[str] = []
        self.findings: list[PsaFinding] = []
        self.gapped: set[str] = set()  # products two agreements bill: not compared at all
        if distributor is not None and distributor.error:
            self.warnings.append(
                f"the distributor was not read ({distributor.error}): what it bills is left out of the table"
            )
        elif distributor is not None:
            self.dist = {p.sku.upper(): p for p in distributor.products or []}
        self.lines = self._settled(given.get("lines") or [])
        self.warnings += [x.doubt for x in self.lines if x.doubt]
        apart = sorted({f"{x.cost_currency} and bills in {x.currency}" for x in self.lines if _costs_apart(x)})
        if apart:
            self.warnings.append(
                f"{self.name} records its costs in {'; '.join(apart)}: its costs are not compared with the "
                "customer's prices (billed_below_cost is judged from the distributor's cost only)"
            )

    def _settled(self, lines: Iterable[PsaLine]) -> list[PsaLine]:
        """The lines, a currency symbol several currencies write (`currency_choices`) read as the
        distributor's one currency when it is among them; else that line's price and cost are not read
        (a named gap: its seats are still compared)."""
        theirs = {p.currency for p in self.dist.values() if p.currency}
        settled: list[PsaLine] = []
        for x in lines:
            if x.currency is not None or not x.currency_choices:
                settled.append(x)
            elif len(theirs) == 1 and next(iter(theirs)) in x.currency_choices:
                settled.append(replace(x, currency=next(iter(theirs))))
            else:
                said = (
                    f"{self.name}'s currency on line {x.id} may be {', '.join(x.currency_choices)} and no one "
                    "currency of the distributor's settles which: its price and cost are not read (name the "
                    "PSA's currency, docs/distributors.md)"
                )
                settled.append(replace(x, unit_price=None, unit_cost=None, doubt=said))
        return settled

    def by_product(self) -> dict[str, list[PsaLine]]:
        """The lines by the part number the map names; the rest (unmapped) and a product two agreements
        bill are gaps, left out."""
        parts: dict[str, list[PsaLine]] = {}
        unmapped: dict[str, list[PsaLine]] = {}
        for line in self.lines:
            part = self.mapped.get(line.product.casefold())
            (parts.setdefault(part, []) if part else unmapped.setdefault(line.product, [])).append(line)
        for product, lines in sorted(unmapped.items()):
            self.findings.append(
                UnmappedProduct(product=product, lines=[x.id for x in lines], psa_billed=sum(x.billed for x in lines))
            )
            self.warnings.append(
                f"{self.name} product {product!r} is named by no entry of psa.products: its lines are not "
                "compared; name the SKU it bills under the tenants entry's psa products"
            )
        for part, lines in sorted(parts.items()):
            agreements = sorted({x.agreement_id for x in lines if x.billed})
            if len(agreements) > 1:
                del parts[part]
                self.gapped.add(part)
                self.findings.append(
                    TwoAgreements(sku=part, agreements=agreements, psa_billed=sum(x.billed for x in lines))
                )
                self.warnings.append(
                    f"{part} is billed by {len(agreements)} agreements ({', '.join(agreements)}): which one is "
                    "meant is not guessed, and the product is not compared"
                )
        return parts

    def row(self, part: str, lines: Sequence[PsaLine]) -> PsaProductRow:
        seat, dist = self.seats.get(part), self.dist.get(part)
        billed = [x for x in lines if x.billed]
        return PsaProductRow(
            sku=part,
            name=(seat.name if seat is not None else None) or (dist.name if dist is not None else None) or part,
            psa_products=sorted({x.product for x in lines}),
            in_tenant=seat is not None and (seat.enabled > 0 or seat.consumed > 0),
            enabled=seat.enabled if seat is not None else 0,
            assigned=seat.consumed if seat is not None else 0,
            distributor_billed=dist.billed if dist is not None else None,
            partner_cost=dist.partner_cost if dist is not None else None,
            psa_quantity=sum(x.quantity for x in lines),
            psa_included=sum(x.less_included for x in lines),
            psa_billed=sum(x.billed for x in lines),
            unit_price=one([x.unit_price for x in billed]),
            unit_cost=one([None if _costs_apart(x) else x.unit_cost for x in billed]),
            billable=bool(billed),
            currency=one_currency(lines) or (dist.currency if dist is not None else None),
            agreements=sorted({x.agreement_id for x in lines}),
            lines=[_record(x) for x in lines],
        )

    def differences(self, row: PsaProductRow) -> list[PsaFinding]:
        """The product's differences, each named for what it costs and whom (the module's docstring)."""
        found: list[PsaFinding] = []
        part, dist, psa, assigned, price = row.sku, row.distributor_billed, row.psa_billed, row.assigned, row.unit_price
        cost, currency = row.partner_cost, row.currency
        if psa == 0 and assigned > 0 and (dist or part in self.mapped.values()):
            found.append(
                HeldNotBilled(
                    sku=part,
                    assigned=assigned,
                    distributor_billed=dist,
                    cost_monthly=_money(dist or 0, cost),
                    currency=currency,
                )
            )
        elif dist is not None and dist > psa:
            seats = dist - psa
            found.append(
                MspPaysUnbilled(
                    sku=part,
                    distributor_billed=dist,
                    psa_billed=psa,
                    seats=seats,
                    cost_monthly=_money(seats, cost),
                    price_monthly=_money(seats, price),
                    currency=currency,
                )
            )
        if psa > 0 and not row.in_tenant:
            found.append(
                BilledNotHeld(
                    sku=part,
                    psa_products=row.psa_products,
                    psa_billed=psa,
                    monthly=_money(psa, price),
                    currency=currency,
                )
            )
        elif psa > assigned:
            seats = psa - assigned
            found.append(
                CustomerBilledUnheld(
                    sku=part,
                    psa_billed=psa,
                    assigned=assigned,
                    seats=seats,
                    monthly=_money(seats, price),
                    currency=currency,
                )
            )
        below = self._below_cost(row)
        return found + ([below] if below is not None else [])

    def _below_cost(self, row: PsaProductRow) -> BilledBelowCost | None:
        """The PSA's price below a seat's cost: the distributor's partnerCost, else the PSA's own unit cost."""
        price, psa = row.unit_price, row.psa_billed
        cost, source = (row.partner_cost, "distributor") if row.partner_cost is not None else (row.unit_cost, "psa")
        if price is None or cost is None or psa == 0 or price >= cost:
            return None
        dist = self.dist.get(row.sku)
        psa_currency = {
            x.currency for x in self.lines if x.currency and self.mapped.get(x.product.casefold()) == row.sku
        }
        if source == "distributor" and dist is not None and dist.currency and psa_currency - {dist.currency}:
            self.warnings.append(f"{row.sku}: the PSA bills in another currency than the distributor's: not compared")
            return None
        return BilledBelowCost(
            sku=row.sku,
            unit_price=price,
            cost=cost,
            cost_source=source,
            seats=psa,
            loss_monthly=round(psa * (cost - price), 2),
            currency=row.currency,
        )

    def resold_unbilled(self, billed: Iterable[str]) -> list[str]:
        """The products the tenant holds that the MSP resells (the distributor bills them, or the map
        names them) and that no PSA line names."""
        resold = set(self.dist) | set(self.mapped.values())
        unbilled = resold - set(billed) - self.gapped
        return sorted(p for p in unbilled if p in self.seats and self.seats[p].consumed > 0)


def section(
    given: PsaPayload,
    report: SeatTable,
    distributor: DistributorSection | None,
    *,
    mailed: bool = False,
    name: str | None = None,
) -> PsaSection:
    """report.json's `psa`: the three-way table of the tenant, or the reading's error. `mailed`: the report
    is e-mailed to the tenant's recipients, so its rendered files show only the customer's own money.
    `name`: the PSA as its messages name it (the registry's; else its key)."""
    block = given["block"]
    head = PsaSection(
        schema=1, psa=given["psa"], company_id=block.get("company_id"), mailed_to_customer=True if mailed else UNSET
    )
    if given.get("error"):
        head.error = str(given["error"])
        return head
    table = _Table(given, report, distributor, name or given["psa"])
    parts = table.by_product()
    rows = [table.row(part, lines) for part, lines in parts.items()]
    rows += [table.row(part, []) for part in table.resold_unbilled(parts)]
    rows.sort(key=lambda r: r.sku)
    findings = [f for row in rows for f in table.differences(row)]
    head.on = str(given.get("on") or "")
    head.products, head.findings, head.warnings = rows, findings + table.findings, table.warnings
    return head


class _SkuSeat(Protocol):
    @property
    def sku(self) -> str: ...
    @property
    def sku_id(self) -> str: ...


def unit_prices(given: PsaPayload, seats: Iterable[_SkuSeat]) -> dict[str, float]:
    """A seat's price in the PSA by the tenant's skuId (lower case), for the license list's psa_monthly: the
    one unitPrice of each mapped product's billable lines; a product with two prices, or a PSA billing in
    more than one currency, or one not read, gives none."""
    lines = list(given.get("lines") or []) if not given.get("error") else []
    if currencies_mixed(lines):
        return {}
    mapped = {k.casefold(): v.upper() for k, v in (given["block"].get("products") or {}).items()}
    prices: dict[str, set[float]] = {}
    unpriced: set[str] = set()
    for line in lines:
        part = mapped.get(line.product.casefold())
        if part and line.billed:
            if line.unit_price is None:
                unpriced.add(part)
            else:
                prices.setdefault(part, set()).add(line.unit_price)
    ids = {s.sku.upper(): s.sku_id.lower() for s in seats if s.sku and s.sku_id}
    return {ids[p]: min(each) for p, each in prices.items() if p in ids and len(each) == 1 and p not in unpriced}


def differences(found: Sequence[PsaFinding]) -> int:
    """How many products the three-way table finds a difference in (gaps apart)."""
    return products_with(found, DIFFERENCES)
