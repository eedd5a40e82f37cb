"""'Your bill' per month: what the licenses cost today, what they cost after the plan's changes,
and what leaves the invoice on which date, every amount from report.json's `money`
(docs/money.md); and the digest's lines, the windows closing within 3 days first."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.formats.report_model import Leave
from auditor.i18n import format_date, format_money
from auditor.plan.bill_view import bill_view, digest_lines
from auditor.plan.money import bill_money
from tests.billing import bills
from tests.documents import report_document
from tests.report.report_fixtures import money_of

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
BILLING = ROOT / "auditor_dev" / "sample" / "sample-billing.csv"


def _action(sku: str, saving: float, saving_from: str | None, seats: int, window: str = "renewal") -> dict:
    return {
        "sku": sku,
        "subscription": f"sub-{sku}-{saving_from}",
        "action": "reduce",
        "seats": seats,
        "window": window,
        "monthly_saving": saving,
        "saving_from": saving_from,
        "by": saving_from,
        "confidence": "documented" if window != "unknown" else "unknown",
    }


BILL = bills.of(
    bills.bill_json(
        as_of="2026-11-01",
        actions=[
            _action("SPE_E3", 101.25, "2026-11-01", 3, "within_7_days"),
            _action("SPE_E5", 383.25, "2027-03-18", 7),
            _action("SPE_E3", 33.75, "2026-11-01", 1, "within_7_days"),  # the same product and day: one line
            _action("EMS", 159.0, "2027-05-25", 15, "unknown"),  # its day is not known
            _action("PROJECTPROFESSIONAL", 0.0, "2026-11-21", 5),  # a trial: nothing leaves the invoice
            {**_action("AAD_PREMIUM_P2", -67.2, "2026-11-01", 8, "any_time"), "action": "buy"},  # a purchase joins it
        ],
    )
)


def test_what_leaves_the_invoice_is_grouped_by_day_and_product() -> None:
    money = bill_money(BILL, spend=8280.5)
    assert money.leaves == [
        Leave(from_="2026-11-01", sku="AAD_PREMIUM_P2", seats=8, monthly=-67.2),
        Leave(from_="2026-11-01", sku="SPE_E3", seats=4, monthly=135.0),
        Leave(from_="2027-03-18", sku="SPE_E5", seats=7, monthly=383.25),
        Leave(from_=None, sku="EMS", seats=15, monthly=159.0),
    ]
    assert money.spend_after_monthly == round(8280.5 - (135.0 + 383.25 + 159.0 - 67.2), 2)
    # without prices, the spend after the plan is not known either
    assert bill_money(BILL).spend_after_monthly is None
    assert bill_money(None).leaves == [] and bill_money(None).spend_after_monthly is None


def test_the_view_says_today_after_and_each_day() -> None:
    money = money_of(spend_monthly=8280.5)
    view = bill_view(BILL, "EUR", Locale.EN, money)
    assert view is not None
    assert view.spend == ("Today the licenses cost €8,280.50 a month; after the plan's changes, €7,670.45 a month.")
    # each day and product of money.bill.leaves is said once, by the table's rows: their seats, amounts
    # and From day (a window not known: the day is not known either)
    said = {(r.product, r.saving_from, r.seats, r.saving) for r in view.rows}
    assert {
        ("Microsoft Entra ID P2", "Nov 1, 2026", "8", "−€67.20"),
        ("Microsoft 365 E3", "Nov 1, 2026", "3", "€101.25"),
        ("Microsoft 365 E3", "Nov 1, 2026", "1", "€33.75"),
        ("Microsoft 365 E5", "Mar 18, 2027", "7", "€383.25"),
        ("Enterprise Mobility + Security E3", "not known", "15", "€159.00"),
    } <= said
    # Danish: the date, the money and the words are the locale's
    da = bill_view(BILL, "EUR", Locale.DA, money)
    assert da is not None
    e5 = next(r for r in da.rows if r.seats == "7")
    assert (e5.saving, e5.saving_from) == (format_money(383.25, "EUR", Locale.DA), format_date("2027-03-18", Locale.DA))


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("your-bill")
    main(
        [
            "audit",
            "--snapshot",
            str(SAMPLE),
            "--policies",
            str(ROOT / "examples" / "contoso-policy.yaml"),
            "--as-of",
            "2026-11-01T06:00:00Z",
            "--output-dir",
            str(out),
            "--billing",
            str(BILLING),
            "--fail-on",
            "never",
        ]
    )
    return out


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"\\(?=[^\w\s])", "", re.sub(r"<[^>]+>", "", text)))


def test_the_report_and_the_digest_take_every_amount_from_money(audited: Path) -> None:
    report = json.loads((audited / "report.json").read_text("utf-8"))
    money = report["money"]
    today = format_money(money["spend_monthly"], "EUR", Locale.EN)
    after = format_money(money["bill"]["spend_after_monthly"], "EUR", Locale.EN)
    assert money["bill"]["spend_after_monthly"] == round(
        money["spend_monthly"] - sum(a["monthly_saving"] for a in report["bill"]["actions"]), 2
    )
    sentence = f"Today the licenses cost {today} a month; after the plan's changes, {after} a month."
    # each action's amount and From day, in its row of the table (said once: no list of days beside it)
    cells = [
        (format_money(a["monthly_saving"], "EUR", Locale.EN), format_date(a["saving_from"], Locale.EN))
        for a in report["bill"]["actions"]
        if a["saving_from"] and a["window"] != "unknown" and a["monthly_saving"] and not a.get("uplift")
    ]
    assert len(cells) >= 5
    for name in ("report.md", "report.html"):
        text = _plain((audited / name).read_text("utf-8"))
        section = text.split("Your bill")[1]
        assert sentence in section, name
        rows = [line for line in section.splitlines() if "€" in line]
        assert all(any(amount in r and day in r for r in rows) for amount, day in cells), name
        assert " a month (" not in section.split("Licenses per product")[0], name
    digest = (audited / "digest.txt").read_text("utf-8")
    bill = digest.split("Your bill\n---------\n")[1].split("\n\n")[0]
    assert sentence in bill
    # under its own heading: the windows that shut within 3 days come first, then the bill's days,
    # the largest amounts first
    by_size = sorted((s for s in money["bill"]["leaves"] if s["from"]), key=lambda s: -abs(s["monthly"]))
    largest = f"{'−' if by_size[0]['monthly'] > 0 else '+'}{format_money(abs(by_size[0]['monthly']), 'EUR', Locale.EN)}"
    urgent = bill.index("Cancel Power BI Pro by Nov 3, 2026")
    assert urgent < bill.index(sentence) < bill.index(largest)
    assert "more dates" in bill  # the digest stops after a few lines; the report has them all


def test_the_digest_has_no_bill_lines_without_a_bill() -> None:
    assert digest_lines(report_document(money=money_of(spend_monthly=10.0)), Locale.EN) == []
