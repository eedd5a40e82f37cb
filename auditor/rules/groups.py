"""Which groups a ready call may change the members of.

A plan joins a user to a group (a policy's `licensing_group`) or takes a user out of one only
where a call to `/groups/{id}/members` is the right fix. `membership_blocked` is the one place that
decides it for a group read from the tenant: a reason (one of auditor.guidance.remediation.BLOCKED_REASONS)
makes the call wait for a person, None lets it be ready. Graph refuses member changes to a dynamic
group (its membership rule decides), to a group synced from on-premises Active Directory (changed
there) and to a mail-enabled security group or distribution list (changed in Exchange Online); a
group whose kind the snapshot does not show is not changed either.
"""

from __future__ import annotations

from ..blocked import GROUP_DYNAMIC, GROUP_KIND_UNKNOWN, GROUP_MAIL, GROUP_SYNCED
from ..model import Group


def membership_blocked(group: Group) -> str | None:
    """Why a ready call may not add a member to `group` or remove one (None: it may)."""
    if not group.kind_known:
        return GROUP_KIND_UNKNOWN
    if group.synced:
        return GROUP_SYNCED
    if group.dynamic:
        return GROUP_DYNAMIC
    if group.mail_security:
        return GROUP_MAIL
    return None
