"""The CSV files are formula-safe under the list separator of every report language's country
(issue 85, point 8): Excel opens a CSV in the Netherlands, Denmark, Sweden and Turkey with `;`
between cells, so a `;` inside a cell starts a new one there. A display name `;=1+1` and a group
named `=cmd|' /C calc'!A0` (an `assigned_by` of `direct; =cmd...`) must start no formula, read
with either separator, in findings.csv and licensed-users.csv of a real audit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.report.csv_report import guard_cell
from tests.core.factory import sku, tenant, user

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
FORMULA = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")
GROUP = "=cmd|' /C calc'!A0"


def _cells(path: Path, separator: str) -> list[str]:
    """Every cell of `path` as a spreadsheet program splits it at `separator` (quotes honoured)."""
    text = path.read_text("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=separator) for cell in row]


def test_no_cell_starts_a_formula_under_either_list_separator(tmp_path: Path) -> None:
    doc = tenant(
        [
            user("a", "SPE_E3", displayName=";=1+1", accountEnabled=False),
            user("b", "SPE_E3", "SPE_E5", displayName="Bo, @SUM(A1)", accountEnabled=False),
            user("c", "SPE_E5", via="g1", displayName="Cy; -2+3", accountEnabled=False),
        ],
        skus=[sku("SPE_E3", 10, 2), sku("SPE_E5", 10, 2)],
        groups=[{"id": "g1", "displayName": GROUP, "assignedLicenses": [{"skuId": sku("SPE_E5")["skuId"]}]}],
    )
    # b holds E5 directly too, and through the group: its `assigned_by` is "direct; =cmd|..."
    doc["users"][1]["licenseAssignmentStates"].append(
        {"skuId": sku("SPE_E5")["skuId"], "assignedByGroup": "g1", "state": "Active", "error": "None"}
    )
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(doc), "utf-8")
    out = tmp_path / "out"
    argv = ["audit", "--snapshot", str(snapshot), "--policies", str(EXAMPLE), "--output-dir", str(out)]
    assert (
        main([*argv, "--format", "csv", "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never", "--allow-gaps"]) == 0
    )
    listed = {
        r["user_principal_name"]: r
        for r in csv.DictReader(io.StringIO((out / "licensed-users.csv").read_text("utf-8-sig")))
    }
    assert listed["b@contoso.example"]["assigned_by"] == "direct; '" + GROUP
    assert listed["a@contoso.example"]["display_name"] == ";'=1+1"
    names = {r["display_name"] for r in csv.DictReader(io.StringIO((out / "findings.csv").read_text("utf-8-sig")))}
    assert {";'=1+1", "Bo, '@SUM(A1)", "Cy; '-2+3"} <= names
    for name in ("findings.csv", "licensed-users.csv"):
        for separator in (",", ";"):
            unsafe = [c for c in _cells(out / name, separator) if c.lstrip(" ").startswith(FORMULA)]
            assert unsafe == [], (name, separator)


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("direct; =cmd", "direct; '=cmd"),
        (";=1+1", ";'=1+1"),
        ("a,\t+1", "a,\t'+1"),
        ("x;\uff1d1", "x;'\uff1d1"),
        ("Sales; Finance", "Sales; Finance"),
        ("=1;=2", "'=1;'=2"),
    ],
)
def test_guard_cell_guards_every_segment(text: str, guarded: str) -> None:
    assert guard_cell(text) == guarded
