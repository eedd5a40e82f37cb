"""Microsoft's own counts of the tenant's Microsoft Entra ID P1 and P2 licenses and of the users of
their features: Graph's beta report azureADPremiumLicenseInsight, read beside the entitlement
rules (auditor/graph/license_insight.py) and shown beside the auditor's own counts.

The resource (learn.microsoft.com/graph/api/resources/azureadpremiumlicenseinsight?view=graph-rest-beta):
`entitledP1LicenseCount`, `entitledP2LicenseCount`, `entitledTotalLicenseCount` (P1 + P2), and
`p1FeatureUtilizations` (`conditionalAccess`, `conditionalAccessGuestUsers`) /
`p2FeatureUtilizations` (`riskBasedConditionalAccess`, `riskBasedConditionalAccessGuestUsers`),
each an azureADPremiumFeatureUtilization whose `userCount` is "the number of users who have used
this premium feature". The snapshot keeps these fields in Graph's own shape (to_graph), so the
emulator serves them as Graph does.

Context only: the auditor's counts stand without it (docs/entitlements.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict

import msgspec
from msgspec import UNSET, UnsetType

LICENSE_INSIGHT = "azureADPremiumLicenseInsight"  # the snapshot file's key, and its part in collectedParts
INSIGHT_PATH = "/reports/azureADPremiumLicenseInsight"  # on Graph's /beta

# (feature utilization group, feature) -> the field below, in the resource's order
FEATURES = {
    ("p1FeatureUtilizations", "conditionalAccess"): "conditional_access",
    ("p1FeatureUtilizations", "conditionalAccessGuestUsers"): "conditional_access_guests",
    ("p2FeatureUtilizations", "riskBasedConditionalAccess"): "risk_based",
    ("p2FeatureUtilizations", "riskBasedConditionalAccessGuestUsers"): "risk_based_guests",
}
_TYPES = {
    "p1FeatureUtilizations": "azureADPremiumP1FeatureUtilizations",
    "p2FeatureUtilizations": "azureADPremiumP2FeatureUtilizations",
}


# the resource as the snapshot keeps it (the functional form: `@odata.type` is no identifier)
Utilization = TypedDict("Utilization", {"@odata.type": str, "userCount": int})
P1Utilizations = TypedDict(
    "P1Utilizations",
    {
        "@odata.type": str,
        "conditionalAccess": NotRequired[Utilization],
        "conditionalAccessGuestUsers": NotRequired[Utilization],
    },
)
P2Utilizations = TypedDict(
    "P2Utilizations",
    {
        "@odata.type": str,
        "riskBasedConditionalAccess": NotRequired[Utilization],
        "riskBasedConditionalAccessGuestUsers": NotRequired[Utilization],
    },
)
InsightGraph = TypedDict(
    "InsightGraph",
    {
        "@odata.type": str,
        "entitledP1LicenseCount": int,
        "entitledP2LicenseCount": int,
        "entitledTotalLicenseCount": NotRequired[int],
        "p1FeatureUtilizations": NotRequired[P1Utilizations],
        "p2FeatureUtilizations": NotRequired[P2Utilizations],
    },
)


def _used(count: int) -> Utilization:
    return {"@odata.type": "#microsoft.graph.azureADPremiumFeatureUtilization", "userCount": count}


class BadInsight(ValueError):
    """An answer that is not the resource Graph documents."""


def _count(raw: object, key: str) -> int | None:
    """The count at `key`; None when Graph left it out."""
    value = raw.get(key) if isinstance(raw, dict) else None
    if value is None:
        return None
    # Int64: JSON carries it as a number or, in OData's IEEE754Compatible form, as a string of digits
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise BadInsight(f"{key}: expected a count, got {type(value).__name__}")


def _required(raw: object, key: str) -> int:
    found = _count(raw, key)
    if found is None:
        raise BadInsight(f"{key}: missing")
    return found


@dataclass(frozen=True)
class LicenseInsight:
    """Microsoft's counts, as Graph answered them (a feature it left out: None)."""

    entitled_p1: int
    entitled_p2: int
    entitled_total: int | None = None  # P1 + P2, as Microsoft adds them
    conditional_access: int | None = None  # users who used Conditional Access
    conditional_access_guests: int | None = None
    risk_based: int | None = None  # users who used risk-based Conditional Access
    risk_based_guests: int | None = None

    @property
    def premium(self) -> int:
        """P1 and P2 licenses together: Microsoft's total, else the sum of the two."""
        return self.entitled_total if self.entitled_total is not None else self.entitled_p1 + self.entitled_p2

    @classmethod
    def from_graph(cls, raw: object) -> LicenseInsight:
        if not isinstance(raw, dict):
            raise BadInsight("expected an object")
        features: dict[str, int | None] = {}
        for (group, feature), name in FEATURES.items():
            used = raw.get(group)
            if used is not None and not isinstance(used, dict):
                raise BadInsight(f"{group}: expected an object")
            inner = (used or {}).get(feature)
            if inner is not None and not isinstance(inner, dict):
                raise BadInsight(f"{group}.{feature}: expected an object")
            try:
                features[name] = _count(inner, "userCount")
            except BadInsight as exc:
                raise BadInsight(f"{group}.{feature}.{exc}") from None
        return cls(
            entitled_p1=_required(raw, "entitledP1LicenseCount"),
            entitled_p2=_required(raw, "entitledP2LicenseCount"),
            entitled_total=_count(raw, "entitledTotalLicenseCount"),
            conditional_access=features["conditional_access"],
            conditional_access_guests=features["conditional_access_guests"],
            risk_based=features["risk_based"],
            risk_based_guests=features["risk_based_guests"],
        )

    def to_graph(self) -> InsightGraph:
        """The resource as Graph's reference shows it (the fields read; a count not known is left out)."""
        doc: InsightGraph = {
            "@odata.type": "#microsoft.graph.azureADPremiumLicenseInsight",
            "entitledP1LicenseCount": self.entitled_p1,
            "entitledP2LicenseCount": self.entitled_p2,
        }
        if self.entitled_total is not None:
            doc["entitledTotalLicenseCount"] = self.entitled_total
        # each group only when it holds a count (FEATURES: the same names)
        if self.conditional_access is not None or self.conditional_access_guests is not None:
            p1: P1Utilizations = {"@odata.type": f"#microsoft.graph.{_TYPES['p1FeatureUtilizations']}"}
            if self.conditional_access is not None:
                p1["conditionalAccess"] = _used(self.conditional_access)
            if self.conditional_access_guests is not None:
                p1["conditionalAccessGuestUsers"] = _used(self.conditional_access_guests)
            doc["p1FeatureUtilizations"] = p1
        if self.risk_based is not None or self.risk_based_guests is not None:
            p2: P2Utilizations = {"@odata.type": f"#microsoft.graph.{_TYPES['p2FeatureUtilizations']}"}
            if self.risk_based is not None:
                p2["riskBasedConditionalAccess"] = _used(self.risk_based)
            if self.risk_based_guests is not None:
                p2["riskBasedConditionalAccessGuestUsers"] = _used(self.risk_based_guests)
            doc["p2FeatureUtilizations"] = p2
        return doc


class InsightCount(msgspec.Struct, kw_only=True):
    """One row of report.json's `license_insight` (auditor.impact.license_insight_comparison): a count by
    its name, Microsoft's and the auditor's (None: not read), and, when they differ, why (reason -> users,
    or None)."""

    count: str
    microsoft: int | None
    auditor: int | None
    why: dict[str, int | None] | UnsetType = UNSET


class InsightComparison(msgspec.Struct, kw_only=True):
    """report.json's `license_insight`: Microsoft's counts as read (Graph's own shape), the rows side by side,
    and whether any row differs."""

    source: str
    microsoft: InsightGraph  # the report as Graph gave it (LicenseInsight.to_graph)
    rows: list[InsightCount]
    differs: bool
