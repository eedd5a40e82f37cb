"""`audit --tenants`: each tenant's audit reads the bill from that tenant's own billing source and
account, as the tenants file names them (the one-job-per-tenant workflow passes them as flags)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli import build_parser
from auditor.delivery.matrix import load_tenants
from auditor.fleet.arguments import FleetOptions
from auditor.fleet.run import run_tenants
from auditor.pipeline.arguments import AuditOptions

CLIENT = "6f1d3a52-8c4b-4e8e-9a9f-2b8c7d1e0f3a"
ACCOUNT = "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d:0f1e2d3c_2019-05-31"  # an MCA billing account name


def _seen(tmp_path: Path, *flags: str) -> dict[str, tuple[str | None, str | None]]:
    (tmp_path / "t.yaml").write_text(
        "tenants:\n"
        f"  - name: Direct\n    tenant_id: 00000000-0000-4000-8000-000000000001\n    client_id: {CLIENT}\n"
        "    billing_source: billing-account\n"
        f"    billing_account: '{ACCOUNT}'\n"
        f"  - name: Through a partner\n    tenant_id: 00000000-0000-4000-8000-000000000002\n    client_id: {CLIENT}\n"
        "    billing_source: partner-center\n"
        f"  - name: Unsaid\n    tenant_id: 00000000-0000-4000-8000-000000000003\n    client_id: {CLIENT}\n",
        "utf-8",
    )
    args = build_parser().parse_args(
        [
            "audit",
            "--tenants",
            str(tmp_path / "t.yaml"),
            "--output-dir",
            str(tmp_path / "out"),
            "--tenant-concurrency",
            "1",
            *flags,
        ]
    )
    seen: dict[str, tuple[str | None, str | None]] = {}

    def audit(one: AuditOptions) -> int:
        assert one.bill.tenant_id == one.source.tenant_id  # the bill signs in to the tenant the audit reads
        seen[str(one.source.tenant_id)[-1]] = (one.bill.source, one.bill.account)
        return 0

    run_tenants(FleetOptions.of(args), load_tenants(tmp_path / "t.yaml"), tmp_path / "out", audit=audit)
    return seen


def test_each_tenant_reads_its_own_billing_source_and_account(tmp_path: Path) -> None:
    assert _seen(tmp_path) == {
        "1": ("billing-account", ACCOUNT),
        "2": ("partner-center", None),
        "3": (None, None),  # auto
    }


def test_the_runs_billing_source_is_the_default_a_tenant_overrides(tmp_path: Path) -> None:
    seen = _seen(tmp_path, "--billing-source", "none")
    assert seen["1"][0] == "billing-account" and seen["2"][0] == "partner-center" and seen["3"][0] == "none"


def test_the_billing_read_signs_in_with_the_tenants_own_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bill's credential is built from the tenant's environment (its tenant id, the run's client
    id), as the Graph read's is, not from the process's."""
    import auditor.billing_cli as options
    from auditor.pipeline.collect import commerce
    from auditor.snapshot import load_snapshot
    from auditor.vendors.commerce_sources import Gathered

    seen: list[object] = []

    def read_commerce(
        args: object, subscriptions: object, tenant: object, file: object, env: object, **_: object
    ) -> Gathered:
        seen.append(env)
        return Gathered(None, ())

    monkeypatch.setattr(options, "read_commerce", read_commerce)
    monkeypatch.delenv("AZURE_TENANT_ID", raising=False)
    env = {"AZURE_TENANT_ID": "00000000-0000-4000-8000-000000000002", "AZURE_CLIENT_ID": CLIENT}
    sample = load_snapshot(Path(__file__).parents[2] / "auditor_dev" / "sample" / "sample-tenant.json")
    commerce(AuditOptions(graph=True, environment=env), sample, None, None)
    assert seen == [env]
