"""inactive-user-licensed reads signInActivity by its documented meaning: failed attempts are not
activity, 0001-01-01 means never, new accounts get grace, and so do newly assigned licenses of
accounts that never signed in (not of accounts dormant before the change). Each case runs through
the snapshot decoder (page bytes and parsed items) and the rule."""

from __future__ import annotations

from typing import Any

import msgspec
import orjson
import pytest

from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor.snapshot import UserDecoder

from .factory import audit, tenant, user

POLICY = "hygiene:\n  inactive_users: {days: 90}\n"
NEVER = "0001-01-01T00:00:00Z"


def activity(
    last: str | None = None,
    non_interactive: str | None = None,
    success: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"lastSignInDateTime": last, "lastNonInteractiveSignInDateTime": non_interactive}
    if success is not None:
        out["lastSuccessfulSignInDateTime"] = success
    return out


def inactive(tmp_path: Any, *users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result = audit(tmp_path, POLICY, tenant(list(users)))
    return {f.subject.upn or "": dict(f.details) for f in result.findings if f.rule == InactiveUserLicensed.id}


def test_failed_attempts_do_not_make_a_dormant_account_active(tmp_path: Any) -> None:
    """Under password spray lastSignInDateTime is yesterday; the last success was 200 days ago."""
    sprayed = user("sprayed", "SPE_E3", signInActivity=activity("2026-10-31T03:00:00Z", None, "2026-04-15T08:00:00Z"))
    found = inactive(tmp_path, sprayed)
    assert found["sprayed@contoso.example"]["last_sign_in"] == "2026-04-15T08:00:00Z"
    assert found["sprayed@contoso.example"]["last_attempt"] == "2026-10-31T03:00:00Z"


def test_a_recent_success_is_activity(tmp_path: Any) -> None:
    ok = user("ok", "SPE_E3", signInActivity=activity("2026-10-31T03:00:00Z", None, "2026-10-30T08:00:00Z"))
    assert inactive(tmp_path, ok) == {}


def test_without_last_successful_the_other_times_stand_in(tmp_path: Any) -> None:
    older = user("older", "SPE_E3", signInActivity=activity("2026-01-01T00:00:00Z", "2026-10-20T00:00:00Z"))
    stale = user("stale", "SPE_E3", signInActivity=activity("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"))
    assert set(inactive(tmp_path, older, stale)) == {"stale@contoso.example"}


@pytest.mark.parametrize("times", [activity(NEVER, NEVER), activity(NEVER, None, NEVER), activity(None, None, NEVER)])
def test_the_placeholder_date_means_never(tmp_path: Any, times: dict[str, Any]) -> None:
    """A 5-day-old account used to be flagged as "last signed in 0001-01-01"; an old one reads "never"."""
    new = user("new", "SPE_E3", createdDateTime="2026-10-27T09:00:00Z", signInActivity=times)
    old = user("old", "SPE_E3", createdDateTime="2025-01-01T00:00:00Z", signInActivity=times)
    found = inactive(tmp_path, new, old)
    assert set(found) == {"old@contoso.example"}
    assert found["old@contoso.example"]["last_sign_in"] is None


def test_a_success_that_never_happened_overrules_failed_attempts(tmp_path: Any) -> None:
    attacked = user("attacked", "SPE_E3", signInActivity=activity("2026-10-31T00:00:00Z", None, NEVER))
    found = inactive(tmp_path, attacked)
    assert found["attacked@contoso.example"]["last_sign_in"] is None


def test_licenses_assigned_within_the_window_get_grace(tmp_path: Any) -> None:
    states = [
        {
            "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965",
            "assignedByGroup": None,
            "state": "Active",
            "error": "None",
            "lastUpdatedDateTime": "2026-10-20T10:00:00Z",
        }
    ]
    fresh = user("fresh", "SPE_E3", signInActivity=None, licenseAssignmentStates=states)
    stale_states = [dict(states[0], lastUpdatedDateTime="2025-10-20T10:00:00Z")]
    stale = user("stale", "SPE_E3", signInActivity=None, licenseAssignmentStates=stale_states)
    assert set(inactive(tmp_path, fresh, stale)) == {"stale@contoso.example"}


def test_a_license_change_does_not_hide_an_account_dormant_before_it(tmp_path: Any) -> None:
    """A group license edit stamps lastUpdatedDateTime on every member's state. An account whose
    last success is 200 days old stays inactive; the grace is for accounts that never signed in
    (or signed in after the change), which have not had the time to use the new license."""
    states = [
        {
            "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965",
            "assignedByGroup": "g-all",
            "state": "Active",
            "error": "None",
            "lastUpdatedDateTime": "2026-10-20T10:00:00Z",
        }
    ]
    dormant = user(
        "dormant",
        "SPE_E3",
        via="g-all",
        licenseAssignmentStates=states,
        signInActivity=activity("2026-04-15T08:00:00Z", None, "2026-04-15T08:00:00Z"),
    )
    sprayed = user(
        "sprayed",
        "SPE_E3",
        via="g-all",
        licenseAssignmentStates=states,
        signInActivity=activity("2026-10-31T03:00:00Z", None, "2026-04-15T08:00:00Z"),
    )
    never = user(
        "never", "SPE_E3", via="g-all", licenseAssignmentStates=states, signInActivity=activity(NEVER, NEVER, NEVER)
    )
    found = inactive(tmp_path, dormant, sprayed, never)
    assert set(found) == {"dormant@contoso.example", "sprayed@contoso.example"}
    assert found["dormant@contoso.example"]["last_sign_in"] == "2026-04-15T08:00:00Z"


def test_every_decoder_path_keeps_success_times_and_assignment_times() -> None:
    states = [
        {
            "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965",
            "assignedByGroup": None,
            "state": "Active",
            "error": "None",
            "disabledPlans": [],
            "lastUpdatedDateTime": "2026-10-20T10:00:00Z",
        }
    ]
    raw = user(
        "a",
        "SPE_E3",
        licenseAssignmentStates=states,
        signInActivity=activity("2026-10-31T03:00:00Z", None, "2026-04-15T08:00:00Z"),
    )
    raw["assignedLicenses"][0]["disabledPlans"] = []
    decoder = UserDecoder(with_sign_in=True)
    parsed = decoder.values([raw])[0]
    one = decoder.user(raw)
    split = decoder.page(orjson.dumps({"value": [raw, dict(raw, id="b", userPrincipalName="b@x")]}))
    assert split is not None
    paged = split[1]()
    assert paged is not None
    for got in (parsed, one, paged[0]):
        assert got.last_successful_sign_in_date_time == "2026-04-15T08:00:00Z"
        assert [s.last_updated_date_time for s in got.license_assignment_states] == ["2026-10-20T10:00:00Z"]
        assert got.licenses_updated == "2026-10-20T10:00:00Z"
    assert msgspec.structs.asdict(parsed) == msgspec.structs.asdict(one) == msgspec.structs.asdict(paged[0])
    assert paged[0].profile is paged[1].profile  # what they share is still one object


def test_the_snapshot_keeps_success_and_assignment_times() -> None:
    from auditor.snapshot import user_to_json

    states = [
        {
            "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965",
            "assignedByGroup": None,
            "state": "Active",
            "error": "None",
            "disabledPlans": [],
            "lastUpdatedDateTime": "2026-10-20T10:00:00Z",
        }
    ]
    raw = user(
        "a",
        "SPE_E3",
        licenseAssignmentStates=states,
        signInActivity=activity("2026-10-31T03:00:00Z", None, "2026-04-15T08:00:00Z"),
    )
    decoder = UserDecoder(with_sign_in=True)
    first = decoder.user(raw)
    again = decoder.user(orjson.loads(orjson.dumps(user_to_json(first, with_sign_in=True))))
    assert again == first


@pytest.mark.parametrize("locale", ["en", "nl", "da", "sv", "tr"])
def test_the_message_names_the_attempts_after_the_last_success(locale: str) -> None:
    from auditor import i18n, wording
    from auditor.data.model import Locale

    subject = {"type": "user", "id": "id-a", "upn": "a@contoso.example", "display_name": "A"}
    day = {iso: i18n.format_date(iso, Locale(locale)) for iso in ("2026-10-31", "2026-04-15")}  # as written
    for last in ("2026-04-15T08:00:00Z", None):
        text = wording.message(
            InactiveUserLicensed.id,
            finding_of(subject, ["SPE_E3"], {"days": 90, "last_sign_in": last, "last_attempt": "2026-10-31T03:00:00Z"}),
            locale=Locale(locale),
        )
        assert day["2026-10-31"] in text and (last is None or day["2026-04-15"] in text), text


def test_an_inactive_user_holding_only_free_products_is_low_severity(tmp_path: Any) -> None:
    from auditor.data.model import Severity

    policy = POLICY + "catalog:\n  - sku: SPE_F1\n    free: true\n  - sku: SPE_E3\n"
    stale = {"signInActivity": activity("2025-01-01T00:00:00Z")}
    doc = tenant(
        [user("free", "SPE_F1", **stale), user("paid", "SPE_E3", **stale), user("both", "SPE_F1", "SPE_E3", **stale)]
    )
    result = audit(tmp_path, policy, doc)
    severity = {f.subject.upn: f.severity for f in result.findings if f.rule == InactiveUserLicensed.id}
    assert severity == {
        "free@contoso.example": Severity.LOW,
        "paid@contoso.example": Severity.MEDIUM,
        "both@contoso.example": Severity.MEDIUM,
    }
    explicit = audit(
        tmp_path,
        "hygiene:\n  inactive_users: {days: 90, severity: high}\ncatalog:\n  - sku: SPE_F1\n    free: true\n",
        doc,
    )
    assert {f.severity for f in explicit.findings if f.rule == InactiveUserLicensed.id} == {Severity.HIGH}


@pytest.mark.parametrize("success", [None, "absent"])
def test_apply_reads_a_missing_success_time_as_the_audit_does(success: str | None) -> None:
    """lastSuccessfulSignInDateTime null or absent: the other two stand in, for the audit's users and
    for apply's re-read of signInActivity alike (auditor.data.sign_ins.last_success, said once)."""
    from datetime import UTC, datetime

    from auditor.data.sign_ins import last_success

    read: dict[str, str | None] = {
        "lastSignInDateTime": "2026-10-01T00:00:00Z",
        "lastNonInteractiveSignInDateTime": "2026-10-20T00:00:00Z",
    }
    if success is None:
        read["lastSuccessfulSignInDateTime"] = None
    times = (
        read.get("lastSuccessfulSignInDateTime"),
        read["lastSignInDateTime"],
        read["lastNonInteractiveSignInDateTime"],
    )
    assert last_success(*times, require_zone=True) == datetime(2026, 10, 20, tzinfo=UTC)
    assert last_success(NEVER, *times[1:], require_zone=True) is None  # present, it decides: never
