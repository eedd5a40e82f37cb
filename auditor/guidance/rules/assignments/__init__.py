"""The guidance of the `assignments:` rules, one module per rule module (auditor/rules/assignments)."""

from __future__ import annotations

from ...library import RuleGuidance
from . import combination, selection

GUIDANCE: tuple[RuleGuidance, ...] = (*selection.GUIDANCE, *combination.GUIDANCE)
