"""A loopback stand-in of Autotask's REST API (/atservicesrest/v1.0), as Autotask's developer help shapes
it, for what the auditor reads (docs/msp.md, "What the customer is billed: the PSA"):

    GET /zoneInformation?user=U          {zoneName, url, webUrl, ci}: this server's own URL as the zone's
    GET /Companies/{id}                  {item: {...}}; an id that is none of the MSP's: {item: null}
    GET /Currencies/{id}                 likewise, of the MSP's currencies (its internal one and others)
    GET /Contracts/query?search=...      {items: [...], pageDetails: {count, requestCount, prevPageUrl,
    GET /ContractServices/query?...       nextPageUrl}}; the search's `filter` of `eq` and `noteq` conditions on the
    GET /ContractServiceUnits/query?...   entity's fields (another operator: 400 {errors: [...]}), its
    GET /Currencies/query?...
                                         MaxRecords 1..500 (more: 400); a next page at nextPageUrl
                                         (`page` of this stand-in's own), a page past the last: 400
    POST /ContractServiceAdjustments     a ContractServiceAdjustmentModel (its swagger's names as Autotask's
                                         JSON camel-cases them: contractID, contractServiceID, unitChange,
                                         effectiveDate; the only write of a
                                         contract service's units the REST swagger has): kept, append-only,
                                         in `adjustments`, and its unitChange added to the units of every
                                         ContractServiceUnit of that contract service whose period starts
                                         on or after the effectiveDate; 200 {itemId}; a contract service
                                         none of the contract's, or units that would go below 0: 500 {errors}

Every request needs Autotask's API user headers ApiIntegrationCode, UserName and Secret of the MSP's
user (else 401 {errors: [...]}); every write is counted in `writes`, any other than the adjustment refused
with 405.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from auditor_dev.commerce.server import Asked, Reply, StandIn

API_PATH = "/atservicesrest/v1.0"
MAX_RECORDS = 500


def _errors(status: int, *errors: str) -> Reply:
    return Reply(status, {"errors": list(errors)})


def _same(field: object, value: object) -> bool:
    """An `eq` condition: the field's value, a true/false one only a true/false value's (1 is no true)."""
    return field == value and isinstance(field, bool) == isinstance(value, bool)


class AutotaskStandIn(StandIn):
    """Autotask for one MSP: its API user, its currencies, its companies, their contracts, the contracts'
    services (a seat's price and cost) and their service units (the seats of each period)."""

    contract = "autotask"  # its published schema (auditor_dev/contracts/autotask.json) holds every request and answer

    def __init__(
        self,
        *,
        integration_code: str,
        username: str,
        secret: str,
        companies: Sequence[Mapping[str, Any]],
        contracts: Sequence[Mapping[str, Any]],
        services: Sequence[Mapping[str, Any]],
        units: Sequence[Mapping[str, Any]],
        currencies: Sequence[Mapping[str, Any]],
    ) -> None:
        super().__init__(token=None)  # Autotask's own headers, checked in route
        self.keys = {"apiintegrationcode": integration_code, "username": username, "secret": secret}
        self.items = {"Companies": [dict(c) for c in companies], "Currencies": [dict(c) for c in currencies]}
        self.entities = {
            "Contracts": [dict(c) for c in contracts],
            "ContractServices": [dict(s) for s in services],
            "ContractServiceUnits": [dict(u) for u in units],
            "Currencies": self.items["Currencies"],
        }
        self.writes = 0
        self.adjustments: list[dict[str, Any]] = []

    def route(self, asked: Asked) -> Reply:
        if not asked.path.lower().startswith(API_PATH):
            return _errors(404, "Not found")
        path = asked.path[len(API_PATH) :]
        if path == "/zoneInformation":  # asked before the user is known: no keys needed
            return Reply(
                200, {"zoneName": "Stand-in", "url": f"{self.url}/ATServicesRest/", "webUrl": self.url, "ci": 0}
            )
        if any(asked.headers.get(k) != v for k, v in self.keys.items()):
            return _errors(401, "Unauthorized: the API user's credentials were not accepted")
        if asked.method != "GET":
            self.writes += 1
            if asked.method == "POST" and path == "/ContractServiceAdjustments":
                return self._adjust(asked.body)
            return _errors(405, "This stand-in is read only")
        parts = path.strip("/").split("/")
        if parts[0] in self.items and len(parts) == 2 and parts[1] != "query":
            found = [c for c in self.items[parts[0]] if str(c["id"]) == parts[1]]
            return Reply(200, {"item": found[0] if found else None})
        if len(parts) == 2 and parts[1] == "query" and parts[0] in self.entities:
            return self._query(asked, parts[0])
        return _errors(404, "Not found")

    def _adjust(self, body: object) -> Reply:
        """An adjustment: its unitChange added to the units of each period of the contract service that starts
        on or after its effectiveDate (Autotask prorates a change inside a period; this stand-in bills the
        period it starts on whole, the day apply --psa sends: a period's first)."""
        given = body if isinstance(body, dict) else {}
        contract, service, change = given.get("contractID"), given.get("contractServiceID"), given.get("unitChange")
        day = str(given.get("effectiveDate") or "")[:10]
        known = [s for s in self.entities["ContractServices"] if s["id"] == service and s["contractID"] == contract]
        if not known or not isinstance(change, int) or len(day) != 10:
            return _errors(500, "contractServiceID: the contract service is none of the contract's")
        units = [u for u in self.entities["ContractServiceUnits"] if u["contractServiceID"] == service]
        changed = [u for u in units if str(u["startDate"])[:10] >= day]
        if any(u["units"] + change < 0 for u in changed):
            return _errors(500, "unitChange: the units would go below 0")
        (listed,) = known
        each = listed["internalCurrencyAdjustedPrice"] or listed["unitPrice"]
        for u in changed:
            u["units"] += change
            u["price"], u["cost"] = round(u["units"] * each, 2), round(u["units"] * listed["unitCost"], 2)
        item = 77000 + len(self.adjustments) + 1
        self.adjustments.append({"id": item, **given})
        return Reply(200, {"itemId": item})

    def _query(self, asked: Asked, entity: str) -> Reply:
        try:
            search = json.loads(asked.query.get("search", "{}"))
            page = int(asked.query.get("page", "1"))
        except ValueError:
            return _errors(400, "search is not a JSON object")
        filters = search.get("filter") if isinstance(search, dict) else None
        size = search.get("MaxRecords", MAX_RECORDS) if isinstance(search, dict) else MAX_RECORDS
        if not isinstance(filters, list) or not isinstance(size, int) or not 1 <= size <= MAX_RECORDS:
            return _errors(400, f"search needs a filter list and MaxRecords of 1 to {MAX_RECORDS}")
        rows = self.entities[entity]
        for condition in filters:
            if not isinstance(condition, dict) or condition.get("op") not in ("eq", "noteq"):
                return _errors(400, "this stand-in reads eq and noteq conditions only")
            value, keep = condition.get("value"), condition.get("op") == "eq"
            rows = [r for r in rows if _same(r.get(str(condition.get("field"))), value) == keep]
        last = max(1, math.ceil(len(rows) / size))
        if not 1 <= page <= last:
            return _errors(400, f"page {page} is past the last page ({last})")
        chunk = rows[(page - 1) * size : page * size]
        following = (
            f"{self.url}{API_PATH}/{entity}/query?" + urlencode({"search": asked.query["search"], "page": page + 1})
            if page < last
            else None
        )
        previous = None if page == 1 else f"{self.url}{API_PATH}/{entity}/query?page={page - 1}"
        details = {"count": len(chunk), "requestCount": size, "prevPageUrl": previous, "nextPageUrl": following}
        return Reply(200, {"items": chunk, "pageDetails": details})


# --- the sample MSP's Autotask (`audit --demo --tenants`) ------------------------------------------

SAMPLE_INTEGRATION_CODE = "QZ7XK3M9PLR2TW5VBN8HJD4CSYE"  # a 27-character tracking identifier, as Autotask's are
SAMPLE_USERNAME = "license-auditor@samplemsp.example"
SAMPLE_COMPANY = 29684712  # Fabrikam in the sample MSP's Autotask
SAMPLE_OTHER_COMPANY = 29684713  # Tailspin Toys there: no sample tenant's


@dataclass(frozen=True)
class SampleAutotask:
    """The sample MSP's Autotask: what the stand-in serves, by its constructor's arguments."""

    companies: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    services: list[dict[str, Any]]
    units: list[dict[str, Any]]
    currencies: list[dict[str, Any]]


def sample_autotask() -> SampleAutotask:
    """Fabrikam's recurring service contract in the sample MSP's Autotask (its euro, internal currency
    too), planted to show the differences a customer without a distributor read can show."""
    euro = {"id": 1, "name": "EUR", "description": "Euro", "exchangeRate": 1.0}  # (its displaySymbol: a picklist id)
    dollar = {"id": 2, "name": "USD", "description": "US Dollar", "exchangeRate": 1.08}
    currencies = [{**euro, "isActive": True, "isInternalCurrency": True}, {**dollar, "isInternalCurrency": False}]
    companies = [
        {"id": SAMPLE_COMPANY, "companyName": "Fabrikam, Inc.", "isActive": True, "currencyID": 1},
        # another customer of the sample MSP (no sample tenant's): the id a mis-ordered tenants entry could name
        {"id": SAMPLE_OTHER_COMPANY, "companyName": "Tailspin Toys", "isActive": True, "currencyID": 1},
    ]
    contract = {
        "id": 29684801,
        "companyID": SAMPLE_COMPANY,
        "contractName": "Fabrikam Managed Microsoft 365",
        "contractType": 7,  # Recurring Service
        "status": 1,
        "startDate": "2025-09-01T00:00:00Z",
        "endDate": "2027-08-31T00:00:00Z",
    }
    old = {**contract, "id": 29684790, "contractName": "Fabrikam 2024", "status": 0}
    # a seat's price, its adjusted price (E3's discounted from 36.00; in the internal currency, the euro), its cost
    seats: dict[int, tuple[float, float | None, float]] = {28: (36.0, 34.1, 30.4), 29: (8.0, None, 8.45)}
    seats[35] = (20.6, None, 18.5)
    services: list[dict[str, Any]] = [
        {"id": 3120 + service, "contractID": 29684801, "serviceID": service, "unitPrice": listed}
        | {"internalCurrencyAdjustedPrice": adjusted, "unitCost": cost, "invoiceDescription": None}
        for service, (listed, adjusted, cost) in seats.items()
    ]

    def unit(n: int, service: int, units: int, start: str, end: str) -> dict[str, Any]:
        listed, adjusted, cost = seats[service]
        return {
            "id": 48213000 + n,
            "contractID": 29684801,
            "contractServiceID": 3120 + service,
            "serviceID": service,
            "startDate": f"{start}T00:00:00Z",
            "endDate": f"{end}T00:00:00Z",
            "units": units,
            "price": round(units * (listed if adjusted is None else adjusted), 2),  # the period's, for its units
            "cost": round(units * cost, 2),
            "approveAndPostDate": None,
        }

    units = [
        unit(1, 28, 42, "2026-10-01", "2026-10-31"),
        unit(2, 28, 45, "2026-11-01", "2026-11-30"),  # 45 billed, 40 held; 34.10 a seat, adjusted from 36.00
        unit(3, 29, 2, "2026-11-01", "2026-11-30"),  # below its cost, and held by nobody
        unit(4, 35, 3, "2026-11-01", "2026-11-30"),  # a product Fabrikam does not hold
    ]
    return SampleAutotask(companies, [contract, old], services, units, currencies)


SAMPLE_PRODUCTS = {str(v): k for k, v in {"SPE_E3": 28, "POWER_BI_PRO": 29, "SPB": 35}.items()}
