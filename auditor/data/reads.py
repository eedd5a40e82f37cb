"""What a rule reads of the tenant, and what the collector reads for a set of policies.

`Reads` is the one declaration each rule makes (`reads = Reads(...)` in its class): the collector
reads what the rules the policies switch on declare (auditor.rules.requests gathers `Requests` from
them; auditor.graph_cli turns those into the collection), and the engine leaves a rule
"not evaluated" when a part it declares is missing from the snapshot. Nothing else decides what is
read, but for the bill's one read (`Requests.copilot_credits`, which the audit adds when it builds a
bill): a new rule that declares a new part gets it read, on the demo as on a tenant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from auditor.data.access_records import ACCESS_SCOPE
from auditor.data.account_kinds import ROOMS
from auditor.data.agents import AGENT_IDENTITIES, AGENT_USERS
from auditor.data.protection_rules import MAIL_READS
from auditor.data.usage_data import REPORTS, USAGE_REPORTS, UsageNeed

# auditor.snapshot's names of these parts (a test holds them equal), which are user properties too
SIGN_IN = "signInActivity"
MAILBOX = "mailboxSettings"


@dataclass(frozen=True)
class Without:
    """What a rule still judges without a part it reads, and what it cannot: a gap in that part hides only
    the findings whose details' `key` is one of `values` (a room mailbox the places listing alone names),
    and `said` names those judgements in the report (its `{what}`: the part). The engine evaluates the
    rule and records those judgements as not evaluated (NotEvaluated.only), so a previous run's such
    finding is unverified, not resolved, while the rule's other findings are judged as ever."""

    key: str
    values: frozenset[str]
    say: Callable[..., str]


@dataclass(frozen=True, init=False)
class Reads:
    """What a rule reads: `Reads("users", "signInActivity", user={...}, usage={...})`.

    - `parts`: the snapshot parts (Gap.dataset) it judges from: "users", "subscribedSkus",
      "subscriptions", "groups", "signInActivity", "mailboxSettings", "usageReports", "accessScope".
      Without one (a gap, or a part the snapshot was not read with) the rule is "not evaluated".
    - `user`: the Graph user properties its test of one user reads. When they are all properties
      users share (auditor.policy.index.SHARED_READS) the index asks the test once per license profile
      and gives its answer to every user of the profile; a user attribute (auditor.data.attributes) is
      selected with the users; "signInActivity" and "mailboxSettings" are read as their parts, and
      "agentUsers" (the account kind's agent users, each its own: User.kind) as theirs, "rooms" (the
      places listing's rooms, folded into the mailbox purpose) as its own.
    - `usage`: the usage report columns (UserUsage fields, auditor.data.usage_data) it reads when they
      are there, e.g. the mailbox and OneDrive sizes a removal's safety rests on.
    - `unlicensed`: it reads the mailbox purpose of unlicensed accounts too (those the mailbox
      usage report shows large enough to need a license if shared), not only of licensed ones.
    - `without`: the parts it reads whose gap hides only some of its judgements (Without), not the
      rule: it is evaluated on the rest, and the judgements the gap hides are named as not evaluated.
    """

    parts: frozenset[str]
    user: frozenset[str]
    usage: frozenset[str]
    unlicensed: bool
    without: Mapping[str, Without] = field(default_factory=dict, hash=False)  # a dict: not part of the hash

    def __init__(
        self,
        *parts: str,
        user: Iterable[str] = (),
        usage: Iterable[str] = (),
        unlicensed: bool = False,
        without: Mapping[str, Without] | None = None,
    ) -> None:
        object.__setattr__(self, "parts", frozenset(parts))
        object.__setattr__(self, "user", frozenset(user))
        object.__setattr__(self, "usage", frozenset(usage))
        object.__setattr__(self, "unlicensed", unlicensed)
        object.__setattr__(self, "without", dict(without or {}))


@dataclass(frozen=True)
class Requests:
    """What one collection reads: the union of the declarations of the rules the policies switch
    on, with what their policy entries add (the windows in days, the usage columns of the
    workloads a `usage:` entry measures, `grace_days`)."""

    parts: frozenset[str] = frozenset()
    user: frozenset[str] = frozenset()  # Graph user properties (auditor.data.reads.Reads.user)
    usage: frozenset[str] = frozenset()  # usage report columns (UserUsage fields)
    usage_days: int = 0  # the longest window the usage columns are judged over
    sign_in_days: int | None = None  # the shortest sign-in window (whose dormant accounts' mailboxes are asked)
    unlicensed: bool = False
    disable_times: bool = False  # when each account was disabled: its leave date, the audit log's entries
    # the tenant's Copilot Credits balance (Graph beta), for the bill beside its Copilot seats: asked by the
    # audit that builds a bill (auditor.pipeline), not by a rule
    copilot_credits: bool = False
    # the longest window (days) of the copilot_seats entries that ask for the audit log's Copilot Chat users
    # (auditor.graph.copilot_audit); 0: the audit log is not read
    copilot_audit_days: int = 0
    # the fewest nights between the nightly's full reads of sign-in activity a policy sets (None: the default)
    sign_in_full_every: int | None = None

    @staticmethod
    def of(reads: Reads) -> Requests:
        return Requests(reads.parts, reads.user, reads.usage, unlicensed=reads.unlicensed)

    def merge(self, other: Requests) -> Requests:
        windows = [d for d in (self.sign_in_days, other.sign_in_days) if d is not None]
        every = [n for n in (self.sign_in_full_every, other.sign_in_full_every) if n is not None]
        return Requests(
            self.parts | other.parts,
            self.user | other.user,
            self.usage | other.usage,
            max(self.usage_days, other.usage_days),
            min(windows) if windows else None,
            self.unlicensed or other.unlicensed,
            self.disable_times or other.disable_times,
            self.copilot_credits or other.copilot_credits,
            copilot_audit_days=max(self.copilot_audit_days, other.copilot_audit_days),
            sign_in_full_every=min(every) if every else None,
        )

    @property
    def sign_in(self) -> bool:
        return SIGN_IN in self.parts or SIGN_IN in self.user

    @property
    def mailboxes(self) -> bool:
        """Whether the mailbox purposes of the accounts the rules could flag are read."""
        return MAILBOX in self.parts or MAILBOX in self.user

    @property
    def agents(self) -> bool:
        """Whether the agent users and their agent identities are read (auditor.data.agents)."""
        return AGENT_USERS in self.parts or AGENT_USERS in self.user or self.agent_identities

    @property
    def agent_identities(self) -> bool:
        """Whether the agent identities are read too (AgentIdentity.Read.All): only for a rule that
        judges whether an agent user's parent lives (agent-user-orphaned)."""
        return AGENT_IDENTITIES in self.parts or AGENT_IDENTITIES in self.user

    @property
    def rooms(self) -> bool:
        """Whether the places listing's rooms are read (Place.Read.All): for a rule that judges room mailboxes."""
        return ROOMS in self.parts or ROOMS in self.user

    @property
    def mail_domains(self) -> bool:
        """Whether the users' mail addresses are selected (mail, proxyAddresses): for a Defender for Office 365
        rule's `RecipientDomainIs` (auditor.impact.entitlement_scope)."""
        return bool(self.user & frozenset(MAIL_READS))

    @property
    def access_scope(self) -> bool:
        return ACCESS_SCOPE in self.parts

    @property
    def usage_need(self) -> UsageNeed | None:
        """The usage reports holding the columns read, over the longest window; None when no rule
        reads any (nothing is asked then, and no permission is needed)."""
        reports = frozenset(r.name for r in REPORTS.values() if self.usage & r.fields)
        wanted = reports or USAGE_REPORTS in self.parts
        return UsageNeed(reports, self.usage_days, self.usage) if wanted else None
