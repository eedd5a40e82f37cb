"""A loopback stand-in of ConnectWise Manage's REST API (ConnectWise PSA, /v4_6_release/apis/3.0), as
ConnectWise's developer network shapes it, for what the auditor reads (docs/msp.md, "What the customer is
billed: the PSA"):

    GET /company/companies/{id}                     one company; 404 {code: "NotFound", message} for an
                                                    id that is none of the MSP's companies
    GET /finance/agreements?conditions=company/id=N the agreements of company N (the stand-in's one
                                                    condition; another: 400 {code: "InvalidObject"})
    GET /finance/agreements/{id}/additions          the agreement's additions, cancelled ones too (a
                                                    cancelled addition is still a record: its cancelledDate
                                                    says from when it no longer bills); 404 for an unknown
                                                    agreement
    GET /finance/agreements/{parentId}/additions/{id}  one addition, cancelled or not; 404 for an unknown one
    PATCH /finance/agreements/{parentId}/additions/{id}  a JSON Patch of the addition (ConnectWise's PATCH
                                                    takes [{op, path, value}]: ConnectWiseManageAPI's
                                                    Update-CWMAgreementAddition); this stand-in takes
                                                    `replace` of quantity (a whole number from 0) and of
                                                    effectiveDate or cancelledDate (a date-time: ConnectWise's
                                                    Addition publishes both as `date-time` strings without
                                                    `nullable`, so null is refused, 400); 200 with the
                                                    addition; 404 for an unknown one

Every listing is paged as ConnectWise pages: `page` from 1, `pageSize` 1 to 1,000 (default 25; more:
400), the `Link` header naming the next and the last page (rel="next", rel="last") while there is a
next one; a page past the last is refused (400), as a client that follows the Link header never asks it.

Every request needs ConnectWise's authentication: `Authorization: Basic base64(companyId+publicKey:
privateKey)` of the MSP's API member (else 401 {code: "Unauthorized"}) and the `clientId` header (else
400 naming it). Every write is counted in `writes` and refused with 405 unless a route takes it
(`posts`: a path -> a function of the request; `tickets` adds /service/tickets there).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from auditor_dev.commerce.server import Asked, Reply, StandIn

API_PATH = "/v4_6_release/apis/3.0"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 25


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message, "errors": None})


def _quantity(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return ""
    return "must be a number from 0"


def _date_time(value: object) -> str:
    """ConnectWise's Addition types effectiveDate and cancelledDate `string`, `format: date-time`, with no
    `nullable` (its quantity and prices are `nullable: true`): a date-time, never null."""
    if not isinstance(value, str):
        return "must be a date-time (ConnectWise's Addition does not take null here)"
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "must be a date-time"
    return "" if "T" in value else "must be a date-time"


_PATCHED: dict[str, Callable[[object], str]] = {
    "quantity": _quantity,
    "effectiveDate": _date_time,
    "cancelledDate": _date_time,
}


class ConnectWiseStandIn(StandIn):
    """ConnectWise Manage for one MSP: its API member's keys, its companies, their agreements and the
    agreements' additions (each a dict in ConnectWise's shape, served as given)."""

    contract = (
        "connectwise"  # its published types (auditor_dev/contracts/connectwise.json) hold every request and answer
    )

    def __init__(
        self,
        *,
        company_id: str,
        public_key: str,
        private_key: str,
        client_id: str,
        companies: Sequence[Mapping[str, Any]],
        agreements: Sequence[Mapping[str, Any]],
        additions: Mapping[int, Sequence[Mapping[str, Any]]],
    ) -> None:
        super().__init__(token=None)  # ConnectWise's own Basic authentication, checked in route
        user = f"{company_id}+{public_key}:{private_key}"
        self._basic = "Basic " + base64.b64encode(user.encode("utf-8")).decode("ascii")
        self.client_id = client_id
        self.companies = [dict(c) for c in companies]
        self.agreements = [dict(a) for a in agreements]
        self.additions = {int(k): [dict(a) for a in v] for k, v in additions.items()}
        self.writes: list[Asked] = []
        self.posts: dict[str, Callable[[Asked], Reply]] = {}

    def route(self, asked: Asked) -> Reply:
        if not asked.path.startswith(API_PATH + "/"):
            return _error(404, "NotFound", "Not found")
        if asked.headers.get("authorization") != self._basic:
            return _error(401, "Unauthorized", "The API member's credentials were not accepted")
        if not asked.headers.get("clientid"):
            return _error(400, "InvalidObject", "clientId header is required")
        path = asked.path[len(API_PATH) :]
        if asked.method != "GET":
            self.writes.append(asked)
            if asked.method == "PATCH":
                return self._patch(path.strip("/").split("/"), asked.body)
            post = self.posts.get(path.rstrip("/")) if asked.method == "POST" else None
            return post(asked) if post is not None else _error(405, "MethodNotAllowed", "This stand-in is read only")
        parts = path.strip("/").split("/")
        if parts[:2] == ["company", "companies"] and len(parts) == 3:
            found = [c for c in self.companies if str(c["id"]) == parts[2]]
            return (
                Reply(200, found[0]) if found else _error(404, "NotFound", f"Company recId {parts[2][:20]} not found")
            )
        if parts == ["finance", "agreements"]:
            return self._agreements(asked)
        if parts[:2] == ["finance", "agreements"] and len(parts) in (4, 5) and parts[3] == "additions":
            agreement = parts[2]
            if not any(str(a["id"]) == agreement for a in self.agreements):
                return _error(404, "NotFound", f"Agreement recId {agreement[:20]} not found")
            listed = self.additions.get(int(agreement), [])
            if len(parts) == 4:
                return self._paged(asked, listed)
            one = next((a for a in listed if str(a["id"]) == parts[4]), None)
            return Reply(200, one) if one else _error(404, "NotFound", f"Addition recId {parts[4][:20]} not found")
        return _error(404, "NotFound", "Not found")

    def _patch(self, parts: list[str], ops: object) -> Reply:
        if parts[:2] != ["finance", "agreements"] or len(parts) != 5 or parts[3] != "additions":
            return _error(405, "MethodNotAllowed", "This stand-in patches an agreement's addition only")
        listed = self.additions.get(int(parts[2])) if parts[2].isdigit() else None
        found = next((a for a in listed or [] if str(a["id"]) == parts[4]), None)
        if found is None:
            return _error(404, "NotFound", f"Addition recId {parts[4][:20]} not found")
        if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
            return _error(400, "InvalidObject", "The body must be a list of patch operations")
        for op in ops:
            field = str(op.get("path", "")).removeprefix("/")
            if op.get("op") != "replace" or field not in _PATCHED:
                return _error(400, "InvalidObject", f"this stand-in replaces an addition's {', '.join(_PATCHED)}")
            refused = _PATCHED[field](op.get("value"))
            if refused:
                return _error(400, "InvalidObject", f"{field} {refused}")
        for op in ops:
            found[str(op["path"]).removeprefix("/")] = op["value"]
        return Reply(200, found)

    def _agreements(self, asked: Asked) -> Reply:
        conditions = asked.query.get("conditions")
        if conditions is None:
            return self._paged(asked, self.agreements)
        field, _, value = conditions.replace(" ", "").partition("=")
        if field != "company/id" or not value.isdigit():
            return _error(400, "InvalidObject", f"conditions {conditions[:60]!r}: this stand-in reads company/id=N")
        # ConnectWise answers a condition that matches nothing with an empty list (the client asks for the
        # company first: an unknown one is its 404)
        return self._paged(asked, [a for a in self.agreements if str(a.get("company", {}).get("id")) == value])

    def _paged(self, asked: Asked, rows: Sequence[Mapping[str, Any]]) -> Reply:
        try:
            page = int(asked.query.get("page", "1"))
            size = int(asked.query.get("pageSize", str(DEFAULT_PAGE_SIZE)))
        except ValueError:
            return _error(400, "InvalidObject", "page and pageSize must be numbers")
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            return _error(400, "InvalidObject", f"pageSize must be between 1 and {MAX_PAGE_SIZE}, page from 1")
        last = max(1, math.ceil(len(rows) / size))
        if page > last:
            return _error(400, "InvalidObject", f"page {page} is past the last page ({last})")
        headers = {}
        if page < last:
            base = f"{self.url}{asked.path}?"
            others = {k: v for k, v in asked.query.items() if k not in ("page", "pageSize")}
            pages = [base + urlencode({**others, "pageSize": size, "page": n}) for n in (page + 1, last)]
            headers["Link"] = f'<{pages[0]}>; rel="next", <{pages[1]}>; rel="last"'
        return Reply(200, list(rows[(page - 1) * size : page * size]), headers)


# --- the sample MSP's ConnectWise (`audit --demo --tenants`) ---------------------------------------

SAMPLE_MSP = "samplemsp"  # the MSP's ConnectWise company id (the one it signs in with)
SAMPLE_PUBLIC_KEY = "Hx7sQ2pL9dKw3mYb"
SAMPLE_CLIENT_ID = "3f1c9a52-7d8e-4b61-a0c4-5e2f8d9b7a13"
SAMPLE_COMPANY = 250  # Contoso in the sample MSP's ConnectWise


def sample_connectwise() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """Contoso's agreements in the sample MSP's ConnectWise (companies, agreements, additions by
    agreement), planted to show the three-way table's differences beside the sample's Pax8 seats."""
    company = {"id": SAMPLE_COMPANY, "identifier": "ContosoLtd", "name": "Contoso Ltd."}
    other = {"id": 251, "identifier": "Northwind", "name": "Northwind Traders"}
    ref = {"id": SAMPLE_COMPANY, "identifier": "ContosoLtd", "name": "Contoso Ltd."}

    def agreement(recid: int, name: str, status: str = "Active", **more: Any) -> dict[str, Any]:
        return {
            "id": recid,
            "name": name,
            "type": {"id": 7, "name": "Managed Services"},
            "company": ref,
            "agreementStatus": status,
            "cancelledFlag": status == "Cancelled",
            "startDate": "2025-07-01T00:00:00Z",
            "noEndingDateFlag": True,
            "currency": {"id": 2, "symbol": "€", "currencyCode": "EUR", "name": "Euro"},
            **more,
        }

    def addition(
        recid: int, agreement_id: int, product: str, quantity: int, price: float, cost: float, **more: Any
    ) -> dict[str, Any]:
        return {
            "id": recid,
            "product": {"id": 400 + recid % 100, "identifier": product},
            "quantity": quantity,
            "lessIncluded": 0,
            "unitPrice": price,
            "unitCost": cost,
            "billCustomer": "Billable",
            "effectiveDate": "2025-07-01T00:00:00Z",
            "agreementId": agreement_id,
            "description": product,
            **more,
        }

    agreements = [agreement(1187, "Contoso - Microsoft 365"), agreement(1042, "Contoso - 2024 bundle", "Cancelled")]
    additions = {
        1187: [
            addition(20931, 1187, "M365-E3", 200, 33.75, 30.40),
            addition(20932, 1187, "M365-E5", 12, 47.00, 49.30),
            addition(20933, 1187, "PBI-PRO", 40, 9.40, 8.45, lessIncluded=2),
            addition(20934, 1187, "M365-BP", 5, 20.60, 18.50),  # a product the tenant does not hold
        ],
        # F1 was billed in an agreement since cancelled: no agreement bills the seats the tenant holds
        1042: [addition(18211, 1042, "M365-F1", 46, 7.50, 6.80)],
    }
    return [company, other], agreements, additions


# the tenants entry's products map: the PSA's product identifiers -> the SKU part numbers they bill
SAMPLE_PRODUCTS = {
    "M365-E3": "SPE_E3",
    "M365-E5": "SPE_E5",
    "PBI-PRO": "POWER_BI_PRO",
    "M365-BP": "SPB",
    "M365-F1": "SPE_F1",
}
