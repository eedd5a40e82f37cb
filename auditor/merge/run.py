"""Read the tenant folders and evaluate the cross-tenant rules: folders -> MergeResult."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from auditor.common.errors import PolicyError, PolicyIssue, UsageError
from auditor.data.model import Cloud, Finding

from ..cross_tenant.identity import IdentityMap, PaidProducts
from ..cross_tenant.inputs import IdentityIndex, TenantFacts, tenant_facts, tenant_folders
from ..cross_tenant.rules import MERGE_RULES, CrossTenantDuplicateDetails, MergeContext
from ..policy.objects import CrossTenant, Policy, PolicySet, Waiver
from ..rules.waivers.waiver_expired import waiver_covers, waiver_json


@dataclass(frozen=True)
class MergeResult:
    id: str  # the group's id: a hash of its tenant ids
    name: str
    cloud: Cloud
    as_of: datetime
    policies: tuple[str, ...]
    tenants: tuple[TenantFacts, ...]  # sorted by name, then id
    findings: tuple[Finding, ...]  # the cross-tenant findings, waivers applied
    gaps: tuple[dict[str, str], ...]  # merge-level gaps (expected tenants without a report)
    not_evaluated: tuple[dict[str, str], ...]  # merge rules left partial by a tenant's missing data
    warnings: tuple[str, ...]
    currency: str | None
    identities: int  # distinct identities holding paid licenses (for the log line)


def cross_tenant_policy(policies: PolicySet) -> Policy | None:
    """The one policy with a `cross_tenant:` section; two are an error."""
    holders = [p for p in policies.policies if p.cross_tenant is not None]
    if len(holders) > 1:
        raise PolicyError(
            [
                PolicyIssue(
                    p.file,
                    0,
                    0,
                    f"cross_tenant is also defined in {holders[0].file}; define it in one policy of the set",
                )
                for p in holders[1:]
            ]
        )
    return holders[0] if holders else None


def _catalog_tables(policies: PolicySet) -> tuple[dict[str, tuple[float, str]], dict[str, int]]:
    prices: dict[str, tuple[float, str]] = {}
    minimums: dict[str, int] = {}
    for p in policies.policies:
        for e in p.catalog or ():
            ref = e.sku.lower()
            if e.price and not e.free:
                prices.setdefault(ref, (e.price.monthly, e.price.currency))
            if e.spare_seats and e.spare_seats.min is not None:
                minimums.setdefault(ref, e.spare_seats.min)
    return prices, minimums


def read_tenants(dirs: Sequence[str | Path], policies: PolicySet) -> tuple[list[TenantFacts], IdentityIndex]:
    """Read every tenant folder (one snapshot in memory at a time) into facts and one identity index."""
    policy = cross_tenant_policy(policies)
    index = IdentityIndex(IdentityMap(policy.cross_tenant if policy else None))
    paid = PaidProducts(policies)
    tenants: list[TenantFacts] = []
    seen: dict[str, Path] = {}
    for folder in tenant_folders(dirs):
        facts = tenant_facts(folder, len(tenants), index, paid)
        key = facts.id.lower()
        if key in seen:
            raise UsageError(
                f"{folder}: tenant {facts.id} ({facts.name}) was already read from {seen[key]}; "
                "give each tenant's folder once"
            )
        seen[key] = folder
        tenants.append(facts)
    return tenants, index


def _covers(w: Waiver, f: Finding) -> bool:
    if waiver_covers(w, f):
        return True
    # a duplicate is also waivable by any of its accounts' UPNs or object ids
    if w.rule != f.rule or (w.sku and w.sku.lower() not in {s.lower() for s in f.skus}):
        return False
    # the duplicate's accounts, in the rule's record
    accounts = f.own.tenants if isinstance(f.own, CrossTenantDuplicateDetails) else []
    names = [name.lower() for a in accounts for name in (a.get("upn", ""), a.get("user_id", ""))]
    return any(fnmatch.fnmatchcase(n, w.subject.lower()) for n in names if n)


def evaluate_merge(
    tenants: Sequence[TenantFacts], index: IdentityIndex, policies: PolicySet, as_of: datetime
) -> MergeResult:
    """The cross-tenant findings over tenants already read. No I/O."""
    policy = cross_tenant_policy(policies)
    config = policy.cross_tenant if policy else None
    warnings = [w for t in tenants for w in t.warnings]
    if policy is None:
        warnings.append(
            "no policy has a cross_tenant section: accounts are matched by exact UPN and B2B home "
            "address only; add cross_tenant.domain_map when tenants use different domains"
        )
    label = f"{(policy or policies.policies[0]).name}/cross_tenant"
    prices, minimums = _catalog_tables(policies)
    ctx = MergeContext(
        tenants=tenants,
        index=index,
        policies=policies,
        policy_label=label,
        paid=PaidProducts(policies),
        prices=prices,
        minimums=minimums,
    )
    findings: list[Finding] = []
    not_evaluated: list[dict[str, str]] = []
    for rule in MERGE_RULES:
        skipped = {i for i, t in enumerate(tenants) if t.missing & rule.needs}
        for i in sorted(skipped, key=ctx.order):
            t = tenants[i]
            not_evaluated.append(
                {
                    "rule": rule.id,
                    "policy": label,
                    "reason": (
                        f"tenant {t.name or t.id} ({t.id}): {', '.join(sorted(t.missing & rule.needs))} not collected; "
                        "its accounts and seats are left out"
                    ),
                }
            )
        findings.extend(rule.evaluate(replace(ctx, skipped=frozenset(skipped))))

    waivers = [w for _, w in policies.waivers if w.rule in {r.id for r in MERGE_RULES} and w.expires >= as_of.date()]
    if waivers:
        findings = [
            replace(f, waived=True, waiver=waiver_json(w))
            if (w := next((w for w in waivers if _covers(w, f)), None))
            else f
            for f in findings
        ]

    gaps = _expected(config, tenants, warnings)
    clouds = sorted({t.cloud.value for t in tenants})
    if len(clouds) > 1:
        warnings.append(
            f"the tenants are in different clouds ({', '.join(clouds)}); licenses cannot move between "
            "them, and the merged report gives all its guidance for the worldwide cloud (each tenant's "
            "own report has its cloud's steps)"
        )
    money = currencies(prices, tenants)
    if len(money) > 1:
        warnings.append(
            f"the tenants' amounts are in different currencies ({', '.join(sorted(money))}): the merged "
            "report adds up no money across them; each tenant's own report has its amounts"
        )
    ordered = sorted(tenants, key=lambda t: (t.name.lower(), t.id))
    names = [t.name or t.id for t in ordered]
    ids = ",".join(sorted(t.id.lower() for t in tenants))
    return MergeResult(
        id="group-" + hashlib.sha256(ids.encode()).hexdigest()[:16],
        name=(
            config.name
            if config and config.name
            else " + ".join(names)
            if len(names) <= 3
            else f"{names[0]} and {len(names) - 1} more tenants"
        ),
        cloud=Cloud(clouds[0]) if len(clouds) == 1 else Cloud.WORLDWIDE,
        as_of=as_of,
        policies=policies.names,
        tenants=tuple(ordered),
        findings=tuple(findings),
        gaps=tuple(gaps),
        not_evaluated=tuple(not_evaluated),
        warnings=tuple(warnings),
        currency=_currency(prices, tenants),
        identities=len(index),
    )


def _expected(config: CrossTenant | None, tenants: Sequence[TenantFacts], warnings: list[str]) -> list[dict[str, str]]:
    if not config or not config.tenants:
        return []
    present = {t.id.lower() for t in tenants}
    for t in tenants:
        if t.id.lower() not in config.tenants:
            warnings.append(f"tenant {t.name or t.id} ({t.id}) is not listed in cross_tenant.tenants")
    return [
        {
            "part": "tenant",
            "request": f"merge: {tid}/report.json",
            "reason": f"no report for tenant {tid}, which cross_tenant.tenants expects; did its audit job fail?",
        }
        for tid in config.tenants
        if tid not in present
    ]


def currencies(prices: dict[str, tuple[float, str]], tenants: Sequence[TenantFacts]) -> set[str]:
    """Every currency the catalog's prices and the tenants' reports give amounts in."""
    found = {currency for _, currency in prices.values()}
    for t in tenants:
        summary = t.report.summary
        if summary.unused_monthly_cost is not None:
            found.add(summary.unused_monthly_cost.currency)
        found.update(r.currency for r in t.report.skus if r.currency is not None)
    return found


def _currency(prices: dict[str, tuple[float, str]], tenants: Sequence[TenantFacts]) -> str | None:
    """The one currency of every amount, else None: amounts in different currencies are never added
    up (the merged report then shows no totals; each tenant's own report has its amounts)."""
    found = currencies(prices, tenants)
    return found.pop() if len(found) == 1 else None


def merge(dirs: Sequence[str | Path], policies: PolicySet, as_of: datetime) -> MergeResult:
    tenants, index = read_tenants(dirs, policies)
    return evaluate_merge(tenants, index, policies, as_of)
