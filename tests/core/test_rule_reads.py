"""A user rule declares what it reads; the index decides from that whether one answer per profile
holds (TenantIndex.offenders), and what is each user's own is asked of each offender."""

from __future__ import annotations

from typing import Any

from auditor.index import SHARED_READS, TenantIndex
from auditor.model import User
from auditor.policy.objects import Selector
from auditor.rules import RULES
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.base import UserHygieneRule
from auditor.snapshot import MAILBOX_SETTINGS, snapshot_from_json
from auditor.usage_data import MAILBOXES, USAGE_REPORTS

from .factory import audit, tenant, user

GIB = 1024**3


def _alike(n: int) -> list[dict[str, Any]]:
    """`n` disabled users who share everything but their names: one profile."""
    return [user(f"gone{i}", "SPE_E3", accountEnabled=False) for i in range(n)]


def test_a_shared_test_is_asked_once_per_profile_and_an_own_test_of_each_user() -> None:
    index = TenantIndex(snapshot_from_json(tenant([*_alike(3), user("kept", "SPE_E3"), user("none")])))
    asked: list[str] = []

    def test(u: User) -> str | None:
        asked.append(u.user_principal_name)
        return None if u.account_enabled else "off"

    shared = [(u.user_principal_name, a) for u, a in index.offenders(frozenset({"accountEnabled"}), test)]
    assert shared == [(f"gone{i}@contoso.example", "off") for i in range(3)]
    assert len(asked) == 2  # one user per licensed profile (the unlicensed one is never asked)
    asked.clear()
    own = [u.user_principal_name for u, _ in index.offenders(frozenset({"accountEnabled", "signInActivity"}), test)]
    assert own == [f"gone{i}@contoso.example" for i in range(3)]
    assert len(asked) == 4  # every licensed user
    none = list(index.offenders(frozenset({"accountEnabled"}), test, Selector(upn=("gone1@*",))))
    assert [u.user_principal_name for u, _ in none] == ["gone0@contoso.example", "gone2@contoso.example"]


def test_disabled_accounts_alike_each_carry_their_own_mailbox_size(tmp_path: Any) -> None:
    rows = [
        {
            "userPrincipalName": f"gone{i}@contoso.example",
            "reports": [MAILBOXES.name],
            "storageUsedInBytes": (i + 1) * GIB,
            "hasArchive": i == 1,
            "itemCount": 5,
        }
        for i in range(3)
    ]
    usage = {
        "reports": [
            {
                "name": MAILBOXES.name,
                "period": "D7",
                "reportRefreshDate": "2026-10-30",
                "request": f"GET /{MAILBOXES.name}",
            }
        ],
        "users": rows,
    }
    users = [{**u, "mailboxSettings": {"userPurpose": "user"}} for u in _alike(3)]
    doc = tenant(users, collectedParts=["signInActivity", USAGE_REPORTS, MAILBOX_SETTINGS], usageReports=usage)
    result = audit(tmp_path, "hygiene:\n  disabled_users: {}\n", doc)
    sizes = {
        f.subject.upn: (dict(f.details)["mailbox_bytes"], dict(f.details)["mailbox_archive"])
        for f in result.findings
        if f.rule == DisabledUserLicensed.id
    }
    assert sizes == {f"gone{i}@contoso.example": ((i + 1) * GIB, i == 1) for i in range(3)}


def test_every_user_rule_declares_what_it_reads() -> None:
    user_rules = [r for r in RULES if isinstance(r, UserHygieneRule)]
    assert user_rules
    for rule in user_rules:
        assert rule.reads, f"{rule.id} declares no reads"
    shared = {r.id for r in user_rules if r.reads <= SHARED_READS}
    assert DisabledUserLicensed.id in shared
