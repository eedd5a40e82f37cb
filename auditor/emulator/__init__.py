"""A loopback Microsoft Graph that serves a TenantSnapshot: used by `audit --demo` and the tests.

with GraphEmulator(snapshot, token=token, faults=[Fault(FaultKind.THROTTLE, r"/users")]) as graph:
    ... graph.url ...          # http://127.0.0.1:PORT/v1.0
    graph.requests             # every request, in order (method, path, query, status, fault)
    graph.sent_mail            # messages POSTed to /users/{id|upn}/sendMail
    graph.requests_to(r"/users/.*/mailboxSettings/userPurpose")  # inner $batch requests have .batch True
"""

from __future__ import annotations

import base64
import json
import time

from .faults import Fault, FaultKind, mailbox_forbidden, mailbox_throttled, sign_in_forbidden
from .server import GraphEmulator, LoggedRequest, SentMail

__all__ = [
    "DEMO_ROLES",
    "Fault",
    "FaultKind",
    "GraphEmulator",
    "LoggedRequest",
    "SentMail",
    "app_token",
    "mailbox_forbidden",
    "mailbox_throttled",
    "sign_in_forbidden",
]

DEMO_ROLES = ("User.Read.All", "Organization.Read.All", "GroupMember.Read.All", "AuditLog.Read.All",
              "MailboxSettings.Read")


def app_token(tenant_id: str, roles: tuple[str, ...] = DEMO_ROLES, lifetime: int = 3600) -> str:
    """An unsigned app-only JWT shaped like an Entra ID token; only the emulator accepts it."""

    def part(doc: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {
        "aud": "https://graph.microsoft.com",
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "tid": tenant_id,
        "idtyp": "app",
        "appid": "00000000-0000-0000-0000-00000000e301",
        "roles": list(roles),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return f"{part({'typ': 'JWT', 'alg': 'none'})}.{part(claims)}.emulator"
