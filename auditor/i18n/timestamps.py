"""Reading the timestamps of report documents (not locale formatting: see formatting.py)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 (with Z or offset, or a bare date) -> aware UTC datetime. Raises ValueError."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
