"""Fixtures for the report tests; the documents and catalog live in report_fixtures.py."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.report import chunks

from .report_fixtures import FakeGuidance, build_sample


@pytest.fixture
def guidance() -> FakeGuidance:
    return FakeGuidance()


@pytest.fixture
def sample() -> dict[str, Any]:
    return build_sample()


@pytest.fixture
def complete_sample() -> dict[str, Any]:
    return build_sample(complete=True)


@pytest.fixture
def forked_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Chunks of 7 findings (auditor.report.chunks), for a test of forked processes: skipped where
    nothing forks (off Linux, one core)."""
    if chunks.available_workers() < 2:
        pytest.skip("forks on Linux with two cores or more")
    monkeypatch.setattr(chunks, "CHUNK", 7)
    return 7
