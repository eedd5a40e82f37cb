"""--exchange-export on audit and plan (issue 37 item 11): a litigation hold declared by data_kept is
checked against the export (declared but not on hold: the change waits), a synced mailbox is
converted on premises, and without the export the report says holds were not checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.exchange_export import COLUMNS, NO_GUID
from auditor.plan.exchange import EXCHANGE_FILE
from tests.core.factory import IDS, tenant, user

EXO2 = {
    "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0",
    "servicePlanName": "EXCHANGE_S_ENTERPRISE",
    "provisioningStatus": "Success",
    "appliesTo": "User",
}
HOLD = (
    "  disabled_users:\n    data_kept: {mailbox: litigation_hold, accepted_by: legal@contoso.example, "
    "expires: 2027-06-30}\n"
)
POLICY = "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: p}\nhygiene:\n"
GUID = "11111111-2222-3333-4444-555555555555"
OIDS = {
    "held": "0a000000-0000-4000-8000-000000000001",
    "loose": "0a000000-0000-4000-8000-000000000002",
    "hybrid": "0a000000-0000-4000-8000-000000000003",
}


def _export(path: Path, rows: dict[str, tuple[str, str]]) -> Path:
    """rows: user name -> (LitigationHoldEnabled, IsDirSynced)."""
    lines = [",".join(f'"{c}"' for c in COLUMNS)]
    for name, (hold, synced) in rows.items():
        values = [
            OIDS[name].upper(),
            f"{name}@contoso.example",
            "UserMailbox",
            GUID,
            NO_GUID,
            "None",
            "False",
            hold,
            "",
            "False",
            "False",
            "False",
            synced,
        ]
        lines.append(",".join(f'"{v}"' for v in values))
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    return path


def _audit(tmp_path: Path, policy: str, *extra: str) -> Path:
    e3 = {
        "skuId": IDS["SPE_E3"],
        "skuPartNumber": "SPE_E3",
        "consumedUnits": 3,
        "capabilityStatus": "Enabled",
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [EXO2],
    }
    users = [user(name, "SPE_E3", accountEnabled=False, id=oid) for name, oid in OIDS.items()]
    (tmp_path / "tenant.json").write_text(json.dumps(tenant(users, skus=[e3])), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(POLICY + policy, encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(tmp_path / "tenant.json"),
                "--policies",
                str(tmp_path / "p.yaml"),
                "--output-dir",
                str(out),
                "--format",
                "json,md",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
                *extra,
            ]
        )
        == 0
    )
    return out


def _plan(out: Path, *extra: str) -> dict[str, Any]:
    assert main(["plan", "--report-dir", str(out), *extra]) == 0
    return json.loads((out / "plan.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")


def test_a_declared_litigation_hold_is_checked_against_the_export(tmp_path: Path) -> None:
    export = _export(tmp_path / "mailboxes.csv", {"held": ("True", "False"), "loose": ("False", "False")})
    out = _audit(tmp_path, HOLD, "--exchange-export", str(export))
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["exchange_export"] == {"file": "mailboxes.csv", "mailboxes": 2}
    by_user = {f["subject"]["id"]: f["details"]["exchange"] for f in report["findings"]}
    assert by_user[OIDS["held"]]["litigation_hold"] is True and by_user[OIDS["hybrid"]] == {"listed": False}
    assert "| Holds | checked against the Exchange export mailboxes\\.csv \\(2 mailboxes\\) |" in (
        out / "report.md"
    ).read_text("utf-8")
    plan = _plan(out)
    ready = {c["path"] for c in plan["changes"]}
    waits = {s["subject"]: s["reason"] for s in plan["skipped"]}
    assert f"/users/{OIDS['held']}/assignLicense" in ready  # on hold, as declared
    assert waits["Loose"] == "not_on_hold" and waits["Hybrid"] == "not_on_hold"  # declared, not on hold
    assert "the Exchange export shows no litigation hold on it" in (out / "plan.md").read_text("utf-8")


def test_without_the_export_the_report_says_holds_were_not_checked(tmp_path: Path) -> None:
    out = _audit(tmp_path, HOLD)
    assert "| Holds | not checked \\(no \\-\\-exchange\\-export\\)" in (out / "report.md").read_text("utf-8")
    plan = _plan(out)
    assert {c["path"] for c in plan["changes"]} >= {f"/users/{OIDS[n]}/assignLicense" for n in ("held", "loose")}
    # the plan's own export is the fresher one: it overrides what the audit had (nothing here)
    export = _export(tmp_path / "now.csv", {"held": ("True", "False"), "loose": ("False", "False")})
    plan = _plan(out, "--exchange-export", str(export))
    assert {s["subject"]: s["reason"] for s in plan["skipped"]}["Loose"] == "not_on_hold"


def test_a_synced_leavers_mailbox_is_converted_on_premises_then_online(tmp_path: Path) -> None:
    export = _export(tmp_path / "mailboxes.csv", {"hybrid": ("False", "True"), "loose": ("False", "False")})
    out = _audit(tmp_path, "  disabled_users: {severity: high}\n", "--exchange-export", str(export))
    _plan(out)
    text = (out / EXCHANGE_FILE).read_bytes().decode("utf-8-sig")
    premises, cloud = text.split("if ($Part -eq 'OnPremises') {")[1].split("Connect-ExchangeOnline")
    assert "Set-RemoteMailbox -Identity 'hybrid@contoso.example' -Type Shared -ErrorAction Stop" in premises
    assert "$mailbox = Get-Mailbox -Identity 'loose@contoso.example' -ErrorAction Stop" in cloud
    # a synced mailbox is converted on both sides: in Exchange Online after the on-premises part
    assert "$mailbox = Get-Mailbox -Identity 'hybrid@contoso.example' -ErrorAction Stop" in cloud


def test_a_bad_export_stops_audit_and_plan_with_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('"ExternalDirectoryObjectId","UserPrincipalName"\n', encoding="utf-8")
    (tmp_path / "p.yaml").write_text(POLICY + HOLD, encoding="utf-8")
    (tmp_path / "tenant.json").write_text(json.dumps(tenant([user("a", "SPE_E3")])), encoding="utf-8")
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(tmp_path / "tenant.json"),
                "--policies",
                str(tmp_path / "p.yaml"),
                "--output-dir",
                str(tmp_path / "o"),
                "--exchange-export",
                str(bad),
            ]
        )
        == 2
    )
    assert f"{bad}:1:3: missing column(s) RecipientTypeDetails" in capsys.readouterr().err
    (tmp_path / "x").mkdir()
    out = _audit(tmp_path / "x", HOLD)
    assert main(["plan", "--report-dir", str(out), "--exchange-export", str(bad)]) == 2
    assert f"{bad}:1:3:" in capsys.readouterr().err
