"""A rule a newcomer reads at once: the median rule class is under 60 lines (issue 42), measured
by scripts/rulelines.py over auditor/rules."""

from __future__ import annotations

import importlib.util
import statistics
from pathlib import Path

from auditor.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def _measure() -> list[tuple[int, str]]:
    spec = importlib.util.spec_from_file_location("rulelines", ROOT / "scripts" / "rulelines.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows: list[tuple[int, str]] = module.rule_lengths(ROOT / "auditor" / "rules")
    return rows


def test_the_median_rule_is_under_60_lines() -> None:
    rows = _measure()
    names = {name.rsplit(":", 1)[1] for _, name in rows}
    assert names == {type(rule).__name__ for rule in RULES}  # every registered rule, and nothing else
    assert statistics.median(lines for lines, _ in rows) < 60, rows
