"""A report document's actions -> one minimal, ordered, seat-checked change set (a `ChangePlan`).

Pure: no files, no clock, no network. `compile_plan(document, ...)` reads only the document
(report.json as a dict, docs/report-format.md) and returns the same plan every time.

1. Which findings: open (unwaived) ones, narrowed by `rules`, `min_severity` and `finding_ids`.
   A removal that waits only for data the policy's in-force `data_kept` declaration covers is
   ready; `grace_days` holds a leaver's removals back (auditor.plan.declared). A finding that
   gives the user something is planned whole or not at all: when any of its
   `remediation.actions` is not ready (a placeholder id, a value to choose, data that would be
   lost, a lookup), none of them is, and the finding is listed in `skipped` with the reason.
   Running half of a replacement (leaving the old group without joining the new one) could
   leave a user unlicensed. A finding that only removes is split: its ready removals of
   products that hold no data go, and it is listed in `skipped` (`in_part`) for the rest.
2. Minimal: a user's license changes become one `assignLicense` call with `addLicenses` and
   `removeLicenses` together; the same removal, group join or leave asked by two findings is one
   change (naming both findings). Two findings that contradict each other (one adds a product or
   group membership another removes) are both left out, each naming the other.
3. Order, per user: usage location, group joins, the license call, group leaves, reprocess. A
   change that takes something away depends on the user's changes that give (adds before removes,
   so a replacement never leaves the user without a license); reprocess depends on all of the
   user's other changes. Across users: users whose changes only free seats come first, then the
   others in report order, each as soon as its changes fit the seats free at that point (one that
   does not yet fit is tried again after later users freed what it needs), so the plan needs as
   few free seats as it can. A user's changes stay together.
4. Seats: each product's usable seats (enabled + warning) and consumed seats from the report's
   seat table; every change's `seats` deltas are applied in order. A change that would consume
   more than is usable (Graph's CountViolation) stops the plan: `stopped` names the first such
   change, and the users whose changes never fit are left out whole (none is half changed).
5. Cost: seat changes x the seat table's monthly price; products without a price are named in
   `unpriced` and not counted.

The parts: records.py (the ChangePlan and its records), actions.py (a report's findings and actions,
read once into typed Structs), declared.py (the admin's declarations), effects.py (atomic
effects, merged; contradictions; data ended together), schedule.py (order and seat fitting),
cost.py (net monthly cost).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import msgspec

from auditor.data.blocked import STORAGE_WAITS
from auditor.data.model import Severity
from auditor.evaluation.records import record
from auditor.formats.change_model import DataKept
from auditor.formats.plan_records import (
    CONTRADICTION,
    COUNT_VIOLATION,
    DATA_TOGETHER,
    DEFAULT_GRAPH_ROOT,
    KINDS,
    MALFORMED,
    METHODS,
    NO_ACTION,
    NOT_READY,
    NOT_SUBSCRIBED,
    STOPPED,
    WAIVED,
    WAIVER_LAPSED,
    Change,
    ChangePlan,
    Filters,
    MailboxStep,
    SeatLine,
    Skipped,
    Stopped,
)
from auditor.formats.report_model import ReportDocument
from auditor.plan.actions import (
    Action,
    PlanFinding,
    Remediation,
    call_problem,
    not_plannable,
    plan_findings,
    read_findings,
)
from auditor.plan.cost import currency_of, seats_and_cost
from auditor.plan.covers import kept_unknown, with_kept
from auditor.plan.crosscheck import GROUP_GIVES, LEAVER, NOT_ALLOWED, REPLACEMENT_WAITS, Hold, held_back
from auditor.plan.declared import (
    CONVERT_FIRST,
    DISABLE_AUDIT_NOT_READ,
    DISABLE_TIME_UNKNOWN,
    GRACE_PERIOD,
    MAILBOX_USED,
    USE_NOT_SHOWN,
    allows,
    converts_first,
    ends_no_data,
    grace_wait,
    removes_only,
    use_wait,
)
from auditor.plan.describe import Describer
from auditor.plan.effects import Op, conflicts, ends_data_together, merge_ops, ops_of
from auditor.plan.exchange import RULES as MAILBOX_RULES
from auditor.plan.exchange import mailbox_steps
from auditor.plan.holds import NOT_ON_HOLD, not_on_hold
from auditor.plan.schedule import Draft, Seat, chain, order, seat_table
from auditor.plan.seat_moves import join_moves
from auditor.rules.hygiene.accounts import SharedMailboxLicensedDetails

# every reason the plan itself skips a finding for (besides the actions' own `blocked` values)
PLAN_REASONS = (
    NO_ACTION,
    NOT_READY,
    MALFORMED,
    CONTRADICTION,
    DATA_TOGETHER,
    STOPPED,
    WAIVED,
    WAIVER_LAPSED,
    GRACE_PERIOD,
    DISABLE_TIME_UNKNOWN,
    DISABLE_AUDIT_NOT_READ,
    REPLACEMENT_WAITS,
    LEAVER,
    NOT_ALLOWED,
    GROUP_GIVES,
    CONVERT_FIRST,
    MAILBOX_USED,
    USE_NOT_SHOWN,
    NOT_ON_HOLD,
)

__all__ = [  # the plan's names, importable from here as before the split
    "CONTRADICTION",
    "COUNT_VIOLATION",
    "DATA_TOGETHER",
    "DEFAULT_GRAPH_ROOT",
    "KINDS",
    "MALFORMED",
    "METHODS",
    "NOT_READY",
    "NOT_SUBSCRIBED",
    "NO_ACTION",
    "PLAN_REASONS",
    "STOPPED",
    "WAIVED",
    "WAIVER_LAPSED",
    "Change",
    "ChangePlan",
    "Filters",
    "SeatLine",
    "Skipped",
    "Stopped",
    "compile_plan",
    "restated",
]


def compile_plan(
    document: ReportDocument,
    *,
    rules: Sequence[str] | None = None,
    min_severity: str | None = None,
    finding_ids: Sequence[str] | None = None,
    graph_root: str | None = None,
    describe_changes: bool = True,
    remediation: Remediation | None = None,
) -> ChangePlan:
    """The plan for `document`'s open findings (see the module docstring).

    `graph_root` is the cloud's Graph v1.0 endpoint for the `@odata.id` of group joins; default:
    the worldwide endpoint. The plan holds no inverse calls: what undoing a change takes is known
    only from the state apply reads right before it (its journal; `license-auditor undo`).
    Each change's description says what its call does (auditor.plan.describe), never what the
    report's actions say; `describe_changes=False` leaves them empty, for a caller that shows only
    the plan's summary line (the report header), and so are the reasons' descriptions of the
    findings it skips. `remediation`: works out the actions of a finding
    the document carries without its remediation (auditor.plan.actions.read_findings)."""
    root = (graph_root or DEFAULT_GRAPH_ROOT).rstrip("/")
    filters = Filters(
        tuple(rules) if rules is not None else None,
        min_severity,
        tuple(finding_ids) if finding_ids is not None else None,
    )
    parts = {r.sku_id.lower(): r.sku for r in document.skus}
    every = list(read_findings(document, remediation))
    rule_of = {f.id: f.rule for f in every}
    # 1. which findings, and which of their actions
    as_of = str(document.as_of or document.generated_at or "")
    weighed = _weigh(every, filters, as_of, describe_changes)
    skipped, eligible, chosen = weighed.skipped, weighed.eligible, weighed.chosen
    mailboxes = [f for f in weighed.resolved if f.rule in MAILBOX_RULES]
    # the findings' actions are let go as soon as no step reads them (docs/performance.md)
    del every, weighed
    # 2. minimal: the effects merged, without contradictions or data ended in part
    merged, left = _merged(eligible, chosen, parts, root)
    skipped += left
    position = {f.id: i for i, f in enumerate(eligible)}
    named = {f.id: (f.rule, f.subject) for f in eligible}
    sources = {f.id: f.source for f in eligible if f.source is not None} if describe_changes else None
    del eligible, chosen
    by_user: dict[str, list[Op]] = {}
    for o in merged.values():
        by_user.setdefault(o.user, []).append(o)
    del merged
    # 3. and 4. order and seats
    table = seat_table(document)
    chains = join_moves([chain(user_ops) for user_ops in by_user.values()])
    del by_user
    done, overflow, left_out = order(chains, table)
    del chains
    words = Describer(sources, document) if sources is not None else None
    changes = _numbered(done, position, words)
    del done
    stopped = None
    if overflow is not None:
        stopped, cut = _stopped(overflow, left_out, table, len(changes), words, named)
        skipped += cut
    skipped = [
        msgspec.structs.replace(s, other_rules=tuple(rule_of.get(o, "") for o in s.others)) if s.others else s
        for s in skipped
    ]
    # 5. cost
    return _plan(document, table, changes, stopped, skipped, filters, mailbox_steps(mailboxes, skipped, changes))


def restated(
    plan: ChangePlan,
    before: ReportDocument,
    after: ReportDocument,
    *,
    describe_changes: bool = True,
    remediation: Remediation | None = None,
) -> ChangePlan | None:
    """`plan`, compiled from `before`, as compile_plan compiles `after` (the same document with some of its
    findings replaced: the bill's figures named on them, auditor.plan.bill.name_reductions), without compiling
    it again: the entries of the replaced findings weighed anew, where they were. None when that would not be
    the same plan (the caller compiles `after`): a replaced finding is about a user (the cross-checks read a
    user's findings together), or the plan does not set it aside whole and alone before and after (a change of
    its would move the others')."""
    if len(before.findings) != len(after.findings):
        return None
    replaced = [new for old, new in zip(before.findings, after.findings, strict=True) if old is not new]
    at = {s.finding: i for i, s in enumerate(plan.skipped)}
    if len(at) != len(plan.skipped) or any(f.subject.type == "user" or f.id not in at for f in replaced):
        return None
    as_of = str(after.as_of or after.generated_at or "")
    weighed = _weigh(list(plan_findings(replaced, remediation)), plan.filters, as_of, describe_changes)
    if weighed.eligible or len(weighed.skipped) != len(replaced):
        return None
    skipped = list(plan.skipped)
    for entry in weighed.skipped:
        was = skipped[at[entry.finding]]
        if was.in_part or was.others or entry.in_part or entry.others:
            return None
        skipped[at[entry.finding]] = entry
    return msgspec.structs.replace(plan, skipped=tuple(skipped))


class _Weighed(NamedTuple):
    """Which findings the plan takes (step 1 of the module docstring)."""

    skipped: list[Skipped]
    eligible: list[PlanFinding]  # the findings with actions to plan, in report order
    resolved: list[PlanFinding]  # the findings in scope that were not held back before their actions
    chosen: dict[str, list[tuple[Action, DataKept | None]]]  # finding -> its actions to plan


def _weigh(every: list[PlanFinding], filters: Filters, as_of: str, describe_changes: bool) -> _Weighed:
    """The findings the filters take, set aside, planned whole or in part, then checked against
    each other (crosscheck.py: no half replacement, nothing for a leaver)."""
    threshold = Severity.parse(filters.min_severity) if filters.min_severity else None
    wanted = set(filters.findings) if filters.findings is not None else None
    rule_set = set(filters.rules) if filters.rules is not None else None
    skipped: list[Skipped] = []
    eligible: list[PlanFinding] = []
    resolved: list[PlanFinding] = []
    chosen: dict[str, list[tuple[Action, DataKept | None]]] = {}
    in_scope: list[PlanFinding] = []  # the findings whose actions were weighed
    for f in every:
        if not _selected(f, wanted, rule_set, threshold):
            continue
        aside, entry = _set_aside(f, as_of, named=wanted is not None)
        if aside:
            skipped += [entry] if entry is not None else []
            continue
        in_scope.append(f)
        planned, waits = _resolve(f)
        resolved.append(f)
        if waits is not None:
            skipped.append(_waiting(f, waits, bool(planned), describe_changes))
        if planned:
            eligible.append(f)
            chosen[f.id] = planned
    holds = held_back(every, in_scope, {s.finding for s in skipped})
    if holds:
        skipped = _with_holds(skipped, holds, in_scope)
        eligible = [f for f in eligible if f.id not in holds]
    return _Weighed(skipped, eligible, resolved, chosen)


def _waiting(f: PlanFinding, waits: tuple[str, str], in_part: bool, describe_changes: bool) -> Skipped:
    """The entry of a finding whose actions (or some of them: `in_part`) wait, and why."""
    why, description = waits
    # the sizes as the finding's fix reads them (FindingFix.storage, checked as report.json was read), and
    # plan.json carries the object as the report gives it (PlanSkipped.storage)
    storage = f.details["storage"] if why in STORAGE_WAITS and f.source.fix.storage is not None else None
    used = use_wait(f.facts) if why == MAILBOX_USED else None
    return Skipped(
        f.id,
        f.rule,
        why,
        f.subject,
        # a plan that describes no change (the report header's) carries no action's words either
        description if describe_changes else "",
        in_part=in_part,
        storage=dict(storage) if isinstance(storage, Mapping) else None,
        used_on=used[1] if used else "",
    )


def _subject_kept(subject: str, kept: DataKept) -> DataKept:
    """The declaration record with the subject it is about."""
    out: DataKept = {"subject": subject, **kept}
    return out


def _merged(
    eligible: list[PlanFinding],
    chosen: Mapping[str, list[tuple[Action, DataKept | None]]],
    parts: Mapping[str, str],
    root: str,
) -> tuple[dict[tuple[str, ...], Op], list[Skipped]]:
    """The chosen actions' effects, merged (step 2), without the findings that contradict each
    other or that would end data another finding's change still needs; and those findings' entries."""
    ops = [
        o
        for f in eligible
        for a, kept in chosen[f.id]
        for o in ops_of(f.id, with_kept(f, a), parts, root, _subject_kept(f.subject, kept) if kept else None)
    ]
    clashes = conflicts(ops)
    skipped = [
        Skipped(f.id, f.rule, CONTRADICTION, f.subject, others=tuple(sorted(clashes[f.id])))
        for f in eligible
        if f.id in clashes
    ]
    ops = [o for o in ops if not set(o.findings) & clashes.keys()]

    merged = merge_ops(ops)
    together = ends_data_together(merged.values(), {f.id: f.facts.data_kinds for f in eligible})
    skipped += [
        Skipped(
            f.id,
            f.rule,
            DATA_TOGETHER,
            f.subject,
            others=tuple(sorted(together[f.id][0])),
            data=tuple(together[f.id][1]),
        )
        for f in eligible
        if f.id in together
    ]
    return {k: o for k, o in merged.items() if not set(o.findings) & together.keys()}, skipped


def _stopped(
    overflow: tuple[int, str, int, int],
    left_out: list[list[Draft]],
    table: Mapping[str, Seat],
    planned: int,
    words: Describer | None,
    named: Mapping[str, tuple[str, str]],
) -> tuple[Stopped, list[Skipped]]:
    """The change that would consume more seats than are usable (step 4), and the entries of the
    findings whose changes never fit (`named`: finding -> its rule and subject)."""
    index, part, usable, needed = overflow
    first = left_out[0][index]
    known = part in table
    stopped = Stopped(
        planned + index + 1,
        part,
        usable,
        needed,
        COUNT_VIOLATION if known else NOT_SUBSCRIBED,
        words.of(first.kind, first.body, first.user, first.group, first.findings) if words else "",
        METHODS[first.kind],
        first.path,
    )
    cut = dict.fromkeys(fid for drafts in left_out for d in drafts for fid in d.findings)
    return stopped, [Skipped(fid, named[fid][0], STOPPED, named[fid][1]) for fid in cut]


def _plan(
    document: ReportDocument,
    table: Mapping[str, Seat],
    changes: list[Change],
    stopped: Stopped | None,
    skipped: list[Skipped],
    filters: Filters,
    exchange: tuple[MailboxStep, ...],
) -> ChangePlan:
    """The ChangePlan: the tenant and the report it was compiled from, and the cost (step 5)."""
    currency = currency_of(document)
    seats, net, unpriced = seats_and_cost(document, table, changes, currency)
    tenant = document.tenant
    return ChangePlan(
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        cloud=tenant.cloud,
        locale=document.locale or "en",
        report_generated_at=str(document.generated_at or ""),
        report_collected_at=str(document.collected_at or ""),
        policy_files=tuple(document.policy_files) if isinstance(document.policy_files, list) else (),
        policy_sha256=tuple(document.policy_sha256.items()) if isinstance(document.policy_sha256, dict) else (),
        currency=currency,
        net_monthly=net,
        unpriced=unpriced,
        changes=tuple(changes),
        seats=seats,
        stopped=stopped,
        skipped=tuple(skipped),
        filters=filters,
        exchange=exchange,
    )


def _keeps_license(f: PlanFinding) -> bool:
    """Whether the finding is a shared mailbox's that the tenant shows needs its license (it asks for no change)."""
    shared = record(f, SharedMailboxLicensedDetails)
    return shared is not None and bool(shared.keeps_license)


def _selected(f: PlanFinding, wanted: set[str] | None, rule_set: set[str] | None, threshold: Severity | None) -> bool:
    """Whether the filters (--findings, --rules, --min-severity) take the finding, and it asks
    for a change at all (not when the tenant shows the shared mailbox needs its license)."""
    return (
        (wanted is None or f.id in wanted)
        and (rule_set is None or f.rule in rule_set)
        and (threshold is None or f.rank >= threshold)
        and not _keeps_license(f)
    )


def _set_aside(f: PlanFinding, as_of: str, *, named: bool) -> tuple[bool, Skipped | None]:
    """Whether a selected finding is set aside before its actions are weighed, and the entry that
    says why (None: a waived finding is listed only when it was named by --findings)."""
    if f.waived:
        return True, Skipped(f.id, f.rule, WAIVED, f.subject) if named else None
    if f.waiver is not None:
        return True, Skipped(f.id, f.rule, WAIVER_LAPSED, f.subject, waiver=f.waiver)
    if f.malformed is None and f.actions:
        held = grace_wait(f.facts, as_of)
        if held is not None:
            return True, Skipped(f.id, f.rule, held[0], f.subject, not_before=held[1])
    return False, None


def _with_holds(skipped: list[Skipped], holds: Mapping[str, Hold], in_scope: list[PlanFinding]) -> list[Skipped]:
    """A held finding listed once, with the cross-check's reason, where it was listed before."""
    holding = {
        f.id: Skipped(f.id, f.rule, holds[f.id].reason, f.subject, others=holds[f.id].others)
        for f in in_scope
        if f.id in holds
    }
    listed: list[Skipped] = []
    for s in skipped:
        if s.finding not in holds:
            listed.append(s)
        elif s.finding in holding:
            listed.append(holding.pop(s.finding))
    return listed + list(holding.values())


def _numbered(done: Any, position: Mapping[str, int], words: Describer | None) -> list[Change]:
    """The ordered drafts as numbered changes, each with its description (unless `words` is None)."""
    changes: list[Change] = []
    for drafts in done:
        base = len(changes)
        for i, d in enumerate(drafts):
            changes.append(
                Change(
                    n=base + i + 1,
                    kind=d.kind,
                    method=METHODS[d.kind],
                    path=d.path,
                    body=d.body,
                    description=words.of(d.kind, d.body, d.user, d.group, d.findings) if words else "",
                    user=d.user,
                    group=d.group,
                    precondition=tuple(d.precondition),
                    seats=dict(d.seats),
                    findings=tuple(sorted(d.findings, key=lambda fid: position[fid])),
                    depends_on=tuple(base + j + 1 for j in sorted(d.deps)),
                    data_kept=tuple(d.data_kept),
                )
            )
    return changes


def _resolve(f: PlanFinding) -> tuple[list[tuple[Action, DataKept | None]], tuple[str, str] | None]:
    """(the finding's actions to plan, each with the data_kept declaration that made it ready;
    (reason, description) of the part that waits, or None).

    A finding is planned whole when every action is ready, or not ready only for data its
    in-force data_kept declaration covers (auditor.plan.declared). Else it is planned in part only
    when it gives the user nothing (every action removes) and the part ends no data or is covered:
    a leaver's Power BI Pro goes while the E3 with the mailbox waits. A finding that also gives
    (a replacement) is planned whole or not at all: half of it could leave the user unlicensed."""
    whole = not_plannable(f)
    if whole is None and f.actions and kept_unknown(f):  # a removal that could not re-check what it rests on
        return [], (MALFORMED, f.actions[0].description)
    if whole is None or f.malformed is not None or not f.actions:
        return ([(a, None) for a in f.actions] if whole is None else []), whole
    declared = [allows(a, f.facts) for a in f.actions]
    ready = [i for i, a in enumerate(f.actions) if a.runs or declared[i] is not None]
    waiting = [i for i in range(len(f.actions)) if i not in ready]
    if waiting:
        first = f.actions[waiting[0]]
        wait = (first.blocked or ("lookup" if first.kind == "lookup" else NOT_READY), first.description)
        if first.blocked == "data_lost" and converts_first(first, f.facts):
            wait = (CONVERT_FIRST, first.description)
        elif first.blocked == "data_lost" and (used := use_wait(f.facts)) is not None:
            wait = (used[0], first.description)
        elif first.blocked == "data_lost" and not_on_hold(f.facts):
            wait = (NOT_ON_HOLD, first.description)
        if not all(removes_only(a) for a in f.actions):
            return [], wait
        ready = [i for i in ready if declared[i] is not None or ends_no_data(f.actions[i], f.facts)]
    else:
        wait = None
    for i in ready:
        if call_problem(f.actions[i]) is not None:
            return [], (MALFORMED, f.actions[i].description)
    return [(f.actions[i], declared[i]) for i in ready], wait
