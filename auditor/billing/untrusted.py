"""What a vendor's API answers is untrusted (a distributor's, a PSA's; Partner Center's answers are read
through the same strict JSON and bounded read): the checks the clients apply to it, said once. Each
returns the value or None when it is not in shape (strict_value, strict_json: ValueError); the client
names the field or the request and raises its own error (a DistributorError, a PsaError,
BillingSourceError), so a customer's reading fails as that customer's gap.

    strict_value(data)              a JSON value as RFC 8259 has it: no NaN, Infinity or `1e400`, no
                                    key given twice in one object, nested at most MAX_DEPTH deep
    JsonValue, JsonObject           a JSON value (an object) as it arrived, typed without Any
    strict_json(data, shape)        a JSON object read so (strict_value), decoded into the Struct
                                    `shape` (None: the object is empty, {})
    said(data)                      what an error answer or a token answer says (Said), else nothing
    refusal(status, data)           a refusal named by its HTTP status and the answer's error code
                                    ("HTTP 401 Unauthorized"), never the answer's text
    iso_date(value)                 an ISO date or date-time string of at most 40 characters
    bounded_number(value, ...)      a finite number from 0 to a bound (a whole one when asked)
    read_bounded(http, ...)         (status, body, headers) of one request, the body at most `limit` bytes,
                                    every credential the request carries taken out of it
                                    (auditor.billing.sent_credentials)

What a vendor says in an error answer (its `message`, `description`, `detail`, `errors`) is never
shown: it may echo the request, keys and all, and it is the vendor's text in a line the MSP's files
and the customer's report could carry. The refusal is named by its status and the answer's code.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias, TypeVar

import msgspec

from auditor.billing.sent_credentials import credential_forms, scrub
from auditor.common import shapes

if TYPE_CHECKING:
    import httpx

# A JSON value as it arrived, for the one place a document is free JSON: a resource an API takes back
# as it was read, changed (Partner Center's PATCH of a subscription, auditor.apply.commerce_reread).
# Recursive, without Any: mypy checks each use (msgspec cannot decode it: the APIs' answers are read
# by strict_value and the fields read are checked where they are read).
JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonObject: TypeAlias = dict[str, JsonValue]


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


MAX_DEPTH = 32  # objects and arrays in one another: the vendors' shapes read nest at most 5 deep


def _one_each(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """An object whose keys are each given once: RFC 8259 leaves a repeated name's meaning to the reader
    ("names within an object SHOULD be unique"), so which value counts is never guessed."""
    doc = dict(pairs)
    if len(doc) != len(pairs):
        names = [k for k, _ in pairs]
        twice = next(k for k in names if names.count(k) > 1)
        raise ValueError(f"the key {twice[:40]!r} is given twice in one object")
    return doc


def _depth(doc: object) -> int:
    """How deep objects and arrays nest in `doc` (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack += [(v, level + 1) for v in (value.values() if isinstance(value, dict) else value)]
    return deepest


def strict_value(data: bytes) -> Any:
    """A JSON value as RFC 8259 has it: no NaN or Infinity, no number beyond a float (`1e400`), no key
    given twice in one object, objects and arrays nested at most MAX_DEPTH deep; ValueError otherwise
    (never RecursionError: an answer nested past the interpreter's limit is refused by name)."""
    try:
        doc = json.loads(data, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_one_each)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} deep") from None
    if _depth(doc) > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} deep")
    return doc


class Said(msgspec.Struct, frozen=True):
    """What a token answer or an error answer says, by the fields the clients read: each value is
    untrusted (a token must be a string; a code is shown only when it is one: _CODE)."""

    access_token: object = None
    code: object = None  # a word ("Unauthorized") or a number (800002), as the vendor gives it
    error: object = None  # an OAuth token endpoint's ("invalid_client")


# an error code as the vendors give one: a word or a number, never a sentence or a value
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}\Z")


_Shape = TypeVar("_Shape", bound=msgspec.Struct)


def strict_json(data: bytes, shape: type[_Shape]) -> _Shape | None:
    """A JSON object read strictly (strict_value), decoded into `shape` (its documented fields; None
    when the object is empty, {}); ValueError otherwise."""
    doc = strict_value(data)
    if not isinstance(doc, Mapping):
        raise ValueError("not an object")
    return shapes.convert(doc, shape) if doc else None


def said(data: bytes) -> Said:
    """What an error answer or the token's answer says, else nothing (Said())."""
    try:
        return strict_json(data, Said) or Said()
    except ValueError:
        return Said()


def refusal(status: int, data: bytes) -> str:
    """ "HTTP <status>", and the answer's error code when it gives one (`code`, else an OAuth `error`)
    that is a word or a number: never the answer's text."""
    answer = said(data)
    code = answer.code if answer.code is not None else answer.error
    shown = str(code) if isinstance(code, str | int) and not isinstance(code, bool) else ""
    return f"HTTP {status} {shown}" if _CODE.match(shown) else f"HTTP {status}"


def iso_date(value: object) -> str | None:
    """`value` when it is an ISO date or date-time (`2026-03-18T00:00:00Z`) of at most 40 characters."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return None
    return value


def bounded_number(value: object, *, whole: bool, most: float) -> float | None:
    """`value` when it is a finite number from 0 to `most` (a whole one with `whole`); None for NaN,
    Infinity, `1e400` (infinite as a float), a negative or fractional count, text, true/false."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= most
        or (whole and value != int(value))
    ):
        return None
    return value


class Answered(NamedTuple):
    """One request's answer: its status, its body (bounded), its headers."""

    status: int
    body: bytes
    headers: httpx.Headers


def read_bounded(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    limit: int,
    too_large: Callable[[], Exception],
    unreachable: Callable[[httpx.HTTPError], Exception],
    credentials: frozenset[str] = frozenset(),
    **kw: Any,
) -> Answered:
    """(status, body, headers) of one request, the body read up to `limit` bytes: more raises
    `too_large()`, a transport failure `unreachable(exc)`. Every credential the request carries (its
    headers', with those the client names `credentials`, and the form or JSON it sends) is taken out of
    the body, in each form it could come back in."""
    import httpx  # the HTTP client, loaded by a vendor's session (`http`), never by a vendor being named

    forms = credential_forms(kw.get("headers"), kw.get("json", kw.get("data")), credentials)
    try:
        with http.stream(method, url, **kw) as reply:
            data = bytearray()
            for chunk in reply.iter_bytes():
                data += chunk
                if len(data) > limit:
                    raise too_large()
            return Answered(reply.status_code, scrub(bytes(data), forms), reply.headers)
    except httpx.HTTPError as exc:
        raise unreachable(exc) from None
