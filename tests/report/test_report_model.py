"""report.json's typed parts (auditor/formats/report_model.py): the summary, the money and the
findings are Structs from the audit to the file and back, so a misspelt or mistyped field is refused where the
file is read, and the file is their encoding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from msgspec import UNSET

from auditor.common.errors import UsageError
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import Amount, Leave, Money, ReportDocument, ReportFinding, SeatRow, Summary, Tenant
from auditor.report.write import _stdlib_json, dump_json
from auditor.rules.hygiene.accounts import DisabledUserLicensed

GOLDEN = Path(__file__).parent / "__snapshots__" / "test_sample_report" / "test_sample_report[report.json].json"


def _golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text("utf-8"))
    return data


def test_the_golden_report_is_the_encoding_of_its_decoded_model() -> None:
    raw = GOLDEN.read_bytes()
    document = decode_report(raw, "report.json")
    assert isinstance(document.summary, Summary) and isinstance(document.money, Money)
    assert document.summary.reclaimable_monthly_cost == Amount(amount=611.9, currency="EUR")
    assert all(isinstance(f, ReportFinding) for f in document.findings)
    assert dump_json(document) == raw  # byte for byte: nothing of either part is lost or reordered


def test_the_standard_librarys_encoder_writes_the_same_bytes_as_orjson() -> None:
    """report.json is written by orjson; a value orjson refuses sends the whole file through the
    standard library's encoder (auditor.report.write): both give the same bytes, awkward text,
    floats and empty parts included."""
    document = decode_report(GOLDEN.read_bytes(), "report.json")
    odd = 'ø\u2028\x01 "quoted" <b>é</b> \U0001f600'
    document.warnings = [odd, ""]
    document.findings[0] = msgspec.structs.replace(
        document.findings[0], message=odd, details={"a": [1, 2.5, {"b": odd, "c": None, "d": []}], "e": {}}
    )
    document.skus[0].price_monthly = 33.75
    assert dump_json(document) == _stdlib_json(document)
    assert json.loads(dump_json(document))["warnings"] == [odd, ""]


def test_the_document_and_its_parts_are_read_by_attribute_never_by_key() -> None:
    data = _golden()
    data["sign_ins_read_at"] = "2026-10-31T06:00:00Z"  # the nightly's: kept, where the reader dropped it
    document = decode_report(json.dumps(data), "report.json")
    assert isinstance(document, ReportDocument) and isinstance(document.tenant, Tenant)
    assert all(isinstance(row, SeatRow) for row in document.skus)
    assert document.sign_ins_read_at == "2026-10-31T06:00:00Z"
    assert document.tenant.id == data["tenant"]["id"] and document.skus[0].sku == data["skus"][0]["sku"]
    assert document.findings[0].rule == data["findings"][0]["rule"]
    # a field not set is UNSET, and not written
    assert document.changes is UNSET and "changes" not in json.loads(dump_json(document))
    # no reading, asking or setting by key (issue 78): mypy checks every reader's names
    parts = [document, document.tenant, document.summary, document.money, document.skus[0], document.findings[0]]
    for part in parts:
        with pytest.raises(TypeError):
            part["findings"]  # type: ignore[index]
        assert not hasattr(part, "get") and not hasattr(part, "keys")
    with pytest.raises(TypeError):
        "changes" in document  # type: ignore[operator]  # noqa: B015
    with pytest.raises(TypeError):
        list(document)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        document["warnings"] = ["set by key"]  # type: ignore[index]
    assert document.warnings == data["warnings"]
    document.warnings = ["set by attribute"]
    assert document.warnings == ["set by attribute"]


def test_a_gap_without_its_reason_is_refused_naming_its_place() -> None:
    data = _golden()
    data["gaps"] = [{"part": "signInActivity", "request": "GET /users"}]
    with pytest.raises(UsageError, match=r"missing required field `reason` - at `\$\.gaps\[0\]`"):
        decode_report(json.dumps(data), "report.json")


def test_a_misspelt_summary_field_is_refused_naming_its_place() -> None:
    data = _golden()
    data["summary"]["unwaivd"] = data["summary"].pop("unwaived")
    with pytest.raises(UsageError, match=r"report\.json: .*missing required field `unwaived` - at `\$\.summary`"):
        decode_report(json.dumps(data), "report.json")


def test_a_mistyped_money_field_is_refused_naming_its_place() -> None:
    data = _golden()
    data["money"]["plan"]["net_monthly"] = "a lot"
    with pytest.raises(UsageError, match=r"report\.json: .*at `\$\.money\.plan\.net_monthly`"):
        decode_report(json.dumps(data), "report.json")
    data = _golden()
    data["money"]["bill"]["leaves"] = [{"from": "2026-12-01", "sku": "SPE_E3", "seats": 2}]  # no `monthly`
    with pytest.raises(UsageError, match=r"missing required field `monthly` - at `\$\.money\.bill\.leaves\[0\]`"):
        decode_report(json.dumps(data), "report.json")


def test_a_day_of_the_bill_keeps_its_json_name_and_its_uplift_only_when_set() -> None:
    data = _golden()
    leaves = [
        {"from": "2026-12-01", "sku": "SPE_E3", "seats": 2, "monthly": 67.5, "uplift": "est"},
        {"from": None, "sku": "EMS", "seats": 1, "monthly": 10.6},
    ]
    data["money"]["bill"]["leaves"] = leaves
    document = decode_report(json.dumps(data), "report.json")
    assert isinstance(document.money, Money)
    assert document.money.bill.leaves == [
        Leave(from_="2026-12-01", sku="SPE_E3", seats=2, monthly=67.5, uplift="est"),
        Leave(from_=None, sku="EMS", seats=1, monthly=10.6),
    ]
    assert json.loads(dump_json(document))["money"]["bill"]["leaves"] == leaves


def test_a_finding_is_read_into_its_struct_with_what_it_leaves_out_unset() -> None:
    document = decode_report(GOLDEN.read_bytes(), "report.json")
    first = document.findings[0]
    assert (first.rule, first.severity, first.waived) == (DisabledUserLicensed.id, "high", False)
    assert first.subject.type == "user" and isinstance(first.details, dict)
    assert first.change is UNSET and "change" not in json.loads(dump_json(document))["findings"][0]


@pytest.mark.parametrize(
    ("field", "misspelt"),
    [("severity", "severty"), ("waived", "waivd"), ("message", "mesage"), ("remediation", "remedation")],
)
def test_a_misspelt_finding_field_is_refused_naming_its_place(field: str, misspelt: str) -> None:
    data = _golden()
    data["findings"][2][misspelt] = data["findings"][2].pop(field)
    with pytest.raises(UsageError, match=rf"missing required field `{field}` - at `\$\.findings\[2\]`"):
        decode_report(json.dumps(data), "report.json")


def test_a_mistyped_finding_field_is_refused_naming_its_place() -> None:
    data = _golden()
    data["findings"][1]["severity"] = "urgent"
    with pytest.raises(UsageError, match=r"report\.json: .*at `\$\.findings\[1\]\.severity`"):
        decode_report(json.dumps(data), "report.json")
    data = _golden()
    del data["findings"][0]["subject"]["id"]
    with pytest.raises(UsageError, match=r"missing required field `id` - at `\$\.findings\[0\]\.subject`"):
        decode_report(json.dumps(data), "report.json")
