"""The distributor's seats beside the tenant's, inside the tenant's own audit (docs/msp.md, "The
distributor's seats"; docs/bill.md, "The distributor's dates").

    payload(seller, block, subscriptions)                   what `audit --tenants` hands each tenant's
    failed(seller, block, error)                            audit: its subscriptions at its distributor
                                                            (`seller`), read once before the tenants
    reconcile(block, rows, subscriptions, tenant, seller)   per product, what the distributor bills
                                                            beside what the tenant has (`skus`)
    section(given, report)                                  report.json's `distributor`: the
                                                            reconciliation the report, the digest and
                                                            distributor.json show alike
    with_terms(billing, subscriptions, given)               the bill's rows with the distributor's
                                                            commitment term end where no API gave one
    seats_left(enabled, billed, drop)                       the tenant's seats once the distributor bills
    reduction_short(enabled, billed, drop, assigned)        `drop` fewer: the one count `plan` (on the
                                                            report) and `apply --distributor` (on its
                                                            re-read) ask of a reduction

Each subscription at the distributor is matched to a tenant product by the Microsoft subscription or
SKU it names, else by the entry's `products` map (the distributor's product -> SKU part number); a
product the map does not name is matched by its name when the distributor's product name is the name
of exactly one of the tenant's products (Microsoft's product table, or the policy's catalog name),
with a warning that names the guess; else it is left out, with a warning. The seats the distributor
bills are the quantities of its subscriptions billed on the reading's day (billed_on): Pax8's by their
dates, whatever their status (BY_DATES: "Subscription status currently has no impact on billing."),
Sherweb's by status (BILLED). Findings, one or more per product:

    billed_more     the distributor bills more seats than Microsoft has enabled in the tenant
                    (prepaidUnits.enabled)
    billed_fewer    it bills fewer seats than are enabled (bought elsewhere, or not yet billed)
    billed_unused   seats it bills that nobody in the tenant holds (billed - consumedUnits), with
                    their money at its price
    term_end        the earliest end of a billed subscription's commitment term (or its endDate):
                    the date a reduction can take effect at the distributor
    ambiguous       two or more billed subscriptions that name no Microsoft subscription, or that
                    name one and the same (auditor.billing.distributor_join): which is which is not
                    guessed, and nothing is planned on those that name one

The bill: a subscription of a product the distributor bills, whose renewal neither the billing
account nor Partner Center (nor the billing file) gives, takes the day after the product's `term_end`
(the term's last day) as its renewal, through a partner (csp), each such fact's source `distributor`.

The report is read by attribute: `report` is the typed report.json (auditor.formats.report_model's
ReportDocument), its seat rows SeatRow. This package stands below `formats` (the layers,
pyproject.toml), so it names them by the Protocols SeatTable and Seat, the names it reads of
them; mypy checks the document a caller passes against them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Protocol

import msgspec
from msgspec import UNSET, UnsetType

from auditor.billing.distributor_join import Joins, TenantSubscription, guid, named_twice
from auditor.billing.distributor_products import split as products_split
from auditor.billing.distributor_records import (
    AmbiguousFinding,
    BilledFewer,
    BilledMore,
    Block,
    DistributorSection,
    DistributorSubscription,
    Finding,
    Payload,
    ProductRow,
    Seller,
    SubscriptionLine,
    TermEndFinding,
    Total,
    UnusedFinding,
    customer_of,
    products_of,
    section_type,
)
from auditor.billing.file import BillingFile, BillingRow, Channel
from auditor.billing.vendor_figures import currencies_mixed, one, one_currency, products_with
from auditor.common.timestamps import now_or_pinned
from auditor.data.model import Subscription
from auditor.reference import product_names

BILLED = ("Active", "Activated", "PendingCancel")  # the billed statuses a distributor's client reads its records into
# the distributors that bill a subscription by its dates, not its status: Pax8 ("Subscription status currently
# has no impact on billing. We bill subscriptions based on the subscription's start and end dates.", Pax8's
# "Subscription Management" guide, devx.pax8.com/docs/subscription-management; docs/distributors.md, "Pax8")
BY_DATES = ("pax8",)
SOURCE = "distributor"  # the bill's fact source for a date the distributor gave
DIFFERENCES = ("billed_more", "billed_fewer", "billed_unused")  # the findings of seats billed otherwise


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


class Listed(Protocol):
    """One of the tenant's subscriptions as report.json lists them (auditor.formats.report_parts.ReportSubscription)."""

    @property
    def id(self) -> str: ...
    @property
    def sku_id(self) -> str: ...
    @property
    def sku_part_number(self) -> str | None: ...
    @property
    def commerce_subscription_id(self) -> str | UnsetType | None: ...


class SeatTable(Protocol):
    """What the reconciliation reads of a report: its seat table and subscriptions
    (auditor.formats.report_model.ReportDocument)."""

    @property
    def skus(self) -> Sequence[Seat]: ...
    @property
    def subscriptions(self) -> Sequence[Listed] | UnsetType: ...  # the tenant's subscriptions (unset: none listed)


def _tenant(report: SeatTable) -> list[TenantSubscription]:
    """The tenant's subscriptions of report.json (`subscriptions`, in Graph's shape)."""
    listed = report.subscriptions or []
    return [
        TenantSubscription(s.id, s.commerce_subscription_id or None, s.sku_part_number.upper(), s.sku_id)
        for s in listed
        if s.sku_part_number
    ]


@dataclasses.dataclass(frozen=True)
class Product:
    """A product of the tenant, as a Seat: its part number and id, no counts (its subscriptions', or its seat
    table's where only the distributor's prices are wanted: auditor.billing.current_prices)."""

    sku: str
    sku_id: str
    name: str | None = None
    enabled: int = 0
    consumed: int = 0


def seats_left(enabled: int, billed: int, drop: int) -> int:
    """The seats Microsoft enables in the tenant once the distributor bills `drop` fewer of the `billed`
    seats of a product it sells the tenant, `enabled` now. The seats the distributor bills above those
    Microsoft enables (billed - enabled) are in no tenant: a reduction takes them first, and only the
    rest of it lowers the tenant's seats (210 billed, 204 enabled: a reduction to 200 leaves 200, not
    194). Where the tenant has more enabled than the distributor bills (seats bought elsewhere), every
    seat dropped is one fewer in the tenant."""
    above = max(0, billed - enabled)
    return enabled - max(0, drop - above)


def reduction_short(enabled: int, billed: int, drop: int, assigned: int) -> str | None:
    """Why dropping `drop` of the distributor's `billed` seats would leave the tenant fewer seats than
    `assigned` (seats_left), else None. `plan` asks it of the report (the seats assigned after the plan),
    `apply --distributor` of its re-read at the call (the distributor's seats and the tenant's, now)."""
    left = seats_left(enabled, billed, drop)
    if left < assigned:
        return f"{left} seats would be left, below the {assigned} assigned"
    return None


def billed_on(sub: DistributorSubscription, seller: str, day: date) -> bool:
    """Whether the distributor (`seller`: its key) bills the subscription on `day`: one of BY_DATES when
    the day is inside [startDate, endDate) whatever its status (no startDate: started; no endDate: open),
    another when its status is billed (BILLED)."""
    if seller not in BY_DATES:
        return sub.status in BILLED
    start, end, on = (sub.start or "")[:10], (sub.end or "")[:10], day.isoformat()
    return start <= on and (not end or on < end)


def day_of(given: Payload) -> date:
    """The day a reading's seats are counted as billed: the audit's as-of day it carries, else today (the
    pinned clock's: SOURCE_DATE_EPOCH)."""
    try:
        return date.fromisoformat(given["day"])
    except (KeyError, ValueError):
        return now_or_pinned().date()


def dated(given: Payload | None, day: date) -> Payload | None:
    """The reading with the day its seats are counted as billed (the audit's as-of day: day_of)."""
    if given is None:
        return None
    out = given.copy()
    out["day"] = day.isoformat()
    return out


def payload(seller: Seller, block: Block, subscriptions: Sequence[DistributorSubscription]) -> Payload:
    """One tenant's reading at its distributor, as the run hands it to the tenant's audit."""
    return Payload(seller=seller, block=block.copy(), subscriptions=list(subscriptions))


def failed(seller: Seller, block: Block, error: str) -> Payload:
    """One tenant's reading at its distributor that failed: its one line."""
    return Payload(seller=seller, block=block.copy(), error=error)


def _subscriptions(given: Payload) -> list[DistributorSubscription]:
    return list(given.get("subscriptions") or [])


def billed_otherwise(findings: Sequence[Finding]) -> int:
    """How many products the distributor bills otherwise than Microsoft counts them (billed more, fewer
    or unused; a term end is no difference): the figure the run's stderr line and tenants.json give."""
    return products_with(findings, DIFFERENCES)


def section(given: Payload, report: SeatTable, *, mailed: bool = False) -> DistributorSection:
    """report.json's `distributor` (and distributor.json): the reconciliation of the tenant's subscriptions
    at its distributor with its products, or the reading's error. `mailed`: the report is e-mailed to the
    tenant's recipients, so its rendered files leave out the MSP's cost and margin (`mailed_to_customer`)."""
    head = _head(given, mailed)
    if given.get("error"):
        return msgspec.structs.replace(head, error=str(given["error"]))
    block: Block = given.get("block") or {}
    found = reconcile(block, report.skus, _subscriptions(given), _tenant(report), given["seller"], day_of(given))
    return msgspec.structs.replace(
        head, products=found.products, findings=found.findings, warnings=found.warnings, totals=found.totals
    )


def failed_section(given: Payload, error: str) -> DistributorSection:
    """distributor.json of a tenant whose reconciliation could not be made (`error`: why)."""
    return msgspec.structs.replace(_head(given, False), error=error)


def _head(given: Payload, mailed: bool) -> DistributorSection:
    """The section's first keys: the customer at its distributor, and whether it is mailed to it."""
    block: Block = given.get("block") or {}
    seller = given["seller"]
    return section_type(seller.scope)(
        schema=1,
        distributor=seller.key,
        customer=customer_of(block, seller.scope),
        mailed_to_customer=True if mailed else UNSET,
        block=block if block else UNSET,
    )


def terms(given: Payload | None, subscriptions: Sequence[Subscription]) -> dict[str, date]:
    """The distributor's commitment term end per Microsoft subscription (its id) of the tenant: the
    distributor's subscription that names it, none when two or more name it; else the one of the
    product's subscriptions there that name none, unless two or more of them do (ambiguous: no date is
    guessed)."""
    if not given or given.get("error"):
        return {}
    tenant = [TenantSubscription.of(s) for s in subscriptions if s.sku_part_number]
    skus = [Product(s.sku_part_number, s.sku_id) for s in subscriptions if s.sku_part_number]
    found = reconcile(given.get("block") or {}, skus, _subscriptions(given), tenant, given["seller"], day_of(given))
    ends: dict[str, date] = {}
    for product in found.products or []:
        subs = product.subscriptions
        twice = named_twice((s.id, s.microsoft_subscription) for s in subs)
        tied = {g: s.term_end for s in subs if (g := guid(s.microsoft_subscription)) is not None}
        untied = [s.term_end for s in subs if not s.microsoft_subscription]
        for t in (t for t in tenant if t.part == product.sku):
            named = guid(t.id) or ""
            if named in twice:
                continue  # two of the distributor's name it: which term is its own is not guessed
            end = tied[named] if named in tied else untied[0] if len(untied) == 1 else None
            if end:
                ends[t.id] = date.fromisoformat(end)
    return ends


def with_terms(
    billing: BillingFile | None, subscriptions: Sequence[Subscription], given: Payload | None
) -> BillingFile | None:
    """The bill's rows, with the day after the distributor's term end as the renewal of each subscription
    of a product it bills whose row gives none (no row: a row through a partner, both facts the
    distributor's). A renewal an API or the billing file gives is kept. The distributor's end is the
    term's last day (a commitment's endDate, Mar 17, 2027 of a term from Mar 18, 2026), the
    bill's renewal the first of the next (as the billing account's termEndDate, Mar 18): so the bill's
    "From" is the day the report's distributor line says a lower count can take effect, never a day
    earlier (issue 99, E2)."""
    ends = terms(given, subscriptions)
    if not ends:
        return billing
    rows = list(billing.rows) if billing is not None else []
    changed = False
    for sub in subscriptions:
        last = ends.get(sub.id)
        if last is None:
            continue
        end = last + timedelta(days=1)
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


@dataclasses.dataclass
class _Matcher:
    """Which tenant product (and, by the Microsoft subscription it names, which Microsoft subscription) one
    subscription at the distributor is: the vendor's ids first, then the entry's map, then the product's name."""

    block: Block
    skus: Sequence[Seat]
    tenant: Sequence[TenantSubscription]
    seller: Seller
    warnings: list[str] = dataclasses.field(default_factory=list)
    guessed: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self.joins = Joins(self.tenant)
        self.by_sku = {s.sku_id.casefold(): s.sku.upper() for s in self.skus if s.sku_id}
        self.by_sku.update({t.sku_id.casefold(): t.part for t in self.tenant if t.sku_id})
        self.mapped = {k.lower(): v.upper() for k, v in products_of(self.block).items()}
        self.names = _names(self.skus)

    def named(self, vendor_id: str | None) -> TenantSubscription | None:
        """The tenant's subscription the distributor's subscription names (the one join: distributor_join)."""
        return self.joins.named(vendor_id)

    def match(self, sub: DistributorSubscription) -> tuple[str, str, TenantSubscription | None] | None:
        """(part number, how, the Microsoft subscription) of one subscription, or None (left out)."""
        tied = self.named(sub.vendor_subscription_id)
        if tied is not None:
            return tied.part, "subscription", tied
        part = self.by_sku.get((sub.vendor_sku_id or "").casefold())
        if part is not None:
            return part, "sku", None
        part = self.mapped.get(sub.product_id.lower())
        if part is not None:
            return part, "map", None
        candidates = sorted(set(self.names.get(sub.product_name.casefold(), [])))
        if len(candidates) != 1:
            self.warnings.append(
                f"{self.seller.name} product {sub.product_name!r} ({sub.product_id}) matches no product of "
                f"the tenant: left out; name it under distributor.{self.seller.key}.products"
            )
            return None
        part = candidates[0].upper()
        if sub.product_id not in self.guessed:
            self.guessed[sub.product_id] = part
            self.warnings.append(
                f"{self.seller.name} product {sub.product_name!r} ({sub.product_id}) was matched to {part} by "
                f"its name: add `{sub.product_id}: {part}` under distributor.{self.seller.key}.products to confirm it"
            )
        return part, "name", None


_HOW = ("name", "map", "sku", "subscription")  # weakest first: a product is matched as its weakest subscription


def _sum(subs: Sequence[DistributorSubscription], price: str) -> float | None:
    """A month of the subscriptions' seats at `price` (price or partner_cost); None when one lacks it."""
    each = [getattr(s, price) for s in subs]
    return (
        None if any(p is None for p in each) else round(sum(s.quantity * p for s, p in zip(subs, each, strict=True)), 2)
    )


def _end(sub: DistributorSubscription) -> str | None:
    end = sub.commitment_end or sub.end
    return end[:10] if end else None


def _row(
    part: str, sku: Seat | None, subs: list[tuple[DistributorSubscription, str, TenantSubscription | None]]
) -> ProductRow:
    """The product's row: the seats the distributor bills, and what they cost the MSP and bill the customer a month."""
    plain = [s for s, _, _ in subs]
    cost, billed = (None, None) if currencies_mixed(plain) else (_sum(plain, "partner_cost"), _sum(plain, "price"))
    ends = sorted(e for s in plain if (e := _end(s)))
    return ProductRow(
        sku=part,
        name=(sku.name if sku is not None else None) or part,
        products=sorted({s.product_id for s in plain}),
        matched_by=min((how for _, how, _ in subs), key=_HOW.index),
        billed=sum(s.quantity for s in plain),
        enabled=sku.enabled if sku is not None else 0,
        consumed=sku.consumed if sku is not None else 0,
        price=one([s.price for s in plain]),
        partner_cost=one([s.partner_cost for s in plain]),
        currency=one_currency(plain),
        cost_monthly=cost,
        billed_monthly=billed,
        margin_monthly=round(billed - cost, 2) if cost is not None and billed is not None else None,
        billing_terms=sorted({s.billing_term for s in plain if s.billing_term}),
        term_end=ends[0] if ends else None,
        in_tenant=sku is not None,
        subscriptions=[
            SubscriptionLine(
                id=s.id,
                billing_term=s.billing_term or None,
                commitment_term=s.commitment_term,  # read by plan's distributor changes
                quantity=s.quantity,
                price=s.price,
                partner_cost=s.partner_cost,
                term_end=_end(s),
                microsoft_subscription=tied.id if tied is not None else None,
                renews=s.renews[:10] if s.renews else None,
            )
            for s, _, tied in subs
        ],
    )


def _findings(
    row: ProductRow, untied: Sequence[DistributorSubscription], twice: Mapping[str, list[str]]
) -> list[Finding]:
    """The product's findings: billed more or fewer than enabled, billed unused (at both prices), its
    term end, and two or more of its subscriptions that name no Microsoft subscription, or one and the
    same (`twice`: distributor_join.named_twice), ambiguous."""
    part, seats, enabled, consumed = row.sku, row.billed, row.enabled, row.consumed
    found: list[Finding] = []
    if seats > enabled:
        found.append(BilledMore(sku=part, billed=seats, enabled=enabled, seats=seats - enabled))
    elif seats < enabled:
        found.append(BilledFewer(sku=part, billed=seats, enabled=enabled, seats=enabled - seats))
    if seats > consumed:
        unused, price, cost = seats - consumed, row.price, row.partner_cost
        found.append(
            UnusedFinding(
                sku=part,
                seats=unused,
                monthly=round(unused * price, 2) if price is not None else None,
                currency=row.currency,
                cost_monthly=round(unused * cost, 2) if cost is not None else None,
            )
        )
    if row.term_end:
        found.append(TermEndFinding(sku=part, date=row.term_end))
    if len(untied) > 1:
        found.append(AmbiguousFinding(sku=part, subscriptions=sorted(s.id for s in untied)))
    found += [AmbiguousFinding(sku=part, subscriptions=ids, microsoft_subscription=m) for m, ids in twice.items()]
    return found


def _totals(products: Sequence[ProductRow]) -> list[Total]:
    """The customer's month at the distributor, per currency: cost, billed and margin of the products
    whose both prices the distributor gives."""
    sums: dict[str, list[float]] = {}
    for p in products:
        cost, billed, currency = p.cost_monthly, p.billed_monthly, p.currency
        if cost is not None and billed is not None and currency:
            pair = sums.setdefault(currency, [0.0, 0.0])
            pair[0] += cost
            pair[1] += billed
    return [
        Total(
            currency=c,
            cost_monthly=round(cost, 2),
            billed_monthly=round(billed, 2),
            margin_monthly=round(billed - cost, 2),
        )
        for c, (cost, billed) in sorted(sums.items())
    ]


def _ambiguity(part: str, untied: Sequence[DistributorSubscription], seller: Seller) -> str:
    named = ", ".join(f"{s.id} ({s.billing_term or 'no term'}, {s.quantity} seats)" for s in untied)
    which = f" ({seller.ties})" if seller.ties else ""
    return (
        f"{seller.name} subscriptions {named} of {part} name no Microsoft subscription{which}: "
        "which is which is not guessed, and the bill takes no date from them"
    )


def _named_twice(part: str, microsoft: str, ids: Sequence[str], seller: Seller) -> str:
    which = f" ({seller.ties})" if seller.ties else ""
    return (
        f"{seller.name} subscriptions {', '.join(ids)} of {part} name one Microsoft subscription, "
        f"{microsoft}{which}: which is the one is not guessed; nothing is reduced on them, and the bill takes "
        "no date from them"
    )


def reconcile(
    block: Block,
    rows: Sequence[Seat],
    subscriptions: Sequence[DistributorSubscription],
    tenant: Sequence[TenantSubscription],
    seller: Seller,
    day: date | None = None,
) -> DistributorSection:
    """The reconciliation of one tenant: per product, what the distributor (`seller`) bills beside what the
    tenant has (`rows`: its seat table, report.json's `skus`; `tenant`: its Microsoft subscriptions, which
    the distributor's subscriptions may name), and what it costs the MSP and bills the customer. `day`: the
    day the seats are counted as billed (billed_on; None: today, the pinned clock's)."""
    on = day or now_or_pinned().date()

    def billed_now(sub: DistributorSubscription) -> bool:
        return billed_on(sub, seller.key, on)

    skus = [s for s in rows if s.sku]
    by_part = {s.sku.upper(): s for s in skus}
    matcher = _Matcher(block, skus, tenant, seller)
    # a distributor product naming two Microsoft products: a gap (auditor.billing.distributor_products)
    unsure = products_split(subscriptions, matcher, billed=billed_now, vendor=seller.name)
    billed: dict[str, list[tuple[DistributorSubscription, str, TenantSubscription | None]]] = {}
    for sub in unsure.clear:
        found = matcher.match(sub)
        if found is not None and billed_now(sub) and found[0] not in unsure.parts:
            billed.setdefault(found[0], []).append((sub, found[1], found[2]))
    products: list[ProductRow] = []
    findings: list[Finding] = []
    warnings = matcher.warnings + unsure.warnings
    for part in sorted(billed):
        row = _row(part, by_part.get(part), billed[part])
        untied = [s for s, _, tied in billed[part] if tied is None]
        if len(untied) > 1:
            warnings.append(_ambiguity(part, untied, seller))
        twice = named_twice((s.id, tied.id) for s, _, tied in billed[part] if tied is not None)
        warnings += [_named_twice(part, microsoft, ids, seller) for microsoft, ids in twice.items()]
        if currencies_mixed(s for s, _, _ in billed[part]):
            warnings.append(f"{seller.name} bills {part} in more than one currency: its money is left out")
        products.append(row)
        findings += _findings(row, untied, twice)
    findings += unsure.gaps
    return DistributorSection(
        schema=1,
        distributor=seller.key,
        products=products,
        findings=findings,
        warnings=warnings,
        totals=_totals(products),
    )
