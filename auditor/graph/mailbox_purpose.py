"""Reading the mailbox purpose (shared, room, equipment, ...) of the accounts the hygiene rules
could flag, in JSON batches of GET /users/{id}/mailboxSettings/userPurpose, asked for while the
users are still being listed (PurposeReads); and, once the mailbox usage report is in, of the
unlicensed accounts whose mailbox needs a license if it is a shared one (over 50 GB, or with an
archive: MailboxCheck.storage_candidates)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

import msgspec

from auditor.common.errors import CollectionError, clean_message
from auditor.common.numbers import english_count
from auditor.data.model import NO_MAILBOX, Gap, Profile, User
from auditor.data.sign_ins import maybe_dormant
from auditor.data.usage_data import MAILBOXES, UsageReports, shared_mailbox_needs

from ..snapshot import MAILBOX_SETTINGS
from .arguments import MAILBOX_BATCHES
from .client import RETRY_STATUS, GraphRequestError, Retries, retry_after, together
from .collection import NEEDS, Forbidden, ReadState, forbidden_reason

BATCH_SIZE = 20  # JSON batching takes at most 20 requests in one POST /$batch
PURPOSE_PATH = "/users/{}/mailboxSettings/userPurpose"
PURPOSE_REQUEST = f"POST /$batch (GET {PURPOSE_PATH.format('{id}')})"
# The inner 404 codes that mean "this user has no Exchange Online mailbox" (Microsoft's KB 4462988:
# MailboxNotEnabledForRESTAPI or MailboxNotSupportedForRESTAPI), lower case. Any other 404 (a user
# deleted while the tenant is read answers Request_ResourceNotFound) leaves the purpose unknown.
NO_MAILBOX_CODES = frozenset(("mailboxnotenabledforrestapi", "mailboxnotsupportedforrestapi"))


@dataclass(frozen=True)
class MailboxCheck:
    """Read the mailbox purpose (shared, room, equipment, ...) of the accounts the hygiene rules
    could flag: every licensed, disabled account and, with `inactive_days`, every licensed,
    enabled account without a successful sign-in within that many days (or ever). `as_of` is the
    clock the rules will judge by (`audit --as-of`); None: the collection's clock."""

    inactive_days: int | None = None
    as_of: datetime | None = None
    unlicensed: bool = False  # also the unlicensed accounts whose mailbox would need a license if shared

    def candidates(self, users: Sequence[User], now: datetime, with_sign_in: bool) -> list[int]:
        """Positions of the accounts to ask about, in order."""
        now = self.as_of or now
        picked = {i for i, u in enumerate(users) if not u.account_enabled and u.assigned_licenses}
        if self.inactive_days is not None and with_sign_in:  # licensed, enabled, dormant since the cutoff
            picked.update(maybe_dormant(users, now - timedelta(days=self.inactive_days)))
        return sorted(picked)

    def storage_candidates(self, users: Sequence[User], usage: UsageReports | None) -> list[int]:
        """Positions of the unlicensed accounts whose mailbox, by the mailbox usage report, holds more
        than 50 GB or has an archive: a shared mailbox among them needs a license (the
        shared-mailbox-unlicensed rule). Empty unless asked for (`unlicensed`) and the report was read."""
        if not self.unlicensed or usage is None or usage.read(MAILBOXES.name) is None:
            return []
        rows = usage.by_upn
        out = []
        for i, user in enumerate(users):
            if user.assigned_licenses or user.mailbox_purpose is not None:
                continue
            row = rows.get(user.user_principal_name.lower())
            if row is not None and MAILBOXES.name in row.reports and shared_mailbox_needs(row):
                out.append(i)
        return out


class MailboxPurposes(ReadState):
    async def stored_purposes(
        self, check: MailboxCheck | None, users: list[User], usage: UsageReports | None, allowed: bool
    ) -> bool:
        """Read the purpose of the unlicensed accounts check.storage_candidates picks, once the
        usage reports are in (`allowed`: the app may read them, and the users were read); whether
        nothing was refused."""
        stored = check.storage_candidates(users, usage) if check is not None and allowed else []
        return await self.purposes(users, stored) if stored else True

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
                f"could not read the mailbox purpose of {english_count(len(unread), 'account', 'accounts')}: "
                f"{unread[0]}{more}; "
                "their findings say the auditor could not tell whether they are shared mailboxes"
            )
        return True

    async def _purpose_batch(self, ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """(user id -> userPurpose, user id -> why it stays unknown) for up to BATCH_SIZE users.

        NO_MAILBOX only for the 404s that mean the user has no Exchange Online mailbox
        (NO_MAILBOX_CODES); any other 404 (the user deleted mid-run, ...) or other 4xx leaves that
        user's purpose unknown. A 403 is Forbidden (the permission). A throttled (429) or failed
        (503, 504) sub-request is sent again, alone with the others that were, after the longest
        Retry-After among them: the batch is one request to the client's retry policy (Retries),
        its rounds and the POSTs' own retries share its bounds, and a 429 holds every stream."""
        retries = Retries(self.client)
        pending = {str(n): uid for n, uid in enumerate(ids, 1)}
        out: dict[str, str] = {}
        unread: dict[str, str] = {}
        while pending:
            body = {
                "requests": [
                    {"id": key, "method": "GET", "url": PURPOSE_PATH.format(uid)} for key, uid in pending.items()
                ]
            }
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
                        raise CollectionError(
                            f"{request} answered 200 without a userPurpose value; report it with the request id"
                        )
                    out[uid] = value
                elif status == 404 and _sub_error(answer)[0].lower() in NO_MAILBOX_CODES:
                    out[uid] = NO_MAILBOX
                elif status == 403:
                    code, message = _sub_error(answer)
                    raise Forbidden(
                        request,
                        f"Graph answered 403 {code}: {message} (needs the application "
                        f"permission {NEEDS[MAILBOX_SETTINGS]}, with admin consent)",
                    )
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


class PurposeReads:
    """Mailbox purposes read in JSON batches of BATCH_SIZE, at most `--concurrency` batches at once,
    else MAILBOX_BATCHES (Outlook's requests, budgeted per app and mailbox, apart from the directory
    bucket: not its streams; docs/graph.md),
    asked for as soon as the ids are known: while the users are still being listed, page by page
    (`ask`), so the batches overlap the listing instead of following it."""

    def __init__(self, state: MailboxPurposes) -> None:
        self.state = state
        # --concurrency N: N; else MAILBOX_BATCHES (the directory budget does not count them)
        self.limit = asyncio.Semaphore(state.concurrency if state.streams is not None else MAILBOX_BATCHES)
        self.asked: set[str] = set()
        self.pending: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.found: dict[str, str] = {}
        self.unread: dict[str, str] = {}  # user id -> why its purpose stays unknown
        self.refused: list[Forbidden] = []

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
            except Forbidden as exc:
                self.refused.append(exc)
                return
            except GraphRequestError as exc:
                if exc.status != 403:
                    raise
                self.refused.append(Forbidden(exc.request, forbidden_reason(exc, MAILBOX_SETTINGS)))
                return
            self.found.update(read)
            self.unread.update(skipped)


def _batch_responses(doc: object, pending: Mapping[str, str], what: str) -> list[tuple[str, int, Any, Any]]:
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
            raise CollectionError(
                f"{what} returned a response with id {clean_message(key[:40])!r} that was "
                f"{'answered twice' if key in seen else 'never asked'}; report it"
            )
        seen.add(key)
        out.append((key, status, item.get("headers"), item.get("body")))
    missing = [k for k in pending if k not in seen]
    if missing:
        uid = pending[missing[0]]
        raise CollectionError(
            f"{what} returned no answer for GET {PURPOSE_PATH.format(uid)} ({len(missing)} of "
            f"{len(pending)} missing); re-run, and report it if it persists"
        )
    return out


def _header(headers: object, name: str) -> str | None:
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return str(value)
    return None


def _sub_error(body: object) -> tuple[str, str]:
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return "", ""
    return clean_message(str(err.get("code", ""))[:100]), clean_message(str(err.get("message", ""))[:500])
