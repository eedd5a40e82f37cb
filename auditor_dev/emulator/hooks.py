"""The emulator's two seams, for code outside the package (the tests' faults, the benchmark).

Responders
    A responder is any callable `responder(request) -> Reply | Drop | Proceed | None`, given to
    `GraphEmulator(..., responders=[...])`. The emulator asks them in order, for every request that
    passed the bearer-token check and for every inner request of a `POST /$batch` (then
    `request.batch` is True), before it answers; the first that returns something other than None
    decides:

    - `Reply(status, body, headers, ...)`: sent instead of the emulator's answer. `body` is a JSON
      document (encoded as the emulator encodes its own), or bytes sent as they are with
      `content_type`; `close_after=n` sends only the first n bytes of them (Content-Length still
      promises all) and closes the connection. Inside a $batch only a JSON document is allowed: it
      becomes the inner response's body, and `headers` its headers.
    - `Drop()`: the connection is closed without an answer (not allowed inside a $batch).
    - `Proceed()`: the emulator answers as usual (a responder that only waits, say);
      `Proceed(keep=n)` cuts a listing short: its first n items, no `@odata.nextLink`.

    The answer's `label` is logged as `LoggedRequest.fault`. A responder runs on the server's
    request threads; one that keeps state (a count of hits) locks it.

Listings
    `GraphEmulator(..., listings=...)` may supply user lists already encoded as JSON, so a very
    large tenant is not rendered page by page: `users(select)` for `GET /users?$select=...`, and
    `members(group_id, select)` for `GET /groups/{id}/transitiveMembers/microsoft.graph.user`,
    `direct_members(group_id, select)` for `GET /groups/{id}/members/microsoft.graph.user`.
    None means "render them as usual". Each item must be encoded as `server.dumps` encodes, and
    in the emulator's order, so the pages are byte for byte the same. The caller closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import unquote


@dataclass(frozen=True)
class Request:
    """What a responder sees of a request."""

    method: str
    path: str  # without the /v1.0 prefix, URL-decoded
    query_string: str  # as sent, not decoded
    query: dict[str, str]  # the decoded query parameters
    headers: dict[str, str]  # lower-case names; Authorization left out (empty inside a $batch)
    batch: bool = False  # an inner request of a POST /$batch
    body: bytes = b""  # as sent (empty inside a $batch: an inner request's body is part of the batch's)

    @property
    def target(self) -> str:
        """ "METHOD /v1.0/path?query", URL-decoded: the string fault patterns are written against."""
        query = f"?{unquote(self.query_string)}" if self.query_string else ""
        return f"{self.method} /v1.0{self.path}{query}"


@dataclass(frozen=True)
class Reply:
    """Answer with this instead of the emulator's answer."""

    status: int
    body: Any = None  # a JSON document, or bytes sent as they are
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"  # for a bytes body
    close_after: int | None = None  # bytes body only: send this many bytes of it, then close
    label: str | None = None


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering."""

    label: str | None = None


@dataclass(frozen=True)
class Proceed:
    """Let the emulator answer as usual (logged with `label`). With `keep`, a listing's answer is
    cut short: only its first `keep` items of `value`, and no `@odata.nextLink` (a short listing,
    as a faulty proxy or a Graph incident gives it; `@odata.count` is left as it was). With
    `uncounted`, the answer's `@odata.count` is left out (a `$count=true` listing answered without
    its count)."""

    label: str | None = None
    keep: int | None = None
    uncounted: bool = False


Answer = Reply | Drop | Proceed
Responder = Callable[[Request], Answer | None]


class EncodedItems(Protocol):
    """A list of items already encoded as JSON."""

    def __len__(self) -> int: ...

    def json_array(self, start: int, stop: int) -> bytes:
        """Items [start, stop) as a JSON array (0 <= start < stop <= len)."""
        ...


class Listings(Protocol):
    def users(self, select: tuple[str, ...]) -> EncodedItems | None:
        """All users with these properties, in the snapshot's order; None: render them as usual."""
        ...

    def members(self, group_id: str, select: tuple[str, ...]) -> EncodedItems | None:
        """The group's transitive user members (cast to microsoft.graph.user); None: as usual."""
        ...

    def direct_members(self, group_id: str, select: tuple[str, ...]) -> EncodedItems | None:
        """The group's direct user members (cast to microsoft.graph.user); None: as usual."""
        ...
