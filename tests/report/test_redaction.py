"""--redact: people become stable pseudonyms in report.html, report.md and findings.csv."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import msgspec

from auditor.formats.report_model import BaselineChanges, builtins
from auditor.report.redaction import redact_document, redaction_key
from auditor.report.write import RenderOptions, render
from auditor.rules.assignments import SkuCombinationForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.assignment_errors import LicenseAssignmentError

from .report_fixtures import XSS_NAME, FakeGuidance, build_sample

PEOPLE = (
    "Alice Andersen",
    "alice@contoso.example",
    "11111111-0000-0000-0000-000000000001",
    "Bob Ångström",
    "bob@contoso.example",
    "Gülşen Öztürk",
    "ext_gmail.com#EXT#@contoso.onmicrosoft.com",
    "hr-lead@contoso.example",
    "ciso@contoso.example",
    "carol@contoso.example",
    "it-lead@contoso.example",
    "alice@fabrikam.example",
    "mallory@contoso.example",
)


def test_pseudonyms_are_stable_per_key() -> None:
    one = redact_document(build_sample(), b"k1")
    two = redact_document(build_sample(), b"k1")
    other = redact_document(build_sample(), b"k2")
    assert one == two
    alice = [f.subject for f in one.findings if (f.subject.upn or "").startswith("person-")]
    assert alice
    a1 = next(f for f in one.findings if f.rule == SkuCombinationForbidden.id).subject
    a2 = next(f for f in one.findings if f.rule == LicenseAssignmentError.id).subject
    assert a1 == a2  # same person, same pseudonym, in every finding
    assert (a1.display_name or "").startswith("Person ") and (a1.upn or "").endswith("@redacted.invalid")
    b1 = next(f for f in other.findings if f.rule == SkuCombinationForbidden.id).subject
    assert b1.upn != a1.upn
    ids = [f.id for f in one.findings]
    assert ids == [f.id for f in build_sample().findings]  # finding ids kept for --baseline


def test_nobody_is_named_in_shared_outputs(tmp_path: Path) -> None:
    document = build_sample()
    paths = render(document, tmp_path, RenderOptions(redact=True, redact_key=b"secret", wording=FakeGuidance()))
    for path in paths:
        text = path.read_text("utf-8-sig")
        if path.name == "report.json":
            assert "alice@contoso.example" in text  # the machine record is kept whole
            continue
        for real in (*PEOPLE, XSS_NAME):
            assert real not in text, (path.name, real)
        assert "Person " in text
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "pseudonyms" in html
    # the organisation's own names stay readable
    assert "SPE_E5" in html and "contoso-baseline/hygiene" in html
    assert "SPE_E3: All Staff" in (tmp_path / "findings.csv").read_text("utf-8-sig")


def test_free_text_is_rewritten_by_whole_words_only() -> None:
    document = build_sample()
    target = next(f for f in document.findings if f.rule == DisabledUserLicensed.id)
    target.subject = msgspec.structs.replace(target.subject, display_name="Admin")
    target.message = "Admin (bob@contoso.example) needs a User Administrator to act"
    redacted = redact_document(document, b"k")
    message = next(f for f in redacted.findings if f.rule == DisabledUserLicensed.id).message
    assert "Administrator" in message
    assert "Admin " not in message and "bob@contoso.example" not in message
    assert message.startswith("Person ")


def test_key_comes_from_environment_or_tenant() -> None:
    assert redaction_key({"AUDITOR_REDACT_KEY": "s3cret"}, "t") == b"s3cret"
    assert redaction_key({}, "TENANT") == redaction_key({"AUDITOR_REDACT_KEY": ""}, "tenant")
    doc = build_sample()
    by_env = redact_document(doc, redaction_key({"AUDITOR_REDACT_KEY": "s3cret"}, doc.tenant.id))
    by_tenant = redact_document(doc, redaction_key({}, doc.tenant.id))
    assert json.dumps(by_env, default=builtins) != json.dumps(by_tenant, default=builtins)


def test_redaction_covers_changes_lists() -> None:
    document: dict[str, Any] = build_sample()
    document.changes = BaselineChanges(resolved=[copy.deepcopy(document.findings[0])])
    redacted = redact_document(document, b"k")
    assert "mallory@contoso.example" not in json.dumps(redacted.changes, default=builtins)
