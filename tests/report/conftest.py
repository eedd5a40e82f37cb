"""Fixtures for the report tests; the documents and catalog live in report_fixtures.py."""

from __future__ import annotations

import pytest

from auditor.formats.report_model import ReportDocument
from auditor.report import chunks

from .report_fixtures import FakeGuidance, build_sample


@pytest.fixture
def guidance() -> FakeGuidance:
    return FakeGuidance()


@pytest.fixture
def sample() -> ReportDocument:
    return build_sample()


@pytest.fixture
def complete_sample() -> ReportDocument:
    return build_sample(complete=True)


@pytest.fixture
def forked_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Chunks of 7 findings (auditor.report.chunks), for a test of forked processes: skipped where
    nothing forks (off Linux, one core)."""
    if chunks.available_workers() < 2:
        pytest.skip("forks on Linux with two cores or more")
    monkeypatch.setattr(chunks, "CHUNK", 7)
    return 7
