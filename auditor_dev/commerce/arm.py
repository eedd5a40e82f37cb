"""A loopback stand-in of Azure Resource Manager's billing API (Microsoft.Billing, api-version 2024-04-01).

    GET   /providers/Microsoft.Billing/billingAccounts
    GET   /providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions   (nextLink paging)
    GET   /providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}
    PATCH /providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}
          (properties.quantity, properties.autoRenew; answered 200 with the subscription)
    DELETE the same: 202 (recorded: the auditor must never send it)

Shapes follow billingSubscription.json and billingAccount.json of Azure/azure-rest-api-specs
(2024-04-01) and their examples. As ARM does: a missing or other api-version is a 400
(MissingApiVersionParameter / InvalidApiVersionParameter), a missing or wrong bearer token a 401
(AuthenticationFailed / InvalidAuthenticationToken), a token without the billing role a 403
(AuthorizationFailed), throttling a 429 with Retry-After; every error is {"error": {"code", "message"}}.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from auditor_dev.commerce.server import Asked, Reply, StandIn

API_VERSION = "2024-04-01"
_ACCOUNTS = re.compile(r"^/providers/Microsoft\.Billing/billingAccounts/?$", re.I)
_SUBS = re.compile(r"^/providers/Microsoft\.Billing/billingAccounts/([^/]+)/billingSubscriptions/?$", re.I)
_SUB = re.compile(r"^/providers/Microsoft\.Billing/billingAccounts/([^/]+)/billingSubscriptions/([^/]+)$", re.I)
_CANCEL = re.compile(
    r"^/providers/Microsoft\.Billing/billingAccounts/([^/]+)/billingSubscriptions/([^/]+)/cancel$", re.I
)
WRITABLE = frozenset(("quantity", "autoRenew"))


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
        readers: bool = True,
        writers: bool = True,
    ) -> None:
        super().__init__(token)
        self.accounts = {name: [copy.deepcopy(dict(s)) for s in subs] for name, subs in accounts.items()}
        self.display_names = dict(display_names or {})
        self.page_size = page_size
        self.readers, self.writers = readers, writers

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
        return _error(404, "NotFound", f"The resource '{asked.path}' was not found.")

    def _account(self, name: str) -> dict[str, Any]:
        return {
            "id": f"/providers/Microsoft.Billing/billingAccounts/{name}",
            "name": name,
            "type": "Microsoft.Billing/billingAccounts",
            "properties": {
                "displayName": self.display_names.get(name, name),
                "accountStatus": "Active",
                "accountType": "Business",
                "agreementType": "MicrosoftCustomerAgreement",
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
        """POST .../cancel: a subscription within its cancellation window is cancelled (never deleted)."""
        sub = next((s for s in self.accounts.get(account, []) if str(s.get("name")).lower() == name.lower()), None)
        if sub is None:
            return _error(404, "BillingSubscriptionNotFound", f"The billing subscription '{name}' was not found.")
        if not self.writers:
            return self._denied(
                "Microsoft.Billing/billingAccounts/billingSubscriptions/cancel/action",
                f"/providers/Microsoft.Billing/billingAccounts/{account}",
            )
        if not (asked.body or {}).get("cancellationReason"):
            return _error(400, "InvalidRequest", "The cancellationReason is required.")
        props = sub.setdefault("properties", {})
        if (props.get("systemOverrides") or {}).get("cancellation") != "Allowed":
            return _error(400, "CancellationNotAllowed", "The subscription cannot be cancelled now.")
        props["status"] = "Cancelled"
        where = f"{self.url}/providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}"
        return Reply(202, None, {"Location": f"{where}?api-version={API_VERSION}", "Retry-After": "0"})

    def _one(self, asked: Asked, account: str, name: str) -> Reply:
        scope = f"/providers/Microsoft.Billing/billingAccounts/{account}/billingSubscriptions/{name}"
        sub = next((s for s in self.accounts.get(account, []) if str(s.get("name")).lower() == name.lower()), None)
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
        if asked.method == "DELETE":
            return Reply(202, None)
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
            overrides = props.get("systemOverrides") or {}
            if changes["quantity"] < int(props.get("quantity") or 0) and overrides.get("cancellation") != "Allowed":
                return _error(
                    400,
                    "QuantityDecreaseNotAllowed",
                    "The quantity cannot be decreased outside the cancellation window.",
                )
            props["quantity"] = changes["quantity"]
        if "autoRenew" in changes:
            props["autoRenew"] = changes["autoRenew"]
        props["provisioningState"] = "Succeeded"
        return Reply(200, copy.deepcopy(sub))
