"""Small source and target tenants for the migration tests, built in code."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from auditor.data.enums import Cloud
from auditor.data.exchange_export import COLUMNS, NO_GUID
from auditor.data.model import (
    AssignedLicense,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    ServicePlan,
    Sku,
    Subscription,
    TenantSnapshot,
    User,
)
from auditor.migration.mapping import ProductMap
from auditor.migration.movers import Mover
from auditor.migration.plan import PlanInputs
from tests.graph.graph_tenants import E3, E5, EXCHANGE_PLAN

ADDON = "946ce899-873d-44bb-9d8b-671870cbfdbf"  # Cross_tenant_user_data_migration
PARTS = {E3: "SPE_E3", E5: "SPE_E5", ADDON: "Cross_tenant_user_data_migration"}
CUTOVER = date(2027, 1, 15)
AS_OF = datetime(2026, 11, 24, tzinfo=UTC)


def sku(sku_id: str, enabled: int, consumed: int) -> Sku:
    plans = (
        (ServicePlan(EXCHANGE_PLAN, "EXCHANGE_S_ENTERPRISE", "Success", "User"),)
        if sku_id != ADDON
        else (ServicePlan("24c59ed5-fe83-4f1b-a1ea-2ab4b5c4ae8e", "EXCHANGEONLINE_T2TMBXMOVE", "Success", "User"),)
    )
    return Sku(f"t_{sku_id}", sku_id, PARTS[sku_id], "User", "Enabled", consumed, PrepaidUnits(enabled=enabled), plans)


def subscription(sku_id: str, total: int, sub_id: str | None = None) -> Subscription:
    return Subscription(
        sub_id or f"sub-{PARTS[sku_id]}",
        sku_id,
        PARTS[sku_id],
        "Enabled",
        False,
        total,
        "2025-03-01T00:00:00Z",
        "2027-03-01T00:00:00Z",
    )


def user(
    upn: str,
    *skus: str,
    uid: str | None = None,
    group: str | None = None,
    purpose: str | None = None,
    disabled_plans: tuple[str, ...] = (),
) -> User:
    return User.new(
        uid or f"00000000-0000-4000-8000-{zlib.crc32(upn.encode()):012d}",
        upn,
        upn.split("@")[0],
        mailbox_purpose=purpose,
        assigned_licenses=[AssignedLicense(s, disabled_plans) for s in skus],
        license_assignment_states=[LicenseAssignmentState(s, group, "Active", "None") for s in skus],
    )


def tenant(
    name: str,
    users: Sequence[User],
    skus: Sequence[Sku],
    subscriptions: Sequence[Subscription] = (),
    groups: Sequence[Group] = (),
    cloud: Cloud = Cloud.WORLDWIDE,
) -> TenantSnapshot:
    return TenantSnapshot(
        f"{name}-id",
        name,
        cloud,
        "2026-11-24T00:00:00Z",
        tuple(skus),
        tuple(subscriptions),
        tuple(users),
        tuple(groups),
    )


def inputs(source: TenantSnapshot, target: TenantSnapshot, movers: Sequence[Mover], **more: object) -> PlanInputs:
    values: dict[str, object] = {"products": ProductMap(), "cutover": CUTOVER, "as_of": AS_OF} | more
    return PlanInputs(source, target, movers, **values)  # type: ignore[arg-type]


def export(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    """An Exchange export (the documented Get-EXOMailbox CSV) with `rows` over mailboxes without holds."""
    lines = [",".join(f'"{c}"' for c in COLUMNS)]
    for given in rows:
        row = (
            dict.fromkeys(COLUMNS, "False")
            | {
                "RecipientTypeDetails": "UserMailbox",
                "InPlaceHolds": "",
                "ExchangeGuid": "11111111-2222-4333-8444-555555555555",
                "ArchiveGuid": NO_GUID,
                "ArchiveStatus": "None",
            }
            | given
        )
        lines.append(",".join(f'"{row[c]}"' for c in COLUMNS))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path
