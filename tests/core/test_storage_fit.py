"""A change that keeps the mailbox or OneDrive under a smaller plan rests on the tenant's own
evidence (the mailbox and OneDrive usage reports): Microsoft 365 E3 -> F3 keeps the mailbox under
Exchange Online Kiosk (2 GB, no archive) and OneDrive under SharePoint Kiosk (2 GB). It is ready
only when the data fits; else it waits, and the step names both sizes, in every language. A
shared mailbox over 50 GB, or with an archive, keeps its license."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Finding, Locale
from auditor.data.usage_data import CONCEALED_REASON, MAILBOXES, ONEDRIVE, USAGE_REPORTS
from auditor.formats.report_model import ReportFinding, finding_of
from auditor.i18n import translations
from auditor.plan.compile import compile_plan
from auditor.plan.reasons import skip_reason
from auditor.rules.assignments import SkuNotAllowed
from auditor.rules.hygiene.accounts import SharedMailboxLicensed
from auditor.rules.usage.activity import Rightsize
from auditor.snapshot import MAILBOX_SETTINGS
from tests.documents import empty_summary, report_document

from .factory import E3, E5, F1, audit, rem, tenant, user

GIB = 1024**3
FRONTLINE = (
    "assignments:\n  - name: frontline\n    match: {all: true}\n    allowed: [SPE_F1]\n    required_any: [SPE_F1]\n"
)
STORAGE = (MAILBOXES.name, ONEDRIVE.name)


def row(name: str, mailbox: float | None, archive: bool = False, onedrive: float | None = 0.4) -> dict[str, Any]:
    out: dict[str, Any] = {"userPrincipalName": f"{name}@contoso.example", "reports": []}
    if mailbox is not None:
        out |= {"storageUsedInBytes": round(mailbox * GIB), "hasArchive": archive, "itemCount": 10}
        out["reports"].append(MAILBOXES.name)
    if onedrive is not None:
        out |= {"oneDriveStorageUsedInBytes": round(onedrive * GIB)}
        out["reports"].append(ONEDRIVE.name)
    return out


def with_storage(users: list[dict[str, Any]], rows: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    usage = {
        "reports": [
            {"name": r, "period": "D7", "reportRefreshDate": "2026-10-30", "request": f"GET /{r}"} for r in STORAGE
        ],
        "users": rows,
    }
    return tenant(users, collectedParts=["signInActivity", USAGE_REPORTS, MAILBOX_SETTINGS], usageReports=usage, **kw)


def found(tmp_path: Any, policy: str, doc: dict[str, Any], rule: str) -> dict[str, Finding]:
    result = audit(tmp_path, policy, doc)
    return {f.subject.upn or "": f for f in result.findings if f.rule == rule}


def test_a_mailbox_that_fits_the_smaller_plan_is_ready_and_one_too_large_waits_naming_both_sizes(tmp_path: Any) -> None:
    users = [user("small", "SPE_E3"), user("large", "SPE_E3")]
    doc = with_storage(users, [row("small", 1.1), row("large", 8.4)])
    by = found(tmp_path, FRONTLINE, doc, SkuNotAllowed.id)
    small, large = by["small@contoso.example"], by["large@contoso.example"]

    assert dict(small.details)["storage"]["wait"] is None
    assert "data_lost" not in dict(small.details)  # no archive: Kiosk's lack of one ends nothing
    (call,) = rem(small)["actions"]
    assert call["ready"] and call["body"] == {
        "addLicenses": [{"skuId": F1, "disabledPlans": []}],
        "removeLicenses": [E3],
    }
    steps = " ".join(rem(small)["steps"])
    assert "holds 1.1 GB" in steps and "up to 2 GB" in steps

    storage = dict(large.details)["storage"]
    assert storage["wait"] == "mailbox_too_large" and storage["mailbox_bytes"] == round(8.4 * GIB)
    assert storage["mailbox_limit_bytes"] == 2 * GIB and storage["mailbox_plan"] == "Exchange Online Kiosk"
    (call,) = rem(large)["actions"]
    assert not call["ready"] and call["blocked"] == "mailbox_too_large"
    sizes = {
        Locale.EN: ("8.4 GB", "2 GB"),
        Locale.NL: ("8,4 GB", "2 GB"),
        Locale.DA: ("8,4 GB", "2 GB"),
        Locale.SV: ("8,4 GB", "2 GB"),
        Locale.TR: ("8,4 GB", "2 GB"),
    }
    for locale, (size, limit) in sizes.items():
        text = " ".join(rem(large, locale)["steps"])
        assert size in text and limit in text and "Exchange Online Kiosk" in text, (locale, text)


def test_an_archive_blocks_a_move_to_a_plan_without_one(tmp_path: Any) -> None:
    doc = with_storage([user("kept", "SPE_E3")], [row("kept", 0.5, archive=True)])
    f = found(tmp_path, FRONTLINE, doc, SkuNotAllowed.id)["kept@contoso.example"]
    assert dict(f.details)["storage"]["wait"] == "archive"
    (call,) = rem(f)["actions"]
    assert call["blocked"] == "archive"
    assert "has an archive" in " ".join(rem(f)["steps"])


def test_onedrive_over_the_smaller_plan_waits(tmp_path: Any) -> None:
    doc = with_storage([user("files", "SPE_E3")], [row("files", 0.5, onedrive=3.5)])
    f = found(tmp_path, FRONTLINE, doc, SkuNotAllowed.id)["files@contoso.example"]
    assert rem(f)["actions"][0]["blocked"] == "onedrive_too_large"
    text = " ".join(rem(f)["steps"])
    assert "3.5 GB" in text and "2 GB" in text


@pytest.mark.parametrize("case", ["unlisted", "concealed", "not_collected"])
def test_an_unknown_size_makes_the_change_wait_with_the_named_reason(tmp_path: Any, case: str) -> None:
    users = [user("who", "SPE_E3")]
    if case == "unlisted":
        doc = with_storage(users, [])
        reason = "the usage reports do not list this user"
    elif case == "concealed":
        request = "GET /reports/getMailboxUsageDetail(period='D7')"
        doc = tenant(
            users,
            collectedParts=["signInActivity"],
            gaps=[{"part": USAGE_REPORTS, "request": request, "status": 200, "reason": CONCEALED_REASON}],
        )
        reason = f"{request}: {CONCEALED_REASON}"
    else:
        doc = tenant(users)
        reason = f"tenant data not collected: {USAGE_REPORTS} ({', '.join(STORAGE)})"
    result = audit(tmp_path, FRONTLINE, doc)
    [f] = [f for f in result.findings if f.rule == SkuNotAllowed.id]
    storage = dict(f.details)["storage"]
    assert storage["wait"] == "storage_unknown" and storage["unknown"] == reason
    assert rem(f)["actions"][0]["blocked"] == "storage_unknown"
    assert reason in " ".join(rem(f)["steps"])


def test_a_move_that_keeps_every_limit_needs_no_evidence(tmp_path: Any) -> None:
    """E5 -> E3 keeps Exchange Online (Plan 2) and OneDrive as they are: nothing to weigh."""
    policy = "usage:\n  - rightsize: {from: SPE_E5, to: SPE_E3}\n    unless_active: [teams]\n    days: 30\n"
    rows = [{"userPrincipalName": "big@contoso.example", "reports": ["getOffice365ActiveUserDetail"]}]
    usage = {
        "reports": [
            {
                "name": "getOffice365ActiveUserDetail",
                "period": "D30",
                "reportRefreshDate": "2026-10-30",
                "request": "GET /x",
            }
        ],
        "users": rows,
    }
    doc = tenant([user("big", "SPE_E5")], collectedParts=["signInActivity", USAGE_REPORTS], usageReports=usage)
    f = found(tmp_path, policy, doc, Rightsize.id)["big@contoso.example"]
    assert "storage" not in dict(f.details)
    assert rem(f)["actions"][0]["ready"] and rem(f)["actions"][0]["body"]["removeLicenses"] == [E5]


def test_the_plan_says_both_sizes_in_the_readers_words(tmp_path: Any) -> None:
    small_id, large_id = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    users = [user("small", "SPE_E3", id=small_id), user("large", "SPE_E3", id=large_id)]
    result = audit(tmp_path, FRONTLINE, with_storage(users, [row("small", 1.1), row("large", 8.4)]))
    findings = []
    for f in result.findings:
        r = rem(f)
        findings.append(
            ReportFinding(
                id=f.id,
                rule=f.rule,
                severity="medium",
                policy=None,
                subject=f.subject,
                skus=[],
                message="",
                details=dict(f.details),
                monthly_cost=None,
                waived=False,
                waiver=None,
                remediation={"actions": r["actions"]},
            )
        )
    skus = [
        {"sku": part, "sku_id": sid, "enabled": 10, "warning": 0, "consumed": 2}
        for part, sid in (("SPE_E3", E3), ("SPE_F1", F1))
    ]
    # no currency: the seat rows name none, and the summary none either
    summary = empty_summary(None, total=len(findings), unwaived=len(findings))
    plan = compile_plan(report_document(findings=findings, skus=skus, summary=summary, as_of="2026-11-01T00:00:00Z"))
    # the 1.1 GB mailbox moves to F3 in one call (sku-required-missing's F3 is the same change)
    assert {c.user for c in plan.changes} == {small_id}, plan.skipped
    [waits] = [s for s in plan.skipped if s.subject == "Large" and s.rule == SkuNotAllowed.id]
    assert waits.reason == "mailbox_too_large" and waits.storage is not None
    # no half replacement: sku-required-missing's F3 for the same user waits with the replacement
    [adds] = [s for s in plan.skipped if s.subject == "Large" and s.rule != SkuNotAllowed.id]
    assert adds.reason == "replacement_waits" and adds.others == (waits.finding,)
    for locale, words in (
        (Locale.EN, "the mailbox holds 8.4 GB, and Exchange Online Kiosk holds only 2 GB"),
        (Locale.NL, "8,4 GB"),
        (Locale.TR, "8,4 GB"),
    ):
        text = skip_reason(translations(locale), waits)
        assert words in text and "2 GB" in text and "mailbox_too_large" not in text, text


def test_a_shared_mailbox_over_50_gb_or_with_an_archive_keeps_its_license(tmp_path: Any) -> None:
    def shared(name: str) -> dict[str, Any]:
        return user(name, "SPE_E3", accountEnabled=False, mailboxSettings={"userPurpose": "shared"})

    users = [shared("small"), shared("large"), shared("archived")]
    rows = [row("small", 3.0), row("large", 62.0), row("archived", 1.0, archive=True)]
    policy = "catalog:\n  - sku: SPE_E3\n    price: {monthly: 33.75, currency: EUR}\nhygiene:\n  shared_mailboxes: {}\n"
    by = found(tmp_path, policy, with_storage(users, rows), SharedMailboxLicensed.id)
    assert set(by) == {"small@contoso.example", "large@contoso.example", "archived@contoso.example"}
    assert by["small@contoso.example"].monthly_cost == 33.75
    assert "keeps_license" not in dict(by["small@contoso.example"].details)
    for name, why, words in (("large", "over_50_gb", "62 GB"), ("archived", "archive", "archive")):
        f = by[f"{name}@contoso.example"]
        assert dict(f.details)["keeps_license"] == why and f.monthly_cost is None  # nothing to reclaim
        r = rem(f)
        assert r["actions"] == []  # no removal
        message = wording.message(f.rule, finding_of(f.subject, list(f.skus), dict(f.details)), locale=Locale.EN)
        assert words in message and "keeps" in message, message
    assert E5  # the factory's other products stay out of these tenants


@pytest.mark.parametrize(
    "policy",
    [
        FRONTLINE,  # sku-not-allowed: E3 is not allowed beside F1
        "assignments:\n  - name: f\n    match: {all: true}\n    forbidden: [SPE_E3]\n",  # sku-forbidden
    ],
    ids=["not-allowed", "forbidden"],
)
def test_every_removal_that_keeps_a_smaller_mailbox_rests_on_its_size(tmp_path: Any, policy: str) -> None:
    _frontline_pair(tmp_path, policy)


def _frontline_pair(tmp_path: Any, policy: str) -> Any:
    """A frontline user holds F1 from a group and E3 directly: removing E3 (no replacement) keeps the
    mailbox under Exchange Online Kiosk. With 1.1 GB (no archive) it is ready; with 8.4 GB it waits,
    naming both sizes; whichever rule asks for the removal."""
    from auditor.report.document import build_document
    from tests.core.factory import AS_OF

    small, large, front = (
        "0b000000-0000-4000-8000-000000000001",
        "0b000000-0000-4000-8000-000000000002",
        "0b000000-0000-4000-8000-0000000000f3",
    )
    users = [user("small", "SPE_E3", "SPE_F1", id=small), user("large", "SPE_E3", "SPE_F1", id=large)]
    for u in users:
        u["licenseAssignmentStates"][1]["assignedByGroup"] = front
    group = {
        "id": front,
        "displayName": "Frontline",
        "members": [small, large],
        "assignedLicenses": [{"skuId": F1, "disabledPlans": []}],
    }
    doc = with_storage(users, [row("small", 1.1), row("large", 8.4)], groups=[group])
    result = audit(tmp_path, policy, doc)
    document = build_document(result, generated_at=AS_OF, remediate=wording.remediation)
    plan = compile_plan(document)
    removed = {c.user: c.body for c in plan.changes if c.kind == "assign_license"}
    assert removed == {small: {"addLicenses": [], "removeLicenses": [E3]}}, plan.skipped
    [waits] = [s for s in plan.skipped if s.subject == "Large"]
    assert waits.reason == "mailbox_too_large" and waits.storage is not None
    text = skip_reason(translations(Locale.EN), waits)
    assert "8.4 GB" in text and "2 GB" in text and "Exchange Online Kiosk" in text
    return result


def test_a_combinations_removal_that_keeps_a_smaller_mailbox_rests_on_its_size(tmp_path: Any) -> None:
    """E3 and F1 must not be combined: the way that removes E3 and keeps F1 (from its group) keeps
    the mailbox under Exchange Online Kiosk, so it is ready only when the mailbox fits."""
    from auditor.rules.assignments import SkuCombinationForbidden

    small, large = "0b000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-000000000002"
    users = [user("small", "SPE_E3", "SPE_F1", id=small), user("large", "SPE_E3", "SPE_F1", id=large)]
    for u in users:
        u["licenseAssignmentStates"][1]["assignedByGroup"] = "0b000000-0000-4000-8000-0000000000f3"
    doc = with_storage(users, [row("small", 1.1), row("large", 8.4)])
    by = found(
        tmp_path,
        "assignments:\n  - name: f\n    match: {all: true}\n    exclusive: [[SPE_E3, SPE_F1]]\n",
        doc,
        SkuCombinationForbidden.id,
    )
    for upn, expected in (
        ("small@contoso.example", (True, None)),
        ("large@contoso.example", (False, "mailbox_too_large")),
    ):
        f = by[upn]
        assert dict(f.details)["storage_by"]["SPE_E3"]["mailbox_plan"] == "Exchange Online Kiosk"
        ways = [list(alt["actions"]) for alt in rem(f)["alternatives"]]
        [drop_e3] = [a for way in ways for a in way if (a.get("body") or {}).get("removeLicenses") == [E3]]
        assert (drop_e3["ready"], drop_e3["blocked"]) == expected, upn
