"""Issue 117 (a low): the demo's commerce windows are judged on the demo's own day, the moment its sample was
read at (1 November 2026, as `audit --demo` judges it), never on today's: `apply --demo --commerce-only` makes
the same changes whatever day it is run. Through the real command line, on the demo's stand-ins."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.apply import run as apply_run
from auditor.cli import main


def test_apply_demo_commerce_only_decides_the_same_on_any_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], virtual_graph_time: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793521800")  # 2026-11-01T06:30Z: the plan made on the demo's day
    assert main(["audit", "--demo", "--fail-on", "never"]) == 0
    assert main(["plan", "--demo"]) in (0, 1)
    said: dict[str, list[str]] = {}
    for today in ("2026-11-02", "2027-03-15"):  # inside the demo's seven days, and months after them
        monkeypatch.setattr(apply_run, "clock", lambda day=today: datetime.fromisoformat(f"{day}T09:00:00+00:00"))
        capsys.readouterr()
        assert main(["apply", "--demo", "--commerce-only", "--max-age", "400d"]) == 0
        said[today] = [ln.strip() for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("->")]
    first, later = said.values()
    assert first == later
    # the cancellation inside its window (by 4 November) on the demo's day; the reduction waits for the license
    # changes (a commerce-only run leaves them to the apply job)
    assert first == ["-> would skip: 4 seats would be left, below the 5 assigned now", "-> would apply"]
