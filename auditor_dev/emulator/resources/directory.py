"""/organization, /subscribedSkus, /directory/subscriptions and /auditLogs/directoryAudits."""

from __future__ import annotations

from typing import Any

from auditor.data.audit_entries import entry_to_graph

from .. import wire
from ..audit_log import READ_ROLES
from ..call import Answer, Call, Emulator
from ..query import MAX_TOP, check_select, no_filter, page, project


def verified_domains(snap: Any) -> list[dict[str, Any]]:
    """The tenant's verified domains as Graph lists them: the domains of its members' UPNs (a guest's
    #EXT# UPN is in the tenant's own domain), the first one the default."""
    found: list[str] = []
    for user in snap.users:
        upn = str(user.user_principal_name or "")
        domain = upn.rsplit("@", 1)[-1].lower() if "@" in upn else ""
        if domain and domain not in found:
            found.append(domain)
    return [
        {
            "capabilities": "Email, OfficeCommunicationsOnline",
            "isDefault": i == 0,
            "isInitial": i == 0,
            "name": name,
            "type": "Managed",
        }
        for i, name in enumerate(found)
    ]


def organization(em: Emulator, call: Call) -> Answer:
    no_filter(call.query)
    snap = em.tenant.snapshot
    org: dict[str, Any] = {
        "id": snap.tenant_id,
        "displayName": snap.tenant_name,
        "tenantType": "AAD",
        "verifiedDomains": [],
        "countryLetterCode": None,
    }
    if not call.query.select or "verifiedDomains" in call.query.select:  # read from every user: only when asked
        org["verifiedDomains"] = verified_domains(snap)
    item = project(org, call.query.select, wire.ORGANIZATION_PROPERTIES, "organization")
    return 200, {"@odata.context": "$metadata#organization", "value": [item]}


def subscribed_skus(em: Emulator, call: Call) -> Answer:
    no_filter(call.query)
    check_select(call.query.select, wire.SKU_PROPERTIES, "subscribedSku")
    items = [wire.sku_wire(s, call.query.select) for s in list(em.tenant.skus)]
    return 200, {"@odata.context": "$metadata#subscribedSkus", "value": items}


def subscriptions(em: Emulator, call: Call) -> Answer:
    no_filter(call.query)
    check_select(call.query.select, wire.SUBSCRIPTION_PROPERTIES, "companySubscription")
    subs = [wire.subscription_wire(s, call.query.select) for s in em.tenant.snapshot.subscriptions]
    return page(em.url, call.path, call.query, subs, call.eventual, 999)


def directory_audits(em: Emulator, call: Call) -> Answer:
    em.require(READ_ROLES)
    return page(
        em.url,
        call.path,
        call.query,
        em.audit_log.select(call.query.filter),
        call.eventual,
        MAX_TOP,
        render=entry_to_graph,
    )
