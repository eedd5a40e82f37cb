"""findings.csv: every finding, one row each, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec
import pytest

from auditor.cross_tenant.rules import SeatsRebalanceAcrossTenants
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument
from auditor.plan.summary import header_plan
from auditor.render.text import clean
from auditor.report.csv_report import COLUMNS, guard_cell, render_csv
from auditor.report.view.states import document_truth
from auditor.report.write import RenderOptions, render
from auditor.rules.assignments import SkuForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.seats import SpareSeatsOverLimit

from .report_fixtures import FORMULA_NAME, FakeGuidance


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_finding_in_document_order(sample: ReportDocument, guidance: FakeGuidance) -> None:
    table = rows(render_csv(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=guidance))
    assert [r["id"] for r in table if r["severity"] != "incomplete"] == [f.id for f in sample.findings]
    assert list(table[0]) == list(COLUMNS)


def test_columns_carry_the_worklist(sample: ReportDocument, guidance: FakeGuidance) -> None:
    table = rows(render_csv(sample, locale=Locale.NL, cloud=Cloud.CHINA, wording=guidance))
    waived = next(r for r in table if r["rule"] == SkuForbidden.id and r["waived"] == "true")
    assert waived["subject"] == "alice@contoso.example"
    assert waived["display_name"] == "Alice Andersen"
    assert waived["waiver_reason"] == "Approved by CISO"
    assert waived["waiver_expires"] == "2027-01-31"
    assert waived["monthly_cost"] == "57.00" and waived["currency"] == "EUR"
    assert waived["message"] == "[nl] Alice Andersen breaks sku-forbidden with SPE_E5"
    assert waived["remediation"] == "[nl/china] fix sku-forbidden for alice@contoso.example"
    # one row per finding: how many calls, how many ready, and the first ready one
    assert (waived["actions"], waived["actions_ready"]) == ("1", "1")
    assert waived["action_method"] == "POST"
    assert waived["action_path"] == "/users/11111111-0000-0000-0000-000000000001/assignLicense"
    assert json.loads(waived["action_body"]) == {"addLicenses": [], "removeLicenses": ["SPE_E5"]}
    group = next(r for r in table if r["rule"] == DisabledUserLicensed.id)
    assert group["assigned_by_group"] == "SPE_E3: All Staff"
    sku = next(r for r in table if r["rule"] == SpareSeatsOverLimit.id)
    assert (sku["subject_type"], sku["subject"], sku["action_method"], sku["actions"]) == ("sku", "SPE_E5", "", "0")
    # a rule the catalog does not know keeps the document's own text
    merged = next(r for r in table if r["rule"] == SeatsRebalanceAcrossTenants.id)
    assert merged["message"] == "SPE_E3 breaks seats-rebalance-across-tenants"


def test_formula_injection_is_neutralised(sample: ReportDocument, guidance: FakeGuidance) -> None:
    table = rows(render_csv(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=guidance))
    row = next(r for r in table if r["display_name"].startswith("'="))
    assert row["display_name"] == "'" + FORMULA_NAME
    assert row["subject"] == "'=cmd@contoso.example"
    for r in table:
        for name, value in r.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)


def test_guard_cell() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert guard_cell(dangerous) == "'" + dangerous
    assert guard_cell("alice") == "alice"
    assert guard_cell("") == ""
    assert guard_cell("a-b") == "a-b"


@pytest.mark.parametrize(
    "dangerous",
    [
        " =1+1",
        "  +1",
        "\n-1",
        " \t@SUM(A1)",
        "\u3000=1",  # whitespace first
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
        " \uff1dHYPERLINK()",
    ],
)
def test_guard_cell_sees_past_leading_whitespace_and_full_width_signs(dangerous: str) -> None:
    assert guard_cell(dangerous) == "'" + dangerous


def test_a_display_name_with_a_spaced_formula_is_guarded_in_the_file(
    tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance
) -> None:
    sample.findings[0].subject = msgspec.structs.replace(
        sample.findings[0].subject, display_name=' \uff1dHYPERLINK("http://x")'
    )
    (path,) = render(sample, tmp_path, RenderOptions(formats=["csv"], wording=guidance))
    assert "' \uff1dHYPERLINK" in path.read_text(encoding="utf-8-sig")


def test_written_with_bom_and_crlf(tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance) -> None:
    (path,) = render(sample, tmp_path, RenderOptions(formats=["csv"], wording=guidance))
    raw = path.read_bytes()
    assert path.name == "findings.csv"
    assert raw.startswith(b"\xef\xbb\xbfid,rule,severity,")
    assert raw.count(b"\r\n") == len(sample.findings) + 2  # header, one "incomplete" row, findings
    assert "Gülşen Öztürk" in raw.decode("utf-8-sig")


@pytest.mark.parametrize(
    "name",
    [
        "",
        "alice",
        "a-b",
        "=1",
        " =1",
        "\u3000+1",
        "\u00a0-1",
        "\uff20x",
        "\tx",
        "x\ty",
        "\u202eevil",
        "é" * 40_000,
        12345,
        None,
        " plain",
        "-",
        "@",
        "'=already",
    ],
)
def test_each_cell_is_cleaned_then_guarded(
    tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance, name: object
) -> None:
    """Whatever a display name holds, its cell is what clean (one visible line, at most the cell
    limit) and then guard_cell make of it: the usual cell passes as it is, no other escapes."""
    sample.findings[0].subject = msgspec.structs.replace(sample.findings[0].subject, display_name=name)
    table = rows(render_csv(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=guidance))
    row = next(r for r in table if r["id"] == sample.findings[0].id)
    assert row["display_name"] == guard_cell(clean(name or "", 32_000))


def test_a_worklist_of_thousands_keeps_every_row_in_order(
    tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance
) -> None:
    """Rows are written in batches: none is lost or repeated at a batch's edge."""

    base = sample.findings
    sample.findings = [msgspec.structs.replace(base[i % len(base)], id=f"f{i:05d}") for i in range(2345)]
    (path,) = render(sample, tmp_path, RenderOptions(formats=["csv"], wording=guidance))
    table = rows(path.read_text(encoding="utf-8-sig"))
    assert [r["id"] for r in table if r["severity"] != "incomplete"] == [f"f{i:05d}" for i in range(2345)]
    assert path.read_bytes().decode("utf-8-sig") == render_csv(
        sample,
        locale=Locale.EN,
        cloud=Cloud.WORLDWIDE,
        wording=guidance,
        truth=document_truth(sample, header_plan(sample)),
    )
