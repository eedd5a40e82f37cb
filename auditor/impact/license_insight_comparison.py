"""Microsoft's own counts (auditor.license_insight_data) beside the auditor's: report.json's
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
"""

from __future__ import annotations

from typing import Any

from ..index import TenantIndex
from ..license_insight_data import LicenseInsight
from . import entitlement_scope as scope

SOURCE = "GET /beta/reports/azureADPremiumLicenseInsight"


def _reached(index: TenantIndex) -> dict[str, int] | None:
    """Enabled members and guests reached by Conditional Access (any counted policy) and by its
    risk-based policies; None without the policies."""
    access = index.snapshot.access_scope
    if access is None or access.policies is None:
        return None
    reach = scope.reach(index, access, (scope.CONDITIONAL_ACCESS, scope.RISK_BASED_ACCESS))
    counts = dict.fromkeys(("ca", "ca_guests", "risk", "risk_guests"), 0)
    for user in index.users:
        features = reach.features(user)
        if not features:
            continue
        guest = user.user_type.lower() == "guest"
        if not guest and not user.account_enabled:
            continue  # a disabled member is in no count of the entitlement rules
        suffix = "_guests" if guest else ""
        counts["ca" + suffix] += 1  # a risk-based policy is a Conditional Access policy too
        if scope.RISK_BASED_ACCESS in features:
            counts["risk" + suffix] += 1
    return counts


def auditor_counts(index: TenantIndex) -> dict[str, int | None]:
    """The auditor's side of every row (module docstring), by the row's name."""
    reached = _reached(index)

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


def compare(index: TenantIndex, insight: LicenseInsight) -> dict[str, Any]:
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
    rows = [{"count": name, "microsoft": theirs[name], "auditor": mine} for name, mine in auditor_counts(index).items()]
    return {
        "source": SOURCE,
        "microsoft": insight.to_graph(),
        "rows": rows,
        "differs": any(
            r["microsoft"] is not None and r["auditor"] is not None and r["microsoft"] != r["auditor"] for r in rows
        ),
    }
