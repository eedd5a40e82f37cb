"""The rules over what security features reach: users that Conditional Access, Privileged Identity
Management, dynamic groups or group-based licensing reach without a product that entitles them
(docs/entitlements.md).

    entitlement.py        entitlement-missing (per user) and entitlement-short (the tenant's count)
    entitlement_texts.py  their texts, message and remediation

Who each feature reaches, and which plan it needs: auditor/impact/entitlement_scope.py.
"""

from __future__ import annotations

from typing import Any

from ..base import Rule
from . import entitlement

# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new module's are a line here
RULES: tuple[Rule[Any], ...] = (*entitlement.RULES,)

__all__ = ["RULES"]
