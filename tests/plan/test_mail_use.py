"""An enabled account's mailbox is never ended on a declaration alone (issue 37 item 7): for an
inactive account, a removal that ends its mailbox or OneDrive is ready only when the usage
reports show no Exchange and no OneDrive activity within the policy's window, whatever data_kept
declares; else it waits, saying when the mailbox was used, or that no report shows it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.usage_data import ACTIVE_USERS
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from tests.core.factory import IDS, tenant, user

EXO2 = {
    "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0",
    "servicePlanName": "EXCHANGE_S_ENTERPRISE",
    "provisioningStatus": "Success",
    "appliesTo": "User",
}
POLICY = (
    "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: p}\nhygiene:\n"
    "  inactive_users:\n    days: 90\n    data_kept: {mailbox: not_needed, accepted_by: cio@contoso.example, "
    "expires: 2027-06-30}\n"
)
NEVER = {"lastSignInDateTime": None, "lastNonInteractiveSignInDateTime": None}


def _plan(tmp_path: Path, rows: list[dict[str, Any]] | None) -> tuple[dict[str, Any], str]:
    e3 = {
        "skuId": IDS["SPE_E3"],
        "skuPartNumber": "SPE_E3",
        "consumedUnits": 3,
        "capabilityStatus": "Enabled",
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [EXO2],
    }
    users = [user(name, "SPE_E3", signInActivity=NEVER) for name in ("mailer", "quiet", "unlisted")]
    extra: dict[str, Any] = {}
    if rows is not None:
        extra = {
            "collectedParts": ["signInActivity", "usageReports"],
            "usageReports": {
                "reports": [
                    {
                        "name": ACTIVE_USERS.name,
                        "period": "D90",
                        "reportRefreshDate": "2026-10-30",
                        "request": f"GET /reports/{ACTIVE_USERS.name}",
                    }
                ],
                "users": rows,
            },
        }
    snap = tmp_path / "tenant.json"
    snap.write_text(json.dumps(tenant(users, skus=[e3], **extra)), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(POLICY, encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(snap),
                "--policies",
                str(tmp_path / "p.yaml"),
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
            ]
        )
        == 0
    )
    assert main(["plan", "--report-dir", str(out)]) == 0
    return json.loads((out / "plan.json").read_text("utf-8")), (out / "plan.md").read_text("utf-8")


def _row(name: str, exchange: str | None, onedrive: str | None = None) -> dict[str, Any]:
    return {
        "userPrincipalName": f"{name}@contoso.example",
        "exchangeLastActivityDate": exchange,
        "oneDriveLastActivityDate": onedrive,
        "reports": [ACTIVE_USERS.name],
    }


def test_a_mailbox_used_in_the_window_is_not_ended_on_a_declaration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    # never signed in, but the mailbox received and sent mail on 2026-10-20 (a delegate, a service)
    plan, md = _plan(tmp_path, [_row("mailer", "2026-10-20"), _row("quiet", "2026-05-01", None)])
    waits = {s["subject"]: s for s in plan["skipped"] if s["rule"] == InactiveUserLicensed.id}
    assert waits["Mailer"]["reason"] == "mailbox_used" and waits["Mailer"]["used_on"] == "2026-10-20"
    assert "the mailbox was used on Oct 20, 2026" in md
    # a report that does not list the account shows nothing either way
    assert waits["Unlisted"]["reason"] == "use_not_shown"
    # no Exchange or OneDrive activity since the window began (2026-08-03): the declaration makes it ready
    assert "Quiet" not in waits
    [change] = [c for c in plan["changes"] if c["data_kept"]]
    assert change["path"] == "/users/id-quiet/assignLicense"


def test_without_the_usage_reports_no_enabled_mailbox_is_ended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    plan, md = _plan(tmp_path, None)
    assert {s["reason"] for s in plan["skipped"]} == {"use_not_shown"} and plan["changes"] == []
    assert "the usage reports do not show whether its mailbox and OneDrive were used" in md


def test_an_inactive_policy_reads_the_active_user_report(tmp_path: Path) -> None:
    from auditor.policyset.load import load_policies
    from auditor.rules.requests import requests_of

    (tmp_path / "p.yaml").write_text(POLICY.replace("days: 90", "days: 120"), encoding="utf-8")
    need = requests_of(load_policies([str(tmp_path / "p.yaml")])).usage_need
    assert need is not None and ACTIVE_USERS.name in need.reports and need.days == 120
