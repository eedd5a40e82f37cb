"""What the report says of each rule's findings: the guidance half of every rule of auditor.rules
and of the cross-tenant rules of auditor.cross_tenant.rules.

A rule (auditor/rules) says what it is and what it finds; its guidance, in the module of the same
path here (a cross-tenant rule's in cross_tenant.py), says it to a person: its English texts, the
one-line message, the remediation, and the docs of its finding (`fires_when`, `details_doc`,
`example_finding`). Each guidance class carries its rule's `id` (taken from the rule), and
auditor.rulebook finds it by that id. GUIDANCE is the one list, in the order of
auditor.rules.RULES, then auditor.cross_tenant.rules.MERGE_RULES.
"""

from __future__ import annotations

from ..library import RuleGuidance
from . import assignments, cross_tenant, entitlements, hygiene, moves, seats, usage_reports, waivers

GUIDANCE: tuple[RuleGuidance, ...] = (*assignments.GUIDANCE, *seats.GUIDANCE, *hygiene.GUIDANCE,
                                      *usage_reports.GUIDANCE, *moves.GUIDANCE, *entitlements.GUIDANCE,
                                      *waivers.GUIDANCE,
                                      *cross_tenant.GUIDANCE)
