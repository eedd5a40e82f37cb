"""Reading the users: GET /users in one chain or in partitions (partitions.py), falling back to
reading without signInActivity on a 403 for it, and the user total for the progress line's ETA."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import Any

from ..attributes import top_level
from ..errors import CollectionError
from ..model import Gap, User
from ..snapshot import SELECTED_USER_FIELDS, SIGN_IN_ACTIVITY, BadItem, BadValue, UserDecoder
from .client import GraphRequestError
from .collection import EVENTUAL, PAGE_SIZE, ReadState, forbidden_reason
from .partitions import Gathered, UsersRead, read_users

USER_FIELDS = SELECTED_USER_FIELDS  # the decoder requires each of them on every user read
SIGN_IN_PAGE_SIZE = 500


def users_path(with_sign_in: bool, attributes: Sequence[str] = ()) -> str:
    """`attributes`: the paths a cost allocation asks for (auditor.attributes), selected only then."""
    fields = USER_FIELDS + ((SIGN_IN_ACTIVITY,) if with_sign_in else ()) + top_level(attributes)
    top = SIGN_IN_PAGE_SIZE if with_sign_in else PAGE_SIZE
    return f"/users?$select={','.join(fields)}&$top={top}"


class UserReads(ReadState):
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
                    self.gaps.append(Gap("signInActivity", exc.request, forbidden_reason(exc)))
                    self.progress.note("signInActivity is not readable (403); reading users without it")
                    with_sign_in = False
                    continue
                self.gaps.append(Gap("users", exc.request, forbidden_reason(exc)))
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

