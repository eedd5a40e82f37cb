"""A finding is one record per rule from the rule to report.json (issue 119): the finding holds the
rule's record itself (Finding.own, of the type the rule declares and its texts decode by, found by
the rule's id), and the one encoder (Finding.details) flattens it into what report.json holds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.data.finding import NO_OWN, Own, make, own_json
from auditor.data.model import AuditResult, Severity, Subject, SubjectType
from auditor.evaluation.engine import evaluate
from auditor.evaluation.records import record_type
from auditor.guidance.details import RuleDetails
from auditor.plan.read import load_report
from auditor.policyset.load import load_policies
from auditor.report.document import build_document
from auditor.report.write import dump_json
from auditor.rules.hygiene.accounts import InactiveUserLicensed, InactiveUserLicensedDetails
from auditor.snapshot.files import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample"
AS_OF = datetime(2026, 10, 1, tzinfo=UTC)


def _audit(policy: str) -> AuditResult:
    return evaluate(load_policies([str(ROOT / policy)]), load_snapshot(SAMPLE / "sample-tenant.json"), AS_OF)


# the demo's policies on its sample tenant: `audit --demo`'s, the --tenants demo's Contoso, the moves demo's,
# and the example policy of the repository
POLICIES = (
    "auditor_dev/sample/example-policy.yaml",
    "auditor_dev/sample/contoso-msp-policy.yaml",
    "auditor_dev/sample/moves-example.yaml",
    "examples/contoso-policy.yaml",
)


@pytest.mark.parametrize("policy", POLICIES, ids=[Path(p).stem for p in POLICIES])
def test_each_finding_holds_its_rules_record_and_report_json_its_fields(tmp_path: Path, policy: str) -> None:
    result = _audit(policy)
    assert result.findings
    for f in result.findings:
        # the rule's own record, of the type its texts decode report.json's details by
        assert isinstance(f.own, Own) and type(f.own) is record_type(f.rule), f.rule
    path = tmp_path / "report.json"
    path.write_bytes(dump_json(build_document(result, generated_at=AS_OF)))
    read = load_report(path).findings
    assert [r.id for r in read] == [f.id for f in result.findings]
    for f, r in zip(result.findings, read, strict=True):
        # the one encoder's object is what report.json holds
        assert f.details == r.details, f.rule
        # it holds the record's fields as own_json writes them, but where the engine's part writes over one
        mine = {k: v for k, v in own_json(f.own).items() if k not in f.added}
        assert mine.items() <= r.details.items(), f.rule
        # the one decoder gives the record back, but for the fields it reads of the other parts
        others = set(f.added) | set(f.holding.to_json() if f.holding is not None else ())
        back = RuleDetails(r, record_type(f.rule)).own
        assert type(back) is type(f.own), f.rule
        assert {k: v for k, v in own_json(back).items() if k not in others} == {
            k: v for k, v in mine.items() if k not in others
        }, f.rule


def test_a_finding_without_details_of_its_own_holds_the_empty_record() -> None:
    found = make("a-rule", "p/s", Severity.LOW, Subject(SubjectType.USER, "u1"), (), "said", NO_OWN)
    assert found.own is NO_OWN and type(found.own) is Own and found.details == {}


def test_the_record_is_held_as_the_rule_made_it() -> None:
    """Finding.own is the rule's record, not a flattened copy: its optional fields at their defaults
    are left out of report.json, its UNSET ones too, and the rest written sorted by key."""
    own = InactiveUserLicensedDetails(days=90, last_sign_in=None, shared_mailbox="unknown")
    found = make(InactiveUserLicensed.id, "p/s", Severity.LOW, Subject(SubjectType.USER, "u1"), (), "said", own)
    assert found.own is own
    assert found.details == {
        "days": 90,
        "last_sign_in": None,
        "mail_use": {},
        "shared_mailbox": "unknown",
    }
