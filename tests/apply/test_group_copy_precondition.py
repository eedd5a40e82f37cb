"""Removing a direct copy that a group's copy stands in for: apply checks that the group's copy is
still there and working (an assignment in error gives the user nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.apply.preconditions import unmet
from auditor.apply.state import Assignment, UserState
from auditor.formats.plan_json import Change

USER = "11111111-1111-4111-8111-111111111111"
GROUP = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _change(active: bool) -> Change:
    cond = {"holds": E3, "how": "group", "group": GROUP} | ({"active": True} if active else {})
    return Change(
        1,
        "assign_license",
        "POST",
        f"/users/{USER}/assignLicense",
        {"addLicenses": [], "removeLicenses": [E3]},
        "",
        USER,
        None,
        ({"holds": E3, "how": "direct"}, cond),
        {},
        (),
        (),
    )


def _state(group_state: str, error: str) -> UserState:
    return UserState(
        True,
        {E3: ()},
        (Assignment(E3, None, (), "Active", "None"), Assignment(E3, GROUP, (), group_state, error)),
        "DE",
        None,
    )


def test_a_working_group_copy_lets_the_direct_one_go() -> None:
    assert unmet(_change(active=True), _state("Active", "None"), NOW) == []


def test_a_group_copy_in_error_does_not() -> None:
    assert unmet(_change(active=True), _state("Error", "CountViolation"), NOW) == [
        f"group {GROUP} does not assign {E3} to the user (in a working state)"
    ]
    # without "active" any copy from the group will do
    assert unmet(_change(active=False), _state("Error", "CountViolation"), NOW) == []
