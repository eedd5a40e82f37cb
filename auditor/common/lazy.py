"""Lazy package exports (PEP 562), for the packages whose modules load heavy dependencies.

A package's `__init__` names what its modules define (`{"GraphClient": "client", ...}`) and sets
`__getattr__ = lazy_exports(__name__, WHERE)`: a module is imported when one of its names is first
used, so `--help`, `validate` and snapshot audits never load the Graph SDK or the mail builder."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """The module `__getattr__` of `package`: name -> the module of `package` that defines it."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f".{module}", package), name)

    return __getattr__
