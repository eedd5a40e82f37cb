"""The guidance of the cross-tenant rules in auditor/cross_tenant/rules.py (`license-auditor merge`):
their texts, message, remediation and docs (auditor.wording finds each by its rule's id)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from ..data.enums import SubjectType
from ..data.finding_facts import Holding, Subject
from ..formats.report_model import finding_of
from ..guidance.cloud_variants import Variant
from ..guidance.details import Details, RuleDetails
from ..guidance.examples import E5, USER
from ..guidance.library import Message, RuleGuidance, ValueFormatter, base_values, group_removals
from ..guidance.remediation import Action, Alternative, Remediation, TextRef, assign_license
from ..guidance.texts.declare import Text
from . import rules

LINKS_TRANSFER = ["vlsc", "buy_licenses", "cancel_subscription", "mailbox_migration", "sharepoint_migration"]
TRANSFER_STEPS = ("steps.transfer.vlsc", "steps.transfer.cancel", "steps.transfer.remove", "steps.transfer.migrate")


def tenant_names(rows: Iterable[tuple[str, int | None]]) -> str:
    """ "Contoso (12), Fabrikam": each tenant's name, with its count when it has one."""
    return ", ".join(f"{name} ({count})" if count is not None else name for name, count in rows)


def seat_names(seats: list[rules.TenantSeats] | None, count_key: Literal["unused", "short"]) -> str:
    """The tenants of a seats finding's surplus or shortage, each with its count."""
    return tenant_names((s.get("tenant") or "?", s.get(count_key)) for s in seats or ())


class CrossTenantDuplicate(RuleGuidance[rules.CrossTenantDuplicateDetails]):
    id = rules.CrossTenantDuplicate.id
    texts = (
        Text("rule.cross-tenant-duplicate.title", "Licensed in several tenants"),
        Text(
            "rule.cross-tenant-duplicate.describe",
            "The same person holds the same product in more than one of "
            "the organization's tenants, and each tenant pays for it.",
        ),
        Text("rule.cross-tenant-duplicate.message", "{identity} holds {sku} in several tenants: {tenants}."),
        Text(
            "summary.cross_tenant",
            "Licenses cannot be moved between tenants: decide where {identity} keeps "
            "{sku} and remove it in the other tenants.",
        ),
        Text(
            "steps.transfer.fact",
            "Licenses cannot be transferred from one tenant to another; each tenant needs its own.",
        ),
        Text(
            "steps.transfer.decide.worldwide",
            "Decide in which tenant {identity} keeps {sku}, and remove the "
            "license from the account in the other tenants (Users > Active users > the user > Licenses and apps).",
        ),
        Text(
            "steps.transfer.decide.legacy",
            "Decide in which tenant {identity} keeps {sku}, and remove the "
            "license from the account in the other tenants (Users > Active users > the user > Product licenses > "
            "Edit).",
        ),
        Text(
            "role.transfer",
            "Billing Administrator or Global Administrator in each tenant to buy or remove "
            "licenses; Global, License or User Administrator to remove a license from a user; Exchange "
            "Administrator and SharePoint Administrator for the data migration",
        ),
        Text(
            "next.transfer_cost",
            "Afterwards, check the license counts in every tenant involved so that none "
            "pays for licenses it does not use.",
        ),
        Text("graph.cross_remove_in", "In the tenant {tenant}: removes {sku} from {user}."),
        Text(
            "graph.cross_leave",
            "In the tenant {tenant}: removes {user} from the group {group}, which assigns {sku} there.",
        ),
        Text("alt.keep_in", "Keep {sku} in {tenant} ({user}) instead, and remove it from the other tenants."),
    )
    example_finding = (
        USER,
        ["SPE_E5"],
        {
            "identity": "ann@contoso.example",
            "sku_ids": {"SPE_E5": E5},
            "tenants": [
                {
                    "id": "t1",
                    "name": "Contoso",
                    "upn": "ann@contoso.example",
                    "user_id": "u-1",
                    "assigned_by_group": [],
                },
                {
                    "id": "t2",
                    "name": "Fabrikam",
                    "upn": "ann@fabrikam.example",
                    "user_id": "u-2",
                    "assigned_by_group": ["Sales"],
                    "assigned_by_group_ids": ["g-9"],
                },
            ],
        },
    )

    def message(self, f: RuleDetails[rules.CrossTenantDuplicateDetails], w: ValueFormatter) -> Message:
        names = tenant_names((_tenant_name(t), None) for t in f.own.tenants)
        values = {
            **base_values(f, w),
            "identity": f.own.identity or f.label(),
            "tenants": names or w.word("unknown"),
        }
        return self.message_key(), values

    def remediation(
        self, f: RuleDetails[rules.CrossTenantDuplicateDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        """The default keeps the license on the person's home account (the one whose UPN is the
        matched identity; else the first tenant's, by name) and removes it from every other account,
        each in its own tenant: leaving the groups that assign it there, else one assignLicense. One
        alternative per other account keeps the license there instead."""
        identity = f.own.identity or f.label()
        sku = w.skus(f.skus)
        values = {"identity": identity, "sku": sku}
        steps = [
            TextRef("steps.transfer.fact", values),
            TextRef(f"steps.transfer.decide.{v.steps}", values),
            *(TextRef(k, values) for k in TRANSFER_STEPS),
        ]
        accounts = [t for t in f.own.tenants if t.get("user_id")]
        actions: list[Action] = []
        alternatives: list[Alternative] = []
        if f.skus and accounts:
            home = next((i for i, t in enumerate(accounts) if (t.get("upn") or "").lower() == identity.lower()), 0)
            actions = [a for i, t in enumerate(accounts) if i != home for a in self.removal(f, w, t)]
            alternatives = [
                Alternative(
                    TextRef("alt.keep_in", {"sku": sku, "tenant": _tenant_name(t), "user": _account(t)}),
                    tuple(a for j, o in enumerate(accounts) if j != i for a in self.removal(f, w, o)),
                )
                for i, t in enumerate(accounts)
                if i != home
            ]
        return Remediation(
            TextRef("summary.cross_tenant", values),
            steps,
            "role.transfer",
            [TextRef("next.transfer_cost"), TextRef("next.rerun")],
            [*LINKS_TRANSFER, "unassign_licenses", "graph:user_assign"],
            actions,
            alternatives,
        )

    @staticmethod
    def removal(
        f: RuleDetails[rules.CrossTenantDuplicateDetails], w: ValueFormatter, account: rules.TenantAccount
    ) -> list[Action]:
        """The calls that take the finding's products from one account, in that account's tenant:
        leave each group that assigns them there (a group's license cannot be removed from one
        user), else remove the direct copy."""
        uid = account.get("user_id") or ""
        names = list(account.get("assigned_by_group") or ())
        ids = list(account.get("assigned_by_group_ids") or ())
        parts = list(f.skus)
        holding = Holding(
            sku_ids=dict(f.own.sku_ids),
            assigned_by_group={p: names for p in parts},
            assigned_by_group_ids={p: ids for p in parts} if ids else {},
        )
        subject = Subject(type=SubjectType.USER, id=uid, upn=account.get("upn") or uid)
        own = Details(finding_of(subject, parts, holding.to_json()))
        tenant_id = account.get("id") or None
        values = {"sku": w.products(parts), "user": _account(account), "tenant": _tenant_name(account)}
        if names:
            out = group_removals(own, w, parts)
            out = [
                replace(
                    a,
                    description=TextRef(
                        "graph.cross_leave", {**values, **a.description.values, "user": _account(account)}
                    ),
                )
                for a in out
            ]
        else:
            out = [assign_license(own, [], parts, TextRef("graph.cross_remove_in", values))]
        return [replace(a, tenant=tenant_id) for a in out]


def _tenant_name(account: rules.TenantAccount) -> str:
    return account.get("name") or account.get("id") or "?"


def _account(account: rules.TenantAccount) -> str:
    return account.get("upn") or account.get("user_id") or "?"


class SeatsRebalanceAcrossTenants(RuleGuidance[rules.SeatsRebalanceAcrossTenantsDetails]):
    id = rules.SeatsRebalanceAcrossTenants.id
    texts = (
        Text("rule.seats-rebalance-across-tenants.title", "Unused licenses in one tenant, too few in another"),
        Text(
            "rule.seats-rebalance-across-tenants.describe",
            "One tenant pays for unused licenses of a product "
            "that another tenant is short of. Licenses cannot be moved between tenants, so the fix is to remove "
            "licenses in one and buy them in the other.",
        ),
        Text(
            "rule.seats-rebalance-across-tenants.message", "{sku}: unused licenses in {surplus}; too few in {shortage}."
        ),
        Text(
            "summary.rebalance",
            "Licenses cannot be moved between tenants: remove the unused {sku} licenses in "
            "{surplus} and buy the missing ones in {shortage}.",
        ),
    )
    graph_calls = False
    example_finding = (
        {"type": "sku", "id": E5, "sku": "SPE_E5"},
        ["SPE_E5"],
        {"surplus": [{"tenant": "Contoso", "unused": 12}], "shortage": [{"tenant": "Fabrikam", "short": 4}]},
    )

    def message(self, f: RuleDetails[rules.SeatsRebalanceAcrossTenantsDetails], w: ValueFormatter) -> Message:
        unknown = w.word("unknown")
        values = {
            **base_values(f, w),
            "sku": w.product(f.subject_sku),
            "surplus": seat_names(f.own.surplus, "unused") or unknown,
            "shortage": seat_names(f.own.shortage, "short") or unknown,
        }
        return self.message_key(), values

    def remediation(
        self, f: RuleDetails[rules.SeatsRebalanceAcrossTenantsDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        unknown = w.word("unknown")
        values = {
            "sku": w.product(f.subject_sku),
            "surplus": seat_names(f.own.surplus, "unused") or unknown,
            "shortage": seat_names(f.own.shortage, "short") or unknown,
        }
        steps = [TextRef("steps.transfer.fact", values), *(TextRef(k, values) for k in TRANSFER_STEPS)]
        return Remediation(
            TextRef("summary.rebalance", values),
            steps,
            "role.transfer",
            [TextRef("next.transfer_cost"), TextRef("next.rerun")],
            [*LINKS_TRANSFER, "move_users"],
        )
