"""The benchmarks time the tool, not the contract checks: every Graph emulator a benchmark starts is
started with `contract=False` (auditor_dev/emulator/server.py), so a run does not pay for validating each
answer against Graph's metadata. The tests validate; a benchmark that measured the validation too would
report the checker's cost as the collector's."""

from __future__ import annotations

import ast
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _calls(name: str) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted(BENCHMARKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                found.append((f"{path.name}:{node.lineno}", node))
    return found


def test_every_benchmark_emulator_is_started_without_the_contract_checks() -> None:
    calls = _calls("GraphEmulator")
    assert len(calls) >= 3  # serve.py, msp.py, audit_log_choice.py at least
    checked = [
        where
        for where, call in calls
        if not any(
            k.arg == "contract" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords
        )
    ]
    assert checked == [], f"started with the contract checks on: {checked}"
