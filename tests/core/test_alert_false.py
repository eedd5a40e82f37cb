"""`alert: false` on a catalog entry (issue 73): findings about that product alone stay out of the exit
code, the notification and the digest's lists, and report.json still holds them, marked."""

from __future__ import annotations

from typing import Any

from auditor.pipeline.exit_codes import document_exit_code, exit_code
from auditor.report.document import finding_json
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from tests.documents import report_document

from .factory import audit, tenant, user

POLICY = """catalog:
  - {sku: SPE_E3, price: {monthly: 33.75, currency: EUR}, alert: false}
  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}
  - {sku: SPE_F1, price: {monthly: 2.25, currency: EUR}}
hygiene:
  disabled_users: {severity: high}
"""


def test_a_quiet_products_finding_is_reported_but_raises_no_alarm(tmp_path: Any) -> None:
    users = [user("room", "SPE_E3", accountEnabled=False), user("left", "SPE_E3", "SPE_E5", accountEnabled=False)]
    result = audit(tmp_path, POLICY, tenant(users))
    by_user = {f.subject.upn: f for f in result.findings if f.rule == DisabledUserLicensed.id}
    assert by_user["room@contoso.example"].alert is False  # E3 alone: quiet
    assert by_user["left@contoso.example"].alert is True  # E5 too: an alarm
    assert exit_code(result, "high", allow_gaps=True) == 1
    quiet_only = audit(tmp_path, POLICY, tenant(users[:1]))
    assert [f.rule for f in quiet_only.findings] == [DisabledUserLicensed.id]  # still in the report
    assert exit_code(quiet_only, "high", allow_gaps=True) == 0
    document = report_document(findings=[finding_json(f, None) for f in quiet_only.findings])
    assert document.findings[0].alert is False
    assert document_exit_code(document, "high", allow_gaps=True) == 0
