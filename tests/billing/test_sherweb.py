"""Sherweb as a second distributor (issue 87, point 4, read side): Sherweb's Partner API read through its
loopback stand-in (auditor_dev/commerce/sherweb.py: a client-credentials token with the
service-provider scope, the APIM subscription key, billing/subscriptions/details and the customer's
catalog), each subscription matched to a tenant product by the catalog's microsoftSkuId and reconciled
as Pax8's are, in an `audit --tenants` run against the Graph emulator; a customer Sherweb refuses is that
customer's gap; a field Sherweb would not send is refused; no secret in any output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.common.errors import UsageError
from auditor.delivery.matrix import load_tenants
from auditor.snapshot import load_snapshot
from auditor.vendors.sherweb.client import Sherweb, SherwebError
from auditor_dev.commerce.sherweb import SherwebStandIn
from auditor_dev.emulator import GraphEmulator, app_token

CUSTOMER = "3c9d1f0e-7b2a-4e61-9a45-0d8c7e6f5b4a"  # Contoso at Sherweb
GONE = "8e2b6a4c-1d3f-4b7e-a9c0-5f6e7d8c9b0a"  # a customer that is not the service provider's
SECRET, KEY = "s3cret-Sherweb-value-never-printed", "apim-key-never-printed-0f9e8d7c"
E3, PBI = "05e9a617-0261-4cee-bb44-138d3ef5d965", "f8a1db68-be16-40ed-86d5-cb42ce701560"  # Microsoft's SKU ids
SAMPLE = Path(__file__).resolve().parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contoso-policy.yaml"
CATALOG = [
    {"sku": "MS-0A-O365-E3-NCE-1Y", "microsoftSkuId": E3, "name": {"en": "Microsoft 365 E3"}},
    {"sku": "MS-0B-PBI-PRO-NCE-1M", "microsoftSkuId": PBI, "name": {"en": "Power BI Pro"}},
    {"sku": "SW-BACKUP-365", "name": {"en": "Sherweb Backup"}},  # not Microsoft's: no microsoftSkuId
]


def _sub(n: int, sku: str, name: str, quantity: object, **more: Any) -> dict[str, Any]:
    return {
        "id": f"b7c1e2d3-0000-4000-8000-{n:012d}",
        "productName": name,
        "description": name,  # required by Sherweb's published Subscription
        "sku": sku,
        "quantity": quantity,
        "purchaseDate": "2026-05-09T00:00:00Z",
        "billingCycle": "Monthly",
        **more,
    }


def contoso_at_sherweb() -> list[dict[str, Any]]:
    annual = {"type": "Annual", "termEndDate": "2027-05-08T00:00:00Z"}
    return [
        _sub(1, "MS-0A-O365-E3-NCE-1Y", "Microsoft 365 E3", 210, commitmentTerm=annual),
        _sub(
            2,
            "MS-0B-PBI-PRO-NCE-1M",
            "Power BI Pro",
            30,
            commitmentTerm={
                "type": "Monthly",
                "termEndDate": "2026-12-08",
                "renewalConfiguration": {"renewalDate": "2026-12-09T00:00:00Z"},
            },
        ),
        _sub(3, "SW-BACKUP-365", "Sherweb Backup", 40),
    ]


def _stand_in(subscriptions: list[dict[str, Any]]) -> SherwebStandIn:
    return SherwebStandIn(
        client_id="msp",
        client_secret=SECRET,
        subscription_key=KEY,
        subscriptions={CUSTOMER: subscriptions},
        catalogs={CUSTOMER: CATALOG},
    )


def test_the_customers_subscriptions_carry_microsofts_sku_id_from_its_catalog() -> None:
    with _stand_in(contoso_at_sherweb()) as sherweb, Sherweb("msp", SECRET, KEY, endpoint=sherweb.url) as client:
        got = client.subscriptions(CUSTOMER)
        again = client.subscriptions(CUSTOMER)
        asked = [r for r in sherweb.requests if r.path != "/auth/oidc/connect/token"]
        (token,) = [r for r in sherweb.requests if r.path == "/auth/oidc/connect/token"]
    assert got == again and client.token_requests == 1  # one token for the run
    assert token.body["scope"] == "service-provider" and token.body["grant_type"] == "client_credentials"
    assert {r.headers["ocp-apim-subscription-key"] for r in asked} == {KEY}
    assert [(s.product_id, s.vendor_sku_id, s.quantity) for s in got] == [
        ("MS-0A-O365-E3-NCE-1Y", E3, 210),
        ("MS-0B-PBI-PRO-NCE-1M", PBI, 30),
        ("SW-BACKUP-365", None, 40),
    ]
    assert got[0].commitment_end == "2027-05-08T00:00:00Z" and got[1].end == "2026-12-09T00:00:00Z"
    assert sherweb.writes == 0


def test_the_stand_in_refuses_what_sherweb_refuses() -> None:
    import httpx

    with _stand_in([]) as sherweb:
        url = f"{sherweb.url}/service-provider/v1/billing/subscriptions/details"
        form = {"grant_type": "client_credentials", "client_id": "msp", "client_secret": SECRET}
        token = httpx.post(f"{sherweb.url}/auth/oidc/connect/token", data=form | {"scope": "service-provider"}).json()
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        assert (
            httpx.post(f"{sherweb.url}/auth/oidc/connect/token", data=form | {"scope": "distributor"}).status_code
            == 400
        )
        assert httpx.get(url, params={"customerId": CUSTOMER}, headers=bearer).status_code == 401  # no key
        wrong = httpx.get(url, params={"customerId": CUSTOMER}, headers=bearer | {"Ocp-Apim-Subscription-Key": "x"})
        assert wrong.status_code == 401 and "invalid subscription key" in wrong.json()["message"]
        keyed = {"Ocp-Apim-Subscription-Key": KEY}
        assert httpx.get(url, params={"customerId": CUSTOMER}, headers=keyed).status_code == 401  # no token
        assert httpx.get(url, params={"customerId": GONE}, headers=bearer | keyed).status_code == 404
        assert httpx.get(url, params={"customerId": CUSTOMER}, headers=bearer | keyed).json() == {"items": []}


@pytest.mark.parametrize(
    ("key", "secret", "customer", "said"),
    [
        ("wrong-key", SECRET, CUSTOMER, "HTTP 401 (check SHERWEB_SUBSCRIPTION_KEY)"),
        (KEY, "wrong-secret", CUSTOMER, "Sherweb refused the client credentials (HTTP 400)"),
        (KEY, SECRET, GONE, "GET customer-catalogs: HTTP 404"),
    ],
)
def test_a_refusal_is_an_error_naming_neither_secret(key: str, secret: str, customer: str, said: str) -> None:
    with (
        _stand_in(contoso_at_sherweb()) as sherweb,
        Sherweb("msp", secret, key, endpoint=sherweb.url) as client,
        pytest.raises(SherwebError) as caught,
    ):
        client.subscriptions(customer)
    assert said in str(caught.value)
    assert SECRET not in str(caught.value) and KEY not in str(caught.value)


_OFF = pytest.mark.off_contract("a field outside Sherweb's published Subscription, on purpose")


@pytest.mark.parametrize(
    "field",
    [
        {"quantity": -1},
        pytest.param({"quantity": 2.5}, marks=_OFF),
        pytest.param({"quantity": "210"}, marks=_OFF),
        pytest.param({"quantity": True}, marks=_OFF),
        {"quantity": 10_000_001},
        {"sku": "x" * 500},
        pytest.param({"id": None}, marks=_OFF),
        pytest.param({"commitmentTerm": {"termEndDate": "the end of May"}}, marks=_OFF),
        pytest.param({"commitmentTerm": {"renewalConfiguration": {"renewalDate": 20270508}}}, marks=_OFF),
        pytest.param({"commitmentTerm": {"renewalConfiguration": {"scheduledQuantity": -3}}}, marks=_OFF),
        pytest.param({"commitmentTerm": "Annual"}, marks=_OFF),
        {"productName": "n" * 401},
    ],
)
def test_a_field_sherweb_would_not_send_is_refused(field: dict[str, Any]) -> None:
    subs = contoso_at_sherweb()
    subs[0] |= field
    with (
        _stand_in(subs) as sherweb,
        Sherweb("msp", SECRET, KEY, endpoint=sherweb.url) as client,
        pytest.raises(SherwebError, match="is not one Sherweb sends"),
    ):
        client.subscriptions(CUSTOMER)


@pytest.mark.off_contract("a subscription without the fields Sherweb's schema requires, its number past a float")
def test_a_number_beyond_a_float_is_refused() -> None:
    with _stand_in([]) as sherweb, Sherweb("msp", SECRET, KEY, endpoint=sherweb.url) as client:
        sherweb.subscriptions[CUSTOMER] = []
        original = sherweb.route

        def route(asked: Any) -> Any:
            reply = original(asked)
            if asked.path.endswith("/details"):
                reply.body = b'{"items": [{"id": "a", "sku": "MS-0A-O365-E3-NCE-1Y", "quantity": 1e400}]}'
            return reply

        sherweb.route = route  # type: ignore[method-assign]
        with pytest.raises(SherwebError, match="not JSON Sherweb sends"):
            client.subscriptions(CUSTOMER)


def test_the_tenants_file_block_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    head = "defaults:\n  client_id: 00000000-0000-0000-0000-0000000000c1\n"
    head += "tenants:\n  - name: A\n    tenant_id: a.example\n"
    path.write_text(head + f"    distributor: {{sherweb: {{customer_id: {CUSTOMER}, products: {{SW-X: SPE_E3}}}}}}\n")
    (job,) = load_tenants(path)
    assert json.loads(job.distributor) == {"sherweb": {"customer_id": CUSTOMER, "products": {"sw-x": "SPE_E3"}}}
    for bad, said in (
        (f"{{sherweb: {{company_id: {CUSTOMER}}}}}", "allowed: customer_id, products"),
        ("{sherweb: {customer_id: not-a-guid}}", "customer_id"),
        (f"{{sherweb: {{customer_id: {CUSTOMER}}}, pax8: {{company_id: {CUSTOMER}}}}}", "expected"),
    ):
        path.write_text(head + f"    distributor: {bad}\n")
        with pytest.raises(UsageError, match=said):
            load_tenants(path)


def _setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """The sample tenant, its Graph token, the MSP's Sherweb credentials and the policy, in tmp_path."""
    monkeypatch.chdir(tmp_path)
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    for name, value in (
        ("SHERWEB_CLIENT_ID", "msp"),
        ("SHERWEB_CLIENT_SECRET", SECRET),
        ("SHERWEB_SUBSCRIPTION_KEY", KEY),
    ):
        monkeypatch.setenv(name, value)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    return sample, token


def _fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subs: list[dict[str, Any]]) -> tuple[int, str]:
    """`audit --tenants` of Contoso (at Sherweb, read through the Graph emulator) and Gone (a Sherweb
    customer that is not the service provider's, read from the same emulator under another name)."""
    sample, token = _setting(tmp_path, monkeypatch)
    with _stand_in(subs) as sherweb, GraphEmulator(sample, token=token) as graph:
        entry = f"    graph_endpoint: {graph.url}\n    policies: p.yaml\n"
        entry += "    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        (tmp_path / "t.yaml").write_text(
            "tenants:\n"
            f"  - name: Contoso\n    tenant_id: {sample.tenant_id}\n{entry}"
            f"    distributor: {{sherweb: {{customer_id: {CUSTOMER}}}}}\n"
            f"  - name: Gone\n    tenant_id: {sample.tenant_id}\n{entry}"
            f"    distributor: {{sherweb: {{customer_id: {GONE}}}}}\n",
            "utf-8",
        )
        argv = ["audit", "--tenants", "t.yaml", "--auth", "token", "--output-dir", "out", "--tenant-concurrency", "1"]
        code = main([*argv, "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never", "--sherweb-endpoint", sherweb.url])
        assert sherweb.writes == 0  # read only
    return code, "\n".join(
        p.read_text("utf-8", "replace") for p in sorted((tmp_path / "out").rglob("*")) if p.is_file()
    )


def test_a_fleet_run_reconciles_the_sherweb_tenants_seats_and_names_a_refused_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, written = _fleet(tmp_path, monkeypatch, contoso_at_sherweb())
    err = capsys.readouterr().err
    assert code in (0, 1), err  # the run's findings, not an abort
    report = json.loads((tmp_path / "out" / "contoso" / "report.json").read_text("utf-8"))
    section = report["distributor"]
    assert section == json.loads((tmp_path / "out" / "contoso" / "distributor.json").read_text("utf-8"))
    assert (section["distributor"], section["customer_id"]) == ("sherweb", CUSTOMER)
    products = {p["sku"]: p for p in section["products"]}
    assert sorted(products) == ["POWER_BI_PRO", "SPE_E3"]  # matched by microsoftSkuId; the backup is left out
    assert {p["matched_by"] for p in products.values()} == {"sku"}
    e3 = products["SPE_E3"]
    assert (e3["billed"], e3["enabled"], e3["consumed"], e3["term_end"]) == (210, 204, 203, "2027-05-08")
    kinds = {(f["kind"], f["sku"]): f for f in section["findings"]}
    assert kinds["billed_more", "SPE_E3"]["seats"] == 6 and kinds["billed_fewer", "POWER_BI_PRO"]["seats"] == 4
    # the term's end: Sherweb's schema gives a commitment term its termEndDate always
    assert kinds["term_end", "POWER_BI_PRO"]["date"] == "2026-12-08"
    assert "Sherweb product 'Sherweb Backup' (SW-BACKUP-365) matches no product of the tenant" in err
    md = (tmp_path / "out" / "contoso" / "report.md").read_text("utf-8").replace("\\", "")
    assert "Seats at the distributor (Sherweb)" in md
    # the customer Sherweb does not know: its gap, named (Sherweb's own list of customers, read to prove the
    # mapping before its subscriptions: auditor.vendors.mappings); the run went on
    gone = json.loads((tmp_path / "out" / "gone" / "distributor.json").read_text("utf-8"))
    said = f"Sherweb lists no customer {GONE}: check the tenants entry's distributor"
    assert gone["distributor"] == "sherweb" and gone["error"] == said
    assert f"gone: distributor: not read: {said}" in err
    rollup = json.loads((tmp_path / "out" / "tenants.json").read_text("utf-8"))
    cells = {t["key"]: t.get("distributor") for t in rollup["tenants"]}
    assert cells["contoso"]["differences"] == 2 and cells["gone"]["error"]
    for text in (err, written):
        assert SECRET not in text and KEY not in text


def test_an_invalid_field_is_that_customers_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    subs = contoso_at_sherweb()
    subs[0]["quantity"] = -210
    code, _ = _fleet(tmp_path, monkeypatch, subs)
    assert code in (0, 1), capsys.readouterr().err
    doc = json.loads((tmp_path / "out" / "contoso" / "distributor.json").read_text("utf-8"))
    assert "quantity '-210' is not one Sherweb sends" in doc["error"] and "products" not in doc


def test_a_tenants_file_naming_sherweb_needs_the_msps_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SHERWEB_CLIENT_ID", "SHERWEB_CLIENT_SECRET", "SHERWEB_SUBSCRIPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHERWEB_CLIENT_ID", "msp")
    path = tmp_path / "t.yaml"
    path.write_text(
        "tenants:\n  - name: A\n    tenant_id: a.example\n    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        f"    distributor: {{sherweb: {{customer_id: {CUSTOMER}}}}}\n"
    )
    assert main(["audit", "--tenants", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    assert "SHERWEB_SUBSCRIPTION_KEY" in capsys.readouterr().err


def test_a_one_tenant_audit_reads_its_sherweb_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample, token = _setting(tmp_path, monkeypatch)
    (tmp_path / "t.yaml").write_text(
        f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n"
        "    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        f"    distributor: {{sherweb: {{customer_id: {CUSTOMER}}}}}\n",
        "utf-8",
    )
    with _stand_in(contoso_at_sherweb()) as sherweb, GraphEmulator(sample, token=token) as graph:
        argv = ["audit", "--graph-endpoint", graph.url, "--auth", "token", "--tenant-id", sample.tenant_id]
        argv += ["--policies", "p.yaml", "--output-dir", "out", "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never"]
        code = main([*argv, "--distributor", "t.yaml", "--sherweb-endpoint", sherweb.url])
    assert code == 0, capsys.readouterr().err
    section = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))["distributor"]
    assert section["distributor"] == "sherweb"
    assert sorted(p["sku"] for p in section["products"]) == ["POWER_BI_PRO", "SPE_E3"]
