"""What the customer is billed, ConnectWise Manage (issue 97, points 1 and 5): the tenants file's `psa:`
block checked with its file and line, and the customer's agreements and additions read through the
ConnectWise stand-in (auditor_dev/commerce/connectwise.py) with ConnectWise's Basic authentication and
clientId, paged by its Link header; what it refuses (no keys, an unknown company, a page past the
last) and what the client refuses of an answer (a fractional quantity, NaN, a record twice)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditor.common.errors import UsageError
from auditor.delivery.matrix import load_tenants
from auditor.vendors.connectwise.client import (
    API_PATH,
    ConnectWise,
    ConnectWiseError,
    Credentials,
    credentials,
)
from auditor_dev.commerce.connectwise import ConnectWiseStandIn

PRIVATE = "pRiv4te-key-never-printed"
KEYS = Credentials("mspco", "pubKEY123", PRIVATE, "3f1c9a52-7d8e-4b61-a0c4-5e2f8d9b7a13")


def _agreement(recid: int, company: int = 250, **more: Any) -> dict[str, Any]:
    return {
        "id": recid,
        "name": f"Agreement {recid}",
        "company": {"id": company, "identifier": "ContosoLtd"},
        "agreementStatus": "Active",
        "startDate": "2025-07-01T00:00:00Z",
        "noEndingDateFlag": True,
        **more,
    }


def _addition(recid: int, product: str = "M365-E3", quantity: object = 10, **more: Any) -> dict[str, Any]:
    return {
        "id": recid,
        "product": {"id": 11, "identifier": product},
        "quantity": quantity,
        "lessIncluded": 0,
        "unitPrice": 33.75,
        "unitCost": 30.4,
        "billCustomer": "Billable",
        "effectiveDate": "2025-08-01T00:00:00Z",
        **more,
    }


def _stand_in(agreements: list[dict[str, Any]], additions: dict[int, list[dict[str, Any]]]) -> ConnectWiseStandIn:
    return ConnectWiseStandIn(
        company_id=KEYS.company_id,
        public_key=KEYS.public_key,
        private_key=PRIVATE,
        client_id=KEYS.client_id,
        companies=[{"id": 250, "identifier": "ContosoLtd", "name": "Contoso Ltd."}, {"id": 251, "name": "Other"}],
        agreements=agreements,
        additions=additions,
    )


def test_the_active_agreements_additions_are_read_with_connectwise_auth() -> None:
    agreements = [_agreement(1187), _agreement(1042, agreementStatus="Cancelled"), _agreement(1300, company=251)]
    additions = {
        1187: [_addition(1, quantity=40, lessIncluded=2), _addition(2, "M365-E5", billCustomer="DoNotBill")],
        1042: [_addition(3)],
    }
    with _stand_in(agreements, additions) as cw, ConnectWise(KEYS, endpoint=cw.url) as client:
        lines = client.lines(250, "2026-11-20")
        asked = list(cw.requests)
    assert [(x.agreement_id, x.id, x.product, x.quantity, x.less_included, x.billed) for x in lines] == [
        ("1187", "1", "M365-E3", 40, 2, 38),
        ("1187", "2", "M365-E5", 10, 0, 0),  # DoNotBill: nothing billed
    ]
    assert lines[0].unit_price == 33.75 and lines[0].unit_cost == 30.4 and lines[0].effective == "2025-08-01"
    listing = next(a for a in asked if a.path == f"{API_PATH}/finance/agreements")
    assert listing.query["conditions"] == "company/id=250" and listing.query["pageSize"] == "1000"
    assert not any("1042" in a.path for a in asked)  # a cancelled agreement's additions are not read
    assert {a.headers["clientid"] for a in asked} == {KEYS.client_id}
    assert {a.headers["authorization"].split()[0] for a in asked} == {"Basic"}


def test_an_agreements_currency_is_read_from_its_currency_code() -> None:
    """ConnectWise's CurrencyReference gives the ISO 4217 code as `currencyCode` (its published types; no
    `isoCode`, which the reader once read, so every ConnectWise customer's money had no currency)."""
    euro = {"id": 2, "symbol": "€", "currencyCode": "EUR", "name": "Euro"}
    with (
        _stand_in([_agreement(1187, currency=euro)], {1187: [_addition(1)]}) as cw,
        ConnectWise(KEYS, endpoint=cw.url) as client,
    ):
        (line,) = client.lines(250, "2026-11-20")
    assert line.currency == "EUR"


def test_a_line_bills_only_between_its_effective_and_cancelled_days() -> None:
    additions = {1187: [_addition(1, cancelledDate="2026-10-31T00:00:00Z"), _addition(2, effectiveDate="2027-01-01")]}
    with _stand_in([_agreement(1187)], additions) as cw, ConnectWise(KEYS, endpoint=cw.url) as client:
        assert client.lines(250, "2026-11-20") == []
        assert [x.id for x in client.lines(250, "2026-10-01")] == ["1"]


def test_every_page_is_read_by_the_link_header_and_none_past_the_last() -> None:
    additions = {1187: [_addition(n, product=f"P{n}", quantity=1) for n in range(1, 2101)]}
    with _stand_in([_agreement(1187)], additions) as cw, ConnectWise(KEYS, endpoint=cw.url) as client:
        lines = client.lines(250, "2026-11-20")
        pages = [a.query["page"] for a in cw.requests if a.path.endswith("/additions")]
    assert len(lines) == 2100 and pages == ["1", "2", "3"]


@pytest.mark.off_contract("a POST the client never sends, to show the stand-in refuses it")
def test_the_stand_in_refuses_what_connectwise_refuses() -> None:
    with _stand_in([_agreement(1187)], {1187: []}) as cw:
        base = f"{cw.url}{API_PATH}"
        with ConnectWise(KEYS, endpoint=cw.url) as client:
            good = client.headers()
        assert httpx.get(f"{base}/finance/agreements").status_code == 401  # no authentication
        no_client = {"Authorization": good["Authorization"]}
        assert httpx.get(f"{base}/finance/agreements", headers=no_client).status_code == 400
        past = httpx.get(f"{base}/finance/agreements", params={"page": 2}, headers=good)
        assert past.status_code == 400 and "past the last page" in past.json()["message"]
        assert httpx.get(f"{base}/company/companies/999", headers=good).status_code == 404
        assert httpx.post(f"{base}/finance/agreements", headers=good, json={}).status_code == 405
        assert len(cw.writes) == 1


def test_an_unknown_company_and_wrong_keys_are_named_without_the_key() -> None:
    with _stand_in([_agreement(1187)], {1187: []}) as cw:
        with ConnectWise(KEYS, endpoint=cw.url) as client, pytest.raises(ConnectWiseError, match="no company 999"):
            client.lines(999, "2026-11-20")
        wrong = Credentials("mspco", "pubKEY123", "not-the-key", KEYS.client_id)
        with ConnectWise(wrong, endpoint=cw.url) as client, pytest.raises(ConnectWiseError) as refused:
            client.lines(250, "2026-11-20")
    assert "HTTP 401" in str(refused.value) and "CW_PRIVATE_KEY" in str(refused.value)
    assert PRIVATE not in str(refused.value) and PRIVATE not in repr(KEYS)


OFF = pytest.mark.off_contract("an answer outside ConnectWise's published types, which the reader must refuse")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quantity": 2.5}, "quantity"),
        ({"quantity": -1}, "quantity"),
        pytest.param({"unitPrice": "12"}, "unitPrice", marks=OFF),
        pytest.param({"billCustomer": "Sometimes"}, "billCustomer", marks=OFF),
        ({"effectiveDate": "soon"}, "effectiveDate"),
        pytest.param({"product": None}, "product.identifier", marks=OFF),
    ],
)
def test_an_addition_out_of_shape_is_that_customers_error(change: dict[str, Any], message: str) -> None:
    stand_in = _stand_in([_agreement(1187)], {1187: [_addition(1, **change)]})
    with stand_in as cw, ConnectWise(KEYS, endpoint=cw.url) as c, pytest.raises(ConnectWiseError, match=message):
        c.lines(250, "2026-11-20")


def test_nan_and_a_record_listed_twice_are_refused() -> None:
    twice = {1187: [_addition(1), _addition(1)]}
    with _stand_in([_agreement(1187)], twice) as cw, ConnectWise(KEYS, endpoint=cw.url) as client:
        with pytest.raises(ConnectWiseError, match="listed twice"):
            client.lines(250, "2026-11-20")
        cw.additions[1187] = [_addition(1, unitPrice=float("nan"))]  # served as the bare word NaN
        with pytest.raises(ConnectWiseError, match="not JSON"):
            client.lines(250, "2026-11-20")


def test_credentials_come_from_the_environment_and_name_what_is_missing() -> None:
    env = {"CW_COMPANY_ID": "mspco", "CW_PUBLIC_KEY": "pub", "CW_PRIVATE_KEY": PRIVATE, "CW_CLIENT_ID": "cid"}
    assert credentials(env) == Credentials("mspco", "pub", PRIVATE, "cid")
    with pytest.raises(UsageError, match="CW_PRIVATE_KEY, CW_CLIENT_ID") as missing:
        credentials({"CW_COMPANY_ID": "mspco", "CW_PUBLIC_KEY": "pub"})
    assert "pub" not in str(missing.value).replace("public", "")


TENANT = """tenants:
  - name: Contoso
    tenant_id: 00000000-0000-0000-0000-000000000001
    client_id: 00000000-0000-0000-0000-0000000000a1
{psa}
"""


def _write(tmp_path: Path, psa: str, more: str = "") -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text(TENANT.format(psa=psa) + more, encoding="utf-8")
    return path


def test_a_psa_block_is_read_as_compact_json(tmp_path: Path) -> None:
    psa = "    psa: {connectwise: {company_id: 250, products: {M365-E3: spe_e3}, board: Billing}}"
    (job,) = load_tenants(_write(tmp_path, psa))
    assert json.loads(job.psa) == {
        "connectwise": {"board": "Billing", "company_id": 250, "products": {"m365-e3": "SPE_E3"}}
    }
    (job,) = load_tenants(_write(tmp_path, "    psa: {autotask: {company_id: '29684712', products: {28: SPE_E3}}}"))
    assert json.loads(job.psa) == {"autotask": {"company_id": 29684712, "products": {"28": "SPE_E3"}}}


@pytest.mark.parametrize(
    ("psa", "message"),
    [
        ("    psa: {syncro: {company_id: 1}}", "tenants[0].psa: expected {connectwise"),
        ("    psa: {connectwise: {company_id: abc}}", "tenants[0].psa.connectwise.company_id: expected"),
        ("    psa: {connectwise: {company_id: 0}}", "company_id: expected"),
        ("    psa: {connectwise: {company_id: 250, private_key: x}}", "unknown key 'private_key'"),
        (
            "    psa: {connectwise: {company_id: 250, products: {M365-E3: 'E3 plan'}}}",
            "products.M365-E3: expected a SKU",
        ),
        ("    psa: {autotask: {company_id: 2, products: {abc: SPE_E3}}}", "'abc' is not a Autotask service id"),
        ("    psa: {connectwise: {company_id: 250, products: {a: SPE_E3, A: SPE_E5}}}", "names 'A' twice"),
    ],
)
def test_a_bad_psa_block_names_the_file_and_line(tmp_path: Path, psa: str, message: str) -> None:
    path = _write(tmp_path, psa)
    with pytest.raises(UsageError) as refused:
        load_tenants(path)
    assert f"{path}:2: tenants[0].psa" in str(refused.value) and message in str(refused.value)
    assert "'x'" not in str(refused.value)  # a pasted value is never echoed


def test_one_psa_company_is_one_tenants(tmp_path: Path) -> None:
    second = """  - name: Fabrikam
    tenant_id: 00000000-0000-0000-0000-000000000002
    client_id: 00000000-0000-0000-0000-0000000000a2
    psa: {connectwise: {company_id: 250}}
"""
    path = _write(tmp_path, "    psa: {connectwise: {company_id: 250}}", second)
    with pytest.raises(UsageError, match="ConnectWise company_id 250 is also that of"):
        load_tenants(path)


def test_a_customer_the_psa_refuses_is_its_gap_and_the_others_go_on() -> None:
    from auditor.vendors import psa_sessions

    env = {"CW_COMPANY_ID": KEYS.company_id, "CW_PUBLIC_KEY": KEYS.public_key, "CW_PRIVATE_KEY": PRIVATE}
    env["CW_CLIENT_ID"] = KEYS.client_id
    entries = {
        "contoso": {"connectwise": {"company_id": 250, "products": {"m365-e3": "SPE_E3"}}},
        "wrong": {"connectwise": {"company_id": 999, "products": {}}},
    }
    with _stand_in([_agreement(1187)], {1187: [_addition(1)]}) as cw:
        given = psa_sessions.read(entries, endpoints={"connectwise": cw.url}, env=env, on="2026-11-20")
    assert [line.product for line in given["contoso"].get("lines", [])] == ["M365-E3"]
    assert given["wrong"]["error"] == "ConnectWise has no company 999: check the tenants entry's psa"
    assert "lines" not in given["wrong"] and PRIVATE not in repr(given)


def test_a_tenants_file_naming_a_psa_without_its_keys_stops_before_any_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.cli import main

    for name in ("CW_COMPANY_ID", "CW_PUBLIC_KEY", "CW_PRIVATE_KEY", "CW_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CW_COMPANY_ID", "mspco")
    path = _write(tmp_path, "    psa: {connectwise: {company_id: 250}}")
    out = tmp_path / "out"
    assert main(["audit", "--tenants", str(path), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "set CW_PUBLIC_KEY, CW_PRIVATE_KEY, CW_CLIENT_ID" in err and not (out / "contoso").exists()
