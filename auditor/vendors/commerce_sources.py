"""Where the bill's commerce facts come from: `--billing-source auto|billing-account|partner-center|file|none`.

    gather(choice, subscriptions, tenant, file, access) -> Gathered
        the billing rows of the tenant's subscriptions: the billing account's (ARM), Partner
        Center's, then the file over them; a source that fails is a named gap, never a failed audit

`auto` reads every source the credential can: the billing account when a credential is at hand
(a live Graph audit, or --billing-endpoint), Partner Center when a token or endpoint for it is
given or Graph names a partner that sells one of the subscriptions, and the file last, as the
override for what no API gives. docs/bill.md says which role each source needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential

from auditor.billing import arm
from auditor.billing.arguments import BillingSource
from auditor.billing.commerce_records import BillingSubscription, PartnerSession, PartnerSubscription
from auditor.billing.facts import Joined, from_billing_account, from_partner_center, join, merge, row_from_api
from auditor.billing.file import BillingFile, BillingRow
from auditor.common.errors import UsageError
from auditor.common.numbers import english_count
from auditor.data.model import Subscription
from auditor.vendors.registry import PARTNER_CENTER

BILLING_TOKEN_ENV = "AUDITOR_BILLING_TOKEN"
PARTNER_CENTER_TOKEN_ENV = "AUDITOR_PARTNER_CENTER_TOKEN"


class EnvToken:
    """A bearer token handed over in an environment variable (`--auth token`); it cannot be refreshed."""

    def __init__(self, name: str, token: str) -> None:
        self.name, self._token = name, token.strip()
        if not self._token or any(c.isspace() for c in self._token) or not self._token.isascii():
            raise UsageError(f"{name}: not a bearer token (spaces, line breaks or non-ASCII characters)")

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)


@dataclass(frozen=True)
class Access:
    """How to reach the billing APIs (None: not at hand)."""

    billing_credential: TokenCredential | None = None
    billing_endpoint: str | None = None
    billing_account: str | None = None
    partner_credential: TokenCredential | None = None
    partner_endpoint: str | None = None
    billing_audience: str | None = None  # the cloud's Resource Manager, whatever the endpoint (None: worldwide)
    # `audit --tenants`: the run's one session with the partner's credential, shared by every customer
    partner_session: PartnerSession | None = None
    # why Partner Center cannot be read although the run reads the billing APIs (None: it can, or the
    # run reads no API): `auto` then names the partner's subscriptions it leaves unknown
    partner_missing: str | None = None


@dataclass(frozen=True)
class Gathered:
    billing: BillingFile | None
    gaps: tuple[str, ...] = ()  # sources that could not be read, and why
    warnings: tuple[str, ...] = ()  # the file disagreeing with an API, subscriptions no API row joins
    read: tuple[str, ...] = ()  # the sources read
    joined: tuple[Joined, ...] = field(default_factory=tuple)


def access_from(
    env: Mapping[str, str],
    *,
    token_mode: bool,
    credential: TokenCredential | None,
    billing_endpoint: str | None,
    billing_account: str | None,
    partner_endpoint: str | None,
    billing_audience: str | None = None,
) -> Access:
    """The billing APIs' access: with `--auth token` their own tokens (AUDITOR_BILLING_TOKEN,
    AUDITOR_PARTNER_CENTER_TOKEN), else the audit's credential for both audiences."""
    billing: TokenCredential | None
    partner: TokenCredential | None
    if token_mode:
        billing = EnvToken(BILLING_TOKEN_ENV, env[BILLING_TOKEN_ENV]) if env.get(BILLING_TOKEN_ENV) else None
        partner = (
            EnvToken(PARTNER_CENTER_TOKEN_ENV, env[PARTNER_CENTER_TOKEN_ENV])
            if env.get(PARTNER_CENTER_TOKEN_ENV)
            else None
        )
    else:
        billing = partner = credential
    # a run that reads the billing account but cannot read Partner Center says so (one that reads
    # neither API, --auth token without either token, reads no commerce facts at all and says nothing)
    missing = f"--auth token and no {PARTNER_CENTER_TOKEN_ENV}" if partner is None and billing is not None else None
    return Access(
        billing, billing_endpoint, billing_account, partner, partner_endpoint, billing_audience, partner_missing=missing
    )


def _sold_by_partner(subscription: Subscription) -> bool:
    return bool(subscription.owner_tenant_id) or (subscription.owner_type or "").lower() == "partner"


def _wants_partner(choice: BillingSource, access: Access, subscriptions: Sequence[Subscription]) -> bool:
    if access.partner_credential is None and access.partner_session is None:
        return False
    if choice is BillingSource.PARTNER_CENTER:
        return True
    sold_by_partner = any(_sold_by_partner(s) for s in subscriptions)
    return choice is BillingSource.AUTO and (sold_by_partner or access.partner_endpoint is not None)


def _partner_left_out(
    choice: BillingSource, access: Access, subscriptions: Sequence[Subscription], file: BillingFile | None
) -> str | None:
    """The gap of `auto` reading the billing APIs without a way into Partner Center, naming the
    subscriptions a partner sells that the file does not cover either; None when there are none."""
    if choice is not BillingSource.AUTO or access.partner_missing is None:
        return None
    left = [s for s in subscriptions if _sold_by_partner(s) and (file is None or file.row_for(s) is None)]
    if not left:
        return None
    names = ", ".join(sorted({s.sku_part_number for s in left}))
    return (
        f"partner-center: not read ({access.partner_missing}): the term and renewal of "
        f"{english_count(len(left), 'subscription', 'subscriptions')} a partner sells ({names}) are unknown"
    )


def _arm_items(access: Access) -> tuple[str, list[BillingSubscription]]:
    """The chosen billing account's agreementType and its billingSubscriptions."""
    assert access.billing_credential is not None
    with arm.client(access.billing_credential, access.billing_endpoint, access.billing_audience) as c:
        account = arm.choose_account(arm.billing_accounts(c), access.billing_account)
        return account.agreement, arm.read_subscriptions(c, account.name)


def _pc_items(access: Access, tenant: str) -> list[PartnerSubscription]:
    if access.partner_session is not None:  # the run's shared session: the run closes it
        return PARTNER_CENTER.read_subscriptions(access.partner_session, tenant)
    assert access.partner_credential is not None
    with PARTNER_CENTER.open(access.partner_credential, access.partner_endpoint) as pc:
        return PARTNER_CENTER.read_subscriptions(pc, tenant)


def gather(
    choice: BillingSource,
    subscriptions: Sequence[Subscription],
    tenant: str,
    file: BillingFile | None,
    access: Access,
    *,
    arm_reader: Callable[[Access], tuple[str, list[BillingSubscription]]] = _arm_items,
    pc_reader: Callable[[Access, str], list[PartnerSubscription]] = _pc_items,
) -> Gathered:
    """The billing rows of `subscriptions` from the sources `choice` names (docs/bill.md)."""
    if choice is BillingSource.NONE:
        return Gathered(None)
    gaps: list[str] = []
    read: list[str] = []
    apis = []
    wants_arm = choice in (BillingSource.AUTO, BillingSource.BILLING_ACCOUNT)
    if wants_arm and access.billing_credential is None:
        if choice is BillingSource.BILLING_ACCOUNT:
            gaps.append(
                f"billing-account: no credential for Azure Resource Manager (with --auth token: {BILLING_TOKEN_ENV})"
            )
    elif wants_arm:
        try:
            agreement, items = arm_reader(access)
            apis += [from_billing_account(i, agreement) for i in items]
            read.append(BillingSource.BILLING_ACCOUNT.value)
        except arm.BillingSourceError as exc:
            gaps.append(f"billing-account: {exc}")
    if _wants_partner(choice, access, subscriptions):
        try:
            apis += [from_partner_center(i, tenant) for i in pc_reader(access, tenant)]
            read.append(BillingSource.PARTNER_CENTER.value)
        except arm.BillingSourceError as exc:
            gaps.append(f"partner-center: {exc}")
    elif choice is BillingSource.PARTNER_CENTER:
        gaps.append(f"partner-center: no credential for Partner Center (with --auth token: {PARTNER_CENTER_TOKEN_ENV})")
    elif (left_out := _partner_left_out(choice, access, subscriptions, file)) is not None:
        gaps.append(left_out)
    joined = join(apis, subscriptions, tenant)
    rows: list[BillingRow] = [r for r in (row_from_api(j) for j in joined) if r is not None]
    warnings = [
        f"warning: {j.api.source}: subscription {j.api.id} ({j.api.product or '?'}, {j.api.quantity} seats) "
        "matches no subscription of the tenant"
        for j in joined
        if j.graph is None
    ]
    warnings += [
        f"warning: {j.api.source}: subscription {j.api.id} joined to "
        f"{j.graph.commerce_subscription_id or j.graph.id} by product and quantity, not by id: uncertain"
        for j in joined
        if j.graph is not None and j.uncertain
    ]
    if file is not None:
        read.append(BillingSource.FILE.value)
    if not rows and file is None:
        return Gathered(None, tuple(gaps), tuple(warnings), tuple(read), tuple(joined))
    merged = merge(rows, file, subscriptions, path="+".join(read) or "billing")
    return Gathered(merged.billing, tuple(gaps), tuple(warnings) + merged.warnings, tuple(read), tuple(joined))
