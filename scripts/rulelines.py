"""The length of every rule class: the lines of each class with an `id` in auditor/rules (the
rule's evaluation only; its guidance is in auditor/guidance/rules), shortest first, then their
median. Issue 42 asks for a median under 60; tests/core/test_rule_size.py holds it.

    python3 scripts/rulelines.py [auditor/rules]
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path


def rule_lengths(root: Path) -> list[tuple[int, str]]:
    """(lines, "file:Class") of every top-level class that gives an `id` a value, shortest first."""
    rows = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(_assigns_id(s) for s in node.body):
                rows.append((node.end_lineno - node.lineno + 1 if node.end_lineno else 0, f"{path}:{node.name}"))
    return sorted(rows)


def _assigns_id(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "id" for t in statement.targets)
    # an annotation alone (`id: ClassVar[str]` on a base class) declares no rule
    return isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
        and statement.target.id == "id" and statement.value is not None


def main() -> None:
    rows = rule_lengths(Path(sys.argv[1] if len(sys.argv) > 1 else "auditor/rules"))
    for lines, name in rows:
        print(lines, name)
    print("n", len(rows), "median", statistics.median(lines for lines, _ in rows))


if __name__ == "__main__":
    main()
