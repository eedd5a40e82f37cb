"""Read a tenant from Microsoft Graph into a TenantSnapshot.

Requests (no request per user, apart from the batched mailbox purposes of the candidates below):
    GET /organization?$select=id,displayName
    GET /subscribedSkus
    GET /directory/subscriptions
    GET /users?$select=<what the rules need>&$top=999, all pages; in a large tenant with concurrency
        above 1, the same in partitions by the first character of userPrincipalName
        ($filter=startswith(userPrincipalName,'a'), ...; see partitions.py)
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
    /beta/copilot/costManagement/getTenantCreditBalance (copilot_credits.py): the tenant's Copilot
    Credits balance per billing method, shown beside the bill's Copilot seats (a refusal is a gap)

    POST /$batch  {"requests": [GET /users/{id}/mailboxSettings/userPurpose, ... at most 20]}
        page by page while the users are listed, only for the accounts the disabled/inactive rules could flag
        (licensed and disabled; licensed, enabled and without a successful sign-in within the
        policies' shortest inactivity window), when the policies ask for a mailbox check

The independent reads run concurrently with the user pages, /admin/reportSettings among them;
the usage reports are asked for (all at once) beside the last pages of a partitioned read, and
their rows read, with the last mailbox-purpose batch, once every user is in.
A 403 on a part becomes a Gap (signInActivity: the users are kept without it; mailboxSettings:
the purposes not read stay unknown); every other failure raises, except one user's answer inside
a $batch: a 404 without a "no mailbox" code (the user deleted mid-run) or another 4xx leaves that
user's purpose unknown.

Users are decoded page by page, straight from the page's bytes, into model Users that share their
profiles (auditor.data.model; nothing else of a page is kept; see UserDecoder.page).

The reads live beside this module: collection.py (what they share, the simple listings), users.py,
mailbox_purpose.py and groups.py; collect() below runs them together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from auditor.common.errors import AuthError
from auditor.data.access_records import ACCESS_SCOPE, AccessScope
from auditor.data.agents import AGENT_USERS, Agents
from auditor.data.copilot_credits_data import COPILOT_CREDITS, CopilotCredits
from auditor.data.license_insight_data import LICENSE_INSIGHT, LicenseInsight
from auditor.data.model import Gap, Sku, Subscription, TenantSnapshot, User
from auditor.data.usage_data import USAGE_REPORTS, UsageNeed, UsageReports

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
from .auth import MAILBOX, SIGN_IN, check_permissions, describe_missing
from .client import GraphClient, together
from .collection import EVENTUAL, PAGE_SIZE
from .copilot_credits import read_copilot_credits
from .directory_audits import KEPT_DAYS, audit_windows, read_audits
from .groups import GROUP_FIELDS, GroupReads, mark_license_errors
from .kept_sign_ins import SignInPlan
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


def _check_access(
    state: _Collection, claims: dict[str, object] | None, *, need_sign_in: bool, need_mailbox: bool, disable_times: bool
) -> tuple[bool, bool]:
    """Whether to read signInActivity, and whether the mailbox purposes may be read. AuthError when
    the token lacks a permission the run cannot do without; a missing signInActivity is a gap."""
    if disable_times:  # employeeLeaveDateTime, where the app may read it (users.py)
        state.leave_dates = leave_dates_granted(claims)
        if not state.leave_dates:
            state.notes.append(LEAVE_DATE_NOT_READ.format(why="the app's token lacks the role"))
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


async def _scope(state: _Collection, users: list[User] | None) -> AccessScope | None:
    """What Conditional Access, PIM and dynamic groups reach (graph/access_scope.py), once every
    user is in; None when not asked for (or the users could not be read)."""
    if users is None:
        return None
    return await read_access_scope(state.client, state.gaps, (u.id for u in users), state.concurrency)


async def _agents(state: _Collection, asked: bool, identities: bool) -> Agents | None:
    """The agent users (and, `identities`, their agent identities: graph/agent_users.py) when a rule
    judges kinds; None otherwise."""
    return await read_agents(state.client, state.gaps, identities=identities) if asked else None


async def _insight(state: _Collection, asked: bool) -> LicenseInsight | None:
    """Microsoft's own counts (graph/license_insight.py) when the access scope is read; None otherwise."""
    return await read_license_insight(state.client, state.notes) if asked else None


def holds_copilot(skus: Sequence[Sku]) -> bool:
    """Whether the tenant holds a Copilot product (Microsoft_365_Copilot and its variants), whose
    credits the bill shows beside its seats."""
    return any("copilot" in s.sku_part_number.casefold() for s in skus)


async def _credits(state: _Collection, skus: Sequence[Sku] | None) -> CopilotCredits | None:
    """The Copilot Credits balance (graph/copilot_credits.py) when asked and the tenant holds Copilot."""
    if skus is None or not holds_copilot(skus):
        return None
    return await read_copilot_credits(state.client, state.gaps)


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


async def collect(
    client: GraphClient,
    *,
    group_refs: Sequence[str],
    need_sign_in: bool,
    mailboxes: MailboxCheck | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = _now,
    concurrency: int | None = DEFAULT_CONCURRENCY,
    attributes: Sequence[str] = (),
    audits_since: datetime | None = None,
    usage_reports: UsageNeed | None = None,
    disable_times: bool = False,
    access_scope: bool = False,
    copilot_credits: bool = False,
    audit_choice: Choice = Choice.AUTO,
    sign_in_plan: SignInPlan | None = None,
    agents: bool = False,
    agent_identities: bool = False,
) -> TenantSnapshot:
    """Read the tenant behind `client` into a TenantSnapshot (see the module docstring).

    `mailboxes`: read the mailbox purpose of the accounts it selects (None: of nobody).
    `concurrency`: user partitions read at once, and likewise group members and batches (1: one
    request after another, /users in one chain); None: the partitions, group lookups and member
    listings as many as the tenant's directory budget allows (pacing.budget_streams, Pacing.stream),
    the mailbox-purpose batches MAILBOX_BATCHES (Outlook's, budgeted per app and mailbox, not by
    the directory's budget) and the access-scope reads DEFAULT_CONCURRENCY.
    `attributes`: user attribute paths to select (auditor.data.attributes; a cost allocation's).
    `audits_since`: also read the directory changes since then (auditor.graph.directory_audits).
    `disable_times`: also read when each account was disabled, for `grace_days`: the users'
    employeeLeaveDateTime and the directory audit's account-state entries as far back as kept, of
    the whole tenant or of the accounts that could be flagged, whichever costs fewer requests
    (account_state.py; `audit_choice` forces one way).
    `usage_reports`: read these Microsoft 365 usage reports after the users (graph/usage_reports.py; None: none).
    `access_scope`: read what Conditional Access, PIM and dynamic groups reach after the users
    (graph/access_scope.py), for the entitlement rules, and Microsoft's own counts beside them
    (graph/license_insight.py).
    `sign_in_plan`: the nightly's kept sign-in activity (kept_sign_ins.py): after a full read, read
    only the users that can have gone quiet; None: every user's, every time.
    `copilot_credits`: read the tenant's Copilot Credits balance once the products are in, when it
    holds a Copilot product (graph/copilot_credits.py; for the bill).
    `agents`: read the agent users (graph/agent_users.py), for the rules that judge account kinds;
    `agent_identities`: their parent agent identities too (Application.Read.All), for agent-user-orphaned.

    Raises CollectionError / AuthError (exit 3) on anything but a 403 on one part, which is
    recorded in TenantSnapshot.gaps instead.
    """
    progress = progress or client.progress
    state = _Collection(client, progress, concurrency or DEFAULT_CONCURRENCY)
    state.streams = concurrency
    state.attributes = tuple(attributes)
    claims = await client.token_claims()
    with_sign_in, mailbox_granted = _check_access(
        state, claims, need_sign_in=need_sign_in, need_mailbox=mailboxes is not None, disable_times=disable_times
    )
    fallback_tid = str(claims.get("tid", "")) if claims else ""
    state.sign_in_plan, state.tenant_hint, state.sign_in_clock = sign_in_plan, fallback_tid, clock
    # one budget across tenants per app in the process (pacing.AppBudget)
    client.pacing.share(str((claims or {}).get("appid") or (claims or {}).get("azp") or ""))
    hooks: list[Callable[[list[User], bool], None]] = []  # each page of users, as read
    prefetch: PurposeReads | None = None
    if mailboxes is not None and mailbox_granted:
        # the purposes of each page's candidates are asked for while the listing goes on
        prefetch = PurposeReads(state)
        now, reads, check_of = clock(), prefetch, mailboxes

        def ask(page: list[User], signed: bool) -> None:
            reads.ask([page[i].id for i in check_of.candidates(page, now, signed)])

        hooks.append(ask)
        state.signed_hook = partial(ask, signed=True)  # the dormant ones, as their sign-ins come in
    reports = None
    if usage_reports is not None:
        reports = UsageCollection(client, usage_reports, progress, claims)
        hooks.append(lambda page, signed: reports.page(page))
        state.near_end = reports.start  # the reports are asked for beside the last pages of users
    if hooks:
        state.page_hook = _each_page(hooks)
    group_decoder = UserDecoder(with_sign_in=False)
    started = client.requests
    # With concurrency the users listing counts the users itself (partitions.py)
    total = asyncio.ensure_future(state.user_total(ETA_AFTER) if state.streams == 1 else asyncio.sleep(0))
    windows = audit_windows(audits_since, account_states=disable_times)
    users_in: asyncio.Future[list[User]] = asyncio.get_running_loop().create_future()
    accounts = _account_states(clock(), audits_since, users_in, progress, audit_choice) if disable_times else None
    audits = read_audits(client, windows, clock(), claims, state.gaps, accounts) if windows or accounts else _none()

    async def read_users() -> tuple[list[User], bool]:
        read = await state.users(with_sign_in)
        users_in.set_result(read[0] if not any(g.dataset == "users" for g in state.gaps) else [])
        return read

    try:
        org, skus, subs, groups, flagged, (users, signed), changes, _ = await together(
            state.organization(fallback_tid),
            state.listing("subscribedSkus", "/subscribedSkus", sku_from_graph),
            state.listing("subscriptions", "/directory/subscriptions", subscription_from_graph),
            state.groups(group_refs, group_decoder),
            state.license_error_groups(),
            read_users(),
            audits,
            reports.prepare() if reports is not None else _none(),
        )
    except BaseException:
        if prefetch is not None:
            await prefetch.cancel()
        if reports is not None:
            await reports.cancel()
        raise
    finally:
        total.cancel()  # still waiting on a throttled count: not worth a second more
        await asyncio.gather(total, return_exceptions=True)
    users_read = not any(g.dataset == "users" for g in state.gaps)

    async def read_usage_reports() -> tuple[UsageReports | None, list[Gap]]:
        if reports is None:
            return None, []
        if not users_read:
            await reports.cancel()
            return None, []
        return await reports.read()

    # the usage reports and the last mailbox purposes, at once (the reports' requests go out
    # first: finding the purposes' candidates among every user takes a moment of CPU)
    (usage_read, usage_gaps), purposes_read, scope, insight, credits, agents_read = await together(
        read_usage_reports(),
        _purposes(state, mailboxes if users_read else None, users, signed, clock(), prefetch, granted=mailbox_granted),
        _scope(state, users if access_scope and users_read else None),
        _insight(state, access_scope and users_read),
        _credits(state, skus if copilot_credits else None),
        _agents(state, agents and users_read, agent_identities),
    )
    users = with_agents(users, agents_read)
    state.gaps.extend(usage_gaps)
    # the unlicensed accounts whose mailbox the usage report shows over 50 GB or archived
    purposes_read = (
        await state.stored_purposes(mailboxes, users, usage_read, mailbox_granted and users_read) and purposes_read
    )
    # the purposes of the enabled accounts without a recent sign-in are asked by their sign-ins:
    # without them (a signInActivity gap) the part is not claimed, so shared-mailbox-licensed is
    # not evaluated (its findings unverified, never resolved); the disabled ones' were read
    purposes_read = purposes_read and (signed or mailboxes is None or mailboxes.inactive_days is None)
    parts = {
        part
        for part, read in (
            (SIGN_IN_ACTIVITY, signed),
            (LEAVE_DATE, state.leave_dates and users_read),
            (USAGE_REPORTS, usage_read is not None),
            (ACCESS_SCOPE, scope is not None),
            (LICENSE_INSIGHT, insight is not None),
            (COPILOT_CREDITS, credits is not None),
            (LICENSE_ERROR_GROUPS, flagged is not None),
            (MAILBOX_SETTINGS, purposes_read),
            (AGENT_USERS, agents_read is not None),
        )
        if read
    }
    groups = mark_license_errors(groups, flagged) if flagged is not None else groups
    progress.finish(len(users), client.requests - started)
    sku_list: list[Sku] = skus
    sub_list: list[Subscription] = subs
    return TenantSnapshot(
        tenant_id=org[0],
        tenant_name=org[1],
        cloud=client.cloud,
        collected_at=clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        skus=tuple(sku_list),
        subscriptions=tuple(sub_list),
        users=users,
        groups=tuple(groups),
        gaps=tuple(state.gaps),
        collected_datasets=frozenset(parts),
        notes=tuple(state.notes),
        user_attributes=state.attributes if not any(g.dataset == "users" for g in state.gaps) else (),
        directory_audits=changes,
        usage_reports=usage_read,
        access_scope=scope,
        license_insight=insight,
        sign_ins_read_at=state.sign_ins_read_at if signed else None,
        copilot_credits=credits,
        agents=agents_read,
    )
