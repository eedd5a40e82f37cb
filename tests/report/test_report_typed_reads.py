"""The report's view and its redaction read a rule's own details through the rule's record
(auditor.guidance.details.decoded): an idle Copilot seat's `exposure`, an expired waiver's owner and
subject, a duplicate's accounts across tenants. A value of the wrong type is refused with its place
(FindingFactsError, exit 2), where a raw dict read took it for absent or passed it on unredacted."""

from __future__ import annotations

import msgspec
import pytest

from auditor.cross_tenant.rules import CrossTenantDuplicate
from auditor.data.finding_facts import FindingFactsError
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument
from auditor.report.redaction import redact_document
from auditor.report.view import PageContext, build_view
from auditor.rules.hygiene.accounts import GuestLicensed
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor.rules.waivers.waiver_expired import WaiverExpired

from .report_fixtures import FakeGuidance, finding, user

ANN = user("5a000000-0000-4000-8000-000000000001", "ann@contoso.example", "Ann")
IDLE = {"disposition": "reassign", "candidate": "kim@contoso.example", "candidate_id": "5a00-kim"}


def _with(sample: ReportDocument, *found: object) -> ReportDocument:
    return msgspec.structs.replace(sample, findings=[*sample.findings, *found])


def test_an_idle_seat_that_moves_reads_its_exposure_typed(sample: ReportDocument, guidance: FakeGuidance) -> None:
    def row_of(exposure: object) -> str:
        idle = finding(CopilotSeatIdle.id, "low", ANN, ["Microsoft_365_Copilot"], {**IDLE, "exposure": exposure})
        view = build_view(_with(sample, idle), PageContext(Locale.EN, Cloud.WORLDWIDE, guidance), cap_per_rule=50)
        return next(r.cost for s in view.sections for recipe in s.recipes for r in recipe.rows if r.id == idle.id)

    assert row_of(30.0) == row_of(None) == ""  # no amount: a seat that moves says where (the guidance's note)
    # a price in words: a raw read took it for no price, and the row for an unpriced one; now refused
    with pytest.raises(FindingFactsError, match=r"details\.exposure"):
        row_of("30")


def test_an_expired_waiver_is_redacted_read_typed(sample: ReportDocument) -> None:
    waived = GuestLicensed.id
    waiver = {"waiver_rule": waived, "waiver_subject": "bob@contoso.example", "expires": "2026-01-01"}
    subject = {"type": "waiver", "id": f"{waived}:bob@contoso.example"}
    expired = finding(WaiverExpired.id, "low", subject, [], {**waiver, "owner": "cio@contoso.example"})
    details = redact_document(_with(sample, expired), b"key").findings[-1].details
    assert "contoso" not in f"{details['owner']} {details['waiver_subject']}"
    # an address that is no text: a raw read left it as it was; now refused
    wrong = finding(WaiverExpired.id, "low", subject, [], {**waiver, "owner": ["cio@contoso.example"]})
    with pytest.raises(FindingFactsError, match=r"details\.owner"):
        redact_document(_with(sample, wrong), b"key")


def test_a_duplicate_s_accounts_are_redacted_read_typed(sample: ReportDocument) -> None:
    accounts = [{"id": "t1", "name": "Contoso", "upn": "ann@contoso.example"}, {"id": "t2", "name": "Fabrikam"}]
    found = finding(CrossTenantDuplicate.id, "low", ANN, ["SPE_E5"], {"identity": "ann", "tenants": accounts})
    details = redact_document(_with(sample, found), b"key").findings[-1].details
    tenants = details["tenants"]
    assert isinstance(tenants, list) and "contoso.example" not in str(tenants) and tenants[1] == accounts[1]
    # a UPN that is no text: a raw read passed it on unredacted; now refused
    wrong = finding(CrossTenantDuplicate.id, "low", ANN, ["SPE_E5"], {"tenants": [{"upn": ["ann@contoso.example"]}]})
    with pytest.raises(FindingFactsError, match=r"details\.tenants\[0\]\.upn"):
        redact_document(_with(sample, wrong), b"key")
