"""What the MSP bills a customer in HaloPSA: the lines of the customer's recurring invoices, read only
(docs/msp.md, "HaloPSA"); the third implementation of auditor.vendors.psa_client's interface.

    Halo(credentials, endpoint=None)        one session for the run; its keys from the environment
                                            (credentials(env): HALO_URL, HALO_CLIENT_ID,
                                            HALO_CLIENT_SECRET, HALO_TENANT for a hosted instance;
                                            HALO_CURRENCY, HALO_NOTE_OUTCOME optional)
    .request(method, path, query, body)     one request of the API (/api/...), with the bearer token:
                                            asked for once, and again once on a 401 (the client
                                            base's: auditor.vendors.client.VendorClient)
    .pages(path, key, query)                every record of a listing, page after page
    .client(id)                             GET /api/Client/{id}: the customer exists
    .lines(company_id, on)                  the lines of the client's recurring invoices: a disabled
                                            invoice's and an inactive line's billed to no one

Authentication is Halo's OAuth2 client credentials, as Halo's own module asks for it (homotechsual/HaloAPI
Connect-HaloAPI): GET {HALO_URL}/api/authinfo names the authorisation server (`auth_url`, and a hosted
instance's `tenant_id`); the token is POSTed to {auth_url}/token (?tenant=…: HALO_TENANT, else the
authinfo's) with grant_type=client_credentials, client_id, client_secret and scope=all, as a form. An
instance that answers authinfo 404 or without an auth_url is asked at {HALO_URL}/auth/token, as that module
falls back. The answer's access_token is the bearer of every request. Paging is Halo's: pageinate=true,
page_size and page_no (from 1); an answer holds record_count and the page's records under the resource's
key. An invoice's `currency` is a symbol (currency.py; HALO_CURRENCY names the instance's currency where
the symbol is one several write).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import msgspec

from auditor.billing.psa_records import PsaLine
from auditor.common.currency import is_currency
from auditor.common.errors import UsageError
from auditor.common.numbers import whole_number
from auditor.formats.bill_model import CommerceChange
from auditor.vendors.client import TokenRequest
from auditor.vendors.protocols import PsaError
from auditor.vendors.psa_client import MAX_LINES, MAX_SEATS, PsaClient, env_keys, fields

from .currency import Ambiguous, read_currency
from .records import AuthInfo, Client, InvoiceLine, Listing, RecurringInvoice

URL_ENV = "HALO_URL"  # the instance, e.g. https://msp.halopsa.com (its API under /api, its tokens under /auth)
CLIENT_ID_ENV = "HALO_CLIENT_ID"
SECRET_ENV = "HALO_CLIENT_SECRET"  # the application's secret: an environment variable, never a file
TENANT_ENV = "HALO_TENANT"  # a hosted instance's tenant (optional)
CURRENCY_ENV = "HALO_CURRENCY"  # the instance's ISO 4217 code, for a symbol several currencies write (optional)
OUTCOME_ENV = "HALO_NOTE_OUTCOME"  # the action outcome of our notes (optional: INTERNAL_NOTE)
INTERNAL_NOTE = 7  # Halo's built-in "Internal Note" outcome, CIPP's default where its setting names none
API_PATH = "/api"
AUTH_INFO_PATH = "/api/authinfo"  # names the authorisation server (Halo's module asks it first)
AUTH_PATH = "/auth/token"  # where the token is asked for when authinfo names none
PAGE_SIZE = 100  # our page (Halo names no largest page where we could read)
MAX_PAGES = 100
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?\Z")
_Record = TypeVar("_Record", bound=msgspec.Struct)


class HaloError(PsaError):
    """Halo could not be read for a customer, or refused a request: one line naming it."""


_FIELDS = fields(HaloError)  # the checks of its answers' fields (auditor.vendors.client.Fields)


@dataclass(frozen=True)
class Credentials:
    """The instance, the API application's client id and secret (never printed: repr=False), the tenant,
    the instance's currency (an ISO 4217 code, "": none configured), the outcome id of a note's action."""

    url: str
    client_id: str
    secret: str = field(repr=False)
    tenant: str = ""
    currency: str = ""
    outcome: int = INTERNAL_NOTE


def credentials(env: Mapping[str, str]) -> Credentials:
    """The MSP's Halo application from the environment; UsageError naming what is missing."""
    names = (URL_ENV, CLIENT_ID_ENV, SECRET_ENV)
    url, client_id, secret = env_keys(env, names, "a Halo client (psa: halo), read with the MSP's API application")
    if not _URL.match(url):
        raise UsageError(f"{URL_ENV}: expected the Halo instance's address, such as https://msp.halopsa.com")
    currency = env.get(CURRENCY_ENV, "").strip()
    if currency and not is_currency(currency):
        raise UsageError(f"{CURRENCY_ENV}: expected the Halo instance's currency as an ISO 4217 code, such as USD")
    outcome = env.get(OUTCOME_ENV, "").strip() or str(INTERNAL_NOTE)
    if (number := whole_number(outcome)) is None or not 1 <= number <= 2**31 - 1:
        raise UsageError(f"{OUTCOME_ENV}: expected the id of a Halo action outcome (a whole number), such as 7")
    tenant = env.get(TENANT_ENV, "").strip()
    return Credentials(url.rstrip("/"), client_id, secret, tenant, currency, number)


class Halo(PsaClient):
    """HaloPSA's REST API with an API application's client credentials. `endpoint`: the instance (a
    stand-in); None: HALO_URL's."""

    vendor = "Halo"
    error = HaloError

    def __init__(self, keys: Credentials, *, endpoint: str | None = None, timeout: float = 60.0) -> None:
        site = (endpoint or keys.url).rstrip("/")
        super().__init__(f"{site}{API_PATH}", timeout=timeout)
        self._keys, self._site = keys, site
        self._token_at: tuple[str, str] | None = None  # (the token URL, the tenant), read once from authinfo

    def token_at(self) -> tuple[str, str]:
        """Where the token is asked for and the tenant it names ("": none), as Halo's authinfo says: its
        `auth_url` + /token and its `tenant_id` (HALO_TENANT wins); {site}/auth/token when the instance
        answers 404 or names no auth_url. Read once."""
        if self._token_at is not None:
            return self._token_at
        where = f"GET {AUTH_INFO_PATH}"
        answer = self.fetch("GET", f"{self._site}{AUTH_INFO_PATH}", where, limit=2**16,
                            headers={"Accept": "application/json"})  # fmt: skip
        if answer.status not in (200, 404):
            raise self.refused(where, answer)
        info = self.decode(answer.body, where, AuthInfo) if answer.status == 200 and answer.body.strip() else None
        auth = info.auth_url if info is not None else None
        tenant = self._keys.tenant or (self.fields.text(info.tenant_id, "authinfo's tenant_id", most=100)
                                       if info is not None and info.tenant_id not in (None, "") else "")  # fmt: skip
        if auth in (None, ""):
            self._token_at = (f"{self._site}{AUTH_PATH}", tenant)
            return self._token_at
        if not isinstance(auth, str) or not _URL.match(auth) or not self._same_scheme(auth):
            raise self.error(f"{where}: its auth_url is not an address of the instance's scheme")
        self._token_at = (f"{auth.rstrip('/')}/token", tenant)
        return self._token_at

    def _same_scheme(self, auth: str) -> bool:
        """The secret goes over https, or over http only to an instance read over http (a stand-in)."""
        return auth.startswith("https://") or self._site.startswith("http://")

    def token_request(self) -> TokenRequest:
        """Halo's client-credentials grant at the authorisation server authinfo names, posted as a form
        with scope=all (?tenant=… for a hosted instance); its answer read up to 64 KiB."""
        keys = self._keys
        url, tenant = self.token_at()
        form = {"grant_type": "client_credentials", "client_id": keys.client_id, "client_secret": keys.secret}
        return TokenRequest(
            url,
            form=form | {"scope": "all"},
            params={"tenant": tenant} if tenant else None,
            headers={"Accept": "application/json"},
            where="POST /auth/token",
            limit=2**16,
        )

    def hint(self, status: int) -> str:
        if status == 401:
            return f" (check {CLIENT_ID_ENV}, {SECRET_ENV} and {TENANT_ENV})"
        if status == 403:
            return " (the API application's permissions: read:customers, read:invoices, edit:tickets)"
        return ""

    def pages(
        self, path: str, key: str, shape: type[_Record], query: Mapping[str, str | int] | None = None
    ) -> list[_Record]:
        """Every record of a listing: pageinate=true, page_no 1, 2, ... of PAGE_SIZE until `record_count`
        records are read, each in the Struct `shape`; at most MAX_LINES."""
        found: list[_Record] = []
        where = f"GET {path}"
        for page in range(1, MAX_PAGES + 1):
            asked = {**(query or {}), "pageinate": "true", "page_size": PAGE_SIZE, "page_no": page}
            doc = self.decode(self.request("GET", path, asked).body, where)
            records = doc.get(key) if isinstance(doc, Mapping) else None
            total = self.shaped(doc, Listing, where).record_count if isinstance(doc, Mapping) else None
            if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
                raise self.error(f"{where}: the answer has no {key} list")
            count = self.fields.number(total, f"{where}'s record_count", whole=True, most=MAX_LINES)
            if len(records) > PAGE_SIZE:
                raise self.error(f"{where}: page {page} holds {len(records)} records, more than {PAGE_SIZE}")
            found += [self.shaped(r, shape, where) for r in records]
            if len(found) >= count:
                if len(found) > count:
                    raise self.error(f"{where}: {len(found)} records read and record_count says {int(count)}")
                self.fields.listed_once([getattr(r, "id", None) for r in found], where, "record")
                return found
            if len(records) < PAGE_SIZE:
                raise self.error(f"{where}: page {page} holds {len(records)} records of {int(count)} and ends early")
        raise self.error(f"{where}: more than {MAX_PAGES} pages")

    def client(self, client_id: int) -> str:
        """The client's name (GET /api/Client/{id}); a 404 is the error naming the tenants entry."""
        where = f"/Client/{client_id}"
        try:
            doc = self.decode(self.request("GET", where).body, "GET /Client")
        except HaloError as exc:
            if exc.status == 404:
                raise self.error(f"Halo has no client {client_id}: check the tenants entry's psa", 404) from None
            raise
        found = self.shaped(doc, Client, "GET /Client") if isinstance(doc, Mapping) else None
        if found is None or found.id != client_id:
            raise self.error(f"GET {where}: the answer is another client's")
        return self.fields.text(found.name, "the client's name")

    def wire(self, c: CommerceChange) -> object:
        """apply --psa's body as Halo takes it: an array of the one recurring invoice, with every line of it
        as read now (each by its `id`, with its `qty_order`), only the planned lines' quantities changed.
        Whether Halo keeps the lines a posted `lines` list leaves out is not in its published material (its
        swagger gives POST /RecurringInvoice an array of InvoiceHeader, whose `lines` and `add_lines` are both
        InvoiceDetail lists, and a POST /RecurringInvoice/updatelines, none with a word on a partial list): the
        whole set is sent, which leaves the other lines as they are under either reading."""
        body = c.request.common
        if body is None or not isinstance(body.id, int) or not isinstance(body.lines, list):
            raise self.error("apply --psa: the change names no recurring invoice and lines")
        now = self.invoice_lines(int(c.scope), body.id)
        changed = {line.id: line.qty_order for line in body.lines}
        missing = sorted(set(changed) - {line_id for line_id, _ in now})
        if missing:
            raise self.error(f"recurring invoice {body.id} has no line {missing[0]} now: nothing was sent")
        lines = [{"id": line_id, "qty_order": changed.get(line_id, quantity)} for line_id, quantity in now]
        return [{"id": body.id, "lines": lines}]

    def invoice_lines(self, company_id: int, invoice_id: int) -> list[tuple[int, int]]:
        """The recurring invoice's lines as Halo gives them now (GET /RecurringInvoice?includelines=true of
        the client): each line's id and qty_order, in Halo's order, every one checked."""
        query: dict[str, str | int] = {"client_id": company_id, "includelines": "true"}
        where = "GET /RecurringInvoice"
        found = [i for i in self.pages("/RecurringInvoice", "invoices", RecurringInvoice, query) if i.id == invoice_id]
        if len(found) != 1 or found[0].client_id != company_id or not isinstance(found[0].lines, list):
            raise self.error(f"{where}: recurring invoice {invoice_id} of client {company_id} is not read once")
        rows = [self.shaped(raw, InvoiceLine, where) for raw in found[0].lines]
        read = []
        for row in rows:
            line_id = _FIELDS.whole_id(row.id, f"recurring invoice {invoice_id}'s line id")
            quantity = _FIELDS.number(row.qty_order, f"recurring invoice line {line_id}'s qty_order", whole=True,
                                      most=MAX_SEATS)  # fmt: skip
            read.append((line_id, int(quantity)))
        self.fields.listed_once([line_id for line_id, _ in read], f"recurring invoice {invoice_id}'s lines", "line")
        return read

    def lines(self, company_id: int, on: str) -> list[PsaLine]:
        """The lines of the client's recurring invoices (Halo lists the active ones unless asked for
        inactive ones too), each checked. `on` is not compared: a recurring invoice line gives no
        dates of its own (Halo syncs its quantity from the distributor daily). A disabled invoice
        (`disabled`) bills none of its lines, and a line Halo made inactive (`isinactive`, or `isActive`
        false: Halo's Pax8 sync does so when Pax8 cancels the subscription) is billed to no one."""
        self.client(company_id)
        query: dict[str, str | int] = {"client_id": company_id, "includelines": "true"}
        found: list[PsaLine] = []
        for invoice in self.pages("/RecurringInvoice", "invoices", RecurringInvoice, query):
            if invoice.client_id != company_id:
                raise self.error(f"GET /RecurringInvoice: invoice {str(invoice.id)[:20]} is another client's")
            invoice_id = self.fields.whole_id(invoice.id, "a recurring invoice's id")
            if not isinstance(invoice.lines, list):
                raise self.error(f"recurring invoice {invoice_id} has no lines list (includelines=true)")
            if invoice.disabled not in (None, True, False):
                raise self.error(f"recurring invoice {invoice_id}'s disabled is not true or false")
            code, choices, doubt = self._currency(invoice.currency, invoice_id)
            rows = [self.shaped(raw, InvoiceLine, "GET /RecurringInvoice") for raw in invoice.lines]
            self.fields.listed_once([r.id for r in rows], f"recurring invoice {invoice_id}'s lines", "line")
            found += [_line(invoice, invoice_id, row, (code, choices, doubt)) for row in rows]
            if len(found) > MAX_LINES:
                raise self.error(f"more than {MAX_LINES} recurring invoice lines of client {company_id}")
        return found

    def _currency(self, given: object, invoice_id: int) -> tuple[str | None, tuple[str, ...], str]:
        """The invoice's ISO 4217 code read from Halo's symbol (currency.py); for a symbol several
        currencies write that HALO_CURRENCY does not settle, None and the codes it may be (the three-way
        table settles it by the distributor's currency); and why its money is not read ("": it is), for a
        text that is no currency's symbol. (None, (), ""): none given (the other sources' currency then)."""
        what = f"recurring invoice {invoice_id}'s currency"
        if given is None or given == "":
            return None, (), ""
        symbol = self.fields.text(given, what, most=10)
        try:
            code = read_currency(symbol, self._keys.currency)
        except Ambiguous as exc:
            return None, exc.choices, ""
        if code is None:
            return (
                None,
                (),
                f"Halo {what} {symbol!r} is no currency symbol read here: its prices and costs are not read",
            )
        return code, (), ""


def _line(
    invoice: RecurringInvoice, invoice_id: int, raw: InvoiceLine, read: tuple[str | None, tuple[str, ...], str]
) -> PsaLine:
    """One line of a recurring invoice, every field checked (HaloError: that customer's gap); `read`: its
    invoice's currency, the codes a shared symbol may be, and why its money is not read (Halo._currency)."""
    currency, choices, doubt = read
    error = HaloError
    line_id = _FIELDS.whole_id(raw.id, f"recurring invoice {invoice_id}'s line id")
    name = f"recurring invoice line {line_id}"
    if raw.ihid is not None and raw.ihid != invoice_id:
        raise error(f"{name} is another invoice's (ihid {str(raw.ihid)[:20]})")
    if raw.isinactive not in (None, True, False) or raw.isActive not in (None, True, False):
        raise error(f"{name}'s isinactive or isActive is not true or false")
    code = _FIELDS.text(raw.item_code, f"{name}'s item_code", required=True, most=100)
    quantity = _FIELDS.number(raw.qty_order, f"{name}'s qty_order", whole=True, most=MAX_SEATS)
    price = _FIELDS.price(raw.unit_price, f"{name}'s unit_price")
    cost = _FIELDS.price(raw.unit_cost, f"{name}'s unit_cost")
    inactive = raw.isinactive is True or raw.isActive is False
    said = "disabled invoice" if invoice.disabled is True else "inactive" if inactive else ""
    return PsaLine(
        agreement_id=str(invoice_id),
        agreement=_FIELDS.text(invoice.name, "a recurring invoice's name"),
        id=str(line_id),
        product=code,
        quantity=int(quantity),
        less_included=0,
        unit_price=None if doubt else price,
        unit_cost=None if doubt else cost,
        billable=not said,
        effective=None,
        cancelled=None,
        currency=currency,
        bill_customer=said,
        doubt=doubt,
        currency_choices=choices,
    )
