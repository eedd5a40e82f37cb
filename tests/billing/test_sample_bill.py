"""The sample tenant read through the Graph emulator with its billing file: every action, the
urgent windows first, a calendar entry per `by` date, and the plan's bill."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import pytest

from auditor.cli import main
from auditor.common.errors import SnapshotError
from auditor.data.model import Locale
from auditor.formats.bill_model import bill_of
from auditor.formats.report_json import decode_report
from auditor.i18n import format_money
from auditor.insights.notify import payload
from auditor.plan.bill_view import product_name
from auditor.vendors.registry import BODIES

SAMPLE = Path(__file__).parents[2] / "auditor_dev" / "sample"
BILLING = str(SAMPLE / "sample-billing.csv")
MOVES = str(SAMPLE / "moves-example.yaml")


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bill")
    # the billing file alone (--billing-source file): the emulated billing APIs are test_sources_cli's
    code = main(
        [
            "audit",
            "--demo",
            "--policies",
            "examples/",
            "--policies",
            MOVES,
            "--billing",
            BILLING,
            "--billing-source",
            "file",
            "--output-dir",
            str(out),
            "--fail-on",
            "never",
        ]
    )
    assert code == 0
    return out


def test_the_sample_shows_every_action_and_window(audited: Path) -> None:
    bill = json.loads((audited / "report.json").read_text("utf-8"))["bill"]
    actions = {a["action"] for a in bill["actions"]}
    assert actions == {"reduce", "cancel", "cancel_at_end_of_term", "contact_partner", "contact_vlsc", "buy", "none"}
    assert {a["window"] for a in bill["actions"]} == {"within_7_days", "renewal", "any_time", "anniversary", "unknown"}
    # the partner is Graph's ownerTenantId, read by the collector from the emulator
    partner = next(a for a in bill["actions"] if a["action"] == "contact_partner")
    assert (partner["sku"], partner["owner"]) == ("Microsoft_365_Copilot", "partner")
    assert [a["sku"] for a in bill["actions"]] == sorted(a["sku"] for a in bill["actions"])


def test_a_window_closing_within_3_days_leads_the_report_and_the_notification(audited: Path) -> None:
    md = (audited / "report.md").read_text("utf-8")
    # right under the status, before the tenant's table
    assert md.index("> [!IMPORTANT]\n> Cancel Power BI Pro") < md.index("| Tenant |")
    assert "by Nov 3, 2026" in md and md.count("[!IMPORTANT]") == 2
    html = (audited / "report.html").read_text("utf-8")
    assert html.index("Reduce Microsoft 365 E3") < html.index("Your bill")
    card = json.dumps(payload(decode_report((audited / "report.json").read_bytes(), "report.json"), "teams"))
    assert "Reduce Microsoft 365 E3" in card and "7-day window is shut" in card
    bill = json.loads((audited / "report.json").read_text("utf-8"))["bill"]
    entries = sorted(p.name for p in audited.glob("bill-*.ics"))
    # a calendar entry for every action with a date to act by, named by its day and its product's name
    dated = [a for a in bill["actions"] if a.get("by") and a["action"] not in ("none", "buy")]
    assert dated and len(entries) == len(dated)
    names = {a["sku"]: re.sub(r"[^A-Za-z0-9]+", "-", product_name(a["sku"])).strip("-") for a in dated}
    assert all(any(e.startswith(f"bill-{a['by']}-{names[a['sku']]}") for e in entries) for a in dated)
    assert not [e for e in entries if any(a["sku"] in e for a in dated)]  # no part number


def test_the_digest_says_what_reaches_the_bill_and_the_window_about_to_shut(audited: Path) -> None:
    digest = (audited / "digest.txt").read_text("utf-8")
    # the money story says what the bill does: the moves buy 13 Microsoft 365 E5 seats now, so the
    # bill goes up although the plan's changes free more than they take (money.plan.net_monthly > 0)
    figures = json.loads((audited / "report.json").read_text("utf-8"))["money"]
    assert figures["plan"]["net_monthly"] > 0 > figures["bill"]["lowers_monthly"]
    rise = format_money(-figures["bill"]["lowers_monthly"], "EUR", Locale.EN)
    money = digest.index(f"This plan raises the bill by {rise} a month")
    # both windows that shut within 3 days, each on its line, right after the money, by product name
    urgent = [line for line in digest.splitlines() if line.endswith("the 7-day window is shut.")]
    assert [line.split(" by ")[0] for line in urgent] == ["Cancel Power BI Pro", "Reduce Microsoft 365 E3"]
    assert money < digest.index(urgent[0]) < digest.index(urgent[1]) < len(digest) // 2
    html = (audited / "digest.html").read_text("utf-8")
    assert "This plan raises the bill by" in html and "Cancel Power BI Pro" in html


def test_plan_with_the_billing_file_writes_the_bill(audited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--report-dir", str(audited), "--billing", BILLING]) == 0
    plan = json.loads((audited / "plan.json").read_text("utf-8"))
    e3 = next(a for a in plan["bill"]["actions"] if a["sku"] == "SPE_E3")
    assert (e3["action"], e3["window"], e3["by"], e3["confidence"]) == (
        "reduce",
        "within_7_days",
        "2026-11-04",
        "documented",
    )
    assert "### Your bill" in (audited / "plan.md").read_text("utf-8")
    # plan.json's bill reads back as the same text too
    assert json.dumps(msgspec.to_builtins(bill_of(plan["bill"], BODIES, "plan.json"))) == json.dumps(plan["bill"])


def test_the_bill_reads_back_as_it_was_written(audited: Path) -> None:
    """The typed bill (auditor/formats/bill_model.py) is the JSON's keys in its order: read and
    written again, report.json's bill is the same text; a value of the wrong type is refused with its place."""
    raw = json.loads((audited / "report.json").read_text("utf-8"))["bill"]
    bill = bill_of(raw, BODIES)
    assert bill is not None and bill.copilot_credits
    assert json.dumps(msgspec.to_builtins(bill)) == json.dumps(raw)
    assert bill_of(bill, BODIES) is bill and bill_of(None, BODIES) is None
    wrong = {**raw, "actions": [{**raw["actions"][0], "seats": "3"}]}
    with pytest.raises(
        SnapshotError, match=r"report.json: bill: Expected `int`, got `str` - at `\$.actions\[0\].seats`"
    ):
        bill_of(wrong, BODIES)


def test_nothing_to_do_has_no_deadline(tmp_path: Path) -> None:
    """Native review 7, E12: "Nothing to do | … | Do it by May 24, 2027" contradicted itself; a row with
    nothing to do leaves "Do it by" empty ("–") in the report."""
    argv = ["audit", "--demo", "--policies", "examples/", "--policies", MOVES, "--billing", BILLING]
    assert main([*argv, "--output-dir", str(tmp_path), "--fail-on", "never"]) == 0
    bill = json.loads((tmp_path / "report.json").read_text("utf-8"))["bill"]
    assert any(a["action"] == "none" and a["seats"] and a["by"] for a in bill["actions"])  # the JSON keeps the day
    rows = [line for line in (tmp_path / "report.md").read_text("utf-8").splitlines() if "| Nothing to do |" in line]
    assert rows
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[4] == "–", row  # Product | Action | Seats | Window | Do it by | ...
