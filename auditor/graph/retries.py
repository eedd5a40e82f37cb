"""How the Graph client tries a request again, and what it says when it cannot: the RetryPolicy
(its bounds), Retries (the waits of one request under it: Retry-After, else backoff with jitter,
and the hold a 429 puts on every stream of the client), the errors a request ends in
(GraphRequestError, RetryLimit) and the helpers that read Graph's answers for them (graph_error,
retry_after). client.py sends; the JSON batches (mailbox_purpose.py) and the writes
(auditor.apply.writer) retry through the same Retries.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from auditor.common.errors import CollectionError, console_line

from .bounded import ResponseTooLarge, UnexpectedEncoding
from .progress import Progress

RETRY_STATUS = frozenset((429, 503, 504))


class Retrying(Protocol):
    """What Retries needs of its client (GraphClient): the policy, the progress line, the hold
    a 429 puts on every stream, and the sleep every wait goes through (its pacing's clock)."""

    retry: RetryPolicy
    progress: Progress

    def throttled(self, seconds: float) -> None: ...

    async def sleep(self, seconds: float) -> None: ...


class GraphRequestError(CollectionError):
    """A Graph request answered with an error status that retrying will not fix."""

    def __init__(self, message: str, *, status: int, code: str, request: str, graph_message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.request = request
        self.graph_message = graph_message


@dataclass(frozen=True)
class RetryPolicy:
    """How a request is tried again after a throttled (429), unavailable (503, 504) or dropped
    answer; Retries applies it, for every retry of the client and of the code built on it."""

    max_retries: int = 6
    backoff_base: float = 1.0  # seconds; doubles per retry, with jitter
    backoff_cap: float = 60.0
    max_retry_after: float = 300.0  # a longer Retry-After fails the run instead of stalling it
    max_total_wait: float = 900.0  # per request (a JSON batch with all its rounds is one request)
    # the least wait after a 429 without a usable Retry-After (identity protection and Conditional
    # Access send none at their 1 request per second): never at once
    throttled_wait: float = 1.0
    # Wall time of one attempt, headers and body: a server that drips a byte every few seconds
    # never trips httpx's per-read timeout, so the whole attempt has a deadline of its own.
    request_deadline: float = 180.0


class RetryLimit(CollectionError):
    """The client's RetryPolicy allows `request` no further attempt. `problem`: the last answer's
    trouble ("Graph is throttling (429)"); `reason`: the bound reached ("gave up after 6 retries");
    `retries`: the retries made before."""

    def __init__(self, message: str, *, request: str, problem: str, reason: str, retries: int) -> None:
        super().__init__(message)
        self.request = request
        self.problem = problem
        self.reason = reason
        self.retries = retries


class Retries:
    """The retries of one request under its client's RetryPolicy: the wait before each (the
    Retry-After Graph sent, else an exponential backoff with jitter), the bounds (max_retries,
    max_retry_after, max_total_wait) and the hold a 429 puts on every stream of the client.

    Every retry goes through `wait`: the client's own requests, the answers inside a JSON batch
    (the batch is asked again for them, and its rounds share one Retries) and the writes."""

    def __init__(self, client: Retrying) -> None:
        self.client = client
        self.policy = client.retry
        self.attempt = 0  # retries made so far
        self.waited = 0.0  # seconds waited so far

    async def wait(self, request: str, problem: str, *, delay: float | None = None, throttled: bool = False) -> None:
        """Wait before `request` is sent again after `problem`; return to try again.

        `delay`: the answer's Retry-After in seconds (retry_after()), None for the backoff.
        `throttled` (a 429): every request of the client, on every stream, waits as long
        (Graph throttles per application and tenant, not per connection). Past a bound, raises
        RetryLimit naming `request`, without waiting."""
        policy = self.policy
        if delay is not None and delay > policy.max_retry_after:
            reason = (
                f"Graph asked to wait {delay:.0f}s (Retry-After), more than the {policy.max_retry_after:.0f}s limit"
            )
            raise RetryLimit(
                f"{request}: {reason}; re-run later",
                request=request,
                problem=problem,
                reason=reason,
                retries=self.attempt,
            )
        if self.attempt >= policy.max_retries:
            raise RetryLimit(
                f"{request} failed after {policy.max_retries} retries: {problem}; no report was written from "
                "partial data — re-run later, or with fewer concurrent jobs against this tenant",
                request=request,
                problem=problem,
                reason=f"gave up after {policy.max_retries} retries",
                retries=self.attempt,
            )
        if delay is None:
            delay = min(policy.backoff_cap, policy.backoff_base * 2**self.attempt) * (0.5 + random.random() / 2)
        if self.waited + delay > policy.max_total_wait:
            reason = f"still failing after waiting {self.waited:.0f}s in total"
            raise RetryLimit(
                f"{request} {reason}: {problem}; re-run later",
                request=request,
                problem=problem,
                reason=reason,
                retries=self.attempt,
            )
        self.attempt += 1
        if throttled:
            self.client.throttled(delay)
        self.client.progress.waiting(request, problem, delay, self.attempt, policy.max_retries)
        self.waited += delay
        await self.client.sleep(delay)


def unreadable(exc: ResponseTooLarge | UnexpectedEncoding, what: str) -> CollectionError:
    if isinstance(exc, ResponseTooLarge):
        return CollectionError(f"{what}: {exc}; stopped reading it — check for a proxy between the auditor and Graph")
    return CollectionError(f"{what}: {exc}")


def transport_problem(exc: httpx.TransportError, what: str) -> str:
    """Why a request got no answer, as the retry note says it; CollectionError for an answer cut
    off in the middle (a truncated page is never used)."""
    if isinstance(exc, httpx.TimeoutException):
        return "Graph did not answer in time"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        text = str(exc)
        if "complete message body" in text or "incomplete" in text.lower():
            raise CollectionError(
                f"{what}: the connection closed in the middle of the answer (truncated page: {text}); "
                "nothing partial was used — re-run, and check any proxy between the auditor and Graph"
            ) from None
        return "the connection to Graph was dropped"
    return f"cannot reach Graph ({type(exc).__name__}: {exc})"


def graph_error(body: bytes) -> tuple[str, str]:
    """(code, message) of a Graph error answer's body, masked and bounded; ("", "") when the body is
    not Graph's error JSON. The reader and the writer (auditor.apply.writer) both report with it."""
    try:
        doc = json.loads(body)
        err = doc["error"]
        # Masked and made one line here, not only when printed: the message can reach a gap, and so the report
        return console_line(str(err.get("code", ""))[:100]), console_line(str(err.get("message", ""))[:500])
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", ""


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header value (RFC 9110: delay-seconds or an HTTP-date),
    or None (use the normal backoff) when it is absent, malformed, negative, not finite, or a
    date already past."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = (when - datetime.now(when.tzinfo)).total_seconds()
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
