"""Issue 117, point 2: a customer's mapping is proven, not written. A tenants entry's Sherweb `customer_id` or
PSA `company_id` that names another customer (a copied or mis-ordered line) is held to the mapping the MSP
confirmed, with the vendor's own record of the customer (Sherweb's GetCustomers, ConnectWise's company),
kept in the output folder the first time (auditor.vendors.mappings): at the audit its distributor part is a
named gap, and `apply --distributor` and `tickets` send nothing for it; a vendor's record that changed later
is named and blocks every write until the mapping is confirmed again. Through the real command line, the
Sherweb and ConnectWise stand-ins and the Graph emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.snapshot import load_snapshot
from auditor_dev.commerce.halo import SAMPLE_CLIENT as SAMPLE_HALO_CLIENT
from auditor_dev.commerce.halo import HaloStandIn, sample_halo
from auditor_dev.commerce.sherweb import SherwebStandIn
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

from .test_distributor_writes import EXAMPLE, power_bi_seats
from .test_sherweb import CATALOG, KEY, SAMPLE, SECRET, _sub
from .test_tickets_psas import _connectwise

CONTOSO = "3c9d1f0e-7b2a-4e61-9a45-0d8c7e6f5b4a"  # the sample tenant's customer at Sherweb
TAILSPIN = "c3e9a1d7-2b4f-4c8e-9a6d-1f7b3e5c0d92"  # another customer of the MSP there, no tenant of this run's
TOKEN_PATH = "/auth/oidc/connect/token"
KEYS = "k3y-Made-Up-For-Tests"


@dataclass
class World:
    sherweb: SherwebStandIn
    graph: GraphEmulator
    tenant_id: str
    token: str
    out: Path
    tmp: Path

    def audit(self, customer: str) -> int:
        """The nightly one-tenant audit, its distributor the tenants entry's (naming `customer`), then the plan."""
        (self.tmp / "t.yaml").write_text(
            f"tenants:\n  - name: Contoso\n    tenant_id: {self.tenant_id}\n"
            "    client_id: 00000000-0000-0000-0000-0000000000c1\n"
            f"    distributor: {{sherweb: {{customer_id: {customer}}}}}\n",
            "utf-8",
        )
        argv = ["audit", "--graph-endpoint", self.graph.url, "--auth", "token", "--tenant-id", self.tenant_id]
        argv += ["--policies", "p.yaml", "--output-dir", "out", "--as-of", "2026-11-01T06:00:00Z"]
        argv += ["--fail-on", "never", "--distributor", "t.yaml", "--sherweb-endpoint", self.sherweb.url]
        code = main(argv)
        assert main(["plan", "--report-dir", "out"]) == 0
        return code

    def apply(self, *more: str) -> int:
        argv = ["apply", str(self.out / "plan.json"), "--distributor", "--sherweb-endpoint", self.sherweb.url]
        argv += ["--graph-endpoint", self.graph.url, "--auth", "token", "--tenant-id", self.tenant_id]
        return main([*argv, "--max-age", "1000d", "--policies", "p.yaml", *more])

    def amendments(self) -> list[Any]:
        return [r for r in self.sherweb.requests if r.method == "POST" and r.path != TOKEN_PATH]

    def seats(self, customer: str) -> int:
        return int(self.sherweb.subscriptions[customer][0]["quantity"])


@contextmanager
def at_sherweb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The sample tenant, its Power BI Pro at Sherweb (34 seats, customer CONTOSO); the MSP's other Sherweb
    customer TAILSPIN has 80 Power BI Pro seats of its own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id, (*DEMO_ROLES, "LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All"))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    for name, value in (
        ("SHERWEB_CLIENT_ID", "msp"),
        ("SHERWEB_CLIENT_SECRET", SECRET),
        ("SHERWEB_SUBSCRIPTION_KEY", KEY),
    ):
        monkeypatch.setenv(name, value)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    monthly = {"type": "Monthly", "termEndDate": "2026-12-08"}
    ours = _sub(2, "MS-0B-PBI-PRO-NCE-1M", "Power BI Pro", 34, commitmentTerm=monthly)
    theirs = _sub(9, "MS-0B-PBI-PRO-NCE-1M", "Power BI Pro", 80, commitmentTerm=monthly)
    sherweb = SherwebStandIn(
        client_id="msp",
        client_secret=SECRET,
        subscription_key=KEY,
        subscriptions={CONTOSO: [ours], TAILSPIN: [theirs]},
        catalogs={CONTOSO: CATALOG, TAILSPIN: CATALOG},
        customers={CONTOSO: "Contoso Ltd.", TAILSPIN: "Tailspin Toys"},
    )
    with sherweb, GraphEmulator(sample, token=token) as graph:
        yield World(sherweb, graph, sample.tenant_id, token, tmp_path / "out", tmp_path)


def test_a_mis_ordered_sherweb_line_is_a_named_gap_and_nothing_is_sent_to_that_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        assert world.audit(CONTOSO) == 0  # the first night: the mapping is kept, and said once
        err = capsys.readouterr().err
        assert f"mapping: Sherweb customer {CONTOSO} (Contoso Ltd.) kept as tenant {world.tenant_id}'s" in err
        kept = json.loads((world.out / "mappings.json").read_text("utf-8"))["mappings"]
        assert [(k["vendor"], k["tenant"], k["customer"], k["name"]) for k in kept] == [
            ("sherweb", world.tenant_id, CONTOSO, "Contoso Ltd.")
        ]
        # the next night the entry names the other customer (a line copied from, or swapped with, another's)
        assert world.audit(TAILSPIN) == 0
        report = json.loads((world.out / "report.json").read_text("utf-8"))
        said = (
            f"the tenants entry names Sherweb customer {TAILSPIN}, but the mapping confirmed on 2026-11-01 is "
            f"customer {CONTOSO} (Contoso Ltd.)"
        )
        assert report["distributor"]["error"].startswith(said)  # the distributor part: the named gap
        assert not report["distributor"].get("products")  # nothing of the other customer's read as the tenant's
        assert said in capsys.readouterr().err
        plan = json.loads((world.out / "plan.json").read_text("utf-8"))
        assert not (plan.get("bill") or {}).get("distributor")
        power_bi_seats(world, -1)  # the plan's license removals made, as the other night's plan would have them
        world.apply("--yes")
        assert world.amendments() == [] and world.seats(TAILSPIN) == 80  # the other customer's seats untouched


def test_a_changed_record_at_sherweb_is_loud_and_blocks_the_write_until_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        assert world.audit(CONTOSO) == 0
        (change,) = json.loads((world.out / "plan.json").read_text("utf-8"))["bill"]["distributor"]
        assert (change["scope"], change["from"], change["to"]) == (CONTOSO, 34, 30)
        power_bi_seats(world, -1)
        # Sherweb's record of the customer is not the one confirmed any more (another customer's now)
        world.sherweb.customers[CONTOSO] = "Woodgrove Bank"
        capsys.readouterr()
        assert world.apply("--yes") == 3  # refused: exit 3, nothing sent
        err = capsys.readouterr().err
        assert world.amendments() == [] and world.seats(CONTOSO) == 34
        assert (
            f"Sherweb's record of customer {CONTOSO} changed since the mapping was confirmed on 2026-11-01 (its "
            "name was 'Contoso Ltd.', now 'Woodgrove Bank')"
        ) in err
        assert "mappings.json and run again" in err
        # the MSP confirms the new record: its line removed, the next write keeps it (first use) and is made
        path = world.out / "mappings.json"
        path.write_text(json.dumps({"schema": 1, "mappings": []}), "utf-8")
        assert world.apply("--yes") == 0
        assert len(world.amendments()) == 1 and world.seats(CONTOSO) == 30
        (kept,) = json.loads(path.read_text("utf-8"))["mappings"]
        assert (kept["customer"], kept["name"]) == (CONTOSO, "Woodgrove Bank")


def test_a_customer_confirmed_as_another_tenants_is_a_gap_the_first_time_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line copied from another tenant's entry, seen the first time for this tenant: the customer is the
    other tenant's confirmed mapping, so it is not kept as this one's (trust on first use, one tenant a customer)."""
    with at_sherweb(tmp_path, monkeypatch) as world:
        world.out.mkdir()
        other = {"vendor": "sherweb", "tenant": "tailspin.example", "customer": TAILSPIN, "name": "Tailspin Toys"}
        (world.out / "mappings.json").write_text(json.dumps({"schema": 1, "mappings": [other]}), "utf-8")
        assert world.audit(TAILSPIN) == 0
        report = json.loads((world.out / "report.json").read_text("utf-8"))
        assert report["distributor"]["error"].startswith(
            f"Sherweb customer {TAILSPIN} (Tailspin Toys) is the confirmed mapping of tenant tailspin.example, not "
            "this tenant's"
        )
        (kept,) = json.loads((world.out / "mappings.json").read_text("utf-8"))["mappings"]
        assert kept == other  # nothing kept for this tenant
        world.apply("--yes")
        assert world.amendments() == [] and world.seats(TAILSPIN) == 80


# --- a PSA at the audit -----------------------------------------------------------------------------


def test_a_halo_client_that_is_not_the_tenants_confirmed_one_is_the_psa_parts_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit --tenants`: the entry names Halo client 31 (Northwind), but an earlier night confirmed 32 (Tailspin
    Toys) as this tenant's: the PSA part is the named gap, its lines are not read."""
    monkeypatch.chdir(tmp_path)
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    clients, invoices, users = sample_halo()
    with HaloStandIn(client_id="app-1", secret=KEYS, clients=clients, invoices=invoices, users=users) as halo:
        for name, value in (("HALO_URL", halo.url), ("HALO_CLIENT_ID", "app-1"), ("HALO_CLIENT_SECRET", KEYS)):
            monkeypatch.setenv(name, value)
        with GraphEmulator(sample, token=token) as graph:
            (tmp_path / "t.yaml").write_text(
                f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n    graph_endpoint: {graph.url}\n"
                "    policies: p.yaml\n    client_id: 00000000-0000-0000-0000-0000000000c1\n"
                f"    psa: {{halo: {{company_id: {SAMPLE_HALO_CLIENT}}}}}\n",
                "utf-8",
            )
            (tmp_path / "out").mkdir()
            confirmed = {"vendor": "halo", "tenant": sample.tenant_id, "customer": "32", "name": "Tailspin Toys"}
            (tmp_path / "out" / "mappings.json").write_text(json.dumps({"schema": 1, "mappings": [confirmed]}), "utf-8")
            argv = ["audit", "--tenants", "t.yaml", "--auth", "token", "--output-dir", "out"]
            assert main([*argv, "--as-of", "2026-11-01T06:00:00Z", "--fail-on", "never"]) in (0, 1)
        read = [r.path for r in halo.requests if r.path.startswith("/api/RecurringInvoice")]
    section = json.loads((tmp_path / "out" / "contoso" / "psa.json").read_text("utf-8"))
    assert section["error"].startswith(
        f"the tenants entry names Halo customer {SAMPLE_HALO_CLIENT}, but the mapping confirmed is customer 32 "
        "(Tailspin Toys)"
    )
    assert read == []  # the other client's invoices are not read as the tenant's
    assert (
        f"contoso: psa: not read: the tenants entry names Halo customer {SAMPLE_HALO_CLIENT}" in capsys.readouterr().err
    )


# --- ConnectWise: tickets -------------------------------------------------------------------------


@pytest.fixture
def night(audited: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    for key in ("contoso",):
        (folder / key).mkdir(parents=True)
        (folder / key / "report.json").write_bytes((audited / key / "report.json").read_bytes())
    return folder


def _audited_as(night: Path, company: int) -> str:
    """The tenants file and Contoso's report as an audit with `company` as its ConnectWise company leaves them
    (report.json's psa names the company its tenants entry named: the same mistake, carried)."""
    path = night / "contoso" / "report.json"
    report = json.loads(path.read_text("utf-8"))
    report["psa"] = {**report["psa"], "psa": "connectwise", "company_id": company}
    path.write_text(json.dumps(report), "utf-8")
    tenants = night.parent / "tenants.yaml"
    tenants.write_text(
        f"tenants:\n  - name: Contoso\n    tenant_id: {report['tenant']['id']}\n"
        "    client_id: 00000000-0000-0000-0000-0000000000c1\n"
        f"    psa: {{connectwise: {{company_id: {company}, board: Licensing}}}}\n",
        "utf-8",
    )
    return str(tenants)


def test_a_connectwise_company_of_another_customer_gets_no_ticket(
    night: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with _connectwise(monkeypatch) as cw:
        tenants = _audited_as(night, 250)  # Contoso Ltd., its own company
        run = ["tickets", str(night), "--tenants", tenants, "--psa", "connectwise", "--connectwise-endpoint", cw.url]
        assert main([*run, "--yes"]) == 0
        filed = len(cw.tickets)
        assert filed > 0 and {t["company"]["id"] for t in cw.tickets} == {250}
        capsys.readouterr()
        # the next night's audit read the entry naming Northwind Traders' company: report.json says 251 too
        tenants = _audited_as(night, 251)
        assert main([*run, "--yes"]) == 3  # the customer's gap
        assert len(cw.tickets) == filed and all(t["company"]["id"] == 250 for t in cw.tickets)  # none on 251
        err = capsys.readouterr().err
        assert (
            "contoso: no tickets: the tenants entry names ConnectWise customer 251, but the mapping confirmed on "
        ) in err
        assert "is customer 250 (Contoso Ltd.)" in err
