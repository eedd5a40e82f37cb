"""Fixtures for the report tests; the documents and catalog live in report_fixtures.py."""

from __future__ import annotations

from typing import Any

import pytest

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
