"""The typed `bill`: which seats leave the invoice, from which subscription, and when (docs/bill.md).

auditor.plan.bill.build_bill builds it as these Structs; plan.json's `bill` (ChangePlan.bill) and
report.json's `bill` (audit --billing) are its encoding, `msgspec.to_builtins(bill)`, the fields in
the order below; a field not always written is UNSET until it is. bill_of reads one back from a
report document, whether it holds a Bill or the JSON of one, and refuses a wrong type with its place.

`sources` stays a mapping of fact -> source. A subscription's `api` ids (SubscriptionIds), a
commerce change's request `body` and the Copilot Credits' `balances` (BalanceRow) are typed as the
billing source or Graph names them. A body is a Body of its change's `source`, any other key refused:
a distributor's is its own (its folder's), every other source's a RequestBody (Microsoft's commerce, the
PSAs). Whoever decodes a change says which: it passes the Bodies it reads with (auditor.vendors.registry.BODIES
for plan.json and the journals), and formats, below the vendors, names none of theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NotRequired, Self, TypedDict, TypeVar

import msgspec
from msgspec import UNSET, Struct, UnsetType

from auditor.billing.commerce_records import ProductTerm
from auditor.common import shapes
from auditor.common.errors import SnapshotError
from auditor.data.copilot_credits_data import BalanceRow

__all__ = [
    "Bill",
    "BillAction",
    "BillProduct",
    "Bodies",
    "Body",
    "CommerceChange",
    "CommerceLine",
    "CommerceRequest",
    "CopilotCredits",
    "CreditUse",
    "FundingUse",
    "HaloLineQuantity",
    "NextTerm",
    "NotPlanned",
    "PerUser",
    "PsaNotPlanned",
    "Quantity",
    "RequestBody",
    "SeatFigures",
    "ServiceUse",
    "SubscriptionIds",
    "bill_of",
]


class SubscriptionIds(Struct, frozen=True, kw_only=True):
    """The billing API's own ids of a subscription (auditor.billing.facts.row_from_api), in the order
    written, and Graph's skuId of its product; each id only when the API gave it."""

    source: str  # billing-account | partner-center
    id: str  # the API's subscription id
    scope: str  # the billing account, or the Partner Center customer
    offer: str | UnsetType = UNSET  # Partner Center's offerId (productId:skuId:availabilityId)
    billing_cycle: str | UnsetType = UNSET  # Partner Center's billingCycle
    product_id: str | UnsetType = UNSET  # the billing account's productTypeId
    catalog_sku: str | UnsetType = UNSET  # the billing account's skuId (its catalog's, not Graph's)
    term: str | UnsetType = UNSET  # P1M, P1Y, P3Y
    agreement: str | UnsetType = UNSET  # the billing account's agreementType
    sku_id: str | UnsetType | None = UNSET  # Graph's skuId of the product (plan.bill adds it)


class BillProduct(Struct, frozen=True, kw_only=True):
    """One product's seats: purchased, assigned after the plan, the policy's spare, and the surplus."""

    sku: str
    purchased: int
    assigned_after: int
    spare: int
    surplus: int
    kept_for_moves: int | UnsetType = UNSET  # the freed seats the moves that wait for one take
    unscheduled: int | UnsetType = UNSET  # surplus no window takes now: the next plan schedules it


class BillAction(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    """One subscription's action (or one purchase: `subscription` null), auditor.billing.windows."""

    subscription: str | None
    sku: str
    action: str  # auditor.billing.windows.Action
    seats: int
    from_: int | None
    to: int | None
    not_before: str | None
    by: str | None
    window: str  # auditor.billing.windows.Window
    owner: str
    monthly_saving: float  # negative for a purchase
    saving_from: str | None
    confidence: str
    reason: str  # in the report's language
    # fact -> graph, billing-account, partner-center, file, distributor or unknown (a buy's also plan, policy, findings)
    sources: dict[str, str]
    uplift: str | UnsetType = UNSET  # the premium over the catalog's price the amount holds
    unpriced: bool | UnsetType = UNSET  # true: no price, the amount is not known
    warning: str | UnsetType = UNSET  # needed_ends
    billing_frequency: str | UnsetType | None = UNSET  # this and the next two: a billing row's
    cancel_at_end_of_term: bool | UnsetType | None = UNSET
    channel: str | UnsetType = UNSET
    join: str | UnsetType = UNSET  # "uncertain": the row was joined by product and quantity
    api: SubscriptionIds | UnsetType = UNSET  # the billing API's own ids of the subscription
    lifecycle_days: dict[str, int] | UnsetType = UNSET  # the migration's: a subscription that ends

    @property
    def priced(self) -> bool:
        return self.unpriced is not True


class Quantity(Struct, frozen=True, forbid_unknown_fields=True):
    """A billing subscription's `properties` as a reduction PATCHes them."""

    quantity: int


class NextTerm(Struct, frozen=True, forbid_unknown_fields=True):
    """Partner Center's scheduledNextTermInstructions: the renewal's product and quantity."""

    product: ProductTerm
    quantity: int


class HaloLineQuantity(Struct, frozen=True, forbid_unknown_fields=True):
    """A Halo recurring invoice line's new quantity (its `id`, its `qty_order`)."""

    id: int
    qty_order: int


class Body(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The body of a commerce request, as plan writes it and apply sends it: the fields its API takes, as
    it names them (a key of another name is refused where plan.json is read: a hand edit). Each source's is
    a subclass: RequestBody, or a distributor's own (auditor.vendors.<name>.requests)."""

    def with_quantity(self, old: int, new: int) -> Self:
        """The body with the subscription's quantity `old` as `new`, in the field of its API that holds it;
        every other field as it is. A body that holds no quantity is itself."""
        del old, new
        return self


class RequestBody(Body, frozen=True, kw_only=True):
    """The body of a request to Microsoft's commerce (Partner Center, a billing account) or a PSA: the one
    field its API takes."""

    quantity: int | UnsetType = UNSET  # Partner Center's PATCH, ConnectWise's
    properties: Quantity | UnsetType = UNSET  # a billing subscription's PATCH
    # a scheduled reduction (null: undo takes it back)
    scheduledNextTermInstructions: NextTerm | UnsetType | None = UNSET
    # apply --psa: Autotask's ContractServiceAdjustment (its swagger's ContractServiceAdjustmentModel's
    # names, camel-cased as Autotask's JSON writes them)
    contractID: int | UnsetType = UNSET
    contractServiceID: int | UnsetType = UNSET
    unitChange: int | UnsetType = UNSET
    effectiveDate: str | UnsetType = UNSET
    # Halo's recurring invoice: its id and the line's new qty_order (POSTed as the one item of an array)
    id: int | UnsetType = UNSET
    lines: list[HaloLineQuantity] | UnsetType = UNSET

    def with_quantity(self, old: int, new: int) -> Self:
        """The body with the subscription's quantity `old` as `new`, in the one field of each API that holds it
        (Partner Center's `quantity`, a billing subscription's `properties.quantity`, the renewal's
        `scheduledNextTermInstructions.quantity`, Halo's `qty_order`); every other field as it is, whatever its
        name (Autotask's `unitChange` is a difference, never the quantity)."""

        def to(value: int) -> int:
            return new if value == old else value

        replace = msgspec.structs.replace
        changed: dict[str, Any] = {}
        if isinstance(self.quantity, int):
            changed["quantity"] = to(self.quantity)
        if isinstance(self.properties, Quantity):
            changed["properties"] = replace(self.properties, quantity=to(self.properties.quantity))
        if isinstance(self.scheduledNextTermInstructions, NextTerm):
            term = self.scheduledNextTermInstructions
            changed["scheduledNextTermInstructions"] = replace(term, quantity=to(term.quantity))
        if isinstance(self.lines, list):
            changed["lines"] = [replace(line, qty_order=to(line.qty_order)) for line in self.lines]
        return replace(self, **changed)


if TYPE_CHECKING:
    _AsRead = Body
else:
    # msgspec reads the body as JSON: Bodies types it by its change's source once the change is decoded
    _AsRead = Any


class CommerceRequest(Struct, frozen=True, kw_only=True):
    method: str
    path: str
    body: _AsRead | None

    def with_quantity(self, old: int, new: int) -> CommerceRequest:
        """The request with its body's quantity `old` as `new` (Body.with_quantity)."""
        body = self.body.with_quantity(old, new) if self.body is not None else None
        return msgspec.structs.replace(self, body=body)

    @property
    def common(self) -> RequestBody | None:
        """The body as Microsoft's commerce and the PSAs write it (a RequestBody); None for none, or for a body
        a distributor owns."""
        return self.body if isinstance(self.body, RequestBody) else None


# the kinds of bill change a plan file may make smaller than the fresh compile's, and the way each moves the
# subscription's quantity: a reduction (auditor.plan.commerce, auditor.distributor.distributor_changes) takes
# seats off, down; a purchase (auditor.distributor.purchases) adds them, up. Any other kind (a cancellation, a
# renewal's schedule, a PSA's quantity) only as the fresh compile has it
SMALLER_BY = {"reduce": -1, "increase": 1}


class CommerceChange(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    """One action an API can perform (auditor.plan.commerce; `apply --commerce` makes it)."""

    n: int
    kind: str
    source: str
    scope: str
    api_id: str
    subscription: str | None
    sku: str
    sku_id: str | None
    # null when not given: a plan written before they were kept (apply then takes a Customer
    # Agreement, and does not compare the re-read product); plan always writes both
    agreement: str | None = None
    product: str | None = None
    from_: int | None
    to: int | None
    seats: int
    window: str
    not_before: str | None
    by: str | None
    monthly_saving: float
    # a purchase at the distributor: what the seats bought bill the customer a month (auditor.distributor.purchases)
    monthly_price: float | UnsetType = UNSET
    saving_from: str | None
    request: CommerceRequest
    # a psa change (apply --psa): the policy's rule its quantity follows (assigned, distributor or larger)
    rule: str | UnsetType = UNSET

    def smaller(self, to: int) -> CommerceChange | None:
        """This change made smaller, as a plan file may (fewer seats off, fewer bought: SMALLER_BY), to end at
        `to`, strictly between its `from` and its own `to`: its seats, its money in proportion and its request's
        quantity with it. None when its kind is not made smaller or `to` is not such (never more, never past
        where it starts)."""
        way, start, end = SMALLER_BY.get(self.kind), self.from_, self.to
        if way is None or start is None or end is None or not (0 < (to - start) * way < (end - start) * way):
            return None
        seats, whole = abs(to - start), abs(end - start)

        def share(money: float) -> float:
            return round(money * seats / whole, 2) + 0.0

        price = self.monthly_price if isinstance(self.monthly_price, UnsetType) else share(self.monthly_price)
        return msgspec.structs.replace(
            self,
            to=to,
            seats=seats,
            monthly_saving=share(self.monthly_saving),
            monthly_price=price,
            request=self.request.with_quantity(end, to),
        )


class CommerceLine(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    """One line of a commerce journal (auditor.apply.write_engine.BillJournal), the fields in the
    order written: the change as plan.json has it (an undo's buy-back as undo makes it) and its
    outcome. `agreement`, `monthly_saving`, `window` and `by` are null in a line written before
    they were kept."""

    at: str = ""
    n: int
    kind: str
    source: str
    scope: str
    api_id: str
    agreement: str | None = None
    subscription: str | None
    sku: str
    from_: int | None
    to: int | None
    monthly_saving: float | None = None
    window: str | None = None
    by: str | None = None
    request: CommerceRequest
    rule: str | UnsetType = UNSET  # a psa change's: the policy's rule of its quantity
    outcome: str = ""
    status: int | None = None
    note: str = ""
    # apply --commerce's and --distributor's lines: the SHA-256 of the plan the change came from, and (its
    # `sending` line) the quantity the source gave at the call, before the write (what undo binds a line to)
    plan: str | UnsetType = UNSET
    read: int | UnsetType = UNSET


# a seat finding's details.bill (auditor.plan.bill.product_figures); the functional form: `from` is a keyword
SeatFigures = TypedDict(
    "SeatFigures",
    {
        "purchased": int,
        "after": int,
        "spare": int,
        "drop": int,
        "buy": int,
        "to": int,
        "from": str | None,
        "drop_monthly": float | None,
        "buy_monthly": float | None,
        "why": NotRequired[str],  # "short": an entitlement short of seats
    },
)


class PerUser(Struct, frozen=True, kw_only=True):
    read: bool
    reason: str
    permission: str


class ServiceUse(Struct, frozen=True, kw_only=True):
    service: str  # Graph's serviceId (cowork, workIQ, ...)
    consumed: float  # Copilot Credits over the month's days read


class FundingUse(Struct, frozen=True, kw_only=True):
    funding_class: str  # Graph's fundingClass, as it names it
    consumed: float  # Copilot Credits in the month, unbilled included
    synced: str | None = None  # dataStatus.latestSourceDateTime


class CreditUse(Struct, frozen=True, kw_only=True):
    """The month's use of Copilot Credits per service and per funding class (auditor.plan.credit_use):
    each list null when its report was not read, its gap saying why; `policies`: the spending policies,
    which need a delegated permission, so the audit reads none."""

    month: str  # YYYY-MM
    days: int  # the completed days of the month the services' figures cover
    services: list[ServiceUse] | None
    funding: list[FundingUse] | None
    policies: PerUser
    services_gap: str | UnsetType = UNSET
    funding_gap: str | UnsetType = UNSET


class CopilotCredits(Struct, frozen=True, kw_only=True):
    """The tenant's Copilot Credits balance beside the Copilot seats (auditor.plan.bill.copilot_credits),
    and the month's use (`use`, auditor.plan.credit_use)."""

    beta: bool
    request: str
    balances: list[BalanceRow] | None  # null: not read
    per_user: PerUser
    gap: str | UnsetType = UNSET  # why the balance was not read
    use: CreditUse | UnsetType = UNSET  # the month's use, when it was asked


class PsaNotPlanned(Struct, frozen=True, kw_only=True):
    """A product whose quantity in the PSA is not planned though the policy gives it a psa_quantity rule, by its
    facts (plan.md words it, auditor.plan.psa_quantities): `lines` the PSA's lines billing it (two or more:
    which one to change is not guessed; none: there is no billed line to change)."""

    psa: str  # the PSA's registry key (auditor.vendors.registry)
    sku: str  # the product's part number
    sku_id: str | None = None
    lines: list[str] = []  # the billable lines' ids (empty: none)


class NotPlanned(Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A reduction at the distributor that is not planned, by its facts (one line of `distributor_skipped`
    each, the same order): plan.md words it in the report's language (auditor.distributor.not_planned).
    `why`: no_subscription (the tenant has none of the product), seats_short (fewer seats would be left
    than assigned), unnamed (the distributor's subscriptions name no Microsoft subscription), named_twice
    (two name one), commitment_ended, no_commitment_end, not_one (Sherweb: no one subscription matched by
    the catalog's microsoftSkuId), every_seat (Sherweb: the change would take every seat)."""

    why: str
    distributor: str  # the distributor's registry key (auditor.vendors.registry)
    sku: str  # the product's part number
    sku_id: str | None = None
    subscriptions: list[str] = []  # the distributor's subscription ids
    microsoft: str | None = None  # named_twice: the Microsoft subscription they name
    left: int | None = None  # seats_short: the seats that would be left
    assigned: int | None = None  # seats_short: the seats assigned after the plan
    ended: str | None = None  # commitment_ended: the day (ISO)
    count: int | None = None  # not_one: how many subscriptions the product has there
    matched_by: str | None = None  # not_one: how its one subscription was matched


class Bill(Struct, frozen=True, kw_only=True):
    """plan.json's and report.json's `bill` (auditor.plan.bill.build_bill)."""

    products: list[BillProduct]
    actions: list[BillAction]
    # int or float: a sum of no saving is written 0, as it always was
    monthly_saving_now: int | float
    monthly_saving_within_year: int | float
    as_of: str
    commerce: list[CommerceChange] | UnsetType = UNSET  # only when an API can make some
    # the distributors' quantity changes, apply --distributor (auditor.distributor.distributor_changes)
    distributor: list[CommerceChange] | UnsetType = UNSET
    distributor_skipped: list[str] | UnsetType = UNSET  # the distributor's reductions not planned, and why
    distributor_not_planned: list[NotPlanned] | UnsetType = UNSET  # the same, by their facts (plan.md's words)
    # the quantities written back into the PSA, apply --psa (auditor.plan.psa_quantities)
    psa: list[CommerceChange] | UnsetType = UNSET
    psa_not_planned: list[PsaNotPlanned] | UnsetType = UNSET  # products with a rule and no one billed line
    copilot_credits: CopilotCredits | UnsetType = UNSET
    gaps: list[str] | UnsetType = UNSET  # the billing sources that could not be read


# a change whose request body Bodies types: plan.json's, or a journal line
C = TypeVar("C", CommerceChange, CommerceLine)


class Bodies:
    """Which Body each change's request body is read as, by the change's `source`: a distributor's own (its
    folder's, by its registry key), a RequestBody for every other source (Microsoft's commerce, the PSAs).

    msgspec decodes a change's body as JSON; whoever reads a bill change (plan.json, a journal, report.json)
    then types it here with the bodies it is given: auditor.vendors.registry.BODIES, every distributor's, or
    `Bodies()` where no distributor's change is read (report.json's bill holds Microsoft's commerce only).
    formats lies below the vendors and names none of them."""

    def __init__(self, own: Mapping[str, type[Body]] | None = None) -> None:
        self._own: Mapping[str, type[Body]] = dict(own or {})

    def of(self, source: str) -> type[Body]:
        """The Body of `source`'s requests."""
        return self._own.get(source, RequestBody)

    def change(self, change: C, at: str = "$") -> C:
        """`change` (a CommerceChange or a journal's CommerceLine) with its request's body read as its
        source's Body. A key its API does not take, or a value of another type, is a msgspec.ValidationError
        naming the field and the change's place `at`, as msgspec names any other field's ("request.body:
        Object contains unknown field `x` - at `$.bill.commerce[0]`")."""
        request = change.request
        if request.body is None or isinstance(request.body, Body):
            return change
        try:
            body = shapes.convert(request.body, self.of(change.source))
        except msgspec.ValidationError as exc:  # the place in the body named first, then the change's
            reason, _, inner = str(exc).partition(" - at `$")
            raise msgspec.ValidationError(f"request.body{inner.removesuffix('`')}: {reason} - at `{at}`") from None
        return msgspec.structs.replace(change, request=msgspec.structs.replace(request, body=body))

    def changes(self, changes: list[CommerceChange] | UnsetType | None, at: str) -> list[CommerceChange]:
        """A decoded list of changes (none: []) typed (Bodies.change), each placed at `at[i]`."""
        if not isinstance(changes, list):
            return []
        return [self.change(c, f"{at}[{i}]") for i, c in enumerate(changes)]

    def bill(self, bill: Bill, at: str = "$") -> Bill:
        """A decoded bill with every change's body typed (Bodies.change): its commerce, distributor and psa
        changes, placed under `at` (`$.bill` in plan.json)."""
        typed: dict[str, list[CommerceChange]] = {}
        for name in ("commerce", "distributor", "psa"):
            given = getattr(bill, name)
            if isinstance(given, list):
                typed[name] = self.changes(given, f"{at}.{name}")
        return msgspec.structs.replace(bill, **typed) if typed else bill


def bill_of(value: object, bodies: Bodies, where: str = "report.json") -> Bill | None:
    """A bill as its readers take it: `value` itself when it is one, the Bill of its JSON (each change's
    body the Body `bodies` gives its source), or None for none (a document's `bill` that is missing or null).
    A JSON bill of the wrong shape is a SnapshotError that names the place."""
    if isinstance(value, Bill) or value is None:
        return value
    try:
        return bodies.bill(shapes.convert(value, Bill))
    except msgspec.ValidationError as exc:
        raise SnapshotError(f"{where}: bill: {exc}") from None
