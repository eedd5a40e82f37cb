"""The guidance of the `catalog:` and seat lifecycle rules, one module per rule module (auditor/rules/seats)."""

from __future__ import annotations

from ...library import RuleGuidance
from . import catalog, lifecycle

GUIDANCE: tuple[RuleGuidance, ...] = (*catalog.GUIDANCE, *lifecycle.GUIDANCE)
