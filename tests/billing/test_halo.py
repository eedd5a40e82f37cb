"""HaloPSA as the third PSA (issue 106, step 5): the client against the Halo stand-in (OAuth2 client
credentials, one new token on a 401, Halo's paging, what it refuses), a customer's recurring invoice
lines in the three-way table, and the demo's Halo customer (Northwind) in `audit --demo --tenants`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.billing.psa_block import psa_block
from auditor.billing.psa_records import PsaLineRecord
from auditor.common.errors import UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.formats.report_json import decode_report
from auditor.vendors import psa_writes
from auditor.vendors.halo import client as halo_client
from auditor.vendors.halo.client import Credentials, Halo, HaloError, credentials
from auditor.vendors.registry import PSAS
from auditor_dev.commerce.halo import SAMPLE_CLIENT, HaloStandIn, sample_halo
from auditor_dev.commerce.server import Reply
from tests.demo_runs import DemoRuns

SECRET = "h4lo-Secret-9d2Kq"  # the stand-in's application secret (made up)


def _stand_in(**more: Any) -> HaloStandIn:
    clients, invoices, users = sample_halo()
    given: dict[str, Any] = {"clients": clients, "invoices": invoices, "users": users} | more
    return HaloStandIn(client_id="app-1", secret=SECRET, **given)


def _keys(url: str, secret: str = SECRET, tenant: str = "") -> Credentials:
    return Credentials(url, "app-1", secret, tenant)


def test_lines_are_read_with_one_token_of_the_client_credentials_grant() -> None:
    with _stand_in() as halo, Halo(_keys(halo.url)) as client:
        lines = client.lines(SAMPLE_CLIENT, "2026-11-01")
    billed = [x for x in lines if x.billed]
    assert [(x.product, x.quantity, x.unit_price, x.unit_cost) for x in billed] == [
        ("MS-E3", 205, 34.2, 30.4),
        ("MS-E5", 7, 53.9, 49.3),
        ("PBI-PRO", 34, 8.0, 8.45),
    ]
    # Halo's "€" (and its currency_code id) read as EUR
    assert {x.currency for x in lines} == {"EUR"} and all(x.agreement_id == "7001" for x in billed)
    info, token, *api = halo.requests
    assert (info.method, info.path, "authorization" in info.headers) == ("GET", "/api/authinfo", False)
    assert (token.method, token.path) == ("POST", "/auth/token") and client.token_requests == 1
    assert token.body == {"grant_type": "client_credentials", "client_id": "app-1", "client_secret": SECRET,
                          "scope": "all"}  # fmt: skip
    assert token.headers["content-type"].startswith("application/x-www-form-urlencoded")
    invoices = next(r for r in api if r.path == "/api/RecurringInvoice")
    assert invoices.query["client_id"] == str(SAMPLE_CLIENT) and invoices.query["includelines"] == "true"
    assert all(r.headers["authorization"].startswith("Bearer ") for r in api)


def test_a_hosted_instance_names_its_tenant_on_the_token_request() -> None:
    with _stand_in(tenant="samplemsp") as halo:
        with Halo(_keys(halo.url, tenant="samplemsp")) as client:
            assert client.client(SAMPLE_CLIENT) == "Northwind"
        assert halo.requests[1].query == {"tenant": "samplemsp"}
        with Halo(_keys(halo.url)) as client:  # no HALO_TENANT: authinfo's tenant_id, as Halo's module reads it
            assert client.client(SAMPLE_CLIENT) == "Northwind"
        assert [r.query for r in halo.requests if r.path == "/auth/token"][-1] == {"tenant": "samplemsp"}
        with Halo(_keys(halo.url, tenant="another")) as client, pytest.raises(HaloError) as refused:
            client.client(SAMPLE_CLIENT)  # a wrong tenant: Halo's token endpoint refuses it
    assert refused.value.status == 400


def test_the_token_is_asked_where_halos_authinfo_says() -> None:
    """Issue 116: Halo's own module (HaloAPI's Connect-HaloAPI) asks GET api/authinfo for the authorisation
    server and posts to its auth_url + /token; the client asked {HALO_URL}/auth/token whatever it said."""
    with _stand_in(auth_path="/identity") as halo, Halo(_keys(halo.url)) as client:
        assert client.client(SAMPLE_CLIENT) == "Northwind"
        assert [(r.method, r.path) for r in halo.requests[:2]] == [
            ("GET", "/api/authinfo"),
            ("POST", "/identity/token"),
        ]
    with (
        _stand_in(authinfo=False) as halo,
        Halo(_keys(halo.url)) as client,
    ):  # no authinfo: /auth/token, as Halo falls back
        assert client.client(SAMPLE_CLIENT) == "Northwind"
        assert [r.path for r in halo.requests[:2]] == ["/api/authinfo", "/auth/token"]


def test_an_authinfo_naming_no_address_is_refused_before_the_secret_is_sent() -> None:
    with _stand_in() as halo:
        halo.route = _authinfo_saying(halo, {"auth_url": "ftp://elsewhere.example/auth"})  # type: ignore[method-assign]
        with Halo(_keys(halo.url)) as client, pytest.raises(HaloError) as refused:
            client.client(SAMPLE_CLIENT)
        assert "auth_url is not an address" in str(refused.value)
        assert all(r.method == "GET" for r in halo.requests)  # no token request: the secret went nowhere


def _authinfo_saying(halo: HaloStandIn, said: dict[str, Any]) -> Any:
    route = halo.route

    def answer(asked: Any) -> Any:
        return Reply(200, said) if asked.path == "/api/authinfo" else route(asked)

    return answer


def test_a_wrong_secret_is_a_401_naming_the_variables_never_the_secret() -> None:
    with _stand_in() as halo, Halo(_keys(halo.url, secret="not-it")) as client, pytest.raises(HaloError) as refused:
        client.lines(SAMPLE_CLIENT, "2026-11-01")
    said = str(refused.value)
    assert refused.value.status == 401 and "HALO_CLIENT_SECRET" in said and "not-it" not in said


def test_an_expired_token_is_asked_for_again_once() -> None:
    with _stand_in() as halo, Halo(_keys(halo.url)) as client:
        client.client(SAMPLE_CLIENT)
        halo.expire_tokens()
        assert client.client(SAMPLE_CLIENT) == "Northwind"
        assert client.token_requests == 2
        refused = [r for r in halo.requests if r.path == f"/api/Client/{SAMPLE_CLIENT}"]
        assert len(refused) == 3  # the first, the one the expired token got a 401 for, and its retry


def test_an_unknown_client_is_that_customers_gap_not_billed_nothing() -> None:
    with _stand_in() as halo, Halo(_keys(halo.url)) as client, pytest.raises(HaloError) as refused:
        client.lines(999, "2026-11-01")
    assert refused.value.status == 404 and "Halo has no client 999" in str(refused.value)


def test_listings_are_read_page_after_page(monkeypatch: pytest.MonkeyPatch) -> None:
    clients, invoices, _users = sample_halo()
    many = [{**invoices[0], "id": 8000 + n, "lines": [{**line, "id": 90000 + 10 * n + i, "ihid": 8000 + n}
            for i, line in enumerate(invoices[0]["lines"])]} for n in range(5)]  # fmt: skip
    monkeypatch.setattr(halo_client, "PAGE_SIZE", 2)
    with HaloStandIn(client_id="app-1", secret=SECRET, clients=clients, invoices=many) as halo:
        with Halo(_keys(halo.url)) as client:
            lines = client.lines(SAMPLE_CLIENT, "2026-11-01")
        pages = [r.query for r in halo.requests if r.path == "/api/RecurringInvoice"]
    assert len(lines) == 20
    assert [(p["pageinate"], p["page_size"], p["page_no"]) for p in pages] == [
        ("true", "2", "1"),
        ("true", "2", "2"),
        ("true", "2", "3"),
    ]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"qty_order": 4.5}, "qty_order '4.5'"),
        pytest.param({"qty_order": "12"}, "qty_order '12'", marks=pytest.mark.off_contract("a number in its swagger")),
        ({"unit_price": -1}, "unit_price '-1'"),
        ({"item_code": None}, "item_code 'None'"),
        ({"ihid": 1234}, "is another invoice's"),
    ],
)
def test_a_line_halo_does_not_send_is_the_customers_gap(change: dict[str, Any], said: str) -> None:
    clients, invoices, _users = sample_halo()
    invoices[0]["lines"][0] |= change
    with (
        HaloStandIn(client_id="app-1", secret=SECRET, clients=clients, invoices=invoices) as halo,
        Halo(_keys(halo.url)) as client,
        pytest.raises(HaloError) as refused,
    ):
        client.lines(SAMPLE_CLIENT, "2026-11-01")
    assert said in str(refused.value)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"client_id": 32}, "is another client's"),
        ({"lines": None}, "has no lines list"),
    ],
)
def test_an_invoice_out_of_shape_is_the_customers_gap(change: dict[str, Any], said: str) -> None:
    clients, invoices, _users = sample_halo()
    invoices[0] |= change
    with HaloStandIn(client_id="app-1", secret=SECRET, clients=clients, invoices=invoices) as halo:
        if "client_id" in change:  # Halo answering another client's invoice to the query of this one
            halo.route = _answering_all(halo)  # type: ignore[method-assign]
        with Halo(_keys(halo.url)) as client, pytest.raises(HaloError) as refused:
            client.lines(SAMPLE_CLIENT, "2026-11-01")
    assert said in str(refused.value)


DOLLARS = ("USD", "AUD", "CAD", "NZD", "SGD", "HKD", "MXN")


@pytest.mark.parametrize(
    ("symbol", "configured", "read", "choices"),
    [
        ("€", "", "EUR", ()),  # Halo's sample: "€" with its currency_code id
        ("£", "", "GBP", ()),
        ("EUR", "", "EUR", ()),  # an instance whose symbol is the code itself
        ("$", "AUD", "AUD", ()),  # one several write: the instance's configured currency settles it
        ("$", "", None, DOLLARS),  # ...else the three-way table settles it by the distributor's (test_psa_table)
        ("$", "EUR", None, DOLLARS),  # a configured currency "$" is not written for settles nothing
        ("euro", "", None, ()),  # no currency's symbol: its money is a named gap
    ],
)
def test_halos_currency_symbol_is_read_as_its_iso_code(
    symbol: str, configured: str, read: str | None, choices: tuple[str, ...]
) -> None:
    """Issue 116: Halo's invoice `currency` is a symbol ("Currency symbol"), its `currency_code` an integer id
    of the instance's list; a symbol was refused as "not an ISO 4217 code", the whole customer a gap."""
    clients, invoices, _users = sample_halo()
    invoices[0] |= {"currency": symbol, "currency_code": 1}
    with (
        HaloStandIn(client_id="app-1", secret=SECRET, clients=clients, invoices=invoices) as halo,
        Halo(Credentials(halo.url, "app-1", SECRET, currency=configured)) as client,
    ):
        lines = client.lines(SAMPLE_CLIENT, "2026-11-01")
    e3 = next(x for x in lines if x.product == "MS-E3")
    assert (e3.currency, e3.currency_choices, e3.billed) == (read, choices, 205)
    unread = symbol == "euro"
    assert (e3.unit_price, e3.unit_cost) == ((None, None) if unread else (34.2, 30.4))
    assert bool(e3.doubt) is unread and (not unread or "'euro' is no currency symbol" in e3.doubt)


def test_a_disabled_invoice_and_an_inactive_line_bill_no_one() -> None:
    """Issue 116: a recurring invoice Halo has `disabled`, and a line Halo made inactive (its Pax8 sync does
    when Pax8 cancels the subscription: `isinactive`, `isActive` false), were counted as billed."""
    with _stand_in() as halo, Halo(_keys(halo.url)) as client:
        lines = client.lines(SAMPLE_CLIENT, "2026-11-01")
    kept = {(x.agreement_id, x.product): (x.billed, x.billable, x.bill_customer) for x in lines}
    assert kept[("7001", "MS-F3")] == (0, False, "inactive")  # the sample's F3 line, made inactive
    assert kept[("7003", "MS-E5")] == (0, False, "disabled invoice")  # last year's invoice, disabled
    assert kept[("7001", "MS-E5")] == (7, True, "")
    assert sum(x.billed for x in lines if x.product == "MS-E5") == 7


def test_credentials_name_the_instances_currency() -> None:
    env = {"HALO_URL": "https://msp.halopsa.com", "HALO_CLIENT_ID": "a", "HALO_CLIENT_SECRET": "b"}
    assert credentials(env | {"HALO_CURRENCY": "AUD"}).currency == "AUD"
    with pytest.raises(UsageError, match="HALO_CURRENCY"):
        credentials(env | {"HALO_CURRENCY": "$"})


def _answering_all(halo: HaloStandIn) -> Any:
    route = halo.route

    def answer(asked: Any) -> Any:
        if asked.path == "/api/RecurringInvoice":
            asked = type(asked)(asked.method, asked.path, {**asked.query, "client_id": ""}, asked.headers, asked.body)
        return route(asked)

    return answer


def test_a_line_listed_twice_is_not_read_as_whole() -> None:
    clients, invoices, _users = sample_halo()
    invoices[0]["lines"].append(dict(invoices[0]["lines"][0]))
    with (
        HaloStandIn(client_id="app-1", secret=SECRET, clients=clients, invoices=invoices) as halo,
        Halo(_keys(halo.url)) as client,
        pytest.raises(HaloError) as refused,
    ):
        client.lines(SAMPLE_CLIENT, "2026-11-01")
    assert "listed twice" in str(refused.value)


def test_the_keys_come_from_the_environment() -> None:
    with pytest.raises(UsageError) as missing:
        credentials({"HALO_URL": "https://msp.halopsa.com"})
    assert "HALO_CLIENT_ID" in str(missing.value) and "HALO_CLIENT_SECRET" in str(missing.value)
    with pytest.raises(UsageError):
        credentials({"HALO_URL": "msp.halopsa.com", "HALO_CLIENT_ID": "a", "HALO_CLIENT_SECRET": "b"})
    keys = credentials({"HALO_URL": "https://msp.halopsa.com/", "HALO_CLIENT_ID": "a", "HALO_CLIENT_SECRET": "b",
                        "HALO_TENANT": "msp"})  # fmt: skip
    assert (keys.url, keys.tenant) == ("https://msp.halopsa.com", "msp") and "b" not in repr(keys)


def test_a_halo_block_is_checked_as_the_others_are() -> None:
    block = json.loads(psa_block({"halo": {"company_id": "31", "products": {"MS-E3": "spe_e3"}, "team": "Licensing",
                                           "ticket": 5120}}, "tenants[0].psa", PSAS))  # fmt: skip
    assert block == {"halo": {"company_id": 31, "products": {"ms-e3": "SPE_E3"}, "team": "Licensing", "ticket": 5120}}
    with pytest.raises(UsageError) as refused:
        psa_block({"halo": {"company_id": 31, "client_secret": "x"}}, "tenants[0].psa", PSAS)
    assert "unknown key 'client_secret'" in str(refused.value) and "x'" not in str(refused.value)
    with pytest.raises(UsageError):
        psa_block({"halo": {"company_id": 31, "ticket": "next"}}, "tenants[0].psa", PSAS)


def test_the_three_way_table_with_halo(demo_runs: DemoRuns) -> None:
    """Northwind's recurring invoice beside its tenant and its seats at Pax8 (issue 106): Power BI Pro, 34
    seats at all three, 3 more than assigned and billed below Pax8's cost; E3, 205 at Pax8 where Microsoft
    enables 204, and Halo bills the 205; E5, 12 at Pax8, 7 billed; F3 held, at Pax8, billed by no line (as
    `audit --demo --tenants` shows it)."""
    out = demo_runs.fleet()  # the whole run (the session's): what the demo writes for the Halo customer
    doc = json.loads((out / "northwind" / "psa.json").read_text("utf-8"))
    assert (doc["psa"], doc["company_id"]) == ("halo", SAMPLE_CLIENT)
    # Microsoft's seats (enabled, assigned), the distributor's, the PSA's
    rows = {p["sku"]: (p["enabled"], p["assigned"], p["distributor_billed"], p["psa_billed"]) for p in doc["products"]}
    assert rows == {"POWER_BI_PRO": (34, 31, 34, 34), "SPE_E3": (204, 203, 205, 205), "SPE_E5": (12, 7, 12, 7),
                    "SPE_F1": (49, 46, 49, 0)}  # fmt: skip
    # Halo's invoices carry the symbol "€" (issue 116): read as EUR, the table's money in euros; F3's line,
    # made inactive, and last year's disabled invoice bill no one
    assert {p["currency"] for p in doc["products"]} == {"EUR"} and not doc.get("error")
    kinds = {(f["kind"], f["sku"]) for f in doc["findings"]}
    assert kinds == {("customer_billed_unheld", "SPE_E3"), ("customer_billed_unheld", "POWER_BI_PRO"),
                     ("billed_below_cost", "POWER_BI_PRO"), ("msp_pays_unbilled", "SPE_E5"),
                     ("held_not_billed", "SPE_F1")}  # fmt: skip
    report = decode_report((out / "northwind" / "report.json").read_bytes(), "report.json")
    assert report.psa is not None and report.psa.psa == "halo"
    assert "What the customer is billed \\(Halo\\)" in (out / "northwind" / "report.md").read_text("utf-8")
    rollup = json.loads((out / "tenants.json").read_text("utf-8"))
    assert "northwind" in json.dumps(rollup)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/Actions", [{"ticket_id": 0, "note": "license-auditor: a note", "outcome_id": 7}]),  # no such ticket
        ("/Actions", "TICKET"),  # an action without its outcome: Halo's "An Outcome must be entered"
        ("/Tickets", [{"client_id": SAMPLE_CLIENT}]),  # no summary
        ("/Tickets", [{"summary": "x", "client_id": SAMPLE_CLIENT, "user_id": 4102, "site_id": 320}]),  # another's
        ("/Tickets", [{"summary": "x", "client_id": SAMPLE_CLIENT, "user_id": 4101}]),  # a user without its site
        pytest.param(
            "/Tickets",
            {"summary": "x", "client_id": SAMPLE_CLIENT},  # not an array
            marks=pytest.mark.off_contract("a ticket posted bare, where Halo's swagger takes an array of Faults"),
        ),
    ],
)
def test_the_stand_in_refuses_what_halo_refuses(path: str, body: object) -> None:
    with _stand_in() as halo, Halo(_keys(halo.url)) as client:
        if body == "TICKET":
            ticket = halo.open_ticket(SAMPLE_CLIENT, "Licence review")
            body = [{"ticket_id": ticket, "note": "license-auditor: a note"}]
        with pytest.raises(HaloError) as refused:
            client.request("POST", path, body=body)
        assert refused.value.status == 400
        assert halo.actions == [] and all(t["summary"] == "Licence review" for t in halo.tickets)  # nothing made


def _set_e5(to: int) -> CommerceChange:
    """apply --psa's change of Northwind's E5 line (70012 on recurring invoice 7001) to `to` seats."""
    line = PsaLineRecord(agreement_id="7001", agreement="Northwind - Microsoft 365", id="70012", product="MS-E5",
                         quantity=7, less_included=0, billed=7, unit_price=53.9, unit_cost=49.3,
                         billable=True)  # fmt: skip
    return CommerceChange(n=1, kind="set_quantity", source="halo", scope=str(SAMPLE_CLIENT), api_id="70012",
                          subscription="7001", sku="SPE_E5", sku_id=None, from_=7, to=to, seats=to - 7,
                          window="any_time", not_before=None, by=None, monthly_saving=0.0, saving_from=None,
                          request=PSAS["halo"].quantity_request(line, to))  # fmt: skip


@pytest.mark.parametrize("keep_unlisted", [False, True])
def test_a_quantity_write_sends_the_whole_line_set_and_the_other_lines_stay(keep_unlisted: bool) -> None:
    """Halo's material does not say whether a posted `lines` list keeps the lines it leaves out: under
    either reading the write leaves the invoice's other lines as they were."""
    with _stand_in(keep_unlisted=keep_unlisted) as halo, Halo(_keys(halo.url)) as client:
        before = {line["id"]: line["qty_order"] for line in halo.invoices[0]["lines"]}
        sent = psa_writes.send(client, _set_e5(12), "2026-11-18")
        assert sent.outcome == "done", sent.note
        (posted,) = [w for w in halo.writes if w.path == "/api/RecurringInvoice"]
        assert posted.body == [{"id": 7001, "lines": [{"id": i, "qty_order": 12 if i == 70012 else q}
                                                      for i, q in before.items()]}]  # fmt: skip
        after = {line["id"]: line["qty_order"] for line in halo.invoices[0]["lines"]}
        assert after == before | {70012: 12}


def test_a_line_gone_since_the_plan_is_not_written() -> None:
    with _stand_in() as halo, Halo(_keys(halo.url)) as client:
        halo.invoices[0]["lines"] = [line for line in halo.invoices[0]["lines"] if line["id"] != 70012]
        with pytest.raises(HaloError, match="has no line 70012 now: nothing was sent"):
            client.wire(_set_e5(12))
        assert halo.writes == []
