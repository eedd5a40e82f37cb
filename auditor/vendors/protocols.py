"""The two kinds of system an MSP runs beside Microsoft, each behind one small interface: what the layers
above (plan, apply, fleet, report) know of a vendor. A vendor is one folder (auditor/vendors/<name>/)
that implements one of them, and one line of auditor.vendors.registry.

    Distributor                         where the MSP buys the seats: a record of its facts (frozen fields)
        .key, .name, .scope             its name in the tenants file and plan.json, in messages, and
                                        the block's field naming the customer there (report.json's too)
        .customer, .customer_pattern,   what that id is, as messages name it, its shape, and whether
        .customer_lower                 it is kept in lower case; .customer_id(text): the id as the
                                        vendor keeps it (None: not one)
        .product, .product_pattern      what its block's products map's keys are, and their shape
        .ties                           the field its subscriptions name their Microsoft subscription by
        .kinds                          the changes it takes: REDUCE, CANCEL, INCREASE
        .gives_price                    whether its API gives a seat's price to the MSP
        .commits_by_term_only,          its commitment rule (auditor.vendors.terms): whether only the
        .renews_next_day                commitment term commits, and whether the first day a committed
                                        subscription can be reduced is the day after its end
        .monthly                        its month-to-month term, as it names it ("Monthly")
        .body                           its requests' body (a Body of auditor.formats.bill_model): the
                                        fields its API takes, as plan.json's change carries them
        .flags                          its own flags (Flags): its URL, its invoice, their help
        .invoices                       what it invoiced the partner (InvoiceReader), or None
        .api                            its behaviour (DistributorApi):
    DistributorApi                      .credentials(env): the MSP's keys from the environment (UsageError,
                                        never a value); .session(env, endpoint): one session for the run
                                        (a context manager, a DistributorSession); .quantity(customer, id,
                                        to): the request that sets a subscription's quantity (a reduction,
                                        a purchase, undo's put-back); .cancel(id, on): the request that
                                        cancels the whole quantity, or None (it cancels nothing through
                                        its API); .wrong_request(change): how a plan's change's request is
                                        not the one it is sent, or None
    DistributorSession                  .subscriptions(customer) (typed rows: DistributorSubscription),
                                        .now(...) the subscription re-read at the call, .send(change),
                                        .recorded(...) the distributor's record of its last change,
                                        .added(...) when a purchase's seats were added by that record
                                        (None: the distributor keeps none the API gives)
    PSA                                 where the MSP bills its customer
        .key, .name, .credentials(env), .session(env, endpoint): a PsaSession
        .product, .product_pattern, .where_key: its block's products and where its tickets go
        .desk(env, endpoint)            a TicketDesk, or None: its tickets are not filed by this version
        .flags                          its own flags (Flags): its URL and their help
    PartnerCenterApi                    Microsoft's commerce for a CSP partner (neither of the two): its
                                        session (.open) and its calls on a customer's subscriptions
    PsaSession                          .lines(company, on) the company's billed lines
    TicketDesk                          where `tickets` files a finding (a Filing), as its PSA shapes it:
                                        .psa, .where_key (board, queue, team), .where_required; .client
                                        its session (a DeskClient); .find(company, key) the open tickets
                                        of our key, .ours(company) all of ours, .new_ticket(...) and
                                        .new_note(...) what opening one and adding a note send, .made(doc)
                                        the new record's id, .noted(ticket, prefix), .is_open(ticket, company)
    Record, CustomerRecord              what a vendor itself holds of the customer a tenants entry names
                                        (its id and its own name for it), read by the vendor's
                                        mapping.py (auditor.vendors.<name>.mapping) from its session:
                                        what a confirmed mapping keeps (auditor.vendors.mappings)
    check_credentials(vendors, named, env)  the keys of each vendor of a registry the tenants file
                                        names, before any tenant is read (UsageError)
    named_blocks(vendors, entries)      each vendor of a registry the tenants entries name, with their
                                        blocks there: what its one session reads

Every error a vendor's session raises is a DistributorError or a PsaError (each vendor's own is a
subclass): one line naming the request, never the answer's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from auditor.billing.commerce_records import PartnerSession, PartnerSubscription, ProductTerm
from auditor.billing.distributor_join import Joins
from auditor.billing.distributor_records import DistributorSubscription
from auditor.billing.invoices import InvoiceLine
from auditor.billing.psa_records import PsaLine, PsaLineRecord
from auditor.billing.untrusted import JsonObject
from auditor.common.errors import console_line
from auditor.formats.bill_model import Body, CommerceChange, CommerceRequest

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

REDUCE, CANCEL = "reduce", "cancel"  # a distributor change's kind (plan.json `bill.distributor[].kind`)
INCREASE = "increase"  # a purchase: the quantity up by the seats the bill buys (auditor.distributor.purchases)


class DistributorError(Exception):
    """A distributor could not be read for a customer, or refused a request: the reconciliation's gap,
    in one line (whatever the distributor's text put into it: console_line), as it is printed and
    stored in distributor.json."""

    def __init__(self, text: str, status: int | None = None) -> None:
        super().__init__(console_line(text))
        self.status = status  # the distributor's HTTP status when it answered (a 4xx: it refused, nothing changed)


class PsaError(Exception):
    """A PSA could not be read for a customer, or refused a request: the three-way table's gap, in one
    line (whatever the PSA's text put into it: console_line)."""

    def __init__(self, text: str, status: int | None = None) -> None:
        super().__init__(console_line(text))
        self.status = status  # the PSA's HTTP status when it answered (a 4xx: it refused, nothing changed)


class Unread(Exception):
    """The subscription could not be re-read (the distributor's error, in one line)."""


class Foreign(Unread):
    """The distributor answers the subscription as another customer's: a change naming it is refused."""


@dataclass(frozen=True)
class Sent:
    outcome: str  # done, failed (a 4xx: nothing changed) or unknown
    note: str = ""
    status: int | None = None


@dataclass(frozen=True)
class Now:
    """A subscription as re-read at the call (apply's re-derivation, undo's re-read)."""

    quantity: int
    writable: bool
    status: str
    sku_id: str | None = None  # the Microsoft product (skuId, lower case) it is now; None: none, or two
    product: str = ""  # how the distributor names it (for the messages)
    microsoft: str | None = None  # the Microsoft subscription it names now (None: not given, or none named)
    billed: int = 0  # the seats of that product the distributor bills the customer now (its listing)
    due: str | None = None  # the first day its commitment lets a reduction be made (None: now)
    stale: str | None = None  # why no such day can be derived (a commitment's end passed or not given)
    least: int = 1  # the fewest seats the distributor takes today (its committed minimum, where it has one)
    least_said: str = ""  # where that minimum is read, as the distributor names it (the refusal's words)
    future: str | None = None  # a start after today, where the distributor updates no such subscription
    # the customer's billed subscriptions that name its Microsoft subscription, it among them, when two or
    # more do (distributor_join.named_twice: which is the tenant's is not guessed); else none
    twins: tuple[str, ...] = ()
    price: float | None = None  # a seat's monthly price to the MSP now (its cost, else its price)


@dataclass(frozen=True)
class Recorded:
    """What the distributor's own record says of a subscription's last change: the quantity before it
    (`before`); `kept` False when the distributor keeps no record the API gives; `why` when the record
    shows no reduction to put back (the last change was not one, or the record does not end at the
    quantity re-read)."""

    kept: bool
    before: int | None = None
    why: str = ""


@dataclass(frozen=True)
class Added:
    """When a purchase's seats were added, by the distributor's own record, and how that is known; `why` when
    it cannot be told."""

    at: datetime | None
    said: str
    why: str = ""


@dataclass(frozen=True)
class Flags:
    """A vendor's own flags, as the commands add them and read them back (auditor.vendors.arguments): the URL
    it is read and written at (another region's site, a stand-in), and a distributor's invoice to the
    partner; each with its help as each command says it. "" where the vendor has no such flag."""

    endpoint: str = ""  # --<key>-endpoint URL
    audit: str = ""  # its help in `audit`
    write: str = ""  # its help in the commands that write there: apply and undo (a distributor), tickets (a PSA)
    sends: str = ""  # a distributor: what `apply --distributor` sends it, and the keys it reads (that flag's help)
    invoice: str = ""  # a distributor that invoices the partner: --<key>-invoice ID|latest (audit --tenants)
    invoice_help: str = ""

    @staticmethod
    def dest(flag: str) -> str:
        """The flag's attribute in argparse's Namespace ("--pax8-endpoint" -> "pax8_endpoint")."""
        return flag.removeprefix("--").replace("-", "_")


class DistributorSession(Protocol):
    """One session at a distributor for the run: its reads and its writes (apply --distributor's)."""

    name: str

    def subscriptions(self, customer: str) -> list[DistributorSubscription]: ...
    def now(self, scope: str, sub_id: str, today: date, tenant: Joins) -> Now: ...
    def send(self, c: CommerceChange) -> Sent: ...
    def recorded(self, scope: str, sub_id: str, quantity: int) -> Recorded: ...
    def added(self, scope: str, sub_id: str, before: int, after: int) -> Added | None: ...


class InvoiceSession(Protocol):
    """A distributor's invoices to the partner: every invoice (id, date), newest first; the partner's own newest
    (`latest`: its id, or None, and the sentence saying which month it is, or why none); one's lines."""

    def invoice_ids(self) -> list[tuple[str, str]]: ...
    def latest(self, today: date) -> tuple[str | None, str]: ...
    def invoice_lines(self, invoice_id: str) -> list[InvoiceLine]: ...


class InvoiceReader(Protocol):
    """A distributor's invoices, read with the MSP's keys in `env` (its `credentials`)."""

    def __call__(self, env: Mapping[str, str], endpoint: str | None) -> AbstractContextManager[InvoiceSession]: ...


GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


class DistributorApi(Protocol):
    """What a distributor's own code does (its facts are its Distributor's fields). The MSP's keys never leave
    its folder: `credentials` reads them from the environment (a UsageError naming what is missing, before any
    tenant is read), and its session reads them there again."""

    def credentials(self, env: Mapping[str, str]) -> object: ...
    def session(self, env: Mapping[str, str], endpoint: str | None) -> AbstractContextManager[DistributorSession]: ...
    def quantity(self, customer: str, sub_id: str, to: int) -> CommerceRequest: ...
    def cancel(self, sub_id: str, on: str) -> CommerceRequest | None: ...
    def wrong_request(self, c: CommerceChange) -> str | None: ...


@dataclass(frozen=True)
class Distributor:
    """A distributor: its facts, and its behaviour (`api`). One in each vendor's folder, named by the registry."""

    key: str
    name: str
    scope: str  # the tenants block's field naming the customer (report.json's too)
    customer: str  # what the customer's id is, as messages name it ("GUID")
    customer_pattern: re.Pattern[str]  # its shape
    product: str  # what the tenants block's products map's keys are (as messages name them)
    product_pattern: re.Pattern[str]  # their shape
    ties: str  # the field of its subscriptions naming their Microsoft subscription ("": none given)
    kinds: tuple[str, ...]  # the changes it takes through its API: REDUCE, CANCEL, INCREASE
    gives_price: bool  # whether its API gives a seat's price (else a purchase is said at the bill's)
    commits_by_term_only: bool
    renews_next_day: bool
    monthly: str  # its month-to-month term, as it names it (auditor.vendors.terms)
    body: type[Body]  # its requests' body, as its API names the fields (plan.json's `request.body`)
    flags: Flags
    api: DistributorApi
    invoices: InvoiceReader | None = None
    customer_lower: bool = False  # its ids are kept in lower case (a GUID)

    def customer_id(self, text: object) -> str | None:
        """The customer's id as the distributor keeps it; None when `text` is not one (its pattern)."""
        if not isinstance(text, str) or not self.customer_pattern.match(text.strip()):
            return None
        return text.strip().lower() if self.customer_lower else text.strip()


@dataclass(frozen=True)
class Record:
    """A customer as the vendor itself holds it: the id a tenants entry names it by, and the vendor's own
    name for it. What the mapping the MSP confirmed keeps (auditor.vendors.mappings): a later record that
    differs is a named change, never trusted."""

    customer: str
    name: str


class CustomerRecord(Protocol):
    """A vendor's read of its record of one customer (auditor/vendors/<name>/mapping.py), through the
    session a run already holds there (a distributor's DistributorSession, a PSA's session or its desk's
    client); the vendor's own error (DistributorError, PsaError) when it has no such customer or cannot
    be read."""

    def __call__(self, session: object, customer: str) -> Record: ...


KEY_PREFIX = "license-auditor:"  # every ticket's key, and every note's first word


@dataclass(frozen=True)
class Filing:
    """A finding the MSP chose for a ticket, with the ticket's texts."""

    finding: str  # its id
    key: str  # the ticket's key: KEY_PREFIX and the finding's id
    summary: str
    description: str
    severity: str = "high"  # the finding's (a PSA's priority)
    upn: str = ""  # the affected user (a PSA's contact), "" when the finding is about no user


class PsaSession(Protocol):
    """One session in a PSA for the run (a context manager): a company's billed lines."""

    def __enter__(self) -> PsaSession: ...
    def __exit__(self, *exc: object) -> None: ...
    def lines(self, company_id: int, on: str) -> list[PsaLine]: ...
    # apply --psa: the change's request as the PSA takes it, sent (auditor.vendors.psa_writes.send)
    def wire(self, c: CommerceChange) -> object: ...
    def request(
        self, method: str, path: str, query: Mapping[str, str | int] | None = ..., body: object = ...
    ) -> Answer: ...


class Answer(Protocol):
    @property
    def status(self) -> int: ...
    @property
    def body(self) -> bytes: ...


class DeskClient(Protocol):
    """A desk's session (a context manager): one request answered 2xx, its answer read as JSON."""

    def __enter__(self) -> DeskClient: ...
    def __exit__(self, *exc: object) -> None: ...
    def request(
        self, method: str, path: str, query: Mapping[str, str | int] | None = ..., body: object = ...
    ) -> Answer: ...
    def decode(self, data: bytes, where: str) -> object: ...


class TicketDesk(Protocol):
    """A PSA's service desk, as `tickets` files findings in it."""

    psa: str  # the tenants block's PSA (its registry key)
    where_key: str  # the block's key naming where tickets go (board, queue, team)
    where_required: bool  # whether a customer without it gets no ticket (its gap)

    @property
    def client(self) -> DeskClient: ...
    def find(self, company: int, key: str) -> list[int]: ...
    def ours(self, company: int) -> list[tuple[int, str]]: ...
    def new_ticket(self, company: int, where: str, filing: Filing) -> tuple[str, object]: ...
    def made(self, doc: object) -> int | None: ...
    def noted(self, ticket: int, prefix: str) -> bool: ...
    def new_note(self, ticket: int, text: str) -> tuple[str, object]: ...
    def is_open(self, ticket: int, company: int) -> bool: ...


class PSA(Protocol):
    key: ClassVar[str]
    name: ClassVar[str]
    product: ClassVar[str]  # what the tenants block's products map's keys are (as messages name them)
    product_pattern: ClassVar[re.Pattern[str]]  # their shape (auditor.billing.psa_block: CODE, NUMBER_ID)
    where_key: ClassVar[str]  # the block's key naming where its tickets go (board, queue, team)
    flags: ClassVar[Flags]

    # the MSP's keys, read from `env` (UsageError: what is missing), by its session and desk too (as a distributor's)
    def credentials(self, env: Mapping[str, str]) -> object: ...
    def session(self, env: Mapping[str, str], endpoint: str | None) -> PsaSession: ...
    def desk(self, env: Mapping[str, str], endpoint: str | None) -> TicketDesk | None: ...
    def quantity_request(self, line: PsaLineRecord, to: int) -> CommerceRequest:
        """The request that sets the line's quantity to `to` (apply --psa; plan.json's psa change's `request`)."""
        ...


class PartnerCenterApi(Protocol):
    """Microsoft's commerce for a CSP partner: neither a distributor nor a PSA, the third system the bill
    reads and `apply --commerce` writes (auditor.vendors.partner_center)."""

    name: ClassVar[str]

    def open(self, credential: TokenCredential, endpoint: str | None) -> PartnerSession: ...
    def read_subscriptions(self, pc: PartnerSession, customer: str) -> list[PartnerSubscription]: ...
    def get_subscription(self, pc: PartnerSession, customer: str, sub_id: str) -> JsonObject: ...
    def update_subscription(self, pc: PartnerSession, customer: str, subscription: JsonObject) -> JsonObject: ...
    def scheduled_product(self, pc: PartnerSession, customer: str, subscription: JsonObject) -> ProductTerm: ...


def check_credentials(vendors: Mapping[str, Distributor | PSA], named: Iterable[str], env: Mapping[str, str]) -> None:
    """The keys of each vendor of `vendors` (a registry: name -> vendor) that `named` names, before any
    tenant is read: UsageError naming the environment variables missing (the vendor's `credentials`)."""
    names = set(named)
    for name, vendor in vendors.items():
        if name in names:
            (vendor.api if isinstance(vendor, Distributor) else vendor).credentials(env)


_Vendor = TypeVar("_Vendor", bound="Distributor | PSA")
_Block = TypeVar("_Block")


def named_blocks(
    vendors: Mapping[str, _Vendor], entries: Mapping[str, Mapping[str, _Block]]
) -> Iterator[tuple[str, _Vendor, dict[str, _Block]]]:
    """Each vendor of `vendors` (a registry: name -> vendor, in its order) that an entry of `entries` (a
    tenant's key -> its entry's `distributor` or `psa` block, {<name>: ...}) names, with the blocks naming
    it (the tenant's key -> its block there): what one session of that vendor reads."""
    for name, vendor in vendors.items():
        blocks = {key: e[name] for key, e in entries.items() if name in e}
        if blocks:
            yield name, vendor, blocks
