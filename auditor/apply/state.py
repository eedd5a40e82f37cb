"""The subject of a change as Graph shows it now (auditor/apply/preconditions.py judges a change's
preconditions on it).

Before each change apply re-reads the user (`GET /users/{id}?$select=id,accountEnabled,userType,
assignedLicenses,licenseAssignmentStates,usageLocation`) and, when the change or its preconditions
name a group, the user's direct memberships (`GET /users/{id}/memberOf?$select=id`, every page);
when a precondition is about the user's sign-ins, their `signInActivity` too (a read of its own: it
needs AuditLog.Read.All). What it read is journaled as the change's `before` state, which is what
undo restores.

Besides the licenses and memberships a call needs, a change carries the facts its finding rests on
(docs/plan-and-apply.md): a leaver's removal needs the account still disabled (`account_enabled`),
a guest's the account still a guest (`user_type`), an inactive account's no successful sign-in
within the policy's window, counted back from apply's own clock (`no_sign_in_within_days`), and a
person's rule's the account still one a person signs in to (`person`), and a resource account's swap
the account still a resource account (`account_kind`): apply re-reads its department, state and
licenses and asks whether it is an agent user (`GET /users/microsoft.graph.agentUser?$filter=id eq
'{id}'`), and, when the department or the resource license calls it a resource account, its sign-ins
(`signInActivity`) and its mailbox (`GET /users/{id}/mailboxSettings/userPurpose`); then
auditor.data.account_kinds.account_kind, the function the audit asked, says what it is now. A Teams
resource account, a Teams Rooms account or an agent user keeps its licenses; an account that is not
a resource account now keeps them through the swap (docs/account-kinds.md, docs/plan-and-apply.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.common.errors import CollectionError
from auditor.data.account_kinds import account_kind, resource_signal, signed_in_interactively
from auditor.data.sign_ins import last_success
from auditor.formats.change_model import Before

from ..formats.plan_json import GUID
from ..graph.client import GraphClient, GraphRequestError
from ..reference import product_names
from .kind_reads import agent_parent, identity_state, read_purpose

USER_SELECT = (
    "id,displayName,userPrincipalName,accountEnabled,userType,department,assignedLicenses,licenseAssignmentStates,"
    "usageLocation"
)
SIGN_IN_SELECT = "id,signInActivity"


@dataclass(frozen=True)
class Assignment:
    sku: str  # lower case
    group: str | None  # lower case; None = direct
    disabled_plans: tuple[str, ...]
    state: str | None
    error: str | None


@dataclass(frozen=True)
class SignIn:
    """What signInActivity says of the user's last successful sign-in."""

    last: datetime | None  # None: none recorded (or never)
    error: str = ""  # the read failed: why (the sign-in facts are then unknown)
    # lastSignInDateTime records an interactive sign-in (account_kinds.signed_in_interactively): False
    # also when Graph answered with no signInActivity (none recorded), as the audit reads it; None when
    # the read failed
    interactive: bool | None = None


@dataclass(frozen=True)
class UserState:
    exists: bool
    assigned: dict[str, tuple[str, ...]]  # skuId -> disabledPlans (assignedLicenses)
    assignments: tuple[Assignment, ...]  # licenseAssignmentStates
    usage_location: str | None
    member_of: frozenset[str] | None  # direct group memberships among the groups read; None = not read
    groups_read: tuple[str, ...] = ()
    account_enabled: bool | None = None  # None: Graph did not say
    user_type: str | None = None
    sign_in: SignIn | None = None  # None: not read (no precondition asked for it)
    display_name: str = ""
    upn: str = ""
    department: str | None = None
    # identityParentId when the user is an agent user, "" when it is none; None: not read (no
    # precondition asked) or the read failed (agent_error says why)
    agent_parent: str | None = None
    agent_error: str = ""
    # what became of the agent identity a precondition names: "gone" (404), "disabled", "enabled";
    # None: not read, or the read failed (agent_error says why)
    parent_state: str | None = None
    # the mailbox purpose (NO_MAILBOX: none), re-read for an account something calls a resource
    # account; None: not read, or the read failed (purpose_error says why)
    purpose: str | None = None
    purpose_error: str = ""

    @property
    def kind(self) -> str | None:
        """What the account is now (auditor.data.account_kinds.account_kind's value), from what was
        re-read; None when it cannot be told: whether it is an agent user was not read, or the
        department or the resource license calls it a resource account and its sign-ins or mailbox
        could not be re-read. The mailbox purpose is re-read only then: the audit left shared, room
        and equipment mailboxes out of the person rules already."""
        if self.agent_parent is None:
            return None
        skus = frozenset(self.assigned)
        signed_in: bool | None = False
        if resource_signal(self.department, skus):
            if self.sign_in is None or self.sign_in.interactive is None or self.purpose_error:
                return None
            signed_in = self.sign_in.interactive
        parent = self.agent_parent or None
        return account_kind(
            self.user_type, self.department, self.purpose, skus, parent, self.account_enabled, signed_in
        ).value

    @property
    def kind_error(self) -> str:
        """Why kind is None: the read that failed."""
        if self.agent_parent is None:
            return self.agent_error or "not read"
        if self.sign_in is not None and self.sign_in.interactive is None:
            return self.sign_in.error
        return self.purpose_error or "signInActivity not read"

    @property
    def label(self) -> str:
        """ "Anna Berg (anna@contoso.example)": how the consoles name the user ("" when Graph gave neither)."""
        if self.display_name and self.upn and self.display_name != self.upn:
            return f"{self.display_name} ({self.upn})"
        return self.display_name or self.upn

    def direct(self) -> dict[str, tuple[str, ...]]:
        """Directly assigned products: skuId -> the direct assignment's disabledPlans."""
        return {a.sku: a.disabled_plans for a in self.assignments if a.group is None}

    def holds(self, sku: str) -> bool:
        return sku in self.assigned or any(a.sku == sku for a in self.assignments)

    def before(self, skus: set[str]) -> Before:
        """The journal's `before`: the user's licenses (all products, and each assignment of the
        products the change touches) and the direct memberships of the groups it concerns."""
        if not self.exists:
            return {"exists": False}
        out: Before = {
            "exists": True,
            "assignedLicenses": [{"skuId": s, "disabledPlans": list(p)} for s, p in sorted(self.assigned.items())],
            "licenseAssignmentStates": [
                {
                    "skuId": a.sku,
                    "assignedByGroup": a.group,
                    "disabledPlans": list(a.disabled_plans),
                    "state": a.state,
                    "error": a.error,
                }
                for a in self.assignments
                if a.sku in skus
            ],
            "usageLocation": self.usage_location,
            "accountEnabled": self.account_enabled,
            "userType": self.user_type,
        }
        if self.sign_in is not None:
            out["lastSuccessfulSignIn"] = None if self.sign_in.error else iso(self.sign_in.last)
        if self.member_of is not None:
            out["member_of"] = sorted(self.member_of)
            out["groups_read"] = list(self.groups_read)
        return out


GONE = UserState(False, {}, (), None, None)


async def read_state(
    client: GraphClient,
    user: str,
    groups: set[str],
    sign_in: bool = False,
    kind: bool = False,
    parent: str | None = None,
) -> UserState:
    """The user's licenses now, and (for `groups`) whether they are a direct member, and (`sign_in`)
    their last successful sign-in, and (`kind`) whether it is an agent user; GONE on 404."""
    what = f"GET /users/{user}"
    try:
        doc = await client.get(f"/users/{user}?$select={USER_SELECT}")
    except GraphRequestError as exc:
        if exc.status == 404:
            return GONE
        raise
    if not isinstance(doc, dict) or str(doc.get("id", "")).lower() != user:
        raise CollectionError(
            f"{what} answered with another object or no id; stopped — check for a proxy between "
            "license-auditor and Graph"
        )
    assigned = _assigned(doc.get("assignedLicenses"), what)
    assignments = _assignments(doc.get("licenseAssignmentStates"), what)
    location = doc.get("usageLocation")
    member_of: frozenset[str] | None = None
    if groups:
        member_of = await _direct_groups(client, user) & frozenset(groups)
    enabled, user_type = doc.get("accountEnabled"), doc.get("userType")
    name, upn, department = doc.get("displayName"), doc.get("userPrincipalName"), doc.get("department")
    department = department if isinstance(department, str) else None
    agent, agent_error = await agent_parent(client, user) if kind else (None, "")
    parent_state, parent_error = await identity_state(client, parent) if parent else (None, "")
    # the kind of an account the department or the resource license calls a resource account rests on
    # its sign-ins and its mailbox too (account_kinds.resource_evidence): re-read them as well
    signals = kind and resource_signal(department, frozenset(assigned))
    purpose, purpose_error = await read_purpose(client, user) if signals else (None, "")
    return UserState(
        True,
        assigned,
        assignments,
        location if isinstance(location, str) else None,
        member_of,
        tuple(sorted(groups)),
        enabled if isinstance(enabled, bool) else None,
        user_type if isinstance(user_type, str) else None,
        await _sign_in(client, user) if sign_in or signals else None,
        name if isinstance(name, str) else "",
        upn if isinstance(upn, str) else "",
        department,
        agent,
        agent_error or parent_error,
        parent_state,
        purpose,
        purpose_error,
    )


async def _sign_in(client: GraphClient, user: str) -> SignIn:
    """The last successful sign-in as signInActivity gives it, read as the audit reads it
    (auditor.data.sign_ins.last_success). A refused read (AuditLog.Read.All, or no Entra ID P1)
    leaves it unknown."""
    try:
        doc = await client.get(f"/users/{user}?$select={SIGN_IN_SELECT}")
    except GraphRequestError as exc:
        return SignIn(None, f"GET /users/{user}?$select=signInActivity answered {exc.status}")
    activity = doc.get("signInActivity") if isinstance(doc, dict) else None
    if not isinstance(activity, dict):  # Graph keeps none for an account that never signed in
        none = isinstance(doc, dict) and activity is None
        return SignIn(None, f"GET /users/{user}?$select=signInActivity gave no signInActivity", False if none else None)
    times = ("lastSuccessfulSignInDateTime", "lastSignInDateTime", "lastNonInteractiveSignInDateTime")
    interactive = activity.get("lastSignInDateTime")
    return SignIn(
        last_success(*(activity.get(name) for name in times), require_zone=True),
        interactive=signed_in_interactively(interactive if isinstance(interactive, str) else None),
    )


def iso(moment: datetime | None) -> str | None:
    """A moment as Graph writes it (2026-11-01T06:00:00Z); None for none."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _assigned(value: Any, what: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, list):
        raise CollectionError(f"{what} answered without assignedLicenses; cannot check the change — stopped")
    out: dict[str, tuple[str, ...]] = {}
    for lic in value:
        sku = lic.get("skuId") if isinstance(lic, dict) else None
        if not isinstance(sku, str):
            raise CollectionError(f"{what} answered with an assignedLicense without a skuId; stopped")
        out[sku.lower()] = _plans(lic.get("disabledPlans"))
    return out


def _assignments(value: Any, what: str) -> tuple[Assignment, ...]:
    if not isinstance(value, list):
        raise CollectionError(
            f"{what} answered without licenseAssignmentStates; cannot tell direct from group assignments — stopped"
        )
    out = []
    for st in value:
        sku = st.get("skuId") if isinstance(st, dict) else None
        if not isinstance(sku, str):
            raise CollectionError(f"{what} answered with a licenseAssignmentState without a skuId; stopped")
        group = st.get("assignedByGroup")
        state, error = st.get("state"), st.get("error")
        out.append(
            Assignment(
                sku.lower(),
                group.lower() if isinstance(group, str) and group else None,
                _plans(st.get("disabledPlans")),
                state if isinstance(state, str) else None,
                error if isinstance(error, str) else None,
            )
        )
    return tuple(out)


def _plans(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(sorted(p.lower() for p in value if isinstance(p, str)))


async def _direct_groups(client: GraphClient, user: str) -> frozenset[str]:
    """Ids of the objects the user is a direct member of (groups, and also roles and units: an id names one
    object, so a group id found here means membership of that group)."""
    found: set[str] = set()
    async for page in client.pages(f"/users/{user}/memberOf?$select=id"):
        for item in page:
            oid = item.get("id") if isinstance(item, dict) else None
            if isinstance(oid, str) and GUID.match(oid):
                found.add(oid.lower())
    return frozenset(found)


def held_apart_from(state: UserState, sku: str, group: str) -> bool:
    """The user holds `sku` another way than from `group`: a direct copy, or another group's copy in
    any state but Error (a copy in ActiveWithError, MutuallyExclusiveViolation say, is a working
    license; one in Error, CountViolation say, gives nothing)."""
    return any(a.sku == sku and a.group != group and (a.group is None or a.state != "Error") for a in state.assignments)


def held_only_from(state: UserState, sku: str, group: str) -> bool:
    """The user holds `sku` from `group` in a working copy (not Error) and in no other way: leaving
    the group would take the product away."""
    working = any(a.sku == sku and a.group == group and a.state != "Error" for a in state.assignments)
    return working and not held_apart_from(state, sku, group)


def product_name(part: str) -> str:
    """A product as people know it, by its part number (a change's seats name products so):
    Microsoft's name from the product table the auditor ships, else the part number."""
    return product_names().product(None, part) or part


def service_plans(plan_ids: list[str]) -> str:
    """Service plans as people know them ("Microsoft Teams"), by Microsoft's product table; a plan
    the table does not know by its id."""
    return ", ".join(product_names().plan(p) or p for p in plan_ids)
