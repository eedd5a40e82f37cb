"""Findings with equal details share one dict in the audit's document (report.document.build_document;
docs/performance.md): report.json must hold what a dict of each finding's own gives, byte for byte and
in the same order, and the readers that change a finding's details (--redact, --exchange-export) must
change that finding's alone."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from auditor.data.exchange_export import NO_GUID, MailboxExport
from auditor.data.model import AuditResult
from auditor.engine import evaluate
from auditor.formats.report_model import ReportDocument
from auditor.plan.holds import ACCOUNT_RULES, attach
from auditor.policyset.load import load_policies
from auditor.report.document import build_document, finding_json
from auditor.report.redaction import redact_document
from auditor.snapshot.files import load_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = datetime(2026, 11, 1, 6, tzinfo=UTC)
GENERATED = datetime(2026, 11, 1, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return evaluate(load_policies([str(EXAMPLE)]), load_snapshot(SAMPLE), AS_OF)


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
    attach(shared, {accounts[0].subject.id.lower(): row}, "export.csv")
    assert accounts[0].details["exchange"]["litigation_hold"] is True
    assert others[0].details == untouched
