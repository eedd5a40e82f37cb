"""The cross-tenant rules `license-auditor merge` evaluates, with their policy-schema fragments.

Both rules read the `cross_tenant:` section (CROSS_TENANT_SCHEMA, assembled from the fragments
here), the catalog's prices and `spare_seats.min`, and the policies' `severities`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ..guidance.clouds import Variant
from ..guidance.details import Details, as_strs, as_text
from ..guidance.examples import E5, USER
from ..guidance.library import (
    Message,
    RuleGuidance,
    ValueFormatter,
    base_values,
    group_removals,
)
from ..guidance.remediation import (
    Action,
    Alternative,
    Remediation,
    TextRef,
    assign_license,
)
from ..guidance.texts.declare import Text
from ..model import Finding, Severity, Subject, SubjectType
from ..policy.model import PolicySet
from ..rules.base import finding_id
from .identity import PaidProducts
from .inputs import Account, IdentityIndex, Seats, TenantFacts

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = {"type": "string", "pattern": rf"^{_LABEL}(\.{_LABEL})+$", "description": "a domain name"}
_ADDRESS = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "description": "an address (UPN)"}
_TENANT_ID = {"type": "string",
              "pattern": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
              "description": "a tenant id (GUID)"}


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

    def lookup(self, table: dict[str, Any], sku_id: str, part: str) -> Any:
        return table.get(part.lower(), table.get(sku_id.lower()))

    def severity(self, rule: MergeRule) -> Severity:
        return next((p.severities[rule.id] for p in self.policies.policies if rule.id in p.severities),
                    rule.default_severity)

    def tenant_ref(self, position: int) -> dict[str, str]:
        t = self.tenants[position]
        return {"id": t.id, "name": t.name}

    def order(self, position: int) -> tuple[str, str]:
        t = self.tenants[position]
        return (t.name.lower(), t.id)


class MergeRule(RuleGuidance):
    id: ClassVar[str]
    default_severity: ClassVar[Severity]
    needs: ClassVar[frozenset[str]]  # snapshot parts (Gap.part) each tenant must have
    fragment: ClassVar[dict[str, Any]] = {}  # keys this rule owns inside `cross_tenant:`

    @classmethod
    def example(cls) -> str:
        doc = cls.__doc__ or ""
        return textwrap.dedent(doc.split("Example:\n", 1)[1]) if "Example:\n" in doc else ""

    def evaluate(self, ctx: MergeContext) -> Iterator[Finding]:
        raise NotImplementedError

    def make(self, ctx: MergeContext, subject: Subject, skus: Sequence[str], message: str,
             details: dict[str, Any], monthly_cost: float | None) -> Finding:
        return Finding(
            id=finding_id(self.id, ctx.policy_label, subject, skus),
            rule=self.id, severity=ctx.severity(self), policy=ctx.policy_label, subject=subject,
            skus=tuple(skus), message=message, details=tuple(sorted(details.items())), monthly_cost=monthly_cost,
        )


LINKS_TRANSFER = ["vlsc", "buy_licenses", "cancel_subscription", "mailbox_migration", "sharepoint_migration"]
TRANSFER_STEPS = ("steps.transfer.vlsc", "steps.transfer.cancel", "steps.transfer.remove", "steps.transfer.migrate")


def tenant_names(items: object, count_key: str) -> str:
    out = []
    for item in items if isinstance(items, list | tuple) else ():
        if isinstance(item, dict):
            name = str(item.get("tenant") or item.get("name") or item.get("id") or "?")
            count = item.get(count_key)
            out.append(f"{name} ({count})" if isinstance(count, int) and not isinstance(count, bool) else name)
    return ", ".join(out)


class CrossTenantDuplicate(MergeRule):
    """One person holds a paid license for the same product in two or more tenants.

    Accounts are matched by identity (see `cross_tenant`); free products never count.

    Example:
        cross_tenant:
          identity: upn
          domain_map: {fabrikam.example: contoso.example}
          aliases: {a.smith@fabrikam.example: alice@contoso.example}
    """

    texts = (
        Text("rule.cross-tenant-duplicate.title", "Licensed in several tenants"),
        Text("rule.cross-tenant-duplicate.describe", "The same person holds the same product in more than one of "
             "the organization's tenants, and each tenant pays for it."),
        Text("rule.cross-tenant-duplicate.message", "{identity} holds {sku} in several tenants: {tenants}."),
        Text("summary.cross_tenant", "Licenses cannot be moved between tenants: decide where {identity} keeps "
             "{sku} and remove it in the other tenants."),
        Text("steps.transfer.fact", "Licenses cannot be transferred from one tenant to another; each tenant needs "
             "its own."),
        Text("steps.transfer.decide.worldwide", "Decide in which tenant {identity} keeps {sku}, and remove the "
             "license from the account in the other tenants (Users > Active users > the user > Licenses and apps)."),
        Text("steps.transfer.decide.legacy", "Decide in which tenant {identity} keeps {sku}, and remove the "
             "license from the account in the other tenants (Users > Active users > the user > Product licenses > "
             "Edit)."),
        Text("role.transfer", "Billing Administrator or Global Administrator in each tenant to buy or remove "
             "licenses; Global, License or User Administrator to remove a license from a user; Exchange "
             "Administrator and SharePoint Administrator for the data migration"),
        Text("next.transfer_cost", "Afterwards, check the license counts in every tenant involved so that none "
             "pays for licenses it does not use."),
        Text("graph.cross_remove_in", "In the tenant {tenant}: removes {sku} from {user}."),
        Text("graph.cross_leave", "In the tenant {tenant}: removes {user} from the group {group}, which assigns "
             "{sku} there."),
        Text("alt.keep_in", "Keep {sku} in {tenant} ({user}) instead, and remove it from the other tenants."),
    )

    id = "cross-tenant-duplicate"
    default_severity = Severity.MEDIUM
    fires_when = "one person holds a paid license for the same product in several tenants"
    details_doc = (
        "`identity` (the matched person; also `subject.id`/`subject.upn`), `sku_ids` ({part number: skuId}), "
        '`tenants`: [{"id","name","upn","user_id","display_name","assigned_by_group","assigned_by_group_ids"}] '
        "— one entry per account holding the product, by tenant name; `assigned_by_group` lists the groups "
        "assigning it there (empty = direct), `assigned_by_group_ids` their object ids in the same order"
    )
    example_finding = (USER, ["SPE_E5"], {"identity": "ann@contoso.example", "sku_ids": {"SPE_E5": E5},
                                          "tenants": [{"id": "t1", "name": "Contoso", "upn": "ann@contoso.example",
                                                       "user_id": "u-1", "assigned_by_group": []},
                                                      {"id": "t2", "name": "Fabrikam", "upn": "ann@fabrikam.example",
                                                       "user_id": "u-2", "assigned_by_group": ["Sales"],
                                                       "assigned_by_group_ids": ["g-9"]}]})
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
        "guests": {"type": "boolean", "description": "Match B2B accounts (alice_contoso.example#EXT#@...) "
                                                       "by their home address (default true)."},
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
        tenants = []
        for a in holders:
            facts = ctx.tenants[a.tenant]
            # (name, id) by name then id: names and ids in one order, as a tenant's own report lists them
            pairs = sorted((facts.group_names.get(s.assigned_by_group, s.assigned_by_group), s.assigned_by_group)
                           for s in a.states if s.assigned_by_group and s.sku_id.lower() == sid)
            tenants.append({**ctx.tenant_ref(a.tenant), "upn": a.upn, "user_id": a.user_id,
                            "display_name": a.display_name, "assigned_by_group": [n for n, _ in pairs],
                            "assigned_by_group_ids": [g for _, g in pairs]})
        price = ctx.lookup(ctx.prices, sid, part)
        extra = len({a.tenant for a in holders}) - 1
        names = ", ".join(f"{t['name'] or t['id']} ({t['upn']})" for t in tenants)
        return self.make(
            ctx, Subject(SubjectType.USER, identity, upn=identity, display_name=holders[0].display_name), (part,),
            f"{identity} holds a paid {part} license in {extra + 1} tenants: {names}",
            {"identity": identity, "tenants": tenants, "sku_ids": {part: sku_id}},
            round(extra * price[0], 2) if price else None,
        )

    def message(self, f: Details, w: ValueFormatter) -> Message:
        tenants = f.details.get("tenants")
        names = tenant_names(tenants, "") if isinstance(tenants, list) else ""
        values = {**base_values(f, w), "identity": f.text("identity") or f.label(),
                  "tenants": names or w.word("unknown")}
        return self.message_key(), values

    def remediation(self, f: Details, v: Variant, w: ValueFormatter) -> Remediation:
        """The default keeps the license on the person's home account (the one whose UPN is the
        matched identity; else the first tenant's, by name) and removes it from every other account,
        each in its own tenant: leaving the groups that assign it there, else one assignLicense. One
        alternative per other account keeps the license there instead."""
        identity = f.text("identity") or f.label()
        sku = w.skus(f.skus)
        values = {"identity": identity, "sku": sku}
        steps = [TextRef("steps.transfer.fact", values), TextRef(f"steps.transfer.decide.{v.steps}", values),
                 *(TextRef(k, values) for k in TRANSFER_STEPS)]
        listed = f.details.get("tenants")
        accounts = [t for t in listed if isinstance(t, Mapping) and as_text(t.get("user_id"))] \
            if isinstance(listed, list) else []
        actions: list[Action] = []
        alternatives: list[Alternative] = []
        if f.skus and accounts:
            home = next((i for i, t in enumerate(accounts)
                         if (as_text(t.get("upn")) or "").lower() == identity.lower()), 0)
            actions = [a for i, t in enumerate(accounts) if i != home for a in self.removal(f, w, t)]
            alternatives = [
                Alternative(TextRef("alt.keep_in", {"sku": sku, "tenant": _tenant_name(t), "user": _account(t)}),
                            tuple(a for j, o in enumerate(accounts) if j != i for a in self.removal(f, w, o)))
                for i, t in enumerate(accounts) if i != home]
        return Remediation(TextRef("summary.cross_tenant", values), steps, "role.transfer",
                    [TextRef("next.transfer_cost"), TextRef("next.rerun")],
                    [*LINKS_TRANSFER, "unassign_licenses", "graph:user_assign"], actions, alternatives)

    @staticmethod
    def removal(f: Details, w: ValueFormatter, account: Mapping[str, Any]) -> list[Action]:
        """The calls that take the finding's products from one account, in that account's tenant:
        leave each group that assigns them there (a group's license cannot be removed from one
        user), else remove the direct copy."""
        uid = as_text(account.get("user_id")) or ""
        names = list(as_strs(account.get("assigned_by_group")))
        ids = list(as_strs(account.get("assigned_by_group_ids")))
        parts = list(f.skus)
        own = Details({"type": "user", "id": uid, "upn": as_text(account.get("upn")) or uid}, parts, {
            "sku_ids": f.details.get("sku_ids"),
            "assigned_by_group": {p: names for p in parts},
            "assigned_by_group_ids": {p: ids for p in parts} if ids else {},
        })
        tenant_id = as_text(account.get("id"))
        values = {"sku": w.products(parts), "user": _account(account), "tenant": _tenant_name(account)}
        if names:
            out = group_removals(own, w, parts)
            out = [replace(a, description=TextRef("graph.cross_leave", {**values, **a.description.values,
                                                                     "user": _account(account)})) for a in out]
        else:
            out = [assign_license(own, [], parts, TextRef("graph.cross_remove_in", values))]
        return [replace(a, tenant=tenant_id) for a in out]


def _tenant_name(account: Mapping[str, Any]) -> str:
    return as_text(account.get("name")) or as_text(account.get("id")) or "?"


def _account(account: Mapping[str, Any]) -> str:
    return as_text(account.get("upn")) or as_text(account.get("user_id")) or "?"


class SeatsRebalanceAcrossTenants(MergeRule):
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

    texts = (
        Text("rule.seats-rebalance-across-tenants.title", "Unused licenses in one tenant, too few in another"),
        Text("rule.seats-rebalance-across-tenants.describe", "One tenant pays for unused licenses of a product "
             "that another tenant is short of. Licenses cannot be moved between tenants, so the fix is to remove "
             "licenses in one and buy them in the other."),
        Text("rule.seats-rebalance-across-tenants.message", "{sku}: unused licenses in {surplus}; too few in "
             "{shortage}."),
        Text("summary.rebalance", "Licenses cannot be moved between tenants: remove the unused {sku} licenses in "
             "{surplus} and buy the missing ones in {shortage}."),
    )

    graph_calls = False

    id = "seats-rebalance-across-tenants"
    default_severity = Severity.MEDIUM
    fires_when = "a product has unused seats in one tenant while another is short of it"
    details_doc = (
        '`surplus`: [{"tenant" (name),"tenant_id","enabled","consumed","unused","min"}] (`unused` = spare seats above '
        '`min`), `shortage`: [{"tenant","tenant_id","enabled","consumed","short","count_violations","min"}], '
        "`movable` (seats to remove on one side and buy on the other)"
    )
    example_finding = ({"type": "sku", "id": E5, "sku": "SPE_E5"}, ["SPE_E5"],
                       {"surplus": [{"tenant": "Contoso", "unused": 12}],
                        "shortage": [{"tenant": "Fabrikam", "short": 4}]})
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
            surplus: list[dict[str, Any]] = []
            shortage: list[dict[str, Any]] = []
            for i, s in rows:
                short = max(0, minimum + s.count_violations - s.unused)
                t = ctx.tenants[i]
                base: dict[str, Any] = {"tenant": t.name or t.id, "tenant_id": t.id, "enabled": s.enabled,
                                        "consumed": s.consumed, "min": minimum or None}
                if short:
                    shortage.append({**base, "short": short, "count_violations": s.count_violations})
                elif s.unused - minimum > 0:
                    surplus.append({**base, "unused": s.unused - minimum})
            if not surplus or not shortage:
                continue
            spare = sum(r["unused"] for r in surplus)
            short = sum(r["short"] for r in shortage)
            movable = min(spare, short)
            price = ctx.lookup(ctx.prices, sid, part)
            where_unused = ", ".join(f"{r['tenant']} ({r['unused']})" for r in surplus)
            where_short = ", ".join(f"{r['tenant']} ({r['short']})" for r in shortage)
            message = (f"{part}: unused seats in {where_unused} while short in {where_short}; licenses cannot be "
                       f"moved between tenants, so remove {movable} where unused and buy {movable} where short")
            yield self.make(
                ctx, Subject(SubjectType.SKU, rows[0][1].sku_id, sku=part), (part,), message,
                {"surplus": surplus, "shortage": shortage, "movable": movable},
                round(movable * price[0], 2) if price else None,
            )

    def message(self, f: Details, w: ValueFormatter) -> Message:
        unknown = w.word("unknown")
        values = {**base_values(f, w), "sku": w.product(f.subject_sku),
                  "surplus": tenant_names(f.details.get("surplus"), "unused") or unknown,
                  "shortage": tenant_names(f.details.get("shortage"), "short") or unknown}
        return self.message_key(), values

    def remediation(self, f: Details, v: Variant, w: ValueFormatter) -> Remediation:
        unknown = w.word("unknown")
        values = {"sku": w.product(f.subject_sku),
                  "surplus": tenant_names(f.details.get("surplus"), "unused") or unknown,
                  "shortage": tenant_names(f.details.get("shortage"), "short") or unknown}
        steps = [TextRef("steps.transfer.fact", values), *(TextRef(k, values) for k in TRANSFER_STEPS)]
        return Remediation(TextRef("summary.rebalance", values), steps, "role.transfer",
                    [TextRef("next.transfer_cost"), TextRef("next.rerun")], [*LINKS_TRANSFER, "move_users"])


MERGE_RULES: tuple[MergeRule, ...] = (CrossTenantDuplicate(), SeatsRebalanceAcrossTenants())

CROSS_TENANT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "How `license-auditor merge` matches people across tenants (one policy in the set may say).",
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "The tenant group's name in the merged report."},
        "tenants": {"type": "array", "items": _TENANT_ID, "uniqueItems": True,
                    "description": "Tenant ids the merge expects; a missing report makes the merge incomplete."},
        **{k: v for rule in MERGE_RULES for k, v in rule.fragment.items()},
    },
}
