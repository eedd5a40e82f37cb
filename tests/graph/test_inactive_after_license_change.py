"""A license change within the inactivity window does not hide an account that was dormant before
it: the real collector reads, from the loopback emulator, the lastUpdatedDateTime a group's license
gave each member when the msgraph-sdk added them to it, and inactive-user-licensed judges by it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from msgraph import GraphServiceClient
from msgraph.generated.models.reference_create import ReferenceCreate

from auditor.evaluation.engine import evaluate
from auditor.graph import GraphClient, MailboxCheck, StaticTokenCredential
from auditor.policyset.load import load_policies
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor.snapshot import snapshot_from_json
from auditor_dev.emulator import DEMO_ROLES, WRITE_ROLES
from tests.core.factory import E3, E5, policy_file, tenant, user

GROUP = "aaaaaaaa-0000-4000-8000-0000000000e5"


def _text(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_joining_a_licensed_group_does_not_hide_a_dormant_account(harness: Any, tmp_path: Any) -> None:
    now = datetime.now(UTC).replace(microsecond=0)  # the emulator stamps license changes with its clock
    old = _text(now - timedelta(days=200))
    direct = [
        {
            "skuId": E3,
            "assignedByGroup": None,
            "state": "Active",
            "error": "None",
            "disabledPlans": [],
            "lastUpdatedDateTime": _text(now - timedelta(days=400)),
        }
    ]

    def account(name: str, success: str) -> dict[str, Any]:
        return user(
            name,
            "SPE_E3",
            createdDateTime=_text(now - timedelta(days=500)),
            licenseAssignmentStates=direct,
            signInActivity={
                "lastSignInDateTime": success,
                "lastNonInteractiveSignInDateTime": None,
                "lastSuccessfulSignInDateTime": success,
            },
        )

    doc = tenant(
        [
            account("dormant", old),
            account("never", "0001-01-01T00:00:00Z"),
            account("active", _text(now - timedelta(days=3))),
        ],
        groups=[
            {
                "id": GROUP,
                "displayName": "E5 staff",
                "members": [],
                "assignedLicenses": [{"skuId": E5, "disabledPlans": []}],
            }
        ],
        collectedAt=_text(now),
    )
    h = harness(snapshot_from_json(doc), roles=(*DEMO_ROLES, *WRITE_ROLES))

    async def join_all() -> None:
        client = GraphClient(base_url=h.emulator.url, credential=StaticTokenCredential(h.token))
        try:
            sdk = GraphServiceClient(request_adapter=client.adapter)
            for name in ("dormant", "never", "active"):
                await sdk.groups.by_group_id(GROUP).members.ref.post(
                    ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/id-{name}")
                )
        finally:
            await client.aclose()

    asyncio.run(join_all())
    collected = h.collect(need_sign_in=True, mailboxes=MailboxCheck(inactive_days=90, as_of=now))
    stamps = {u.user_principal_name: u.licenses_updated for u in collected.users}
    assert all(t is not None and t >= _text(now - timedelta(minutes=5)) for t in stamps.values()), stamps

    policies = load_policies([policy_file(tmp_path, "hygiene:\n  inactive_users: {days: 90}\n")])
    result = evaluate(policies, collected, now + timedelta(minutes=5))
    found = {f.subject.upn: dict(f.details) for f in result.findings if f.rule == InactiveUserLicensed.id}
    # the account that never signed in has had no time to use the new license; the dormant one has
    assert set(found) == {"dormant@contoso.example"}
    assert found["dormant@contoso.example"]["last_sign_in"] == old
