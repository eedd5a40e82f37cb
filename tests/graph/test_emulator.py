"""The Graph emulator is strict where Microsoft Graph is strict (checked with plain httpx)."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from emulator_faults import Fault, FaultKind

from auditor_dev.emulator import GraphEmulator
from auditor_dev.emulator.filters import UpnIndex
from tests.loopback import http

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENTUAL = {**AUTH, "ConsistencyLevel": "eventual"}


@pytest.fixture(scope="module")
def graph(tenant):
    with GraphEmulator(tenant, token=TOKEN) as emulator:
        yield emulator


def get(graph, path, headers=AUTH):
    return http.get(graph.url + path, headers=headers, timeout=10)


def test_bearer_token_required(graph):
    assert get(graph, "/users", headers={}).status_code == 401
    r = get(graph, "/users", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_users_default_properties_only(graph):
    r = get(graph, "/users")
    assert r.status_code == 200
    doc = r.json()
    assert len(doc["value"]) == 100  # Graph's default page size
    user = doc["value"][0]
    assert set(user) == {
        "businessPhones",
        "displayName",
        "givenName",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
        "id",
    }
    for hidden in (
        "licenseAssignmentStates",
        "usageLocation",
        "department",
        "accountEnabled",
        "signInActivity",
        "createdDateTime",
        "assignedLicenses",
    ):
        assert hidden not in user


@pytest.mark.off_contract("selects a property users lack, to see Graph's 400")
def test_select_is_honoured_and_checked(graph, tenant):
    r = get(graph, "/users?$select=id,usageLocation,licenseAssignmentStates&$top=5")
    users = r.json()["value"]
    assert [set(u) for u in users] == [{"id", "usageLocation", "licenseAssignmentStates"}] * 5
    assert users[0]["id"] == tenant.users[0].id
    bad = get(graph, "/users?$select=id,favouriteColour")
    assert bad.status_code == 400 and "favouriteColour" in bad.json()["error"]["message"]


def test_top_over_999_is_rejected(graph):
    assert get(graph, "/users?$top=999").status_code == 200
    r = get(graph, "/users?$top=1000")
    assert r.status_code == 400 and "1000" in r.json()["error"]["message"]
    assert get(graph, "/users?$top=0").status_code == 400


def test_sign_in_pages_are_capped_at_500(graph, tenant):
    # 250 users fit in one page either way; the cap shows with a larger $top on a larger tenant
    r = get(graph, "/users?$select=id,signInActivity&$top=999")
    assert r.status_code == 200 and len(r.json()["value"]) == min(500, len(tenant.users))


def test_next_link_pages_to_the_end(graph, tenant):
    url = graph.url + "/users?$select=id&$top=60"
    ids = []
    while url:
        doc = http.get(url, headers=AUTH).json()
        ids += [u["id"] for u in doc["value"]]
        url = doc.get("@odata.nextLink")
        assert url is None or ("$skiptoken=" in url and "$top=60" in url)
    assert ids == [u.id for u in tenant.users]


def test_skiptoken_is_tied_to_its_query(graph):
    doc = get(graph, "/users?$select=id&$top=10").json()
    token = doc["@odata.nextLink"].split("$skiptoken=")[1]
    assert get(graph, f"/users?$select=id&$top=10&$skiptoken={token}").status_code == 200
    assert get(graph, f"/users?$select=displayName&$top=10&$skiptoken={token}").status_code == 400
    forged = base64.urlsafe_b64encode(b'{"o": 5}').decode()
    assert get(graph, f"/users?$select=id&$top=10&$skiptoken={forged}").status_code == 400


def test_filters_the_collector_does_not_use_are_rejected(graph):
    r = get(graph, "/users?$filter=" + quote("accountEnabled eq false"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_UnsupportedQuery"
    assert get(graph, "/groups?$filter=" + quote("startswith(displayName,'S')")).status_code == 400


def test_group_by_display_name(graph, tenant):
    r = get(graph, "/groups?$filter=" + quote("displayName eq 'Sales Team'") + "&$select=id,displayName")
    assert [g["displayName"] for g in r.json()["value"]] == ["Sales Team"]


def test_license_group_filter_needs_advanced_query(graph):
    path = "/groups?$filter=" + quote("assignedLicenses/$count ne 0") + "&$select=id,assignedLicenses"
    assert get(graph, path).status_code == 400
    assert get(graph, path + "&$count=true").status_code == 400  # header still missing
    assert get(graph, path, headers=EVENTUAL).status_code == 400  # $count still missing
    r = get(graph, path + "&$count=true", headers=EVENTUAL)
    assert r.status_code == 200 and r.json()["@odata.count"] == 1


def test_transitive_members_cast_needs_consistency_level(graph, tenant):
    group = next(g for g in tenant.groups if g.display_name == "Sales Team")
    path = f"/groups/{group.id}/transitiveMembers/microsoft.graph.user?$select=id&$count=true"
    r = get(graph, path)
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_UnsupportedQuery"
    r = get(graph, path, headers=EVENTUAL)
    assert r.status_code == 200
    assert r.json()["@odata.count"] == len(group.members)
    assert {m["id"] for m in r.json()["value"]} == set(group.members)
    assert get(graph, f"/groups/{group.id}/transitiveMembers?$select=id").status_code == 200
    assert get(graph, "/groups/00000000-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize("relation", ["transitiveMembers", "members"])
def test_member_listings_take_a_upn_prefix_filter_and_a_count(graph, tenant, relation):
    group = next(g for g in tenant.groups if g.display_name == "Sales Team")
    by_id = {u.id: u for u in tenant.users}
    prefix = by_id[group.members[0]].user_principal_name[0].lower()
    expected = {m for m in group.members if by_id[m].user_principal_name.lower().startswith(prefix)}
    where = quote(f"startswith(userPrincipalName,'{prefix}')", safe="")
    path = f"/groups/{group.id}/{relation}/microsoft.graph.user?$select=id&$count=true&$filter={where}"
    assert get(graph, path).status_code == 400  # an advanced query: ConsistencyLevel: eventual
    assert get(graph, path.replace("&$count=true", ""), headers=EVENTUAL).status_code == 400  # and $count=true
    r = get(graph, path, headers=EVENTUAL)
    assert r.status_code == 200 and {m["id"] for m in r.json()["value"]} == expected
    assert r.json()["@odata.count"] == len(expected) < len(group.members)
    count = f"/groups/{group.id}/{relation}/microsoft.graph.user/$count"
    assert get(graph, count).status_code == 400
    assert get(graph, count, headers=EVENTUAL).text == str(len(group.members))
    assert get(graph, f"{count}?$filter={where}", headers=EVENTUAL).text == str(len(expected))
    other = quote("startswith(displayName,'a')", safe="")
    assert get(graph, path.replace(where, other), headers=EVENTUAL).status_code == 400


def test_the_upn_index_keeps_what_a_scan_keeps():
    """A partition's users found by bisection over the sorted UPNs (filters.UpnIndex) are, in
    order, those a pass over every UPN keeps: case aside, for one prefix or several, overlapping,
    at the ends of the alphabet and beyond ASCII."""
    upns = [
        "Adele@x",
        "adam@x",
        "ad@x",
        "b@x",
        "Ærø@x",
        "zz@x",
        "z@x",
        "ÿ@x",
        "a",
        "Ma'ry@x",
        "mb@x",
        "\U0010ffff@x",
        "\U0010ffffa@x",
        "ma@x",
    ] * 3
    index = UpnIndex(upns)
    for prefixes in [
        ("a",),
        ("ad",),
        ("adele@x",),
        ("z",),
        ("æ",),
        ("ÿ",),
        ("\U0010ffff",),
        ("ma",),
        ("ma'",),
        ("m", "ma"),
        ("b", "a"),
        ("q",),
        ("adx",),
    ]:
        expected = [at for at, upn in enumerate(upns) if upn.lower().startswith(prefixes)]
        assert index.starting(prefixes) == expected, prefixes
    assert index.starting(("a",)) and not index.starting(("q",))


@pytest.mark.off_contract("sends a body that is not JSON, to see Graph's 400")
def test_send_mail(graph, tenant):
    sender = tenant.users[1].user_principal_name
    body = {
        "message": {
            "subject": "License audit",
            "body": {"contentType": "html", "content": "<p>report</p>"},
            "toRecipients": [{"emailAddress": {"address": "it@contoso.example"}}],
            "attachments": [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": "report.json",
                    "contentType": "application/json",
                    "contentBytes": base64.b64encode(b"{}").decode(),
                }
            ],
        },
        "saveToSentItems": False,
    }
    r = http.post(f"{graph.url}/users/{sender}/sendMail", json=body, headers=AUTH)
    assert r.status_code == 202 and r.content == b""
    assert graph.sent_mail[-1].sender == sender
    assert graph.sent_mail[-1].message["subject"] == "License audit"
    assert graph.sent_mail[-1].save_to_sent_items is False
    no_rcpt = {"message": {"subject": "x", "body": {"contentType": "text", "content": "y"}}}
    assert http.post(f"{graph.url}/users/{sender}/sendMail", json=no_rcpt, headers=AUTH).status_code == 400
    assert http.post(f"{graph.url}/users/{sender}/sendMail", content=b"{", headers=AUTH).status_code == 400
    assert http.post(f"{graph.url}/users/nobody@x.example/sendMail", json=body, headers=AUTH).status_code == 404
    assert http.post(f"{graph.url}/users/{sender}/sendMail", json=body).status_code == 401


def test_fault_counts_and_request_log(tenant):
    faults = [Fault(FaultKind.UNAVAILABLE, r"/subscribedSkus", count=2)]
    with GraphEmulator(tenant, token=TOKEN, responders=faults) as graph:
        codes = [get(graph, "/subscribedSkus").status_code for _ in range(3)]
        assert codes == [503, 503, 200]
        assert [(r.path, r.status, r.fault) for r in graph.requests] == [
            ("/subscribedSkus", 503, "503"),
            ("/subscribedSkus", 503, "503"),
            ("/subscribedSkus", 200, None),
        ]
        assert "authorization" not in graph.requests[0].headers
