"""A user's own date-times held as one string (auditor.data.model.User.license_times and own_times).

Each string a user holds costs its own object's overhead beside its text; one string of the times
joined pays it once (what it saves: docs/performance.md, "What the code's shapes save").
"""

from __future__ import annotations

from collections.abc import Sequence

TIMES_APART = "|"  # between the times of User.license_times


def joined_times(times: Sequence[str | None]) -> str:
    """User.license_times of these lastUpdatedDateTime, one for each state ("" when none has one).
    ValueError when a time holds TIMES_APART (no ISO-8601 date-time does; Python's reader would
    take it between date and time)."""
    if not any(times):
        return ""
    for t in times:
        if t and TIMES_APART in t:
            raise ValueError(f"{t!r} is not an ISO-8601 date-time")
    return TIMES_APART.join(t or "" for t in times)


# User.own_times's date-times, in its order: the names of the properties that read them
OWN_TIMES = (
    "created_date_time",
    "last_sign_in_date_time",
    "last_non_interactive_sign_in_date_time",
    "last_successful_sign_in_date_time",
    "employee_leave_date_time",
)


def own_times(
    created_date_time: str | None = None,
    last_sign_in_date_time: str | None = None,
    last_non_interactive_sign_in_date_time: str | None = None,
    last_successful_sign_in_date_time: str | None = None,
    employee_leave_date_time: str | None = None,
) -> str:
    """User.own_times of these date-times (see there); ValueError as joined_times."""
    return joined_times(
        (
            created_date_time,
            last_sign_in_date_time,
            last_non_interactive_sign_in_date_time,
            last_successful_sign_in_date_time,
            employee_leave_date_time,
        )
    )
