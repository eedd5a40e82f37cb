"""What the emulator records: every request it answered, and the mail it was asked to send."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # without the /v1.0 prefix, URL-decoded
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names; Authorization left out
    status: int
    fault: str | None  # the label of the responder's answer (e.g. a fault's "503"), else None
    batch: bool = False  # a request inside a POST /$batch (logged before the batch itself)
    body: Any = None  # the JSON body of a POST/PATCH/DELETE (None when it has none or is not JSON)
    at: float = field(default_factory=time.monotonic)  # time.monotonic() when the request arrived
    seconds: float = 0.0  # from its arrival to its answer being ready (before any latency is added)


def most_in_flight(requests: Iterable[LoggedRequest], latency: float) -> int:
    """The most of `requests` in flight at once: each from its arrival to its answer (the time the
    emulator took, then `latency` seconds, the delay it was set to add)."""
    moments = sorted([(r.at + r.seconds + latency, -1) for r in requests] + [(r.at, 1) for r in requests])
    busy = peak = 0
    for _, step in moments:
        busy += step
        peak = max(peak, busy)
    return peak


@dataclass(frozen=True)
class SentMail:
    sender: str
    message: dict[str, Any]
    save_to_sent_items: bool
