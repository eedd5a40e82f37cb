"""Pre-rendered user and member pages (benchmarks/prerender.py, for million-user benchmarks) are byte for byte
the same as the emulator renders them."""

from __future__ import annotations

import dataclasses

import msgspec

from auditor.graph.collector import USER_FIELDS
from auditor.snapshot import SIGN_IN_ACTIVITY
from auditor_dev.emulator import GraphEmulator, app_token
from auditor_dev.sample.generate import generate_tenant
from benchmarks.prerender import Prerendered
from tests.loopback import http

SELECTS = (("id", SIGN_IN_ACTIVITY), USER_FIELDS)  # benchmarks.serve.SELECTS


def _read_all(graph: GraphEmulator, token: str, first: str, headers: dict[str, str]) -> list[bytes]:
    out = []
    url: str | None = graph.url + first
    while url:
        response = http.get(url, headers={"Authorization": f"Bearer {token}", **headers})
        assert response.status_code == 200
        out.append(response.content.replace(graph.url.encode(), b"URL"))
        url = response.json().get("@odata.nextLink")
    return out


def test_prerendered_pages_are_identical() -> None:
    tenant = generate_tenant(1500, seed=3)
    # one group lists its direct members (the others are members through a nested group): its
    # /members pages differ from its /transitiveMembers pages
    nested = max(tenant.groups, key=lambda g: len(g.members))
    groups = tuple(
        msgspec.structs.replace(g, direct_members=g.members[::3]) if g is nested else g for g in tenant.groups
    )
    tenant = dataclasses.replace(tenant, groups=groups)
    token = app_token(tenant.tenant_id)
    eventual = {"ConsistencyLevel": "eventual"}
    queries = [
        (f"/users?$select={','.join(SELECTS[0])}&$top=500", {}),
        (f"/users?$select={','.join(SELECTS[1])}&$top=7", {}),
        ("/users?$select=id,displayName&$top=999", {}),  # not pre-rendered: rendered per request
        *(
            (f"/groups/{g.id}/{relation}/microsoft.graph.user?$select=id&$top=999&$count=true", eventual)
            for g in tenant.groups
            for relation in ("transitiveMembers", "members")
        ),
        # partitions: the pre-encoded members picked by the index of their UPNs, one prefix or several
        *(
            (
                f"/groups/{nested.id}/{relation}/microsoft.graph.user?$select=id&$top=20&$count=true&$filter={f}",
                eventual,
            )
            for relation in ("transitiveMembers", "members")
            for f in (
                "startswith(userPrincipalName,'user0001')",
                "startswith(userPrincipalName,'F') or "
                "startswith(userPrincipalName,'user00') or startswith(userPrincipalName,'user0001')",
            )
        ),
        (
            f"/users?$select={','.join(SELECTS[1])}&$top=30&$filter=startswith(userPrincipalName,'user0002') or "
            "startswith(userPrincipalName,'Fl')",
            {},
        ),
    ]
    answers = []
    with GraphEmulator(tenant, token=token) as graph:
        answers.append([_read_all(graph, token, q, h) for q, h in queries])
    with Prerendered(tenant, SELECTS) as listings, GraphEmulator(tenant, token=token, listings=listings) as graph:
        answers.append([_read_all(graph, token, q, h) for q, h in queries])
    assert answers[0] == answers[1]
    assert sum(len(pages) for pages in answers[0]) > 10
    partitions = [b"".join(answers[1][i]).count(b'"id"') for i, (q, _) in enumerate(queries) if "$filter" in q]
    assert len(partitions) == 5 and all(partitions)
    # the nested group's direct members are a third of its members, read apart from them
    at = [i for i, (q, _) in enumerate(queries) if nested.id in q and "$filter" not in q]
    transitive, direct = (b"".join(answers[1][i]).count(b'"id"') for i in at)
    assert 0 < direct < transitive


def test_a_prepared_emulator_answers_alike_without_working_anything_out(monkeypatch) -> None:
    """GraphEmulator.prepare indexes the users' and the members' UPNs, finds the groups with
    license errors and renders the usage reports before a benchmark measures: the partitions' first
    requests then work out none of it (a million users' first pages waited 20 s on it), and the
    answers are the same."""
    from auditor_dev.emulator import reports, server
    from auditor_dev.emulator import tenant as tenant_module

    tenant = generate_tenant(1500, seed=3)
    token = app_token(tenant.tenant_id)
    eventual = {"ConsistencyLevel": "eventual"}
    group = max(tenant.groups, key=lambda g: len(g.members))
    queries = [
        *(
            (f"/users?$select={','.join(SELECTS[1])}&$top=100&$filter=startswith(userPrincipalName,'{c}')", {})
            for c in "abm"
        ),
        *(
            (
                f"/groups/{group.id}/{relation}/microsoft.graph.user?$select=id&$top=999&$count=true"
                "&$filter=startswith(userPrincipalName,'a')",
                eventual,
            )
            for relation in ("transitiveMembers", "members")
        ),
        ("/groups?$filter=hasMembersWithLicenseErrors eq true&$select=id", {}),
        ("/reports/getOffice365ActiveUserDetail(period='D90')", {}),
        ("/reports/getMailboxUsageDetail(period='D7')", {}),
    ]

    def read(graph: GraphEmulator) -> list[list[bytes]]:
        out = []
        for q, h in queries:
            if q.startswith("/reports/"):
                response = http.get(graph.url + q, headers={"Authorization": f"Bearer {token}"}, follow_redirects=True)
                assert response.status_code == 200
                out.append([response.content])
            else:
                out.append(_read_all(graph, token, q, h))
        return out

    with GraphEmulator(tenant, token=token) as graph:
        expected = read(graph)
    with GraphEmulator(tenant, token=token) as graph:
        graph.prepare(report_days=(90,))

        def worked_out(*args, **kwargs):
            raise AssertionError("worked out on a request, not by prepare()")

        monkeypatch.setattr(server, "UpnIndex", worked_out)
        monkeypatch.setattr(tenant_module, "UpnIndex", worked_out)
        monkeypatch.setattr(reports.ReportServer, "_render", worked_out)
        assert read(graph) == expected
    assert all(expected) and expected[-1][0].count(b"\r\n") > 2  # rows, not a header alone
