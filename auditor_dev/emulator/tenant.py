"""The emulator's tenant: the snapshot's objects, indexed, and the license writes Graph accepts.

The snapshot's objects are frozen; a write replaces the user, group and product it changes in
this tenant's own lists (never the snapshot's), under one lock, so concurrent writes never lose
an update and a read sees each object either before or after a write. `current()` is the tenant
as it stands, as a TenantSnapshot.

The license rules follow Microsoft Graph v1.0 and Microsoft Entra ID's group-based licensing:

- user: assignLicense (https://learn.microsoft.com/graph/api/user-assignlicense): both
  `addLicenses` and `removeLicenses` are required (either may be empty); a product the tenant
  does not have is a 400; the user needs a usageLocation to be given one; adding a product the
  user has no seat of when none is free is a 400 (the CountViolation of a direct assignment);
  adding one the user already holds directly only changes its disabledPlans; removing one the
  user holds only through a group is a 400; mutually exclusive service plans are a 400. On
  success the user has a direct licenseAssignmentState (Active) for each product added.
- group members (add member / remove member, https://learn.microsoft.com/graph/api/group-post-members,
  https://learn.microsoft.com/graph/api/group-delete-members): a member gets one
  licenseAssignmentState per license of the group (assignedByGroup). Group licensing never fails
  the request: when a product cannot be given (no free seat, a mutually exclusive plan) every
  license of that group is recorded on the user as state Error with the error code
  (CountViolation, MutuallyExclusiveViolation) and none of them is given, as Entra ID does
  ("it won't assign the other licenses in the group either",
  https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems).
  Entra ID applies a group's licenses to a new member in the background, "within minutes": with
  `group_license_delay` (seconds, default 0: at once) the member has no state from the group until
  that delay has passed, then the group's states as above (Active, or Error with CountViolation when
  no seat is left), so a client that waits for them is tested as it would run against Graph. The
  delay is kept on the tenant's `clock` (the wall clock, or a test's VirtualTime that the test moves
  on) and a join whose time has come is applied before the next request or `current()` reads the
  tenant, so a test waits for it without waiting on the wall clock.
- user: reprocessLicenseAssignment (https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment):
  every group-based state of the user is evaluated again (an Error with a seat free now becomes
  Active); Entra ID does not do that on its own when a seat frees up.

A user holds a product while any of its states for it is Active or ActiveWithError;
assignedLicenses lists those products, each with the plans every such state switches off, and
a product's consumedUnits counts the users holding it (it changes by one when a write makes a
user start or stop holding it; the snapshot's count is the starting point).
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, overload

import msgspec

from auditor.data.model import AssignedLicense, Group, LicenseAssignmentState, Sku, TenantSnapshot, User

from .errors import GraphError, bad, not_found
from .filters import UpnIndex, matches

ACTIVE_STATES = ("Active", "ActiveWithError")

# The permissions (application roles) that allow each write, least privileged first, as the
# Graph reference lists them for application permissions.
ASSIGN_LICENSE_ROLES = ("LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All")
GROUP_MEMBER_ROLES = ("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")
REPROCESS_ROLES = ("User.ReadWrite.All", "Directory.ReadWrite.All")

INHERITED = "User license is inherited from a group membership and it cannot be removed directly from the user."
NOT_HELD = "User does not have a corresponding license."
NO_USAGE_LOCATION = "License assignment cannot be done for user with invalid usage location."
ALREADY_MEMBER = "One or more added object references already exist for the following modified properties: 'members'."
NOT_MEMBER = "One or more removed object references do not exist for the following modified properties: 'members'."
# Graph's refusals to change the members of a group no program may change (Microsoft's "Troubleshoot
# 403 error when adding a user to a group": dynamic groups answer 403 Authorization_RequestDenied; the
# on-premises and Exchange messages as Graph gives them for synced and mail-enabled security groups)
DYNAMIC_REFUSED = "Insufficient privileges to complete the operation."
SYNCED_REFUSED = (
    "Unable to update the specified properties for on-premises mastered Directory Sync objects or "
    "objects currently undergoing migration."
)
MAIL_REFUSED = "Cannot Update a mail-enabled security groups and or distribution list."


def refuse_member_change(group: Group) -> None:
    """Graph's answer to a member add or removal on a dynamic, synced or mail-enabled security group."""
    if group.synced:
        raise bad(SYNCED_REFUSED)
    if group.dynamic:
        raise GraphError(403, "Authorization_RequestDenied", DYNAMIC_REFUSED)
    if group.mail_security:
        raise bad(MAIL_REFUSED)


_REF = re.compile(r"/(?:directoryObjects|users)/([^/?#]+)$")


def now_text(now: Callable[[], datetime] | None = None) -> str:
    """The time a write stamps (a license state's times): `now`'s (the demo's own clock), else the wall clock's."""
    return (now() if now is not None else datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Held:
    """A product a user holds: its skuId as first written, and the plans every source switches off."""

    sku_id: str
    disabled: tuple[str, ...]
    off: frozenset[str]


_States = list[tuple[LicenseAssignmentState, str | None]]  # each state with its lastUpdatedDateTime


class _Members(Sequence[User]):
    """A group's member users, resolved at read time (a write replaces User objects)."""

    def __init__(self, users: list[User], positions: list[int]) -> None:
        self._users = users
        self._positions = positions

    @property
    def positions(self) -> list[int]:
        """The members' positions among the tenant's users."""
        return self._positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> User: ...

    @overload
    def __getitem__(self, index: slice) -> list[User]: ...

    def __getitem__(self, index: int | slice) -> User | list[User]:
        if isinstance(index, slice):
            return [self._users[p] for p in self._positions[index]]
        return self._users[self._positions[index]]

    def __iter__(self) -> Iterator[User]:
        return (self._users[p] for p in self._positions)


class TenantState:
    """The tenant the emulator serves, and the writes that change it."""

    def __init__(
        self,
        snapshot: TenantSnapshot,
        mutually_exclusive: Iterable[tuple[str, str]] = (),
        group_license_delay: float = 0.0,
        nested_from: TenantSnapshot | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.now = now  # the time writes stamp (now_text): the wall clock's unless given
        # the tenant whose groups show who is a member through a nested group (its members that are
        # not its direct members): `snapshot` unless given. A snapshot saved after a user joined a
        # group they were already in through a nested one shows only the direct membership.
        self._nesting = nested_from or snapshot
        self.group_license_delay = group_license_delay  # seconds before a new member's group licenses apply
        self.clock = clock
        self._licensing: list[tuple[float, str, str]] = []  # (when, group id, user id): joins not yet licensed
        self.users: list[User] = list(snapshot.users)
        self.skus: list[Sku] = list(snapshot.skus)
        self.groups: list[Group] = list(snapshot.groups)
        self._group_at = {g.id.lower(): i for i, g in enumerate(self.groups)}
        self._sku_at = {s.sku_id.lower(): i for i, s in enumerate(self.skus)}
        self.exclusive = [(a, b) for a, b in mutually_exclusive]
        self._lock = threading.RLock()
        self._by_key: dict[str, int] | None = None
        self._members: dict[str, tuple[tuple[str, ...], list[int], frozenset[str]]] = {}
        # a group's direct members, keyed by its id: (the members and direct_members the index was
        # built from, their positions in `users`), built once and again only after a write
        self._direct: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, list[int]]] = {}
        # (group id, direct) -> the same, with the index of the listing's UPNs and its partitions
        self._starting: dict[
            tuple[str, bool], tuple[tuple[str, ...], tuple[str, ...] | None, UpnIndex, dict[tuple[str, ...], list[int]]]
        ] = {}
        self._license_errors: frozenset[str] | None = None
        self._nested: dict[str, frozenset[str]] = {}  # group id -> its members through a nested group
        self.written = False  # a write changed the tenant (pre-encoded listings no longer match it)
        # user principal names of room mailboxes marked "Hidden from GAL" (GET /places leaves them out)
        self.rooms_hidden: set[str] = set()
        # (emailAddress, displayName) of rooms GET /places lists besides the room mailboxes, as written
        self.rooms_more: list[tuple[str, str]] = []

    # --- reads -----------------------------------------------------------------------------

    def user_at(self, key: str) -> int | None:
        """The position of the user with this id or userPrincipalName (any case)."""
        with self._lock:
            if self._by_key is None:
                index: dict[str, int] = {}
                for i, u in enumerate(self.users):
                    index[u.id.lower()] = i
                    index[u.user_principal_name.lower()] = i
                self._by_key = index
        return self._by_key.get(key.lower())

    def user(self, key: str) -> User | None:
        at = self.user_at(key)
        return self.users[at] if at is not None else None

    def group(self, key: str) -> Group | None:
        at = self._group_at.get(key.lower())
        return self.groups[at] if at is not None else None

    def sku(self, sku_id: str) -> Sku | None:
        at = self._sku_at.get(sku_id.lower())
        return self.skus[at] if at is not None else None

    def current(self) -> TenantSnapshot:
        """The tenant as it stands after the writes so far."""
        self.settle()
        with self._lock:
            return dataclasses.replace(
                self.snapshot, users=tuple(self.users), skus=tuple(self.skus), groups=tuple(self.groups)
            )

    def license_error_groups(self) -> frozenset[str]:
        """Ids (lower case) of the groups with hasMembersWithLicenseErrors: the snapshot's flag
        where it has one (a write to a group's members clears it), else whether a user's
        licenseAssignmentStates name the group with an error."""
        with self._lock:
            if self._license_errors is None:
                failed = {
                    s.assigned_by_group.lower()
                    for u in self.users
                    for s in u.license_assignment_states
                    if s.assigned_by_group and s.is_error
                }
                self._license_errors = frozenset(
                    g.id.lower()
                    for g in self.groups
                    if (
                        g.has_members_with_license_errors
                        if g.has_members_with_license_errors is not None
                        else g.id.lower() in failed
                    )
                )
            return self._license_errors

    def _member_index(self, group: Group) -> tuple[list[int], frozenset[str]]:
        cached = self._members.get(group.id)
        if cached is not None and cached[0] is group.members:
            return cached[1], cached[2]
        positions = [at for at in (self.user_at(m) for m in group.members) if at is not None]
        ids = frozenset(self.users[at].id.lower() for at in positions)
        self._members[group.id] = (group.members, positions, ids)
        return positions, ids

    def members(self, group: Group) -> _Members:
        """The group's members that exist as users (the snapshot keeps users only)."""
        positions, _ = self._member_index(group)
        return _Members(self.users, positions)

    def is_member(self, group: Group, user: User) -> bool:
        return user.id.lower() in self._member_index(group)[1]

    def is_direct_member(self, group: Group, user: User) -> bool:
        """A member not only through a nested group: every member, unless the group lists its
        direct members (Group.direct_members)."""
        if group.direct_members is None:
            return self.is_member(group, user)
        return user.id.lower() in {m.lower() for m in group.direct_members}

    def direct_members(self, group: Group) -> _Members:
        """The group's direct members that exist as users, in the order of `members`. Built once
        per group (and again after a write), not per page: a group of 500,000 is read in 500."""
        cached = self._direct.get(group.id)
        if cached is not None and cached[0] is group.members and cached[1] is group.direct_members:
            return _Members(self.users, cached[2])
        positions, _ = self._member_index(group)
        if group.direct_members is not None:
            direct = {m.lower() for m in group.direct_members}
            positions = [at for at in positions if self.users[at].id.lower() in direct]
        self._direct[group.id] = (group.members, group.direct_members, positions)
        return _Members(self.users, positions)

    def listing(self, group: Group, *, direct: bool) -> _Members:
        """A member listing: the group's direct members (`direct`), else all its members."""
        return self.direct_members(group) if direct else self.members(group)

    def members_starting(self, group: Group, prefixes: tuple[str, ...], *, direct: bool) -> _Members:
        """The members of a listing (`listing`) whose UPN, in lower case, starts with one of
        `prefixes` (lower case): one partition of a member listing, in the listing's order."""
        positions = self.listing(group, direct=direct).positions
        return _Members(self.users, [positions[at] for at in self.member_partition(group, prefixes, direct=direct)])

    def member_partition(self, group: Group, prefixes: tuple[str, ...], *, direct: bool) -> list[int]:
        """Where the members of `members_starting` stand in the member listing (whose pre-encoded
        pages are picked by them): worked out once per partition from the listing's index of UPNs,
        or, once a write may have changed a UPN, from the users as they stand."""
        if self.written:
            return [
                at
                for at, user in enumerate(self.listing(group, direct=direct))
                if matches(user.user_principal_name, prefixes)
            ]
        index, partitions = self.member_upns(group, direct=direct)
        with self._lock:
            found = partitions.get(prefixes)
            if found is None:
                found = partitions[prefixes] = index.starting(prefixes)
        return found

    def member_upns(self, group: Group, *, direct: bool) -> tuple[UpnIndex, dict[tuple[str, ...], list[int]]]:
        """The index of the UPNs of a member listing (`listing`), and the partitions worked out
        from it so far: built once, and again after the membership changes."""
        key = (group.id, direct)
        with self._lock:  # the partitions are asked for at once: one of them builds it, the others wait
            cached = self._starting.get(key)
            if cached is None or cached[0] is not group.members or cached[1] is not group.direct_members:
                users = self.users
                index = UpnIndex(users[at].user_principal_name for at in self.listing(group, direct=direct).positions)
                cached = self._starting[key] = (group.members, group.direct_members, index, {})
        return cached[2], cached[3]

    def member_of(self, user: User) -> list[Group]:
        """The groups the user is a member of, in the tenant's order."""
        return [g for g in self.groups if self.is_member(g, user)]

    # --- writes ----------------------------------------------------------------------------

    def change_user(self, key: str, **changes: Any) -> User:
        """The tenant changing outside any plan (an admin re-enables an account, a guest is made a
        member, a user signs in): `changes` are User fields, e.g. account_enabled=True. Not a Graph
        call: a test sets the tenant as it stands when apply re-reads it."""
        with self._lock:
            at = self.user_at(key)
            if at is None:
                raise KeyError(key)
            self.written = True  # first: a request that sees the change must not serve pre-encoded pages
            self.users[at] = self.users[at].with_values(**changes)
            return self.users[at]

    def assign_license(self, key: str, doc: Any) -> User:
        """POST /users/{id|upn}/assignLicense."""
        adds, removes = _read_assign(doc)
        for sku_id in [s for s, _ in adds] + removes:
            if self.sku(sku_id) is None:
                raise bad(f"License {sku_id} does not correspond to a valid company License.")
        for sku_id, disabled in adds:
            sku = self.sku(sku_id)
            assert sku is not None
            plans = {p.service_plan_id.lower() for p in sku.service_plans}
            for plan in disabled:
                # Graph refuses a disabled plan the product does not contain; the wording is
                # the emulator's (Microsoft does not document it). Products the snapshot lists
                # without their plans are not checked.
                if plans and plan.lower() not in plans:
                    raise bad(f"Service plan {plan} does not belong to the product {sku_id}.")
        add_keys = {s.lower(): (s, d) for s, d in adds}
        remove_keys = {s.lower() for s in removes}
        with self._lock:
            at = self.user_at(key)
            if at is None:
                raise not_found(key)
            user = self.users[at]
            states = self._states(user)
            for sku_id in removes:
                k = sku_id.lower()
                if not any(s.assigned_by_group is None and s.sku_id.lower() == k for s, _ in states):
                    from_group = any(s.assigned_by_group and s.sku_id.lower() == k for s, _ in states)
                    raise bad(INHERITED if from_group else NOT_HELD)
            if adds and not user.usage_location:
                raise bad(NO_USAGE_LOCATION)
            stamp = now_text(self.now)
            result: _States = []
            done: set[str] = set()
            for s, t in states:
                k = s.sku_id.lower()
                if s.assigned_by_group is None and k in remove_keys:
                    continue
                if s.assigned_by_group is None and k in add_keys:
                    sku_id, disabled = add_keys[k]
                    result.append((LicenseAssignmentState(sku_id, None, "Active", "None", disabled), stamp))
                    done.add(k)
                    continue
                result.append((s, t))
            for k, (sku_id, disabled) in add_keys.items():
                if k not in done:
                    result.append((LicenseAssignmentState(sku_id, None, "Active", "None", disabled), stamp))
            before, after = _held(states), _held(result)
            for k in after.keys() - before.keys():
                if not self._seat_free(k):
                    raise bad(f"Subscription with SKU {after[k].sku_id} does not have any available licenses.")
            conflict = self._conflict(after, set(add_keys))
            if conflict is not None:
                raise bad(
                    f"License assignment failed because service plans {conflict[0]}, {conflict[1]} "
                    "are mutually exclusive."
                )
            return self._commit(at, user, result)

    def add_member(self, group_key: str, doc: Any) -> User:
        """POST /groups/{id}/members/$ref; the member added."""
        ref = doc.get("@odata.id") if isinstance(doc, dict) else None
        if not isinstance(ref, str):
            raise bad('A reference to the member is required: {"@odata.id": ".../directoryObjects/{id}"}.')
        match = _REF.search(ref)
        if match is None:
            raise bad(f"Invalid object identifier '{ref}'.")
        member_key = match.group(1)
        with self._lock:
            group = self.group(group_key)
            if group is None:
                raise not_found(group_key)
            refuse_member_change(group)
            at = self.user_at(member_key)
            if at is None:
                raise not_found(member_key)  # groups, devices ... are not modelled as members
            user = self.users[at]
            if self.is_direct_member(group, user):
                raise bad(ALREADY_MEMBER)
            direct = None if group.direct_members is None else (*group.direct_members, user.id)
            if self.is_member(group, user):  # a member through a nested group becomes a direct one too
                group = self._replace_group(group, direct_members=direct)
            else:
                group = self._replace_group(group, members=(*group.members, user.id), direct_members=direct)
            if group.assigned_licenses and self.group_license_delay > 0:
                self._licensing.append((self.clock() + self.group_license_delay, group.id, user.id))
            elif group.assigned_licenses:
                self._license_member(group.id, user.id)
            self.written = True
            return user

    def set_group_licenses(self, group_key: str, licenses: tuple[AssignedLicense, ...]) -> Group:
        """An admin edits the group's licenses (in the admin center, or POST /groups/{id}/assignLicense):
        the group replaced, and group-based licensing evaluated again for each direct member."""
        with self._lock:
            group = self.group(group_key)
            if group is None:
                raise KeyError(group_key)
            group = self._replace_group(group, assigned_licenses=tuple(licenses))
        for member in group.members:
            self._license_member(group.id, member)
        return group

    def settle(self) -> None:
        """Group licensing reaching the new members whose `group_license_delay` has passed by the
        clock, in the order they joined."""
        if not self._licensing:
            return
        with self._lock:
            now = self.clock()
            due = [p for p in self._licensing if p[0] <= now]
            self._licensing = [p for p in self._licensing if p[0] > now]
            for _, group, user in due:
                self._license_member(group, user)

    def _license_member(self, group_key: str, user_key: str) -> None:
        """Group-based licensing reaching a member: the group's licenses evaluated for the user
        (nothing when the user has left the group, or the user or group is gone, meanwhile)."""
        with self._lock:
            group, at = self.group(group_key), self.user_at(user_key)
            if group is None or at is None or not self.is_direct_member(group, self.users[at]):
                return
            user = self.users[at]
            self._commit(at, user, self._group_states(self._states(user), group, now_text(self.now)))

    def remove_member(self, group_key: str, member_key: str) -> User:
        """DELETE /groups/{id}/members/{id}/$ref; the member removed."""
        with self._lock:
            group = self.group(group_key)
            if group is None:
                raise not_found(group_key)
            refuse_member_change(group)
            at = self.user_at(member_key)
            user = self.users[at] if at is not None else None
            if at is None or user is None or not self.is_direct_member(group, user):
                raise GraphError(404, "Request_ResourceNotFound", NOT_MEMBER)
            gone = user.id.lower()
            direct = (
                None if group.direct_members is None else tuple(m for m in group.direct_members if m.lower() != gone)
            )
            # a member through a nested group stays one: only the direct membership goes
            kept = gone in self.nested_members(group)
            members = group.members if kept else tuple(m for m in group.members if m.lower() != gone)
            group = self._replace_group(group, members=members, direct_members=direct)
            gid = group.id.lower()
            states = [(s, t) for s, t in self._states(user) if (s.assigned_by_group or "").lower() != gid]
            self._commit(at, user, states)
            return user

    def reprocess(self, key: str) -> User:
        """POST /users/{id}/reprocessLicenseAssignment."""
        with self._lock:
            at = self.user_at(key)
            if at is None:
                raise not_found(key)
            user = self.users[at]
            # group-based licensing gives a group's licenses to its direct members only
            groups = [g for g in self.member_of(user) if g.assigned_licenses and self.is_direct_member(g, user)]
            member = {g.id.lower() for g in groups}
            # states of a group the user has left (none after the emulator's own writes) go
            states = [
                (s, t)
                for s, t in self._states(user)
                if s.assigned_by_group is None or s.assigned_by_group.lower() in member
            ]
            stamp = now_text(self.now)
            for group in groups:
                states = self._group_states(states, group, stamp)
                self._replace_group(group)
            return self._commit(at, user, states)

    # --- the rules -------------------------------------------------------------------------

    def _states(self, user: User) -> _States:
        """The user's states with their times; a product in assignedLicenses that no state names
        (a snapshot that did not keep states) counts as assigned directly."""
        out: _States = [
            (msgspec.structs.replace(s, last_updated_date_time=None), s.last_updated_date_time)
            for s in user.license_assignment_states
        ]
        named = {s.sku_id.lower() for s in user.license_assignment_states}
        for lic in user.assigned_licenses:
            if lic.sku_id.lower() not in named:
                out.append((LicenseAssignmentState(lic.sku_id, None, "Active", "None", lic.disabled_plans), None))
        return out

    def _seat_free(self, sku_key: str) -> bool:
        sku = self.sku(sku_key)
        return sku is not None and sku.consumed_units < sku.usable

    def _plans_on(self, sku_key: str, held: _Held) -> set[str]:
        sku = self.sku(sku_key)
        plans = {p.service_plan_id.lower() for p in sku.service_plans} if sku is not None else set()
        return plans - held.off

    def _conflict(self, held: dict[str, _Held], new: set[str]) -> tuple[str, str] | None:
        """A configured mutually exclusive pair that two different products the user would hold
        both switch on, one of them a product in `new`. A pair's ids are service plan ids, or
        skuIds (the whole products exclude each other)."""
        on = {k: self._plans_on(k, h) for k, h in held.items()}
        for a, b in self.exclusive:
            for first, second in ((a, b), (b, a)):
                x, y = first.lower(), second.lower()
                for ka in held:
                    for kb in held:
                        if ka == kb or not (ka in new or kb in new):
                            continue
                        if (x == ka or x in on[ka]) and (y == kb or y in on[kb]):
                            return a, b
        return None

    def _group_states(self, states: _States, group: Group, stamp: str) -> _States:
        """The user's states with the group's licenses evaluated again, in place of its old ones."""
        gid = group.id.lower()
        mine = [(s, t) for s, t in states if (s.assigned_by_group or "").lower() == gid]
        others = [(s, t) for s, t in states if (s.assigned_by_group or "").lower() != gid]
        current, held = _held(states), _held(others)
        trial = dict(held)
        failure: str | None = None
        for lic in group.assigned_licenses:
            k = lic.sku_id.lower()
            # A product the user holds through this group already keeps its seat.
            if k not in held and k not in current and not self._seat_free(k):
                failure = failure or "CountViolation"
            trial[k] = _merge(trial.get(k), lic.sku_id, lic.disabled_plans)
            if failure is None and self._conflict(trial, {k}) is not None:
                failure = "MutuallyExclusiveViolation"
        old = {s.sku_id.lower(): (s, t) for s, t in mine}
        fresh: _States = []
        for lic in group.assigned_licenses:
            # Every license of the group gets the failure: the emulator's choice where Microsoft
            # documents only that none of them is assigned.
            s = LicenseAssignmentState(
                lic.sku_id, group.id, "Error" if failure else "Active", failure or "None", lic.disabled_plans
            )
            before = old.get(lic.sku_id.lower())
            fresh.append((s, before[1] if before is not None and before[0] == s else stamp))
        out: _States = []
        placed = False
        for s, t in states:
            if (s.assigned_by_group or "").lower() == gid:
                if not placed:
                    out.extend(fresh)
                    placed = True
                continue
            out.append((s, t))
        if not placed:
            out.extend(fresh)
        return out

    def nested_members(self, group: Group) -> frozenset[str]:
        """The group's members through a nested group only, as `nested_from` shows them (lower-case ids).
        Nested groups' own members are not written here, so these stay members of the group whatever
        happens to their direct membership. Built once per group, at its first removal."""
        key = group.id.lower()
        found = self._nested.get(key)
        if found is None:
            loaded = next((g for g in self._nesting.groups if g.id.lower() == key), None)
            found = frozenset()
            if loaded is not None and loaded.direct_members is not None:
                direct = {m.lower() for m in loaded.direct_members}
                found = frozenset(m.lower() for m in loaded.members if m.lower() not in direct)
            self._nested[key] = found
        return found

    def _replace_group(self, group: Group, **changes: Any) -> Group:
        """Replace a group; its hasMembersWithLicenseErrors is then read from its members' states."""
        new = msgspec.structs.replace(group, has_members_with_license_errors=None, **changes)
        self.written = True  # first: a request that sees the new group must not pick pre-encoded members
        self.groups[self._group_at[group.id.lower()]] = new
        self._license_errors = None
        return new

    def _commit(self, at: int, user: User, states: _States) -> User:
        before, after = _held(self._states(user)), _held(states)
        licenses: list[AssignedLicense] = []
        for lic in user.assigned_licenses:
            h = after.get(lic.sku_id.lower())
            if h is not None and all(x.sku_id.lower() != lic.sku_id.lower() for x in licenses):
                licenses.append(AssignedLicense(h.sku_id, h.disabled))
        listed = {x.sku_id.lower() for x in licenses}
        licenses += [AssignedLicense(h.sku_id, h.disabled) for k, h in after.items() if k not in listed]
        new = user.with_values(
            assigned_licenses=tuple(licenses),
            license_assignment_states=tuple(msgspec.structs.replace(s, last_updated_date_time=t) for s, t in states),
        )
        self.written = True  # first: a request that sees the change must not serve pre-encoded pages
        self.users[at] = new
        for k in after.keys() ^ before.keys():
            sku_at = self._sku_at.get(k)
            if sku_at is not None:
                sku = self.skus[sku_at]
                step = 1 if k in after else -1
                self.skus[sku_at] = msgspec.structs.replace(sku, consumed_units=max(0, sku.consumed_units + step))
        self._license_errors = None
        return new


def _merge(held: _Held | None, sku_id: str, disabled: tuple[str, ...]) -> _Held:
    off = frozenset(p.lower() for p in disabled)
    if held is None:
        return _Held(sku_id, tuple(disabled), off)
    both = held.off & off
    return _Held(held.sku_id, tuple(p for p in held.disabled if p.lower() in both), both)


def _held(states: _States) -> dict[str, _Held]:
    """The products the states give (Active or ActiveWithError), by lower-case skuId."""
    out: dict[str, _Held] = {}
    for s, _ in states:
        if s.state in ACTIVE_STATES:
            k = s.sku_id.lower()
            out[k] = _merge(out.get(k), s.sku_id, s.disabled_plans)
    return out


def _read_assign(doc: Any) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """The products an assignLicense body adds (with their disabledPlans) and removes."""
    if not isinstance(doc, dict):
        raise bad("Empty Payload. JSON content expected.")
    unknown = sorted(set(doc) - {"addLicenses", "removeLicenses"})
    if unknown:
        raise bad(
            f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.assignLicense'.", "RequestBodyRead"
        )
    for name in ("addLicenses", "removeLicenses"):
        if not isinstance(doc.get(name), list):
            raise bad(f"Invalid value specified for property '{name}' of resource 'User'.")
    adds: list[tuple[str, tuple[str, ...]]] = []
    for item in doc["addLicenses"]:
        sku_id = item.get("skuId") if isinstance(item, dict) else None
        disabled = item.get("disabledPlans") if isinstance(item, dict) else None
        if not isinstance(sku_id, str) or not sku_id:
            raise bad("Invalid value specified for property 'skuId' of resource 'AssignedLicense'.")
        if disabled is None:
            disabled = []
        if not isinstance(disabled, list) or not all(isinstance(p, str) for p in disabled):
            raise bad("Invalid value specified for property 'disabledPlans' of resource 'AssignedLicense'.")
        adds.append((sku_id, tuple(disabled)))
    removes = doc["removeLicenses"]
    if not all(isinstance(s, str) and s for s in removes):
        raise bad("Invalid value specified for property 'removeLicenses' of resource 'User'.")
    keys = [s.lower() for s, _ in adds] + [s.lower() for s in removes]
    if len(set(keys)) != len(keys):
        # Graph's wording for a product named twice is not documented; the emulator refuses it.
        raise bad("A license may be named only once in addLicenses and removeLicenses.")
    return adds, list(removes)
