"""`--help` never loads the Graph SDK or azure-identity: they are imported on first Graph use, and
importing them takes longer than the whole `--help` may (≤ 0.3 s). How long `--help` takes is
measured by the benchmark (benchmarks/run.py, figures in docs/benchmarks.md), not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK = ("kiota", "msgraph", "azure", "httpx")

PROBE = f"""
import json, sys
from auditor.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
loaded = sorted({{m.split(".")[0] for m in sys.modules if m.split(".")[0].startswith({SDK!r})}})
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""


def _run(*argv: str, cwd: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True, text=True, timeout=120)
    result: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("argv", [["--help"], ["audit", "--help"]])
def test_help_does_not_load_the_graph_sdk(argv: list[str], tmp_path: Path) -> None:
    result = _run(*argv, cwd=tmp_path)
    assert result["code"] == 0
    assert result["loaded"] == []


def test_the_probe_sees_the_sdk_when_graph_is_used(tmp_path: Path) -> None:
    """The check above can fail: a command that reads Graph (here the demo's emulator) loads the SDK."""
    result = _run(
        "collect",
        "--demo",
        "--output",
        str(tmp_path / "snapshot.json"),
        "--policies",
        str(ROOT / "examples" / "contoso-policy.yaml"),
        cwd=tmp_path,
    )
    assert result["code"] == 0
    assert {"kiota_abstractions", "msgraph", "azure"} <= set(result["loaded"])  # type: ignore[arg-type]
