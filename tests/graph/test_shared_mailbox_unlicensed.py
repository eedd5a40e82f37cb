"""shared-mailbox-unlicensed on a tenant built from Microsoft's "Remove a license from a shared
mailbox": "An Exchange Online Plan 2 license is required" when "The shared mailbox has more than 50
GB of storage in use" or "uses in-place archiving". Read by the real CLI from the emulator: the
mailbox usage report flags the unlicensed mailboxes over 50 GB or archived, the collector reads the
purpose of those alone, and the rule names the cheapest priced product carrying Exchange Online
(Plan 2)'s service plan. A mailbox on each side of each rule."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "core"))

from factory import sku, tenant, user

from auditor.cli import main
from auditor.rules.hygiene.accounts import SharedMailboxLicensed, SharedMailboxUnlicensed
from auditor.snapshot import load_snapshot, snapshot_from_json
from auditor_dev.emulator import GraphEmulator, app_token

GIB = 1024**3
POLICY = """apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: mail}
catalog:
  - {sku: SPE_E3, price: {monthly: 36.0, currency: EUR}}
  - {sku: 19ec0d23-8335-4cbd-94ac-6050e30712fa, name: Exchange Online (Plan 2), price: {monthly: 7.2, currency: EUR}}
hygiene:
  shared_mailboxes: {}
"""


def mailbox(name: str, purpose: str, gib: float, archive: bool = False, *skus: str, **kw: Any) -> dict[str, Any]:
    out = user(name, *skus, mailboxSettings={"userPurpose": purpose}, **kw)
    out["_usage"] = {
        "userPrincipalName": out["userPrincipalName"],
        "storageUsedInBytes": round(gib * GIB),
        "hasArchive": archive,
        "itemCount": 1000,
        "reports": ["getMailboxUsageDetail"],
    }
    return out


def document() -> dict[str, Any]:
    users = [
        mailbox("big", "shared", 60),  # over 50 GB, no license: needs one
        mailbox("arch", "shared", 2, True),  # an archive, no license: needs one
        mailbox("small", "shared", 2),  # under 50 GB, no archive: needs none
        mailbox("person", "user", 60),  # a person's mailbox: not a shared one
        # licensed, sign-in blocked as a shared mailbox's is, over 50 GB: keeps its license
        mailbox("kept", "shared", 60, False, "SPE_E3", accountEnabled=False),
    ]
    rows = [u.pop("_usage") for u in users]
    reads = [
        {
            "name": "getMailboxUsageDetail",
            "period": "D7",
            "reportRefreshDate": "2026-10-30",
            "request": "GET /reports/getMailboxUsageDetail(period='D7')",
        }
    ]
    return tenant(users, [sku("SPE_E3")], usageReports={"reports": reads, "users": rows})


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, str | None], str]:
    """Collect the tenant through the CLI, then audit the snapshot: (report.json, purpose per user
    read, findings.csv)."""
    return _collect_and_audit(tmp_path_factory.mktemp("shared"), POLICY)


def _collect_and_audit(tmp: Path, text: str) -> tuple[dict[str, Any], dict[str, str | None], str]:
    policy = tmp / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    source = snapshot_from_json(document())
    token = app_token(source.tenant_id)
    out = tmp / "tenant.json"
    mp = pytest.MonkeyPatch()
    mp.setenv("AUDITOR_ACCESS_TOKEN", token)
    mp.setenv("SOURCE_DATE_EPOCH", "1793512800")
    try:
        with GraphEmulator(source, token=token) as graph:
            code = main(["collect", "--policies", str(policy), "--graph-endpoint", graph.url, "--output", str(out)])
        assert code == 0
        report_dir = tmp / "out"
        code = main(
            [
                *("audit", "--policies", str(policy), "--snapshot", str(out), "--output-dir", str(report_dir)),
                *("--format", "json,csv", "--as-of", "2026-11-01T06:00:00Z"),
            ]
        )
    finally:
        mp.undo()
    assert code in (0, 1)
    purposes = {u.user_principal_name.split("@")[0]: u.mailbox_purpose for u in load_snapshot(out).users}
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return report, purposes, (report_dir / "findings.csv").read_text(encoding="utf-8")


def _findings(report: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    return {f["subject"]["upn"].split("@")[0]: f for f in report["findings"] if f["rule"] == rule}


def test_the_purpose_is_read_of_the_unlicensed_mailboxes_the_report_flags(run: Any) -> None:
    _, purposes, _ = run
    assert purposes["big"] == "shared" and purposes["arch"] == "shared" and purposes["person"] == "user"
    assert purposes["small"] is None  # under 50 GB without an archive: not asked


def test_an_unlicensed_shared_mailbox_over_50_gb_or_archived_needs_exchange_online_plan_2(run: Any) -> None:
    report, _, csv_text = run
    found = _findings(report, SharedMailboxUnlicensed.id)
    assert set(found) == {"big", "arch"}
    big, arch = found["big"], found["arch"]
    assert big["details"]["needs"] == "over_50_gb" and arch["details"]["needs"] == "archive"
    # the cheapest priced product carrying EXCHANGE_S_ENTERPRISE: Exchange Online (Plan 2), not E3
    assert big["details"]["license_with"] == {
        "sku": "EXCHANGEENTERPRISE",
        "name": "Exchange Online (Plan 2)",
        "monthly": 7.2,
    }
    assert big["monthly_cost"] == 7.2 and big["details"]["litigation_hold"] == "not_judged"
    assert "is a shared mailbox that stores 60" in csv_text and "it needs Exchange Online (Plan 2)" in csv_text
    assert "is a shared mailbox with an archive and holds no license" in csv_text


def test_the_licensed_direction_is_unchanged(run: Any) -> None:
    report, _, _ = run
    kept = _findings(report, SharedMailboxLicensed.id)
    assert set(kept) == {"kept"} and kept["kept"]["details"]["keeps_license"] == "over_50_gb"
    assert "kept" not in _findings(report, SharedMailboxUnlicensed.id)


# Exchange Online (Plan 1) and the Exchange Online Archiving add-on, priced below Plan 2 together
PAIR = POLICY.replace(
    "hygiene:",
    "  - {sku: EXCHANGESTANDARD, price: {monthly: 3.6, currency: EUR}}\n"
    "  - {sku: EXCHANGEARCHIVE_ADDON, price: {monthly: 2.7, currency: EUR}}\nhygiene:",
)


@pytest.mark.parametrize(("policy", "pair"), [(PAIR, True), (PAIR.replace("monthly: 2.7", "monthly: 3.7"), False)])
def test_an_archive_takes_plan_1_and_exchange_online_archiving_where_they_cost_less(
    tmp_path: Path, policy: str, pair: bool
) -> None:
    """An archive (or a litigation hold) on a shared mailbox also allows Exchange Online (Plan 1) with the
    Exchange Online Archiving add-on ("About shared mailboxes"); more than 50 GB takes Plan 2. Where the
    policy prices the pair below Plan 2's product, the archived mailbox's finding names the pair."""
    report, _, csv_text = _collect_and_audit(tmp_path, policy)
    found = _findings(report, SharedMailboxUnlicensed.id)
    big, arch = found["big"], found["arch"]
    assert big["skus"] == ["EXCHANGEENTERPRISE"] and "addon" not in big["details"]  # over 50 GB: Plan 2 only
    if not pair:  # 3.6 + 3.7 is more than Plan 2's 7.2
        assert arch["skus"] == ["EXCHANGEENTERPRISE"] and arch["monthly_cost"] == 7.2
        return
    assert arch["skus"] == ["EXCHANGESTANDARD", "EXCHANGEARCHIVE_ADDON"]
    assert arch["details"]["license_with"]["sku"] == "EXCHANGESTANDARD"
    assert arch["details"]["addon"]["sku"] == "EXCHANGEARCHIVE_ADDON"
    assert arch["monthly_cost"] == 6.3
    assert "it needs Exchange Online (Plan 1) with the add-on Exchange Online Archiving for Exchange Online." in (
        csv_text
    )
    assert "Assign Exchange Online (Plan 1) and the add-on Exchange Online Archiving for Exchange Online to" in (
        csv_text
    )
