"""`--help`, `validate`, `schema` and audits of a snapshot file never load the Graph SDK or
azure-identity (they are imported on first Graph use), nor what only some runs need: jsonschema
(imported for a policy the quick check does not certify, auditor/policy/certify.py), the e-mail
builder and the `merge` command. How long start-up takes is measured by the benchmark
(benchmarks/run.py), not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK = ("kiota", "msgraph", "azure", "httpx")
# Loaded only when used: a valid policy is certified without jsonschema (nor its referencing/attrs);
# the message builder only for an e-mail; merge only for `merge`; directory audits, causes and the
# history only for a snapshot or a run that has them.
LAZY = ("jsonschema", "referencing", "auditor.delivery.send", "auditor.delivery.content", "auditor.merge.run",
        "auditor.merge.document", "auditor.audits", "auditor.insights.causes", "auditor.insights.history")

PROBE = f"""
import json, sys
from auditor.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
loaded = sorted({{m.split(".")[0] for m in sys.modules if m.split(".")[0].startswith({SDK!r})}})
lazy = sorted(m for m in sys.modules if m in {LAZY!r})
print(json.dumps({{"code": code, "loaded": loaded, "lazy": lazy}}), file=sys.stderr)
"""


def _run(*argv: str, cwd: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    result: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["audit", "--help"],
    ["validate", str(ROOT / "policies")],
    ["schema"],
    ["audit", "--snapshot", str(ROOT / "auditor" / "sample" / "sample-tenant.json"),
     "--policies", str(ROOT / "policies" / "example.yaml"), "--output-dir", "out", "--fail-on", "never"],
])
def test_no_graph_sdk_without_graph(argv: list[str], tmp_path: Path) -> None:
    result = _run(*argv, cwd=tmp_path)
    assert result["code"] == 0
    assert result["loaded"] == []
    assert result["lazy"] == []


def test_the_probe_sees_the_sdk_when_graph_is_used(tmp_path: Path) -> None:
    """The check above can fail: a command that reads Graph (here the demo's emulator) loads the SDK."""
    result = _run("collect", "--demo", "--output", str(tmp_path / "snapshot.json"), "--policies",
                  str(ROOT / "policies" / "example.yaml"), cwd=tmp_path)
    assert result["code"] == 0
    assert {"kiota_abstractions", "msgraph", "azure"} <= set(result["loaded"])  # type: ignore[arg-type]


def test_the_probe_sees_jsonschema_for_a_policy_with_a_mistake(tmp_path: Path) -> None:
    """The lazy check above can fail: a policy the quick check does not certify loads jsonschema (for its messages)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "policies" / "example.yaml").read_text(encoding="utf-8") + "\nunknown_section: 1\n",
                   encoding="utf-8")
    result = _run("validate", str(bad), cwd=tmp_path)
    assert result["code"] == 2
    assert result["lazy"] == ["jsonschema", "referencing"]
