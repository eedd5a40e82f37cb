"""evaluate() keeps one object for each value many findings hold equal (auditor.evaluation.engine.SharedValues):
the findings are the same, only fewer objects hold them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, Subject, SubjectType
from auditor.evaluation import engine
from auditor.evaluation.engine import SharedValues, evaluate
from auditor.evaluation.enrichment import enrich as engine_enrich
from auditor.policyset.load import load_policies
from auditor.snapshot.files import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"


class _Facts(Own, frozen=True, kw_only=True):
    """A rule's record, as the rules declare theirs."""

    assigned_by_group: Any = {}
    covered_by: dict[str, str] = {}


class _Alike(_Facts, frozen=True, kw_only=True):
    """Another rule's record with the same fields."""


def _finding(uid: str, facts: Own) -> Finding:
    return Finding(
        id=f"id-{uid}",
        rule="a-rule",
        severity=Severity.MEDIUM,
        policy="".join(["contoso/", "hygiene/redundant_products"]),  # a new string each time
        subject=Subject(SubjectType.USER, uid, upn=f"{uid}@contoso.example", display_name=uid),
        skus=tuple(["EMS"]),
        message=" ".join(["EMS adds nothing", "beside SPE_E3"]),
        own=facts,
    )


def _facts(groups: list[str]) -> _Facts:
    return _Facts(assigned_by_group={"EMS": list(groups)}, covered_by={"EMS": "SPE_E3"})


def test_equal_values_become_one_object_and_the_finding_stays_equal() -> None:
    shared = SharedValues()
    first, second = _finding("a", _facts(["All Staff"])), _finding("b", _facts(["All Staff"]))
    one, two = shared.finding(first), shared.finding(second)
    assert (one, two) == (first, second)
    assert one.own is two.own and one.policy is two.policy and one.message is two.message
    assert one.skus is two.skus
    assert one.subject is first.subject and two.subject is second.subject  # each user's own


def test_different_or_merely_alike_facts_are_not_shared() -> None:
    shared = SharedValues()
    one = shared.finding(_finding("a", _facts(["All Staff"])))
    assert shared.finding(_finding("b", _facts(["Sales"]))).own is not one.own
    # a tuple writes the same JSON as a list, but the two are not equal: each keeps its own
    alike = _Facts(assigned_by_group={"EMS": ("All Staff",)}, covered_by={"EMS": "SPE_E3"})
    kept = shared.finding(_finding("c", alike))
    assert kept.own is not one.own and kept.own == alike
    # another rule's record with the same fields and values writes the same JSON, but is another record
    other = _Alike(assigned_by_group={"EMS": ["All Staff"]}, covered_by={"EMS": "SPE_E3"})
    assert shared.finding(_finding("d", other)).own is other
    # a value JSON cannot write is kept as it is
    odd = _Facts(assigned_by_group=object())
    assert shared.finding(_finding("e", odd)).own is odd


def test_the_sample_audit_shares_the_facts_of_findings_alike() -> None:
    result = evaluate(load_policies([str(EXAMPLE)]), load_snapshot(SAMPLE), datetime(2026, 11, 1, 6, tzinfo=UTC))
    for part in ("own", "holding", "added"):  # each part of the details is shared on its own
        by_value: dict[str, set[int]] = {}
        for f in result.findings:
            by_value.setdefault(repr(getattr(f, part)), set()).add(id(getattr(f, part)))
        assert len(result.findings) > len(by_value), part  # some findings hold equal facts
        assert all(len(ids) == 1 for ids in by_value.values()), part


def test_a_user_finding_owns_its_subjects_strings() -> None:
    """A finding outlives the snapshot: it holds copies of the user's id, name and display name, not
    the user's own strings, so the freed users' memory can go back to the system (auditor.rules.base._own)."""
    snapshot = load_snapshot(SAMPLE)
    users = {u.id: u for u in snapshot.users}
    result = evaluate(load_policies([str(EXAMPLE)]), snapshot, datetime(2026, 11, 1, 6, tzinfo=UTC))
    subjects = [f.subject for f in result.findings if f.subject.type is SubjectType.USER and f.subject.id in users]
    assert len(subjects) > 20
    for subject in subjects:
        user = users[subject.id]
        assert (subject.id, subject.upn, subject.display_name) == (user.id, user.user_principal_name, user.display_name)
        assert subject.id is not user.id and subject.upn is not user.user_principal_name


def test_the_enrichment_adds_its_part_and_keeps_the_rules_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules' findings are enriched in place (auditor.evaluation.enrichment): an enriched finding holds the
    very objects of the rule's own details and of its holding, only its `added` part is new, so
    nothing the rules wrote is held twice."""
    pairs: list[tuple[Finding, Finding]] = []

    def watching(findings: list[Finding], rules: Any, ctx: Any) -> Iterator[Finding]:
        for position, enriched in enumerate(engine_enrich(findings, rules, ctx)):
            pairs.append((findings[position], enriched))
            yield enriched

    monkeypatch.setattr(engine, "enrich", watching)
    evaluate(load_policies([str(EXAMPLE)]), load_snapshot(SAMPLE), datetime(2026, 11, 1, 6, tzinfo=UTC))
    enriched = [(before, after) for before, after in pairs if after.added]
    assert len(enriched) > 20
    assert all(after.own is before.own and after.holding is before.holding for before, after in enriched)
