"""`audit --tenants`: the partner's GDAP relationships (issue 87, point 5), read in the partner tenant
through the Graph emulator with the tenants file's `partner:` block: a relationship that ends within 30
days without auto-extension is named in the roll-up and its digest, an auto-extended one is not, a
customer Graph refuses (403) is told apart by its relationship, and a listing that cannot be read is a
named gap while the run goes on."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from emulator_faults import Fault, FaultKind

from auditor.cli import main
from auditor.data.enums import Cloud
from auditor.data.model import TenantSnapshot
from auditor.fleet import gdap
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import RELATIONSHIP_ROLES, GraphEmulator, app_token, relationship

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "target-tenant.json"  # Fabrikam: 40 users
POLICY = ROOT / "auditor_dev" / "sample" / "fabrikam-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"
TODAY = datetime(2026, 11, 1, 6, tzinfo=UTC)
CLIENT = "00000000-0000-0000-0000-0000000000c1"
PARTNER_TENANT = "00000000-0000-0000-0000-0000000000f0"
PARTNER_BLOCK = f"partner:\n  tenant_id: {PARTNER_TENANT}\n  client_id: 00000000-0000-0000-0000-0000000000f1\n"

pytestmark = pytest.mark.usefixtures("pinned_many_tenants")  # tests/graph/conftest.py


@dataclass(frozen=True)
class Customer:
    key: str
    tenant_id: str
    status: str = "active"  # its relationship's
    days: int = 20  # its relationship ends this many days after AS_OF (negative: ended)
    auto_extend: str = "PT0S"
    refused: bool = False  # Graph answers its reads 403
    listed: bool = True  # the partner's listing names a relationship with it


@dataclass
class Fleet:
    partner: GraphEmulator
    token: str


def _partner_tenant() -> TenantSnapshot:
    return TenantSnapshot(PARTNER_TENANT, "Partner", Cloud.WORLDWIDE, AS_OF, (), (), (), ())


@contextlib.contextmanager
def _fleet(
    tmp_path: Path,
    customers: Sequence[Customer],
    *,
    roles: tuple[str, ...],
    block: str = PARTNER_BLOCK,
    filler: int = 0,
) -> Iterator[Fleet]:
    """Each customer served by its own emulator, and the partner tenant by one more, listing each customer's
    relationship (and `filler` relationships with customers not in the file, to page past $top=300)."""
    sample = load_snapshot(SAMPLE)
    token = "customer-token"  # opaque: no tenant claim, so a tenant Graph refuses whole is not read as another
    (tmp_path / "policies").mkdir()
    shutil.copy(POLICY, tmp_path / "policies" / "p.yaml")
    listed = [
        relationship(
            customer_tenant_id=c.tenant_id,
            customer_name=c.key.title(),
            display_name=f"{c.key.title()} audit",
            status=c.status,
            ends=TODAY + timedelta(days=c.days),
            auto_extend=c.auto_extend,
        )
        for c in customers
        if c.listed
    ]
    listed += [
        relationship(
            customer_tenant_id=f"00000000-0000-4000-8000-{i:012d}",
            customer_name=f"Other {i}",
            display_name=f"Other {i}",
            status="active",
            ends=TODAY + timedelta(days=5),
        )
        for i in range(filler)
    ]
    with contextlib.ExitStack() as stack:
        partner_token = app_token(PARTNER_TENANT, roles)
        partner = stack.enter_context(GraphEmulator(_partner_tenant(), token=partner_token, relationships=listed))
        entries = []
        for c in customers:
            faults = [Fault(FaultKind.FORBIDDEN, match=r"^(GET|POST) /v1\.0/", count=None)] if c.refused else []
            snapshot = replace(sample, tenant_id=c.tenant_id, tenant_name=c.key.title())
            graph = stack.enter_context(GraphEmulator(snapshot, token=token, responders=faults))
            entry = {"name": c.key.title(), "tenant_id": c.tenant_id, "graph_endpoint": graph.url}
            entries.append({**entry, "billing_source": "none"})  # no Partner Center: the relationships alone
        # the exit code of the reads, not of Fabrikam's policy's findings (its Exchange Online under the spare
        # minimum is high)
        tenants = {"defaults": {"client_id": CLIENT, "policies": "policies/p.yaml", "fail_on": "never"}}
        (tmp_path / "tenants.yaml").write_text(block + yaml.safe_dump({**tenants, "tenants": entries}), "utf-8")
        yield Fleet(partner, token)


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fleet: Fleet) -> int:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", fleet.token)
    monkeypatch.setenv(gdap.PARTNER_GRAPH_TOKEN_ENV, fleet.partner.token)
    argv = ["audit", "--tenants", "tenants.yaml", "--auth", "token", "--output-dir", "out", "--format", "json"]
    # the partner tenant is read where the run's Graph is (each customer names its own endpoint)
    return main([*argv, "--as-of", AS_OF, "--tenant-concurrency", "2", "--graph-endpoint", fleet.partner.url])


def _rollup(tmp_path: Path) -> tuple[dict[str, Any], str, str]:
    out = tmp_path / "out"
    doc = json.loads((out / "tenants.json").read_text("utf-8"))
    return doc, (out / "tenants.md").read_text("utf-8"), (out / "digest.html").read_text("utf-8")


def _md(text: str) -> str:
    """tenants.md's text without Markdown's escapes."""
    return text.replace("\\", "")


def test_a_relationship_ending_in_20_days_is_named_and_403s_are_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = [
        Customer("ending", "00000000-0000-0000-0000-000000000011"),
        Customer("extended", "00000000-0000-0000-0000-000000000012", auto_extend="P180D"),
        Customer("lapsed", "00000000-0000-0000-0000-000000000013", status="expired", days=-31, refused=True),
        Customer("roles", "00000000-0000-0000-0000-000000000014", days=200, refused=True),
    ]
    with _fleet(tmp_path, customers, roles=RELATIONSHIP_ROLES[:1], filler=305) as fleet:
        assert _run(tmp_path, monkeypatch, fleet) == 3  # two customers refused; the others were audited
        listing = fleet.partner.requests_to(r"/tenantRelationships/delegatedAdminRelationships")
    assert [r.status for r in listing] == [200, 200]  # 309 relationships: two pages of at most 300, read whole
    assert listing[0].query == {"$top": "300"} and "$skiptoken" in listing[1].query
    doc, md, digest = _rollup(tmp_path)
    assert doc["gdap"] == {"read": True, "on": "2026-11-01", "relationships": 309}
    rows = {row["key"]: row for row in doc["tenants"]}
    assert rows["ending"]["gdap"] == {
        "state": "ending",
        "relationship": "Ending audit",
        "ends": "2026-11-21",
        "days": 20,
        "auto_extend": "PT0S",
        "forbidden": False,
    }
    assert rows["extended"]["gdap"]["state"] == "active"  # ends in 20 days too, but is extended by 180
    # Graph refusing every read leaves a report with its 403s as gaps: incomplete, and the run's exit 3
    assert (rows["lapsed"]["status"], rows["roles"]["status"]) == ("incomplete", "incomplete")
    assert rows["lapsed"]["gdap"] | {"forbidden": True} == rows["lapsed"]["gdap"]
    assert (rows["lapsed"]["gdap"]["state"], rows["lapsed"]["gdap"]["ended"]) == ("ended", "2026-10-01")
    assert (rows["roles"]["gdap"]["state"], rows["roles"]["gdap"]["forbidden"]) == ("active", True)
    ending = "Ending (ending): its relationship “Ending audit” ends on Nov 21, 2026, in 20 days, and is not extended"
    lapsed = "Lapsed (lapsed): Graph refused the reads (403): its relationship “Lapsed audit” ended on Oct 1, 2026"
    roles = "Roles (roles): Graph refused the reads (403) while its relationship “Roles audit” is active until"
    for text in (_md(md), digest):
        assert ending in text and lapsed in text and roles in text
        assert "a permission or role problem" in text
        assert "Extended (extended): its relationship" not in text
    assert "Extended audit" not in md and "Extended audit" not in digest
    assert fleet.partner.token not in "".join(f.read_text("utf-8", "replace") for f in tmp_path.rglob("*.*"))


def test_the_listing_refused_is_a_named_gap_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = [Customer("ending", "00000000-0000-0000-0000-000000000011")]
    with _fleet(tmp_path, customers, roles=("User.Read.All",)) as fleet:  # no DelegatedAdminRelationship.*
        assert _run(tmp_path, monkeypatch, fleet) == 0  # as without the listing: the tenant is audited
        (asked,) = fleet.partner.requests_to(r"/tenantRelationships/delegatedAdminRelationships")
    assert asked.status == 403
    doc, md, digest = _rollup(tmp_path)
    assert doc["tenants"][0]["status"] == "ok" and "gdap" not in doc["tenants"][0]
    assert doc["gdap"]["read"] is False and doc["gdap"]["kind"] == "refused"
    said = (
        "The relationships were not read: the partner tenant refused the listing (GET "
        "/tenantRelationships/delegatedAdminRelationships answered 403 Authorization_RequestDenied"
    )
    for text in (_md(md), digest):
        assert said in text and "DelegatedAdminRelationship.Read.All with admin consent" in text


def test_no_partner_block_is_a_named_gap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    customers = [Customer("ending", "00000000-0000-0000-0000-000000000011")]
    with _fleet(tmp_path, customers, roles=RELATIONSHIP_ROLES, block="") as fleet:
        assert _run(tmp_path, monkeypatch, fleet) == 0
        assert fleet.partner.requests == []  # nothing asked without the partner's credential
    doc, md, _ = _rollup(tmp_path)
    assert doc["gdap"] == {"read": False, "kind": "no_partner", "gap": "the tenants file has no `partner:` block"}
    assert "the tenants file names no partner (its `partner:` block)" in _md(md)


@pytest.mark.parametrize(("extend", "state"), [("PT0S", "ending"), ("P0D", "ending"), ("P180D", "active")])
def test_only_an_extension_of_more_than_nothing_keeps_a_relationship(extend: str, state: str) -> None:
    tenant = "00000000-0000-0000-0000-000000000011"
    item = relationship(
        customer_tenant_id=tenant, customer_name="A", display_name="A", status="active", ends=TODAY, auto_extend=extend
    )
    assert gdap.judge([gdap.parse(item)], tenant.upper(), date(2026, 10, 12))["state"] == state


@pytest.mark.parametrize(
    ("reason", "refused"),
    [
        ("GET /users failed: 403 Authorization_RequestDenied: Insufficient privileges.", True),
        ("GET /users failed: HTTP 403; grant the app the missing Microsoft Graph application permission", True),
        ("could not get an access token for GET /organization (credential): AADSTS700016", False),
        ("GET /users failed: 404 Request_ResourceNotFound: the object does not exist in this tenant", False),
    ],
)
def test_a_failed_tenant_is_refused_when_graph_answered_403(tmp_path: Path, reason: str, refused: bool) -> None:
    assert gdap.forbidden({"status": "failed", "reason": reason}, tmp_path) is refused


def test_shards_joined_keep_the_relationships_and_refuse_a_row_not_as_written(tmp_path: Path) -> None:
    from auditor.common.errors import UsageError
    from auditor.fleet.rollup import join

    row = {"key": "a", "name": "A", "tenant_id": "t", "status": "ok", "exit_code": 0, "seats_short": []}
    block = {"read": True, "on": "2026-11-01", "relationships": 2}
    ending = {"state": "ending", "ends": "2026-11-21", "days": 20, "forbidden": False}
    (tmp_path / "one").mkdir()
    doc = {"schema_version": 1, "generated_at": AS_OF, "tenants": [{**row, "gdap": ending}], "gdap": block}
    (tmp_path / "one" / "tenants.json").write_text(json.dumps(doc), "utf-8")
    assert join([tmp_path / "one"], None)["gdap"] == block
    doc["tenants"] = [{**row, "gdap": {"state": "lapsing", "forbidden": False}}]
    (tmp_path / "one" / "tenants.json").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(UsageError, match="gdap is not as tenant_row writes it"):
        join([tmp_path / "one"], None)


def test_a_token_run_without_the_partner_token_is_a_gap_never_the_customers_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from auditor.delivery.matrix import PartnerBlock

    block = PartnerBlock(PARTNER_TENANT, "00000000-0000-0000-0000-0000000000f1")
    env = {"AUDITOR_ACCESS_TOKEN": "customer-token"}
    reading = gdap.for_partner(block, auth=None, endpoint="http://127.0.0.1:9/v1.0", env=env)
    said = f"signing in with tokens: {gdap.PARTNER_GRAPH_TOKEN_ENV} is not set"
    assert (reading.kind, reading.gap) == ("failed", said)


@pytest.mark.off_contract("serves GDAP statuses as 'Active', outside Graph's enum, to hold the reader case-blind")
def test_an_ended_or_missing_relationship_is_named_whatever_the_audit_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 95, point 11: every tenant audited whole (no 403), yet one relationship expired two days ago,
    one is "Active" (as written) with its end a week past, and one customer has none: each is named, and
    the roll-up never says that no relationship lapses; "Active" with its end ahead is active."""
    customers = [
        Customer("expired", "00000000-0000-0000-0000-000000000021", status="expired", days=-2),
        Customer("stale", "00000000-0000-0000-0000-000000000022", status="Active", days=-7, auto_extend="P180D"),
        Customer("missing", "00000000-0000-0000-0000-000000000023", listed=False),
        Customer("capital", "00000000-0000-0000-0000-000000000024", status="Active", days=200),
    ]
    with _fleet(tmp_path, customers, roles=RELATIONSHIP_ROLES[:1]) as fleet:
        assert _run(tmp_path, monkeypatch, fleet) == 0  # the tenants themselves were read whole
    doc, md, digest = _rollup(tmp_path)
    rows = {row["key"]: row for row in doc["tenants"]}
    assert {key: row["status"] for key, row in rows.items()} == dict.fromkeys(rows, "ok")
    assert (rows["expired"]["gdap"]["state"], rows["expired"]["gdap"]["ended"]) == ("ended", "2026-10-30")
    assert (rows["stale"]["gdap"]["state"], rows["stale"]["gdap"]["ended"]) == ("ended", "2026-10-25")
    assert rows["missing"]["gdap"]["state"] == "none"
    assert rows["capital"]["gdap"]["state"] == "active"
    expired = "Expired (expired): its relationship “Expired audit” ended on Oct 30, 2026; ask the customer"
    stale = "Stale (stale): its relationship “Stale audit” ended on Oct 25, 2026"
    missing = "Missing (missing): the partner has no active relationship with it."
    for text in (_md(md), digest):
        assert expired in text and stale in text and missing in text
        assert "no customer's ends within" not in text and "in 0 days" not in text
        assert "Capital (capital): " not in text and "Capital audit" not in text


def test_an_active_relationship_whose_end_has_passed_has_ended() -> None:
    tenant = "00000000-0000-0000-0000-000000000011"
    item = relationship(
        customer_tenant_id=tenant, customer_name="A", display_name="A", status="active", ends=TODAY - timedelta(days=7)
    )
    judged = gdap.judge([gdap.parse(item)], tenant, TODAY.date())
    assert (judged["state"], judged["ended"]) == ("ended", "2026-10-25")
