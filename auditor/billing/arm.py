"""The billing account's subscriptions, through Azure Resource Manager (`Microsoft.Billing`, api-version
2024-04-01) with the azure-mgmt-billing client and the audit's azure-identity credential.

    billing_accounts(client)                   the billing accounts the identity can read
    choose_account(accounts, wanted)           the one to read: `wanted`, else the only one; several and
                                               none chosen is a BillingAccountChoice (exit 2, listing them)
    read_subscriptions(client, account)        its billingSubscriptions, decoded (BillingSubscription)
    get_subscription / update_subscription     one subscription, re-read or changed (apply --commerce)
    cancel_subscription(client, account, name, agreement)
                                               the documented cancel of a seat-based subscription of
                                               a Customer or Partner Agreement account: DELETE (never
                                               POST .../cancel, for usage-based ones), followed to its end

The account's `agreementType` says how its subscriptions were bought (auditor.billing.facts):
Microsoft Online Services Program accounts list subscriptions too, which follow the legacy rules.

The identity needs a read-only billing role on the account (Billing account reader) to read, and
Billing account contributor (or owner) to change a quantity or auto-renew (docs/bill.md). Any
failure (no role, no account, throttled past its retries, a network error) is a BillingSourceError:
the audit names the gap and goes on with the next source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError, HttpResponseError

from auditor.billing.commerce_records import BillingSubscription
from auditor.billing.untrusted import JsonObject
from auditor.common import shapes
from auditor.common.errors import UsageError, console_line

API_VERSION = "2024-04-01"
ARM_ENDPOINT = "https://management.azure.com"
NO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"  # the client asks for one; billing calls never use it


class BillingSourceError(Exception):
    """A billing source could not be read: a gap in the bill, never a failed audit. `status` is the
    API's HTTP status when it answered one (a 4xx: it refused the request; None: no answer)."""

    def __init__(self, text: str, status: int | None = None) -> None:
        super().__init__(console_line(text))  # one line, whatever an API's text put into it
        self.status = status


def status_of(exc: AzureError) -> int | None:
    return exc.status_code if isinstance(exc, HttpResponseError) else None


class BillingAccountChoice(UsageError):
    """Several billing accounts and none chosen (exit 2)."""


@dataclass(frozen=True)
class Account:
    name: str
    display_name: str
    agreement: str


def message(exc: AzureError) -> str:
    if isinstance(exc, HttpResponseError):
        code = exc.error.code if exc.error is not None else None
        text = exc.error.message if exc.error is not None else exc.message
        return f"HTTP {exc.status_code}{f' {code}' if code else ''}: {' '.join(str(text or '').split())[:300]}"
    return " ".join(str(exc).split())[:300]


@contextmanager
def client(credential: TokenCredential, endpoint: str | None = None, audience: str | None = None) -> Iterator[Any]:
    """A BillingManagementClient on `endpoint` (default: `audience`, the cloud's Resource Manager
    (auditor.graph.clouds), else the public cloud's), its tokens for `audience`. On
    plain http (a loopback stand-in) azure-core's bearer-token policy is told to allow it
    (enforce_https=False, azure-core's documented per-request option); https stays the rule elsewhere."""
    # azure-mgmt-billing is large: loaded only when a billing account is read
    from azure.mgmt.billing import BillingManagementClient

    resource = (audience or ARM_ENDPOINT).rstrip("/")
    base = (endpoint or resource).rstrip("/")
    # the token's audience stays the cloud's Resource Manager whatever the endpoint (as --graph-endpoint keeps Graph's)
    with BillingManagementClient(
        credential, NO_SUBSCRIPTION, base_url=base, credential_scopes=[f"{resource}/.default"]
    ) as c:
        yield c


def options(c: Any) -> dict[str, bool]:
    base = str(c._config.base_url) if hasattr(c, "_config") else ""
    return {"enforce_https": False} if base.startswith("http://") else {}


def billing_accounts(c: Any) -> list[Account]:
    """The billing accounts the identity can read."""
    try:
        return [
            Account(
                str(a.name),
                str(getattr(a.properties, "display_name", "") or ""),
                str(getattr(getattr(a.properties, "agreement_type", None), "value", "") or ""),
            )
            for a in c.billing_accounts.list(**options(c))
        ]
    except AzureError as exc:
        raise BillingSourceError(f"billing accounts: {message(exc)}") from None


def choose_account(accounts: Sequence[Account], wanted: str | None) -> Account:
    """The billing account to read: `wanted` (it must be one the identity can read), else the only one."""
    names = ", ".join(f"{a.name} ({a.display_name or a.agreement})" for a in accounts) or "none"
    if wanted:
        for a in accounts:
            if a.name.lower() == wanted.lower():
                return a
        raise BillingAccountChoice(
            f"--billing-account {wanted}: not a billing account this identity can read (it can read: {names})"
        )
    if len(accounts) == 1:
        return accounts[0]
    if not accounts:
        raise BillingSourceError("the identity can read no billing account (assign it Billing account reader)")
    raise BillingAccountChoice(
        f"this identity can read {len(accounts)} billing accounts: {names}; "
        "choose one with --billing-account ID (or billing_account in the tenants file)"
    )


def read_subscriptions(c: Any, account: str) -> list[BillingSubscription]:
    """The account's billingSubscriptions (the client follows nextLink), each decoded from its REST
    shape into the fields the bill reads (a BillingSubscription)."""
    try:
        listed = [s.as_dict() for s in c.billing_subscriptions.list_by_billing_account(account, **options(c))]
    except AzureError as exc:
        raise BillingSourceError(f"billing account {account}: billingSubscriptions: {message(exc)}") from None
    try:
        return [shapes.convert(s, BillingSubscription) for s in listed]
    except msgspec.ValidationError as exc:
        raise BillingSourceError(f"billing account {account}: billingSubscriptions: {exc}") from None


def get_subscription(c: Any, account: str, name: str) -> JsonObject:
    """One billing subscription, re-read (apply re-reads before it changes anything)."""
    try:
        return dict(c.billing_subscriptions.get(account, name, **options(c)).as_dict())
    except AzureError as exc:
        raise BillingSourceError(
            f"billing account {account}: billingSubscriptions/{name}: {message(exc)}", status_of(exc)
        ) from None


def update_subscription(c: Any, account: str, name: str, properties: Mapping[str, int]) -> JsonObject:
    """PATCH a billing subscription's `properties` (quantity, autoRenew) and wait for it to finish."""
    body = {"properties": dict(properties)}
    try:
        poller = c.billing_subscriptions.begin_update(account, name, body, polling_interval=0, **options(c))
        return dict(poller.result().as_dict())
    except AzureError as exc:
        raise BillingSourceError(f"billing account {account}: update {name}: {message(exc)}", status_of(exc)) from None


MCA = "MicrosoftCustomerAgreement"
MPA = "MicrosoftPartnerAgreement"


def cancel_subscription(c: Any, account: str, name: str, agreement: str) -> None:
    """Cancel a seat-based billing subscription by the operation Microsoft documents for it, and
    wait for the long-running operation to end (its Location is
    operationResults/cancelBillingSubscription_...): DELETE billingSubscriptions/{name}, "Cancels a
    billing subscription. This operation is supported only for billing accounts of type Microsoft
    Partner Agreement or Microsoft Customer Agreement." POST billingSubscriptions/{name}/cancel is
    never sent: it "Cancels a usage-based subscription" (Partner Agreement accounts only), and a
    Microsoft 365 subscription is seat-based.

    Any other agreement type has no cancel through this API: a BillingSourceError."""
    try:
        if agreement in (MCA, MPA):
            c.billing_subscriptions.begin_delete(account, name, polling_interval=0, **options(c)).result()
        else:
            raise BillingSourceError(
                f"billing account {account}: a subscription of a {agreement or 'not given'} account "
                "is not cancelled through this API"
            )
    except AzureError as exc:
        raise BillingSourceError(f"billing account {account}: cancel {name}: {message(exc)}", status_of(exc)) from None
