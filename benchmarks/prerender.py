"""Users pre-rendered as Graph JSON, so the emulator can serve a million users page by page.

Each user of one `$select` is rendered once, as the compact JSON the emulator would send, into
a temporary file; a page is a slice of that file between two offsets. Memory stays at eight
bytes per user (the offsets) whatever the page size asked for. `Prerendered` is the emulator's
`listings` seam (auditor_dev/emulator/hooks.py); tests/graph/test_emulator_prerender.py checks the
pages are byte for byte the ones the emulator renders itself.

    with Prerendered(tenant, selects) as listings, GraphEmulator(tenant, listings=listings) as graph:
        ...
"""

from __future__ import annotations

import mmap
import tempfile
from array import array
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any

from auditor.data.model import TenantSnapshot, User
from auditor_dev.emulator import wire
from auditor_dev.emulator.server import dumps

MEMBER_SELECT = ("id",)  # the collector's member reads: `$select=id`, cast to users


class RenderedUsers:
    """Users rendered for one `$select` (a tuple of property names), or by `render`."""

    def __init__(
        self, users: Iterable[User], select: tuple[str, ...], render: Callable[[User], Any] | None = None
    ) -> None:
        self.select = select
        if render is None:

            def render(u: User) -> Any:
                return wire.user_wire(u, select)

        self._file = tempfile.TemporaryFile(prefix="graph-emulator-")  # noqa: SIM115 - lives until close()
        offsets = array("Q", [0])
        position = 0
        batch = bytearray()
        for user in users:
            data = dumps(render(user))
            batch += data
            batch += b","
            position += len(data) + 1
            offsets.append(position)
            if len(batch) > 1 << 22:
                self._file.write(batch)
                batch.clear()
        self._file.write(batch)
        self._file.flush()
        self._offsets = offsets
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if position else None

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def json_array(self, start: int, stop: int) -> bytes:
        """Users [start, stop) as a JSON array."""
        stop = min(stop, len(self))
        if self._map is None or start >= stop:
            return b"[]"
        return b"[" + self._map[self._offsets[start] : self._offsets[stop] - 1] + b"]"

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self._file.close()


class Prerendered:
    """The /users pages of each `$select` in `selects`, and every group's transitive and direct
    user members for `$select=id`, rendered once up front (the emulator's `listings`)."""

    def __init__(self, snapshot: TenantSnapshot, selects: Sequence[tuple[str, ...]]) -> None:
        self._users = {tuple(s): RenderedUsers(snapshot.users, tuple(s)) for s in selects}
        by_key: dict[str, User] = {}
        for u in snapshot.users:
            by_key[u.id.lower()] = u
            by_key[u.user_principal_name.lower()] = u
        self._members: dict[str, RenderedUsers] = {}
        self._direct: dict[str, RenderedUsers] = {}
        for group in snapshot.groups:  # members that exist as users, in the group's order (as the emulator)
            members = [u for u in (by_key.get(m.lower()) for m in group.members) if u is not None]
            self._members[group.id] = RenderedUsers(members, MEMBER_SELECT)
            if group.direct_members is not None:  # else every member is a direct one: the same pages
                direct = {m.lower() for m in group.direct_members}
                self._direct[group.id] = RenderedUsers([u for u in members if u.id.lower() in direct], MEMBER_SELECT)

    def users(self, select: tuple[str, ...]) -> RenderedUsers | None:
        return self._users.get(select)

    def members(self, group_id: str, select: tuple[str, ...]) -> RenderedUsers | None:
        return self._members.get(group_id) if select == MEMBER_SELECT else None

    def direct_members(self, group_id: str, select: tuple[str, ...]) -> RenderedUsers | None:
        if select != MEMBER_SELECT:
            return None
        return self._direct.get(group_id) or self._members.get(group_id)

    def close(self) -> None:
        for rendered in [*self._users.values(), *self._members.values(), *self._direct.values()]:
            rendered.close()
        self._users.clear()
        self._members.clear()
        self._direct.clear()

    def __enter__(self) -> Prerendered:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
