"""Three generated tenants (Contoso, Fabrikam, Northwind) with planted cross-tenant cases.

Planted, with the expected outcome of `merge` under GROUP_POLICY:
  alice   E3 in Contoso and (via a group) in Fabrikam         -> cross-tenant-duplicate
  bob     E3 in Contoso, E5 in Fabrikam                        -> nothing (different products)
  carol   FLOW_FREE in Contoso and Fabrikam                    -> nothing (free product)
  dave    POWER_BI_PRO in Contoso and as a B2B guest in Northwind -> duplicate (waived)
  erin    EMS in Contoso and as e.smith (alias) in Fabrikam    -> duplicate
  frank   E3 in Contoso and Northwind (domain not mapped)      -> nothing
  the generator's partner analyst, a guest with POWER_BI_PRO in all three -> duplicate
  VISIOCLIENT: 12 spare in Contoso, 2 in Northwind, Fabrikam 2 short (consumed > enabled) -> rebalance
  PROJECTPROFESSIONAL: 5 spare in Contoso and Fabrikam, Northwind 1 CountViolation -> rebalance
  FLOW_FREE: Fabrikam over-consumed while Contoso has thousands spare -> nothing (free)
Generated members of Fabrikam and Northwind get a tenant prefix, so that only planted people meet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.cli import main
from auditor.formats.report_json import decode_report
from auditor.snapshot import save_snapshot, snapshot_from_json
from auditor_dev.sample.access import with_no_access_features
from auditor_dev.sample.generate import SKUS, generate_document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"
TENANTS = {
    "contoso": ("Contoso", 11, "contoso.example"),
    "fabrikam": ("Fabrikam", 12, "fabrikam.example"),
    "northwind": ("Northwind", 13, "northwind.example"),
}

GROUP_POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: group}
catalog:
  - sku: VISIOCLIENT
    price: {monthly: 13.10, currency: EUR}
  - sku: PROJECTPROFESSIONAL
    price: {monthly: 28.20, currency: EUR}
cross_tenant:
  name: Contoso group
  identity: upn
  domain_map: {Fabrikam.example: contoso.example}
  aliases: {e.smith@fabrikam.example: erin@contoso.example}
severities:
  seats-rebalance-across-tenants: low
waivers:
  - rule: cross-tenant-duplicate
    subject: "dave_contoso.example#EXT#@northwind.example"
    reason: Dave works for both companies until the carve-out
    owner: licensing@contoso.example
    expires: 2027-03-31
"""


def _sku(doc: dict[str, Any], part: str) -> dict[str, Any]:
    return next(s for s in doc["subscribedSkus"] if s["skuPartNumber"] == part)


def add_user(
    doc: dict[str, Any], upn: str, *parts: str, guest: bool = False, via: str | None = None, error: str | None = None
) -> dict[str, Any]:
    """A licensed user; seats grow with it so the tenant's spare seats stay as generated."""
    group = next(g for g in doc["groups"] if g["displayName"] == via) if via else None
    user = {
        "id": f"{doc['tenant']['displayName'].lower()}-{upn.split('@')[0]}",
        "userPrincipalName": upn,
        "displayName": upn.split("@")[0].split("_")[0].title(),
        "accountEnabled": True,
        "userType": "Guest" if guest else "Member",
        "department": "Sales",
        "usageLocation": "NL",
        "createdDateTime": "2024-01-01T00:00:00Z",
        "assignedLicenses": [],
        "licenseAssignmentStates": [],
        "signInActivity": {"lastSignInDateTime": "2026-10-30T00:00:00Z", "lastNonInteractiveSignInDateTime": None},
    }
    for part in parts:
        sku_id = SKUS[part]
        if error:
            user["licenseAssignmentStates"].append(
                {"skuId": sku_id, "assignedByGroup": None, "state": "Error", "error": error, "disabledPlans": []}
            )
            continue
        user["assignedLicenses"].append({"skuId": sku_id, "disabledPlans": []})
        user["licenseAssignmentStates"].append(
            {
                "skuId": sku_id,
                "assignedByGroup": group["id"] if group else None,
                "state": "Active",
                "error": "None",
                "disabledPlans": [],
            }
        )
        _sku(doc, part)["consumedUnits"] += 1
        _sku(doc, part)["prepaidUnits"]["enabled"] += 1
    if group:
        group["members"].append(user["id"])
    doc["users"].append(user)
    return user


def tenant_documents(users: int = 120) -> dict[str, dict[str, Any]]:
    docs = {
        key: generate_document(users, seed=seed, tenant_name=name, domain=domain)
        for key, (name, seed, domain) in TENANTS.items()
    }
    for doc in docs.values():  # the seat scenarios below start from every seat enabled (no grace, no suspension)
        for sku in doc["subscribedSkus"]:
            units = sku["prepaidUnits"]
            units["enabled"] += units["warning"] + units["suspended"]
            units["warning"] = units["suspended"] = 0
    for key in ("fabrikam", "northwind"):
        for u in docs[key]["users"]:
            if u["userType"] == "Member":
                u["userPrincipalName"] = f"{key[:3]}-{u['userPrincipalName']}"
    c, f, n = docs["contoso"], docs["fabrikam"], docs["northwind"]
    add_user(c, "alice@contoso.example", "SPE_E3")
    add_user(f, "Alice@Fabrikam.example", "SPE_E3", via="All Office Staff")
    add_user(c, "bob@contoso.example", "SPE_E3")
    add_user(f, "bob@fabrikam.example", "SPE_E5")
    add_user(c, "carol@contoso.example", "FLOW_FREE")
    add_user(f, "carol@fabrikam.example", "FLOW_FREE")
    add_user(c, "dave@contoso.example", "POWER_BI_PRO")
    add_user(n, "dave_contoso.example#EXT#@northwind.example", "POWER_BI_PRO", guest=True)
    add_user(c, "erin@contoso.example", "EMS")
    add_user(f, "e.smith@fabrikam.example", "EMS")
    add_user(c, "frank@contoso.example", "SPE_E3")
    add_user(n, "frank@northwind.example", "SPE_E3")
    _sku(c, "VISIOCLIENT")["prepaidUnits"]["enabled"] += 10
    visio = _sku(f, "VISIOCLIENT")
    visio["prepaidUnits"]["enabled"] = visio["consumedUnits"] - 2
    _sku(n, "PROJECTPROFESSIONAL")["prepaidUnits"]["enabled"] = 0
    add_user(n, "waiting@northwind.example", "PROJECTPROFESSIONAL", error="CountViolation")
    flow = _sku(f, "FLOW_FREE")
    flow["prepaidUnits"]["enabled"] = flow["consumedUnits"] - 3
    return docs


def audit_tenant(doc: dict[str, Any], folder: Path, *extra: str) -> int:
    """What a tenant's job does: audit, and keep the snapshot beside report.json."""
    folder.mkdir(parents=True, exist_ok=True)
    # the example policy judges entitlements: these tenants have neither Conditional Access nor PIM
    save_snapshot(with_no_access_features(snapshot_from_json(doc)), folder / "snapshot.json")
    return main(
        [
            "audit",
            "--snapshot",
            str(folder / "snapshot.json"),
            "--policies",
            str(EXAMPLE),
            "--output-dir",
            str(folder),
            "--format",
            "json",
            "--as-of",
            AS_OF,
            *extra,
        ]
    )


def build(root: Path, users: int = 120) -> dict[str, Path]:
    docs = tenant_documents(users)
    folders = {}
    for key, doc in docs.items():
        folders[key] = root / "outputs" / key
        audit_tenant(doc, folders[key])
    (root / "group.yaml").write_text(GROUP_POLICY, encoding="utf-8")
    return folders


def read(path: Path) -> dict[str, Any]:
    """report.json as its readers see it (auditor.formats.report_json)."""
    return decode_report(path.read_bytes(), str(path))


def policy_file(tmp_path: Path, body: str, name: str = "p.yaml") -> str:
    path = tmp_path / name
    path.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: test}\n" + body, encoding="utf-8"
    )
    return str(path)


def small_tenant(*upns: str, part: str = "SPE_E3") -> dict[str, Any]:
    """A hand-made snapshot document: each UPN holds `part` directly."""
    users = [
        {
            "id": f"id-{upn.split('@')[0]}",
            "userPrincipalName": upn,
            "assignedLicenses": [{"skuId": SKUS[part]}],
            "licenseAssignmentStates": [{"skuId": SKUS[part], "state": "Active", "error": "None"}],
        }
        for upn in upns
    ]
    return {
        "schemaVersion": 1,
        "kind": "license-auditor/snapshot",
        "tenant": {"id": "tid", "displayName": "T", "cloud": "worldwide"},
        "collectedAt": "2026-11-01T00:00:00Z",
        "subscribedSkus": [
            {
                "skuId": SKUS[part],
                "skuPartNumber": part,
                "consumedUnits": len(users),
                "prepaidUnits": {"enabled": len(users)},
            }
        ],
        "subscriptions": [],
        "users": users,
        "groups": [],
    }
