"""`audit --tenants` with what the partner was invoiced (issue 97, point 3): the demo reads Microsoft's
invoice from the export's stand-in (through the real SDK adapter, its operation polled on the virtual
clock) and Pax8's latest invoice from the Pax8 stand-in, and each tenant's invoice.json sets them beside
its seats; an invoice that cannot be read is each tenant's named gap, never an empty invoice. The roll-up
(tenants.json's `invoices`, the cell of tenants.md and digest.html) names each invoice's differences and
what it charges for them, or its gap, never "no differences"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import msgspec
import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.delivery.matrix import TenantJob
from auditor.fleet import invoice_cells, invoice_reads
from auditor.fleet.arguments import InvoiceOptions
from auditor.fleet.rollup import Outcome
from auditor.fleet.rollup_model import TenantRow
from auditor.formats.report_model import builtins
from auditor.i18n import translations
from tests.demo_runs import DemoRuns
from tests.report.report_fixtures import build_sample

pytestmark = pytest.mark.usefixtures("virtual_graph_time")
GAP = "the tenants file has no `partner:` block: the partner's tenant is not known"


def _row(invoices: object) -> TenantRow:
    """A roll-up row with the one field the invoice's cell reads."""
    return cast(TenantRow, {"invoices": invoices})


def _rows(path: Path, source: str) -> dict[str | None, dict[str, object]]:
    doc = json.loads(path.read_text("utf-8"))
    section = next(s for s in doc["invoices"] if s["source"] == source)
    assert section["gap"] is None
    return {r["sku"]: r for r in section["rows"]}


def test_the_demo_sets_both_invoices_beside_the_seats(demo_runs: DemoRuns, capsys: pytest.CaptureFixture[str]) -> None:
    out = demo_runs.fleet()  # the session's `audit --demo --tenants`: exit 1, the samples' findings
    err = capsys.readouterr().err
    assert "license-auditor: Microsoft's invoice G016907411: 3 lines read" in err
    assert (
        "fabrikam: Microsoft's invoice G016907411: 3 products invoiced, 3 differently from the seats the tenant "
        "holds" in err
    )
    assert "contoso: Microsoft's invoice G016907411: none of its lines is this customer's" in err

    fabrikam = _rows(out / "fabrikam" / "invoice.json", "microsoft")
    e3 = fabrikam["SPE_E3"]
    assert (e3["assigned"], e3["enabled"], e3["invoiced"], e3["amount"]) == (40, 52, 55, 1856.25)
    assert e3["psa_billed"] == 45  # Fabrikam's Autotask bills 45: the MSP is invoiced for 10 it does not bill
    assert e3["differences"] == ["invoiced_more", "invoiced_unassigned", "invoiced_not_billed"]
    assert fabrikam["POWER_BI_PRO"]["differences"] == ["invoiced_unassigned"]
    assert fabrikam[None]["product"] == "Microsoft Defender for Business"
    assert fabrikam[None]["differences"] == ["not_matched"]
    assert fabrikam["EXCHANGESTANDARD"]["invoiced"] is None  # held, on no line: no figure, no difference
    assert fabrikam["EXCHANGESTANDARD"]["differences"] == []

    contoso = _rows(out / "contoso" / "invoice.json", "pax8")
    assert (contoso["SPE_E3"]["invoiced"], contoso["SPE_E3"]["amount"]) == (210, 6384.0)  # 210 seats at 30.40
    assert contoso["POWER_BI_PRO"]["differences"] == ["invoiced_fewer"]
    # the three-way table's columns beside the invoice: Pax8 invoices 210 E3 seats, the PSA bills 200
    e3 = contoso["SPE_E3"]
    assert (e3["distributor_billed"], e3["psa_billed"], e3["invoiced"]) == (210, 200, 210)
    assert "invoiced_not_billed" in e3["differences"]
    assert all(r["invoiced"] is None for r in _rows(out / "contoso" / "invoice.json", "microsoft").values())

    # the roll-up: each invoice's differences named, and what it charges the MSP for them
    rollup = {t["key"]: t["invoices"] for t in json.loads((out / "tenants.json").read_text("utf-8"))["tenants"]}
    direct = rollup["fabrikam"][0]
    assert (direct["source"], direct["invoice_id"], direct["gap"]) == ("microsoft", "G016907411", None)
    assert (direct["invoiced"], direct["differences"]) == (3, 3)
    assert [p["product"] for p in direct["products"]] == [
        "Power BI Pro", "Microsoft 365 E3", "Microsoft Defender for Business",
    ]  # fmt: skip
    # E3: 15 of its 55 seats held by nobody (15/55 of €1,856.25), Power BI Pro's 2 of 2; 10 the PSA does not bill
    assert (direct["unheld_amount"], direct["unbilled_amount"], direct["unmatched_amount"]) == (530.45, 337.5, 8.1)
    assert direct["not_held_amount"] is None and direct["currency"] == "EUR"
    none, pax8 = rollup["contoso"]
    assert (none["invoiced"], none["differences"], none["products"]) == (0, 0, [])  # no line is Contoso's
    assert pax8["kinds"] == {
        "invoiced_fewer": 1, "invoiced_more": 1, "invoiced_not_billed": 2, "invoiced_unassigned": 3, "not_matched": 1,
    }  # fmt: skip
    # 10 E3 seats the PSA does not bill, at Pax8's €30.40: the PSA's "you pay for 10 seats you do not bill, €304.00";
    # and F3's 49 at €2.03, which no agreement bills (€99.47), 3 of them held by nobody (€6.09)
    assert (pax8["unheld_amount"], pax8["unbilled_amount"], pax8["unmatched_amount"]) == (465.39, 403.47, 128.0)
    table = (out / "tenants.md").read_text("utf-8").replace("\\", "")
    assert (
        "Microsoft: 3 (Power BI Pro, Microsoft 365 E3, Microsoft Defender for Business) · invoiced to you: €530.45 "
        "for seats nobody holds, €337.50 for seats you do not bill the customer, €8.10 for products that match "
        "none of the tenant's products"
    ) in table
    assert "Microsoft: no line of the invoice is this customer's; Pax8: 5 (" in table
    assert "€465.39 for seats nobody holds" in (out / "digest.html").read_text("utf-8")


def test_an_invoice_that_cannot_be_read_is_each_tenants_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reads = invoice_reads.read(InvoiceOptions(microsoft="G016907411"), partner=None, auth=None, env={})
    assert reads[0].gap == GAP
    job = TenantJob("fabrikam", "Fabrikam", "00000000-0000-0000-0000-0000000000fa", "", "worldwide", "", "", "", "")
    (tmp_path / "fabrikam").mkdir()
    seats = [{"sku": "SPE_E3", "sku_id": "05e9a617-0261-4cee-bb44-138d3ef5d965", "consumed": 40, "enabled": 52}]
    (tmp_path / "fabrikam" / "report.json").write_text(_whole(skus=seats), "utf-8")
    written = invoice_reads.run([Outcome(job, "ok", 0, None, 1.0, None)], tmp_path, reads)
    doc = json.loads(written[0].read_text("utf-8"))["invoices"][0]
    assert doc["gap"] == GAP
    assert doc["rows"] == [
        {
            "sku": "SPE_E3",
            "product": "Microsoft 365 E3",
            "assigned": 40,
            "enabled": 52,
            "distributor_billed": None,
            "psa_billed": None,
            "invoiced": None,
            "amount": None,
            "currency": None,
            "differences": [],
        }
    ]
    said = "fabrikam: Microsoft's invoice G016907411: not compared: " + GAP
    assert said in capsys.readouterr().err

    # the roll-up shows the gap, never "no differences"
    found = invoice_cells.invoice_figures(tmp_path / "fabrikam")
    assert found == [
        {"source": "microsoft", "invoice_id": "G016907411", "gap": GAP, "invoiced": None, "differences": None}
    ]
    cell = invoice_cells.invoice_cell(_row(found), translations(Locale.EN), Locale.EN)
    assert cell == f"Microsoft: not read, not compared: {GAP}"
    assert invoice_cells.row_ok(found)
    assert not invoice_cells.row_ok([{**found[0], "differences": 0}])  # a gap read as none: refused


def _whole(**parts: object) -> str:
    """A report.json as the audit writes it (the sample's), these top-level keys replaced: the invoices read
    it with the one reader of report.json, which refuses a part of one."""
    return json.dumps({**msgspec.to_builtins(build_sample()), **parts}, default=builtins)


def _fabrikam(folder: Path, report: str) -> tuple[TenantJob, Outcome]:
    job = TenantJob("fabrikam", "Fabrikam", "00000000-0000-0000-0000-0000000000fa", "", "worldwide", "", "", "", "")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(report, "utf-8")
    return job, Outcome(job, "ok", 0, None, 1.0, None)


def test_seats_that_cannot_be_read_are_the_invoices_gap_and_last_nights_file_goes(tmp_path: Path) -> None:
    line = invoice_reads.bill.InvoiceLine(
        "00000000-0000-0000-0000-0000000000fa", "s1", "", "Microsoft 365 E3", 55, 1856.25, "EUR"
    )
    reads = [invoice_reads.Read("microsoft", "G016907411", (line,))]
    seats = [{"sku": "SPE_E3", "sku_id": "x", "consumed": "many"}]
    _, outcome = _fabrikam(tmp_path / "fabrikam", _whole(skus=seats))
    invoice_reads.run([outcome], tmp_path, reads)
    doc = json.loads((tmp_path / "fabrikam" / "invoice.json").read_text("utf-8"))["invoices"][0]
    assert doc["gap"] == "the tenant's seats not read from its report.json (ValueError)" and doc["rows"] == []
    row = invoice_cells.invoice_figures(tmp_path / "fabrikam")
    assert row is not None and row[0]["differences"] is None and row[0]["gap"] == doc["gap"]

    # a later run that reads no invoice leaves none of an earlier night to be read as tonight's
    invoice_reads.run([outcome], tmp_path, [])
    assert not (tmp_path / "fabrikam" / "invoice.json").exists()
    assert invoice_cells.invoice_figures(tmp_path / "fabrikam") is None


def test_an_invoice_in_two_currencies_sums_no_amount_and_names_each_product(tmp_path: Path) -> None:
    def row(product: str, amount: float, money: str) -> dict[str, object]:
        return {
            "sku": product.upper(), "product": product, "assigned": 0, "enabled": 1, "invoiced": 2,
            "amount": amount, "currency": money, "differences": ["invoiced_unassigned"],
        }  # fmt: skip

    rows = [row(f"Product {n}", 10.0, "EUR" if n else "USD") for n in range(7)]
    rows.append(row("Backup\u202e\nevil", 1.0, "EUR") | {"differences": ["not_matched"], "sku": None})
    doc = {"invoices": [{"source": "pax8", "invoice_id": "I1", "gap": None, "rows": rows}]}
    (tmp_path / invoice_cells.FILE_NAME).write_text(json.dumps(doc), "utf-8")
    [found] = invoice_cells.invoice_figures(tmp_path) or []
    assert found["differences"] == 8 and found["currency"] is None and found["unheld_amount"] is None
    # the invoice's own name of a product, on one line and without a bidirectional override
    assert found.get("products", [])[-1]["product"] == "Backup evil"
    cell = invoice_cells.invoice_cell(
        _row([found]),
        translations(Locale.EN),
        Locale.EN,
    )
    assert cell == "Pax8: 8 (Product 0, Product 1, Product 2, Product 3, Product 4, 3 more)"


def test_the_demo_takes_an_invoice_id_given_and_shows_its_gap_in_the_roll_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--demo", "--tenants", "--invoice", "G000000001", "--output-dir", str(tmp_path)]) == 1
    gap = "Graph's export of the invoice failed: 5000: No data available"  # the stand-in holds no such invoice
    assert f"fabrikam: Microsoft's invoice G000000001: not compared: {gap}" in capsys.readouterr().err
    rollup = {t["key"]: t["invoices"] for t in json.loads((tmp_path / "tenants.json").read_text("utf-8"))["tenants"]}
    direct, pax8 = rollup["contoso"]
    assert (direct["invoice_id"], direct["gap"], direct["differences"]) == ("G000000001", gap, None)
    assert pax8["gap"] is None and pax8["differences"] == 5  # the sample's latest Pax8 invoice, as without the flag
    table = (tmp_path / "tenants.md").read_text("utf-8").replace("\\", "")
    assert f"Microsoft: not read, not compared: {gap}" in table and "Microsoft: 0" not in table
