"""What a distributor's API answers is untrusted (Pax8, Sherweb): the checks both clients apply to it,
said once. Each returns the value or None when it is not in shape; the client names the field and
raises its own error (Pax8Error, SherwebError), so a customer's reading fails as that customer's gap.

    strict_json(data, shape)        a JSON object as RFC 8259 has it (no NaN, Infinity or `1e400`),
                                    decoded into the Struct `shape` (None: the object is empty, {})
    said(data)                      what an error answer or a token answer says (Said), else nothing
    iso_date(value)                 an ISO date or date-time string of at most 40 characters
    bounded_number(value, ...)      a finite number from 0 to a bound (a whole one when asked)
    read_bounded(http, ...)         (status, body) of one request, the body at most `limit` bytes
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

import httpx
import msgspec


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


class Said(msgspec.Struct, frozen=True):
    """What a token answer or an error answer says, by the fields the clients read: each value is
    untrusted (a token must be a string; a message is only said, never used)."""

    access_token: object = None
    message: object = None
    detail: object = None


_Shape = TypeVar("_Shape", bound=msgspec.Struct)


def strict_json(data: bytes, shape: type[_Shape]) -> _Shape | None:
    """A JSON object as RFC 8259 has it: no NaN or Infinity, no number beyond a float (`1e400`),
    decoded into `shape` (its documented fields; None when the object is empty, {}); ValueError (or
    RecursionError) otherwise."""
    doc = json.loads(data, parse_constant=_no_constant, parse_float=_finite)
    if not isinstance(doc, Mapping):
        raise ValueError("not an object")
    return msgspec.convert(doc, shape) if doc else None


def said(data: bytes) -> Said:
    """What an error answer or the token's answer says, else nothing (Said())."""
    try:
        return strict_json(data, Said) or Said()
    except (ValueError, RecursionError):
        return Said()


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


def read_bounded(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    limit: int,
    too_large: Callable[[], Exception],
    unreachable: Callable[[httpx.HTTPError], Exception],
    **kw: Any,
) -> tuple[int, bytes]:
    """(status, body) of one request, the body read up to `limit` bytes: more raises `too_large()`, a
    transport failure `unreachable(exc)`."""
    try:
        with http.stream(method, url, **kw) as reply:
            data = bytearray()
            for chunk in reply.iter_bytes():
                data += chunk
                if len(data) > limit:
                    raise too_large()
            return reply.status_code, bytes(data)
    except httpx.HTTPError as exc:
        raise unreachable(exc) from None
