"""docs/adding-a-rule.md is the whole path: the checks it names are those a new rule's change meets
(the translator notes and the glossary, the translations that follow later), and they exist."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.evaluation.engine import evaluate
from auditor.policy.selectors import SELECTOR_SCHEMA
from auditor.policyset.load import load_policies
from auditor.policyset.schema import build_schema
from auditor.rules.assignments.selection import SkuForbidden
from auditor.snapshot import snapshot_from_json
from tests.core.factory import AS_OF, fired, tenant, user

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


def _first_section() -> str:
    return GUIDE.read_text("utf-8").split("## First: what a policy can already say", 1)[1].split("\n## ", 1)[0]


def test_the_guides_first_policy_is_a_whole_file_that_finds_the_contractor(tmp_path: Path) -> None:
    """The page opens with a complete policy file (its header too): it validates as it stands, and the
    one entry finds the contractor holding E5, not the employee, as the page says."""
    body = _first_section().split("```yaml\n", 1)[1].split("```", 1)[0]
    assert body.startswith("apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata:"), body
    path = tmp_path / "contractors.yaml"
    path.write_text(body, "utf-8")
    doc = tenant(
        [user("carl", "SPE_E5", employeeType="Contractor"), user("emma", "SPE_E5", employeeType="Employee")],
        userAttributes=["employeeType"],
    )
    result = evaluate(load_policies([str(path)]), snapshot_from_json(doc), AS_OF)
    assert fired(result) == [(SkuForbidden.id, "carl@contoso.example", ("SPE_E5",))]


def test_the_guides_first_tables_name_every_selector_and_every_policy_key() -> None:
    section = _first_section()
    selectors, keys = section.split("**What it says about them:**", 1)
    assert [name for name in SELECTOR_SCHEMA["properties"] if f"`{name}" not in selectors] == []
    header = {"apiVersion", "kind", "metadata"}
    assert [k for k in build_schema()["properties"] if k not in header and f"`{k}:`" not in keys] == []
