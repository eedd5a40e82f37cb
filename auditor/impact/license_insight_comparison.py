"""Microsoft's own counts (auditor.data.license_insight_data) beside the auditor's: report.json's
`license_insight` (docs/report-format.md, docs/entitlements.md).

Each row compares one count:

- `premium_licenses`: Microsoft's entitledTotalLicenseCount (P1 + P2; the sum of the two when it is
  left out) against the enabled seats of the products carrying P1 or P2 (a product carrying P2
  counts as carrying P1: three carry P2 alone);
- `p2_licenses`: entitledP2LicenseCount against the enabled seats of the products carrying P2;
- `conditional_access_users` / `_guests`: Microsoft's users of Conditional Access against the enabled
  member accounts (guests) that an enabled or report-only policy reaches, risk-based ones included;
- `risk_based_users` / `_guests`: the same for risk-based Conditional Access.

They differ by design: Microsoft counts the users who *used* a feature, the auditor every user a
feature reaches, which is what Microsoft's licensing terms count. The auditor's user counts are
None when the Conditional Access policies were not read (its gap says why).

A row that differs says why (`why`, reason -> users or None), from what the snapshot holds:

- `usage` (every user row): Microsoft counts the users who used the feature in its period;
- `guests` (the guest rows): Microsoft bills guests by monthly active users, the auditor counts
  every guest a policy reaches;
- `disabled_members` (the member rows): disabled member accounts a policy reaches, which the
  auditor leaves out (they cannot sign in) and Microsoft's period may still hold;
- `pim_roles` (Conditional Access members): enabled members eligible for, or assigned for a time,
  a role a policy names, counted under PIM rather than here: a policy reaches them once the role is
  active, and Microsoft counts them when they used it so;
- `seats` (the license rows): Microsoft counts the licenses the tenant is entitled to, the auditor
  the enabled seats (with those in their grace period) of the products carrying the plan.
"""

from __future__ import annotations

from msgspec import UNSET

from auditor.data.access_records import AccessScope
from auditor.data.license_insight_data import InsightComparison, InsightCount, LicenseInsight
from auditor.policy.index import TenantIndex

from . import entitlement_scope as scope

SOURCE = "GET /beta/reports/azureADPremiumLicenseInsight"


def _role_holders(access: AccessScope) -> frozenset[str]:
    """Ids (lower case) of the users eligible for, or assigned for a time, a role that a counted
    policy names: PIM's, whom a policy reaches only while the role is active."""
    roles = {r.lower() for p in access.policies or () if p.counts for r in p.include_roles}
    if not roles:
        return frozenset()
    reader = scope.ScopeReader(access)
    grants = [*(access.eligible or ()), *(g for g in access.scheduled or () if g.time_bound)]
    return frozenset(u for g in grants if g.role_id.lower() in roles for u in reader.principal(g.principal_id))


def _reached(index: TenantIndex) -> dict[str, int] | None:
    """Enabled members and guests reached by Conditional Access (any counted policy) and by its
    risk-based policies, and the disabled members and PIM's role holders left out of them; None
    without the policies."""
    access = index.snapshot.access_scope
    if access is None or access.policies is None:
        return None
    reach = scope.reach(index, access, (scope.CONDITIONAL_ACCESS, scope.RISK_BASED_ACCESS))
    holders = _role_holders(access)
    keys = ("ca", "ca_guests", "risk", "risk_guests", "ca_disabled", "risk_disabled", "ca_roles")
    counts = dict.fromkeys(keys, 0)
    for user in index.users:
        features = reach.features(user)
        guest = user.user_type.lower() == "guest"
        if not features:
            member = user.account_enabled and not guest
            counts["ca_roles"] += 1 if member and holders and user.id.lower() in holders else 0
            continue
        if not guest and not user.account_enabled:
            counts["ca_disabled"] += 1  # a disabled member is in no count of Conditional Access
            counts["risk_disabled"] += 1 if scope.RISK_BASED_ACCESS in features else 0
            continue
        suffix = "_guests" if guest else ""
        counts["ca" + suffix] += 1  # a risk-based policy is a Conditional Access policy too
        if scope.RISK_BASED_ACCESS in features:
            counts["risk" + suffix] += 1
    return counts


def _why(row: str, reached: dict[str, int] | None) -> dict[str, int | None]:
    """Why the auditor's count of `row` differs from Microsoft's (module docstring)."""
    if row in ("premium_licenses", "p2_licenses"):
        return {"seats": None}
    if row.endswith("_guests"):
        return {"usage": None, "guests": None}
    out: dict[str, int | None] = {"usage": None}
    prefix = "ca" if row == "conditional_access_users" else "risk"
    if reached is not None and reached[f"{prefix}_disabled"]:
        out["disabled_members"] = reached[f"{prefix}_disabled"]
    if reached is not None and prefix == "ca" and reached["ca_roles"]:
        out["pim_roles"] = reached["ca_roles"]
    return out


def auditor_counts(index: TenantIndex, reached: dict[str, int] | None = None) -> dict[str, int | None]:
    """The auditor's side of every row (module docstring), by the row's name."""
    reached = reached if reached is not None else _reached(index)

    def ours(key: str) -> int | None:
        return reached[key] if reached is not None else None

    return {
        "premium_licenses": scope.owned_seats(index, scope.P1),
        "p2_licenses": scope.owned_seats(index, scope.P2),
        "conditional_access_users": ours("ca"),
        "conditional_access_guests": ours("ca_guests"),
        "risk_based_users": ours("risk"),
        "risk_based_guests": ours("risk_guests"),
    }


def compare(index: TenantIndex, insight: LicenseInsight) -> InsightComparison:
    """report.json's `license_insight`: Microsoft's counts as read, the rows side by side, and
    whether any row differs."""
    theirs = {
        "premium_licenses": insight.premium,
        "p2_licenses": insight.entitled_p2,
        "conditional_access_users": insight.conditional_access,
        "conditional_access_guests": insight.conditional_access_guests,
        "risk_based_users": insight.risk_based,
        "risk_based_guests": insight.risk_based_guests,
    }
    reached = _reached(index)
    rows: list[InsightCount] = []
    for name, mine in auditor_counts(index, reached).items():
        row = InsightCount(count=name, microsoft=theirs[name], auditor=mine)
        if theirs[name] is not None and mine is not None and theirs[name] != mine:
            row.why = _why(name, reached)
        rows.append(row)
    differs = any(r.why is not UNSET for r in rows)
    return InsightComparison(source=SOURCE, microsoft=insight.to_graph(), rows=rows, differs=differs)
