"""One answer per product on the demo: every seat figure a finding gives as an order (a new total,
seats to buy, a reduction) is the plan's bill's for that product, so is the amount it shows, and the
bill `plan` writes is the one the audit's report shows."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.i18n import format_date, format_money
from auditor.plan.bill import SEAT_RULES, name_seat_figures, product_figures
from auditor.reference import product_names
from auditor.rules.entitlements.entitlement import EntitlementShort
from auditor.rules.seats import SpareSeatsOverLimit, SpareSeatsUnderMinimum
from tests.billing import bills
from tests.demo_runs import DemoRuns
from tests.documents import report_document

ROOT = Path(__file__).resolve().parents[2]
# the orders a seat finding's message, summary and steps can give, each with its figure
ORDERS = re.compile(
    r"new total, (\d+)|total you need, (\d+)|total of (\d+)|leaves (\d+) licen|down to (\d+)|every license: (\d+)"
    r"|up to (\d+) in all|to buy: (\d+)|\bBuy (\d+)|by (\d+) licen|[Rr]educe by (\d+)|remove (\d+) licen"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_runs: DemoRuns) -> tuple[dict[str, Any], dict[str, Any], Path]:
    # the session's `audit --demo --output-dir one --fail-on never` (exit 0), copied: plan writes beside it
    out = demo_runs.single(tmp_path_factory.mktemp("one-answer"))
    assert main(["plan", "--report-dir", str(out)]) in (0, 1)
    report = json.loads((out / "report.json").read_text("utf-8"))
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    return report, plan, out


def _orders(finding: dict[str, Any]) -> list[int]:
    """The seat figures a finding gives as orders: in its message as report.json keeps it (in English),
    its summary and its steps."""
    remediation = finding.get("remediation") or {}
    texts = [finding["message"], remediation.get("summary") or "", *(remediation.get("steps") or [])]
    return [int(next(g for g in m.groups() if g)) for text in texts for m in ORDERS.finditer(text)]


def test_the_plan_and_the_report_show_one_bill(demo: tuple[dict[str, Any], dict[str, Any], Path]) -> None:
    report, plan, _ = demo
    assert plan["bill"]["actions"] == report["bill"]["actions"]
    assert plan["bill"]["products"] == report["bill"]["products"]


def test_every_seat_finding_gives_the_bills_figure(demo: tuple[dict[str, Any], dict[str, Any], Path]) -> None:
    report, plan, out = demo
    bill = bills.of(plan["bill"])
    md = (out / "report.md").read_text("utf-8").replace("\\", "")
    checked: set[tuple[str, str]] = set()
    for finding in report["findings"]:
        if finding["rule"] not in SEAT_RULES or finding["waived"]:
            continue
        entitle = finding["details"].get("entitle_with") or {}
        part = entitle.get("sku") or finding["skus"][0]
        figures = product_figures(bill, part)
        assert figures is not None, part
        allowed = {figures["to"], figures["buy"], figures["drop"]}
        assert set(_orders(finding)) <= allowed, (finding["rule"], part, _orders(finding), figures)
        checked.add((finding["rule"], part))
        if "bill" in finding["details"]:
            # the message says the bill's figure, and in one sentence why today's count differs
            why = finding["details"]["bill"].get("why")
            assert why in (None, "short", "mixed")
            assert finding["details"]["bill"] == {**figures, **({"why": why} if why else {})}
    # the products of the demo that read two orders before: E5 down to 5, E3 to 200, P2 buy 2, ID Governance 6
    assert checked == {
        (SpareSeatsOverLimit.id, "SPE_E5"),
        (SpareSeatsUnderMinimum.id, "SPE_E3"),
        (EntitlementShort.id, "AAD_PREMIUM_P2"),
        (EntitlementShort.id, "Microsoft_Entra_ID_Governance"),
    }
    assert "Enter the new total, 5 licenses" in md and "down to 5 from Mar 18, 2027" in md
    assert "total you need" not in md and "down to 200 from Mar 1, 2027" in md and "buy none" in md
    # the bill's seats say the total a reduction at the renewal leaves (its reason, said once, does not)
    assert "buys 2 instead" in md and "buys 6 instead" in md and "4 (→ 200)" in md and "7 (→ 5)" in md
    # the bill's own orders say the same figures
    orders = {a.sku: (a.action, a.seats, a.to) for a in bill.actions if a.seats}
    assert orders["SPE_E5"] == ("reduce", 7, 5) and orders["SPE_E3"] == ("reduce", 4, 200)
    assert orders["AAD_PREMIUM_P2"][:2] == ("buy", 2) and orders["Microsoft_Entra_ID_Governance"][:2] == ("buy", 6)


def test_plan_md_gives_the_bills_seats(demo: tuple[dict[str, Any], dict[str, Any], Path]) -> None:
    report, _, out = demo
    plan_md = (out / "plan.md").read_text("utf-8").replace("\\", "")
    leaves = report["money"]["bill"]["leaves"]
    assert leaves
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in plan_md.splitlines() if line.count("|") == 9]
    for step in leaves:  # each day on which seats leave (or join) the invoice: the bill table's rows say it
        day = format_date(step["from"], Locale.EN) if step["from"] else "not known"
        mine = [r for r in rows if r[0] == _name(report, step["sku"]) and r[6] == day]
        # a reduction at the renewal names the total it leaves beside its seats: "4 (→ 200)"
        assert sum(int(r[2].split()[0]) for r in mine) == step["seats"], step
    for product in report["bill"]["products"]:  # the seats that leave a product add up to the bill's drop
        figures = product_figures(bills.of(report["bill"]), product["sku"])
        assert figures is not None and figures["to"] == product["purchased"] - figures["drop"]
        priced = [s["seats"] for s in leaves if s["sku"] == product["sku"] and s["monthly"] > 0]
        assert not priced or sum(priced) == figures["drop"], product


def test_every_product_finding_shows_the_bills_money(demo: tuple[dict[str, Any], dict[str, Any], Path]) -> None:
    """The amount a finding about a product shows is what "Your bill" says the seats it orders come
    to a month: what the product's removals save (spare-seats-over-limit) or what its purchase costs
    (spare-seats-under-minimum, entitlement-short), never today's count at the catalog price."""
    report, _, out = demo
    saves: dict[str, float] = {}
    costs: dict[str, float] = {}
    for step in report["money"]["bill"]["leaves"]:  # what "Your bill" says a month, per day and product
        into = saves if step["monthly"] > 0 else costs
        into[step["sku"]] = round(into.get(step["sku"], 0.0) + abs(step["monthly"]), 2)
    shown: dict[str, float] = {}
    for finding in report["findings"]:
        if finding["waived"] or finding["subject"]["type"] != "sku" or finding["monthly_cost"] is None:
            continue
        entitle = finding["details"].get("entitle_with") or {}
        part = entitle.get("sku") or finding["skus"][0]
        bill = finding["details"].get("bill")
        assert bill is not None, (finding["rule"], part, "an amount that is not the bill's, and no sentence why")
        amount = (saves if finding["rule"] == SpareSeatsOverLimit.id else costs).get(part)
        assert finding["monthly_cost"] == amount, (finding["rule"], part, finding["monthly_cost"], amount)
        assert amount == bill["drop_monthly" if finding["rule"] == SpareSeatsOverLimit.id else "buy_monthly"]
        shown[part] = amount
    # E5's 7 seats leave the bill (not the 3 over the policy's limit today), 2 P2 seats are bought (not 1) and 6
    # ID Governance (not 2): each user gets the cheapest product; E3's finding says to buy none, so no amount
    assert shown == {"SPE_E5": 383.25, "AAD_PREMIUM_P2": 16.8, "Microsoft_Entra_ID_Governance": 39.6}
    doc = " ".join((ROOT / "docs" / "bill.md").read_text("utf-8").split())  # docs/bill.md gives the same
    e5, p2 = (format_money(shown[part], "EUR", Locale.EN) for part in ("SPE_E5", "AAD_PREMIUM_P2"))
    assert f"{_name(report, 'SPE_E5')}'s finding shows {e5} a month" in doc
    assert f"{_name(report, 'AAD_PREMIUM_P2')}'s {p2} (2 seats bought" in doc
    # and every file a person reads shows that amount for the finding
    finding = next(f for f in report["findings"] if f["rule"] == SpareSeatsOverLimit.id)
    md = (out / "report.md").read_text("utf-8").replace("\\", "")
    (row,) = [line for line in md.splitlines() if line.startswith("| **Microsoft 365 E5**<br>")]
    assert row.count("€383.25") == 1 and "€164.25" not in md
    (row,) = [line for line in md.splitlines() if line.startswith("| **Microsoft Entra ID P2**<br>")]
    assert row.count("€16.80") == 1 and "€8.40 |" not in row
    assert "Too many unused licenses: Microsoft 365 E5 · €383.25" in (out / "digest.txt").read_text("utf-8")
    with (out / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        costs_csv = {r["id"]: r["monthly_cost"] for r in csv.DictReader(fh)}
    assert costs_csv[finding["id"]] == "383.25"


def _name(report: dict[str, Any], part: str) -> str:
    """A product as the bill names it: Microsoft's product table (auditor.reference)."""
    return product_names().product(None, part) or part


def _seat_finding(rule: str, part: str, **details: Any) -> dict[str, Any]:
    """A finding about a product's seats, open, at 99.00 a month."""
    return {
        **{"id": f"{rule}:{part}", "rule": rule, "severity": "medium", "policy": None},
        **{"subject": {"type": "sku", "id": part}, "skus": [part], "message": "", "details": dict(details)},
        **{"monthly_cost": 99.0, "waived": False, "waiver": None, "remediation": None},
    }


def _product(part: str) -> dict[str, Any]:
    """An entitlement's product as the rule writes it (entitlement.Product: every key)."""
    return {"sku": part, "name": part, "monthly": 8.4, "free_seats": 0}


def _drop(part: str, seats: int, saving: float, **extra: Any) -> dict[str, Any]:
    action = {"sku": part, "action": "reduce", "seats": seats, "monthly_saving": saving, "saving_from": "2027-01-01"}
    action["window"] = "renewal"
    return action | extra


def test_a_seat_findings_amount_is_the_bills_for_the_seats_it_orders() -> None:
    """What the removals save for spare-seats-over-limit, what the purchase costs for a finding that
    orders seats bought, no amount where the bill orders none of them or one action has no price."""
    product = {"purchased": 10, "assigned_after": 4, "spare": 0, "surplus": 6}
    bill = bills.bill_json(
        products=[{"sku": p, **product} for p in ("E5", "KEPT", "NOPRICE", "E3")],
        actions=[
            _drop("E5", 4, 100.0),
            _drop("E5", 2, 50.5),
            {"sku": "E5", "action": "none", "seats": 0, "monthly_saving": 0.0},  # no seats: not counted
            {"sku": "KEPT", "action": "none", "seats": 0, "monthly_saving": 0.0},
            _drop("NOPRICE", 3, 0.0, unpriced=True),
            _drop("E3", 1, 35.44),
            {"sku": "P2", "action": "buy", "seats": 8, "monthly_saving": -67.2, "saving_from": "2026-11-01"},
        ],
    )
    over, under, short = SpareSeatsOverLimit.id, SpareSeatsUnderMinimum.id, EntitlementShort.id
    findings = [
        _seat_finding(over, "E5"),
        _seat_finding(over, "KEPT"),  # the bill keeps every seat: it saves nothing
        _seat_finding(over, "NOPRICE"),  # the amount is not known: none, never 0.00
        _seat_finding(under, "E3"),  # the plan frees enough: buy none, no amount (not E3's saving)
        _seat_finding(short, "P2", short=1, entitle_with=_product("P2")),
        _seat_finding(short, "E3", short=1, entitle_with=_product("E3")),  # the bill buys none: its own count
    ]
    named = name_seat_figures(report_document(bill=bill, findings=findings)).findings
    assert [f.monthly_cost for f in named] == [150.5, None, None, None, 67.2, 99.0]
    assert named[0].details["bill"]["drop"] == 6 and named[4].details["bill"]["buy"] == 8
    assert product_figures(bills.of(bill), "NOPRICE") == {
        "purchased": 10, "after": 4, "spare": 0, "drop": 3, "buy": 0, "to": 7, "from": "2027-01-01",
        "drop_monthly": None, "buy_monthly": 0.0,
    }  # fmt: skip
