"""The rule registry: the one list of rules, assembled from each topic's explicit tuple (no
registration by import side effect). Each rule carries its id, severity, policy key, schema
fragment and evaluation; everything else derives from here.

One folder per topic: assignments/, seats/, hygiene/, usage/, moves/, entitlements/, waivers/. In it each rule
module stands beside the module of its texts, message and remediation, named for it with `_texts`
(hygiene/upkeep.py beside hygiene/upkeep_texts.py): the class of the same name, with the rule's id,
which auditor.wording collects. The texts import the rule,
never the other way (import-linter: "A rule half imports no texts half").

    base.py     Rule, Context (what a rule reads), finding ids, the shared schema fragments
"""

from __future__ import annotations

from typing import Any

from . import assignments, entitlements, hygiene, moves, seats, usage, waivers
from .base import Context, Rule

# Each topic folder's `RULES` (its __init__.py: the folder's rules in its order), the topics in the order of
# the policy's sections; a new rule in a folder is a line in that folder's `RULES`, not here.
RULES: tuple[Rule[Any], ...] = (
    *assignments.RULES,
    *seats.RULES,
    *hygiene.RULES,
    *usage.RULES,
    *moves.RULES,
    *entitlements.RULES,
    *waivers.RULES,
)
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
# The rules `license-auditor merge` evaluates across tenants are a registry of their own:
# auditor.cross_tenant.rules.MERGE_RULES (it builds on this package, so it cannot be imported here).
BY_ID: dict[str, Rule[Any]] = {r.id: r for r in RULES}

__all__ = ["BY_ID", "RULES", "RULE_IDS", "Context", "Rule"]
