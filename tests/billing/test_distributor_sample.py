"""Issue 95, the newcomer's finding: the reduction `plan` promises at the distributor is the one `apply
--distributor` makes. The sample tenant (auditor_dev/sample) read through the Graph emulator, its seats at
the distributor the sample's own (auditor_dev.commerce.sample_pax8: Microsoft 365 E3 billed 210 where
Microsoft enables 204), or the same E3 bought monthly at Sherweb; `plan` plans the E3 reduction, the plan's
license changes are made (`apply --yes`), then `apply --distributor --yes` makes the reduction as planned:
plan and apply count the seats it leaves with one function (billing.distributor_seats.reduction_short)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.model import TenantSnapshot
from auditor.snapshot import load_snapshot
from auditor_dev.commerce import SAMPLE_CLIENT_ID, SAMPLE_COMPANY, Pax8StandIn, sample_pax8
from auditor_dev.commerce.sherweb import SherwebStandIn
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

from .test_distributor_writes import EXAMPLE, operator_policy
from .test_sherweb import CATALOG, CUSTOMER, KEY, SAMPLE
from .test_sherweb import SECRET as SHERWEB_SECRET
from .test_sherweb import _sub as sherweb_sub

PAX8_SECRET = "sample-pax8-secret-never-printed"
WRITES = (
    "User-LifeCycleInfo.Read.All",  # the leave dates the example policy's grace_days use, as audit --demo reads
    "LicenseAssignment.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "User.ReadWrite.All",
)


@dataclass
class Sample:
    graph: GraphEmulator
    tenant_id: str
    out: Path
    endpoint: list[str]

    def plan(self) -> dict[str, Any]:
        return json.loads((self.out / "plan.json").read_text("utf-8"))

    def apply(self, *more: str) -> int:
        argv = ["apply", str(self.out / "plan.json"), "--graph-endpoint", self.graph.url, "--auth", "token"]
        argv += ["--policies", "p.yaml"]  # the operator's policy, the one the sample was audited with
        return main([*argv, "--tenant-id", self.tenant_id, "--max-age", "1000d", *more])


EXAMPLE_SPARE = "spare_seats: {max: 10, max_percent: 5, min: 2}"  # E3's in the example policy


def signed_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[TenantSnapshot, str]:
    """The sample tenant and a token for it, the test's folder its working folder with the example policy in it
    (p.yaml), at the sample's moment (SOURCE_DATE_EPOCH: apply's clock too, tests/billing/conftest.py)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    snapshot = load_snapshot(SAMPLE)
    token = app_token(snapshot.tenant_id, (*DEMO_ROLES, *WRITES))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    (tmp_path / "p.yaml").write_bytes(EXAMPLE.read_bytes())
    operator_policy(tmp_path)  # undo's bound: the operator's policies/, never a plan's (issue 117, point 4)
    return snapshot, token


@contextmanager
def sample(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry: str,
    *endpoint: str,
    spare: str | None = None,
    applied: bool = False,
) -> Iterator[Sample]:
    """The sample tenant audited with its distributor (`entry`: the tenants entry's distributor block)
    and planned. `spare`: Microsoft 365 E3's spare_seats in place of the example policy's; `applied`: the
    plan's license changes made first, then audited and planned again (what the bill buys after them)."""
    snapshot, token = signed_in(tmp_path, monkeypatch)
    if spare is not None:
        policy = (tmp_path / "p.yaml").read_text("utf-8")
        assert policy.count(EXAMPLE_SPARE) == 1
        (tmp_path / "p.yaml").write_text(policy.replace(EXAMPLE_SPARE, spare), "utf-8")
    (tmp_path / "t.yaml").write_text(
        f"tenants:\n  - name: Contoso\n    tenant_id: {snapshot.tenant_id}\n"
        f"    client_id: 00000000-0000-0000-0000-0000000000c1\n    distributor: {entry}\n",
        "utf-8",
    )
    with GraphEmulator(snapshot, token=token) as graph:
        argv = ["audit", "--graph-endpoint", graph.url, "--auth", "token", "--tenant-id", snapshot.tenant_id]
        argv += ["--policies", "p.yaml", "--output-dir", "out", "--as-of", "2026-11-01T06:00:00Z"]
        argv += ["--fail-on", "never", "--distributor", "t.yaml", *endpoint]
        assert main(argv) == 0
        assert main(["plan", "--report-dir", "out"]) == 0
        world = Sample(graph, snapshot.tenant_id, tmp_path / "out", list(endpoint))
        if applied:
            assert world.apply("--yes") == 0
            assert main(argv) == 0
            assert main(["plan", "--report-dir", "out"]) == 0
        yield world


def _e3(plan: dict[str, Any]) -> dict[str, Any]:
    (change,) = [c for c in plan["bill"]["distributor"] if c["sku"] == "SPE_E3"]
    return change


def _kept(plan: dict[str, Any]) -> int:
    """The E3 seats the plan keeps (assigned after it, and the policy's spare), below Microsoft's 204
    enabled: the distributor's 210 go down to them, 6 of the seats dropped never enabled in the tenant."""
    (e3,) = [p for p in plan["bill"]["products"] if p["sku"] == "SPE_E3"]
    kept = int(e3["assigned_after"]) + int(e3["spare"])
    assert kept < 204 and e3["purchased"] == 204
    return kept


@contextmanager
def at_pax8(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spare: str | None = None,
    applied: bool = False,
    *,
    vendor_sku_ids: bool = True,
) -> Iterator[tuple[Pax8StandIn, Sample]]:
    """The sample tenant audited with its own Pax8 seats (served by the stand-in, with the MSP's keys) and
    planned (`spare`, `applied`: as sample(); `vendor_sku_ids`: as Pax8StandIn's)."""
    companies, subscriptions, products = sample_pax8("2026-11-01")
    monkeypatch.setenv("PAX8_CLIENT_ID", SAMPLE_CLIENT_ID)
    monkeypatch.setenv("PAX8_CLIENT_SECRET", PAX8_SECRET)
    mapped = ", ".join(f"{k}: {v}" for k, v in products.items())
    entry = f"{{pax8: {{company_id: {SAMPLE_COMPANY}, products: {{{mapped}}}}}}}"
    keys = {"client_id": SAMPLE_CLIENT_ID, "client_secret": PAX8_SECRET}
    with (
        Pax8StandIn(**keys, companies=companies, subscriptions=subscriptions, vendor_sku_ids=vendor_sku_ids) as pax8,
        sample(tmp_path, monkeypatch, entry, "--pax8-endpoint", pax8.url, spare=spare, applied=applied) as world,
    ):
        yield pax8, world


RENEWED = "1794981600"  # 2026-11-18T06:00:00Z: the sample's monthly E3 renews on the 18th (startDate 2026-03-18)


def test_the_samples_reduction_at_pax8_is_planned_then_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Microsoft's seven days cover a monthly term's renewal too (issue 116, point 4): planned on 1 November,
    day 14 after E3's monthly renewal on 18 October, the reduction waits for the next renewal, 18 November,
    and so does its saving; apply sends nothing before that day, and makes it on it."""
    with at_pax8(tmp_path, monkeypatch) as (pax8, world):
        e3, keep = _e3(world.plan()), _kept(world.plan())
        assert (e3["kind"], e3["from"], e3["to"], e3["not_before"]) == ("reduce", 210, keep, "2026-11-18")
        assert (e3["window"], e3["saving_from"]) == ("renewal", "2026-11-18")
        md = (world.out / "plan.md").read_text("utf-8").replace("\\", "")
        assert f"Reduce Microsoft 365 E3 at the distributor from 210 to {keep} licenses" in md
        assert "Scheduled for Nov 18, 2026" in md and "Can be made now" not in md
        assert world.apply("--yes") == 0  # the plan's license changes
        capsys.readouterr()
        assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url) == 0
        assert "scheduled for 2026-11-18" in capsys.readouterr().out and pax8.writes == 0
        monkeypatch.setenv("SOURCE_DATE_EPOCH", RENEWED)  # the renewal's day: inside its seven days
        assert world.apply("--distributor", "--yes", "--pax8-endpoint", pax8.url) == 0
        said = capsys.readouterr().out
        assert "-> done" in said and "would be left" not in said
        (e3_at_pax8,) = [s for s in pax8.subscriptions if s["id"] == e3["api_id"]]
        assert e3_at_pax8["quantity"] == keep


@contextmanager
def sherweb_e3(monkeypatch: pytest.MonkeyPatch) -> Iterator[SherwebStandIn]:
    """The sample's Sherweb stand-in: its customer's Microsoft 365 E3, 210 seats, monthly, with the MSP's keys."""
    for name, value in (
        ("SHERWEB_CLIENT_ID", "msp"),
        ("SHERWEB_CLIENT_SECRET", SHERWEB_SECRET),
        ("SHERWEB_SUBSCRIPTION_KEY", KEY),
    ):
        monkeypatch.setenv(name, value)
    monthly = {"type": "Monthly", "termEndDate": "2026-12-08"}
    e3 = sherweb_sub(1, "MS-0A-O365-E3-NCE-1Y", "Microsoft 365 E3", 210, commitmentTerm=monthly)
    subscriptions, catalogs = {CUSTOMER: [e3]}, {CUSTOMER: CATALOG}
    with SherwebStandIn(
        client_id="msp",
        client_secret=SHERWEB_SECRET,
        subscription_key=KEY,
        subscriptions=subscriptions,
        catalogs=catalogs,
    ) as sherweb:
        yield sherweb


def test_the_samples_reduction_at_sherweb_is_planned_then_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        sherweb_e3(monkeypatch) as sherweb,
        sample(
            tmp_path, monkeypatch, f"{{sherweb: {{customer_id: {CUSTOMER}}}}}", "--sherweb-endpoint", sherweb.url
        ) as world,
    ):
        change, keep = _e3(world.plan()), _kept(world.plan())
        assert (change["source"], change["from"], change["to"], change["not_before"]) == ("sherweb", 210, keep, None)
        assert world.apply("--yes") == 0  # the plan's license changes
        capsys.readouterr()
        assert world.apply("--distributor", "--yes", "--sherweb-endpoint", sherweb.url) == 0
        said = capsys.readouterr().out
        assert "-> done" in said and "would be left" not in said
        assert sherweb.subscriptions[CUSTOMER][0]["quantity"] == keep
