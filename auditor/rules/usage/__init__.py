"""Rules under `usage:`, judged from Microsoft 365's usage reports.

activity.py        product-unused, rightsize: what a user's recorded activity says of their products
activity_texts.py  their texts, message and remediation
copilot_seats.py   copilot-seat-idle: idle Copilot seats, moved to who waits for one or reduced
copilot_seats_texts.py  its texts, message and remediation
section.py         the `usage:` section's schema and parsing (each entry is one rule's)
"""

from __future__ import annotations

from typing import Any

from . import activity, copilot_seats
from .activity import UsageRule

# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new module's are a line here
RULES: tuple[UsageRule[Any], ...] = (*activity.RULES, *copilot_seats.RULES)

__all__ = ["RULES"]
