"""One client for a distributor's partner API, Pax8's and Sherweb's alike: each vendor's module
(auditor.vendors.pax8.client, auditor.vendors.sherweb.client) keeps only what is its own (its URLs, how its token
is asked for, its headers, its shapes), and this one does, once, what both do:

    DistributorError(text, status)      the distributor could not be read, or refused a request: one
                                        line naming the request (Pax8Error, SherwebError); a
                                        customer's gap in its reconciliation
    DistributorClient                   one session for the run (a context manager):
        .call(method, path, where)      the answer's body: the bearer token asked for once and reused,
                                        asked for again once on a 401 (an expired token); any other
                                        status, a transport failure, or an answer over `max_bytes`:
                                        the vendor's error, naming `where`, the status and the
                                        answer's error code
        .decode(data, shape, where)     the answer as strict JSON (auditor.billing.untrusted: no NaN,
                                        no key given twice, nested at most MAX_DEPTH deep) decoded
                                        into `shape`, else the vendor's error naming `where`
        .value(data, where)             any JSON value read so (an answer that is a bare string)
    once_each(ids)                      what is wrong with a listing that gives one id twice, or None
    not_sent(error)                     a write's outcome when the distributor refused it or did not answer

The client secret is sent only in the token request's body (a vendor's API key only in its header)
and never written into a message, a log or a file: every message is built here from the request's
name, its HTTP status and the answer's error code, in one line, never from the answer's text
(auditor.billing.untrusted.refusal); and whatever an answer echoes of the secret, the key or the
token is taken out of it as it is read (auditor.billing.sent_credentials).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import httpx
import msgspec

from auditor.billing.untrusted import read_bounded, refusal, said, strict_json, strict_value
from auditor.common.errors import console_line
from auditor.vendors.protocols import DistributorError, Sent

_Shape = TypeVar("_Shape", bound=msgspec.Struct)


@dataclass(frozen=True)
class TokenRequest:
    """A client-credentials token request's body: posted as JSON (Pax8) or as a form (Sherweb)."""

    json: Mapping[str, str] | None = None
    form: Mapping[str, str] | None = None

    def sent(self) -> dict[str, Mapping[str, str]]:
        """httpx's keyword for it: json=... or data=..."""
        return {"json": self.json} if self.json is not None else {"data": self.form or {}}


class DistributorClient:
    """A distributor's partner API with the MSP's client credentials (a subclass names the vendor,
    its error, its largest answer and its token request)."""

    vendor: ClassVar[str]  # as a message names it: Pax8, Sherweb
    error: ClassVar[type[DistributorError]]
    max_bytes: ClassVar[int]  # one answer, read up to this and refused past it
    credentials: ClassVar[tuple[str, str]]  # the environment variables of the client id and secret

    def __init__(self, token_url: str, api_url: str, *, timeout: float = 60.0) -> None:
        self.token_url, self.api_url = token_url, api_url
        self._http = httpx.Client(timeout=timeout)
        self._token: str | None = None
        self.token_requests = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._http.close()

    def token_request(self) -> TokenRequest:  # pragma: no cover - each vendor says its own
        """The token request's body: JSON or a form."""
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        """The vendor's own headers of every API request, besides the bearer token."""
        return {}

    def hint(self, status: int) -> str:
        """What a refusal of this status asks the MSP to check (appended to the message)."""
        return ""

    def _fetch(self, method: str, url: str, what: str, **kw: Any) -> tuple[int, bytes]:
        """(status, body) of one request, the body read up to max_bytes (more is the vendor's error)."""
        limit, vendor = self.max_bytes, self.vendor
        answer = read_bounded(
            self._http,
            method,
            url,
            limit=limit,
            too_large=lambda: self.error(f"{what}: the answer is over {limit // 2**20} MiB"),
            unreachable=lambda exc: self.error(f"{what}: {vendor} could not be reached: {type(exc).__name__}"),
            **kw,
        )
        return answer.status, answer.body

    def _new_token(self) -> str:
        self.token_requests += 1
        status, data = self._fetch(
            "POST", self.token_url, f"{self.vendor}'s token endpoint", **self.token_request().sent()
        )
        if status != 200:
            client_id, secret = self.credentials
            raise self.error(
                f"{self.vendor} refused the client credentials (HTTP {status}): check {client_id} and {secret}"
            )
        token = said(data).access_token
        if not isinstance(token, str) or not token:
            raise self.error(f"{self.vendor}'s token endpoint answered without an access_token")
        return token

    def call(self, method: str, path: str, where: str, *, empty: bool = False, **kw: Any) -> bytes:
        """The body of one API request answered 200 (with `empty`, also a 200 or 204 without a body:
        b""); a 401 asks for a new token once and tries again; any other answer is the vendor's error,
        naming `where` (the request as a message shows it) and the status."""
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._new_token()
            headers = {"Authorization": f"Bearer {self._token}", **self.headers()}
            status, data = self._fetch(method, f"{self.api_url}{path}", f"{method} {where}", headers=headers, **kw)
            if status == 401 and attempt == 1:  # the token expired: a new one, once
                self._token = None
                continue
            if empty and status in (200, 204) and not data.strip():  # taken, without a body
                return b""
            if status != 200:
                raise self.error(f"{method} {where}: {refusal(status, data)}{self.hint(status)}", status)
            return data
        raise self.error(f"{method} {where}: HTTP 401 with a new token", 401)  # pragma: no cover - returns or raises

    def _refused(self, where: str, exc: ValueError) -> DistributorError:
        # answered 200: the request was taken (a write's outcome is unknown, not refused)
        return self.error(f"{where}: the answer is not JSON {self.vendor} sends ({console_line(str(exc))[:80]})", 200)

    def decode(self, data: bytes, shape: type[_Shape], where: str) -> _Shape | None:
        """The answer decoded into `shape` (None: an empty object, {}), read as strict JSON."""
        try:
            return strict_json(data, shape)
        except ValueError as exc:
            raise self._refused(where, exc) from None

    def value(self, data: bytes, where: str) -> Any:
        """The answer as any JSON value, read as strict JSON."""
        try:
            return strict_value(data)
        except ValueError as exc:
            raise self._refused(where, exc) from None


def once_each(ids: Iterable[str]) -> str | None:
    """What is wrong with a listing that gives one subscription id more than once (any case), else None:
    the pages moved while they were read, or the listing is not what the distributor bills; either
    way its sum is not the seats billed, and which entry is the subscription is not guessed."""
    counted = Counter(i.casefold() for i in ids)
    repeated = sorted(i for i, n in counted.items() if n > 1)
    if not repeated:
        return None
    n = counted[repeated[0]]
    times = "twice" if n == 2 else f"{n} times"
    return f"subscription {repeated[0][:40]!r} is listed {times}: the customer's listing is not read as whole"


def not_sent(exc: DistributorError) -> Sent:
    """A write the distributor refused (a 4xx: failed, nothing changed) or did not answer (unknown)."""
    refused = exc.status is not None and 400 <= exc.status < 500
    return Sent("failed" if refused else "unknown", str(exc), exc.status)
