"""The audit log's Copilot interactions (auditor/graph/copilot_audit.py), read by the real collector from
the emulator's audit log query API: the query is created with the window and the operation, polled until
it succeeds (on the virtual clock), its records listed page by page and counted per user, most active
first; without AuditLogsQuery.Read.All, or when the query fails or never ends, it is a named gap in
copilotInteractions, never an empty count; not asked when no entry wants it."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from auditor.data.copilot_chat_use import (
    AUDIT_QUERIES_PATH,
    COPILOT_AUDIT,
    ChatUse,
    CopilotChatUse,
    count_records,
)
from auditor.data.model import TenantSnapshot
from auditor.demo import sample_tenant
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.graph.copilot_audit import POLL_TOTAL
from auditor.graph.pacing import Pacing
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, LoggedRequest, VirtualTime, app_token
from auditor_dev.emulator.audit_queries import AuditQueries

AS_OF = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
QUINN = "user000104@contoso.example"


def collected(
    snapshot: TenantSnapshot,
    roles: tuple[str, ...] = DEMO_ROLES,
    *,
    days: int = 30,
    queries: AuditQueries | None = None,
) -> tuple[TenantSnapshot, list[LoggedRequest], float]:
    token = app_token(snapshot.tenant_id, roles)
    timer = VirtualTime()
    with GraphEmulator(snapshot, token=token, audit_queries=queries) as graph:

        async def run() -> TenantSnapshot:
            client = GraphClient(
                base_url=graph.url,
                credential=StaticTokenCredential(token),
                cloud=snapshot.cloud,
                progress=Progress(None, interval=0),
                pacing=Pacing(timer=timer),
            )
            try:
                return await collect(client, CollectOptions(copilot_audit_days=days), clock=lambda: AS_OF)
            finally:
                await client.aclose()

        snap = asyncio.run(run())
        asked = [r for r in graph.requests if "/security/auditLog/" in r.path]
        return snap, asked, timer.skipped


def test_the_interactions_are_counted_per_user_most_active_first() -> None:
    sample = sample_tenant()
    queries = AuditQueries(sample, polls=3)  # running twice, then succeeded
    snap, asked, waited = collected(sample, queries=queries)
    use = snap.copilot_chat_use
    assert use is not None and COPILOT_AUDIT in snap.collected_datasets
    assert [(u.upn, u.interactions) for u in use.users] == [
        ("copilot.daily@contoso.example", 41),
        ("user000006@contoso.example", 31),
        (QUINN, 23),
        ("user000108@contoso.example", 5),
    ]
    assert use.since == "2026-10-02T06:00:00Z" and use.until == "2026-11-01T06:00:00Z"
    post = asked[0]
    assert (post.method, post.path) == ("POST", AUDIT_QUERIES_PATH) and post.status == 201
    body = post.body
    assert body["operationFilters"] == ["CopilotInteraction"] and "recordTypeFilters" not in body
    assert body["filterStartDateTime"] == "2026-10-02T06:00:00Z"
    looks = [r for r in asked if r.method == "GET" and not r.path.endswith("/records") and "records" not in r.path]
    assert len(looks) == 3  # polled until it succeeded: at once, then after 2 and 4 seconds
    assert waited == 6.0
    pages = [r for r in asked if "/records" in r.path]
    assert len(pages) == 1  # 81 records: one page of 100
    assert not snap.gaps


def test_records_are_read_across_pages() -> None:
    sample = sample_tenant()
    assert sample.copilot_chat_use is not None
    many = CopilotChatUse(
        sample.copilot_chat_use.since,
        sample.copilot_chat_use.until,
        (ChatUse("", QUINN, 400, "2026-10-31T20:00:00Z"),),
    )
    snap, asked, _ = collected(dataclasses.replace(sample, copilot_chat_use=many))
    assert snap.copilot_chat_use is not None and snap.copilot_chat_use.users[0].interactions == 400
    assert len([r for r in asked if "/records" in r.path]) == 4  # 100 a page: @odata.nextLink followed


def test_without_the_permission_it_is_a_named_gap() -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "AuditLogsQuery.Read.All")
    snap, asked, _ = collected(sample_tenant(), roles)
    assert snap.copilot_chat_use is None and COPILOT_AUDIT not in snap.collected_datasets
    (gap,) = [g for g in snap.gaps if g.dataset == COPILOT_AUDIT]
    assert gap.request == f"POST {AUDIT_QUERIES_PATH}" and "AuditLogsQuery.Read.All" in gap.reason
    assert [r.status for r in asked] == [403]


def test_a_failed_query_is_a_gap() -> None:
    snap, _, _ = collected(sample_tenant(), queries=AuditQueries(sample_tenant(), fail=True))
    (gap,) = [g for g in snap.gaps if g.dataset == COPILOT_AUDIT]
    assert "ended failed" in gap.reason and snap.copilot_chat_use is None


def test_a_query_that_never_ends_is_a_gap_after_the_longest_wait() -> None:
    snap, asked, waited = collected(sample_tenant(), queries=AuditQueries(sample_tenant(), polls=10_000))
    (gap,) = [g for g in snap.gaps if g.dataset == COPILOT_AUDIT]
    assert "still running" in gap.reason and snap.copilot_chat_use is None
    assert waited <= POLL_TOTAL and not [r for r in asked if "/records" in r.path]


def test_not_asked_when_no_entry_wants_it() -> None:
    snap, asked, _ = collected(sample_tenant(), days=0)
    assert asked == [] and snap.copilot_chat_use is None


def test_counting_keeps_to_the_operation_and_refuses_a_record_without_a_user() -> None:
    at = (AS_OF - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    records = [
        {
            "operation": "CopilotInteraction",
            "userPrincipalName": "Ann@x.example",
            "userId": "Ann@x.example",
            "createdDateTime": at,
        },
        {"operation": "copilotinteraction", "userPrincipalName": "ann@x.example", "createdDateTime": at},
        {"operation": "FileAccessed", "userPrincipalName": "bob@x.example", "createdDateTime": at},
    ]
    use = count_records(records, "s", "u")
    assert [(u.upn, u.interactions) for u in use.users] == [("ann@x.example", 2)]
    try:
        count_records([{"operation": "CopilotInteraction", "createdDateTime": at}], "s", "u")
    except ValueError as exc:
        assert "userPrincipalName" in str(exc)
    else:
        raise AssertionError("a record without a user was counted")


def test_a_guests_records_and_another_organisations_are_not_counted() -> None:
    """auditLogRecord says whose record it is: `userType` (guest among its values) and `organizationId`
    (the tenant's GUID). Neither a guest's nor another organisation's interactions are counted, and the
    notes say how many records were left out."""
    sample = sample_tenant()
    sanne = "user000006@contoso.example"
    guest = dataclasses.replace(
        sample, users=[u.with_values(user_type="Guest") if u.user_principal_name == QUINN else u for u in sample.users]
    )
    queries = AuditQueries(guest, elsewhere={sanne: "0b8f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"})
    snap, _, _ = collected(guest, queries=queries)
    use = snap.copilot_chat_use
    assert use is not None
    counted = {u.upn for u in use.users}
    assert QUINN not in counted and sanne not in counted
    assert "copilot.daily@contoso.example" in counted
    assert any("23 Copilot record(s) of a guest" in n for n in snap.notes)
    assert any("31 Copilot record(s) of another organisation" in n for n in snap.notes)


@pytest.mark.off_contract(
    "the Get auditLogQuery page's example wraps the query in `value`, which v1.0's metadata does not"
)
def test_a_query_answered_inside_value_is_read() -> None:
    """The "Get auditLogQuery" page's example answers the query inside `value`: read as the top-level form."""
    sample = sample_tenant()
    snap, _, _ = collected(sample, queries=AuditQueries(sample, polls=2, wrapped=True))
    assert not snap.gaps and snap.copilot_chat_use is not None
    assert snap.copilot_chat_use.users[0].interactions == 41
