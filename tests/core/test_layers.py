"""The one-way layers of docs/architecture.md hold: import-linter's contracts in pyproject.toml
([tool.importlinter]) pass, and the layers name every module, so a new one cannot slip past them."""

from __future__ import annotations

import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import auditor
from auditor_dev.halves_contract import split_halves

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "broken" in done.stdout and ", 0 broken" in done.stdout


def _layered() -> set[str]:
    (layers,) = [c["layers"] for c in CONFIG["contracts"] if c["type"] == "layers" and c["containers"] == ["auditor"]]
    return {f"auditor.{name.strip()}" for layer in layers for name in re.split(r"[|:]", layer)}


def test_every_module_has_a_layer() -> None:
    """A module in no layer is held by no layer rule: name it in the layer it belongs to. A package
    whose modules sit in different layers (report, plan, policy, ...) is a face that imports nothing."""
    layered = _layered()

    def covered(name: str) -> bool:
        return any(name == layer or name.startswith(f"{layer}.") for layer in layered)

    def split(name: str) -> bool:
        return any(layer.startswith(f"{name}.") for layer in layered)

    missing = [
        m.name
        for m in pkgutil.walk_packages(auditor.__path__, "auditor.")
        if not covered(m.name) and not (m.ispkg and split(m.name))
    ]
    assert missing == []


def test_the_texts_contract_finds_every_rule_and_its_texts() -> None:
    """A rule's texts sit beside it (auditor/rules/<topic>/<name>_texts.py beside <name>.py): the
    contract "A rule half imports no texts half" names no module by hand, it finds the halves by name
    in every module of auditor/rules (auditor_dev/halves_contract.py), so a new pair is held by it
    with no edit of pyproject.toml."""
    (contract,) = [c for c in CONFIG["contracts"] if c["name"] == "A rule half imports no texts half"]
    assert contract["type"] == "halves" and {"auditor.rules", "auditor.rules.**"} <= set(contract["modules"])
    modules = {
        m.name for m in pkgutil.walk_packages(auditor.__path__, "auditor.") if m.name.startswith("auditor.rules.")
    }
    halves, texts = split_halves(modules, contract["suffix"])
    assert texts and {t.removesuffix("_texts") for t in texts} <= halves  # each texts module beside its rule


@pytest.mark.parametrize(
    "tool",
    [
        "from auditor.cli import main\n",  # the docs' pictures did so (issue 98): cli registers the demo
        "from auditor.__main__ import main\n",  # python -m auditor: the command line again
    ],
)
def test_the_developer_tools_cannot_reach_back_to_the_command_line(tool: str, tmp_path: Path) -> None:
    """The command line imports auditor_dev.demo (it registers it with the seam auditor.demo); a module of
    auditor_dev that imports the command line, directly or through anything that reaches it, closes a circle
    across the seam. The contract "demo-seam" breaks on it."""
    for package in ("auditor", "auditor_dev"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "auditor_dev" / "docs_tool.py").write_text(tool, "utf-8")
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint), "--no-cache", "--contract", "demo-seam"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "auditor_dev.docs_tool" in done.stdout and "BROKEN" in done.stdout, done.stdout


@pytest.mark.parametrize(
    "probe",
    [
        "fleet/probe.py",
        "insights/probe.py",  # packages the contract once listed by hand left out: found now
        "migration/probe.py",
        "probe.py",  # a new module of auditor, named nowhere
    ],
)
def test_no_module_outside_the_vendors_can_import_a_vendors_folder(probe: str, tmp_path: Path) -> None:
    """Every module of auditor outside auditor/vendors reaches a vendor through auditor.vendors.registry and
    its Protocols: one that imports a vendor's folder itself breaks the contract "vendor-folders", wherever it
    is (the modules held are found when checked, not listed)."""
    for package in ("auditor", "auditor_dev"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "auditor" / probe).write_text("from auditor.vendors.pax8.client import Pax8\n", "utf-8")
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint), "--no-cache", "--contract", "vendor-folders"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    module = "auditor." + probe.removesuffix(".py").replace("/", ".")
    assert done.returncode == 1 and module in done.stdout and "BROKEN" in done.stdout, done.stdout


def test_a_new_vendors_folder_is_held_with_no_edit_of_the_contracts(tmp_path: Path) -> None:
    """The vendors are the folders of auditor/vendors, found when the contracts are checked
    (auditor_dev/vendor_contracts.py): a new vendor's folder needs no line in pyproject.toml, and is held as
    the others are: importing another vendor breaks "A vendor is one folder", and a layer above that imports
    it breaks "vendor-folders"."""
    for package in ("auditor", "auditor_dev"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    folder = tmp_path / "auditor" / "vendors" / "acme"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""A distributor."""\n', "utf-8")
    (folder / "client.py").write_text("from auditor.vendors.protocols import Flags\n", "utf-8")
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and ", 0 broken" in done.stdout, done.stdout[-3000:]  # held, with no edit
    (folder / "client.py").write_text("from auditor.vendors.pax8 import VENDOR\n", "utf-8")
    (tmp_path / "auditor" / "fleet" / "probe.py").write_text("from auditor.vendors.acme import client\n", "utf-8")
    done = subprocess.run([str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "auditor.vendors.acme is not allowed to import auditor.vendors.pax8" in done.stdout, done.stdout[-3000:]
    assert "auditor.fleet is not allowed to import auditor.vendors.acme" in done.stdout, done.stdout[-3000:]
    assert done.returncode == 1 and ", 2 broken" in done.stdout


def test_production_code_imports_no_developer_tool_but_the_command_lines_registration() -> None:
    """auditor_dev stands beside the product: the one import of it is auditor.cli's registration of the demo
    (pyproject.toml's contract names it); every --demo path goes through the seam auditor.demo."""
    (contract,) = [c for c in CONFIG["contracts"] if c.get("forbidden_modules") == ["auditor_dev"]]
    assert contract["source_modules"] == ["auditor"] and contract["ignore_imports"] == [
        "auditor.cli -> auditor_dev.demo"
    ]
    seam = (ROOT / "auditor" / "demo.py").read_text("utf-8")
    assert "auditor_dev" not in seam.split('"""', 2)[2]  # the seam's code names no developer tool
