"""A rule's `reads` is checked, not trusted: TenantIndex.offenders asks a test once per profile when
the rule says it reads only what users of a profile share (auditor.policy.index.SHARED_READS). A wrong
`reads` would give every user of a profile the first user's answer; so every rule is evaluated with
the sharing and without it (each user asked), and the findings must be the same."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from auditor.data.model import AuditResult
from auditor.evaluation.engine import evaluate
from auditor.policy import index
from auditor.policyset.load import load_policies
from auditor.snapshot import load_snapshot
from benchmarks.tenant import bench_tenant

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]

AS_OF = datetime(2026, 11, 1, 6, tzinfo=UTC)


def _findings(result: AuditResult) -> list[bytes]:
    return sorted(msgspec.json.encode(f) for f in result.findings)


@pytest.mark.parametrize("tenant", ["sample", "generated"])
def test_every_rule_finds_the_same_with_and_without_profile_sharing(
    tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = (
        load_snapshot(ROOT / "auditor_dev" / "sample" / "sample-tenant.json")
        if tenant == "sample"
        else bench_tenant(3000, seed=11, timed=True)
    )
    policies = load_policies([ROOT / "examples" / "contoso-policy.yaml"])
    shared = _findings(evaluate(policies, snapshot, AS_OF))
    monkeypatch.setattr(index, "SHARED_READS", frozenset())  # every test asked of every user
    each = _findings(evaluate(policies, snapshot, AS_OF))
    assert shared and shared == each


def test_the_check_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that says it reads only shared properties while it reads the user's own id gives the
    first user's answer to the whole profile: the two evaluations then differ."""
    snapshot = load_snapshot(ROOT / "auditor_dev" / "sample" / "sample-tenant.json")

    def own_id(user: Any) -> str:
        return str(user.id)

    def answers() -> list[tuple[str, str]]:
        found = index.TenantIndex(snapshot).offenders(frozenset({"accountEnabled"}), own_id)
        return sorted((u.id, a) for u, a in found)

    shared = answers()
    monkeypatch.setattr(index, "SHARED_READS", frozenset())
    each = answers()
    assert all(uid == answer for uid, answer in each) and shared != each
