"""The cross-tenant rules `license-auditor merge` evaluates, with their policy-schema fragments
(their guidance is in auditor/cross_tenant/rules_texts.py).

Both rules read the `cross_tenant:` section (CROSS_TENANT_SCHEMA, assembled from the fragments
here), the catalog's prices and `spare_seats.min`, and the policies' `severities`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypedDict, TypeVar

from auditor.common.json_value import JsonObject
from auditor.data.finding import Own, make
from auditor.data.model import Finding, Severity, Subject, SubjectType

from ..policy.objects import PolicySet
from ..rules.base import D
from .identity import PaidProducts
from .inputs import Account, IdentityIndex, Seats, TenantFacts

T = TypeVar("T")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = {"type": "string", "pattern": rf"^{_LABEL}(\.{_LABEL})+$", "description": "a domain name"}
_ADDRESS = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "description": "an address (UPN)"}
_TENANT_ID = {
    "type": "string",
    "pattern": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "description": "a tenant id (GUID)",
}


@dataclass
class MergeContext:
    """What the cross-tenant rules read. Tenants keep the order they were read in."""

    tenants: Sequence[TenantFacts]
    index: IdentityIndex
    policies: PolicySet
    policy_label: str  # "<policy>/cross_tenant"
    paid: PaidProducts
    prices: dict[str, tuple[float, str]]  # ref (part number or skuId, lower) -> (monthly, currency)
    minimums: dict[str, int]  # ref (lower) -> catalog spare_seats.min
    skipped: frozenset[int] = frozenset()  # tenants whose data a rule cannot use (set per rule)

    def lookup(self, table: Mapping[str, T], sku_id: str, part: str) -> T | None:
        return table.get(part.lower(), table.get(sku_id.lower()))

    def severity(self, rule: MergeRule[Any]) -> Severity:
        return next(
            (p.severities[rule.id] for p in self.policies.policies if rule.id in p.severities), rule.default_severity
        )

    def order(self, position: int) -> tuple[str, str]:
        t = self.tenants[position]
        return (t.name.lower(), t.id)


class MergeRule(Generic[D]):
    """A cross-tenant rule: what it is and what it finds. Its guidance (texts, message, remediation,
    docs) is the class of the same name in auditor/cross_tenant/rules_texts.py. Like a rule of one
    tenant (auditor.rules.base.Rule), it is generic in its details' record, which `make` takes."""

    id: ClassVar[str]
    default_severity: ClassVar[Severity]
    needs: ClassVar[frozenset[str]]  # snapshot datasets (Gap.dataset) each tenant must have
    fragment: ClassVar[JsonObject] = {}  # keys this rule owns inside `cross_tenant:`

    @classmethod
    def example(cls) -> str:
        doc = cls.__doc__ or ""
        return textwrap.dedent(doc.split("Example:\n", 1)[1]) if "Example:\n" in doc else ""

    def evaluate(self, ctx: MergeContext) -> Iterator[Finding]:
        raise NotImplementedError

    def make(
        self,
        ctx: MergeContext,
        subject: Subject,
        skus: Sequence[str],
        message: str,
        details: D,
        monthly_cost: float | None,
    ) -> Finding:
        return make(
            self.id, ctx.policy_label, ctx.severity(self), subject, skus, message, details, monthly_cost=monthly_cost
        )


class TenantAccount(TypedDict, total=False):
    """One account holding the product, in one tenant (CrossTenantDuplicateDetails.tenants)."""

    id: str  # the tenant's
    name: str  # the tenant's
    upn: str
    user_id: str
    display_name: str
    assigned_by_group: list[str]  # the groups that assign the product there (empty: direct)
    assigned_by_group_ids: list[str]  # their object ids, in the same order


class TenantSeats(TypedDict, total=False):
    """A tenant's seats of the product (SeatsRebalanceAcrossTenantsDetails.surplus and .shortage)."""

    tenant: str  # its name (its id when it has none)
    tenant_id: str
    enabled: int
    consumed: int
    min: int | None  # the catalog's spare_seats.min
    unused: int  # surplus: spare seats above min
    short: int  # shortage: the seats missing
    count_violations: int


class CrossTenantDuplicateDetails(Own, frozen=True, kw_only=True):
    """`identity` (the matched person; also `subject.id`/`subject.upn`), `sku_ids` ({part number: skuId}), `tenants`:
    [{"id","name","upn","user_id","display_name","assigned_by_group","assigned_by_group_ids"}] — one entry per
    account holding the product, by tenant name; `assigned_by_group` lists the groups assigning it there (empty =
    direct), `assigned_by_group_ids` their object ids in the same order"""

    identity: str = ""  # the person, as the identity map names them; "": not in the report (an older one)
    tenants: list[TenantAccount] = []  # each holder: tenant name and id, upn, user_id, display_name, groups
    sku_ids: dict[str, str] = {}


class SeatsRebalanceAcrossTenantsDetails(Own, frozen=True, kw_only=True):
    """`surplus`: [{"tenant" (name),"tenant_id","enabled","consumed","unused","min"}] (`unused` = spare seats above
    `min`), `shortage`: [{"tenant","tenant_id","enabled","consumed","short","count_violations","min"}], `movable`
    (seats to remove on one side and buy on the other)"""

    surplus: list[TenantSeats] = []  # per tenant with spare seats: tenant, tenant_id, enabled, consumed, min, unused
    shortage: list[TenantSeats] = []  # per tenant short of seats: ..., short, count_violations
    movable: int | None = None  # None: not in the report (an older one)


class CrossTenantDuplicate(MergeRule[CrossTenantDuplicateDetails]):
    """One person holds a paid license for the same product in two or more tenants.

    Accounts are matched by identity (see `cross_tenant`); free products never count.

    Example:
        cross_tenant:
          identity: upn
          domain_map: {fabrikam.example: contoso.example}
          aliases: {a.smith@fabrikam.example: alice@contoso.example}
    """

    id = "cross-tenant-duplicate"
    default_severity = Severity.MEDIUM
    needs = frozenset({"users", "subscribedSkus"})
    fragment = {
        "identity": {"enum": ["upn"], "description": "What identifies a person across tenants (default upn)."},
        "domain_map": {
            "type": "object",
            "description": "Rewrites a UPN domain to the canonical one "
            "(alice@fabrikam.example -> alice@contoso.example).",
            "propertyNames": _DOMAIN,
            "additionalProperties": _DOMAIN,
        },
        "aliases": {
            "type": "object",
            "description": "Individual addresses that stand for another identity (applied before domain_map).",
            "propertyNames": _ADDRESS,
            "additionalProperties": _ADDRESS,
        },
        "guests": {
            "type": "boolean",
            "description": "Match B2B accounts (alice_contoso.example#EXT#@...) by their home address (default true).",
        },
    }

    def evaluate(self, ctx: MergeContext) -> Iterator[Finding]:
        for identity, accounts in ctx.index.shared():
            accounts = [a for a in accounts if a.tenant not in ctx.skipped]
            by_sku: dict[str, list[Account]] = {}
            for a in accounts:
                for sid in a.paid:
                    by_sku.setdefault(sid, []).append(a)
            for sid, holders in by_sku.items():
                if len({a.tenant for a in holders}) < 2:
                    continue
                yield self._finding(ctx, identity, sid, sorted(holders, key=lambda a: (ctx.order(a.tenant), a.upn)))

    def _finding(self, ctx: MergeContext, identity: str, sid: str, holders: list[Account]) -> Finding:
        seats = next((ctx.tenants[a.tenant].seats[sid] for a in holders if sid in ctx.tenants[a.tenant].seats), None)
        part, sku_id = (seats.part, seats.sku_id) if seats else (sid, sid)
        tenants: list[TenantAccount] = []
        for a in holders:
            facts = ctx.tenants[a.tenant]
            # (name, id) by name then id: names and ids in one order, as a tenant's own report lists them
            pairs = sorted(
                (facts.group_names.get(s.assigned_by_group, s.assigned_by_group), s.assigned_by_group)
                for s in a.states
                if s.assigned_by_group and s.sku_id.lower() == sid
            )
            tenants.append(
                TenantAccount(
                    id=facts.id,
                    name=facts.name,
                    upn=a.upn,
                    user_id=a.user_id,
                    display_name=a.display_name,
                    assigned_by_group=[n for n, _ in pairs],
                    assigned_by_group_ids=[g for _, g in pairs],
                )
            )
        price = ctx.lookup(ctx.prices, sid, part)
        extra = len({a.tenant for a in holders}) - 1
        names = ", ".join(f"{t.get('name') or t.get('id')} ({t.get('upn')})" for t in tenants)
        return self.make(
            ctx,
            Subject(SubjectType.USER, identity, upn=identity, display_name=holders[0].display_name),
            (part,),
            f"{identity} holds a paid {part} license in {extra + 1} tenants: {names}",
            CrossTenantDuplicateDetails(identity=identity, tenants=tenants, sku_ids={part: sku_id}),
            round(extra * price[0], 2) if price else None,
        )


class SeatsRebalanceAcrossTenants(MergeRule[SeatsRebalanceAcrossTenantsDetails]):
    """Unused seats of a product in one tenant while another tenant is short of it.

    Short = consumed above enabled, fewer spare seats than the catalog's `spare_seats.min`, or
    users whose assignment failed with CountViolation. Licenses cannot move between tenants: the
    fix is to remove seats in one tenant and buy them in the other. Free products never count.

    Example:
        catalog:
          - sku: SPE_E3
            spare_seats: {min: 2}
        cross_tenant:
          name: Contoso group
    """

    id = "seats-rebalance-across-tenants"
    default_severity = Severity.MEDIUM
    needs = frozenset({"subscribedSkus", "users"})

    def evaluate(self, ctx: MergeContext) -> Iterator[Finding]:
        products: dict[str, list[tuple[int, Seats]]] = {}
        for i, t in enumerate(ctx.tenants):
            if i in ctx.skipped:
                continue
            for sid, seats in t.seats.items():
                if ctx.paid.is_paid(seats.sku_id, seats.part):
                    products.setdefault(sid, []).append((i, seats))
        for sid in sorted(products, key=lambda s: (products[s][0][1].part, s)):
            rows = sorted(products[sid], key=lambda r: ctx.order(r[0]))
            part = rows[0][1].part
            minimum = ctx.lookup(ctx.minimums, sid, part) or 0
            surplus: list[TenantSeats] = []
            shortage: list[TenantSeats] = []
            for i, s in rows:
                short = max(0, minimum + s.count_violations - s.unused)
                t = ctx.tenants[i]
                base = TenantSeats(
                    tenant=t.name or t.id, tenant_id=t.id, enabled=s.enabled, consumed=s.consumed, min=minimum or None
                )
                if short:
                    shortage.append({**base, "short": short, "count_violations": s.count_violations})
                elif s.unused - minimum > 0:
                    surplus.append({**base, "unused": s.unused - minimum})
            if not surplus or not shortage:
                continue
            spare = sum(r.get("unused", 0) for r in surplus)
            short = sum(r.get("short", 0) for r in shortage)
            movable = min(spare, short)
            price = ctx.lookup(ctx.prices, sid, part)
            where_unused = ", ".join(f"{r.get('tenant')} ({r.get('unused')})" for r in surplus)
            where_short = ", ".join(f"{r.get('tenant')} ({r.get('short')})" for r in shortage)
            message = (
                f"{part}: unused seats in {where_unused} while short in {where_short}; licenses cannot be "
                f"moved between tenants, so remove {movable} where unused and buy {movable} where short"
            )
            yield self.make(
                ctx,
                Subject(SubjectType.SKU, rows[0][1].sku_id, sku=part),
                (part,),
                message,
                SeatsRebalanceAcrossTenantsDetails(surplus=surplus, shortage=shortage, movable=movable),
                round(movable * price[0], 2) if price else None,
            )


MERGE_RULES: tuple[MergeRule[Any], ...] = (CrossTenantDuplicate(), SeatsRebalanceAcrossTenants())

CROSS_TENANT_SCHEMA: JsonObject = {
    "type": "object",
    "additionalProperties": False,
    "description": "How `license-auditor merge` matches people across tenants (one policy in the set may say).",
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "The tenant group's name in the merged report."},
        "tenants": {
            "type": "array",
            "items": _TENANT_ID,
            "uniqueItems": True,
            "description": "Tenant ids the merge expects; a missing report makes the merge incomplete.",
        },
        **{k: v for rule in MERGE_RULES for k, v in rule.fragment.items()},
    },
}
