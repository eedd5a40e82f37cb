"""Issue 95, the distributor's read side (points 4, 6, 13 and 14): what Pax8 and Sherweb answer is read
as a whole only when it is one. A subscription id their listing repeats is that customer's gap; a
product (Pax8's productId, Sherweb's SKU) that names two Microsoft products is a named gap, nothing
matched or planned on it; two tenants naming one customer at the distributor make the tenants file
refused; an answer nested past any shape the vendors document, or with a key given twice, is the
customer's gap, never a traceback: one client (auditor.vendors.client) reads Pax8 and
Sherweb alike, and Partner Center's session decodes its answers through the same strict JSON.
Through `audit --tenants` and `plan` against the Graph emulator and the Pax8 and Sherweb stand-ins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.billing.arm import BillingSourceError
from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor.vendors.partner_center import client as partner_center
from auditor.vendors.pax8.client import Pax8, Pax8Error
from auditor.vendors.sherweb.client import Sherweb, SherwebError
from auditor_dev.commerce.partner_center import PartnerCenterStandIn
from auditor_dev.commerce.server import Asked, Reply
from auditor_dev.emulator import GraphEmulator, app_token

from . import test_sherweb as at_sherweb
from .test_pax8 import COMPANY, PBI, SAMPLE, SECRET, _stand_in, _sub, power_bi_at_pax8
from .test_sources import Token

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contoso-policy.yaml"
E5_SKU = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"  # the sample tenant's SPE_E5
MONTHLY_AT_PAX8 = "00000000-0000-4000-8000-000000000012"
DEEP = b'{"content": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"  # nested past Python's recursion limit


def _pax8_fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subs: list[dict[str, object]], **more: Any) -> str:
    """`audit --tenants` of Contoso at Pax8 (the sample tenant through the Graph emulator), then its
    plan: stderr of both. `more`: the Pax8 stand-in's route replaced (`route`)."""
    monkeypatch.chdir(tmp_path)
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("PAX8_CLIENT_ID", "msp")
    monkeypatch.setenv("PAX8_CLIENT_SECRET", SECRET)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    with _stand_in(subs) as pax8, GraphEmulator(sample, token=token) as graph:
        if "route" in more:
            pax8.route = more["route"](pax8.route)  # type: ignore[method-assign]
        (tmp_path / "t.yaml").write_text(
            f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n    graph_endpoint: {graph.url}\n"
            "    policies: p.yaml\n    client_id: 00000000-0000-0000-0000-0000000000c1\n"
            f"    distributor: {{pax8: {{company_id: {COMPANY}, products: {{{PBI}: POWER_BI_PRO}}}}}}\n",
            "utf-8",
        )
        argv = ["audit", "--tenants", "t.yaml", "--auth", "token", "--output-dir", "out", "--tenant-concurrency", "1"]
        code = main([*argv, "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never", "--pax8-endpoint", pax8.url])
        assert code in (0, 1) and pax8.writes == 0
    assert main(["plan", "--report-dir", "out/contoso"]) == 0
    return "\n".join(p.read_text("utf-8", "replace") for p in sorted((tmp_path / "out").rglob("*.md")))


def _section(tmp_path: Path) -> dict[str, Any]:
    folder = tmp_path / "out" / "contoso"
    section: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))["distributor"]
    assert section == json.loads((folder / "distributor.json").read_text("utf-8"))
    return section


def _planned(tmp_path: Path) -> list[dict[str, Any]]:
    bill = json.loads((tmp_path / "out" / "contoso" / "plan.json").read_text("utf-8"))["bill"]
    return list(bill.get("distributor") or [])


@pytest.mark.parametrize("same", [True, False], ids=["identical", "another-quantity"])
def test_a_pax8_listing_that_repeats_a_subscription_is_that_customers_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], same: bool
) -> None:
    subs = power_bi_at_pax8(vendor_ids=True, split=(28, 6))
    again = dict(subs[1]) if same else subs[1] | {"quantity": 5}
    _pax8_fleet(tmp_path, monkeypatch, [*subs, again])  # Pax8 bills 34; the listing adds up to 40 (or 39)
    section = _section(tmp_path)
    assert f"subscription {MONTHLY_AT_PAX8!r} is listed twice" in section["error"]
    assert "products" not in section and "findings" not in section  # no "billed more" rests on it
    assert _planned(tmp_path) == []  # neither a cancel nor a reduction
    assert "contoso: distributor: not read: GET /subscriptions: subscription" in capsys.readouterr().err


def test_a_sherweb_listing_that_repeats_a_subscription_is_that_customers_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subs = at_sherweb.contoso_at_sherweb()
    at_sherweb._fleet(tmp_path, monkeypatch, [*subs, subs[0] | {"quantity": 6}])
    doc = json.loads((tmp_path / "out" / "contoso" / "distributor.json").read_text("utf-8"))
    assert f"subscription {subs[0]['id']!r} is listed twice" in doc["error"] and "findings" not in doc


def test_a_sherweb_sku_the_catalog_lists_twice_is_a_gap_nothing_planned_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Power BI Pro's Sherweb SKU listed a second time with E5's Microsoft SKU id: which product its
    seats are is not guessed; Power BI Pro's and E5's seats are not compared, nothing is planned on
    either; E3, which the catalog names once, is reconciled as before."""
    doubled = [*at_sherweb.CATALOG, {"sku": "ms-0b-pbi-pro-nce-1m", "microsoftSkuId": E5_SKU}]
    monkeypatch.setattr(at_sherweb, "CATALOG", doubled)
    at_sherweb._fleet(tmp_path, monkeypatch, at_sherweb.contoso_at_sherweb())
    err = capsys.readouterr().err
    section = _section(tmp_path)
    assert [p["sku"] for p in section["products"]] == ["SPE_E3"]
    pbi_id = at_sherweb._sub(2, "", "", 0)["id"]
    (gap,) = [f for f in section["findings"] if f["kind"] == "ambiguous_product"]
    assert gap == {
        "kind": "ambiguous_product",
        "sku": "MS-0B-PBI-PRO-NCE-1M",
        "products": ["POWER_BI_PRO", "SPE_E5"],
        "subscriptions": [pbi_id],
    }
    assert not [f for f in section["findings"] if f["sku"] in ("POWER_BI_PRO", "SPE_E5")]
    assert "Sherweb product 'MS-0B-PBI-PRO-NCE-1M' names more than one Microsoft product" in err
    md = (tmp_path / "out" / "contoso" / "report.md").read_text("utf-8").replace("\\", "")
    assert (
        "MS-0B-PBI-PRO-NCE-1M: the distributor's product names more than one Microsoft product (Power BI Pro and "
        f"Microsoft 365 E5): its subscription ({pbi_id}) is not matched, and the seats of those products are not "
        "compared."
    ) in md
    assert main(["plan", "--report-dir", "out/contoso"]) == 0
    assert not [c for c in _planned(tmp_path) if c["sku"] in ("POWER_BI_PRO", "SPE_E5")]


@pytest.mark.parametrize("conflict", ["two-vendor-sku-ids", "map-against-vendor-sku-id"])
def test_a_pax8_product_that_names_two_microsoft_products_is_a_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conflict: str
) -> None:
    """One Pax8 productId whose subscriptions give two vendorSkuIds, or whose vendorSkuId names
    another product than the tenants entry's products map: a gap, nothing matched or planned on it."""
    subs = power_bi_at_pax8(vendor_ids=True, split=(28, 6))
    if conflict == "two-vendor-sku-ids":
        subs[1]["vendorSkuId"] = E5_SKU
    else:
        for sub in subs:
            sub["vendorSkuId"] = E5_SKU
    _pax8_fleet(tmp_path, monkeypatch, subs)
    section = _section(tmp_path)
    (gap,) = [f for f in section["findings"] if f["kind"] == "ambiguous_product"]
    assert (gap["sku"], gap["products"]) == (PBI, ["POWER_BI_PRO", "SPE_E5"])
    assert gap["subscriptions"] == sorted(str(s["id"]) for s in subs)
    assert not [p for p in section["products"] if p["sku"] in ("POWER_BI_PRO", "SPE_E5")]
    assert _planned(tmp_path) == []


def _nested(path_end: str) -> Any:
    """A stand-in's route that answers `path_end`'s GET with JSON nested 100,000 levels deep."""

    def wrap(original: Any) -> Any:
        def route(asked: Asked) -> Reply:
            reply: Reply = original(asked)
            if asked.method == "GET" and asked.path.endswith(path_end):
                reply.body = DEEP
            return reply

        return route

    return wrap


@pytest.mark.off_contract("an answer nested past what Pax8's schema gives")
def test_a_deeply_nested_pax8_answer_is_the_customers_gap_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _pax8_fleet(tmp_path, monkeypatch, power_bi_at_pax8(vendor_ids=True), route=_nested("/v1/subscriptions"))
    section = _section(tmp_path)
    assert "GET /subscriptions: the answer is not JSON Pax8 sends (nested" in section["error"]
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "answer",
    [DEEP, b'{"content": [], "content": []}'],
    ids=["nested", "key-twice"],
)
@pytest.mark.off_contract("an answer of no vendor's schema: nested past reading, or a list where one subscription is")
def test_each_vendors_client_refuses_a_nested_answer_or_a_key_given_twice(answer: bytes) -> None:
    def serve(original: Any, path_end: str) -> Any:
        def route(asked: Asked) -> Reply:
            reply: Reply = original(asked)
            if asked.path.endswith(path_end):
                reply.body = answer
            return reply

        return route

    with _stand_in([_sub(1, PBI, "Power BI Pro", 3)]) as pax8, Pax8("msp", SECRET, endpoint=pax8.url) as client:
        pax8.route = serve(pax8.route, "/v1/subscriptions")  # type: ignore[method-assign]
        with pytest.raises(Pax8Error, match=r"GET /subscriptions: the answer is not JSON Pax8 sends"):
            client.subscriptions(COMPANY)
        pax8.route = serve(pax8.route, "/v1/subscriptions/00000000-0000-4000-8000-000000000001")  # type: ignore[method-assign]
        with pytest.raises(Pax8Error, match=r"GET /subscriptions/\S+: the answer is not JSON Pax8 sends"):
            client.subscription(COMPANY, "00000000-0000-4000-8000-000000000001")
    with (
        at_sherweb._stand_in(at_sherweb.contoso_at_sherweb()) as sherweb,
        Sherweb("msp", at_sherweb.SECRET, at_sherweb.KEY, endpoint=sherweb.url) as shw,
    ):
        sherweb.route = serve(sherweb.route, "/details")  # type: ignore[method-assign]
        with pytest.raises(SherwebError, match="GET billing/subscriptions/details: the answer is not JSON Sherweb"):
            shw.seats(at_sherweb.CUSTOMER, "b7c1e2d3-0000-4000-8000-000000000001")
        sherweb.route = serve(sherweb.route, f"/customer-catalogs/{at_sherweb.CUSTOMER}")  # type: ignore[method-assign]
        with pytest.raises(SherwebError, match="GET customer-catalogs: the answer is not JSON Sherweb sends"):
            shw.subscriptions(at_sherweb.CUSTOMER)


def test_partner_centers_session_refuses_a_nested_answer_by_name() -> None:
    customer = "2f3adacf-3c50-4499-8960-90bdf5d7e2fd"
    with PartnerCenterStandIn({customer: []}) as stand_in:
        stand_in.route = _nested("/subscriptions")(stand_in.route)  # type: ignore[method-assign]
        with (
            partner_center.PartnerCenter(Token("pc-token"), stand_in.url, sleep=lambda s: None) as pc,
            pytest.raises(BillingSourceError, match=r"GET /v1/customers/\S+/subscriptions: the answer is not JSON"),
        ):
            partner_center.read_subscriptions(pc, customer)


@pytest.mark.parametrize(
    ("second", "said"),
    [
        (f"distributor: {{pax8: {{company_id: {COMPANY.upper()}}}}}", "company_id"),
        (f"distributor: {{sherweb: {{customer_id: {COMPANY}}}}}", None),  # another distributor: no clash
    ],
)
def test_two_tenants_naming_one_customer_at_the_distributor_make_the_file_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], second: str, said: str | None
) -> None:
    from auditor.common.errors import UsageError
    from auditor.delivery.matrix import load_tenants

    path = tmp_path / "t.yaml"
    path.write_text(
        "defaults:\n  client_id: 00000000-0000-0000-0000-0000000000c1\n"
        "tenants:\n"
        f"  - name: Contoso\n    tenant_id: contoso.example\n    distributor: {{pax8: {{company_id: {COMPANY}}}}}\n"
        f"  - name: Fabrikam\n    tenant_id: fabrikam.example\n    {second}\n",
        "utf-8",
    )
    if said is None:
        assert len(load_tenants(path)) == 2
        return
    with pytest.raises(UsageError) as caught:
        load_tenants(path)
    text = str(caught.value)
    assert f"{path}:7: tenants[1] (Fabrikam)" in text and f"{path}:4: tenants[0] (Contoso)" in text
    assert f"Pax8 {said} {COMPANY}" in text
    assert main(["audit", "--tenants", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert "tenants[0] (Contoso)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_products_map_naming_one_product_twice_is_refused(tmp_path: Path) -> None:
    from auditor.common.errors import UsageError
    from auditor.delivery.matrix import load_tenants

    path = tmp_path / "t.yaml"
    path.write_text(
        "tenants:\n  - name: A\n    tenant_id: a.example\n    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        f"    distributor: {{pax8: {{company_id: {COMPANY}, products: {{{PBI}: POWER_BI_PRO, "
        f"{PBI.upper()}: SPE_E5}}}}}}\n",
        "utf-8",
    )
    with pytest.raises(UsageError, match="names one product twice"):
        load_tenants(path)


def test_a_sherweb_subscription_re_read_names_its_product_from_the_catalog_at_the_call() -> None:
    """For a caller that decides a Sherweb subscription's product at the call (apply): one subscription
    as the reconciliation reads it, its Microsoft SKU id from the catalog now; a SKU the catalog lists
    twice gives both and none chosen; a subscription the details list twice is refused."""
    subs = at_sherweb.contoso_at_sherweb()
    pbi = str(subs[1]["id"])
    with (
        at_sherweb._stand_in(subs) as sherweb,
        Sherweb("msp", at_sherweb.SECRET, at_sherweb.KEY, endpoint=sherweb.url) as client,
    ):
        got = client.subscription(at_sherweb.CUSTOMER, pbi)
        assert (got.product_id, got.vendor_sku_id, got.ambiguous_sku_ids) == (
            "MS-0B-PBI-PRO-NCE-1M",
            at_sherweb.PBI,
            (),
        )
        sherweb.catalogs[at_sherweb.CUSTOMER].append({"sku": "MS-0B-PBI-PRO-NCE-1M", "microsoftSkuId": E5_SKU})
        got = client.subscription(at_sherweb.CUSTOMER, pbi)
        assert got.vendor_sku_id is None and set(got.ambiguous_sku_ids) == {at_sherweb.PBI, E5_SKU}
        sherweb.subscriptions[at_sherweb.CUSTOMER].append(dict(subs[1]))
        with pytest.raises(SherwebError, match="is listed twice"):
            client.subscription(at_sherweb.CUSTOMER, pbi)
        with pytest.raises(SherwebError, match="is listed twice"):
            client.seats(at_sherweb.CUSTOMER, pbi)
