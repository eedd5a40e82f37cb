"""The billing tests' apply runs at the moment the test pins (SOURCE_DATE_EPOCH), as their audits do.

Their audits judge the sample at a pinned moment (`--as-of`, SOURCE_DATE_EPOCH); apply compiles the plan
again at its own clock (auditor.pipeline.recompile). Without this, that compile would judge the same tenant
weeks later than its audit did, and find other changes. A test that moves apply's clock sets its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.common.timestamps import now_or_pinned
from tests.demo_runs import DemoRuns


@pytest.fixture(autouse=True)
def _apply_at_the_pinned_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("auditor.apply.run.clock", now_or_pinned)


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory, demo_runs: DemoRuns) -> Path:
    """The demo's many-tenant run (`audit --demo --tenants`, the session's), copied once a module: what
    `tickets` reads, and writes beside."""
    return demo_runs.fleet(tmp_path_factory.mktemp("night"))
