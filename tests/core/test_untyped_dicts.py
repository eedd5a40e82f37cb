"""scripts/untyped_dicts.py counts what issue 98 counts: the functions of auditor/ that take or return an
untyped dict (the parameter or the return itself is one, `| None` aside) and the class fields that hold one
anywhere in their annotation. Held on a small module whose every case is known, and on auditor/ itself."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("untyped_dicts", ROOT / "scripts" / "untyped_dicts.py")
assert _SPEC is not None and _SPEC.loader is not None
script = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(script)

SAMPLE = """
from typing import Any, ClassVar, Mapping, TypedDict
import typing
from msgspec import Struct, UnsetType

def bare(x: dict) -> None: ...
def any_values(x: dict[str, Any]) -> int: ...
def mapping_return() -> Mapping[str, Any] | None: ...
def unset(x: "typing.Mapping[str, Any] | UnsetType") -> None: ...
def pairs(x: tuple[tuple[str, Any], ...]) -> None: ...
async def keyword(*, x: int, y: dict[Any, Any]) -> None: ...
def typed(x: dict[str, int], y: Mapping[str, list[str]]) -> dict[str, object]: ...
def deeper(x: list[dict[str, Any]]) -> None: ...
def union(x: int | Mapping[str, Any]) -> None: ...

class Fields(Struct):
    plain: dict[str, Any]
    listed: list[dict[str, Any]]
    schema: ClassVar[dict[str, Any] | None] = None
    pairs: tuple[tuple[str, Any], ...] = ()
    typed: dict[str, int] = {}
    def method(self) -> dict: ...

class Doc(TypedDict):
    body: dict[str, Any] | None
    name: str
"""


def test_the_sample_is_counted_case_by_case() -> None:
    tree = ast.parse(SAMPLE)
    own = ["bare", "any_values", "mapping_return", "unset", "pairs", "keyword"]
    assert [f.name for f in script.functions(tree)] == [*own, "method"]
    assert [f.name for f in script.functions(tree, True)] == [*own, "deeper", "union", "method"]
    assert [f"{c.name}.{f.target.id}" for c, f in script.fields(tree)] == [
        "Fields.plain",
        "Fields.listed",
        "Fields.schema",
        "Fields.pairs",
        "Doc.body",
    ]


def test_the_script_counts_auditor() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "untyped_dicts.py"), "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    *listing, summary = done.stdout.splitlines()
    functions = listing.index("deeper:") - listing.index("functions:") - 1
    fields = len(listing) - listing.index("class fields:") - 1
    assert summary.startswith(f"{functions} functions take or return an untyped dict")
    assert summary.endswith(f"; {fields} class fields are one")
    assert functions <= 3 and fields == 0, listing  # issue 106: at most 3 functions and no field
    named = [line for line in listing if line.startswith("  ")]
    assert all(re.fullmatch(r"  auditor/\S+\.py:\d+ [\w.]+", line) for line in named), named[:3]


def test_an_alias_of_an_untyped_dict_counts_as_one() -> None:
    tree = ast.parse(
        "from typing import Any, Mapping, TypeAlias\n"
        "Details = dict[str, Any]\n"
        "Body: TypeAlias = Mapping[str, Any]\n"
        "Counts = dict[str, int]\n"
        "def renamed(x: Details) -> Body: ...\n"
        "def counted(x: Counts) -> None: ...\n"
    )
    assert sorted(script.aliases(tree)) == ["Body", "Details"]
    script.ALIASES.update(script.aliases(tree))
    try:
        assert [f.name for f in script.functions(tree)] == ["renamed"]
    finally:
        script.ALIASES.clear()
