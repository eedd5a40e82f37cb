"""`audit --tenants`: one partner credential (the tenants file's `partner:` block) reads Partner Center
for every customer of the run; a customer whose read fails is a gap in its own report only."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.common.errors import UsageError
from auditor.delivery.matrix import read_tenants_file
from auditor.fleet import partner
from auditor.snapshot import load_snapshot
from auditor.vendors.partner_center import client as partner_center
from auditor_dev.commerce import PartnerCenterStandIn, sample_commerce
from auditor_dev.emulator import GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"
CLIENT = "00000000-0000-0000-0000-0000000000c1"
PARTNER_TENANT = "00000000-0000-0000-0000-0000000000f0"
PARTNER_CLIENT = "00000000-0000-0000-0000-0000000000f1"
FIRST, SECOND = "00000000-0000-0000-0000-000000000011", "00000000-0000-0000-0000-000000000012"
PARTNER_BLOCK = f"partner:\n  tenant_id: {PARTNER_TENANT}\n  client_id: {PARTNER_CLIENT}\n"


pytestmark = pytest.mark.usefixtures("pinned_many_tenants")  # tests/graph/conftest.py


@contextlib.contextmanager
def _customers(
    tmp_path: Path, token: str, partner_block: str, *, sold_to: tuple[str, ...]
) -> Iterator[PartnerCenterStandIn]:
    """Two customers, each served by its own Graph emulator, and one Partner Center stand-in that sells
    the sample's CSP subscriptions to the customers `sold_to` names (another is no customer of it)."""
    sample = load_snapshot(SAMPLE)
    subscriptions = next(iter(sample_commerce(sample, datetime(2026, 11, 1, 6)).customers.values()))
    (tmp_path / "policies").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "policies" / "good.yaml")
    with contextlib.ExitStack() as stack:
        pc = stack.enter_context(PartnerCenterStandIn({tid: subscriptions for tid in sold_to}))
        lines = [
            partner_block.rstrip("\n"),
            "defaults:",
            f"  client_id: {CLIENT}",
            "  policies: policies/good.yaml",
            "tenants:",
        ]
        for name, tid in (("First", FIRST), ("Second", SECOND)):
            graph = stack.enter_context(GraphEmulator(replace(sample, tenant_id=tid, tenant_name=name), token=token))
            lines += [
                f"  - name: {name}",
                f"    tenant_id: {tid}",
                f"    graph_endpoint: {graph.url}",
                "    billing_source: partner-center",
            ]
        (tmp_path / "tenants.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        yield pc


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pc: PartnerCenterStandIn) -> int:
    monkeypatch.chdir(tmp_path)
    return main(
        [
            "audit",
            "--tenants",
            "tenants.yaml",
            "--auth",
            "token",
            "--output-dir",
            "out",
            "--format",
            "json",
            "--as-of",
            AS_OF,
            "--tenant-concurrency",
            "2",
            "--partner-center-endpoint",
            pc.url,
        ]
    )


def _bill(tmp_path: Path, key: str) -> dict[str, Any]:
    bill: dict[str, Any] = json.loads((tmp_path / "out" / key / "report.json").read_text("utf-8"))["bill"]
    return bill


def test_two_customers_are_read_with_the_one_partner_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph_token = app_token(FIRST)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", graph_token)
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    sessions: list[object] = []
    opened = partner_center.PartnerCenter.__init__

    def counted(self: partner_center.PartnerCenter, *args: Any, **kwargs: Any) -> None:
        sessions.append(self)
        opened(self, *args, **kwargs)

    monkeypatch.setattr(partner_center.PartnerCenter, "__init__", counted)
    with _customers(tmp_path, graph_token, PARTNER_BLOCK, sold_to=(FIRST, SECOND)) as pc:
        assert _run(tmp_path, monkeypatch, pc) == 1  # findings, no failed tenant
    assert len(sessions) == 1  # one partner session for the run, not one per customer
    paths = {r.path for r in pc.requests}
    assert paths == {f"/v1/customers/{FIRST}/subscriptions", f"/v1/customers/{SECOND}/subscriptions"}
    assert {r.headers.get("authorization") for r in pc.requests} == {"Bearer pc-token"}  # never a tenant's own
    assert all(r.method == "GET" for r in pc.requests)
    for key in ("first", "second"):
        bill = _bill(tmp_path, key)
        assert bill.get("gaps", []) == []
        assert "partner-center" in {v for a in bill["actions"] for v in a["sources"].values()}
    written = "".join(f.read_text("utf-8", errors="replace") for f in (tmp_path / "out").rglob("*") if f.is_file())
    assert "pc-token" not in written  # never logged


def test_a_customer_partner_center_fails_for_keeps_a_gap_and_the_other_its_bill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph_token = app_token(FIRST)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", graph_token)
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    with _customers(tmp_path, graph_token, PARTNER_BLOCK, sold_to=(FIRST,)) as pc:
        assert _run(tmp_path, monkeypatch, pc) == 1  # the failed read fails no tenant, nor the run
    first, second = _bill(tmp_path, "first"), _bill(tmp_path, "second")
    assert first.get("gaps", []) == []
    assert "partner-center" in {v for a in first["actions"] for v in a["sources"].values()}
    (gap,) = second["gaps"]
    assert gap.startswith("partner-center:") and "HTTP 404" in gap and "600008" in gap
    assert "partner-center" not in {v for a in second["actions"] for v in a["sources"].values()}
    rows = json.loads((tmp_path / "out" / "tenants.json").read_text("utf-8"))["tenants"]
    rollup = {row["key"]: row["status"] for row in rows}
    assert rollup == {"first": "ok", "second": "ok"}


def test_a_partner_center_source_without_a_partner_block_says_what_to_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph_token = app_token(FIRST)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", graph_token)
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    with _customers(tmp_path, graph_token, "", sold_to=(FIRST, SECOND)) as pc:
        assert _run(tmp_path, monkeypatch, pc) == 2
    assert pc.requests == [] and not (tmp_path / "out" / "first").exists()  # refused before any tenant
    err = capsys.readouterr().err
    assert "tenants.yaml:6: tenants[0] (First): billing_source: partner-center" in err
    assert "partner:" in err and "tenant_id:" in err and "client_id:" in err and "docs/msp.md" in err


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("partner: [a]\n", "tenants.yaml:1: partner: expected a mapping with tenant_id and client_id"),
        (f"partner:\n  tenant_id: {PARTNER_TENANT}\n", "tenants.yaml:1: partner.client_id: '' is not an application"),
        (
            f"partner:\n  tenant_id: not a tenant\n  client_id: {PARTNER_CLIENT}\n",
            "tenants.yaml:2: partner.tenant_id: 'not a tenant' is not a tenant GUID",
        ),
        (
            f"{PARTNER_BLOCK}  client_secret: hunter2\n",
            "tenants.yaml:4: partner: unknown key 'client_secret' (allowed: tenant_id, client_id; no secrets here",
        ),
    ],
)
def test_the_partner_block_is_checked_with_the_file_and_line(tmp_path: Path, block: str, message: str) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(f"{block}tenants:\n  - tenant_id: {FIRST}\n    client_id: {CLIENT}\n", "utf-8")
    with pytest.raises(UsageError) as caught:
        read_tenants_file(path)
    assert str(caught.value).startswith(str(tmp_path / message.split(":")[0]) + ":" + message.split(":", 1)[1])


def test_the_partner_credential_is_built_once_as_the_tenants_are_but_for_the_partner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not --auth token: the credential is the run's --auth, signing in to the partner's tenant as the
    partner's app (its tenant and client id from the block), for the Partner Center audience."""
    built: list[tuple[str, str | None, str | None]] = []

    class Credential:
        def get_token(self, *scopes: str, **kwargs: object) -> object:
            raise AssertionError("no token is asked for before a read")

    def build(mode: object, *, tenant_id: str | None, cloud: object, env: dict[str, str]) -> object:
        built.append((str(mode), tenant_id, env.get("AZURE_CLIENT_ID")))
        return type("Built", (), {"credential": Credential()})()

    monkeypatch.setattr(partner, "build_credential", build)
    path = tmp_path / "tenants.yaml"
    path.write_text(f"{PARTNER_BLOCK}tenants:\n  - tenant_id: {FIRST}\n    client_id: {CLIENT}\n", "utf-8")
    block = read_tenants_file(path).partner
    assert block is not None
    env = {"AZURE_CLIENT_ID": CLIENT, "AZURE_TENANT_ID": FIRST}
    with partner.session(block, auth="certificate", endpoint=None, env=env) as pc:
        assert pc is not None and pc.endpoint == "https://api.partnercenter.microsoft.com"
    assert built == [("AuthMode.CERTIFICATE", PARTNER_TENANT, PARTNER_CLIENT)]
    with (
        pytest.raises(UsageError, match="AUDITOR_PARTNER_CENTER_TOKEN"),
        partner.session(block, auth="token", endpoint=None, env=env),
    ):
        pass
