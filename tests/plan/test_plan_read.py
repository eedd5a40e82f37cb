"""The report.json a plan is compiled from, as auditor.plan.read decodes it: of each finding's remediation its
calls alone, the strings of its details and calls one object for each text, and the plan compiled from it the
one the whole document gives (what keeps apply's fresh compile within the audit's peak memory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument
from auditor.plan.compile import compile_plan
from auditor.plan.read import load_report
from auditor.plan.write import json_text, plan_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"


@pytest.fixture(scope="module")
def report_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample tenant's report.json under the example policy."""
    out = tmp_path_factory.mktemp("report")
    args = ["--snapshot", str(SAMPLE), "--as-of", "2026-11-01T06:00:00Z", "--policies", str(EXAMPLE)]
    assert main(["audit", *args, "--output-dir", str(out), "--format", "json"]) == 1
    return out / "report.json"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_each_findings_remediation_is_decoded_as_its_calls_alone(report_json: Path) -> None:
    whole = decode_report(report_json.read_bytes(), "report.json")
    planned = load_report(report_json)
    # the file holds the sentences, steps and links, which the plan never reads
    assert any(f.remediation and f.remediation.get("steps") for f in whole.findings)
    assert [f.id for f in planned.findings] == [f.id for f in whole.findings]
    for mine, theirs in zip(planned.findings, whole.findings, strict=True):
        if theirs.remediation is None:
            assert mine.remediation is None
            continue
        assert mine.remediation is not None
        assert set(mine.remediation) <= {"actions"}
        assert mine.remediation.get("actions") == theirs.remediation.get("actions")
        assert mine.details == theirs.details
        assert (mine.subject, mine.skus, mine.waived) == (theirs.subject, theirs.skus, theirs.waived)


def test_each_text_of_the_details_and_calls_is_one_object(report_json: Path) -> None:
    def texts(document: ReportDocument) -> list[str]:
        return [s for f in document.findings for part in (f.details, f.remediation) for s in _strings(part)]

    whole = texts(decode_report(report_json.read_bytes(), "report.json"))
    assert len({id(s) for s in whole}) > len(set(whole))  # the file's decoder makes one object a repeat
    planned = texts(load_report(report_json))
    assert len(planned) > len(set(planned))  # the sample's findings repeat their product and plan ids
    assert len({id(s) for s in planned}) == len(set(planned))


def test_the_plan_of_the_plans_read_is_the_whole_documents(report_json: Path) -> None:
    whole = compile_plan(decode_report(report_json.read_bytes(), "report.json"))
    planned = compile_plan(load_report(report_json))
    assert planned.changes
    assert json_text(plan_document(planned, created_at="now")) == json_text(plan_document(whole, created_at="now"))
