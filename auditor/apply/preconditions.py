"""Whether a change's preconditions still hold on the user as apply re-read it (auditor/apply/state.py's
UserState), and whether that state shows a change made.

The preconditions are the plan's (plan.json's `precondition`: the facts the finding rests on, such as
the account still disabled, still a guest, no sign-in within the policy's window, still a person's or a
resource account) and those the change's kind implies whatever the plan says (`conditions`): a product
added only to a user without a direct copy, removed only from one who holds one, a member added only
when not one yet. Each reason `unmet` gives names the fact that no longer holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from auditor.formats.change_model import Precondition

from ..formats.plan_json import Change
from .kind_reads import swap_unmet
from .state import UserState, iso, service_plans


def unmet(
    change: Change,
    state: UserState,
    now: datetime,
    products: Mapping[str, str] | None = None,
    groups: Mapping[str, str] | None = None,
    plans: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
) -> list[str]:
    """Why the change's preconditions no longer hold (empty: they all hold); `now` is apply's clock;
    `products` names the products by their ids (skuId -> name), `groups` the groups (id -> name);
    `plans` gives the tenant's products' service plans as re-read (skuId -> (id, name) pairs)."""
    if not state.exists:
        return ["the user no longer exists"]
    named = products or {}
    if any("account_kind" in cond for cond in change.precondition):
        swap = swap_unmet(change, plans, named, state.purpose)
        if swap:
            return swap

    def name(sku: str) -> str:
        return named.get(sku, sku)

    def group(gid: str) -> str:
        return (groups or {}).get(gid, gid)

    reasons: list[str] = []
    for cond in conditions(change):
        if "holds" in cond:
            reasons += _holds_unmet(cond, state, name(cond["holds"]), group(cond.get("group") or ""))
        elif "lacks" in cond and (
            _holds_direct(state, cond["lacks"]) if cond.get("how") == "direct" else state.holds(cond["lacks"])
        ):
            reasons.append(f"the user already holds {name(cond['lacks'])}")
        elif "member_of" in cond and cond["member_of"] not in (state.member_of or ()):
            reasons.append(f"the user is not a direct member of group {group(cond['member_of'])}")
        elif "not_member_of" in cond and cond["not_member_of"] in (state.member_of or ()):
            reasons.append(f"the user is already a direct member of group {group(cond['not_member_of'])}")
        elif "usage_location_differs" in cond and state.usage_location == cond["usage_location_differs"]:
            reasons.append(f"the usage location is {state.usage_location} already")
        else:
            reasons += _fact_unmet(cond, state, now)
    return reasons


def _holds_direct(state: UserState, sku: str) -> bool:
    """The user holds a direct copy of `sku`, or may: assignedLicenses lists it and no assignment
    state says how it is held."""
    if any(a.sku == sku and a.group is None for a in state.assignments):
        return True
    return sku in state.assigned and not any(a.sku == sku for a in state.assignments)


def _holds_unmet(cond: Precondition, state: UserState, sku: str, group: str) -> list[str]:
    """Why a `holds` precondition no longer holds: `sku` and `group` as the reasons name them."""
    how = cond.get("how")
    held = cond["holds"]
    if how == "direct" and not any(a.sku == held and a.group is None for a in state.assignments):
        return [f"the user does not hold {sku} by direct assignment"]
    if how == "group" and not any(
        a.sku == held
        and a.group == cond["group"]
        and (not cond.get("active") or (a.state == "Active" and a.error in (None, "", "None")))
        for a in state.assignments
    ):
        working = " (in a working state)" if cond.get("active") else ""
        return [f"group {group} does not assign {sku} to the user{working}"]
    if how is None and not state.holds(held):
        return [f"the user does not hold {sku}"]
    if how is None and cond.get("active"):
        return _working_unmet(cond, state, sku)
    return []


def _working_unmet(cond: Precondition, state: UserState, sku: str) -> list[str]:
    """Why the product a removal rests on is no longer held in a working copy (Active, no error)
    that leaves on every service plan of `plans_on` (the plans that made the removed product
    redundant): the removal would take away a service the user still uses."""
    copies = [
        a for a in state.assignments if a.sku == cond["holds"] and a.state == "Active" and a.error in (None, "", "None")
    ]
    if not copies:
        return [f"the user no longer holds {sku} in a working state (Active, no error), and the change rests on it"]
    off = set.intersection(*(set(a.disabled_plans) for a in copies))
    lost = sorted(off & set(cond.get("plans_on", ())))
    if lost:
        return [f"{sku} has service plan(s) {service_plans(lost)} turned off now, and the change rests on them"]
    return []


def _fact_unmet(cond: Precondition, state: UserState, now: datetime) -> list[str]:
    """Why a fact the finding rests on no longer holds (each reason names the fact)."""
    if "account_enabled" in cond and state.account_enabled is not cond["account_enabled"]:
        if state.account_enabled is None:
            return [
                "Graph did not return accountEnabled, so whether the account is still "
                f"{'enabled' if cond['account_enabled'] else 'disabled'} is not known"
            ]
        return [
            f"the account is {'enabled' if state.account_enabled else 'disabled'} now (accountEnabled is "
            f"{str(state.account_enabled).lower()}); the change rests on accountEnabled "
            f"{str(cond['account_enabled']).lower()}"
        ]
    if "user_type" in cond and (state.user_type or "").lower() != cond["user_type"].lower():
        return [
            f"the account's userType is {state.user_type or 'not given'} now; the change rests on userType "
            f"{cond['user_type']}"
        ]
    if "person" in cond:
        return _person_unmet(state)
    if "account_kind" in cond:
        return _kind_unmet(state, cond["account_kind"])
    if "agent_orphaned" in cond:
        return _orphan_unmet(state, cond["agent_orphaned"])
    if "no_sign_in_within_days" in cond:
        days = cond["no_sign_in_within_days"]
        since = now - timedelta(days=days)
        if state.sign_in is None or state.sign_in.error:
            why = state.sign_in.error if state.sign_in is not None else "not read"
            return [
                f"the last sign-in could not be re-read ({why}): whether the user signed in within the last "
                f"{days} days is not known (signInActivity needs AuditLog.Read.All)"
            ]
        if state.sign_in.last is not None and state.sign_in.last >= since:
            return [
                f"the user signed in successfully at {iso(state.sign_in.last)}, within the last {days} days "
                "(signInActivity); the change rests on no sign-in in that time"
            ]
    return []


def _person_unmet(state: UserState) -> list[str]:
    """Why the account is no longer known to be one a person signs in to (a person's rule's removal rests on it)."""
    kind = state.kind
    if kind is None:
        return [
            f"what the account is could not be re-read ({state.kind_error}); a person's rule's removal waits "
            "until it is known"
        ]
    if kind not in ("person", "guest"):
        return [
            f"the account is a {kind.replace('_', ' ')} account now (department, licenses, agent user), not a "
            "person's: a person's rule takes no license from it"
        ]
    return []


def _kind_unmet(state: UserState, kind: str) -> list[str]:
    now = state.kind
    if now is None:
        return [f"what the account is could not be re-read ({state.kind_error})"]
    if now != kind:
        return [
            f"the account is a {now.replace('_', ' ')} account now; the change rests on a "
            f"{kind.replace('_', ' ')} account"
        ]
    return []


def _orphan_unmet(state: UserState, parent: str) -> list[str]:
    """Why an orphaned agent user's removal no longer holds: it is no agent user of `parent` now, or
    that agent identity exists and is enabled again (or could not be read)."""
    if state.agent_parent is None or state.parent_state is None:
        return [
            f"whether the agent identity {parent} still exists could not be read ({state.agent_error or 'not read'})"
        ]
    if state.agent_parent != parent.lower():
        return [f"the account is no agent user of the agent identity {parent} now"]
    if state.parent_state == "enabled":
        return [f"the agent identity {parent} exists and is enabled now; the change rests on it being gone or disabled"]
    return []


def conditions(change: Change) -> list[Precondition]:
    """The change's preconditions, plus those its kind implies whatever the plan says: a product is
    added only to a user who lacks a direct copy of it (an assignLicense for a product already held
    directly would replace its disabled plans, turning switched-off services back on), unless the
    plan says the user holds it directly (the call re-sets that copy), and removed only from one who holds it
    directly; a member is added only when not one yet, and removed by $ref only when a direct member;
    a usage location is set only when it differs; every change needs the user to exist."""
    out = list(change.precondition)
    # Only a precondition that the user holds the product directly says the call re-sets that copy
    # on purpose (undo restoring its disabled plans); one that the user holds it another way (from
    # a group, or at all) does not, and the direct copy must still be absent.
    resets = {cond["holds"] for cond in out if "holds" in cond and cond.get("how") == "direct"}
    implied: list[Precondition] = [{"exists": True}]
    if change.kind == "assign_license" and change.body is not None:
        added = [lic["skuId"] for lic in change.body.get("addLicenses", [])]
        implied += [{"lacks": sku, "how": "direct"} for sku in added if sku not in resets and {"lacks": sku} not in out]
        removed = change.body.get("removeLicenses", [])
        named = {cond.get("holds") for cond in out} | {cond.get("lacks") for cond in out}
        implied += [{"holds": sku, "how": "direct"} for sku in removed if sku not in named]
    elif change.kind == "add_member" and change.group is not None:
        implied.append({"not_member_of": change.group})
    elif change.kind == "remove_member" and change.group is not None:
        implied.append({"member_of": change.group})
    elif change.kind == "set_usage_location" and change.body is not None:
        implied.append({"usage_location_differs": change.body["usageLocation"]})
    out += [cond for cond in implied if cond not in out]
    return out


def made(change: Change, state: UserState) -> bool:
    """Whether the user's state shows `change` made (used after a write retried on 503 was not
    accepted: the attempt answered 503 may have gone through). A reprocess leaves no trace: False."""
    if not state.exists:
        return False
    if change.kind == "assign_license" and change.body is not None:
        direct = state.direct()
        added = all(
            direct.get(lic["skuId"]) == tuple(sorted(lic.get("disabledPlans", [])))
            for lic in change.body.get("addLicenses", [])
        )
        return added and not any(sku in direct for sku in change.body.get("removeLicenses", []))
    if change.kind == "add_member":
        return change.group in (state.member_of or ())
    if change.kind == "remove_member":
        return state.member_of is not None and change.group not in state.member_of
    if change.kind == "set_usage_location" and change.body is not None:
        return bool(state.usage_location == change.body["usageLocation"])
    return False
