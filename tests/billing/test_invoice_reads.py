"""`audit --tenants` with what the partner was invoiced (issue 97, point 3): the demo reads Microsoft's
invoice from the export's stand-in (through the real SDK adapter, its operation polled on the virtual
clock) and Pax8's latest invoice from the Pax8 stand-in, and each tenant's invoice.json sets them beside
its seats; an invoice that cannot be read is each tenant's named gap, never an empty invoice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.delivery.matrix import TenantJob
from auditor.fleet import invoice_reads
from auditor.fleet.arguments import InvoiceOptions
from auditor.fleet.rollup import Outcome

pytestmark = pytest.mark.usefixtures("virtual_graph_time")
GAP = "the tenants file has no `partner:` block: the partner's tenant is not known"


def _rows(path: Path, source: str) -> dict[str | None, dict[str, object]]:
    doc = json.loads(path.read_text("utf-8"))
    section = next(s for s in doc["invoices"] if s["source"] == source)
    assert section["gap"] is None
    return {r["sku"]: r for r in section["rows"]}


def test_the_demo_sets_both_invoices_beside_the_seats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--demo", "--tenants", "--output-dir", str(tmp_path)]) == 1  # the samples' findings
    err = capsys.readouterr().err
    assert "license-auditor: Microsoft's invoice G016907411: 3 lines read" in err
    assert (
        "fabrikam: Microsoft's invoice G016907411: 3 products invoiced, 3 otherwise than the tenant holds them" in err
    )
    assert "contoso: Microsoft's invoice G016907411: none of its lines is this customer's" in err

    fabrikam = _rows(tmp_path / "fabrikam" / "invoice.json", "microsoft")
    e3 = fabrikam["SPE_E3"]
    assert (e3["assigned"], e3["enabled"], e3["invoiced"], e3["amount"]) == (40, 52, 55, 1856.25)
    assert e3["psa_billed"] == 45  # Fabrikam's Autotask bills 45: the MSP is invoiced for 10 it does not bill
    assert e3["differences"] == ["invoiced_more", "invoiced_unassigned", "invoiced_not_billed"]
    assert fabrikam["POWER_BI_PRO"]["differences"] == ["invoiced_unassigned"]
    assert fabrikam[None]["product"] == "Microsoft Defender for Business"
    assert fabrikam[None]["differences"] == ["not_matched"]
    assert fabrikam["EXCHANGESTANDARD"]["invoiced"] is None  # held, on no line: no figure, no difference
    assert fabrikam["EXCHANGESTANDARD"]["differences"] == []

    contoso = _rows(tmp_path / "contoso" / "invoice.json", "pax8")
    assert (contoso["SPE_E3"]["invoiced"], contoso["SPE_E3"]["amount"]) == (210, 6384.0)  # 210 seats at 30.40
    assert contoso["POWER_BI_PRO"]["differences"] == ["invoiced_fewer"]
    # the three-way table's columns beside the invoice: Pax8 invoices 210 E3 seats, the PSA bills 200
    e3 = contoso["SPE_E3"]
    assert (e3["distributor_billed"], e3["psa_billed"], e3["invoiced"]) == (210, 200, 210)
    assert "invoiced_not_billed" in e3["differences"]
    assert all(r["invoiced"] is None for r in _rows(tmp_path / "contoso" / "invoice.json", "microsoft").values())


def test_an_invoice_that_cannot_be_read_is_each_tenants_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reads = invoice_reads.read(InvoiceOptions(microsoft="G016907411"), partner=None, auth=None, env={})
    assert reads[0].gap == GAP
    job = TenantJob("fabrikam", "Fabrikam", "00000000-0000-0000-0000-0000000000fa", "", "worldwide", "", "", "", "")
    (tmp_path / "fabrikam").mkdir()
    seats = [{"sku": "SPE_E3", "sku_id": "05e9a617-0261-4cee-bb44-138d3ef5d965", "consumed": 40, "enabled": 52}]
    (tmp_path / "fabrikam" / "report.json").write_text(json.dumps({"skus": seats}), "utf-8")
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
