"""grace_days: the disabled-user finding carries when the account was disabled, read from the
directory audit entries the snapshot holds ("Disable account", or "Update user" with
AccountEnabled becoming false), so that the plan can hold its removals back."""

from __future__ import annotations

from typing import Any

from auditor.directory_audits import audits_from_json, disabled_times
from auditor.rules.hygiene.accounts import DisabledUserLicensed

from .factory import audit, tenant, user

POLICY = "hygiene:\n  disabled_users: {severity: high, grace_days: 14}\n"


def _entry(n: int, activity: str, at: str, target: str, modified: list[dict[str, Any]] | None = None,
           result: str = "success") -> dict[str, Any]:
    return {"id": f"audit-{n}", "activityDisplayName": activity, "activityDateTime": at, "result": result,
            "initiatedBy": {"user": {"id": "admin", "userPrincipalName": "admin@contoso.example"}},
            "targetResources": [{"id": target, "type": "User", "modifiedProperties": modified or []}]}


ENABLED_FALSE = [{"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"}]
AUDITS = {"since": "2026-10-01T00:00:00Z", "until": "2026-11-01T00:00:00Z", "value": [
    _entry(1, "Disable account", "2026-10-20T08:00:00Z", "id-ann"),
    _entry(2, "Update user", "2026-10-25T09:00:00Z", "id-bob", ENABLED_FALSE),
    _entry(3, "Update user", "2026-10-26T09:00:00Z", "id-cy",
           [{"displayName": "Department", "oldValue": "[\"Sales\"]", "newValue": "[\"HR\"]"}]),
    _entry(4, "Disable account", "2026-10-27T09:00:00Z", "id-cy", result="failure"),
    _entry(5, "Disable account", "2026-10-10T08:00:00Z", "id-ann"),  # an earlier disable: the newest counts
]}


def test_the_disable_time_comes_from_disable_account_or_account_enabled_false() -> None:
    times = disabled_times(audits_from_json(AUDITS))
    assert times == {"id-ann": "2026-10-20T08:00:00Z", "id-bob": "2026-10-25T09:00:00Z"}
    assert disabled_times(None) == {}


def test_the_finding_carries_grace_days_and_the_disable_time(tmp_path: Any) -> None:
    users = [user(name, "SPE_E3", accountEnabled=False) for name in ("ann", "bob", "cy")]
    result = audit(tmp_path, POLICY, tenant(users, directoryAudits=AUDITS))
    found = {f.subject.id: dict(f.facts) for f in result.findings if f.rule == DisabledUserLicensed.id}
    assert {uid: (d["grace_days"], d["disabled_at"]) for uid, d in found.items()} == {
        "id-ann": (14, "2026-10-20T08:00:00Z"), "id-bob": (14, "2026-10-25T09:00:00Z"), "id-cy": (14, None)}


def test_without_grace_days_the_finding_has_no_disable_time(tmp_path: Any) -> None:
    result = audit(tmp_path, "hygiene:\n  disabled_users: {severity: high}\n",
                   tenant([user("ann", "SPE_E3", accountEnabled=False)], directoryAudits=AUDITS))
    [finding] = [f for f in result.findings if f.rule == DisabledUserLicensed.id]
    assert "grace_days" not in dict(finding.facts) and "disabled_at" not in dict(finding.facts)
