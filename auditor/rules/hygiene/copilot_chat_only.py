"""A paid Microsoft 365 Copilot seat whose Graph-grounded chat plan is turned off: it gives only basic Chat.

Message center MC1405498 (Microsoft 365 Copilot: Updated service plan behavior for Copilot
experiences, rolled out from late July 2026): "the Microsoft Copilot with Graph-grounded chat service
plan serves as the primary control determining whether licensed users receive Microsoft 365 Copilot
(Premium), Copilot Chat (Basic) or Microsoft 365 Copilot (Basic) experiences"; "Users with the service
plan disabled will have access to a primarily web-grounded Copilot Chat". That plan is
M365_COPILOT_BUSINESS_CHAT, 3f30311c-6b1e-48a4-ab79-725b469da960, "Microsoft Copilot with
Graph-grounded chat" in Microsoft's product-names and service-plan table (Microsoft 365 Copilot, its
EDU and Sales products and the bundles that carry it).
"""

from __future__ import annotations

from typing import Any

from auditor.data.model import Severity, User

from ...data.reads import Reads
from ...policy.objects import HygieneCheck
from ..base import Context
from .base import DeclaredOwn, HygieneRule, UserHygieneRule, check_schema

GROUNDED_CHAT_PLAN = "M365_COPILOT_BUSINESS_CHAT"  # servicePlanName
GROUNDED_CHAT_PLAN_ID = "3f30311c-6b1e-48a4-ab79-725b469da960"  # servicePlanId
GROUNDED_CHAT_NAME = "Microsoft Copilot with Graph-grounded chat"  # its name in the admin centers
# Microsoft's sentence (message center MC1405498), quoted as Microsoft wrote it in every language
MC1405498 = (
    "the Microsoft Copilot with Graph-grounded chat service plan serves as the primary control determining "
    "whether licensed users receive Microsoft 365 Copilot (Premium), Copilot Chat (Basic) or Microsoft 365 "
    "Copilot (Basic) experiences"
)


class CopilotSeatChatOnlyDetails(DeclaredOwn, frozen=True, kw_only=True):
    """`plan`, `plan_id`, `product_ids` (skuIds with it off)"""

    plan: str = ""  # "": not in the report (an older one)
    plan_id: str = ""
    product_ids: list[str] = []


class CopilotSeatChatOnly(UserHygieneRule[CopilotSeatChatOnlyDetails]):
    """A Copilot seat with "Microsoft Copilot with Graph-grounded chat" off gives basic Chat only (MC1405498).

    Example:
        hygiene:
          copilot_chat_only: {severity: medium}
    """

    id = "copilot-seat-chat-only"
    default_severity = Severity.MEDIUM
    key = "copilot_chat_only"
    fragment = check_schema(False)
    removes = False  # the fix turns the plan on; a removal is the admin's choice
    reads = Reads("users", user={"assignedLicenses"})

    def saves(self, details: CopilotSeatChatOnlyDetails) -> bool:
        return False  # turning the plan on keeps the seat

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> CopilotSeatChatOnlyDetails | None:
        # assignedLicenses holds what the user's copies give together: a plan is in disabledPlans only
        # when no copy (direct or a group's) turns it on
        off = sorted(
            lic.sku_id.lower()
            for lic in user.assigned_licenses
            if GROUNDED_CHAT_PLAN_ID in {p.lower() for p in lic.disabled_plans}
        )
        if not off or self._on_elsewhere(user, ctx):
            return None
        return CopilotSeatChatOnlyDetails(plan=GROUNDED_CHAT_PLAN, plan_id=GROUNDED_CHAT_PLAN_ID, product_ids=off)

    @staticmethod
    def _on_elsewhere(user: User, ctx: Context) -> bool:
        """Another product the user holds (Microsoft 365 E7, say) turns the plan on: the user has the full
        Copilot, so the seat is no chat-only seat (whether it is redundant is another rule's question)."""
        for lic in user.assigned_licenses:
            sku = ctx.index.sku_by_id.get(lic.sku_id.lower())
            carries = sku is not None and any(
                p.service_plan_id.lower() == GROUNDED_CHAT_PLAN_ID for p in sku.service_plans
            )
            if carries and GROUNDED_CHAT_PLAN_ID not in {p.lower() for p in lic.disabled_plans}:
                return True
        return False

    def products(self, user: User, details: CopilotSeatChatOnlyDetails, ctx: Context) -> frozenset[str]:
        return frozenset(details.product_ids)

    def describe(self, user: User, details: CopilotSeatChatOnlyDetails) -> str:
        return f"holds a Copilot seat with {GROUNDED_CHAT_PLAN} turned off: only basic Copilot Chat"


RULES: tuple[HygieneRule[Any], ...] = (CopilotSeatChatOnly(),)
