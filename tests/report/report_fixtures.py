"""Report documents built by hand per docs/report-format.md, and a small remediation catalog.

The catalog stands in for auditor.guidance through the renderers' `guidance` parameter; it puts
the subject's name into messages the way a real catalog does, so escaping is exercised on
catalog output as well as on document fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import msgspec

from auditor.cross_tenant.rules import CrossTenantDuplicate, SeatsRebalanceAcrossTenants
from auditor.data.finding_facts import Subject
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import (
    Amount,
    BillMoney,
    Money,
    PlanMoney,
    ReportDocument,
    ReportFinding,
    Summary,
    Users,
)
from auditor.rules.assignments import (
    AssignmentNotGroupBased,
    SkuCombinationForbidden,
    SkuForbidden,
    SkuNotAllowed,
    SkuRequiredMissing,
)
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed, InactiveUserLicensed
from auditor.rules.hygiene.assignment_errors import LicenseAssignmentError
from auditor.rules.hygiene.upkeep import SubscriptionExpiring, UsageLocationMissing
from auditor.rules.seats import SkuNotApproved, SpareSeatsOverLimit, SpareSeatsUnderMinimum
from auditor.rules.waivers.waiver_expired import WaiverExpired
from tests.documents import report_document

XSS_NAME = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
MD_NAME = "**bold** | [click](https://evil.example/x) ![img](https://evil.example/i.png) `code` # head"
FORMULA_NAME = '=HYPERLINK("https://evil.example","click")'

RULES = (
    SkuNotAllowed.id,
    SkuForbidden.id,
    SkuRequiredMissing.id,
    SkuCombinationForbidden.id,
    AssignmentNotGroupBased.id,
    SpareSeatsOverLimit.id,
    SpareSeatsUnderMinimum.id,
    SkuNotApproved.id,
    DisabledUserLicensed.id,
    InactiveUserLicensed.id,
    GuestLicensed.id,
    LicenseAssignmentError.id,
    UsageLocationMissing.id,
    SubscriptionExpiring.id,
    WaiverExpired.id,
    CrossTenantDuplicate.id,
    SeatsRebalanceAcrossTenants.id,
)

# Rules the stand-in catalog does not know: the renderers fall back to the document's text.
UNKNOWN_TO_CATALOG = (SeatsRebalanceAcrossTenants.id,)

TITLES = {
    Locale.EN: "Rule",
    Locale.NL: "Regel",
    Locale.DA: "Regel",
    Locale.SV: "Regel",
    Locale.TR: "Kural",
}


class FakeGuidance:
    """Deterministic catalog with the auditor.guidance API; text marks rule, locale and cloud."""

    ALL_RULE_IDS: tuple[str, ...] = tuple(r for r in RULES if r not in UNKNOWN_TO_CATALOG)

    def title(self, rule: str, locale: Locale) -> str:
        return f"{TITLES[locale]} {rule}"

    def describe(self, rule: str, locale: Locale) -> str:
        return f"{TITLES[locale]} {rule} ({locale.value}) description."

    def message(
        self, rule: str, finding: ReportFinding, *, locale: Locale, names: Mapping[str, str] | None = None
    ) -> str:
        subject, skus = _subject_map(finding.subject), finding.skus
        who = subject.get("display_name") or subject.get("sku") or subject.get("id")
        return f"[{locale.value}] {who} breaks {rule} with {', '.join(skus)}"

    def row_note(
        self, rule: str, finding: ReportFinding, *, locale: Locale, names: Mapping[str, str] | None = None
    ) -> str:
        return ""

    def remediation(
        self, rule: str, finding: ReportFinding, *, cloud: Cloud, locale: Locale, names: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        actions: list[dict[str, Any]] = []
        alternatives: list[dict[str, Any]] = []
        subject, skus = _subject_map(finding.subject), finding.skus
        if subject.get("type") == "user":
            remove = {
                "kind": "assign_license",
                "method": "POST",
                "path": f"/users/{subject['id']}/assignLicense",
                "body": {"addLicenses": [], "removeLicenses": list(skus)},
                "description": "remove",
                "user": subject["id"],
                "group": None,
                "precondition": [],
                "seats": {s: -1 for s in skus},
                "ready": True,
                "blocked": None,
            }
            leave = {
                **remove,
                "kind": "remove_member",
                "method": "DELETE",
                "body": None,
                "path": f"/groups/{{group-id}}/members/{subject['id']}/$ref",
                "description": f"leave the group of {subject.get('display_name')}",
                "ready": False,
                "blocked": "placeholder",
            }
            actions = [remove]
            alternatives = [
                {"label": f"[{locale.value}] or keep it for {subject.get('display_name')}", "actions": [leave]}
            ]
        return {
            "summary": f"[{locale.value}/{cloud.value}] fix {rule} for {subject.get('upn') or subject.get('id')}",
            "steps": [f"[{locale.value}] step one for {rule}", f"[{locale.value}] step two"],
            "actions": actions,
            "alternatives": alternatives,
            "role": "License Administrator",
            "next_steps": [f"[{locale.value}] remove unused licenses"],
            "links": [
                {
                    "title": "Assign licenses",
                    "url": "https://learn.microsoft.com/microsoft-365/admin/manage/assign-licenses-to-users",
                },
                {"title": "bad link", "url": "javascript:alert(1)"},
            ],
        }


def _fid(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def user(uid: str, upn: str, name: str) -> dict[str, Any]:
    return {"type": "user", "id": uid, "upn": upn, "display_name": name}


def finding(
    rule: str,
    severity: str,
    subject: dict[str, Any],
    skus: list[str],
    details: dict[str, Any],
    *,
    policy: str = "contoso-baseline/assignments/staff",
    cost: float | None = None,
    waiver: dict[str, Any] | None = None,
) -> ReportFinding:
    who = subject.get("upn") or subject.get("sku") or subject["id"]
    return msgspec.convert(
        {
            "id": _fid(rule, policy, subject["type"], subject["id"], *skus),
            "rule": rule,
            "severity": severity,
            "policy": policy,
            "subject": subject,
            "skus": skus,
            "message": f"{who} breaks {rule}",
            "details": details,
            "monthly_cost": cost,
            "waived": waiver is not None,
            "waiver": waiver,
            "remediation": {
                "summary": f"Fix {rule} for {who}",
                "steps": [f"Open the admin center and fix {who}"],
                "actions": [],
                "alternatives": [],
                "role": "License Administrator",
                "next_steps": [],
                "links": [
                    {
                        "title": "Buy or remove licenses",
                        "url": "https://learn.microsoft.com/microsoft-365/commerce/licenses/buy-licenses",
                    }
                ],
            },
        },
        ReportFinding,
    )


def _common(assignment: str | None, by_group: dict[str, list[str]]) -> dict[str, Any]:
    return {"assignment": assignment, "assigned_by_group": by_group}


SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def money_of(**fields: Any) -> Money:
    """report.json's `money` in euros with `fields`, the rest unknown."""
    unknown = {"spend_monthly": None, "unused_monthly": None, "reclaimable_monthly": None}
    return Money(**{"currency": "EUR", **unknown, "plan": PlanMoney(), "bill": BillMoney(), **fields})


def summary_of(currency: str | None, **fields: Any) -> Summary:
    """report.json's `summary` of a tenant without findings, its amounts 0 in `currency`, with `fields`."""
    cost = Amount(amount=0.0, currency=currency) if currency else None
    empty: dict[str, Any] = {"total": 0, "unwaived": 0, "waived": 0, "by_severity": {}, "by_rule": {}}
    return Summary(
        **{
            **empty,
            "unused_monthly_cost": cost,
            "reclaimable_monthly_cost": cost,
            "users": Users(total=0, licensed=0),
            **fields,
        }
    )


def build_sample(*, complete: bool = False) -> ReportDocument:
    alice = user("11111111-0000-0000-0000-000000000001", "alice@contoso.example", "Alice Andersen")
    xss = user("11111111-0000-0000-0000-000000000002", "mallory@contoso.example", XSS_NAME)
    attr = user("11111111-0000-0000-0000-000000000003", "eve@contoso.example", XSS_ATTR)
    md = user("11111111-0000-0000-0000-000000000004", "md@contoso.example", MD_NAME)
    formula = user("11111111-0000-0000-0000-000000000005", "=cmd@contoso.example", FORMULA_NAME)
    guest = user("11111111-0000-0000-0000-000000000006", "ext_gmail.com#EXT#@contoso.onmicrosoft.com", "Gülşen Öztürk")
    bob = user("11111111-0000-0000-0000-000000000007", "bob@contoso.example", "Bob Ångström")
    findings = [
        finding(
            SkuForbidden.id,
            "critical",
            xss,
            ["SPE_E5"],
            {**_common("contractors", {"SPE_E5": []}), "forbidden": ["SPE_E5"]},
            policy="contoso-baseline/assignments/contractors",
            cost=57.0,
        ),
        finding(
            SkuNotAllowed.id,
            "high",
            attr,
            ["VISIOCLIENT"],
            {**_common("staff", {"VISIOCLIENT": ["Visio <Users>"]}), "allowed": ["SPE_E3"]},
            cost=13.1,
        ),
        finding(SkuRequiredMissing.id, "high", md, [], {**_common("staff", {}), "required_any": ["SPE_E3", "SPE_E5"]}),
        finding(
            SkuCombinationForbidden.id,
            "high",
            alice,
            ["SPE_E3", "SPE_E5"],
            {**_common("staff", {"SPE_E3": [], "SPE_E5": []}), "combination": ["SPE_E3", "SPE_E5"]},
            cost=33.75,
        ),
        finding(AssignmentNotGroupBased.id, "low", formula, ["SPE_E3"], _common("staff", {"SPE_E3": []})),
        finding(
            SpareSeatsOverLimit.id,
            "medium",
            {"type": "sku", "id": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "sku": "SPE_E5"},
            ["SPE_E5"],
            {"enabled": 120, "consumed": 80, "unused": 40, "limit": 10, "max": 10, "max_percent": 10},
            policy="contoso-baseline/seats",
            cost=2280.0,
        ),
        finding(
            SpareSeatsUnderMinimum.id,
            "medium",
            {"type": "sku", "id": "05e9a617-0261-4cee-bb44-138d3ef5d965", "sku": "SPE_E3"},
            ["SPE_E3"],
            {"enabled": 100, "consumed": 101, "unused": -1, "min": None},
            policy="contoso-baseline/seats",
        ),
        finding(
            SkuNotApproved.id,
            "medium",
            {"type": "sku", "id": "c5928f49-12ba-48f7-ada3-0d743a3601d5", "sku": "VISIOCLIENT"},
            ["VISIOCLIENT"],
            {"enabled": 5, "consumed": 1},
            policy="contoso-baseline/catalog",
        ),
        finding(
            DisabledUserLicensed.id,
            "high",
            bob,
            ["SPE_E3"],
            _common(None, {"SPE_E3": ["All Staff"]}),
            policy="contoso-baseline/hygiene",
            cost=33.75,
        ),
        finding(
            InactiveUserLicensed.id,
            "medium",
            alice,
            ["SPE_E3"],
            {**_common(None, {"SPE_E3": []}), "days": 120, "last_sign_in": "2026-07-25T08:00:00Z"},
            policy="contoso-baseline/hygiene",
            cost=33.75,
        ),
        finding(
            InactiveUserLicensed.id,
            "medium",
            bob,
            ["SPE_E5"],
            {**_common(None, {"SPE_E5": []}), "days": 90, "last_sign_in": None},
            policy="contoso-baseline/hygiene",
            cost=57.0,
            waiver={
                "reason": "Parental leave until March",
                "owner": "hr-lead@contoso.example",
                "expires": "2027-03-01",
                "subject": "bob@contoso.example",
                "rule": InactiveUserLicensed.id,
            },
        ),
        finding(
            GuestLicensed.id,
            "high",
            guest,
            ["SPE_E3"],
            _common(None, {"SPE_E3": []}),
            policy="contoso-baseline/hygiene",
            cost=33.75,
        ),
        finding(
            LicenseAssignmentError.id,
            "high",
            alice,
            ["SPE_E5"],
            {**_common(None, {"SPE_E5": ["E5 Pilot"]}), "error": "CountViolation", "state": "Error"},
            policy="contoso-baseline/hygiene",
        ),
        finding(
            UsageLocationMissing.id,
            "low",
            md,
            ["SPE_E3"],
            _common(None, {"SPE_E3": []}),
            policy="contoso-baseline/hygiene",
        ),
        finding(
            SubscriptionExpiring.id,
            "high",
            {"type": "subscription", "id": "sub-0001", "sku": "SPE_E5"},
            ["SPE_E5"],
            {
                "status": "Warning",
                "is_trial": False,
                "next_lifecycle": "2026-12-01T00:00:00Z",
                "days_left": 9,
                "total_licenses": 120,
            },
            policy="contoso-baseline/subscriptions",
        ),
        finding(
            WaiverExpired.id,
            "medium",
            {"type": "waiver", "id": "sku-forbidden:carol@contoso.example"},
            [],
            {
                "waiver_rule": SkuForbidden.id,
                "waiver_subject": "carol@contoso.example",
                "expires": "2026-10-01",
                "owner": "it-lead@contoso.example",
                "reason": "Migration <project>",
            },
            policy="contoso-baseline/waivers",
        ),
        finding(
            CrossTenantDuplicate.id,
            "medium",
            alice,
            ["SPE_E3"],
            {
                **_common(None, {"SPE_E3": []}),
                "identity": "alice@contoso.example",
                "tenants": [
                    {"id": "t1", "name": "Contoso", "upn": "alice@contoso.example"},
                    {"id": "t2", "name": "Fabrikam", "upn": "alice@fabrikam.example"},
                ],
            },
            policy="merge",
            cost=33.75,
        ),
        finding(
            SeatsRebalanceAcrossTenants.id,
            "low",
            {"type": "sku", "id": "05e9a617-0261-4cee-bb44-138d3ef5d965", "sku": "SPE_E3"},
            ["SPE_E3"],
            {"surplus": [{"tenant": "Contoso", "unused": 12}], "shortage": [{"tenant": "Fabrikam", "short": 3}]},
            policy="merge",
        ),
        finding(
            SkuForbidden.id,
            "critical",
            alice,
            ["SPE_E5"],
            {**_common("contractors", {"SPE_E5": []}), "forbidden": ["SPE_E5"]},
            policy="contoso-baseline/assignments/contractors",
            cost=57.0,
            waiver={
                "reason": "Approved by CISO",
                "owner": "ciso@contoso.example",
                "expires": "2027-01-31",
                "subject": "alice@contoso.example",
                "rule": SkuForbidden.id,
            },
        ),
    ]
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.subject.id, f.skus, f.policy or ""))
    open_findings = [f for f in findings if not f.waived]
    by_severity = {s: sum(1 for f in open_findings if f.severity == s) for s in SEVERITY_ORDER}
    by_rule: dict[str, int] = {}
    for f in open_findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    gaps = (
        []
        if complete
        else [
            {
                "part": "signInActivity",
                "request": "GET /users?$select=id,signInActivity",
                "reason": "403 Authorization_RequestDenied: AuditLog.Read.All missing",
            }
        ]
    )
    not_evaluated = (
        []
        if complete
        else [
            {
                "rule": InactiveUserLicensed.id,
                "policy": "contoso-baseline/hygiene",
                "reason": "signInActivity could not be read",
            }
        ]
    )
    return report_document(
        **{
            "schema_version": 5,
            "tool": {"name": "license-auditor", "version": "0.1.0"},
            "tenant": {
                "id": "8a7b6c5d-0000-4000-8000-000000000001",
                "name": "Contoso <Ltd> & Co",
                "cloud": "worldwide",
            },
            "generated_at": "2026-11-22T03:00:00Z",
            "as_of": "2026-11-22T03:00:00Z",
            "collected_at": "2026-11-22T02:58:41Z",
            "policies": ["contoso-baseline"],
            "locale": "en",
            "complete": complete,
            "gaps": gaps,
            "not_evaluated": not_evaluated,
            "warnings": ["policy contoso-baseline names group 'Frontline <Workers>' which the tenant does not have"],
            "summary": Summary(
                total=len(findings),
                unwaived=len(open_findings),
                waived=len(findings) - len(open_findings),
                by_severity=by_severity,
                by_rule=by_rule,
                unused_monthly_cost=Amount(amount=2955.0, currency="EUR"),
                reclaimable_monthly_cost=Amount(amount=158.25, currency="EUR"),
                users=Users(total=1234, licensed=1190),
            ),
            "skus": [
                {
                    "sku": "SPE_E5",
                    "sku_id": "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
                    "enabled": 120,
                    "suspended": 0,
                    "warning": 0,
                    "locked_out": 0,
                    "consumed": 80,
                    "unused": 40,
                    "capability_status": "Enabled",
                    "free": False,
                    "price_monthly": 57.0,
                    "currency": "EUR",
                    "unused_monthly_cost": 2280.0,
                },
                {
                    "sku": "SPE_E3",
                    "sku_id": "05e9a617-0261-4cee-bb44-138d3ef5d965",
                    "enabled": 100,
                    "suspended": 0,
                    "warning": 0,
                    "locked_out": 0,
                    "consumed": 101,
                    "unused": -1,
                    "capability_status": "Enabled",
                    "free": False,
                    "price_monthly": 33.75,
                    "currency": "EUR",
                    "unused_monthly_cost": 0.0,
                },
                {
                    "sku": "VISIOCLIENT",
                    "sku_id": "c5928f49-12ba-48f7-ada3-0d743a3601d5",
                    "enabled": 5,
                    "suspended": 0,
                    "warning": 5,
                    "locked_out": 0,
                    "consumed": 1,
                    "unused": 4,
                    "capability_status": "Warning",
                    "free": False,
                    "price_monthly": None,
                    "currency": None,
                    "unused_monthly_cost": None,
                },
                {
                    "sku": "FLOW_FREE",
                    "sku_id": "f30db892-07e9-47e9-837c-80727f46fd3d",
                    "enabled": 10000,
                    "suspended": 0,
                    "warning": 0,
                    "locked_out": 0,
                    "consumed": 12,
                    "unused": 9988,
                    "capability_status": "Enabled",
                    "free": True,
                    "price_monthly": None,
                    "currency": None,
                    "unused_monthly_cost": None,
                },
            ],
            "findings": findings,
        }
    )


def build_big(users: int) -> ReportDocument:
    """A document for a tenant of `users` users: one inactive finding each, every 10th also guest."""
    doc = build_sample(complete=True)
    template_inactive = next(f for f in doc.findings if f.rule == InactiveUserLicensed.id and not f.waived)
    template_guest = next(f for f in doc.findings if f.rule == GuestLicensed.id)
    extra = []
    for i in range(users):
        subject = msgspec.convert(
            user(f"00000000-0000-0000-0000-{i:012d}", f"user{i:06d}@contoso.example", f"User {i:06d} {'W' * 40}"),
            Subject,
        )
        f = msgspec.structs.replace(template_inactive, subject=subject, id=_fid("inactive", str(i)))
        extra.append(f)
        if i % 10 == 0:
            g = msgspec.structs.replace(template_guest, subject=subject, id=_fid("guest", str(i)))
            extra.append(g)
    doc.findings = doc.findings + extra
    doc.summary = msgspec.structs.replace(doc.summary, total=len(doc.findings), unwaived=len(doc.findings) - 2)
    return doc


def _subject_map(subject: Any) -> Mapping[str, Any]:
    """A finding's subject as the fake reads it: a mapping as given, or a Subject's fields."""
    return subject if isinstance(subject, Mapping) else msgspec.to_builtins(subject)
