"""Prices that have moved (issue 108, item 5): a policy price older than the one read at the run (the
billing file's unit_price, the distributor's price) is named on the product's row, and the price read
is the one the money uses."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.billing import parse_billing
from auditor.billing.current_prices import BILLING_FILE, current_prices
from auditor.billing.distributor_records import DistributorSubscription
from auditor.billing.distributor_seats import payload
from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor.vendors.distributor_sessions import seller
from auditor.vendors.registry import DISTRIBUTORS

SAMPLE = Path(__file__).resolve().parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = Path(__file__).resolve().parents[2] / "examples" / "contoso-policy.yaml"

E3 = "6f5e5c0b-466f-5e80-9fe3-47c4054dd921"  # the sample's Microsoft 365 E3 (its commerceSubscriptionId)


def _audit(tmp_path: Path, billing: str) -> tuple[dict, str]:
    csv = tmp_path / "billing.csv"
    csv.write_text(billing, "utf-8")
    out = tmp_path / "out"
    args = ["audit", "--snapshot", str(SAMPLE), "--policies", str(POLICY), "--billing", str(csv)]
    assert main([*args, "--as-of", "2026-11-01T06:00:00Z", "--output-dir", str(out), "--fail-on", "never"]) == 0
    return json.loads((out / "report.json").read_text("utf-8")), (out / "report.md").read_text("utf-8")


def test_a_policy_price_older_than_the_billing_files_is_named_and_the_new_one_used(tmp_path: Path) -> None:
    # the sample's E3 renewed at the July 2026 list: 39.00 a seat on the invoice, 33.75 in the policy
    report, md = _audit(tmp_path, f"subscription,channel,unit_price,currency\n{E3},mca,39.00,EUR\n")
    e3 = next(s for s in report["skus"] if s["sku"] == "SPE_E3")
    assert (e3["price_monthly"], e3["policy_price_monthly"], e3["price_source"]) == (39.0, 33.75, BILLING_FILE)
    assert e3["unused_monthly_cost"] == round(e3["unused"] * 39.0, 2)
    assert "€39.00, the billing file's price (the policy's €33.75 is older)" in md.replace("\\", "")
    # the money is the new price's: 204 paid seats at 39.00 where the same file at 33.75 gives 33.75
    same, _ = _audit(tmp_path, f"subscription,channel,unit_price,currency\n{E3},mca,33.75,EUR\n")
    assert report["money"]["spend_monthly"] - same["money"]["spend_monthly"] == round(204 * (39.0 - 33.75), 2)
    kept = next(s for s in same["skus"] if s["sku"] == "SPE_E3")
    assert "policy_price_monthly" not in kept and "price_source" not in kept  # the policy's own: nothing said


def test_the_distributors_price_is_the_current_one_and_the_file_goes_first() -> None:
    tenant = load_snapshot(SAMPLE)
    e3 = next(s for s in tenant.skus if s.sku_part_number == "SPE_E3")
    at_pax8 = payload(
        seller(DISTRIBUTORS["pax8"]),
        {"company_id": "c", "products": {"p-e3": "SPE_E3"}},
        [
            DistributorSubscription(
                "s1", "c", "p-e3", "Microsoft 365 E3", 204, "Active", 39.0, "EUR", "Monthly", *[None] * 4
            )
        ],
    )
    found = current_prices(tenant.skus, tenant.subscriptions, None, at_pax8, "EUR")
    assert (found[e3.sku_id.lower()].monthly, found[e3.sku_id.lower()].source) == (39.0, "pax8")
    assert current_prices(tenant.skus, tenant.subscriptions, None, at_pax8, "USD") == {}  # another currency's
    billing = parse_billing(f"subscription,channel,unit_price\n{E3},mca,38.50\n")
    found = current_prices(tenant.skus, tenant.subscriptions, billing, at_pax8, "EUR")
    assert (found[e3.sku_id.lower()].monthly, found[e3.sku_id.lower()].source) == (38.5, BILLING_FILE)
    # Power BI Pro's two subscriptions billed at two prices: neither is the product's
    pbi = "subscription,channel,unit_price\n6e9f47c9-e18a-5d0c-9d04-93b1459d83b4,mosa,9.40\n"
    pbi += "cf86da0c-f640-56d1-913b-79bd0b93b3ed,mca,13.10\n"
    found = current_prices(tenant.skus, tenant.subscriptions, parse_billing(pbi), None, "EUR")
    assert not any(p.source == BILLING_FILE for p in found.values())
