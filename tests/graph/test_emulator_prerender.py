"""Pre-rendered user and member pages (benchmarks/prerender.py, for million-user benchmarks) are byte for byte
the same as the emulator renders them."""

from __future__ import annotations

import httpx

from auditor.emulator import GraphEmulator, app_token
from auditor.graph.collector import USER_FIELDS
from auditor.sample.generate import generate_tenant
from auditor.snapshot import SIGN_IN_ACTIVITY
from benchmarks.prerender import Prerendered

SELECTS = ((*USER_FIELDS, SIGN_IN_ACTIVITY), USER_FIELDS)


def _read_all(graph: GraphEmulator, token: str, first: str, headers: dict[str, str]) -> list[bytes]:
    out = []
    url: str | None = graph.url + first
    while url:
        response = httpx.get(url, headers={"Authorization": f"Bearer {token}", **headers})
        assert response.status_code == 200
        out.append(response.content.replace(graph.url.encode(), b"URL"))
        url = response.json().get("@odata.nextLink")
    return out


def test_prerendered_pages_are_identical() -> None:
    tenant = generate_tenant(1500, seed=3)
    token = app_token(tenant.tenant_id)
    queries = [
        (f"/users?$select={','.join(SELECTS[0])}&$top=500", {}),
        (f"/users?$select={','.join(SELECTS[1])}&$top=7", {}),
        ("/users?$select=id,displayName&$top=999", {}),  # not pre-rendered: rendered per request
        *((f"/groups/{g.id}/transitiveMembers/microsoft.graph.user?$select=id&$top=999&$count=true",
           {"ConsistencyLevel": "eventual"}) for g in tenant.groups),
    ]
    answers = []
    with GraphEmulator(tenant, token=token) as graph:
        answers.append([_read_all(graph, token, q, h) for q, h in queries])
    with Prerendered(tenant, SELECTS) as listings, GraphEmulator(tenant, token=token, listings=listings) as graph:
        answers.append([_read_all(graph, token, q, h) for q, h in queries])
    assert answers[0] == answers[1]
    assert sum(len(pages) for pages in answers[0]) > 10
