"""Read a tenant from Microsoft Graph into a TenantSnapshot.

Requests (no request per user, apart from the batched mailbox purposes of the candidates below):
    GET /organization?$select=id,displayName
    GET /subscribedSkus       (held to the users' licenses: a skuId they hold that it lacks is a gap)
    GET /directory/subscriptions
    GET /users?$select=<what the rules need>&$top=999, all pages; in a large tenant with concurrency
        above 1, the same in partitions by the first character of userPrincipalName
        ($filter=startswith(userPrincipalName,'a'), ...; see partitions.py); read in one chain without
        a count before it, the first page asks $count=true (ConsistencyLevel: eventual) and its
        @odata.count holds the listing when GET /users/$count fails after it too
    GET /users?$select=id,signInActivity&$top=500, all pages, one after another, beside the listing
        above and never in partitions, only when a policy checks inactivity: Graph allows "GET
        signInActivity" 10 requests a minute per app per tenant and per app across tenants
        (users.py, pacing.py)
    GET /users/$count                                                        (ConsistencyLevel: eventual)
        with concurrency above 1: before the users (one chain or partitions?) and once every
        partition has started (the proof that they hold every user); with concurrency 1 only when
        the collection is still running after ETA_AFTER seconds, for the progress line's ETA (its
        failure changes nothing)
    GET /groups?$filter=displayName eq '<name>'   or   GET /groups/{id}      per policy group
    GET /groups?$filter=assignedLicenses/$count ne 0&$count=true            (ConsistencyLevel: eventual)
    GET /groups/{id}/transitiveMembers/microsoft.graph.user?$select=id&$count=true  (eventual), all pages,
        for the groups the policies name only
    GET /groups/{id}/members/microsoft.graph.user?$select=id&$count=true  (eventual), all pages,
        for the groups the policies name that also assign licenses (group-based licensing follows
        direct members only)
    GET /groups?$filter=hasMembersWithLicenseErrors eq true&$count=true&$select=id,displayName  (eventual)
        the groups whose group-based licenses failed for a member (the property is never returned,
        only filtered on); a 403 is a gap in the part hasMembersWithLicenseErrors only

    and, when a policy has `entitlements:`, the reads of access_scope.py once every user is in, and
    beside them (global cloud only) GET /beta/reports/azureADPremiumLicenseInsight (license_insight.py):
    Microsoft's own counts, optional context (a refusal is a note, not a gap)

    and, when the audit builds a bill and the tenant holds a Copilot product (a subscribedSku whose
    skuPartNumber names Copilot), once the products are in, GET
    /beta/copilot/costManagement/getTenantCreditBalance (copilot_credits.py) and the month's usage reports
    (copilot_credit_use.py), shown beside the bill's Copilot seats (a refusal is a gap);
    and when a copilot_seats entry asks for the audit log's candidates, POST /security/auditLog/queries
    and its records (copilot_audit.py: the Copilot Chat users, counted; a refusal is a gap)

    POST /$batch  {"requests": [GET /users/{id}/mailboxSettings/userPurpose, ... at most 20]}
        page by page while the users are listed, only for the accounts the disabled/inactive rules could flag
        (licensed and disabled; licensed, enabled and without a successful sign-in within the
        policies' shortest inactivity window), when the policies ask for a mailbox check

The independent reads run concurrently with the user pages, /admin/reportSettings among them;
the usage reports are asked for (all at once) beside the last pages of a partitioned read, and
their rows read once every user is listed, with the access scope, Microsoft's counts, the agents and
the rooms, beside the sign-in lane's minutes (_Run._beside); the last purposes once the sign-ins are in.
A 403 on a part becomes a Gap (signInActivity: the users are kept without it; mailboxSettings:
the purposes not read stay unknown); of an optional read (the agent and places listings, the usage
reports: optional.py, usage_reports.py) any error or malformed answer is its part's gap, and Graph's
400 "Resource not found for the segment" on the agentUser cast means no agent users (agent_users.py);
every other failure raises, except one user's answer inside
a $batch: a 404 without a "no mailbox" code (the user deleted mid-run) or another 4xx leaves that
user's purpose unknown.

Users are decoded page by page, straight from the page's bytes, into model Users that share their
profiles (auditor.data.model; nothing else of a page is kept; see UserDecoder.page).

The reads live beside this module: collection.py (what they share, the simple listings), users.py,
mailbox_purpose.py and groups.py; collect() below runs them together, as options.py's
CollectOptions asks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from auditor.common.errors import AuthError
from auditor.data.access_records import ACCESS_SCOPE, AccessScope
from auditor.data.account_kinds import ROOMS
from auditor.data.agents import AGENT_USERS, Agents
from auditor.data.audit_entries import DirectoryAudits
from auditor.data.copilot_chat_use import COPILOT_AUDIT, CopilotChatUse
from auditor.data.copilot_credit_use_data import COPILOT_CREDIT_USE, CopilotCreditUse
from auditor.data.copilot_credits_data import COPILOT_CREDITS, CopilotCredits
from auditor.data.license_insight_data import LICENSE_INSIGHT, LicenseInsight
from auditor.data.model import Gap, Group, Sku, Subscription, TenantSnapshot, User
from auditor.data.usage_data import ACTIVE_USERS, USAGE_REPORTS, UsageReports

from ..snapshot import (
    LEAVE_DATE,
    LICENSE_ERROR_GROUPS,
    MAILBOX_SETTINGS,
    SIGN_IN_ACTIVITY,
    UserDecoder,
    sku_from_graph,
    subscription_from_graph,
    with_agents,
)
from .access_scope import read_access_scope
from .account_state import AccountStates, Choice
from .agent_users import read_agents
from .arguments import DEFAULT_CONCURRENCY
from .auth import MAILBOX, PLACES, SIGN_IN, TokenClaims, check_permissions, describe_missing
from .client import GraphClient, together
from .collection import EVENTUAL, PAGE_SIZE, unlisted_products
from .copilot_audit import chat_use_within
from .copilot_credit_use import read_credits
from .directory_audits import KEPT_DAYS, audit_windows, read_audits
from .dormant_usage import idle_in, idle_through, policies_read
from .groups import GROUP_FIELDS, GroupReads, mark_license_errors
from .license_insight import read_license_insight
from .mailbox_purpose import (
    BATCH_SIZE,
    NO_MAILBOX_CODES,
    PURPOSE_PATH,
    PURPOSE_REQUEST,
    MailboxCheck,
    MailboxPurposes,
    PurposeReads,
)
from .options import CollectOptions
from .places import REQUEST as ROOMS_REQUEST
from .places import read_rooms, unread_rooms, with_rooms
from .progress import Progress
from .usage_reports import UsageCollection
from .users import (
    LEAVE_DATE_NOT_READ,
    SIGN_IN_PAGE_SIZE,
    SIGN_IN_PATH,
    USER_FIELDS,
    UserReads,
    leave_dates_granted,
    users_path,
)

__all__ = [
    "BATCH_SIZE",
    "ETA_AFTER",
    "EVENTUAL",
    "GROUP_FIELDS",
    "NO_MAILBOX_CODES",
    "PAGE_SIZE",
    "PURPOSE_PATH",
    "PURPOSE_REQUEST",
    "SIGN_IN_PAGE_SIZE",
    "SIGN_IN_PATH",
    "USER_FIELDS",
    "CollectOptions",
    "MailboxCheck",
    "PurposeReads",
    "collect",
    "users_path",
]

ETA_AFTER = 10.0  # seconds of collecting after which the user total is asked for (progress ETA)


class _Collection(UserReads, MailboxPurposes, GroupReads):
    """Every read of one collection, on one shared state (collection.ReadState)."""


def _now() -> datetime:
    return datetime.now(UTC)


async def _none() -> None:
    return None


def _check_access(state: _Collection, claims: TokenClaims | None, options: CollectOptions) -> tuple[bool, bool]:
    """Whether to read signInActivity, and whether the mailbox purposes may be read. AuthError when
    the token lacks a permission the run cannot do without; a missing signInActivity is a gap."""
    if options.disable_times:  # employeeLeaveDateTime, where the app may read it (users.py)
        state.leave_dates = leave_dates_granted(claims)
        if not state.leave_dates:
            state.notes.append(LEAVE_DATE_NOT_READ.format(why="the app's token lacks the role"))
    need_sign_in, need_mailbox = options.need_sign_in, options.mailboxes is not None
    check = check_permissions(claims, need_sign_in=need_sign_in, need_mailbox=need_mailbox)
    if check.note:
        state.progress.note(f"note: {check.note}")
    blocking = tuple(p for p in check.missing if p is not SIGN_IN and p is not MAILBOX)
    if blocking:
        raise AuthError(describe_missing(blocking))
    if SIGN_IN in check.missing:
        state.gaps.append(Gap(SIGN_IN_ACTIVITY, f"GET {SIGN_IN_PATH}", describe_missing((SIGN_IN,))))
        state.progress.note("the app lacks AuditLog.Read.All; reading users without signInActivity")
        return False, MAILBOX not in check.missing
    return need_sign_in, MAILBOX not in check.missing


async def _purposes(
    state: _Collection,
    mailboxes: MailboxCheck | None,
    users: list[User],
    signed: bool,
    now: datetime,
    prefetch: PurposeReads | None,
    *,
    granted: bool,
) -> bool:
    """Read the mailbox purposes of the users `mailboxes` selects (None: of nobody, the prefetch
    cancelled); whether they were read. Without MailboxSettings.Read a gap, when anyone needs one."""
    if mailboxes is None:
        if prefetch is not None:
            await prefetch.cancel()
        return False
    positions = mailboxes.candidates(users, now, signed)
    if not granted and positions:
        state.gaps.append(Gap(MAILBOX_SETTINGS, PURPOSE_REQUEST, describe_missing((MAILBOX,))))
        state.progress.note("the app lacks MailboxSettings.Read; shared mailboxes cannot be told apart")
        return False
    return await state.purposes(users, positions, prefetch)


async def _scope(state: _Collection, users: list[User] | None, features: frozenset[str]) -> AccessScope | None:
    """What Conditional Access, PIM and dynamic groups reach (graph/access_scope.py), once every
    user is in; None when not asked for (or the users could not be read)."""
    if users is None:
        return None
    return await read_access_scope(state.client, state.gaps, (u.id for u in users), state.concurrency, features)


async def _agents(state: _Collection, asked: bool, identities: bool) -> Agents | None:
    """The agent users (and, `identities`, their agent identities: graph/agent_users.py) when a rule
    judges kinds; None otherwise."""
    return await read_agents(state.client, state.gaps, state.notes, identities=identities) if asked else None


async def _rooms(state: _Collection, claims: TokenClaims | None, asked: bool) -> frozenset[str] | None:
    """The rooms of the places listing (graph/places.py) when a rule judges room mailboxes; None
    otherwise, or when the token lacks Place.Read.All (a gap, without a request)."""
    if not asked:
        return None
    if PLACES in check_permissions(claims, need_sign_in=False, need_places=True).missing:
        state.gaps.append(Gap(ROOMS, f"GET {ROOMS_REQUEST}", describe_missing((PLACES,))))
        return None
    return await read_rooms(state.client, state.gaps, state.notes)


async def _insight(state: _Collection, asked: bool) -> LicenseInsight | None:
    """Microsoft's own counts (graph/license_insight.py) when the access scope is read; None otherwise."""
    return await read_license_insight(state.client, state.notes) if asked else None


_Credits = tuple[CopilotCredits | None, CopilotCreditUse | None]  # the balance and the month's use


def _account_states(
    now: datetime, causes_since: datetime | None, users: asyncio.Future[list[User]], progress: Progress, choice: Choice
) -> AccountStates:
    """The account-state entries grace_days reads: back KEPT_DAYS, and every account's since the
    causes' interval begins (when they are read)."""
    return AccountStates(now - timedelta(days=KEPT_DAYS), now, users, progress, choice, recent=causes_since)


def _each_page(hooks: list[Callable[[list[User], bool], None]]) -> Callable[[list[User], bool], None]:
    """One page hook that calls each of `hooks` in turn."""

    def each_page(page: list[User], signed: bool) -> None:
        for hook in hooks:
            hook(page, signed)

    return each_page


@dataclass(frozen=True)
class _Listed:
    """What the first reads bring, all at once: the organization, the listings and the users."""

    org: tuple[str, str]
    skus: list[Sku]
    subs: list[Subscription]
    groups: list[Group]
    flagged: dict[str, str] | None  # the groups with license errors (None: not readable)
    users: list[User]
    signed: bool  # the users came with their signInActivity
    changes: DirectoryAudits | None
    users_read: bool  # no gap in the users


@dataclass(frozen=True)
class _Beside:
    """What is read once the users are listed, beside their sign-in activity (_Run._beside)."""

    usage: UsageReports | None
    usage_gaps: list[Gap]
    scope: AccessScope | None
    insight: LicenseInsight | None
    agents: Agents | None
    rooms: frozenset[str] | None


@dataclass(frozen=True)
class _Later:
    """What is read once every user is in."""

    users: list[User]  # with their agents
    usage: UsageReports | None
    purposes_read: bool
    scope: AccessScope | None
    insight: LicenseInsight | None
    credits: _Credits  # the balance and the month's use
    agents: Agents | None
    rooms: frozenset[str] | None  # the places listing's rooms (their addresses); None: not read
    chat_use: CopilotChatUse | None  # the audit log's Copilot interactions (copilot_audit.py); None: not read


class _Run:
    """One collection: its shared state, its options, and the reads that go on beside the users
    listing (the mailbox purposes' prefetch, the usage reports)."""

    def __init__(self, client: GraphClient, options: CollectOptions, clock: Callable[[], datetime], progress: Progress):
        self.client, self.options, self.clock = client, options, clock
        self.state = _Collection(client, progress, options.concurrency or DEFAULT_CONCURRENCY)
        self.state.streams, self.state.attributes = options.concurrency, options.attributes
        self.state.mail_domains = options.mail_domains
        self.prefetch: PurposeReads | None = None
        self.reports: UsageCollection | None = None
        self.mailbox_granted = False
        self.claims: TokenClaims | None = None  # the token's, once start() has them
        # the agent users' read (when a rule judges kinds), started beside the listing: sign_in_judges waits for it
        self.agents: asyncio.Task[Agents | None] | None = None
        # what needs the listed users, not their sign-in activity: on the nightly read while the lane waits
        self.beside: asyncio.Task[_Beside] | None = None

    def start(self, claims: TokenClaims | None) -> bool:
        """Check the token's permissions and hook the reads of each page of users to the listing;
        whether to read signInActivity."""
        state, options = self.state, self.options
        self.claims = claims
        with_sign_in, self.mailbox_granted = _check_access(state, claims, options)
        state.sign_in_plan, state.sign_in_clock = options.sign_in_plan, self.clock
        state.sign_in_judges = options.sign_in_judges
        state.tenant_hint = (claims.tid or "") if claims else ""
        # one budget across tenants per app in the process (pacing.AppBudget)
        self.client.pacing.share((claims.app or "") if claims else "")
        hooks: list[Callable[[list[User], bool], None]] = []  # each page of users, as read
        if options.mailboxes is not None and self.mailbox_granted:
            # the purposes of each page's candidates are asked for while the listing goes on
            self.prefetch = PurposeReads(state)
            now, reads, check_of = self.clock(), self.prefetch, options.mailboxes

            def ask(page: list[User], signed: bool) -> None:
                reads.ask([page[i].id for i in check_of.candidates(page, now, signed)])

            hooks.append(ask)
            state.signed_hook = partial(ask, signed=True)  # the dormant ones, as their sign-ins come in
        if options.usage_reports is not None:
            reports = self.reports = UsageCollection(self.client, options.usage_reports, state.progress, claims)
            hooks.append(lambda page, signed: reports.page(page))
            state.near_end = reports.start  # the reports are asked for beside the last pages of users
        if hooks:
            state.page_hook = _each_page(hooks)
        if options.sign_in_judges is not None:
            state.kinds_hook = self.known_kinds
        if options.sign_in_plan is not None:  # the dormant accounts' usage since the kept read (dormant_usage.py)
            state.idle_hook = self.idle_since
        return with_sign_in

    async def idle_since(self, users: list[User], since: datetime, now: datetime) -> tuple[str | None, str]:
        """Whether the usage report shows the nightly's dormant `users` idle since `since`
        (dormant_usage.py): from the policies' own read of it when they read it over as many days (no
        request more; every page of users has been seen, so its rows can be kept now), else from a
        read of its own."""
        reports, covers = self.reports, (now.date() - since.date()).days + 1
        if reports is not None and ACTIVE_USERS.name in reports.need.reports:
            usage, gaps = await reports.read()
            if usage is not None and policies_read(usage, gaps, covers):
                return idle_in(usage, users, since, now)
        return await idle_through(self.client, self.state.progress, self.claims, users, since, now)

    async def known_kinds(self, users: list[User]) -> list[User]:
        """`users` (the nightly's quiet licensed ones, before its sign-in read) with what tells their
        kind beyond the listing, where the rules read it: their mailbox purposes, asked now (as
        they would be once the kept read shows them dormant) and set only on these copies, and their
        agent parents (the agent users' read, started beside the listing)."""
        if self.prefetch is not None:
            await self.prefetch.finish([u.id for u in users])
            found = self.prefetch.found
            users = [u.with_values(mailbox_purpose=found[u.id]) if u.id in found else u for u in users]
        if self.agents is not None:
            users = with_agents(users, await self.agents)
        return users

    async def listings(self, claims: TokenClaims | None, with_sign_in: bool) -> _Listed:
        """The organization, products, subscriptions, groups and users, with the directory audit
        beside them; on a failure the reads beside the listing are cancelled."""
        state, options, client, reports = self.state, self.options, self.client, self.reports
        # With concurrency the users listing counts the users itself (partitions.py)
        total = asyncio.ensure_future(state.user_total(ETA_AFTER) if state.streams == 1 else asyncio.sleep(0))
        windows = audit_windows(options.audits_since, account_states=options.disable_times)
        users_in: asyncio.Future[list[User]] = asyncio.get_running_loop().create_future()
        accounts = (
            _account_states(self.clock(), options.audits_since, users_in, state.progress, options.audit_choice)
            if options.disable_times
            else None
        )
        audits = (
            read_audits(client, windows, self.clock(), claims, state.gaps, accounts) if windows or accounts else _none()
        )
        if options.agents:
            self.agents = asyncio.ensure_future(_agents(state, True, options.agent_identities))

        state.listed_hook = partial(self._listed, users_in)

        # the groups, for the sign-in read's judges (users.py: whom an `except:` or a declaration selects)
        groups_in = state.groups_in = asyncio.get_running_loop().create_future()

        async def read_groups() -> list[Group]:
            found = await state.groups(options.group_refs, UserDecoder(with_sign_in=False))
            groups_in.set_result(found)
            return found

        try:
            org, skus, subs, groups, flagged, (users, signed), changes, _ = await together(
                state.organization(state.tenant_hint),
                state.listing("subscribedSkus", "/subscribedSkus", sku_from_graph),
                state.listing("subscriptions", "/directory/subscriptions", subscription_from_graph),
                read_groups(),
                state.license_error_groups(),
                state.users(with_sign_in),
                audits,
                reports.prepare() if reports is not None else _none(),
            )
        except BaseException:
            for task in (self.beside, self.agents):
                if task is not None:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
            if self.prefetch is not None:
                await self.prefetch.cancel()
            if reports is not None:
                await reports.cancel()
            raise
        finally:
            total.cancel()  # still waiting on a throttled count: not worth a second more
            await asyncio.gather(total, return_exceptions=True)
        users_read = not any(g.dataset == "users" for g in state.gaps)
        if users_read and not any(g.dataset == "subscribedSkus" for g in state.gaps):
            unlisted = unlisted_products(skus, users)  # the products are held to the users' licenses
            if unlisted is not None:
                state.gaps.append(unlisted)
                state.progress.note(f"subscribedSkus: {unlisted.reason}")
        return _Listed(org, skus, subs, groups, flagged, users, signed, changes, users_read)

    async def _usage_reports(self, users_read: bool) -> tuple[UsageReports | None, list[Gap]]:
        if self.reports is None:
            return None, []
        if not users_read:
            await self.reports.cancel()
            return None, []
        return await self.reports.read()

    async def _agents(self, users_read: bool) -> Agents | None:
        """The agent users' read started beside the listing; None when not asked, or the users were not read."""
        if self.agents is None:
            return None
        if not users_read:
            self.agents.cancel()
            await asyncio.gather(self.agents, return_exceptions=True)
            return None
        return await self.agents

    def _listed(self, users_in: asyncio.Future[list[User]], users: list[User]) -> None:
        """The listing is in (UserReads.listed_hook), their sign-in activity maybe not yet: the audit log's
        account states get the users, and what needs nothing more (_beside) starts."""
        users_read = not any(g.dataset == "users" for g in self.state.gaps)
        if not users_in.done():
            users_in.set_result(users if users_read else [])
        if self.beside is None:
            self.beside = asyncio.ensure_future(self._beside(users, users_read))

    async def _beside(self, users: list[User], users_read: bool) -> _Beside:
        """The usage reports, the access scope, Microsoft's counts, the agents and the rooms, at once."""
        state, options = self.state, self.options
        (usage, usage_gaps), scope, insight, agents, rooms = await together(
            self._usage_reports(users_read),
            _scope(state, users if options.access_scope and users_read else None, options.scope_features),
            _insight(state, options.access_scope and users_read),
            self._agents(users_read),
            _rooms(state, self.claims, options.rooms and users_read),
        )
        return _Beside(usage, usage_gaps, scope, insight, agents, rooms)

    async def after_users(self, listed: _Listed) -> _Later:
        """The last mailbox purposes and the Copilot Credits, with what was read beside the sign-in
        activity (_beside, started as the listing came in: at once here when it did not)."""
        state, options, users_read, granted = self.state, self.options, listed.users_read, self.mailbox_granted
        mailboxes = options.mailboxes
        found, purposes_read, credits, chat_use = await together(
            self.beside or self._beside(listed.users, users_read),
            _purposes(
                state,
                mailboxes if users_read else None,
                listed.users,
                listed.signed,
                self.clock(),
                self.prefetch,
                granted=granted,
            ),
            read_credits(
                state.client,
                state.gaps,
                (options.copilot_credits_until or self.clock()).astimezone(UTC).date(),
                listed.skus if options.copilot_credits else None,
            ),
            chat_use_within(
                state.client,
                state.gaps,
                state.notes,
                options.copilot_audit_days,
                options.copilot_audit_until or self.clock(),
                listed.org[0],  # a record of another organisation is not this tenant's
            ),
        )
        usage, rooms = found.usage, found.rooms
        users = with_agents(listed.users, found.agents)
        # the rooms the listing names, with their own mailbox's word first: a person's address can be a room's
        named = unread_rooms(users, rooms) if granted and users_read and purposes_read else []
        if named:  # not asked again where the purpose reads were refused already: that gap says it once
            purposes_read = await state.purposes(users, named) and purposes_read
        users = with_rooms(users, rooms, state.notes)
        state.gaps.extend(found.usage_gaps)
        # the unlicensed accounts whose mailbox the usage report shows over 50 GB or archived
        purposes_read = await state.stored_purposes(mailboxes, users, usage, granted and users_read) and purposes_read
        # the purposes of the enabled accounts without a recent sign-in are asked by their sign-ins:
        # without them (a signInActivity gap) the part is not claimed, so shared-mailbox-licensed is
        # not evaluated (its findings unverified, never resolved); the disabled ones' were read
        purposes_read = purposes_read and (listed.signed or mailboxes is None or mailboxes.inactive_days is None)
        return _Later(users, usage, purposes_read, found.scope, found.insight, credits, found.agents, rooms, chat_use)

    def snapshot(self, listed: _Listed, later: _Later) -> TenantSnapshot:
        """The TenantSnapshot of what was read, with the parts it claims."""
        state = self.state
        parts = {
            part
            for part, read in (
                (SIGN_IN_ACTIVITY, listed.signed),
                (LEAVE_DATE, state.leave_dates and listed.users_read),
                (USAGE_REPORTS, later.usage is not None),
                (ACCESS_SCOPE, later.scope is not None),
                (LICENSE_INSIGHT, later.insight is not None),
                (COPILOT_CREDITS, later.credits[0] is not None),
                (COPILOT_CREDIT_USE, later.credits[1] is not None),
                (LICENSE_ERROR_GROUPS, listed.flagged is not None),
                (MAILBOX_SETTINGS, later.purposes_read),
                (AGENT_USERS, later.agents is not None),
                (ROOMS, later.rooms is not None),
                (COPILOT_AUDIT, later.chat_use is not None),
            )
            if read
        }
        groups = mark_license_errors(listed.groups, listed.flagged) if listed.flagged is not None else listed.groups
        return TenantSnapshot(
            tenant_id=listed.org[0],
            tenant_name=listed.org[1],
            cloud=self.client.cloud,
            collected_at=self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            skus=tuple(listed.skus),
            subscriptions=tuple(listed.subs),
            users=later.users,
            groups=tuple(groups),
            gaps=tuple(state.gaps),
            collected_datasets=frozenset(parts),
            notes=tuple(state.notes),
            user_attributes=state.attributes if not any(g.dataset == "users" for g in state.gaps) else (),
            directory_audits=listed.changes,
            usage_reports=later.usage,
            access_scope=later.scope,
            license_insight=later.insight,
            sign_ins_read_at=state.sign_ins_read_at if listed.signed else None,
            sign_ins_usage_quiet=state.sign_ins_usage_quiet if listed.signed else None,
            copilot_credits=later.credits[0],
            copilot_credit_use=later.credits[1],
            copilot_chat_use=later.chat_use,
            agents=later.agents,
        )


async def collect(
    client: GraphClient,
    options: CollectOptions,
    *,
    clock: Callable[[], datetime] | None = None,
    progress: Progress | None = None,
) -> TenantSnapshot:
    """Read the tenant behind `client` into a TenantSnapshot (see the module docstring): the
    listings every collection makes, and what `options` asks for beyond them (graph/options.py).
    `clock`: the collection's time (None: now); `progress`: where its progress goes (None: the client's).

    Raises CollectionError / AuthError (exit 3) on anything but a 403 on one part, which is
    recorded in TenantSnapshot.gaps instead.
    """
    run = _Run(client, options, clock or _now, progress or client.progress)
    claims = await client.token_claims()
    with_sign_in = run.start(claims)
    started = client.requests
    listed = await run.listings(claims, with_sign_in)
    later = await run.after_users(listed)
    run.state.progress.finish(len(later.users), client.requests - started)
    return run.snapshot(listed, later)
