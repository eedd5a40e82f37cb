"""The guidance of the `hygiene:` rules, one module per rule module (auditor/rules/hygiene)."""

from __future__ import annotations

from ...library import RuleGuidance
from . import accounts, assignment_errors, overlap, upkeep

GUIDANCE: tuple[RuleGuidance, ...] = (*accounts.GUIDANCE, *assignment_errors.GUIDANCE, *overlap.GUIDANCE,
                                      *upkeep.GUIDANCE)
