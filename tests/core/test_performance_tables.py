"""Measurements are data, not prose (issue 107, point 3): a benchmark's `--record` keeps its run in
benchmarks/results/<benchmark>.json, and docs/performance.md's tables are rendered from those files by
scripts/performance_tables.py, which CI runs with --check."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from benchmarks import results

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("performance_tables", ROOT / "scripts" / "performance_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_what_the_records_give() -> None:
    assert _script().main(["--check"]) == 0


def test_every_record_says_what_it_ran_on() -> None:
    kept = _script().records()
    assert {"run", "nightly", "msp", "apply", "evaluate", "migrate"} <= set(kept)
    for name, record in kept.items():
        assert record["runs"], name
        for run in record["runs"]:
            assert set(run) >= {"config", "date", "commit", "machine", "load", "headline"}, name
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", run["date"]) and run["headline"], name
            assert run["machine"]["cpus"], name
            if not run.get("transcribed"):  # measured by --record: its load and its whole result kept
                assert run["load"]["start"] is not None and run["result"] is not None, name


def test_a_figure_changed_in_a_record_changes_the_page_and_check_fails(tmp_path: Path) -> None:
    script = _script()
    page = (ROOT / "docs" / "performance.md").read_text("utf-8")
    kept = script.records()
    name = sorted(kept)[0]
    run = kept[name]["runs"][0]
    label = next(iter(run["headline"]))
    run["headline"][label] = "123456.7 s"
    rendered = script.render(page, kept)
    assert rendered != page and "123456.7 s" in rendered


def test_a_record_without_a_table_or_a_table_without_a_record_is_refused() -> None:
    script = _script()
    page = (ROOT / "docs" / "performance.md").read_text("utf-8")
    kept = script.records()
    with pytest.raises(SystemExit, match="records without a block"):
        script.render(page, {**kept, "unshown": kept["run"]})
    with pytest.raises(SystemExit, match="blocks without a record"):
        script.render(page, {k: v for k, v in kept.items() if k != "run"})


def test_record_keeps_one_run_per_configuration(tmp_path: Path) -> None:
    first = results.record(
        "demo", {"users": 10}, {"wall (s)": 1.5}, {"wall_s": 1.5}, {"load": 0.5, "commit": "abc"}, folder=tmp_path
    )
    results.record(
        "demo", {"users": 20}, {"wall (s)": 3.0}, {"wall_s": 3.0}, {"load": 0.5, "commit": "abc"}, folder=tmp_path
    )
    results.record(
        "demo", {"users": 10}, {"wall (s)": 1.2}, {"wall_s": 1.2}, {"load": 0.7, "commit": "def"}, folder=tmp_path
    )
    kept = json.loads(first.read_text("utf-8"))
    assert [(r["config"]["users"], r["headline"]["wall (s)"]) for r in kept["runs"]] == [(20, 3.0), (10, 1.2)]
    assert kept["runs"][-1]["load"]["start"] == 0.7 and kept["runs"][-1]["commit"] == "def"
    assert kept["runs"][-1]["machine"]["cpus"]
