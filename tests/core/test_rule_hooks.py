"""A hook a rule may define earns its place: every hook the rule base classes declare (Rule and the
families docs/adding-a-rule.md tables: HygieneRule, UserHygieneRule, AssignmentRule) is set or
overridden by at least three registered rules (issue 49). A hook fewer rules use is a special
case: make it data, fold it into a hook that exists, or keep it in the rules that need it.
Helpers a rule calls but never defines are `@final` and not counted."""

from __future__ import annotations

import inspect

from auditor.rules import RULES
from auditor.rules.assignments.base import AssignmentRule
from auditor.rules.base import Rule
from auditor.rules.hygiene.base import HygieneRule, UserHygieneRule

BASES: tuple[type[Rule], ...] = (Rule, HygieneRule, UserHygieneRule, AssignmentRule)

# Hooks fewer than three rules use, each with why it stays (none now: UserHygieneRule.products, once
# the two overlap rules' alone, is resource-account-paid-license's too).
EXCEPTIONS: set[str] = set()


def hooks(base: type[Rule]) -> list[str]:
    """The names `base` is the first of BASES to declare (a value or an annotation), not helpers."""
    names = [*vars(base), *vars(base).get("__annotations__", {})]
    earlier = [b for b in BASES if b is not base and issubclass(base, b)]
    return sorted(
        {
            n
            for n in names
            if not n.startswith("_")
            and not any(_declares(b, n) for b in earlier)
            and not getattr(inspect.getattr_static(base, n, None), "__final__", False)
        }
    )


def _declares(cls: type, name: str) -> bool:
    return name in vars(cls) or name in vars(cls).get("__annotations__", {})


def users(base: type[Rule], name: str) -> list[str]:
    """The registered rules whose class, or a class between it and `base`, sets `name`."""
    out = []
    for rule in RULES:
        if isinstance(rule, base):
            definer = next(c for c in type(rule).__mro__ if name in vars(c) or c is base)
            if definer is not base:
                out.append(type(rule).__name__)
    return out


def test_every_hook_is_used_by_three_rules_or_is_a_named_exception() -> None:
    counted = {f"{base.__name__}.{name}": users(base, name) for base in BASES for name in hooks(base)}
    assert {"Rule.reads", "UserHygieneRule.offends", "AssignmentRule.applies"} <= set(counted)  # it sees hooks
    assert "Rule.make" not in counted  # and leaves helpers out
    rare = {hook: rules for hook, rules in counted.items() if len(rules) < 3}
    assert set(rare) == EXCEPTIONS, rare


def test_a_hook_that_only_its_base_sets_counts_no_rule() -> None:
    assert users(UserHygieneRule, "offends") and not users(Rule, "make")
    assert "SharedMailboxLicensed" in users(UserHygieneRule, "saves")  # set in its own class
    assert "GuestLicensed" not in users(UserHygieneRule, "saves")  # UserHygieneRule's default
    assert "DisabledUserLicensed" in users(UserHygieneRule, "own_facts")  # set in a class between
