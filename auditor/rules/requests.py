"""What the collector reads for a set of policies, from one place: the declarations (`Rule.reads`,
auditor.data.reads.Reads) of the rules the policies switch on, with what each rule's family takes from
its policy entry (Rule.requests), and what the policy's `account_kinds:` select by. auditor.graph_cli turns
the result into the requests."""

from __future__ import annotations

from .. import rules as registry  # RULES looked up when asked: a test may register a rule of its own
from ..data.reads import Requests
from ..policy.objects import PolicySet, Selector, SignInJudges
from ..snapshot import MAILBOX_SETTINGS, SIGN_IN_ACTIVITY
from .hygiene.base import HygieneRule


def requests_of(policies: PolicySet) -> Requests:
    """The union of the requests of every registered rule each policy switches on, with what their
    selectors (`match:`, `except:`) select by: the user attributes named, the agent users for `kinds:`."""
    out = Requests()
    for policy in policies.policies:
        for declared in policy.account_kinds:  # `account_kinds:` selects by what the rules' selectors do
            out = out.merge(Requests(user=declared.match.reads))
        for rule in registry.RULES:
            if rule.configured(policy):
                out = out.merge(rule.requests(policy))
                for selector in rule.selectors(policy):
                    out = out.merge(Requests(user=selector.reads))
    return out


def sign_in_judges(policies: PolicySet) -> SignInJudges:
    """Whom the configured rules judge by sign-in times (SignInJudges): the rules that read the sign-in
    activity (inactive-user-licensed: people, outside its `except`); the usage rules (`usage:`), whose
    grace for a product given within the window compares it with the last sign-in, every person they
    judge; and a rule that reads the mailbox purposes itself for licensed accounts
    (shared-mailbox-licensed), which are read of an enabled account only when it looks dormant. The
    first two judge people only, and the policies' `account_kinds:` say who else is not one."""
    excepted: list[Selector | None] = []
    mailboxes: list[Selector | None] = []
    for policy in policies.policies:
        for rule in registry.RULES:
            if not rule.configured(policy):
                continue
            check = rule.check_of(policy) if isinstance(rule, HygieneRule) else None
            left_out = check.except_ if check is not None else None
            if SIGN_IN_ACTIVITY in rule.reads.parts:
                excepted.append(left_out)
            elif rule.section == "usage":
                excepted.append(None)
            elif MAILBOX_SETTINGS in rule.reads.parts and not rule.reads.unlicensed:
                mailboxes.append(left_out)
    declared = tuple(k for p in policies.policies for k in p.account_kinds)
    return SignInJudges(tuple(excepted), declared, tuple(mailboxes))
