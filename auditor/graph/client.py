"""Microsoft Graph requests through msgraph-sdk's request adapter, read as bytes.

The SDK adapter supplies authentication (azure-identity), its middleware and HTTP/2 client;
pages come back as raw bytes and are parsed with orjson, because turning every user into an
SDK model object costs ~10 ms each (and orjson parses a page of users 2-3 times faster than
json.loads, which is most of the client's work on a large tenant). Retries are done here rather than by the SDK's retry
handler so that waits are bounded, reported on stderr, and also cover dropped connections.
"""

from __future__ import annotations

import asyncio
import functools
import json
import posixpath
import re
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

import httpx
import orjson
from azure.core.credentials import TokenCredential
from kiota_abstractions.method import Method
from kiota_abstractions.native_response_handler import NativeResponseHandler
from kiota_abstractions.request_information import RequestInformation
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from kiota_http.middleware.options import RedirectHandlerOption, ResponseHandlerOption, RetryHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph_core import GraphClientFactory

from auditor.common.errors import AuthError, CollectionError
from auditor.data.model import Cloud

from ..snapshot import replace_lone_surrogates
from .auth import TokenClaims, get_access_token, token_claims
from .bounded import ACCEPT_ENCODING, BoundedTransport, ResponseTooLarge, UnexpectedEncoding, answer_limit
from .hosts import LOOPBACK
from .pacing import Pacing
from .progress import Progress, SilentProgress
from .retries import (
    RETRY_STATUS,
    GraphRequestError,
    Retries,
    RetryLimit,
    RetryPolicy,
    graph_error,
    retry_after,
    transport_problem,
    unreadable,
)

REDIRECT_STATUS = frozenset((301, 302, 303, 307, 308))
# Event-loop turns that let a read-ahead request get written out before the current page's
# CPU-bound decoding starts: the SDK's middleware and httpx's connection pool yield twice on the
# way, so the request leaves during the third turn (measured with msgraph-sdk 1.65 / httpx 0.28;
# fewer turns only delay the read-ahead, they cannot break it).
_TO_THE_WIRE = 3
# One answer's size after decompression. A page of 999 users with every field the rules read is
# 1-3 MB; the limit stops a gzip bomb (1 MB on the wire, 1 GB in memory) long before it hurts.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
# Pages one collection may follow. 50,000 pages hold 25M users at $top=500: more than any tenant,
# few enough that a server feeding endless new links is stopped instead of read until killed.
MAX_PAGES = 50_000
_DEFAULT_PORTS = {"http": 80, "https": 443}
# the retry policy and the errors, in retries.py, reached through the client as before
__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_PAGES",
    "REDIRECT_STATUS",
    "RETRY_STATUS",
    "GraphClient",
    "GraphRequestError",
    "Retries",
    "RetryLimit",
    "RetryPolicy",
    "graph_error",
    "retry_after",
    "together",
]


def _request_information(
    url: str, headers: Mapping[str, str], method: Method, content: bytes | None, *, follow: bool
) -> RequestInformation:
    """One request as the SDK's adapter takes it: the SDK's own retries and (unless `follow`)
    redirects switched off, since the client retries and judges redirects itself."""
    info = RequestInformation(method)
    info.url = url
    if content is not None:
        info.content = content
    for key, value in headers.items():
        info.headers.try_add(key, value)
    info.headers.try_add("Accept", "application/json")  # unless the caller chose
    info.add_request_options(
        [
            ResponseHandlerOption(NativeResponseHandler()),
            RetryHandlerOption(delay=0, max_retries=0, should_retry=False),
            *(() if follow else (RedirectHandlerOption(should_redirect=False),)),
        ]
    )
    return info


@functools.cache
def shared_tls() -> ssl.SSLContext:
    """The TLS context every Graph client of this process uses. httpx builds one per client by loading the CA
    bundle, about 0.1 s of CPU each: a run over 1,000 tenants would pay it 1,000 times."""
    return httpx.create_ssl_context()


class GraphClient:
    """One tenant's Graph endpoint: `get` a document, or iterate the `pages` of a collection."""

    def __init__(
        self,
        *,
        base_url: str,
        credential: TokenCredential,
        cloud: Cloud = Cloud.WORLDWIDE,
        scope: str | None = None,
        auth_description: str = "credential",
        retry: RetryPolicy | None = None,
        timeout: float = 100.0,
        progress: Progress | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_pages: int = MAX_PAGES,
        pacing: Pacing | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cloud = cloud
        self.credential = credential
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CollectionError(f"Graph endpoint {base_url!r} is not an http(s) URL")
        if parts.scheme == "http" and parts.hostname not in LOOPBACK:
            raise CollectionError(f"Graph endpoint {base_url!r}: plain http is allowed only on localhost / 127.0.0.1")
        self.scope = scope or f"{parts.scheme}://{parts.hostname}/.default"
        # Where a @odata.nextLink may point: this endpoint's scheme, host, port and path.
        self._origin = (parts.scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[parts.scheme])
        self._prefix = parts.path.rstrip("/") + "/"
        self.max_pages = max_pages
        self.auth_description = auth_description
        self.retry = retry or RetryPolicy()
        self.progress = progress or SilentProgress()
        # Graph's published budgets, kept by pacing the requests (pacing.py): one per client, as
        # one client is one app in one tenant
        self.pacing = pacing or Pacing()
        self.requests = 0
        # The pacing clock's time before which no request is sent: a 429 on any stream holds all
        # of them for its Retry-After (Graph throttles per app and tenant, not per connection).
        self._resume_at = 0.0
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[self.scope], allowed_hosts=[parts.hostname.lower()]
        )
        transport = BoundedTransport(httpx.AsyncHTTPTransport(http2=True, verify=shared_tls()), max_answer_bytes)
        http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
            transport=transport,
            headers={"Accept-Encoding": ACCEPT_ENCODING},
        )
        http = GraphClientFactory.create_with_default_middleware(client=http)
        self._http: httpx.AsyncClient = http
        self.adapter = GraphRequestAdapter(auth, client=http)
        self.adapter.base_url = self.base_url

    async def aclose(self) -> None:
        await self._http.aclose()
        close = getattr(self.credential, "close", None)
        if callable(close):
            close()

    # --- auth ------------------------------------------------------------------------------

    async def token_claims(self) -> TokenClaims | None:
        token = await asyncio.to_thread(get_access_token, self.credential, self.scope, self.auth_description)
        return token_claims(token)

    # --- throttling ------------------------------------------------------------------------

    def throttled(self, seconds: float) -> None:
        """Hold every request of this client, on every stream, for `seconds` from now (a 429's
        Retry-After): concurrent reads share one throttling budget."""
        self._resume_at = max(self._resume_at, self.pacing.timer.now() + seconds)

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` on the pacing's clock (the wall clock, but in tests on a virtual one)."""
        await self.pacing.timer.sleep(seconds)

    async def _hold(self) -> None:
        """Wait while a 429 on any stream holds the client."""
        while (left := self._resume_at - self.pacing.timer.now()) > 0:
            await self.sleep(left)

    # --- requests --------------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.base_url + path_or_url

    def describe(self, url: str, method: str = "GET") -> str:
        """The request as shown in messages: method and path relative to the endpoint."""
        text = unquote(url)
        if text.startswith(self.base_url):
            text = text[len(self.base_url) :]
        text = re.sub(r"\$skiptoken=[^&]*", "$skiptoken=…", text)
        return f"{method} {text}"

    async def get(self, path_or_url: str, *, headers: Mapping[str, str] | None = None) -> Any:
        url = self.url(path_or_url)
        what = self.describe(url)
        response = await self._send(url, headers or {}, what)
        return self._json(response, what)

    async def post(self, path: str, body: Any, *, what: str | None = None, retries: Retries | None = None) -> Any:
        """POST a JSON document (a read such as JSON batching: retried like a GET) and parse the answer.
        `retries`: the request's Retries when this POST is one round of it (a batch asked again)."""
        url = self.url(path)
        shown = what or self.describe(url, "POST")
        response = await self._send(
            url,
            {"Content-Type": "application/json"},
            shown,
            method=Method.POST,
            content=orjson.dumps(body),
            retries=retries,
        )
        return self._json(response, shown)

    async def submit(self, path: str, body: Any, *, what: str | None = None) -> httpx.Response:
        """POST a JSON document that starts a long-running operation (a partner billing export) and
        return the successful answer itself: its status and headers (a 202's Location) are the answer."""
        url = self.url(path)
        shown = what or self.describe(url, "POST")
        return await self._send(
            url, {"Content-Type": "application/json"}, shown, method=Method.POST, content=orjson.dumps(body)
        )

    async def fetch(
        self,
        path_or_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
        follow: bool = True,
        max_bytes: int | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        """The successful response itself (for answers that are not JSON, such as $count).
        `retry=False`: one attempt; throttling or a network problem raises CollectionError at
        once instead of waiting (for best-effort reads). `follow=False`: a redirect is returned,
        not followed (a usage report's download URL is checked, then read without the token).
        `max_bytes`, `deadline`: this answer's size and wall-time bounds instead of a page's
        (a usage report answered by Graph itself is one answer for the whole tenant)."""
        url = self.url(path_or_url)
        return await self._send(
            url, headers or {}, self.describe(url), retry=retry, follow=follow, max_bytes=max_bytes, deadline=deadline
        )

    @property
    def http(self) -> httpx.AsyncClient:
        """The SDK's HTTP client (its middleware and bounded transport) without the authentication
        provider: a request sent here carries no bearer token (pre-authenticated download URLs)."""
        return self._http

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        body = response.content
        try:
            return orjson.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):  # orjson.JSONDecodeError is a json.JSONDecodeError
            pass
        try:  # orjson refuses a lone surrogate escape ("\\ud800") that Graph may pass through from a name
            return replace_lone_surrogates(json.loads(body), body)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError):
            kind = response.headers.get("content-type", "unknown content type")
            raise CollectionError(
                f"{what} returned a page that is not valid JSON ({len(body)} bytes of {kind}); the answer was "
                "truncated or came from a proxy — re-run, and check any proxy between the auditor and Graph"
            ) from None

    async def pages(
        self,
        path_or_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        fast: Callable[[bytes], tuple[str | None, Callable[[], Any]] | None] | None = None,
        slow: Callable[[list[Any]], Any] | None = None,
    ) -> AsyncIterator[Any]:
        """Yield each page's `value`, following @odata.nextLink to the end.

        With `fast` and `slow` the caller decodes. `fast` splits a page's bytes into
        (@odata.nextLink, a function returning the decoded items); the next page is requested
        before that function runs, so Graph prepares it while this one is decoded. When `fast`
        or its function returns None, the page is parsed and checked here and its `value`
        handed to `slow`. Either way each page yields decoded items."""
        url: str | None = self.url(path_or_url)
        first = self.describe(self.url(path_or_url))
        hdrs = headers or {}
        ahead: asyncio.Task[httpx.Response] | None = None  # the next page, already requested
        seen: set[str] = set()
        try:
            while url is not None:
                what = self.describe(url)
                if len(seen) >= self.max_pages:
                    raise CollectionError(
                        f"{first}: Graph kept sending @odata.nextLink after {self.max_pages:,} pages; stopped "
                        "reading an endless listing — nothing partial was used; report it if it persists"
                    )
                seen.add(url)
                if ahead is not None:
                    response, ahead = await ahead, None
                else:
                    response = await self._send(url, hdrs, what)
                split = fast(response.content) if fast is not None else None
                if split is not None:
                    next_url, finish = split
                    if next_url is not None:
                        self.check_link(next_url, what, seen)
                        ahead = asyncio.ensure_future(self._send(next_url, hdrs, self.describe(next_url)))
                        for _ in range(_TO_THE_WIRE):
                            await asyncio.sleep(0)
                    items = finish()
                    if items is not None:
                        yield items
                        url = next_url
                        continue
                doc = self._json(response, what)
                next_link = self.page_link(doc, what, first, seen)
                if ahead is not None and next_link != next_url:
                    _drop(ahead)
                    ahead = None
                yield slow(doc["value"]) if slow is not None else doc["value"]
                url = next_link
        finally:
            if ahead is not None:
                _drop(ahead)

    def page_link(self, doc: Any, what: str, first: str, seen: set[str]) -> str | None:
        """A parsed page's @odata.nextLink (None on the last page), checked; CollectionError for a
        page that is not a page (no `value` list) or a malformed or refused link."""
        if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
            raise CollectionError(
                f"{what} returned a page without a `value` list; the data for {first} is "
                "incomplete — re-run, and report it if it persists"
            )
        next_link = doc.get("@odata.nextLink")
        if next_link is not None and not isinstance(next_link, str):
            raise CollectionError(f"{what} returned a malformed @odata.nextLink")
        if next_link is not None:
            self.check_link(next_link, what, seen)
        return next_link

    def check_link(self, link: str, what: str, seen: set[str]) -> None:
        """Refuse a @odata.nextLink that leaves this endpoint or goes round in a circle.

        The bearer token goes with every page request, and users read from elsewhere would be
        audited as this tenant's: a link must keep the endpoint's scheme, host, port and path
        prefix, carry no credentials and no dot segments. Nothing is sent to a refused link."""
        parts = urlsplit(link)
        origin = (
            parts.scheme.lower(),
            (parts.hostname or "").lower(),
            _port(parts) or _DEFAULT_PORTS.get(parts.scheme.lower()),
        )
        path = unquote(parts.path)
        if (
            origin != self._origin
            or parts.username is not None
            or parts.password is not None
            or not (path + "/").startswith(self._prefix)
            or posixpath.normpath(path) != path.rstrip("/")
            or "\\" in path
        ):
            raise CollectionError(
                f"{what} returned an @odata.nextLink outside the Graph endpoint ({_shown(link)}; expected "
                f"{self._origin[0]}://{self._origin[1]}:{self._origin[2]}{self._prefix}…); stopped without "
                "following it — check for a proxy rewriting Graph's answers"
            )
        if link in seen:
            raise CollectionError(
                f"{what} returned an @odata.nextLink to a page already read ({self.describe(link)}); stopped a "
                "paging loop — nothing partial was used; re-run, and report it if it persists"
            )

    async def _send(
        self,
        url: str,
        headers: Mapping[str, str],
        what: str,
        *,
        retry: bool = True,
        method: Method = Method.GET,
        content: bytes | None = None,
        follow: bool = True,
        retries: Retries | None = None,
        max_bytes: int | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        from azure.core.exceptions import ClientAuthenticationError  # azure-core: with the credential, not at start-up

        policy = self.retry
        retries = retries or Retries(self)
        parts = urlsplit(url)
        path, query = unquote(parts.path), unquote(parts.query)
        while True:
            if self._resume_at:
                await self._hold()
            info = _request_information(url, headers, method, content, follow=follow)
            self.requests += 1
            problem: str
            delay: float | None = None
            status = 0
            try:
                # asyncio.timeout, not wait_for: no extra task, so a read-ahead request still
                # reaches the wire before the current page is decoded (wait_for cost 20 % of collect)
                # the wait for a budget's turn (pacing.py) is not part of the attempt's deadline
                with answer_limit(max_bytes):
                    async with self.pacing.turn(path, query):
                        async with asyncio.timeout(deadline or policy.request_deadline):
                            response: httpx.Response = await self.adapter.send_primitive_async(info, "bytes", None)
                        self.pacing.answered(path, response.headers)
            except AuthError:
                raise
            except (ResponseTooLarge, UnexpectedEncoding) as exc:
                raise unreadable(exc, what) from None
            except TimeoutError:
                problem = f"Graph did not finish answering within {deadline or policy.request_deadline:.0f}s"
            except ClientAuthenticationError as exc:
                lines = str(getattr(exc, "message", exc)).strip().splitlines()
                reason = lines[0][:300] if lines else type(exc).__name__
                raise AuthError(
                    f"could not get an access token for {what} ({self.auth_description}): {reason}"
                ) from None
            except httpx.TransportError as exc:
                problem = transport_problem(exc, what)
            else:
                _unlink(response)
                status = response.status_code
                if 200 <= status < 300 or (not follow and status in REDIRECT_STATUS):
                    return response
                problem, delay = self._retryable(response, what, retries.attempt)
            if not retry:
                raise CollectionError(f"{what}: {problem}")
            await retries.wait(what, problem, delay=delay, throttled=status == 429)

    def _retryable(self, response: httpx.Response, what: str, attempt: int = 0) -> tuple[str, float | None]:
        """Why an answer that is not a success is worth another try, and when (Retry-After);
        the error for one that is not (a 4xx, or a 5xx Graph does not recover from)."""
        status = response.status_code
        if status not in RETRY_STATUS:
            raise self._error(response, what)
        problem = "Graph is throttling (429)" if status == 429 else f"Graph is unavailable ({status})"
        delay = retry_after(response.headers.get("Retry-After"))
        if status == 429 and delay is None:
            # identity protection and Conditional Access answer 429 without Retry-After at their
            # 1 request per second per tenant: a second at least, never at once (the backoff's
            # jitter could be half of that)
            delay = max(self.retry.throttled_wait, min(self.retry.backoff_cap, self.retry.backoff_base * 2**attempt))
        return problem, delay

    def _error(self, response: httpx.Response, what: str) -> CollectionError:
        status = response.status_code
        code, message = graph_error(response.content)
        detail = f"{status} {code}: {message}" if code else f"HTTP {status}"
        if status == 401:
            return AuthError(
                f"{what}: Microsoft Graph rejected the access token ({detail}); check the credential "
                f"({self.auth_description}), the tenant and the cloud (--cloud)"
            )
        if status == 403:
            hint = "grant the app the missing Microsoft Graph application permission and admin consent"
        elif status == 404:
            hint = "the object does not exist in this tenant"
        elif status == 400:
            hint = "Graph refused the query; this is a bug in the auditor or an unsupported tenant setup — report it"
        else:
            hint = "re-run later; if it persists, check the Microsoft 365 service health"
        return GraphRequestError(
            f"{what} failed: {detail}; {hint}", status=status, code=code, request=what, graph_message=message
        )


async def together(*jobs: Awaitable[Any]) -> list[Any]:
    """Run jobs concurrently, their results in order; on the first failure cancel the rest and
    raise that failure (an authentication failure first: it explains every other)."""
    tasks = [asyncio.ensure_future(j) for j in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        errors = [t.exception() for t in tasks if t.done() and not t.cancelled() and t.exception() is not None]
        for err in errors:
            if isinstance(err, AuthError):
                raise err from None
        raise


def _drop(task: asyncio.Task[Any]) -> None:
    """Abandon a read-ahead request: cancel it, or retrieve its outcome so nothing is logged."""
    if task.done():
        if not task.cancelled():
            task.exception()
    else:
        task.cancel()


def _shown(link: str) -> str:
    """A refused link as shown in a message: no query (it may carry anything), at most 120 characters."""
    parts = urlsplit(link)
    port = _port(parts)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{port}' if port else ''}{parts.path}"[:120]


def _port(parts: SplitResult) -> int | None:
    """The URL's explicit port; None when absent or not a port (urlsplit raises on reading it)."""
    try:
        return parts.port
    except ValueError:
        return None


_READ = httpx.ByteStream(b"")


def _unlink(response: httpx.Response) -> None:
    """httpx's response and its stream refer to each other (BoundAsyncStream), a cycle only the
    cycle collector frees, so every page's body (up to a megabyte) stayed until a full collection.
    The body is read by now (the bounded transport reads it whole): the stream can go."""
    if response.is_stream_consumed:
        response.stream = _READ
