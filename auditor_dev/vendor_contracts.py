"""The import contract types that hold auditor/vendors (pyproject.toml, [tool.importlinter]), with the
vendors found as the folders of auditor/vendors rather than listed: a new vendor's folder is held by them
with no edit of pyproject.toml (tests/core/test_layers.py).

    vendor_layers     a layers contract of the `containers` package (auditor.vendors) where the layer
                      written "*" is every folder in it, each independent of the others (no vendor
                      imports another)
    vendor_folders    a forbidden contract whose forbidden modules are the folders of `container`
                      (each with everything in it), and whose source modules are every other module of
                      the package that holds `container`: the rest of the program reaches a vendor
                      through the registry and the Protocols, never its folder, a new module included
"""

from __future__ import annotations

from typing import Any

from grimp import ImportGraph
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import Layer, LayersContract, ModuleTail
from importlinter.domain import fields
from importlinter.domain.contract import ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules
from importlinter.domain.imports import ModuleExpression

EVERY_FOLDER = "*"  # the layer of vendor_layers that stands for every folder of the container


def folders(graph: ImportGraph, container: str) -> set[str]:
    """The folders directly in `container` (its subpackages that hold modules): one vendor each."""
    return {child for child in graph.find_children(container) if graph.find_children(child)}


class VendorLayersContract(LayersContract):
    """A layers contract whose layer "*" is replaced, when it is checked, by the container's folders as
    one independent layer."""

    type_name = "vendor_layers"

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        options: Any = self  # the fields hold the parsed options (importlinter.domain.contract)
        (container,) = {m.name for m in module_expressions_to_modules(graph, options.containers)}
        found = {ModuleTail(name.rsplit(".", 1)[1]) for name in folders(graph, container)}
        options.layers = [
            Layer(found, is_independent=True) if {t.name for t in layer.module_tails} == {EVERY_FOLDER} else layer
            for layer in options.layers
        ]
        return super().check(graph, verbose)


class VendorFoldersContract(ForbiddenContract):
    """A forbidden contract whose forbidden modules are the folders of `container` and whose source modules
    are the other children of the package that holds it, both found in the import graph when it is checked."""

    type_name = "vendor_folders"

    container = fields.StringField()
    source_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    forbidden_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        options: Any = self
        options.source_modules = {ModuleExpression(name) for name in sorted(outside(graph, options.container))}
        options.forbidden_modules = {ModuleExpression(name) for name in sorted(folders(graph, options.container))}
        return super().check(graph, verbose)


def outside(graph: ImportGraph, container: str) -> set[str]:
    """Every child of the package that holds `container` but `container` itself: the rest of the program."""
    parent = container.rsplit(".", 1)[0]
    return {child for child in graph.find_children(parent) if child != container}
