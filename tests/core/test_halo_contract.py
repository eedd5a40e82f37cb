"""Halo's published swagger held against the Halo stand-in's traffic (issue 116): the subset kept in
auditor_dev/contracts/halo.json (assembled by hand from the stored copy, its x-source says how) is the listed
operations and every $ref they reach, and the stand-in records what of a request or an answer falls outside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.vendors.halo.client import Credentials, Halo, HaloError
from auditor.vendors.halo.tickets import HaloDesk
from auditor_dev import contracts
from auditor_dev.commerce.halo import SAMPLE_CLIENT, HaloStandIn, sample_halo
from auditor_dev.contracts import openapi
from auditor_dev.contracts.cut import KEEP, cut

KEPT = Path(__file__).resolve().parents[2] / "auditor_dev" / "contracts" / "halo.json"
LISTING = {"client_id": "31", "includelines": "true", "pageinate": "true", "page_size": "100", "page_no": "1"}


def test_halos_kept_subset_names_its_source_and_is_its_own_cut() -> None:
    doc = json.loads(KEPT.read_text("utf-8"))
    source = doc["x-source"]
    named = ("repo", "path", "commit")
    assert {k: source[k] for k in named} == {k: KEEP["halo"][k] for k in named}
    assert source["paths"] == KEEP["halo"]["paths"] and set(doc["paths"]) == set(KEEP["halo"]["paths"])
    # every path the client calls is kept: none is left unchecked by name (openapi.EXEMPT holds only OAuth's)
    assert "by hand" in source["how"] and "not_kept" not in source and "not_kept" not in KEEP["halo"]
    # the listed operations and every $ref they reach, nothing more and nothing missing
    assert cut(doc, KEEP["halo"]["paths"], source) == doc


def test_what_the_halo_client_sends_and_the_stand_in_answers_is_held_to_halos_swagger() -> None:
    halo = openapi.load("halo")
    assert halo.check_request("GET", "/api/RecurringInvoice", LISTING, None) == []
    assert halo.check_request("GET", "/api/RecurringInvoice", {"inactive": "true"}, None) == [
        "query parameter 'inactive' is not published"
    ]
    write = [{"id": 7001, "lines": [{"id": 70011, "qty_order": 205}, {"id": 70012, "qty_order": 12}]}]
    assert halo.check_request("POST", "/api/RecurringInvoice", {}, write) == []
    line = {"id": 1, "ihid": 7001, "item_code": "MS-E3", "qty_order": 2, "unit_price": 1.5, "isActive": False}
    invoice = {"id": 7001, "client_id": 31, "name": "N", "disabled": False, "currency": "€", "currency_code": 2}
    listed = {"record_count": 1, "invoices": [invoice | {"lines": [line]}]}
    assert halo.check_answer("GET", "/api/RecurringInvoice", 200, listed) == []
    renamed = {"record_count": 1, "invoices": [invoice | {"lines": [line | {"quantity": 2}]}]}
    assert halo.check_answer("GET", "/api/RecurringInvoice", 200, renamed) == [
        "answer at invoices/0/lines/0: quantity not published"
    ]
    note = {"id": 1, "ticket_id": 5, "note": "n", "outcome_id": 7, "hiddenfromuser": True}
    assert halo.check_answer("GET", "/api/Actions", 200, {"ticket_id": 5, "record_count": 1, "actions": [note]}) == []
    assert halo.check_request("POST", "/api/Actions", {}, [{k: v for k, v in note.items() if k != "id"}]) == []
    assert halo.exempt("GET", "/api/authinfo") and not any(
        halo.exempt(method, path)
        for method, path in [("POST", "/api/RecurringInvoice"), ("GET", "/api/Client/31"), ("GET", "/api/Tickets"),
                             ("POST", "/api/Tickets"), ("GET", "/api/Tickets/5121")]
    )  # fmt: skip


@pytest.mark.off_contract("a stand-in answering a line key Halo does not publish, on purpose")
def test_the_halo_stand_in_records_an_answer_outside_halos_swagger() -> None:
    clients, invoices, _users = sample_halo()
    invoices[0]["lines"][0]["quantity"] = 205  # not Halo's name of it (qty_order is)
    with (
        HaloStandIn(client_id="app-1", secret="s3cret", clients=clients, invoices=invoices) as halo,
        Halo(Credentials(halo.url, "app-1", "s3cret")) as client,
    ):
        client.lines(SAMPLE_CLIENT, "2026-11-01")
    assert contracts.seen() == [
        "halo: answer 200 to GET /api/RecurringInvoice: answer at invoices/0/lines/0: quantity not published"
    ]


def test_halos_client_and_tickets_are_held_to_halos_swagger_too() -> None:
    """GET /Client/{id}, GET and POST /Tickets and GET /Tickets/{id} were exempt by name (issue 116); now their
    parameters, bodies and answers are the swagger's (Area, Faults, Faults_List, Faults_View, trimmed)."""
    halo = openapi.load("halo")
    ticket = {"id": 5121, "summary": "s", "details": "d", "client_id": 31, "user_id": None, "site_id": None,
              "priority_id": 2, "team": "Licensing", "hasbeenclosed": False}  # fmt: skip
    asked = {"client_id": "31", "open_only": "true", "pageinate": "true", "page_size": "100", "page_no": "1"}
    assert halo.check_request("GET", "/api/Tickets", asked, None) == []
    assert halo.check_request("GET", "/api/Tickets", {"client_id": "31", "closed": "false"}, None) == [
        "query parameter 'closed' is not published"
    ]
    assert halo.check_answer("GET", "/api/Tickets", 200, {"record_count": 1, "tickets": [ticket]}) == []
    assert halo.check_answer("GET", "/api/Tickets", 200, {"record_count": 1, "tickets": [ticket | {"closed": 0}]})
    new = {k: ticket[k] for k in ("summary", "details", "client_id", "priority_id", "team")}
    assert halo.check_request("POST", "/api/Tickets", {}, [new]) == []
    assert halo.check_request("POST", "/api/Tickets", {}, [new | {"priority_id": "high"}])
    assert halo.check_answer("POST", "/api/Tickets", 201, ticket) == []
    assert halo.check_answer("GET", "/api/Tickets/5121", 200, ticket) == []
    assert halo.check_answer("GET", "/api/Tickets/5121", 200, ticket | {"hasbeenclosed": "no"})
    client = {"id": 31, "name": "Northwind", "inactive": False}
    assert halo.check_answer("GET", "/api/Client/31", 200, client) == []
    assert halo.check_answer("GET", "/api/Client/31", 200, client | {"client_name": "Northwind"})


@pytest.mark.off_contract("a stand-in answering a ticket and a client with keys Halo does not publish, on purpose")
def test_the_halo_stand_in_records_a_ticket_or_client_outside_halos_swagger() -> None:
    clients, invoices, users = sample_halo()
    clients[0]["client_name"] = clients[0]["name"]  # Area's is `name`: a key no traffic here names
    ticket = {"id": 5121, "summary": "Licence review", "client_id": SAMPLE_CLIENT, "closed": False}  # hasbeenclosed
    with (
        HaloStandIn(client_id="app-1", secret="s3cret", clients=clients, invoices=invoices, users=users,
                    tickets=[ticket]) as halo,
        Halo(Credentials(halo.url, "app-1", "s3cret")) as client,
    ):  # fmt: skip
        client.client(SAMPLE_CLIENT)
        desk = HaloDesk(client)
        desk.find(SAMPLE_CLIENT, "k")
        desk.is_open(5121, SAMPLE_CLIENT)
    assert contracts.seen() == [
        "halo: answer 200 to GET /api/Client/31: answer: client_name not published",
        "halo: answer 200 to GET /api/Tickets: answer at tickets/0: closed not published",
        "halo: answer 200 to GET /api/Tickets/5121: answer: closed not published",
    ]


@pytest.mark.off_contract("a client posting a ticket key Halo does not publish, on purpose")
def test_a_ticket_posted_outside_halos_swagger_is_recorded() -> None:
    clients, invoices, users = sample_halo()
    with (
        HaloStandIn(client_id="app-1", secret="s3cret", clients=clients, invoices=invoices, users=users) as halo,
        Halo(Credentials(halo.url, "app-1", "s3cret")) as client,
    ):
        posted = [{"summary": "s", "client_id": SAMPLE_CLIENT, "priority_id": "high", "external_key": "k"}]
        with pytest.raises(HaloError):  # the stand-in, as Halo, refuses a priority it has not
            client.request("POST", "/Tickets", body=posted)
    assert contracts.seen() == [
        "halo: POST /api/Tickets: request body at 0: external_key not published",
        "halo: POST /api/Tickets: request body at 0/priority_id: 'high' is not of type 'integer'",
    ]
