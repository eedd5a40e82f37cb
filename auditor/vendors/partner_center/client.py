"""A CSP customer's subscriptions, through Partner Center's REST API (app-only where Partner Center
allows it; one partner credential serves every customer).

    read_subscriptions(session, customer)           GET /v1/customers/{customer}/subscriptions, every
                                                    page (links.next with its MS-ContinuationToken)
    get_subscription / update_subscription          one subscription, re-read or PATCHed (apply --commerce)
    next_term_product(offer, cycle, term)           scheduledNextTermInstructions.product for a renewal
                                                    that keeps the subscription's own offer and term
    scheduled_product(session, customer, sub)       the same, as "Schedule changes for a new commerce
                                                    subscription" builds it: from the transition
                                                    eligibilities of type `scheduled` got now
                                                    (availability ids "can change over time")

The session spaces its requests to one customer at least 60/500 s apart (500 a minute: this tool's
own figure, no current Microsoft page states it; docs/bill.md) and honours a 429's Retry-After. One
session may serve many customers' audits at once (`audit --tenants`: one partner credential for
every customer), each in its own thread: the spacing is kept per customer under a lock. Its
error body is {"code", "description", ...}: a refusal is named by its status and `code` only, never
the description (auditor.billing.untrusted.refusal: an answer may echo the request; the bearer token
is taken out of every answer as it is read); any failure is a BillingSourceError (a gap in the bill),
an answer that is not strict JSON too (nested past any shape Partner Center documents, a key given
twice: auditor.billing.untrusted, which the distributors' client reads through as well).
The identity needs the Partner Center role Admin agent, which reads and changes customers'
subscriptions (docs/bill.md; whether Sales agent may read them was not confirmed on Microsoft's pages).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin

import msgspec
from azure.core.credentials import TokenCredential

from auditor.billing.arm import BillingSourceError
from auditor.billing.commerce_records import PartnerSession, PartnerSubscription, ProductTerm, next_term_product
from auditor.billing.untrusted import JsonObject
from auditor.common import shapes
from auditor.vendors.client import VendorClient

PARTNER_CENTER_ENDPOINT = "https://api.partnercenter.microsoft.com"
SCOPE = "https://api.partnercenter.microsoft.com/.default"
PER_MINUTE = 500  # requests a minute per customer: this tool's own spacing (docs/bill.md), not Microsoft's
RETRIES = 3
MAX_PAGES = 1000
MAX_BYTES = 16 * 2**20  # one answer: a page of a customer's subscriptions takes a few hundred KiB


class PartnerCenter(VendorClient):
    """An HTTP session to Partner Center with the partner's credential, on the one client base
    (auditor.vendors.client.VendorClient: the session, the bounded read, the strict JSON). Its token
    is the credential's (azure-identity keeps and renews it), asked for at each request."""

    vendor = "Partner Center"
    error = BillingSourceError
    max_bytes = MAX_BYTES

    def __init__(
        self,
        credential: TokenCredential,
        endpoint: str | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
    ) -> None:
        super().__init__((endpoint or PARTNER_CENTER_ENDPOINT).rstrip("/"), timeout=timeout)
        self.endpoint = self.api_url  # the API's site, as the partner's session names it
        self._credential = credential
        self._sleep = sleep
        self._last: dict[str, float] = {}  # customer -> when its latest request was (to be) sent
        self._lock = threading.Lock()

    def unreachable(self, what: str, exc: Exception) -> Exception:
        return BillingSourceError(f"{what}: {type(exc).__name__}")

    def not_json(self, where: str, exc: ValueError) -> Exception:
        return BillingSourceError(f"{where}: the answer is not JSON ({' '.join(str(exc).split())[:80]})")

    def _pace(self, customer: str) -> None:
        with self._lock:  # take the customer's next slot; wait for it outside the lock
            now = time.monotonic()
            slot = max(now, self._last.get(customer, float("-inf")) + 60.0 / PER_MINUTE)
            self._last[customer] = slot
        if slot > now:
            self._sleep(slot - now)

    def request(
        self, method: str, path: str, customer: str, *, headers: Mapping[str, str] | None = None, body: Any = None
    ) -> Any:
        """One call (paced, retried on 429 after Retry-After); its JSON (strict, its body read up to
        MAX_BYTES: auditor.billing.untrusted), or a BillingSourceError naming the request."""
        url = urljoin(self.api_url + "/", path.lstrip("/"))
        said = f"Partner Center {method} {path}"
        for attempt in range(RETRIES + 1):
            self._pace(customer)
            try:
                token = self._credential.get_token(SCOPE).token
            except Exception as exc:  # the credential's own failure (azure-identity raises its own errors)
                raise BillingSourceError(f"Partner Center: no token: {' '.join(str(exc).split())[:200]}") from None
            sent = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
            answer = self.fetch(method, url, said, json=body, headers=sent)
            if answer.status == 429 and attempt < RETRIES:
                self._sleep(_retry_after(answer.headers))
                continue
            if answer.status >= 400:
                raise self.refused(said, answer)
            return self.decode(answer.body, said)
        raise BillingSourceError(f"{said}: still throttled after {RETRIES} retries", 429)


def _retry_after(headers: Mapping[str, str]) -> float:
    try:
        return min(60.0, max(0.0, float(headers.get("Retry-After") or 1)))
    except ValueError:
        return 1.0


def read_subscriptions(pc: PartnerSession, customer: str) -> list[PartnerSubscription]:
    """Every subscription of `customer` (a Collection, paged with continuation tokens), each decoded
    into the fields the bill reads (a PartnerSubscription)."""
    path = f"/v1/customers/{customer}/subscriptions"
    headers: dict[str, str] = {}
    items: list[PartnerSubscription] = []
    for _ in range(MAX_PAGES):
        page = pc.request("GET", path, customer, headers=headers)
        if not isinstance(page, dict):
            raise BillingSourceError(f"Partner Center {path}: not a collection")
        try:
            listed = [i for i in page.get("items") or [] if isinstance(i, dict)]
            items.extend(shapes.convert(i, PartnerSubscription) for i in listed)
        except msgspec.ValidationError as exc:
            raise BillingSourceError(f"Partner Center {path}: not a subscription it sends ({exc})") from None
        nxt = (page.get("links") or {}).get("next")
        if not isinstance(nxt, dict) or not nxt.get("uri"):
            return items
        path = str(nxt["uri"])
        headers = {str(h.get("key")): str(h.get("value")) for h in nxt.get("headers") or [] if isinstance(h, dict)}
    raise BillingSourceError(f"Partner Center /v1/customers/{customer}/subscriptions: more than {MAX_PAGES} pages")


def _subscription(doc: object, sub_id: object) -> JsonObject:
    """The answer to a request of one subscription: a JSON object, else a BillingSourceError naming it."""
    if not isinstance(doc, dict):
        raise BillingSourceError(f"Partner Center subscription {sub_id}: not a subscription")
    return doc


def get_subscription(pc: PartnerSession, customer: str, sub_id: str) -> JsonObject:
    return _subscription(pc.request("GET", f"/v1/customers/{customer}/subscriptions/{sub_id}", customer), sub_id)


def update_subscription(pc: PartnerSession, customer: str, subscription: JsonObject) -> JsonObject:
    """PATCH the whole subscription resource (Partner Center's update takes the resource as read, changed)."""
    sub_id = subscription["id"]
    doc = pc.request("PATCH", f"/v1/customers/{customer}/subscriptions/{sub_id}", customer, body=dict(subscription))
    return _subscription(doc, sub_id)


def scheduled_product(pc: PartnerSession, customer: str, subscription: JsonObject) -> ProductTerm:
    """scheduledNextTermInstructions.product that renews `subscription` (as re-read) into its own
    product, SKU, term and billing cycle, with the availability Partner Center offers now: "Schedule
    changes for a new commerce subscription" gets the transition eligibilities of eligibility type
    `scheduled` first, and "Subscription resources" says availability ids "can change over time".
    A BillingSourceError when no eligible scheduled transition keeps its product and SKU."""
    own = next_term_product(
        subscription.get("offerId"), subscription.get("billingCycle"), subscription.get("termDuration")
    )
    sub_id = str(subscription.get("id") or "")
    if own is None:
        raise BillingSourceError(f"Partner Center subscription {sub_id}: its offerId does not name its product")
    doc = pc.request(
        "GET",
        f"/v1/customers/{customer}/subscriptions/{sub_id}/transitioneligibilities?eligibilityType=scheduled",
        customer,
    )
    for item in (doc.get("items") or []) if isinstance(doc, dict) else []:
        parts = str((item or {}).get("catalogItemId") or "").split(":")
        eligible = any(isinstance(e, dict) and e.get("isEligible") is True for e in item.get("eligibilities") or [])
        if len(parts) == 3 and all(parts) and parts[:2] == [own.productId, own.skuId] and eligible:
            return msgspec.structs.replace(own, availabilityId=parts[2])
    raise BillingSourceError(
        f"Partner Center subscription {sub_id}: no eligible scheduled transition keeps "
        f"{own.productId}:{own.skuId} (transition eligibilities of type scheduled)"
    )
