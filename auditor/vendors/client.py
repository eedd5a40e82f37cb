"""One client base for every vendor's API, and the distributors' client on it: each vendor's module
(auditor.vendors.<name>.client) keeps only what is its own (its URLs, how its token is asked for, its
headers, its shapes), and this one does, once, what they all do:

    DistributorError(text, status)      the distributor could not be read, or refused a request: one
                                        line naming the request (each vendor's subclass); a
                                        customer's gap in its reconciliation
    VendorClient                        the base of every vendor's client, a PSA's too: one HTTP session
                                        for the run (a context manager), each answer read up to
                                        `max_bytes`, a failure the vendor's error naming the request
    DistributorClient                   a distributor's session (a VendorClient):
        .call(method, path, where)      the answer's body: the bearer token asked for once and reused,
                                        asked for again once on a 401 (an expired token); any other
                                        status, a transport failure, or an answer over `max_bytes`:
                                        the vendor's error, naming `where`, the status and the
                                        answer's error code
        .decode(data, shape, where)     the answer as strict JSON (auditor.billing.untrusted: no NaN,
                                        no key given twice, nested at most MAX_DEPTH deep) decoded
                                        into `shape`, else the vendor's error naming `where`
        .value(data, where)             any JSON value read so (an answer that is a bare string)
    Fields(error, vendor)               the checks of a distributor's answer's fields: texts, ids, dates,
                                        numbers, each refusal naming the request and the field
    once_each(ids)                      what is wrong with a listing that gives one id twice, or None
    not_sent(error)                     a write's outcome when the distributor refused it or did not answer

The client secret is sent only in the token request's body (a vendor's API key only in its header)
and never written into a message, a log or a file: every message is built here from the request's
name, its HTTP status and the answer's error code, in one line, never from the answer's text
(auditor.billing.untrusted.refusal); and whatever an answer echoes of the secret, the key or the
token is taken out of it as it is read (auditor.billing.sent_credentials).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import httpx
import msgspec

from auditor.billing.untrusted import (
    Answered,
    bounded_number,
    iso_date,
    read_bounded,
    refusal,
    said,
    strict_json,
    strict_value,
)
from auditor.common.errors import console_line
from auditor.vendors.protocols import DistributorError, PsaError, Sent

_Shape = TypeVar("_Shape", bound=msgspec.Struct)
ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}\Z")  # a GUID, or a vendor's own id of that kind (a SKU)
MAX_TEXT = 400  # a text field of an answer: past this it is none the vendor sends


@dataclass(frozen=True)
class TokenRequest:
    """A client-credentials token request's body: posted as JSON or as a form, as the vendor takes it."""

    json: Mapping[str, str] | None = None
    form: Mapping[str, str] | None = None

    def sent(self) -> dict[str, Mapping[str, str]]:
        """httpx's keyword for it: json=... or data=..."""
        return {"json": self.json} if self.json is not None else {"data": self.form or {}}


class VendorClient:
    """One HTTP session with a vendor's API for the run (a context manager): the base of every vendor's
    client, a distributor's (below) and a PSA's (auditor.vendors.psa_client.PsaClient). A subclass names
    the vendor, its error, its largest answer, its headers and what a refusal asks the MSP to check."""

    vendor: ClassVar[str]  # as a message names it (its registry entry's name)
    error: ClassVar[type[DistributorError] | type[PsaError]]
    max_bytes: ClassVar[int]  # one answer, read up to this and refused past it
    # its credential headers whose names do not say so (lower case; one naming a key, a secret, a password
    # or the authorization is taken out of every answer anyway: auditor.billing.sent_credentials)
    credential_headers: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, api_url: str, *, timeout: float = 60.0) -> None:
        self.api_url = api_url
        self._http = httpx.Client(timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._http.close()

    def headers(self) -> dict[str, str]:
        """The vendor's own headers of every API request (besides a bearer token)."""
        return {}

    def hint(self, status: int) -> str:
        """What a refusal of this status asks the MSP to check (appended to the message)."""
        return ""

    def fetch(self, method: str, url: str, what: str, **kw: Any) -> Answered:
        """(status, body, headers) of one request, whatever its status, the body read up to max_bytes; an
        answer over it or a transport failure is the vendor's error naming `what`."""
        limit, vendor = self.max_bytes, self.vendor
        return read_bounded(
            self._http,
            method,
            url,
            limit=limit,
            too_large=lambda: self.error(f"{what}: the answer is over {limit // 2**20} MiB"),
            unreachable=lambda exc: self.error(f"{what}: {vendor} could not be reached: {type(exc).__name__}"),
            credentials=self.credential_headers,
            **kw,
        )


class DistributorClient(VendorClient):
    """A distributor's partner API with the MSP's client credentials (a subclass names the vendor,
    its error, its largest answer and its token request): a bearer token asked for once and reused."""

    error: ClassVar[type[DistributorError]]
    credentials: ClassVar[tuple[str, str]]  # the environment variables of the client id and secret

    def __init__(self, token_url: str, api_url: str, *, timeout: float = 60.0) -> None:
        super().__init__(api_url, timeout=timeout)
        self.token_url = token_url
        self._token: str | None = None
        self.token_requests = 0

    def token_request(self) -> TokenRequest:  # pragma: no cover - each vendor says its own
        """The token request's body: JSON or a form."""
        raise NotImplementedError

    def _fetch(self, method: str, url: str, what: str, **kw: Any) -> tuple[int, bytes]:
        answer = self.fetch(method, url, what, **kw)
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


@dataclass(frozen=True)
class Fields:
    """The checks a distributor's answer's fields pass at the border, every distributor's alike: each
    refusal is the vendor's error naming the request (`where`), the field and the value (at most 40
    characters of it), never more of the answer."""

    error: type[DistributorError]
    vendor: str  # as a refusal names it

    def refuse(self, where: str, what: str, value: object) -> DistributorError:
        return self.error(f"GET {where}: {what} {str(value)[:40]!r} is not one {self.vendor} sends")

    def text(self, where: str, value: object, what: str, *, required: bool = False) -> str:
        """A text of at most MAX_TEXT characters ("" when not given and not `required`), else refused."""
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value) or len(value) > MAX_TEXT:
            raise self.refuse(where, what, value)
        return value

    def ident(
        self, where: str, value: object, what: str, *, required: bool, pattern: re.Pattern[str] = ID
    ) -> str | None:
        """An id of the shape `pattern` (None when not given and not `required`), else refused."""
        if (value is None or value == "") and not required:
            return None
        if not isinstance(value, str) or not pattern.match(value):
            raise self.refuse(where, what, value)
        return value

    def date(self, where: str, value: object, what: str) -> str | None:
        """An ISO date or date-time (`2026-03-18T00:00:00Z`), else None when not given; else refused."""
        if value is None or value == "":
            return None
        if iso_date(value) is None:
            raise self.refuse(where, what, value)
        return str(value)

    def number(self, where: str, value: object, what: str, *, whole: bool, most: float) -> float:
        """A finite number from 0 to `most` (a whole one with `whole`), else refused (bounded_number)."""
        number = bounded_number(value, whole=whole, most=most)
        if number is None:
            raise self.refuse(where, what, value)
        return number


def once_each(ids: Iterable[object], what: str = "subscription") -> str | None:
    """What is wrong with a listing that gives one id more than once (a text id in any case), else None:
    the pages moved while they were read, or the listing is not the customer's; either way its sum is
    not what the vendor bills, and which entry is the record is not guessed. Every vendor's listings are
    held to it (a distributor's subscriptions, a PSA's agreements, additions and query items)."""
    counted = Counter(i.casefold() if isinstance(i, str) else i for i in ids)
    repeated = sorted((i for i, n in counted.items() if n > 1), key=str)
    if not repeated:
        return None
    first, n = repeated[0], counted[repeated[0]]
    times = "twice" if n == 2 else f"{n} times"
    shown = repr(first[:40]) if isinstance(first, str) else str(first)[:40]
    return f"{what} {shown} is listed {times}: the customer's listing is not read as whole"


def not_sent(exc: DistributorError) -> Sent:
    """A write the distributor refused (a 4xx: failed, nothing changed) or did not answer (unknown)."""
    refused = exc.status is not None and 400 <= exc.status < 500
    return Sent("failed" if refused else "unknown", str(exc), exc.status)
