"""What the reads of one collection share: the client, the progress display, the gaps and notes
found so far, a 403 described for the report (forbidden_reason), and the simple listings
(/organization, /subscribedSkus, /directory/subscriptions). The users, mailbox purposes and groups
are read by the mixins of users.py, mailbox_purpose.py and groups.py; collector.py puts them
together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from auditor.common.errors import CollectionError
from auditor.data.model import Gap, Sku, User

from ..snapshot import LICENSE_ERROR_GROUPS, MAILBOX_SETTINGS, BadValue
from .arguments import DEFAULT_CONCURRENCY
from .client import GraphClient, GraphRequestError
from .progress import Progress

PAGE_SIZE = 999
EVENTUAL = {"ConsistencyLevel": "eventual"}

T = TypeVar("T")

# The least-privileged application permission(s) each listing needs (Microsoft Graph v1.0 reference).
NEEDS = {
    "subscribedSkus": "LicenseAssignment.Read.All or Organization.Read.All",
    "subscriptions": "LicenseAssignment.Read.All or Organization.Read.All",
    "users": "User.Read.All",
    "groups": "GroupMember.Read.All",
    MAILBOX_SETTINGS: "MailboxSettings.Read",
    LICENSE_ERROR_GROUPS: "GroupMember.Read.All",
}


class Forbidden(Exception):
    def __init__(self, request: str, reason: str) -> None:
        super().__init__(reason)
        self.request = request
        self.reason = reason


def forbidden_reason(exc: GraphRequestError, dataset: str | None = None) -> str:
    text = f"Graph answered 403 {exc.code}: {exc.graph_message}".strip()
    if exc.code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant":
        text += " (signInActivity needs Microsoft Entra ID P1 or P2 in the tenant)"
    elif dataset in NEEDS:
        text += f" (needs the application permission {NEEDS[dataset]}, with admin consent)"
    return text


class ReadState:
    """One collection's client and findings; the reads of the other modules extend it."""

    def __init__(self, client: GraphClient, progress: Progress, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.client = client
        self.progress = progress
        self.concurrency = max(1, concurrency)  # member reads, batches: each at most this many
        self.streams: int | None = self.concurrency  # user partitions at once (None: by the budget)
        self.gaps: list[Gap] = []
        self.notes: list[str] = []  # the report's warnings about how the tenant was read
        # called with each page of users as it is read (and whether it has signInActivity)
        self.page_hook: Callable[..., None] | None = None  # (page, signed)
        # called with users as their sign-in activity comes in (read apart, after the listing)
        self.signed_hook: Callable[[list[User]], None] | None = None
        self.attributes: tuple[str, ...] = ()  # user attribute paths to select (auditor.data.attributes)
        self.near_end: Callable[[], None] | None = None  # once, when a partitioned users read is about to end

    # --- simple datasets -------------------------------------------------------------------

    async def organization(self, fallback_id: str) -> tuple[str, str]:
        path = "/organization?$select=id,displayName"
        try:
            doc = await self.client.get(path)
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            self.gaps.append(Gap("organization", exc.request, forbidden_reason(exc)))
            return fallback_id, ""
        items = doc.get("value") if isinstance(doc, dict) else None
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise CollectionError(f"GET {path} returned no organization; re-run, and report it if it persists")
        org = items[0]
        tenant_id, name = org.get("id"), org.get("displayName")
        if not isinstance(tenant_id, str):
            raise CollectionError(f"GET {path} returned an organization without an id")
        return tenant_id, name if isinstance(name, str) else ""

    async def listing(self, dataset: str, path: str, decode: Callable[[Any], T]) -> list[T]:
        out: list[T] = []
        try:
            async for page in self.client.pages(path):
                out.extend(self._decode(page, decode, path))
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            self.gaps.append(Gap(dataset, exc.request, forbidden_reason(exc, dataset)))
            return []
        return out

    @staticmethod
    def _decode(page: list[Any], decode: Callable[[Any], T], path: str) -> list[T]:
        out = []
        for i, raw in enumerate(page):
            try:
                out.append(decode(raw))
            except BadValue as exc:
                ident = raw.get("userPrincipalName") or raw.get("id") if isinstance(raw, dict) else None
                who = f" ({ident})" if isinstance(ident, str) else ""
                raise CollectionError(
                    f"GET {path.split('?')[0]} returned an object Graph should not send: item {i}{who}: {exc}; "
                    "report it with the request id"
                ) from None
        return out


def unlisted_products(skus: Sequence[Sku], users: Sequence[User]) -> Gap | None:
    """A subscribedSkus gap when users hold a product (skuId) that GET /subscribedSkus did not list:
    the listing lacks products the tenant has (a page cut short: it has no count to be held to),
    so their seats, prices and findings cannot be judged; None when it holds every one."""
    listed = {s.sku_id.lower() for s in skus}
    held = {lic.sku_id.lower() for u in users for lic in u.assigned_licenses}
    missing = sorted(held - listed)
    if not missing:
        return None
    return Gap(
        "subscribedSkus",
        "GET /subscribedSkus",
        f"listed {len(skus):,} products and lacked {len(missing):,} that users hold (first skuId: {missing[0]}): "
        "products may be missing — re-run; if it persists, report it",
    )
