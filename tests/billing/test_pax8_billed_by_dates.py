"""Issue 116, point 4: Pax8 bills a subscription by its dates, not its status ("Subscription status currently
has no impact on billing. We bill subscriptions based on the subscription's start and end dates.", Pax8's
"Subscription Management" guide; docs/distributors.md, "Pax8"): a subscription is billed on a day inside
[startDate, endDate) whatever its status, one without endDate open-ended. Both ways: seats in a status
the tool once left out are counted, an Active subscription outside its dates is not; Sherweb's stay
counted by status. Through the real CLI (the Graph emulator, the Pax8 stand-in), and the rule itself."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from auditor.billing.distributor_records import DistributorSubscription
from auditor.billing.distributor_seats import billed_on
from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

from .test_distributor_writes import EXAMPLE
from .test_pax8 import COMPANY, PBI, SAMPLE, SECRET, _stand_in, _sub

DAY = date(2026, 11, 1)


def _dated(status: str, start: str | None, end: str | None) -> DistributorSubscription:
    return DistributorSubscription(
        id="s", company_id=COMPANY, product_id=PBI, product_name="Power BI Pro", quantity=1, status=status,
        price=None, currency=None, billing_term="Monthly", start=start, end=end, commitment_term=None,
        commitment_end=None,
    )  # fmt: skip


def test_pax8_bills_by_the_dates_whatever_the_status_and_sherweb_by_its_status() -> None:
    # inside [start, end): billed, in a status the tool used to leave out too
    assert billed_on(_dated("PendingManual", "2026-03-18T00:00:00Z", None), "pax8", DAY)
    assert billed_on(_dated("Cancelled", "2026-03-18T00:00:00Z", "2026-11-02T00:00:00Z"), "pax8", DAY)
    # outside: not billed, Active or not
    assert not billed_on(_dated("Active", "2026-03-18T00:00:00Z", "2026-11-01T00:00:00Z"), "pax8", DAY)  # its end
    assert not billed_on(_dated("Active", "2026-11-02T00:00:00Z", None), "pax8", DAY)  # not started
    assert not billed_on(_dated("PendingCancel", "2026-03-18T00:00:00Z", "2026-10-18T00:00:00Z"), "pax8", DAY)
    # Sherweb's listing is its current subscriptions: by status
    assert billed_on(_dated("Active", "2026-03-18T00:00:00Z", "2026-10-18T00:00:00Z"), "sherweb", DAY)
    assert not billed_on(_dated("Cancelled", None, None), "sherweb", DAY)


def test_the_audit_counts_pax8s_seats_by_their_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("PAX8_CLIENT_ID", "msp")
    monkeypatch.setenv("PAX8_CLIENT_SECRET", SECRET)
    (tmp_path / "t.yaml").write_text(
        f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n"
        "    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        f"    distributor: {{pax8: {{company_id: {COMPANY}, products: {{{PBI}: POWER_BI_PRO}}}}}}\n",
        "utf-8",
    )
    since = "2026-03-18T00:00:00Z"
    subscriptions = [
        _sub(1, PBI, "Power BI Pro", 20, status="PendingManual", startDate=since),  # billed: inside its dates
        _sub(2, PBI, "Power BI Pro", 7, status="PendingCancel", startDate=since, endDate="2026-11-15T00:00:00Z"),
        _sub(3, PBI, "Power BI Pro", 5, status="Active", startDate=since, endDate="2026-10-18T00:00:00Z"),  # ended
        _sub(4, PBI, "Power BI Pro", 3, status="Active", startDate="2026-12-01T00:00:00Z"),  # not started
    ]
    with _stand_in(subscriptions) as pax8, GraphEmulator(sample, token=token) as graph:
        argv = ["audit", "--graph-endpoint", graph.url, "--auth", "token", "--tenant-id", sample.tenant_id]
        argv += [
            "--policies",
            str(EXAMPLE),
            "--output-dir",
            "out",
            "--as-of",
            "2026-11-01T06:00:00Z",
            "--fail-on",
            "never",
        ]
        assert main([*argv, "--distributor", "t.yaml", "--pax8-endpoint", pax8.url]) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (pbi,) = [p for p in report["distributor"]["products"] if p["sku"] == "POWER_BI_PRO"]
    assert pbi["billed"] == 27  # 20 + 7; not the 8 of the two Active ones outside their dates
    assert sorted(s["quantity"] for s in pbi["subscriptions"]) == [7, 20]
