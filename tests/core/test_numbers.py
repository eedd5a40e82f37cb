"""Whole numbers from text: ASCII digits only, so a superscript or another script's digit is refused
with the caller's own message instead of crashing in int()."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.common.numbers import whole_number
from auditor.common.timestamps import now_or_pinned

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        (" 7\n", 7),
        ("²", None),
        ("٣", None),
        ("1²", None),
        ("", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("1 000", None),
        ("١٢", None),
    ],
)
def test_whole_number_reads_ascii_digits_only(text: str, number: int | None) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize("epoch", ["²", "99999999999", "-5", "abc", ""])
def test_a_source_date_epoch_that_is_no_number_is_ignored(monkeypatch: pytest.MonkeyPatch, epoch: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert abs((now_or_pinned() - datetime.now(UTC)).total_seconds()) < 60


def test_a_source_date_epoch_pins_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    assert now_or_pinned() == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def test_no_module_checks_a_number_with_isdigit() -> None:
    """str.isdigit() admits "²", which int() refuses: text is read with whole_number (bytes.isdigit,
    ASCII only, is safe, and so is a check followed by isascii())."""
    offenders = []
    for path in sorted((ROOT / "auditor").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.isdigit\(\)", line) and "isascii()" not in line and "# bytes" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
