"""Sending one Graph write through the SDK's request adapter, with bounded retries on throttling.

Reads retry on 429, 503 and 504 and on dropped connections (GraphClient). A write is different:
only an answer that says the request was not processed is retried — 429 (throttled) and 503
(service unavailable), after the Retry-After Graph sends, else a backoff — within the client's
RetryPolicy (retries, longest Retry-After, total wait); past those limits the write has failed.
A timeout, a dropped connection, a 500, 502 or 504 (any 5xx but 503) leave the write's outcome
unknown; it is not sent again, and apply stops there. A 503 says the request was not processed,
but Graph's front end may answer it for an attempt the directory went on to make: a write that was
retried after a 503 and then not accepted is marked `unavailable`, and apply re-reads the user to
tell whether it was made (run.py), rather than journal it as failed on a guess. A write follows no redirect: the SDK's
redirect handler would send the body again to wherever the Location points (another host
included), so a 3xx is an error, and its outcome unknown (something answered for Graph).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import orjson
from kiota_abstractions.method import Method
from kiota_abstractions.native_response_handler import NativeResponseHandler
from kiota_abstractions.request_information import RequestInformation
from kiota_http.middleware.options import RedirectHandlerOption, ResponseHandlerOption, RetryHandlerOption

from auditor.common.errors import AuthError
from auditor.formats.change_model import Body

from ..graph.client import GraphClient, Retries, RetryLimit, graph_error, retry_after

WRITE_RETRY = frozenset((429, 503))
_METHODS = {"POST": Method.POST, "DELETE": Method.DELETE, "PATCH": Method.PATCH}


@dataclass(frozen=True)
class WriteResult:
    status: int | None  # None: no answer (outcome unknown)
    ok: bool
    code: str = ""  # Graph's error code
    message: str = ""  # Graph's error message, cleaned and shortened
    unknown: bool = False  # the write may or may not have been applied
    retries: int = 0
    unavailable: bool = False  # an attempt was answered 503 and retried: that attempt may have been applied


async def send_write(client: GraphClient, method: str, path: str, body: Body | None) -> WriteResult:
    # azure-core: loaded when a change is sent, not by `--help`
    from azure.core.exceptions import ClientAuthenticationError

    policy = client.retry
    url = client.url(path)
    what = f"{method} {path}"
    content = orjson.dumps(body) if body is not None else None
    retries = Retries(client)
    unavailable = False
    while True:
        info = RequestInformation(_METHODS[method])
        info.url = url
        info.headers.try_add("Accept", "application/json")
        if content is not None:
            info.headers.try_add("Content-Type", "application/json")
            info.content = content
        info.add_request_options(
            [
                ResponseHandlerOption(NativeResponseHandler()),
                RetryHandlerOption(delay=0, max_retries=0, should_retry=False),
                RedirectHandlerOption(should_redirect=False),
            ]
        )
        client.requests += 1
        try:
            async with asyncio.timeout(policy.request_deadline):
                response: httpx.Response = await client.adapter.send_primitive_async(info, "bytes", None)
        except AuthError:
            raise
        except ClientAuthenticationError as exc:
            lines = str(getattr(exc, "message", exc)).strip().splitlines()
            raise AuthError(
                f"could not get an access token for {what} ({client.auth_description}): "
                f"{lines[0][:300] if lines else type(exc).__name__}"
            ) from None
        except (TimeoutError, httpx.TimeoutException):
            return WriteResult(
                None, False, message="Graph did not answer in time", unknown=True, retries=retries.attempt
            )
        except httpx.TransportError as exc:
            return WriteResult(
                None,
                False,
                message=f"the connection failed ({type(exc).__name__})",
                unknown=True,
                retries=retries.attempt,
            )
        status = response.status_code
        if 200 <= status < 300:
            return WriteResult(status, True, retries=retries.attempt, unavailable=unavailable)
        if 300 <= status < 400:
            where = urlsplit(response.headers.get("Location", "")).netloc[:100] or "no Location"
            return WriteResult(
                status,
                False,
                message=f"Graph answered with a redirect ({status} to {where}); a write follows no redirect",
                unknown=True,
                retries=retries.attempt,
            )
        code, message = graph_error(response.content)
        if status not in WRITE_RETRY:
            return WriteResult(
                status,
                False,
                code,
                message[:300],
                unknown=status >= 500,
                retries=retries.attempt,
                unavailable=unavailable,
            )
        problem = "Graph is throttling (429)" if status == 429 else "Graph is unavailable (503)"
        unavailable = unavailable or status == 503
        try:
            await retries.wait(
                what, problem, delay=retry_after(response.headers.get("Retry-After")), throttled=status == 429
            )
        except RetryLimit as exc:  # past the policy's bounds: the write has failed
            return WriteResult(
                status,
                False,
                code or str(status),
                f"{problem}: {exc.reason}",
                retries=exc.retries,
                unavailable=unavailable,
            )
