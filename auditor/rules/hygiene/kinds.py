"""Hygiene of accounts that are not people (docs/account-kinds.md): a Teams resource account holding a
paid license where the free resource license serves, and an agent user whose agent identity is gone."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, ClassVar

from auditor.data.account_kinds import (
    NO_MAILBOX,
    PHONE_RESOURCE_LICENSE,
    RESOURCE_LICENSES,
    resource_signal,
    signed_in_interactively,
)
from auditor.data.agents import AGENT_IDENTITIES, AGENT_USERS, ParentState
from auditor.data.enums import AccountKind
from auditor.data.model import Severity, Sku, User
from auditor.policy.index import TenantIndex

from ...data.reads import MAILBOX, SIGN_IN, Reads
from ...i18n.said import NOT_COLLECTED
from ...impact.plan_loss import data_kinds
from ...policy.objects import HygieneCheck, Policy
from ...reference import product_names
from ..base import Context
from .base import DeclaredOwn, HygieneRule, UserHygieneRule, check_schema


class AgentUserOrphanedDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`identity_parent_id`: the object id of the agent user's parent agent identity (Graph's
    `identityParentId`); `parent`: `gone` (the agentIdentity listing does not hold it: deleted) or
    `disabled` (its `accountEnabled` is false)"""

    identity_parent_id: str = ""  # "": not in the report (an older one)
    parent: str = ""  # gone | disabled


class AgentUserOrphaned(UserHygieneRule[AgentUserOrphanedDetails]):
    """An agent user (Microsoft Entra Agent ID, Graph's `microsoft.graph.agentUser`) holds licenses
    while its parent agent identity is deleted or disabled: an agent user is authenticated through
    its parent's credentials, so the license serves no agent. Needs User.Read.All and
    AgentIdentity.Read.All (the agent identities); without the latter it is not evaluated.

    Example:
        hygiene:
          agent_users: {severity: medium}
    """

    id = "agent-user-orphaned"
    reclaimable = True
    default_severity = Severity.MEDIUM
    key = "agent_users"
    fragment = check_schema(False)
    reads = Reads("users", AGENT_USERS, AGENT_IDENTITIES, user={AGENT_USERS})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> AgentUserOrphanedDetails | None:
        agents = ctx.index.snapshot.agents
        if agents is None or user.identity_parent_id is None:
            return None
        state = agents.parent_state(user.id)
        if state not in (ParentState.GONE, ParentState.DISABLED):
            return None
        assert state is not None
        return AgentUserOrphanedDetails(identity_parent_id=user.identity_parent_id, parent=state.value)

    def describe(self, user: User, details: AgentUserOrphanedDetails) -> str:
        return f"agent user holds licenses but its agent identity is {details.parent}"


class ResourceAccountPaidLicenseDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`paid`: the paid products the swap removes (part number -> skuId): those the resource license
    replaces, never one that carries a Calling Plan or Communications Credits (`keeps`: those, part
    number -> skuId, which the account needs to dial out); `replace_with`: the part number of the
    Microsoft Teams Phone Resource Account license the swap assigns, and `replace_with_id` its skuId;
    `resource_seats`: its free seats in the tenant (null when the tenant does not subscribe to it);
    `allocation`: how many resource licenses the tenant's Teams Phone licenses give at no cost (25,
    and one more for every 10), and `resource_in_use` how many it assigns now; `confirmed`: false when
    the signals do not agree that it is a resource account (the swap waits for a person), and then
    `doubt` says why: `department` (only the department says so, on an enabled account), `mailbox`
    (the department on a disabled account that holds a suite with a mailbox and no phone line),
    `signs_in` (it holds the resource license but signs in interactively) or `enabled` (it holds the
    resource license on an enabled account that has not signed in: a new hire's looks the same); `mailbox`: the paid
    products that carry the account's mailbox (an Exchange Online service plan) when the account has
    one or its mailbox was not read, part number -> skuId: the swap never removes them, their removal
    waits for a person (`blocked: data_lost`)"""

    optional: ClassVar[frozenset[str]] = DeclaredOwn.optional | {"mailbox", "doubt"}
    paid: dict[str, str] = {}
    keeps: dict[str, str] = {}
    mailbox: dict[str, str] = {}
    # the resource license's part number by Microsoft's product table where an older report lacks it
    replace_with: str = "PHONESYSTEM_VIRTUALUSER"
    replace_with_id: str = ""
    resource_seats: int | None = None
    allocation: int | None = None  # None: not in the report (an older one)
    resource_in_use: int | None = None
    # an older report, which lacks it, decided the kind by the department alone: not confirmed
    confirmed: bool = False
    doubt: str = ""  # department | mailbox | signs_in | enabled


# A service plan a resource account needs to dial out, by Microsoft's product table: a Calling Plan
# (MCOPSTN1, MCOPSTN5, PSTN5_US, ...), pay-as-you-go calling (MCOPSTN_PAYG_1, MCOPSTN3) or Communications
# Credits (MCOPSTNC). Their names carry "PSTN" (the public switched telephone network) or, where a name
# does not, the table's own name for the plan says "Calling Plan" or "Communications Credits".
DIAL_OUT_NAME = "PSTN"
DIAL_OUT_TITLE = re.compile(r"calling plan|pstn calling|communications credits", re.IGNORECASE)
# the Phone System service plan of Teams Phone Standard and of the suites and devices that carry it;
# the resource license's own plan (MCOEV_VIRTUALUSER) is not one of them
PHONE_SYSTEM_PLAN = "MCOEV"
# a service plan that gives a mailbox (Exchange Online's plans; EXCHANGE_S_FOUNDATION gives none)
MAILBOX_PLAN = re.compile(r"^EXCHANGE_(?!S_FOUNDATION)")
# the kinds of data (auditor.impact.plan_loss.DATA_KINDS) that are the account's mailbox: a product whose
# service plans hold either is one the swap never removes from an account with a mailbox
MAILBOX_DATA = frozenset(("mailbox", "archive"))
FREE_ALLOCATION = 25  # resource licenses at no cost for a tenant with Phone System features ...
FREE_PER_PHONE_LICENSES = 10  # ... and one more for every 10 licenses of the products Microsoft names
# the products whose licenses Microsoft's page counts for the allocation, "Teams Phone Standard, Teams Phone
# with Calling Plan, or devices with Teams Shared Devices license" (docs/account-kinds.md), by their part
# numbers in Microsoft's product table (every edition of each: DOD, GCC, Faculty, ...); a suite or a
# device that carries Phone System (Microsoft 365 E5, Teams Rooms Pro) is none of them
ALLOCATION_PRODUCTS = frozenset(
    (
        "MCOEV",  # Microsoft Teams Phone Standard
        "MCOEV_DOD",
        "MCOEV_FACULTY",
        "MCOEV_GCCHIGH",
        "MCOEV_GOV",
        "MCOEV_STUDENT",
        "MCOEV_TELSTRA",
        "MCOEV_USGOV_DOD",
        "MCOEV_USGOV_GCCHIGH",
        "MCOEVSMB_1",  # Microsoft Teams Phone Standard for Small and Medium Business
        "MCOTEAMS_ESSENTIALS",  # Teams Phone with Calling Plan
        "MCOCAP",  # Microsoft Teams Shared Devices
        "MCOCAP_FACULTY",
        "MCOCAP_GOV",
    )
)


def dial_out_plan(plan_id: str, plan_name: str) -> bool:
    """Whether a service plan is a Calling Plan, pay-as-you-go calling or Communications Credits
    (DIAL_OUT_NAME, DIAL_OUT_TITLE), by its name or by the table's name of its id or name."""
    if DIAL_OUT_NAME in plan_name.upper():
        return True
    names = product_names()
    title = names.plan(plan_id, plan_name) or ""
    return bool(DIAL_OUT_TITLE.search(title) or DIAL_OUT_TITLE.search(plan_name))


@cache
def dial_out_products() -> frozenset[str]:
    """The skuIds (lower case) of every product of Microsoft's table whose service plans include a
    Calling Plan, pay-as-you-go calling or Communications Credits."""
    return frozenset(
        sku
        for sku, plans in product_names().plans_by_sku_id.items()
        if any(dial_out_plan(plan_id, name) for plan_id, name in plans)
    )


@cache
def phone_products() -> frozenset[str]:
    """The skuIds of the products of Microsoft's table that are a phone line without a mailbox: their
    plans give Phone System or dial out, and none gives a mailbox (auditor.data.account_kinds.
    PHONE_PRODUCTS holds the same set for the model, which does not read the table)."""
    out = set()
    for sku, plans in product_names().plans_by_sku_id.items():
        names = [name.upper() for _, name in plans]
        phone = any(n.startswith(PHONE_SYSTEM_PLAN) and "VIRTUALUSER" not in n for n in names)
        if (phone or sku in dial_out_products()) and not any(MAILBOX_PLAN.match(n) for n in names):
            out.add(sku)
    return frozenset(out)


def dials_out(sku: Sku) -> bool:
    """Whether the product carries a Calling Plan, pay-as-you-go calling or Communications Credits (a
    resource account keeps it): by Microsoft's table for a product it lists, and by the service plans
    the tenant's subscribedSkus gives it (a product or plan newer than the shipped table)."""
    return plans_dial_out(sku.sku_id, ((p.service_plan_id, p.service_plan_name) for p in sku.service_plans))


def plans_dial_out(sku_id: str, plans: Iterable[tuple[str, str]]) -> bool:
    """dials_out of a product by its skuId and its service plans as (servicePlanId, servicePlanName):
    the one test the audit's swap (swap_split) and apply's re-read of the products (before the swap) ask."""
    if sku_id.lower() in dial_out_products():
        return True
    return any(dial_out_plan(plan_id, name) for plan_id, name in plans)


def mailbox_plans(sku_id: str, plans: Iterable[tuple[str, str]]) -> list[str]:
    """The names of a product's service plans that hold a mailbox or its archive (Exchange Online's
    plans, by the data kinds auditor.impact.plan_loss names), by Microsoft's table for a product it
    lists and by the service plans the tenant's subscribedSkus gives it (`plans`, (id, name) pairs):
    empty when the product carries no mailbox. The one test the audit's swap (swap_split) and apply's
    re-read of the products (before the swap) ask."""
    names = product_names()
    found = {
        names.plan(plan_id, name) or name
        for plan_id, name in (*names.plans_of(sku_id.lower()), *plans)
        if data_kinds(name) & MAILBOX_DATA
    }
    return sorted(found)


def has_mailbox(purpose: str | None) -> bool:
    """Whether an account has a mailbox, by its mailbox purpose as read: any purpose, and one not read
    (None: not known, so it may have one); only Graph's "no mailbox" (NO_MAILBOX) says it has none."""
    return purpose != NO_MAILBOX


def phone_system(sku: Sku) -> bool:
    names = (p.service_plan_name.upper() for p in sku.service_plans)
    return any(n.startswith(PHONE_SYSTEM_PLAN) and "VIRTUALUSER" not in n for n in names)


def free_allocation(skus: Iterable[Sku]) -> int:
    """How many Teams Phone Resource Account licenses the tenant gets at no cost (docs/account-kinds.md):
    25 once it has a subscription with Phone System features (the page's "such as": any product carrying
    Phone System but the resource license), and one more for every 10 enabled licenses of the products
    the page names (ALLOCATION_PRODUCTS) only: never more than Microsoft's own sentence gives."""
    phones = [s for s in skus if phone_system(s) and s.sku_id.lower() not in RESOURCE_LICENSES]
    if not any(s.prepaid_units.enabled for s in phones):
        return 0
    named = sum(s.prepaid_units.enabled for s in phones if s.sku_part_number.strip().upper() in ALLOCATION_PRODUCTS)
    return FREE_ALLOCATION + named // FREE_PER_PHONE_LICENSES


def swap_split(user: User, ctx: Context) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(what the swap removes, what stays, what carries the mailbox), of the user's priced products
    beside the resource license, the first two part number -> skuId: a product that carries a Calling
    Plan or Communications Credits stays, and so does one the tenant's listing does not describe (it
    may carry one); on an account with a mailbox (has_mailbox) a product that carries it is never the
    swap's either (the third): a mailbox leaves through a person's steps, never through the swap."""
    skus = ctx.index.sku_by_id
    paid: dict[str, str] = {}
    keeps: dict[str, str] = {}
    mailbox: dict[str, str] = {}
    for sid in sorted(user.sku_ids - RESOURCE_LICENSES):
        if ctx.is_free(sid) or ctx.monthly_price(sid) is None:
            continue
        part = ctx.index.parts([sid])[0]
        if sid not in skus or dials_out(skus[sid]):
            keeps[part] = sid
        elif has_mailbox(user.mailbox_purpose) and mailbox_plans(sid, _plans(skus[sid])):
            mailbox[part] = sid
        else:
            paid[part] = sid
    return paid, keeps, mailbox


def _plans(sku: Sku) -> list[tuple[str, str]]:
    return [(p.service_plan_id, p.service_plan_name) for p in sku.service_plans]


# the properties the kind rests on: the sign-ins and, for a disabled account only its department names,
# its mailbox too (a tenant's sign-ins that were not read leave the rule not evaluated: sign_ins_unread)
KIND_READS = frozenset(("department", "accountEnabled", "assignedLicenses", SIGN_IN, MAILBOX, AGENT_USERS))
# describe()'s words for an account that is not confirmed, by the details' `doubt` (else the department's)
_UNCONFIRMED = {
    "signs_in": "account holding the resource license that signs in",
    "enabled": "enabled account holding the resource license",
}
_DEPARTMENT_ONLY = "account whose department names a resource account"


class ResourceAccountPaidLicense(UserHygieneRule[ResourceAccountPaidLicenseDetails]):
    """A Teams resource account (account_kind: signals that agree) holds a paid product where the Teams
    Phone Resource Account license serves: one `assignLicense` swaps them "in the same license
    activity", keeping a Calling Plan or Communications Credits. An account the department or the
    resource license calls one, but other signals do not, waits for a person, its products no waste.

    Example:
        hygiene:
          resource_accounts: {severity: medium}
    """

    id = "resource-account-paid-license"
    reclaimable = True
    default_severity = Severity.MEDIUM
    key = "resource_accounts"
    fragment = check_schema(False)
    reads = Reads("users", "subscribedSkus", user=KIND_READS)
    removes = False  # a swap: the account keeps its phone number on the resource license

    def unavailable(self, policy: Policy, index: TenantIndex) -> str | None:
        return sign_ins_unread(index)

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> ResourceAccountPaidLicenseDetails | None:
        return resource_details(user, ctx)

    def products(self, user: User, details: ResourceAccountPaidLicenseDetails, ctx: Context) -> frozenset[str]:
        return frozenset(details.paid.values()) | frozenset(details.mailbox.values())

    def saves(self, details: ResourceAccountPaidLicenseDetails) -> bool:
        return details.confirmed  # a person's products are no waste until someone confirms what it is

    def describe(self, user: User, details: ResourceAccountPaidLicenseDetails) -> str:
        what = "Teams resource account" if details.confirmed else _UNCONFIRMED.get(details.doubt, _DEPARTMENT_ONLY)
        held = ", ".join(sorted({*details.paid, *details.mailbox}))
        return f"{what} holds {held} where the resource license serves"


def sign_ins_unread(index: TenantIndex) -> str | None:
    """Why the swap is not evaluated: without the sign-ins an account that signs in would read as one
    that never did (User.kind)."""
    snapshot = index.snapshot
    if SIGN_IN not in snapshot.collected_datasets or any(g.dataset == SIGN_IN for g in snapshot.gaps):
        return NOT_COLLECTED.say(what=SIGN_IN)
    return None


def resource_details(user: User, ctx: Context) -> ResourceAccountPaidLicenseDetails | None:
    """The finding of an account something calls a resource account that holds a paid product the swap
    removes: `confirmed` when its kind is (User.kind), else with the `doubt` a person is to settle."""
    confirmed = user.kind is AccountKind.RESOURCE
    if not confirmed and (user.kind is AccountKind.AGENT or not resource_signal(user.department, user.sku_ids)):
        return None
    doubt = "" if confirmed else _doubt(user)
    if doubt is None:
        return None
    paid, keeps, mailbox = swap_split(user, ctx)
    if not paid and not mailbox:
        return None
    skus = ctx.index.sku_by_id
    sku = skus.get(PHONE_RESOURCE_LICENSE)
    return ResourceAccountPaidLicenseDetails(
        paid=paid,
        keeps=keeps,
        replace_with=sku.sku_part_number if sku is not None else "PHONESYSTEM_VIRTUALUSER",
        replace_with_id=sku.sku_id if sku is not None else PHONE_RESOURCE_LICENSE,
        resource_seats=sku.unused if sku is not None else None,
        allocation=free_allocation(ctx.index.snapshot.skus),
        resource_in_use=sum(s.consumed_units for sid, s in skus.items() if sid in RESOURCE_LICENSES),
        confirmed=confirmed,
        doubt=doubt,
        mailbox=mailbox,
    )


def _doubt(user: User) -> str | None:
    """Why an account something calls a resource account is not confirmed as one (the details'
    `doubt`); None when it is plainly a leaver: disabled, a recorded interactive sign-in, and only
    its department names a resource account (the person rules judge it, whatever its department)."""
    signed_in = signed_in_interactively(user.last_sign_in_date_time)
    if user.sku_ids & RESOURCE_LICENSES:
        # the license on a disabled account that never signed in would have confirmed it; on an enabled
        # one without a sign-in it is what a new hire's account shows as well (account_kinds)
        return "signs_in" if signed_in else "enabled"
    if user.account_enabled is not False:
        return "department"
    return None if signed_in else "mailbox"


RULES: tuple[HygieneRule[Any], ...] = (ResourceAccountPaidLicense(), AgentUserOrphaned())
