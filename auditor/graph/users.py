"""Reading the users: GET /users in one chain or in partitions (partitions.py), falling back to
reading without employeeLeaveDateTime on a 403, and the user total for the progress line's ETA;
beside them, when a policy checks inactivity, their signInActivity in a listing of its own.

signInActivity is read apart, never in the partitions: `GET /users?$select=id,signInActivity&$top=500`,
one page after another. Microsoft's "Microsoft Graph service-specific throttling limits" gives "GET
signInActivity" 10 requests per minute per app per tenant and 10 per minute per app across all
tenants, and says "The `$select=signInActivity` parameter on the List users operation may cause
stricter throttling than standard Microsoft Graph API calls. To avoid these limits, only use this
parameter when necessary. If you need sign-in activity data, use `$top=500` to get the maximum 500
users per page instead of the default 100." So ceil(users / 500) requests, paced by the app's
sign-in lane (pacing.AppWindows.sign_in, shared by every tenant of the process), while the partitions read the rest at
the directory's speed. A 403 on it is a gap in signInActivity only, and so is a full read that lacks
a listed user created before it began whom Graph still holds (missing_sign_ins, _still_there); the
nightly's filtered read (kept_sign_ins.py) holds a subset by design and is not compared.

employeeLeaveDateTime (when the user left or will leave the organization) is selected only for
`grace_days` (UserReads.leave_dates). Graph documents that reading it takes the application
permission User-LifeCycleInfo.Read.All (delegated: the Lifecycle Workflows Administrator or Global
Reader role); the property is null for users without one. An app token whose roles lack the
permission does not select it; a 403 on a listing that selects it reads again without it. Either
way this is a note, not a gap: the disable time then comes from the directory audit alone, and a
finding whose disable time is not known waits (auditor.plan.declared)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from auditor.common.errors import AuthError, CollectionError
from auditor.common.numbers import english_plural as _s  # "1 request", never "request(s)"
from auditor.common.timestamps import timestamp_or_none
from auditor.data.attributes import top_level
from auditor.data.model import Gap, Group, User
from auditor.data.protection_rules import MAIL_READS
from auditor.policy.objects import SignInJudges

from ..snapshot import (
    LEAVE_DATE,
    SELECTED_USER_FIELDS,
    SIGN_IN_ACTIVITY,
    BadItem,
    BadValue,
    SignInTimes,
    UserDecoder,
    sign_in_times,
    with_sign_ins,
)
from ..snapshot.decode import item_name
from .auth import TokenClaims
from .client import GraphRequestError, together
from .collection import EVENTUAL, PAGE_SIZE, ReadState, forbidden_reason
from .kept_sign_ins import (
    KeptRead,
    SignInPlan,
    changed_path,
    full_read_reason,
    load_quiet,
    merge,
    save,
    signed_in,
    utc_iso,
)
from .kept_sign_ins import times as kept_times
from .kept_trust import distrust
from .pacing import AUDIT_REQUESTS, AUDIT_WINDOW, SIGN_IN_REQUESTS, SIGN_IN_WINDOW
from .partitions import COUNT_AFTER, UNCOUNTED_CAP, Gathered, UsersRead, check_cap, count_users, read_users
from .sign_in_judges import judged

USER_FIELDS = SELECTED_USER_FIELDS  # the decoder requires each of them on every user read
SIGN_IN_PAGE_SIZE = 500
SIGN_IN_PATH = f"/users?$select=id,{SIGN_IN_ACTIVITY}&$top={SIGN_IN_PAGE_SIZE}"
# a user created this long before the sign-in listing began may still be missing from it (clock skew
# between the auditor and Graph, and the directory's replication) without being a gap
CREATED_SKEW = timedelta(minutes=10)
# users missing from it asked one by one before it is a gap (a 404: deleted meanwhile); more are a gap
CONFIRM_MISSING = 20


LEAVE_DATE_ROLES = frozenset(("User-LifeCycleInfo.Read.All", "User-LifeCycleInfo.ReadWrite.All"))
LEAVE_DATE_NOT_READ = (
    "employeeLeaveDateTime is not readable ({why}: it needs the application permission "
    "User-LifeCycleInfo.Read.All); the disable time of grace_days comes from the directory "
    "audit alone"
)


def users_path(attributes: Sequence[str] = (), leave_dates: bool = False, mail_domains: bool = False) -> str:
    """The users listing (never with signInActivity: SIGN_IN_PATH reads it apart). `attributes`: the
    paths a cost allocation asks for (auditor.data.attributes), selected only then; `leave_dates`:
    employeeLeaveDateTime too (grace_days); `mail_domains`: mail and proxyAddresses too (a Defender for
    Office 365 rule's RecipientDomainIs)."""
    mail = MAIL_READS if mail_domains else ()
    fields = USER_FIELDS + ((LEAVE_DATE,) if leave_dates else ()) + mail + top_level(attributes)
    return f"/users?$select={','.join(fields)}&$top={PAGE_SIZE}"


def sign_in_requests(users: int) -> int:
    """The requests the sign-in listing takes for `users` users (at least one)."""
    return max(1, -(-users // SIGN_IN_PAGE_SIZE))


def sign_in_minutes(requests: int) -> float:
    """The least time `requests` sign-in requests take at Graph's limit (10 per minute), in minutes:
    the first ten go at once, each further ten a minute later."""
    return (requests - 1) // SIGN_IN_REQUESTS * SIGN_IN_WINDOW / 60


def leave_dates_granted(claims: TokenClaims | None) -> bool:
    """False only when an app token's roles are known and lack User-LifeCycleInfo.Read.All."""
    if claims is None or claims.delegated:
        return True
    return claims.roles is not None and bool(LEAVE_DATE_ROLES & set(claims.roles))


class _FilterRefused(Exception):
    """Graph answered the filter on signInActivity with a 400."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class UserReads(ReadState):
    leave_dates = False  # select employeeLeaveDateTime (grace_days); cleared when Graph refuses it
    mail_domains = False  # select mail and proxyAddresses (a Defender for Office 365 rule's RecipientDomainIs)
    # the nightly's kept sign-in activity (kept_sign_ins.py): None, every user's is read every time
    sign_in_plan: SignInPlan | None = None
    tenant_hint = ""  # the tenant the token is for (its tid claim): whose kept read may be used
    sign_in_clock: Callable[[], datetime] = staticmethod(_utc_now)
    # with a plan: when the sign-in activity used was read in full (UTC ISO); None: by this collection
    sign_ins_read_at: str | None = None
    # with a plan: whom the rules judge by sign-in times (only a quiet user among them costs a request)
    sign_in_judges: SignInJudges | None = None
    groups_in: asyncio.Future[list[Group]] | None = None  # the groups, once read (their selectors' members)
    # `users` with what tells their kind beyond the listing (the collector's: purposes, agent parents)
    kinds_hook: Callable[[list[User]], Awaitable[list[User]]] | None = None
    # (the dormant accounts, the kept read's time, the night): whether the usage report shows them idle
    # since (dormant_usage.idle_through, the collector's client and token); None: the lane is asked
    idle_hook: Callable[[list[User], datetime, datetime], Awaitable[tuple[str | None, str]]] | None = None
    # with a plan, a night without a request for dormant accounts: the day the usage report showed them idle through
    sign_ins_usage_quiet: str | None = None
    # the listed users, as soon as the listing is in (before their sign-in activity, which can take minutes
    # more): what needs only the listing starts then (the collector's reads after the users)
    listed_hook: Callable[[list[User]], None] | None = None

    async def user_total(self, after: float) -> None:
        """After `after` seconds, tell the progress display how many users to expect (for its
        ETA): a quick collection needs no ETA and spends no request on one. Best effort: a
        failure only leaves the ETA out; the users listing itself reports real problems."""
        await asyncio.sleep(after)
        try:
            response = await self.client.fetch(
                "/users/$count", headers={**EVENTUAL, "Accept": "text/plain"}, retry=False
            )
        except CollectionError:
            return
        text = response.content.strip()
        if text.isdigit() and len(text) < 12:  # bytes: ASCII digits only
            self.progress.expect(int(text))

    async def users(self, with_sign_in: bool) -> tuple[list[User], bool]:
        """All users, and whether their signInActivity was read (apart, beside them: sign_ins)."""
        if not with_sign_in:
            users = await self._listing()
            if self.listed_hook is not None:
                self.listed_hook(users)
            return users, False
        listed: asyncio.Future[list[User]] = asyncio.get_running_loop().create_future()

        async def listing() -> list[User]:
            users = await self._listing()
            listed.set_result(users)
            if self.listed_hook is not None:
                self.listed_hook(users)
            return users

        # the nightly's kept read is scanned before the listing starts: the sign-in lane's first request
        # waits for it, and beside the listing's pages a million users' scan took several times its CPU
        scanned = await self._scan_kept() if self.sign_in_plan is not None else None
        users, times = await together(listing(), self.sign_ins(listed, scanned))
        if times is None or any(g.dataset == "users" for g in self.gaps):
            return users, False
        if isinstance(times, dict):  # read in full tonight
            return with_sign_ins(users, times), True
        return signed_in(users, times), True  # the kept read's and tonight's answer, a chunk at a time

    async def _listing(self) -> list[User]:
        """All users, without signInActivity; falls back to reading without employeeLeaveDateTime
        on a 403; a 403 without it is a gap in users."""
        while True:
            try:
                return await self._read_users()
            except GraphRequestError as exc:
                if exc.status != 403:
                    raise
                if self.leave_dates:  # the property most likely refused: read again without it first
                    self.leave_dates = False
                    self.notes.append(LEAVE_DATE_NOT_READ.format(why=f"Graph answered 403 {exc.code}"))
                    self.progress.note("employeeLeaveDateTime is not readable (403); reading users without it")
                    continue
                self.gaps.append(Gap("users", exc.request, forbidden_reason(exc)))
                return []

    async def _scan_kept(self) -> tuple[datetime, KeptRead | None, str, list[str]]:
        """The night (the audit's clock: `--as-of`, or now), and the nightly's kept read with the users
        tonight's filter can change (kept_sign_ins.load_quiet), or None and why not."""
        plan = self.sign_in_plan
        assert plan is not None
        # the audit's clock (`--as-of`, or its start): the night the read is of, and its kept read's age
        now = plan.as_of if plan.as_of is not None else self.sign_in_clock()
        # a million users' kept read takes seconds to inflate and decode: off the loop
        return (now, *await asyncio.to_thread(load_quiet, plan.path(), plan.cutoff(now)))

    async def sign_ins(
        self,
        listed: asyncio.Future[list[User]] | None = None,
        scanned: tuple[datetime, KeptRead | None, str, list[str]] | None = None,
    ) -> dict[str, SignInTimes] | Iterable[Mapping[str, SignInTimes]] | None:
        """Every user's signInActivity, by id (see _read_sign_ins). With a SignInPlan (the nightly),
        after a full read only the users that can have gone quiet are read, the others are taken
        from the kept full read (kept_sign_ins.py); a full read is kept for the next nights.
        `scanned`: _scan_kept's, when made already."""
        plan = self.sign_in_plan
        if plan is None:  # every user's, every time: the collection is the full read (collected_at)
            return await self._read_sign_ins(SIGN_IN_PATH, listed)
        now, kept, why, quiet = scanned if scanned is not None else await self._scan_kept()
        reason = full_read_reason(plan, kept, why, self.tenant_hint, now)
        if reason is None and kept is not None:
            tonight = await self._corroborated(plan, kept, quiet, now, listed)
            if not isinstance(tonight, str):
                return tonight
            reason = tonight
        self.progress.note(f"signInActivity: a full read ({reason})")
        times = await self._full_sign_ins(now, listed)
        if times is None:
            return None
        if not self.tenant_hint:
            self.notes.append("the sign-in activity read in full was not kept: the token does not name its tenant")
            return times
        try:
            await asyncio.to_thread(save, plan.path(), self.tenant_hint, now, plan.window_days, times)
        except OSError as exc:
            self.notes.append(f"the sign-in activity read in full could not be kept ({exc.strerror or exc})")
        return times

    async def _corroborated(
        self,
        plan: SignInPlan,
        kept: KeptRead,
        quiet: list[str],
        now: datetime,
        listed: asyncio.Future[list[User]] | None,
    ) -> Iterable[Mapping[str, SignInTimes]] | str | None:
        """Tonight's times from `kept` and the filtered read (_changed_sign_ins) when tonight's user
        listing corroborates `kept` (kept_trust.py: the file is input like any other), else why every
        user is read instead. The filtered read goes on while the listing is awaited (at a million
        users its lane and the listing take minutes each); when the check fails, its answer and its
        notes are dropped."""
        check = asyncio.ensure_future(self._distrusted(kept, listed))
        since = len(self.notes)
        try:
            changed: Iterable[Mapping[str, SignInTimes]] | str | None = await self._changed_sign_ins(
                plan, kept, quiet, now, listed
            )
        except _FilterRefused:
            changed = "Graph refused the filter on signInActivity"
        except BaseException:
            check.cancel()
            await asyncio.gather(check, return_exceptions=True)
            raise
        distrusted = await check
        if distrusted is None or changed is None:  # None: a 403, the gap is recorded either way
            return changed
        # the filtered read's notes say the kept read was used: it is not (another task's notes stay)
        self.notes[since:] = [n for n in self.notes[since:] if not n.startswith("signInActivity: ")]
        self.notes.append(f"the kept sign-in read was not used ({distrusted}); every user's sign-in activity was read")
        return distrusted

    async def _distrusted(self, kept: KeptRead, listed: asyncio.Future[list[User]] | None) -> str | None:
        """Why tonight's user listing does not corroborate `kept` (kept_trust.py); None: it does.
        Waits for the listing; a listing that is a gap is not judged (no sign-in is used then)."""
        if listed is None:
            return "no user listing to check the kept read against"
        users = await listed
        if any(g.dataset == "users" for g in self.gaps):
            return None
        read_at = timestamp_or_none(kept.read_at)
        assert read_at is not None  # load() checked it
        # a million users' kept read takes seconds to inflate and decode: off the loop
        return await asyncio.to_thread(distrust, kept, users, missing_sign_ins(users, {}, read_at))

    async def _full_sign_ins(
        self, now: datetime, listed: asyncio.Future[list[User]] | None
    ) -> dict[str, SignInTimes] | None:
        self.sign_ins_usage_quiet = None  # every user's is read: no account rests on the usage report
        times = await self._read_sign_ins(SIGN_IN_PATH, listed)
        if times is not None:
            self.sign_ins_read_at = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return times

    async def _changed_sign_ins(
        self,
        plan: SignInPlan,
        kept: KeptRead,
        quiet: list[str],
        now: datetime,
        listed: asyncio.Future[list[User]] | None,
    ) -> Iterable[Mapping[str, SignInTimes]] | None:
        """The users not signed in successfully since the plan's cutoff, from Graph's filter, and
        everyone else from `kept`; None, with a gap, when Graph refuses signInActivity (403);
        _FilterRefused when Graph refuses the filter (400: everyone is read instead)."""
        cutoff = plan.cutoff(now)
        if not await self._quiet_licensed(kept, quiet, cutoff, listed, now):
            self.sign_ins_read_at = kept.read_at
            seen = f"last seen successfully before {utc_iso(cutoff)} in the full read of {kept.made}"
            usage = self.sign_ins_usage_quiet
            why = (
                f"no licensed user a rule judges by sign-in was {seen}"
                if usage is None
                else f"the licensed users a rule judges by sign-in {seen} did nothing since, by the "
                f"active-user usage report refreshed {usage}"
            )
            note = (
                f"signInActivity: no request: {why}; every user's sign-in activity is that read's "
                f"(kept in {plan.path().name}; read in full again at most {plan.every} nights after it)"
            )
            self.notes.append(note)
            self.progress.note(note)
            return kept_times(kept)
        try:
            answer = await self._read_sign_ins(changed_path(cutoff, SIGN_IN_PAGE_SIZE), listed, full=False)
        except GraphRequestError as exc:
            if exc.status != 400:
                raise
            self.notes.append(f"Graph refused the filter on signInActivity ({exc.code}); every user was read")
            raise _FilterRefused from None
        if answer is None:
            return None  # a 403: the gap is recorded; nothing of the kept read is used
        self.sign_ins_read_at = kept.read_at
        note = (
            f"signInActivity: read the {len(answer):,} users without a successful sign-in since "
            f"{utc_iso(cutoff)}; every other user's is the full read of {kept.made} "
            f"(kept in {plan.path().name}; read in full again at most {plan.every} nights after it)"
        )
        self.notes.append(note)
        self.progress.note(note)
        return merge(kept, answer, cutoff)

    async def _quiet_licensed(
        self,
        kept: KeptRead,
        quiet: list[str],
        cutoff: datetime,
        listed: asyncio.Future[list[User]] | None,
        now: datetime,
    ) -> bool:
        """Whether tonight's filtered read can change a licensed user (kept_sign_ins.quiet_since). When
        the quiet users fit in one request, tonight's listing says whether one of them holds a license
        (waited for: a request saved is worth more in the app's lane than the listing's time), and the
        usage report whether those a rule judges did anything since the kept read (dormant_usage.py);
        more are read unasked."""
        if not quiet:  # `quiet`: kept_sign_ins.quiet_since(kept, cutoff), found as the kept read was loaded
            return False
        self.progress.note(
            f"signInActivity: {len(quiet):,} users' last successful sign-in in the kept read is before "
            f"{utc_iso(cutoff)}: at least {_s(sign_in_requests(len(quiet)), 'filtered request')} if one is licensed"
        )
        if len(quiet) > SIGN_IN_PAGE_SIZE or listed is None:
            return True
        ids = set(quiet)
        licensed = [u for u in await listed if u.id in ids and u.assigned_licenses]
        judges = self.sign_in_judges
        if not licensed or judges is None:
            return bool(licensed)
        groups = await self.groups_in if judges.selectors and self.groups_in is not None else []
        if self.kinds_hook is not None:  # their mailbox purposes and agent parents, where the rules read them
            licensed = await self.kinds_hook(licensed)
        dormant = judged(licensed, groups, judges)
        if dormant:
            return not await self._idle(dormant, kept, now)
        self.progress.note(
            f"signInActivity: the {len(licensed):,} licensed users last seen before {utc_iso(cutoff)} "
            "are accounts no rule judges by sign-in (not people, or left out by an `except:`)"
        )
        return False

    async def _idle(self, dormant: list[User], kept: KeptRead, now: datetime) -> bool:
        """Whether the usage report shows the `dormant` accounts idle since `kept` was read (then they
        keep its times: dormant_usage.py)."""
        read_at = timestamp_or_none(kept.read_at)
        if self.idle_hook is None or read_at is None:
            return False
        through, said = await self.idle_hook(dormant, read_at, now)
        if through is None:
            self.progress.note(f"signInActivity: the filtered request is sent: {said}")
            return False
        self.sign_ins_usage_quiet = through
        self.progress.note(f"signInActivity: {_s(len(dormant), 'dormant licensed account')}: {said}")
        return True

    async def _read_sign_ins(
        self, path: str, listed: asyncio.Future[list[User]] | None = None, *, full: bool = True
    ) -> dict[str, SignInTimes] | None:
        """The signInActivity of the users of `path` (SIGN_IN_PATH: every user), by id, one page after
        another (the client's pacing keeps Graph's 10 a minute); None, with a gap, when Graph refuses
        it (403). Once `listed` holds the users, each page's listed users (the first time, those of
        every page so far) go to `signed_hook` with their sign-ins (the mailbox purposes of the dormant
        ones are asked for while the sign-ins are read)."""
        times: dict[str, SignInTimes] = {}
        requests = 0
        told = not full
        started = self.sign_in_clock()
        by_id: dict[str, User] | None = None
        try:
            async for page in self.client.pages(path):
                requests += 1
                try:
                    found = sign_in_times(page)
                except BadItem as exc:
                    raise CollectionError(
                        f"GET /users returned an object Graph should not send: item {exc.index}"
                        f"{item_name(page[exc.index])}: {exc}; report it with the request id"
                    ) from None
                times.update(found)
                if self.signed_hook is not None and listed is not None and listed.done():
                    # the first page after the listing is in brings every page read before it too
                    fresh, by_id = (found, by_id) if by_id is not None else (times, {u.id: u for u in listed.result()})
                    known = [by_id[uid] for uid in fresh if uid in by_id]
                    self.signed_hook(with_sign_ins(known, fresh))
                if not told and self.progress.total is not None:
                    told = True
                    self.progress.note(sign_in_line(self.progress.total))
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            self.gaps.append(Gap(SIGN_IN_ACTIVITY, exc.request, forbidden_reason(exc)))
            self.progress.note("signInActivity is not readable (403); the users are read without it")
            return None
        if not told or not full:
            self.progress.note(f"read signInActivity in {_s(requests, 'request')} ({SIGN_IN_PAGE_SIZE} a request)")
        if full and listed is not None:
            # the filtered read (full=False) holds a subset by design: only a full read is compared
            missing = await self._still_there(missing_sign_ins(await listed, times, started))
            if missing:
                reason = (
                    f"the sign-in listing held {len(times):,} users and lacked {len(missing):,} of the users "
                    f"listed, created before it began (first: {missing[0]}): inactivity is not evaluated — "
                    "re-run; if it persists, report it"
                )
                self.gaps.append(Gap(SIGN_IN_ACTIVITY, f"GET {path.split('&')[0]}", reason))
                self.progress.note(f"signInActivity: {reason}")
                return None
        return times

    async def _still_there(self, missing: list[str]) -> list[str]:
        """Of the users `missing` from the sign-in listing, those Graph still holds: up to
        CONFIRM_MISSING are asked one by one (`GET /users/{id}?$select=id`; a 404 is a user deleted
        after the users listing read it), more are all taken as missing, unasked."""
        if not missing or len(missing) > CONFIRM_MISSING:
            return missing

        async def held(uid: str) -> bool:
            try:
                await self.client.get(f"/users/{uid}?$select=id")
            except GraphRequestError as exc:
                if exc.status == 404:
                    return False
                raise
            return True

        found = await together(*(held(uid) for uid in missing))
        return [uid for uid, there in zip(missing, found, strict=True) if there]

    async def _read_users(self) -> list[User]:
        """In partitions, several at once, when the tenant is large (partitions.py); else in one chain."""
        decoder = UserDecoder(with_sign_in=False, selected=True, attributes=self.attributes)
        path = users_path(self.attributes, self.leave_dates, self.mail_domains)
        return await read_users(
            UsersRead(
                self.client,
                self.progress,
                path,
                PAGE_SIZE,
                self.streams,
                fast=decoder.page,
                slow=lambda items: _users(items, decoder, path),
                sequential=partial(self._read_sequential, decoder),
                notes=self.notes,
                gaps=self.gaps,
                on_page=None if self.page_hook is None else partial(self.page_hook, signed=False),
                near_end=self.near_end,
            )
        )

    async def _read_sequential(self, decoder: UserDecoder, counted: bool) -> tuple[list[User], int | None]:
        """The users in one chain, and with `counted` the first page's @odata.count (None: not asked
        for, or not given as a number)."""
        path = users_path(self.attributes, self.leave_dates, self.mail_domains)
        gathered = Gathered()
        users = gathered.chain()
        listed: list[int] = []  # the first page's @odata.count, when asked for and given
        asked_count = False
        page: list[User]
        async for page in self._user_pages(path, decoder, listed if counted else None):
            gathered.add(users, page, path)
            self.progress.users_page(len(page))
            if self.page_hook is not None:
                self.page_hook(page, False)
            if self.progress.total is None and listed:
                self.progress.expect(listed[0])
            if self.progress.total is None and not asked_count and len(users) >= COUNT_AFTER:
                asked_count = True  # bound the listing by the users it returns (partitions.check_cap)
                try:
                    self.progress.expect(await count_users(self.client))
                except AuthError:
                    raise
                except CollectionError as exc:
                    self.progress.note(f"could not count the users ({exc}); at most {UNCOUNTED_CAP:,} are read")
            check_cap(len(users), self.progress.total, path)
        return users, listed[0] if listed else None

    def _user_pages(self, path: str, decoder: UserDecoder, counted: list[int] | None) -> AsyncIterator[list[User]]:
        """The pages of users of `path`; with `counted`, the first asks `$count=true` with
        ConsistencyLevel: eventual (Graph's advanced query parameters) and its @odata.count, a
        whole number up to UNCOUNTED_CAP, is put in `counted`."""
        slow = partial(_users, decoder=decoder, path=path)
        if counted is None:
            return self.client.pages(path, fast=decoder.page, slow=slow)
        return self._counted_pages(path, decoder, counted)

    async def _counted_pages(self, path: str, decoder: UserDecoder, counted: list[int]) -> AsyncIterator[list[User]]:
        doc = await self.client.get(f"{path}&$count=true", headers=EVENTUAL)
        what = f"GET {path.split('?')[0]}"
        link = self.client.page_link(doc, what, what, set())  # a page, and a link that may be followed
        found = doc.get("@odata.count")
        # a count above what is read without one bounds nothing (partitions.check_cap): not taken
        if isinstance(found, int) and not isinstance(found, bool) and 0 <= found <= UNCOUNTED_CAP:
            counted.append(found)
        yield _users(doc["value"], decoder, path)
        if link is not None:
            slow = partial(_users, decoder=decoder, path=path)
            async for page in self.client.pages(link, headers=EVENTUAL, fast=decoder.page, slow=slow):
                yield page


def missing_sign_ins(users: Sequence[User], times: Mapping[str, SignInTimes], started: datetime) -> list[str]:
    """The ids of the listed `users` a full sign-in listing (`times`, by id) does not hold, but for
    users created after it began (`started`, less CREATED_SKEW): Graph's two listings are read side
    by side, so a user created meanwhile can be in the user listing and not in the sign-in one. Ids
    are compared, not counts: a user deleted meanwhile (in the sign-ins only) cannot hide a missing
    one. A user without a readable createdDateTime is never excused."""
    since = started - CREATED_SKEW
    out = []
    for user in users:
        if user.id in times:
            continue
        created = timestamp_or_none(user.created_date_time)
        if created is None or created < since:
            out.append(user.id)
    return out


def sign_in_seconds(requests: int, latency: float = 0.0) -> float:
    """The least time `requests` sign-in requests take, one after another (`latency` seconds an
    answer), at Graph's 10 a minute and the identity reports' 5 per 10 s: when the last answer is in."""
    if requests <= 0:
        return 0.0
    last = requests - 1
    sent = max(SIGN_IN_WINDOW * (last // SIGN_IN_REQUESTS), AUDIT_WINDOW * (last // AUDIT_REQUESTS), last * latency)
    return sent + latency


def sign_in_line(users: int) -> str:
    """The progress line of the sign-in listing: its requests for `users` users and their least time."""
    requests = sign_in_requests(users)
    minutes = sign_in_minutes(requests)
    wait = f"at least {minutes:g} min" if minutes else "no wait"
    return (
        f"signInActivity: {users:,} users in {_s(requests, 'request')} ({SIGN_IN_PAGE_SIZE} users a request), "
        f"{wait} at Graph's {SIGN_IN_REQUESTS} requests a minute per app"
    )


def _users(items: list[Any], decoder: UserDecoder, path: str) -> list[User]:
    """The users of a page's parsed `value` (when the page needed a lenient parse)."""
    try:
        return decoder.values(items)
    except BadItem as exc:
        raise CollectionError(
            f"GET {path.split('?')[0]} returned an object Graph should not send: item {exc.index}"
            f"{item_name(items[exc.index])}: {exc}; report it with the request id"
        ) from None
    except BadValue as exc:
        raise CollectionError(
            f"GET {path.split('?')[0]} returned a page Graph should not send: {exc}; report it with the request id"
        ) from None
