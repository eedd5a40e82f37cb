"""Every benchmark command README.md, CONTRIBUTING.md and docs/ give runs in `.ci/run` at a tiny size,
after the README's test command and before ruff: a benchmark that stops running fails the build."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
COMMAND = re.compile(r"python -m (benchmarks\.\w+)([^`\n]*)")
# the forms of one module the docs give that run differently (and may break on their own)
FORMS = ("--week", "--second-night", "--without-inactivity", "--apps", "capture", "compare")


def _documented() -> set[str]:
    """Each module, and each of its FORMS, as the documentation gives it."""
    pages = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("**/*.md"))]
    found = set()
    for page in pages:
        for module, flags in COMMAND.findall(page.read_text("utf-8")):
            found.add(module)
            found |= {f"{module} {form}" for form in FORMS if form in flags.split()}
    return found


def _ci_lines() -> list[str]:
    text = (ROOT / ".ci" / "run").read_text("utf-8")
    start = text.index("--- the README's test command")
    return [line for line in text[start : text.index("ruff check")].splitlines() if "-m benchmarks." in line]


def test_each_documented_benchmark_runs_in_ci() -> None:
    documented = _documented()
    assert {"benchmarks.run", "benchmarks.msp", "benchmarks.msp --week", "benchmarks.msp --second-night"} <= documented
    lines = _ci_lines()
    missing = []
    for entry in sorted(documented):
        module, _, form = entry.partition(" ")
        if not any(f"-m {module} " in line and (not form or f" {form} " in line) for line in lines):
            missing.append(entry)
    assert missing == [], f"documented benchmark commands .ci/run does not run: {missing}"


def test_the_ci_runs_are_tiny() -> None:
    """Seconds each: a few tenants, a few thousand users, no latency."""
    for line in _ci_lines():
        for flag, most in (("--users", 5_000), ("--sizes", 5_000), ("--tenants", 5)):
            for value in re.findall(rf"{flag} (\S+)", line):
                assert all(int(v) <= most for v in value.split(",")), line
        assert "--latency-ms" not in line or "--latency-ms 0" in line, line
