"""MergeResult -> the merged report document: report.json's shape plus `tenants` and, on every
finding, `tenant` (the tenant it was found in, or null for a cross-tenant finding).

The merged report speaks one language: every finding's `remediation` is computed here for the
merge's locale and cloud (`MergeResult.cloud`: the tenants' cloud, worldwide when they differ)
and with the merged seat table's product names — the same inputs the renderers use for
report.html/md/csv, so report.json and the rendered files agree. A finding carried from a
tenant's report is re-rendered when the wording knows its rule; a rule it does not know (a
newer or older tool wrote the tenant's report) keeps the remediation it carried. `message`
stays as carried: report.json's messages are English by contract, the renderers localise them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from auditor.data.model import Cloud, Locale, Severity

from .. import __version__
from ..cross_tenant.inputs import TenantFacts
from ..formats.report_json import named_products
from ..formats.report_model import (
    Gap,
    MergedTenant,
    NotEvaluated,
    ReportDocument,
    ReportFinding,
    SeatRow,
    Tenant,
    Tool,
)
from ..formats.report_parts import FindingTenant
from ..report.document import SCHEMA_VERSION, Remediate, finding_json, iso, summary_json
from ..report.wording_api import default_wording
from .run import MergeResult

_RANK = {s.label: int(s) for s in Severity}
Tagged = TypeVar("Tagged", Gap, NotEvaluated)


def tenant_finding_id(tenant_id: str, finding_id: str) -> str:
    """A carried finding's id: stable, and distinct from the same finding in another tenant."""
    return hashlib.sha256(f"{tenant_id.lower()}|{finding_id}".encode()).hexdigest()[:16]


def _carried(
    t: TenantFacts,
    remediate: Remediate | None,
    known: Collection[str],
    *,
    cloud: Cloud,
    locale: Locale,
    names: Mapping[str, str],
) -> list[ReportFinding]:
    out = []
    for f in t.report.findings:
        carried = msgspec.structs.replace(
            f,
            id=tenant_finding_id(t.id, f.id),
            tenant=FindingTenant(id=t.id, name=t.name, finding_id=f.id),
        )
        if remediate is not None and f.rule in known:
            carried.remediation = remediate(f.rule, carried, cloud=cloud, locale=locale, names=names)
        out.append(carried)
    return out


def _tagged(t: TenantFacts, items: list[Tagged]) -> list[Tagged]:
    """A tenant's gaps or not_evaluated entries, each with the tenant's id and name."""
    return [msgspec.structs.replace(item, tenant=t.id, tenant_name=t.name) for item in items]


def _sort_key(f: ReportFinding) -> tuple[Any, ...]:
    s = f.subject
    tenant = f.tenant or None
    return (
        -_RANK[f.severity],
        f.rule,
        (s.upn or s.sku or s.id).lower(),
        s.id,
        tenant.name.lower() if tenant is not None else "",
        tenant.id if tenant is not None else "",
        f.skus,
        f.policy,
        f.id,
    )


def _seat_rows(tenants: tuple[TenantFacts, ...]) -> list[SeatRow]:
    rows: dict[str, SeatRow] = {}
    mixed: set[str] = set()  # products priced in more than one currency: no money is added up for them
    for t in tenants:
        for r in t.report.skus:
            key = r.sku_id.lower()
            row = rows.get(key)
            if row is None:
                rows[key] = msgspec.structs.replace(r)  # a copy: the tenant's own row stays as it was
                continue
            row.enabled += r.enabled
            row.suspended += r.suspended
            row.warning += r.warning
            row.locked_out += r.locked_out
            row.consumed += r.consumed
            row.unused += r.unused
            if row.capability_status == "Enabled" and r.capability_status != "Enabled":
                row.capability_status = r.capability_status
            row.free = row.free or r.free
            if row.currency and r.currency and row.currency != r.currency:
                mixed.add(key)
            if key in mixed:  # euros and dollars are not added up: the row shows no money
                row.price_monthly = row.currency = row.unused_monthly_cost = None
                continue
            if row.price_monthly is None:
                row.price_monthly = r.price_monthly
            if row.currency is None:
                row.currency = r.currency
            if r.unused_monthly_cost is not None:
                row.unused_monthly_cost = round((row.unused_monthly_cost or 0.0) + r.unused_monthly_cost, 2)
    return sorted(rows.values(), key=lambda r: (r.sku, r.sku_id))


def build_merged_document(
    result: MergeResult,
    *,
    generated_at: datetime,
    locale: Locale = Locale.EN,
    remediate: Remediate | None = None,
    known_rules: Collection[str] | None = None,
) -> ReportDocument:
    """`remediate` (auditor.wording.remediation) gives every finding's remediation in `locale` and
    the merge's cloud; `known_rules` are the rules it has wording for (default: auditor.wording's):
    carried findings of other rules keep their own. Without `remediate`, carried findings keep
    theirs and cross-tenant findings have none."""
    findings: list[ReportFinding] = []
    seats = _seat_rows(result.tenants)
    names = named_products((r.sku, r.name) for r in seats)  # the renderers name products from this same table
    known: Collection[str] = ()
    if remediate is not None:
        known = frozenset(known_rules if known_rules is not None else default_wording().ALL_RULE_IDS)
    for f in result.findings:
        finding = finding_json(f, None)
        if remediate is not None:
            finding.remediation = remediate(f.rule, finding, cloud=result.cloud, locale=locale, names=names)
        finding.tenant = None
        findings.append(finding)
    for t in result.tenants:
        findings.extend(_carried(t, remediate, known, cloud=result.cloud, locale=locale, names=names))
    findings.sort(key=_sort_key)

    gaps = [g for t in result.tenants for g in _tagged(t, t.report.gaps)]
    gaps += [Gap(**g) for g in result.gaps]
    not_evaluated = [n for t in result.tenants for n in _tagged(t, t.report.not_evaluated)]
    not_evaluated += [
        NotEvaluated(rule=n["rule"], policy=n["policy"], reason=n["reason"]) for n in result.not_evaluated
    ]
    warnings = [f"{t.name or t.id}: {w}" for t in result.tenants for w in t.report.warnings]
    warnings += result.warnings
    complete = all(t.report.complete for t in result.tenants) and not result.gaps and not result.not_evaluated

    unused = 0.0
    users_total = users_licensed = 0
    for t in result.tenants:
        s = t.report.summary
        cost = s.unused_monthly_cost
        if cost is not None and cost.currency == result.currency:
            unused += cost.amount
        users_total += s.users.total
        users_licensed += s.users.licensed
    collected = sorted(str(t.report.collected_at or "") for t in result.tenants)
    return ReportDocument(
        schema_version=SCHEMA_VERSION,
        tool=Tool(name="license-auditor", version=__version__),
        tenant=Tenant(id=result.id, name=result.name, cloud=result.cloud.value),
        generated_at=iso(generated_at),
        as_of=iso(result.as_of),
        collected_at=collected[0] if collected else None,  # the oldest tenant data
        policies=list(result.policies),
        locale=locale.value,
        complete=complete,
        gaps=gaps,
        not_evaluated=not_evaluated,
        warnings=warnings,
        summary=summary_json(findings, result.currency, unused, users_total, users_licensed),
        tenants=[
            MergedTenant(
                id=t.id,
                name=t.name,
                cloud=t.cloud.value,
                complete=t.report.complete,
                collected_at=_value(t.report.collected_at),
                as_of=_value(t.report.as_of),
                policies=t.report.policies,
                summary=t.report.summary,
                skus=t.report.skus,
            )
            for t in result.tenants
        ],
        skus=seats,
        findings=findings,
    )


def _value(value: str | msgspec.UnsetType | None) -> str | None:
    """A time of a tenant's report; None where it has none."""
    return None if value is msgspec.UNSET else value
