"""The docs' rule tables, generated from the registries: the README's rule tables and the
`details` table of docs/report-format.md. Each table sits between `<!-- rules:NAME -->` and
`<!-- /rules:NAME -->`; a test fails while a committed table differs from what this writes.

    python -m auditor.rules.docs          rewrite the tables
    python -m auditor.rules.docs --check  exit 1 when a table is stale
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..guidance.library import RuleGuidance
from ..merge.rules import MERGE_RULES
from . import RULES

ROOT = Path(__file__).resolve().parents[2]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rule_table(rules: Sequence[RuleGuidance]) -> str:
    rows = [f"| `{r.id}` | {r.default_severity.label} | {_cell(r.fires_when)} |" for r in rules]
    return "\n".join(["| rule | default | fires when |", "| --- | --- | --- |", *rows])


def details_table() -> str:
    rows = [f"| {r.id} | {_cell(r.details_doc)} |" for r in RULES]
    rows += [f"| {r.id} (merge) | {_cell(r.details_doc)} |" for r in MERGE_RULES]
    return "\n".join(["| rule | details |", "| --- | --- |", *rows])


# file (relative to the repository) -> table name -> its generator
TABLES: dict[str, dict[str, Callable[[], str]]] = {
    "README.md": {"engine": lambda: rule_table(RULES), "merge": lambda: rule_table(MERGE_RULES)},
    "docs/report-format.md": {"details": details_table},
}


def _replacement(table: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + table + m.group(2)


def generated(text: str, tables: dict[str, Callable[[], str]]) -> str:
    """`text` with each marked table replaced by what the registry says."""
    for name, make in tables.items():
        pattern = re.compile(rf"(<!-- rules:{name} -->\n).*?(\n<!-- /rules:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"no <!-- rules:{name} --> ... <!-- /rules:{name} --> markers")
        text = pattern.sub(_replacement(make()), text)
    return text


def stale(root: Path = ROOT, update: bool = False) -> list[str]:
    """The files whose tables differ from the registry (rewritten when `update`)."""
    out = []
    for name, tables in TABLES.items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        new = generated(text, tables)
        if new != text:
            out.append(name)
            if update:
                path.write_text(new, encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    check = "--check" in args
    changed = stale(update=not check)
    for name in changed:
        print(f"{name}: {'stale' if check else 'rewritten'}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
