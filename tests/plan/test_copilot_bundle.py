"""Issue 118, point 6: a bundle such as Business Premium with Copilot never loses its base suite when its
idle Copilot part is reclaimed. copilot-seat-idle takes an idle seat by removing (or moving) the product the
`copilot_seats` entry names: for a product that carries a suite beside Copilot (a mailbox, files, the
Microsoft 365 apps, Teams), that would take the suite from its holder. Such an entry is not judged: the
rule is not evaluated for the policy, the reason names the entry's file and line, the audit is partial
(exit 3), and the plan removes nothing. Through the real command line (`audit --snapshot`, then `plan`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor import i18n
from auditor.cli import main
from auditor.data.model import Locale
from auditor.data.usage_data import COPILOT, USAGE_REPORTS
from auditor.i18n.said import localize
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor_dev.emulator.reports import documented
from tests.core.factory import IDS, tenant, user
from tests.core.test_copilot_seats import V2, row

E7 = "9a18296a-025f-4e37-9ffa-30bf8d1ce775"  # Microsoft 365 E7 (E5 and Copilot), in Microsoft's product table
# a Business Premium and Copilot bundle as a tenant lists it: the July 2026 table has no Copilot Business
# SKU, so its plans come from the tenant's subscribedSkus alone (the id and part number are this test's own)
BUNDLE = "0c0a0b0e-0000-4000-8000-00000000b0c0"
COPILOT_ID = "639dec6b-bb19-468b-871c-c5c441c4b0cb"


def _plan(name: str, plan_id: str) -> dict[str, str]:
    return {"servicePlanId": plan_id, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}


BUNDLE_PLANS = [  # servicePlanName, servicePlanId as Microsoft's table gives them (SPB's suite, Copilot's plans)
    _plan("EXCHANGE_S_STANDARD", "9aaf7827-d63c-4b61-89c3-182f06f82e5c"),
    _plan("SHAREPOINTSTANDARD", "c7699d2e-19aa-44de-8edf-1736da088ca1"),
    _plan("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
    _plan("M365_COPILOT_APPS", "a62f8878-de10-42f3-b68f-6149a25ceb97"),
    _plan("M365_COPILOT_BUSINESS_CHAT", "3f30311c-6b1e-48a4-ab79-725b469da960"),
]
PRODUCTS = {
    # part number: (skuId, its servicePlans as subscribedSkus lists them; [] leaves them to Microsoft's table)
    "MICROSOFT_365_E7": (E7, []),
    "M365_BP_COPILOT_BUNDLE": (BUNDLE, BUNDLE_PLANS),
    "Microsoft_365_Copilot": (COPILOT_ID, []),
}


def _sku(part: str) -> dict[str, Any]:
    sku_id, plans = PRODUCTS[part]
    return {
        "skuId": sku_id,
        "skuPartNumber": part,
        "consumedUnits": 2,
        "capabilityStatus": "Enabled",
        "prepaidUnits": {"enabled": 10, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": plans,
    }


OIDS = {  # object ids as Graph gives them (plan calls name users by GUID)
    "never": "00000000-0000-4000-8000-0000000c0001",
    "idle": "00000000-0000-4000-8000-0000000c0002",
    "waits": "00000000-0000-4000-8000-0000000c0003",
}


def _holder(name: str, part: str) -> dict[str, Any]:
    """An E3 user who also holds `part` directly."""
    u = user(name, "SPE_E3", id=OIDS[name])
    sku_id = PRODUCTS[part][0]
    u["assignedLicenses"].append({"skuId": sku_id, "disabledPlans": []})
    u["licenseAssignmentStates"].append({"skuId": sku_id, "assignedByGroup": None, "state": "Active", "error": "None"})
    return u


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    yield


def _audit_and_plan(tmp_path: Path, part: str) -> tuple[int, dict[str, Any], dict[str, Any], Path]:
    """`audit --snapshot` of a tenant where two E3 users hold `part` and never used Copilot (one, `waits`,
    holds E3 alone in the `candidates` group), the policy's `copilot_seats` entry naming `part` on line 5, then
    `plan`: (audit's exit code, report.json, plan.json, the policy file)."""
    users = [_holder("never", part), _holder("idle", part), user("waits", "SPE_E3", id=OIDS["waits"])]
    wait = {"id": "00000000-0000-4000-8000-0000000c0a17", "displayName": "Copilot waiting list", "assignedLicenses": []}
    groups = [{**wait, "members": [OIDS["waits"]]}]
    reads = [
        {
            "name": COPILOT.name,
            "period": "D90",
            "reportRefreshDate": "2026-10-30",
            "request": V2,
            "columns": list(documented(COPILOT.name)),
        }
    ]
    e3 = {**_sku("Microsoft_365_Copilot"), "skuId": IDS["SPE_E3"], "skuPartNumber": "SPE_E3", "servicePlans": []}
    document = tenant(
        users,
        skus=[e3, _sku(part)],
        groups=groups,
        collectedParts=["signInActivity", USAGE_REPORTS],
        usageReports={"reports": reads, "users": [row("never"), row("idle", last="2026-08-01")]},
    )
    (tmp_path / "tenant.json").write_text(json.dumps(document), "utf-8")
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: test}\nusage:\n"
        f"  - days: 30\n    copilot_seats: {part}\n    candidates: [Copilot waiting list]\n",
        "utf-8",
    )
    assert policy.read_text("utf-8").splitlines()[4] == "  - days: 30"  # the entry, on line 5
    out = tmp_path / "out"
    code = main(
        [
            "audit",
            "--snapshot",
            str(tmp_path / "tenant.json"),
            "--policies",
            str(policy),
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
    assert main(["plan", "--report-dir", str(out)]) == 0
    report = json.loads((out / "report.json").read_text("utf-8"))
    return code, report, json.loads((out / "plan.json").read_text("utf-8")), policy


def _removed(value: Any) -> set[str]:
    """Every skuId a `removeLicenses` anywhere in the plan names (lower case)."""
    if isinstance(value, dict):
        found = {str(s).lower() for s in value.get("removeLicenses") or ()}
        return found.union(*(_removed(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_removed(v) for v in value))
    return set()


@pytest.mark.parametrize("part", ["M365_BP_COPILOT_BUNDLE", "MICROSOFT_365_E7"])
def test_an_idle_copilot_part_of_a_bundle_never_takes_the_suite(tmp_path: Path, part: str) -> None:
    """Its plans from the tenant's subscribedSkus (the bundle the table lacks) or from Microsoft's table (E7,
    listed without plans): no idle-seat finding, the rule named not evaluated at the policy's line, exit 3,
    and no change in the plan removes the bundle from anyone. Before the fix both seats were findings, one
    moving the bundle to `waits`, one removing it."""
    code, report, plan, policy = _audit_and_plan(tmp_path, part)
    sku_id = PRODUCTS[part][0]
    assert code == 3 and report["complete"] is False  # a partial audit, as a rule not evaluated makes it
    assert [f for f in report["findings"] if f["rule"] == CopilotSeatIdle.id] == []
    (why,) = [n["reason"] for n in report["not_evaluated"] if n["rule"] == CopilotSeatIdle.id]
    assert why.startswith(f"{policy}:5: copilot_seats names {part}, which carries a suite beside Copilot ("), why
    assert "EXCHANGE_S_" in why and "M365_COPILOT" not in why, why  # the suite's plans, not Copilot's
    for locale in (Locale.NL, Locale.DA, Locale.SV, Locale.TR):  # a declared sentence: said in each language
        said = localize(why, i18n.translations(locale))
        assert said.startswith(f"{policy}:5: copilot_seats") and "carries a suite" not in said, said
    assert sku_id not in _removed(plan)


def test_copilot_alone_is_still_reclaimed(tmp_path: Path) -> None:
    """The same tenant with the Copilot product alone: both idle seats are judged (one moves to `waits`, one
    is removed), as before: the check holds back bundles only."""
    code, report, plan, _ = _audit_and_plan(tmp_path, "Microsoft_365_Copilot")
    assert code == 0 and report["complete"] is True
    found = {f["subject"]["upn"]: f for f in report["findings"] if f["rule"] == CopilotSeatIdle.id}
    assert set(found) == {"never@contoso.example", "idle@contoso.example"}
    assert COPILOT_ID in _removed(plan)
