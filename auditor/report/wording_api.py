"""What the renderers need from the remediation catalog (auditor.wording).

Renderers take the catalog as a parameter so tests can pass their own; by default they use
auditor.wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.data.remediation_json import RemediationJson
from auditor.formats.report_model import ReportFinding


class Wording(Protocol):
    ALL_RULE_IDS: tuple[str, ...]

    def title(self, rule: str, locale: Locale) -> str: ...

    def describe(self, rule: str, locale: Locale) -> str: ...

    def message(
        self, rule: str, finding: ReportFinding, *, locale: Locale, names: Mapping[str, str] | None = None
    ) -> str: ...

    def row_note(
        self, rule: str, finding: ReportFinding, *, locale: Locale, names: Mapping[str, str] | None = None
    ) -> str: ...

    def remediation(
        self, rule: str, finding: ReportFinding, *, cloud: Cloud, locale: Locale, names: Mapping[str, str] | None = None
    ) -> RemediationJson: ...


def default_wording() -> Wording:
    """auditor.wording itself: mypy checks the module against the Protocol (no cast)."""
    return wording


def directory_objects(cloud: Cloud) -> str:
    """The cloud's https://<graph>/v1.0/directoryObjects/ (auditor.wording.directory_objects)."""
    return wording.directory_objects(cloud)
