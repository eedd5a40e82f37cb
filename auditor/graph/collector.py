"""Read a tenant from Microsoft Graph into a TenantSnapshot.

Requests (no request per user, apart from the batched mailbox purposes of the candidates below):
    GET /organization?$select=id,displayName
    GET /subscribedSkus
    GET /directory/subscriptions
    GET /users?$select=<what the rules need>&$top=999 (500 with signInActivity), all pages; in a
        large tenant with concurrency above 1, the same in partitions by the first character of
        userPrincipalName ($filter=startswith(userPrincipalName,'a'), ...; see partitions.py)
    GET /users/$count                                                        (ConsistencyLevel: eventual)
        with concurrency above 1: before the users (one chain or partitions?) and once every
        partition has started (the proof that they hold every user); with concurrency 1 only when
        the collection is still running after ETA_AFTER seconds, for the progress line's ETA (its
        failure changes nothing)
    GET /groups?$filter=displayName eq '<name>'   or   GET /groups/{id}      per policy group
    GET /groups?$filter=assignedLicenses/$count ne 0&$count=true            (ConsistencyLevel: eventual)
    GET /groups/{id}/transitiveMembers/microsoft.graph.user?$select=id&$count=true  (eventual), all pages,
        for the groups the policies name only
    GET /groups?$filter=hasMembersWithLicenseErrors eq true&$count=true&$select=id,displayName  (eventual)
        the groups whose group-based licenses failed for a member (the property is never returned,
        only filtered on); a 403 is a gap in the part hasMembersWithLicenseErrors only

    POST /$batch  {"requests": [GET /users/{id}/mailboxSettings/userPurpose, ... at most 20]}
        page by page while the users are listed, only for the accounts the disabled/inactive rules could flag
        (licensed and disabled; licensed, enabled and without a successful sign-in within the
        policies' shortest inactivity window), when the policies ask for a mailbox check

The independent reads run concurrently with the user pages, /admin/reportSettings among them;
the usage reports are asked for (all at once) beside the last pages of a partitioned read, and
their rows read, with the last mailbox-purpose batch, once every user is in.
A 403 on a part becomes a Gap (signInActivity: the users are re-read without it; mailboxSettings:
the purposes not read stay unknown); every other failure raises, except one user's answer inside
a $batch: a 404 without a "no mailbox" code (the user deleted mid-run) or another 4xx leaves that
user's purpose unknown.

Users are decoded page by page, straight from the page's bytes, into model Users that share their
profiles (auditor.model; nothing else of a page is kept; see UserDecoder.page).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec

from ..attributes import top_level
from ..errors import AuthError, CollectionError, clean_message
from ..index import maybe_dormant
from ..model import NO_MAILBOX, Gap, Group, Profile, Sku, Subscription, TenantSnapshot, User
from ..rules.hygiene import dormant
from ..snapshot import (
    LICENSE_ERROR_GROUPS,
    MAILBOX_SETTINGS,
    SELECTED_USER_FIELDS,
    SIGN_IN_ACTIVITY,
    BadItem,
    BadValue,
    UserDecoder,
    sku_from_graph,
    subscription_from_graph,
)
from ..usage import USAGE_REPORTS, UsageNeed, UsageReports
from .arguments import DEFAULT_CONCURRENCY
from .audits import read_audits
from .auth import MAILBOX, SIGN_IN, check_permissions, describe_missing
from .client import RETRY_STATUS, GraphClient, GraphRequestError, Retries, retry_after, together
from .partitions import Gathered, UsersRead, read_users
from .progress import Progress

USER_FIELDS = SELECTED_USER_FIELDS  # the decoder requires each of them on every user read
PAGE_SIZE = 999
SIGN_IN_PAGE_SIZE = 500
GROUP_FIELDS = "id,displayName,assignedLicenses"
EVENTUAL = {"ConsistencyLevel": "eventual"}
ETA_AFTER = 10.0  # seconds of collecting after which the user total is asked for (progress ETA)
BATCH_SIZE = 20  # JSON batching takes at most 20 requests in one POST /$batch
PURPOSE_PATH = "/users/{}/mailboxSettings/userPurpose"
PURPOSE_REQUEST = f"POST /$batch (GET {PURPOSE_PATH.format('{id}')})"
# The inner 404 codes that mean "this user has no Exchange Online mailbox" (Microsoft's KB 4462988:
# MailboxNotEnabledForRESTAPI or MailboxNotSupportedForRESTAPI), lower case. Any other 404 (a user
# deleted while the tenant is read answers Request_ResourceNotFound) leaves the purpose unknown.
NO_MAILBOX_CODES = frozenset(("mailboxnotenabledforrestapi", "mailboxnotsupportedforrestapi"))
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")

T = TypeVar("T")


def users_path(with_sign_in: bool, attributes: Sequence[str] = ()) -> str:
    """`attributes`: the paths a cost allocation asks for (auditor.attributes), selected only then."""
    fields = USER_FIELDS + ((SIGN_IN_ACTIVITY,) if with_sign_in else ()) + top_level(attributes)
    top = SIGN_IN_PAGE_SIZE if with_sign_in else PAGE_SIZE
    return f"/users?$select={','.join(fields)}&$top={top}"


# The least-privileged application permission(s) each listing needs (Microsoft Graph v1.0 reference).
_NEEDS = {
    "subscribedSkus": "LicenseAssignment.Read.All or Organization.Read.All",
    "subscriptions": "LicenseAssignment.Read.All or Organization.Read.All",
    "users": "User.Read.All",
    "groups": "GroupMember.Read.All",
    MAILBOX_SETTINGS: "MailboxSettings.Read",
    LICENSE_ERROR_GROUPS: "GroupMember.Read.All",
}


@dataclass(frozen=True)
class MailboxCheck:
    """Read the mailbox purpose (shared, room, equipment, ...) of the accounts the hygiene rules
    could flag: every licensed, disabled account and, with `inactive_days`, every licensed,
    enabled account without a successful sign-in within that many days (or ever). `as_of` is the
    clock the rules will judge by (`audit --as-of`); None: the collection's clock."""

    inactive_days: int | None = None
    as_of: datetime | None = None

    def candidates(self, users: Sequence[User], now: datetime, with_sign_in: bool) -> list[int]:
        """Positions of the accounts to ask about, in order."""
        now = self.as_of or now
        picked = {i for i, u in enumerate(users) if not u.account_enabled and u.assigned_licenses}
        if self.inactive_days is not None and with_sign_in:
            cutoff = now - timedelta(days=self.inactive_days)
            maybe = maybe_dormant(users, cutoff)
            for i in range(len(users)) if maybe is None else maybe:
                u = users[i]
                if u.account_enabled and u.assigned_licenses and dormant(u, cutoff):
                    picked.add(i)
        return sorted(picked)


class _Forbidden(Exception):
    def __init__(self, request: str, reason: str) -> None:
        super().__init__(reason)
        self.request = request
        self.reason = reason


def _forbidden_reason(exc: GraphRequestError, part: str | None = None) -> str:
    text = f"Graph answered 403 {exc.code}: {exc.graph_message}".strip()
    if exc.code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant":
        text += " (signInActivity needs Microsoft Entra ID P1 or P2 in the tenant)"
    elif part in _NEEDS:
        text += f" (needs the application permission {_NEEDS[part]}, with admin consent)"
    return text


class _Collection:
    def __init__(self, client: GraphClient, progress: Progress, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.client = client
        self.progress = progress
        self.concurrency = max(1, concurrency)  # user partitions, member reads, batches: each at most this many
        self.gaps: list[Gap] = []
        self.notes: list[str] = []  # the report's warnings about how the tenant was read
        # called with each page of users as it is read (and whether it has signInActivity)
        self.page_hook: Callable[..., None] | None = None  # (page, signed)
        self.attributes: tuple[str, ...] = ()  # user attribute paths to select (auditor.attributes)
        self.near_end: Callable[[], None] | None = None  # once, when a partitioned users read is about to end

    # --- simple parts ----------------------------------------------------------------------

    async def organization(self, fallback_id: str) -> tuple[str, str]:
        path = "/organization?$select=id,displayName"
        try:
            doc = await self.client.get(path)
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            self.gaps.append(Gap("organization", exc.request, _forbidden_reason(exc)))
            return fallback_id, ""
        items = doc.get("value") if isinstance(doc, dict) else None
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise CollectionError(f"GET {path} returned no organization; re-run, and report it if it persists")
        org = items[0]
        tenant_id, name = org.get("id"), org.get("displayName")
        if not isinstance(tenant_id, str):
            raise CollectionError(f"GET {path} returned an organization without an id")
        return tenant_id, name if isinstance(name, str) else ""

    async def listing(self, part: str, path: str, decode: Callable[[Any], T]) -> list[T]:
        out: list[T] = []
        try:
            async for page in self.client.pages(path):
                out.extend(self._decode(page, decode, path))
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            self.gaps.append(Gap(part, exc.request, _forbidden_reason(exc, part)))
            return []
        return out

    @staticmethod
    def _decode(page: list[Any], decode: Callable[[Any], T], path: str) -> list[T]:
        out = []
        for i, raw in enumerate(page):
            try:
                out.append(decode(raw))
            except BadValue as exc:
                ident = raw.get("userPrincipalName") or raw.get("id") if isinstance(raw, dict) else None
                who = f" ({ident})" if isinstance(ident, str) else ""
                raise CollectionError(
                    f"GET {path.split('?')[0]} returned an object Graph should not send: item {i}{who}: {exc}; "
                    "report it with the request id"
                ) from None
        return out

    # --- users -----------------------------------------------------------------------------

    async def user_total(self, after: float) -> None:
        """After `after` seconds, tell the progress display how many users to expect (for its
        ETA): a quick collection needs no ETA and spends no request on one. Best effort: a
        failure only leaves the ETA out; the users listing itself reports real problems."""
        await asyncio.sleep(after)
        try:
            response = await self.client.fetch(
                "/users/$count", headers={**EVENTUAL, "Accept": "text/plain"}, retry=False)
        except CollectionError:
            return
        text = response.content.strip()
        if text.isdigit() and len(text) < 12:
            self.progress.expect(int(text))

    async def users(self, with_sign_in: bool) -> tuple[list[User], bool]:
        """All users; falls back to reading without signInActivity on a 403 for it."""
        while True:
            try:
                return await self._read_users(with_sign_in), with_sign_in
            except GraphRequestError as exc:
                if exc.status != 403:
                    raise
                if with_sign_in:
                    self.gaps.append(Gap("signInActivity", exc.request, _forbidden_reason(exc)))
                    self.progress.note("signInActivity is not readable (403); reading users without it")
                    with_sign_in = False
                    continue
                self.gaps.append(Gap("users", exc.request, _forbidden_reason(exc)))
                return [], False

    async def _read_users(self, with_sign_in: bool) -> list[User]:
        """In partitions, several at once, when the tenant is large (partitions.py); else in one chain."""
        decoder = UserDecoder(with_sign_in=with_sign_in, selected=True, attributes=self.attributes)
        path = users_path(with_sign_in, self.attributes)
        return await read_users(UsersRead(
            self.client, self.progress, path, SIGN_IN_PAGE_SIZE if with_sign_in else PAGE_SIZE, self.concurrency,
            fast=decoder.page, slow=lambda items: _users(items, decoder, path),
            sequential=lambda: self._read_sequential(with_sign_in, decoder), notes=self.notes, gaps=self.gaps,
            on_page=None if self.page_hook is None else partial(self.page_hook, signed=with_sign_in),
            near_end=self.near_end))

    async def _read_sequential(self, with_sign_in: bool, decoder: UserDecoder) -> list[User]:
        path = users_path(with_sign_in, self.attributes)
        gathered = Gathered()
        users = gathered.chain()
        page: list[User]
        async for page in self.client.pages(path, fast=decoder.page, slow=lambda items: _users(items, decoder, path)):
            gathered.add(users, page, path)
            self.progress.users_page(len(page))
            if self.page_hook is not None:
                self.page_hook(page, with_sign_in)
            total = self.progress.total
            if total is not None and len(users) > total * 1.5 + 1000:
                # $count lags by seconds, not by half the tenant: this is a listing that never ends
                raise CollectionError(
                    f"GET {path.split('?')[0]} returned {len(users):,} users while GET /users/$count reports "
                    f"{total:,}; stopped reading a listing that does not end — re-run, and report it if it persists")
        return users

    # --- mailbox purposes ------------------------------------------------------------------

    async def purposes(self, users: list[User], positions: Sequence[int], reads: PurposeReads | None = None) -> bool:
        """Read the mailbox purpose of users[positions] in JSON batches and set it on them. False
        (with a Gap) when Graph refuses them (403): the purposes not read stay unknown. A user whose
        own answer is neither a purpose nor "no mailbox" (a user deleted mid-run, a 400) stays
        unknown too (None, noted in the progress), without failing the run or the others.
        `reads`: the batches already asked for while the users were listed (PurposeReads)."""
        reads = reads or PurposeReads(self)
        await reads.finish([users[i].id for i in positions])
        found, refused = reads.found, reads.refused
        unread = [reads.unread[users[i].id] for i in positions if users[i].id in reads.unread]
        profiles: dict[tuple[int, str], Profile] = {}  # users alike keep sharing one profile
        for i in positions:
            purpose = found.get(users[i].id)
            if purpose is not None:
                user = users[i]
                key = (id(user.profile), purpose)
                if key not in profiles:
                    profiles[key] = msgspec.structs.replace(user.profile, mailbox_purpose=purpose)
                users[i] = msgspec.structs.replace(user, profile=profiles[key])
        if refused:
            first = refused[0]
            self.gaps.append(Gap(MAILBOX_SETTINGS, first.request, first.reason))
            self.progress.note("mailboxSettings is not readable (403): shared mailboxes cannot be told apart")
            return False
        if unread:
            more = f" (and {len(unread) - 1:,} more)" if len(unread) > 1 else ""
            self.progress.note(
                f"could not read the mailbox purpose of {len(unread):,} account(s): {unread[0]}{more}; "
                "their findings say the auditor could not tell whether they are shared mailboxes")
        return True

    async def _purpose_batch(self, ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """(user id -> userPurpose, user id -> why it stays unknown) for up to BATCH_SIZE users.

        NO_MAILBOX only for the 404s that mean the user has no Exchange Online mailbox
        (NO_MAILBOX_CODES); any other 404 (the user deleted mid-run, ...) or other 4xx leaves that
        user's purpose unknown. A 403 is _Forbidden (the permission). A throttled (429) or failed
        (503, 504) sub-request is sent again, alone with the others that were, after the longest
        Retry-After among them: the batch is one request to the client's retry policy (Retries),
        its rounds and the POSTs' own retries share its bounds, and a 429 holds every stream."""
        retries = Retries(self.client)
        pending = {str(n): uid for n, uid in enumerate(ids, 1)}
        out: dict[str, str] = {}
        unread: dict[str, str] = {}
        while pending:
            body = {"requests": [{"id": key, "method": "GET", "url": PURPOSE_PATH.format(uid)}
                                 for key, uid in pending.items()]}
            first = PURPOSE_PATH.format(next(iter(pending.values())))
            what = f"POST /$batch ({len(pending)} requests, the first GET {first})"
            doc = await self.client.post("/$batch", body, what=what, retries=retries)
            again: dict[str, str] = {}
            waits: list[tuple[float, str, str]] = []  # (Retry-After, -1 if none; request; problem) of each
            throttled = False
            for key, status, headers, answer in _batch_responses(doc, pending, what):
                uid = pending[key]
                request = f"GET {PURPOSE_PATH.format(uid)} (in POST /$batch)"
                if status == 200:
                    value = answer.get("value") if isinstance(answer, dict) else None
                    if not isinstance(value, str) or not value:
                        raise CollectionError(f"{request} answered 200 without a userPurpose value; report it "
                                              "with the request id")
                    out[uid] = value
                elif status == 404 and _sub_error(answer)[0].lower() in NO_MAILBOX_CODES:
                    out[uid] = NO_MAILBOX
                elif status == 403:
                    code, message = _sub_error(answer)
                    raise _Forbidden(request, f"Graph answered 403 {code}: {message} (needs the application "
                                              f"permission {_NEEDS[MAILBOX_SETTINGS]}, with admin consent)")
                elif status in RETRY_STATUS:  # as for every other request: 429, 503, 504
                    again[key] = uid
                    after = retry_after(_header(headers, "Retry-After"))
                    problem = "Graph is throttling (429)" if status == 429 else f"Graph is unavailable ({status})"
                    waits.append((-1.0 if after is None else after, request, problem))
                    throttled = throttled or status == 429
                else:  # another 404 (Request_ResourceNotFound: deleted mid-run), a 400, a 409...: unknown
                    code, message = _sub_error(answer)
                    unread[uid] = f"{request} answered {status} {code or '(no code)'}: {message}".rstrip(": ")
            if not again:
                break
            longest, request, problem = max(waits, key=itemgetter(0))  # the first of the longest
            await retries.wait(request, problem, delay=None if longest < 0 else longest, throttled=throttled)
            pending = again
        return out, unread

    # --- groups ----------------------------------------------------------------------------

    async def resolve(self, ref: str) -> dict[str, Any] | None:
        if _GUID.match(ref):
            path = f"/groups/{ref}?$select={GROUP_FIELDS}"
            try:
                doc = await self.client.get(path)
            except GraphRequestError as exc:
                if exc.status == 404:
                    self.gaps.append(Gap("groups", exc.request, f"group id {ref} named in the policies does not exist"))
                    return None
                raise
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                raise CollectionError(f"GET {path} returned no group object")
            return doc
        literal = ref.replace("'", "''")
        path = f"/groups?$filter={quote(f'displayName eq {chr(39)}{literal}{chr(39)}', safe='')}&$select={GROUP_FIELDS}"
        found: list[dict[str, Any]] = []
        async for page in self.client.pages(path):
            found.extend(g for g in page if isinstance(g, dict))
        if len(found) == 1 and isinstance(found[0].get("id"), str):
            return found[0]
        request = self.client.describe(self.client.url(path))
        if not found:
            reason = f"no group named {ref!r} exists in the tenant (named in the policies)"
        else:
            ids = ", ".join(sorted(str(g.get("id")) for g in found))
            reason = f"{len(found)} groups are named {ref!r} ({ids}); name the group by object id in the policy"
        self.gaps.append(Gap("groups", request, reason))
        return None

    async def license_groups(self) -> list[dict[str, Any]]:
        path = (
            "/groups?$filter="
            + quote("assignedLicenses/$count ne 0", safe="/$")
            + f"&$count=true&$select={GROUP_FIELDS}&$top={PAGE_SIZE}"
        )
        out: list[dict[str, Any]] = []
        async for page in self.client.pages(path, headers=EVENTUAL):
            out.extend(g for g in page if isinstance(g, dict))
        return out

    async def license_error_groups(self) -> dict[str, str] | None:
        """id -> displayName of the groups with members in a license error state; None when not
        readable (403: a gap, so the snapshot does not claim that no group has errors). Graph's
        group-list reference filters on it with ConsistencyLevel: eventual and $count=true."""
        path = (
            "/groups?$filter=" + quote("hasMembersWithLicenseErrors eq true", safe="")
            + f"&$count=true&$select=id,displayName&$top={PAGE_SIZE}"
        )
        out: dict[str, str] = {}
        try:
            async for page in self.client.pages(path, headers=EVENTUAL):
                for g in page:
                    gid = g.get("id") if isinstance(g, dict) else None
                    if not isinstance(gid, str):
                        raise CollectionError(f"GET {path.split('?')[0]} returned a group without an id")
                    name = g.get("displayName")
                    out[gid] = name if isinstance(name, str) else ""
        except GraphRequestError as exc:
            if exc.status == 400 and exc.code == "Request_UnsupportedQuery":
                # Documented, yet refused by some tenants (msgraph-sdk-powershell#2967). The users'
                # licenseAssignmentStates name the failing groups too, so this costs no finding.
                self.progress.note("Graph refused the hasMembersWithLicenseErrors filter; groups with license "
                                   "errors are taken from the users' license assignment states")
                return None
            if exc.status != 403:
                raise
            self.gaps.append(Gap(LICENSE_ERROR_GROUPS, exc.request, _forbidden_reason(exc, LICENSE_ERROR_GROUPS)))
            return None
        return out

    async def members(self, group_id: str, limit: asyncio.Semaphore) -> tuple[str, ...]:
        path = f"/groups/{group_id}/transitiveMembers/microsoft.graph.user?$select=id&$top={PAGE_SIZE}&$count=true"
        ids: list[str] = []
        async with limit:
            async for page in self.client.pages(path, headers=EVENTUAL):
                for m in page:
                    mid = m.get("id") if isinstance(m, dict) else None
                    if not isinstance(mid, str):
                        raise CollectionError(f"GET {path.split('?')[0]} returned a member without an id")
                    ids.append(mid)
        return tuple(sorted(ids))

    async def groups(self, refs: Sequence[str], decoder: UserDecoder) -> list[Group]:
        try:
            wanted = list(dict.fromkeys(r.strip() for r in refs if r.strip()))
            named, licensed = await asyncio.gather(
                asyncio.gather(*(self.resolve(r) for r in wanted)), self.license_groups()
            )
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            self.gaps.append(Gap("groups", exc.request, _forbidden_reason(exc)))
            return []
        by_id: dict[str, dict[str, Any]] = {}
        for doc in [*named, *licensed]:
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                by_id.setdefault(doc["id"].lower(), doc)
        # Membership matters only where a policy selects by group; a group that merely assigns
        # licenses is named by the users' licenseAssignmentStates, so its members are not read
        # (at a million users that saves about a third of all requests).
        selected = {doc["id"].lower() for doc in named if isinstance(doc, dict) and isinstance(doc.get("id"), str)}
        limit = asyncio.Semaphore(self.concurrency)
        ordered = sorted(by_id.values(), key=lambda d: str(d["id"]))

        async def no_members() -> tuple[str, ...]:
            return ()

        try:
            members = await asyncio.gather(
                *(self.members(d["id"], limit) if d["id"].lower() in selected else no_members() for d in ordered)
            )
        except GraphRequestError as exc:
            if exc.status not in (403, 404):
                raise
            self.gaps.append(Gap("groups", exc.request, _forbidden_reason(exc)))
            return []
        out = []
        for doc, ids in zip(ordered, members, strict=True):
            raw_licenses = doc.get("assignedLicenses") or []
            try:
                licenses = decoder.licenses(raw_licenses if isinstance(raw_licenses, list) else [])
            except BadValue as exc:
                raise CollectionError(f"group {doc['id']} has malformed assignedLicenses: {exc}") from None
            name = doc.get("displayName")
            out.append(Group(doc["id"], name if isinstance(name, str) else "", licenses, ids))
        return out


class PurposeReads:
    """Mailbox purposes read in JSON batches of BATCH_SIZE, at most `concurrency` batches at once,
    asked for as soon as the ids are known: while the users are still being listed, page by page
    (`ask`), so the batches overlap the listing instead of following it."""

    def __init__(self, state: _Collection) -> None:
        self.state = state
        self.limit = asyncio.Semaphore(state.concurrency)
        self.asked: set[str] = set()
        self.pending: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.found: dict[str, str] = {}
        self.unread: dict[str, str] = {}  # user id -> why its purpose stays unknown
        self.refused: list[_Forbidden] = []

    def ask(self, ids: Sequence[str]) -> None:
        for uid in ids:
            if uid not in self.asked:
                self.asked.add(uid)
                self.pending.append(uid)
        while len(self.pending) >= BATCH_SIZE:
            self._start(self.pending[:BATCH_SIZE])
            del self.pending[:BATCH_SIZE]

    async def finish(self, ids: Sequence[str]) -> None:
        """Ask for `ids` not asked yet and wait for every batch; the first failure other than a
        refusal (403) is raised."""
        self.ask(ids)
        if self.pending:
            self._start(self.pending)
            self.pending = []
        try:
            await together(*self.tasks)
        finally:
            self.tasks = []

    async def cancel(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []

    def _start(self, chunk: list[str]) -> None:
        self.tasks.append(asyncio.ensure_future(self._one(chunk)))

    async def _one(self, chunk: list[str]) -> None:
        async with self.limit:
            if self.refused:
                return  # refused once: the permission is missing, asking more changes nothing
            try:
                read, skipped = await self.state._purpose_batch(chunk)
            except _Forbidden as exc:
                self.refused.append(exc)
                return
            except GraphRequestError as exc:
                if exc.status != 403:
                    raise
                self.refused.append(_Forbidden(exc.request, _forbidden_reason(exc, MAILBOX_SETTINGS)))
                return
            self.found.update(read)
            self.unread.update(skipped)


def _batch_responses(doc: Any, pending: Mapping[str, str], what: str) -> list[tuple[str, int, Any, Any]]:
    """(id, status, headers, body) of each answer of a $batch; exactly one per request, or CollectionError."""
    responses = doc.get("responses") if isinstance(doc, dict) else None
    if not isinstance(responses, list):
        raise CollectionError(f"{what} returned no `responses` list; re-run, and report it if it persists")
    out: list[tuple[str, int, Any, Any]] = []
    seen: set[str] = set()
    for item in responses:
        key = item.get("id") if isinstance(item, dict) else None
        status = item.get("status") if isinstance(item, dict) else None
        if not isinstance(key, str) or isinstance(status, bool) or not isinstance(status, int):
            raise CollectionError(f"{what} returned a malformed response (no id or status); report it")
        if key not in pending or key in seen:
            raise CollectionError(f"{what} returned a response with id {clean_message(key[:40])!r} that was "
                                  f"{'answered twice' if key in seen else 'never asked'}; report it")
        seen.add(key)
        out.append((key, status, item.get("headers"), item.get("body")))
    missing = [k for k in pending if k not in seen]
    if missing:
        uid = pending[missing[0]]
        raise CollectionError(f"{what} returned no answer for GET {PURPOSE_PATH.format(uid)} ({len(missing)} of "
                              f"{len(pending)} missing); re-run, and report it if it persists")
    return out


def _header(headers: Any, name: str) -> str | None:
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return str(value)
    return None


def _sub_error(body: Any) -> tuple[str, str]:
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return "", ""
    return clean_message(str(err.get("code", ""))[:100]), clean_message(str(err.get("message", ""))[:500])


def _users(items: list[Any], decoder: UserDecoder, path: str) -> list[User]:
    """The users of a page's parsed `value` (when the page needed a lenient parse)."""
    try:
        return decoder.values(items)
    except BadItem as exc:
        raise CollectionError(
            f"GET {path.split('?')[0]} returned an object Graph should not send: item {exc.index}"
            f"{_ident(items[exc.index])}: {exc}; report it with the request id") from None
    except BadValue as exc:
        raise CollectionError(f"GET {path.split('?')[0]} returned a page Graph should not send: {exc}; "
                              "report it with the request id") from None


def _ident(raw: Any) -> str:
    ident = raw.get("userPrincipalName") or raw.get("id") if isinstance(raw, dict) else None
    return f" ({ident})" if isinstance(ident, str) else ""


def _mark_license_errors(groups: list[Group], flagged: dict[str, str]) -> list[Group]:
    """Every group gets hasMembersWithLicenseErrors; a flagged group the other reads did not
    return (its licenses were removed, but removing them failed for some members) is added."""
    wanted = {gid.lower(): (gid, name) for gid, name in flagged.items()}
    out = [replace(g, has_members_with_license_errors=wanted.pop(g.id.lower(), None) is not None) for g in groups]
    out += [Group(gid, name, has_members_with_license_errors=True) for gid, name in wanted.values()]
    return sorted(out, key=attrgetter("id"))


def _now() -> datetime:
    return datetime.now(UTC)


async def _none() -> None:
    return None


async def collect(
    client: GraphClient,
    *,
    group_refs: Sequence[str],
    need_sign_in: bool,
    mailboxes: MailboxCheck | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = _now,
    concurrency: int = DEFAULT_CONCURRENCY,
    attributes: Sequence[str] = (),
    audits_since: datetime | None = None,
    usage: UsageNeed | None = None,
) -> TenantSnapshot:
    """Read the tenant behind `client` into a TenantSnapshot (see the module docstring).

    `mailboxes`: read the mailbox purpose of the accounts it selects (None: of nobody).
    `concurrency`: user partitions read at once, and likewise group members and batches (1: one
    request after another, /users in one chain).
    `attributes`: user attribute paths to select (auditor.attributes; a cost allocation's).
    `audits_since`: also read the directory changes since then (auditor.graph.audits).
    `usage`: read these Microsoft 365 usage reports after the users (graph/usage.py; None: none).

    Raises CollectionError / AuthError (exit 3) on anything but a 403 on one part, which is
    recorded in TenantSnapshot.gaps instead.
    """
    progress = progress or client.progress
    state = _Collection(client, progress, concurrency)
    state.attributes = tuple(attributes)
    claims = await client.token_claims()
    check = check_permissions(claims, need_sign_in=need_sign_in, need_mailbox=mailboxes is not None)
    if check.note:
        progress.note(f"note: {check.note}")
    with_sign_in = need_sign_in
    blocking = tuple(p for p in check.missing if p is not SIGN_IN and p is not MAILBOX)
    if blocking:
        raise AuthError(describe_missing(blocking))
    if SIGN_IN in check.missing:
        state.gaps.append(Gap("signInActivity", f"GET {users_path(True)}", describe_missing((SIGN_IN,))))
        progress.note("the app lacks AuditLog.Read.All; reading users without signInActivity")
        with_sign_in = False
    fallback_tid = str(claims.get("tid", "")) if claims else ""
    hooks: list[Callable[[list[User], bool], None]] = []  # each page of users, as read
    prefetch: PurposeReads | None = None
    if mailboxes is not None and MAILBOX not in check.missing:
        # the purposes of each page's candidates are asked for while the listing goes on
        prefetch = PurposeReads(state)
        now, reads, check_of = clock(), prefetch, mailboxes

        def ask(page: list[User], signed: bool) -> None:
            reads.ask([page[i].id for i in check_of.candidates(page, now, signed)])

        hooks.append(ask)
    reports = None
    if usage is not None:
        from .usage import UsageCollection

        reports = UsageCollection(client, usage, progress, claims)
        hooks.append(lambda page, signed: reports.page(page))
        state.near_end = reports.start  # the reports are asked for beside the last pages of users
    if hooks:
        def each_page(page: list[User], signed: bool) -> None:
            for hook in hooks:
                hook(page, signed)

        state.page_hook = each_page
    group_decoder = UserDecoder(with_sign_in=False)
    started = client.requests
    # With concurrency the users listing counts the users itself (partitions.py)
    total = asyncio.ensure_future(state.user_total(ETA_AFTER) if state.concurrency == 1 else asyncio.sleep(0))
    audits = read_audits(client, audits_since, clock(), claims, state.gaps) if audits_since else _none()
    try:
        org, skus, subs, groups, flagged, (users, signed), changes, _ = await together(
            state.organization(fallback_tid),
            state.listing("subscribedSkus", "/subscribedSkus", sku_from_graph),
            state.listing("subscriptions", "/directory/subscriptions", subscription_from_graph),
            state.groups(group_refs, group_decoder),
            state.license_error_groups(),
            state.users(with_sign_in),
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
    users_read = not any(g.part == "users" for g in state.gaps)

    async def purposes() -> bool:
        if mailboxes is not None and users_read:
            positions = mailboxes.candidates(users, clock(), signed)
            if MAILBOX in check.missing and positions:
                state.gaps.append(Gap(MAILBOX_SETTINGS, PURPOSE_REQUEST, describe_missing((MAILBOX,))))
                progress.note("the app lacks MailboxSettings.Read; shared mailboxes cannot be told apart")
                return False
            return await state.purposes(users, positions, prefetch)
        if prefetch is not None:
            await prefetch.cancel()
        return False

    async def usage_reports() -> tuple[UsageReports | None, list[Gap]]:
        if reports is None:
            return None, []
        if not users_read:
            await reports.cancel()
            return None, []
        return await reports.read()

    # the usage reports and the last mailbox purposes, at once (the reports' requests go out
    # first: finding the purposes' candidates among every user takes a moment of CPU)
    (usage_read, usage_gaps), purposes_read = await together(usage_reports(), purposes())
    state.gaps.extend(usage_gaps)
    parts = {SIGN_IN_ACTIVITY} if signed else set()
    if usage_read is not None:
        parts.add(USAGE_REPORTS)
    if flagged is not None:
        groups = _mark_license_errors(groups, flagged)
        parts.add(LICENSE_ERROR_GROUPS)
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
        collected_parts=frozenset((*parts, *((MAILBOX_SETTINGS,) if purposes_read else ()))),
        notes=tuple(state.notes),
        user_attributes=state.attributes if not any(g.part == "users" for g in state.gaps) else (),
        directory_audits=changes,
        usage=usage_read,
    )
