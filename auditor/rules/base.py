"""What every rule is: an id, a default severity, the policy key it owns (with its JSON-Schema
fragment), the tenant data it needs, and an evaluate() that yields findings. No I/O."""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from ..billing.file import BillingFile
from ..directory_audits import DirectoryAudits, disabled_times
from ..guidance.library import RuleGuidance
from ..index import TenantIndex
from ..model import Finding, Group, Layout, Severity, Subject, SubjectType, User
from ..policy.model import CatalogEntry, Policy, Selector
from ..reference import product_names
from ..timestamps import timestamp_or_none
from .service_plan_loss import ServicePlanLoss
from .storage_fit import Shrink, shrink
from .storage_fit import verdict as storage_verdict

T = TypeVar("T")
# how long Entra ID keeps directory audit entries: 30 days with Entra ID P1 or P2, 7 without
# (docs/policy.md, "grace_days"); the service plans that show P1 or P2
AUDIT_KEPT_P1_DAYS, AUDIT_KEPT_FREE_DAYS = 30, 7
ENTRA_P1_P2 = frozenset(("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "eec0eb4f-6444-4f95-aba0-50c24d67f998"))
ASSIGNED = "assigned"  # the kind of a group whose members a membership call may change
_UNKNOWN: Any = object()  # per_layout: no answer yet (an answer may be None)


def finding_id(rule: str, policy: str, subject: Subject, skus: Sequence[str], *, also: str = "") -> str:
    """Stable across runs. `also` tells apart findings that share all the rest (one product failing
    from two groups); empty for the rest, so their ids stay what they were."""
    key = "|".join((rule, policy, subject.type.value, subject.id.lower(), ",".join(sorted(skus))))
    key += f"|{also.lower()}" if also else ""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class Context:
    """Everything a rule may read: the index over the snapshot, the clock and the prices."""

    index: TenantIndex
    as_of: datetime
    prices: dict[str, CatalogEntry]  # skuId (lower) -> catalog entry carrying price / free
    billing: BillingFile | None = None  # audit --billing: each subscription's term (auditor.billing)
    # (license layout, SKUs, assignment) -> user_details
    _details: dict[tuple[Layout, frozenset[str], str | None], dict[str, Any]] = field(default_factory=dict,
                                                                                      repr=False)
    # (question, license layout) -> the answer (per_layout)
    _layouts: dict[tuple[str, Layout], Any] = field(default_factory=dict, repr=False)

    _loss: ServicePlanLoss | None = field(default=None, repr=False)
    _giving: dict[str, list[Group]] | None = field(default=None, repr=False)  # skuId -> groups assigning it
    _members: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _group_by_id: dict[str, Group] | None = field(default=None, repr=False)  # lower-case id -> group
    _disabled: dict[str, str] | None = field(default=None, repr=False)  # user id -> disable time

    def disabled_at(self, user: User) -> str | None:
        """When the account was disabled (ISO 8601), or None when the tenant does not show it."""
        return self.disable_time(user)["disabled_at"]

    def disable_time(self, user: User) -> dict[str, Any]:
        """The disable time grace_days counts from, for a finding's details:

            {"disabled_at": time, "disabled_from": "employeeLeaveDateTime" | "directoryAudit"}
            {"disabled_at": None, "disable_unknown": "audit_not_read" | "not_in_audit"}

        Graph's employeeLeaveDateTime comes first (when the user left the organization); else the
        latest directory audit entry that disabled the account ("Disable account", or "Update user"
        with AccountEnabled becoming false; auditor.directory_audits.disabled_times), unless one enabled it
        again since. Unknown when neither shows it: the directory audit was not read (no
        AuditLog.Read.All), or holds no such entry (Entra ID keeps them 30 days, 7 without P1 or
        P2: an older disable is not there)."""
        if user.employee_leave_date_time:
            return {"disabled_at": user.employee_leave_date_time, "disabled_from": "employeeLeaveDateTime"}
        audits = self.index.snapshot.directory_audits
        read = isinstance(audits, DirectoryAudits)
        if self._disabled is None:
            self._disabled = disabled_times(audits if read else None)
        found = self._disabled.get(user.id.lower())
        if found is not None:
            return {"disabled_at": found, "disabled_from": "directoryAudit"}
        if read and isinstance(audits, DirectoryAudits):
            bound = self.audit_span_start(audits, user)
            if bound is not None:
                # no entry of the log disabled it, and the log reaches back that far: the account
                # was disabled before the log's start (or at its creation, made disabled)
                return {"disabled_at": bound[0], "disabled_from": "auditSpan", "audit_span_days": bound[1]}
        return {"disabled_at": None, "disable_unknown": "not_in_audit" if read else "audit_not_read"}

    def audit_span_start(self, audits: DirectoryAudits, user: User) -> tuple[str, int] | None:
        """(the earliest time the directory audit shows, the days it spans) for an account no entry
        of it disabled, or None when that says nothing. The log spans what was read (`since` to
        `until`), and at most what Entra ID keeps: 30 days in a tenant with Entra ID P1 or P2, else 7
        (docs/policy.md). An account created within the span was disabled from its creation."""
        since, until = timestamp_or_none(audits.since), timestamp_or_none(audits.until)
        if since is None or until is None or until <= since:
            return None
        premium = any(p.service_plan_id.lower() in ENTRA_P1_P2 for sku in self.index.snapshot.skus
                      if sku.capability_status.lower() in ("enabled", "warning") for p in sku.service_plans)
        kept = AUDIT_KEPT_P1_DAYS if premium else AUDIT_KEPT_FREE_DAYS
        days = min((until - since).days, kept)
        if days <= 0:
            return None
        start = until - timedelta(days=days)
        created = timestamp_or_none(user.created_date_time)
        if created is not None and created > start:
            start = created
        return start.astimezone(UTC).isoformat().replace("+00:00", "Z"), days

    @property
    def loss(self) -> ServicePlanLoss:
        """What a removal would cost a user (service_plan_loss.py); every proposed removal is checked with it."""
        if self._loss is None:
            self._loss = ServicePlanLoss(self.index)
        return self._loss

    def data_lost(self, user: User, removed: Iterable[str], added: Iterable[str] = ()) -> dict[str, Any]:
        """What the fix for `removed` would cost the user, as the guidance carries it out:
        {"data_lost": {part: [plan names]}} for the mailbox, archive or files it would end, and
        {"plans_unknown": [parts]} for products whose service plans nobody lists (they may hold
        data: never a ready-to-run removal). A product held directly goes in one assignLicense
        (with `added` given in the same call); one a group assigns goes by leaving every group that
        assigns it, which takes every product those groups give the user (and nothing else gives)."""
        gone, new = frozenset(removed), tuple(sorted(added))
        what = f"data_lost:{','.join(sorted(gone))}:{','.join(new)}"
        found = self.per_layout(what, user, lambda u: self._data_lost(u, gone, new))
        # A change that keeps the mailbox or OneDrive under a smaller plan rests on the data's size
        # (per user, from the usage reports): `storage` says whether it fits (rules/storage_fit.py).
        change = self.per_layout("storage:" + what, user, lambda u: self._shrink(u, gone, new))
        if change is None:
            return found
        storage = storage_verdict(self.index, user, change)
        if storage["storage"].get("has_archive") is False:
            # the tenant shows no archive mailbox: the plan left losing the archive ends no data
            # (whatever else the change waits for, it does not wait to keep an archive)
            found = self.per_layout(what + ":no-archive", user,
                                    lambda u: self._data_lost(u, gone, new, frozenset({"archive"})))
        return found | storage

    def _shrink(self, user: User, gone: frozenset[str], added: Iterable[str]) -> Shrink | None:
        """storage_fit.shrink for removing `gone` from `user` (and giving `added` in its place): the
        products held directly go, and leaving the groups that assign the others takes what those
        groups give and nothing else does."""
        grouped = {sid for sid in gone if self.index.assigning_group_ids(user, sid)}
        left = {gid for sid in grouped for gid in self.index.assigning_group_ids(user, sid)}
        taken = (set(gone) - grouped) | (self.loss.taken_by_leaving(user, left) if left else set())
        before = self.loss.enabled_ids(user, user.sku_ids)
        after = self.loss.enabled_ids(user, user.sku_ids - taken) | {
            pid for sid in added for pid, _ in self.loss.service_plans(sid)}
        return shrink(before, after)

    def _data_lost(self, user: User, gone: frozenset[str], added: tuple[str, ...],
                   absent: frozenset[str] = frozenset()) -> dict[str, Any]:
        grouped = frozenset(sid for sid in gone if self.index.assigning_group_ids(user, sid))
        lost = dict(self.loss.of(user, gone - grouped, added, absent)) if gone - grouped else {}
        for sid in sorted(grouped, key=self.index.part):
            leaving = self.loss.of_leaving(user, self.index.assigning_group_ids(user, sid), added, absent)
            names = sorted({name for plans in leaving.values() for name in plans})
            if names:
                lost[self.index.part(sid)] = names
        unknown = self.loss.unknown(user, gone)
        out: dict[str, Any] = {"data_lost": lost} if lost else {}
        return out | ({"plans_unknown": unknown} if unknown else {}) | self.data_kinds(user)

    def data_kinds(self, user: User) -> dict[str, Any]:
        """{"data_kinds": {part: [kinds]}}: the kinds of data (mailbox, archive, files) each product
        the user holds keeps, for a finding whose fix removes products. Each finding's own removal
        is checked here; a plan that merges several findings' removals for one user checks their
        sum from these (auditor.plan). Once per license layout; always present (maybe empty)."""
        return {"data_kinds": self.per_layout("data_kinds", user, self.loss.held_kinds)}

    def leaving(self, user: User, sku_ids: Iterable[str]) -> dict[str, Any]:
        """{"leaving": {group id: [part numbers]}} for the groups that assign one of `sku_ids` to
        the user, in the order the fix leaves them (by product, then as assigning_group_ids lists
        them): the products the user loses at each step, the groups before it counted as already
        left (for one group: what leaving it takes). A product also held directly, or from a group
        not left, is never lost. Empty when no group assigns them. Once per license layout."""
        skus = frozenset(s.lower() for s in sku_ids)
        return self.per_layout("leaving:" + ",".join(sorted(skus)), user, lambda u: self._leaving(u, skus))

    def _leaving(self, user: User, skus: frozenset[str]) -> dict[str, Any]:
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

    def replace_group(self, user: User, sku_id: str, allowed: frozenset[str]) -> dict[str, Any]:
        """{"replace_group": {"id", "name", "gives"}}: a group that assigns `sku_id` and `user` is not
        in, preferring one that gives nothing outside `allowed`, then by name; `gives` = the part
        numbers it would newly give the user. Empty when no such group is known."""
        sid = sku_id.lower()
        best: tuple[bool, str, str] | None = None
        found: dict[str, Any] = {}
        for group in self._groups_giving().get(sid) or []:
            if user.id in self._member_set(group.id):
                continue
            new = {lic.sku_id.lower() for lic in group.assigned_licenses} - user.sku_ids
            key = (bool(new - allowed), group.display_name.lower(), group.id)
            if best is None or key < best:
                best = key
                found = {"id": group.id, "name": group.display_name, "gives": sorted(self.index.part(s) for s in new)}
                found |= self.group_kind(group.id) or {"kind": ASSIGNED}
        return {"replace_group": found} if found else {}

    def groups_not_applied(self, user: User, sku_ids: Iterable[str]) -> dict[str, Any]:
        """The groups that assign one of `sku_ids` and that `user` is a member of (as far as the
        snapshot shows members: the groups the policies name) without holding their copy:
        {"group_membership": [{"id", "name", "gives": [part numbers of `sku_ids` it assigns],
        "via": nested | direct | unknown}], "group_kinds": {id: group_kind}}. `via`: nested when the
        user is not among the group's direct members (group-based licensing follows direct members
        only), direct when the user is (the group's copy is not applied yet), unknown when the
        direct members were not read. Empty when there is no such group."""
        wanted = {s.lower() for s in sku_ids}
        held_from = {(s.assigned_by_group or "").lower() for s in user.license_assignment_states}
        found: list[dict[str, Any]] = []
        for group in sorted({g.id: g for s in wanted for g in self._groups_giving().get(s) or []}.values(),
                            key=lambda g: (g.display_name.lower(), g.id)):
            if group.id.lower() in held_from or user.id not in self._member_set(group.id):
                continue
            direct = group.direct_members
            via = "unknown" if direct is None else "direct" if user.id in direct else "nested"
            gives = sorted({self.index.part(lic.sku_id.lower()) for lic in group.assigned_licenses} &
                           {self.index.part(s) for s in wanted})
            found.append({"id": group.id, "name": group.display_name, "gives": gives, "via": via})
        if not found:
            return {}
        kinds = {g["id"]: kind for g in found if (kind := self.group_kind(g["id"])) is not None}
        return {"group_membership": found, "group_kinds": kinds}

    def group(self, group_id: str) -> Group | None:
        if self._group_by_id is None:
            self._group_by_id = {g.id.lower(): g for g in self.index.snapshot.groups}
        return self._group_by_id.get(group_id.lower())

    def group_kind(self, group_id: str) -> dict[str, str] | None:
        """{"kind": dynamic | synced | mail | unknown[, "rule": the membership rule]} for a group whose
        members no program may change: a dynamic group (its rule decides), one synced from
        on-premises Active Directory (changed there), a mail-enabled security group or distribution
        list (changed in Exchange Online), or one whose kind the snapshot does not show. None for a
        group whose members a membership call changes."""
        group = self.group(group_id)
        if group is None or not group.kind_known:
            return {"kind": "unknown"}
        if group.synced:
            return {"kind": "synced"}
        if group.dynamic:
            return {"kind": "dynamic", "rule": group.membership_rule or ""}
        if group.mail_security:
            return {"kind": "mail"}
        return None

    def group_facts(self, group_ids: Iterable[str], parts: Iterable[str]) -> dict[str, Any]:
        """What a finding's details say about the groups that give its products (`group_ids`):
        {"group_kinds": {id: group_kind}} for those whose members no program may change (present,
        maybe empty, whenever a group gives one: its absence in an older report means not known),
        and {"group_licenses": {id: [part numbers]}} for a group that gives more than the finding's
        products (`parts`), so leaving it says what else goes."""
        ids = sorted(set(group_ids))
        if not ids:
            return {}
        kinds = {gid: kind for gid in ids if (kind := self.group_kind(gid)) is not None}
        own = set(parts)
        licenses: dict[str, list[str]] = {}
        for gid in ids:
            group = self.group(gid)
            gives = sorted({self.index.part(lic.sku_id.lower()) for lic in group.assigned_licenses}) if group else []
            if set(gives) - own:
                licenses[gid] = gives
        return {"group_kinds": kinds} | ({"group_licenses": licenses} if licenses else {})

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

    def monthly_price(self, sku_id: str) -> float | None:
        entry = self.prices.get(sku_id.lower())
        if entry is None or entry.free or entry.price is None:
            return None
        return entry.price.monthly

    def held_twice(self, user: User, sku_ids: Iterable[str]) -> dict[str, Any]:
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
        return {"also_by_group": by_group, "plans_lost": lost} if by_group else {}

    def per_layout(self, what: str, user: User, compute: Callable[[User], T]) -> T:
        """`compute(user)` for an answer that depends only on the user's license layout
        (assignedLicenses and licenseAssignmentStates, auditor.model.Layout): computed once per
        layout. `what` names the question."""
        key = (what, user.layout)
        answer: T = self._layouts.get(key, _UNKNOWN)
        if answer is _UNKNOWN:
            answer = self._layouts[key] = compute(user)
        return answer

    def service_plan_name(self, sku_id: str, plan_id: str) -> str:
        """A service plan's name: the tenant's subscribedSkus first, then Microsoft's table, else its id."""
        sku = self.index.sku_by_id.get(sku_id.lower())
        for plan in sku.service_plans if sku else ():
            if plan.service_plan_id.lower() == plan_id.lower():
                return product_names().plan(plan_id=plan_id) or plan.service_plan_name
        return product_names().plan(plan_id=plan_id) or plan_id

    def is_free(self, sku_id: str) -> bool:
        """Whether the policy's catalog marks the product free."""
        entry = self.prices.get(sku_id.lower())
        return entry is not None and entry.free

    def cost_of(self, sku_ids: Iterable[str]) -> float | None:
        prices = [p for p in (self.monthly_price(s) for s in sku_ids) if p is not None]
        return round(sum(prices), 2) if prices else None

    def user_subject(self, user: User) -> Subject:
        return Subject(SubjectType.USER, user.id, upn=user.user_principal_name, display_name=user.display_name)

    def user_details(self, user: User, sku_ids: Iterable[str], assignment: str | None) -> dict[str, Any]:
        """How `user` holds `sku_ids`, for a finding's details. Shared by every user with the same
        license layout (computed once per layout); callers copy it (`| extra`), never change it."""
        skus = sku_ids if isinstance(sku_ids, frozenset) else frozenset(sku_ids)
        key = (user.layout, skus, assignment)
        found = self._details.get(key)
        if found is None:
            ids = sorted(skus, key=self.index.part)
            found = self._details[key] = {
                "assignment": assignment,
                "assigned_by_group": {self.index.part(s): self.index.assigning_groups(user, s) for s in ids},
                "assigned_by_group_ids": {self.index.part(s): self.index.assigning_group_ids(user, s) for s in ids},
                "sku_ids": {self.index.part(s): self.index.sku_by_id[s].sku_id if s in self.index.sku_by_id else s
                            for s in ids},
            }
            found |= self.group_facts((g for s in ids for g in self.index.assigning_group_ids(user, s)),
                                      (self.index.part(s) for s in ids))
            # products held directly as well as from a group: removing them takes both the
            # assignLicense call and leaving the groups (only present when there are any)
            grouped = {st.sku_id.lower() for st in user.license_assignment_states if st.assigned_by_group}
            direct = {st.sku_id.lower() for st in user.license_assignment_states if not st.assigned_by_group}
            both = [self.index.part(s) for s in ids if s.lower() in grouped and s.lower() in direct]
            if both:
                found["also_direct"] = both
        return found


class Rule(RuleGuidance):
    """A rule: its id, default severity, policy key and schema fragment, evaluation, and (from
    RuleGuidance) its message and remediation. auditor.rules.RULES lists them."""

    id: ClassVar[str]
    default_severity: ClassVar[Severity]
    section: ClassVar[str]  # the top-level policy section the rule reads
    # the key it owns inside that section (schema fragment below); the rule's family parses its value
    # into the typed policy object the rule reads (parse_* beside each family, wired by policy/load.py)
    key: ClassVar[str | None] = None
    fragment: ClassVar[dict[str, Any] | None] = None
    needs: ClassVar[frozenset[str]] = frozenset({"users"})  # snapshot parts; see Gap.part
    waivable: ClassVar[bool] = True  # a policy's `waivers:` may name it
    reclaimable: ClassVar[bool] = False  # its cost counts as licenses to reclaim in the report summary

    @classmethod
    def example(cls) -> str:
        """The policy snippet after 'Example:' in the rule's docstring (a test validates it)."""
        doc = cls.__doc__ or ""
        return textwrap.dedent(doc.split("Example:\n", 1)[1]) if "Example:\n" in doc else ""

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def configured(self, policy: Policy) -> bool:
        """Whether `policy` asks for this rule at all."""
        raise NotImplementedError

    def selectors(self, policy: Policy) -> list[Selector]:
        """The selectors this rule applies in `policy` (their groups must be readable to evaluate it)."""
        return []

    def unavailable(self, policy: Policy, index: TenantIndex) -> str | None:
        """Why the snapshot cannot judge this rule for `policy` beyond `needs` (a report the policy
        needs that the snapshot lacks), or None."""
        return None

    def make(
        self,
        policy: Policy,
        where: str,
        subject: Subject,
        skus: Sequence[str],
        message: str,
        details: dict[str, Any],
        severity: Severity | None = None,
        monthly_cost: float | None = None,
        also: str = "",
    ) -> Finding:
        entry = f"{policy.name}/{where}"
        return Finding(
            id=finding_id(self.id, entry, subject, skus, also=also),
            rule=self.id,
            severity=policy.severity_for(self.id, self.default_severity, severity),
            policy=entry,
            subject=subject,
            skus=tuple(skus),
            message=message,
            facts=tuple(sorted(details.items())),
            monthly_cost=monthly_cost,
        )


SEVERITY_SCHEMA: dict[str, Any] = {"enum": ["low", "medium", "high", "critical"]}
SKU_REF_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^([A-Za-z0-9_.+\-]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
    "description": "skuPartNumber (e.g. SPE_E3) or skuId GUID",
}
SKU_LIST_SCHEMA: dict[str, Any] = {"type": "array", "items": SKU_REF_SCHEMA, "uniqueItems": True}


def parse_when(text: str | None) -> datetime | None:
    """Graph date-time text -> aware datetime; None when absent or unparseable."""
    return timestamp_or_none(text)
