"""What the MSP bills a customer in Autotask (Datto Autotask PSA): the units of the services of the
customer's active recurring service contracts, read only (docs/msp.md, "What the customer is billed:
the PSA"); the second implementation of auditor.vendors.psa_client's interface.

    Autotask(credentials, endpoint=None)        one session for the run; its keys from the environment
                                                (credentials(env): AUTOTASK_INTEGRATION_CODE,
                                                AUTOTASK_USERNAME, AUTOTASK_SECRET); without an endpoint,
                                                the zone Autotask names for the user (zoneInformation)
    .query(entity, filters)                     GET /{entity}/query?search={"filter": [...]}, every page
    .company(id)                                GET /Companies/{id}: the company exists
    .currencies(company)                        (the customer's currency, the internal one): Currencies
    .lines(company_id, on)                      the ContractServiceUnits of the company's active contracts
                                                (Contracts status 1) whose period holds the day `on`, each
                                                priced by its contract service (ContractServices)

Authentication is Autotask's for an API user: the headers ApiIntegrationCode, UserName and Secret on
every request. A query answers {items: [...], pageDetails: {count, requestCount, prevPageUrl,
nextPageUrl}}, at most 500 items a page; the next page is read at its nextPageUrl only when that is
under the API's own URL (a URL elsewhere is refused, never followed). "Queries will return a
ContractServiceUnit entity for every period" (Autotask's ContractServiceUnits page): the unit whose
startDate..endDate holds the day is the one billing then (two of one contract service holding it: the
later start, an adjustment's). A service's seats are its unit's `units`; a seat's price is its contract
service's `internalCurrencyAdjustedPrice` when set and the customer is billed in the internal currency
(Autotask's published swagger gives a contract service no other adjusted price), else its `unitPrice`,
and a seat's cost its `unitCost`. A unit's
own `price` and `cost` are the period's ("Contract Period Price"): each must be `units` times the
seat's figure or the seat's figure itself, else that line's money is not read (its `doubt`, a named
gap). Autotask includes none at no charge (less_included 0), and bills every unit of an active
contract (billable). Prices are in the company's currency (its currencyID; none: the internal one),
costs in the internal currency (isInternalCurrency): both are carried on each line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

import msgspec

from auditor.billing.psa_records import PsaLine
from auditor.formats.bill_model import CommerceChange
from auditor.vendors.protocols import PsaError
from auditor.vendors.psa_client import MAX_LINES, MAX_SEATS, PsaClient, env_keys, fields

ZONE_URL = "https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation"
API_PATH = "/atservicesrest/v1.0"
PAGE_SIZE = 500  # Autotask's largest page of a query
MAX_PAGES = 50
ACTIVE = 1  # Contracts' status picklist: 1 Active (0 Inactive)
INTEGRATION_CODE_ENV = "AUTOTASK_INTEGRATION_CODE"
USERNAME_ENV = "AUTOTASK_USERNAME"
SECRET_ENV = "AUTOTASK_SECRET"  # the API user's secret: an environment variable, never a file


class Entity(msgspec.Struct, frozen=True):
    """An item of a query: every entity has its `id` (each value untrusted, checked where read)."""

    id: object = None


_Item = TypeVar("_Item", bound=Entity)


class Filter(msgspec.Struct, frozen=True):
    """One condition of a query's `filter` (Autotask's query syntax: op, field, value)."""

    op: str
    field: str
    value: int | bool


class Contract(Entity, frozen=True):
    """An item of /Contracts/query by the fields read."""

    companyID: object = None
    status: object = None
    contractName: object = None


class ContractServiceUnit(Entity, frozen=True):
    """An item of /ContractServiceUnits/query by the fields read."""

    contractID: object = None
    serviceID: object = None
    contractServiceID: object = None
    units: object = None
    price: object = None
    cost: object = None
    startDate: object = None
    endDate: object = None


class ContractService(Entity, frozen=True):
    """An item of /ContractServices/query by the fields read: what a seat is billed and costs."""

    contractID: object = None
    serviceID: object = None
    unitPrice: object = None
    unitCost: object = None
    internalCurrencyAdjustedPrice: object = None  # Autotask's swagger gives no adjustedPrice in the customer's


class _Company(Entity, frozen=True):
    companyName: object = None
    currencyID: object = None


class _Currency(Entity, frozen=True):
    name: object = None  # its ISO 4217 code
    isInternalCurrency: object = None


_ZONE = re.compile(r"^https://webservices[0-9]*\.autotask\.net/atservicesrest/?\Z", re.IGNORECASE)


class AutotaskError(PsaError):
    """Autotask could not be read for a customer, or refused a request: one line naming it."""


_FIELDS = fields(AutotaskError)  # the checks of its answers' fields (auditor.vendors.client.Fields)


@dataclass(frozen=True)
class Credentials:
    """An API user's integration code, user name and secret (the secret never printed: repr=False)."""

    integration_code: str
    username: str
    secret: str = field(repr=False)


def credentials(env: Mapping[str, str]) -> Credentials:
    """The MSP's Autotask API user from the environment; UsageError naming what is missing."""
    names = (INTEGRATION_CODE_ENV, USERNAME_ENV, SECRET_ENV)
    return Credentials(*env_keys(env, names, "an Autotask company (psa: autotask), read with the MSP's API user"))


class Autotask(PsaClient):
    """Autotask's REST API with an API user's keys. `endpoint`: the zone's site (a stand-in, or
    https://webservices5.autotask.net), its API under API_PATH; None: asked of zoneInformation."""

    vendor = "Autotask"
    error = AutotaskError
    credential_headers = frozenset({"apiintegrationcode"})  # the API user's integration code (Secret says so)

    def __init__(self, keys: Credentials, *, endpoint: str | None = None, timeout: float = 60.0) -> None:
        self._keys = keys
        super().__init__(f"{(endpoint or '').rstrip('/')}{API_PATH}", timeout=timeout)
        if endpoint is None:
            self.api_url = self._zone()

    def headers(self) -> dict[str, str]:
        keys = self._keys
        return {"ApiIntegrationCode": keys.integration_code, "UserName": keys.username, "Secret": keys.secret}

    def hint(self, status: int) -> str:
        return f" (check {INTEGRATION_CODE_ENV}, {USERNAME_ENV} and {SECRET_ENV})" if status == 401 else ""

    def _zone(self) -> str:
        """The API's URL in the user's zone, as zoneInformation names it (an autotask.net URL only)."""
        self.api_url = ZONE_URL.rsplit("/", 1)[0]
        answer = self.request("GET", "/zoneInformation", {"user": self._keys.username})
        doc = self.decode(answer.body, "GET /zoneInformation")
        url = doc.get("url") if isinstance(doc, Mapping) else None
        if not isinstance(url, str) or not _ZONE.match(url):
            raise self.error("GET /zoneInformation: the answer names no Autotask zone URL")
        return url.rstrip("/") + "/v1.0"

    def query(self, entity: str, filters: list[Filter], shape: type[_Item]) -> list[_Item]:
        """Every item of a query, page after page by pageDetails.nextPageUrl (under the API's URL only),
        each in the Struct `shape` naming the fields read."""
        search = {"filter": msgspec.to_builtins(filters), "MaxRecords": PAGE_SIZE}
        path, params = f"/{entity}/query", {"search": json.dumps(search)}
        found: list[_Item] = []
        for _ in range(MAX_PAGES):
            doc = self.decode(self.request("GET", path, params).body, f"GET /{entity}/query")
            items = doc.get("items") if isinstance(doc, Mapping) else None
            details = doc.get("pageDetails") if isinstance(doc, Mapping) else None
            if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
                raise self.error(f"GET /{entity}/query: the answer has no items list")
            if len(items) > PAGE_SIZE or not isinstance(details, Mapping) or details.get("count") != len(items):
                raise self.error(f"GET /{entity}/query: its pageDetails do not count its {len(items)} items")
            found += [self.shaped(i, shape, f"GET /{entity}/query") for i in items]
            if len(found) > MAX_LINES:
                raise self.error(f"GET /{entity}/query: more than {MAX_LINES} items of one company")
            following = details.get("nextPageUrl")
            if following is None:
                self.fields.listed_once([i.id for i in found], f"GET /{entity}/query", "item")
                return found
            path, params = self._under_api(following, entity)
        raise self.error(f"GET /{entity}/query: more than {MAX_PAGES} pages")

    def _under_api(self, url: object, entity: str) -> tuple[str, dict[str, str]]:
        """(path, query) of a nextPageUrl under the API's own URL; another is refused, never followed."""
        if not isinstance(url, str) or not url.lower().startswith(self.api_url.lower() + "/"):
            raise self.error(f"GET /{entity}/query: its nextPageUrl is not under the API's URL: not followed")
        parts = urlsplit(url)
        base = urlsplit(self.api_url).path
        return parts.path[len(base) :], dict(parse_qsl(parts.query))

    def company(self, company_id: int) -> str:
        """The company's name (GET /Companies/{id}); none (404, or `item` null): the tenants entry's error."""
        return self.fields.text(self._company(company_id).companyName, "the company's companyName")

    def _company(self, company_id: int) -> _Company:
        company = self._item(f"/Companies/{company_id}", company_id, _Company)
        if company is None:
            raise self.error(f"Autotask has no company {company_id}: check the tenants entry's psa", 404)
        return company

    def _item(self, path: str, item_id: int, shape: type[_Item]) -> _Item | None:
        """The `item` of a single GET (None: a 404, or `item` null), which must be the one asked for."""
        where = f"GET /{path.strip('/').split('/')[0]}"
        try:
            doc = self.decode(self.request("GET", path).body, where)
        except AutotaskError as exc:
            if exc.status != 404:
                raise
            return None
        item = doc.get("item") if isinstance(doc, Mapping) else None
        if item is None:
            return None
        found = self.shaped(item, shape, where) if isinstance(item, Mapping) else None
        if found is None or found.id != item_id:
            raise self.error(f"{path[1:]}: the answer is another's than asked")
        return found

    def currencies(self, company: _Company) -> tuple[str, str]:
        """(the customer's currency, the internal currency), each an ISO 4217 code: the company's
        currencyID (none: the internal one) and the one currency whose isInternalCurrency is true."""
        internal = self.query("Currencies", [Filter("eq", "isInternalCurrency", True)], _Currency)
        if len(internal) != 1 or internal[0].isInternalCurrency is not True:
            raise self.error(f"GET /Currencies/query: {len(internal)} internal currencies, not one")
        own = _code(internal[0])
        if company.currencyID is None or company.currencyID == internal[0].id:
            return own, own
        currency_id = self.fields.whole_id(company.currencyID, "the company's currencyID")
        currency = self._item(f"/Currencies/{currency_id}", currency_id, _Currency)
        if currency is None:
            raise self.error(f"Autotask has no currency {currency_id}, the company's currencyID")
        return _code(currency), own

    def wire(self, c: CommerceChange) -> object:
        """apply --psa's body as Autotask takes it: the ContractServiceAdjustment itself."""
        return msgspec.to_builtins(c.request.body)

    def lines(self, company_id: int, on: str) -> list[PsaLine]:
        """The units of the company's active contracts' services that bill on the day `on`, each checked."""
        company = self._company(company_id)
        self.fields.text(company.companyName, "the company's companyName")
        currency, internal = self.currencies(company)
        found: list[PsaLine] = []
        for contract in self.query("Contracts", [Filter("eq", "companyID", company_id)], Contract):
            if contract.companyID != company_id:
                raise self.error(f"GET /Contracts/query: contract {str(contract.id)[:20]} is another company's")
            if contract.status != ACTIVE:
                continue
            contract_id = self.fields.whole_id(contract.id, "a contract's id")
            by_contract = [Filter("eq", "contractID", contract_id)]
            services = {s.id: s for s in self.query("ContractServices", by_contract, ContractService)}
            units = self.query("ContractServiceUnits", by_contract, ContractServiceUnit)
            priced = [_line(contract, contract_id, u, services, (currency, internal)) for u in units]
            found += _current(priced, on)
            if len(found) > MAX_LINES:
                raise self.error(f"more than {MAX_LINES} contract services of company {company_id}")
        return found


def _code(found: _Currency) -> str:
    """A currency's `name`: its ISO 4217 code (Autotask's three letters)."""
    return str(_FIELDS.currency(found.name, f"currency {str(found.id)[:20]}'s name", required=True))


def _current(lines: list[PsaLine], on: str) -> list[PsaLine]:
    """One line per contract service: its unit whose period holds `on` (the later start of two)."""
    by_service: dict[str, PsaLine] = {}
    for line in lines:
        if line.effective is not None and line.effective <= on and (line.cancelled is None or on <= line.cancelled):
            key = line.id
            kept = by_service.get(key)
            if kept is None or (kept.effective or "") < (line.effective or ""):
                by_service[key] = line
    return [by_service[k] for k in sorted(by_service)]


def _corroborates(period: float | None, units: float, each: float | None) -> bool:
    """Whether a unit's period figure is `units` times a seat's, or a seat's itself (to the cent)."""
    if period is None or each is None:
        return period is None or each is not None
    return abs(period - units * each) < 0.005 or abs(period - each) < 0.005


def _line(
    contract: Contract,
    contract_id: int,
    raw: ContractServiceUnit,
    services: Mapping[object, ContractService],
    currencies: tuple[str, str],
) -> PsaLine:
    """One ContractServiceUnit priced by its contract service, every field checked (AutotaskError: that
    customer's gap); its `id` is the contract service's, its `cancelled` the period's endDate (the last
    day it holds). A period price or cost the seat's figures do not give: the line's `doubt`, unpriced."""
    error = AutotaskError
    unit_id = _FIELDS.whole_id(raw.id, f"contract {contract_id}'s unit id")
    name = f"contract service unit {unit_id}"
    if raw.contractID != contract_id:
        raise error(f"{name} is another contract's")
    service = _FIELDS.whole_id(raw.serviceID, f"{name}'s serviceID")
    contract_service = _FIELDS.whole_id(raw.contractServiceID, f"{name}'s contractServiceID")
    seat = services.get(contract_service)
    if seat is None or seat.contractID != contract_id or seat.serviceID != service:
        raise error(f"{name}'s contract service {contract_service} is none of contract {contract_id}'s for its service")
    units = _FIELDS.number(raw.units, f"{name}'s units", whole=True, most=MAX_SEATS)
    where = f"contract service {contract_service}'s"
    each = None
    if currencies[0] == currencies[1]:  # the adjusted price is in the internal currency: the customer's here
        each = _FIELDS.price(seat.internalCurrencyAdjustedPrice, f"{where} internalCurrencyAdjustedPrice")
    each = each if each is not None else _FIELDS.price(seat.unitPrice, f"{where} unitPrice")
    cost = _FIELDS.price(seat.unitCost, f"{where} unitCost")
    period, period_cost = _FIELDS.price(raw.price, f"{name}'s price"), _FIELDS.price(raw.cost, f"{name}'s cost")
    doubt = ""
    if not (_corroborates(period, units, each) and _corroborates(period_cost, units, cost)):
        doubt = (
            f"Autotask contract service {contract_service}: its unit {unit_id}'s price {period} and cost "
            f"{period_cost} for {int(units)} seats are not given by a seat's {each} and {cost}: its money is not read"
        )
        each = cost = None
    return PsaLine(
        agreement_id=str(contract_id),
        agreement=_FIELDS.text(contract.contractName, "a contract's contractName"),
        id=str(contract_service),
        product=str(service),
        quantity=int(units),
        less_included=0,
        unit_price=each,
        unit_cost=cost,
        billable=True,
        effective=_FIELDS.day(raw.startDate, f"{name}'s startDate"),
        cancelled=_FIELDS.day(raw.endDate, f"{name}'s endDate"),
        currency=currencies[0],
        cost_currency=currencies[1],
        doubt=doubt,
        bill_customer="",
    )
