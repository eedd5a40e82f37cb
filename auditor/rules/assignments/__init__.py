"""Rules over `assignments:` entries — which products each population may, must or must not hold.

One module per family (selection: allowed/forbidden/required_any; combination: exclusive,
group_based_only); the order below is the registry's (the schema and the reports list the rules in it).
"""

from __future__ import annotations

from typing import Any, TypedDict

from auditor.data.model import Severity

from ...policy.objects import Assignment, Exclusive
from ...policy.selectors import SelectorDoc, parse_selector
from ...policy.yamlsource import PolicyNode
from .base import AssignmentRule
from .combination import AssignmentNotGroupBased, SkuCombinationForbidden, exclusive_contradictions
from .selection import SkuForbidden, SkuNotAllowed, SkuRequiredMissing, allowed_contradictions

# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new rule is a line here
RULES: tuple[AssignmentRule[Any], ...] = (
    SkuNotAllowed(),
    SkuForbidden(),
    SkuRequiredMissing(),
    SkuCombinationForbidden(),
    AssignmentNotGroupBased(),
)


def parse_assignments(node: PolicyNode) -> tuple[Assignment, ...]:
    """The `assignments:` section: entries with unique names, each checked for what its keys contradict."""
    out = []
    names: dict[str, str] = {}  # name -> the entry that last used it
    for entry in node.entries():
        a = parse_assignment(entry.data)
        if a.name in names:
            name = entry.at("name")
            name.report(f"{name.name}: '{a.name}' is already used by {names[a.name]}")
        names[a.name] = entry.name
        allowed_contradictions(a, entry)  # what the schema cannot say
        exclusive_contradictions(a, entry)
        out.append(a)
    return tuple(out)


class ExclusiveKeep(TypedDict):
    """An `exclusive` set that names the product to keep: {keep: A, remove: [B]}."""

    keep: str
    remove: list[str]


# An `assignments:` entry as the policy file holds it, after the schema (the rules' fragments) checked it
AssignmentEntry = TypedDict(
    "AssignmentEntry",
    {
        "name": str,
        "match": SelectorDoc,  # a selector (auditor.policy.selectors.parse_selector)
        "except": SelectorDoc,
        "allowed": list[str],
        "forbidden": list[str],
        "required_any": list[str],
        "exclusive": list[list[str] | ExclusiveKeep],
        "group_based_only": bool | list[str],
        "severity": str,
    },
    total=False,
)


def parse_assignment(raw: AssignmentEntry) -> Assignment:
    """One entry: who it applies to, and the keys of the rules above (their fragments)."""
    group_based_only = raw.get("group_based_only", False)
    return Assignment(
        name=raw["name"],
        match=parse_selector(raw["match"]),
        except_=parse_selector(raw["except"]) if "except" in raw else None,
        allowed=tuple(raw["allowed"]) if "allowed" in raw else None,
        forbidden=tuple(raw.get("forbidden", ())),
        required_any=tuple(raw.get("required_any", ())),
        exclusive=tuple(
            Exclusive(tuple(c)) if isinstance(c, list) else Exclusive((c["keep"], *c["remove"]), c["keep"])
            for c in raw.get("exclusive", ())
        ),
        group_based_only=group_based_only if isinstance(group_based_only, bool) else tuple(group_based_only),
        severity=Severity.parse(raw["severity"]) if "severity" in raw else None,
    )


__all__ = [
    "AssignmentNotGroupBased",
    "AssignmentRule",
    "SkuCombinationForbidden",
    "SkuForbidden",
    "SkuNotAllowed",
    "SkuRequiredMissing",
    "parse_assignment",
    "parse_assignments",
]
