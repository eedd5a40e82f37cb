"""The rule over the policy's own `waivers:`.

waiver_expired.py        waiver-expired: a waiver past its expiry date
waiver_expired_texts.py  its texts and message
"""

from __future__ import annotations

from typing import Any

from ..base import Rule
from .waiver_expired import WaiverExpired

# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new module's are a line here
RULES: tuple[Rule[Any], ...] = (WaiverExpired(),)

__all__ = ["RULES"]
