"""The unified audit log's query API, for the Copilot interactions the snapshot keeps
(auditor.data.copilot_chat_use), as Microsoft documents it on v1.0
(https://learn.microsoft.com/graph/api/resources/security-auditlogquery):

    POST /security/auditLog/queries                 201 Created, the auditLogQuery with `status` notStarted
    GET  /security/auditLog/queries/{id}            the query: `running` until it has been looked at
                                                    `polls` times, then `succeeded` (or `failed`)
    GET  /security/auditLog/queries/{id}/records    its auditLogRecords, paged with $top and @odata.nextLink

Every call needs AuditLogsQuery.Read.All (the "All Audit Logs" row of Microsoft's permission table)
when the emulator knows the caller's roles: a 403 Authorization_RequestDenied without it. The records
are the snapshot's counts served back one record per interaction (operation `CopilotInteraction`, the
user's principal name as `userId` and `userPrincipalName`, the last at the row's `last` and the others an
hour apart before it), kept to the query's `filterStartDateTime`..`filterEndDateTime` and its
`operationFilters`. Each record carries `organizationId` (the tenant's id, or for a principal name in
`elsewhere` another organisation's) and `userType` (`Guest` for a guest of the snapshot, else `Regular`),
as the auditLogRecord page documents both; `wrapped` answers GET of the query inside `value`, as the
"Get auditLogQuery" page's example shows it. v1.0's auditLogRecordType lists no Copilot member, so the records carry its
evolvable enumeration's sentinel, `unknownFutureValue`, and a `recordTypeFilters` is refused (400): the
emulator cannot tell which documented type would match a Copilot record. A listing of records before the
query succeeded is a 400 too. A query the emulator does not hold is a 404.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.data.copilot_chat_use import AUDIT_PERMISSION, OPERATION
from auditor.data.model import TenantSnapshot

from .errors import GraphError, bad

READ_ROLES = (AUDIT_PERMISSION,)


@dataclass
class _Query:
    doc: dict[str, Any]
    looks: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)


def _when(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise bad(f"{name}: expected a DateTimeOffset")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad(f"{name}: '{value}' is not a valid DateTimeOffset") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class AuditQueries:
    """The queries created on one emulator. `polls`: the looks at a query before it succeeds (1: the first
    GET sees it done); `fail`: it ends `failed` instead."""

    def __init__(
        self,
        snapshot: TenantSnapshot,
        polls: int = 1,
        fail: bool = False,
        elsewhere: Mapping[str, str] | None = None,
        wrapped: bool = False,
    ) -> None:
        self.snapshot, self.polls, self.fail = snapshot, max(polls, 1), fail
        # principal name (lower case) -> the organizationId its records carry instead of the tenant's
        self.elsewhere = {k.lower(): v for k, v in (elsewhere or {}).items()}
        self.wrapped = wrapped  # GET answers the query inside `value`, as the "Get auditLogQuery" example does
        self.guests = {u.user_principal_name.lower() for u in snapshot.users if u.user_type.lower() == "guest"}
        self._queries: dict[str, _Query] = {}
        self._lock = threading.Lock()

    def _records(self, since: datetime, until: datetime, operations: list[str]) -> list[dict[str, Any]]:
        use = self.snapshot.copilot_chat_use
        wanted = {o.lower() for o in operations}
        out: list[dict[str, Any]] = []
        if use is None or (wanted and OPERATION.lower() not in wanted):
            return out
        for row in use.users:
            last = _when(row.last, "last")
            for k in range(row.interactions):
                at = last - timedelta(hours=k)
                if since <= at <= until:
                    org = self.elsewhere.get(row.upn.lower(), self.snapshot.tenant_id)
                    kind = "Guest" if row.upn.lower() in self.guests else "Regular"  # auditLogUserType's members
                    out.append(_record(org, row.upn, at, kind))
        return sorted(out, key=lambda r: (r["createdDateTime"], r["id"]), reverse=True)

    def create(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad("The request body must be an auditLogQuery.")
        if body.get("recordTypeFilters"):
            raise bad("recordTypeFilters: the emulator serves Copilot records only, which no v1.0 type names.")
        operations = body.get("operationFilters") or []
        if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations):
            raise bad("operationFilters: expected a collection of strings")
        since = _when(body.get("filterStartDateTime"), "filterStartDateTime")
        until = _when(body.get("filterEndDateTime"), "filterEndDateTime")
        qid = str(uuid.uuid4())
        doc = {
            "@odata.context": "$metadata#security/auditLog/queries/$entity",
            "@odata.type": "#microsoft.graph.security.auditLogQuery",
            "id": qid,
            "displayName": body.get("displayName"),
            "filterStartDateTime": body["filterStartDateTime"],
            "filterEndDateTime": body["filterEndDateTime"],
            "recordTypeFilters": [],
            "operationFilters": operations,
            "status": "notStarted",
        }
        with self._lock:
            self._queries[qid] = _Query(doc, records=self._records(since, until, operations))
        return doc

    def look(self, qid: str) -> dict[str, Any]:
        with self._lock:
            query = self._get(qid)
            query.looks += 1
            done = query.looks >= self.polls
            status = ("failed" if self.fail else "succeeded") if done else "running"
            query.doc = {**query.doc, "status": status}
            return {"value": dict(query.doc)} if self.wrapped else dict(query.doc)

    def records(self, qid: str) -> list[dict[str, Any]]:
        with self._lock:
            query = self._get(qid)
            if query.doc.get("status") != "succeeded":
                raise bad(f"The audit log query '{qid}' has not succeeded.")
            return list(query.records)

    def _get(self, qid: str) -> _Query:
        found = self._queries.get(qid)
        if found is None:
            raise GraphError(404, "NotFound", f"The audit log query '{qid}' was not found.")
        return found


def _record(tenant: str, upn: str, at: datetime, user_type: str) -> dict[str, Any]:
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{upn}|{stamp}"))
    return {
        "@odata.type": "#microsoft.graph.security.auditLogRecord",
        "id": rid,
        "createdDateTime": stamp,
        "auditLogRecordType": "unknownFutureValue",
        "operation": OPERATION,
        "organizationId": tenant,
        "userType": user_type,
        "userId": upn,
        "service": "Copilot",
        "objectId": None,
        "userPrincipalName": upn,
        "clientIp": None,
        "administrativeUnits": [],
        "auditData": {
            "@odata.type": "#microsoft.graph.security.defaultAuditData",
            "CreationTime": stamp[:-1],
            "Id": rid,
            "Operation": OPERATION,
            "RecordType": 261,
            "UserId": upn,
            "Workload": "Copilot",
            "CopilotEventData": {"AppHost": "bizchat", "Contexts": [], "AccessedResources": []},
        },
    }
