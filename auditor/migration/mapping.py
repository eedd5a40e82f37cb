"""--map products.yaml: which target product each source product becomes.

    SPE_E3: SPE_E3          # the same product
    O365_BUSINESS_PREMIUM: SPE_E3
    FLOW_FREE: null         # not needed in the target: the user moves without it

Without --map every product maps to the same part number. With --map, a product the file does not
name is unmapped: the plan names it (`no_target_product`) and never guesses. A bad file is a
located error (file:line:column, exit 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from auditor.common.errors import UsageError

from .movers import read_text


@dataclass(frozen=True)
class ProductMap:
    """Source part number (lower-case) -> target part number, or None for "not needed there"."""

    given: bool = False  # False: no --map, the same part number
    targets: dict[str, str | None] = field(default_factory=dict)

    def target(self, sku: str) -> tuple[bool, str | None]:
        """(mapped, target part number). Unmapped only when a --map was given and does not name it."""
        if not self.given:
            return True, sku
        key = sku.lower()
        if key not in self.targets:
            return False, None
        return True, self.targets[key]


def read_map(path: Path) -> ProductMap:
    text = read_text(path, "--map")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise UsageError(f"{where}: not valid YAML: {exc.problem}") from None
    if root is None:
        return ProductMap(True, {})
    if not isinstance(root, yaml.MappingNode):
        raise UsageError(f"{_at(path, root)}: the file maps source products to target products (SPE_E3: SPE_E3)")
    targets: dict[str, str | None] = {}
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
            raise UsageError(f"{_at(path, key)}: a source product's part number is expected here")
        if key.value.lower() in targets:
            raise UsageError(f"{_at(path, key)}: {key.value} is mapped twice")
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
            targets[key.value.lower()] = None
        elif isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str") and value.value.strip():
            targets[key.value.lower()] = value.value.strip()
        else:
            raise UsageError(
                f"{_at(path, value)}: {key.value} maps to a target part number (or null: not needed in the target)"
            )
    return ProductMap(True, targets)


def _at(path: Path, node: yaml.Node) -> str:
    mark = node.start_mark
    return f"{path}:{mark.line + 1}:{mark.column + 1}"
