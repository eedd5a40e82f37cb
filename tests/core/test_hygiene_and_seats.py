from datetime import UTC, datetime

from auditor.data.model import Severity
from auditor.rules.assignments import SkuCombinationForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed, InactiveUserLicensed
from auditor.rules.hygiene.assignment_errors import LicenseAssignmentError
from auditor.rules.hygiene.upkeep import UsageLocationMissing
from auditor.rules.seats import SkuNotApproved, SpareSeatsOverLimit, SpareSeatsUnderMinimum
from auditor.rules.waivers.waiver_expired import WaiverExpired

from .factory import E3, E5, audit, fired, sku, tenant, user


def test_disabled_guest_and_usage_location(tmp_path):
    doc = tenant(
        [
            user("off", "SPE_E3", accountEnabled=False),
            user("offnolic", accountEnabled=False),
            user("guest", "SPE_E3", userType="Guest"),
            user("nowhere", "SPE_E3", usageLocation=None),
            user("fine", "SPE_E3"),
        ]
    )
    result = audit(
        tmp_path,
        """
hygiene:
  disabled_users: {}
  guest_users: {severity: low}
  usage_location: {}
catalog:
  - sku: SPE_E3
    price: {monthly: 30, currency: EUR}
  - sku: SPE_E5
  - sku: SPE_F1
""",
        doc,
    )
    assert fired(result) == [
        (DisabledUserLicensed.id, "off@contoso.example", ("SPE_E3",)),
        (GuestLicensed.id, "guest@contoso.example", ("SPE_E3",)),
        (UsageLocationMissing.id, "nowhere@contoso.example", ("SPE_E3",)),
    ]
    disabled = next(f for f in result.findings if f.rule == DisabledUserLicensed.id)
    assert disabled.severity is Severity.HIGH and disabled.monthly_cost == 30.0
    assert next(f for f in result.findings if f.rule == GuestLicensed.id).severity is Severity.LOW
    # a missing usage location blocks license changes; it is no money at stake
    assert next(f for f in result.findings if f.rule == UsageLocationMissing.id).monthly_cost is None


def test_inactive_uses_latest_of_both_sign_ins_and_spares_new_accounts(tmp_path):
    def seen(name, last, non_interactive=None, created="2024-01-01T00:00:00Z", **kw):
        return user(
            name,
            "SPE_E3",
            createdDateTime=created,
            signInActivity=None
            if last is None and non_interactive is None
            else {"lastSignInDateTime": last, "lastNonInteractiveSignInDateTime": non_interactive},
            **kw,
        )

    doc = tenant(
        [
            seen("stale", "2026-05-01T00:00:00Z"),
            seen("background", "2026-01-01T00:00:00Z", "2026-10-20T00:00:00Z"),
            seen("never", None),
            seen("newbie", None, created="2026-10-15T00:00:00Z"),
            seen("recent", "2026-10-01T00:00:00Z"),
            seen("edge", "2026-08-03T00:00:00Z"),  # exactly 90 days before as-of
            seen("disabled", "2025-01-01T00:00:00Z", accountEnabled=False),
        ]
    )
    result = audit(tmp_path, "hygiene:\n  inactive_users: {days: 90}\n", doc)
    assert fired(result) == [
        (InactiveUserLicensed.id, "never@contoso.example", ("SPE_E3",)),
        (InactiveUserLicensed.id, "stale@contoso.example", ("SPE_E3",)),
    ]
    never = next(f for f in result.findings if f.subject.upn == "never@contoso.example")
    assert dict(never.details)["last_sign_in"] is None


def test_inactive_is_not_evaluated_without_sign_in_data(tmp_path):
    doc = tenant(
        [user("stale", "SPE_E3")],
        collectedParts=[],
        gaps=[{"part": "signInActivity", "request": "GET /users?$select=signInActivity", "reason": "403"}],
    )
    result = audit(tmp_path, "hygiene:\n  inactive_users: {days: 30}\n  disabled_users: {}\n", doc)
    assert fired(result) == []
    assert [n.rule for n in result.not_evaluated] == [InactiveUserLicensed.id]
    assert not result.complete


def test_assignment_errors_one_finding_per_failed_sku(tmp_path):
    u = user("err", "SPE_E3", via="g1")
    u["licenseAssignmentStates"] = [
        {"skuId": E3, "assignedByGroup": "g1", "state": "Active", "error": "None"},
        {"skuId": E5, "assignedByGroup": "g1", "state": "Error", "error": "CountViolation"},
    ]
    doc = tenant([u, user("ok", "SPE_E3")], groups=[{"id": "g1", "displayName": "Licensing", "members": ["id-err"]}])
    result = audit(tmp_path, "hygiene:\n  assignment_errors: {}\n", doc)
    assert fired(result) == [(LicenseAssignmentError.id, "err@contoso.example", ("SPE_E5",))]
    f = result.findings[0]
    assert dict(f.details)["error"] == "CountViolation"
    assert "Licensing" in f.message


def test_expiring_subscriptions_including_trials_and_lapsed(tmp_path):
    def sub(i, when, status="Enabled", trial=False):
        return {
            "id": f"sub-{i}",
            "skuId": E3,
            "skuPartNumber": "SPE_E3",
            "status": status,
            "isTrial": trial,
            "totalLicenses": 10,
            "nextLifecycleDateTime": when,
        }

    doc = tenant(
        [],
        subscriptions=[
            sub(1, "2026-11-20T00:00:00Z", trial=True),
            sub(2, "2027-06-01T00:00:00Z"),
            sub(3, "2026-10-01T00:00:00Z", status="Warning"),
            sub(4, None),
            sub(5, "2026-11-05T00:00:00Z", status="Deleted"),
        ],
    )
    result = audit(tmp_path, "hygiene:\n  expiring_subscriptions: {days: 30}\n", doc)
    assert [f.subject.id for f in result.findings] == ["sub-1", "sub-3"]
    trial = dict(result.findings[0].details)
    assert trial["is_trial"] is True and trial["days_left"] == 19


def test_spare_seats_limits(tmp_path):
    doc = tenant(
        [],
        skus=[
            sku("SPE_E3", enabled=200, consumed=180),
            sku("SPE_E5", enabled=10, consumed=9),
            sku("SPE_F1", enabled=5, consumed=7),
        ],
    )
    result = audit(
        tmp_path,
        """
catalog:
  - sku: SPE_E3
    spare_seats: {max: 50, max_percent: 5}
    price: {monthly: 10, currency: EUR}
  - sku: SPE_E5
    spare_seats: {min: 2}
  - sku: SPE_F1
""",
        doc,
    )
    assert fired(result) == [
        (SpareSeatsOverLimit.id, "SPE_E3", ("SPE_E3",)),
        (SpareSeatsUnderMinimum.id, "SPE_E5", ("SPE_E5",)),
        (SpareSeatsUnderMinimum.id, "SPE_F1", ("SPE_F1",)),
    ]
    over = next(f for f in result.findings if f.rule == SpareSeatsOverLimit.id)
    assert dict(over.details)["limit"] == 10  # 5 % of 200 is tighter than 50
    assert over.monthly_cost == 100.0  # (20 unused - 10 allowed) * 10
    row = next(r for r in result.seats if r.sku == "SPE_E3")
    assert (row.unused, row.unused_monthly_cost) == (20, 200.0)


def test_sku_not_approved_only_with_a_catalog(tmp_path):
    doc = tenant([], skus=[sku("SPE_E3"), sku("SPE_E5")])
    assert fired(audit(tmp_path, "catalog:\n  - sku: SPE_E3\n", doc)) == [(SkuNotApproved.id, "SPE_E5", ("SPE_E5",))]
    assert fired(audit(tmp_path, "hygiene:\n  disabled_users: {}\n", doc)) == []


def test_waivers_valid_expired_and_scoped(tmp_path):
    doc = tenant([user("ceo", "SPE_E3", "SPE_E5"), user("cfo", "SPE_E3", "SPE_E5")])
    policy = """
assignments:
  - name: everyone
    match: {all: true}
    exclusive: [[SPE_E3, SPE_E5]]
waivers:
  - rule: sku-combination-forbidden
    subject: CEO@contoso.example
    reason: Board-approved exception
    owner: cio@contoso.example
    expires: 2027-06-30
  - rule: sku-combination-forbidden
    subject: cfo@contoso.example
    reason: Temporary
    owner: cio@contoso.example
    expires: 2026-10-01
"""
    result = audit(tmp_path, policy, doc)
    waived = [f for f in result.findings if f.waived]
    assert [f.subject.upn for f in waived] == ["ceo@contoso.example"]
    assert waived[0].waiver and waived[0].waiver["owner"] == "cio@contoso.example"
    assert fired(result) == [
        (SkuCombinationForbidden.id, "cfo@contoso.example", ("SPE_E3", "SPE_E5")),
        (WaiverExpired.id, "sku-combination-forbidden:cfo@contoso.example", ()),
    ]
    later = audit(tmp_path, policy, doc, as_of=datetime(2027, 7, 1, tzinfo=UTC))
    assert not any(f.waived for f in later.findings)


def test_finding_ids_are_stable_and_distinct(tmp_path):
    doc = tenant([user("a", "SPE_E5"), user("b", "SPE_E5")])
    policy = "assignments:\n  - name: all\n    match: {all: true}\n    forbidden: [SPE_E5]\n"
    first = [f.id for f in audit(tmp_path, policy, doc).findings]
    again = [f.id for f in audit(tmp_path, policy, doc, as_of=datetime(2027, 1, 1, tzinfo=UTC)).findings]
    assert first == again and len(set(first)) == 2


def test_percentage_cap_never_goes_below_the_minimum(tmp_path):
    doc = tenant([], skus=[sku("SPE_E3", enabled=10, consumed=8)])
    result = audit(tmp_path, "catalog:\n  - sku: SPE_E3\n    spare_seats: {max: 10, max_percent: 5, min: 2}\n", doc)
    assert fired(result) == []  # 2 spare: 5 % of 10 rounds to 0, but the minimum asks for 2


def test_waiver_sku_may_be_a_guid(tmp_path):
    doc = tenant([user("a", "SPE_E5")])
    result = audit(
        tmp_path,
        """
assignments:
  - name: all
    match: {all: true}
    forbidden: [SPE_E5]
waivers:
  - {rule: sku-forbidden, subject: a@contoso.example, sku: 06ebc4ee-1bb5-47dd-8120-11324bc54e06,
     reason: r, owner: o, expires: 2030-01-01}
""",
        doc,
    )
    assert [f.waived for f in result.findings] == [True]
