"""When a user last signed in, as far as Graph can tell: the inactivity rule's test
(auditor.rules.hygiene, through auditor.index) and the collector's choice of whose mailbox to read
(auditor.graph) share it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from .model import User
from .timestamps import timestamp_or_none


@lru_cache(maxsize=64)
def _time_text(cutoff: datetime) -> str:
    """`cutoff` as a date-time in Graph's usual form, rounded up to the whole second, so that for
    such a text `text >= _time_text(cutoff)` says the time is at or after `cutoff`."""
    when = cutoff.astimezone(UTC)
    whole = when.replace(microsecond=0, tzinfo=None)
    if when.microsecond:
        whole += timedelta(seconds=1)
    return f"{whole.isoformat()}Z"


def _since(text: str | None, cut: str) -> bool:
    """Whether `text` is surely at or after the cut: a real date-time in Graph's usual form
    (2026-11-01T06:00:00Z) orders as its text does; any other form is not settled here."""
    if text is None or len(text) != 20 or text[10] != "T" or text[19] != "Z" or text < cut:
        return False
    try:
        datetime.fromisoformat(text[:19])  # a real day and time (no 2026-02-30)
    except ValueError:
        return False
    return True


def sign_in_time(text: str | None) -> datetime | None:
    """A signInActivity time; Graph writes 0001-01-01T00:00:00Z for "never", so year 1 is None."""
    when = timestamp_or_none(text)
    return None if when is None or when.year == 1 else when


def last_sign_in(user: User) -> datetime | None:
    """The user's last successful sign-in, as far as Graph can tell.

    lastSignInDateTime and lastNonInteractiveSignInDateTime also record failed attempts, so a
    dormant account under password spray would look active by them. lastSuccessfulSignInDateTime
    counts only successes: when Graph returns it, it decides (0001-01-01 there means no sign-in
    ever succeeded); only when it is absent do the other two stand in for it."""
    if user.last_successful_sign_in_date_time is not None:
        return sign_in_time(user.last_successful_sign_in_date_time)
    seen = [t for t in (sign_in_time(user.last_sign_in_date_time),
                        sign_in_time(user.last_non_interactive_sign_in_date_time)) if t is not None]
    return max(seen) if seen else None


def last_attempt(user: User) -> datetime | None:
    """The latest sign-in attempt Graph records (successful or not), or None."""
    seen = [t for t in (sign_in_time(user.last_sign_in_date_time),
                        sign_in_time(user.last_non_interactive_sign_in_date_time)) if t is not None]
    return max(seen) if seen else None


@lru_cache(maxsize=64)
def days_before(when: datetime, days: int) -> datetime:
    """`when` less `days` days (once per pair: a rule asks it for each user)."""
    return when - timedelta(days=days)


def dormant(user: User, cutoff: datetime) -> bool:
    """No successful sign-in since `cutoff` (or never): the inactivity test, grace periods aside.

    Most accounts signed in recently, in Graph's usual text form: comparing the texts settles
    them without parsing (the answer is the same); the rest are parsed."""
    if cutoff.tzinfo is not None:
        cut = _time_text(cutoff)
        ok = user.last_successful_sign_in_date_time
        if ok is not None:
            if _since(ok, cut):
                return False
        elif _since(user.last_sign_in_date_time, cut) or _since(user.last_non_interactive_sign_in_date_time, cut):
            return False
    last = last_sign_in(user)
    return last is None or last < cutoff


def maybe_dormant(users: Sequence[User], cutoff: datetime) -> list[int]:
    """Positions of the licensed, enabled users with no successful sign-in since `cutoff`."""
    return [i for i, u in enumerate(users)
            if u.profile.account_enabled and u.profile.assigned_licenses and dormant(u, cutoff)]
