"""An audit's document carries its findings without their remediation: report.json and
findings.csv get each finding's as they are written (auditor.report.write), and the plan reads
the actions alone (auditor.wording.actions, without any text). The files must be byte for byte what the whole
document gives, also when forked processes work the findings out a chunk at a time
(auditor.report.chunks), and a failure part way must leave the last run's files as they were.
Findings with equal details share one dict in the document (docs/performance.md): report.json holds
what a dict of each finding's own gives, and --redact and --exchange-export change one finding alone."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor import wording
from auditor.common.errors import UsageError
from auditor.data.enums import Format
from auditor.data.exchange_export import NO_GUID, MailboxExport
from auditor.data.model import AuditResult, Locale
from auditor.evaluation.engine import evaluate
from auditor.formats.report_model import ReportDocument
from auditor.insights.forecast import _freed_by_findings
from auditor.plan.holds import ACCOUNT_RULES, attach
from auditor.plan.summary import header_plan
from auditor.policyset.load import load_policies
from auditor.report.document import FindingRemediation, build_document, finding_json
from auditor.report.redaction import redact_document
from auditor.report.write import RenderOptions, render
from auditor.snapshot.files import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = datetime(2026, 11, 1, 6, tzinfo=UTC)
GENERATED = datetime(2026, 11, 1, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return evaluate(load_policies([str(EXAMPLE)]), load_snapshot(SAMPLE), AS_OF)


def _whole(result: AuditResult, locale: Locale = Locale.EN) -> ReportDocument:
    return build_document(result, generated_at=GENERATED, locale=locale, remediate=wording.remediation)


def _bare(result: AuditResult, locale: Locale = Locale.EN) -> tuple[ReportDocument, FindingRemediation]:
    remediation = FindingRemediation.of(result, wording.remediation, locale=locale, actions=wording.actions)
    return build_document(result, generated_at=GENERATED, locale=locale), remediation


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_the_bare_document_carries_no_remediation_and_works_it_out_as_the_whole_one(result: AuditResult) -> None:
    whole = _whole(result)
    bare, remediation = _bare(result)
    assert len(bare.findings) == len(whole.findings) > 50
    assert all(f.remediation is None for f in bare.findings)
    for b, w in zip(bare.findings, whole.findings, strict=True):
        assert msgspec.structs.replace(b, remediation=remediation(b)) == w
        # the actions alone: the same calls, without their descriptions' text
        assert remediation.actions(b) == {"actions": [{**a, "description": ""} for a in w.remediation["actions"]]}


@pytest.mark.parametrize("locale", [Locale.EN, Locale.NL])
@pytest.mark.parametrize(
    "formats",
    [
        (Format.JSON, Format.CSV),  # in one pass
        (Format.JSON,),
        (Format.CSV,),
        tuple(Format),  # with the HTML and Markdown reports, the digest and the plan line
    ],
)
def test_the_files_are_byte_for_byte_those_of_the_whole_document(
    result: AuditResult, tmp_path: Path, locale: Locale, formats: tuple[Format, ...]
) -> None:
    render(_whole(result, locale), tmp_path / "whole", RenderOptions(formats=formats, locale=locale))
    bare, remediation = _bare(result, locale)
    plan = header_plan(bare, remediation.actions)
    render(
        bare, tmp_path / "streamed", RenderOptions(formats=formats, locale=locale), plan=plan, remediation=remediation
    )
    whole, streamed = _files(tmp_path / "whole"), _files(tmp_path / "streamed")
    assert list(streamed) == list(whole)
    for name in whole:
        assert streamed[name] == whole[name], name
    # writing does not fill the document in: the remediation is dropped once written
    assert all(f.remediation is None for f in bare.findings)


def test_with_redaction_findings_csv_is_the_whole_documents(result: AuditResult, tmp_path: Path) -> None:
    key = b"k" * 32
    formats = (Format.JSON, Format.CSV)
    render(_whole(result), tmp_path / "whole", RenderOptions(formats=formats, redact=True, redact_key=key))
    bare, remediation = _bare(result)
    render(
        bare,
        tmp_path / "streamed",
        RenderOptions(formats=formats, redact=True, redact_key=key),
        remediation=remediation,
    )
    assert _files(tmp_path / "streamed") == _files(tmp_path / "whole")


def test_the_plan_from_the_actions_alone_is_the_whole_documents_plan(result: AuditResult) -> None:
    whole = _whole(result)
    bare, remediation = _bare(result)
    assert header_plan(bare, remediation.actions) == header_plan(whole)
    assert header_plan(bare, remediation) == header_plan(whole)
    assert _freed_by_findings(bare, remediation.actions) == _freed_by_findings(whole) != {}


def _failing(remediation: FindingRemediation, after: int) -> FindingRemediation:
    calls = 0

    def remediate(*args: Any, **kwargs: Any) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls > after:
            raise OSError(28, "No space left on device")
        return wording.remediation(*args, **kwargs)

    return FindingRemediation(remediate, cloud=remediation.cloud, locale=remediation.locale, names=remediation.names)


@pytest.mark.parametrize("formats", [(Format.JSON, Format.CSV), (Format.JSON,)])
def test_a_failure_part_way_leaves_the_last_files_and_no_temporary_file(
    result: AuditResult, tmp_path: Path, formats: tuple[Format, ...]
) -> None:
    out = tmp_path / "out"
    bare, remediation = _bare(result)
    plan = header_plan(bare, remediation)  # as an audit hands it over, compiled before the files
    render(bare, out, RenderOptions(formats=formats), remediation=remediation, plan=plan)
    before = _files(out)
    with pytest.raises(UsageError, match=r"report\.json.*cannot write report: No space left on device"):
        render(bare, out, RenderOptions(formats=formats), remediation=_failing(remediation, after=20), plan=plan)
    assert _files(out) == before
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == []


def test_a_finding_that_carries_its_remediation_is_written_as_it_is(result: AuditResult, tmp_path: Path) -> None:
    """A document whose findings carry theirs (a merged report, a baseline read back) is not
    worked out again, even when a remediation is given."""
    whole = _whole(result)
    _, remediation = _bare(result)
    render(whole, tmp_path / "plain", RenderOptions(formats=(Format.JSON, Format.CSV)))
    render(
        whole,
        tmp_path / "given",
        RenderOptions(formats=(Format.JSON, Format.CSV)),
        remediation=_failing(remediation, after=0),
    )
    assert _files(tmp_path / "given") == _files(tmp_path / "plain")


@pytest.mark.parametrize("formats", [(Format.JSON, Format.CSV), (Format.JSON,), tuple(Format)])
@pytest.mark.parametrize("locale", [Locale.EN, Locale.TR])
def test_the_files_forked_processes_write_are_one_processes(
    result: AuditResult, tmp_path: Path, forked_chunks: int, formats: tuple[Format, ...], locale: Locale
) -> None:
    bare, remediation = _bare(result, locale)
    assert len(bare.findings) > 3 * forked_chunks
    plan = header_plan(bare, remediation.actions)
    for workers in (1, 2):
        render(
            bare,
            tmp_path / str(workers),
            RenderOptions(formats=formats, locale=locale, workers=workers),
            plan=plan,
            remediation=remediation,
        )
    assert _files(tmp_path / "2") == _files(tmp_path / "1")
    assert all(f.remediation is None for f in bare.findings)


def test_a_failure_in_a_forked_process_leaves_the_last_files_and_no_temporary_file(
    result: AuditResult, tmp_path: Path, forked_chunks: int
) -> None:
    out = tmp_path / "out"
    bare, remediation = _bare(result, Locale.EN)
    render(bare, out, RenderOptions(formats=(Format.JSON, Format.CSV), workers=2), remediation=remediation)
    before = _files(out)
    parent = os.getpid()

    def remediate(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if os.getpid() != parent:
            raise OSError(28, "No space left on device")
        return wording.remediation(*args, **kwargs)

    failing = FindingRemediation(remediate, cloud=remediation.cloud, locale=remediation.locale, names=remediation.names)
    with pytest.raises(UsageError, match=r"report\.json.*cannot write report: No space left on device"):
        render(bare, out, RenderOptions(formats=(Format.JSON, Format.CSV), workers=2), remediation=failing)
    assert _files(out) == before
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


def _documents(result: AuditResult) -> tuple[ReportDocument, ReportDocument]:
    """The audit's document (details shared), and the same with a dict of each finding's own."""
    shared = build_document(result, generated_at=GENERATED)
    own = build_document(result, generated_at=GENERATED)
    own.findings = [finding_json(f, None) for f in result.findings]
    return shared, own


def _shared_groups(document: ReportDocument) -> list[int]:
    return [n for n in Counter(id(f.details) for f in document.findings).values() if n > 1]


def test_equal_details_are_one_dict_and_write_the_same(result: AuditResult) -> None:
    shared, own = _documents(result)
    assert _shared_groups(shared), "the sample has findings with equal details: they share one dict"
    assert not _shared_groups(own)
    assert [f.details for f in shared.findings] == [dict(f.details) for f in result.findings]
    assert msgspec.json.encode(shared) == msgspec.json.encode(own)


def test_redaction_changes_each_finding_alone(result: AuditResult) -> None:
    shared, own = _documents(result)
    before = msgspec.json.encode(shared)
    redacted = redact_document(shared, b"k")
    assert msgspec.json.encode(redacted) == msgspec.json.encode(redact_document(own, b"k"))
    assert msgspec.json.encode(shared) == before  # the document redacted is a copy, left as it was


def test_an_exchange_fact_goes_to_its_finding_alone(result: AuditResult) -> None:
    shared, _ = _documents(result)
    accounts = [f for f in shared.findings if f.rule in ACCOUNT_RULES and f.subject.type == "user"]
    others = [f for f in shared.findings if f not in accounts]
    assert accounts and others
    # one dict for an account finding and another finding, as equal details would give
    accounts[0].details = others[0].details
    untouched = dict(others[0].details)
    row = MailboxExport(
        upn="held@contoso.example",
        recipient_type="UserMailbox",
        exchange_guid="11111111-2222-3333-4444-555555555555",
        archive_guid=NO_GUID,
        archive_status="None",
        auto_expanding_archive=False,
        litigation_hold=True,
        in_place_holds=(),
        delay_hold=False,
        compliance_tag_hold=False,
        retention_hold=False,
        dir_synced=False,
    )
    attached = attach(shared, {accounts[0].subject.id.lower(): row}, "export.csv")
    found = {f.id: f for f in attached.findings}
    assert found[accounts[0].id].details["exchange"]["litigation_hold"] is True
    assert found[others[0].id].details == untouched
    assert "exchange" not in accounts[0].details  # the document given is left as it was
