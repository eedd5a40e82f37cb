"""What the collector reads for a set of policies, from one place: the declarations (`Rule.reads`,
auditor.data.reads.Reads) of the rules the policies switch on, with what each rule's family takes from
its policy entry (Rule.requests), and what the policy's `account_kinds:` select by. auditor.graph_cli turns
the result into the requests."""

from __future__ import annotations

from .. import rules as registry  # RULES looked up when asked: a test may register a rule of its own
from ..data.reads import Requests
from ..policy.objects import PolicySet


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
