"""The services a rule asks beside the index: the groups (GroupIndex), what a removal would cost
(DataLoss) and when an account was disabled (DisableTimes). Each is built once per audit by
Context; answers that depend only on a user's license layout are kept per layout. Every answer is
the caller's own dict: nothing shared is handed out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import TypedDict

from auditor.common.timestamps import timestamp_or_none
from auditor.data.audit_entries import DirectoryAudits, disabled_times
from auditor.data.model import Group, Layout, User
from auditor.policy.index import TenantIndex

from ..reference import product_names
from .fix_facts import DataKinds, DataLost, GroupFacts, GroupJoin, GroupKindFacts, Leaving, NotApplied, Replacement
from .group_kinds import membership_kind
from .plan_loss import ServicePlanLoss
from .storage_fit import Shrink, shrink
from .storage_fit import verdict as storage_verdict

# how long Entra ID keeps directory audit entries: 30 days with Entra ID P1 or P2, 7 without
# (docs/policy.md, "grace_days"); the service plans that show P1 or P2
AUDIT_KEPT_P1_DAYS, AUDIT_KEPT_FREE_DAYS = 30, 7
ENTRA_P1_P2 = frozenset(("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "eec0eb4f-6444-4f95-aba0-50c24d67f998"))
ASSIGNED = "assigned"  # the kind of a group whose members a membership call may change
LostKey = tuple[Layout, frozenset[str], tuple[str, ...]]  # a layout, the products removed, those added


class DisabledAt(TypedDict, total=False):
    """When the account was disabled (DisableTimes.of), which the engine adds to a disabled-user finding."""

    disabled_at: str | None
    disabled_from: str  # employeeLeaveDateTime | directoryAudit | auditSpan
    audit_span_days: int  # auditSpan: the days the directory audit spans, all before the disable
    disable_unknown: str  # audit_not_read | not_in_audit


class DataEnded(TypedDict, total=False):
    """What a removal would end, which the engine adds to a finding whose fix removes products
    (DataLoss.kinds and the data lost): the kinds of data each product holds, and the service plans
    whose data a removal ends, by product."""

    data_kinds: dict[str, list[str]]  # part number -> mailbox | archive | files
    data_lost: dict[str, list[str]]  # part number -> the service plans whose data goes


class HeldTwice(TypedDict, total=False):
    """Products held directly and from a group (DataLoss.held_twice)."""

    also_by_group: dict[str, list[str]]  # product -> the groups that also assign it
    plans_lost: dict[str, list[str]]  # product -> service plans only the direct copy turns on


class GroupIndex:
    """The tenant's groups: by id, their kind, the groups that give a product, and what leaving
    them takes from a user."""

    def __init__(self, index: TenantIndex) -> None:
        self.index = index
        self._by_id = {g.id.lower(): g for g in index.snapshot.groups}
        self._giving: dict[str, list[Group]] | None = None  # skuId -> groups assigning it
        self._members: dict[str, frozenset[str]] = {}
        self._leaving_of: dict[tuple[Layout, frozenset[str]], Leaving] = {}

    def replacement(self, user: User, sku_id: str, allowed: frozenset[str]) -> Replacement:
        """{"replace_group": {"id", "name", "gives"}}: a group that assigns `sku_id` and `user` is not
        in, preferring one that gives nothing outside `allowed`, then by name; `gives` = the part
        numbers it would newly give the user. Empty when no such group is known."""
        sid = sku_id.lower()
        best: tuple[bool, str, str] | None = None
        found: GroupJoin = {}
        for group in self._groups_giving().get(sid) or []:
            if user.id in self._member_set(group.id):
                continue
            new = {lic.sku_id.lower() for lic in group.assigned_licenses} - user.sku_ids
            key = (bool(new - allowed), group.display_name.lower(), group.id)
            if best is None or key < best:
                best = key
                found = GroupJoin(id=group.id, name=group.display_name, gives=sorted(self.index.part(s) for s in new))
                kind = self.kind(group.id) or GroupKindFacts(kind=ASSIGNED)
                found["kind"] = kind["kind"]
                if "rule" in kind:
                    found["rule"] = kind["rule"]
        return {"replace_group": found} if found else {}

    def not_applied(self, user: User, sku_ids: Iterable[str]) -> NotApplied:
        """The groups that assign one of `sku_ids` and that `user` is a member of (as far as the
        snapshot shows members: the groups the policies name) without holding their copy:
        {"group_membership": [{"id", "name", "gives": [part numbers of `sku_ids` it assigns],
        "via": nested | direct | unknown}], "group_kinds": {id: group_kind}}. `via`: nested when the
        user is not among the group's direct members (group-based licensing follows direct members
        only), direct when the user is (the group's copy is not applied yet), unknown when the
        direct members were not read. Empty when there is no such group."""
        wanted = {s.lower() for s in sku_ids}
        held_from = {(s.assigned_by_group or "").lower() for s in user.license_assignment_states}
        found: list[GroupJoin] = []
        for group in sorted(
            {g.id: g for s in wanted for g in self._groups_giving().get(s) or []}.values(),
            key=lambda g: (g.display_name.lower(), g.id),
        ):
            if group.id.lower() in held_from or user.id not in self._member_set(group.id):
                continue
            direct = group.direct_members
            via = "unknown" if direct is None else "direct" if user.id in direct else "nested"
            gives = sorted(
                {self.index.part(lic.sku_id.lower()) for lic in group.assigned_licenses}
                & {self.index.part(s) for s in wanted}
            )
            found.append(GroupJoin(id=group.id, name=group.display_name, gives=gives, via=via))
        if not found:
            return {}
        kinds = {g["id"]: kind for g in found if (kind := self.kind(g["id"])) is not None}
        return {"group_membership": found, "group_kinds": kinds}

    def get(self, group_id: str) -> Group | None:
        return self._by_id.get(group_id.lower())

    def kind(self, group_id: str) -> GroupKindFacts | None:
        """{"kind": dynamic | synced | mail | unknown[, "rule": the membership rule]} for a group whose
        members no program may change: a dynamic group (its rule decides), one synced from
        on-premises Active Directory (changed there), a mail-enabled security group or distribution
        list (changed in Exchange Online), or one whose kind the snapshot does not show. None for a
        group whose members a membership call changes."""
        group = self.get(group_id)
        kind = membership_kind(group)
        if kind == "dynamic" and group is not None:
            return {"kind": kind, "rule": group.membership_rule or ""}
        return None if kind is None else {"kind": kind}

    def details(self, group_ids: Iterable[str], parts: Iterable[str]) -> GroupFacts:
        """What a finding's details say about the groups that give its products (`group_ids`):
        {"group_kinds": {id: group_kind}} for those whose members no program may change (present,
        maybe empty, whenever a group gives one: its absence in an older report means not known),
        and {"group_licenses": {id: [part numbers]}} for a group that gives more than the finding's
        products (`parts`), so leaving it says what else goes."""
        ids = sorted(set(group_ids))
        if not ids:
            return {}
        kinds = {gid: kind for gid in ids if (kind := self.kind(gid)) is not None}
        own = set(parts)
        licenses: dict[str, list[str]] = {}
        for gid in ids:
            group = self.get(gid)
            gives = sorted({self.index.part(lic.sku_id.lower()) for lic in group.assigned_licenses}) if group else []
            if set(gives) - own:
                licenses[gid] = gives
        found = GroupFacts(group_kinds=kinds)
        if licenses:
            found["group_licenses"] = licenses
        return found

    def _groups_giving(self) -> dict[str, list[Group]]:
        if self._giving is None:
            self._giving = {}
            for group in self.index.snapshot.groups:
                for lic in group.assigned_licenses:
                    self._giving.setdefault(lic.sku_id.lower(), []).append(group)
        return self._giving

    def _member_set(self, group_id: str) -> frozenset[str]:
        found = self._members.get(group_id)
        if found is None:
            group = next(g for g in self.index.snapshot.groups if g.id == group_id)
            found = self._members[group_id] = frozenset(group.members)
        return found

    def leaving(self, user: User, sku_ids: Iterable[str]) -> Leaving:
        """{"leaving": {group id: [part numbers]}} for the groups that assign one of `sku_ids` to
        the user, in the order the fix leaves them (by product, then as assigning_group_ids lists
        them): the products the user loses at each step, the groups before it counted as already
        left (for one group: what leaving it takes). A product also held directly, or from a group
        not left, is never lost. Empty when no group assigns them. Once per license layout."""
        skus = frozenset(s.lower() for s in sku_ids)
        key = (user.layout, skus)
        found = self._leaving_of.get(key)
        if found is None:
            found = self._leaving_of[key] = self._leaving(user, skus)
        return found.copy()

    def _leaving(self, user: User, skus: frozenset[str]) -> Leaving:
        order: list[str] = []
        for sid in sorted(skus, key=self.index.part):
            order += [gid for gid in self.index.assigning_group_ids(user, sid) if gid not in order]
        if not order:
            return {}
        sources: dict[str, set[str]] = {}  # product -> its sources: group ids (lower), "" = direct
        for state in user.license_assignment_states:
            sources.setdefault(state.sku_id.lower(), set()).add((state.assigned_by_group or "").lower())
        for lic in user.assigned_licenses:
            sources.setdefault(lic.sku_id.lower(), {""})
        left: set[str] = set()
        gone: set[str] = set()
        out: dict[str, list[str]] = {}
        for gid in order:
            left.add(gid.lower())
            now = {sid for sid, src in sources.items() if src <= left} - gone
            gone |= now
            out[gid] = sorted(self.index.part(sid) for sid in now)
        return {"leaving": out}


class DataLoss:
    """What removing products would cost a user: the service plans it switches off and the data
    they hold (`plans`: service_plan_loss.py), the storage a smaller plan keeps, and the copies
    held twice. Every removal the rules propose is checked here."""

    def __init__(self, index: TenantIndex) -> None:
        self.index = index
        self.plans = ServicePlanLoss(index)
        self._lost: dict[LostKey, DataLost] = {}
        self._lost_no_archive: dict[LostKey, DataLost] = {}
        self._shrinks: dict[LostKey, Shrink | None] = {}
        self._kinds: dict[Layout, dict[str, list[str]]] = {}

    def of(self, user: User, removed: Iterable[str], added: Iterable[str] = ()) -> DataLost:
        """What the fix for `removed` would cost the user, as the guidance carries it out:
        {"data_lost": {part: [plan names]}} for the mailbox, archive or files it would end, and
        {"plans_unknown": [parts]} for products whose service plans nobody lists (they may hold
        data: never a ready-to-run removal). A product held directly goes in one assignLicense
        (with `added` given in the same call); one a group assigns goes by leaving every group that
        assigns it, which takes every product those groups give the user (and nothing else gives)."""
        gone, new = frozenset(removed), tuple(sorted(added))
        key = (user.layout, gone, new)
        found = self._lost.get(key)
        if found is None:
            found = self._lost[key] = self._data_lost(user, gone, new)
        # A change that keeps the mailbox or OneDrive under a smaller plan rests on the data's size
        # (per user, from the usage reports): `storage` says whether it fits (impact/storage_fit.py).
        if key not in self._shrinks:
            self._shrinks[key] = self._shrink(user, gone, new)
        change = self._shrinks[key]
        if change is None:
            return found.copy()
        storage = storage_verdict(self.index, user, change)
        if storage["storage"].get("has_archive") is False:
            # the tenant shows no archive mailbox: the plan left losing the archive ends no data
            # (whatever else the change waits for, it does not wait to keep an archive)
            found = self._lost_no_archive.get(key)
            if found is None:
                found = self._lost_no_archive[key] = self._data_lost(user, gone, new, frozenset({"archive"}))
        out = found.copy()
        out["storage"] = storage["storage"]
        return out

    def _shrink(self, user: User, gone: frozenset[str], added: Iterable[str]) -> Shrink | None:
        """storage_fit.shrink for removing `gone` from `user` (and giving `added` in its place): the
        products held directly go, and leaving the groups that assign the others takes what those
        groups give and nothing else does."""
        grouped = {sid for sid in gone if self.index.assigning_group_ids(user, sid)}
        left = {gid for sid in grouped for gid in self.index.assigning_group_ids(user, sid)}
        taken = (set(gone) - grouped) | (self.plans.taken_by_leaving(user, left) if left else set())
        before = self.plans.enabled_ids(user, user.sku_ids)
        after = self.plans.enabled_ids(user, user.sku_ids - taken) | {
            pid for sid in added for pid, _ in self.plans.service_plans(sid)
        }
        return shrink(before, after)

    def _data_lost(
        self, user: User, gone: frozenset[str], added: tuple[str, ...], absent: frozenset[str] = frozenset()
    ) -> DataLost:
        grouped = frozenset(sid for sid in gone if self.index.assigning_group_ids(user, sid))
        lost = dict(self.plans.of(user, gone - grouped, added, absent)) if gone - grouped else {}
        for sid in sorted(grouped, key=self.index.part):
            leaving = self.plans.of_leaving(user, self.index.assigning_group_ids(user, sid), added, absent)
            names = sorted({name for plans in leaving.values() for name in plans})
            if names:
                lost[self.index.part(sid)] = names
        unknown = self.plans.unknown(user, gone)
        out = DataLost()
        if lost:
            out["data_lost"] = lost
        if unknown:
            out["plans_unknown"] = unknown
        out["data_kinds"] = self.kinds(user)["data_kinds"]
        return out

    def kinds(self, user: User) -> DataKinds:
        """{"data_kinds": {part: [kinds]}}: the kinds of data (mailbox, archive, files) each product
        the user holds keeps, for a finding whose fix removes products. Each finding's own removal
        is checked here; a plan that merges several findings' removals for one user checks their
        sum from these (auditor.plan). Once per license layout; always present (maybe empty)."""
        found = self._kinds.get(user.layout)
        if found is None:
            found = self._kinds[user.layout] = self.plans.held_kinds(user)
        return {"data_kinds": found}

    def held_twice(self, user: User, sku_ids: Iterable[str]) -> HeldTwice:
        """For products the user holds both directly and from a group: the groups, and the service
        plans only the direct copy turns on (removing it would switch them off, a mailbox with
        Exchange Online). Empty when no product is held twice."""
        by_group: dict[str, list[str]] = {}
        lost: dict[str, list[str]] = {}
        for sid in sorted(sku_ids):
            states = [s for s in user.license_assignment_states if s.sku_id.lower() == sid]
            direct = [s for s in states if not s.assigned_by_group]
            # only a group copy that works can stand in for the direct one (not one in error)
            grouped = [s for s in states if s.assigned_by_group and s.state == "Active" and not s.is_error]
            if not direct or not grouped:
                continue
            part = self.index.part(sid)
            by_group[part] = self.index.assigning_groups(user, sid)
            # a plan is on in a copy unless that copy disables it; the groups' copies add up
            off_in_groups = set.intersection(*(set(s.disabled_plans) for s in grouped))
            only_direct = sorted(off_in_groups - set(direct[0].disabled_plans))
            if only_direct:
                lost[part] = [self.service_plan_name(sid, plan) for plan in only_direct]
        return HeldTwice(also_by_group=by_group, plans_lost=lost) if by_group else {}

    def service_plan_name(self, sku_id: str, plan_id: str) -> str:
        """A service plan's name: the tenant's subscribedSkus first, then Microsoft's table, else its id."""
        sku = self.index.sku_by_id.get(sku_id.lower())
        for plan in sku.service_plans if sku else ():
            if plan.service_plan_id.lower() == plan_id.lower():
                return product_names().plan(plan_id=plan_id) or plan.service_plan_name
        return product_names().plan(plan_id=plan_id) or plan_id


class DisableTimes:
    """When an account was disabled, for grace_days."""

    def __init__(self, index: TenantIndex) -> None:
        self.index = index
        self._times: dict[str, str] | None = None  # user id -> disable time

    def of(self, user: User) -> DisabledAt:
        """The disable time grace_days counts from, for a finding's details:

            {"disabled_at": time, "disabled_from": "employeeLeaveDateTime" | "directoryAudit"}
            {"disabled_at": None, "disable_unknown": "audit_not_read" | "not_in_audit"}

        Graph's employeeLeaveDateTime comes first (when the user left the organization); else the
        latest directory audit entry that disabled the account ("Disable account", or "Update user"
        with AccountEnabled becoming false; auditor.data.audit_entries.disabled_times), unless one enabled it
        again since. Unknown when neither shows it: the directory audit was not read (no
        AuditLog.Read.All), or holds no such entry (Entra ID keeps them 30 days, 7 without P1 or
        P2: an older disable is not there)."""
        if user.employee_leave_date_time:
            return DisabledAt(disabled_at=user.employee_leave_date_time, disabled_from="employeeLeaveDateTime")
        audits = self.index.snapshot.directory_audits
        read = isinstance(audits, DirectoryAudits)
        if self._times is None:
            self._times = disabled_times(audits if read else None)
        found = self._times.get(user.id.lower())
        if found is not None:
            return DisabledAt(disabled_at=found, disabled_from="directoryAudit")
        if read and isinstance(audits, DirectoryAudits):
            bound = self.audit_span_start(audits, user)
            if bound is not None:
                # no entry of the log disabled it, and the log reaches back that far: the account
                # was disabled before the log's start (or at its creation, made disabled)
                return DisabledAt(disabled_at=bound[0], disabled_from="auditSpan", audit_span_days=bound[1])
        return DisabledAt(disabled_at=None, disable_unknown="not_in_audit" if read else "audit_not_read")

    def audit_span_start(self, audits: DirectoryAudits, user: User) -> tuple[str, int] | None:
        """(the earliest time the directory audit shows, the days it spans) for an account no entry
        of it disabled, or None when that says nothing. The log spans what was read (`since` to
        `until`), and at most what Entra ID keeps: 30 days in a tenant with Entra ID P1 or P2, else 7
        (docs/policy.md). An account created within the span was disabled from its creation."""
        since, until = timestamp_or_none(audits.since), timestamp_or_none(audits.until)
        if since is None or until is None or until <= since:
            return None
        premium = any(
            p.service_plan_id.lower() in ENTRA_P1_P2
            for sku in self.index.snapshot.skus
            if sku.capability_status.lower() in ("enabled", "warning")
            for p in sku.service_plans
        )
        kept = AUDIT_KEPT_P1_DAYS if premium else AUDIT_KEPT_FREE_DAYS
        days = min((until - since).days, kept)
        if days <= 0:
            return None
        start = until - timedelta(days=days)
        created = timestamp_or_none(user.created_date_time)
        if created is not None and created > start:
            start = created
        return start.astimezone(UTC).isoformat().replace("+00:00", "Z"), days
