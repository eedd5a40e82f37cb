"""The rule registry: an explicit tuple, no registration by import side effect."""

from __future__ import annotations

from .assignments import ASSIGNMENT_RULES
from .base import Context, Rule
from .hygiene import HYGIENE_RULES
from .seats import CATALOG_RULES
from .waivers import WaiverExpired

RULES: tuple[Rule, ...] = (*ASSIGNMENT_RULES, *CATALOG_RULES, *HYGIENE_RULES, WaiverExpired())
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
# Produced by `license-auditor merge` across tenants; waivable like the others. The classes live
# in auditor.merge.rules, which builds on this package (so it cannot be imported here); a test
# keeps this tuple equal to them.
MERGE_RULE_IDS: tuple[str, ...] = ("cross-tenant-duplicate", "seats-rebalance-across-tenants")
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

__all__ = ["BY_ID", "MERGE_RULE_IDS", "RULES", "RULE_IDS", "Context", "Rule"]
