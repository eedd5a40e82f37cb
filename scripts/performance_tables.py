"""Render the benchmarks' recorded figures (benchmarks/results/<benchmark>.json, written by `--record`) into
docs/performance.md: one table of current figures per benchmark, between `<!-- figures: NAME -->` and
`<!-- /figures -->`. `--check` changes nothing and exits 1 when the page is not what the files give (.ci/run
and tests/core/test_performance_tables.py run it), so a figure in the docs is never older than its record.

    python scripts/performance_tables.py            # write the tables
    python scripts/performance_tables.py --check    # CI: the page matches the records
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PAGE = ROOT / "docs" / "performance.md"
BLOCK = re.compile(r"(<!-- figures: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /figures -->)", re.DOTALL)
# the command's options that do not change what is measured
NOT_CONFIG = {"keep", "record", "profile", "serve", "reads"}


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    return str(value).replace("|", "\\|")


def _config(config: dict[str, Any]) -> str:
    """The command's options as typed: a flag when on, left out when off or unset."""
    words = []
    for key, value in config.items():
        if key in NOT_CONFIG or value is None or value is False:
            continue
        flag = f"--{key.replace('_', '-')}"
        words.append(
            f"`{flag}`" if value is True else f"`{flag} {value:g}`" if isinstance(value, float) else f"`{flag} {value}`"
        )
    return " ".join(words) or "defaults"


def table(kept: dict[str, Any]) -> str:
    """The benchmark's runs, one row each: its configuration, its headline figures, and what it ran on."""
    runs = kept["runs"]
    labels: list[str] = []
    for run in runs:
        labels += [label for label in run["headline"] if label not in labels]
    lines = [
        "| configuration | " + " | ".join(labels) + " | load (1 min: start, end) | machine | commit, date |",
        "| --- | " + " | ".join("---:" for _ in labels) + " | --- | --- | --- |",
    ]
    for run in runs:
        cells = [_value(run["headline"][label]) if label in run["headline"] else "" for label in labels]
        load = run["load"]
        where = run["machine"]
        machine = f"{where.get('cpus')} cores, {where.get('memory_gib')} GiB"
        source = f"{run['commit']}, {run['date']}"
        if run.get("transcribed"):
            source += f" (transcribed: {run['transcribed']})"
        lines.append(
            f"| {_config(run['config'])} | " + " | ".join(cells) + f" | {_value(load['start'])}, {_value(load['end'])} "
            f"| {machine} | {source} |"
        )
    return "\n".join(lines) + "\n"


def records(folder: Path = RESULTS) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def render(page: str, kept: dict[str, dict[str, Any]]) -> str:
    """The page with each figures block rendered from its record; a block without one, or a record without a
    block, is an error (a benchmark recorded but not shown, or shown from nothing)."""
    named = [m.group("name") for m in BLOCK.finditer(page)]
    missing = sorted(set(named) - set(kept))
    unshown = sorted(set(kept) - set(named))
    if missing or unshown:
        raise SystemExit(
            f"docs/performance.md: figures blocks without a record: {missing or 'none'}; "
            f"records without a block: {unshown or 'none'}"
        )
    return BLOCK.sub(lambda m: m.group(1) + table(kept[m.group("name")]) + m.group(4), page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/performance_tables.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when the page is out of date")
    args = parser.parse_args(argv)
    page = PAGE.read_text("utf-8")
    rendered = render(page, records())
    if args.check:
        if rendered != page:
            print("docs/performance.md is not what benchmarks/results/ gives: run python scripts/performance_tables.py")
            return 1
        return 0
    PAGE.write_text(rendered, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
