"""The rule registry: the one list of rules, assembled from each topic module's explicit tuple
(no registration by import side effect). Each rule carries its id, severity, policy key and
schema fragment and evaluation (its texts, message and remediation are its guidance, in
auditor.guidance.rules); everything else derives from here."""

from __future__ import annotations

from .assignments import ASSIGNMENT_RULES
from .base import Context, Rule
from .entitlements import RULES as ENTITLEMENT_RULES
from .hygiene import HYGIENE_RULES
from .moves import SubscriptionMove
from .seats import CATALOG_RULES
from .usage_reports import RULES as USAGE_RULES
from .waivers import WaiverExpired

RULES: tuple[Rule, ...] = (*ASSIGNMENT_RULES, *CATALOG_RULES, *HYGIENE_RULES, *USAGE_RULES, SubscriptionMove(),
                           *ENTITLEMENT_RULES, WaiverExpired())
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
# The rules `license-auditor merge` evaluates across tenants are a registry of their own:
# auditor.cross_tenant.rules.MERGE_RULES (it builds on this package, so it cannot be imported here).
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

__all__ = ["BY_ID", "RULES", "RULE_IDS", "Context", "Rule"]
