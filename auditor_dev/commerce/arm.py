"""A loopback stand-in of Azure Resource Manager's billing API (Microsoft.Billing, api-version 2024-04-01).

    GET   /providers/Microsoft.Billing/billingAccounts
    GET   /providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions   (nextLink paging)
    GET   /providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}
    PATCH /providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}
          (properties.quantity, properties.autoRenew): a long-running operation, 202 with its
          Location operationResults/manageBillingSubscription_{name}:{operation}
    DELETE the same: "Cancels a billing subscription" (Microsoft Customer Agreement or Microsoft
          Partner Agreement accounts): 202, Location operationResults/cancelBillingSubscription_...
    POST  .../billingSubscriptions/{name}/cancel {"cancellationReason"}: "Cancels a usage-based
          subscription" (Microsoft Partner Agreement accounts only, and only a subscription whose
          productCategory is UsageBased; refused on any other, a seat-based one included): 202, the same
    GET   /providers/Microsoft.Billing/billingAccounts/{account}/operationResults/{operation}: 202
          (Retry-After) while it runs (`operation_polls` times), then 200 with the subscription;
          the change is made when the operation ends

A seat reduction or a cancellation needs the subscription's self-serve window open:
systemOverrides.cancellation "Allowed", or, where the subscription gives no `cancellation` (the
2024-04-01 Get and Update examples carry only cancellationAllowedEndDate), a
cancellationAllowedEndDate not yet past (`now`).

Shapes follow billingSubscription.json and billingAccount.json of Azure/azure-rest-api-specs
(2024-04-01) and their examples. As ARM does: a missing or other api-version is a 400
(MissingApiVersionParameter / InvalidApiVersionParameter), a missing or wrong bearer token a 401
(AuthenticationFailed / InvalidAuthenticationToken), a token without the billing role a 403
(AuthorizationFailed), throttling a 429 with Retry-After; every error is {"error": {"code", "message"}}.
"""

from __future__ import annotations

import copy
import itertools
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from auditor_dev.commerce.server import Asked, Reply, StandIn

API_VERSION = "2024-04-01"
_ACCOUNTS = re.compile(r"^/providers/Microsoft\.Billing/billingAccounts/?$", re.I)
_SUBS = re.compile(r"^/providers/Microsoft\.Billing/billingAccounts/([^/]+)/billingSubscriptions/?$", re.I)
_SUB = re.compile(r"^/providers/Microsoft\.Billing/billingAccounts/([^/]+)/billingSubscriptions/([^/]+)$", re.I)
_CANCEL = re.compile(
    r"^/providers/Microsoft\.Billing/billingAccounts/([^/]+)/billingSubscriptions/([^/]+)/cancel$", re.I
)
_OPERATION = re.compile(r"^/providers/Microsoft\.Billing/billingAccounts/([^/]+)/operationResults/([^/]+)$", re.I)
WRITABLE = frozenset(("quantity", "autoRenew"))
MCA = "MicrosoftCustomerAgreement"
MPA = "MicrosoftPartnerAgreement"


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}})


class BillingStandIn(StandIn):
    """Billing accounts (name -> displayName, agreementType) and their billingSubscriptions (REST shape)."""

    def __init__(
        self,
        accounts: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        token: str | None = "arm-token",
        page_size: int = 50,
        display_names: Mapping[str, str] | None = None,
        agreements: Mapping[str, str] | None = None,
        readers: bool = True,
        writers: bool = True,
        now: datetime | None = None,
        operation_polls: int = 1,
    ) -> None:
        super().__init__(token)
        self.accounts = {name: [copy.deepcopy(dict(s)) for s in subs] for name, subs in accounts.items()}
        self.display_names = dict(display_names or {})
        self.agreements = dict(agreements or {})  # account -> agreementType (default: Microsoft Customer Agreement)
        self.page_size = page_size
        self.readers, self.writers = readers, writers
        self.now = now
        self.operation_polls = operation_polls  # answers of 202 before an operation ends
        # operation name -> [polls left, the change it makes when it ends (returns the subscription)]
        self.operations: dict[str, list[Any]] = {}
        self._ids = itertools.count(1)

    def unauthorized(self, asked: Asked) -> Reply | None:
        if "authorization" not in asked.headers:
            return _error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        return _error(401, "InvalidAuthenticationToken", "The access token is invalid.")

    def throttled(self, asked: Asked) -> Reply:
        return _error(429, "TooManyRequests", "The request is being throttled. Retry after the given interval.")

    def _denied(self, action: str, scope: str) -> Reply:
        return _error(
            403,
            "AuthorizationFailed",
            f"The client does not have authorization to perform action '{action}' over scope '{scope}' "
            "or the scope is invalid. If access was recently granted, please refresh your credentials.",
        )

    def route(self, asked: Asked) -> Reply:
        version = asked.query.get("api-version")
        if version is None:
            return _error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if version != API_VERSION:
            return _error(
                400,
                "InvalidApiVersionParameter",
                f"The api-version '{version}' is invalid. The supported versions are '{API_VERSION}'.",
            )
        if _ACCOUNTS.match(asked.path) and asked.method == "GET":
            return Reply(200, {"value": [self._account(n) for n in sorted(self.accounts)]})
        if (m := _SUBS.match(asked.path)) and asked.method == "GET":
            return self._list(asked, m.group(1))
        if m := _SUB.match(asked.path):
            return self._one(asked, m.group(1), m.group(2))
        if (m := _CANCEL.match(asked.path)) and asked.method == "POST":
            return self._cancel(asked, m.group(1), m.group(2))
        if (m := _OPERATION.match(asked.path)) and asked.method == "GET":
            return self._operation(m.group(1), m.group(2))
        return _error(404, "NotFound", f"The resource '{asked.path}' was not found.")

    def agreement(self, account: str) -> str:
        return self.agreements.get(account, MCA)

    def _find(self, account: str, name: str) -> dict[str, Any] | None:
        return next((s for s in self.accounts.get(account, []) if str(s.get("name")).lower() == name.lower()), None)

    def _window_open(self, props: Mapping[str, Any]) -> bool:
        """The self-serve cancellation or seat reduction is allowed: systemOverrides.cancellation
        says so, else (not given) its cancellationAllowedEndDate is not past."""
        overrides = props.get("systemOverrides") or {}
        given = overrides.get("cancellation")
        if given is not None:
            return bool(given == "Allowed")
        end = str(overrides.get("cancellationAllowedEndDate") or "")
        now = self.now or datetime.now(UTC)
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        try:
            return bool(end) and datetime.fromisoformat(end.replace("Z", "+00:00")) >= now
        except ValueError:
            return False

    def _accepted(self, account: str, kind: str, name: str, change: Callable[[], dict[str, Any]]) -> Reply:
        """202 with the Location of a long-running operation that makes `change` when it ends."""
        operation = f"{kind}_{name}:{uuid.UUID(int=next(self._ids))}"
        self.operations[operation] = [self.operation_polls, change]
        where = f"{self.url}/providers/Microsoft.Billing/billingAccounts/{account}/operationResults/{operation}"
        return Reply(202, None, {"Location": f"{where}?api-version={API_VERSION}", "Retry-After": "0"})

    def _operation(self, account: str, operation: str) -> Reply:
        state = self.operations.get(operation)
        if state is None:
            return _error(404, "OperationNotFound", f"The operation '{operation}' was not found.")
        if state[0] > 0:
            state[0] -= 1
            where = f"{self.url}/providers/Microsoft.Billing/billingAccounts/{account}/operationResults/{operation}"
            return Reply(202, None, {"Location": f"{where}?api-version={API_VERSION}", "Retry-After": "0"})
        if len(state) == 2:  # ends once: its change is made, its answer kept
            state.append(state[1]())
        return Reply(200, copy.deepcopy(state[2]))

    def _account(self, name: str) -> dict[str, Any]:
        return {
            "id": f"/providers/Microsoft.Billing/billingAccounts/{name}",
            "name": name,
            "type": "Microsoft.Billing/billingAccounts",
            "properties": {
                "displayName": self.display_names.get(name, name),
                "accountStatus": "Active",
                "accountType": "Business",
                "agreementType": self.agreement(name),
            },
        }

    def _list(self, asked: Asked, account: str) -> Reply:
        scope = f"/providers/Microsoft.Billing/billingAccounts/{account}"
        if account not in self.accounts:
            return _error(404, "BillingAccountNotFound", f"The billing account '{account}' was not found.")
        if not self.readers:
            return self._denied("Microsoft.Billing/billingAccounts/billingSubscriptions/read", scope)
        subs = self.accounts[account]
        start = int(asked.query.get("skiptoken") or 0)
        page = subs[start : start + self.page_size]
        body: dict[str, Any] = {"value": copy.deepcopy(page)}
        if start + self.page_size < len(subs):
            body["nextLink"] = (
                f"{self.url}{scope}/billingSubscriptions?api-version={API_VERSION}&skiptoken={start + self.page_size}"
            )
        return Reply(200, body)

    def _cancel(self, asked: Asked, account: str, name: str) -> Reply:
        """POST .../cancel: supported only for billing accounts of type Microsoft Partner Agreement."""
        sub = self._find(account, name)
        if sub is None:
            return _error(404, "BillingSubscriptionNotFound", f"The billing subscription '{name}' was not found.")
        if self.agreement(account) != MPA:
            return _error(
                400,
                "BadRequest",
                "Cancels a usage-based subscription. This operation is supported only for billing accounts "
                "of type Microsoft Partner Agreement.",
            )
        if not self.writers:
            return self._denied(
                "Microsoft.Billing/billingAccounts/billingSubscriptions/cancel/action",
                f"/providers/Microsoft.Billing/billingAccounts/{account}",
            )
        if (sub.get("properties") or {}).get("productCategory") != "UsageBased":
            # "Cancels a usage-based subscription": a seat-based one (Microsoft 365) is cancelled by DELETE
            return _error(
                400,
                "BadRequest",
                "Cancels a usage-based subscription. A seat-based subscription is cancelled by "
                "DELETE billingSubscriptions/{billingSubscriptionName}.",
            )
        if (asked.body or {}).get("cancellationReason") not in ("Other", "Compromise", "Dispute"):
            return _error(400, "InvalidRequest", "The cancellationReason is required: Other, Compromise or Dispute.")
        return self._cancelled(account, name, sub)

    def _cancelled(self, account: str, name: str, sub: dict[str, Any]) -> Reply:
        props = sub.setdefault("properties", {})
        if not self._window_open(props):
            return _error(400, "CancellationNotAllowed", "The subscription cannot be cancelled now.")

        def cancel() -> dict[str, Any]:
            props["status"] = "Cancelled"
            return sub

        return self._accepted(account, "cancelBillingSubscription", name, cancel)

    def _one(self, asked: Asked, account: str, name: str) -> Reply:
        scope = f"/providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}"
        sub = self._find(account, name)
        if sub is None:
            return _error(404, "BillingSubscriptionNotFound", f"The billing subscription '{name}' was not found.")
        if asked.method == "GET":
            return (
                Reply(200, copy.deepcopy(sub))
                if self.readers
                else self._denied("Microsoft.Billing/billingAccounts/billingSubscriptions/read", scope)
            )
        if not self.writers:
            return self._denied("Microsoft.Billing/billingAccounts/billingSubscriptions/write", scope)
        if asked.method == "DELETE":  # "Cancels a billing subscription" (MCA or MPA accounts)
            if self.agreement(account) not in (MCA, MPA):
                return _error(
                    400,
                    "BadRequest",
                    "Cancels a billing subscription. This operation is supported only for billing accounts of "
                    "type Microsoft Partner Agreement or Microsoft Customer Agreement.",
                )
            return self._cancelled(account, name, sub)
        if asked.method != "PATCH":
            return _error(405, "MethodNotAllowed", f"The method '{asked.method}' is not allowed.")
        changes = (asked.body or {}).get("properties") or {}
        unknown = sorted(set(changes) - WRITABLE)
        if unknown:
            return _error(400, "InvalidRequest", f"The properties {', '.join(unknown)} cannot be updated.")
        props = sub.setdefault("properties", {})
        if "quantity" in changes:
            if not isinstance(changes["quantity"], int) or changes["quantity"] < 1:
                return _error(400, "InvalidQuantity", "The quantity must be a positive integer.")
            if changes["quantity"] < int(props.get("quantity") or 0) and not self._window_open(props):
                return _error(
                    400,
                    "QuantityDecreaseNotAllowed",
                    "The quantity cannot be decreased outside the cancellation window.",
                )

        def update() -> dict[str, Any]:
            props.update({k: changes[k] for k in WRITABLE if k in changes})
            props["provisioningState"] = "Succeeded"
            return sub

        return self._accepted(account, "manageBillingSubscription", name, update)
