"""The length of every rule with its texts: the lines of each class with an `id` in auditor/rules
(the rule: what it is and what it finds) and of the class of the same name in the `_texts` module
beside it (its texts, message and remediation), shortest pair first, then the medians of the rule,
of its texts and of the pair. Issue 49 asks for a pair median of 100 lines (140 in
`ruff format`'s layout, which puts each argument of a long call on its own line);
tests/core/test_rule_size.py holds it. The last column, not part of the pair, is the rule's details
contract (the TypedDict `<Rule>Details` beside it, with the docstring docs/rules.md shows).

    python3 scripts/rulelines.py [auditor/rules]
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path


def class_lengths(path: Path) -> dict[str, int]:
    """Class name -> lines, of every top-level class of `path` that gives an `id` a value."""
    if not path.is_file():
        return {}
    return {
        node.name: node.end_lineno - node.lineno + 1 if node.end_lineno else 0
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef) and any(_assigns_id(s) for s in node.body)
    }


def rule_lengths(root: Path) -> list[tuple[int, str]]:
    """(lines, "file:Class") of every rule class (not its texts), shortest first."""
    return sorted(
        (lines, f"{path}:{name}") for path in _rule_modules(root) for name, lines in class_lengths(path).items()
    )


def pair_lengths(root: Path) -> list[tuple[int, int, str]]:
    """(rule lines, texts lines, "file:Class") of every rule and its texts class, shortest pair first
    (texts lines 0: the rule has no texts class beside it)."""
    rows = []
    for path in _rule_modules(root):
        texts = class_lengths(path.with_name(f"{path.stem}_texts.py"))
        rows += [(lines, texts.get(name, 0), f"{path}:{name}") for name, lines in class_lengths(path).items()]
    return sorted(rows, key=lambda row: (row[0] + row[1], row[2]))


def contract_lengths(root: Path) -> dict[str, int]:
    """ "file:Class" -> lines of the rule's details contract `<Class>Details` in its module (0: none)."""
    out = {}
    for path in _rule_modules(root):
        classes = {
            node.name: node
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.ClassDef)
        }
        for name in class_lengths(path):
            node = classes.get(f"{name}Details")
            out[f"{path}:{name}"] = node.end_lineno - node.lineno + 1 if node and node.end_lineno else 0
    return out


def _rule_modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if not p.stem.endswith("_texts"))


def _assigns_id(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "id" for t in statement.targets)
    # an annotation alone (`id: ClassVar[str]` on a base class) declares no rule
    return (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.target.id == "id"
        and statement.value is not None
    )


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "auditor/rules")
    rows, contracts = pair_lengths(root), contract_lengths(root)
    print("pair rule texts class contract")
    for rule, texts, name in rows:
        print(rule + texts, rule, texts, name, contracts[name])
    print(
        "n",
        len(rows),
        "median: rule",
        statistics.median(r for r, _, _ in rows),
        "texts",
        statistics.median(t for _, t, _ in rows),
        "pair",
        statistics.median(r + t for r, t, _ in rows),
        "contract",
        statistics.median(contracts.values()),
    )


if __name__ == "__main__":
    main()
