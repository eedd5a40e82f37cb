"""Copilot seats nobody uses, and who waits for one: `copilot-seat-idle`, under `usage:`.

    usage:
      - copilot_seats: Microsoft_365_Copilot
        days: 30                              # no Copilot use (any app, Chat at work, agents) in 30 days: idle
        candidates: [Copilot waiting list]    # groups whose members without a seat may receive an idle one
        audit_log: beside                     # and the audit log's Copilot Chat users (or `instead` of the groups)

A holder of the product is *idle* when the Copilot usage report (version v2) lists them and shows no
use of Copilot within the window in any of its "... Last Activity Date" columns (Copilot in each app,
Copilot Chat at work and on the web, the Microsoft 365 Copilot app, Edge, agents; an all-apps
counter above zero that no column dates counts too): auditor.data.copilot_use, the reading apply's
re-check shares. Each idle seat is one finding, and one of three dispositions, kept apart:

- `reassign`: the seat is held directly (an assignLicense can take it) and a candidate waits: the
  fix moves it, the holder's removal and the candidate's assignment together (the seat stays on the
  bill, and the candidate needs no new one);
- `reduce`: no candidate waits, or the seat comes from a group: the fix removes it, and the seat
  leaves the bill at its subscription's next window (auditor.billing.windows.opening: within the 7
  days after a purchase, renewal or seat addition, else at the renewal; `reduce_window`,
  `reduce_from`);
- the exposure is every idle seat's monthly price (`exposure`), whatever its disposition; the
  finding's `monthly_cost` (what the fix takes off the bill) is the seat's price for `reduce` only.

Microsoft's report lists only the users who hold a Copilot license ("Unlicensed Copilot Chat usage
data isn't available through Microsoft Graph reports APIs"), so the candidates cannot be read from
it: they are the members of the policy's `candidates` groups and, with `audit_log`, the users the
audit log shows using Copilot Chat in the window (auditor.data.copilot_chat_use), beside the groups'
members or `instead` of them; each must be a person (not a guest), enabled, hold another product but no Copilot
seat, and have a usage location. The most active (their interactions in the audit log) come first,
then by user principal name. An audit log that could not be read is a gap in copilotInteractions,
and the groups' members stand alone. A holder the report does not list is not judged (no evidence
of non-use); concealed names are the usage reports' named gap, never idle seats.

An entry that names a bundle, a product carrying a suite beside Copilot (Microsoft 365 E7, Business
Premium with Copilot: a mailbox, files, the Microsoft 365 apps or Teams among its service plans, by the
tenant's subscribedSkus, else Microsoft's product table), is not judged: either disposition takes the
product from its holder, and the suite with the idle Copilot part (a bundle's Copilot is dropped by moving
the subscription to the product without it). The rule is then not evaluated for that policy, the reason
naming the entry's file and line (a partial audit: exit 3 unless --allow-gaps).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from msgspec import UNSET, UnsetType
from msgspec.structs import replace

from auditor.billing.windows import opening
from auditor.common.json_value import JsonObject
from auditor.data.copilot_use import COPILOT_USE_FIELDS, CopilotSeat, copilot_report_unusable, last_copilot_use
from auditor.data.enums import AccountKind
from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, User
from auditor.data.usage_data import COPILOT, USAGE_REPORTS, UserUsage
from auditor.policy.index import TenantIndex

from ...data.reads import Reads, Requests
from ...i18n.said import COPILOT_BUNDLE
from ...impact.plan_loss import ServicePlanLoss, data_kinds
from ...policy.objects import Policy, Selector, UsageEntry
from ..base import SEVERITY_SCHEMA, SKU_REF_SCHEMA, Context
from .activity import _DAYS, KIND_READS, UsageRule, _refreshed
from .copilot_idle import finding_text, idle_holders

# the workloads the findings name: use of a Copilot seat is any of the report's dates (auditor.data.copilot_use)
COPILOT_WORKLOADS = ("copilot", "copilot_chat", "copilot_agents")
HOLDER_FIELDS = KIND_READS | {"accountEnabled", "usageLocation"}  # what is read of a holder
REASSIGN = "reassign"
REDUCE = "reduce"
BESIDE, INSTEAD = "beside", "instead"  # `audit_log`: the audit log's Copilot Chat users beside or instead of the groups
FROM_GROUP, FROM_AUDIT_LOG = "group", "audit_log"  # where a candidate was found (`candidate_source`)
# a suite's service plans beside its data (plan_loss.data_kinds: a mailbox, files): the Microsoft 365 apps
# (OFFICESUBSCRIPTION, O365_BUSINESS) and Teams, as Microsoft's product table names them
SUITE_APPS = re.compile(r"OFFICESUBSCRIPTION|O365_BUSINESS|TEAMS1\Z")


class CopilotSeatIdleDetails(Own, frozen=True, kw_only=True):
    """`days`, `workloads`, `last_activity` (latest across them, or null), `report_date`; `disposition`
    (`reassign` or `reduce`); for `reassign` the `candidate` (UPN), `candidate_id` and `candidate_name`;
    for `reduce` the subscription's next window (`reduce_window`) and the day the seat stops costing
    (`reduce_from`, null when not known); `since`, the window's first day (apply re-reads the report
    and keeps the seat of a holder who used Copilot since); for `reassign` `candidate_groups`, the ids
    of the `candidates` groups (apply re-checks the candidate is still in one) when the candidate is a
    member of one; `candidate_source` (`group` or `audit_log`) and, when the audit log was read,
    `candidate_interactions` (their Copilot interactions in it); `direct` (the seat is
    held directly); `exposure` (the seat's monthly price at the policy's prices, whatever its
    disposition; the finding's `monthly_cost` is the money its fix takes off the bill: none for a seat
    that moves)"""

    # the fields only a seat that moves (`reassign`) or only one that goes (`reduce`) writes
    optional: ClassVar[frozenset[str]] = frozenset(
        {"candidate", "candidate_id", "candidate_groups", "candidate_source", "candidate_interactions", "reduce_window"}
    )
    days: int | None = None  # None: not in the report (an older one)
    workloads: list[str] = []
    last_activity: str | None = None
    report_date: str | None = None
    disposition: str = ""  # reassign | reduce ("": an older report's, read as reduce)
    direct: bool = False
    candidate: str = ""  # the candidate's user principal name
    candidate_id: str = ""
    candidate_name: str | UnsetType = UNSET  # their display name, which may be empty (UNSET: no candidate)
    candidate_groups: list[str] = []  # the `candidates` groups' ids, when the candidate is a member of one
    candidate_source: str = ""  # group | audit_log, when the audit log may name the candidate
    candidate_interactions: int | None = None  # their Copilot interactions in the audit log, when it was read
    since: str = ""  # the window's first day (YYYY-MM-DD)
    reduce_window: str = ""
    reduce_from: str | UnsetType | None = UNSET  # the day the seat stops costing (null: not known)
    exposure: float | None = None


FRAGMENT: JsonObject = {
    "type": "object",
    "additionalProperties": False,
    "required": ["copilot_seats", "days"],
    "properties": {
        "copilot_seats": {**SKU_REF_SCHEMA, "description": "The Copilot product whose seats are judged."},
        "days": _DAYS,
        "candidates": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1},
            "description": "Groups (names or ids) whose members without a seat may receive an idle one.",
        },
        "audit_log": {
            "enum": [BESIDE, INSTEAD],
            "description": "Also offer (beside) or only offer (instead) the users the audit log shows using "
            "Copilot Chat without a seat, most active first (needs AuditLogsQuery.Read.All).",
        },
        "severity": SEVERITY_SCHEMA,
    },
}


class CopilotSeatIdle(UsageRule[CopilotSeatIdleDetails]):
    """A user holds a Microsoft 365 Copilot seat and the Copilot usage report (version v2) shows no use of Copilot,
    Copilot Chat at work or Copilot agents for `days` days. Where the seat is held directly and a member of a
    `candidates` group waits for one, the fix moves it to them (one removal and one assignment); otherwise it
    removes the seat, which leaves the bill at its subscription's next window. Users the report does not list and
    accounts created or given the seat within the window are spared.

    Example:
        usage:
          - copilot_seats: Microsoft_365_Copilot
            days: 30
            candidates: [Copilot waiting list]
    """

    id = "copilot-seat-idle"
    removes = True  # the fix takes the seat from its holder
    default_severity = Severity.MEDIUM
    reclaimable = True
    key = "copilot_seats"
    # the subscriptions, when read, date the reductions; without them the window is "unknown"
    reads = Reads("users", "subscribedSkus", USAGE_REPORTS, user=HOLDER_FIELDS, usage=COPILOT_USE_FIELDS)
    fragment: ClassVar[JsonObject] = FRAGMENT

    def entries(self, policy: Policy) -> list[UsageEntry]:
        return [e for e in policy.usage if e.copilot_seats is not None]

    def workloads_of(self, entry: UsageEntry) -> tuple[str, ...]:
        return COPILOT_WORKLOADS

    def requests(self, policy: Policy) -> Requests:
        """The usage columns, and the audit log's Copilot interactions over the longest window of the
        entries that ask for them."""
        days = max((e.days for e in self.entries(policy) if e.audit_log), default=0)
        return super().requests(policy).merge(Requests(copilot_audit_days=days))

    def selectors(self, policy: Policy) -> list[Selector]:
        return [Selector(groups=e.candidates) for e in self.entries(policy) if e.candidates]

    def unavailable(self, policy: Policy, index: TenantIndex) -> str | None:
        """Beyond the report itself: whether it was read so that an idle seat can be told (copilot_use)."""
        usage = index.snapshot.usage_reports
        days = max((e.days for e in self.entries(policy)), default=0)
        unusable = copilot_report_unusable(usage.read(COPILOT.name) if usage is not None else None, days)
        return unusable or bundled(policy, self.entries(policy), index) or super().unavailable(policy, index)

    def check(self, policy: Policy, entry: UsageEntry, ctx: Context, rows: dict[str, UserUsage]) -> Iterator[Finding]:
        assert entry.copilot_seats is not None
        sid = ctx.index.resolve_sku(entry.copilot_seats)
        if sid is None or sid not in ctx.index.sku_by_id:
            return
        skus = frozenset((sid,))
        for user, details in dispositions(entry, ctx, sid, idle_holders(self, ctx, rows, sid, entry.days)):
            yield self.make(
                policy,
                f"usage/copilot/{entry.copilot_seats}",
                ctx.user_subject(user),
                ctx.index.parts(skus),
                finding_text(ctx.index.part(sid), details.candidate, details.last_activity, details.reduce_window),
                details,
                severity=entry.severity,
                # the money the fix takes off the bill: a seat that moves stays on it (its exposure is in details)
                monthly_cost=None if details.candidate else ctx.cost_of(skus),
                holding=ctx.user_details(user, skus, None),
            )


def dispositions(
    entry: UsageEntry, ctx: Context, sid: str, idle: list[tuple[User, str | None]]
) -> Iterator[tuple[User, CopilotSeatIdleDetails]]:
    """Each idle holder's details, never-used and longest-idle first: the seats held directly go to the
    candidates in turn (`reassign`) while any wait; the rest are `reduce`, with the product's window."""
    waiting = iter(candidates(entry, ctx, sid))
    window, saving_from = reduction(ctx, sid)
    refreshed = _refreshed(ctx, COPILOT_WORKLOADS)
    direct_ids = {u.id for u, _ in ctx.index.direct_holders_of(Selector(all=True), None, (sid,))}
    for user, latest in sorted(idle, key=lambda p: (p[1] or "", p[0].user_principal_name.lower())):
        direct = user.id in direct_ids
        details = CopilotSeatIdleDetails(
            days=entry.days,
            workloads=list(COPILOT_WORKLOADS),
            last_activity=latest,
            report_date=refreshed,
            direct=direct,
            since=(ctx.as_of - timedelta(days=entry.days)).date().isoformat(),
            exposure=ctx.cost_of((sid,)),
        )
        found = next(waiting, None) if direct else None
        if found is None:
            details = replace(details, disposition=REDUCE, reduce_window=window, reduce_from=saving_from)
        else:
            taker = found.user
            details = replace(
                details,
                disposition=REASSIGN,
                candidate=taker.user_principal_name,
                candidate_id=taker.id,
                candidate_name=taker.display_name,
                # where the candidate was found, once the audit log may name them
                candidate_source=(FROM_GROUP if found.in_group else FROM_AUDIT_LOG) if entry.audit_log else "",
                # apply re-checks the membership of a group's member only
                candidate_groups=candidate_groups(entry, ctx) if found.in_group else [],
                candidate_interactions=found.interactions,
            )
        yield user, details


@dataclass(frozen=True)
class Candidate:
    """Who may receive a seat: `in_group` (a member of a `candidates` group) and `interactions` (their
    Copilot interactions in the audit log; None when it was not read)."""

    user: User
    in_group: bool
    interactions: int | None


def candidates(entry: UsageEntry, ctx: Context, sid: str) -> list[Candidate]:
    """Who may receive a seat now: the members of the `candidates` groups and (`audit_log`) the audit
    log's Copilot Chat users, beside them or instead of them (the groups stand when the audit log was not
    read); each a person, enabled, holding another product (Copilot is an add-on) but not this one, with a
    usage location (assignLicense needs one). The most active in the audit log first, then by principal name."""
    users = ctx.index.users
    chat = ctx.index.snapshot.copilot_chat_use if entry.audit_log else None
    members = ctx.index.select(Selector(groups=entry.candidates)) if entry.candidates else None
    grouped = {users[i].id for i in members or ()}
    pool = {u.id: u for u in users if u.id in grouped} if chat is None or entry.audit_log != INSTEAD else {}
    if chat is not None:
        used = {u.user_id for u in chat.users if u.user_id} | {u.upn for u in chat.users}
        pool.update((u.id, u) for u in users if u.id.lower() in used or u.user_principal_name.lower() in used)
    found = [
        Candidate(u, u.id in grouped, chat.of(u.id, u.user_principal_name) if chat else None)
        for u in pool.values()
        if u.account_enabled
        and u.sku_ids  # Copilot is an add-on: it goes beside a product the user holds
        and sid not in u.sku_ids
        and u.usage_location
        and ctx.index.kind_of(u) is AccountKind.PERSON  # a guest is given no paid seat (the guest rule flags it)
    ]
    return sorted(found, key=lambda c: (-(c.interactions or 0), c.user.user_principal_name.lower()))


def candidate_groups(entry: UsageEntry, ctx: Context) -> list[str]:
    """The ids (lower case) of the `candidates` groups, named by name or id (apply re-checks the
    candidate is still in one)."""
    refs = {ref.lower() for ref in entry.candidates or ()}
    return sorted({g.id.lower() for g in ctx.index.snapshot.groups if {g.id.lower(), g.display_name.lower()} & refs})


def reduction(ctx: Context, sid: str) -> tuple[str, str | None]:
    """The product's earliest window to drop a seat (auditor.billing.windows), and the day it stops
    costing: `unknown` without the subscriptions or a billing row."""
    today: date = ctx.as_of.date()
    found = [
        opening(s, ctx.billing.row_for(s) if ctx.billing else None, today)
        for s in ctx.index.subscriptions_of(sid, "Enabled", "Warning")
    ]
    if not found:
        return "unknown", None
    first = min(found, key=lambda o: (o.saving_from is None, o.saving_from or today))
    return first.window.value, first.saving_from.isoformat() if first.saving_from else None


def suite_of(index: TenantIndex, sid: str) -> list[str]:
    """The service plans of a suite the product carries (a mailbox, files, the Microsoft 365 apps, Teams),
    by the tenant's subscribedSkus, else Microsoft's product table: none for Copilot alone."""
    names = {name for _, name in ServicePlanLoss(index).service_plans(sid)}
    return sorted(n for n in names if data_kinds(n) or SUITE_APPS.match(n.upper()))


def bundled(policy: Policy, entries: Iterable[UsageEntry], index: TenantIndex) -> str | None:
    """Why the policy's idle Copilot seats are not judged: an entry names a bundle (suite_of), whose removal
    or move would take its suite from the holder with the idle Copilot part. None when no entry does."""
    for entry in entries:
        sid = index.resolve_sku(entry.copilot_seats or "")
        suite = suite_of(index, sid) if sid is not None and sid in index.sku_by_id else []
        if suite:
            plans = ", ".join(suite[:4]) + (", ..." if len(suite) > 4 else "")
            return COPILOT_BUNDLE.say(place=f"{policy.file}:{entry.line}", product=index.part(sid or ""), plans=plans)
    return None


RULES: tuple[UsageRule[Any], ...] = (CopilotSeatIdle(),)


def _holding(sid: str) -> Callable[[frozenset[str]], bool | None]:
    """index.holders' test of a user's products: holds `sid`."""
    return lambda held: True if sid in held else None


def seat_ledger(policies: Iterable[Policy], index: TenantIndex) -> tuple[CopilotSeat, ...]:
    """Every person who holds a Copilot product a `copilot_seats` entry judges, with the latest use the
    Copilot report shows (report.json `copilot_seats`, each night's line of the seats' history); by
    product, then user principal name. Empty without such an entry or without the report."""
    usage = index.snapshot.usage_reports
    if usage is None:
        return ()
    rows, out = usage.by_upn, {}
    for policy in policies:
        for entry in (e for e in policy.usage if e.copilot_seats is not None):
            sid = index.resolve_sku(entry.copilot_seats or "")
            if sid is None or sid not in index.sku_by_id:
                continue
            part = index.part(sid)
            for user, _ in index.holders(Selector(all=True), None, _holding(sid)):
                if not index.kind_of(user).person:
                    continue
                row = rows.get(user.user_principal_name.lower())
                use = last_copilot_use(row) if row is not None else None
                out[(part, user.id)] = CopilotSeat(
                    user_id=user.id,
                    upn=user.user_principal_name,
                    name=user.display_name,
                    sku=part,
                    last_use=use.day if use is not None else None,
                    listed=row is not None,
                )
    return tuple(out[k] for k in sorted(out, key=lambda k: (k[0], out[k].upn.lower())))
