"""msgspec's typed decoding, safe in the threads `audit --tenants` runs its tenants in.

msgspec works out what it needs to know of a type (a Struct's fields, a TypedDict's, a dataclass's) the
first time the type is decoded or converted to, and keeps it on the type. Working it out runs Python
code (the type's annotations), so another thread may run in the middle of it; a second thread that
decodes the same type then reads what is only half made, and the process dies by signal 11. That is how
`audit --demo --tenants` died (two tenants decoding their last report.json at once, faulthandler's
traceback in `ReportFinding.__post_init__`); tests/core/test_shapes.py makes it happen without the lock.

So every typed decode of the product goes through here (tests/core/test_shapes.py finds any that does
not): the first use of each type is made under one lock, and every later one runs as msgspec runs it.

    convert(value, kind)       msgspec.convert
    decode(data, kind)         msgspec.json.decode(data, type=kind)
    decoder(kind)              msgspec.json.Decoder(kind), made under the lock
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, overload

import msgspec

T = TypeVar("T")

_LOCK = threading.RLock()  # re-entrant: a Struct's __post_init__ may convert to another type
_KNOWN: set[object] = set()  # the types msgspec has worked out whole


def _first_under_lock(kind: object, call: Callable[[], T]) -> T:
    try:
        known, hashable = kind in _KNOWN, True
    except TypeError:  # an unhashable type form: made under the lock every time
        known, hashable = False, False
    if known:
        return call()
    with _LOCK:
        done = call()
        if hashable:
            _KNOWN.add(kind)
        return done


@overload
def convert(value: object, kind: type[T], *, strict: bool = True, from_attributes: bool = False) -> T: ...
@overload
def convert(value: object, kind: Any, *, strict: bool = True, from_attributes: bool = False) -> Any: ...
def convert(value: object, kind: Any, *, strict: bool = True, from_attributes: bool = False) -> Any:
    """msgspec.convert(value, kind), its type worked out under the lock the first time."""
    return _first_under_lock(kind, lambda: msgspec.convert(value, kind, strict=strict, from_attributes=from_attributes))


@overload
def decode(data: bytes | str, kind: type[T]) -> T: ...
@overload
def decode(data: bytes | str, kind: Any) -> Any: ...
def decode(data: bytes | str, kind: Any) -> Any:
    """msgspec.json.decode(data, type=kind), its type worked out under the lock the first time."""
    return _first_under_lock(kind, lambda: msgspec.json.decode(data, type=kind))


@overload
def decoder(kind: type[T]) -> msgspec.json.Decoder[T]: ...
@overload
def decoder(kind: Any) -> msgspec.json.Decoder[Any]: ...
def decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    """msgspec.json.Decoder(kind): making one works the type out, so it is made under the lock."""
    return _first_under_lock(kind, lambda: msgspec.json.Decoder(kind))
