"""What one collection reads (collector.collect): a typed, frozen `CollectOptions`, built once from what
the rules declare (auditor.data.reads.Requests) and what the command line adds (the policies' groups,
--concurrency, a cost allocation's attributes, the nightly's kept sign-ins)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from auditor.data.attributes import is_path
from auditor.data.feature_records import FEATURE_READS
from auditor.data.reads import Requests
from auditor.data.usage_data import UsageNeed
from auditor.policy.objects import SignInJudges

from .account_state import Choice
from .arguments import DEFAULT_CONCURRENCY
from .kept_sign_ins import SignInPlan
from .mailbox_purpose import MailboxCheck
from .users import USER_FIELDS


@dataclass(frozen=True)
class CollectOptions:
    """What collector.collect reads beyond the listings every collection makes.

    `group_refs`: the groups the policies name (display names or ids), whose members are listed.
    `need_sign_in`: read the users' signInActivity.
    `mailboxes`: read the mailbox purpose of the accounts it selects (None: of nobody).
    `concurrency`: user partitions read at once, and likewise group members and batches (1: one
    request after another, /users in one chain); None: the partitions, group lookups and member
    listings as many as the tenant's directory budget allows (pacing.budget_streams, Pacing.stream),
    the mailbox-purpose batches MAILBOX_BATCHES (Outlook's, budgeted per app and mailbox, not by
    the directory's budget) and the access-scope reads DEFAULT_CONCURRENCY.
    `attributes`: user attribute paths to select (auditor.data.attributes; the rules' and a cost allocation's).
    `audits_since`: also read the directory changes since then (auditor.graph.directory_audits).
    `usage_reports`: read these Microsoft 365 usage reports after the users (graph/usage_reports.py; None: none).
    `disable_times`: also read when each account was disabled, for `grace_days`: the users'
    employeeLeaveDateTime and the directory audit's account-state entries as far back as kept, of
    the whole tenant or of the accounts that could be flagged, whichever costs fewer requests
    (account_state.py; `audit_choice` forces one way).
    `access_scope`: read what Conditional Access, PIM and dynamic groups reach after the users
    (graph/access_scope.py), for the entitlement rules, and Microsoft's own counts beside them
    (graph/license_insight.py); `scope_features`: with them, the reads of the Intune and ID Governance features
    the policies name (graph/feature_reads.py).
    `copilot_credits`: read the tenant's Copilot Credits balance once the products are in, when it
    holds a Copilot product (graph/copilot_credits.py; for the bill), and the month's use of the latest
    completed day before `copilot_credits_until` (the audit's clock, `--as-of`; None: the collection's).
    `copilot_audit_days`: read the audit log's Copilot interactions of that many days (graph/copilot_audit.py;
    0: not read), for copilot-seat-idle's candidates; the days before `copilot_audit_until` (the clock the
    rules judge by, as the idle seats are judged; None: the collection's clock).
    `sign_in_plan`: the nightly's kept sign-in activity (kept_sign_ins.py): after a full read, read
    only the users that can have gone quiet; None: every user's, every time.
    `sign_in_judges`: with a plan, whom the rules judge by sign-in times (sign_in_judges.py): a quiet
    user none of them judges costs no request; None: every licensed user counts.
    `agents`: read the agent users (graph/agent_users.py), for the rules that judge account kinds;
    `agent_identities`: their parent agent identities too (AgentIdentity.Read.All), for agent-user-orphaned.
    `rooms`: read the rooms of the places listing (graph/places.py), for the rules that judge room mailboxes.
    `mail_domains`: select the users' mail addresses (mail, proxyAddresses) with them, for whom a Defender for
    Office 365 rule's `RecipientDomainIs` reaches (User.mail_domains).
    """

    group_refs: tuple[str, ...] = ()
    need_sign_in: bool = False
    mailboxes: MailboxCheck | None = None
    concurrency: int | None = DEFAULT_CONCURRENCY
    attributes: tuple[str, ...] = ()
    audits_since: datetime | None = None
    usage_reports: UsageNeed | None = None
    disable_times: bool = False
    access_scope: bool = False
    scope_features: frozenset[str] = frozenset()
    copilot_credits: bool = False
    copilot_credits_until: datetime | None = None
    copilot_audit_days: int = 0
    copilot_audit_until: datetime | None = None
    audit_choice: Choice = Choice.AUTO
    sign_in_plan: SignInPlan | None = None
    sign_in_judges: SignInJudges | None = None
    agents: bool = False
    agent_identities: bool = False
    rooms: bool = False
    mail_domains: bool = False

    @classmethod
    def of(
        cls,
        requests: Requests,
        as_of: datetime | None = None,
        *,
        group_refs: Iterable[str] = (),
        attributes: Iterable[str] = (),
        audits_since: datetime | None = None,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        sign_in_plan: SignInPlan | None = None,
        sign_in_judges: SignInJudges | None = None,
    ) -> CollectOptions:
        """The reads of what the configured rules declare (auditor.rules.requests): the sign-in
        listing, the mailbox purposes of the accounts they could flag (dormant for the shortest
        sign-in window), the usage reports, when each account was disabled, the access scope, the
        Copilot Credits balance (for the bill), the agent users, and the user attributes they read
        beyond the listing's own properties (after `attributes`, the command's own). `as_of`: the
        clock the rules judge by; the keywords: what the command line adds."""
        declared = sorted(p for p in requests.user if is_path(p) and p not in USER_FIELDS)
        mailboxes = MailboxCheck(requests.sign_in_days, as_of, unlicensed=requests.unlicensed)
        return cls(
            group_refs=tuple(group_refs),
            need_sign_in=requests.sign_in,
            mailboxes=mailboxes if requests.mailboxes else None,
            concurrency=concurrency,
            attributes=tuple(dict.fromkeys((*attributes, *declared))),
            audits_since=audits_since,
            usage_reports=requests.usage_need,
            disable_times=requests.disable_times,
            access_scope=requests.access_scope,
            scope_features=requests.parts & frozenset(FEATURE_READS),
            copilot_credits=requests.copilot_credits,
            copilot_credits_until=as_of,
            copilot_audit_days=requests.copilot_audit_days,
            copilot_audit_until=as_of,
            sign_in_plan=sign_in_plan,
            sign_in_judges=sign_in_judges,
            agents=requests.agents,
            agent_identities=requests.agent_identities,
            rooms=requests.rooms,
            mail_domains=requests.mail_domains,
        )
