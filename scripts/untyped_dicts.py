"""The untyped dicts of auditor/, counted on the AST (issue 98, point 1): the functions that take or
return one, and the class fields that are one. An untyped dict is

    dict, Dict, Mapping or MutableMapping bare (`dict`), or with Any for its values (`dict[str, Any]`,
    `Mapping[str, Any]`), or a tuple of (str, Any) pairs (`tuple[tuple[str, Any], ...]`, a dict in
    another shape); a TypedDict, a Struct or a `dict[str, int]` is typed.

As the issue counts them: a function takes or returns one when a parameter or its return is one
(`| None` and `| UnsetType` aside); a class field (an annotated name in a class body: a dataclass's,
a Struct's, a NamedTuple's, a TypedDict's) is one when one is anywhere in its annotation
(`list[dict[str, Any]]`, `ClassVar[dict[str, Any]]`). The functions with one deeper inside
(`list[dict[str, Any]]`, `Subject | Mapping[str, Any]`) are counted apart. A function counts
once however many of its parameters hold one.

    python3 scripts/untyped_dicts.py [--list] [auditor]

prints the counts, and with --list each function and field as path:line name.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAPPINGS = {"dict", "Dict", "Mapping", "MutableMapping"}
# Module-level names that stand for an untyped dict (`Details = dict[str, Any]`, `X: TypeAlias = ...`,
# `type X = ...`): an alias is counted as what it names, so renaming a dict never lowers the count.
ALIASES: set[str] = set()


def _name(node: ast.expr) -> str:
    """The last part of a (dotted) name: `typing.Mapping` -> Mapping; '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_any(node: ast.expr) -> bool:
    return _name(node) == "Any"


def _elements(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def untyped(node: ast.expr | None, inside: bool = True) -> bool:
    """Whether the annotation `node` is an untyped dict (`| None`, `| UnsetType` aside), or with
    `inside` holds one anywhere (see the module's docstring)."""
    if node is None:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted annotation
        try:
            return untyped(ast.parse(node.value, mode="eval").body, inside)
        except SyntaxError:
            return False
    if _name(node) in MAPPINGS or _name(node) in ALIASES:  # bare, or an alias of one
        return True
    if isinstance(node, ast.Subscript):
        args = _elements(node.slice)
        if _name(node.value) in MAPPINGS and len(args) == 2 and _is_any(args[1]):
            return True
        if _name(node.value) == "tuple" and _pairs_of_any(args):
            return True
        return inside and any(untyped(arg, inside) for arg in args)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | Y
        parts = [node.left, node.right]
        if inside:
            return any(untyped(part, inside) for part in parts)
        others = [p for p in parts if not _none_or_unset(p)]
        return len(others) == 1 and untyped(others[0], inside)
    return False


def _none_or_unset(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or _name(node) == "UnsetType"


def _pairs_of_any(args: list[ast.expr]) -> bool:
    """tuple[tuple[str, Any], ...]"""
    if len(args) != 2 or not (isinstance(args[1], ast.Constant) and args[1].value is Ellipsis):
        return False
    inner = args[0]
    if not (isinstance(inner, ast.Subscript) and _name(inner.value) == "tuple"):
        return False
    pair = _elements(inner.slice)
    return len(pair) == 2 and _name(pair[0]) == "str" and _is_any(pair[1])


def functions(tree: ast.AST, inside: bool = False) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]
            if untyped(node.returns, inside) or any(untyped(p.annotation, inside) for p in params):
                yield node


def fields(tree: ast.AST) -> Iterator[tuple[ast.ClassDef, ast.AnnAssign]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and untyped(item.annotation):
                    yield node, item


def aliases(tree: ast.Module) -> Iterator[str]:
    """The module-level aliases of an untyped dict in `tree`."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if untyped(node.value, inside=False):
                yield node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            if _name(node.annotation) == "TypeAlias" and untyped(node.value, inside=False):
                yield node.target.id
        elif type(node).__name__ == "TypeAlias" and untyped(node.value, inside=False):  # type: ignore[attr-defined]
            yield node.name.id  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    listing = "--list" in argv
    roots = [Path(a) for a in argv if a != "--list"] or [Path("auditor")]
    for root in roots:  # first the aliases, which any module may import
        for _ in range(2):  # an alias of an alias
            for path in sorted(root.rglob("*.py")):
                ALIASES.update(aliases(ast.parse(path.read_text(encoding="utf-8"), str(path))))
    found: dict[str, list[str]] = {"functions": [], "deeper": [], "class fields": []}
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            own = {id(f) for f in functions(tree)}
            found["functions"] += [f"{path}:{f.lineno} {f.name}" for f in functions(tree)]
            found["deeper"] += [f"{path}:{f.lineno} {f.name}" for f in functions(tree, True) if id(f) not in own]
            found["class fields"] += [f"{path}:{f.lineno} {c.name}.{f.target.id}" for c, f in fields(tree)]  # type: ignore[union-attr]
    if listing:
        for what, names in found.items():
            print(f"{what}:", *names, sep="\n  ")
    print(
        f"{len(found['functions'])} functions take or return an untyped dict "
        f"({len(found['deeper'])} more hold one deeper in a parameter or their return); "
        f"{len(found['class fields'])} class fields are one"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
