"""The seats an MSP buys at its distributor, read from Pax8's partner API (and, for `apply
--distributor` only, a subscription's quantity written).

    Pax8(client_id, client_secret, endpoint=None)   one session for the run: its token is asked for
                                                     once and reused (Pax8's tokens live 24 hours)
    .listing(path, noun, most)                       every element of a paged listing (GET /v1{path}),
                                                     its pages checked against their totals
    .subscriptions(company_id)                       GET /v1/subscriptions?companyId=..., every page
    .subscription(company_id, id)                    GET /v1/subscriptions/{id}, checked as one of the listing
    .update_quantity(company_id, id, quantity)       PUT /v1/subscriptions/{id} {"quantity": n} (apply
                                                     --distributor only: "Update Subscription")
    .cancel(company_id, id, on)                      DELETE /v1/subscriptions/{id}?cancelDate=YYYY-MM-DDT12:00:00Z
                                                     (apply --distributor only: "Cancel Subscription")
    .history(company_id, id)                         GET /v1/subscriptions/{id}/history ("Get Subscription
                                                     History": "Returns a list of changes for a
                                                     subscription"; undo --distributor only)

The shapes are Pax8's published OpenAPI documents (devx.pax8.com, "Authentication Access Token API"
and "PARTNER ENDPOINTS" v1): the token is a client-credentials grant posted as JSON to
https://token-manager.pax8.com/oauth/token with the audience https://api.pax8.com; a list answers
{content: [...], page: {size, totalElements, totalPages, number}}, pages numbered from 0, at most 200
a page. Each subscription gives both prices of a seat, `price` ("The price for the customer.") and
`partnerCost` ("The price for the Partner."), and for Microsoft's products the vendor's ids:
`vendorSubscriptionId` (Microsoft's subscription id) and `vendorSkuId`. The token, its renewal on a
401, the bounded read and the strict JSON are the client Pax8 shares with Sherweb
(auditor.vendors.client); any failure is a Pax8Error, a gap in that customer's
reconciliation. A listing that gives one subscription id twice is that customer's gap too (its sum
is not what Pax8 bills); the subscriptions of a productId that give two vendorSkuIds are marked
ambiguous (DistributorSubscription.ambiguous_sku_ids), never matched to a product. The client secret is
sent only in the token request's body and never written into a message, a log or a file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeGuard, TypeVar

import msgspec

from auditor.billing.distributor_records import MAX_PRICE, MAX_SEATS, DistributorSubscription
from auditor.common import shapes
from auditor.common.currency import is_currency
from auditor.common.numbers import is_int
from auditor.vendors.client import ID, DistributorClient, Fields, TokenRequest, is_quantity
from auditor.vendors.protocols import DistributorError

TOKEN_URL = "https://token-manager.pax8.com/oauth/token"
API_URL = "https://api.pax8.com/v1"
AUDIENCE = "https://api.pax8.com"
PAGE_SIZE = 200  # Pax8's largest page
MAX_SUBSCRIPTIONS = 10_000  # of one company (50 pages): past this a listing is not one customer's
MAX_PAGE_BYTES = 4 * 2**20  # one answer: 200 subscriptions take about 150 KiB
CLIENT_CREDENTIALS = {"grant_type": "client_credentials"}
CLIENT_ID_ENV = "PAX8_CLIENT_ID"
CLIENT_SECRET_ENV = "PAX8_CLIENT_SECRET"  # the MSP's one Pax8 secret: an environment variable, never a file


class Pax8Error(DistributorError):
    """Pax8 could not be read for a customer: the reconciliation's gap, in one line, as it is printed
    and stored in distributor.json; `status`: Pax8's HTTP status when it answered (a 4xx: it refused,
    nothing changed)."""


class Pax8OtherCompany(Pax8Error):
    """Pax8 answers a subscription as another company's than the one asked for."""


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# a vendor's id: as client.ID, or a GUID in braces (which names the GUID: auditor.billing.distributor_join)
_VENDOR_ID = re.compile(r"(?:[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}|\{[0-9A-Fa-f-]{36}\})\Z")


def _price(value: object, key: str, name: str, currency: str | None) -> float | None:
    """`price` or `partnerCost`: a number from 0 to MAX_PRICE, in the subscription's currencyCode
    (a figure without its currency is no money), else None when not given."""
    if value is None:
        return None
    if currency is None:
        raise Pax8Error(f"GET /subscriptions: subscription {name} gives a {key} without its currencyCode")
    return _number(value, f"subscription {name}'s {key}", whole=False, most=MAX_PRICE)


def _vendor_id(value: object, key: str, name: str) -> str | None:
    return _FIELDS.ident(value, f"subscription {name}'s {key}", required=False, pattern=_VENDOR_ID)


_FIELDS = Fields(Pax8Error, "Pax8", "GET /subscriptions")  # the checks of the answer's fields (auditor.vendors.client)
_refuse = _FIELDS.refuse


def _string(value: object, key: str, *, required: bool = False) -> str:
    return _FIELDS.text(value, f"a subscription's {key}", required=required)


def _date(value: object, key: str, where: str) -> str | None:
    return _FIELDS.date(value, f"subscription {where}'s {key}")


def _number(value: object, what: str, *, whole: bool, most: float) -> float:
    return _FIELDS.number(value, what, whole=whole, most=most)


class _Commitment(msgspec.Struct, frozen=True, rename="camel"):
    """A subscription's `commitmentTerm` as Pax8 documents it; each value is still untrusted and
    checked as it is read (_subscription)."""

    term: object = None
    end_date: object = None


class _Raw(msgspec.Struct, frozen=True, rename="camel"):
    """One subscription of Pax8's answer, by the fields Pax8 documents (others are dropped); each
    value is still untrusted and checked, by its name, as _subscription reads it."""

    id: object = None
    company_id: object = None
    product_id: object = None
    product_name: object = None
    quantity: object = None
    status: object = None
    price: object = None
    partner_cost: object = None
    currency_code: object = None
    billing_term: object = None
    start_date: object = None
    end_date: object = None
    commitment_term: object = None
    vendor_subscription_id: object = None
    vendor_sku_id: object = None
    created_date: object = None  # a history entry's times (Get Subscription History)
    updated_date: object = None


@dataclass(frozen=True)
class Pax8Version:
    """One entry of a subscription's history at Pax8 (Get Subscription History): the subscription as it
    was from `since` (its updatedDate, else its createdDate), with its quantity and partner cost then."""

    since: datetime
    quantity: int
    partner_cost: float | None


class _Paging(msgspec.Struct, frozen=True, rename="camel"):
    """A listing's `page` object, {size, totalElements, totalPages, number}: its totals and the page's
    number (UNSET: not given); each value is still untrusted and checked as _page reads it."""

    total_elements: object = None
    total_pages: object = None
    number: object = msgspec.UNSET


class _Listing(msgspec.Struct, frozen=True):
    """One page of a listing: {content: [...], page: {...}}."""

    content: object = None
    page: object = None


_Shape = TypeVar("_Shape", _Raw, _Listing)
MAX_VERSIONS = 10_000  # one subscription's history: past this it is no one subscription's


def _subscription(raw: object, company_id: str) -> DistributorSubscription:
    """One subscription of Pax8's listing, every field checked (the distributor's data is untrusted):
    a value of another type or out of range is a Pax8Error, that customer's gap."""
    if not isinstance(raw, _Raw):
        if not isinstance(raw, Mapping):
            raise _refuse("a listed subscription", type(raw).__name__)
        raw = shapes.convert(raw, _Raw)
    sub_id = _string(raw.id, "id", required=True)
    name = sub_id[:40]  # as a message names it
    if _string(raw.company_id, "companyId", required=True) != company_id:
        raise Pax8OtherCompany(f"GET /subscriptions: subscription {name!r} is another company's")
    quantity = _number(raw.quantity, f"subscription {name}'s quantity", whole=True, most=MAX_SEATS)
    term = raw.commitment_term
    if term is not None and not isinstance(term, Mapping):
        raise _refuse(f"subscription {name}'s commitmentTerm", term)
    commitment = shapes.convert(term, _Commitment) if term else _Commitment()
    currency = _text(_string(raw.currency_code, "currencyCode"))
    if currency is not None and not is_currency(currency):  # ISO 4217, as Pax8's currencyCode is documented
        raise _refuse(f"subscription {name}'s currencyCode", currency)
    return DistributorSubscription(
        id=sub_id,
        company_id=company_id,
        product_id=_string(raw.product_id, "productId", required=True),
        product_name=_string(raw.product_name, "productName"),
        quantity=int(quantity),
        status=_string(raw.status, "status"),
        price=_price(raw.price, "price", name, currency),
        currency=currency,
        billing_term=_string(raw.billing_term, "billingTerm"),
        start=_date(raw.start_date, "startDate", name),
        end=_date(raw.end_date, "endDate", name),
        commitment_term=_text(_string(commitment.term, "term")),
        commitment_end=_date(commitment.end_date, "endDate", name),
        # a monthly term renews on its startDate's day of the month (Microsoft's seven days after each renewal)
        renews=_date(raw.start_date, "startDate", name),
        partner_cost=_price(raw.partner_cost, "partnerCost", name, currency),
        vendor_subscription_id=_vendor_id(raw.vendor_subscription_id, "vendorSubscriptionId", name),
        vendor_sku_id=_vendor_id(raw.vendor_sku_id, "vendorSkuId", name),
    )


def cancel_date_time(on: date) -> str:
    """The cancelDate Pax8's schema asks for (format date-time) of the day `on`: noon UTC of it."""
    return f"{on.isoformat()}T12:00:00Z"


class Pax8(DistributorClient):
    """Pax8's partner API with the MSP's client credentials (the shared client:
    auditor.vendors.client). `endpoint`: a stand-in serving both the token
    (ENDPOINT/oauth/token) and the API (ENDPOINT/v1)."""

    vendor = "Pax8"
    error = Pax8Error
    max_bytes = MAX_PAGE_BYTES
    credentials = (CLIENT_ID_ENV, CLIENT_SECRET_ENV)

    def __init__(
        self, client_id: str, client_secret: str, *, endpoint: str | None = None, timeout: float = 60.0
    ) -> None:
        self._id, self._secret = client_id, client_secret
        base = endpoint.rstrip("/") if endpoint else None
        super().__init__(
            f"{base}/oauth/token" if base else TOKEN_URL, f"{base}/v1" if base else API_URL, timeout=timeout
        )

    def token_request(self) -> TokenRequest:
        """Pax8's token request: a client-credentials grant posted as JSON, with Pax8's audience."""
        body = {"client_id": self._id, "client_secret": self._secret, "audience": AUDIENCE} | CLIENT_CREDENTIALS
        return TokenRequest(self.token_url, json=body)

    def _call(self, method: str, path: str, shape: type[_Shape], **kw: Any) -> _Shape | None:
        """The answer decoded into `shape` (strict JSON), None when it is empty (a DELETE taken without
        a body, or {}); a refusal or another answer is a Pax8Error naming the request."""
        data = self.call(method, path, path, empty=method == "DELETE", **kw)
        return self.decode(data, f"{method} {path}", shape) if data else None

    def subscription(self, company_id: str, sub_id: str) -> DistributorSubscription:
        """One subscription of the company, re-read (GET /subscriptions/{id}), checked as the listing's are."""
        return _subscription(self._call("GET", f"/subscriptions/{_path_id(sub_id)}", _Raw) or _Raw(), company_id)

    def update_quantity(self, company_id: str, sub_id: str, quantity: int) -> DistributorSubscription:
        """PUT /subscriptions/{id} {"quantity": quantity} (Pax8's "Update Subscription": "Currently NOT
        supported for subscriptions with a future date"); the subscription as Pax8 answers it."""
        if not is_quantity(quantity):
            raise Pax8Error(f"PUT /subscriptions: {quantity!r} is not a quantity Pax8 takes (a whole number >= 1)")
        doc = self._call("PUT", f"/subscriptions/{_path_id(sub_id)}", _Raw, json={"quantity": quantity})
        return _subscription(doc or _Raw(), company_id)

    def cancel(self, company_id: str, sub_id: str, on: date) -> DistributorSubscription | None:
        """DELETE /subscriptions/{id}?cancelDate=… (Pax8's "Cancel Subscription": "Cancels the
        Subscription specified by subscriptionId"; cancelDate: "The date to cancel the subscription
        on"); None for Pax8's documented answer, 204 without a body, else the subscription it answers.
        The cancelDate is a date-time in Pax8's schema (its example 2000-10-31T01:30:00.000-05:00): the
        day is sent as noon UTC (cancel_date_time), the same calendar day in every zone from UTC-11 to
        UTC+11, as Pax8 documents no zone for the day it cancels on."""
        cancel_date = {"cancelDate": cancel_date_time(on)}
        doc = self._call("DELETE", f"/subscriptions/{_path_id(sub_id)}", _Raw, params=cancel_date)
        return _subscription(doc, company_id) if doc else None

    def history(self, company_id: str, sub_id: str) -> list[Pax8Version]:
        """GET /subscriptions/{id}/history (Pax8's "Get Subscription History": "Returns a list of changes
        for a subscription", {content: [Subscription, ...]}, each entry the subscription as it was, with
        its createdDate and updatedDate): newest first, each entry checked as a listed subscription is."""
        where = f"GET /subscriptions/{sub_id[:40]}/history"
        doc = self._call("GET", f"/subscriptions/{_path_id(sub_id)}/history", _Listing)
        content = doc.content if doc is not None else None
        if not isinstance(content, list) or len(content) > MAX_VERSIONS:
            raise Pax8Error(f"{where}: the answer has no content list of at most {MAX_VERSIONS} entries")
        versions = []
        for raw in content:
            entry = shapes.convert(raw, _Raw) if isinstance(raw, Mapping) else raw
            sub = _subscription(entry, company_id)
            if sub.id != sub_id:
                raise Pax8Error(f"{where}: an entry is subscription {sub.id[:40]!r}'s")
            assert isinstance(entry, _Raw)  # _subscription refused anything else
            stamp = _string(entry.updated_date, "updatedDate") or _string(entry.created_date, "createdDate")
            try:
                since = datetime.fromisoformat(stamp)
            except ValueError:
                since = None
            if since is None or since.tzinfo is None:
                raise Pax8Error(f"{where}: an entry has no updatedDate or createdDate with its zone ({stamp[:40]!r})")
            versions.append(Pax8Version(since, sub.quantity, sub.partner_cost))
        return sorted(versions, key=lambda v: v.since, reverse=True)

    def listing(
        self, path: str, noun: str, most: int, query: Mapping[str, str] | None = None, *, whose: str = ""
    ) -> Iterator[Any]:
        """Every element of one of Pax8's paged listings (GET `path` with `query`, page after page from 0 at
        PAGE_SIZE), yielded page by page as each page passes _page; the pages held together: the totals
        the same on every page, no page before the last empty, as many elements as totalElements says.
        At most `most` elements, counted as `noun` ("subscriptions", "items"; `whose`: of what, as a message
        says it); else a Pax8Error naming the request. Read it to its end: the count is checked after the
        last page."""
        where = f"GET {path}"
        total, pages, number, held = None, 1, 0, 0
        while number < pages:
            params = {**(query or {}), "page": number, "size": PAGE_SIZE}
            doc = self._call("GET", path, _Listing, params=params)
            content, elements, pages = _page(doc or _Listing(), number, where, noun, most, whose)
            if total is not None and elements != total:
                raise Pax8Error(f"{where}: the listing changed while it was read ({total}, then {elements})")
            total = elements
            if number + 1 < pages and not content:
                raise Pax8Error(f"{where}: page {number} of {pages} is empty")
            held += len(content)
            yield from content
            number += 1
        if held != total:
            raise Pax8Error(f"{where}: Pax8 counts {total} {noun}, its pages held {held}")

    def subscriptions(self, company_id: str) -> list[DistributorSubscription]:
        """Every subscription of one company, page after page (listing): as many as the listing's
        `totalElements` says, each checked (_subscription), at most MAX_SUBSCRIPTIONS; else a Pax8Error."""
        company = {"companyId": company_id}
        listed = self.listing("/subscriptions", "subscriptions", MAX_SUBSCRIPTIONS, company, whose=" of one company")
        found = [_subscription(s, company_id) for s in listed]
        _FIELDS.listed_once((s.id for s in found), "GET /subscriptions")
        return one_sku_each(found)


def one_sku_each(subscriptions: Sequence[DistributorSubscription]) -> list[DistributorSubscription]:
    """The subscriptions, those of a product (productId) whose subscriptions give two or more
    vendorSkuIds marked ambiguous (ambiguous_sku_ids, no vendor_sku_id): which Microsoft product
    their seats are is not guessed."""
    skus: dict[str, set[str]] = {}
    for sub in subscriptions:
        if sub.vendor_sku_id:
            skus.setdefault(sub.product_id.casefold(), set()).add(sub.vendor_sku_id.casefold())
    return [
        replace(s, vendor_sku_id=None, ambiguous_sku_ids=tuple(sorted(ids)))
        if len(ids := skus.get(s.product_id.casefold(), set())) > 1
        else s
        for s in subscriptions
    ]


def _path_id(sub_id: str) -> str:
    """A subscription id as it goes into a path: Pax8's ids (GUIDs) only, never a path of a plan's own."""
    if not ID.match(sub_id) or "/" in sub_id or ".." in sub_id:
        raise Pax8Error(f"{sub_id[:40]!r} is not a Pax8 subscription id")
    return sub_id


def _page(doc: _Listing, number: int, where: str, noun: str, most: int, whose: str) -> tuple[list[Any], int, int]:
    """(content, totalElements, totalPages) of page `number` of a listing (`where`: the request), checked:
    a content list, and Pax8's page object giving both totals as whole numbers, at most `most` `noun`
    (`whose`: of what), the pages they make at PAGE_SIZE, the page asked for, at most PAGE_SIZE on it."""
    content, paging = doc.content, doc.page
    if not isinstance(content, list):
        raise Pax8Error(f"{where}: the answer has no content list")
    page = shapes.convert(paging, _Paging) if isinstance(paging, Mapping) else _Paging()
    elements, pages = page.total_elements, page.total_pages
    if not _whole(elements) or not _whole(pages):
        raise Pax8Error(f"{where}: the answer's page gives no totalElements and totalPages")
    if elements > most:
        raise Pax8Error(f"{where}: {elements} {noun}, more than {most}{whose}")
    asked = number if page.number is msgspec.UNSET else page.number
    if pages != math.ceil(elements / PAGE_SIZE) or asked != number:
        shown = None if page.number is msgspec.UNSET else page.number
        raise Pax8Error(f"{where}: page {shown!r} of {pages} does not page {elements} by {PAGE_SIZE}")
    if len(content) > PAGE_SIZE:
        raise Pax8Error(f"{where}: page {number} holds {len(content)} {noun}, more than {PAGE_SIZE}")
    return content, elements, pages


def _whole(value: object) -> TypeGuard[int]:
    return is_int(value) and value >= 0
