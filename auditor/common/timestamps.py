"""Reading ISO 8601 timestamps: Graph's date-times, report documents, the command line.

One reader for all of them, so that "Z", offsets, bare dates and a missing zone mean the same
everywhere. Formatting for people is auditor.i18n's."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from auditor.common.numbers import whole_number


class OutOfRange(ValueError):
    """A timestamp whose instant UTC cannot hold (e.g. the last day of year 9999 west of Greenwich)."""


def parse_timestamp(text: str, *, require_zone: bool = False) -> datetime:
    """ISO 8601 (with Z or an offset, or a bare date) -> aware datetime in UTC.

    Without a zone the time is taken as UTC, unless `require_zone`: then it is a ValueError, for
    records whose order or meaning depends on the instant. Raises ValueError for anything else."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is UTC:  # "Z" or +00:00, as Graph writes its times: nothing to convert
        return value
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


def now_or_pinned() -> datetime:
    """The wall clock to the second, or the moment SOURCE_DATE_EPOCH pins (reproducible reports and
    plans); an epoch that is not a whole number of seconds before 2200 is ignored."""
    seconds = whole_number(os.environ.get("SOURCE_DATE_EPOCH", ""))
    if seconds is not None and seconds < 7_258_118_400:  # before 2200
        return datetime.fromtimestamp(seconds, UTC)
    return datetime.now(UTC).replace(microsecond=0)
