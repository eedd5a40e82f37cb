"""Users pre-rendered as Graph JSON, so the emulator can serve a million users page by page.

Each user of one `$select` is rendered once, as the compact JSON the emulator would send, into
a temporary file; a page is a slice of that file between two offsets. Memory stays at eight
bytes per user (the offsets) whatever the page size asked for.
"""

from __future__ import annotations

import json
import mmap
import tempfile
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..model import User
from . import wire


@dataclass(frozen=True)
class RawJSON:
    """JSON text the response writer embeds as is (a page's `value` array)."""

    data: bytes


def dumps(doc: object) -> bytes:
    """The emulator's wire encoding: compact, UTF-8, non-ASCII kept."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


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

    def array(self, start: int, stop: int) -> RawJSON:
        """Users [start, stop) as a JSON array."""
        stop = min(stop, len(self))
        if self._map is None or start >= stop:
            return RawJSON(b"[]")
        return RawJSON(b"[" + self._map[self._offsets[start] : self._offsets[stop] - 1] + b"]")

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self._file.close()
