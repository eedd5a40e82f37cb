"""Rules under `hygiene:` — licenses that are wasted or broken regardless of population.

One module per topic, each beside its texts (accounts.py and accounts_texts.py, kinds.py, assignment_errors.py,
copilot_chat_only.py (a Copilot seat without Graph-grounded chat),
overlap.py, upkeep.py and theirs; base.py: what the hygiene rules share). The order below is the
registry's (the schema and the reports list the rules in it).
"""

from __future__ import annotations

from typing import Any

from auditor.data.sign_ins import dormant, last_sign_in

from . import accounts, assignment_errors, copilot_chat_only, kinds, overlap, upkeep
from .accounts import (
    DisabledUserLicensed,
    InactiveUserLicensed,
    SharedMailboxLicensed,
    SharedMailboxUnlicensed,
)
from .base import HygieneRule, UserHygieneRule, mailbox_extra

# the folder's rules, in the registry's order (auditor.rules.RULES takes them): a new module's are a line here
RULES: tuple[HygieneRule[Any], ...] = (
    *accounts.RULES,
    *kinds.RULES,
    *assignment_errors.RULES,
    *overlap.RULES,
    *upkeep.RULES,
    *copilot_chat_only.RULES,
)

# The rules whose accounts the collector reads the mailbox purpose of (see graph.collector.MailboxCheck).
MAILBOX_RULES: tuple[HygieneRule[Any], ...] = tuple(
    r for r in RULES if isinstance(r, DisabledUserLicensed | InactiveUserLicensed | SharedMailboxLicensed)
)

__all__ = [
    "MAILBOX_RULES",
    "HygieneRule",
    "InactiveUserLicensed",
    "SharedMailboxUnlicensed",
    "UserHygieneRule",
    "dormant",
    "last_sign_in",
    "mailbox_extra",
]
