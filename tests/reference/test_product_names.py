"""Microsoft's product-names table, shipped as package data, and its refresh script."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.reference import DATA_FILE, DERIVED_FILE, derived, from_derived, parse, product_names
from auditor.reference.refresh import check, main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "auditor" / "reference" / DATA_FILE
READY = ROOT / "auditor" / "reference" / DERIVED_FILE


def test_known_products_and_plans_by_part_number_and_guid() -> None:
    names = product_names()
    assert names.product(part="SPE_E3") == "Microsoft 365 E3"
    assert names.product(sku_id="05E9A617-0261-4CEE-BB44-138D3EF5D965") == "Microsoft 365 E3"
    assert names.product(part="exchangestandard") == "Exchange Online (Plan 1)"
    assert names.plan(plan_name="EXCHANGE_S_ENTERPRISE") == "Exchange Online (Plan 2)"
    assert names.product(part="NOT_A_REAL_SKU") is None
    assert len(names.by_sku_id) >= 600


def test_stray_whitespace_is_stripped_and_the_first_row_wins() -> None:
    text = (
        "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,"
        "Service_Plans_Included_Friendly_Names\n"
        "Old name,SKU_X\t,11111111-1111-1111-1111-111111111111,P1,22222222-2222-2222-2222-222222222222,Plan one\n"
        "New name,SKU_X,33333333-3333-3333-3333-333333333333,P1,22222222-2222-2222-2222-222222222222,Plan 1\n"
    )
    names = parse(text.splitlines())
    assert names.product(part="SKU_X") == "Old name"  # a tie: the first row
    assert names.product(sku_id="33333333-3333-3333-3333-333333333333", part="SKU_X") == "New name"
    assert names.plan(plan_id="22222222-2222-2222-2222-222222222222") == "Plan one"


def test_a_table_without_its_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="missing column"):
        parse(["Name,Id", "a,b"])


def test_refresh_checks_before_it_replaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / DATA_FILE
    assert main(["--from", str(SHIPPED), "--output", str(out)]) == 0
    assert parse(out.read_text("utf-8").splitlines()) == parse(SHIPPED.read_text("utf-8-sig").splitlines())
    truncated = tmp_path / "truncated.csv"
    truncated.write_text("\n".join(SHIPPED.read_text("utf-8-sig").splitlines()[:50]), "utf-8")
    assert main(["--from", str(truncated), "--output", str(out)]) == 2
    assert "expected at least" in capsys.readouterr().err
    assert check(SHIPPED.read_text("utf-8-sig")) >= 600
    assert main(["--url", "http://example.invalid/x.csv", "--output", str(out)]) == 2  # https only, no request


def test_the_shipped_lookups_are_those_of_the_shipped_table() -> None:
    data = SHIPPED.read_bytes()
    assert READY.read_text("utf-8") == derived(data), (
        "run: python -m auditor.reference.refresh --from auditor/reference/product-names-and-service-plans.csv"
    )
    assert product_names() == parse(data.decode("utf-8-sig").splitlines())


def test_lookups_built_from_another_table_are_not_used(tmp_path: Path) -> None:
    data = SHIPPED.read_bytes()
    assert from_derived(READY.read_text("utf-8"), data) == parse(data.decode("utf-8-sig").splitlines())
    assert from_derived(READY.read_text("utf-8"), data.replace(b"Microsoft 365 E3", b"M365 E3")) is None
    out = tmp_path / DATA_FILE  # the refresh writes both files
    assert main(["--from", str(SHIPPED), "--output", str(out)]) == 0
    assert (tmp_path / DERIVED_FILE).read_text("utf-8") == READY.read_text("utf-8")
