"""What tells an account's kind at the moment of a write, read again for apply (state.py): whether it
is an agent user and what became of its agent identity, its mailbox, and, for a resource account's
swap, whether a product it would remove dials out by the tenant's products now. The kind itself is
auditor.data.account_kinds.account_kind's, the function the audit asks (UserState.kind)."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.data.account_kinds import NO_MAILBOX
from auditor.data.agents import AGENT_USERS_PATH

from ..formats.plan_json import Change
from ..graph.client import GraphClient, GraphRequestError
from ..graph.mailbox_purpose import NO_MAILBOX_CODES, PURPOSE_PATH
from ..graph.optional import unknown_segment
from ..rules.hygiene.kinds import has_mailbox, mailbox_plans, plans_dial_out


async def read_purpose(client: GraphClient, user: str) -> tuple[str | None, str]:
    """The mailbox purpose (mailboxSettings.userPurpose, lower case), NO_MAILBOX on Graph's 404 for a
    user without an Exchange Online mailbox (as the audit reads it), or (None, why) when the read failed."""
    path = PURPOSE_PATH.format(user)
    try:
        doc = await client.get(path)
    except GraphRequestError as exc:
        if exc.status == 404 and exc.code.lower() in NO_MAILBOX_CODES:
            return NO_MAILBOX, ""
        return None, f"GET {path} answered {exc.status}"
    value = doc.get("value") if isinstance(doc, dict) else None
    if not isinstance(value, str) or not value:
        return None, f"GET {path} gave no userPurpose"
    return value.lower(), ""


async def identity_state(client: GraphClient, identity: str) -> tuple[str | None, str]:
    """What became of an agent identity: "gone" (Graph answers 404), "disabled" or "enabled"."""
    try:
        doc = await client.get(f"/servicePrincipals/{identity}?$select=id,accountEnabled")
    except GraphRequestError as exc:
        if exc.status == 404:
            return "gone", ""
        return None, f"GET /servicePrincipals/{identity} answered {exc.status}"
    enabled = doc.get("accountEnabled") if isinstance(doc, dict) else None
    return ("disabled" if enabled is False else "enabled"), ""


async def agent_parent(client: GraphClient, user: str) -> tuple[str | None, str]:
    """The user's identityParentId when it is an agent user, "" when it is none (the agentUser cast
    of the users collection lists it or not); (None, why) when the read failed."""
    path = f"{AGENT_USERS_PATH}?$filter=id eq '{user}'&$select=id,identityParentId"
    try:
        doc = await client.get(path)
    except GraphRequestError as exc:
        if unknown_segment(exc):  # a cloud without Agent ID: a type Graph does not know has no objects
            return "", ""
        return None, f"GET {AGENT_USERS_PATH} answered {exc.status}"
    items = doc.get("value") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return None, f"GET {AGENT_USERS_PATH} gave no list"
    for item in items:
        if isinstance(item, dict) and str(item.get("id", "")).lower() == user:
            parent = item.get("identityParentId")
            return (parent.lower() if isinstance(parent, str) and parent else "unknown"), ""
    return "", ""


def swap_unmet(
    change: Change,
    plans: Mapping[str, tuple[tuple[str, str], ...]] | None,
    products: Mapping[str, str],
    purpose: str | None = None,
) -> list[str]:
    """Why a resource account's swap would take what the account needs to dial out, or its mailbox,
    re-derived from the tenant's products and the account's mailbox as re-read, not from the plan:
    each product it removes must be one the audit's swap removes (auditor.rules.hygiene.kinds:
    plans_dial_out, no Calling Plan, pay-as-you-go calling or Communications Credits, by Microsoft's
    table and its service plans now; and on an account with a mailbox, `purpose` as re-read, None
    when not known, mailbox_plans: no Exchange Online plan that holds it), and one whose service
    plans could be read at all."""
    if change.kind != "assign_license" or change.body is None:
        return []
    reasons = []
    for sku in change.body.get("removeLicenses", []):
        name = products.get(sku, sku)
        known = (plans or {}).get(sku)
        if known is None:
            reasons.append(f"the service plans of {name} could not be read; a resource account's swap keeps it")
        elif plans_dial_out(sku, known):
            reasons.append(
                f"{name} carries a Calling Plan, pay-as-you-go calling or Communications Credits (its service "
                "plans now): the resource account needs it to dial out, and the swap keeps it"
            )
        elif has_mailbox(purpose) and (held := mailbox_plans(sku, known)):
            has = "has a mailbox" if purpose is not None else "may have a mailbox (its mailbox could not be read)"
            reasons.append(
                f"{name} carries the account's mailbox ({', '.join(held)}) and the account {has}: a mailbox "
                "leaves through a person's steps (holds, archive, conversion), never through the swap"
            )
    return reasons
