"""The rule under `moves:`: users to move from one product to another.

subscription_move.py        subscription-move: who the policy's moves apply to
subscription_move_texts.py  its texts, message and remediation
"""

from __future__ import annotations

from typing import Any

from ..base import Rule
from .subscription_move import SubscriptionMove

# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new module's are a line here
RULES: tuple[Rule[Any], ...] = (SubscriptionMove(),)

__all__ = ["RULES"]
