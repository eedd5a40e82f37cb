"""--baseline: new / persisting / resolved findings, with first_seen carried forward."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from msgspec import UNSET

from auditor.common.errors import UsageError
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import BaselineChanges, ReportDocument, builtins
from auditor.report.baseline import compare, load_baseline
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.view import PageContext
from auditor.rules.assignments import SkuCombinationForbidden, SkuForbidden
from auditor.rules.hygiene.accounts import GuestLicensed, InactiveUserLicensed

from .report_fixtures import FakeGuidance, build_sample


def runs() -> tuple[ReportDocument, ReportDocument]:
    previous = build_sample(complete=True)
    previous.generated_at = previous.as_of = "2026-11-21T03:00:00Z"
    current = build_sample(complete=True)
    # fixed since yesterday: the guest; new today: a changed SKU set for Alice's combination
    current.findings = [f for f in current.findings if f.rule != GuestLicensed.id]
    combo = next(f for f in current.findings if f.rule == SkuCombinationForbidden.id)
    combo.id = "ffffffffffffffff"
    return previous, current


def test_marks_new_persisting_and_resolved() -> None:
    previous, current = runs()
    result = compare(previous, current)
    by_id = {f.id: f for f in result.findings}
    assert by_id["ffffffffffffffff"].change == "new"
    assert by_id["ffffffffffffffff"].first_seen == "2026-11-22T03:00:00Z"
    persisting = [f for f in result.findings if f.change == "persisting"]
    assert len(persisting) == len(current.findings) - 1
    assert {f.first_seen for f in persisting} == {"2026-11-21T03:00:00Z"}
    changes = result.changes
    assert isinstance(changes, BaselineChanges)
    assert (changes.new, changes.persisting) == (1, len(persisting))
    assert sorted(f.rule for f in changes.resolved) == [GuestLicensed.id, SkuCombinationForbidden.id]
    assert {f.change for f in changes.resolved} == {"resolved"}
    assert changes.unverified == []
    assert changes.baseline_generated_at == "2026-11-21T03:00:00Z"
    assert current.findings[0].change is UNSET  # the input is not modified


def test_first_seen_is_carried_forward_across_runs() -> None:
    previous, current = runs()
    second = compare(previous, current)
    third_input = copy.deepcopy(current)
    third_input.generated_at = third_input.as_of = "2026-11-23T03:00:00Z"
    third = compare(second, third_input)
    new_yesterday = next(f for f in third.findings if f.id == "ffffffffffffffff")
    assert new_yesterday.change == "persisting"
    assert new_yesterday.first_seen == "2026-11-22T03:00:00Z"
    oldest = next(f for f in third.findings if f.rule == SkuForbidden.id)
    assert oldest.first_seen == "2026-11-21T03:00:00Z"


def test_first_seen_is_the_date_the_report_is_dated_by_not_when_it_was_written() -> None:
    """A report of a saved snapshot (or the demo) as of Nov 1, written on Nov 27: its findings are new
    as of Nov 1, and the next run's report says "Open since Nov 1", never a day after its own date."""
    previous, current = runs()
    previous.as_of, previous.generated_at = "2026-11-01T06:00:00Z", "2026-11-27T02:00:00Z"
    current.as_of, current.generated_at = "2026-11-02T06:00:00Z", "2026-11-27T03:00:00Z"
    result = compare(previous, current)
    assert {f.first_seen for f in result.findings if f.change == "persisting"} == {"2026-11-01T06:00:00Z"}
    assert next(f for f in result.findings if f.change == "new").first_seen == "2026-11-02T06:00:00Z"
    md = render_page(MARKDOWN, result, PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    assert "Open since Nov 1, 2026" in md and "Open since Nov 27" not in md


def test_findings_of_rules_not_evaluated_are_not_resolved() -> None:
    previous, _ = runs()
    current = build_sample(complete=False)  # inactive-user-licensed not evaluated this time
    current.findings = [f for f in current.findings if f.rule != InactiveUserLicensed.id]
    result = compare(previous, current)
    assert isinstance(result.changes, BaselineChanges)
    assert [f.rule for f in result.changes.resolved] == []
    assert {f.rule for f in result.changes.unverified} == {InactiveUserLicensed.id}
    html = render_page(HTML, result, PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    assert "Not re-checked" in html and "Earlier findings not re-checked" in html


def test_reports_lead_with_changes() -> None:
    previous, current = runs()
    result = compare(previous, current)
    html = render_page(HTML, result, PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    markdown = render_page(MARKDOWN, result, PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    for text in (html, markdown):
        assert text.index("Changes since the previous run") < text.index("Summary")
        assert "Resolved findings" in text and "New findings" in text
    assert "Open since Nov 21, 2026" in html
    assert "Compared with the report generated Nov 21, 2026, 03:00 UTC." in html


def test_rejects_another_tenant() -> None:
    previous, current = runs()
    previous.tenant.id = "00000000-0000-0000-0000-00000000beef"
    with pytest.raises(UsageError, match="baseline report is for tenant"):
        compare(previous, current)


def test_load_baseline_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(UsageError, match=r"nope\.json: baseline report not found"):
        load_baseline(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 5,\n "findings": [', encoding="utf-8")
    with pytest.raises(UsageError, match=r"broken.json:2:\d+: not valid JSON"):
        load_baseline(broken)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema_version": 7, "findings": []}), encoding="utf-8")
    with pytest.raises(UsageError, match="unsupported report schema_version 7"):
        load_baseline(other)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(build_sample(), default=builtins), encoding="utf-8")
    assert load_baseline(good).schema_version == 5
    # a report written before the first release: audit once more
    older = tmp_path / "older.json"
    before_release = msgspec.structs.replace(build_sample(), schema_version=1)
    older.write_text(json.dumps(before_release, default=builtins), encoding="utf-8")
    with pytest.raises(
        UsageError,
        match=r"older\.json: report schema_version 1 was written by a license-auditor "
        r"from before its first release.*run `license-auditor audit` once more",
    ):
        load_baseline(older)
    for bad in (True, 2.0, "2"):
        other.write_text(json.dumps({"schema_version": bad, "findings": []}), encoding="utf-8")
        with pytest.raises(UsageError, match="unsupported report schema_version"):
            load_baseline(other)


@pytest.mark.parametrize(
    "change",
    [{"tenant": "x"}, {"findings": [{"id": "a", "subject": "someone"}]}, {"findings": [{"id": "a", "rule": 3}]}],
)
def test_load_baseline_rejects_malformed_structure(tmp_path: Path, change: dict) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text(json.dumps({**msgspec.to_builtins(build_sample()), **change}), encoding="utf-8")
    with pytest.raises(UsageError, match=r"junk\.json"):
        load_baseline(junk)


@pytest.mark.parametrize("first_seen", ["yesterday", 3, "2026-13-01T00:00:00Z", "<script>"])
def test_load_baseline_rejects_a_first_seen_that_is_not_a_date(tmp_path: Path, first_seen: Any) -> None:
    """It used to be copied into the new report as it was."""
    doc = build_sample()
    doc.findings[0].first_seen = first_seen
    junk = tmp_path / "junk.json"
    junk.write_text(json.dumps(doc, default=builtins), encoding="utf-8")
    fid = doc.findings[0].id
    wrong = rf"(finding '{fid}': first_seen .* is not|.* at `\$\.findings\[0\]\.first_seen`)"  # text, or its type
    with pytest.raises(UsageError, match=rf"junk\.json: {wrong}"):
        load_baseline(junk)
    doc.findings[0].first_seen = "2026-10-01T06:00:00Z"
    junk.write_text(json.dumps(doc, default=builtins), encoding="utf-8")
    assert load_baseline(junk).findings[0].first_seen == "2026-10-01T06:00:00Z"


def test_a_waived_finding_is_found_not_open() -> None:
    """Native review 7, E14: "Chief Executive · Open since Nov 1, 2026 | … | Waived": a finding cannot be both
    open and waived. A waived finding carries the day it was found."""
    previous, current = runs()
    previous.as_of, current.as_of = "2026-11-01T06:00:00Z", "2026-11-02T06:00:00Z"
    for f in (*previous.findings, *current.findings):
        f.waived = True
    result = compare(previous, current)
    assert any(f.change == "persisting" for f in result.findings)
    md = render_page(MARKDOWN, result, PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    assert "Found on Nov 1, 2026" in md and "Open since" not in md
