"""A finding, as the rules write it and the engine gathers it into an AuditResult
(auditor.data.model re-exports it): what it is about (Subject) and its details in three parts, the
reading side's mirror (auditor.data.finding_facts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.data.enums import Severity, SubjectType


@dataclass(frozen=True, slots=True)
class Subject:
    type: SubjectType
    id: str
    upn: str | None = None  # users
    sku: str | None = None  # SKU part number, for skus and subscriptions
    display_name: str | None = None
    kind: str | None = None  # users: User.kind's value (AccountKind), what the account is

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.value, "id": self.id}
        if self.upn is not None:
            out["upn"] = self.upn
        if self.sku is not None:
            out["sku"] = self.sku
        if self.display_name is not None:
            out["display_name"] = self.display_name
        if self.kind is not None:
            out["kind"] = self.kind
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    rule: str
    severity: Severity
    policy: str  # "<policy name>/<section>[/<entry name>]"
    subject: Subject
    skus: tuple[str, ...]  # part numbers (or skuId when unknown)
    message: str
    # A finding's details in three parts, each (key, value) pairs sorted by key: the rule's own facts
    # (its TypedDict), how the user holds the products (auditor.rules.base.UserDetails, for a finding
    # on a user) and what the engine adds after evaluation (auditor.enrichment). `details` joins them.
    own: tuple[tuple[str, Any], ...] = ()
    monthly_cost: float | None = None
    waived: bool = False
    waiver: dict[str, str] | None = None
    alert: bool = True  # false: about products the catalog keeps out of alerts (`alert: false`) alone
    holding: tuple[tuple[str, Any], ...] = ()
    added: tuple[tuple[str, Any], ...] = ()

    @property
    def details(self) -> tuple[tuple[str, Any], ...]:
        """The three parts as one, sorted by key, as report.json and findings.csv carry them (the
        readers, auditor.data.finding_facts, take them apart again): the rule's own over how the
        user holds the products, the engine's over both."""
        if not self.holding and not self.added:
            return self.own
        return tuple(sorted({**dict(self.holding), **dict(self.own), **dict(self.added)}.items()))
