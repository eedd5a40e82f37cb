"""The inverse of a journaled change, computed from the state before it and the state now.

assign_license      -> assignLicense that restores each touched product's direct assignment as it
                       was before (re-added with its disabledPlans, or removed); only the parts that
                       differ from now are sent, and nothing when all match
add_member          -> remove_member (DELETE .../members/{user}/$ref), unless no longer a member
remove_member       -> add_member (POST .../members/$ref), unless already a member again
set_usage_location  -> set_usage_location back to the value before (none when it had none)
reprocess           -> no inverse: reprocessing only re-evaluates group licenses

An inverse keeps the preconditions of the change it reverses (`reversed_precondition`): undoing
an undo makes the original change again, and it is made only while what that change rested on
still holds (the account disabled, a guest, no sign-in within the days, the covering product
held). An undo line that does not carry them (a journal written before they were kept) is not
undone: undoing it is refused, and apply of the plan is the way to make those changes again.

A re-join (the inverse of remove_member) is settled by `rejoined`: the undo waits for the group's
license to be active for the user again before it calls the line done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass

from msgspec.structs import replace

from auditor.formats.change_model import AddedLicense, Before, Body, Precondition, Undoes

from ..formats.plan_json import REQUESTS, Change, Where, parse_change
from ..plan.describe import describe
from .journal import JournalLine
from .session import Session
from .state import UserState
from .wait import Awaited, copies, duration, wait_for_copies


@dataclass(frozen=True)
class Inverse:
    change: Change | None  # None: nothing to send
    note: str  # why nothing is sent (already as before, no inverse, refused)
    refused: bool = False  # nothing is sent, and the change stays in effect: a problem (exit 3)


def carried(line: JournalLine) -> tuple[Precondition, ...]:
    """What the inverse of `line` must check beside the state now: for a line undo wrote, the
    preconditions of the change it reversed (its inverse makes that change again)."""
    if line.undoes is None:
        return ()
    return line.change.reversed_precondition or ()


def refused(line: JournalLine) -> str | None:
    """Why a line undo wrote cannot be undone: it does not say what the change it reversed rested on."""
    if line.undoes is None or line.change.reversed_precondition is not None:
        return None
    return (
        "the line was written by an undo that did not keep what the change it reversed rested on "
        "(the account disabled, no sign-in, the covering product): undoing an undo would make that change "
        "without those checks; apply the plan again instead"
    )


def subject(line: JournalLine) -> Change:
    """The line's change with the preconditions its inverse carries: what to re-read before undoing it."""
    extra = carried(line)
    return replace(line.change, precondition=line.change.precondition + extra) if extra else line.change


def _with(conditions: list[Precondition], extra: tuple[Precondition, ...]) -> list[Precondition]:
    out = list(conditions)
    for cond in extra:
        if cond not in out:
            out.append(cond.copy())
    return out


def no_inverse(line: JournalLine) -> str | None:
    """Why a done change cannot be undone at all, before anything is read; None when it can."""
    if line.change.kind == "reprocess":
        return "reprocessLicenseAssignment has no inverse (it only re-evaluates group licenses); nothing to undo"
    if line.change.kind == "set_usage_location" and not isinstance((line.before or {}).get("usageLocation"), str):
        return "the user had no usageLocation before, and Graph cannot clear it while licenses are assigned"
    return None


def _direct_before(before: Before) -> dict[str, list[str]]:
    """skuId -> its disabled plans, for each product the user held directly before the change."""
    return {
        s["skuId"].lower(): sorted(p.lower() for p in s["disabledPlans"])
        for s in before.get("licenseAssignmentStates", [])
        if s.get("assignedByGroup") is None
    }


Words = Callable[[Change, str, "Body | None"], str]


def _ids(change: Change, kind: str, body: Body | None) -> str:
    return describe(kind, body, change.user, change.group)


def reverse(line: JournalLine, words: Words = _ids) -> str:
    """What undoing `line` does, said from the reverse call (never the change's own words): the call
    that puts back the state before it, as if its effect were still in place. What undo sends can be
    less (only what differs from the state read just before), and its request line shows that."""
    change, before = line.change, line.before or {}
    if change.kind == "add_member":
        return words(change, "remove_member", None)
    if change.kind == "remove_member":
        return words(change, "add_member", None)
    if change.kind == "set_usage_location":
        return words(change, "set_usage_location", {"usageLocation": before.get("usageLocation") or ""})
    if change.kind == "assign_license":
        was = _direct_before(before)
        skus = sorted(change.skus())
        body: Body = {
            "addLicenses": [{"disabledPlans": was[sku], "skuId": sku} for sku in skus if sku in was],
            "removeLicenses": [sku for sku in skus if sku not in was],
        }
        return words(change, "assign_license", body)
    return words(change, change.kind, change.body)


def _assign_inverse(
    change: Change, before: Before, state: UserState, leave: Collection[str] = ()
) -> tuple[Body, list[Precondition]] | None:
    """The assignLicense body that puts the user's direct copies of the change's products back as
    they were, and its preconditions; None when they are as before already."""
    was = _direct_before(before)
    now = {sku: sorted(plans) for sku, plans in state.direct().items()}
    adds: list[AddedLicense] = []
    removes: list[str] = []
    precondition: list[Precondition] = []
    for sku in sorted(change.skus() - set(leave)):
        if sku in was and now.get(sku) != was[sku]:
            adds.append({"disabledPlans": was[sku], "skuId": sku})
            # as read just now: re-adding over a copy held now is meant (it restores the disabled plans)
            precondition.append(
                {"holds": sku, "how": "direct"}
                if sku in now
                else {"holds": sku}
                if state.holds(sku)
                else {"lacks": sku}
            )
        elif sku not in was and sku in now:
            removes.append(sku)
            precondition.append({"holds": sku, "how": "direct"})
    if not adds and not removes:
        return None
    return {"addLicenses": adds, "removeLicenses": removes}, precondition


def inverse(
    line: JournalLine, k: int, state: UserState, base_url: str, where: Where, leave: Mapping[str, str] | None = None
) -> Inverse:
    """The change that restores `line`'s before state, given the user's state now (numbered `k`); `leave`: the
    products (skuId -> skuPartNumber) of a license line it leaves as they are (the log does not bear them out)."""
    change, before = line.change, line.before or {}
    if not state.exists:
        return Inverse(None, "the user no longer exists")
    why = refused(line)
    if why is not None:
        return Inverse(None, why, refused=True)
    kind = change.kind  # the inverse's: a group's join is undone by leaving it, and back
    body: Body | None
    precondition: list[Precondition]
    if change.kind == "assign_license":
        restore = _assign_inverse(change, before, state, leave or {})
        if restore is None:
            return Inverse(None, "already as before")
        body, precondition = restore
    elif change.kind in ("add_member", "remove_member") and change.group is not None:
        member_now = change.group in (state.member_of or ())
        if change.kind == "add_member":
            if not member_now:
                return Inverse(None, "already as before: the user is not a direct member of the group")
            kind, body, precondition = "remove_member", None, [{"member_of": change.group}]
        else:
            if member_now:
                return Inverse(None, "already as before: the user is a direct member of the group again")
            kind = "add_member"
            body = {"@odata.id": f"{base_url}/directoryObjects/{change.user}"}
            precondition = [{"not_member_of": change.group}]
    elif change.kind == "set_usage_location":
        location = before.get("usageLocation")
        if state.usage_location == location:
            return Inverse(None, "already as before")
        # never None here: no_inverse() refuses a change of a user who had no usageLocation
        body = {"usageLocation": location} if location is not None else None
        precondition = [{"exists": True}]
    else:  # reprocess: no_inverse() said so before reading
        return Inverse(None, no_inverse(line) or "no inverse")
    method, template = REQUESTS[kind]
    # the inverse as its journal line's `action` holds it (its keys in the order undo has always written them),
    # read by apply's own parser, which checks it and makes the Change of it
    written: dict[str, object] = {
        "n": k,
        "kind": kind,
        "user": change.user,
        "group": change.group,
        "description": f"Undo change {line.n}: " + describe(kind, body, change.user, change.group),
        "seats": {part: -delta for part, delta in change.seats.items() if part not in (leave or {}).values()},
        "depends_on": [],
        "body": body,
        "precondition": _with(precondition, carried(line)),
        "reversed_precondition": [cond.copy() for cond in change.precondition],  # REVERSED
        "method": method,
        "path": template.format(user=change.user, group=change.group),
    }
    return Inverse(parse_change(written, where, f"the undo of line {line.line}"), "")


def rejoined(
    wait: float, session: Session, change: Change, k: int, undoes: Undoes
) -> Callable[[], Awaitable[tuple[str, str]]]:
    """After a re-join is accepted: wait (--wait) for the group's license to be active for the user;
    an error (CountViolation: no seat free) is a failed undo, a copy not active in time unknown."""

    gid = change.group or ""  # a join names its group (auditor.formats.plan_json.parse_change)

    async def settle() -> tuple[str, str]:
        group = session.groups.get(gid) or await session.group(gid)
        wanted = tuple(Awaited(sku, gid) for sku in sorted(group.licenses or {}))
        if not wanted:
            return "done", ""
        session.say(f"      waiting up to {duration(wait)} for the group's license to be active for the user")
        state = await session.read(k, change, undoes)
        state, pending = await wait_for_copies(session, change, state, wanted, wait)
        if pending is None:
            return "done", "the group's license is active for the user"
        _, error = copies(state, wanted, session.products, session.group_labels())
        if error:
            return "failed", (
                f"the user is in the group again, but {error}: they hold no active license from it — free "
                "a seat, then reprocess the user's licenses"
            )
        return "unknown", (
            f"the user is in the group again, but its license was not active after "
            f"{duration(wait)} (--wait): re-read the user"
        )

    return settle
