"""Compute the migration plan: a pure function of the two tenants, the movers, the product map,
the cutover, the Exchange export and the source's bill (no I/O; the clock is passed in).

Each rule names the fact it applies (facts.py); docs/migration.md walks through them in order:
1 target seats, 2 the add-on, 3 timing in the target, 4 blockers, 5 the source, 6 overlap,
7 shared mailboxes, 8 unknowns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from auditor.data.exchange_export import MailboxExport
from auditor.data.model import NO_MAILBOX, TenantSnapshot, User
from auditor.formats.bill_model import BillAction
from auditor.policy.index import TenantIndex

from ..impact.plan_loss import data_kinds
from .facts import FACTS
from .mapping import ProductMap
from .movers import Mover
from .records import (
    CROSS_CLOUD,
    HOLD,
    NO_TARGET_PRODUCT,
    SOURCE_UNLICENSED,
    TARGET_MAILBOX_EXISTS,
    AddOn,
    MigrationPlan,
    Overlap,
    OverlapLine,
    Purchase,
    Reason,
    Removal,
    Tenant,
    UserPlan,
)

SHARED_LIMIT = 50 * 1024**3  # a shared mailbox needs a license over 50 GB (facts: shared.license)
ADDON_PART = "cross_tenant_user_data_migration"
ADDON_PLANS = ("EXCHANGEONLINE_T2TMBXMOVE", "SHAREPOINTONLINE_T2TODMOVE")  # its service plans


@dataclass(frozen=True)
class SourceBill:
    """What the source's bill says, per source product: the actions on its subscriptions (the bill's
    action objects), when its reduction takes effect, and a seat's monthly price (None: not known)."""

    actions: tuple[BillAction, ...] = ()
    reduction_from: Mapping[str, date | None] | None = None  # part number (lower) -> the day
    prices: Mapping[str, tuple[float, str] | None] | None = None  # part number (lower) -> (price, currency)


@dataclass(frozen=True)
class PlanInputs:
    source: TenantSnapshot
    target: TenantSnapshot
    movers: Sequence[Mover]
    products: ProductMap
    cutover: date
    as_of: datetime
    mailboxes: Mapping[str, MailboxExport] | None = None  # Exchange export by object id (lower); None: not given
    # the source's bill for the seats the moves free (part number -> (seats, the day the first is free))
    bill: Callable[[Mapping[str, tuple[int, date]]], SourceBill] | None = None


def build_plan(inputs: PlanInputs) -> MigrationPlan:
    source, target = TenantIndex(inputs.source), TenantIndex(inputs.target)
    targets = {u.user_principal_name.lower(): u for u in inputs.target.users}
    sources = {u.user_principal_name.lower(): u for u in inputs.source.users}
    unknowns: list[Reason] = []
    addon_sku = _addon_sku(inputs.target) or _addon_sku(inputs.source)
    removals = _Removals(source)
    users = tuple(
        _user(
            inputs,
            m,
            sources[m.source_upn.lower()],
            source,
            targets.get(m.target_upn.lower()),
            target,
            addon_sku,
            unknowns,
            removals,
        )
        for m in inputs.movers
    )
    purchases = _purchases(users, target)
    addons = _addons(users, inputs)
    unknowns = _unknowns(inputs, users, unknowns)
    bill = inputs.bill(freed_seats(users)) if inputs.bill is not None else None
    return MigrationPlan(
        cutover=inputs.cutover,
        as_of=inputs.as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        source=_tenant(inputs.source),
        target=_tenant(inputs.target),
        users=users,
        purchases=purchases,
        addons=addons,
        overlap=_overlap(users, inputs.products, bill),
        unknowns=tuple(unknowns),
        source_actions=bill.actions if bill else (),
        facts=tuple(f.id for f in FACTS),
    )


def freed_seats(users: Sequence[UserPlan]) -> dict[str, tuple[int, date]]:
    """Rule 5: the source seats the moves free, per source part number, and the day the first is
    free (its move completes); a blocked user frees none."""
    freed: dict[str, list[date]] = defaultdict(list)
    for u in users:
        for removal in u.removals:
            freed[removal.sku].append(u.complete_by)
    return {sku: (len(days), min(days)) for sku, days in sorted(freed.items())}


def _tenant(snapshot: TenantSnapshot) -> Tenant:
    return Tenant(snapshot.tenant_id, snapshot.tenant_name, snapshot.cloud.value)


# --- one user -----------------------------------------------------------------------------------


def _user(
    inputs: PlanInputs,
    mover: Mover,
    user: User,
    source: TenantIndex,
    target_user: User | None,
    target: TenantIndex,
    addon_sku: str | None,
    unknowns: list[Reason],
    removal: _Removals,
) -> UserPlan:
    complete_by = mover.complete_by or inputs.cutover
    held = [source.sku_by_id.get(lic.sku_id.lower()) for lic in user.assigned_licenses]
    source_products = tuple(
        sorted(
            {s.sku_part_number if s else "" for s in held} - {""} - ({addon_sku} if addon_sku else set()), key=str.lower
        )
    )
    mailbox = inputs.mailboxes.get(user.id.lower()) if inputs.mailboxes is not None else None
    blockers: list[Reason] = []
    notes: list[Reason] = []
    if inputs.source.cloud != inputs.target.cloud:  # rule 4: cross_cloud
        blockers.append(
            Reason(
                CROSS_CLOUD,
                (("source", inputs.source.cloud.value), ("target", inputs.target.cloud.value)),
                "t2t.same_cloud",
            )
        )
    if "mailbox" in mover.workloads and mailbox is not None:
        blockers += _holds(mailbox, notes)
    if target_user is not None and "mailbox" in mover.workloads and _has_mailbox(target_user, target):
        blockers.append(
            Reason(TARGET_MAILBOX_EXISTS, (("upn", target_user.user_principal_name),), "t2t.target_mailuser")
        )
    elif target_user is None:
        notes.append(Reason("target_user_missing", (), "t2t.onedrive"))
    shared = _shared(user, source, mailbox)
    if shared:
        needs, why = _shared_needs_license(user, source, mailbox)
        notes.append(Reason(f"shared_{why}", (), "shared.license"))
        if needs is None:
            unknowns.append(Reason("shared_size_unknown", (("upn", user.user_principal_name),), "shared.license"))
        wanted = source_products if needs else ()
        if needs and not source_products:
            unknowns.append(Reason("shared_product_unknown", (("upn", user.user_principal_name),), "shared.license"))
    else:
        wanted = source_products
        if not source_products:  # rule 4: nothing to move
            blockers.append(Reason(SOURCE_UNLICENSED, (), "t2t.no_transfer"))
    products, unmapped = _mapped(wanted, inputs.products)
    if unmapped:
        blockers.append(Reason(NO_TARGET_PRODUCT, (("products", tuple(unmapped)),), None))
    if blockers:
        notes.append(Reason("keeps_source_license", (), "t2t.holds"))
    removals = () if blockers else tuple(removal(user, sku) for sku in source_products)
    return UserPlan(
        user.user_principal_name,
        mover.target_upn,
        mover.batch,
        complete_by,
        source_products,
        () if blockers else products,
        addon=not blockers and bool(mover.workloads),
        blockers=tuple(blockers),
        notes=tuple(notes),
        removals=removals,
        shared=shared,
    )


def _holds(mailbox: MailboxExport, notes: list[Reason]) -> list[Reason]:
    """Rule 4 (hold): every kind of hold blocks Microsoft's move. RetentionHoldEnabled is no
    preservation hold (a note), nor is an auto-expanding archive (a note: up to 12 auxiliary archives)."""
    kinds = [
        name
        for name, on in (
            ("LitigationHoldEnabled", mailbox.litigation_hold),
            ("InPlaceHolds", bool(mailbox.in_place_holds)),
            ("DelayHoldApplied", mailbox.delay_hold),
            ("ComplianceTagHoldApplied", mailbox.compliance_tag_hold),
        )
        if on
    ]
    if mailbox.retention_hold:
        notes.append(Reason("retention_hold", (), "t2t.holds"))
    if mailbox.auto_expanding_archive:
        notes.append(Reason("auto_expanding_archive", (), "t2t.archive"))
    if not kinds:
        return []
    return [Reason(HOLD, (("holds", tuple(kinds)), ("in_place", mailbox.in_place_holds)), "t2t.holds")]


def _has_mailbox(user: User, index: TenantIndex) -> bool:
    """The target user already has a mailbox (its mailbox purpose was read) or holds a license whose
    enabled service plans make one."""
    if user.mailbox_purpose not in (None, NO_MAILBOX):
        return True
    for lic in user.assigned_licenses:
        sku = index.sku_by_id.get(lic.sku_id.lower())
        off = {p.lower() for p in lic.disabled_plans}
        if sku is not None and any(
            "mailbox" in data_kinds(p.service_plan_name)
            for p in sku.service_plans
            if p.service_plan_id.lower() not in off
        ):
            return True
    return False


def _shared(user: User, index: TenantIndex, mailbox: MailboxExport | None) -> bool:
    if mailbox is not None:
        return mailbox.recipient_type.lower() == "sharedmailbox"
    return user.mailbox_purpose == "shared" or index.mailbox_shared(user) is True


def _shared_needs_license(user: User, index: TenantIndex, mailbox: MailboxExport | None) -> tuple[bool | None, str]:
    """Rule 7: over 50 GB, with an archive, or on hold; None when the size is not known."""
    size, archive = index.mailbox_size(user), index.mailbox_has_archive(user)
    if mailbox is not None:
        archive = mailbox.has_archive or bool(archive)
        if _holds(mailbox, []):
            return True, "hold"
    if archive:
        return True, "archive"
    if size is not None and size > SHARED_LIMIT:
        return True, "size"
    if size is None:
        return None, "unknown"
    return False, "small"


def _mapped(products: Sequence[str], mapping: ProductMap) -> tuple[tuple[str, ...], list[str]]:
    """Rule 1's products in the target, and the source products the map does not name."""
    out: set[str] = set()
    unmapped: list[str] = []
    for sku in products:
        known, target = mapping.target(sku)
        if not known:
            unmapped.append(sku)
        elif target is not None:
            out.add(target)
    return tuple(sorted(out, key=str.lower)), unmapped


class _Removals:
    """Rule 5: a group's license goes through the group, a direct one per user. What a user gives up
    depends only on its license states, which users alike share (one Profile): computed once each."""

    def __init__(self, index: TenantIndex) -> None:
        self.index = index
        self.known: dict[tuple[int, str], Removal] = {}

    def __call__(self, user: User, part: str) -> Removal:
        key = (id(user.profile), part)
        found = self.known.get(key)
        if found is None:
            sku = self.index.sku_by_part[part.lower()]
            groups = tuple(self.index.assigning_groups(user, sku.sku_id))
            states = [s for s in user.profile.license_assignment_states if s.sku_id.lower() == sku.sku_id.lower()]
            direct = not states or any(s.assigned_by_group is None for s in states)
            found = self.known[key] = Removal(part, groups, direct)
        return found


# --- the tenant-wide figures ------------------------------------------------------------------------


def _purchases(users: Sequence[UserPlan], target: TenantIndex) -> tuple[Purchase, ...]:
    """Rule 1: per target product, the moving users who need it minus the target's free enabled seats."""
    need: dict[str, list[date]] = defaultdict(list)
    for u in users:
        if not u.blocked:
            for sku in u.products:
                need[sku].append(u.complete_by)
    out = []
    for sku in sorted(need, key=str.lower):
        found = target.sku_by_part.get(sku.lower())
        new = found is None or found.deleted
        free = 0 if found is None or new else max(0, found.prepaid_units.enabled - found.consumed_units)
        out.append(
            Purchase(found.sku_part_number if found and not new else sku, len(need[sku]), free, min(need[sku]), new)
        )
    return tuple(out)


def _addon_sku(snapshot: TenantSnapshot) -> str | None:
    """Rule 2: the add-on's part number as the tenant's subscribedSkus give it (not in Microsoft's table)."""
    for sku in snapshot.skus:
        if sku.sku_part_number.lower() == ADDON_PART or any(
            p.service_plan_name.upper() in ADDON_PLANS for p in sku.service_plans
        ):
            return sku.sku_part_number
    return None


def _addons(users: Sequence[UserPlan], inputs: PlanInputs) -> tuple[AddOn, ...]:
    """Rule 2: one add-on per user whose mailbox or OneDrive moves, bought before the first batch."""
    moving = [u for u in users if u.addon]
    if not moving:
        return ()
    first = min(u.complete_by for u in moving)
    for side, snapshot in (("target", inputs.target), ("source", inputs.source)):
        part = _addon_sku(snapshot)
        if part is not None:
            sku = next(s for s in snapshot.skus if s.sku_part_number == part)
            return (AddOn(part, len(moving), max(0, sku.prepaid_units.enabled - sku.consumed_units), side, first),)
    return (AddOn(None, len(moving), 0, "target", first),)


def _overlap(users: Sequence[UserPlan], mapping: ProductMap, bill: SourceBill | None) -> Overlap:
    """Rule 6: the seats paid in both tenants, per source product bought again in the target, from its
    buy_by until the source's reduction takes effect, times the seat's price. The total is known only
    when every product's date and price are (and in one currency)."""
    by_sku: dict[str, list[date]] = defaultdict(list)
    for u in users:
        if not u.blocked and u.products:
            for sku in u.source_products:
                if mapping.target(sku)[1] in u.products:  # bought again in the target
                    by_sku[sku].append(u.complete_by)
    ends = bill.reduction_from if bill is not None and bill.reduction_from is not None else {}
    prices = bill.prices if bill is not None and bill.prices is not None else {}
    lines = tuple(
        OverlapLine(sku, len(days), min(days), ends.get(sku.lower()), prices.get(sku.lower()))
        for sku, days in sorted(by_sku.items())
    )
    seats = sum(line.seats for line in lines)
    amounts = [line.amount for line in lines]
    currencies = {line.price[1] for line in lines if line.price is not None}
    known = bool(lines) and None not in amounts and len(currencies) == 1
    longest = max((line.days for line in lines if line.days is not None), default=None)
    total = round(sum(a for a in amounts if a is not None), 2) if known else None
    return Overlap(seats, longest if known else None, total, currencies.pop() if known else None, lines)


def _unknowns(inputs: PlanInputs, users: Sequence[UserPlan], found: list[Reason]) -> list[Reason]:
    """Rule 8: listed, never guessed."""
    out: list[Reason] = []
    mail = [u for u, m in zip(users, inputs.movers, strict=True) if "mailbox" in m.workloads]
    if inputs.mailboxes is None and mail:
        out.append(Reason("holds_not_checked", (("n", len(mail)),), "t2t.holds"))
    elif inputs.mailboxes is not None:
        by_upn = {u.user_principal_name.lower(): u.id.lower() for u in inputs.source.users}
        missing = [u.source for u in mail if by_upn[u.source.lower()] not in inputs.mailboxes]
        if missing:
            out.append(Reason("not_in_export", (("n", len(missing)), ("first", missing[0])), "t2t.holds"))
    if mail:
        out.append(Reason("org_retention", (), "t2t.org_holds"))
    if inputs.bill is None:
        out.append(Reason("windows_without_billing", (), "commerce.windows"))
    if any(u.addon for u in users):
        out.append(Reason("addon_price", (), "t2t.addon"))
    return out + found
