"""A user's own values held in two strings (auditor.data.model.User.own and User.sign_ins).

Each string a user holds costs its own object's overhead beside its text; one string of the values
joined pays it once. A million users hold a million of each, so the user principal name, the
createdDateTime, the employeeLeaveDateTime and the license assignment times are one string, and the
three sign-in times another: the one a night's sign-in read replaces, so that giving a user its
sign-in times leaves nothing of the old user behind but the struct (what it saves: docs/performance.md,
"What the code's shapes save").
"""

from __future__ import annotations

from collections.abc import Sequence

TIMES_APART = "|"  # between the times of User.license_times, of User.sign_ins and of User.own
# between the user principal name and the times in User.own: no date-time holds a line break, so the
# last one ends the name, whatever the name holds
NAME_APART = "\n"


def joined_times(times: Sequence[str | None]) -> str:
    """User.license_times of these lastUpdatedDateTime, one for each state ("" when none has one).
    ValueError when a time holds TIMES_APART or NAME_APART (no ISO-8601 date-time does; Python's
    reader would take any character between date and time)."""
    if not any(times):
        return ""
    for t in times:
        if t and (TIMES_APART in t or NAME_APART in t):
            raise ValueError(f"{t!r} is not an ISO-8601 date-time")
    return TIMES_APART.join(t or "" for t in times)


# the user's own date-times: the names of the User properties that read them (User.own holds the first and
# the last, User.sign_ins the three between)
OWN_TIMES = (
    "created_date_time",
    "last_sign_in_date_time",
    "last_non_interactive_sign_in_date_time",
    "last_successful_sign_in_date_time",
    "employee_leave_date_time",
)


def own_text(user_principal_name: str, created: str | None, leave: str | None, license_times: str) -> str:
    """User.own: the user principal name, NAME_APART, then createdDateTime, employeeLeaveDateTime and the
    license times (User.license_times, as they are) joined by TIMES_APART ("" where Graph gave none).
    ValueError as joined_times for a time that could not be told apart."""
    for t in (created, leave, license_times):
        if t and (NAME_APART in t or (TIMES_APART in t and t is not license_times)):
            raise ValueError(f"{t!r} is not an ISO-8601 date-time")
    return f"{user_principal_name}{NAME_APART}{created or ''}{TIMES_APART}{leave or ''}{TIMES_APART}{license_times}"


# User.sign_ins' lastSuccessfulSignInDateTime when it is the lastSignInDateTime, as it is for most users
# (a user whose last interactive sign-in succeeded): 20 characters fewer a user
SAME_AS_LAST = "="


def sign_in_text(last: str | None, last_ni: str | None, last_ok: str | None) -> str:
    """User.sign_ins: lastSignInDateTime, lastNonInteractiveSignInDateTime and lastSuccessfulSignInDateTime
    joined by TIMES_APART ("" where Graph gave none; SAME_AS_LAST for a last successful sign-in that is the
    last sign-in); "" when it gave none at all. ValueError as joined_times, and for a time that is
    SAME_AS_LAST."""
    if SAME_AS_LAST in (last, last_ni, last_ok):
        raise ValueError(f"{SAME_AS_LAST!r} is not an ISO-8601 date-time")
    return joined_times((last, last_ni, SAME_AS_LAST if last_ok and last_ok == last else last_ok))
