"""README.md's "How fast" figures are performance.md's: each one stands in the row of the benchmark it quotes
(performance.md's figures are the recorded results': scripts/performance_tables.py --check)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", text, re.S | re.M)
    assert match is not None, f"README.md has no section {heading!r}"
    return match.group(1)


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| `--")]


def test_each_speed_figure_is_in_the_row_it_quotes() -> None:
    speed = _section((ROOT / "README.md").read_text(encoding="utf-8"), "How fast")
    rows = _rows((ROOT / "docs" / "performance.md").read_text(encoding="utf-8"))
    bullets = [line for line in speed.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3
    for bullet in bullets:
        figures = re.findall(r"\d[\d,]*\.\d+ (?:s|MiB)|\d+ MiB", bullet)
        assert len(figures) >= 2, bullet
        # a row of performance.md holds every figure of the bullet (a wall time ÷ floor, a peak)
        held = [row for row in rows if all(_bare(f) in row for f in figures)]
        assert held, f"no row of performance.md holds {figures} ({bullet})"


def _bare(figure: str) -> str:
    """`71.9 s` as a table cell writes it; a peak's unit is the column's."""
    return figure.removesuffix(" MiB") if figure.endswith("MiB") else figure
