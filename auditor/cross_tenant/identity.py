"""Who is who across tenants, and which products cost money.

Identity (policy `cross_tenant:`): a user principal name is lower-cased; a B2B account
(`alice_contoso.example#EXT#@fabrikam.onmicrosoft.com`) becomes its home address
(`alice@contoso.example`) when `guests` is on; an address listed in `aliases` becomes the
identity given there; otherwise its domain is rewritten through `domain_map`. Two accounts in
different tenants with the same resulting identity are one person.

Paid: a product is free when a policy's catalog marks it `free: true` or prices it at 0, paid
when the catalog gives it a price above 0, and otherwise judged by its part number: free when it
contains FREE or VIRAL (self-service sign-ups such as FLOW_FREE, POWERAPPS_VIRAL) or is one of
KNOWN_FREE; everything else counts as paid.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..policy.objects import CrossTenant, PolicySet

# Microsoft products that cost nothing although their part number does not say so.
KNOWN_FREE = frozenset(
    {
        "POWER_BI_STANDARD",  # Microsoft Fabric (Free) / Power BI (free)
        "POWERAPPS_DEV",  # Power Apps for Developer
        "POWERAPPS_INDIVIDUAL_USER",
        "RIGHTSMANAGEMENT_ADHOC",
        "TEAMS_EXPLORATORY",
        "WINDOWS_STORE",
        "MICROSOFT_BUSINESS_CENTER",
        "PROJECT_MADEIRA_PREVIEW_IW_SKU",
    }
)
_FREE_WORDS = ("FREE", "VIRAL")
EXT_MARK = "#ext#"


class IdentityMap:
    """Turns a user principal name into the cross-tenant identity of the person behind it."""

    def __init__(self, config: CrossTenant | None) -> None:
        config = config or CrossTenant()
        self.domains = dict(config.domain_map)
        self.aliases = dict(config.aliases)
        self.guests = config.guests

    def home_address(self, upn: str) -> str:
        """The address an account stands for: its UPN, or for a B2B account its home address."""
        upn = upn.lower()
        if self.guests and EXT_MARK in upn:
            home = upn.split(EXT_MARK, 1)[0]
            local, sep, domain = home.rpartition("_")  # domain names hold no underscore
            if sep and local and "." in domain:
                return f"{local}@{domain}"
        return upn

    def key(self, upn: str) -> str:
        address = self.home_address(upn)
        alias = self.aliases.get(address)
        if alias is not None:
            return alias
        local, sep, domain = address.rpartition("@")
        if not sep:
            return address
        return f"{local}@{self.domains.get(domain, domain)}"


class PaidProducts:
    """Decides, per skuId and part number, whether a product costs money (see module docstring)."""

    def __init__(self, policies: PolicySet | None) -> None:
        self.free_refs: set[str] = set()
        self.paid_refs: set[str] = set()
        for policy in policies.policies if policies else ():
            for entry in policy.catalog or ():
                ref = entry.sku.lower()
                if entry.free or (entry.price is not None and entry.price.monthly == 0):
                    self.free_refs.add(ref)
                elif entry.price is not None:
                    self.paid_refs.add(ref)

    def is_paid(self, sku_id: str, part: str | None) -> bool:
        refs = {sku_id.lower(), (part or "").lower()} - {""}
        if refs & self.free_refs:
            return False
        if refs & self.paid_refs:
            return True
        if part is None:
            return True  # unknown product: assume it costs money
        upper = part.upper()
        return upper not in KNOWN_FREE and not any(w in upper for w in _FREE_WORDS)

    def paid_ids(self, skus: Iterable[tuple[str, str]]) -> frozenset[str]:
        """The paid skuIds (lower-case) among (skuId, part number) pairs."""
        return frozenset(sid.lower() for sid, part in skus if self.is_paid(sid, part))
