"""The one reader of ISO 8601 timestamps (auditor/common/timestamps.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.common.timestamps import OutOfRange, parse_timestamp, timestamp_or_none


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-11-22T06:00:00Z", datetime(2026, 11, 22, 6, tzinfo=UTC)),
        ("2026-11-22T01:00:00-05:00", datetime(2026, 11, 22, 6, tzinfo=UTC)),
        ("2026-11-22", datetime(2026, 11, 22, tzinfo=UTC)),
        (" 2026-11-22T06:00:00 ", datetime(2026, 11, 22, 6, tzinfo=UTC)),
    ],
)
def test_every_form_is_the_same_instant_in_utc(text: str, instant: datetime) -> None:
    value = parse_timestamp(text)
    assert value == instant and value.utcoffset() is not None and value.utcoffset().total_seconds() == 0


def test_a_time_without_zone_is_refused_where_the_zone_is_required() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        parse_timestamp("2026-11-22T06:00:00", require_zone=True)
    assert parse_timestamp("2026-11-22T06:00:00Z", require_zone=True).hour == 6


def test_an_instant_utc_cannot_hold_is_out_of_range() -> None:
    with pytest.raises(OutOfRange):
        parse_timestamp("9999-12-31T23:59:59-12:00")


@pytest.mark.parametrize("text", [None, "", 17, "yesterday", "2026-13-01T00:00:00Z"])
def test_optional_fields_read_as_none(text: object) -> None:
    assert timestamp_or_none(text) is None
