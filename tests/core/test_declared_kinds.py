"""The kinds an admin declares in `account_kinds:` (docs/account-kinds.md, issue 73): break-glass and
service accounts by UPN, group or attribute, through a real audit of a snapshot."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli import main
from auditor.rules.assignments.selection import SkuForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.rules.usage.activity import ProductUnused, Rightsize
from tests.core.factory import audit, fired, policy_file, tenant, user
from tests.core.test_usage_rules import RIGHTSIZE, UNUSED, collected, row

QUIET = {"lastSignInDateTime": "2025-01-01T00:00:00Z", "lastNonInteractiveSignInDateTime": None}

POLICY = """\
account_kinds:
  break_glass:
    match: {upn: ["breakglass*@contoso.example"]}
  service:
    match: {groups: [Service accounts]}
hygiene:
  disabled_users: {severity: high}
  inactive_users: {days: 90}
assignments:
  - name: no-e5-for-programs
    match: {kinds: [service, break_glass]}
    except: {kinds: [break_glass]}
    forbidden: [SPE_E5]
"""


def _doc() -> dict:
    return tenant(
        [
            user("breakglass1", "SPE_E3", signInActivity=QUIET),  # inactive, by design
            user("svc-backup", "SPE_E5", signInActivity=QUIET),  # a program's account in the group
            user("svc-sync", "SPE_E3", accountEnabled=False),  # disabled, in the group
            user("svc-attr", "SPE_E3", signInActivity=QUIET, employeeType="Service"),  # by attribute (below)
            user("alice", "SPE_E3", signInActivity=QUIET),  # a person gone quiet
            user("bob", "SPE_E3", accountEnabled=False),  # a person who left
        ],
        groups=[{"id": "g-svc", "displayName": "Service accounts", "members": ["id-svc-backup", "id-svc-sync"]}],
        userAttributes=["employeeType"],
    )


def test_declared_accounts_are_not_judged_as_people_and_are_listed_per_kind(tmp_path: Path) -> None:
    result = audit(tmp_path, POLICY, _doc())
    assert [u for _, u, _ in fired(result, InactiveUserLicensed.id)] == [
        "alice@contoso.example",
        "svc-attr@contoso.example",
    ]
    assert [u for _, u, _ in fired(result, DisabledUserLicensed.id)] == ["bob@contoso.example"]
    rows = {row.kind: row for row in result.account_kinds}
    assert rows["break_glass"].accounts == 1 and rows["break_glass"].products == {"SPE_E3": 1}
    assert rows["service"].accounts == 2 and rows["service"].products == {"SPE_E3": 1, "SPE_E5": 1}
    assert list(rows) == ["break_glass", "service"]  # after Graph's kinds (AccountKind's order)


def test_kinds_selects_the_declared_accounts_and_a_finding_names_its_kind(tmp_path: Path) -> None:
    result = audit(tmp_path, POLICY, _doc())
    forbidden = [f for f in result.findings if f.rule == SkuForbidden.id]
    assert [(f.subject.upn, f.subject.kind) for f in forbidden] == [("svc-backup@contoso.example", "service")]


def test_an_attribute_declares_a_service_account_and_break_glass_wins_over_service(tmp_path: Path) -> None:
    policy = POLICY.replace(
        "match: {groups: [Service accounts]}", "match: {attributes: {employeeType: [service]}}"
    ).replace('upn: ["breakglass*@contoso.example"]', 'upn: ["breakglass*@contoso.example", "svc-attr@*"]')
    result = audit(tmp_path, policy, _doc())
    # svc-attr is declared twice: break-glass; the group's members are people again without the group
    assert [u for _, u, _ in fired(result, InactiveUserLicensed.id)] == [
        "alice@contoso.example",
        "svc-backup@contoso.example",
    ]
    rows = {row.kind: row.accounts for row in result.account_kinds}
    assert rows == {"break_glass": 2}


def test_the_report_lists_the_declared_kinds_among_the_accounts_that_are_not_people(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(_doc()), encoding="utf-8")
    policy = policy_file(tmp_path, POLICY)
    out = tmp_path / "out"
    argv = ["audit", "--snapshot", str(snapshot), "--policies", policy, "--output-dir", str(out)]
    assert main([*argv, "--format", "md,json", "--fail-on", "never", "--as-of", "2026-11-01T00:00:00Z"]) == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "### Accounts that are not people" in md
    assert "| Break\\-glass accounts | 1 | Microsoft 365 E3 × 1 |" in md
    assert "| Service accounts | 2 | Microsoft 365 E3 × 1, Microsoft 365 E5 × 1 |" in md
    kinds = {
        f["subject"]["upn"]: f["subject"]["kind"] for f in json.loads((out / "report.json").read_text())["findings"]
    }
    assert kinds["svc-backup@contoso.example"] == "service" and kinds["alice@contoso.example"] == "person"


def test_product_unused_and_rightsize_leave_a_declared_service_account_alone(tmp_path: Path) -> None:
    users = [user("idle", "SPE_E5"), user("svc-idle", "SPE_E5")]
    rows = [row("idle"), row("svc-idle")]  # neither used a workload in the window
    declared = 'account_kinds:\n  service:\n    match: {upn: ["svc-*"]}\n'
    for body, rule in ((UNUSED, ProductUnused.id), (RIGHTSIZE, Rightsize.id)):
        assert [u for _, u, _ in fired(audit(tmp_path, body, collected(users, rows)), rule)] == [
            "idle@contoso.example",
            "svc-idle@contoso.example",
        ]
        assert [u for _, u, _ in fired(audit(tmp_path, declared + body, collected(users, rows)), rule)] == [
            "idle@contoso.example"
        ]
