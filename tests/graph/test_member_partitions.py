"""A long member listing of a group the policies name is read in partitions, as /users is
(auditor/graph/groups.py, GroupReads._partitioned_members): the first page's @odata.count says how
long it is, the partitions are proven complete against the counts, and anything Graph refuses or
that falls short reads it in one chain. Either way the group's members are those of one chain."""

from __future__ import annotations

import dataclasses
import re
import uuid

import pytest
from emulator_faults import Fault, FaultKind
from graph_tenants import make_tenant

from auditor.common.errors import CollectionError
from auditor.data.model import AssignedLicense, Group, TenantSnapshot
from auditor.graph import groups as group_reads
from auditor_dev.emulator import Reply, Request

MEMBERS = r"/groups/[^/]+/transitiveMembers/microsoft\.graph\.user"
DIRECT = r"/groups/[^/]+/members/microsoft\.graph\.user"
BIG = str(uuid.UUID(int=7, version=4))


def tenant(first_characters: str = "jmsadck", n: int = 300) -> TenantSnapshot:
    """`n` users whose UPNs start with the given characters in turn, all members of "Big Team"
    (which also assigns a license, so its direct members are read too)."""
    base = make_tenant(n, seed=5)
    users = tuple(
        u.with_values(user_principal_name=f"{first_characters[i % len(first_characters)]}user{i}@contoso.example")
        for i, u in enumerate(base.users)
    )
    sku = base.skus[0].sku_id
    big = Group(BIG, "Big Team", (AssignedLicense(sku),), members=tuple(sorted(u.id for u in users)))
    return dataclasses.replace(base, users=users, groups=(*base.groups, big))


@pytest.fixture
def short_pages(monkeypatch):
    """Member pages of 20: a listing of 300 members is 15 pages, more than one allowed in a chain."""
    monkeypatch.setattr(group_reads, "PAGE_SIZE", 20)
    monkeypatch.setattr(group_reads, "MEMBER_CHAIN_PAGES", 1)


def listed(h, pattern: str) -> list:
    return [r for r in h.emulator.requests_to(pattern) if r.method == "GET"]


def big_group(snapshot: TenantSnapshot) -> Group:
    return next(g for g in snapshot.groups if g.id == BIG)


def test_a_long_member_listing_is_read_in_partitions(harness, short_pages):
    snap = tenant()
    h = harness(snap)
    got = h.collect(("Big Team",), need_sign_in=False, concurrency=4)
    chain = harness(snap)
    one = chain.collect(("Big Team",), need_sign_in=False, concurrency=1)
    assert big_group(got).members == big_group(one).members == big_group(snap).members
    assert big_group(got).direct_members == big_group(one).direct_members
    filtered = {r.query["$filter"] for r in listed(h, MEMBERS) if "$filter" in r.query}
    assert "startswith(userPrincipalName,'m')" in filtered and len(filtered) == 29
    assert {r.query["$filter"] for r in listed(h, DIRECT) if "$filter" in r.query} == filtered
    assert len(listed(h, MEMBERS + r"/\$count")) == 1  # the count after; the first page gave the one before
    assert not any("$filter" in r.query for r in listed(chain, MEMBERS))
    assert "reading it in one chain" not in h.stderr.getvalue()


def test_a_short_listing_is_one_chain_without_a_count(harness, short_pages, monkeypatch):
    monkeypatch.setattr(group_reads, "MEMBER_CHAIN_PAGES", 15)  # 300 members in 15 pages: not more
    snap = tenant()
    h = harness(snap)
    got = h.collect(("Big Team",), need_sign_in=False, concurrency=4)
    assert big_group(got).members == big_group(snap).members
    assert len(listed(h, MEMBERS)) == 15 and not listed(h, MEMBERS + r"/\$count")


def test_concurrency_1_reads_one_chain(harness, short_pages):
    h = harness(tenant())
    h.collect(("Big Team",), need_sign_in=False, concurrency=1)
    assert all("$filter" not in r.query for r in listed(h, MEMBERS)) and len(listed(h, MEMBERS)) == 15


def test_a_refused_filter_reads_one_chain(harness, short_pages):
    snap = tenant()
    refused = Fault(FaultKind.UNSUPPORTED, r"transitiveMembers.*startswith", count=None)
    h = harness(snap, faults=[refused])
    got = h.collect(("Big Team",), need_sign_in=False, concurrency=4)
    assert big_group(got).members == big_group(snap).members and not got.gaps
    assert "Graph refused the partitioned read of /groups/" in h.stderr.getvalue()
    assert len([r for r in listed(h, MEMBERS) if "$filter" not in r.query]) == 16  # the first page, then all


def test_members_outside_the_partitions_read_it_again_in_one_chain(harness, short_pages):
    snap = tenant("jmé")  # a UPN starting with é is in no partition
    h = harness(snap)
    got = h.collect(("Big Team",), need_sign_in=False, concurrency=4)
    assert big_group(got).members == big_group(snap).members and not got.gaps
    assert "/transitiveMembers/microsoft.graph.user read 200 members while its count was 300;" in h.stderr.getvalue()
    assert len([r for r in listed(h, MEMBERS) if "$filter" not in r.query]) == 16  # the first page, then all


@pytest.mark.parametrize(
    ("first_page", "says"),
    [
        (
            {"value": [], "@odata.count": 300, "@odata.nextLink": "https://evil.example/v1.0/groups?$skiptoken=x"},
            "outside the Graph endpoint",
        ),
        pytest.param(
            {"@odata.count": 300},
            "a page without a `value` list",
            marks=pytest.mark.off_contract("serves what Graph does not, to see the reader's gap"),
        ),
    ],
)
def test_the_first_page_is_checked_as_every_page_is(harness, short_pages, first_page, says):
    """The first page is read on its own (for its @odata.count): its link is refused before the
    token could follow it, and a page that is not one stops the run, as in GraphClient.pages."""

    def answer(request: Request) -> Reply | None:
        if "transitiveMembers" in request.path and "$skiptoken" not in request.query and "$filter" not in request.query:
            return Reply(200, first_page)
        return None

    h = harness(tenant(), faults=[answer])
    with pytest.raises(CollectionError, match=re.escape(says)):
        h.collect(("Big Team",), need_sign_in=False, concurrency=4)
