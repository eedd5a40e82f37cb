"""The seats an MSP buys at Sherweb, read from Sherweb's Partner API (service-provider scope, read only).

    Sherweb(client_id, client_secret, subscription_key, endpoint=None)   one session for the run: its
                                        token is asked for once and reused
    .subscriptions(customer_id)         the customer's subscriptions (GET billing/subscriptions/details),
                                        each with Microsoft's SKU id from its catalog (GET
                                        customer-catalogs/{customerId}), as the records
                                        auditor.billing.distributor_seats reconciles (Pax8Subscription)

The shapes are Sherweb's published Partner API (developers.sherweb.com, "Service Provider API"): a
client-credentials token posted as a form to https://api.sherweb.com/auth/oidc/connect/token with the
scope `service-provider`; every API request carries the bearer token and the APIM subscription key in
the `Ocp-Apim-Subscription-Key` header. The subscription details answer {items: [...]}, each with its
`id`, `productName`, `sku` (Sherweb's), `quantity`, `purchaseDate` and `commitmentTerm` (its
`termEndDate`, and `renewalConfiguration.renewalDate`); the customer's catalog answers {catalogItems:
[...]}, each with its `sku` and `microsoftSkuId`, Microsoft's SKU id (the tenant's subscribedSkus
skuId), by which each subscription is matched to a tenant product.

Every field is checked as Pax8's are (auditor.billing.pax8): a count is a whole finite number in
range, a string is bounded, a date is ISO; anything else is a SherwebError, that customer's gap. A 401
asks for a new token once and tries again. The client secret is sent only in the token request's
body, the subscription key only in its header; neither is written into a message, a log or a file.
Sherweb's prices (its separate pricing endpoint) are not read: a Sherweb product's money is left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from auditor.billing.pax8 import MAX_SEATS, Pax8Subscription
from auditor.billing.untrusted import bounded_number, iso_date, json_or_empty, read_bounded, strict_json
from auditor.common.errors import console_line

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

_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}\Z")  # a GUID, or a SKU such as MS-0A-O365-BUSINESS


class SherwebError(Exception):
    """Sherweb could not be read for a customer: the reconciliation's gap, in one line."""

    def __init__(self, text: str) -> None:
        super().__init__(console_line(text))


def _refuse(where: str, what: str, value: object) -> SherwebError:
    return SherwebError(f"GET {where}: {what} {str(value)[:40]!r} is not one Sherweb sends")


def _id(raw: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    value = raw.get(key)
    if (value is None or value == "") and not required:
        return None
    if not isinstance(value, str) or not _ID.match(value):
        raise _refuse(where, f"a {key}", value)
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 400:
        raise _refuse(where, f"a {key}", value)
    return value


def _date(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    """An ISO date or date-time (Sherweb's `2027-03-17T00:00:00Z`), else None when not given."""
    value = raw.get(key)
    if value is None or value == "":
        return None
    if iso_date(value) is None:
        raise _refuse(where, f"a {key}", value)
    return str(value)


def _count(value: object, what: str, where: str) -> int:
    """A whole finite count from 0 to MAX_SEATS (bounded_number), else refused."""
    count = bounded_number(value, whole=True, most=MAX_SEATS)
    if count is None:
        raise _refuse(where, what, value)
    return int(count)


def _mapping(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _refuse(where, f"a {key}", type(value).__name__)
    return value


def _listing(doc: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    items = doc.get(key)
    if not isinstance(items, list):
        raise SherwebError(f"GET {where}: the answer has no {key} list")
    if len(items) > MAX_ITEMS:
        raise SherwebError(f"GET {where}: {len(items)} {key}, more than {MAX_ITEMS} of one customer")
    for item in items:
        if not isinstance(item, Mapping):
            raise _refuse(where, f"one of its {key}", type(item).__name__)
    return items


def catalog(doc: Mapping[str, Any]) -> dict[str, str]:
    """Sherweb's SKU -> Microsoft's SKU id, of a customer's catalog (its items that name one)."""
    where = "customer-catalogs"
    found: dict[str, str] = {}
    for item in _listing(doc, "catalogItems", where):
        sku = _id(item, "sku", where, required=True)
        microsoft = _id(item, "microsoftSkuId", where, required=False)
        if sku and microsoft:
            found[sku.casefold()] = microsoft
    return found


def subscription(raw: Mapping[str, Any], customer_id: str, skus: Mapping[str, str]) -> Pax8Subscription:
    """One subscription of Sherweb's details, every field checked, as the record the reconciliation
    reads (its `vendor_sku_id`: Microsoft's SKU id from the customer's catalog)."""
    where = "billing/subscriptions/details"
    sub_id = _id(raw, "id", where, required=True) or ""
    sku = _id(raw, "sku", where, required=True) or ""
    quantity = _count(raw.get("quantity"), f"subscription {sub_id}'s quantity", where)
    term = _mapping(raw, "commitmentTerm", where)
    renewal = _mapping(term, "renewalConfiguration", where)
    scheduled = renewal.get("scheduledQuantity")
    if scheduled is not None:
        _count(scheduled, f"subscription {sub_id}'s scheduledQuantity", where)
    return Pax8Subscription(
        id=sub_id,
        company_id=customer_id,
        product_id=sku,
        product_name=_text(raw, "productName", where),
        quantity=quantity,
        status=BILLED,
        price=None,
        currency=None,
        billing_term=_text(raw, "billingCycle", where)[:40],
        start=_date(raw, "purchaseDate", where),
        end=_date(renewal, "renewalDate", where),  # the renewal: the term's end when Sherweb gives none
        commitment_term=_text(term, "type", where)[:40] or None,
        commitment_end=_date(term, "termEndDate", where),
        vendor_sku_id=skus.get(sku.casefold()),
    )


class Sherweb:
    """Sherweb's Partner API with the MSP's client credentials and subscription key. `endpoint`: a
    stand-in serving both the token (ENDPOINT/auth/oidc/connect/token) and the API
    (ENDPOINT/service-provider/v1)."""

    def __init__(
        self, client_id: str, client_secret: str, subscription_key: str, *, endpoint: str | None = None
    ) -> None:
        self._id, self._secret, self._key = client_id, client_secret, subscription_key
        base = endpoint.rstrip("/") if endpoint else None
        self.token_url = f"{base}/auth/oidc/connect/token" if base else TOKEN_URL
        self.api_url = f"{base}/service-provider/v1" if base else API_URL
        self._http = httpx.Client(timeout=60.0)
        self._token: str | None = None
        self.token_requests = 0

    def __enter__(self) -> Sherweb:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._http.close()

    def _fetch(self, method: str, url: str, what: str, **kw: Any) -> tuple[int, bytes]:
        return read_bounded(
            self._http,
            method,
            url,
            limit=MAX_BYTES,
            too_large=lambda: SherwebError(f"{what}: the answer is over {MAX_BYTES // 2**20} MiB"),
            unreachable=lambda exc: SherwebError(f"{what}: Sherweb could not be reached: {type(exc).__name__}"),
            **kw,
        )

    def _new_token(self) -> str:
        self.token_requests += 1
        form = {"grant_type": "client_credentials", "client_id": self._id, "client_secret": self._secret}
        status, data = self._fetch("POST", self.token_url, "Sherweb's token endpoint", data=form | {"scope": SCOPE})
        if status != 200:
            raise SherwebError(
                f"Sherweb refused the client credentials (HTTP {status}): check {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}"
            )
        token = json_or_empty(data).get("access_token")
        if not isinstance(token, str) or not token:
            raise SherwebError("Sherweb's token endpoint answered without an access_token")
        return token

    def _get(self, path: str, params: Mapping[str, str], where: str) -> Mapping[str, Any]:
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._new_token()
            headers = {"Authorization": f"Bearer {self._token}", KEY_HEADER: self._key}
            status, data = self._fetch(
                "GET", f"{self.api_url}{path}", f"GET {where}", params=dict(params), headers=headers
            )
            if status == 401 and attempt == 1:  # an expired token: a new one, once
                self._token = None
                continue
            if status != 200:
                said = json_or_empty(data)
                message = console_line(str(said.get("message") or said.get("detail") or ""))[:200]
                hint = f" (check {SUBSCRIPTION_KEY_ENV})" if status in (401, 403) else ""
                raise SherwebError(f"GET {where}: HTTP {status}{': ' + message if message else ''}{hint}")
            try:
                return strict_json(data)
            except (ValueError, RecursionError) as exc:
                raise SherwebError(
                    f"GET {where}: the answer is not JSON Sherweb sends ({console_line(str(exc))[:80]})"
                ) from None
        raise SherwebError(f"GET {where}: HTTP 401 with a new token")  # pragma: no cover - the loop returns or raises

    def subscriptions(self, customer_id: str) -> list[Pax8Subscription]:
        """The customer's subscriptions, each checked and given Microsoft's SKU id from its catalog."""
        skus = catalog(self._get(f"/customer-catalogs/{customer_id}", {}, "customer-catalogs"))
        doc = self._get("/billing/subscriptions/details", {"customerId": customer_id}, "billing/subscriptions/details")
        return [subscription(s, customer_id, skus) for s in _listing(doc, "items", "billing/subscriptions/details")]
