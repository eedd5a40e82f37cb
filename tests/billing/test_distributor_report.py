"""The distributor's seats in the tenant's own report (issue 77, point 4): `audit --demo --tenants`
reads Contoso's seats from the Pax8 stand-in on loopback before the tenant is audited; report.json,
report.html, report.md and the digest show the reconciliation beside the seats, with the figures
distributor.json holds, in the report's language; and the bill takes the distributor's commitment
term end as the renewal of a subscription no billing API gives one for, saying so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.cli import main


def _demo(out: Path, *more: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
        assert main(["audit", "--demo", "--tenants", "--output-dir", str(out), *more]) == 1


def test_contosos_report_shows_the_distributors_seats_as_distributor_json(tmp_path: Path) -> None:
    _demo(tmp_path)
    folder = tmp_path / "contoso"
    report = json.loads((folder / "report.json").read_text("utf-8"))
    assert report["distributor"] == json.loads((folder / "distributor.json").read_text("utf-8"))
    unused = next(f for f in report["distributor"]["findings"] if f["kind"] == "billed_unused" and f["sku"] == "SPE_E3")
    assert (unused["seats"], unused["monthly"]) == (7, 236.25)
    lines = (
        "Microsoft 365 E3: the distributor bills 210 seats, 204 are enabled in the tenant: 6 seats more than "
        "Microsoft counts.",
        "Microsoft 365 E3: 7 seats the distributor bills are assigned to nobody: €212.80 a month at your price "
        "from the distributor (€236.25 at the customer's price).",
        # the MSP's month, the customer's then per product, in one line as the roll-up's cell says it (issue 110):
        # Pax8's partnerCost, its price, and the margin
        "Each month at the distributor, this customer: cost €7,328.57, billed €8,136.75, margin €808.18; Power BI "
        "Pro: cost €253.50, billed €282.00, margin €28.50; Microsoft 365 E3: cost €6,384.00, billed €7,087.50, "
        "margin €703.50; Microsoft 365 E5: cost €591.60, billed €657.00, margin €65.40; Microsoft 365 F3: cost "
        "€99.47, billed €110.25, margin €10.78.",
        "Matched to the distributor's products by their names only: Power BI Pro and Microsoft 365 E5; confirm "
        "them in the tenants file.",
        "Microsoft 365 E5: the commitment term at the distributor ends on Mar 17, 2027; a lower seat count can "
        "take effect from Mar 18, 2027.",
    )
    md = (folder / "report.md").read_text("utf-8").replace("\\", "")
    html = (folder / "report.html").read_text("utf-8").replace("&#39;", "'")
    digest = (folder / "digest.txt").read_text("utf-8")
    for text in (md, html, digest):
        assert "Seats at the distributor (Pax8)" in text
        for line in lines:
            assert line in text
    # beside the seats: after the seats table in the report
    assert md.index("Licenses per product") < md.index("Seats at the distributor") < md.index("Microsoft's own counts")
    # Northwind's seats at Pax8 name their Microsoft subscriptions: no product matched by its name
    northwind = (tmp_path / "northwind" / "report.md").read_text("utf-8").replace("\\", "")
    assert "Seats at the distributor (Pax8)" in northwind and "by their names only" not in northwind
    assert "Seats at the distributor (Sherweb)" in (tmp_path / "fabrikam" / "report.md").read_text("utf-8").replace(
        "\\", ""
    )


def test_the_distributors_seats_in_the_reports_language(tmp_path: Path) -> None:
    _demo(tmp_path, "--locale", "nl")
    md = (tmp_path / "contoso" / "report.md").read_text("utf-8").replace("\\", "")
    assert "Seats at the distributor" not in md and "**Licenties bij de distributeur (Pax8)**" in md
    assert (
        "Microsoft 365 E3: de distributeur factureert 210 licenties, in de tenant zijn er 204 ingeschakeld: "
        "6 licenties meer dan Microsoft telt." in md
    )
    assert "7 licenties die de distributeur factureert, zijn aan niemand toegewezen: €\xa0212,80 per maand" in md
    assert "Per maand bij de distributeur, deze klant: kosten €\xa07.328,57, gefactureerd €\xa08.136,75" in md


def _with_power_bi_term(original: Any) -> Any:
    def sample(as_of: str) -> Any:
        companies, subscriptions, products = original(as_of)
        for sub in subscriptions:
            if sub["productName"] == "Power BI Pro":
                sub["commitmentTerm"] = {"id": "c2", "term": "1-Year", "endDate": "2027-03-17T00:00:00Z"}
        return companies, subscriptions, products

    return sample


def test_the_bill_takes_the_distributors_term_end_where_no_api_gives_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import auditor_dev.commerce as commerce

    monkeypatch.setattr(commerce, "sample_pax8", _with_power_bi_term(commerce.sample_pax8))
    _demo(tmp_path)
    report = json.loads((tmp_path / "contoso" / "report.json").read_text("utf-8"))
    actions = {a["subscription"]: a for a in report["bill"]["actions"] if a.get("subscription")}
    # Power BI Pro's subscription without billing-account or Partner Center facts: the distributor's date
    mine = actions["6e9f47c9-e18a-5d0c-9d04-93b1459d83b4"]
    assert mine["sources"]["renewal"] == "distributor" and mine["sources"]["channel"] == "distributor"
    assert mine["window"] != "unknown"
    row = next(r for r in report["billing_facts"] if r["subscription"] == "6e9f47c9-e18a-5d0c-9d04-93b1459d83b4")
    # Pax8's endDate is the term's last day (Mar 17): the renewal, and the day the bill's saving starts, is
    # the next, the day the report's Pax8 line says a lower count can take effect (issue 99, E2: one day)
    assert row["term_end"] == "2027-03-18" and row["channel"] == "csp"
    assert mine["saving_from"] == "2027-03-18"
    # the other, which the billing account dates, keeps the billing account's date
    theirs = actions["cf86da0c-f640-56d1-913b-79bd0b93b3ed"]
    assert theirs["sources"]["renewal"] == "billing-account"
    md = (tmp_path / "contoso" / "report.md").read_text("utf-8").replace("\\", "")
    assert (
        "The renewal of Power BI Pro is the end of the distributor's commitment term: neither the billing account "
        "nor Partner Center gives it." in md
    )
    said = "Power BI Pro: the commitment term at the distributor ends on Mar 17, 2027; a lower seat count can take "
    assert said + "effect from Mar 18, 2027." in md


def test_the_msps_month_follows_the_seats_and_stays_out_of_the_customers_copy() -> None:
    """Seats billed as Microsoft counts them are said so with both prices given too; a report mailed
    to the customer (`mailed_to_customer`) leaves out the cost and the margin."""
    from documents import distributor_product, report_document

    from auditor import wording
    from auditor.billing.distributor_records import DistributorSection
    from auditor.data.enums import Cloud, Locale
    from auditor.report.view.context import RenderContext
    from auditor.report.view.distributor_rows import distributor_lines

    month = {"currency": "EUR", "cost_monthly": 10.0, "billed_monthly": 12.0, "margin_monthly": 2.0}
    products = [distributor_product("SPE_E3", name="Microsoft 365 E3", **month)]
    raw = {"schema": 1, "distributor": "pax8", "products": products, "findings": [], "totals": [month]}
    section = msgspec.convert(raw, DistributorSection)
    ctx = RenderContext(report_document(), Locale.EN, Cloud.WORLDWIDE, wording)
    assert distributor_lines(ctx, section) == (
        "The distributor bills the seats Microsoft counts.",
        "Each month at the distributor, this customer: cost €10.00, billed €12.00, margin €2.00; Microsoft 365 E3: "
        "cost €10.00, billed €12.00, margin €2.00.",
    )
    assert distributor_lines(ctx, msgspec.structs.replace(section, mailed_to_customer=True)) == (
        "The distributor bills the seats Microsoft counts.",
    )
    # what only the MSP can settle in the tenants file (a product matched by name, subscriptions the reading
    # could not tell apart) stays out of the customer's copy too, and is not read there as "the same"
    by_name = [{**products[0], "matched_by": "name"}]
    unclear = {"kind": "ambiguous", "sku": "SPE_E3", "subscriptions": ["a", "b"]}
    msps = msgspec.convert({**raw, "products": by_name, "findings": [unclear]}, DistributorSection)
    assert distributor_lines(ctx, msps)[:2] == (
        "Microsoft 365 E3: 2 subscriptions at the distributor name no Microsoft subscription (a and b): which is "
        "which is not guessed, and the bill takes no date from them.",
        "Matched to the distributor's product by its name only: Microsoft 365 E3; confirm it in the tenants file.",
    )
    assert distributor_lines(ctx, msgspec.structs.replace(msps, mailed_to_customer=True)) == ()


@pytest.mark.parametrize(
    ("locale", "price", "misread"),
    [
        ("en", "a month at your price from the distributor (€236.25 at the customer's price)", "distributor's cost"),
        ("nl", "tegen uw inkoopprijs bij de distributeur (€\xa0236,25 tegen de prijs voor de klant)", "kostprijs"),
        ("da", "til din indkøbspris hos distributøren (236,25\xa0€ til kundens pris)", "kostpris"),
        ("sv", "till ditt inköpspris hos distributören (236,25\xa0€ till kundens pris)", "självkostnad"),
        ("tr", "distribütörden alış fiyatınızla ayda €212,80 (müşterinin fiyatıyla €236,25)", "maliyet"),
    ],
)
def test_the_unused_seats_cost_the_msp_its_price_from_the_distributor(
    tmp_path: Path, locale: str, price: str, misread: str
) -> None:
    """Native review 7, N1: what an unused seat costs the MSP is its purchase price from the distributor
    (Pax8's partnerCost), never the distributor's own cost price, in every language."""
    _demo(tmp_path, "--locale", locale)
    folder = tmp_path / "contoso"
    for name in ("report.md", "digest.txt"):
        text = (folder / name).read_text("utf-8").replace("\\", "")
        line = next(line for line in text.splitlines() if "212" in line and "236" in line)
        assert price in line.replace("\u202f", "\xa0")
        assert misread not in line


def test_the_distributors_term_and_the_bill_give_one_day_for_the_reduction(tmp_path: Path) -> None:
    """Native review 7, E2: the Pax8 line said Mar 17, 2027 was "the earliest day a lower seat count can take
    effect" while "Your bill" and the digest said "From Mar 18, 2027" for the same E5 reduction. The term's
    last day is Mar 17; the lower count takes effect from the day the bill's saving starts."""
    _demo(tmp_path)
    folder = tmp_path / "contoso"
    report = json.loads((folder / "report.json").read_text("utf-8"))
    e5 = next(a for a in report["bill"]["actions"] if a.get("sku") == "SPE_E5" and a["action"] == "reduce")
    assert e5["saving_from"] == "2027-03-18"
    for name in ("report.md", "digest.txt"):
        text = (folder / name).read_text("utf-8").replace("\\", "")
        term = next(line for line in text.splitlines() if "commitment term at the distributor" in line)
        assert term.endswith("a lower seat count can take effect from Mar 18, 2027.")
        assert "earliest day" not in text
    assert "From Mar 18, 2027: −€383.25 a month (Microsoft 365 E5, 7 seats)" in (folder / "digest.txt").read_text(
        "utf-8"
    )


def test_the_customers_mail_leaves_out_what_only_the_msp_can_confirm(tmp_path: Path) -> None:
    """A product matched to the distributor's by its name only is the MSP's to confirm in the tenants file:
    the MSP's copy says so, the report mailed to the customer (a real SMTP server on loopback) does not."""
    import email
    import email.policy

    from delivery.conftest import smtp_server

    said = "matched to the distributor's products by their names only"
    _demo(tmp_path / "msp")
    assert said in (tmp_path / "msp" / "contoso" / "report.md").read_text("utf-8").replace("\\", "").lower()
    with smtp_server() as server:
        mail = ("--smtp-host", server.host, "--smtp-port", str(server.port), "--from", "a@msp.example")
        _demo(tmp_path / "mailed", *mail)
        messages = [email.message_from_bytes(m.content, policy=email.policy.default) for m in server.recorder.messages]
    folder = tmp_path / "mailed" / "contoso"
    assert json.loads((folder / "report.json").read_text("utf-8"))["distributor"]["mailed_to_customer"] is True
    (contoso,) = [m for m in messages if "Contoso" in str(m["Subject"])]
    sent = [part.get_content() for part in contoso.walk() if part.get_content_type() in ("text/plain", "text/html")]
    assert len(sent) == 2 and "Seats at the distributor (Pax8)" in sent[0]
    for text in [*sent, *((folder / name).read_text("utf-8") for name in ("report.md", "report.html", "digest.txt"))]:
        assert said not in text.replace("\\", "").lower()
