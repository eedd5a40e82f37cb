"""The seats an MSP buys at Sherweb, read from Sherweb's Partner API (service-provider scope, read only).

    Sherweb(client_id, client_secret, subscription_key, endpoint=None)   one session for the run: its
                                        token is asked for once and reused
    .subscriptions(customer_id)         the customer's subscriptions (GET billing/subscriptions/details),
                                        each with Microsoft's SKU id from its catalog (GET
                                        customer-catalogs/{customerId}), as the records
                                        auditor.billing.distributor_seats reconciles (DistributorSubscription)
    .seats(customer_id, id)             one subscription's quantity and committed minimal quantities,
                                        re-read (apply --distributor only; Sherweb has no GET of one)
    .subscription(customer_id, id)      one subscription re-read as .subscriptions reads it: its
                                        Microsoft SKU id from the catalog at the call
    .amend(customer_id, id, quantity)   POST billing/subscriptions/amendments?customerId=... with
                                        {subscriptionAmendmentParameters: [{subscriptionId, newQuantity}]}:
                                        the amendment's id (apply --distributor only)
    .amendment_status(amendment_id)     GET billing/subscriptions/amendments/{id}/status: Pending,
                                        Processing, Success, Failure, Canceled or PartialSuccess

The shapes are Sherweb's published Partner API (developers.sherweb.com, "Service Provider API"): a
client-credentials token posted as a form to https://api.sherweb.com/auth/oidc/connect/token with the
scope `service-provider`; every API request carries the bearer token and the APIM subscription key in
the `Ocp-Apim-Subscription-Key` header. The subscription details answer {items: [...]}, each with its
`id`, `productName`, `sku` (Sherweb's), `quantity`, `purchaseDate` and `commitmentTerm` (its
`termEndDate`, and `renewalConfiguration.renewalDate`); the customer's catalog answers {catalogItems:
[...]}, each with its `sku` and `microsoftSkuId`, Microsoft's SKU id (the tenant's subscribedSkus
skuId), by which each subscription is matched to a tenant product.

Every field is checked as Pax8's are (auditor.vendors.pax8.client): a count is a whole finite number in
range, a string is bounded, a date is ISO; anything else is a SherwebError, that customer's gap. The
token, its renewal on a 401, the bounded read and the strict JSON are the client Sherweb shares with
Pax8 (auditor.vendors.client). Details that give one subscription id twice are that
customer's gap (their sum is not what Sherweb bills); a SKU the catalog lists twice with two
microsoftSkuIds gives its subscriptions both (DistributorSubscription.ambiguous_sku_ids), never one
guessed. The client secret is sent only in the token request's body, the subscription key only in
its header; neither is written into a message, a log or a file.
Sherweb's prices (its separate pricing endpoint) are not read: a Sherweb product's money is left out.

The writes follow Sherweb's own OpenAPI document of the Service Provider API (github.com/sherweb/
Public-Apis, Sherweb.Apis.ServiceProvider.OpenAPI.json, "Service Provider API (Beta)", version
1.0.0-beta08): CreateSubscriptionsAmendment ("Amend subscription quantities for one of your
customers."), its answer {subscriptionsAmendmentId}, and GetSubscriptionsAmendmentStatus ("Get the
status of a subscriptions amendment."). Their answers are decoded into the Structs below at this border.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

import msgspec

from auditor.billing.distributor_records import MAX_SEATS, DistributorSubscription
from auditor.common import shapes
from auditor.vendors.client import ID, DistributorClient, Fields, TokenRequest, is_quantity
from auditor.vendors.protocols import DistributorError
from auditor.vendors.terms import MONTHLY, monthly_began

TOKEN_URL = "https://api.sherweb.com/auth/oidc/connect/token"
API_URL = "https://api.sherweb.com/service-provider/v1"
SCOPE = "service-provider"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
MAX_ITEMS = 5_000  # subscriptions or catalog items of one customer: past this a listing is not one customer's
MAX_BYTES = 8 * 2**20  # one answer: a customer's whole catalog comes in one
CLIENT_ID_ENV = "SHERWEB_CLIENT_ID"
CLIENT_SECRET_ENV = "SHERWEB_CLIENT_SECRET"  # the MSP's Sherweb secret: an environment variable, never a file
SUBSCRIPTION_KEY_ENV = "SHERWEB_SUBSCRIPTION_KEY"  # the APIM subscription key: likewise
BILLED = "Active"  # what the reconciliation counts as billed: Sherweb's details list the customer's current ones


class SherwebError(DistributorError):
    """Sherweb could not be read for a customer: the reconciliation's gap, in one line; `status`:
    Sherweb's HTTP status when it answered (a 4xx: it refused, nothing changed)."""


AmendmentStatus = Literal["Pending", "Processing", "Success", "Failure", "Canceled", "PartialSuccess"]


class _Amendment(msgspec.Struct, frozen=True, rename="camel"):
    """CreateSubscriptionsAmendment's answer (Sherweb's SubscriptionsAmendment)."""

    subscriptions_amendment_id: str


class _Committed(msgspec.Struct, frozen=True, rename="camel"):
    """Sherweb's CommittedMinimalQuantity: "The date until which the subscription quantity may be
    decreased down to this minimal quantity"."""

    committed_until: str
    quantity: int


@dataclass(frozen=True)
class SherwebSeats:
    """One subscription re-read for apply: its quantity, and the minimal quantities it may be
    decreased to until their dates (None: Sherweb gives none, the subscription has no commitment)."""

    quantity: int
    committed: tuple[tuple[date, int], ...] | None

    def least(self, today: date) -> int:
        """The fewest seats Sherweb takes today: the smallest minimal quantity whose date has not
        passed; none left: the quantity itself (the term's seats are committed until it renews)."""
        if self.committed is None:
            return 1
        open_ = [q for until, q in self.committed if until >= today]
        return min(open_) if open_ else self.quantity


def _fields(where: str) -> Fields:
    """The checks of the fields of the answer to GET `where` (auditor.vendors.client)."""
    return Fields(SherwebError, "Sherweb", f"GET {where}")


def _refuse(where: str, what: str, value: object) -> Exception:
    return _fields(where).refuse(what, value)


class _Renewal(msgspec.Struct, frozen=True, rename="camel"):
    """A commitment term's `renewalConfiguration`; each value still untrusted, checked as it is read."""

    renewal_date: object = None
    scheduled_quantity: object = None


class _Term(msgspec.Struct, frozen=True, rename="camel"):
    """A subscription's `commitmentTerm`; each value still untrusted, checked as it is read."""

    type: object = None
    term_end_date: object = None
    renewal_configuration: object = None
    committed_minimal_quantities: object = None


class _Item(msgspec.Struct, frozen=True, rename="camel"):
    """One subscription of the details, by the fields Sherweb documents (others are dropped); each
    value still untrusted and checked, by its name, as subscription() reads it."""

    id: object = None
    sku: object = None
    product_name: object = None
    quantity: object = None
    billing_cycle: object = None
    purchase_date: object = None
    commitment_term: object = None


class _CatalogItem(msgspec.Struct, frozen=True, rename="camel"):
    """One item of a customer's catalog: Sherweb's SKU and Microsoft's SKU id."""

    sku: object = None
    microsoft_sku_id: object = None


class _Details(msgspec.Struct, frozen=True):
    """GET billing/subscriptions/details: {items: [...]}."""

    items: object = None


class _Catalog(msgspec.Struct, frozen=True, rename="camel"):
    """GET customer-catalogs/{customerId}: {catalogItems: [...]}."""

    catalog_items: object = None


_Record = TypeVar("_Record", _Renewal, _Term, _Item, _CatalogItem)
_Answer = TypeVar("_Answer", _Details, _Catalog)


def _id(value: object, key: str, where: str, *, required: bool) -> str | None:
    return _fields(where).ident(value, f"a {key}", required=required)


def _text(value: object, key: str, where: str) -> str:
    return _fields(where).text(value, f"a {key}")


def _date(value: object, key: str, where: str) -> str | None:
    return _fields(where).date(value, f"a {key}")


def _count(value: object, what: str, where: str) -> int:
    """A whole finite count from 0 to MAX_SEATS, else refused."""
    return int(_fields(where).number(value, what, whole=True, most=MAX_SEATS))


def _record(value: object, key: str, where: str, shape: type[_Record]) -> _Record:
    """A JSON object decoded into `shape` (none given: an empty one), else refused."""
    if value is None:
        return shape()
    if not isinstance(value, Mapping):
        raise _refuse(where, f"a {key}", type(value).__name__)
    return shapes.convert(value, shape)


def _listing(items: object, key: str, where: str, shape: type[_Record]) -> list[_Record]:
    if not isinstance(items, list):
        raise SherwebError(f"GET {where}: the answer has no {key} list")
    if len(items) > MAX_ITEMS:
        raise SherwebError(f"GET {where}: {len(items)} {key}, more than {MAX_ITEMS} of one customer")
    for item in items:
        if not isinstance(item, Mapping):
            raise _refuse(where, f"one of its {key}", type(item).__name__)
    return [shapes.convert(item, shape) for item in items]


def catalog(doc: _Catalog) -> dict[str, tuple[str, ...]]:
    """Sherweb's SKU (casefolded) -> the Microsoft SKU ids the customer's catalog gives it (its items
    that name one): one, or more when the catalog lists the SKU twice with two ids (ambiguous: which
    product its subscriptions are is not guessed)."""
    where = "customer-catalogs"
    found: dict[str, dict[str, str]] = {}
    for item in _listing(doc.catalog_items, "catalogItems", where, _CatalogItem):
        sku = _id(item.sku, "sku", where, required=True)
        microsoft = _id(item.microsoft_sku_id, "microsoftSkuId", where, required=False)
        if sku and microsoft:
            found.setdefault(sku.casefold(), {}).setdefault(microsoft.casefold(), microsoft)
    return {sku: tuple(ids[k] for k in sorted(ids)) for sku, ids in found.items()}


def subscription(raw: _Item, customer_id: str, skus: Mapping[str, tuple[str, ...]]) -> DistributorSubscription:
    """One subscription of Sherweb's details, every field checked, as the record the reconciliation
    reads (its `vendor_sku_id`: Microsoft's SKU id from the customer's catalog; a SKU the catalog
    gives two ids: none, and both as its `ambiguous_sku_ids`)."""
    where = "billing/subscriptions/details"
    sub_id = _id(raw.id, "id", where, required=True) or ""
    sku = _id(raw.sku, "sku", where, required=True) or ""
    quantity = _count(raw.quantity, f"subscription {sub_id}'s quantity", where)
    term = _record(raw.commitment_term, "commitmentTerm", where, _Term)
    renewal = _record(term.renewal_configuration, "renewalConfiguration", where, _Renewal)
    if renewal.scheduled_quantity is not None:
        _count(renewal.scheduled_quantity, f"subscription {sub_id}'s scheduledQuantity", where)
    return DistributorSubscription(
        id=sub_id,
        company_id=customer_id,
        product_id=sku,
        product_name=_text(raw.product_name, "productName", where),
        quantity=quantity,
        status=BILLED,
        price=None,
        currency=None,
        billing_term=_text(raw.billing_cycle, "billingCycle", where)[:40],
        start=_date(raw.purchase_date, "purchaseDate", where),
        end=_date(renewal.renewal_date, "renewalDate", where),  # the renewal: the term's end when Sherweb gives none
        commitment_term=_text(term.type, "type", where)[:40] or None,
        commitment_end=(end := _date(term.term_end_date, "termEndDate", where)),
        # a monthly term renews the day after its termEndDate: Microsoft's seven days run from its first day
        renews=monthly_began(end) if _text(term.type, "type", where) == MONTHLY else None,
        vendor_sku_id=ids[0] if len(ids := skus.get(sku.casefold(), ())) == 1 else None,
        ambiguous_sku_ids=ids if len(ids) > 1 else (),
    )


class Sherweb(DistributorClient):
    """Sherweb's Partner API with the MSP's client credentials and subscription key (the shared
    client: auditor.vendors.client). `endpoint`: a stand-in serving both the token
    (ENDPOINT/auth/oidc/connect/token) and the API (ENDPOINT/service-provider/v1)."""

    vendor = "Sherweb"
    error = SherwebError
    max_bytes = MAX_BYTES
    credentials = (CLIENT_ID_ENV, CLIENT_SECRET_ENV)

    def __init__(
        self, client_id: str, client_secret: str, subscription_key: str, *, endpoint: str | None = None
    ) -> None:
        self._id, self._secret, self._key = client_id, client_secret, subscription_key
        base = endpoint.rstrip("/") if endpoint else None
        token_url = f"{base}/auth/oidc/connect/token" if base else TOKEN_URL
        super().__init__(token_url, f"{base}/service-provider/v1" if base else API_URL)

    def token_request(self) -> TokenRequest:
        """Sherweb's token request: a client-credentials grant posted as a form, with its scope."""
        form = {"grant_type": "client_credentials", "client_id": self._id, "client_secret": self._secret}
        return TokenRequest(self.token_url, form=form | {"scope": SCOPE})

    def headers(self) -> dict[str, str]:
        return {KEY_HEADER: self._key}  # the APIM subscription key, on every API request

    def hint(self, status: int) -> str:
        return f" (check {SUBSCRIPTION_KEY_ENV})" if status in (401, 403) else ""

    def _call(self, method: str, path: str, params: Mapping[str, str], where: str, **kw: Any) -> bytes:
        """The answer's body of one request (200), the token renewed once on a 401; else a SherwebError."""
        return self.call(method, path, where, params=dict(params), **kw)

    def _get(self, path: str, params: Mapping[str, str], where: str, shape: type[_Answer]) -> _Answer:
        """The answer of a GET (strict JSON), decoded into `shape`; else a SherwebError."""
        return self.decode(self._call("GET", path, params, where), f"GET {where}", shape) or shape()

    def seats(self, customer_id: str, sub_id: str) -> SherwebSeats:
        """One subscription's quantity and committed minimal quantities, from the customer's details
        (Sherweb has no GET of one subscription), every field checked."""
        where = "billing/subscriptions/details"
        doc = self._get("/billing/subscriptions/details", {"customerId": customer_id}, where, _Details)
        found = [raw for raw in _listing(doc.items, "items", where, _Item) if raw.id == sub_id]
        if len(found) > 1:
            _fields(where).listed_once([sub_id] * len(found), f"GET {where}")
        if len(found) != 1:
            raise SherwebError(f"GET {where}: subscription {sub_id[:40]!r} is not the customer's", 404)
        raw = found[0]
        quantity = _count(raw.quantity, f"subscription {sub_id}'s quantity", where)
        listed = _record(raw.commitment_term, "commitmentTerm", where, _Term).committed_minimal_quantities
        if listed is None:
            return SherwebSeats(quantity, None)
        try:
            committed = shapes.convert(listed, list[_Committed])
            pairs = tuple(
                (date.fromisoformat(c.committed_until[:10]), _count(c.quantity, "a quantity", where)) for c in committed
            )
        except (msgspec.ValidationError, ValueError):
            raise _refuse(where, f"subscription {sub_id}'s committedMinimalQuantities", listed) from None
        return SherwebSeats(quantity, pairs)

    def amend(self, customer_id: str, sub_id: str, quantity: int) -> str:
        """CreateSubscriptionsAmendment for one subscription's new quantity; the amendment's id."""
        if not is_quantity(quantity):
            raise SherwebError(f"POST amendments: {quantity!r} is not a quantity sent (a whole number >= 1)")
        where = "billing/subscriptions/amendments"
        body = {"subscriptionAmendmentParameters": [{"subscriptionId": sub_id, "newQuantity": quantity}]}
        data = self._call("POST", "/billing/subscriptions/amendments", {"customerId": customer_id}, where, json=body)
        try:
            answer = shapes.convert(self.decode(data, f"POST {where}"), _Amendment)
        except msgspec.ValidationError as exc:
            raise SherwebError(
                f"POST {where}: the answer is not Sherweb's SubscriptionsAmendment ({exc})", 200
            ) from None
        if not ID.match(answer.subscriptions_amendment_id):
            raise _refuse(where, "a subscriptionsAmendmentId", answer.subscriptions_amendment_id)
        return answer.subscriptions_amendment_id

    def amendment_status(self, amendment_id: str) -> AmendmentStatus:
        """GetSubscriptionsAmendmentStatus: one of Sherweb's six statuses, else a SherwebError."""
        where = "billing/subscriptions/amendments/{id}/status"
        if not ID.match(amendment_id) or "/" in amendment_id:
            raise SherwebError(f"{amendment_id[:40]!r} is not an amendment id")
        data = self._call("GET", f"/billing/subscriptions/amendments/{amendment_id}/status", {}, where)
        try:
            status: AmendmentStatus = shapes.convert(self.decode(data, f"GET {where}"), AmendmentStatus)
        except msgspec.ValidationError as exc:
            raise SherwebError(f"GET {where}: not a status Sherweb sends ({exc})", 200) from None
        return status

    def subscription(self, customer_id: str, sub_id: str) -> DistributorSubscription:
        """One subscription re-read as the reconciliation reads it (its catalog's Microsoft SKU id, or
        both when the catalog lists its SKU twice: `ambiguous_sku_ids`), for a caller that decides its
        product at the call (Sherweb has no GET of one subscription: the customer's whole listing)."""
        found = [s for s in self.subscriptions(customer_id) if s.id == sub_id]
        if len(found) != 1:
            raise SherwebError(
                f"GET billing/subscriptions/details: subscription {sub_id[:40]!r} is not the customer's", 404
            )
        return found[0]

    def subscriptions(self, customer_id: str) -> list[DistributorSubscription]:
        """The customer's subscriptions, each checked and given Microsoft's SKU id from its catalog."""
        skus = catalog(self._get(f"/customer-catalogs/{customer_id}", {}, "customer-catalogs", _Catalog))
        where = "billing/subscriptions/details"
        doc = self._get("/billing/subscriptions/details", {"customerId": customer_id}, where, _Details)
        found = [subscription(s, customer_id, skus) for s in _listing(doc.items, "items", where, _Item)]
        _fields(where).listed_once((s.id for s in found), f"GET {where}")
        return found
