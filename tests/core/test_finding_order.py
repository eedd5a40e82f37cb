"""evaluate() sorts its findings one key at a time (auditor.evaluation.engine.in_order): the order is the one
the whole key gives (severity, rule, subject's name, subject's id, products, policy, id)."""

from __future__ import annotations

import random

from auditor.data.model import Finding, Severity, Subject, SubjectType
from auditor.evaluation.engine import in_order


def _whole_key(f: Finding) -> tuple[object, ...]:
    s = f.subject
    return (-f.severity, f.rule, (s.upn or s.sku or s.id).lower(), s.id, f.skus, f.policy, f.id)


def test_one_key_at_a_time_gives_the_whole_keys_order() -> None:
    rng = random.Random(5)
    findings = []
    for n in range(3_000):  # few values of each, so that every key decides between some findings
        user = rng.random() < 0.7
        who = rng.choice(["Ada", "ada", "Bob", "cy"])
        subject = Subject(
            SubjectType.USER if user else SubjectType.SKU,
            rng.choice(["id-1", "id-2", "ID-3"]),
            upn=f"{who}@contoso.example" if user and rng.random() < 0.9 else None,
            sku=rng.choice(["SPE_E3", "EMS", None]) if not user else None,
        )
        findings.append(
            Finding(
                id=rng.choice(["a1", "b2", "c3"]) + str(n % 2),
                rule=rng.choice(["a-rule", "b-rule"]),
                severity=rng.choice(list(Severity)),
                policy=rng.choice(["contoso/hygiene", "contoso/entitlements"]),
                subject=subject,
                skus=tuple(rng.sample(["EMS", "SPE_E3", "SPE_E5"], rng.randint(0, 2))),
                message=str(n),  # no key: tells equal findings apart, so the order of ties is checked too
            )
        )
    expected = sorted(findings, key=_whole_key)
    assert in_order(list(findings)) == expected
    assert [f.message for f in in_order(list(findings))] == [f.message for f in expected]
