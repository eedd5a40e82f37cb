"""The target tenant of the migration demo (Fabrikam) and the demo's input files.

`python -m auditor_dev.sample.target` rewrites auditor_dev/sample/target-tenant.json and the files in
auditor_dev/sample/migration/ (users.csv, mailboxes.csv, products.yaml); the source's bill is the
sample's own billing file (auditor_dev/sample/sample-billing.csv). Deterministic: the same
seed gives the same tenant and files, and a test holds the committed ones to it.

The demo moves Contoso's Sales department (the bundled sample, auditor_dev/sample/sample-tenant.json)
to Fabrikam in two batches, with two shared mailboxes, and plants one case of every blocker that
two tenants of one cloud can show: a mailbox on hold, a target user that already has a mailbox,
an unmapped product, a user with no license."""

from __future__ import annotations

import csv
import io
import random
import sys
import uuid
from pathlib import Path
from typing import Any

from auditor.data.enums import Cloud
from auditor.data.exchange_export import COLUMNS, NO_GUID
from auditor.data.model import TenantSnapshot
from auditor.snapshot import load_snapshot, save_snapshot, snapshot_from_json

from . import REFERENCE
from .builder import SKUS, Builder, service_plans

SEED = 11
DOMAIN = "fabrikam.example"
STAFF = 40  # Fabrikam's own users, each with Microsoft 365 E3
# Fabrikam's products: part number -> free enabled seats (E5 and EMS are not there: new subscriptions)
FREE = {"SPE_E3": 12, "POWER_BI_PRO": 2, "EXCHANGESTANDARD": 1}
# The add-on as a tenant that bought it lists it (its part number is not in Microsoft's table)
ADDON_ID, ADDON_PART, ADDON_SEATS = "946ce899-873d-44bb-9d8b-671870cbfdbf", "Cross_tenant_user_data_migration", 10
ADDON_PLANS = (
    ("EXCHANGEONLINE_T2TMBXMOVE", "24c59ed5-fe83-4f1b-a1ea-2ab4b5c4ae8e"),
    ("SHAREPOINTONLINE_T2TODMOVE", "9f79c9b5-d4e1-4d9d-9a4a-9c7d1c1b1e2b"),
)
EXISTING = "sales.lead"  # a Fabrikam user who already has a mailbox: a mover mapped to it is blocked
FIRST_BATCH = "2027-01-08"
SHARED = ("info.shared@contoso.example", "legal.archive@contoso.example")
UNLICENSED = "new.starter@contoso.example"


def target_document() -> dict[str, Any]:
    b = Builder(random.Random(SEED), DOMAIN)
    b.group("Fabrikam Staff", ("SPE_E3",))
    users = []
    for n in range(STAFF):
        user = b.user(EXISTING if n == 0 else f"staff{n:03d}", department="Sales" if n == 0 else "")
        b.grant(user, "SPE_E3", via="Fabrikam Staff")
        users.append(user)
    skus: list[dict[str, Any]] = []
    for part, free in FREE.items():
        used = sum(1 for u in users for lic in u["assignedLicenses"] if lic["skuId"] == SKUS[part])
        skus.append(
            {
                "id": f"{b.guid()}_{SKUS[part]}",
                "skuId": SKUS[part],
                "skuPartNumber": part,
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": used,
                "prepaidUnits": {"enabled": used + free, "suspended": 0, "warning": 0, "lockedOut": 0},
                "servicePlans": service_plans().get(part, []),
            }
        )
    skus.append(
        {
            "id": f"{b.guid()}_{ADDON_ID}",
            "skuId": ADDON_ID,
            "skuPartNumber": ADDON_PART,
            "appliesTo": "User",
            "capabilityStatus": "Enabled",
            "consumedUnits": 0,
            "prepaidUnits": {"enabled": ADDON_SEATS, "suspended": 0, "warning": 0, "lockedOut": 0},
            "servicePlans": [
                {"servicePlanId": pid, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}
                for name, pid in ADDON_PLANS
            ],
        }
    )
    renews = REFERENCE.replace(year=REFERENCE.year + 1).strftime("%Y-%m-%dT%H:%M:%SZ")
    subscriptions = [
        {
            "id": b.guid(),
            "skuId": s["skuId"],
            "skuPartNumber": s["skuPartNumber"],
            "status": "Enabled",
            "isTrial": False,
            "totalLicenses": s["prepaidUnits"]["enabled"],
            "createdDateTime": b.when(300),
            "nextLifecycleDateTime": renews,
        }
        for s in skus
    ]
    groups = [
        {
            **g,
            "groupTypes": [],
            "membershipRule": None,
            "onPremisesSyncEnabled": None,
            "mailEnabled": False,
            "hasMembersWithLicenseErrors": False,
        }
        for g in b.groups.values()
    ]
    return {
        "schemaVersion": 1,
        "kind": "license-auditor/snapshot",
        "tenant": {
            "id": str(uuid.UUID(int=random.Random(SEED * 31).getrandbits(128), version=4)),
            "displayName": "Fabrikam",
            "cloud": Cloud.WORLDWIDE.value,
        },
        "collectedAt": REFERENCE.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "collectedParts": [],
        "gaps": [],
        "subscribedSkus": skus,
        "subscriptions": subscriptions,
        "groups": groups,
        "users": users,
    }


def target_tenant() -> TenantSnapshot:
    return snapshot_from_json(target_document())


# --- the demo's input files ------------------------------------------------------------------------


def _movers(source: TenantSnapshot) -> list[tuple[str, str, str, str]]:
    """(source_upn, target_upn, batch, complete_by): Sales in two batches, the shared mailboxes and one
    unlicensed user with the second; floor.manager becomes Fabrikam's existing sales.lead."""
    sales = sorted(
        u.user_principal_name
        for u in source.users
        if u.department == "Sales" and u.user_type == "Member" and u.user_principal_name.endswith("@contoso.example")
    )
    rows = []
    for n, upn in enumerate(sales):
        local = upn.split("@")[0]
        target = f"{EXISTING}@{DOMAIN}" if local == "floor.manager" else f"{local}@{DOMAIN}"
        rows.append((upn, target, "sales-1" if n % 2 == 0 else "sales-2", FIRST_BATCH if n % 2 == 0 else ""))
    for upn in (*SHARED, UNLICENSED):
        rows.append((upn, upn.replace("contoso.example", DOMAIN), "shared" if upn in SHARED else "sales-2", ""))
    return rows


# mailboxes.csv: holds planted on a few movers (the rest have none)
HOLDS = {
    "user000013": {"LitigationHoldEnabled": "True"},
    "dormant.sprayed": {"InPlaceHolds": "mbx0f6e2c1b8a4d4b0f9e3c1a2b3c4d5e6f:1"},
    "user000022": {"RetentionHoldEnabled": "True"},
    "user000074": {"AutoExpandingArchiveEnabled": "True", "ArchiveStatus": "Active"},
}


def _mailboxes(source: TenantSnapshot, movers: list[tuple[str, str, str, str]]) -> str:
    by_upn = {u.user_principal_name: u for u in source.users}
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for upn, *_ in movers:
        user = by_upn[upn]
        local = upn.split("@")[0]
        row = dict.fromkeys(COLUMNS, "False")
        row |= {
            "ExternalDirectoryObjectId": user.id,
            "UserPrincipalName": upn,
            "RecipientTypeDetails": "SharedMailbox" if upn in SHARED else "UserMailbox",
            "ExchangeGuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "exchange:" + upn)),
            "ArchiveGuid": NO_GUID,
            "ArchiveStatus": "None",
            "InPlaceHolds": "",
        }
        row |= HOLDS.get(local, {})
        if row["ArchiveStatus"] == "Active":
            row["ArchiveGuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, "archive:" + upn))
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()


PRODUCTS = """\
# source product (Contoso) -> target product (Fabrikam); null: not needed there.
# VISIOCLIENT is left out on purpose: the demo shows a product with no mapping.
SPE_E3: SPE_E3
SPE_E5: SPE_E5
EMS: EMS
POWER_BI_PRO: POWER_BI_PRO
EXCHANGESTANDARD: EXCHANGESTANDARD
Microsoft_365_Copilot: Microsoft_365_Copilot
FLOW_FREE: null
"""


def demo_files(source: TenantSnapshot) -> dict[str, str]:
    movers = _movers(source)
    users = io.StringIO()
    writer = csv.writer(users, lineterminator="\n")
    writer.writerow(("source_upn", "target_upn", "batch", "complete_by", "workloads"))
    writer.writerows((*row, "mailbox;onedrive") for row in movers)
    return {"users.csv": users.getvalue(), "mailboxes.csv": _mailboxes(source, movers), "products.yaml": PRODUCTS}


def main() -> None:
    here = Path(__file__).parent
    save_snapshot(target_tenant(), here / "target-tenant.json")
    for name, text in demo_files(load_snapshot(here / "sample-tenant.json")).items():
        (here / "migration" / name).write_text(text, "utf-8", newline="")
    print(f"wrote {here / 'target-tenant.json'} and {here / 'migration'}/", file=sys.stderr)


if __name__ == "__main__":
    main()
