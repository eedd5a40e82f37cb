"""Who used Copilot Chat in the audit's window: the unified audit log's CopilotInteraction records,
counted per user (auditor.data.copilot_chat_use), read when a `copilot_seats` entry asks for the
audit log's candidates (`audit_log: beside` or `instead`):

    POST /security/auditLog/queries                       AuditLogsQuery.Read.All (v1.0; 201 Created)
         {"displayName": ..., "filterStartDateTime": since, "filterEndDateTime": until,
          "operationFilters": ["CopilotInteraction"]}
    GET  /security/auditLog/queries/{id}                  until `status` is succeeded (polled)
    GET  /security/auditLog/queries/{id}/records          every page, @odata.nextLink followed

Microsoft documents the query as a resource with a `status` ("Possible values are: `notStarted`,
`running`, `succeeded`, `failed`, `cancelled`, `unknownFutureValue`"), its records as a listing of
auditLogRecord; the "Get auditLogQuery" page's example wraps the query in `value`, so both forms are
read. A record of a guest (`userType` guest) or of another organisation (`organizationId` not the
tenant's id) is not counted (auditor.data.copilot_chat_use.count_records). The query filters on the
operation: the v1.0 auditLogRecordType enumeration lists no Copilot member (docs/copilot.md), and a
record type Graph does not know would be refused; the operation `CopilotInteraction` is the one the
Copilot schema documents.

The query is polled on the client's clock (tests move a virtual one): at once, then after POLL_FIRST
seconds, doubling to POLL_CAP, while the total stays within POLL_TOTAL. A query that ends `failed` or
`cancelled`, one still running after POLL_TOTAL, a refusal (401, 403: the permission), any other
error answer or an answer that is not the documented resource is a Gap in `copilotInteractions`,
naming the request and why; the candidates are then the policy's groups alone. Throttling (429 and
its Retry-After) and the network are the client's, as for every read. Documented for the global
service only: elsewhere nothing is asked and the gap says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict

from auditor.common.errors import AuthError, CollectionError, Stopped
from auditor.data.copilot_chat_use import (
    AUDIT_PERMISSION,
    AUDIT_QUERIES_PATH,
    COPILOT_AUDIT,
    OPERATION,
    BadChatUse,
    CopilotChatUse,
    count_records,
)
from auditor.data.model import Cloud, Gap

from .client import GraphClient, GraphRequestError
from .optional import optional_gap

REQUEST = f"POST {AUDIT_QUERIES_PATH}"
POLL_FIRST = 2.0  # seconds before the second look at a query not yet done
POLL_CAP = 60.0  # the longest wait between two looks
POLL_TOTAL = 1800.0  # a query not done after this long is a gap, not a longer audit
DONE = "succeeded"
ENDED = frozenset(("failed", "cancelled"))
WAITING = frozenset(("notstarted", "running"))


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# The functional form: `@odata.type` is no identifier.
AuditLogQueryBody = TypedDict(
    "AuditLogQueryBody",
    {
        "@odata.type": str,
        "displayName": str,
        "filterStartDateTime": str,
        "filterEndDateTime": str,
        "operationFilters": list[str],
    },
)


def query_body(since: datetime, until: datetime) -> AuditLogQueryBody:
    """The auditLogQuery the audit creates: its window and the one operation it counts."""
    return {
        "@odata.type": "#microsoft.graph.security.auditLogQuery",
        "displayName": f"license-auditor Copilot interactions {_stamp(since)} to {_stamp(until)}",
        "filterStartDateTime": _stamp(since),
        "filterEndDateTime": _stamp(until),
        "operationFilters": [OPERATION],
    }


class _Gap(Exception):
    """The read stops with this gap."""

    def __init__(self, gap: Gap) -> None:
        super().__init__(gap.reason)
        self.gap = gap


def _query_id(doc: object) -> str:
    qid = doc.get("id") if isinstance(doc, dict) else None
    if not isinstance(qid, str) or not qid or "/" in qid or "?" in qid:
        raise _Gap(Gap(COPILOT_AUDIT, REQUEST, "answered without the new auditLogQuery's id"))
    return qid


def _unwrapped(doc: object) -> Any:
    """The auditLogQuery of a GET: at the top level, or inside `value` as the "Get auditLogQuery" page's
    example answers it (`{"value": {"@odata.type": "#microsoft.graph.security.auditLogQuery", ...}}`)."""
    inner = doc.get("value") if isinstance(doc, dict) and "status" not in doc else None
    return inner if isinstance(inner, dict) else doc


def _status(doc: object, qid: str) -> str:
    status = doc.get("status") if isinstance(doc, dict) else None
    if not isinstance(status, str):
        raise _Gap(Gap(COPILOT_AUDIT, f"GET {AUDIT_QUERIES_PATH}/{qid}", "answered an auditLogQuery without a status"))
    return status


async def _wait(client: GraphClient, qid: str) -> bool:
    """Once the query succeeded (looked at once at least): whether its last answer says the record-count
    limit was exceeded ("A value of `true` is authoritative"); _Gap when it ended otherwise or took too long."""
    waited, pause = 0.0, POLL_FIRST
    request = f"GET {AUDIT_QUERIES_PATH}/{qid}"
    while True:
        doc = _unwrapped(await client.get(f"{AUDIT_QUERIES_PATH}/{qid}"))
        status = _status(doc, qid)
        if status.lower() == DONE.lower():
            return doc.get("isRecordCountLimitExceeded") is True
        if status.lower() in ENDED:
            raise _Gap(Gap(COPILOT_AUDIT, request, f"the audit log query ended {status}; no record was read"))
        if status.lower() not in WAITING:  # unknownFutureValue, or a value Graph has added since
            raise _Gap(Gap(COPILOT_AUDIT, request, f"the audit log query answered status {status!r}"))
        if waited + pause > POLL_TOTAL:
            why = f"the audit log query was still {status} after {int(waited)} seconds; no record was read"
            raise _Gap(Gap(COPILOT_AUDIT, request, why))
        await client.sleep(pause)
        waited += pause
        pause = min(pause * 2, POLL_CAP)


async def read_copilot_chat_use(
    client: GraphClient, gaps: list[Gap], notes: list[str], since: datetime, until: datetime, organization: str = ""
) -> CopilotChatUse | None:
    """The users' Copilot interactions from `since` to `until`, or None with a Gap in `gaps` saying why;
    a guest's records and another organisation's than `organization` (the tenant's id) are not counted."""
    if client.cloud is not Cloud.WORLDWIDE:
        gaps.append(Gap(COPILOT_AUDIT, REQUEST, "the audit log query API is documented for the global service only"))
        return None
    try:
        created = await client.post(AUDIT_QUERIES_PATH, query_body(since, until))
        qid = _query_id(created)
        exceeded = await _wait(client, qid)
        records: list[Any] = []
        skipped: list[str] = []
        async for page in client.pages(f"{AUDIT_QUERIES_PATH}/{qid}/records"):
            records.extend(page)
        found = count_records(records, _stamp(since), _stamp(until), organization, skipped)
    except (AuthError, Stopped):
        raise
    except _Gap as stop:
        gaps.append(stop.gap)
        return None
    except CollectionError as exc:  # a refusal, another error answer, or an answer that is not JSON
        gap = optional_gap(COPILOT_AUDIT, exc, AUDIT_PERMISSION, REQUEST)
        if isinstance(exc, GraphRequestError) and exc.status in (401, 403):
            gap = Gap(COPILOT_AUDIT, exc.request, gap.reason)
        gaps.append(gap)
        return None
    except BadChatUse as exc:
        gaps.append(Gap(COPILOT_AUDIT, f"GET {AUDIT_QUERIES_PATH}/{{id}}/records", f"answered a record{exc}"))
        return None
    for why in sorted(set(skipped)):
        notes.append(
            f"the audit log query answered {skipped.count(why)} Copilot record(s) of {why}: not counted, "
            "none of them makes a candidate for a Copilot seat"
        )
    if exceeded:
        notes.append(
            "the audit log query exceeded its record-count limit: the Copilot interactions counted are "
            "fewer than there were, and the candidates' order may differ"
        )
    return found


async def chat_use_within(
    client: GraphClient, gaps: list[Gap], notes: list[str], days: int, now: datetime, organization: str = ""
) -> CopilotChatUse | None:
    """The Copilot interactions of the `days` before `now` (the longest window of the entries that ask
    for them); None without a request when none asks (`days` 0)."""
    if days <= 0:
        return None
    return await read_copilot_chat_use(client, gaps, notes, now - timedelta(days=days), now, organization)
