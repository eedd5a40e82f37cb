"""A snapshot's objects in Microsoft Graph's wire format, as Graph v1.0 returns them.

Default property sets follow the Graph reference: without `$select`, /users returns only
businessPhones, displayName, givenName, jobTitle, mail, mobilePhone, officeLocation,
preferredLanguage, surname, userPrincipalName and id; everything else must be selected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.data.attributes import wire_value
from auditor.data.model import Group, Sku, Subscription, User
from auditor.snapshot import license_to_json, sku_to_json, subscription_to_json, user_to_json

USER_DEFAULT = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
# Properties of microsoft.graph.user the emulator knows; selecting any other is a 400 as on Graph.
USER_PROPERTIES = frozenset(
    (
        *USER_DEFAULT,
        "accountEnabled",
        "assignedLicenses",
        "assignedPlans",
        "city",
        "companyName",
        "country",
        "createdDateTime",
        "department",
        "employeeId",
        "employeeLeaveDateTime",
        "employeeOrgData",
        "employeeType",
        "onPremisesExtensionAttributes",
        "state",
        "licenseAssignmentStates",
        "onPremisesSyncEnabled",
        "proxyAddresses",
        "signInActivity",
        "usageLocation",
        "userType",
    )
)
GROUP_DEFAULT = (
    "id",
    "createdDateTime",
    "description",
    "displayName",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
    "visibility",
)
GROUP_PROPERTIES = frozenset(
    (
        *GROUP_DEFAULT,
        "assignedLicenses",
        "licenseProcessingState",
        "membershipRule",
        "onPremisesSyncEnabled",
        "isAssignableToRole",
        "resourceProvisioningOptions",
    )
)
SKU_PROPERTIES = frozenset(
    (
        "id",
        "accountId",
        "accountName",
        "appliesTo",
        "capabilityStatus",
        "consumedUnits",
        "prepaidUnits",
        "servicePlans",
        "skuId",
        "skuPartNumber",
        "subscriptionIds",
    )
)
SUBSCRIPTION_PROPERTIES = frozenset(
    (
        "id",
        "commerceSubscriptionId",
        "createdDateTime",
        "isTrial",
        "nextLifecycleDateTime",
        "ownerId",
        "ownerTenantId",
        "ownerType",
        "serviceStatus",
        "skuId",
        "skuPartNumber",
        "status",
        "totalLicenses",
    )
)
ORGANIZATION_PROPERTIES = frozenset(("id", "displayName", "tenantType", "verifiedDomains", "countryLetterCode"))


def user_wire(u: User, selected: tuple[str, ...] | None) -> dict[str, Any]:
    """One user as Graph sends it: the default set, or exactly the selected properties. The
    properties the model holds are written as a snapshot holds them (auditor.snapshot.user_to_json),
    so a property added to the model and the snapshot is served as well."""
    names = USER_DEFAULT if selected is None else selected
    modelled = user_to_json(u, with_sign_in=False)
    out: dict[str, Any] = {}
    for name in names:
        if name == "licenseAssignmentStates":  # Graph gives every state its lastUpdatedDateTime (or null)
            out[name] = [
                {
                    "assignedByGroup": s.assigned_by_group,
                    "disabledPlans": list(s.disabled_plans),
                    "error": s.error,
                    "lastUpdatedDateTime": s.last_updated_date_time,
                    "skuId": s.sku_id,
                    "state": s.state,
                }
                for s in u.license_assignment_states
            ]
        elif name == "signInActivity":
            # Graph leaves the property out for users who never signed in.
            if (
                u.last_sign_in_date_time is not None
                or u.last_non_interactive_sign_in_date_time is not None
                or u.last_successful_sign_in_date_time is not None
            ):
                out[name] = {
                    "lastSignInDateTime": u.last_sign_in_date_time,
                    "lastSignInRequestId": None,
                    "lastNonInteractiveSignInDateTime": u.last_non_interactive_sign_in_date_time,
                    "lastNonInteractiveSignInRequestId": None,
                    "lastSuccessfulSignInDateTime": u.last_successful_sign_in_date_time,
                    "lastSuccessfulSignInRequestId": None,
                }
        elif name == "businessPhones" or name == "assignedPlans":
            out[name] = []
        elif name == "mail":
            out[name] = _mail_addresses(u)[0] if _mail_addresses(u) else None
        elif name == "proxyAddresses":  # the primary SMTP address first, as Exchange writes it (SMTP:, then smtp:)
            out[name] = [f"{'SMTP' if i == 0 else 'smtp'}:{a}" for i, a in enumerate(_mail_addresses(u))]
        elif name in modelled and name != "mailboxSettings":  # mailboxSettings is read per user, not listed
            out[name] = modelled[name]
        else:  # the attributes a cost allocation reads (auditor.data.attributes), else not modelled: null
            out[name] = wire_value(u.attributes, name)
    return out


def _mail_addresses(u: User) -> list[str]:
    """The user's mail addresses, the primary one first: its user principal name's local part at each of its
    mail domains (User.mail_domains, which the snapshot keeps rather than the addresses); else its user
    principal name, a guest's (#EXT#) none."""
    local, _, _ = u.user_principal_name.rpartition("@")
    if u.mail_domains:
        return [f"{local}@{domain}" for domain in u.mail_domains]
    return [] if "#EXT#" in u.user_principal_name else [u.user_principal_name]


def group_wire(g: Group, selected: tuple[str, ...] | None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The group as Graph serves it; `extra` holds the properties the snapshot does not keep
    (isAssignableToRole, resourceProvisioningOptions: GraphEmulator(group_properties=...))."""
    extra = extra or {}
    full: dict[str, Any] = {
        "id": g.id,
        "createdDateTime": None,
        "description": None,
        "displayName": g.display_name,
        "groupTypes": list(g.group_types or ()),
        "mail": None,
        "mailEnabled": bool(g.mail_enabled),
        "mailNickname": g.display_name.replace(" ", "")[:64] or g.id,
        "securityEnabled": True,
        "visibility": None,
        "assignedLicenses": [license_to_json(lic) for lic in g.assigned_licenses],
        "licenseProcessingState": {"state": "ProcessingComplete"} if g.assigned_licenses else None,
        "membershipRule": g.membership_rule,
        "onPremisesSyncEnabled": g.on_premises_sync_enabled,
        "isAssignableToRole": extra.get("isAssignableToRole"),
        "resourceProvisioningOptions": list(extra.get("resourceProvisioningOptions", ())),
    }
    names = GROUP_DEFAULT if selected is None else selected
    return {name: full[name] for name in names}


def sku_wire(s: Sku, selected: tuple[str, ...] | None) -> dict[str, Any]:
    full: dict[str, Any] = {**sku_to_json(s), "accountId": None, "accountName": None, "subscriptionIds": []}
    return _project(full, selected)


def subscription_wire(s: Subscription, selected: tuple[str, ...] | None) -> dict[str, Any]:
    # Graph sends every property, null when it has no value
    full = {name: None for name in SUBSCRIPTION_PROPERTIES} | subscription_to_json(s)
    full["serviceStatus"] = []
    return _project(full, selected)


def _project(full: dict[str, Any], selected: tuple[str, ...] | None) -> dict[str, Any]:
    if selected is None:
        return full
    return {name: full[name] for name in selected}
