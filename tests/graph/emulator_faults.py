"""Faults the tests inject into the Graph emulator, matched per request and used up after `count` hits.

A `Fault` is an emulator responder (auditor_dev/emulator/hooks.py): pass a list of them as
`GraphEmulator(..., responders=[...])`; the first matching fault with count left answers.
Inside a POST /$batch they match each inner request ("GET /v1.0/users/.../mailboxSettings...",
"POST /v1.0/users/.../assignLicense");
there 429, 503, 504 and 403 become that inner response and SLOW waits, while the others
(UNSUPPORTED, TRUNCATE, DROP, NOT_JSON, NO_VALUE, SHORT, UNCOUNTED, TEXT) leave it untouched.
"""

from __future__ import annotations

import enum
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

from auditor_dev.emulator import Drop, Proceed, Reply, Request, error_document


class FaultKind(enum.Enum):
    THROTTLE = "429"  # 429 with Retry-After
    UNAVAILABLE = "503"
    GATEWAY_TIMEOUT = "504"
    SLOW = "slow"  # answer correctly after `delay` seconds (or once `release` is set)
    TRUNCATE = "truncate"  # promise the whole body, send half, close the connection
    DROP = "drop"  # close the connection without answering
    FORBIDDEN = "403"  # Graph's 403 (e.g. signInActivity without Entra ID P1 / AuditLog.Read.All)
    NOT_JSON = "not-json"  # 200 with an HTML body, as a misbehaving proxy sends
    NO_VALUE = "no-value"  # 200 with a JSON object that lacks `value`
    UNSUPPORTED = "400"  # Graph's 400 Request_UnsupportedQuery (a documented filter a tenant refuses)
    REFUSED = "refused"  # Graph's 4xx error document with `status`, `code` and `message` (a write refused)
    SHORT = "short"  # a listing cut to its first `keep` items, without @odata.nextLink (Proceed.keep)
    UNCOUNTED = "uncounted"  # a listing asked $count=true answered without @odata.count (Proceed.uncounted)
    TEXT = "text"  # 200 text/plain with `text` (a $count segment answered with something not a number)


_PROXY_PAGE = b"<html><body>Service temporarily unavailable</body></html>"  # NOT_JSON's body
_IN_BATCH = frozenset((FaultKind.THROTTLE, FaultKind.UNAVAILABLE, FaultKind.GATEWAY_TIMEOUT, FaultKind.FORBIDDEN))


@dataclass
class Fault:
    """Inject `kind` into requests whose "METHOD /v1.0/path?query" (URL-decoded) matches `match`.

    `count` is how many matching requests get the fault (None: every one).
    """

    kind: FaultKind
    match: str = ""
    count: int | None = 1
    retry_after: int = 1
    delay: float = 0.0
    code: str = "Authorization_RequestDenied"
    message: str = "Insufficient privileges to complete the operation."
    status: int = 400  # REFUSED's status
    keep: int = 0  # SHORT: the items the listing keeps
    text: str = ""  # TEXT: the answer's body
    # SLOW: held until the test sets it (`delay` then only bounds the hold), so a test that holds a
    # write in flight while it checks something holds it exactly as long as it needs
    release: threading.Event | None = None
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    hits: int = field(init=False, default=0)
    # set when a request takes the fault: a test holding a write waits for it, never for a while
    arrived: threading.Event = field(init=False, repr=False, default_factory=threading.Event)

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
            self.arrived.set()
            return True

    def _hold(self) -> None:
        """SLOW's wait, on the wall clock on purpose: the tests that hold an answer check what else
        is sent while it is in flight (another process's, too), or a client's real socket timeout."""
        if self.release is not None:
            self.release.wait(self.delay)
        else:
            time.sleep(self.delay)

    def __call__(self, request: Request) -> Reply | Drop | Proceed | None:
        if not self.take(request.target):
            return None
        kind, label = self.kind, self.kind.value
        if kind in (FaultKind.SLOW, FaultKind.SHORT, FaultKind.UNCOUNTED):
            self._hold()
            keep = self.keep if kind is FaultKind.SHORT else None
            return Proceed(label, keep=keep, uncounted=kind is FaultKind.UNCOUNTED)
        if request.batch and kind not in _IN_BATCH:
            return Proceed(label)
        if kind is FaultKind.THROTTLE:
            text = (
                "Too many requests."
                if request.batch
                else "Too many requests. Retry after the time in the Retry-After header."
            )
            return Reply(
                429, error_document("TooManyRequests", text), {"Retry-After": str(self.retry_after)}, label=label
            )
        if kind is FaultKind.UNAVAILABLE:
            return Reply(
                503,
                error_document("serviceNotAvailable", "The service is temporarily unavailable."),
                {"Retry-After": str(self.retry_after)},
                label=label,
            )
        if kind is FaultKind.GATEWAY_TIMEOUT:
            code = "serviceNotAvailable" if request.batch else "gatewayTimeout"
            return Reply(504, error_document(code, "The service is temporarily unavailable."), label=label)
        if kind in (FaultKind.FORBIDDEN, FaultKind.REFUSED):
            status = 403 if kind is FaultKind.FORBIDDEN else self.status
            return Reply(status, error_document(self.code, self.message), label=label)
        if kind is FaultKind.UNSUPPORTED:
            doc = error_document("Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified.")
            return Reply(400, doc, label=label)
        if kind is FaultKind.DROP:
            return Drop(label)
        if kind is FaultKind.TRUNCATE:
            data = json.dumps({"@odata.context": "$metadata#x", "value": [{"id": str(uuid.uuid4())}] * 50}).encode()
            return Reply(200, data, close_after=len(data) // 2, label=label)
        if kind in (FaultKind.NOT_JSON, FaultKind.TEXT):
            body, kind_of = (self.text.encode(), "text/plain") if kind is FaultKind.TEXT else (_PROXY_PAGE, "text/html")
            return Reply(200, body, content_type=kind_of, label=label)
        return Reply(200, b'{"@odata.context":"$metadata#users"}', label=label)  # NO_VALUE


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
    return Fault(
        FaultKind.THROTTLE, match=r"^GET /v1\.0/users/[^/]+/mailboxSettings", count=count, retry_after=retry_after
    )


WRITES = r"^(POST|DELETE) /v1\.0/(users/[^/?]+/(assignLicense|reprocessLicenseAssignment)|groups/[^/?]+/members/)"


def write_throttled(count: int | None = 1, retry_after: int = 1, match: str = WRITES) -> Fault:
    """429 with Retry-After on license and membership writes (assignLicense, members/$ref,
    reprocessLicenseAssignment), inside a $batch too; the write is not applied."""
    return Fault(FaultKind.THROTTLE, match=match, count=count, retry_after=retry_after)


# Graph's answers to one write it refuses (nothing changed), as the apply tests inject them per user
def license_conflict(user: str) -> Fault:
    """400 for an assignLicense whose product's service plans conflict with one the user holds."""
    return Fault(
        FaultKind.REFUSED,
        match=rf"^POST /v1\.0/users/{user}/assignLicense$",
        status=400,
        code="Request_BadRequest",
        message="License assignment failed because service plans "
        "c1ec4a95-1f05-45b3-a911-aa3fa01094f5 are mutually exclusive.",
    )


def user_deleted(user: str) -> Fault:
    """404 for a write to a user deleted since the plan (between apply's re-read and the write)."""
    return Fault(
        FaultKind.REFUSED,
        match=rf"^POST /v1\.0/users/{user}/assignLicense$",
        status=404,
        code="Request_ResourceNotFound",
        message=f"Resource '{user}' does not exist or one of its queried reference-property objects are not present.",
    )


def outside_unit(match: str) -> Fault:
    """403 for a write to an object in an administrative unit the credential may not manage."""
    return Fault(
        FaultKind.REFUSED,
        match=match,
        status=403,
        code="Authorization_RequestDenied",
        message="Insufficient privileges to complete the operation.",
    )
