"""The migration plan as plain data: what plan.py computes and document.py/render.py write.

Blockers, notes and unknowns are a code and the values their sentence needs; texts.py words them
in the report's language, so the plan itself has no language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from auditor.formats.bill_model import BillAction

# a value a reason's sentence reads: a name or a UPN, a count, a yes/no, or names to list ("A, B and C")
ReasonValue = str | int | bool | tuple[str, ...]

# the blockers' codes (issue contract): a user with one keeps its source license and is not counted
HOLD = "hold"
TARGET_MAILBOX_EXISTS = "target_mailbox_exists"
CROSS_CLOUD = "cross_cloud"
NO_TARGET_PRODUCT = "no_target_product"
SOURCE_UNLICENSED = "source_unlicensed"
BLOCKERS = (HOLD, TARGET_MAILBOX_EXISTS, CROSS_CLOUD, NO_TARGET_PRODUCT, SOURCE_UNLICENSED)

ADDON_NAME = "Cross Tenant User Data Migration"  # the product's name; its part number is not in Microsoft's table
GRACE_DAYS = 30  # the target's license is assigned within 30 days of the move's completion (facts: t2t.license_after)


@dataclass(frozen=True, slots=True)
class Reason:
    """A blocker, note or unknown: its code, the values its sentence needs, and the fact behind it."""

    code: str
    values: tuple[tuple[str, ReasonValue], ...] = ()
    fact: str | None = None

    @property
    def value(self) -> dict[str, ReasonValue]:
        return dict(self.values)


@dataclass(frozen=True, slots=True)
class Removal:
    """One source license a moved user gives up: directly, or through the groups that assign it."""

    sku: str
    groups: tuple[str, ...] = ()  # display names; empty = assigned directly
    direct: bool = True


@dataclass(frozen=True, slots=True)
class UserPlan:
    source: str
    target: str
    batch: str
    complete_by: date
    source_products: tuple[str, ...]
    products: tuple[str, ...]  # the target products it needs (part numbers)
    addon: bool
    blockers: tuple[Reason, ...] = ()
    notes: tuple[Reason, ...] = ()
    removals: tuple[Removal, ...] = ()
    shared: bool = False

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)

    @property
    def target_license_from(self) -> date | None:
        return None if self.blocked or not self.products else self.complete_by

    @property
    def target_license_by(self) -> date | None:
        start = self.target_license_from
        return None if start is None else date.fromordinal(start.toordinal() + GRACE_DAYS)

    @property
    def source_remove_after(self) -> date | None:
        """The day the move completes: a source license goes only once the move is verified."""
        return None if self.blocked or not self.removals else self.complete_by


@dataclass(frozen=True, slots=True)
class Purchase:
    sku: str
    needed: int
    free_in_target: int
    buy_by: date
    new_subscription: bool

    @property
    def buy(self) -> int:
        return max(0, self.needed - self.free_in_target)


@dataclass(frozen=True, slots=True)
class AddOn:
    sku: str | None  # the part number the tenant's subscribedSkus give it; None: neither tenant has it
    count: int
    free: int
    assign_on: str  # target | source
    buy_by: date


@dataclass(frozen=True, slots=True)
class OverlapLine:
    """One source product's seats paid in both tenants: from the day bought in the target (`start`)
    until the source's reduction takes effect (`until`); None where not known."""

    sku: str
    seats: int
    start: date
    until: date | None
    price: tuple[float, str] | None  # a seat's monthly price and currency

    @property
    def days(self) -> int | None:
        return None if self.until is None else max(0, (self.until - self.start).days)

    @property
    def amount(self) -> float | None:
        """seats x days x the monthly price, a month counted as 30 days."""
        days = self.days
        return None if days is None or self.price is None else round(self.seats * days * self.price[0] / 30, 2)


@dataclass(frozen=True, slots=True)
class Overlap:
    seats: int
    days: int | None
    amount: float | None
    currency: str | None
    products: tuple[OverlapLine, ...] = ()

    @property
    def confidence(self) -> str:
        return "documented" if self.amount is not None else "unknown"


@dataclass(frozen=True, slots=True)
class Tenant:
    id: str
    name: str
    cloud: str


@dataclass(frozen=True)
class MigrationPlan:
    cutover: date
    as_of: str
    source: Tenant
    target: Tenant
    users: tuple[UserPlan, ...]
    purchases: tuple[Purchase, ...]
    addons: tuple[AddOn, ...]
    overlap: Overlap
    unknowns: tuple[Reason, ...]
    source_actions: tuple[BillAction, ...] = ()
    facts: tuple[str, ...] = field(default=())

    @property
    def blocked(self) -> int:
        return sum(1 for u in self.users if u.blocked)
