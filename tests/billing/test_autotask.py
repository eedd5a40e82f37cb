"""What the customer is billed, Autotask (issue 97, point 1): the second implementation of the PSA
interface, read through the Autotask stand-in (auditor_dev/commerce/autotask.py) with the API user's
headers, its queries paged by pageDetails.nextPageUrl, the unit whose period holds the day, priced by its
contract service (issue 97's three-way table: a seat's figures, in the company's currency); what it
refuses (no keys, an unknown company, a page past the last) and what the client refuses (a nextPageUrl
elsewhere, fractional units, a unit of another contract)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from auditor.common.errors import UsageError
from auditor.vendors.autotask.client import API_PATH, Autotask, AutotaskError, Credentials, credentials
from auditor_dev.commerce.autotask import AutotaskStandIn
from auditor_dev.commerce.server import Reply

SECRET = "aT-secret-never-printed"
KEYS = Credentials("QZ7XK3M9PLR2TW5VBN8HJD4CSYE", "api@msp.example", SECRET)
COMPANY = 29684712


def _contract(recid: int, status: int = 1, company: int = COMPANY) -> dict[str, Any]:
    return {"id": recid, "companyID": company, "contractName": f"Contract {recid}", "contractType": 7, "status": status}


def _unit(n: int, contract: int, service: int, units: object, start: str, end: str, **more: Any) -> dict[str, Any]:
    return {
        "id": 48213000 + n,
        "contractID": contract,
        "contractServiceID": 3100 + service,
        "serviceID": service,
        "startDate": f"{start}T00:00:00Z",
        "endDate": f"{end}T00:00:00Z",
        "units": units,
        "price": round(units * 34.1, 2) if isinstance(units, int) else 34.1,  # the period's, for its units
        "cost": round(units * 30.4, 2) if isinstance(units, int) else 30.4,
        **more,
    }


def _service(contract: int, service: int, **more: Any) -> dict[str, Any]:
    return {
        "id": 3100 + service,
        "contractID": contract,
        "serviceID": service,
        "unitPrice": 34.1,
        "unitCost": 30.4,
    } | more


CURRENCIES = [
    {"id": 1, "name": "EUR", "description": "Euro", "isInternalCurrency": True},
    {"id": 7, "name": "GBP", "description": "Pound Sterling", "isInternalCurrency": False},
]


def _stand_in(
    contracts: list[dict[str, Any]],
    units: list[dict[str, Any]],
    services: list[dict[str, Any]] | None = None,
    currency: int | None = None,
) -> AutotaskStandIn:
    wanted = {(u["contractID"], u["serviceID"]) for u in units if isinstance(u["serviceID"], int)}
    return AutotaskStandIn(
        integration_code=KEYS.integration_code,
        username=KEYS.username,
        secret=SECRET,
        companies=[{"id": COMPANY, "companyName": "Fabrikam, Inc.", "currencyID": currency}],
        contracts=contracts,
        services=services if services is not None else [_service(c, s) for c, s in sorted(wanted)],
        units=units,
        currencies=CURRENCIES,
    )


def test_the_unit_billing_on_the_day_of_each_active_contract_service_is_read() -> None:
    units = [
        _unit(1, 801, 28, 42, "2026-10-01", "2026-10-31"),
        _unit(2, 801, 28, 45, "2026-11-01", "2026-11-30"),
        _unit(3, 801, 28, 47, "2026-11-15", "2026-11-30"),  # an adjustment within the period
        _unit(4, 790, 29, 9, "2026-11-01", "2026-11-30"),  # an inactive contract's
    ]
    with _stand_in([_contract(801), _contract(790, status=0)], units) as at, Autotask(KEYS, endpoint=at.url) as c:
        early, late = c.lines(COMPANY, "2026-11-02"), c.lines(COMPANY, "2026-11-20")
        asked = list(at.requests)
    assert [(x.agreement_id, x.id, x.product, x.quantity, x.billed, x.unit_price) for x in early] == [
        ("801", "3128", "28", 45, 45, 34.1)
    ]
    assert [x.quantity for x in late] == [47]  # the later start holds the day
    assert {a.headers["apiintegrationcode"] for a in asked} == {KEYS.integration_code}
    assert {a.headers["username"] for a in asked} == {KEYS.username}
    query = next(a for a in asked if a.path == f"{API_PATH}/Contracts/query")
    assert json.loads(query.query["search"])["filter"] == [{"op": "eq", "field": "companyID", "value": COMPANY}]
    assert not any("790" in a.query.get("search", "") for a in asked)  # an inactive contract's units are not read


def test_every_page_is_read_at_its_next_page_url() -> None:
    units = [_unit(n, 801, n, 1, "2026-11-01", "2026-11-30") for n in range(1, 1102)]
    with _stand_in([_contract(801)], units) as at, Autotask(KEYS, endpoint=at.url) as client:
        lines = client.lines(COMPANY, "2026-11-20")
        pages = [a.query.get("page", "1") for a in at.requests if a.path.endswith("/ContractServiceUnits/query")]
    assert len(lines) == 1101 and pages == ["1", "2", "3"]


def test_a_next_page_elsewhere_is_not_followed() -> None:
    with _stand_in([_contract(801)], []) as at, Autotask(KEYS, endpoint=at.url) as client:
        elsewhere = {"items": [], "pageDetails": {"count": 0, "nextPageUrl": "https://evil.example/x?page=2"}}
        original = at.route
        at.route = lambda asked: Reply(200, elsewhere) if "Contracts" in asked.path else original(asked)  # type: ignore[method-assign]
        with pytest.raises(AutotaskError, match="not under the API's URL"):
            client.lines(COMPANY, "2026-11-20")


def test_the_stand_in_refuses_what_autotask_refuses() -> None:
    with _stand_in([_contract(801)], []) as at:
        base = f"{at.url}{API_PATH}"
        with Autotask(KEYS, endpoint=at.url) as client:
            good = client.headers()
        search = {"search": json.dumps({"filter": [{"op": "eq", "field": "companyID", "value": COMPANY}]})}
        assert httpx.get(f"{base}/Contracts/query", params=search).status_code == 401  # no keys
        past = httpx.get(f"{base}/Contracts/query", params={**search, "page": 2}, headers=good)
        assert past.status_code == 400 and "past the last page" in past.json()["errors"][0]
        assert httpx.get(f"{base}/Companies/1", headers=good).json() == {"item": None}
        with Autotask(KEYS, endpoint=at.url) as client, pytest.raises(AutotaskError, match="no company 1"):
            client.lines(1, "2026-11-20")
        wrong = Credentials(KEYS.integration_code, KEYS.username, "wrong")
        with Autotask(wrong, endpoint=at.url) as client, pytest.raises(AutotaskError) as refused:
            client.lines(COMPANY, "2026-11-20")
    assert "HTTP 401" in str(refused.value) and "AUTOTASK_SECRET" in str(refused.value)
    assert SECRET not in str(refused.value) and SECRET not in repr(KEYS)


def test_the_zone_is_asked_of_zone_information_and_must_be_autotasks(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.vendors.autotask.client as module

    with _stand_in([_contract(801)], [_unit(1, 801, 28, 45, "2026-11-01", "2026-11-30")]) as at:
        monkeypatch.setattr(module, "ZONE_URL", f"{at.url}{API_PATH}/zoneInformation")
        with pytest.raises(AutotaskError, match="names no Autotask zone URL"):  # the stand-in's is no autotask.net
            Autotask(KEYS)
        monkeypatch.setattr(module, "_ZONE", __import__("re").compile(r"^http://127\.0\.0\.1:\d+/ATServicesRest/\Z"))
        with Autotask(KEYS) as client:
            assert [x.quantity for x in client.lines(COMPANY, "2026-11-20")] == [45]
        zone = next(a for a in at.requests if a.path.endswith("/zoneInformation"))
    assert zone.query == {"user": KEYS.username} and client.api_url.endswith("/ATServicesRest/v1.0")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"units": 2.5}, "units", marks=pytest.mark.off_contract("units: an int32 in Autotask's swagger")),
        ({"price": float("inf")}, "not JSON"),
        pytest.param({"serviceID": "28"}, "serviceID", marks=pytest.mark.off_contract("serviceID: an int32 there")),
        ({"contractServiceID": 9999}, "none of contract 801's"),
        ({"startDate": "next week"}, "startDate"),
    ],
)
def test_a_unit_out_of_shape_is_that_customers_error(change: dict[str, Any], message: str) -> None:
    units = [{**_unit(1, 801, 28, 45, "2026-11-01", "2026-11-30"), **change}]
    stand_in = _stand_in([_contract(801)], units)
    with stand_in as at, Autotask(KEYS, endpoint=at.url) as client, pytest.raises(AutotaskError, match=message):
        client.lines(COMPANY, "2026-11-20")


def test_credentials_come_from_the_environment() -> None:
    env = {"AUTOTASK_INTEGRATION_CODE": "code", "AUTOTASK_USERNAME": "u@x", "AUTOTASK_SECRET": SECRET}
    assert credentials(env) == Credentials("code", "u@x", SECRET)
    with pytest.raises(UsageError, match="AUTOTASK_SECRET"):
        credentials({"AUTOTASK_INTEGRATION_CODE": "code", "AUTOTASK_USERNAME": "u@x"})


def test_a_seat_is_priced_by_its_contract_service_and_the_period_corroborates_it() -> None:
    services = [
        # the adjusted price is billed: Autotask's swagger gives it as internalCurrencyAdjustedPrice, and
        # the customer is billed in the internal currency (EUR)
        {**_service(801, 28), "unitPrice": 36.0, "internalCurrencyAdjustedPrice": 34.1},
        {**_service(801, 29), "unitPrice": 8.0, "unitCost": 8.45},
        {**_service(801, 35), "unitPrice": 20.6, "unitCost": 18.5},
    ]
    units = [
        _unit(1, 801, 28, 45, "2026-11-01", "2026-11-30"),  # 45 × 34.10 = 1,534.50, 45 × 30.40 = 1,368.00
        _unit(2, 801, 29, 2, "2026-11-01", "2026-11-30", price=8.0, cost=8.45),  # a seat's own figures
        _unit(3, 801, 35, 3, "2026-11-01", "2026-11-30", price=70.0, cost=55.5),  # 70.00 is not 3 × 20.60
    ]
    with _stand_in([_contract(801)], units, services) as at, Autotask(KEYS, endpoint=at.url) as client:
        lines = client.lines(COMPANY, "2026-11-20")
        asked = [a for a in at.requests if a.path.endswith("/ContractServices/query")]
    assert [(x.product, x.unit_price, x.unit_cost, x.currency, x.cost_currency) for x in lines] == [
        ("28", 34.1, 30.4, "EUR", "EUR"),
        ("29", 8.0, 8.45, "EUR", "EUR"),
        ("35", None, None, "EUR", "EUR"),
    ]
    assert [x.doubt for x in lines[:2]] == ["", ""]
    assert "unit 48213003's price 70.0" in lines[2].doubt and "3 seats" in lines[2].doubt
    assert json.loads(asked[0].query["search"])["filter"] == [{"op": "eq", "field": "contractID", "value": 801}]


def test_a_customer_billed_in_another_currency_carries_it_and_the_internal_one() -> None:
    units = [_unit(1, 801, 28, 45, "2026-11-01", "2026-11-30", price=45 * 29.0)]
    # below its cost, but in pounds against euros; its adjusted price is the internal currency's, not a pound price
    services = [_service(801, 28, unitPrice=29.0, internalCurrencyAdjustedPrice=26.5)]
    with _stand_in([_contract(801)], units, services, currency=7) as at, Autotask(KEYS, endpoint=at.url) as client:
        lines = client.lines(COMPANY, "2026-11-20")
        internal = next(a for a in at.requests if a.path.endswith("/Currencies/query"))
        single = [a.path for a in at.requests if "/Currencies/" in a.path and not a.path.endswith("/query")]
    assert [(x.unit_price, x.currency, x.unit_cost, x.cost_currency) for x in lines] == [(29.0, "GBP", 30.4, "EUR")]
    filters = json.loads(internal.query["search"])["filter"]
    assert filters == [{"op": "eq", "field": "isInternalCurrency", "value": True}]
    assert single == [f"{API_PATH}/Currencies/7"]


@pytest.mark.parametrize(
    ("currencies", "message"),
    [
        ([], "0 internal currencies"),
        ([{"id": 1, "name": "euro", "isInternalCurrency": True}], "not an ISO 4217 code"),
    ],
)
def test_a_currency_not_read_is_that_customers_error(currencies: list[dict[str, Any]], message: str) -> None:
    stand_in = _stand_in([_contract(801)], [_unit(1, 801, 28, 45, "2026-11-01", "2026-11-30")])
    stand_in.entities["Currencies"][:] = currencies
    with stand_in as at, Autotask(KEYS, endpoint=at.url) as client, pytest.raises(AutotaskError, match=message):
        client.lines(COMPANY, "2026-11-20")
