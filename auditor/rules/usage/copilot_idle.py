"""Which holders of a Copilot seat are idle, and what their finding says (copilot-seat-idle,
auditor.rules.usage.copilot_seats): the rule's check reads its holders and writes its findings through these.

`idle_holders(rule, ctx, rows, sid, days)` gives each holder the Copilot usage report lists with no use of
Copilot in the window, and who is not in its grace (created or given the seat within it), with the day of
their latest use (None: never); `finding_text(part, ...)` is the finding's English message: where
the seat goes (the candidate) or that nobody waits for it (the window that reduces it), and the last use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from auditor.data.copilot_use import last_copilot_use
from auditor.data.model import User
from auditor.data.usage_data import UserUsage

from ..base import Context
from .activity import UsageRule


def idle_holders(
    rule: UsageRule[Any], ctx: Context, rows: Mapping[str, UserUsage], sid: str, days: int
) -> list[tuple[User, str | None]]:
    """The holders (people) of `sid` the report lists with no Copilot use since the window's first day,
    outside their grace, each with their latest use's day. A holder the report does not list is not judged."""
    cutoff = ctx.as_of - timedelta(days=days)
    return [
        (user, use.day)
        for user in rule.holders(ctx, sid)
        if (row := rows.get(user.user_principal_name.lower())) is not None
        and (use := last_copilot_use(row)) is not None  # a holder the report does not list is not judged
        and not use.since(cutoff.date())
        and not rule.in_grace(user, sid, cutoff)
    ]


def finding_text(part: str, taker: str | None, latest: str | None, window: str | None) -> str:
    """The finding's message: the idle seat, where it goes (`taker`, the candidate) or the `window` that
    reduces it, its `latest` use."""
    text = f"holds an idle {part} seat; " + (
        f"it can go to {taker}" if taker else f"nobody waits for it: reduce ({window})"
    )
    return text + (f" (last Copilot activity {latest})" if latest else " (no Copilot activity in the report)")
