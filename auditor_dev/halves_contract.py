"""The import contract type `halves` (pyproject.toml, [tool.importlinter]): "A rule half imports no
texts half", derived from the modules' names rather than listed.

Of the modules its `modules` expressions match (wildcards: `auditor.rules.**`), those whose name ends
with `suffix` (`_texts`: auditor/rules/<topic>/<name>_texts.py) are the texts halves, the others the
rule halves; no rule half may import a texts half, nor the packages `forbidden_modules` names (with
everything in them), directly or through other modules. A new rule module and its texts module in a
topic folder are held by it with no edit of the contract (tests/core/test_layers.py)."""

from __future__ import annotations

from typing import Any

from grimp import ImportGraph
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.domain import fields
from importlinter.domain.contract import ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules
from importlinter.domain.imports import ModuleExpression


def split_halves(names: set[str], suffix: str) -> tuple[set[str], set[str]]:
    """(rule halves, texts halves) of the module names: a texts half is named with the suffix."""
    texts = {name for name in names if name.endswith(suffix)}
    return names - texts, texts


class HalvesContract(ForbiddenContract):
    """A forbidden contract whose source modules (the rule halves) and forbidden modules (the texts
    halves, and `forbidden_modules` as packages) are found in the import graph when it is checked."""

    type_name = "halves"

    modules = fields.SetField(subfield=fields.ModuleExpressionField())
    suffix = fields.StringField()
    source_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        options: Any = self  # the fields hold the parsed options (importlinter.domain.contract)
        found = module_expressions_to_modules(graph, options.modules)
        halves, texts = split_halves({m.name for m in found}, options.suffix)
        above = module_expressions_to_modules(graph, options.forbidden_modules or set(), as_packages=True)
        options.source_modules = {ModuleExpression(name) for name in sorted(halves)}
        options.forbidden_modules = {ModuleExpression(name) for name in sorted(texts | {m.name for m in above})}
        options.as_packages = False  # each module alone: a package's __init__ is a rule half too
        return super().check(graph, verbose)
