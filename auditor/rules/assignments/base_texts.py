"""What the guidance of the `assignments:` rules shares: the lines of the calls that assign a product."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.blocked import CHOOSE_VALUE

from ...guidance.remediation import ASSIGN_LICENSE, Action, TextRef, first_blocked


def assign_line(no_usage_location: bool, product: str) -> TextRef:
    """What a call that assigns `product` does; "the user needs a usage location first" only for a
    user who has none (the finding's details.no_usage_location)."""
    return TextRef("graph.add" if no_usage_location else "graph.assign", {"sku": product})


def wait_for_usage_location(no_usage_location: bool, actions: list[Action]) -> list[Action]:
    """A user without a usage location (the finding's details.no_usage_location) cannot be given a
    license directly (Graph refuses it): the calls that assign one wait until a person has chosen the country."""
    if not no_usage_location:
        return actions
    return [
        replace(a, blocked=first_blocked(a.blocked, CHOOSE_VALUE))
        if a.kind == ASSIGN_LICENSE and (a.body or {}).get("addLicenses")
        else a
        for a in actions
    ]
