"""docs/money.md speaks of the sample tenant: its opening is the demo's, word for word, and every
amount it names is one the demo's `money` holds. When the bill changes, the failure names the
demo's figures, to be copied into the page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from tests.core.test_tenants_demo import PURCHASE

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "money.md"
AMOUNT = re.compile(r"€[\d,]+\.\d\d")


def _numbers(node: Any) -> list[float]:
    if isinstance(node, dict):
        return [n for value in node.values() for n in _numbers(value)]
    if isinstance(node, list):
        return [n for value in node for n in _numbers(value)]
    return [abs(float(node))] if isinstance(node, (int, float)) and not isinstance(node, bool) else []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["audit", "--demo", "--output-dir", str(out), "--format", "json,md"]) == 1
    return out


def test_the_pages_opening_is_the_demos(demo: Path) -> None:
    text = DOC.read_text("utf-8")
    quoted = " ".join(line[2:] for line in text.splitlines() if line.startswith("> "))
    (opening,) = [
        line for line in (demo / "digest.txt").read_text("utf-8").splitlines() if line.startswith("Licenses cost")
    ]
    assert quoted == opening, f"docs/money.md's opening is not the demo's; the demo says:\n> {opening}"


def test_every_amount_the_page_names_is_the_demos(demo: Path) -> None:
    money = json.loads((demo / "report.json").read_text("utf-8"))["money"]
    held = {f"€{n:,.2f}" for n in _numbers(money)}
    # and the --tenants demo's Contoso figures the page compares them with, held to that demo's output there
    held |= {many for many, one in PURCHASE.items() if one in held}
    named = set(AMOUNT.findall(DOC.read_text("utf-8")))
    assert named, "docs/money.md names no amount"
    assert named <= held, (
        f"docs/money.md names {sorted(named - held)}, which the demo's money does not hold; it holds: "
        f"{json.dumps(money)}"
    )
