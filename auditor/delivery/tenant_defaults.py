"""The tenants file's `defaults:` block (auditor.delivery.matrix reads the file): what every tenant may share,
and what it never may. Errors name the file and the line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.common.errors import UsageError

_DEFAULTABLE = (
    "client_id",
    "cloud",
    "locale",
    "policies",
    "fail_on",
    "apply_client_id",
    "billing_client_id",
)
# The addresses that reach a customer are each tenant's own: from `defaults` one address would get every
# customer's report (email_to) or license list (list_to), so neither is taken from there.
_NEVER_DEFAULT = {
    "email_to": "one address would get every customer's report",
    "list_to": "one address would get every customer's license list",
}


def checked_defaults(raw: Any, path: Path, lines: Mapping[str, int]) -> Mapping[str, object]:
    """The `defaults:` block, checked: only what may be the same for every tenant; errors name the file
    and the line."""
    if not isinstance(raw, dict):
        line = lines.get("")
        raise UsageError(f"{path}{f':{line}' if line else ''}: 'defaults' must be a mapping")
    for key in raw:
        line = lines.get(str(key)) or lines.get("")
        where = f"{path}:{line}" if line else str(path)
        if key in _NEVER_DEFAULT:
            raise UsageError(
                f"{where}: defaults.{key} is not allowed: {_NEVER_DEFAULT[key]}; give each tenant its own {key}"
            )
        if key not in _DEFAULTABLE:
            raise UsageError(f"{where}: defaults.{key}: 'defaults' may only set {', '.join(_DEFAULTABLE)}")
    return raw
