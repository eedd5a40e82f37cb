"""Faults the emulator can inject, matched per request and used up after `count` hits."""

from __future__ import annotations

import enum
import re
import threading
from dataclasses import dataclass, field


class FaultKind(enum.Enum):
    THROTTLE = "429"  # 429 with Retry-After
    UNAVAILABLE = "503"
    GATEWAY_TIMEOUT = "504"
    SLOW = "slow"  # answer correctly after `delay` seconds
    TRUNCATE = "truncate"  # promise the whole body, send half, close the connection
    DROP = "drop"  # close the connection without answering
    FORBIDDEN = "403"  # Graph's 403 (e.g. signInActivity without Entra ID P1 / AuditLog.Read.All)
    NOT_JSON = "not-json"  # 200 with an HTML body, as a misbehaving proxy sends
    NO_VALUE = "no-value"  # 200 with a JSON object that lacks `value`
    UNSUPPORTED = "400"  # Graph's 400 Request_UnsupportedQuery (a documented filter a tenant refuses)


@dataclass
class Fault:
    """Inject `kind` into requests whose "METHOD /path?query" (URL-decoded) matches `match`.

    `count` is how many matching requests get the fault (None: every one).
    """

    kind: FaultKind
    match: str = ""
    count: int | None = 1
    retry_after: int = 1
    delay: float = 0.0
    code: str = "Authorization_RequestDenied"
    message: str = "Insufficient privileges to complete the operation."
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    hits: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.match)

    def take(self, target: str) -> bool:
        """True when this fault applies to the request (and uses up one of its count)."""
        if not self._pattern.search(target):
            return False
        with self._lock:
            if self.count is not None and self.hits >= self.count:
                return False
            self.hits += 1
            return True


def sign_in_forbidden(count: int | None = None) -> Fault:
    """Graph's answer to $select=signInActivity in a tenant without Entra ID P1."""
    return Fault(
        FaultKind.FORBIDDEN,
        match=r"^GET /v1\.0/users\?.*signInActivity",
        count=count,
        code="Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        message="Neither tenant is B2C or tenant doesn't have premium license",
    )


def mailbox_forbidden(count: int | None = None) -> Fault:
    """Graph's answer to mailboxSettings for an app without MailboxSettings.Read (inside a $batch too)."""
    return Fault(
        FaultKind.FORBIDDEN,
        match=r"^GET /v1\.0/users/[^/]+/mailboxSettings",
        count=count,
        code="ErrorAccessDenied",
        message="Access is denied. Check credentials and try again.",
    )


def mailbox_throttled(count: int | None = 1, retry_after: int = 1) -> Fault:
    """429 with Retry-After on mailboxSettings requests (inside a $batch: on the inner response)."""
    return Fault(FaultKind.THROTTLE, match=r"^GET /v1\.0/users/[^/]+/mailboxSettings", count=count,
                 retry_after=retry_after)
