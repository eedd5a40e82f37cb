"""Which groups a ready call may change the members of.

A plan joins a user to a group (a policy's `licensing_group`) or takes a user out of one only
where a call to `/groups/{id}/members` is the right fix. `membership_blocked` is the one place that
decides it: a reason (one of auditor.guidance.plan.BLOCKED_REASONS) makes the call wait for a
person, None lets it be ready. Today every group read from the tenant may be changed; a group
whose members Graph does not let a call change (a dynamic group, a group synced from on-premises
Active Directory) belongs here.
"""

from __future__ import annotations

from ..model import Group


def membership_blocked(group: Group) -> str | None:
    """Why a ready call may not add a member to `group` or remove one (None: it may)."""
    return None
