"""A file the code's docstrings and comments name exists: "wired by policy/load.py" stood in
rules/base.py after the file had become auditor/policyset/load.py, and a newcomer following it found nothing.

Every path-like name ending in a file extension, in the text of auditor/ and auditor_dev/ and in the
developers' guides, is found from the repository's root, from auditor/, or from the naming file's
own folder; a package's docstring that lists its files ("    entitlement.py   entitlement-missing …")
names files of its own folder."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a path with at least one folder: "policy/load.py", "auditor/render/templates/report.html.j2"
_PATH = re.compile(r"(?<![\w./-])((?:[A-Za-z_][\w-]*/)+[\w.-]*\w\.(?:py|j2|csv|txt|po|pot|yaml|json|md|sh|toml))\b")
GUIDES = ("docs/architecture.md", "docs/adding-a-rule.md", "CONTRIBUTING.md", "docs/guidance.md", "docs/reports.md")
# names that are not this repository's files: a folder the user chooses (DIR/, OUTPUT_DIR/), a page
# of Microsoft's documentation repository
_NOT_OURS = re.compile(r"^(?:[A-Z_]+|https?|\.github|microsoft-365|reports|out)/")
# files named as examples of what a user or a measurement writes, each with its reason
EXAMPLES = {
    "docs/invoices.md": "halo/currency.py quotes a page of redanthrax/halopsa-node, a vendor's client, not ours",
    "openapi/_original/pax8-partner-endpoints-openapi.json": "contracts/cut.py: a file of Pax8's repository",
    "policies/license-policy.yaml": "cli.py's help: the policy file a user keeps in their repository",
    "policies/contoso.yaml": "a policy file named in an example message (file:line)",
    "policies/contractors.yaml": "adding-a-rule.md: the policy file a newcomer saves",
    "tests/core/test_department_missing.py": "adding-a-rule.md: the throwaway rule's test, measured then removed",
    "auditor/rules/hygiene/employee_types.py": "adding-a-rule.md's worked rule, written by test_walk_a_new_rule.py",
    "auditor/rules/hygiene/employee_types_texts.py": "adding-a-rule.md's worked rule's texts, the same",
}
# where a bare package-relative name is looked up: the repository, auditor/, its rules
BASES = (ROOT, ROOT / "auditor", ROOT / "auditor" / "rules")


def missing_paths(text: str, here: Path) -> list[str]:
    out = []
    for found in _PATH.finditer(text):
        path = found[1]
        if _NOT_OURS.search(path) or path in EXAMPLES:
            continue
        if not any((base / path).exists() for base in (*BASES, here)):
            out.append(path)
    return out


# a package docstring's listing: an indented line that starts with its files' names
_LISTED = re.compile(r"^ {4}((?:[\w/]+\.py)(?:, [\w/]+\.py)*)\b", re.MULTILINE)


def _docstring(package: Path) -> str:
    text = (package / "__init__.py").read_text("utf-8")
    return text.split('"""', 2)[1] if text.lstrip().startswith('"""') else ""


def unlisted_files(package: Path) -> list[str]:
    """The files a package's docstring lists that are not in its folder."""
    names = [name for line in _LISTED.findall(_docstring(package)) for name in line.split(", ")]
    return [name for name in names if not (package / name).exists()]


# a bare file name in a package docstring ("see catalogs.py"): the package's own file, or it names a
# file that moved out of it (issue 78: five did) and should give the path it has now
_BARE = re.compile(r"(?<![\w/.-])(\w+\.py)\b")


def bare_names_elsewhere(package: Path) -> list[str]:
    """The bare file names a package's docstring gives that are not files of its own folder."""
    return [name for name in _BARE.findall(_docstring(package)) if not (package / name).exists()]


def test_a_package_docstring_names_a_file_elsewhere_by_its_path() -> None:
    packages = [init.parent for top in ("auditor", "auditor_dev") for init in sorted((ROOT / top).rglob("__init__.py"))]
    elsewhere = [
        f"{package.relative_to(ROOT)}: {name}" for package in packages for name in bare_names_elsewhere(package)
    ]
    assert elsewhere == []


def test_a_bare_name_of_a_file_that_moved_out_is_found(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text('"""Its texts: upkeep_texts.py; its reader: auditor/i18n/catalogs.py."""\n')
    (tmp_path / "reader.py").write_text("")
    assert bare_names_elsewhere(tmp_path) == ["upkeep_texts.py"]


def test_every_file_a_package_docstring_lists_exists() -> None:
    packages = [init.parent for top in ("auditor", "auditor_dev") for init in sorted((ROOT / top).rglob("__init__.py"))]
    listed = sum(len(line.split(", ")) for package in packages for line in _LISTED.findall(_docstring(package)))
    assert listed > 30, "the package docstrings list their files"
    missing = [f"{package.relative_to(ROOT)}: {name}" for package in packages for name in unlisted_files(package)]
    assert missing == []


def _sources() -> list[Path]:
    code = [*sorted((ROOT / "auditor").rglob("*.py")), *sorted((ROOT / "auditor_dev").rglob("*.py"))]
    return code + [ROOT / guide for guide in GUIDES]


def test_every_file_a_docstring_or_guide_names_exists() -> None:
    missing = [
        f"{source.relative_to(ROOT)}: {path}"
        for source in _sources()
        for path in missing_paths(source.read_text("utf-8"), source.parent)
    ]
    assert missing == []


def test_a_name_of_a_gone_file_is_found() -> None:
    here = ROOT / "auditor" / "rules"
    assert missing_paths("(parse_* beside each family, wired by policy/load.py)", here) == ["policy/load.py"]
    assert missing_paths("wired by auditor/policyset/load.py; see rules/hygiene/upkeep_texts.py", here) == []
