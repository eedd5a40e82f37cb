"""The vendors' published schemas held against the stand-ins' traffic (issue 116): the validator catches what
falls outside a contract, a stand-in records it, and each kept subset is the vendor's own, cut by the script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditor_dev import contracts
from auditor_dev.commerce import Pax8StandIn
from auditor_dev.contracts import openapi
from auditor_dev.contracts.cut import FOR_WRITES, KEEP, cut

ROOT = Path(__file__).resolve().parents[2]
KEPT = (
    "pax8",
    "sherweb",
    "autotask",
    "connectwise",
)  # the vendors whose published document is kept (cut.KEEP says why not others)
DETAILS = "/service-provider/v1/billing/subscriptions/details"


def _sherweb_sub(**change: Any) -> dict[str, Any]:
    sub = {
        "id": "b7c1e2d3-0000-4000-8000-0000000000f1",
        "productName": "Exchange Online (Plan 1)",
        "description": "Exchange Online (Plan 1)",
        "sku": "MS-0C-EXO-P1-NCE-1M",
        "quantity": 1,
        "purchaseDate": "2026-05-09T00:00:00Z",
        "billingCycle": "Monthly",
    }
    return {**sub, **change}


def test_a_request_to_a_path_or_method_the_vendor_does_not_publish_is_caught() -> None:
    pax8 = openapi.load("pax8")
    assert pax8.check_request("GET", "/v1/subscriptions", {"companyId": "c", "page": "0", "size": "200"}, None) == []
    assert pax8.check_request("GET", "/v1/licences", {}, None) == ["no such path in the published contract"]
    assert pax8.check_request("DELETE", "/v1/companies/c1", {}, None) == [
        "the published contract gives this path GET only, not DELETE"
    ]
    assert pax8.check_request("GET", "/v1/subscriptions", {"size": "500", "colour": "red"}, None) == [
        "query parameter 'colour' is not published",
        "query parameter 'size': 500.0 is greater than the maximum of 200",
    ]


def test_a_request_body_missing_a_required_field_is_caught() -> None:
    sherweb = openapi.load("sherweb")
    where = "/service-provider/v1/billing/subscriptions/amendments"
    good = {"subscriptionAmendmentParameters": [{"subscriptionId": "b7c1e2d3", "newQuantity": 3}]}
    customer = {"customerId": "5a0f2c4e-8d1b-4e3a-9c6f-7b2d1e0a9f8c"}
    assert sherweb.check_request("POST", where, customer, good) == []
    missing = {"subscriptionAmendmentParameters": [{"subscriptionId": "b7c1e2d3"}]}
    assert sherweb.check_request("POST", where, customer, missing) == [
        "request body at subscriptionAmendmentParameters/0: 'newQuantity' is a required property"
    ]
    # Pax8's Update Subscription: "At least one of the following fields are required"
    assert (
        "none of the published alternatives"
        in openapi.load("pax8").check_request("PUT", "/v1/subscriptions/s", {}, {})[0]
    )


def test_an_answer_of_a_wrong_type_or_enum_value_or_an_unpublished_key_is_caught() -> None:
    sherweb, autotask = openapi.load("sherweb"), openapi.load("autotask")
    assert sherweb.check_answer("GET", DETAILS, 200, {"items": [_sherweb_sub()]}) == []
    assert sherweb.check_answer("GET", DETAILS, 200, {"items": [_sherweb_sub(quantity="1")]}) == [
        "answer at items/0/quantity: '1' is not of type 'integer'"
    ]
    no_description = _sherweb_sub()
    del no_description["description"]  # issue 116.6: the stand-in's sample lacked it
    assert sherweb.check_answer("GET", DETAILS, 200, {"items": [no_description]}) == [
        "answer at items/0: 'description' is a required property"
    ]
    pax8 = openapi.load("pax8")
    item = {"id": "i1", "type": "subscription", "chargeType": "Monthly", "quantity": 3}
    assert pax8.check_answer("GET", "/v1/invoices/x/items", 200, {"content": [item]}) == [
        "answer at content/0/chargeType: 'Monthly' is not one of ['flat', 'per']"
    ]
    assert pax8.check_answer("GET", "/v1/invoices", 200, {"content": [{"id": "x", "status": "Unpaid"}]}) == [
        "answer at content/0: status not published"
    ]
    # Autotask: camelCase JSON around its PascalCase swagger, a query's items wrapped; no adjustedPrice published
    service = {"id": 1, "contractID": 2, "serviceID": 28, "unitPrice": 36.0, "internalCurrencyAdjustedPrice": None}
    query = "/atservicesrest/v1.0/ContractServices/query"
    assert autotask.check_answer("GET", query, 200, {"items": [service], "pageDetails": {}}) == []
    assert autotask.check_answer(
        "GET", query, 200, {"items": [{**service, "adjustedPrice": 34.1}], "pageDetails": {}}
    ) == ["answer at items/0: adjustedPrice not published"]


def test_an_undocumented_error_is_not_held_but_an_undeclared_success_is() -> None:
    pax8 = openapi.load("pax8")
    assert pax8.check_answer("GET", "/v1/subscriptions", 429, {"error": "throttled"}) == []
    assert pax8.check_answer("GET", "/v1/subscriptions/s", 404, {"message": 1}) == [
        "answer at message: 1 is not of type 'string'"  # Pax8 documents this 404's Error shape
    ]
    assert pax8.check_answer("DELETE", "/v1/subscriptions/s", 204, None) == []
    assert pax8.check_answer("DELETE", "/v1/subscriptions/s", 200, {}) == [
        "status 200 is not published (published: 204, 404)"
    ]


@pytest.mark.off_contract("a request to a path Pax8 does not publish, on purpose")
def test_a_stand_in_records_what_falls_outside_its_contract_and_still_answers() -> None:
    with Pax8StandIn(client_id="c", client_secret="s", companies=[], subscriptions=[]) as pax8:
        answer = httpx.get(f"{pax8.url}/v1/licences", headers={"Authorization": "Bearer none"})
    assert answer.status_code == 401  # answered as the stand-in answers, the fault recorded beside it
    assert contracts.seen() == ["pax8: GET /v1/licences: no such path in the published contract"]


def test_the_token_endpoints_are_exempt_by_name_only() -> None:
    pax8 = openapi.load("pax8")
    assert pax8.exempt("POST", "/oauth/token") and not pax8.exempt("GET", "/oauth/token")
    assert not pax8.exempt("POST", "/v1/oauth/token")


@pytest.mark.parametrize("vendor", KEPT)
def test_each_kept_subset_names_its_source_and_is_what_the_cut_gives(vendor: str, tmp_path: Path) -> None:
    kept_file = ROOT / "auditor_dev" / "contracts" / f"{vendor}.json"
    kept = json.loads(kept_file.read_text("utf-8"))
    source = kept["x-source"]
    assert {k: source[k] for k in ("repo", "path", "commit")} == {
        k: KEEP[vendor][k] for k in ("repo", "path", "commit")
    }
    assert (
        len(source["commit"]) == 40 and source["committed"][:4] >= "2023" and source["cut"] >= source["committed"][:10]
    )
    assert source["paths"] == KEEP[vendor]["paths"] and set(kept["paths"]) == set(KEEP[vendor]["paths"])
    # the script, given the subset as its source, cuts it to itself: the subset is the listed operations and
    # every $ref they reach, nothing more and nothing missing
    argv = [sys.executable, "scripts/cut_vendor_schemas.py", vendor, "--file", f"{vendor}={kept_file}"]
    argv += ["--date", source["cut"], "--committed", source["committed"], "--out", str(tmp_path)]
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, text=True)
    assert json.loads((tmp_path / f"{vendor}.json").read_text("utf-8")) == kept


def test_the_cut_keeps_the_listed_operations_and_follows_refs_transitively() -> None:
    ref = "#/components/schemas/"
    source = {
        "openapi": "3.0.1",
        "info": {"title": "fixture", "version": "1"},
        "paths": {
            "/a": {
                "parameters": [{"$ref": "#/components/parameters/Size"}],
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": f"{ref}A"}}}}}},
                "post": {"responses": {"201": {"description": "not kept"}}},
            },
            "/b": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": f"{ref}D"}}}}}}},
        },
        "components": {
            "parameters": {"Size": {"name": "size", "in": "query", "schema": {"$ref": f"{ref}Size"}}},
            "schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": f"{ref}B"}}},
                "B": {"type": "array", "items": {"$ref": f"{ref}C"}},
                "C": {"type": "string", "enum": ["x"]},
                "D": {"type": "integer"},
                "Size": {"type": "integer", "maximum": 5},
            },
        },
    }
    subset = cut(source, {"/a": ["get"]}, {"repo": "o/r"})
    assert subset["x-source"] == {"repo": "o/r"}
    assert list(subset["paths"]) == ["/a"] and set(subset["paths"]["/a"]) == {"parameters", "get"}
    assert set(subset["components"]["schemas"]) == {"A", "B", "C", "Size"}  # D is /b's only
    assert subset["components"]["parameters"] == source["components"]["parameters"]
    with pytest.raises(ValueError, match="no POST /b"):
        cut(source, {"/b": ["post"]}, {})
    with pytest.raises(ValueError, match="names nothing"):
        cut({**source, "components": {}}, {"/a": ["get"]}, {})


def test_a_validator_is_compiled_once_per_contract_and_schema() -> None:
    assert openapi.load("pax8") is openapi.load("pax8")
    held = openapi.load("pax8")
    held.check_answer("GET", "/v1/invoices", 200, {"content": []})
    before = held._validator.cache_info().hits
    held.check_answer("GET", "/v1/invoices", 200, {"content": []})
    assert held._validator.cache_info().hits == before + 1


def _kept(vendor: str, asked: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (method, path template) of KEEP's list each request (method, path under the API) falls under."""
    templates = [
        (method, path, re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"))
        for path, methods in KEEP[vendor]["paths"].items()
        for method in methods
    ]
    found: set[tuple[str, str]] = set()
    for method, path in asked:
        hits = [(m, p) for m, p, pattern in templates if m == method.lower() and pattern.match(path)]
        assert hits, f"{method} {path} is in no operation KEEP keeps for {vendor}"
        found.update(hits)
    return found


def test_connectwise_keeps_the_operations_its_billing_reader_calls_and_no_other() -> None:
    """KEEP's ConnectWise list is what the client asks (the cut of its published types is made from it): the reader
    of a customer's company, agreements and additions, nothing more (no company listing is ever asked)."""
    from auditor.vendors.connectwise.client import API_PATH, ConnectWise, Credentials
    from auditor_dev.commerce.connectwise import ConnectWiseStandIn

    keys = Credentials("mspco", "pubKEY123", "pRiv4te", "3f1c9a52-7d8e-4b61-a0c4-5e2f8d9b7a13")
    agreement = {"id": 1187, "name": "A", "company": {"id": 250}, "agreementStatus": "Active"}
    agreement |= {"startDate": "2025-07-01T00:00:00Z", "noEndingDateFlag": True}
    addition = {"id": 1, "product": {"id": 11, "identifier": "M365-E3"}, "quantity": 3, "lessIncluded": 0}
    addition |= {"unitPrice": 33.75, "unitCost": 30.4, "billCustomer": "Billable"}
    addition |= {"effectiveDate": "2025-08-01T00:00:00Z"}
    with (
        ConnectWiseStandIn(
            company_id=keys.company_id,
            public_key=keys.public_key,
            private_key="pRiv4te",
            client_id=keys.client_id,
            companies=[{"id": 250, "identifier": "ContosoLtd", "name": "Contoso Ltd."}],
            agreements=[agreement],
            additions={1187: [addition]},
        ) as cw,
        ConnectWise(keys, endpoint=cw.url) as client,
    ):
        client.company(250)
        assert len(client.lines(250, "2026-11-20")) == 1
        asked = [(a.method, a.path.removeprefix(API_PATH)) for a in cw.requests]
    writes = {(m, p) for p, methods in FOR_WRITES["connectwise"].items() for m in methods}  # the PSA writes'
    billing = {(m, p) for p, methods in KEEP["connectwise"]["paths"].items() for m in methods if "/service/" not in p}
    billing -= writes
    assert _kept("connectwise", asked) == billing


def test_connectwise_types_are_read_back_as_the_openapi_they_were_generated_from() -> None:
    """openapi-typescript's renderings of ConnectWise's schema (src/ManageTypes.ts of connectwise-rest) read
    back as OpenAPI: required where no `?`, nullable for `| null`, an integer by its format, enums, maps,
    references and lengths (auditor_dev.contracts.typescript)."""
    from auditor_dev.contracts.typescript import object_schema, type_schema

    body = """      /** Format: int32 */
      id?: number;
      /** @description  Max length: 50; */
      name: string;
      /** @enum {string|null} */
      agreementStatus?:
        | ("Active" | "Cancelled" | "Expired" | "Inactive")
        | null;
      /** Format: double */
      quantity?: number | null;
      currency?: components["schemas"]["CurrencyReference"];
      _info?: { [key: string]: string };
      customFields?: components["schemas"]["CustomFieldValue"][];"""
    schema = object_schema(body)
    assert schema["required"] == ["name"]
    props = schema["properties"]
    assert props["id"] == {"type": "integer", "format": "int32"}
    assert props["name"] == {"type": "string", "maxLength": 50}
    assert props["agreementStatus"] == {
        "type": "string", "enum": ["Active", "Cancelled", "Expired", "Inactive"], "nullable": True,
    }  # fmt: skip
    assert props["quantity"] == {"type": "number", "format": "double", "nullable": True}
    assert props["currency"] == {"$ref": "#/components/schemas/CurrencyReference"}
    assert props["_info"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert props["customFields"] == {"type": "array", "items": {"$ref": "#/components/schemas/CustomFieldValue"}}
    assert type_schema("(number | null)[]") == {"type": "array", "items": {"type": "number", "nullable": True}}
    with pytest.raises(ValueError, match="does not read"):
        type_schema("Date")
