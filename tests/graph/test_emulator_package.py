"""The installed package carries no test-only or benchmark-only code: the fault catalogue
(tests/graph/emulator_faults.py) and the prerendering (benchmarks/prerender.py) plug into the
emulator's seams (auditor_dev/emulator/hooks.py) from outside it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"^\s*(?:from|import)\s+(?:tests|benchmarks|emulator_faults|graph_tenants)\b", re.MULTILINE)
CATALOGUE = re.compile(r"^\s*class\s+(?:Fault|FaultKind|RenderedUsers|Prerendered)\b", re.MULTILINE)


def test_only_auditor_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["auditor*"]


def test_package_has_no_fault_catalogue_or_prerendering() -> None:
    offenders = []
    for path in sorted([*(ROOT / "auditor").rglob("*.py"), *(ROOT / "auditor_dev").rglob("*.py")]):
        text = path.read_text(encoding="utf-8")
        offenders += [
            f"{path.relative_to(ROOT)}: {m.group(0).strip()}" for rx in (OUTSIDE, CATALOGUE) for m in rx.finditer(text)
        ]
    assert offenders == []
    assert not (ROOT / "auditor_dev" / "emulator" / "faults.py").exists()
    assert not (ROOT / "auditor_dev" / "emulator" / "rendered.py").exists()
