"""Hygiene of accounts: licenses on disabled, inactive and guest accounts, and on shared mailboxes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypedDict, TypeVar

from msgspec import UNSET, UnsetType
from msgspec.structs import replace as updated

from auditor.data.account_kinds import ROOMS, TEAMS_ROOMS_BASIC, TEAMS_ROOMS_PRO
from auditor.data.agents import AGENT_USERS
from auditor.data.enums import AccountKind
from auditor.data.finding import Own
from auditor.data.model import RESOURCE_PURPOSES, Finding, Severity, User
from auditor.data.sign_ins import dormant, last_attempt, last_sign_in
from auditor.data.usage_data import ACTIVE_USERS, MAIL_USE_FIELDS, MAILBOXES, STORAGE_FIELDS, shared_mailbox_needs

from ...data.reads import Reads, Without
from ...i18n.said import ROOMS_NOT_LISTED
from ...impact.entitlement_scope import part_of, plans_of
from ...policy.objects import HygieneCheck, Policy
from ...reference import product_names
from ...snapshot import MAILBOX_SETTINGS, SIGN_IN_ACTIVITY
from ..base import Context, parse_when
from .base import DeclaredOwn, HygieneRule, MailboxOwn, UserHygieneRule, check_schema, mailbox_extra, unverified


class UnusedAccountDetails(MailboxOwn, frozen=True, kw_only=True):
    """What a disabled or inactive account's finding says of its mailbox: `mailbox_bytes` (null: the report
    gives no size) and `mailbox_archive` when the mailbox usage report lists the account (UNSET: it does not)"""

    mailbox_bytes: int | UnsetType | None = UNSET
    mailbox_archive: bool | UnsetType = UNSET


class DisabledUserLicensedDetails(UnusedAccountDetails, frozen=True, kw_only=True):
    """`shared_mailbox`: `"unknown"` only when the account's mailbox purpose could not be read (a `mailboxSettings`
    gap, Graph's answer for this account was an error, or the account was not a candidate when the tenant was read)
    or was `others`/`unknownFutureValue`: it may be a shared mailbox; `data_kept` when the check declares it:
    `mailbox`, `files`, `accepted_by`, `expires` as declared, and `expired` (true once the audit's date is past
    `expires`: the declaration then counts as absent); when the check sets `grace_days`: `grace_days`, `disabled_at`
    (when the account was disabled; null when not known), `disabled_from` (`employeeLeaveDateTime` or
    `directoryAudit`, where it was read; `auditSpan`: no entry of the directory audit disabled it, so it was
    disabled before the log's start, `disabled_at`, `audit_span_days` days before the end of what was read) or
    `disable_unknown` (`audit_not_read`: the directory audit was not read; `not_in_audit`: no entry of the audit
    disabled it, or one enabled it again since, and the log's span is not known); `mailbox_bytes` and
    `mailbox_archive` when the mailbox usage report lists the account"""

    # the engine's (auditor.impact.services.DisabledAt, among the details' added part): read, never written here
    optional: ClassVar[frozenset[str]] = UnusedAccountDetails.optional | {"disabled_from", "audit_span_days"}
    disabled_from: str = ""
    audit_span_days: int | None = None


class InactiveUserLicensedDetails(UnusedAccountDetails, frozen=True, kw_only=True):
    """`days`, `last_sign_in` (last successful sign-in, ISO or null = never), `last_attempt` (only when sign-in
    attempts came after it: failed ones), `sign_ins_read_at` (when the sign-in activity was read in full: the
    collection's own time, or on a nightly's read of what can have changed the kept full read's; absent when
    the snapshot does not say), `usage_quiet_through` (a nightly that sent no sign-in request for the account:
    the Report Refresh Date of the active-user usage report that showed it idle since `sign_ins_read_at`),
    `shared_mailbox` (as for disabled-user-licensed), `mail_use` (the
    active-user usage report: `read`, and when read `since` (the window's first day), `exchange` and `onedrive`
    (last activity dates or null): an enabled account's mailbox or OneDrive is ended only when neither was used
    since); `data_kept` as for disabled-user-licensed"""

    optional: ClassVar[frozenset[str]] = UnusedAccountDetails.optional | {
        "last_attempt",
        "sign_ins_read_at",
        "usage_quiet_through",
    }
    days: int | None = None  # None: not in the report (an older one)
    last_sign_in: str | None = None
    last_attempt: str | None = None  # a failed attempt since the last successful sign-in
    mail_use: MailUse = {}
    sign_ins_read_at: str = ""  # when the sign-in activity this rests on was read in full (UTC ISO)
    usage_quiet_through: str = ""  # the usage report's refresh date that showed the account idle since (YYYY-MM-DD)


class GuestLicensedDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`data_kept` as for disabled-user-licensed"""


class TeamsRoomsPrice(TypedDict):
    monthly: float
    currency: str


TEAMS_ROOMS = {"Microsoft_Teams_Rooms_Basic": TEAMS_ROOMS_BASIC, "Microsoft_Teams_Rooms_Pro": TEAMS_ROOMS_PRO}


class SharedMailboxLicensedDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`mailbox_purpose`: `shared`, `room` or `equipment` (Graph's `mailboxSettings.userPurpose`, lower case);
    `storage_used_bytes` and `has_archive` when the snapshot holds the mailbox usage report (a policy with
    `shared_mailboxes` reads it); `keeps_license`: `over_50_gb` or `archive` when the report shows the mailbox needs
    its license: the finding says so, proposes no removal and has no `monthly_cost`; `teams_rooms` (a room or
    equipment mailbox): the Teams Rooms licenses a room a Teams Rooms device uses takes instead of a person's
    suite, part number -> `{"monthly", "currency"}` by the policy's prices (null when the policy prices it not)"""

    optional: ClassVar[frozenset[str]] = DeclaredOwn.optional | {"teams_rooms", "keeps_license"}
    mailbox_purpose: str = ""  # shared, room or equipment
    teams_rooms: dict[str, TeamsRoomsPrice | None] = {}
    # the mailbox usage report's, when it lists the mailbox (UNSET: it does not; a null size: it gives none)
    storage_used_bytes: int | UnsetType | None = UNSET
    has_archive: bool | UnsetType = UNSET
    keeps_license: str = ""  # over_50_gb | archive: the mailbox needs its license


UA = TypeVar("UA", bound=UnusedAccountDetails)  # the details of a rule on unused accounts


class _UnusedAccount(UserHygieneRule[UA]):
    """Disabled and inactive accounts: both read the mailbox usage of each offender."""

    def own_facts(self, user: User, ctx: Context, own: UA) -> UA:
        size = mailbox_size(user, ctx)  # exchange-steps.ps1 converts no mailbox over 50 GB or with an archive
        if size is None:
            return own
        return updated(own, mailbox_bytes=size["storage_used_bytes"], mailbox_archive=size["has_archive"])


class DisabledUserLicensed(_UnusedAccount[DisabledUserLicensedDetails]):
    """A disabled (blocked sign-in) account still holds licenses. Shared, room and equipment mailboxes, whose sign-in
    is blocked by design, are left to `shared-mailbox-licensed`; when an account's mailbox purpose could not be
    read, the finding says so.

    `data_kept` declares what keeps the accounts' data once the licenses go (also on inactive_users and
    guest_users); `grace_days` how long after the disable time the licenses may stay.

    Example:
        hygiene:
          disabled_users:
            severity: high
            grace_days: 14
            data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2027-06-30}
    """

    id = "disabled-user-licensed"
    reclaimable = True
    default_severity = Severity.HIGH
    key = "disabled_users"
    fragment = check_schema(False, data_kept=True, grace_days=True)

    reads = Reads(
        "users",
        user={"accountEnabled", "department", "assignedLicenses", MAILBOX_SETTINGS, AGENT_USERS},
        usage=STORAGE_FIELDS,
    )

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> DisabledUserLicensedDetails | None:
        # a Teams resource account is a disabled user object by design, and an agent user signs in
        # through its agent identity: neither is a person who left (User.kind), nor a declared kind
        mailbox = None if user.account_enabled or not ctx.index.kind_of(user).person else mailbox_extra(user, ctx)
        if mailbox is None:
            return None
        return DisabledUserLicensedDetails(shared_mailbox=mailbox)

    def describe(self, user: User, details: DisabledUserLicensedDetails) -> str:
        return "account is disabled but still holds licenses" + unverified(details)


class InactiveUserLicensed(_UnusedAccount[InactiveUserLicensedDetails]):
    """An enabled, licensed account has not signed in successfully for `days` days. Needs signInActivity (Entra ID P1
    and AuditLog.Read.All).

    Failed sign-in attempts do not count as activity where Graph returns `lastSuccessfulSignInDateTime`;
    `0001-01-01` means never. Accounts created within the window, and accounts that never signed in whose licenses
    were assigned or changed (`licenseAssignmentStates.lastUpdatedDateTime`) within it, are not counted: they have
    not had the time to be inactive. An account whose last successful sign-in is older than the window stays
    inactive when its licenses changed since (a group license edit stamps every member). Shared, room and equipment
    mailboxes (nobody signs in to them) are left to `shared-mailbox-licensed`.

    `sign_in_full_every`: on the nightly (`--baseline previous`), the nights between full reads of every user's
    sign-in activity (default 7; `--sign-in-full-every` overrides it; docs/nightly.md).

    Example:
        hygiene:
          inactive_users: {days: 90, severity: medium}
    """

    id = "inactive-user-licensed"
    reclaimable = True
    default_severity = Severity.MEDIUM
    key = "inactive_users"
    fragment = check_schema(
        True,
        "Days without any sign-in after which a licensed account counts as inactive.",
        data_kept=True,
        sign_in_full_every=True,
    )
    reads = Reads(
        "users",
        SIGN_IN_ACTIVITY,
        user={
            "accountEnabled",
            SIGN_IN_ACTIVITY,
            "createdDateTime",
            "department",
            "assignedLicenses",
            "licenseAssignmentStates",
            MAILBOX_SETTINGS,
            AGENT_USERS,
        },
        usage=STORAGE_FIELDS | MAIL_USE_FIELDS,
    )

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> InactiveUserLicensedDetails | None:
        # a resource account, a Teams Rooms account, an agent user, a declared break-glass or service account
        if not ctx.index.kind_of(user).person:
            return None
        cutoff = ctx.as_of - timedelta(days=self.window(check))
        # not one to flag: disabled, signed in within the window, or a shared, room or equipment mailbox
        if not user.account_enabled or not dormant(user, cutoff) or (mailbox := mailbox_extra(user, ctx)) is None:
            return None
        last = last_sign_in(user)
        created = parse_when(user.created_date_time)
        if created is not None and created >= cutoff:
            return None  # a new account: grace
        # A license change within the window gives grace only to an account that never signed in:
        # it has not had the time to use the license. (One that signed in after the change signed
        # in within the window, and is active.) An account already dormant when its licenses changed
        # stays inactive: a group license edit stamps every member's lastUpdatedDateTime.
        changed = parse_when(user.licenses_updated)
        if last is None and changed is not None and changed >= cutoff:
            return None
        attempt = last_attempt(user)
        # when the sign-in activity was read in full, where the snapshot says (the nightly's: kept_sign_ins),
        # and for an account with a sign-in in it, through when the usage report showed it idle since
        # (dormant_usage)
        snapshot = ctx.index.snapshot
        quiet = snapshot.sign_ins_usage_quiet if last is not None else None
        return InactiveUserLicensedDetails(
            days=self.window(check),
            last_sign_in=_iso(last),
            mail_use=mail_use(user, ctx, cutoff),
            shared_mailbox=mailbox,
            sign_ins_read_at=snapshot.sign_ins_read_at or "",
            usage_quiet_through=quiet or "",
            # failed attempts since: worth a look
            last_attempt=_iso(attempt) if attempt is not None and (last is None or attempt > last) else None,
        )

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        for finding in super().check(policy, check, ctx):
            # Free products cost nothing while unused: worth tidying, not an alarm (unless the policy says so)
            free = (
                check.severity is None
                and finding.holding is not None
                and all(map(ctx.is_free, finding.holding.sku_ids.values()))
            )
            yield replace(finding, severity=Severity.LOW) if free else finding

    def describe(self, user: User, details: InactiveUserLicensedDetails) -> str:
        if details.last_sign_in is None:
            return f"has never signed in (threshold {details.days} days) but holds licenses" + unverified(details)
        return (
            f"last signed in {details.last_sign_in[:10]}, over {details.days} days ago, but holds licenses"
            + unverified(details)
        )


class MailUse(TypedDict, total=False):
    """What the usage reports say of an account's mailbox and OneDrive use (mail_use)."""

    read: bool  # the active-user report lists the account
    since: str  # the policy's window's first day (ISO date)
    exchange: str | None  # the last day of Exchange activity, None: none in the report's period
    onedrive: str | None


def mail_use(user: User, ctx: Context, since: datetime) -> MailUse:
    """What the usage reports say of the account's mailbox and OneDrive use since `since` (the
    policy's window): {"read": True, "since": date, "exchange": last day or None, "onedrive": ...}
    when the active-user report lists the account, else {"read": False}. The plan ends an enabled
    account's mailbox only when neither was used since then (auditor.plan.declared.use_wait)."""
    usage = ctx.index.snapshot.usage_reports
    row = usage.by_upn.get(user.user_principal_name.lower()) if usage is not None else None
    if usage is None or usage.read(ACTIVE_USERS.name) is None or row is None or ACTIVE_USERS.name not in row.reports:
        return {"read": False}
    return {
        "read": True,
        "since": since.date().isoformat(),
        "exchange": row.exchangeLastActivityDate,
        "onedrive": row.oneDriveLastActivityDate,
    }


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when is not None else None


class GuestLicensed(UserHygieneRule[GuestLicensedDetails]):
    """A guest (B2B) account holds licenses.

    Example:
        hygiene:
          guest_users: {severity: medium}
    """

    id = "guest-licensed"
    reclaimable = True
    default_severity = Severity.MEDIUM
    key = "guest_users"
    fragment = check_schema(False, data_kept=True)

    reads = Reads("users", user={"userType"}, usage=STORAGE_FIELDS)

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> GuestLicensedDetails | None:
        return GuestLicensedDetails() if user.user_type.lower() == "guest" else None

    def describe(self, user: User, details: GuestLicensedDetails) -> str:
        return "guest account holds licenses"


# the places listing's rooms: what only it says is which mailboxes that were not asked their purpose (they sign
# in) are rooms; every purpose read still tells shared and room mailboxes apart (Reads.without)
WITHOUT_ROOMS = Without("mailbox_purpose", frozenset({"room"}), ROOMS_NOT_LISTED.say)


class SharedMailboxLicensed(UserHygieneRule[SharedMailboxLicensedDetails]):
    """A shared, room or equipment mailbox (`mailboxSettings.userPurpose`) holds licenses. Such a mailbox needs one
    only when it holds more than 50 GB, has an archive or is on a litigation or retention hold; the finding asks to
    check those before the license goes, so it offers no ready-to-run Graph call.

    Needs MailboxSettings.Read. The purpose is read for the accounts the disabled and inactive rules could flag
    (licensed and disabled, or without a recent successful sign-in), so a shared mailbox that someone signs in to
    directly is not judged.

    Example:
        hygiene:
          shared_mailboxes: {severity: low}
    """

    id = "shared-mailbox-licensed"
    default_severity = Severity.LOW
    key = "shared_mailboxes"
    fragment = check_schema(False)
    removes = False  # its mail stays without a license (the fix checks size, archive, hold first): no data loss
    # the rooms of the places listing too: a room whose device signs in daily is never a candidate; without
    # them (a gap) every mailbox whose purpose was read is judged, and only such rooms are named not judged
    reads = Reads(
        "users",
        MAILBOX_SETTINGS,
        user={MAILBOX_SETTINGS, ROOMS, "department", "assignedLicenses"},
        usage=STORAGE_FIELDS,
        without={ROOMS: WITHOUT_ROOMS},
    )

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> SharedMailboxLicensedDetails | None:
        purpose = user.mailbox_purpose
        if not purpose or not _resource(purpose) or user.kind not in _MAILBOX_KINDS:
            return None  # a Teams Rooms account's room mailbox needs its Teams Rooms license (User.kind)
        rooms = purpose.lower() in ("room", "equipment")
        return SharedMailboxLicensedDetails(
            mailbox_purpose=purpose.lower(),
            teams_rooms={part: _price(ctx, sid) for part, sid in TEAMS_ROOMS.items()} if rooms else {},
        )

    def own_facts(self, user: User, ctx: Context, own: SharedMailboxLicensedDetails) -> SharedMailboxLicensedDetails:
        size = mailbox_size(user, ctx)  # the mailbox usage report's row is each mailbox's own
        if size is None:
            return own
        return updated(
            own,
            storage_used_bytes=size["storage_used_bytes"],
            has_archive=size["has_archive"],
            keeps_license=size["needs"],
        )

    def saves(self, details: SharedMailboxLicensedDetails) -> bool:
        return not details.keeps_license  # a mailbox that needs its license frees nothing

    def describe(self, user: User, details: SharedMailboxLicensedDetails) -> str:
        return f"{details.mailbox_purpose} mailbox holds licenses"


EXCHANGE_PLAN_2 = "efb87545-963c-4e0d-99df-69c6916d9eb0"  # EXCHANGE_S_ENTERPRISE: Exchange Online (Plan 2)
EXCHANGE_PLAN_1 = "9aaf7827-d63c-4b61-89c3-182f06f82e5c"  # EXCHANGE_S_STANDARD: Exchange Online (Plan 1)
ARCHIVING_ADDON = "176a09a6-7ec5-4039-ac02-b2791c6ba793"  # EXCHANGE_S_ARCHIVE_ADDON: Exchange Online Archiving


class LicenseWith(TypedDict):
    """A product the finding proposes, by the policy's prices: the cheapest carrying Exchange Online (Plan 2)'s
    service plan, or for an archive the cheapest carrying Plan 1's when the Exchange Online Archiving add-on
    beside it costs less."""

    sku: str  # skuPartNumber
    name: str
    monthly: float


class SharedMailboxUnlicensedDetails(Own, frozen=True, kw_only=True):
    """`mailbox_purpose` (`shared`), `storage_used_bytes` and `has_archive` (the mailbox usage report), `needs`
    (`over_50_gb` or `archive`: why the mailbox needs a license), `license_with` (`sku`, `name`, `monthly`: the
    cheapest product by the policy's prices carrying Exchange Online (Plan 2)'s service plan, or null when none is
    priced; for an archive, Plan 1's product when it and the Exchange Online Archiving add-on cost less),
    `addon` (that add-on, else absent), `litigation_hold` (`not_judged`: the report does not say; docs/graph.md),
    `sku_ids` (the skuId of each product it names); `monthly_cost` is what `license_with` and `addon` add"""

    optional: ClassVar[frozenset[str]] = frozenset({"addon"})
    mailbox_purpose: str = ""
    storage_used_bytes: int | None = None
    has_archive: bool = False
    needs: str = ""  # over_50_gb | archive
    license_with: LicenseWith | None = None
    addon: LicenseWith | None = None  # archive: Exchange Online Archiving beside Plan 1's product
    litigation_hold: str = ""  # not_judged
    sku_ids: dict[str, str] = {}  # part number -> skuId of `license_with` and `addon`


class SharedMailboxUnlicensed(HygieneRule[SharedMailboxUnlicensedDetails]):
    """A shared mailbox holds no license while Microsoft requires one: it stores more than 50 GB or has an archive
    (the mailbox usage report says so). The finding names the cheapest product, by the policy's prices, carrying
    Exchange Online (Plan 2)'s service plan, or for an archive Plan 1's with the Exchange Online Archiving add-on
    where the two cost less. A litigation hold, which needs the same, is not in the report and is not judged.

    Needs MailboxSettings.Read and Reports.Read.All: the purpose is read of the unlicensed accounts whose mailbox
    the report shows over 50 GB or archived. Configured by the same key as `shared-mailbox-licensed`.

    Example:
        hygiene:
          shared_mailboxes: {severity: low}
    """

    id = "shared-mailbox-unlicensed"
    default_severity = Severity.MEDIUM
    key = "shared_mailboxes"
    fragment = check_schema(False)
    reads = Reads("users", MAILBOX_SETTINGS, usage=STORAGE_FIELDS, unlicensed=True)

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        usage = ctx.index.snapshot.usage_reports
        if usage is None or usage.read(MAILBOXES.name) is None:
            return
        excluded = ctx.index.excluded(check.except_)
        if excluded is None:  # the exception takes every user
            return
        product = cheapest_exchange_plan_2(ctx)
        pair = cheaper_pair(ctx, product)
        for position, user in enumerate(ctx.index.users):
            purpose = (user.mailbox_purpose or "").lower()
            if user.assigned_licenses or purpose != "shared" or position in excluded:
                continue
            row = usage.by_upn.get(user.user_principal_name.lower())
            needs = shared_mailbox_needs(row) if row is not None and MAILBOXES.name in row.reports else None
            if row is None or needs is None:
                continue
            chosen = pair if needs == "archive" and pair is not None else ((product,) if product is not None else ())
            details = SharedMailboxUnlicensedDetails(
                mailbox_purpose=purpose,
                storage_used_bytes=row.storageUsedInBytes,
                has_archive=bool(row.hasArchive),
                needs=needs,
                license_with=chosen[0][0] if chosen else None,
                litigation_hold="not_judged",
                sku_ids={c[0]["sku"]: c[1] for c in chosen},
                # Plan 1's product with the Exchange Online Archiving add-on
                addon=chosen[1][0] if len(chosen) == 2 else None,
            )
            yield self.make(
                policy,
                f"hygiene/{self.key}",
                ctx.user_subject(user),
                tuple(c[0]["sku"] for c in chosen),
                f"shared mailbox holds no license but needs one ({needs})",
                details,
                severity=check.severity,
                monthly_cost=round(sum(c[0]["monthly"] for c in chosen), 2) if chosen else None,
            )


def cheapest_exchange_plan_2(ctx: Context) -> tuple[LicenseWith, str] | None:
    """The product the policy prices lowest that carries Exchange Online (Plan 2)'s service plan (a
    product the tenant does not subscribe to yet counts when the catalog prices it), with its skuId."""
    return cheapest_carrying(ctx, EXCHANGE_PLAN_2)


def cheaper_pair(
    ctx: Context, plan_2: tuple[LicenseWith, str] | None
) -> tuple[tuple[LicenseWith, str], tuple[LicenseWith, str]] | None:
    """Exchange Online (Plan 1)'s cheapest product and the Exchange Online Archiving add-on's, when the policy
    prices both and together they cost less than `plan_2` (or no Plan 2 product is priced): what an archive or
    a litigation hold on a shared mailbox also allows ("About shared mailboxes",
    https://learn.microsoft.com/microsoft-365/admin/email/about-shared-mailboxes). None otherwise."""
    plan_1, addon = cheapest_carrying(ctx, EXCHANGE_PLAN_1), cheapest_carrying(ctx, ARCHIVING_ADDON)
    if plan_1 is None or addon is None or plan_1[1] == addon[1]:
        return None  # one product carrying both (Business Premium) is not offered in its place here
    total = plan_1[0]["monthly"] + addon[0]["monthly"]
    return (plan_1, addon) if plan_2 is None or round(total, 2) < round(plan_2[0]["monthly"], 2) else None


def cheapest_carrying(ctx: Context, service_plan: str) -> tuple[LicenseWith, str] | None:
    """The product the policy prices lowest that carries `service_plan` (a product the tenant does not
    subscribe to yet counts when the catalog prices it), with its skuId."""
    best: tuple[float, str, str] | None = None
    for sid in ctx.prices:
        price = ctx.monthly_price(sid)
        if price is None or service_plan not in plans_of(ctx.index, sid):
            continue
        key = (price, part_of(ctx.index, sid), sid)
        best = key if best is None or key < best else best
    if best is None:
        return None
    price, part, sid = best
    name = ctx.prices[sid].name or product_names().product(sku_id=sid, part=part) or part
    sku = ctx.index.sku_by_id.get(sid)
    return LicenseWith(sku=part, name=name, monthly=price), (sku.sku_id if sku is not None else sid)


def _price(ctx: Context, sku_id: str) -> TeamsRoomsPrice | None:
    entry = ctx.prices.get(sku_id)
    if entry is None or entry.free or entry.price is None:
        return None
    return TeamsRoomsPrice(monthly=entry.price.monthly, currency=entry.price.currency)


_MAILBOX_KINDS = frozenset((AccountKind.SHARED, AccountKind.ROOM, AccountKind.EQUIPMENT))


def _resource(purpose: str | None) -> bool:
    return purpose is not None and purpose.lower() in RESOURCE_PURPOSES


class MailboxSize(TypedDict):
    """What the mailbox usage report (getMailboxUsageDetail) says of an account's mailbox (mailbox_size)."""

    storage_used_bytes: int | None
    has_archive: bool
    needs: str  # over_50_gb | archive: the mailbox needs a license; "" when it does not


def mailbox_size(user: User, ctx: Context) -> MailboxSize | None:
    """What the mailbox usage report says of the account's mailbox, whether it needs a license too; None
    when the snapshot has no such report or it does not list the account."""
    usage = ctx.index.snapshot.usage_reports
    if usage is None or usage.read(MAILBOXES.name) is None:
        return None
    row = usage.by_upn.get(user.user_principal_name.lower())
    if row is None or MAILBOXES.name not in row.reports:
        return None
    needs = shared_mailbox_needs(row) or ""
    return MailboxSize(storage_used_bytes=row.storageUsedInBytes, has_archive=bool(row.hasArchive), needs=needs)


RULES: tuple[HygieneRule[Any], ...] = (
    DisabledUserLicensed(),
    InactiveUserLicensed(),
    GuestLicensed(),
    SharedMailboxLicensed(),
    SharedMailboxUnlicensed(),
)
