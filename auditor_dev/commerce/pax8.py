"""A loopback stand-in of Pax8's partner API, as its published OpenAPI documents shape it
(devx.pax8.com: "Authentication Access Token API" and "PARTNER ENDPOINTS", v1):

    POST /oauth/token          the token endpoint (https://token-manager.pax8.com/oauth/token): a JSON
                               body {client_id, client_secret, audience, grant_type}; 200 {access_token,
                               expires_in: 86400, token_type: "Bearer"}; wrong credentials, a grant other
                               than client_credentials or an audience other than https://api.pax8.com:
                               401 {error: "access_denied", error_description: "Unauthorized"}
    GET  /v1/companies         the partner's companies, paged; /v1/companies/{companyId} one of them
    GET  /v1/subscriptions     the partner's subscriptions, paged (page from 0, size 1..200, default
                               10), filtered by companyId, productId, status: {content: [...], page:
                               {size, totalElements, totalPages, number}}; a companyId that is not the
                               partner's: 403 {type, message: "Invalid companyId", instance, status}
    GET  /v1/subscriptions/{subscriptionId}   one subscription, 404 "Subscription not found"
    GET  /v1/subscriptions/{subscriptionId}/history   "Get Subscription History" ("Returns a list of
                               changes for a subscription"): {content: [...]}, each entry the
                               subscription as it was (Pax8's Subscription schema with its createdDate
                               and updatedDate), newest first: the subscription as given, then one entry
                               for each update this stand-in made; 404 "Subscription not found"
    GET  /v1/invoices          the partner's invoices, paged; /v1/invoices/{invoiceId} one of them, and
                               /v1/invoices/{invoiceId}/items its items, paged ("The maximum page size
                               is 200"); an unknown invoice: 404 "Invoice not found"
    PUT  /v1/subscriptions/{subscriptionId}   "Update Subscription": {quantity} (Price, BillingTerm,
                               Quantity, StartDate: "At least one of the following fields are
                               required"); 422 for a subscription whose startDate is after the clock's
                               day ("Currently NOT supported for subscriptions with a future date") or
                               one Pax8 no longer bills, 400 for a quantity that is not a whole number
                               >= 1 or no field, 404 for an unknown id; the updated subscription. A
                               higher quantity is taken (a purchase) and recorded; a decrease that takes
                               off seats added more than 168 hours before: 422 (Microsoft's seven days
                               for a quantity added, `added_since`)
    DELETE /v1/subscriptions/{subscriptionId}?cancelDate=…   "Cancel Subscription" ("Cancels the
                               Subscription specified by subscriptionId"; cancelDate: "The date to cancel
                               the subscription on", a date-time in Pax8's schema, its example
                               2000-10-31T01:30:00.000-05:00): 204 without a body ("Successful
                               operation"), the subscription now Cancelled (its day today) or
                               PendingCancel; 404 for an unknown id ("Subscription not found"). Our
                               stand-in's own rules, Pax8's page naming no other: a cancelDate is a
                               date-time with its offset (the day it names, as written) or a plain
                               YYYY-MM-DD date, else 400, and 400 for a day before the clock's; 422
                               for a future-dated subscription (apply's precaution) or one Pax8 no
                               longer bills

A subscription is served as it is given, in Pax8's Subscription schema: `price` ("The price for the
customer."), `partnerCost` ("The price for the Partner."), `currencyCode`, and for Microsoft's
products `vendorSubscriptionId` (Microsoft's subscription id, a GUID) and `vendorSkuId`. Pax8's schema
requires neither ("The vendor's unique identifier for this subscription" / "... for the sku associated
with this subscription"); with `vendor_sku_ids=False` every subscription is served without its
vendorSkuId, named only by its vendorSubscriptionId, as Pax8 may give a Microsoft subscription (issue 116).

Every API request needs `Authorization: Bearer <token>` of a token this server issued and that has
not expired (its clock is injectable): else 401 in Pax8's error shape. Every write under /v1 is
counted in `writes` (an audit makes none); every one but the PUT and DELETE above is refused with 405.
"""

from __future__ import annotations

import datetime
import math
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auditor_dev.commerce.server import Asked, Reply, StandIn

AUDIENCE = "https://api.pax8.com"
TOKEN_SECONDS = 86400  # Pax8's tokens live 24 hours (TokenResponse.expires_in)
MAX_SIZE = 200


def _error(status: int, message: str, instance: str) -> Reply:
    kinds = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request"}
    return Reply(
        status, {"type": kinds.get(status, "Error"), "message": message, "instance": instance, "status": status}
    )


def added_since(added: dict[str, tuple[float, int]], sub_id: str, now_seats: int, to: int, clock: float) -> str:
    """Microsoft's rule for a quantity added, which Pax8 and Sherweb pass on (docs/distributors.md,
    "Purchases"): "The number of licenses on a subscription can be decreased only within the first seven days
    of when the licenses were added to the subscription". An increase is recorded in `added`; a decrease that
    takes off seats added more than 168 hours ago is refused (the message), else "" (recorded or allowed)."""
    if to > now_seats:
        added[sub_id] = (clock, now_seats)
        return ""
    when, _ = added.get(sub_id, (clock, now_seats))
    if to < now_seats and sub_id in added and clock - when > 168 * 3600:
        return "Licenses added more than seven days ago cannot be decreased until the renewal"
    return ""


def _cancel_day(value: str) -> str | None:
    """The day a cancelDate names (YYYY-MM-DD): a date-time with its offset, as Pax8's schema has it
    (2000-10-31T01:30:00.000-05:00: the day as written), or a plain date; None for anything else."""
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return day.isoformat() if day.isoformat() == value else None
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.date().isoformat() if "T" in value and when.tzinfo is not None else None


class Pax8StandIn(StandIn):
    """Pax8 for one partner: its client credentials, its companies and their subscriptions."""

    contract = "pax8"  # its published schema (auditor_dev/contracts/pax8.json) holds every request and answer

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        companies: Sequence[Mapping[str, Any]],
        subscriptions: Sequence[Mapping[str, Any]],
        clock: Callable[[], float] = time.time,
        invoices: Sequence[Mapping[str, Any]] = (),
        invoice_items: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        history: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        vendor_sku_ids: bool = True,
    ) -> None:
        super().__init__(token=None)  # the tokens are this stand-in's own: issued by /oauth/token
        self.client_id, self.client_secret = client_id, client_secret
        self.companies = [dict(c) for c in companies]
        # without vendor_sku_ids: served (and their history) without vendorSkuId, an optional field of Pax8's schema
        drop = set() if vendor_sku_ids else {"vendorSkuId"}
        self.subscriptions = [{k: v for k, v in s.items() if k not in drop} for s in subscriptions]
        # the partner's invoices (one a month for all its companies) and each one's items, by invoice id
        self.invoices = [dict(i) for i in invoices]
        self.invoice_items = {k: [dict(x) for x in v] for k, v in (invoice_items or {}).items()}
        self.clock = clock
        self._last_stamp: datetime.datetime | None = None
        # each subscription's history (Get Subscription History), oldest first: as given (`history`, as an
        # earlier stand-in left it), then each update
        given = {k: [{f: x for f, x in v.items() if f not in drop} for v in vs] for k, vs in (history or {}).items()}
        self.history: dict[str, list[dict[str, Any]]] = {
            str(s["id"]): given.get(str(s["id"])) or [{**s, "createdDate": s.get("createdDate") or self._stamp()}]
            for s in self.subscriptions
        }
        self.issued: dict[str, float] = {}  # token -> when it expires
        self.writes = 0
        # the seats each update added (when, and the quantity before): Microsoft's seven days to decrease them
        self.added: dict[str, tuple[float, int]] = {}

    def route(self, asked: Asked) -> Reply:
        if asked.path == "/oauth/token":
            return self._token(asked)
        if not asked.path.startswith("/v1/"):
            return _error(404, "Not found", asked.path)
        if asked.method != "GET":
            self.writes += 1
            if not (asked.method in ("PUT", "DELETE") and asked.path.startswith("/v1/subscriptions/")):
                return _error(405, "This stand-in is read only", asked.path)
        bearer = asked.headers.get("authorization", "")
        token = bearer[7:] if bearer.startswith("Bearer ") else ""
        if token not in self.issued or self.issued[token] <= self.clock():
            return _error(401, "Unauthorized", asked.path)
        if asked.method == "PUT":
            return self._update(asked)
        if asked.method == "DELETE":
            return self._cancel(asked)
        return self._read(asked)

    def _read(self, asked: Asked) -> Reply:
        """A GET of the API, its token checked."""
        if asked.path == "/v1/subscriptions":
            return self._subscriptions(asked)
        if asked.path.startswith("/v1/subscriptions/") and asked.path.endswith("/history"):
            versions = self.history.get(asked.path.split("/")[3])
            if versions is None:
                return _error(404, "Subscription not found", asked.path)
            return Reply(200, {"content": [dict(v) for v in reversed(versions)]})
        if asked.path.startswith("/v1/subscriptions/"):
            found = [s for s in self.subscriptions if s["id"] == asked.path.rsplit("/", 1)[1]]
            return Reply(200, found[0]) if found else _error(404, "Subscription not found", asked.path)
        if asked.path == "/v1/invoices" or asked.path.startswith("/v1/invoices/"):
            return self._invoices(asked)
        if asked.path == "/v1/companies":
            return self._paged(asked, self.companies)
        if asked.path.startswith("/v1/companies/"):
            found = [c for c in self.companies if c["id"] == asked.path.rsplit("/", 1)[1]]
            return Reply(200, found[0]) if found else _error(404, "Company not found", asked.path)
        return _error(404, "Not found", asked.path)

    def _invoices(self, asked: Asked) -> Reply:
        """List Invoices (paged), one invoice, or List Invoice Items (paged): 404 "Invoice not found"."""
        rest = asked.path.removeprefix("/v1/invoices").strip("/").split("/")
        if rest == [""]:
            return self._paged(asked, self.invoices)
        known = {i["id"] for i in self.invoices}
        if rest[0] not in known or len(rest) > 2 or (len(rest) == 2 and rest[1] != "items"):
            return _error(404, "Invoice not found", asked.path)
        if len(rest) == 1:
            return Reply(200, next(i for i in self.invoices if i["id"] == rest[0]))
        return self._paged(asked, self.invoice_items.get(rest[0], []))

    def _update(self, asked: Asked) -> Reply:
        """Update Subscription, a quantity only (what apply --distributor sends), as Pax8 refuses it."""
        found = [s for s in self.subscriptions if s["id"] == asked.path.rsplit("/", 1)[1]]
        if not found:
            return _error(404, "Subscription not found", asked.path)
        body = asked.body if isinstance(asked.body, dict) else {}
        if not {"price", "billingTerm", "quantity", "startDate"} & body.keys():
            return _error(400, "At least one of Price, BillingTerm, Quantity, StartDate is required", asked.path)
        quantity = body.get("quantity")
        if "quantity" in body and (isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1):
            return _error(400, "quantity must be a whole number of at least 1", asked.path)
        sub = found[0]
        today = self._today()
        if str(sub.get("startDate") or "")[:10] > today:
            return _error(422, "Currently NOT supported for subscriptions with a future date", asked.path)
        if sub.get("status") not in ("Active", "Activated"):
            return _error(422, f"Subscription is {sub.get('status')}", asked.path)
        if isinstance(quantity, int):  # checked above: a whole number of at least 1
            if refused := added_since(self.added, str(sub["id"]), int(sub["quantity"]), quantity, self.clock()):
                return _error(422, refused, asked.path)
            sub["quantity"] = quantity
        self._versioned(sub)
        return Reply(200, sub)

    def _stamp(self) -> str:
        """Now on the stand-in's clock, as Pax8 writes a history entry's time; never the time of the
        entry before it (a pinned clock still orders the entries)."""
        now = datetime.datetime.fromtimestamp(self.clock(), datetime.UTC)
        last = self._last_stamp
        if last is not None and now <= last:
            now = last + datetime.timedelta(milliseconds=1)
        self._last_stamp = now
        return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _versioned(self, sub: dict[str, Any]) -> None:
        """A history entry for the subscription as it is now (after an update or a cancellation)."""
        versions = self.history.setdefault(str(sub["id"]), [])
        created = (versions[0] if versions else sub).get("createdDate")
        versions.append({**sub, "createdDate": created, "updatedDate": self._stamp()})

    def _today(self) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(self.clock()))

    def _cancel(self, asked: Asked) -> Reply:
        """Cancel Subscription on its cancelDate, as Pax8 refuses it."""
        found = [s for s in self.subscriptions if s["id"] == asked.path.rsplit("/", 1)[1]]
        if not found:
            return _error(404, "Subscription not found", asked.path)
        today = self._today()
        asked_on = asked.query.get("cancelDate", today)  # none: today (the parameter is optional)
        on = _cancel_day(asked_on)
        if on is None or on < today:
            return _error(400, f"cancelDate {asked_on[:40]!r} is not a date-time from today", asked.path)
        sub = found[0]
        if str(sub.get("startDate") or "")[:10] > today:
            return _error(422, "Currently NOT supported for subscriptions with a future date", asked.path)
        if sub.get("status") not in ("Active", "Activated"):
            return _error(422, f"Subscription is {sub.get('status')}", asked.path)
        sub["status"] = "Cancelled" if on == today else "PendingCancel"
        sub["endDate"] = f"{on}T00:00:00Z"
        self._versioned(sub)
        return Reply(204)  # "Successful operation", no body

    def _token(self, asked: Asked) -> Reply:
        body = asked.body if isinstance(asked.body, dict) else {}
        if (
            asked.method != "POST"
            or body.get("grant_type") != "client_credentials"
            or body.get("audience") != AUDIENCE
            or body.get("client_id") != self.client_id
            or body.get("client_secret") != self.client_secret
        ):
            return Reply(401, {"error": "access_denied", "error_description": "Unauthorized"})
        token = secrets.token_urlsafe(24)
        self.issued[token] = self.clock() + TOKEN_SECONDS
        return Reply(200, {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": "Bearer"})

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (as one does after its 24 hours)."""
        for token in self.issued:
            self.issued[token] = self.clock()

    def _subscriptions(self, asked: Asked) -> Reply:
        company = asked.query.get("companyId")
        if company is not None and company not in {c["id"] for c in self.companies}:
            return _error(403, "Invalid companyId", asked.path)
        rows = [
            s
            for s in self.subscriptions
            if all(asked.query.get(f) in (None, s.get(f)) for f in ("companyId", "productId", "status"))
        ]
        return self._paged(asked, rows)

    def _paged(self, asked: Asked, rows: Sequence[Mapping[str, Any]]) -> Reply:
        try:
            page, size = int(asked.query.get("page", "0")), int(asked.query.get("size", "10"))
        except ValueError:
            return _error(400, "page and size must be numbers", asked.path)
        if page < 0 or not 1 <= size <= MAX_SIZE:
            return _error(400, f"size must be between 1 and {MAX_SIZE}", asked.path)
        chunk = list(rows[page * size : (page + 1) * size])
        pages = math.ceil(len(rows) / size) if rows else 0
        return Reply(
            200,
            {"content": chunk, "page": {"size": size, "totalElements": len(rows), "totalPages": pages, "number": page}},
        )


# --- the sample tenant's distributor (`audit --demo --tenants`) ---------------------------------

SAMPLE_CLIENT_ID = "demo-pax8-client"
SAMPLE_COMPANY = "6f1b0c2e-4d5a-4c1e-9b7a-2c3d4e5f6a7b"  # Contoso at the sample's distributor
SAMPLE_E3_PRODUCT = "a1e3e3e3-0000-4000-8000-0000000000e3"  # mapped to SPE_E3 in the demo's tenants entry
# the sample tenant's E3 subscription by Graph's two ids of a companySubscription, which differ: its `id`
# and its `commerceSubscriptionId` (auditor_dev/sample/sample-tenant.json)
SAMPLE_E3_IDS = {"id": "2e698e5f-a9e2-4a40-99f2-d5ff2c84fe81", "commerce": "6f5e5c0b-466f-5e80-9fe3-47c4054dd921"}
SAMPLE_E3_SKU = "05e9a617-0261-4cee-bb44-138d3ef5d965"
SAMPLE_F1_PRODUCT = "f1f1f1f1-0000-4000-8000-0000000000f1"  # mapped to SPE_F1 in the demo's tenants entry
# the sample tenant's F3 (SPE_F1) subscription and Microsoft's SKU id of it
SAMPLE_F1_VENDOR = {
    "vendorSubscriptionId": "d2969d35-df36-48fb-9e6e-383a036feab9",
    "vendorSkuId": "66b55226-6b4f-492c-910c-a3b7a3c9d993",
}


def sample_pax8(as_of: str, *, named: str = "id") -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """The sample tenant's seats at Pax8, planted to show each reconciliation finding, each at both
    prices (the customer's and the partner's): Microsoft 365 E3 billed above the enabled seats (matched
    to its Microsoft subscription by Pax8's vendor ids), E5 matched by its name only with a
    commitment ending, Power BI Pro billed below, and a product that is not Microsoft's. (companies,
    subscriptions, the tenants entry's products map). `named`: which of Graph's two ids of the E3
    subscription Pax8's vendorSubscriptionId gives, "id" or "commerce" (its commerceSubscriptionId)."""
    company = _sample_company(SAMPLE_COMPANY, "Contoso")
    sub = _sample_sub
    del as_of  # the sample's dates are fixed, as the tenant's are
    # the vendor's ids Pax8 gives the sample's E3: the sample tenant's E3 subscription and Microsoft's SKU
    # id, so its seats are matched to that subscription
    vendor = {"vendorSubscriptionId": SAMPLE_E3_IDS[named], "vendorSkuId": SAMPLE_E3_SKU}
    subscriptions = [
        sub(1, SAMPLE_E3_PRODUCT, "Microsoft 365 E3", 210, 33.75, 30.40, **vendor),
        sub(
            2,
            "b2e5e5e5-0000-4000-8000-0000000000e5",
            "Microsoft 365 E5",
            12,
            54.75,
            49.30,
            billingTerm="Annual",
            commitmentTerm={
                "id": "c0000000-0000-4000-8000-000000000001",
                "term": "1-Year",
                "endDate": "2027-03-17T00:00:00Z",
            },
        ),
        sub(3, "c3b1b1b1-0000-4000-8000-0000000000b1", "Power BI Pro", 30, 9.40, 8.45),
        sub(4, "d4ac0000-0000-4000-8000-0000000000ac", "Acronis Cyber Protect Cloud", 40, 4.10, 3.20),
        # cancelled, its endDate passed (as the stand-in's DELETE leaves one): not billed (Pax8 bills by the dates)
        sub(
            5,
            SAMPLE_E3_PRODUCT,
            "Microsoft 365 E3",
            5,
            33.75,
            30.40,
            status="Cancelled",
            endDate="2026-09-18T00:00:00Z",
        ),
    ]
    return [company], subscriptions, {SAMPLE_E3_PRODUCT: "SPE_E3"}


def sample_pax8_f3() -> tuple[dict[str, Any], dict[str, str]]:
    """Contoso's Microsoft 365 F3 at Pax8 in `audit --demo --tenants` (issue 108): named by Pax8's vendor ids,
    49 seats, which the many-tenant demo's policy (three spare) leaves short after the plan, so the plan buys
    the seats here. (the subscription, its line of the tenants entry's products map)."""
    return _sample_sub(6, SAMPLE_F1_PRODUCT, "Microsoft 365 F3", 49, 2.25, 2.03, **SAMPLE_F1_VENDOR), {
        SAMPLE_F1_PRODUCT: "SPE_F1"
    }


def _sample_company(company_id: str, name: str) -> dict[str, Any]:
    """A company of the sample partner's at Pax8, with every field Pax8's Company schema requires."""
    return {
        "id": company_id,
        "name": name,
        "address": {"street": "1 Sample Street", "city": "Amsterdam", "postalCode": "1011 AB", "country": "NL"},
        "phone": "+31 20 000 0000",
        "website": f"https://{name.lower()}.example",
        "billOnBehalfOfEnabled": False,
        "selfServiceAllowed": False,
        "orderApprovalRequired": False,
        "status": "Active",
    }


def _sample_sub(
    n: int, product: str, name: str, quantity: int, price: float, cost: float, **more: Any
) -> dict[str, Any]:
    """One of the sample company's subscriptions at Pax8, at both prices."""
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "companyId": SAMPLE_COMPANY,
        "productId": product,
        "productName": name,
        "quantity": quantity,
        "startDate": "2026-03-18T00:00:00Z",
        "createdDate": "2026-03-17T00:00:00Z",
        "billingStart": "2026-03-18",
        "status": "Active",
        "price": price,
        "partnerCost": cost,
        "currencyCode": "EUR",
        "billingTerm": "Monthly",
        **more,
    }


# Northwind, the demo's Halo customer, at the sample's distributor (`audit --demo --tenants`): its seats came to
# Pax8 on 1 November, so the October invoice has none of them. Each subscription names its Microsoft
# subscription by Pax8's vendor ids (Northwind's tenant is the sample tenant's under another id), so its
# tenants entry maps no product. The three-way table it gives, against Microsoft's enabled seats and Halo's
# recurring invoice (halo.sample_halo): Power BI Pro, 34 seats at all three; E3, 205 where Microsoft counts
# 204, which Halo's Pax8 sync bills the customer; E5, 12 where Halo's line, kept by hand, bills 7; F3, 49
# seats that no line bills.
SAMPLE_NORTHWIND = "3a9c5e71-2b8d-4f06-a1e4-7d0b6c2f9e58"
NORTHWIND_COMPANY = _sample_company(SAMPLE_NORTHWIND, "Northwind")
_NORTHWIND = {"companyId": SAMPLE_NORTHWIND, "startDate": "2026-11-01T00:00:00Z",
              "createdDate": "2026-10-30T00:00:00Z", "billingStart": "2026-11-01"}  # fmt: skip
NORTHWIND_PAX8 = [
    _sample_sub(11, SAMPLE_E3_PRODUCT, "Microsoft 365 E3", 205, 33.75, 30.40, **_NORTHWIND,
                vendorSubscriptionId=SAMPLE_E3_IDS["id"], vendorSkuId=SAMPLE_E3_SKU),
    _sample_sub(12, "b2e5e5e5-0000-4000-8000-0000000000e5", "Microsoft 365 E5", 12, 54.75, 49.30, **_NORTHWIND,
                vendorSubscriptionId="ea015583-19c1-4c26-8647-ebd16bec1ab7",
                vendorSkuId="06ebc4ee-1bb5-47dd-8120-11324bc54e06"),
    _sample_sub(13, "c3b1b1b1-0000-4000-8000-0000000000b1", "Power BI Pro", 34, 9.40, 8.45, **_NORTHWIND,
                vendorSubscriptionId="6bfa1535-2f4d-4051-8d52-84b5dcc98e43",
                vendorSkuId="f8a1db68-be16-40ed-86d5-cb42ce701560"),
    _sample_sub(14, SAMPLE_F1_PRODUCT, "Microsoft 365 F3", 49, 2.25, 2.03, **_NORTHWIND, **SAMPLE_F1_VENDOR),
]  # fmt: skip


SAMPLE_INVOICE = "7c1d2e3f-4a5b-4c6d-8e7f-900000000011"  # the sample partner's invoice of the sample's month


def sample_pax8_invoice(
    subscriptions: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The sample partner's invoice at Pax8 (October's, generated on the 5th: demo.CLOCK, 1 November, is
    before November's is generated, so `latest` is this one), its items Contoso's seats as
    the sample's subscriptions (or `subscriptions`) bill them, each at the partner's cost (costTotal) and the
    customer's price (subTotal): (invoices, items by invoice id)."""
    if subscriptions is None:
        _, subscriptions, _ = sample_pax8("")
    invoice = {
        "id": SAMPLE_INVOICE,
        "invoiceDate": "2026-10-05",  # the 5th: Pax8 generates a month's final invoice then (docs/msp.md)
        "dueDate": "2026-11-04",  # (no status: Pax8's Invoice schema gives none; its balance says what is owed)
        "balance": 0.0,
        "partnerName": "Sample MSP",
        "total": 0.0,
        "currencyCode": "EUR",
    }
    items = []
    for n, sub in enumerate(s for s in subscriptions if s["status"] == "Active"):
        cost, price, quantity = sub["partnerCost"], sub["price"], sub["quantity"]
        items.append(
            {
                "id": f"1{n:07d}-0000-4000-8000-000000000011",
                "type": "subscription",
                "companyId": sub["companyId"],
                "companyName": "Contoso",
                "subscriptionId": sub["id"],
                "productId": sub["productId"],
                "productName": sub["productName"],
                "chargeType": "per",  # Pax8's enum: flat or per (a seat)
                "term": "Monthly",
                "startPeriod": "2026-10-01",
                "endPeriod": "2026-10-31",
                "quantity": quantity,
                "price": price,
                "cost": cost,
                "costTotal": round(cost * quantity, 2),
                "subTotal": round(price * quantity, 2),
                "total": round(price * quantity, 2),
                "currencyCode": "EUR",
            }
        )
    invoice["total"] = invoice["balance"] = round(sum(i["costTotal"] for i in items), 2)
    return [invoice], {SAMPLE_INVOICE: items}
