"""Who used Copilot Chat in the audit's window, and how often: the unified audit log's
`CopilotInteraction` records counted per user, read through Microsoft Graph's audit log query API
(auditor/graph/copilot_audit.py) for copilot-seat-idle's candidates.

Microsoft's Copilot usage report lists only seat holders ("Unlicensed Copilot Chat usage data isn't
available through Microsoft Graph reports APIs"), and sends the reader to the Purview audit log for
the rest. The Office 365 Management Activity API's Copilot schema
(learn.microsoft.com/office/office-365-management-api/copilot-schema) names the record: "details are
captured when users interact with Copilot", each record's `Operation` is `CopilotInteraction` and its
`UserId` the user's principal name. Graph's auditLogRecord carries the same as `operation`,
`userId` and `userPrincipalName` (learn.microsoft.com/graph/api/resources/security-auditlogrecord), and
says whose record it is: `userType` (a guest's is `guest`) and `organizationId` (the tenant's GUID). A
guest's record and another organisation's are not counted: neither makes a candidate for a seat.

The snapshot keeps what was counted, not the records: the window asked for (`since`, `until`) and one
row per user with their number of interactions and the latest one's time, in the section
`copilotInteractions`. The emulator serves those counts back as records (one per interaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

COPILOT_AUDIT = "copilotInteractions"  # the snapshot file's key, its part in collectedParts and a gap's part
AUDIT_QUERIES_PATH = "/security/auditLog/queries"  # v1.0
AUDIT_PERMISSION = "AuditLogsQuery.Read.All"  # Application: "All Audit Logs" (Microsoft's page)
OPERATION = "CopilotInteraction"  # the record's operation (the Management Activity API's Copilot schema)
# auditLogRecord.userType's member for a guest ("Possible values are: regular, reserved, admin, dcAdmin, system,
# application, servicePrincipal, customPolicy, systemPolicy, partnerTechnician, guest, unknownFutureValue")
GUEST = "guest"
GUEST_RECORD = "a guest"
OTHER_ORGANIZATION = "another organisation"  # organizationId: "The GUID of the organization's Microsoft 365 tenant"


class ChatUseRow(TypedDict):
    """One user's row of the snapshot's `copilotInteractions`."""

    userId: str
    userPrincipalName: str
    interactions: int
    last: str


class ChatUseJson(TypedDict):
    """The snapshot's `copilotInteractions`: the window asked for and one row per user."""

    since: str
    until: str
    users: list[ChatUseRow]


class BadChatUse(ValueError):
    """A section or a record that is not what the audit log documents."""


@dataclass(frozen=True)
class ChatUse:
    """One user's Copilot interactions in the window: `user_id` (Entra object id, lower case, or "" when
    the record named none), `upn` (lower case), `interactions`, `last` (the latest record's time, ISO)."""

    user_id: str
    upn: str
    interactions: int
    last: str


@dataclass(frozen=True)
class CopilotChatUse:
    """The audit log's Copilot interactions from `since` to `until` (ISO timestamps, as asked), per user."""

    since: str
    until: str
    users: tuple[ChatUse, ...]

    def of(self, user_id: str, upn: str) -> int:
        """The interactions of the user with this id or principal name (0: none in the window)."""
        found = self._by_key().get(user_id.lower()) or self._by_key().get(upn.lower())
        return found.interactions if found is not None else 0

    def _by_key(self) -> dict[str, ChatUse]:
        out: dict[str, ChatUse] = {}
        for row in self.users:
            if row.user_id:
                out[row.user_id] = row
            out[row.upn] = row
        return out

    def to_json(self) -> ChatUseJson:
        return {
            "since": self.since,
            "until": self.until,
            "users": [
                {"userId": u.user_id, "userPrincipalName": u.upn, "interactions": u.interactions, "last": u.last}
                for u in self.users
            ],
        }

    @staticmethod
    def from_json(doc: object) -> CopilotChatUse:
        if not isinstance(doc, Mapping):
            raise BadChatUse(": expected an object")
        since, until, rows = doc.get("since"), doc.get("until"), doc.get("users")
        if not isinstance(since, str) or not isinstance(until, str) or not isinstance(rows, list):
            raise BadChatUse(": expected since, until (text) and users (a list)")
        users = []
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise BadChatUse(f"users[{i}]: expected an object")
            uid, upn, count, last = (row.get(k) for k in ("userId", "userPrincipalName", "interactions", "last"))
            if not isinstance(uid, str) or not isinstance(upn, str) or not isinstance(last, str):
                raise BadChatUse(f"users[{i}]: expected userId, userPrincipalName and last as text")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise BadChatUse(f"users[{i}].interactions: expected a count above zero")
            users.append(ChatUse(uid.lower(), upn.lower(), count, last))
        return CopilotChatUse(since, until, tuple(users))


def count_records(
    records: Iterable[Any], since: str, until: str, organization: str = "", skipped: list[str] | None = None
) -> CopilotChatUse:
    """The records' Copilot interactions per user, most active first (then by principal name). A record
    whose `operation` is not CopilotInteraction is not counted (the query asks for those only), nor one
    of a guest (`userType` guest: a guest is given no paid seat) or of another organisation than
    `organization` (`organizationId`, the tenant's id; "" does not check): each such record is named in
    `skipped` (GUEST_RECORD, OTHER_ORGANIZATION). One that is not an object, or names no user, is
    BadChatUse: the answer is not what Graph documents."""
    counts: dict[str, list[Any]] = {}
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise BadChatUse(f"record {i}: expected an object")
        if str(record.get("operation") or "").lower() != OPERATION.lower():
            continue
        kind, org = record.get("userType"), record.get("organizationId")
        if isinstance(kind, str) and kind.lower() == GUEST:
            if skipped is not None:
                skipped.append(GUEST_RECORD)
            continue
        if organization and isinstance(org, str) and org.strip() and org.strip().lower() != organization.lower():
            if skipped is not None:
                skipped.append(OTHER_ORGANIZATION)
            continue
        upn, uid, when = record.get("userPrincipalName"), record.get("userId"), record.get("createdDateTime")
        if not isinstance(upn, str) or "@" not in upn:
            upn = uid if isinstance(uid, str) and "@" in uid else None  # the audit's UserId is the UPN
        if upn is None or not isinstance(when, str):
            raise BadChatUse(f"record {i}: expected userPrincipalName (or userId) and createdDateTime")
        # userId is the principal name in the audit's own records; an object id only when it is one
        object_id = uid.lower() if isinstance(uid, str) and "@" not in uid else ""
        row = counts.setdefault(upn.lower(), [object_id, 0, when])
        row[0] = row[0] or object_id
        row[1] += 1
        row[2] = max(row[2], when)
    users = [ChatUse(v[0], upn, v[1], v[2]) for upn, v in counts.items()]
    users.sort(key=lambda u: (-u.interactions, u.upn))
    return CopilotChatUse(since, until, tuple(users))
