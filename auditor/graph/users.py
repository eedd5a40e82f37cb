"""Reading the users: GET /users in one chain or in partitions (partitions.py), falling back to
reading without employeeLeaveDateTime, then without signInActivity, on a 403, and the user total
for the progress line's ETA.

employeeLeaveDateTime (when the user left or will leave the organization) is selected only for
`grace_days` (UserReads.leave_dates). Graph documents that reading it takes the application
permission User-LifeCycleInfo.Read.All (delegated: the Lifecycle Workflows Administrator or Global
Reader role); the property is null for users without one. An app token whose roles lack the
permission does not select it; a 403 on a listing that selects it reads again without it. Either
way this is a note, not a gap: the disable time then comes from the directory audit alone, and a
finding whose disable time is not known waits (auditor.plan.declared)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import Any

from ..attributes import top_level
from ..errors import AuthError, CollectionError
from ..model import Gap, User
from ..snapshot import LEAVE_DATE, SELECTED_USER_FIELDS, SIGN_IN_ACTIVITY, BadItem, BadValue, UserDecoder
from ..snapshot.decode import item_name
from .client import GraphRequestError
from .collection import EVENTUAL, PAGE_SIZE, ReadState, forbidden_reason
from .partitions import COUNT_AFTER, UNCOUNTED_CAP, Gathered, UsersRead, check_cap, count_users, read_users

USER_FIELDS = SELECTED_USER_FIELDS  # the decoder requires each of them on every user read
SIGN_IN_PAGE_SIZE = 500


LEAVE_DATE_ROLES = frozenset(("User-LifeCycleInfo.Read.All", "User-LifeCycleInfo.ReadWrite.All"))
LEAVE_DATE_NOT_READ = (
    "employeeLeaveDateTime is not readable ({why}: it needs the application permission "
    "User-LifeCycleInfo.Read.All); the disable time of grace_days comes from the directory "
    "audit alone"
)


def users_path(with_sign_in: bool, attributes: Sequence[str] = (), leave_dates: bool = False) -> str:
    """`attributes`: the paths a cost allocation asks for (auditor.attributes), selected only then;
    `leave_dates`: employeeLeaveDateTime too (grace_days)."""
    fields = (
        USER_FIELDS
        + ((SIGN_IN_ACTIVITY,) if with_sign_in else ())
        + ((LEAVE_DATE,) if leave_dates else ())
        + top_level(attributes)
    )
    top = SIGN_IN_PAGE_SIZE if with_sign_in else PAGE_SIZE
    return f"/users?$select={','.join(fields)}&$top={top}"


def leave_dates_granted(claims: Any) -> bool:
    """False only when an app token's roles are known and lack User-LifeCycleInfo.Read.All."""
    if not isinstance(claims, dict) or ("scp" in claims and "roles" not in claims):
        return True
    roles = claims.get("roles")
    return isinstance(roles, list) and bool(LEAVE_DATE_ROLES & {r for r in roles if isinstance(r, str)})


class UserReads(ReadState):
    leave_dates = False  # select employeeLeaveDateTime (grace_days); cleared when Graph refuses it

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
        """All users; falls back to reading without signInActivity on a 403 for it."""
        while True:
            try:
                return await self._read_users(with_sign_in), with_sign_in
            except GraphRequestError as exc:
                if exc.status != 403:
                    raise
                if self.leave_dates:  # the property most likely refused: read again without it first
                    self.leave_dates = False
                    self.notes.append(LEAVE_DATE_NOT_READ.format(why=f"Graph answered 403 {exc.code}"))
                    self.progress.note("employeeLeaveDateTime is not readable (403); reading users without it")
                    continue
                if with_sign_in:
                    self.gaps.append(Gap("signInActivity", exc.request, forbidden_reason(exc)))
                    self.progress.note("signInActivity is not readable (403); reading users without it")
                    with_sign_in = False
                    continue
                self.gaps.append(Gap("users", exc.request, forbidden_reason(exc)))
                return [], False

    async def _read_users(self, with_sign_in: bool) -> list[User]:
        """In partitions, several at once, when the tenant is large (partitions.py); else in one chain."""
        decoder = UserDecoder(with_sign_in=with_sign_in, selected=True, attributes=self.attributes)
        path = users_path(with_sign_in, self.attributes, self.leave_dates)
        return await read_users(
            UsersRead(
                self.client,
                self.progress,
                path,
                SIGN_IN_PAGE_SIZE if with_sign_in else PAGE_SIZE,
                self.streams,
                fast=decoder.page,
                slow=lambda items: _users(items, decoder, path),
                sequential=lambda: self._read_sequential(with_sign_in, decoder),
                notes=self.notes,
                gaps=self.gaps,
                on_page=None if self.page_hook is None else partial(self.page_hook, signed=with_sign_in),
                near_end=self.near_end,
            )
        )

    async def _read_sequential(self, with_sign_in: bool, decoder: UserDecoder) -> list[User]:
        path = users_path(with_sign_in, self.attributes, self.leave_dates)
        gathered = Gathered()
        users = gathered.chain()
        counted = False
        page: list[User]
        async for page in self.client.pages(path, fast=decoder.page, slow=lambda items: _users(items, decoder, path)):
            gathered.add(users, page, path)
            self.progress.users_page(len(page))
            if self.page_hook is not None:
                self.page_hook(page, with_sign_in)
            if self.progress.total is None and not counted and len(users) >= COUNT_AFTER:
                counted = True  # bound the listing by the users it returns (partitions.check_cap)
                try:
                    self.progress.expect(await count_users(self.client))
                except AuthError:
                    raise
                except CollectionError as exc:
                    self.progress.note(f"could not count the users ({exc}); at most {UNCOUNTED_CAP:,} are read")
            check_cap(len(users), self.progress.total, path)
        return users


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
