"""docs/adding-a-rule.md's walk, run: a new rule is the files in its topic's folder, and nothing else
changes. The reviewer's example, "employeeType Contractor must not hold Microsoft 365 E5", written as
a hygiene rule with two parameters of its own (no product feature: an `assignments:` entry that
matches `attributes: {employeeType: [Contractor]}` with `forbidden: [SPE_E5]` says it already), goes
into a copy of the package: its module and its texts module beside it, and its place in the folder's
tuple (auditor/rules/hygiene/__init__.py). Then, with no other edit, the registry runs it, the
wording finds its texts, the schema holds its key and validates its parameters, the policy's products
include the one it names, and the import contract "A rule half imports no texts half" holds it. And
scripts/relocale.sh, run in the copy, adds its texts to the catalogs and to the generated list of
texts whose translations follow (auditor/locale/to-translate.txt), and the translation checks pass on
what it wrote, with no hand edit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

GUIDE = ROOT / "docs" / "adding-a-rule.md"


def _guide_block(path: str) -> str:
    """The Python block docs/adding-a-rule.md's worked rule gives for the file `path`: the page's example is
    what the walk runs, so the page cannot drift from the code it documents."""
    section = GUIDE.read_text("utf-8").split("### A worked rule", 1)[1].split("\n### ", 1)[0]
    return section.split(f"`{path}`", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


# auditor/rules/hygiene/<name>.py: the rule, its details' contract and its own parameters
RULE = _guide_block("auditor/rules/hygiene/employee_types.py")
# auditor/rules/hygiene/<name>_texts.py: its texts, the class of the rule's name
TEXTS = _guide_block("auditor/rules/hygiene/employee_types_texts.py")

# what the copy runs, as a newcomer's session would: the registries, the wording, the schema, an audit
CHECK = """
import sys
from pathlib import Path

import jsonschema
import auditor
from auditor import wording
from auditor.formats.report_model import finding_of
from auditor.data.model import Locale
from auditor.policyset.schema import build_schema
from auditor.rules import BY_ID, RULE_IDS
from auditor.policyset.load import load_policies
from tests.core.factory import audit, fired, policy_file, rem, tenant, user

assert Path(auditor.__file__).is_relative_to(Path.cwd()), auditor.__file__  # the copy, not the repository
rule = BY_ID["employee-type-product"]
assert RULE_IDS[-1] != rule.id  # in the registry's order: its folder's place, not last
assert type(wording.by_id()[rule.id]).__module__ == "auditor.rules.hygiene.employee_types_texts"
fragment = build_schema()["properties"]["hygiene"]["properties"]["employee_type_product"]
assert fragment["required"] == ["employee_type", "product"]
valid = jsonschema.Draft202012Validator(fragment)
assert valid.is_valid({"employee_type": "Contractor", "product": "SPE_E5"})
assert not valid.is_valid({"employee_type": "Contractor"})  # its required parameter
assert not valid.is_valid({"employee_type": "Contractor", "product": "SPE_E5", "products": []})  # a typo

doc = tenant(
    [
        user("carl", "SPE_E5", employeeType="Contractor"),
        user("cora", "SPE_E3", employeeType="contractor"),
        user("emma", "SPE_E5", employeeType="Employee"),
    ],
    userAttributes=["employeeType"],
)
BODY = "hygiene:\\n  employee_type_product: {employee_type: Contractor, product: SPE_E5}\\n"
result = audit(Path(sys.argv[1]), BODY, doc)
assert fired(result, rule.id) == [(rule.id, "carl@contoso.example", ("SPE_E5",))], fired(result)
(found,) = [f for f in result.findings if f.rule == rule.id]
(policy,) = load_policies([policy_file(Path(sys.argv[1]), BODY, "again.yaml")]).policies
assert policy.products == ("SPE_E5",)  # the product it names, found through the schema
said = wording.message(rule.id, finding_of(found.subject, found.skus, found.details), locale=Locale.EN)
assert said.endswith("holds SPE_E5, kept from their employee type."), said
assert rem(found)["actions"], rem(found)  # its fix: the removal, as a Graph call
from auditor.policyset import rules_page
row = next(line for line in rules_page.page().splitlines() if "employee-type-product" in line)
assert "`hygiene.employee_type_product`" in row and "`employeeType`" in row, row  # its row in docs/rules.md
print("walked")
"""


def _copy(tmp_path: Path) -> Path:
    """The package, its developer tools and pyproject.toml, copied, with the new rule's files."""
    root = tmp_path / "repo"
    for name in ("auditor", "auditor_dev"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    folder = root / "auditor" / "rules" / "hygiene"
    (folder / "employee_types.py").write_text(textwrap.dedent(RULE).lstrip(), "utf-8")
    (folder / "employee_types_texts.py").write_text(textwrap.dedent(TEXTS).lstrip(), "utf-8")
    init = folder / "__init__.py"
    before = init.read_text("utf-8")
    after = before.replace("    *upkeep.RULES,\n", "    *upkeep.RULES,\n    *employee_types.RULES,\n").replace(
        "from . import accounts,", "from . import employee_types, accounts,"
    )
    assert after.count("employee_types") == 2, "the folder's tuple changed shape: update this walk and its page"
    init.write_text(after, "utf-8")
    return root


def _run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    # bytecode kept beside the copy, never in it or the repository: each process after the first reads the
    # copy's compiled modules instead of compiling them again
    pycache = str(root.parent / "pycache")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(root), str(ROOT))), "PYTHONPYCACHEPREFIX": pycache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")
def test_a_new_rule_is_its_files_in_its_folder_and_nothing_else(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    walked = _run(root, sys.executable, "-c", CHECK, str(tmp_path))
    assert walked.returncode == 0 and "walked" in walked.stdout, walked.stdout[-3000:] + walked.stderr[-3000:]

    lint = _run(root, str(LINT), "--no-cache", "--verbose")
    assert lint.returncode == 0, lint.stdout[-3000:]
    assert "auditor.rules.hygiene.employee_types_texts" in lint.stdout  # the contract found the new texts half
    rule = root / "auditor" / "rules" / "hygiene" / "employee_types.py"
    rule.write_text(rule.read_text("utf-8") + "\nfrom . import employee_types_texts  # noqa: E402\n", "utf-8")
    broken = _run(root, str(LINT), "--no-cache")
    assert broken.returncode != 0 and "A rule half imports no texts half BROKEN" in broken.stdout, broken.stdout


# the checks of a rule's texts (docs/adding-a-rule.md, section 5), run in the copy on what relocale.sh wrote
TEXT_CHECKS = (
    "tests/guidance/test_translations_complete.py",
    "tests/guidance/test_glossary.py",
    "tests/report/test_untranslated.py",
    "tests/core/test_rule_guide.py",
)


def test_a_new_rules_texts_wait_for_their_translations_with_no_hand_edit(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    # the script, the checks and the guide test_rule_guide.py reads
    for name in ("scripts", "tests", "docs"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    pybabel = Path(sys.executable).with_name("pybabel")
    relocale = _run(root, "env", f"PYBABEL={pybabel}", f"PYTHON={sys.executable}", "bash", "scripts/relocale.sh")
    assert relocale.returncode == 0, relocale.stderr[-3000:]
    listed = (root / "auditor" / "locale" / "to-translate.txt").read_text("utf-8")
    assert [line for line in listed.splitlines() if not line.startswith("#")] == [
        "rule.employee-type-product.title",
        "rule.employee-type-product.describe",
        "rule.employee-type-product.message",
    ], listed
    # all of them but the glossary's two renderings of the demo, which the new rule is not part of
    skip = "not test_the_reports_and_the_plan_keep_the_glossary and not test_the_reports_say_each_concept"
    # one process (-n 0): the copy's pyproject.toml asks for a worker a core, each importing it all again
    pytest_ = (sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:randomly", "-p", "no:cacheprovider")
    checks = _run(root, *pytest_, "-m", "", "-k", skip, *TEXT_CHECKS)
    assert checks.returncode == 0, checks.stdout[-5000:]
    assert "translations to follow" in checks.stdout  # the translations check printed the new rule's keys
