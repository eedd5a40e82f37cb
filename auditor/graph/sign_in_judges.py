"""Whether a nightly's filtered sign-in request can change a finding: only when one of the users it
could change is one the rules judge by sign-in times (auditor.policy.objects.SignInJudges): a person
(User.kind, after the policies' `account_kinds:`) outside a rule's `except`.

The users come from tonight's listing, before any sign-in is read, with what the collector reads of
their kind beyond it (collector.known_kinds: their mailbox purposes, asked early, and the agent
users, read beside the listing), where the policies read those at all; a purpose not read leaves the
account a person. A rule that finds mailboxes among the accounts whose purpose is read
(shared-mailbox-licensed) judges every account but a resource, Teams Rooms or agent account,
whatever a policy declares: the purpose of an enabled account is read only when it looks dormant.
A selector that names a group the collection did not read (refused, or not found) cannot be judged,
and the user counts as judged."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.data.enums import AccountKind, Cloud
from auditor.data.model import Group, TenantSnapshot, User
from auditor.policy.index import TenantIndex
from auditor.policy.objects import SignInJudges
from auditor.policy.selectors import DECLARED_KINDS

# the kinds a mailbox rule finds among the accounts whose purpose is read (beside Graph's people)
MAILBOX_KINDS = frozenset((AccountKind.SHARED, AccountKind.ROOM, AccountKind.EQUIPMENT))


def judged(users: Sequence[User], groups: Sequence[Group], judges: SignInJudges) -> list[User]:
    """The users of `users` a rule judges by sign-in times, in order (selected as the engine selects
    them: auditor.policy.index.TenantIndex over these users and the groups read)."""
    if not users:
        return []
    named = {g.id.lower() for g in groups} | {g.display_name.lower() for g in groups}
    if any(ref.lower() not in named for s in judges.selectors for ref in s.groups):
        return list(users)  # a group not read: who it holds is not known
    snapshot = TenantSnapshot("", "", Cloud.WORLDWIDE, "", (), (), users, tuple(groups))
    index = TenantIndex(snapshot)
    # break_glass before service, as the engine declares them: either way the account is no person
    index.declare_kinds(sorted(judges.declared, key=lambda k: DECLARED_KINDS.index(AccountKind(k.kind))))
    people = [index.excluded(s) for s in judges.excepted]
    mailboxes = [index.excluded(s) for s in judges.mailboxes]

    def judges_it(pos: int, user: User) -> bool:
        if index.kind_of(user).person and any(out is not None and pos not in out for out in people):
            return True
        mailbox = user.kind.person or user.kind in MAILBOX_KINDS  # Graph's kind, whatever is declared
        return mailbox and any(out is not None and pos not in out for out in mailboxes)

    return [user for pos, user in enumerate(users) if judges_it(pos, user)]
