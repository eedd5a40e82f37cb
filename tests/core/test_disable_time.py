"""grace_days: the disabled-user finding carries when the account was disabled, read from the
directory audit entries the snapshot holds ("Disable account", or "Update user" with
AccountEnabled becoming false), so that the plan can hold its removals back."""

from __future__ import annotations

from typing import Any

from auditor.data.audit_entries import audits_from_json, disabled_times
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.accounts import DisabledUserLicensed

from .factory import audit, tenant, user

POLICY = "hygiene:\n  disabled_users: {severity: high, grace_days: 14}\n"


def _entry(
    n: int, activity: str, at: str, target: str, modified: list[dict[str, Any]] | None = None, result: str = "success"
) -> dict[str, Any]:
    return {
        "id": f"audit-{n}",
        "activityDisplayName": activity,
        "activityDateTime": at,
        "result": result,
        "initiatedBy": {"user": {"id": "admin", "userPrincipalName": "admin@contoso.example"}},
        "targetResources": [{"id": target, "type": "User", "modifiedProperties": modified or []}],
    }


ENABLED_FALSE = [{"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"}]
AUDITS = {
    "since": "2026-10-01T00:00:00Z",
    "until": "2026-11-01T00:00:00Z",
    "value": [
        _entry(1, "Disable account", "2026-10-20T08:00:00Z", "id-ann"),
        _entry(2, "Update user", "2026-10-25T09:00:00Z", "id-bob", ENABLED_FALSE),
        _entry(
            3,
            "Update user",
            "2026-10-26T09:00:00Z",
            "id-cy",
            [{"displayName": "Department", "oldValue": '["Sales"]', "newValue": '["HR"]'}],
        ),
        _entry(4, "Disable account", "2026-10-27T09:00:00Z", "id-cy", result="failure"),
        _entry(5, "Disable account", "2026-10-10T08:00:00Z", "id-ann"),  # an earlier disable: the newest counts
    ],
}


def test_the_disable_time_comes_from_disable_account_or_account_enabled_false() -> None:
    times = disabled_times(audits_from_json(AUDITS))
    assert times == {"id-ann": "2026-10-20T08:00:00Z", "id-bob": "2026-10-25T09:00:00Z"}
    assert disabled_times(None) == {}


def test_the_finding_carries_grace_days_and_the_disable_time(tmp_path: Any) -> None:
    users = [user(name, "SPE_E3", accountEnabled=False) for name in ("ann", "bob", "cy")]
    result = audit(tmp_path, POLICY, tenant(users, directoryAudits=AUDITS))
    found = {f.subject.id: dict(f.details) for f in result.findings if f.rule == DisabledUserLicensed.id}
    assert {uid: (d["grace_days"], d["disabled_at"]) for uid, d in found.items()} == {
        "id-ann": (14, "2026-10-20T08:00:00Z"),
        "id-bob": (14, "2026-10-25T09:00:00Z"),
        # no entry disabled cy; without Entra ID P1 or P2 the log keeps 7 days: disabled before then
        "id-cy": (14, "2026-10-25T00:00:00Z"),
    }
    assert found["id-cy"]["disabled_from"] == "auditSpan" and found["id-cy"]["audit_span_days"] == 7


def test_without_grace_days_the_finding_has_no_disable_time(tmp_path: Any) -> None:
    result = audit(
        tmp_path,
        "hygiene:\n  disabled_users: {severity: high}\n",
        tenant([user("ann", "SPE_E3", accountEnabled=False)], directoryAudits=AUDITS),
    )
    [finding] = [f for f in result.findings if f.rule == DisabledUserLicensed.id]
    assert "grace_days" not in dict(finding.details) and "disabled_at" not in dict(finding.details)


def test_an_account_enabled_again_after_its_last_disable_has_no_disable_time() -> None:
    enabled_true = [{"displayName": "AccountEnabled", "oldValue": "[false]", "newValue": "[true]"}]
    audits = {
        "since": "2026-10-01T00:00:00Z",
        "until": "2026-11-01T00:00:00Z",
        "value": [
            _entry(1, "Disable account", "2026-10-10T08:00:00Z", "id-ann"),
            _entry(2, "Enable account", "2026-10-12T08:00:00Z", "id-ann"),  # enabled again: no disable time
            _entry(3, "Update user", "2026-10-10T08:00:00Z", "id-bob", ENABLED_FALSE),
            _entry(4, "Update user", "2026-10-11T08:00:00Z", "id-bob", enabled_true),  # likewise, through Update user
            _entry(5, "Disable account", "2026-10-05T08:00:00Z", "id-cy"),
            _entry(6, "Enable account", "2026-10-06T08:00:00Z", "id-cy"),
            _entry(7, "Disable account", "2026-10-20T08:00:00Z", "id-cy"),  # disabled once more: this one counts
        ],
    }
    assert disabled_times(audits_from_json(audits)) == {"id-cy": "2026-10-20T08:00:00Z"}


def test_account_enabled_values_are_read_as_the_json_strings_graph_writes() -> None:
    def update(n: int, target: str, new: str) -> dict[str, Any]:
        return _entry(
            n,
            "Update user",
            "2026-10-10T08:00:00Z",
            target,
            [{"displayName": "AccountEnabled", "oldValue": None, "newValue": new}],
        )

    audits = {
        "since": "2026-10-01T00:00:00Z",
        "until": "2026-11-01T00:00:00Z",
        "value": [
            update(1, "id-a", "[false]"),
            update(2, "id-b", "false"),
            update(3, "id-c", '["False"]'),
            update(4, "id-d", "[true]"),
            update(5, "id-e", "not a flag: false"),
            update(6, "id-f", "[]"),
        ],
    }
    assert sorted(disabled_times(audits_from_json(audits))) == ["id-a", "id-b", "id-c"]


def test_the_leave_date_comes_first_then_the_audit_and_else_why_it_is_unknown(tmp_path: Any) -> None:
    users = [
        user("ann", "SPE_E3", accountEnabled=False, employeeLeaveDateTime="2026-09-30T17:00:00Z"),
        user("bob", "SPE_E3", accountEnabled=False),
        user("cy", "SPE_E3", accountEnabled=False),
    ]
    result = audit(tmp_path, POLICY, tenant(users, directoryAudits=AUDITS))
    found = {f.subject.id: dict(f.details) for f in result.findings if f.rule == DisabledUserLicensed.id}
    # ann also has a Disable account entry: her leave date wins
    assert {k: found["id-ann"][k] for k in ("disabled_at", "disabled_from")} == {
        "disabled_at": "2026-09-30T17:00:00Z",
        "disabled_from": "employeeLeaveDateTime",
    }
    assert {k: found["id-bob"][k] for k in ("disabled_at", "disabled_from")} == {
        "disabled_at": "2026-10-25T09:00:00Z",
        "disabled_from": "directoryAudit",
    }
    assert found["id-cy"]["disabled_from"] == "auditSpan"  # no entry: before the log's start
    empty = {"since": "2026-11-01T00:00:00Z", "until": "2026-11-01T00:00:00Z", "value": []}  # a log spanning nothing
    spans_nothing = audit(tmp_path, POLICY, tenant([user("cy", "SPE_E3", accountEnabled=False)], directoryAudits=empty))
    [finding] = [f for f in spans_nothing.findings if f.rule == DisabledUserLicensed.id]
    assert dict(finding.details)["disabled_at"] is None and dict(finding.details)["disable_unknown"] == "not_in_audit"
    unread = audit(tmp_path, POLICY, tenant([user("cy", "SPE_E3", accountEnabled=False)]))
    [finding] = [f for f in unread.findings if f.rule == DisabledUserLicensed.id]
    assert dict(finding.details)["disable_unknown"] == "audit_not_read"


P1_PLAN = {
    "servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d",
    "servicePlanName": "AAD_PREMIUM",
    "provisioningStatus": "Success",
    "appliesTo": "User",
}


def _spanned(tmp_path: Any, grace: int, *, premium: bool, **kw: Any) -> tuple[dict[str, Any], str]:
    from auditor import wording as guidance
    from auditor.data.model import Locale
    from auditor.plan.declared import grace_wait
    from auditor.plan.leaver_facts import leaver_facts

    from .factory import sku

    e3 = sku("SPE_E3")
    if premium:
        e3["servicePlans"] = [P1_PLAN]
    policy = f"hygiene:\n  disabled_users: {{severity: high, grace_days: {grace}}}\n"
    result = audit(
        tmp_path, policy, tenant([user("dee", "SPE_E3", accountEnabled=False, **kw)], skus=[e3], directoryAudits=AUDITS)
    )
    [f] = [f for f in result.findings if f.rule == DisabledUserLicensed.id]
    details = dict(f.details)
    message = guidance.message(f.rule, finding_of(f.subject, list(f.skus), details), locale=Locale.EN)
    read = finding_of(f.subject, list(f.skus), details, rule=f.rule)
    return details | {"wait": grace_wait(leaver_facts(read), "2026-11-01T06:00:00Z")}, message


def test_the_audit_logs_span_is_evidence_for_grace_days(tmp_path: Any) -> None:
    """No disable entry in a 30-day log (Entra ID P1 in the tenant): disabled at least 30 days ago,
    so grace_days up to 30 are met, and the message says why."""
    details, message = _spanned(tmp_path, 30, premium=True)
    assert details["disabled_at"] == "2026-10-02T00:00:00Z" and details["audit_span_days"] == 30  # read 31, kept 30
    assert details["wait"] is None
    assert (
        "The directory audit log, which reaches back 30 days, has no entry of the account being disabled: it "
        "was disabled at least 30 days ago."
    ) in message


def test_a_grace_longer_than_the_logs_span_stays_unknown(tmp_path: Any) -> None:
    from auditor.plan.declared import DISABLE_TIME_UNKNOWN

    assert _spanned(tmp_path, 31, premium=True)[0]["wait"] == (DISABLE_TIME_UNKNOWN, "")
    # without Entra ID P1 or P2 the log keeps 7 days, however far back it was read
    details = _spanned(tmp_path, 14, premium=False)[0]
    assert details["audit_span_days"] == 7 and details["wait"] == (DISABLE_TIME_UNKNOWN, "")


def test_an_account_created_within_the_span_counts_from_its_creation(tmp_path: Any) -> None:
    details, _ = _spanned(tmp_path, 14, premium=True, createdDateTime="2026-10-25T00:00:00Z")
    assert details["disabled_at"] == "2026-10-25T00:00:00Z"
    assert details["wait"][0] == "disable_time_unknown"
