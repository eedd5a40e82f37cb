"""Report documents with per-finding actions (docs/report-format.md, schema_version 5), built by hand.

`report(findings, skus)` gives a whole report.json document; `finding(...)` one finding; the action
builders give the calls docs/plan-and-apply.md describes, on the object ids used below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from auditor.formats.report_model import Amount, ReportDocument, ReportFinding, Summary, Users
from auditor.rules.assignments import SkuForbidden, SkuNotAllowed, SkuRequiredMissing
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.rules.hygiene.assignment_errors import LicenseAssignmentError
from auditor.rules.hygiene.upkeep import UsageLocationMissing
from auditor.rules.seats import SpareSeatsOverLimit

FORBIDDEN, NOT_ALLOWED, REQUIRED = SkuForbidden.id, SkuNotAllowed.id, SkuRequiredMissing.id
DISABLED, INACTIVE = DisabledUserLicensed.id, InactiveUserLicensed.id
ASSIGNMENT_ERROR, NO_USAGE_LOCATION = LicenseAssignmentError.id, UsageLocationMissing.id
SPARE_SEATS = SpareSeatsOverLimit.id

ROOT = "https://graph.microsoft.com/v1.0"

E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
VISIO = "c5928f49-12ba-48f7-ada3-0d743a3601d5"
SKU_IDS = {"SPE_E5": E5, "SPE_E3": E3, "VISIOCLIENT": VISIO}

G_E5 = "9a8b0000-0000-0000-0000-0000000000e5"
G_E3 = "9a8b0000-0000-0000-0000-0000000000e3"


def uid(n: int) -> str:
    return f"0f1e0000-0000-0000-0000-{n:012d}"


def seat(
    sku: str,
    enabled: int,
    consumed: int,
    *,
    price: float | None = None,
    warning: int = 0,
    free: bool = False,
    currency: str | None = "EUR",
    name: str | None = None,
) -> dict[str, Any]:
    usable = enabled + warning
    return {
        "sku": sku,
        "sku_id": SKU_IDS.get(sku, hashlib.sha256(sku.encode()).hexdigest()[:32]),
        "enabled": enabled,
        "suspended": 0,
        "warning": warning,
        "locked_out": 0,
        "consumed": consumed,
        "unused": usable - consumed,
        "capability_status": "Enabled",
        "free": free,
        "price_monthly": price,
        "currency": currency if price is not None else None,
        "unused_monthly_cost": None if price is None else round((usable - consumed) * price, 2),
        "trial": 0,
        "name": name or sku,
    }


def action(
    kind: str,
    method: str,
    path: str,
    body: Any,
    *,
    user: str | None,
    group: str | None = None,
    seats: Mapping[str, int] | None = None,
    precondition: Sequence[Mapping[str, Any]] = (),
    ready: bool = True,
    blocked: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "method": method,
        "path": path,
        "body": body,
        "description": description or f"{kind} {path}",
        "user": user,
        "group": group,
        "precondition": [dict(p) for p in precondition],
        "seats": dict(seats or {}),
        "ready": ready,
        "blocked": blocked,
    }


def assign(
    user: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    *,
    seats: Mapping[str, int] | None = None,
    disabled: Sequence[str] = (),
    **kw: Any,
) -> dict[str, Any]:
    body = {
        "addLicenses": [{"disabledPlans": list(disabled), "skuId": SKU_IDS[p]} for p in add],
        "removeLicenses": [SKU_IDS[p] for p in remove],
    }
    if seats is None:
        seats = {**{p: 1 for p in add}, **{p: -1 for p in remove}}
    pre = [*({"lacks": SKU_IDS[p]} for p in add), *({"holds": SKU_IDS[p], "how": "direct"} for p in remove)]
    kw.setdefault("precondition", pre)
    return action("assign_license", "POST", f"/users/{user}/assignLicense", body, user=user, seats=seats, **kw)


def join(user: str, group: str, seats: Mapping[str, int], **kw: Any) -> dict[str, Any]:
    kw.setdefault("precondition", [{"not_member_of": group}])
    return action(
        "add_member",
        "POST",
        f"/groups/{group}/members/$ref",
        {"@odata.id": f"{ROOT}/directoryObjects/{user}"},
        user=user,
        group=group,
        seats=seats,
        **kw,
    )


def leave(user: str, group: str, seats: Mapping[str, int], **kw: Any) -> dict[str, Any]:
    kw.setdefault("precondition", [{"member_of": group}])
    return action(
        "remove_member",
        "DELETE",
        f"/groups/{group}/members/{user}/$ref",
        None,
        user=user,
        group=group,
        seats=seats,
        **kw,
    )


def reprocess(user: str, **kw: Any) -> dict[str, Any]:
    kw.setdefault("precondition", [{"exists": True}])
    return action("reprocess", "POST", f"/users/{user}/reprocessLicenseAssignment", None, user=user, **kw)


def usage_location(user: str, country: str = "NL", **kw: Any) -> dict[str, Any]:
    return action("set_usage_location", "PATCH", f"/users/{user}", {"usageLocation": country}, user=user, **kw)


def lookup(**kw: Any) -> dict[str, Any]:
    return action(
        "lookup",
        "GET",
        f"/users?$filter=assignedLicenses/any(x:x/skuId eq {E5})",
        None,
        user=None,
        ready=False,
        blocked="lookup",
        **kw,
    )


def finding(
    fid: str,
    rule: str,
    user: str,
    actions: Sequence[Mapping[str, Any]] | None,
    *,
    severity: str = "high",
    waived: bool = False,
    name: str | None = None,
    skus: Sequence[str] = ("SPE_E5",),
    data_kinds: Mapping[str, Sequence[str]] | None = None,
    details: Mapping[str, Any] | None = None,
    monthly_cost: float | None = None,
) -> ReportFinding:
    """`data_kinds`: details.data_kinds (what each product the user holds keeps); by default none
    of them holds data. None in `details` only with `data_kinds={"absent": ()}`. `details`: more
    details (data_lost, data_kept, grace_days, disabled_at)."""
    remediation = (
        None
        if actions is None
        else {"summary": "", "steps": [], "actions": [dict(a) for a in actions], "alternatives": []}
    )
    return msgspec.convert(
        {
            "id": fid,
            "rule": rule,
            "severity": severity,
            "policy": "contoso/assignments/staff",
            "subject": {
                "type": "user",
                "id": user,
                "upn": f"{user[-4:]}@contoso.example",
                "display_name": name or f"User {user[-4:]}",
            },
            "skus": list(skus),
            "message": "",
            "details": (
                {}
                if data_kinds == {"absent": ()}
                else {"data_kinds": {k: list(v) for k, v in (data_kinds or {}).items()}}
            )
            | dict(details or {}),
            "monthly_cost": monthly_cost,
            "waived": waived,
            "waiver": None,
            "remediation": remediation,
        },
        ReportFinding,
    )


def report(
    findings: Sequence[ReportFinding | Mapping[str, Any]],
    skus: Sequence[Mapping[str, Any]],
    *,
    currency: str | None = "EUR",
    locale: str = "en",
    version: int = 5,
    tenant_name: str = "Contoso",
    cloud: str = "worldwide",
) -> ReportDocument:
    typed = [msgspec.convert(msgspec.to_builtins(f), ReportFinding) for f in findings]  # copies
    unwaived = [f for f in typed if not f.waived]
    values = {
        "schema_version": version,
        "tool": {"name": "license-auditor", "version": "0.1.0"},
        "tenant": {"id": "72f988bf-0000-0000-0000-000000000000", "name": tenant_name, "cloud": cloud},
        "generated_at": "2026-11-22T03:00:00Z",
        "as_of": "2026-11-22T03:00:00Z",
        "collected_at": "2026-11-22T02:58:00Z",
        "policies": ["contoso"],
        "locale": locale,
        "complete": True,
        "gaps": [],
        "not_evaluated": [],
        "warnings": [],
        "summary": Summary(
            total=len(findings),
            unwaived=len(unwaived),
            waived=len(findings) - len(unwaived),
            by_severity={},
            by_rule={},
            unused_monthly_cost=None if currency is None else Amount(amount=0.0, currency=currency),
            reclaimable_monthly_cost=None if currency is None else Amount(amount=0.0, currency=currency),
            users=Users(total=10, licensed=10),
        ),
        "skus": [dict(s) for s in skus],
        "findings": typed,
    }
    return msgspec.convert(values, ReportDocument, from_attributes=True)
