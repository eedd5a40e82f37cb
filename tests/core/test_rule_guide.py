"""docs/adding-a-rule.md is the whole path: the checks it names are those a new rule's change meets
(the translator notes and the glossary, the translations that follow later), and they exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "adding-a-rule.md"


def _checks() -> str:
    section = GUIDE.read_text("utf-8").split("## 5. The checks", 1)[1]
    return section.split("```sh", 1)[1].split("```", 1)[0]


def test_the_guides_checks_run_what_a_rule_meets() -> None:
    named = set(re.findall(r"\btests/[\w/.]+", _checks()))
    assert named, "the guide's checks name the tests to run"
    assert [path for path in sorted(named) if not (ROOT / path).exists()] == []

    def covered(test: str) -> bool:
        return any(test == path or test.startswith(path.rstrip("/") + "/") for path in named)

    # a rule's texts meet these: the translator note of a text saying "holds", the glossary's terms,
    # and the catalogs whose translations follow later (auditor/locale/to-translate.txt)
    for test in (
        "tests/guidance/test_glossary.py",
        "tests/report/test_untranslated.py",
        "tests/core/test_rule_size.py",
    ):
        assert (ROOT / test).exists() and covered(test), test
    for command in ("-m translations", "ruff format --check", "mypy", "lint-imports"):
        assert command in _checks(), command


def test_the_guide_names_the_notes_and_the_list_to_translate() -> None:
    text = GUIDE.read_text("utf-8")
    for path in ("auditor/locale/notes.csv", "auditor/locale/to-translate.txt", "auditor/locale/glossary.csv"):
        assert path in text and (ROOT / path).exists(), path
