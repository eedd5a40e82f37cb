"""Commerce facts read from Microsoft's billing APIs, joined to Graph's subscriptions and merged with the file.

    from_billing_account(json, agreement) -> ApiSubscription
                                                    one `billingSubscriptions` item (ARM, api-version
                                                    2024-04-01) of an account of that agreementType:
                                                    the channel follows it (AGREEMENT_CHANNELS)
    from_partner_center(json, customer) -> ApiSubscription
                                                    one Partner Center `Subscription` resource (CSP)
    join(api, graph) -> Joined                      each API subscription to Graph's companySubscription:
                                                    by commerceSubscriptionId, else by product, tenant and
                                                    quantity (then `uncertain`)
    merge(joined, file) -> Merged                   one BillingRow per subscription; the file overrides
                                                    what an API says, with a warning naming both values

Pure functions of the JSON the APIs return (auditor.billing.arm and auditor.vendors.partner_center.client
read it); docs/bill.md names the field and the page behind each fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from auditor.billing.commerce_records import (
    BillingProperties,
    BillingSubscription,
    PartnerSubscription,
    Refundable,
    SystemOverrides,
)
from auditor.billing.file import BillingFile, BillingRow, Channel, SeatAddition, Term
from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import Subscription
from auditor.reference import product_names

BILLING_ACCOUNT = "billing-account"
PARTNER_CENTER = "partner-center"
_TERMS = {t.value: t for t in Term}
# The billing account's agreementType as the channel its subscriptions were bought through: a
# Microsoft Customer Agreement is new commerce bought directly; a Microsoft Online Services Program
# account's subscriptions follow the legacy rules (List By Billing Account serves both); a Microsoft
# Partner Agreement is a partner's account (CSP); an Enterprise Agreement its own.
AGREEMENT_CHANNELS = {
    "MicrosoftCustomerAgreement": Channel.MCA,
    "MicrosoftOnlineServicesProgram": Channel.MOSA,
    "MicrosoftPartnerAgreement": Channel.CSP,
    "EnterpriseAgreement": Channel.EA,
}
# Partner Center's billingCycle (BillingCycleType) as the billing frequency
_CYCLES = {"monthly": Term.MONTH, "annual": Term.YEAR, "triennial": Term.THREE_YEARS}


@dataclass(frozen=True)
class ApiSubscription:
    """One subscription as a billing API gives it (None: the API did not say)."""

    source: str  # billing-account | partner-center
    id: str  # the API's subscription id (ARM: the billingSubscription's name; Partner Center: its id)
    channel: Channel
    product: str | None = None  # skuDescription (ARM) or offerName (Partner Center)
    # the billing API's product catalog ids: productTypeId ("CFQ7TTC0LFLX") and skuId ("0001"), not
    # Graph's skuId GUID; no table of Microsoft's maps one to the other, so they do not join
    catalog_product: str | None = None
    catalog_sku: str | None = None
    tenant: str | None = None  # the tenant it provisions (beneficiaryTenantId / provisioningTenantId, the customer)
    quantity: int | None = None
    term: Term | None = None
    term_start: date | None = None
    term_end: date | None = None
    billing_frequency: Term | None = None
    auto_renew: bool | None = None
    cancel_by: date | None = None  # cancellationAllowedEndDate / cancellationAllowedUntilDate
    status: str | None = None
    trial: bool | None = None
    seats_added: tuple[SeatAddition, ...] = ()  # Partner Center's refundable seats, by their own deadline
    etag: str | None = None
    scope: str = ""  # the billing account (ARM) or the customer (Partner Center) it is read under
    offer: str | None = None  # Partner Center's offerId (productId:skuId:availabilityId in new commerce)
    agreement: str | None = None  # the billing account's agreementType (ARM): which cancel operation it takes
    cycle: str | None = None  # Partner Center's billingCycle as it gives it (the next term keeps it)


def _day(value: object) -> date | None:
    when = timestamp_or_none(value if isinstance(value, str) else None)
    return when.date() if when is not None else None


def _term(value: object) -> Term | None:
    return _TERMS.get(str(value).upper()) if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def from_billing_account(item: BillingSubscription, agreement: str = "MicrosoftCustomerAgreement") -> ApiSubscription:
    """A `billingSubscriptions` item of a billing account whose agreementType is `agreement`
    (Microsoft.Billing 2024-04-01); an agreement type not in AGREEMENT_CHANNELS is taken as bought
    directly (Microsoft Customer Agreement), the only other one List By Billing Account serves."""
    p = item.properties or BillingProperties()
    overrides = p.system_overrides or SystemOverrides()
    renew = p.auto_renew
    cancellation = overrides.cancellation
    cancel_by = _day(overrides.cancellation_allowed_end_date) if cancellation != "NotAllowed" else None
    return ApiSubscription(
        BILLING_ACCOUNT,
        str(item.name or ""),
        AGREEMENT_CHANNELS.get(agreement, Channel.MCA),
        product=_text(p.sku_description),
        catalog_product=_text(p.product_type_id),
        catalog_sku=_text(p.sku_id),
        tenant=_text(p.beneficiary_tenant_id) or _text(p.provisioning_tenant_id),
        quantity=_int(p.quantity),
        term=_term(p.term_duration),
        term_start=_day(p.term_start_date),
        term_end=_day(p.term_end_date),
        billing_frequency=_term(p.billing_frequency),
        auto_renew={"On": True, "Off": False}.get(str(renew)) if renew is not None else None,
        cancel_by=cancel_by,
        status=_text(p.status),
        scope=_account_of(str(item.id or "")),
        agreement=agreement,
    )


def _account_of(resource_id: str) -> str:
    """The billing account named in a billingSubscription's resource id."""
    m = re.search(r"/billingAccounts/([^/]+)/", resource_id, re.I)
    return m.group(1) if m else ""


def from_partner_center(item: PartnerSubscription, customer: str) -> ApiSubscription:
    """A Partner Center `Subscription` resource of `customer` (GET /v1/customers/{id}/subscriptions)."""
    refundable = item.refundable_quantity or Refundable()
    added: list[SeatAddition] = []
    for detail in refundable.details or []:
        until, seats = _day(detail.allowed_until_date_time), _int(detail.quantity)
        # a seat addition's window closes at allowedUntilDateTime, 7 days after it: the
        # API's instant is the deadline, its day the window's last (not rebuilt a day earlier)
        if until is not None and seats:
            added.append(SeatAddition(until - timedelta(days=7), seats, until))
    renew = item.auto_renew_enabled
    return ApiSubscription(
        PARTNER_CENTER,
        str(item.id or ""),
        Channel.CSP,
        product=_text(item.offer_name),
        tenant=customer,
        quantity=_int(item.quantity),
        term=_term(item.term_duration),
        term_start=_day(item.effective_start_date or item.creation_date),
        term_end=_day(item.commitment_end_date),
        billing_frequency=_CYCLES.get(str(item.billing_cycle or "").lower()),
        auto_renew=renew if isinstance(renew, bool) else None,
        cancel_by=_day(item.cancellation_allowed_until_date),
        status=_text(item.status),
        trial=item.is_trial if isinstance(item.is_trial, bool) else None,
        seats_added=tuple(sorted(added, key=lambda a: a.on)),
        etag=_text(item.attributes.etag) if item.attributes is not None else None,
        scope=customer,
        offer=_text(item.offer_id),
        cycle=_text(item.billing_cycle),
    )


@dataclass(frozen=True)
class Joined:
    """An API subscription and Graph's subscription it is (None: no Graph subscription matches)."""

    api: ApiSubscription
    graph: Subscription | None
    uncertain: bool  # matched by product, tenant and quantity, not by a shared id


_STOP = frozenset(("for", "and", "the", "with", "plan"))


def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[^0-9a-z]+", name.casefold()) if w and w not in _STOP)


def _same_product(api: ApiSubscription, sub: Subscription) -> bool:
    """The same product: the API's product name (ARM's skuDescription, Partner Center's offerName)
    against the product's display name or its part number, word for word (names are reordered over
    time: "Microsoft 365 Copilot" is "Microsoft Copilot for Microsoft 365" in the product table,
    MICROSOFT_365_COPILOT in Graph). The billing API's skuId is a catalog SKU id ("0001"), not
    Graph's skuId, so it is never compared with it."""
    if not api.product:
        return False
    offer = _words(api.product)
    names = (product_names().product(sub.sku_id, sub.sku_part_number) or "", sub.sku_part_number or "")
    return any(offer == _words(n) for n in names if n)


def join(apis: Iterable[ApiSubscription], graph: Sequence[Subscription], tenant: str | None = None) -> list[Joined]:
    """Each API subscription joined to one of Graph's: by commerceSubscriptionId (or id) first; else
    by product, tenant and quantity, when exactly one unjoined Graph subscription fits (`uncertain`)."""
    by_id = {k.lower(): s for s in graph for k in (s.commerce_subscription_id, s.id) if k}
    taken: set[str] = set()
    out: list[Joined] = []
    rest: list[ApiSubscription] = []
    for api in apis:
        sub = by_id.get(api.id.lower())
        if sub is not None and sub.id not in taken:
            taken.add(sub.id)
            out.append(Joined(api, sub, False))
        else:
            rest.append(api)
    for api in rest:
        if api.tenant and tenant and api.tenant.lower() != tenant.lower():
            out.append(Joined(api, None, False))  # another tenant's subscription
            continue
        fits = [s for s in graph if s.id not in taken and _same_product(api, s)]
        exact = [s for s in fits if api.quantity is not None and s.total_licenses == api.quantity]
        pick = exact if len(exact) == 1 else fits if len(fits) == 1 else []
        if pick:
            taken.add(pick[0].id)
        out.append(Joined(api, pick[0] if pick else None, True))
    return out


def row_from_api(joined: Joined) -> BillingRow | None:
    """The billing row of a joined API subscription, each fact tagged with its source."""
    api, sub = joined.api, joined.graph
    if sub is None:
        return None
    monthly_term = True if api.term is Term.MONTH else None  # its own monthly term; a longer one says nothing
    given = {
        "channel": api.channel,
        "term": api.term,
        "term_start": api.term_start,
        "renewal": api.term_end,
        "auto_renew": api.auto_renew,
        "billing_frequency": api.billing_frequency,
        "seats_added": api.seats_added or None,
        "monthly_term": monthly_term,
    }
    sources = tuple((fact, api.source) for fact, value in given.items() if value is not None)
    return BillingRow(
        sub.commerce_subscription_id or sub.id,
        api.channel,
        0,
        api.term,
        api.term_start,
        api.term_end,
        api.auto_renew,
        api.seats_added,
        billing_frequency=api.billing_frequency,
        cancel_by=api.cancel_by,
        quantity=api.quantity,
        sources=sources,
        uncertain=joined.uncertain,
        monthly_term=monthly_term,
        api=(
            ("source", api.source),
            ("id", api.id),
            ("scope", api.scope),
            *(
                (k, v)
                for k, v in (
                    ("offer", api.offer),
                    ("billing_cycle", api.cycle),
                    ("product_id", api.catalog_product),
                    ("catalog_sku", api.catalog_sku),
                    ("term", api.term.value if api.term else None),
                    ("agreement", api.agreement),
                )
                if v
            ),
        ),
    )


_FIELDS = {
    "term": "term",
    "term_start": "term_start",
    "renewal": "term_end",
    "auto_renew": "auto_renew",
    "billing_frequency": "billing_frequency",
    "cancel_at_end_of_term": "cancel_at_end_of_term",
    "seats_added": "seats_added",
    "price": "unit_price",
    "channel": "channel",
    "monthly_term": "monthly_term",
}


@dataclass(frozen=True)
class Merged:
    billing: BillingFile
    warnings: tuple[str, ...]


def _show(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(f"{a.on.isoformat()}:{a.seats}" for a in value)
    return str(getattr(value, "value", value))


def _override(api: BillingRow, row: BillingRow, path: str, warnings: list[str]) -> BillingRow:
    """`api` with every fact `row` (the file) gives, warning where the two disagree."""
    changes: dict[str, Any] = {}
    sources = dict(api.sources)
    for fact, source in row.sources:
        name = _FIELDS[fact]
        mine, theirs = getattr(row, name), getattr(api, name)
        if fact in sources and theirs is not None and theirs != mine:
            warnings.append(
                f"warning: {path}:{row.line}: subscription {row.subscription!r}: {fact} "
                f"{_show(mine)!r} (the file) differs from {_show(theirs)!r} ({sources[fact]}); "
                "the file's value is used"
            )
        changes[name] = mine
        sources[fact] = source
    return replace(api, line=row.line, currency=row.currency or api.currency, sources=tuple(sources.items()), **changes)


def merge(
    rows: Iterable[BillingRow], file: BillingFile | None, graph: Sequence[Subscription] = (), path: str = ""
) -> Merged:
    """The API rows with the file over them (the file wins, a disagreement is a warning); file rows
    that no API gives stay as they are. A file row may name a subscription by its id or its
    commerceSubscriptionId (`graph` says which is which)."""
    canonical = {
        k.lower(): (s.commerce_subscription_id or s.id).lower()
        for s in graph
        for k in (s.commerce_subscription_id, s.id)
        if k
    }
    warnings: list[str] = []
    out: dict[str, BillingRow] = {r.subscription.lower(): r for r in rows}
    for row in file.rows if file else ():
        key = canonical.get(row.subscription.lower(), row.subscription.lower())
        api = out.get(key)
        out[key] = _override(api, row, file.path if file else path, warnings) if api is not None else row
    name = file.path if file else path
    return Merged(BillingFile(name, tuple(out[k] for k in sorted(out))), tuple(warnings))
