"""One client base for every vendor's API, and the distributors' client on it: each vendor's module
(auditor.vendors.<name>.client) keeps only what is its own (its URLs, how its token is asked for, its
headers, its shapes), and this one does, once, what they all do:

    DistributorError(text, status)      the distributor could not be read, or refused a request: one
                                        line naming the request (each vendor's subclass); a
                                        customer's gap in its reconciliation
    VendorClient                        the base of every vendor's client (a distributor's, a PSA's,
                                        Partner Center's): one HTTP session for the run (a context
                                        manager), each answer read up to `max_bytes`, a failure the
                                        vendor's error naming the request
        .bearer()                       the bearer token of a client that says how it gets one
                                        (token_request: a client-credentials grant), asked for once
                                        and reused
        .authorized(send)               one request sent so; a 401 asks for a new token once and
                                        sends it again (an expired token)
        .refused(what, answer)          the vendor's error for a refusal: the request, the status and
                                        the answer's error code (never its text), and the hint
        .decode(data, where, shape)     the answer as strict JSON (auditor.billing.untrusted: no NaN,
                                        no key given twice, nested at most MAX_DEPTH deep): any
                                        value, or decoded into the Struct `shape`; else the vendor's
                                        error naming `where`
    DistributorClient                   a distributor's session (a VendorClient):
        .call(method, path, where)      the answer's body (200) with the bearer token; any other
                                        status, a transport failure, or an answer over `max_bytes`:
                                        the vendor's error, naming `where`, the status and the
                                        answer's error code
    Fields(error, sender, where)        the checks of an answer's fields, every vendor's (texts, ids,
                                        dates, numbers, prices, currencies, a listing's ids once
                                        each), each refusal naming the request and the field
    once_each(ids)                      what is wrong with a listing that gives one id twice, or None
    is_quantity(value)                  a quantity a distributor's write sends: a whole number, 1 to MAX_SEATS
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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeGuard, TypeVar, overload

import httpx
import msgspec

from auditor.billing.distributor_records import MAX_SEATS
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
from auditor.common.currency import is_currency
from auditor.common.errors import console_line
from auditor.vendors.protocols import DistributorError, Sent

_Shape = TypeVar("_Shape", bound=msgspec.Struct)
ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._:/-]{0,99}\Z")  # a GUID, or a vendor's own id of that kind (a SKU)
MAX_TEXT = 400  # a text field of an answer: past this it is none the vendor sends
MAX_PRICE = 1_000_000.0  # a seat's price or cost above this is none (our bound, not a vendor's)


@dataclass(frozen=True)
class TokenRequest:
    """How a client gets its bearer token: a client-credentials grant posted to `url`, its body as JSON
    or as a form (as the vendor takes it), with the query and headers the vendor asks for. `where`: the
    request as a message names it ("": "<vendor>'s token endpoint"); `limit`: its answer read up to
    this (None: the client's max_bytes)."""

    url: str
    json: Mapping[str, str] | None = None
    form: Mapping[str, str] | None = None
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    where: str = ""
    limit: int | None = None

    def sent(self) -> dict[str, Mapping[str, str]]:
        """httpx's keywords for it: json=... or data=..., and the query and headers when given."""
        sent = {"json": self.json} if self.json is not None else {"data": self.form or {}}
        return sent | {key: given for key, given in (("params", self.params), ("headers", self.headers)) if given}


def _size(limit: int) -> str:
    """A read's bound as a message names it: 4 MiB, 64 KiB."""
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 2**10} KiB"


class VendorClient:
    """One HTTP session with a vendor's API for the run (a context manager): the base of every vendor's
    client, a distributor's (below), a PSA's (auditor.vendors.psa_client.PsaClient) and Partner
    Center's. A subclass names the vendor, its error, its largest answer, its headers, what a refusal
    asks the MSP to check, and how it gets a bearer token when it uses one (token_request): the base
    asks for it once and reuses it, and asks again once on a 401 (an expired token)."""

    vendor: ClassVar[str]  # as a message names it (its registry entry's name)
    error: ClassVar[type[Exception]]  # its error: (text, status)
    max_bytes: ClassVar[int]  # one answer, read up to this and refused past it
    # its credential headers whose names do not say so (lower case; one naming a key, a secret, a password
    # or the authorization is taken out of every answer anyway: auditor.billing.sent_credentials)
    credential_headers: ClassVar[frozenset[str]] = frozenset()
    # the status the error of an answer that is not strict JSON carries: a distributor's, 200 (the request
    # was taken: a write's outcome is unknown, not refused); a PSA's, none
    not_json_status: ClassVar[int | None] = None

    def __init__(self, api_url: str, *, timeout: float = 60.0) -> None:
        self.api_url = api_url
        self._http = httpx.Client(timeout=timeout)
        self._token: str | None = None
        self.token_requests = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def headers(self) -> dict[str, str]:
        """The vendor's own headers of every API request (besides a bearer token)."""
        return {}

    def hint(self, status: int) -> str:
        """What a refusal of this status asks the MSP to check (appended to the message)."""
        return ""

    def refused(self, what: str, answer: Answered) -> Exception:
        """The error of a request the vendor refused: named by the request (`what`), the status and the
        answer's error code (auditor.billing.untrusted.refusal: never its text), with the hint."""
        return self.error(f"{what}: {refusal(answer.status, answer.body)}{self.hint(answer.status)}", answer.status)

    def unreachable(self, what: str, exc: Exception) -> Exception:
        """The error of a request that got no answer (a transport failure), naming it."""
        return self.error(f"{what}: {self.vendor} could not be reached: {type(exc).__name__}")

    def fetch(self, method: str, url: str, what: str, *, limit: int | None = None, **kw: Any) -> Answered:
        """(status, body, headers) of one request, whatever its status, the body read up to `limit`
        (None: max_bytes); an answer over it or a transport failure is the vendor's error naming `what`."""
        most = self.max_bytes if limit is None else limit
        return read_bounded(
            self._http,
            method,
            url,
            limit=most,
            too_large=lambda: self.error(f"{what}: the answer is over {_size(most)}"),
            unreachable=lambda exc: self.unreachable(what, exc),
            credentials=self.credential_headers,
            **kw,
        )

    def token_request(self) -> TokenRequest | None:
        """How this client gets its bearer token; None: it uses none (its keys are in its headers)."""
        return None

    def token_refused(self, asked: TokenRequest, status: int) -> Exception:
        """The error of a token request answered other than 200."""
        return self.error(f"{asked.where}: HTTP {status}{self.hint(401)}", status)

    def bearer(self) -> dict[str, str]:
        """The Authorization header of the bearer token, asked for once and reused ({}: none used)."""
        asked = self.token_request()
        if asked is None:
            return {}
        if self._token is None:
            self._token = self._grant(asked)
        return {"Authorization": f"Bearer {self._token}"}

    def _grant(self, asked: TokenRequest) -> str:
        """A new token (the secret only in the request's body, never in a message)."""
        self.token_requests += 1
        endpoint = f"{self.vendor}'s token endpoint"
        answer = self.fetch("POST", asked.url, asked.where or endpoint, limit=asked.limit, **asked.sent())
        if answer.status != 200:
            raise self.token_refused(asked, answer.status)
        token = said(answer.body).access_token
        if not isinstance(token, str) or not token:
            where = f"{asked.where}: " if asked.where else ""
            raise self.error(f"{where}{endpoint} answered without an access_token")
        return token

    def authorized(self, send: Callable[[], Answered]) -> Answered:
        """The answer of one request (`send`, which asks for bearer() as it sends); a 401 to a bearer token
        asks for a new token once and sends it again (the token expired)."""
        answer = send()
        if answer.status == 401 and self._token is not None:
            self._token = None
            answer = send()
        return answer

    @overload
    def decode(self, data: bytes, where: str) -> Any: ...
    @overload
    def decode(self, data: bytes, where: str, shape: type[_Shape]) -> _Shape | None: ...
    def decode(self, data: bytes, where: str, shape: type[_Shape] | None = None) -> Any:
        """The answer as strict JSON (auditor.billing.untrusted: no NaN, no key given twice, nested at most
        MAX_DEPTH deep): any JSON value, or with `shape` a JSON object decoded into that Struct (None: an
        empty object, {}); else the vendor's error naming `where`."""
        try:
            return strict_value(data) if shape is None else strict_json(data, shape)
        except ValueError as exc:
            raise self.not_json(where, exc) from None

    def not_json(self, where: str, exc: ValueError) -> Exception:
        """The error of an answer that is not strict JSON: the request, and what is wrong (80 characters)."""
        said = f"{where}: the answer is not JSON {self.vendor} sends ({console_line(str(exc))[:80]})"
        return self.error(said, self.not_json_status)


class DistributorClient(VendorClient):
    """A distributor's partner API with the MSP's client credentials (a subclass names the vendor, its
    error, its largest answer and its token request): every request with the bearer token."""

    error: ClassVar[type[DistributorError]]
    credentials: ClassVar[tuple[str, str]]  # the environment variables of the client id and secret
    not_json_status = 200

    def __init__(self, token_url: str, api_url: str, *, timeout: float = 60.0) -> None:
        super().__init__(api_url, timeout=timeout)
        self.token_url = token_url

    def token_refused(self, asked: TokenRequest, status: int) -> Exception:
        client_id, secret = self.credentials
        return self.error(
            f"{self.vendor} refused the client credentials (HTTP {status}): check {client_id} and {secret}"
        )

    def call(self, method: str, path: str, where: str, *, empty: bool = False, **kw: Any) -> bytes:
        """The body of one API request answered 200 (with `empty`, also a 200 or 204 without a body:
        b""); a 401 asks for a new token once and tries again; any other answer is the vendor's error,
        naming `where` (the request as a message shows it) and the status."""
        url, what = f"{self.api_url}{path}", f"{method} {where}"
        answer = self.authorized(
            lambda: self.fetch(method, url, what, headers={**self.bearer(), **self.headers()}, **kw)
        )
        if empty and answer.status in (200, 204) and not answer.body.strip():  # taken, without a body
            return b""
        if answer.status != 200:
            raise self.refused(what, answer)
        return answer.body


@dataclass(frozen=True)
class Fields:
    """The checks an answer's fields pass at the border, every vendor's alike (a distributor's
    subscriptions, a PSA's lines and tickets): each refusal is the vendor's error naming the request
    when one is given (`where`), the field and the value (at most 40 characters of it), never more of
    the answer. `sender`: who a refusal says sends such values ("Pax8", "the PSA"); `texts`: a text's
    most characters unless a check says otherwise; `lines`: texts shown as lines (a PSA's: a blank one
    is none, and each is read as one console line)."""

    error: type[Exception]
    sender: str
    where: str = ""
    texts: int = MAX_TEXT
    lines: bool = False

    def refuse(self, what: str, value: object, said: str = "", *, shown: int = 40) -> Exception:
        """The error refusing `value` of the field `what`: "... is not <said>" (one `sender` sends)."""
        line = f"{what} {str(value)[:shown]!r} is not {said or f'one {self.sender} sends'}"
        return self.error(f"{self.where}: {line}" if self.where else line)

    def text(self, value: object, what: str, *, required: bool = False, most: int | None = None) -> str:
        """A text of at most `most` characters (None: `texts`; "" when not given and not `required`)."""
        if value is None and not required:
            return ""
        blank = required and isinstance(value, str) and not (value.strip() if self.lines else value)
        if not isinstance(value, str) or blank or len(value) > (self.texts if most is None else most):
            raise self.refuse(what, value)
        return console_line(value) if self.lines else value

    def ident(self, value: object, what: str, *, required: bool, pattern: re.Pattern[str] = ID) -> str | None:
        """An id of the shape `pattern` (None when not given and not `required`), else refused."""
        if (value is None or value == "") and not required:
            return None
        if not isinstance(value, str) or not pattern.match(value):
            raise self.refuse(what, value)
        return value

    def whole_id(self, value: object, what: str) -> int:
        """A record's id: a whole number from 1 (the PSAs' ids are 32- or 64-bit integers)."""
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63:
            raise self.refuse(what, value, f"an id {self.sender} sends")
        return value

    def date(self, value: object, what: str) -> str | None:
        """An ISO date or date-time (`2026-03-18T00:00:00Z`) as given, None when not given; else refused."""
        if value is None or value == "":
            return None
        if iso_date(value) is None:
            raise self.refuse(what, value)
        return str(value)

    def day(self, value: object, what: str) -> str | None:
        """An ISO date or date-time's day (YYYY-MM-DD), None when not given; else refused (not a date)."""
        if value is None or value == "":
            return None
        if iso_date(value) is None:
            raise self.refuse(what, value, "a date")
        return str(value)[:10]

    def number(self, value: object, what: str, *, whole: bool, most: float) -> float:
        """A finite number from 0 to `most` (a whole one with `whole`), else refused (bounded_number)."""
        number = bounded_number(value, whole=whole, most=most)
        if number is None:
            raise self.refuse(what, value)
        return number

    def price(self, value: object, what: str, *, most: float = MAX_PRICE) -> float | None:
        """A seat's price or cost: None when not given, else a number from 0 to `most`."""
        return None if value is None else self.number(value, what, whole=False, most=most)

    def currency(self, value: object, what: str, *, required: bool = False) -> str | None:
        """An ISO 4217 code (three capitals), None when not given (null) and not `required`; else refused."""
        if value is None and not required:
            return None
        if not is_currency(value):
            raise self.refuse(what, value, "an ISO 4217 code", shown=20)
        return value

    def listed_once(self, ids: Iterable[object], where: str, what: str = "subscription") -> None:
        """A listing that gives one id twice is the vendor's error naming the request (`where`): once_each."""
        repeated = once_each(ids, what)
        if repeated:
            raise self.error(f"{where}: {repeated}")


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


def is_quantity(value: object) -> TypeGuard[int]:
    """A subscription's new quantity as a distributor's write sends it: a whole number from 1 to MAX_SEATS."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_SEATS


def not_sent(exc: DistributorError) -> Sent:
    """A write the distributor refused (a 4xx: failed, nothing changed) or did not answer (unknown)."""
    refused = exc.status is not None and 400 <= exc.status < 500
    return Sent("failed" if refused else "unknown", str(exc), exc.status)
