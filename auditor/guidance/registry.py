"""The rules the guidance covers, read from the rule registries (auditor.rules.RULES and
auditor.merge.rules.MERGE_RULES) on first use: the rules import the guidance library, so the
guidance cannot import them while it loads. There is no list of rules here."""

from __future__ import annotations

from functools import cache

from .library import RuleGuidance


@cache
def by_id() -> dict[str, RuleGuidance]:
    """Every rule with guidance, engine rules first, then the cross-tenant (merge) rules."""
    from ..merge.rules import MERGE_RULES
    from ..rules import RULES

    return {rule.id: rule for rule in (*RULES, *MERGE_RULES)}


def rule_ids() -> tuple[str, ...]:
    return tuple(by_id())
