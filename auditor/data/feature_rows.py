"""One row of the feature map (auditor.impact.feature_map; written by auditor.report.feature_map_files): a premium
feature, the license Microsoft asks for it, the tenant's products that carry that license, and how many users
the feature reaches and how many of them their own products entitle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AskedLicense:
    """The license Microsoft's page asks for a feature, in its parts: the names are Microsoft's, in English; the
    words that join them are the report's language's (auditor.report.feature_map_files.license_text)."""

    any_of: tuple[str, ...]  # Microsoft's licenses, any one of which entitles ("P2 or Governance")
    listed: tuple[str, ...] = ()  # or a product on Microsoft's list, of which these are examples
    some_from: str = ""  # a license that gives some of the feature's capabilities
    also_in: str = ""  # a larger product that carries it as well ("Plan 2")


@dataclass(frozen=True)
class FeatureRow:
    feature: str  # the policy language's name (`entitlements: {features: [...]}`)
    name: str  # the feature as Microsoft names it
    license: AskedLicense  # the license Microsoft's page asks for it
    products: tuple[str, ...]  # the tenant's products whose service plans carry it, "name (PART)"
    # "judged" | "not in the policy" | "not read" (the read behind it failed: the audit's gap names why)
    status: str
    members_reached: int | None  # None unless judged
    members_entitled: int | None  # of those reached, the members whose own products entitle them
    guests_reached: int | None  # counted apart: Microsoft bills external users by monthly active users
    sentence: str  # Microsoft's sentence, word for word
    page: str  # its page
