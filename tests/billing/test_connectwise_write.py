"""apply --psa's write into ConnectWise Manage (issue 118, point 3): an agreement addition's `quantity`, and what
is done with its `effectiveDate` and `cancelledDate` (auditor.vendors.connectwise: quantity_request).

ConnectWise's published Addition types both dates `string`, `format: date-time`, with no `nullable` (its
`quantity` is `nullable: true`), and says nothing of what either does to an invoice. So a quantity going to 0
is a PATCH of `quantity` to 0 (the addition stays, readable and billing nothing), never a cancellation, which
no PATCH on the published contract could clear again for undo; and no change moves the addition's
effectiveDate (the day the whole addition bills from, not the day of one change). The stand-in behaves as
ConnectWise publishes: a cancelled addition is still a record, listed and read by its id; a PATCH may replace
either date with a date-time, never with null."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from auditor.apply.psa_undo import back
from auditor.billing.psa_records import PsaLineRecord, PsaProductRow, PsaSection
from auditor.plan.psa_quantities import psa_changes
from auditor.vendors import psa_writes
from auditor.vendors.connectwise.client import API_PATH, ConnectWise, Credentials
from auditor_dev.commerce.connectwise import ConnectWiseStandIn

PRIVATE = "pRiv4te-key-never-printed"
KEYS = Credentials("mspco", "pubKEY123", PRIVATE, "3f1c9a52-7d8e-4b61-a0c4-5e2f8d9b7a13")
ON = "2026-11-18"  # the plan's day, and apply's


def _stand_in(*additions: dict[str, Any]) -> ConnectWiseStandIn:
    agreement = {
        "id": 1187,
        "name": "Contoso - Microsoft 365",
        "company": {"id": 250, "identifier": "ContosoLtd"},
        "agreementStatus": "Active",
        "startDate": "2025-07-01T00:00:00Z",
        "noEndingDateFlag": True,
    }
    return ConnectWiseStandIn(
        company_id=KEYS.company_id,
        public_key=KEYS.public_key,
        private_key=PRIVATE,
        client_id=KEYS.client_id,
        companies=[{"id": 250, "identifier": "ContosoLtd", "name": "Contoso Ltd."}],
        agreements=[agreement],
        additions={1187: list(additions)},
    )


def _addition(recid: int, quantity: int, **more: Any) -> dict[str, Any]:
    return {
        "id": recid,
        "product": {"id": 11, "identifier": "M365-BP"},
        "quantity": quantity,
        "lessIncluded": 0,
        "unitPrice": 20.6,
        "unitCost": 18.5,
        "billCustomer": "Billable",
        "effectiveDate": "2025-07-01T00:00:00Z",
        **more,
    }


def test_a_cancelled_addition_is_still_read_by_its_id_and_listed_though_it_no_longer_bills() -> None:
    cancelled = _addition(20934, 5, cancelledDate="2026-10-31T00:00:00Z")
    with _stand_in(cancelled, _addition(20935, 3)) as cw, ConnectWise(KEYS, endpoint=cw.url) as client:
        one = client.request("GET", "/finance/agreements/1187/additions/20934")
        listed = client.pages("/finance/agreements/1187/additions")
        billing = [line.id for line in client.lines(250, ON)]
    assert client.decode(one.body, "GET") == cancelled
    assert [a["id"] for a in listed] == [20934, 20935]
    assert billing == ["20935"]  # cancelled before the day: no longer billed, still a record


def test_the_stand_in_replaces_a_date_with_a_date_time_and_refuses_null() -> None:
    """ConnectWise's Addition has no `nullable` on either date: a PATCH setting one to null is refused (400) and
    changes nothing; a date-time is kept."""
    with _stand_in(_addition(20934, 5)) as cw, ConnectWise(KEYS, endpoint=cw.url) as client:
        url = f"{cw.url}{API_PATH}/finance/agreements/1187/additions/20934"
        headers = client.headers()
        day = [{"op": "replace", "path": "cancelledDate", "value": "2026-11-30T00:00:00Z"}]
        assert httpx.patch(url, json=day, headers=headers).status_code == 200
        cleared = [{"op": "replace", "path": "cancelledDate", "value": None}]
        refused = httpx.patch(url, json=cleared, headers=headers)
        other = [{"op": "replace", "path": "unitPrice", "value": 1}]
        assert httpx.patch(url, json=other, headers=headers).status_code == 400
    assert refused.status_code == 400 and "null" in refused.json()["message"]
    assert cw.additions[1187][0]["cancelledDate"] == "2026-11-30T00:00:00Z"
    assert cw.additions[1187][0]["unitPrice"] == 20.6


def _section(line: PsaLineRecord, assigned: int) -> PsaSection:
    row = PsaProductRow(
        sku="SPB",
        name="Microsoft 365 Business Premium",
        psa_products=["M365-BP"],
        in_tenant=False,
        enabled=0,
        assigned=assigned,
        distributor_billed=None,
        partner_cost=None,
        psa_quantity=line.quantity,
        psa_included=0,
        psa_billed=line.billed,
        unit_price=line.unit_price,
        unit_cost=line.unit_cost,
        billable=True,
        currency="EUR",
        agreements=[line.agreement_id],
        lines=[line],
    )
    return PsaSection(
        schema=1, psa="connectwise", company_id=250, on=ON, products=[row], quantity_rules={"SPB": "assigned"}
    )


def test_a_quantity_going_to_0_is_a_patch_of_quantity_the_addition_kept_and_undo_sets_it_back() -> None:
    """The customer holds no Business Premium any more (rule `assigned`, 0 assigned): the plan's change is the
    addition's quantity 5 -> 0 and nothing else; sent, the addition keeps its effectiveDate, gets no
    cancelledDate and is still a billed line (quantity 0, so undo can find it); undo sets 5 again."""
    shipped = _addition(20934, 5)
    line = PsaLineRecord(
        agreement_id="1187",
        agreement="Contoso - Microsoft 365",
        id="20934",
        product="M365-BP",
        quantity=5,
        less_included=0,
        billed=5,
        unit_price=20.6,
        unit_cost=18.5,
        billable=True,
        effective="2025-07-01",
    )
    (change,) = psa_changes(_section(line, 0), {}, {})
    assert (change.from_, change.to, change.request.method) == (5, 0, "PATCH")
    assert change.request.path == "/finance/agreements/1187/additions/20934"
    with _stand_in(shipped) as cw, ConnectWise(KEYS, endpoint=cw.url) as client:
        assert client.wire(change) == [{"op": "replace", "path": "quantity", "value": 0}]
        assert psa_writes.send(client, change, ON).outcome == "done"
        kept = dict(cw.additions[1187][0])
        assert psa_writes.quantity_now(client, change, ON) == 0
        undo = back(change)
        assert client.wire(undo) == [{"op": "replace", "path": "quantity", "value": 5}]
        assert psa_writes.send(client, undo, ON).outcome == "done"
        patches = [asked.body for asked in cw.writes]
    assert kept == shipped | {"quantity": 0}  # effectiveDate as it was, no cancelledDate
    assert cw.additions[1187][0] == shipped
    assert patches == [
        [{"op": "replace", "path": "quantity", "value": 0}],
        [{"op": "replace", "path": "quantity", "value": 5}],
    ]


def test_an_increase_or_decrease_moves_no_date_of_the_addition() -> None:
    """A change of 40 -> 31 (or 31 -> 40) carries no effectiveDate: ConnectWise's addition has one, the day it
    bills from, and a change of quantity leaves it (an Autotask adjustment carries the period's first day,
    ConnectWise's addition nothing)."""
    line = PsaLineRecord(
        agreement_id="1187",
        agreement="",
        id="20933",
        product="M365-BP",
        quantity=40,
        less_included=0,
        billed=40,
        unit_price=9.4,
        unit_cost=8.45,
        billable=True,
        effective="2026-11-01",
    )
    for assigned in (31, 45):
        (change,) = psa_changes(_section(line, assigned), {}, {})
        assert change.request.body is not None
        assert msgspec.to_builtins(change.request.body) == {"quantity": assigned}
