"""auditor/'s folders show its layers (docs/architecture.md): the top level holds the pipeline's few
modules, and everything else sits in the folder of its layer. A new module at the top level fails
here: put it in the package of its layer (the shared plumbing in common/, the data model in data/,
what reads every rule to load or describe a policy in policyset/), or name it here with its reason.

The import contracts (pyproject.toml, tests/core/test_layers.py) hold the arrows; this holds what
they cannot see: that the folders are the layers."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]

# the modules of auditor/'s top level, each with its reason
TOP_LEVEL = {
    "__init__": "the package: its version and start time",
    "__main__": "python -m auditor",
    "cli": "the command line's parser and entry point",
    "cli_examples": "the examples each command's help ends with, beside the parser",
    "demo": "the one seam to the developer tools (--demo)",
    "demo_write": "the write path's --demo (plan, apply and undo on the sample tenant), wrapped around them by cli",
    "graph_cli": "the command line's Graph glue, above graph/",
    "billing_cli": "the billing sources' reads as the flags ask (the demo's stand-ins too), above billing/",
    "wording": "every rule with its texts, rendered in a locale",
}
# the packages of the lowest layers, and what each may import of auditor
LOWEST = {"auditor.common": set(), "auditor.data": {"auditor.common"}}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("auditor", "auditor_dev", include_external_packages=False)


def test_the_top_level_holds_only_the_pipelines_modules() -> None:
    found = {path.stem for path in (ROOT / "auditor").glob("*.py")}
    assert sorted(found - set(TOP_LEVEL)) == [], "a new module goes into the package of its layer"
    assert sorted(set(TOP_LEVEL) - found) == [], "a module named here is gone: take it off the list"


def test_the_lowest_layers_import_only_what_is_below_them(graph: grimp.ImportGraph) -> None:
    for package, allowed in LOWEST.items():
        imported = {
            ".".join(target.split(".")[:2])
            for module in graph.find_descendants(package) | {package}
            for target in graph.find_modules_directly_imported_by(module)
            if target.startswith("auditor")
        }
        assert imported - {package} <= allowed, package


@pytest.mark.parametrize("package", ["auditor.graph", "auditor.billing"])
def test_the_readers_import_nothing_above_them(graph: grimp.ImportGraph, package: str) -> None:
    """The arrows that climbed back up: graph/ imported demo (and through it auditor_dev), and so did
    billing/ for the demo's commerce stand-ins (issue 98); graph_cli and billing_cli do that now."""
    above = (
        "auditor.demo",
        "auditor.graph_cli",
        "auditor.billing_cli",
        "auditor.cli",
        "auditor.commands",
        "auditor_dev",
    )
    climbing = sorted(
        f"{module} -> {target}"
        for module in graph.find_descendants(package) | {package}
        for target in graph.find_modules_directly_imported_by(module)
        if target.startswith(above)
    )
    assert climbing == []
