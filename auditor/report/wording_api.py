"""What the renderers need from the remediation catalog (auditor.wording).

Renderers take the catalog as a parameter so tests can pass their own; by default they use
auditor.wording.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, cast

from auditor import wording
from auditor.data.model import Cloud, Locale


class Wording(Protocol):
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
        names: Mapping[str, str] | None = None,
    ) -> str: ...

    def row_note(
        self,
        rule: str,
        *,
        subject: Mapping[str, Any],
        skus: Sequence[str],
        details: Mapping[str, Any],
        locale: Locale,
        names: Mapping[str, str] | None = None,
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
        names: Mapping[str, str] | None = None,
    ) -> dict[str, Any]: ...


def product_names_of(seats: object) -> dict[str, str]:
    """Part number -> the product's name for people, from a report's seat table (`skus`: each row's
    `name` is the policy catalog's name, else Microsoft's); rows without a different name are left out."""
    out: dict[str, str] = {}
    for row in seats if isinstance(seats, list | tuple) else ():
        if isinstance(row, Mapping):
            part, name = row.get("sku"), row.get("name")
            if isinstance(part, str) and isinstance(name, str) and name and name != part:
                out[part] = name
    return out


def default_wording() -> Wording:
    return cast(Wording, wording)


def directory_objects(cloud: Cloud) -> str:
    """The cloud's https://<graph>/v1.0/directoryObjects/ (auditor.wording.directory_objects)."""
    return wording.directory_objects(cloud)
