"""A configuration that says what it did not understand: report.json config_problems, the top of
the digest and the report, and `--strict`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.cli import main

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "policies" / "example.yaml"


def _typo(tmp_path: Path) -> Path:
    """The example policy with SPE_E5 mistyped SPE_E55 (and a real product the tenant lacks: no problem)."""
    text = EXAMPLE.read_text("utf-8").replace("SPE_E5]", "SPE_E55]")
    text = text.replace("forbidden: [", "forbidden: [VISIO_PLAN1_DEPT, ", 1)
    assert "SPE_E55" in text
    path = tmp_path / "typo.yaml"
    path.write_text(text, "utf-8")
    return path


def _audit(tmp_path: Path, policy: Path, *extra: str) -> int:
    return main(["audit", "--snapshot", str(SAMPLE), "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z",
                 "--output-dir", str(tmp_path / "out"), *extra])


def test_an_unknown_product_is_a_problem_with_its_line_and_a_suggestion(tmp_path: Path) -> None:
    policy = _typo(tmp_path)
    assert _audit(tmp_path, policy) == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (problem,) = report["config_problems"]
    line = next(n for n, text in enumerate(policy.read_text("utf-8").splitlines(), 1) if "SPE_E55" in text)
    assert (problem["file"], problem["line"], problem["product"], problem["suggestion"]) == (str(policy), line,
                                                                                            "SPE_E55", "SPE_E5")
    for name in ("digest.txt", "report.md"):
        top = re.sub(r"\\(?=[^\w\s]|_)", "", (tmp_path / "out" / name).read_text("utf-8"))[:3000]  # Markdown's escapes
        assert f"typo.yaml:{line}: the product SPE_E55" in top, name
    assert "did you mean SPE_E5?" in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_strict_refuses_a_configuration_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(tmp_path, _typo(tmp_path), "--strict") == 2
    assert "SPE_E55" in capsys.readouterr().err and not (tmp_path / "out" / "report.json").exists()
    assert _audit(tmp_path, EXAMPLE, "--strict") == 1  # the example policy has none


def test_the_example_policy_has_no_problem(tmp_path: Path) -> None:
    _audit(tmp_path, EXAMPLE)
    assert json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))["config_problems"] == []
