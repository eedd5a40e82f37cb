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

from auditor.data.blocked import GROUP_BLOCKS
from auditor.data.model import Group


def membership_kind(group: Group | None) -> str | None:
    """`dynamic`, `synced`, `mail` or `unknown` for a group whose members no call may change (its
    rule decides; changed on premises; changed in Exchange Online; the snapshot does not show its
    kind, or it is not in the snapshot); None for a group a membership call changes."""
    if group is None or not group.kind_known:
        return "unknown"
    if group.synced:
        return "synced"
    if group.dynamic:
        return "dynamic"
    if group.mail_security:
        return "mail"
    return None


def membership_blocked(group: Group) -> str | None:
    """Why a ready call may not add a member to `group` or remove one (None: it may)."""
    kind = membership_kind(group)
    return None if kind is None else GROUP_BLOCKS[kind]
