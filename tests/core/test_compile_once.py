"""The document stage compiles the report's plan once (auditor.pipeline.assemble): the bill rests on the
plan, and the bill's figures, named on the seat and renewal findings, change only what those findings wait
for, so their entries are weighed again (auditor.plan.compile.restated) instead of the whole plan."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from auditor.cli import build_parser
from auditor.pipeline.arguments import AuditOptions
from auditor.pipeline.assemble import document
from auditor.pipeline.collect import collect
from auditor.pipeline.evaluate import evaluate
from auditor.pipeline.prepare import prepare
from auditor.pipeline.values import Documented
from auditor.plan import summary
from auditor.plan.compile import ChangePlan, compile_plan, restated
from auditor.rules.seats.catalog import SpareSeatsOverLimit

from .factory import sample_audit_argv

ROOT = Path(__file__).resolve().parents[2]


def _documented(argv: list[str]) -> Documented:
    return document(evaluate(collect(prepare(AuditOptions.of(build_parser().parse_args(argv))))))


def test_the_document_compiles_its_plan_once_and_states_the_plan_of_the_billed_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    billing = ROOT / "auditor_dev" / "sample" / "sample-billing.csv"
    compiled: list[ChangePlan] = []

    def counted(*args: object, **kwargs: object) -> ChangePlan:
        compiled.append(compile_plan(*args, **kwargs))  # type: ignore[arg-type]
        return compiled[-1]

    monkeypatch.setattr(summary, "compile_plan", counted)
    documented = _documented([*sample_audit_argv(tmp_path), "--billing", str(billing)])
    assert len(compiled) == 1
    monkeypatch.undo()
    final = documented.document
    billed = {f.id for f in final.findings if "bill" in f.details or "reduction" in f.details}
    assert billed  # the bill named its figures on findings the plan had first weighed without them
    # the plan stated is the one a compile of the billed document gives, entry for entry
    again = compile_plan(final, describe_changes=False, remediation=documented.remediation.actions)
    assert documented.plan == again


def test_a_replaced_finding_about_a_user_is_compiled_again(tmp_path: Path) -> None:
    documented = _documented(sample_audit_argv(tmp_path))
    before, actions = documented.document, documented.remediation.actions
    plan = compile_plan(before, describe_changes=False, remediation=actions)
    findings = list(before.findings)
    on_user = next(i for i, f in enumerate(findings) if f.subject.type == "user")
    findings[on_user] = msgspec.structs.replace(findings[on_user])  # a new finding, as the bill's naming makes
    after = msgspec.structs.replace(before, findings=findings)
    assert restated(plan, before, after, describe_changes=False, remediation=actions) is None
    # a document whose findings are the plan's own is its plan
    assert restated(plan, before, before, describe_changes=False, remediation=actions) == plan


def test_a_seat_finding_the_bill_keeps_every_license_of_waits_for_the_seats_in_the_restated_plan(
    tmp_path: Path,
) -> None:
    documented = _documented(sample_audit_argv(tmp_path))
    before, actions = documented.document, documented.remediation.actions
    plan = compile_plan(before, describe_changes=False, remediation=actions)
    findings = list(before.findings)
    at = next(i for i, f in enumerate(findings) if f.rule == SpareSeatsOverLimit.id)
    spare = findings[at]
    figures = {"purchased": 12, "after": 7, "spare": 5, "drop": 0, "buy": 0, "to": 12}  # the bill removes none
    findings[at] = msgspec.structs.replace(spare, details={**spare.details, "bill": figures})
    after = msgspec.structs.replace(before, findings=findings)
    found = restated(plan, before, after, describe_changes=False, remediation=actions)
    assert found is not None and found == compile_plan(after, describe_changes=False, remediation=actions)
    [was] = [s for s in plan.skipped if s.finding == spare.id]
    [entry] = [s for s in found.skipped if s.finding == spare.id]
    assert (was.reason, entry.reason) == ("placeholder", "seats_needed")
