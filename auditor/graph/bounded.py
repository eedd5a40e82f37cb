"""An httpx transport that bounds what one answer may cost: its size after decompression.

httpx decompresses a gzip answer into memory without a limit, so a 1 MB page that expands to
1 GB would be accepted (measured: 2.1 GB RSS). This transport sits under the SDK's middleware,
takes over decompression (gzip and deflate, the only encodings the client asks for) and stops
reading once an answer passes `max_bytes`, raising ResponseTooLarge. The wall-time bound of a
whole request is GraphClient's (see RetryPolicy.request_deadline), since it spans the headers too.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar

import httpx

ANSWER_LIMIT = "license_auditor.max_answer_bytes"  # request extension: this answer's own bound
# The same for a request sent through the Graph SDK, whose request adapter passes no extensions
# of its own: set around one request by `answer_limit` (a context variable is per task, so the
# requests other tasks send at the same time keep the transport's bound).
_LIMIT: ContextVar[int | None] = ContextVar("license_auditor_answer_limit", default=None)
ACCEPT_ENCODING = "gzip, deflate"  # what the client asks for; anything else in an answer is refused
_AUTO_HEADER = 32 + zlib.MAX_WBITS  # zlib picks gzip or zlib framing from the header


class ResponseTooLarge(Exception):
    """An answer grew past the limit (after decompression); nothing of it is used."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit:,} bytes after decompression")
        self.limit = limit


class UnexpectedEncoding(Exception):
    """An answer in a Content-Encoding the client did not ask for."""


class _BoundedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, limit: int, decompress: bool) -> None:
        self._inner = inner
        self._limit = limit
        self._left = limit
        self._zlib = zlib.decompressobj(_AUTO_HEADER) if decompress else None

    def _take(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise ResponseTooLarge(self._limit)
        return data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            if self._zlib is None:
                yield self._take(chunk)
                continue
            data = chunk
            while data:
                try:
                    # max_length keeps each step small: a bomb never expands past the limit in memory
                    out = self._zlib.decompress(data, self._left + 1)
                except zlib.error as exc:
                    raise httpx.DecodingError(f"the answer's compressed body is damaged: {exc}") from None
                data = self._zlib.unconsumed_tail
                if out:
                    yield self._take(out)
        if self._zlib is not None:
            rest = self._zlib.flush()
            if rest:
                yield self._take(rest)

    async def aclose(self) -> None:
        await self._inner.aclose()


@contextlib.contextmanager
def answer_limit(max_bytes: int | None) -> Iterator[None]:
    """The answers of the requests sent inside the block (in this task) are bounded at
    `max_bytes` instead of the transport's own bound; None keeps the transport's."""
    token = _LIMIT.set(max_bytes)
    try:
        yield
    finally:
        _LIMIT.reset(token)


class BoundedTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; every answer's body is capped at `max_bytes` once decompressed."""

    def __init__(self, inner: httpx.AsyncBaseTransport, max_bytes: int) -> None:
        self._inner = inner
        self.max_bytes = max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # a request may set its own bound (a usage report's CSV download: one answer for the tenant)
        limit = request.extensions.get(ANSWER_LIMIT) or _LIMIT.get() or self.max_bytes
        response = await self._inner.handle_async_request(request)
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            await response.aclose()
            raise UnexpectedEncoding(f"the answer uses Content-Encoding {encoding[:40]!r}, which was not asked for")
        decompress = encoding not in ("", "identity")
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if not decompress or k.lower() not in ("content-encoding", "content-length")
        ]
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=headers,
            stream=_BoundedStream(response.stream, limit, decompress),
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()
