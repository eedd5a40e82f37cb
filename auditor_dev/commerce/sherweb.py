"""A loopback stand-in of Sherweb's Partner API (the service-provider scope), as Sherweb's developer
portal (developers.sherweb.com) shapes it:

    POST /auth/oidc/connect/token      the token endpoint (https://api.sherweb.com/auth/oidc/connect/token):
                                       a form body {grant_type: client_credentials, client_id,
                                       client_secret, scope: service-provider}; 200 {access_token,
                                       expires_in, token_type: "Bearer"}; wrong credentials: 400
                                       {error: "invalid_client"}; another scope: 400 {error: "invalid_scope"}
    GET  /service-provider/v1/customers                                        GetCustomers: {items: [...]},
         each Customer {id, displayName, path} (Sherweb's OpenAPI: no Microsoft tenant or domain is given)
    GET  /service-provider/v1/billing/subscriptions/details?customerId=...   {items: [...]}
    GET  /service-provider/v1/customer-catalogs/{customerId}                 {catalogItems: [...]}
    POST /service-provider/v1/billing/subscriptions/amendments?customerId=...   CreateSubscriptionsAmendment
         ({subscriptionAmendmentParameters: [{subscriptionId, newQuantity}]}, Sherweb's OpenAPI): 200
         {subscriptionsAmendmentId}, the quantities set at once; an unknown customer 404, a subscription
         not the customer's 404, a newQuantity that is not a whole number of at least 1 (our stand-in's
         floor: Sherweb's document gives int32 only) or below the subscription's committed minimal
         quantity today (Sherweb's committedMinimalQuantities) 400, a body of another shape 400; a higher
         quantity is taken (a purchase) and recorded, and a decrease that takes off seats added more than
         168 hours before is 400 (Microsoft's seven days for a quantity added: pax8.added_since)
    GET  /service-provider/v1/billing/subscriptions/amendments/{id}/status   GetSubscriptionsAmendmentStatus:
         the status as a JSON string (`amendment_status`, default "Success"); an unknown id 404

Every API request goes through Sherweb's API Management gateway: without the `Ocp-Apim-Subscription-Key`
header, or with another key, 401 {statusCode, message} as the gateway answers; then the bearer token
(this server's own, unexpired): else 401. A customer that is not the service provider's: 404. Writes
(POST, PUT, PATCH, DELETE under /service-provider) are counted in `writes`; all but the amendment are
refused with 405.
"""

from __future__ import annotations

import datetime
import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auditor_dev.commerce.pax8 import added_since
from auditor_dev.commerce.server import Asked, Reply, StandIn

SCOPE = "service-provider"
TOKEN_SECONDS = 3600
API = "/service-provider/v1"
DETAILS = f"{API}/billing/subscriptions/details"
CUSTOMERS = f"{API}/customers"
CATALOGS = f"{API}/customer-catalogs/"
AMENDMENTS = f"{API}/billing/subscriptions/amendments"
MISSING_KEY = (
    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to "
    "an API."
)
INVALID_KEY = (
    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
)


def _least(sub: Mapping[str, Any], today: datetime.date) -> int:
    """The fewest seats the subscription takes today (Sherweb's committedMinimalQuantities: "The dates
    until which the subscription quantity may be decreased down to those minimal quantities")."""
    term = sub.get("commitmentTerm") or {}
    listed = term.get("committedMinimalQuantities") if isinstance(term, Mapping) else None
    if listed is None:
        return 1
    left = [c["quantity"] for c in listed if datetime.date.fromisoformat(c["committedUntil"][:10]) >= today]
    return min(left) if left else int(sub["quantity"])


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"statusCode": status, "message": message})


class SherwebStandIn(StandIn):
    """Sherweb for one service provider: its client credentials, its APIM subscription key, and per
    customer (its id) its subscription details and its catalog, and its displayName (`customers`; by
    default "Customer N" for the N-th customer of `subscriptions`)."""

    contract = "sherweb"  # its published schema (auditor_dev/contracts/sherweb.json) holds every request and answer

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        subscription_key: str,
        subscriptions: Mapping[str, Sequence[Mapping[str, Any]]],
        catalogs: Mapping[str, Sequence[Mapping[str, Any]]],
        clock: Callable[[], float] = time.time,
        customers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(token=None)  # the tokens are this stand-in's own: issued by the token endpoint
        self.client_id, self.client_secret, self.key = client_id, client_secret, subscription_key
        self.subscriptions = {c: [dict(s) for s in subs] for c, subs in subscriptions.items()}
        self.catalogs = {c: [dict(i) for i in items] for c, items in catalogs.items()}
        given = customers if customers is not None else {c: f"Customer {n}" for n, c in enumerate(subscriptions, 1)}
        self.customers = dict(given)  # id -> displayName (a test renames one)
        self.clock = clock
        self.issued: dict[str, float] = {}  # token -> when it expires
        self.writes = 0
        self.amendments: dict[str, str] = {}  # amendment id -> its status
        self.amendment_status = "Success"  # what a new amendment's status says (a test sets another)
        self.added: dict[str, tuple[float, int]] = {}  # the seats an amendment added: Microsoft's seven days (pax8)

    def route(self, asked: Asked) -> Reply:
        if asked.path == "/auth/oidc/connect/token":
            return self._token(asked)
        if not asked.path.startswith(f"{API}/"):
            return _error(404, "Resource not found")
        key = asked.headers.get("ocp-apim-subscription-key")
        if not key:
            return _error(401, MISSING_KEY)
        if key != self.key:
            return _error(401, INVALID_KEY)
        bearer = asked.headers.get("authorization", "")
        token = bearer[7:] if bearer.startswith("Bearer ") else ""
        if token not in self.issued or self.issued[token] <= self.clock():
            return _error(401, "Unauthorized")
        if asked.method != "GET":
            self.writes += 1
            if asked.method == "POST" and asked.path == AMENDMENTS:
                return self._amend(asked)
            return _error(405, "Only CreateSubscriptionsAmendment is served")
        return self._read(asked)

    def _read(self, asked: Asked) -> Reply:
        if asked.path.startswith(f"{AMENDMENTS}/") and asked.path.endswith("/status"):
            found = self.amendments.get(asked.path[len(AMENDMENTS) + 1 : -len("/status")])
            return Reply(200, found) if found else _error(404, "Subscriptions amendment not found")
        if asked.path == CUSTOMERS:
            listed = [{"id": c, "displayName": name, "path": [name]} for c, name in self.customers.items()]
            return Reply(200, {"items": listed})
        if asked.path == DETAILS:
            customer = asked.query.get("customerId", "")
            if customer not in self.subscriptions:
                return _error(404, f"Customer '{customer}' not found")
            return Reply(200, {"items": self.subscriptions[customer]})
        if asked.path.startswith(CATALOGS):
            customer = asked.path[len(CATALOGS) :]
            if customer not in self.catalogs:
                return _error(404, f"Customer '{customer}' not found")
            return Reply(200, {"catalogItems": self.catalogs[customer]})
        return _error(404, "Resource not found")

    def _amend(self, asked: Asked) -> Reply:
        """CreateSubscriptionsAmendment, as Sherweb refuses it; the quantities are set at once."""
        customer = asked.query.get("customerId", "")
        if customer not in self.subscriptions:
            return _error(404, f"Customer '{customer}' not found")
        body = asked.body if isinstance(asked.body, dict) else {}
        wanted = body.get("subscriptionAmendmentParameters")
        if not isinstance(wanted, list) or not wanted or set(body) != {"subscriptionAmendmentParameters"}:
            return _error(400, "subscriptionAmendmentParameters is required")
        today = datetime.datetime.fromtimestamp(self.clock(), datetime.UTC).date()
        changes = []
        for item in wanted:
            if not isinstance(item, dict) or set(item) != {"subscriptionId", "newQuantity"}:
                return _error(400, "Each amendment takes a subscriptionId and a newQuantity")
            found = [s for s in self.subscriptions[customer] if s["id"] == item["subscriptionId"]]
            if not found:
                return _error(404, f"Subscription '{str(item['subscriptionId'])[:40]}' not found")
            quantity = item["newQuantity"]
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 2**31 - 1:
                return _error(400, "newQuantity must be a whole number of at least 1")
            if quantity < _least(found[0], today):
                return _error(400, "The quantity cannot be decreased below the committed minimal quantity")
            refused = added_since(
                dict(self.added), str(found[0]["id"]), int(found[0]["quantity"]), quantity, self.clock()
            )
            if refused:
                return _error(400, refused)
            changes.append((found[0], quantity))
        for sub, quantity in changes:
            added_since(
                self.added, str(sub["id"]), int(sub["quantity"]), quantity, self.clock()
            )  # an increase recorded
            sub["quantity"] = quantity
        amendment = str(uuid.uuid4())
        self.amendments[amendment] = self.amendment_status
        return Reply(200, {"subscriptionsAmendmentId": amendment})

    def _token(self, asked: Asked) -> Reply:
        form = asked.body if isinstance(asked.body, dict) else {}
        if asked.method != "POST" or form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Reply(400, {"error": "invalid_client"})
        if form.get("scope") != SCOPE:
            return Reply(400, {"error": "invalid_scope"})
        token = secrets.token_urlsafe(24)
        self.issued[token] = self.clock() + TOKEN_SECONDS
        return Reply(200, {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": "Bearer", "scope": SCOPE})

    def expire_tokens(self) -> None:
        """Every token issued so far expires now."""
        for token in self.issued:
            self.issued[token] = self.clock()


SAMPLE_SHERWEB_CLIENT = "demo-sherweb-client"
SAMPLE_SHERWEB_CUSTOMER = "5a0f2c4e-8d1b-4e3a-9c6f-7b2d1e0a9f8c"  # Fabrikam at the sample's Sherweb
# another customer of the sample MSP at Sherweb (no sample tenant's): the id a copied or mis-ordered tenants
# entry could name (auditor.vendors.mappings)
SAMPLE_OTHER_CUSTOMER = "c3e9a1d7-2b4f-4c8e-9a6d-1f7b3e5c0d92"
SAMPLE_CUSTOMERS = {SAMPLE_SHERWEB_CUSTOMER: "Fabrikam, Inc.", SAMPLE_OTHER_CUSTOMER: "Tailspin Toys"}
SAMPLE_EXCHANGE_SKU = "4b9405b0-7788-4568-add1-99614e613b69"  # Microsoft's SKU id of Exchange Online (Plan 1)
SAMPLE_POWER_BI_SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"  # Microsoft's SKU id of Power BI Pro


def sample_sherweb() -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Fabrikam's seats at Sherweb, as `audit --demo --tenants` reads them: its Exchange Online (Plan 1), one
    seat bought monthly, which the policy's spare minimum leaves short, so the plan buys one more there (issue
    108); and another customer's (SAMPLE_OTHER_CUSTOMER, no sample tenant's). (subscriptions by customer,
    catalogs by customer)."""
    exchange = {
        "id": "b7c1e2d3-0000-4000-8000-0000000000f1",
        "productName": "Exchange Online (Plan 1)",
        "description": "Exchange Online (Plan 1), monthly commitment",  # required by Sherweb's Subscription
        "sku": "MS-0C-EXO-P1-NCE-1M",
        "quantity": 1,
        "purchaseDate": "2026-05-09T00:00:00Z",
        "billingCycle": "Monthly",
        "commitmentTerm": {"type": "Monthly", "termEndDate": "2026-12-08"},
    }
    catalog = [
        {
            "sku": "MS-0C-EXO-P1-NCE-1M",
            "microsoftSkuId": SAMPLE_EXCHANGE_SKU,
            "name": {"en": "Exchange Online (Plan 1)"},
        }
    ]
    # the other customer's Power BI Pro (80 seats): what a tenants entry naming its id would read as the tenant's
    power_bi = {
        "id": "b7c1e2d3-0000-4000-8000-0000000000f2",
        "productName": "Power BI Pro",
        "sku": "MS-0B-PBI-PRO-NCE-1M",
        "quantity": 80,
        "purchaseDate": "2026-03-02T00:00:00Z",
        "billingCycle": "Monthly",
        "commitmentTerm": {"type": "Monthly", "termEndDate": "2026-12-01"},
    }
    other = [{"sku": "MS-0B-PBI-PRO-NCE-1M", "microsoftSkuId": SAMPLE_POWER_BI_SKU, "name": {"en": "Power BI Pro"}}]
    subscriptions = {SAMPLE_SHERWEB_CUSTOMER: [exchange], SAMPLE_OTHER_CUSTOMER: [power_bi]}
    return subscriptions, {SAMPLE_SHERWEB_CUSTOMER: catalog, SAMPLE_OTHER_CUSTOMER: other}
