"""A user rule declares what it reads; the index decides from that whether one answer per profile
holds (TenantIndex.offenders), and what is each user's own is asked of each offender."""

from __future__ import annotations

from typing import Any

from auditor.data.model import User
from auditor.data.usage_data import MAILBOXES, USAGE_REPORTS
from auditor.policy.index import SHARED_READS, TenantIndex
from auditor.policy.objects import Selector
from auditor.rules import RULES
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.rules.hygiene.base import UserHygieneRule
from auditor.snapshot import MAILBOX_SETTINGS, snapshot_from_json

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
        assert rule.reads.user, f"{rule.id} declares no reads"
    shared = {r.id for r in user_rules if r.reads.user <= SHARED_READS}
    assert DisabledUserLicensed.id in shared


def test_every_user_rule_gives_the_same_findings_per_profile_and_per_user() -> None:
    """A user rule's `reads` lets the index ask it once per license profile and give every user of
    the profile that answer; a `reads` that leaves out a property of the user's own (a sign-in, a
    creation time) would silently give the first user's answer to all. So every user rule of the
    example policy runs on a tenant whose users share profiles (thousands of users, a few hundred
    profiles, the sample's planted accounts among them) both ways, and the findings are the same."""
    from datetime import UTC, datetime
    from pathlib import Path

    import pytest

    from auditor.evaluation.engine import evaluate
    from auditor.policy import index as index_module
    from auditor.policyset.load import load_policies
    from benchmarks.tenant import bench_tenant

    example = Path(__file__).parents[2] / "examples" / "contoso-policy.yaml"
    snap = bench_tenant(3_000, seed=5, timed=True)
    assert len({id(u.profile) for u in snap.users}) < len(snap.users) // 2  # users do share profiles
    as_of = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    user_rules = {rule.id for rule in RULES if isinstance(rule, UserHygieneRule)}
    assert user_rules

    def findings() -> list[tuple[str, str, tuple[str, ...], str, str]]:
        result = evaluate(load_policies([example]), snap, as_of)
        return sorted(
            (f.rule, f.subject.upn or f.subject.id, f.skus, f.message, repr(f.details))
            for f in result.findings
            if f.rule in user_rules
        )

    per_profile = findings()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "SHARED_READS", frozenset())  # no read is shared: each user is asked
        per_user = findings()
    assert per_profile == per_user
    assert {rule for rule, *_ in per_profile} >= user_rules & {DisabledUserLicensed.id, InactiveUserLicensed.id}
