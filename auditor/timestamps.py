"""Reading ISO 8601 timestamps: Graph's date-times, report documents, the command line.

One reader for all of them, so that "Z", offsets, bare dates and a missing zone mean the same
everywhere. Formatting for people is auditor.i18n's."""

from __future__ import annotations

from datetime import UTC, datetime


class OutOfRange(ValueError):
    """A timestamp whose instant UTC cannot hold (e.g. the last day of year 9999 west of Greenwich)."""


def parse_timestamp(text: str, *, require_zone: bool = False) -> datetime:
    """ISO 8601 (with Z or an offset, or a bare date) -> aware datetime in UTC.

    Without a zone the time is taken as UTC, unless `require_zone`: then it is a ValueError, for
    records whose order or meaning depends on the instant. Raises ValueError for anything else."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        if require_zone:
            raise ValueError(f"{text[:40]!r} has no time zone")
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise OutOfRange(f"{text[:40]!r} is out of range in UTC") from None


def timestamp_or_none(text: object, *, require_zone: bool = False) -> datetime | None:
    """parse_timestamp for optional fields: None when absent, not text or not a timestamp."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return parse_timestamp(text, require_zone=require_zone)
    except ValueError:
        return None
