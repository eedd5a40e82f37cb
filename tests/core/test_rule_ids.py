"""One rule, one place: a rule id is written only in its rule's module. Everything else (the
engine, the guidance, the schema, the docs' tables, the tests) takes it from the registries. The
text catalogs, goldens, policies and docs are data, not code, and are not checked."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from auditor.cross_tenant.rules import MERGE_RULES
from auditor.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
DATA = (ROOT / "auditor" / "guidance" / "texts",)  # the text catalogs: keys per rule, in every locale


def _home() -> dict[str, Path]:
    return {rule.id: Path(inspect.getfile(type(rule))).resolve() for rule in (*RULES, *MERGE_RULES)}


def _offenders(paths: list[Path], home: dict[str, Path]) -> list[str]:
    out = []
    for path in paths:
        if any(path.is_relative_to(d) for d in DATA):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in home
                and home[node.value] != path.resolve()
            ):
                out.append(f"{path}:{node.lineno}: {node.value!r}")
    return out


def test_rule_id_literals_appear_only_in_their_rule_module() -> None:
    home = _home()
    paths = sorted([*ROOT.glob("auditor/**/*.py"), *ROOT.glob("tests/**/*.py")])
    offenders = _offenders(paths, home)
    assert not offenders, "take the id from the rule (e.g. SkuForbidden.id):\n" + "\n".join(offenders)


def test_the_check_sees_a_literal(tmp_path: Path) -> None:
    home = _home()
    rule_id = next(iter(home))
    probe = tmp_path / "probe.py"
    probe.write_text(f"RULE = {rule_id!r}\nKEY = 'rule.{rule_id}.title'\n", encoding="utf-8")
    assert len(_offenders([probe], home)) == 1
