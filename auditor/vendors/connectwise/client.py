"""What the MSP bills a customer in ConnectWise Manage (ConnectWise PSA): the customer's active agreements
and their additions, read only (docs/msp.md, "What the customer is billed: the PSA").

    ConnectWise(credentials, endpoint=None)     one session for the run; its keys from the environment
                                                (credentials(env): CW_COMPANY_ID, CW_PUBLIC_KEY,
                                                CW_PRIVATE_KEY, CW_CLIENT_ID)
    .request(method, path, query, body)         one request of the REST API (auditor.vendors.psa_client:
                                                reads, and `tickets`' POST /service/tickets)
    .pages(path, query)                         every record of a listing, page after page
    .company(id)                                GET /company/companies/{id}: the company exists (404: the
                                                tenants entry names no company of the MSP's)
    .agreements(company_id)                     GET /finance/agreements?conditions=company/id={id}
    .additions(agreement_id)                    GET /finance/agreements/{id}/additions
    .lines(company_id, on)                      the additions of its active agreements billing on that day

Authentication is ConnectWise's for an API member: HTTP Basic with the user name `companyId+publicKey`
and the private key as its password, and the `clientId` header ("The ConnectWise ClientID is a required
header that must be included with all API Requests", developer.connectwise.com). Paging is
ConnectWise's: `page` from 1 and `pageSize` up to 1,000 ("We have set a hard limit of 1,000 records"),
the answer's `Link` header naming the next page (rel="next") while there is one; the client asks for
page n+1 itself (never a URL an answer gives) and stops where no next page is named.

An addition is read by the fields ConnectWise's Addition model gives (product.identifier, quantity,
lessIncluded, unitPrice, unitCost, billCustomer: Billable, DoNotBill or NoCharge, effectiveDate,
cancelledDate), each checked: a quantity that is not a whole number of seats, a price that is not a
finite number from 0, a date that is not a date, a listing past MAX_LINES, one id listed twice: each
is a ConnectWiseError, that customer's gap.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec

from auditor.billing.psa_records import PsaLine
from auditor.formats.bill_model import CommerceChange
from auditor.vendors.protocols import PsaError
from auditor.vendors.psa_client import MAX_LINES, MAX_SEATS, PsaClient, env_keys, fields

API_URL = "https://api-na.myconnectwise.net"  # ConnectWise's cloud (North America); --connectwise-endpoint: another
API_PATH = "/v4_6_release/apis/3.0"
PAGE_SIZE = 1000  # ConnectWise's largest page
MAX_PAGES = 50
COMPANY_ID_ENV = "CW_COMPANY_ID"
PUBLIC_KEY_ENV = "CW_PUBLIC_KEY"
PRIVATE_KEY_ENV = "CW_PRIVATE_KEY"  # the API member's private key: an environment variable, never a file
CLIENT_ID_ENV = "CW_CLIENT_ID"
BILL_CUSTOMER = ("Billable", "DoNotBill", "NoCharge")  # the Addition's billCustomer values
_NEXT = re.compile(r'<[^>]*>\s*;\s*rel="?next"?', re.IGNORECASE)
_Record = TypeVar("_Record", bound=msgspec.Struct)


class Reference(msgspec.Struct, frozen=True):
    """ConnectWise's reference to a record (CompanyReference, ProductReference, CurrencyReference) by
    the fields read; each value untrusted, checked where it is read (auditor.vendors.psa_client)."""

    id: object = None
    name: object = None
    identifier: object = None  # a product's
    # a currency's ISO 4217 code: CurrencyReference's `currencyCode` (ConnectWise publishes no `isoCode`)
    currencyCode: object = None


class Agreement(msgspec.Struct, frozen=True):
    """An agreement of GET /finance/agreements (ConnectWise's Agreement model) by the fields read."""

    id: object = None
    name: object = None
    company: Reference | None = None
    agreementStatus: object = None
    cancelledFlag: object = None
    currency: Reference | None = None
    startDate: object = None
    endDate: object = None
    noEndingDateFlag: object = None


class Addition(msgspec.Struct, frozen=True):
    """An addition of GET /finance/agreements/{id}/additions (ConnectWise's Addition model) by the fields read."""

    id: object = None
    product: Reference | None = None
    billCustomer: object = None
    quantity: object = None
    lessIncluded: object = None
    unitPrice: object = None
    unitCost: object = None
    effectiveDate: object = None
    cancelledDate: object = None


class ConnectWiseError(PsaError):
    """ConnectWise could not be read for a customer, or refused a request: one line naming it."""


_FIELDS = fields(ConnectWiseError)  # the checks of its answers' fields (auditor.vendors.client.Fields)


@dataclass(frozen=True)
class Credentials:
    """An API member's keys and the integration's clientId (the private key never printed: repr=False)."""

    company_id: str  # the MSP's ConnectWise company (the one it signs in with)
    public_key: str
    private_key: str = field(repr=False)
    client_id: str


def credentials(env: Mapping[str, str]) -> Credentials:
    """The MSP's ConnectWise keys from the environment; UsageError (before any tenant is read) naming
    the variables that are missing, never their values."""
    names = (COMPANY_ID_ENV, PUBLIC_KEY_ENV, PRIVATE_KEY_ENV, CLIENT_ID_ENV)
    what = "a ConnectWise company (psa: connectwise), read with the MSP's API member keys and its clientId"
    return Credentials(*env_keys(env, names, what))


class ConnectWise(PsaClient):
    """ConnectWise Manage's REST API with an API member's keys. `endpoint`: the site (a stand-in, or
    another region's https://api-eu.myconnectwise.net), its API under API_PATH."""

    vendor = "ConnectWise"
    error = ConnectWiseError

    def __init__(self, keys: Credentials, *, endpoint: str | None = None, timeout: float = 60.0) -> None:
        super().__init__(f"{(endpoint or API_URL).rstrip('/')}{API_PATH}", timeout=timeout)
        user = f"{keys.company_id}+{keys.public_key}:{keys.private_key}"
        self._auth = "Basic " + base64.b64encode(user.encode("utf-8")).decode("ascii")
        self._client_id = keys.client_id

    def headers(self) -> dict[str, str]:
        return {"Authorization": self._auth, "clientId": self._client_id}

    def hint(self, status: int) -> str:
        if status == 401:
            return f" (check {COMPANY_ID_ENV}, {PUBLIC_KEY_ENV} and {PRIVATE_KEY_ENV})"
        if status == 403:
            return " (the API member's security role: Finance > Agreements, Inquire Level)"
        return ""

    def pages(self, path: str, query: Mapping[str, str | int] | None = None) -> list[Any]:
        """Every record of a listing: page 1, 2, ... of PAGE_SIZE while the answer's Link names a next
        page, each page a JSON array of at most PAGE_SIZE objects, at most MAX_LINES records in all."""
        found: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            answer = self.request("GET", path, {**(query or {}), "page": page, "pageSize": PAGE_SIZE})
            records = self.decode(answer.body, f"GET {path}")
            if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
                raise self.error(f"GET {path}: page {page} is not a list of records")
            if len(records) > PAGE_SIZE:
                raise self.error(f"GET {path}: page {page} holds {len(records)} records, more than {PAGE_SIZE}")
            found += records
            if len(found) > MAX_LINES:
                raise self.error(f"GET {path}: more than {MAX_LINES} records of one company")
            if not _NEXT.search(answer.headers.get("link", "")):
                return found
            if len(records) < PAGE_SIZE:
                raise self.error(f"GET {path}: page {page} holds {len(records)} records and names a next page")
        raise self.error(f"GET {path}: more than {MAX_PAGES} pages")

    def records(self, path: str, shape: type[_Record], query: Mapping[str, str | int] | None = None) -> list[_Record]:
        """Every record of a listing (pages), each in the Struct `shape` naming the fields read."""
        return [self.shaped(r, shape, f"GET {path}") for r in self.pages(path, query)]

    def company(self, company_id: int) -> str:
        """The company's name (GET /company/companies/{id}); a 404 is the error naming the tenants entry."""
        try:
            answer = self.request("GET", f"/company/companies/{company_id}")
        except ConnectWiseError as exc:
            if exc.status == 404:
                raise self.error(
                    f"ConnectWise has no company {company_id}: check the tenants entry's psa", 404
                ) from None
            raise
        doc = self.decode(answer.body, "GET /company/companies")
        company = self.shaped(doc, Reference, "GET /company/companies") if isinstance(doc, Mapping) else None
        if company is None or company.id != company_id:
            raise self.error(f"GET /company/companies/{company_id}: the answer is another company's")
        return self.fields.text(company.name, "the company's name")

    def agreements(self, company_id: int) -> list[Agreement]:
        """The company's agreements (every status), each checked as the company's."""
        listed = self.records("/finance/agreements", Agreement, {"conditions": f"company/id={company_id}"})
        for agreement in listed:
            if agreement.company is None or agreement.company.id != company_id:
                raise self.error(f"GET /finance/agreements: agreement {str(agreement.id)[:20]} is another company's")
        _FIELDS.listed_once([a.id for a in listed], "GET /finance/agreements", "agreement")
        return listed

    def wire(self, c: CommerceChange) -> object:
        """apply --psa's body as ConnectWise takes it: a JSON Patch of the addition's quantity, nothing else
        (its dates stay: auditor.vendors.connectwise, quantity_request)."""
        quantity = c.request.common.quantity if c.request.common is not None else None
        return [{"op": "replace", "path": "quantity", "value": quantity}]

    def additions(self, agreement_id: int) -> list[Addition]:
        path = f"/finance/agreements/{agreement_id}/additions"
        listed = self.records(path, Addition)
        _FIELDS.listed_once([a.id for a in listed], f"GET {path}", "addition")
        return listed

    def lines(self, company_id: int, on: str) -> list[PsaLine]:
        """The additions of the company's active agreements (agreementStatus Active, not cancelled) that
        bill on the day `on` (YYYY-MM-DD: in effect, not cancelled, within the agreement's dates), each
        checked (every addition read is checked, billing that day or not)."""
        self.company(company_id)
        found: list[PsaLine] = []
        for agreement in self.agreements(company_id):
            if not _active(agreement):
                continue
            agreement_id = self.fields.whole_id(agreement.id, "an agreement's id")
            lines = [_line(agreement, agreement_id, addition) for addition in self.additions(agreement_id)]
            found += [line for line in lines if line.active(on)]
            if len(found) > MAX_LINES:
                raise self.error(f"more than {MAX_LINES} additions of company {company_id}")
        return found


def _active(agreement: Agreement) -> bool:
    """An agreement that bills: its agreementStatus Active (when given) and not cancelled."""
    status = agreement.agreementStatus
    if status is not None and not isinstance(status, str):
        raise ConnectWiseError(f"an agreement's agreementStatus {str(status)[:40]!r} is not one ConnectWise sends")
    return (status is None or status == "Active") and agreement.cancelledFlag is not True


def _currency(agreement: Agreement) -> str | None:
    code = agreement.currency.currencyCode if agreement.currency is not None else None
    return _FIELDS.currency(code, "an agreement's currency")


def _line(agreement: Agreement, agreement_id: int, raw: Addition) -> PsaLine:
    """One addition of an active agreement, every field checked (ConnectWiseError: that customer's gap)."""
    error = ConnectWiseError
    addition_id = _FIELDS.whole_id(raw.id, f"agreement {agreement_id}'s addition id")
    name = f"addition {addition_id}"
    product = raw.product
    if product is None:
        raise error(f"{name} names no product")
    identifier = _FIELDS.text(product.identifier, f"{name}'s product.identifier", required=True, most=100)
    bill = raw.billCustomer
    if bill not in BILL_CUSTOMER:
        raise error(f"{name}'s billCustomer {str(bill)[:40]!r} is not one of {', '.join(BILL_CUSTOMER)}")
    quantity = _FIELDS.number(raw.quantity, f"{name}'s quantity", whole=True, most=MAX_SEATS)
    included = _FIELDS.number(raw.lessIncluded or 0, f"{name}'s lessIncluded", whole=True, most=MAX_SEATS)
    starts = [d for d in (_FIELDS.day(agreement.startDate, "an agreement's startDate"),) if d]
    effective = _FIELDS.day(raw.effectiveDate, f"{name}'s effectiveDate")
    cancelled = _FIELDS.day(raw.cancelledDate, f"{name}'s cancelledDate")
    ends = [cancelled] if cancelled else []
    if agreement.noEndingDateFlag is not True:
        end = _FIELDS.day(agreement.endDate, "an agreement's endDate")
        ends += [end] if end else []
    return PsaLine(
        agreement_id=str(agreement_id),
        agreement=_FIELDS.text(agreement.name, "an agreement's name"),
        id=str(addition_id),
        product=identifier,
        quantity=int(quantity),
        less_included=int(included),
        unit_price=_FIELDS.price(raw.unitPrice, f"{name}'s unitPrice"),
        unit_cost=_FIELDS.price(raw.unitCost, f"{name}'s unitCost"),
        billable=bill == "Billable",
        effective=max([*starts, effective] if effective else starts, default=None),
        cancelled=min(ends, default=None),
        currency=_currency(agreement),
        bill_customer=str(bill),
    )
