"""report.json schema 3: each remediation text stored once, findings refer to it (auditor.remediations).

The size of report.json grows with the findings' facts, not with their remediation text; every
reader (renderers, --baseline, merge, plan) gets back exactly what schema 2 carried inline.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor import guidance
from auditor.cli import main
from auditor.engine import evaluate
from auditor.errors import UsageError
from auditor.model import AuditResult, Cloud, Locale, SubjectType
from auditor.plan import compile_plan
from auditor.plan.read import load_report
from auditor.policy.load import load_policies
from auditor.remediations import (
    SCHEMA_VERSION,
    SHARED_DETAILS,
    Reader,
    expand,
    factor,
    fill,
    literal,
    loads,
    remediation_of,
    subject_label,
    to_template,
)
from auditor.report import compare, dump_json
from auditor.report.document import build_document
from auditor.snapshot import load_snapshot

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "policies" / "example.yaml"
AS_OF = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
# report.json bytes per finding at most (facts, actions by reference; the benchmark's million-user
# tenant averages about 960 with its shared texts, so 30,607 findings stay under 30 MB)
BYTES_PER_FINDING = 1_000


@pytest.fixture(scope="module")
def sample_result() -> AuditResult:
    return evaluate(load_policies([str(EXAMPLE)]), load_snapshot(SAMPLE), AS_OF)


def _many(result: AuditResult, copies: int) -> AuditResult:
    """The sample's user findings, each repeated for `copies` other users (as a large tenant has them)."""
    findings = []
    for n in range(copies):
        for f in result.findings:
            if f.subject.type is not SubjectType.USER:
                continue
            subject = replace(f.subject, id=f"{n:08d}-0000-4000-8000-{f.subject.id[-12:]}",
                              upn=f"user{n:06d}@contoso.example", display_name=f"Person {n:06d}")
            findings.append(replace(f, id=f"{n:08x}{f.id[8:]}", subject=subject))
    return replace(result, findings=tuple(findings))


def _inline(document: dict[str, Any]) -> dict[str, Any]:
    """The document as schema 2 wrote it: each finding's remediation in full."""
    doc = copy.deepcopy(document)
    for f in doc["findings"]:
        f["remediation"] = remediation_of(document, f)
    doc.pop("remediations")
    doc["schema_version"] = 2
    return doc


def test_report_json_grows_with_facts_not_with_remediation_text(sample_result: AuditResult) -> None:
    small = build_document(_many(sample_result, 5), generated_at=AS_OF, remediate=guidance.remediation_template)
    large = build_document(_many(sample_result, 200), generated_at=AS_OF, remediate=guidance.remediation_template)
    assert len(large["findings"]) == 40 * len(small["findings"]) > 4000
    assert large["remediations"].keys() == small["remediations"].keys()  # the same texts, not 40 times as many
    text = dump_json(large)
    shared = len(dump_json({"remediations": large["remediations"]}))
    shared += len(orjson.dumps(factor(large["findings"])[0]))
    per_finding = (len(text) - shared) / len(large["findings"])
    assert per_finding < BYTES_PER_FINDING, per_finding
    assert len(dump_json(_inline(large))) > 4 * len(text)  # what schema 2 wrote
    assert loads(text) == json.loads(json.dumps(large))


def test_every_finding_reads_back_its_own_remediation(sample_result: AuditResult) -> None:
    for locale, cloud in ((Locale.EN, Cloud.WORLDWIDE), (Locale.NL, Cloud.CHINA)):
        doc = build_document(_many(sample_result, 3), generated_at=AS_OF, locale=locale, cloud=cloud,
                             remediate=guidance.remediation_template)
        doc = loads(dump_json(doc))
        for f in doc["findings"]:
            want = guidance.remediation(f["rule"], cloud=cloud, locale=locale, subject=f["subject"], skus=f["skus"],
                                        details=f["details"], names={r["sku"]: r["name"] for r in doc["skus"]
                                                                     if r["name"] != r["sku"]})
            assert remediation_of(doc, f) == want, f["rule"]
            assert f["remediation"].keys() == {"ref"}
        assert any(f["subject"]["upn"] in json.dumps(remediation_of(doc, f)) for f in doc["findings"])


@pytest.mark.parametrize("name", ["{user}", "{user_ref}", "{{user}}", "a}b{c", "{0}", "{user.__class__}"])
def test_braces_in_tenant_text_stay_text(name: str) -> None:
    subject = {"type": "user", "id": "id-1", "upn": "ann@contoso.example", "display_name": name}
    sentinel = "\x00label\x00"  # as the memo computes a template: a brace-free sentinel for the user
    body = {"summary": f"Remove {sentinel} from group {name}", "path": "/users/id-1", "n": 1, "k": {name: name}}
    made = fill(to_template(body, {sentinel: "{user}"}), subject)
    assert made["summary"] == f"Remove {subject_label(subject)} from group {name}"
    assert made["k"] == {name: name}
    assert fill(literal(body).body, subject) == body


def test_a_document_built_by_hand_reads_back_each_findings_own_remediation() -> None:
    ann = {"type": "user", "id": "id-1", "upn": "ann@contoso.example", "display_name": "Ann"}
    bob = {"type": "user", "id": "id-2", "upn": "bob@contoso.example", "display_name": "Bob"}
    doc = {"remediations": {
        "json": {"summary": "Remove {user}", "actions": [{"path": "/users/{user_ref}/assignLicense"}]},
        "not-json": {"summary": "Remove {user}", "tags": {"a"}},  # a set: orjson cannot write it
    }}
    reader = Reader(doc)
    for _ in range(2):  # the second time from the prepared templates
        assert reader.of({"remediation": {"ref": "json"}, "subject": ann}, ("actions",)) == {
            "actions": [{"path": "/users/id-1/assignLicense"}]}
        bobs = reader.of({"remediation": {"ref": "json"}, "subject": bob})
        assert bobs["summary"] == "Remove Bob (bob@contoso.example)"
        assert reader.of({"remediation": {"ref": "not-json"}, "subject": bob}) == {
            "summary": "Remove Bob (bob@contoso.example)", "tags": {"a"}}
        assert reader.of({"remediation": {"ref": "missing"}, "subject": bob}) is None
        assert reader.of({"remediation": {"summary": "inline"}, "subject": bob}) == {"summary": "inline"}


def test_a_group_named_like_a_placeholder_is_not_filled_in(tmp_path: Path) -> None:
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for group in doc["groups"]:
        if group["displayName"] == "All Office Staff":
            group["displayName"] = "{user} {user_ref} }{"
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["audit", "--snapshot", str(snapshot), "--policies", str(EXAMPLE), "--output-dir", str(out),
                 "--format", "json", "--as-of", "2026-11-01T06:00:00Z"]) == 1
    report = loads((out / "report.json").read_bytes())
    tove = next(f for f in report["findings"] if f["subject"].get("display_name") == "Tove Jansen")
    text = remediation_of(report, tove)["summary"]
    assert "group {user} {user_ref} }{" in text and "Tove Jansen (user000007@contoso.example)" in text


def _audit(tmp_path: Path, name: str) -> dict[str, Any]:
    out = tmp_path / name
    assert main(["audit", "--snapshot", str(SAMPLE), "--policies", str(EXAMPLE), "--output-dir", str(out),
                 "--format", "json", "--as-of", "2026-11-01T06:00:00Z"]) == 1
    document: dict[str, Any] = loads((out / "report.json").read_bytes())
    assert document["schema_version"] == SCHEMA_VERSION
    return document


def test_plan_from_schema_3_equals_plan_from_the_same_report_inline(tmp_path: Path) -> None:
    document = _audit(tmp_path, "a")
    shared = compile_plan(document)
    assert shared == compile_plan(_inline(document))
    assert len(shared.changes) > 3 and shared.skipped


def test_baseline_of_any_schema_keeps_resolved_findings_remediation(tmp_path: Path) -> None:
    document = _audit(tmp_path, "a")
    gone = document["findings"][0]
    current = copy.deepcopy(document)
    current["findings"] = current["findings"][1:]
    for previous in (document, _inline(document)):
        result = compare(previous, current)
        (resolved,) = result["changes"]["resolved"]
        assert resolved["id"] == gone["id"]
        assert remediation_of(result, resolved) == remediation_of(document, gone)
        assert all(remediation_of(result, f) == remediation_of(document, f) for f in result["findings"])
        again = compare(loads(dump_json(result)), current)  # a result is itself a baseline
        assert again["changes"]["resolved"] == [] and again["changes"]["persisting"] == len(current["findings"])
    inline_current = compare(document, _inline(current))  # a schema 2 document given as current
    assert all(f["remediation"].keys() == {"ref"} for f in inline_current["findings"])
    assert [remediation_of(inline_current, f) for f in inline_current["findings"]] == [
        remediation_of(current, f) for f in current["findings"]]


def test_each_finding_is_one_line_of_report_json(sample_result: AuditResult) -> None:
    document = build_document(_many(sample_result, 2), generated_at=AS_OF, remediate=guidance.remediation_template)
    lines = dump_json(document).decode().splitlines()
    start = lines.index('  "findings": [')
    rows = lines[start + 1:start + 1 + len(document["findings"])]
    assert [json.loads(row.strip().rstrip(",")) for row in rows] == json.loads(
        json.dumps(factor(document["findings"])[1]))
    assert lines[start + 1 + len(document["findings"])] == "  ]"
    assert '  "remediations": {' in lines and lines[0] == "{" and lines[-1] == "}"


def test_what_findings_share_is_stored_once_and_read_back_whole(sample_result: AuditResult, tmp_path: Path) -> None:
    """Schema 4: policy, message and how the products are held are one block per distinct value;
    each finding names its block where `policy` stood, and every reader gets the finding whole."""
    document = build_document(_many(sample_result, 50), generated_at=AS_OF, remediate=guidance.remediation_template)
    on_disk = json.loads(dump_json(document))
    assert len(on_disk["shared"]) < len(on_disk["findings"]) / 10
    first = on_disk["findings"][0]
    assert list(first)[:4] == ["id", "rule", "severity", "shared"] and "message" not in first
    assert not SHARED_DETAILS & first["details"].keys()
    assert json.dumps(loads(dump_json(document))) == json.dumps(document)  # key order too
    assert list(loads(dump_json(document))["findings"][0]) == list(document["findings"][0])
    broken = dict(on_disk, findings=[dict(first, shared="0000000000000000")])
    path = tmp_path / "report.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(UsageError, match=r"findings\[0\]\.shared: '0000000000000000' is not a block of `shared`"):
        load_report(path)


def test_findings_not_written_by_this_tool_stay_whole() -> None:
    """A finding without `policy` or `details` (merge carries what a tenant's report held) is
    written as it is, and a `shared` named without a table is an error, not a silent loss."""
    odd = [{"id": "a", "rule": "r", "message": "hello", "details": {"sku_ids": {"X": "1"}}},
           {"id": "b", "rule": "r", "policy": "p", "message": "m"},
           {"id": "c", "rule": "r", "policy": "p", "message": "m", "details": None}]
    table, written = factor(odd)
    assert table == {} and written == odd
    assert expand({"findings": [{"id": "a", "shared": "0123456789abcdef"}]}) == (
        "findings[0].shared: the report has no `shared` table")
