"""The three-way table (issue 97, points 2 and 5): per product, the tenant's assigned seats, the
distributor's billed seats and cost, and the PSA's billed seats and price; each of the five differences
named with what it costs and whom, the gaps (an unmapped product, two agreements billing one product,
an unread PSA) each that customer's alone; what a report mailed to the customer shows; and the demo's
many-tenant run showing each kind for a ConnectWise customer and an Autotask one."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from auditor.billing.distributor_records import DistributorSection, ProductRow
from auditor.billing.psa_records import PsaBlock, PsaLine, PsaSection
from auditor.billing.psa_table import failed, payload, section, unit_prices
from auditor.data.model import Locale
from auditor.delivery.matrix import TenantJob
from auditor.fleet.lists import list_mail
from tests.demo_runs import DemoRuns


class _Report:
    def __init__(self, seats: list[tuple[str, int, int]]) -> None:
        self.skus = [_Seat(sku, enabled, consumed) for sku, enabled, consumed in seats]
        self.subscriptions: list[Any] = []


class _Seat:
    def __init__(self, sku: str, enabled: int, consumed: int) -> None:
        self.sku, self.sku_id, self.name, self.enabled, self.consumed = sku, f"id-{sku}", sku.title(), enabled, consumed


def _line(n: int, product: str, quantity: int, price: float | None, **more: Any) -> PsaLine:
    fields: dict[str, Any] = {
        "agreement_id": "1187",
        "agreement": "Managed",
        "id": str(n),
        "product": product,
        "quantity": quantity,
        "less_included": 0,
        "unit_price": price,
        "unit_cost": None,
        "billable": True,
        "effective": "2025-07-01",
        "cancelled": None,
        "currency": "EUR",
    }
    return PsaLine(**(fields | more))


def _distributor(*rows: tuple[str, int, float]) -> DistributorSection:
    products = [
        ProductRow(
            sku=sku,
            name=sku,
            products=[],
            matched_by="map",
            billed=billed,
            enabled=0,
            consumed=0,
            price=None,
            partner_cost=cost,
            currency="EUR",
            cost_monthly=None,
            billed_monthly=None,
            margin_monthly=None,
            billing_terms=[],
            term_end=None,
            in_tenant=True,
            subscriptions=[],
        )
        for sku, billed, cost in rows
    ]
    return DistributorSection(schema=1, distributor="pax8", products=products, findings=[], warnings=[], totals=[])


MAP = {"m365-e3": "SPE_E3", "m365-e5": "SPE_E5", "pbi": "POWER_BI_PRO", "bp": "SPB", "f1": "SPE_F1"}


def _table(lines: list[PsaLine], distributor: DistributorSection | None = None, **kw: Any) -> PsaSection:
    seats = _Report([("SPE_E3", 204, 203), ("SPE_E5", 12, 12), ("POWER_BI_PRO", 34, 31), ("SPE_F1", 49, 46)])
    given = payload("connectwise", {"company_id": 250, "products": MAP}, "2026-11-01", lines)
    return section(given, seats, distributor, **kw)  # as the run hands it: the lines as the client read them


def _kinds(doc: PsaSection) -> dict[str, dict[str, Any]]:
    return {
        f"{f.kind}:{getattr(f, 'sku', getattr(f, 'product', ''))}": msgspec.to_builtins(f) for f in doc.findings or []
    }


def test_each_difference_is_named_with_what_it_costs_and_whom() -> None:
    lines = [
        _line(1, "M365-E3", 200, 33.75),
        _line(2, "M365-E5", 12, 47.0),
        _line(3, "PBI", 40, 9.4, less_included=2),
        _line(4, "BP", 5, 20.6),
    ]
    doc = _table(lines, _distributor(("SPE_E3", 210, 30.4), ("SPE_E5", 12, 49.3), ("SPE_F1", 46, 6.8)))
    found = _kinds(doc)
    assert found["msp_pays_unbilled:SPE_E3"] | {} == {
        "kind": "msp_pays_unbilled", "sku": "SPE_E3", "distributor_billed": 210, "psa_billed": 200, "seats": 10,
        "cost_monthly": 304.0, "price_monthly": 337.5, "currency": "EUR",
    }  # fmt: skip
    assert found["customer_billed_unheld:POWER_BI_PRO"]["seats"] == 7  # 40 less 2 included, 31 assigned
    assert found["customer_billed_unheld:POWER_BI_PRO"]["monthly"] == 65.8
    assert found["billed_below_cost:SPE_E5"]["loss_monthly"] == 27.6  # (49.30 - 47.00) x 12
    assert found["billed_below_cost:SPE_E5"]["cost_source"] == "distributor"
    assert found["billed_not_held:SPB"]["monthly"] == 103.0
    assert found["held_not_billed:SPE_F1"]["cost_monthly"] == 312.8  # the distributor's 46 at 6.80
    assert "customer_billed_unheld:SPE_E5" not in found and "customer_billed_unheld:SPE_E3" not in found
    rows = {r.sku: r for r in doc.products or []}
    assert (rows["POWER_BI_PRO"].psa_quantity, rows["POWER_BI_PRO"].psa_included, rows["POWER_BI_PRO"].psa_billed) == (
        40,
        2,
        38,
    )
    assert rows["SPE_E3"].distributor_billed == 210 and rows["SPE_E3"].partner_cost == 30.4
    assert not doc.warnings


def test_a_line_not_billed_to_the_customer_bills_no_seat() -> None:
    lines = [_line(1, "M365-E3", 203, 33.75, billable=False, bill_customer="DoNotBill")]
    found = _kinds(_table(lines))
    assert found["held_not_billed:SPE_E3"]["assigned"] == 203  # the map names it: the MSP resells it
    assert not [k for k in found if k.endswith(":SPE_E3") and k != "held_not_billed:SPE_E3"]


def test_without_a_distributor_the_psas_own_cost_is_compared() -> None:
    found = _kinds(_table([_line(1, "M365-E3", 203, 28.0, unit_cost=30.4)]))
    assert found["billed_below_cost:SPE_E3"]["cost_source"] == "psa"
    assert found["billed_below_cost:SPE_E3"]["loss_monthly"] == round(203 * 2.4, 2)


def test_the_gaps_are_that_customers_and_the_rest_goes_on() -> None:
    lines = [
        _line(1, "M365-E3", 200, 33.75),
        _line(2, "M365-E3", 10, 33.75, agreement_id="1300"),  # a second agreement billing E3
        _line(3, "UNKNOWN-SKU", 3, 5.0),
        _line(4, "PBI", 34, 9.4),
    ]
    doc = _table(lines)
    found = _kinds(doc)
    assert found["two_agreements:SPE_E3"]["agreements"] == ["1187", "1300"]
    assert found["unmapped_product:UNKNOWN-SKU"]["psa_billed"] == 3
    assert "customer_billed_unheld:POWER_BI_PRO" in found  # the rest is compared
    assert not any(k.endswith(":SPE_E3") and not k.startswith("two_") for k in found)  # E3 is not compared
    assert len(doc.warnings or []) == 2


def test_an_unread_psa_is_an_error_never_no_differences() -> None:
    doc = section(failed("connectwise", {"company_id": 250}, "GET /finance/agreements: HTTP 403"), _Report([]), None)
    assert doc.error == "GET /finance/agreements: HTTP 403" and doc.findings is msgspec.UNSET


def test_mailed_to_the_customer_only_its_own_money_is_shown() -> None:
    lines = [_line(1, "M365-E3", 200, 33.75), _line(2, "PBI", 40, 9.4)]
    doc = _table(lines, _distributor(("SPE_E3", 210, 30.4)), mailed=True)
    assert doc.mailed_to_customer is True
    assert {f.kind for f in doc.findings or []} >= {"msp_pays_unbilled", "customer_billed_unheld"}
    assert [f.kind for f in doc.shown()] == ["customer_billed_unheld"]


def test_the_demo_shows_a_connectwise_and_an_autotask_customer(
    demo_runs: DemoRuns, capsys: pytest.CaptureFixture[str]
) -> None:
    out = demo_runs.fleet()  # the session's `audit --demo --tenants`
    err = capsys.readouterr().err
    kinds: dict[str, set[str]] = {}
    for key, psa in (("contoso", "connectwise"), ("fabrikam", "autotask")):
        report = json.loads((out / key / "report.json").read_text("utf-8"))
        assert report["psa"]["psa"] == psa and report["psa"] == json.loads((out / key / "psa.json").read_text("utf-8"))
        kinds[key] = {f["kind"] for f in report["psa"]["findings"]}
        assert f"{key}: psa: " in err
    assert kinds["contoso"] == {
        "msp_pays_unbilled", "customer_billed_unheld", "billed_below_cost", "billed_not_held", "held_not_billed",
    }  # fmt: skip
    assert kinds["fabrikam"] == {"customer_billed_unheld", "billed_below_cost", "billed_not_held"}
    assert "the customer is billed for 45 seats, 40 assigned" in (out / "fabrikam" / "report.md").read_text(
        "utf-8"
    ).replace("\\", "")
    rollup = {t["key"]: t["psa"] for t in json.loads((out / "tenants.json").read_text("utf-8"))["tenants"]}
    # the MSP's loss: E3's 10 seats unbilled and E5 below cost (€331.60), and F3's 49 at Pax8, which no agreement
    # bills (€99.47: the many-tenant demo's F3 at Pax8)
    assert rollup["contoso"]["msp_monthly"] == 431.07 and rollup["contoso"]["customer_monthly"] == 403.8
    assert rollup["fabrikam"]["kinds"] == {"billed_below_cost": 1, "billed_not_held": 1, "customer_billed_unheld": 2}
    fabrikam = (
        rollup["fabrikam"]["msp_monthly"],
        rollup["fabrikam"]["customer_monthly"],
        rollup["fabrikam"]["currency"],
    )
    assert fabrikam == (0.9, 248.3, "EUR")  # Autotask's money in the company's currency, the euro
    # the cell says what the amount is: the MSP's loss, and what the customer pays for unassigned seats
    said = (out / "tenants.md").read_text("utf-8").replace("\\", "")
    assert "you lose €0.90 a month (seats you pay for and do not bill, or bill below cost)" in said
    assert "the customer pays €248.30 a month for seats nobody holds" in said
    # the customer's license list: its own money in the PSA, never what a seat costs the MSP
    report = json.loads((out / "contoso" / "report.json").read_text("utf-8"))
    job = TenantJob("contoso", "Contoso", report["tenant"]["id"], "", "worldwide", "", "", "policies", "high")
    mail = list_mail(job, out / "contoso", Locale.EN)
    assert "Power BI Pro: the customer is billed for 38 seats, 31 assigned" in mail.text
    assert "Billed for seats nobody holds" in mail.text and "Billed for seats nobody holds" in mail.html
    assert "you pay for" not in mail.text and "49.30" not in mail.text and "below" not in mail.text
    listed = (out / "fabrikam" / "licensed-users.csv").read_text("utf-8-sig").splitlines()
    assert listed[0].endswith(",psa_monthly") and listed[1].endswith(",34.10")  # E3 at its Autotask price


def test_the_payload_holds_the_lines_as_the_client_read_them() -> None:
    block: PsaBlock = {"company_id": 1}
    read = [_line(1, "28", 3, 1.0)]
    given = payload("autotask", block, "2026-11-01", read)
    assert given["lines"] == read and given["lines"] is not read and given["block"] is not block


def test_the_license_list_takes_one_price_a_product_from_the_psa() -> None:
    seats = [_Seat("SPE_E3", 204, 203), _Seat("SPE_E5", 12, 12), _Seat("POWER_BI_PRO", 34, 31)]
    lines = [
        _line(1, "M365-E3", 200, 33.75),
        _line(2, "M365-E5", 6, 47.0),
        _line(3, "M365-E5", 6, 49.0),  # two prices of one product: none is guessed
        _line(4, "PBI", 30, None),  # no price
    ]
    given = payload("connectwise", {"company_id": 250, "products": MAP}, "2026-11-01", lines)
    assert unit_prices(given, seats) == {"id-spe_e3": 33.75}
    two = payload(
        "connectwise",
        {"company_id": 250, "products": MAP},
        "2026-11-01",
        [*lines, _line(5, "BP", 1, 2.0, currency="USD")],
    )
    assert unit_prices(two, seats) == {}  # a PSA billing in two currencies: no sum of them


def test_costs_in_another_currency_and_a_doubtful_line_are_named_gaps_of_their_judgements_only() -> None:
    lines = [
        _line(1, "28", 45, 29.0, currency="GBP", unit_cost=30.4, cost_currency="EUR"),  # not below cost: apart
        _line(2, "35", 3, None, currency="GBP", cost_currency="EUR", doubt="Autotask contract service 3155: ..."),
    ]
    given = payload("autotask", {"company_id": 1, "products": {"28": "SPE_E3", "35": "SPB"}}, "2026-11-20", lines)
    table = section(given, _Report([("SPE_E3", 50, 40)]), None)
    rows = {p.sku: p for p in table.products or []}
    assert (rows["SPE_E3"].currency, rows["SPE_E3"].unit_price, rows["SPE_E3"].unit_cost) == ("GBP", 29.0, None)
    kinds = {(f.kind, getattr(f, "sku", "")): f for f in table.findings or []}
    assert ("billed_below_cost", "SPE_E3") not in kinds
    held = kinds[("customer_billed_unheld", "SPE_E3")]
    assert getattr(held, "monthly", None) == 145.0 and getattr(held, "currency", None) == "GBP"
    assert getattr(kinds[("billed_not_held", "SPB")], "monthly", 0) is None  # seats judged, money not read
    assert "Autotask contract service 3155: ..." in (table.warnings or [])
    assert any("records its costs in EUR and bills in GBP" in w for w in table.warnings or [])


@pytest.mark.parametrize(("theirs", "settled"), [("USD", "USD"), ("EUR", None)])
def test_a_symbol_several_currencies_write_is_the_distributors_currency_when_it_is_one(
    theirs: str, settled: str | None
) -> None:
    """Issue 116: Halo's "$" may be USD, AUD, CAD...; the distributor's one currency settles it when it is
    among them, else the line's money is a named gap and its seats are still compared."""
    dollars = ("USD", "AUD", "CAD")
    lines = [_line(1, "M365-E3", 205, 33.75, currency=None, currency_choices=dollars)]
    dist = _distributor(("SPE_E3", 205, 30.4))
    dist = msgspec.structs.replace(
        dist, products=[msgspec.structs.replace(p, currency=theirs) for p in dist.products or []]
    )
    doc = _table(lines, dist)
    (row,) = [r for r in doc.products or [] if r.sku == "SPE_E3"]
    assert (row.currency, row.psa_billed) == (theirs, 205)  # the row's money is the distributor's currency
    assert row.unit_price == (33.75 if settled else None)  # the PSA's price only where its "$" is that
    said = [w for w in doc.warnings or [] if "may be USD, AUD, CAD" in w]
    assert bool(said) is (settled is None)
