"""product-unused and rightsize on hand-made tenants with usage reports: who fires, who is
spared (grace, activity, absent from the reports), what the fix is and what it saves; the policy
section's validation; snapshots without (the right) usage reports are not judged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor import wording
from auditor.common.errors import PolicyError, SnapshotError
from auditor.data.model import Cloud, Locale
from auditor.data.usage_data import ACTIVE_USERS, COPILOT, MAILBOXES, USAGE_REPORTS
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.accounts import SharedMailboxLicensed
from auditor.rules.usage.activity import ProductUnused, Rightsize
from auditor.snapshot import MAILBOX_SETTINGS, load_snapshot, save_snapshot, snapshot_from_json

from .factory import E3, E5, audit, fired, policy_file, tenant, user

PRICES = """catalog:
  - sku: SPE_E3
    price: {monthly: 33.75, currency: EUR}
  - sku: SPE_E5
    price: {monthly: 54.75, currency: EUR}
  - sku: SPE_F1
"""
UNUSED = (
    PRICES
    + """usage:
  - sku: SPE_E5
    workloads: [teams, exchange]
    days: 30
"""
)
RIGHTSIZE = (
    PRICES
    + """usage:
  - rightsize: {from: SPE_E5, to: SPE_E3}
    unless_active: [teams, power_bi]
    days: 90
"""
)


def row(name: str, reports: tuple[str, ...] = (ACTIVE_USERS.name,), **dates: Any) -> dict[str, Any]:
    return {"userPrincipalName": f"{name}@contoso.example", "reports": list(reports), **dates}


def usage(rows: list[dict[str, Any]], reports: tuple[str, ...] = (ACTIVE_USERS.name,)) -> dict[str, Any]:
    return {
        "reports": [
            {"name": r, "period": "D90", "reportRefreshDate": "2026-10-30", "request": f"GET /{r}"} for r in reports
        ],
        "users": rows,
    }


def render(finding: Any) -> dict[str, Any]:
    """The finding's English message and remediation, as the reports render them."""
    found = finding_of(finding.subject, finding.skus, finding.details)
    return {
        "message": wording.message(finding.rule, found, locale=Locale.EN),
        "remediation": wording.remediation(finding.rule, found, cloud=Cloud.WORLDWIDE, locale=Locale.EN),
    }


def collected(users: list[dict[str, Any]], rows: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return tenant(users, collectedParts=["signInActivity", USAGE_REPORTS], usageReports=usage(rows, **kw))


def licensed_on(days_ago: str) -> dict[str, Any]:
    """licenseAssignmentStates with a lastUpdatedDateTime (the product given then)."""
    return {
        "licenseAssignmentStates": [
            {"skuId": E5, "assignedByGroup": None, "state": "Active", "error": "None", "lastUpdatedDateTime": days_ago}
        ]
    }


def test_product_unused_fires_for_holders_without_recent_activity(tmp_path: Any) -> None:
    users = [
        user("idle", "SPE_E5"),
        user("never", "SPE_E5"),
        user("busy", "SPE_E5"),
        user("mail", "SPE_E5"),
        user("absent", "SPE_E5"),
        user("newhire", "SPE_E5", createdDateTime="2026-10-20T00:00:00Z"),
        user("newlicense", "SPE_E5", **licensed_on("2026-10-15T08:00:00Z")),
        user("oldlicense", "SPE_E5", **licensed_on("2025-01-15T08:00:00Z")),
        user("e3only", "SPE_E3"),
    ]
    rows = [
        row("idle", teamsLastActivityDate="2026-09-01", exchangeLastActivityDate="2026-09-20"),
        row("never"),
        row("busy", teamsLastActivityDate="2026-10-29"),
        row("mail", exchangeLastActivityDate="2026-10-02"),  # 30 days before 2026-11-01: within the window
        row("newhire"),
        row("newlicense"),
        row("oldlicense"),
        row("e3only"),
    ]
    result = audit(tmp_path, UNUSED, collected(users, rows))
    assert result.complete
    assert [u for _, u, _ in fired(result, ProductUnused.id)] == [
        "idle@contoso.example",
        "never@contoso.example",
        "oldlicense@contoso.example",
    ]
    idle = next(f for f in result.findings if f.subject.upn == "idle@contoso.example")
    details = dict(idle.details)
    assert details["last_activity"] == "2026-09-20" and details["days"] == 30
    assert details["workloads"] == ["teams", "exchange"] and details["report_date"] == "2026-10-30"
    assert idle.monthly_cost == 54.75 and idle.severity.label == "medium"
    never = next(f for f in result.findings if f.subject.upn == "never@contoso.example")
    assert dict(never.details)["last_activity"] is None


def test_product_unused_fix_removes_the_product_and_counts_as_reclaimable(tmp_path: Any) -> None:
    result = audit(tmp_path, UNUSED, collected([user("idle", "SPE_E5", "SPE_E3")], [row("idle")]))
    finding = next(f for f in result.findings if f.rule == ProductUnused.id)
    rendered = render(finding)
    action = rendered["remediation"]["actions"][0]
    assert action["kind"] == "assign_license" and action["body"] == {"addLicenses": [], "removeLicenses": [E5]}
    assert "the usage reports show no use of it in the last 30 days" in " ".join(rendered["remediation"]["steps"])
    assert ProductUnused.reclaimable and not Rightsize.reclaimable


def test_rightsize_replaces_in_one_call_and_saves_the_difference(tmp_path: Any) -> None:
    users = [user("big", "SPE_E5"), user("both", "SPE_E5", "SPE_E3"), user("teamsuser", "SPE_E5")]
    rows = [
        row("big", teamsLastActivityDate="2026-05-01"),
        row("both"),
        row("teamsuser", teamsLastActivityDate="2026-10-20"),
    ]
    result = audit(tmp_path, RIGHTSIZE, collected(users, rows))
    assert [u for _, u, _ in fired(result, Rightsize.id)] == ["big@contoso.example", "both@contoso.example"]
    big = next(f for f in result.findings if f.subject.upn == "big@contoso.example")
    assert big.monthly_cost == 21.0 and big.severity.label == "low"  # 54.75 - 33.75
    details = dict(big.details)
    assert details["unmeasured"] == ["power_bi"] and details["workloads"] == ["teams"]
    assert details["replace_with"] == "SPE_E3" and details["replace_with_id"] == E3
    rendered = render(big)
    [action] = rendered["remediation"]["actions"]
    assert action["body"] == {"addLicenses": [{"disabledPlans": [], "skuId": E3}], "removeLicenses": [E5]}
    # Power BI has no usage report: a person checks it first, so the change is not ready to run
    assert not action["ready"] and action["blocked"] == "usage_unknown"
    assert "Power BI" in rendered["message"]
    both = next(f for f in result.findings if f.subject.upn == "both@contoso.example")
    assert both.monthly_cost == 54.75 and "replace_with" not in dict(both.details)  # already holds E3: E5 goes


def test_rightsize_reads_the_licensing_groups_once_per_check(tmp_path: Any, monkeypatch: Any) -> None:
    """The catalog's licensing groups are read once per rightsize entry, not once per user it finds: the
    read walks every group of the tenant, so per user it made a 100,000-user audit quadratic."""
    from auditor.rules.assignments import licensing

    calls: list[int] = []
    real = licensing.licensing_groups
    monkeypatch.setattr(licensing, "licensing_groups", lambda *a: calls.append(1) or real(*a))

    def reads(idle: int) -> int:
        calls.clear()
        users = [user(f"idle{i}", "SPE_E5") for i in range(idle)]
        result = audit(tmp_path, RIGHTSIZE, collected(users, [row(f"idle{i}") for i in range(idle)]))
        assert len(fired(result, Rightsize.id)) == idle
        return len(calls)

    assert reads(5) == reads(1)  # as many reads for five findings as for one


def test_rightsize_without_any_measured_workload_only_notes_that_it_could_not_tell(tmp_path: Any) -> None:
    """Teams Phone, Power BI and Defender have no per-user usage report: nothing says the user does
    without them. No claim of non-use, no saving, no more than low severity (even when the policy
    asks for more), and the change waits for a person."""
    policy = (
        PRICES
        + """usage:
  - rightsize: {from: SPE_E5, to: SPE_E3}
    unless_active: [teams_phone, power_bi, defender]
    days: 90
    severity: high
"""
    )
    result = audit(tmp_path, policy, collected([user("big", "SPE_E5"), user("absent", "SPE_E5")], [row("big")]))
    found = [f for f in result.findings if f.rule == Rightsize.id]
    assert sorted(f.subject.upn or "" for f in found) == ["absent@contoso.example", "big@contoso.example"]
    for finding in found:
        details = dict(finding.details)
        assert details["workloads"] == [] and details["unmeasured"] == ["teams_phone", "power_bi", "defender"]
        assert finding.monthly_cost is None and finding.severity.label == "low"
        assert "used nothing" not in finding.message and "could not tell" in finding.message
        rendered = render(finding)
        assert "may do" in rendered["message"] and "would do" not in rendered["message"]
        assert all(not a["ready"] and a["blocked"] == "usage_unknown" for a in rendered["remediation"]["actions"])


def test_rightsize_with_only_measured_workloads_is_ready(tmp_path: Any) -> None:
    policy = RIGHTSIZE.replace("[teams, power_bi]", "[teams, office_apps]")
    rows = [row("big", reports=(ACTIVE_USERS.name, "getM365AppUserDetail"), teamsLastActivityDate="2026-01-01")]
    result = audit(
        tmp_path, policy, collected([user("big", "SPE_E5")], rows, reports=(ACTIVE_USERS.name, "getM365AppUserDetail"))
    )
    [finding] = [f for f in result.findings if f.rule == Rightsize.id]
    rendered = render(finding)
    assert [a["ready"] for a in rendered["remediation"]["actions"]] == [True]
    assert "so SPE_E3 would do" in rendered["message"]


def test_old_snapshots_and_missing_reports_are_not_evaluated(tmp_path: Any) -> None:
    old = tenant([user("idle", "SPE_E5")])
    result = audit(tmp_path, UNUSED, old)
    assert [(n.rule, n.reason) for n in result.not_evaluated] == [
        (ProductUnused.id, f"tenant data not collected: {USAGE_REPORTS}")
    ]
    # read with a policy that needed only the Copilot report: the active users report is missing
    doc = collected([user("idle", "SPE_E5")], [row("idle", reports=(COPILOT.name,))], reports=(COPILOT.name,))
    result = audit(tmp_path, UNUSED, doc)
    assert [n.reason for n in result.not_evaluated] == [
        f"tenant data not collected: {USAGE_REPORTS} (getOffice365ActiveUserDetail)"
    ]
    assert not fired(result, ProductUnused.id)


def test_a_usage_gap_makes_the_rules_not_evaluated(tmp_path: Any) -> None:
    doc = tenant(
        [user("idle", "SPE_E5")],
        gaps=[
            {
                "part": USAGE_REPORTS,
                "request": "GET /admin/reportSettings",
                "reason": "usage reports conceal user names",
            }
        ],
    )
    result = audit(tmp_path, UNUSED + RIGHTSIZE.split("usage:\n")[1], doc)
    assert {n.rule for n in result.not_evaluated} == {ProductUnused.id, Rightsize.id}
    assert not result.findings or all(f.rule not in (ProductUnused.id, Rightsize.id) for f in result.findings)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  - sku: SPE_E5\n    workloads: [teems]\n    days: 30\n", "'teems' is not one of"),
        ("  - sku: SPE_E5\n    workloads: [power_bi]\n    days: 30\n", "'power_bi' is not one of"),
        ("  - sku: SPE_E5\n    workloads: [teams]\n    days: 365\n", "365 is greater than the maximum of 180"),
        ("  - sku: SPE_E5\n    workloads: [teams]\n", "missing required key 'days'"),
        (
            "  - rightsize: {from: SPE_E5, to: spe_e5}\n    unless_active: [teams]\n    days: 30\n",
            "from and to are the same product",
        ),
        ("  - rightsize: {from: SPE_E5}\n    unless_active: [teams]\n    days: 30\n", "missing required key 'to'"),
        (
            "  - rightsize: {from: SPE_E5, to: SPE_E3}\n    workloads: [teams]\n    days: 30\n",
            "unknown key 'workloads'",
        ),
    ],
)
def test_the_usage_section_is_validated(tmp_path: Any, body: str, message: str) -> None:
    from auditor.policyset.load import load_policies

    with pytest.raises(PolicyError) as caught:
        load_policies([policy_file(tmp_path, "usage:\n" + body)])
    text = str(caught.value)
    assert message in text, text
    assert "p.yaml:" in text  # located at file:line


def test_shared_mailbox_rule_reads_the_mailbox_report(tmp_path: Any) -> None:
    def shared(name: str) -> dict[str, Any]:
        return user(name, "SPE_E3", accountEnabled=False, mailboxSettings={"userPurpose": "shared"})

    users = [shared("small"), shared("large"), shared("archived"), shared("unlisted")]
    rows = [
        row("small", reports=(MAILBOXES.name,), storageUsedInBytes=2 * 1024**3, hasArchive=False),
        row("large", reports=(MAILBOXES.name,), storageUsedInBytes=51 * 1024**3, hasArchive=False),
        row("archived", reports=(MAILBOXES.name,), storageUsedInBytes=1024, hasArchive=True),
    ]
    doc = tenant(
        users,
        collectedParts=["signInActivity", MAILBOX_SETTINGS, USAGE_REPORTS],
        usageReports=usage(rows, reports=(MAILBOXES.name,)),
    )
    result = audit(tmp_path, "hygiene:\n  shared_mailboxes: {}\n", doc)
    assert [u for _, u, _ in fired(result, SharedMailboxLicensed.id)] == [
        "archived@contoso.example",
        "large@contoso.example",
        "small@contoso.example",
        "unlisted@contoso.example",
    ]
    small = next(f for f in result.findings if f.subject.upn == "small@contoso.example")
    assert dict(small.details)["storage_used_bytes"] == 2 * 1024**3 and dict(small.details)["has_archive"] is False
    # a mailbox over 50 GB or with an archive needs its license: the finding says it keeps it
    # (tests/core/test_storage_fit.py)
    keeps = {f.subject.upn: dict(f.details).get("keeps_license") for f in result.findings}
    assert keeps == {
        "archived@contoso.example": "archive",
        "large@contoso.example": "over_50_gb",
        "small@contoso.example": None,
        "unlisted@contoso.example": None,
    }


def test_usage_survives_a_snapshot_round_trip_and_bad_sections_are_named(tmp_path: Any) -> None:
    rows = [row("idle", teamsLastActivityDate="2026-09-01", storageUsedInBytes=5, hasArchive=True)]
    snap = snapshot_from_json(collected([user("idle", "SPE_E5")], rows))
    path = tmp_path / "snap.json"
    save_snapshot(snap, path)
    again = load_snapshot(path)
    assert again.usage_reports == snap.usage_reports and again.usage_reports is not None
    assert again.usage_reports.by_upn["idle@contoso.example"].teamsLastActivityDate == "2026-09-01"
    doc = json.loads(path.read_text())
    doc[USAGE_REPORTS]["users"][0]["teamsLastActivityDate"] = "yesterday"
    path.write_text(json.dumps(doc))
    with pytest.raises(SnapshotError, match=r"usageReports\.users\[0\]\.teamsLastActivityDate: 'yesterday'"):
        load_snapshot(path)
    doc[USAGE_REPORTS]["users"][0]["teamsLastActivityDate"] = None
    doc[USAGE_REPORTS]["reports"][0]["name"] = "getSomethingElse"
    path.write_text(json.dumps(doc))
    with pytest.raises(SnapshotError, match=r"usageReports\.reports\[0\]"):
        load_snapshot(path)


def test_a_workload_whose_report_does_not_list_the_user_is_no_evidence_of_non_use(tmp_path: Any) -> None:
    policy = UNUSED.replace("[teams, exchange]", "[teams, copilot]")
    reports = (ACTIVE_USERS.name, COPILOT.name)
    users = [user("listed", "SPE_E5"), user("unlisted", "SPE_E5")]
    rows = [row("listed", reports=reports), row("unlisted")]  # the Copilot report does not list "unlisted"
    result = audit(tmp_path, policy, collected(users, rows, reports=reports))
    assert [u for _, u, _ in fired(result, ProductUnused.id)] == ["listed@contoso.example"]


def test_the_copilot_workload_is_use_in_any_column_of_the_copilot_report(tmp_path: Any) -> None:
    """`copilot` is read as copilot-seat-idle reads a seat (auditor.data.copilot_use): a user of
    Copilot Chat on the web and in Edge only uses the product, whatever the report's own Last Activity Date."""
    policy = UNUSED.replace("[teams, exchange]", "[copilot]")
    reports = (COPILOT.name,)
    web = {"Copilot Chat (web) Last Activity Date": "2026-10-28", "Edge Last Activity Date": "2026-10-28"}
    users = [user("web", "SPE_E5"), user("idle", "SPE_E5")]
    rows = [
        row("web", reports=reports, copilotLastActivityDate="2026-07-01", copilotActivity=web),
        row("idle", reports=reports, copilotLastActivityDate="2026-07-01"),
    ]
    result = audit(tmp_path, policy, collected(users, rows, reports=reports))
    assert [u for _, u, _ in fired(result, ProductUnused.id)] == ["idle@contoso.example"]


def test_a_usage_date_that_is_no_calendar_date_is_refused_by_name() -> None:
    """2026-13-45 has the shape YYYY-MM-DD but is no date: the snapshot section is refused, the
    rules never see it."""
    import pytest

    from auditor.data.usage_data import BadUsage, usage_from_json

    row = {"userPrincipalName": "a@contoso.example", "exchangeLastActivityDate": "2026-13-45"}
    raw = {"reports": [], "users": [row]}
    with pytest.raises(BadUsage, match=r"users\[0\]\.exchangeLastActivityDate: '2026-13-45' is not YYYY-MM-DD"):
        usage_from_json(raw)


def test_a_license_change_in_the_window_spares_only_accounts_not_dormant_before_it(tmp_path: Any) -> None:
    """A group license edit stamps every member's lastUpdatedDateTime: that must not hide the
    unused products of an account dormant since before it (product-unused and rightsize alike).
    Only an account that never signed in, or signed in after the change, gets the grace."""
    stamped = licensed_on("2026-10-15T08:00:00Z")
    dormant = {"signInActivity": {"lastSuccessfulSignInDateTime": "2026-05-01T00:00:00Z"}}
    never = {"signInActivity": {"lastSuccessfulSignInDateTime": None, "lastSignInDateTime": None}}
    users = [
        user("dormant", "SPE_E5", **stamped, **dormant),
        user("never", "SPE_E5", **stamped, **never),
        user("since", "SPE_E5", **stamped),
    ]  # signed in 2026-10-30, after the change
    rows = [row("dormant"), row("never"), row("since")]
    for policy, rule in ((UNUSED, ProductUnused.id), (RIGHTSIZE, Rightsize.id)):
        result = audit(tmp_path, policy, collected(users, rows))
        assert [u for _, u, _ in fired(result, rule)] == ["dormant@contoso.example"], rule


def test_the_usage_rules_judge_people_not_agents_nor_resource_accounts(tmp_path: Any) -> None:
    """An agent user and a Teams resource account idle in the usage report keep their products: a
    usage report measures a person's use (docs/account-kinds.md)."""
    users = [
        user("idle", "SPE_E5"),
        user("agent", "SPE_E5"),
        # a call queue's: disabled, never signed in, no mailbox (Graph's 404)
        user(
            "queue",
            "SPE_E5",
            department="Microsoft Communication Application Instance",
            accountEnabled=False,
            signInActivity=None,
            mailboxSettings=None,
        ),
    ]
    rows = [row(name, teamsLastActivityDate="2026-09-01") for name in ("idle", "agent", "queue")]
    doc = tenant(
        users,
        collectedParts=["signInActivity", USAGE_REPORTS, "agentUsers"],
        usageReports=usage(rows),
        agentUsers=[{"id": "id-agent", "identityParentId": "5a000000-0000-4000-8000-00000000000a"}],
        agentIdentities=[{"id": "5a000000-0000-4000-8000-00000000000a", "displayName": "A", "accountEnabled": True}],
    )
    result = audit(tmp_path, UNUSED, doc)
    assert [u for _, u, _ in fired(result, ProductUnused.id)] == ["idle@contoso.example"]
