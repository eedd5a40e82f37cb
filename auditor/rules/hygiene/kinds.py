"""Hygiene of accounts that are not people (docs/account-kinds.md): a Teams resource account holding a
paid license where the free resource license serves, and an agent user whose agent identity is gone."""

from __future__ import annotations

from typing import Any

from auditor.data.account_kinds import PHONE_RESOURCE_LICENSE, RESOURCE_LICENSES
from auditor.data.agents import AGENT_IDENTITIES, AGENT_USERS, ParentState
from auditor.data.enums import AccountKind
from auditor.data.model import Severity, User

from ...data.reads import Reads
from ...policy.objects import HygieneCheck
from ..base import Context
from .base import DeclaredDetails, HygieneRule, UserHygieneRule, check_schema


class AgentUserOrphanedDetails(DeclaredDetails, total=False):
    """`identity_parent_id`: the object id of the agent user's parent agent identity (Graph's
    `identityParentId`); `parent`: `gone` (the agentIdentity listing does not hold it: deleted) or
    `disabled` (its `accountEnabled` is false)"""

    identity_parent_id: str
    parent: str  # gone | disabled


class AgentUserOrphaned(UserHygieneRule[AgentUserOrphanedDetails]):
    """An agent user (Microsoft Entra Agent ID, Graph's `microsoft.graph.agentUser`) holds licenses
    while its parent agent identity is deleted or disabled: an agent user is authenticated through
    its parent's credentials, so the license serves no agent. Needs User.Read.All and
    Application.Read.All (the agent identities); without the latter it is not evaluated.

    Example:
        hygiene:
          agent_users: {severity: medium}
    """

    id = "agent-user-orphaned"
    reclaimable = True
    default_severity = Severity.MEDIUM
    key = "agent_users"
    fragment = check_schema(False)
    reads = Reads("users", AGENT_USERS, AGENT_IDENTITIES, user={AGENT_USERS})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> AgentUserOrphanedDetails | None:
        agents = ctx.index.snapshot.agents
        if agents is None or user.identity_parent_id is None:
            return None
        state = agents.parent_state(user.id)
        if state not in (ParentState.GONE, ParentState.DISABLED):
            return None
        assert state is not None
        return AgentUserOrphanedDetails(identity_parent_id=user.identity_parent_id, parent=state.value)

    def describe(self, user: User, details: AgentUserOrphanedDetails) -> str:
        return f"agent user holds licenses but its agent identity is {details['parent']}"


class ResourceAccountPaidLicenseDetails(DeclaredDetails, total=False):
    """`paid`: the paid products the resource account holds (part number -> skuId), which the swap
    removes; `replace_with`: the part number of the free Microsoft Teams Phone Resource Account
    license the swap assigns, and `replace_with_id` its skuId; `resource_seats`: its free seats in
    the tenant (null when the tenant does not subscribe to it: acquire it first, it costs nothing)"""

    paid: dict[str, str]
    replace_with: str
    replace_with_id: str
    resource_seats: int | None


class ResourceAccountPaidLicense(UserHygieneRule[ResourceAccountPaidLicenseDetails]):
    """A Teams resource account (an auto attendant's or call queue's account: `department` is
    `Microsoft Communication Application Instance`, or it holds the resource license) holds a paid
    product where the free Microsoft Teams Phone Resource Account license serves. The fix swaps them
    in one `assignLicense` (`addLicenses` and `removeLicenses` together): Microsoft's page says to
    remove the old license and assign the resource license "in the same license activity".

    Example:
        hygiene:
          resource_accounts: {severity: medium}
    """

    id = "resource-account-paid-license"
    reclaimable = True
    default_severity = Severity.MEDIUM
    key = "resource_accounts"
    fragment = check_schema(False)
    reads = Reads("users", "subscribedSkus", user={"department", "assignedLicenses", AGENT_USERS})
    removes = False  # a swap: the account keeps its phone number on the resource license

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> ResourceAccountPaidLicenseDetails | None:
        if user.kind is not AccountKind.RESOURCE:
            return None
        paid = {
            ctx.index.parts([sid])[0]: sid
            for sid in sorted(user.sku_ids - RESOURCE_LICENSES)
            if not ctx.is_free(sid) and ctx.monthly_price(sid) is not None
        }
        if not paid:
            return None
        sku = ctx.index.sku_by_id.get(PHONE_RESOURCE_LICENSE)
        return ResourceAccountPaidLicenseDetails(
            paid=paid,
            replace_with=sku.sku_part_number if sku is not None else "PHONESYSTEM_VIRTUALUSER",
            replace_with_id=sku.sku_id if sku is not None else PHONE_RESOURCE_LICENSE,
            resource_seats=sku.unused if sku is not None else None,
        )

    def products(self, user: User, details: ResourceAccountPaidLicenseDetails, ctx: Context) -> frozenset[str]:
        return frozenset(details["paid"].values())

    def describe(self, user: User, details: ResourceAccountPaidLicenseDetails) -> str:
        return f"Teams resource account holds {', '.join(details['paid'])} where the free resource license serves"


RULES: tuple[HygieneRule[Any], ...] = (ResourceAccountPaidLicense(), AgentUserOrphaned())
