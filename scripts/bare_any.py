"""How many functions take or return a bare `Any` (a parameter, `*args`, `**kw` or the return annotated
`Any`), over auditor/ or the folder given: the measure issue 119 counts (233 when it was filed).

    python scripts/bare_any.py [FOLDER] [--list]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def _bare(annotation: ast.expr | None) -> bool:
    if isinstance(annotation, ast.Name):
        return annotation.id == "Any"
    return isinstance(annotation, ast.Constant) and annotation.value == "Any"


def bare_any(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            annotations = [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            annotations += [a.annotation for a in (args.vararg, args.kwarg) if a is not None]
            if any(_bare(a) for a in (*annotations, node.returns)):
                found.append(f"{path}:{node.lineno} {node.name}")
    return found


if __name__ == "__main__":
    folders = [a for a in sys.argv[1:] if a != "--list"]
    found = bare_any(Path(folders[0] if folders else "auditor"))
    if "--list" in sys.argv:
        print("\n".join(found))
    print(len(found))
