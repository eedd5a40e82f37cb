"""No sign-in yet is no evidence of a Teams resource account (docs/account-kinds.md, "Which signals decide
each kind"): a new hire's account, enabled, created days ago, never signed in, holding the free resource
license beside Microsoft 365 E3 and Power BI Pro, is a person's until someone confirms otherwise. Through the
real CLI on a small snapshot (`audit --snapshot`, then `plan`): its swap is found for a person to confirm,
never planned; a disabled call queue beside it is still a resource account whose swap is planned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.cli import main
from auditor.data.account_kinds import PHONE_RESOURCE_LICENSE, account_kind
from auditor.data.enums import AccountKind
from auditor.rules.hygiene.kinds import ResourceAccountPaidLicense

from .factory import E3, policy_file, tenant, user

POWER_BI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560"
AS_OF = "2026-11-01T06:00:00Z"
NEW_HIRE = "73000000-0000-4000-8000-000000000001"  # enabled, created three days ago, never signed in
QUEUE = "73000000-0000-4000-8000-000000000002"  # a call queue: disabled, never signed in
POLICY = """\
catalog:
  - {sku: SPE_E3, price: {monthly: 36.00, currency: EUR}}
  - {sku: POWER_BI_PRO, price: {monthly: 14.00, currency: EUR}}
  - {sku: PHONESYSTEM_VIRTUALUSER, free: true}
hygiene:
  resource_accounts: {severity: medium}
"""


def _sku(sku_id: str, part: str, enabled: int, consumed: int) -> dict[str, Any]:
    units = {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0}
    return {"skuId": sku_id, "skuPartNumber": part, "consumedUnits": consumed, "prepaidUnits": units}


def _holding(name: str, *sku_ids: str, **values: Any) -> dict[str, Any]:
    """A user holding `sku_ids` directly, who never signed in and has no mailbox yet (Graph's 404)."""
    return user(
        name,
        department=None,
        assignedLicenses=[{"skuId": s, "disabledPlans": []} for s in sku_ids],
        licenseAssignmentStates=[
            {"skuId": s, "assignedByGroup": None, "state": "Active", "error": "None"} for s in sku_ids
        ],
        signInActivity=None,
        mailboxSettings=None,
        **values,
    )


def _snapshot(tmp_path: Path) -> Path:
    new_hire = _holding(
        "new.hire", PHONE_RESOURCE_LICENSE, E3, POWER_BI_PRO, id=NEW_HIRE, createdDateTime="2026-10-29T09:00:00Z"
    )
    queue = _holding("cq.support", PHONE_RESOURCE_LICENSE, E3, id=QUEUE, accountEnabled=False)
    skus = [
        _sku(E3, "SPE_E3", 10, 2),
        _sku(POWER_BI_PRO, "POWER_BI_PRO", 5, 1),
        _sku(PHONE_RESOURCE_LICENSE, "PHONESYSTEM_VIRTUALUSER", 25, 2),
    ]
    doc = tenant([new_hire, queue], skus, collectedParts=["signInActivity", "mailboxSettings"])
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_no_sign_in_yet_is_no_evidence_of_a_resource_account() -> None:
    held = frozenset({PHONE_RESOURCE_LICENSE, E3, POWER_BI_PRO})
    # enabled, never signed in (signed_in False), or sign-ins not known (None): a person's either way
    assert account_kind("Member", None, None, held, None, True, False) is AccountKind.PERSON
    assert account_kind("Member", None, None, held, None, True, None) is AccountKind.PERSON
    assert account_kind("Member", None, None, held, None, None, False) is AccountKind.PERSON  # state not read
    # disabled ("disabled for sign in and must remain so") with no interactive sign-in: a resource account
    assert account_kind("Member", None, None, held, None, False, False) is AccountKind.RESOURCE
    assert account_kind("Member", None, None, held, None, False, True) is AccountKind.PERSON  # signs in


def test_a_new_hire_with_the_resource_license_gets_no_swap_through_the_cli(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    argv = ["audit", "--snapshot", str(_snapshot(tmp_path)), "--policies", policy_file(tmp_path, POLICY)]
    assert main([*argv, "--output-dir", str(reports), "--format", "json", "--as-of", AS_OF]) == 0
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    found = {f["subject"]["upn"]: f for f in report["findings"] if f["rule"] == ResourceAccountPaidLicense.id}

    hire = found["new.hire@contoso.example"]
    assert hire["subject"]["kind"] == "person"
    assert hire["details"]["confirmed"] is False and hire["details"]["doubt"] == "enabled"
    assert hire["monthly_cost"] is None  # a person's products are no waste until someone confirms
    [swap] = hire["remediation"]["actions"]
    assert swap["ready"] is False and swap["blocked"] == "kind_unconfirmed"
    assert "is enabled, which a resource account is not" in hire["remediation"]["steps"][0]

    queue = found["cq.support@contoso.example"]  # disabled, never signed in, the resource license: confirmed
    assert queue["subject"]["kind"] == "resource" and queue["details"]["confirmed"] is True
    assert queue["remediation"]["actions"][0]["ready"] is True

    assert main(["plan", "--report-dir", str(reports)]) == 0
    changes = json.loads((reports / "plan.json").read_text(encoding="utf-8"))["changes"]
    assert {c["user"] for c in changes} == {QUEUE}  # nothing removed from the new hire
