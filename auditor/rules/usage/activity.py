"""Rules under `usage:` — licenses nobody uses, read from the Microsoft 365 usage reports.

    usage:
      - sku: Microsoft_365_Copilot
        workloads: [copilot]
        days: 30                 # no activity in these workloads for 30 days -> product-unused
      - rightsize: {from: SPE_E5, to: SPE_E3}
        unless_active: [teams_phone, power_bi, defender]   # whatever only the bigger product adds
        days: 90

The workload names and the report columns behind them are auditor/data/usage_data.py's WORKLOADS. A user is
judged only on the reports that list them; accounts created within the window are spared, and so
are products assigned or changed within it (licenseAssignmentStates.lastUpdatedDateTime) of an
account that never signed in or signed in after that change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from auditor.common.json_value import JsonObject
from auditor.data.agents import AGENT_USERS
from auditor.data.copilot_use import COPILOT_USE_FIELDS, last_copilot_use
from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, User
from auditor.data.sign_ins import last_sign_in
from auditor.data.usage_data import (
    MAX_DAYS,
    MEASURED,
    STORAGE_FIELDS,
    USAGE_REPORTS,
    WORKLOADS,
    UserUsage,
    workload_title,
)
from auditor.policy.index import TenantIndex

from ...data.reads import Reads, Requests
from ...policy.objects import Policy, Selector, UsageEntry
from ..assignments import licensing
from ..assignments.licensing import LicensingGroupEntry, ReplaceGroup
from ..assignments.selection import NO_REPLACEMENT, replacement_group
from ..base import SEVERITY_SCHEMA, SKU_REF_SCHEMA, Context, D, Rule, parse_when

# the workload whose use is any date of the Copilot report (auditor.data.copilot_use), not only its own
# Last Activity Date: a user of Copilot Chat on the web or in Edge uses the product
COPILOT_ANY = "copilot"
# (the mailbox purposes are read as the account rules read them: a usage policy alone asks none)
KIND_READS = frozenset({"department", "assignedLicenses", AGENT_USERS})
_DAYS: JsonObject = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_DAYS,
    "description": f"Days without activity (at most {MAX_DAYS}, the longest report period).",
}


def _workloads(names: tuple[str, ...] | list[str], description: str) -> JsonObject:
    """The JSON-Schema fragment of a list of workload names."""
    return {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"enum": list(names)},
        "description": description,
    }


def _workloads_of(entry: UsageEntry) -> tuple[str, ...]:
    return entry.workloads if entry.rightsize is None else entry.unless_active


class ProductUnusedDetails(Own, frozen=True, kw_only=True):
    """`days`, `workloads` (names), `last_activity` (latest date across them, YYYY-MM-DD, or null: none in the report
    period), `report_date` (the reports' refresh date)"""

    days: int | None = None  # None: not in the report (an older one)
    workloads: list[str] = []  # the workloads judged (use in any of them counts)
    last_activity: str | None = None
    report_date: str | None = None  # the oldest refresh date of the reports read


class RightsizeDetails(ProductUnusedDetails, frozen=True, kw_only=True):
    """`days`, `workloads` (the measured `unless_active`), `unmeasured` (those without a usage report),
    `last_activity`, `report_date`, `rightsize_to`; `allowed` (the smaller product), and `replace_with`,
    `replace_with_id`, `replace_group`, `licensing_group` as for sku-not-allowed (absent when the user already holds
    the smaller product); the finding's `monthly_cost` is the saving per month (none when `workloads` is empty:
    nothing was measured)"""

    optional: ClassVar[frozenset[str]] = frozenset(
        {"replace_with", "replace_with_id", "replace_group", "licensing_group"}
    )
    unmeasured: list[str] = []  # workloads Graph reports no per-user usage for: a person checks them
    rightsize_to: str = ""  # the smaller product
    allowed: list[str] = []
    replace_with: str = ""  # the smaller product, when the user does not hold it yet
    replace_with_id: str = ""
    replace_group: ReplaceGroup | None = None  # the group that assigns it (GroupIndex.replacement)
    licensing_group: dict[str, LicensingGroupEntry] = {}  # product -> its catalog licensing group


class UsageRule(Rule[D]):
    """A rule over `usage:` entries, on users. Needs the usage reports (Reports.Read.All)."""

    section = "usage"
    # the account kind too (User.kind): a usage report measures a person's use, so the accounts that
    # are not people (resource, Teams Rooms, agent users, shared mailboxes) are not judged by it
    reads = Reads("users", "subscribedSkus", USAGE_REPORTS, user=KIND_READS)
    reports_needed: ClassVar[str] = ""

    def entries(self, policy: Policy) -> list[UsageEntry]:
        raise NotImplementedError

    def workloads_of(self, entry: UsageEntry) -> tuple[str, ...]:
        """The workloads whose use the entry measures."""
        return _workloads_of(entry)

    def requests(self, policy: Policy) -> Requests:
        """The rule's `reads`, and the columns of the workloads each entry measures, over the
        longest of their windows."""
        entries = self.entries(policy)
        measured = {w.field for e in entries for w in map(WORKLOADS.__getitem__, self.workloads_of(e)) if w.field}
        if any(COPILOT_ANY in self.workloads_of(e) for e in entries):
            measured |= COPILOT_USE_FIELDS
        more = Requests(usage=frozenset(measured), usage_days=max((e.days for e in entries), default=0))
        return Requests.of(self.reads).merge(more)

    def configured(self, policy: Policy) -> bool:
        return bool(self.entries(policy))

    def unavailable(self, policy: Policy, index: TenantIndex) -> str | None:
        usage = index.snapshot.usage_reports
        wanted = sorted(
            {
                w.report.name
                for e in self.entries(policy)
                for w in map(WORKLOADS.__getitem__, self.workloads_of(e))
                if w.report
            }
        )
        missing = [name for name in wanted if usage is None or usage.read(name) is None]
        return f"tenant data not collected: {USAGE_REPORTS} ({', '.join(missing)})" if missing else None

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        usage = ctx.index.snapshot.usage_reports
        if usage is None:
            return
        for entry in self.entries(policy):
            yield from self.check(policy, entry, ctx, usage.by_upn)

    def check(self, policy: Policy, entry: UsageEntry, ctx: Context, rows: dict[str, UserUsage]) -> Iterator[Finding]:
        raise NotImplementedError

    @staticmethod
    def holders(ctx: Context, sku_id: str) -> Iterator[User]:
        """The holders of the product that are people (a person or a guest: User.kind)."""
        for user, _ in ctx.index.holders(Selector(all=True), None, lambda held: True if sku_id in held else None):
            if ctx.index.kind_of(user).person:
                yield user

    @staticmethod
    def in_grace(user: User, sku_id: str, cutoff: datetime) -> bool:
        """Created within the window, or given the product (its assignment last changed) within it
        and not signed in since before that change: an account that never signed in, or signed in
        after the change, has not had the time to use the product. A dormant account stays judged:
        a group license edit stamps every member's lastUpdatedDateTime, which would otherwise hide
        its unused products for a whole window."""
        created = parse_when(user.created_date_time)
        if created is not None and created >= cutoff:
            return True
        last = last_sign_in(user)
        for state in user.license_assignment_states:
            if state.sku_id.lower() == sku_id:
                when = parse_when(state.last_updated_date_time)
                if when is not None and when >= cutoff and (last is None or last >= when):
                    return True
        return False

    @staticmethod
    def activity(row: UserUsage, names: tuple[str, ...], cutoff: date) -> tuple[bool, str | None, list[str]]:
        """(active in any measured workload since cutoff, latest date seen, the unmeasured ones).
        A workload whose report did not list the user counts as not judged: active."""
        latest: str | None = None
        active = False
        unmeasured = []
        for name in names:
            workload = WORKLOADS[name]
            if workload.report is None:
                unmeasured.append(name)
                continue
            if workload.report.name not in row.reports:
                active = True  # not listed: no evidence of non-use
                continue
            if name == COPILOT_ANY:  # Copilot is used in any of its report's columns, as copilot-seat-idle reads it
                use = last_copilot_use(row)
                active = active or (use is not None and use.since(cutoff))
                last = use.day if use is not None else None
                latest = max(latest or last, last) if last is not None else latest
                continue
            last = row.last(workload)
            if last is not None:
                latest = max(latest or last, last)
                if date.fromisoformat(last) >= cutoff:
                    active = True
        return active, latest, unmeasured


class ProductUnused(UsageRule[ProductUnusedDetails]):
    """A user holds a product and the usage reports show no activity in any of its `workloads` for `days` days. The fix
    reclaims it (per product, per group, as the other removals do).

    Users the reports do not list and accounts created within the window are spared, and so are products assigned or
    changed within it of an account that never signed in or signed in after the change. Needs Reports.Read.All and
    report names that are not concealed.

    Example:
        usage:
          - sku: Microsoft_365_Copilot
            workloads: [copilot]
            days: 30
    """

    id = "product-unused"
    removes = True  # the fix takes the finding's products away
    default_severity = Severity.MEDIUM
    reclaimable = True
    key = "sku"
    fragment: ClassVar[JsonObject] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["sku", "workloads", "days"],
        "properties": {
            "sku": {**SKU_REF_SCHEMA, "description": "The product whose use is checked."},
            "workloads": _workloads(MEASURED, "Workloads of the product; use in any of them counts."),
            "days": _DAYS,
            "severity": SEVERITY_SCHEMA,
        },
    }

    def entries(self, policy: Policy) -> list[UsageEntry]:
        return [e for e in policy.usage if e.sku is not None]

    def check(self, policy: Policy, entry: UsageEntry, ctx: Context, rows: dict[str, UserUsage]) -> Iterator[Finding]:
        assert entry.sku is not None
        sid = ctx.index.resolve_sku(entry.sku)
        if sid is None or sid not in ctx.index.sku_by_id:
            return  # the engine warns about a product the tenant lacks
        cutoff = ctx.as_of - timedelta(days=entry.days)
        refreshed = _refreshed(ctx, entry.workloads)
        for user in self.holders(ctx, sid):
            row = rows.get(user.user_principal_name.lower())
            if row is None or self.in_grace(user, sid, cutoff):
                continue
            active, latest, _ = self.activity(row, entry.workloads, cutoff.date())
            if active:
                continue
            skus = frozenset((sid,))
            details = ProductUnusedDetails(
                days=entry.days, workloads=list(entry.workloads), last_activity=latest, report_date=refreshed
            )
            names = ", ".join(workload_title(w) for w in entry.workloads)
            text = f"holds {ctx.index.part(sid)} without using {names} in {entry.days} days" + (
                f" (last activity {latest})" if latest else ""
            )
            yield self.make(
                policy,
                f"usage/{entry.sku}",
                ctx.user_subject(user),
                ctx.index.parts(skus),
                text,
                details,
                severity=entry.severity,
                monthly_cost=ctx.cost_of(skus),
                holding=ctx.user_details(user, skus, None),
            )


class Rightsize(UsageRule[RightsizeDetails]):
    """A user holds the larger product of `rightsize` (`from`) and used nothing that only it adds (`unless_active`) for
    `days` days, with the same spares as product-unused: the smaller product would do. The fix replaces one with the
    other in one assignLicense (add and remove together), or through the groups that assign them.

    Workloads Microsoft Graph reports no per-user usage for (`teams_phone`, `audio_conferencing`, `power_bi`,
    `defender`, `purview`) cannot rule a user out: the finding names them, and the change waits for a person to
    check (`usage_unknown`). When none of `unless_active` can be measured there is no evidence at all: the finding
    is then only a low-severity note that the auditor could not tell, with no saving (`monthly_cost`).

    Example:
        usage:
          - rightsize: {from: SPE_E5, to: SPE_E3}
            unless_active: [teams_phone, power_bi, defender]
            days: 90
    """

    id = "rightsize"
    removes = True  # the fix takes the finding's products away
    default_severity = Severity.LOW
    key = "rightsize"
    reads = Reads(
        "users", "subscribedSkus", USAGE_REPORTS, user=KIND_READS, usage=STORAGE_FIELDS
    )  # and the smaller plan's fit
    fragment: ClassVar[JsonObject] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["rightsize", "unless_active", "days"],
        "properties": {
            "rightsize": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "to"],
                "properties": {
                    "from": {**SKU_REF_SCHEMA, "description": "The larger product."},
                    "to": {**SKU_REF_SCHEMA, "description": "The smaller product."},
                },
            },
            "unless_active": _workloads(
                list(WORKLOADS), "What only the larger product adds: use in any of them keeps it."
            ),
            "days": _DAYS,
            "severity": SEVERITY_SCHEMA,
        },
    }

    def entries(self, policy: Policy) -> list[UsageEntry]:
        return [e for e in policy.usage if e.rightsize is not None]

    def check(self, policy: Policy, entry: UsageEntry, ctx: Context, rows: dict[str, UserUsage]) -> Iterator[Finding]:
        assert entry.rightsize is not None
        big, small = (ctx.index.resolve_sku(s) for s in entry.rightsize)
        if big is None or small is None or big not in ctx.index.sku_by_id or small not in ctx.index.sku_by_id:
            return
        cutoff = ctx.as_of - timedelta(days=entry.days)
        refreshed = _refreshed(ctx, entry.unless_active)
        measured = [w for w in entry.unless_active if WORKLOADS[w].measured]
        groups = licensing.licensing_groups(policy, ctx.index)  # once per check: it reads every group
        for user in self.holders(ctx, big):
            row = rows.get(user.user_principal_name.lower())
            if (row is None and measured) or self.in_grace(user, big, cutoff):
                continue  # not in the reports it is judged on (none to read when nothing is measured)
            row = row or UserUsage(user.user_principal_name)
            active, latest, unmeasured = self.activity(row, entry.unless_active, cutoff.date())
            if active:
                continue
            skus = frozenset((big,))
            joined = NO_REPLACEMENT  # the group the smaller product comes from
            saving = ctx.monthly_price(big)
            held = small in user.sku_ids
            if not held:
                joined = replacement_group(
                    policy, ctx, user, frozenset((big,)), small, frozenset((small,)), groups, False
                )
                if saving is not None:
                    saving -= ctx.monthly_price(small) or 0.0
            details = RightsizeDetails(
                days=entry.days,
                workloads=measured,
                unmeasured=unmeasured,
                last_activity=latest,
                report_date=refreshed,
                rightsize_to=ctx.index.part(small),
                allowed=[ctx.index.part(small)],
                replace_with="" if held else ctx.index.part(small),
                replace_with_id="" if held else ctx.index.sku_by_id[small].sku_id,
                replace_group=joined.replace_group,
                licensing_group=joined.licensing_group,
            )
            holding = ctx.user_details(user, skus, None)
            if not measured:
                # Nothing the larger product adds could be measured: no evidence of non-use, so no
                # saving is claimed, only a low-severity note that a person has to check.
                text = (
                    f"holds {ctx.index.part(big)}; could not tell whether it uses what only it adds (no usage "
                    f"report for: {', '.join(unmeasured)}); {ctx.index.part(small)} may do"
                )
                yield self.make(
                    policy,
                    f"usage/{entry.rightsize[0]}-{entry.rightsize[1]}",
                    ctx.user_subject(user),
                    ctx.index.parts(skus),
                    text,
                    details,
                    severity=Severity.LOW,
                    monthly_cost=None,
                    holding=holding,
                )
                continue
            text = (
                f"holds {ctx.index.part(big)} but used nothing only it adds in {entry.days} days; "
                f"{ctx.index.part(small)} would do" + (f" (unmeasured: {', '.join(unmeasured)})" if unmeasured else "")
            )
            yield self.make(
                policy,
                f"usage/{entry.rightsize[0]}-{entry.rightsize[1]}",
                ctx.user_subject(user),
                ctx.index.parts(skus),
                text,
                details,
                severity=entry.severity,
                monthly_cost=round(saving, 2) if saving is not None and saving > 0 else None,
                holding=holding,
            )


def _refreshed(ctx: Context, names: tuple[str, ...]) -> str | None:
    """The oldest refresh date of the reports behind `names` (how current the evidence is)."""
    usage = ctx.index.snapshot.usage_reports
    dates = [
        r.refreshed
        for w in names
        if (rep := WORKLOADS[w].report) is not None
        and usage is not None
        and (r := usage.read(rep.name)) is not None
        and r.refreshed
    ]
    return min(dates) if dates else None


RULES: tuple[UsageRule[Any], ...] = (ProductUnused(), Rightsize())
