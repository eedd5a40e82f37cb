"""What the renderers need from the remediation catalog (auditor.guidance).

Renderers take the catalog as a parameter so tests can pass their own; by default they use the
`auditor.guidance` package, imported when first needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, cast

from auditor.model import Cloud, Locale


class Guidance(Protocol):
    ALL_RULE_IDS: tuple[str, ...]

    def title(self, rule: str, locale: Locale) -> str: ...

    def describe(self, rule: str, locale: Locale) -> str: ...

    def message(
        self,
        rule: str,
        *,
        subject: Mapping[str, Any],
        skus: Sequence[str],
        details: Mapping[str, Any],
        locale: Locale,
    ) -> str: ...

    def remediation(
        self,
        rule: str,
        *,
        cloud: Cloud,
        locale: Locale,
        subject: Mapping[str, Any],
        skus: Sequence[str],
        details: Mapping[str, Any],
    ) -> dict[str, Any]: ...


def default_guidance() -> Guidance:
    return cast(Guidance, importlib.import_module("auditor.guidance"))
