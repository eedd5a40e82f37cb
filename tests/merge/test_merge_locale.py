"""A merged report speaks one language: carried findings are re-rendered in the merge's locale."""

import json
from typing import Any

import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.model import Cloud, Locale
from auditor.formats.report_json import named_products
from auditor.formats.report_model import builtins, finding_of
from auditor.render.text import clean, md_escape
from auditor.report.view.context import TEXT_LIMIT, subject_text
from auditor.report.view.findings import without_name
from auditor.report.view.once import opening

from .tenants import AS_OF, EXAMPLE, GROUP_POLICY, audit_tenant, read, tenant_documents

FUTURE = {
    "id": "f0f0f0f0f0f0f0f0",
    "rule": "rule-from-a-newer-tool",
    "severity": "medium",
    "policy": "contoso-baseline/x",
    "subject": {"type": "user", "id": "u-1", "upn": "someone@contoso.example", "display_name": "Someone"},
    "skus": ["SPE_E3"],
    "message": "a message this version cannot write",
    "details": {},
    "monthly_cost": None,
    "waived": False,
    "waiver": None,
    "remediation": {
        "summary": "Carried advice, kept as written.",
        "steps": ["step one"],
        "actions": [],
        "role": "License Administrator",
        "next_steps": [],
        "links": [],
    },
}


@pytest.fixture(scope="module")
def merged_nl(tmp_path_factory):
    """Contoso and Fabrikam audited in English (plus a finding of a rule this version does not know),
    merged with --locale nl."""
    root = tmp_path_factory.mktemp("locale")
    docs = tenant_documents(40)
    for key in ("contoso", "fabrikam"):
        assert audit_tenant(docs[key], root / key) in (0, 1)
    tenant_report = root / "contoso" / "report.json"
    contoso = read(tenant_report)
    assert contoso.locale == "en"
    contoso.findings.append(FUTURE)
    tenant_report.write_text(json.dumps(contoso, default=builtins), encoding="utf-8")
    (root / "group.yaml").write_text(GROUP_POLICY, encoding="utf-8")
    out = root / "merged"
    code = main(
        [
            "merge",
            str(root / "contoso"),
            str(root / "fabrikam"),
            "--policies",
            str(EXAMPLE),
            "--policies",
            str(root / "group.yaml"),
            "--output-dir",
            str(out),
            "--as-of",
            AS_OF,
            "--locale",
            "nl",
            "--format",
            "json,md",
        ]
    )
    assert code == 1
    english = {}  # (tenant id, finding id) -> the finding in the tenant's own report
    for key in ("contoso", "fabrikam"):
        tenant = read(root / key / "report.json")
        english.update({(tenant.tenant.id, f.id): f for f in tenant.findings})
    merged = read(out / "report.json")
    return merged, (out / "report.md").read_text(encoding="utf-8"), english


def _carried(report):
    return [f for f in report.findings if f.tenant is not None and f.rule in wording.ALL_RULE_IDS]


def test_carried_remediation_is_in_the_merge_locale_in_report_json(merged_nl):
    report, _, english = merged_nl
    assert report.locale == "nl"
    names = named_products((row.sku, row.name) for row in report.skus)
    carried = _carried(report)
    assert len(carried) > 20 and len({f.rule for f in carried}) > 10
    for f in carried:
        found = finding_of(f.subject, f.skus, f.details)
        args: dict[str, Any] = {"cloud": Cloud(report.tenant.cloud), "names": names}
        dutch = wording.remediation(f.rule, found, locale=Locale.NL, **args)
        assert f.remediation == dutch, f.rule
        was = english[f.tenant.id, f.tenant.finding_id]
        assert was.remediation == wording.remediation(f.rule, found, locale=Locale.EN, **args), f.rule
        assert f.remediation["summary"] != was.remediation["summary"], f.rule
        # report.json's messages are English by contract (docs/report-format.md); renderers localise them
        assert f.message == was.message
    for f in report.findings:
        if f.tenant is None:
            assert f.remediation == wording.remediation(
                f.rule,
                finding_of(f.subject, f.skus, f.details),
                cloud=Cloud.WORLDWIDE,
                locale=Locale.NL,
                names=names,
            )


def test_report_md_agrees_with_report_json(merged_nl):
    """report.md speaks the merge's language: each rule's steps in Dutch (for users, "deze gebruiker"
    where several share them, or the user's name), a product's finding by its Dutch message, and
    never the tenant's English."""
    report, md, english = merged_nl
    names = named_products((row.sku, row.name) for row in report.skus)
    carried = _carried(report)
    for f in carried:
        was = english[f.tenant.id, f.tenant.finding_id].remediation["summary"]
        assert md_escape(clean(was, TEXT_LIMIT), limit=2000) not in md, f.rule
        assert md_escape(wording.title(f.rule, Locale.NL), limit=2000) in md, f.rule
        subject = f.subject
        if subject.type == "user":
            neutral = {"type": "user", "id": subject.id, "display_name": "deze gebruiker"}
            lasts = []
            for said in (neutral, subject):
                steps = wording.remediation(
                    f.rule,
                    finding_of(said, f.skus, f.details),
                    cloud=Cloud(report.tenant.cloud),
                    locale=Locale.NL,
                    names=names,
                )["steps"]
                last = clean(steps[-1], 2000) if steps else ""
                lasts += [last, last[:1].upper() + last[1:]]  # a step that begins with the user: a capital
            # in full, or by its opening where it says what an earlier step says of other names
            assert not lasts[0] or any(md_escape(s, limit=2000) in md for s in lasts + [opening(x) for x in lasts]), (
                f.rule
            )
        else:
            message = wording.message(f.rule, finding_of(subject, f.skus, f.details), locale=Locale.NL, names=names)
            # under a product's name, the message does not name the product again
            name, _ = subject_text(subject, names)
            assert md_escape(clean(without_name(message, name), TEXT_LIMIT), limit=2000) in md, f.rule
    assert "deze gebruiker" in md and "\\[Naam\\]" not in md


def test_unknown_rules_keep_what_they_carried(merged_nl):
    report, md, _ = merged_nl
    (future,) = [f for f in report.findings if f.rule == FUTURE["rule"]]
    assert future.remediation == FUTURE["remediation"] and future.message == FUTURE["message"]
    assert future.tenant.finding_id == FUTURE["id"]
    assert "Carried advice, kept as written\\." in md and "a message this version cannot write" in md


def test_malformed_details_in_a_tenant_report_exit_2_naming_the_field(tmp_path, capsys):
    docs = tenant_documents(40)
    for key in ("contoso", "fabrikam"):
        audit_tenant(docs[key], tmp_path / key)
    path = tmp_path / "fabrikam" / "report.json"
    doc = read(path)
    doc.findings[0].details = ["not", "an", "object"]
    path.write_text(json.dumps(doc, default=builtins), encoding="utf-8")
    capsys.readouterr()
    code = main(
        [
            "merge",
            str(tmp_path / "contoso"),
            str(tmp_path / "fabrikam"),
            "--policies",
            str(EXAMPLE),
            "--output-dir",
            str(tmp_path / "o"),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]
    )
    assert code == 2
    assert "Expected `object`, got `array` - at `$.findings[0].details`" in capsys.readouterr().err
