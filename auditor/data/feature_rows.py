"""One row of the feature map (auditor.impact.feature_map; written by auditor.report.feature_map_files): a premium
feature, the license Microsoft asks for it, the tenant's products that carry that license, and how many users
the feature reaches and how many of them their own products entitle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureRow:
    feature: str  # the policy language's name (`entitlements: {features: [...]}`)
    name: str  # the feature as Microsoft names it
    license: str  # the license Microsoft's page asks for it
    products: tuple[str, ...]  # the tenant's products whose service plans carry it, "name (PART)"
    # "judged" | "not in the policy" | "not read" (the read behind it failed: the audit's gap names why)
    status: str
    members_reached: int | None  # None unless judged
    members_entitled: int | None  # of those reached, the members whose own products entitle them
    guests_reached: int | None  # counted apart: Microsoft bills external users by monthly active users
    sentence: str  # Microsoft's sentence, word for word
    page: str  # its page
