"""What the guidance of the `assignments:` rules shares: the lines of the calls that assign a product."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.blocked import CHOOSE_VALUE

from ...guidance.details import RuleDetails
from ...guidance.remediation import ASSIGN_LICENSE, Action, TextRef, first_blocked
from .selection import UsageLocationDetails


def assign_line(f: RuleDetails[UsageLocationDetails], product: str) -> TextRef:
    """What a call that assigns `product` does; "the user needs a usage location first" only for a
    user who has none (details.no_usage_location)."""
    return TextRef("graph.add" if f.own.get("no_usage_location") else "graph.assign", {"sku": product})


def wait_for_usage_location(f: RuleDetails[UsageLocationDetails], actions: list[Action]) -> list[Action]:
    """A user without a usage location cannot be given a license directly (Graph refuses it): the
    calls that assign one wait until a person has chosen the country."""
    if not f.own.get("no_usage_location"):
        return actions
    return [
        replace(a, blocked=first_blocked(a.blocked, CHOOSE_VALUE))
        if a.kind == ASSIGN_LICENSE and (a.body or {}).get("addLicenses")
        else a
        for a in actions
    ]
