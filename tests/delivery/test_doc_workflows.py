"""Every GitHub Actions workflow the docs give (a ```yaml block of docs/*.md with a top-level `jobs:`)
passes actionlint and zizmor as the repository's own workflows do (tests/delivery/test_workflows.py):
docs/multi-tenant.md's once could not run (no `runs-on`, checkout, install, `id-token`; unpinned `@v4`;
`${{ }}` inside `run:`; the snapshot uploaded with the reports). Blocks that are no workflow (policies,
tenants files) are left to the tests of what they are. The one placeholder the docs ask the reader to
replace, `@YOUR-COMMIT-SHA` (the full SHA of a commit of their copy), is linted as such a SHA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from .test_workflows import actionlint, zizmor

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)


def doc_workflows() -> list[tuple[str, str]]:
    """(doc:line, text) of each workflow the docs give."""
    found = []
    for path in sorted((ROOT / "docs").glob("*.md")):
        text = path.read_text("utf-8")
        for match in BLOCK.finditer(text):
            block = match.group(1)
            data = yaml.safe_load(block)
            if isinstance(data, dict) and "jobs" in data:
                found.append((f"{path.name}:{text.count(chr(10), 0, match.start()) + 1}", block))
    return found


WORKFLOWS = doc_workflows()


def test_the_docs_give_workflows() -> None:
    names = {where.split(":")[0] for where, _ in WORKFLOWS}
    assert {"nightly.md"} <= names


@pytest.mark.parametrize(("where", "text"), WORKFLOWS, ids=[w for w, _ in WORKFLOWS])
def test_each_workflow_of_the_docs_passes_actionlint_and_zizmor(where: str, text: str, tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (tmp_path / ".git").mkdir()  # actionlint finds the repository root by it
    name = re.sub(r"[^a-z0-9]+", "-", where.lower()) + ".yml"
    (folder / name).write_text(text.replace("@YOUR-COMMIT-SHA", "@" + "0" * 40), encoding="utf-8")
    linted = actionlint(f".github/workflows/{name}", cwd=tmp_path)
    assert linted.returncode == 0, f"{where}: actionlint\n{linted.stdout}{linted.stderr}"
    audited = zizmor(f".github/workflows/{name}", cwd=tmp_path)
    assert audited.returncode == 0, f"{where}: zizmor\n{audited.stdout}{audited.stderr}"
