"""The `--demo` seam: the bundled sample tenant, its emulators and the vendors' stand-ins are developer
tools (auditor_dev.demo), which production code never imports. The top of the program registers them
(auditor.cli, the one module that names auditor_dev: the contract in pyproject.toml), and every --demo
path reaches them through this module: `demo.sample_tenant()`, `demo.commerce()`, ... resolve, at the
call, to the registered module's.

    register(load)      the command line's hook: `load` returns the demo's module (imported only then)
    provider()          that module; a UsageError when nothing is registered (a program that runs the
                        auditor's commands without its command line, and asks for --demo)
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from auditor.common.errors import UsageError

_load: Callable[[], ModuleType] | None = None


def register(load: Callable[[], ModuleType]) -> None:
    """The demo's module, loaded by `load` when --demo first asks for it."""
    global _load
    _load = load


def provider() -> ModuleType:
    if _load is None:
        raise UsageError("--demo: no demo is registered (run it through the license-auditor command line)")
    return _load()


def __getattr__(name: str) -> Any:  # demo.CLOCK, demo.sample_tenant, ...: the registered module's
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(provider(), name)
