"""Rules under `usage:`, judged from Microsoft 365's usage reports.

activity.py        product-unused, rightsize: what a user's recorded activity says of their products
activity_texts.py  their texts, message and remediation
"""

from __future__ import annotations

from typing import Any

from . import activity
from .activity import UsageRule

# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new module's are a line here
RULES: tuple[UsageRule[Any], ...] = (*activity.RULES,)

__all__ = ["RULES"]
