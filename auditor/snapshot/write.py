"""Writing snapshot files: the model as the JSON of auditor.snapshot.format, one record a line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, NotRequired, TypedDict, TypeVar

import msgspec

from auditor.common.json_value import JsonValue
from auditor.common.outputs import atomic_text
from auditor.data.access_records import ACCESS_SCOPE
from auditor.data.agents import AGENT_IDENTITIES, AGENT_USERS
from auditor.data.attributes import to_graph
from auditor.data.audit_entries import audits_to_json
from auditor.data.copilot_chat_use import COPILOT_AUDIT
from auditor.data.copilot_credit_use_data import COPILOT_CREDIT_USE
from auditor.data.copilot_credits_data import COPILOT_CREDITS
from auditor.data.license_insight_data import LICENSE_INSIGHT
from auditor.data.model import NO_MAILBOX, AssignedLicense, Group, Sku, Subscription, TenantSnapshot, User
from auditor.data.usage_data import USAGE_REPORTS, usage_to_json

from .format import KIND, SCHEMA_VERSION, SIGN_IN_ACTIVITY, SIGN_INS_READ_AT, SIGN_INS_USAGE_QUIET

Record = TypeVar("Record")


class LicenseJson(TypedDict):
    """assignedLicense, as a snapshot keeps it."""

    disabledPlans: list[str]
    skuId: str


class PrepaidJson(TypedDict):
    enabled: int
    suspended: int
    warning: int
    lockedOut: int


class ServicePlanJson(TypedDict):
    servicePlanId: str
    servicePlanName: str | None
    provisioningStatus: str | None
    appliesTo: str | None


class SkuJson(TypedDict):
    """subscribedSku, as a snapshot keeps it (the fields read)."""

    id: str | None
    skuId: str
    skuPartNumber: str
    appliesTo: str | None
    capabilityStatus: str | None
    consumedUnits: int
    prepaidUnits: PrepaidJson
    servicePlans: list[ServicePlanJson]


class SubscriptionJson(TypedDict):
    """companySubscription, as a snapshot keeps it: the commerce fields only when Graph gave them."""

    id: str
    skuId: str
    skuPartNumber: str | None
    status: str | None
    isTrial: bool
    totalLicenses: int
    createdDateTime: str | None
    nextLifecycleDateTime: str | None
    commerceSubscriptionId: NotRequired[str]
    ownerId: NotRequired[str]
    ownerTenantId: NotRequired[str]
    ownerType: NotRequired[str]


class GroupJson(TypedDict):
    """group, as a snapshot keeps it, with its transitive members (and its direct ones when read)."""

    id: str
    displayName: str | None
    assignedLicenses: list[LicenseJson]
    members: list[str]
    hasMembersWithLicenseErrors: NotRequired[bool]
    directMembers: NotRequired[list[str]]
    groupTypes: NotRequired[list[str]]
    membershipRule: NotRequired[str | None]
    onPremisesSyncEnabled: NotRequired[bool | None]
    mailEnabled: NotRequired[bool | None]


def license_to_json(lic: AssignedLicense) -> LicenseJson:
    return {"disabledPlans": list(lic.disabled_plans), "skuId": lic.sku_id}


def user_to_json(u: User, with_sign_in: bool, attributes: Sequence[str] = ()) -> dict[str, JsonValue]:
    """A user as a snapshot keeps it: Graph's user properties, and those of `attributes` (named by the policies,
    so no fixed set of keys)."""
    timed = any(s.last_updated_date_time for s in u.license_assignment_states)
    out: dict[str, JsonValue] = {
        "id": u.id,
        "userPrincipalName": u.user_principal_name,
        "displayName": u.display_name,
        "accountEnabled": u.account_enabled,
        "userType": u.user_type,
        "department": u.department,
        "usageLocation": u.usage_location,
        "createdDateTime": u.created_date_time,
        # license_to_json's shape (a LicenseJson is no JsonValue to mypy: a TypedDict is no Mapping of them)
        "assignedLicenses": [
            {"disabledPlans": list(lic.disabled_plans), "skuId": lic.sku_id} for lic in u.assigned_licenses
        ],
        "licenseAssignmentStates": [
            {
                "skuId": s.sku_id,
                "assignedByGroup": s.assigned_by_group,
                "state": s.state,
                "error": s.error,
                "disabledPlans": list(s.disabled_plans),
                **({"lastUpdatedDateTime": s.last_updated_date_time} if timed else {}),
            }
            for s in u.license_assignment_states
        ],
    }
    if with_sign_in:
        times = {
            "lastSignInDateTime": u.last_sign_in_date_time,
            "lastNonInteractiveSignInDateTime": u.last_non_interactive_sign_in_date_time,
        }
        if u.last_successful_sign_in_date_time is not None:
            times["lastSuccessfulSignInDateTime"] = u.last_successful_sign_in_date_time
        out["signInActivity"] = None if all(t is None for t in times.values()) else times
    if u.employee_leave_date_time is not None:
        out["employeeLeaveDateTime"] = u.employee_leave_date_time
    if u.mail_domains:  # the domains only (what a protection rule matches), not the addresses themselves
        out["mailDomains"] = list(u.mail_domains)
    if attributes:
        out.update(to_graph(u.attributes, attributes))
    if u.mailbox_purpose is not None:
        out["mailboxSettings"] = {"userPurpose": u.mailbox_purpose} if u.mailbox_purpose != NO_MAILBOX else None
    return out


def sku_to_json(s: Sku) -> SkuJson:
    return {
        "id": s.id,
        "skuId": s.sku_id,
        "skuPartNumber": s.sku_part_number,
        "appliesTo": s.applies_to,
        "capabilityStatus": s.capability_status,
        "consumedUnits": s.consumed_units,
        "prepaidUnits": {
            "enabled": s.prepaid_units.enabled,
            "suspended": s.prepaid_units.suspended,
            "warning": s.prepaid_units.warning,
            "lockedOut": s.prepaid_units.locked_out,
        },
        "servicePlans": [
            {
                "servicePlanId": p.service_plan_id,
                "servicePlanName": p.service_plan_name,
                "provisioningStatus": p.provisioning_status,
                "appliesTo": p.applies_to,
            }
            for p in s.service_plans
        ],
    }


def subscription_to_json(s: Subscription) -> SubscriptionJson:
    out: SubscriptionJson = {
        "id": s.id,
        "skuId": s.sku_id,
        "skuPartNumber": s.sku_part_number,
        "status": s.status,
        "isTrial": s.is_trial,
        "totalLicenses": s.total_licenses,
        "createdDateTime": s.created_date_time,
        "nextLifecycleDateTime": s.next_lifecycle_date_time,
    }
    # the commerce fields only when Graph gave them (snapshots written before they were read stay as they were)
    if s.commerce_subscription_id is not None:
        out["commerceSubscriptionId"] = s.commerce_subscription_id
    if s.owner_id is not None:
        out["ownerId"] = s.owner_id
    if s.owner_tenant_id is not None:
        out["ownerTenantId"] = s.owner_tenant_id
    if s.owner_type is not None:
        out["ownerType"] = s.owner_type
    return out


def group_to_json(g: Group) -> GroupJson:
    out: GroupJson = {
        "id": g.id,
        "displayName": g.display_name,
        "assignedLicenses": [license_to_json(lic) for lic in g.assigned_licenses],
        "members": list(g.members),
    }
    if g.has_members_with_license_errors is not None:
        out["hasMembersWithLicenseErrors"] = g.has_members_with_license_errors
    if g.direct_members is not None:
        out["directMembers"] = list(g.direct_members)
    if g.group_types is not None:  # the group's kind, as Graph gave it (absent: not read)
        out["groupTypes"] = list(g.group_types)
        out["membershipRule"] = g.membership_rule
        out["onPremisesSyncEnabled"] = g.on_premises_sync_enabled
        out["mailEnabled"] = g.mail_enabled
    return out


def _write_array(out: IO[str], key: str, items: Iterable[Record], last: bool = False) -> None:
    """`items` (each a record of the snapshot's JSON) as the array `key`, one record a line."""
    out.write(f' "{key}": [')
    first = True
    for item in items:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        first = False
    out.write("\n ]" if not first else "]")
    out.write("\n" if last else ",\n")


def _audits_json(audits: Any) -> Any:
    return audits_to_json(audits)


def write_snapshot(snapshot: TenantSnapshot, out: IO[str]) -> None:
    """Stream a snapshot as JSON, one record per line (diffable, and no giant string in memory)."""
    with_sign_in = SIGN_IN_ACTIVITY in snapshot.collected_datasets
    head = {
        "schemaVersion": SCHEMA_VERSION,
        "kind": KIND,
        "tenant": {"id": snapshot.tenant_id, "displayName": snapshot.tenant_name, "cloud": snapshot.cloud.value},
        "collectedAt": snapshot.collected_at,
        "collectedParts": sorted(snapshot.collected_datasets),
        **({"userAttributes": list(snapshot.user_attributes)} if snapshot.user_attributes else {}),
        **({"directoryAudits": _audits_json(snapshot.directory_audits)} if snapshot.directory_audits else {}),
        **({ACCESS_SCOPE: snapshot.access_scope.to_json()} if snapshot.access_scope is not None else {}),
        **({LICENSE_INSIGHT: snapshot.license_insight.to_graph()} if snapshot.license_insight is not None else {}),
        **({SIGN_INS_READ_AT: snapshot.sign_ins_read_at} if snapshot.sign_ins_read_at is not None else {}),
        **({SIGN_INS_USAGE_QUIET: q} if (q := snapshot.sign_ins_usage_quiet) is not None else {}),
        **({COPILOT_CREDITS: snapshot.copilot_credits.to_graph()} if snapshot.copilot_credits is not None else {}),
        **({COPILOT_CREDIT_USE: u.to_graph()} if (u := snapshot.copilot_credit_use) is not None else {}),
        **({COPILOT_AUDIT: use.to_json()} if (use := snapshot.copilot_chat_use) is not None else {}),
    }
    if snapshot.agents is not None:
        head[AGENT_USERS] = snapshot.agents.users_to_graph()
        if snapshot.agents.identities is not None:
            head[AGENT_IDENTITIES] = snapshot.agents.identities_to_graph()
    if snapshot.notes:
        head["notes"] = list(snapshot.notes)
    out.write("{\n")
    for key, value in head.items():
        out.write(f' "{key}": {json.dumps(value, ensure_ascii=False)},\n')
    _write_array(out, "gaps", (g.to_json() for g in snapshot.gaps))
    _write_array(out, "subscribedSkus", (sku_to_json(s) for s in snapshot.skus))
    _write_array(out, "subscriptions", (subscription_to_json(s) for s in snapshot.subscriptions))
    _write_array(out, "groups", (group_to_json(g) for g in snapshot.groups))
    if snapshot.usage_reports is not None:
        reports, rows = usage_to_json(snapshot.usage_reports)
        out.write(f' "{USAGE_REPORTS}": {{"reports": {json.dumps(reports, ensure_ascii=False)},\n ')
        _write_array(out, "users", (msgspec.to_builtins(u) for u in rows), last=True)
        out.write(" },\n")
    attrs = snapshot.user_attributes
    _write_array(out, "users", (user_to_json(u, with_sign_in, attrs) for u in snapshot.users), last=True)
    out.write("}\n")


def save_snapshot(snapshot: TenantSnapshot, path: str | Path) -> None:
    path = Path(path)
    if str(path) == "-":
        write_snapshot(snapshot, sys.stdout)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text(path) as fh:
        write_snapshot(snapshot, fh)
