"""The distributor's seats (issue 77, point 4): Pax8's partner API read through its loopback stand-in
(auditor_dev/commerce/pax8.py, Pax8's published shapes), and reconciled with a tenant's products:
paging, a product map, a name guess, more billed than enabled, an expired token, a refused secret,
a company not the partner's; read only; the secret in no output."""

from __future__ import annotations

import itertools
import json
import os
from datetime import date
from pathlib import Path

import msgspec
import pytest

from auditor.billing.distributor_seats import payload, reconcile
from auditor.cli import main
from auditor.common.errors import UsageError
from auditor.delivery.matrix import load_tenants
from auditor.formats.report_model import SeatRow
from auditor.snapshot import load_snapshot
from auditor.vendors.distributor_sessions import seller
from auditor.vendors.pax8.client import Pax8, Pax8Error
from auditor.vendors.registry import DISTRIBUTORS
from auditor_dev.commerce.pax8 import Pax8StandIn

COMPANY = "11111111-2222-4333-8444-555555555555"
OTHER = "99999999-2222-4333-8444-555555555555"
E3 = "aaaaaaaa-0000-4000-8000-0000000000e3"
SECRET = "s3cret-Pax8-value-never-printed"
SAMPLE = Path(__file__).resolve().parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"

PAX8 = seller(DISTRIBUTORS["pax8"])  # the reconciliation's name for Pax8


def _sub(n: int, product: str, name: str, quantity: int, **more: object) -> dict[str, object]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "companyId": COMPANY,
        "productId": product,
        "productName": name,
        "quantity": quantity,
        "status": "Active",
        "price": 10.0,
        "currencyCode": "EUR",
        "billingTerm": "Monthly",
        **more,
    }


def _stand_in(subscriptions: list[dict[str, object]], **kw: object) -> Pax8StandIn:
    companies = [{"id": COMPANY, "name": "Contoso"}]
    return Pax8StandIn(client_id="msp", client_secret=SECRET, companies=companies, subscriptions=subscriptions, **kw)  # type: ignore[arg-type]


def test_every_page_is_read_with_one_token() -> None:
    many = [_sub(n, E3, "Microsoft 365 E3", 1) for n in range(450)]
    others = [{**_sub(1000 + n, E3, "Microsoft 365 E3", 1), "companyId": OTHER} for n in range(5)]
    with _stand_in(many + others) as pax8, Pax8("msp", SECRET, endpoint=pax8.url) as client:
        got = client.subscriptions(COMPANY)
        pages = [r for r in pax8.requests if r.path == "/v1/subscriptions"]
    assert len(got) == 450 and {s.company_id for s in got} == {COMPANY}  # only this company's
    assert [r.query["page"] for r in pages] == ["0", "1", "2"] and {r.query["size"] for r in pages} == {"200"}
    assert client.token_requests == 1
    assert pax8.writes == 0 and {r.method for r in pax8.requests} == {"GET", "POST"}  # POST: the token only
    token = next(r for r in pax8.requests if r.path == "/oauth/token")
    assert token.body == {
        "client_id": "msp",
        "client_secret": SECRET,
        "audience": "https://api.pax8.com",
        "grant_type": "client_credentials",
    }


def test_an_expired_token_is_renewed_once() -> None:
    with _stand_in([_sub(1, E3, "Microsoft 365 E3", 3)]) as pax8, Pax8("msp", SECRET, endpoint=pax8.url) as client:
        assert len(client.subscriptions(COMPANY)) == 1
        pax8.expire_tokens()  # 24 hours later
        assert len(client.subscriptions(COMPANY)) == 1
        statuses = [r for r in pax8.requests if r.path == "/v1/subscriptions"]
    assert client.token_requests == 2 and len(statuses) == 3  # the refused request, then again


def test_a_refused_secret_and_a_foreign_company_are_errors_without_the_secret() -> None:
    with _stand_in([]) as pax8:
        with Pax8("msp", "wrong-" + SECRET, endpoint=pax8.url) as client, pytest.raises(Pax8Error) as refused:
            client.subscriptions(COMPANY)
        with Pax8("msp", SECRET, endpoint=pax8.url) as client, pytest.raises(Pax8Error) as foreign:
            client.subscriptions(OTHER)
    assert "refused the client credentials (HTTP 401)" in str(refused.value) and SECRET not in str(refused.value)
    assert str(foreign.value) == "GET /subscriptions: HTTP 403"  # its status; never Pax8's text


@pytest.mark.off_contract("a page size over Pax8's 200 and a write to a path Pax8 does not publish, on purpose")
def test_the_stand_in_refuses_what_pax8_refuses() -> None:
    import httpx

    with _stand_in([]) as pax8:
        assert httpx.get(f"{pax8.url}/v1/subscriptions").status_code == 401  # no token
        token = httpx.post(
            f"{pax8.url}/oauth/token",
            json={
                "client_id": "msp",
                "client_secret": SECRET,
                "audience": "api://usage",
                "grant_type": "client_credentials",
            },
        )
        assert token.status_code == 401 and token.json() == {
            "error": "access_denied",
            "error_description": "Unauthorized",
        }
        good = httpx.post(
            f"{pax8.url}/oauth/token",
            json={
                "client_id": "msp",
                "client_secret": SECRET,
                "audience": "https://api.pax8.com",
                "grant_type": "client_credentials",
            },
        ).json()
        assert good["expires_in"] == 86400 and good["token_type"] == "Bearer"
        auth = {"Authorization": f"Bearer {good['access_token']}"}
        assert httpx.get(f"{pax8.url}/v1/subscriptions", params={"size": 201}, headers=auth).status_code == 400
        assert httpx.put(f"{pax8.url}/v1/subscriptions/x", json={"quantity": 1}, headers=auth).status_code == 404
        assert httpx.delete(f"{pax8.url}/v1/subscriptions/x", headers=auth).status_code == 404  # Cancel: unknown id
        assert httpx.delete(f"{pax8.url}/v1/companies/x", headers=auth).status_code == 405


SEATS = [  # the tenant's seat table (report.json's `skus`)
    SeatRow(
        sku="SPE_E3",
        sku_id="05e9a617-0261-4cee-bb44-138d3ef5d965",
        name="Microsoft 365 E3",
        enabled=20,
        consumed=18,
    ),
    SeatRow(
        sku="SPE_E5",
        sku_id="06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        name="Microsoft 365 E5",
        enabled=10,
        consumed=10,
    ),
]


def test_the_reconciliation_per_product() -> None:
    subs = [
        _sub(1, E3, "Office thing", 25),  # mapped by id: billed 25 > enabled 20, 7 unused
        _sub(
            2,
            "bbbbbbbb-0000-4000-8000-0000000000e5",
            "Microsoft 365 E5",
            8,
            commitmentTerm={"term": "Annual", "endDate": "2027-02-01T00:00:00Z"},
        ),  # by name: fewer
        _sub(3, "cccccccc-0000-4000-8000-0000000000cc", "Some Backup", 4),  # no match
        _sub(4, E3, "Office thing", 9, status="Cancelled", endDate="2026-10-01T00:00:00Z"),  # ended: not billed
    ]
    from auditor.vendors.pax8.client import _subscription

    doc = msgspec.to_builtins(
        reconcile(
            {"products": {E3: "SPE_E3"}}, SEATS, [_subscription(s, COMPANY) for s in subs], [], PAX8, date(2026, 11, 1)
        )
    )
    products = {p["sku"]: p for p in doc["products"]}
    assert products["SPE_E3"]["billed"] == 25 and products["SPE_E3"]["matched_by"] == "map"
    assert products["SPE_E5"]["matched_by"] == "name" and products["SPE_E5"]["term_end"] == "2027-02-01"
    kinds = {(f["kind"], f["sku"]): f for f in doc["findings"]}
    assert kinds[("billed_more", "SPE_E3")]["seats"] == 5
    assert kinds[("billed_unused", "SPE_E3")] == {
        "kind": "billed_unused",
        "sku": "SPE_E3",
        "seats": 7,
        "monthly": 70.0,
        "currency": "EUR",
        "cost_monthly": None,  # Pax8 gave no partnerCost: what the seats cost the MSP is not known
    }
    assert kinds[("billed_fewer", "SPE_E5")]["seats"] == 2 and ("billed_unused", "SPE_E5") not in kinds
    assert kinds[("term_end", "SPE_E5")]["date"] == "2027-02-01"
    assert any("matched to SPE_E5 by its name" in w and "bbbbbbbb" in w for w in doc["warnings"])
    assert any("'Some Backup'" in w and "matches no product" in w for w in doc["warnings"])


def test_the_tenants_file_block_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    head = "defaults:\n  client_id: 00000000-0000-0000-0000-0000000000c1\n"
    head += "tenants:\n  - name: A\n    tenant_id: a.example\n"
    path.write_text(
        head + f"    distributor: {{pax8: {{company_id: {COMPANY}, products: {{{E3}: SPE_E3}}}}}}\n", "utf-8"
    )
    (job,) = load_tenants(path)
    assert json.loads(job.distributor) == {"pax8": {"company_id": COMPANY, "products": {E3: "SPE_E3"}}}
    path.write_text(head + "    distributor: {pax8: {company_id: not-a-guid}}\n", "utf-8")
    with pytest.raises(UsageError, match="company_id"):
        load_tenants(path)
    path.write_text(head + f"    distributor: {{ingram: {{company_id: {COMPANY}}}}}\n", "utf-8")
    with pytest.raises(UsageError, match="pax8"):
        load_tenants(path)


def test_the_many_tenant_demo_reconciles_contoso_and_prints_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    # the demo's Pax8 secret (and the stand-in's tokens), made known here: in no output of the run; each
    # its own (a token equal to the secret sent for it would be taken out of the token's answer)
    made = itertools.count()
    monkeypatch.setattr("secrets.token_urlsafe", lambda n=None: f"{SECRET}-{next(made)}")
    main(["audit", "--demo", "--tenants", "--output-dir", str(tmp_path)])
    doc = json.loads((tmp_path / "contoso" / "distributor.json").read_text("utf-8"))
    kinds = {(f["kind"], f["sku"]) for f in doc["findings"]}
    assert {("billed_more", "SPE_E3"), ("term_end", "SPE_E5"), ("billed_fewer", "POWER_BI_PRO")} <= kinds
    northwind = json.loads((tmp_path / "northwind" / "distributor.json").read_text("utf-8"))  # its own company
    assert ("billed_more", "SPE_E3") in {(f["kind"], f["sku"]) for f in northwind["findings"]}  # 205 where 204
    rows = {r["key"]: r for r in json.loads((tmp_path / "tenants.json").read_text("utf-8"))["tenants"]}
    found = rows["contoso"]["distributor"]
    assert (found["differences"], found["error"]) == (4, None)  # E3, E5, Power BI Pro and F3 (3 billed unused)
    # the customer's month at the distributor: Pax8's partnerCost (the MSP's), its price (the customer's)
    assert found["totals"] == [
        {"currency": "EUR", "cost_monthly": 7328.57, "billed_monthly": 8136.75, "margin_monthly": 808.18}
    ]
    assert {p["sku"]: p["margin_monthly"] for p in found["products"]} == {
        "POWER_BI_PRO": 28.5,
        "SPE_E3": 703.5,
        "SPE_E5": 65.4,
        "SPE_F1": 10.78,  # 49 seats: 49 x 2.25 billed, 49 x 2.03 cost
    }
    md = (tmp_path / "tenants.md").read_text("utf-8").replace("\\", "")
    assert "4 · cost €7,328.57, billed €8,136.75, margin €808.18; " in md  # the customer's, then each product's
    assert "; Microsoft 365 E3: cost €6,384.00, billed €7,087.50, margin €703.50" in md
    assert rows["northwind"]["distributor"]["differences"] == 4 and rows["fabrikam"]["distributor"]["differences"] == 1
    err = capsys.readouterr().err
    assert "contoso: distributor: Pax8 product 'Microsoft 365 E5' (b2e5e5e5" in err and SECRET not in err
    assert "northwind: distributor: Pax8 product" not in err  # Northwind's name their Microsoft subscriptions
    # the run's line counts what tenants.json counts: the products billed otherwise, not the findings
    assert "contoso: distributor: 4 products read, 4 billed differently from Microsoft's count" in err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_a_tenants_file_naming_pax8_needs_the_msps_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "defaults:\n  client_id: 00000000-0000-0000-0000-0000000000c1\n"
        "tenants:\n  - name: A\n    tenant_id: a.example\n"
        f"    distributor: {{pax8: {{company_id: {COMPANY}}}}}\n",
        "utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("PAX8_")]:
            patch.delenv(key)
        assert main(["audit", "--tenants", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert "PAX8_CLIENT_SECRET" in capsys.readouterr().err
    assert not (tmp_path / "out" / "a").exists()  # stopped before any tenant


# the sample tenant's two Power BI Pro subscriptions (Graph's companySubscription ids): an annual and a monthly
ANNUAL, MONTHLY = "6bfa1535-2f4d-4051-8d52-84b5dcc98e43", "16cf4b7c-5cba-5b99-9497-e06181b87ea7"
PBI = "cccccccc-0000-4000-8000-0000000000b1"
PBI_SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"


def power_bi_at_pax8(*, vendor_ids: bool, split: tuple[int, int] = (31, 3)) -> list[dict[str, object]]:
    """Power BI Pro twice at Pax8, an annual term and a monthly one (`split`: their seats), both priced
    for the customer and the partner; with `vendor_ids`, each names its Microsoft subscription as Pax8
    documents it."""
    annual = _sub(11, PBI, "Power BI Pro", split[0], price=9.40, partnerCost=8.45, billingTerm="Annual")
    annual["commitmentTerm"] = {
        "id": "7d0c4b1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f",
        "term": "1-Year",
        "endDate": "2027-05-08T00:00:00Z",
    }
    monthly = _sub(12, PBI, "Power BI Pro", split[1], price=11.28, partnerCost=10.14)
    if vendor_ids:
        annual |= {"vendorSubscriptionId": ANNUAL.upper(), "vendorSkuId": PBI_SKU}  # Pax8's case is not Graph's
        monthly |= {"vendorSubscriptionId": MONTHLY, "vendorSkuId": PBI_SKU}
    return [annual, monthly]


def _read(subs: list[dict[str, object]]) -> list[object]:
    with _stand_in(subs) as pax8, Pax8("msp", SECRET, endpoint=pax8.url) as client:
        return list(client.subscriptions(COMPANY))


def test_an_annual_and_a_monthly_of_one_product_are_told_apart_by_the_vendors_ids() -> None:
    from auditor.billing.distributor_seats import TenantSubscription, terms

    got = _read(power_bi_at_pax8(vendor_ids=True))
    tenant = [
        TenantSubscription(ANNUAL, None, "POWER_BI_PRO", PBI_SKU),
        TenantSubscription(MONTHLY, None, "POWER_BI_PRO", PBI_SKU),
    ]
    seats = [SeatRow(sku="POWER_BI_PRO", sku_id=PBI_SKU, name="Power BI Pro", enabled=34, consumed=30)]
    doc = msgspec.to_builtins(reconcile({}, seats, got, tenant, PAX8))  # type: ignore[arg-type]
    (product,) = doc["products"]
    assert product["matched_by"] == "subscription" and not doc["warnings"]
    assert {s["microsoft_subscription"]: (s["billing_term"], s["term_end"]) for s in product["subscriptions"]} == {
        ANNUAL: ("Annual", "2027-05-08"),
        MONTHLY: ("Monthly", None),
    }
    # both prices: 31 x 8.45 + 3 x 10.14 cost the MSP, 31 x 9.40 + 3 x 11.28 are billed to the customer
    assert (product["cost_monthly"], product["billed_monthly"], product["margin_monthly"]) == (292.37, 325.24, 32.87)
    assert doc["totals"] == [
        {"currency": "EUR", "cost_monthly": 292.37, "billed_monthly": 325.24, "margin_monthly": 32.87}
    ]
    assert not [f for f in doc["findings"] if f["kind"] == "ambiguous"]
    # the bill: the annual subscription's term end is its own; the monthly one has none to take
    given = payload(PAX8, {"company_id": COMPANY}, got)
    sample = [s for s in load_snapshot(SAMPLE).subscriptions if s.sku_part_number == "POWER_BI_PRO"]
    assert terms(given, sample) == {ANNUAL: date(2027, 5, 8)}


def test_two_subscriptions_of_one_product_without_the_vendors_ids_are_not_guessed() -> None:
    from auditor.billing.distributor_seats import terms

    got = _read(power_bi_at_pax8(vendor_ids=False))
    seats = [SeatRow(sku="POWER_BI_PRO", sku_id=PBI_SKU, name="Power BI Pro", enabled=34, consumed=30)]
    doc = msgspec.to_builtins(reconcile({"products": {PBI: "POWER_BI_PRO"}}, seats, got, [], PAX8))  # type: ignore[arg-type]
    ambiguous = [f for f in doc["findings"] if f["kind"] == "ambiguous"]
    ids = ["00000000-0000-4000-8000-000000000011", "00000000-0000-4000-8000-000000000012"]
    assert ambiguous == [{"kind": "ambiguous", "sku": "POWER_BI_PRO", "subscriptions": ids}]
    assert any(ids[0] in w and ids[1] in w and "not guessed" in w for w in doc["warnings"])
    # no date is taken for either Microsoft subscription (the earliest would be the monthly one's too)
    given = payload(PAX8, {"company_id": COMPANY, "products": {PBI: "POWER_BI_PRO"}}, got)
    assert terms(given, load_snapshot(SAMPLE).subscriptions) == {}


@pytest.mark.off_contract("a price and a currency of null, which Pax8's schema does not give, on purpose")
def test_prices_and_the_vendors_ids_are_checked() -> None:
    cases = {
        "partnerCost": (-1, "partnerCost '-1' is not one Pax8 sends"),
        "currencyCode": ("euro", "currencyCode 'euro' is not one Pax8 sends"),
        "vendorSubscriptionId": ("a b\n", "vendorSubscriptionId 'a b\\n' is not one Pax8 sends"),
    }
    for key, (value, said) in cases.items():
        with pytest.raises(Pax8Error) as refused:
            _read([_sub(1, E3, "Microsoft 365 E3", 1, **{key: value})])
        assert said in str(refused.value), key
    with pytest.raises(Pax8Error, match="gives a partnerCost without its currencyCode"):
        _read([{**_sub(1, E3, "Microsoft 365 E3", 1, price=None), "currencyCode": None, "partnerCost": 3.0}])
