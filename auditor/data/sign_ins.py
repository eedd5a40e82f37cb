"""When a user last signed in, as far as Graph can tell: the inactivity rule's test
(auditor.rules.hygiene, through auditor.policy.index), the collector's choice of whose mailbox to read
(auditor.graph) and apply's re-read of signInActivity (auditor.apply.state) share it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import User


def sign_in_time(text: object, *, require_zone: bool = False) -> datetime | None:
    """A signInActivity time; Graph writes 0001-01-01T00:00:00Z for "never", so year 1 is None.
    `require_zone`: a time without its zone is none (apply's re-read, straight from Graph)."""
    when = timestamp_or_none(text, require_zone=require_zone)
    return None if when is None or when.year == 1 else when


def latest(*texts: object, require_zone: bool = False) -> datetime | None:
    """The latest of these signInActivity times, or None: of lastSignInDateTime and
    lastNonInteractiveSignInDateTime, the latest attempt (they record failed attempts too)."""
    seen = [t for t in (sign_in_time(text, require_zone=require_zone) for text in texts) if t is not None]
    return max(seen) if seen else None


def last_success(
    successful: object, interactive: object, non_interactive: object, *, require_zone: bool = False
) -> datetime | None:
    """The last successful sign-in of one user's signInActivity times, as far as Graph can tell.

    lastSignInDateTime and lastNonInteractiveSignInDateTime also record failed attempts, so a
    dormant account under password spray would look active by them. lastSuccessfulSignInDateTime
    (`successful`) counts only successes: when Graph returns it, it decides (0001-01-01 there means
    no sign-in ever succeeded); only when it is absent (or null) do the other two stand in for it."""
    if successful is not None:
        return sign_in_time(successful, require_zone=require_zone)
    return latest(interactive, non_interactive, require_zone=require_zone)


def last_sign_in(user: User) -> datetime | None:
    """The user's last successful sign-in, as far as Graph can tell (last_success)."""
    return last_success(
        user.last_successful_sign_in_date_time,
        user.last_sign_in_date_time,
        user.last_non_interactive_sign_in_date_time,
    )


def last_attempt(user: User) -> datetime | None:
    """The latest sign-in attempt Graph records (successful or not), or None."""
    return latest(user.last_sign_in_date_time, user.last_non_interactive_sign_in_date_time)


def dormant(user: User, cutoff: datetime) -> bool:
    """No successful sign-in since `cutoff` (or never): the inactivity test, grace periods aside."""
    last = last_sign_in(user)
    return last is None or last < cutoff


def maybe_dormant(users: Sequence[User], cutoff: datetime) -> list[int]:
    """Positions of the licensed, enabled users with no successful sign-in since `cutoff`."""
    return [
        i
        for i, u in enumerate(users)
        if u.profile.account_enabled and u.profile.assigned_licenses and dormant(u, cutoff)
    ]
