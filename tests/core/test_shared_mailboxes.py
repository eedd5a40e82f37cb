"""Shared, room and equipment mailboxes: not flagged as disabled or inactive accounts, judged by
shared-mailbox-licensed instead; when their purpose could not be read, the findings say so."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import wording
from auditor.common.errors import SnapshotError
from auditor.data.model import Cloud, Locale, Severity
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.accounts import (
    DisabledUserLicensed,
    InactiveUserLicensed,
    SharedMailboxLicensed,
    SharedMailboxUnlicensed,
)
from auditor.snapshot import MAILBOX_SETTINGS, load_snapshot, save_snapshot, snapshot_from_json

from .factory import audit, fired, ready, tenant, user

POLICY = """hygiene:
  disabled_users: {severity: high}
  inactive_users: {days: 90}
  shared_mailboxes: {except: {upn: ["keep*@contoso.example"]}}
"""
NEVER = {
    "lastSignInDateTime": None,
    "lastNonInteractiveSignInDateTime": None,
    "lastSuccessfulSignInDateTime": "0001-01-01T00:00:00Z",
}


def mailbox(purpose: str | None) -> dict[str, Any]:
    return {"mailboxSettings": None if purpose is None else {"userPurpose": purpose}}


def users() -> list[dict[str, Any]]:
    return [
        user("shared", "SPE_E3", accountEnabled=False, **mailbox("shared")),
        user("room", "SPE_E3", signInActivity=NEVER, **mailbox("Room")),  # Graph's case is not relied on
        user("gear", "SPE_E3", accountEnabled=False, **mailbox("equipment")),
        user("keepshared", "SPE_E3", accountEnabled=False, **mailbox("shared")),  # excepted by the policy
        user("left", "SPE_E3", accountEnabled=False, **mailbox("user")),
        user("nomailbox", "SPE_E3", accountEnabled=False, **mailbox(None)),
        user("idle", "SPE_E3", signInActivity=NEVER, **mailbox("user")),
        user("unlicensedshared", accountEnabled=False, **mailbox("shared")),
        user("active", "SPE_E3"),
    ]


def collected(**kw: Any) -> dict[str, Any]:
    return tenant(users(), collectedParts=["signInActivity", MAILBOX_SETTINGS], **kw)


def test_resource_mailboxes_are_not_disabled_or_inactive_users(tmp_path: Any) -> None:
    result = audit(tmp_path, POLICY, collected())
    assert result.complete
    assert [u for _, u, _ in fired(result, DisabledUserLicensed.id)] == [
        "left@contoso.example",
        "nomailbox@contoso.example",
    ]
    assert [u for _, u, _ in fired(result, InactiveUserLicensed.id)] == ["idle@contoso.example"]
    shared = {f.subject.upn: f for f in result.findings if f.rule == SharedMailboxLicensed.id}
    assert sorted(shared) == ["gear@contoso.example", "room@contoso.example", "shared@contoso.example"]
    assert {upn: dict(f.details)["mailbox_purpose"] for upn, f in shared.items()} == {
        "gear@contoso.example": "equipment",
        "room@contoso.example": "room",
        "shared@contoso.example": "shared",
    }
    assert all(f.severity is Severity.LOW and f.skus == ("SPE_E3",) for f in shared.values())
    assert all("shared_mailbox" not in dict(f.details) for f in result.findings)  # every purpose was known


def test_without_the_mailbox_rules_nothing_changes_for_a_snapshot_that_never_asked(tmp_path: Any) -> None:
    plain = [{k: v for k, v in u.items() if k != "mailboxSettings"} for u in users()]
    result = audit(tmp_path, "hygiene:\n  disabled_users: {}\n", tenant(plain))
    assert result.complete
    (f, *_) = [f for f in result.findings if f.rule == DisabledUserLicensed.id]
    assert "shared_mailbox" not in dict(f.details)
    # the new rule cannot judge a snapshot whose purposes were never read: not evaluated, never "compliant"
    result = audit(tmp_path, "hygiene:\n  shared_mailboxes: {}\n", tenant(plain))
    both = [SharedMailboxLicensed.id, SharedMailboxUnlicensed.id]  # the one key judges both directions
    assert not result.complete and [n.rule for n in result.not_evaluated] == both
    assert all("mailboxSettings" in n.reason for n in result.not_evaluated)


def test_a_mailbox_settings_gap_keeps_the_findings_but_says_it_could_not_tell(tmp_path: Any) -> None:
    plain = [{k: v for k, v in u.items() if k != "mailboxSettings"} for u in users()]
    gap = {
        "part": MAILBOX_SETTINGS,
        "request": "POST /$batch (GET /users/{id}/mailboxSettings/userPurpose)",
        "reason": "Graph answered 403 ErrorAccessDenied: Access is denied. (needs MailboxSettings.Read)",
    }
    result = audit(tmp_path, POLICY, tenant(plain, gaps=[gap]))
    both = [SharedMailboxLicensed.id, SharedMailboxUnlicensed.id]
    assert not result.complete and [n.rule for n in result.not_evaluated] == both
    disabled = [f for f in result.findings if f.rule == DisabledUserLicensed.id]
    inactive = [f for f in result.findings if f.rule == InactiveUserLicensed.id]
    assert len(disabled) == 5 and len(inactive) == 2  # the mailboxes too: they cannot be told apart
    for f in disabled + inactive:
        assert dict(f.details)["shared_mailbox"] == "unknown"
        assert f.message.endswith("(could not tell whether it is a shared mailbox)")
        for locale in Locale:
            text = wording.message(f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), locale=locale)
            plain_text = wording.message(
                f.rule,
                finding_of(
                    f.subject,
                    list(f.skus),
                    {k: v for k, v in dict(f.details).items() if k != "shared_mailbox"},
                ),
                locale=locale,
            )
            assert text.startswith(plain_text) and len(text) > len(plain_text) + 40
        rem = wording.remediation(
            f.rule,
            finding_of(f.subject, list(f.skus), dict(f.details)),
            cloud=Cloud.WORLDWIDE,
            locale=Locale.EN,
        )
        assert "MailboxSettings.Read" in rem["steps"][0] and "50 GB" in rem["steps"][0]


def test_an_account_not_asked_in_a_collection_that_asked_is_unknown(tmp_path: Any) -> None:
    # read at collection time as active, judged later as inactive: its purpose was never read
    late = user(
        "late",
        "SPE_E3",
        signInActivity={"lastSignInDateTime": "2026-05-01T00:00:00Z", "lastNonInteractiveSignInDateTime": None},
    )
    result = audit(tmp_path, POLICY, tenant([late], collectedParts=["signInActivity", MAILBOX_SETTINGS]))
    (f,) = [f for f in result.findings if f.rule == InactiveUserLicensed.id]
    assert dict(f.details)["shared_mailbox"] == "unknown"


def test_direct_license_on_a_shared_mailbox_gets_no_ready_graph_call(tmp_path: Any) -> None:
    doc = tenant(
        [user("shared", "SPE_E3", accountEnabled=False, **mailbox("shared"))],
        collectedParts=["signInActivity", MAILBOX_SETTINGS],
    )
    (f,) = [f for f in audit(tmp_path, POLICY, doc).findings if f.rule == SharedMailboxLicensed.id]
    for cloud in Cloud:
        rem = wording.remediation(
            f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), cloud=cloud, locale=Locale.EN
        )
        assert not ready(rem)
        text = " ".join(rem["steps"])
        assert "50 GB" in text and "archive" in text and "SPE_E3" in text  # the steps stay


@pytest.mark.parametrize("purpose", ["others", "unknownFutureValue", "OTHERS", "somethingNew"])
def test_a_purpose_that_says_nothing_is_unknown_not_a_person(tmp_path: Any, purpose: str) -> None:
    """`others` (not a plain user mailbox) and `unknownFutureValue` may be a shared mailbox: the
    disabled and inactive findings say they could not tell; `linked` is a person's mailbox."""
    doc = tenant(
        [
            user("odd", "SPE_E3", accountEnabled=False, **mailbox(purpose)),
            user("oddidle", "SPE_E3", signInActivity=NEVER, **mailbox(purpose)),
            user("linked", "SPE_E3", accountEnabled=False, **mailbox("linked")),
        ],
        collectedParts=["signInActivity", MAILBOX_SETTINGS],
    )
    result = audit(tmp_path, POLICY, doc)
    by_upn = {(f.rule, f.subject.upn.split("@")[0]): f for f in result.findings}
    for key in ((DisabledUserLicensed.id, "odd"), (InactiveUserLicensed.id, "oddidle")):
        f = by_upn[key]
        assert dict(f.details)["shared_mailbox"] == "unknown"
        assert f.message.endswith("(could not tell whether it is a shared mailbox)")
    linked = by_upn[(DisabledUserLicensed.id, "linked")]
    assert "shared_mailbox" not in dict(linked.details)
    assert not [f for f in result.findings if f.rule == SharedMailboxLicensed.id]


def test_guidance_checks_before_removal_and_names_every_group(tmp_path: Any) -> None:
    groups = [
        {"id": "g-1", "displayName": "Shared Mailbox Licenses", "assignedLicenses": [], "members": []},
        {"id": "g-2", "displayName": "Legacy E3", "assignedLicenses": [], "members": []},
    ]
    states = [
        {"skuId": u["licenseAssignmentStates"][0]["skuId"], "assignedByGroup": g, "state": "Active", "error": "None"}
        for u in [user("x", "SPE_E3")]
        for g in ("g-1", "g-2")
    ]
    doc = tenant(
        [user("shared", "SPE_E3", accountEnabled=False, licenseAssignmentStates=states, **mailbox("shared"))],
        groups=groups,
        collectedParts=["signInActivity", MAILBOX_SETTINGS],
    )
    (f,) = [f for f in audit(tmp_path, POLICY, doc).findings if f.rule == SharedMailboxLicensed.id]
    for cloud in Cloud:
        for locale in Locale:
            rem = wording.remediation(
                f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), cloud=cloud, locale=locale
            )
            text = " ".join([rem["summary"], *rem["steps"]])
            # Germany and US Government steps open with a note on the cloud (docs/guidance.md)
            first = 1 if cloud in (Cloud.GERMANY, Cloud.USGOV, Cloud.USGOV_DOD) else 0
            assert "50 GB" in rem["summary"] and "50 GB" in rem["steps"][first + 1]
            assert "Shared Mailbox Licenses" in text and "Legacy E3" in text
            # nothing ready to run: a removal before the size, archive and hold checks could take away
            # the archive add-on the mailbox depends on; the admin removes after checking
            assert not ready(rem)
    en = wording.remediation(
        f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), cloud=Cloud.CHINA, locale=Locale.EN
    )
    checks = [i for i, s in enumerate(en["steps"]) if "Purview" in s or "archive" in s]
    removal = [i for i, s in enumerate(en["steps"]) if "Remove" in s or "Members" in s]
    assert checks and removal and max(checks) < min(removal)  # what to check comes before any removal
    assert "is a shared mailbox but holds SPE_E3" in wording.message(
        f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), locale=Locale.EN
    )


def test_snapshot_round_trip_and_older_snapshots(tmp_path: Any) -> None:
    snap = snapshot_from_json(collected())
    purposes = {u.user_principal_name.split("@")[0]: u.mailbox_purpose for u in snap.users}
    assert purposes["shared"] == "shared" and purposes["nomailbox"] == "" and purposes["active"] is None
    path = tmp_path / "s.json"
    save_snapshot(snap, path)
    again = load_snapshot(path)
    assert again == snap and MAILBOX_SETTINGS in again.collected_datasets
    text = path.read_text()
    assert '"mailboxSettings":null' in text and '"mailboxSettings":{"userPurpose":"shared"}' in text
    older = snapshot_from_json(tenant([user("a", "SPE_E3")]))  # written before purposes existed
    assert older.users[0].mailbox_purpose is None and MAILBOX_SETTINGS not in older.collected_datasets
    bad = tenant([user("a", "SPE_E3", mailboxSettings={"userPurpose": 3})])
    path.write_text(__import__("json").dumps(bad))
    with pytest.raises(SnapshotError, match=r"users\[0\].*userPurpose"):
        load_snapshot(path)
