"""A report document's actions -> one minimal, ordered, seat-checked change set (a `Plan`).

Pure: no files, no clock, no network. `compile_plan(document, ...)` reads only the document
(report.json as a dict, docs/report-format.md) and returns the same plan every time.

1. Which findings: open (unwaived) ones, narrowed by `rules`, `min_severity` and `finding_ids`.
   A finding is planned whole or not at all: when any of its `remediation.actions` is not
   `ready` (a placeholder id, a value to choose, data that would be lost, a lookup), none of them
   is, and the finding is listed in `skipped` with the reason. Running half of a replacement
   (leaving the old group without joining the new one) could leave a user unlicensed.
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

The parts: records.py (the Plan and its records), actions.py (a report's findings and actions,
read once into typed Structs), effects.py (atomic effects, merged; contradictions; data ended
together), schedule.py (order and seat fitting), cost.py (net monthly cost).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.model import Severity
from auditor.plan.actions import PlanFinding, action_problem, not_plannable, read_findings
from auditor.plan.cost import currency_of, seats_and_cost
from auditor.plan.describe import Describer
from auditor.plan.effects import Op, conflicts, ends_data_together, merge_ops, ops_of
from auditor.plan.records import (
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
    Filters,
    Plan,
    SeatLine,
    Skipped,
    Stopped,
)
from auditor.plan.schedule import chain, order, seat_table

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
    "STOPPED",
    "WAIVED",
    "WAIVER_LAPSED",
    "Change",
    "Filters",
    "Plan",
    "SeatLine",
    "Skipped",
    "Stopped",
    "action_problem",
    "compile_plan",
    "has_actions",
]


def has_actions(document: Mapping[str, Any]) -> bool:
    """Whether the report carries per-finding actions at all (report.json schema 2 and later)."""
    version = document.get("schema_version")
    return isinstance(version, int) and not isinstance(version, bool) and version >= 2


def compile_plan(
    document: Mapping[str, Any],
    *,
    rules: Sequence[str] | None = None,
    min_severity: str | None = None,
    finding_ids: Sequence[str] | None = None,
    graph_root: str | None = None,
    describe_changes: bool = True,
) -> Plan:
    """The plan for `document`'s open findings (see the module docstring).

    `graph_root` is the cloud's Graph v1.0 endpoint for the `@odata.id` of group joins; default:
    the worldwide endpoint. The plan holds no inverse calls: what undoing a change takes is known
    only from the state apply reads right before it (its journal; `license-auditor undo`).
    Each change's description says what its call does (auditor.plan.describe), never what the
    report's actions say; `describe_changes=False` leaves them empty, for a caller that shows only
    the plan's summary line (the report header)."""
    root = (graph_root or DEFAULT_GRAPH_ROOT).rstrip("/")
    filters = Filters(tuple(rules) if rules is not None else None, min_severity,
                      tuple(finding_ids) if finding_ids is not None else None)
    threshold = Severity.parse(min_severity) if min_severity else None
    wanted = set(finding_ids) if finding_ids is not None else None
    rule_set = set(rules) if rules is not None else None
    parts = {str(r["sku_id"]).lower(): r["sku"] for r in document.get("skus") or []
             if isinstance(r, Mapping) and isinstance(r.get("sku_id"), str) and isinstance(r.get("sku"), str)}

    skipped: list[Skipped] = []
    eligible: list[PlanFinding] = []
    for f in read_findings(document):
        if wanted is not None and f.id not in wanted:
            continue
        if rule_set is not None and f.rule not in rule_set:
            continue
        if threshold is not None and f.rank < threshold:
            continue
        if f.waived:
            if wanted is not None:
                skipped.append(Skipped(f.id, f.rule, WAIVED, f.subject))
            continue
        if f.waiver is not None:
            skipped.append(Skipped(f.id, f.rule, WAIVER_LAPSED, f.subject, waiver=f.waiver))
            continue
        reason = not_plannable(f)
        if reason is not None:
            why, description = reason
            skipped.append(Skipped(f.id, f.rule, why, f.subject, description))
            continue
        eligible.append(f)

    ops = [o for f in eligible for a in f.actions for o in ops_of(f.id, a, parts, root)]
    clashes = conflicts(ops)
    if clashes:
        for f in eligible:
            if f.id in clashes:
                skipped.append(Skipped(f.id, f.rule, CONTRADICTION, f.subject, others=tuple(sorted(clashes[f.id]))))
        ops = [o for o in ops if not set(o.findings) & clashes.keys()]

    merged = merge_ops(ops)
    together = ends_data_together(merged.values(), {f.id: f.details for f in eligible})
    if together:
        for f in eligible:
            if f.id in together:
                others, data = together[f.id]
                skipped.append(Skipped(f.id, f.rule, DATA_TOGETHER, f.subject,
                                       others=tuple(sorted(others)), data=tuple(data)))
        merged = {k: o for k, o in merged.items() if not set(o.findings) & together.keys()}
    by_user: dict[str, list[Op]] = {}
    for o in merged.values():
        by_user.setdefault(o.user, []).append(o)
    chains = [chain(user_ops) for user_ops in by_user.values()]

    table = seat_table(document)
    done, overflow, left_out = order(chains, table)

    position = {f.id: i for i, f in enumerate(eligible)}
    by_id = {f.id: f for f in eligible}
    words = Describer({f.id: f.source for f in eligible}, document) if describe_changes else None
    changes: list[Change] = []
    for drafts in done:
        base = len(changes)
        for i, d in enumerate(drafts):
            changes.append(Change(
                n=base + i + 1, kind=d.kind, method=METHODS[d.kind], path=d.path, body=d.body,
                description=words.of(d.kind, d.body, d.user, d.group, d.findings) if words else "",
                user=d.user, group=d.group, precondition=tuple(d.precondition),
                seats=dict(d.seats), findings=tuple(sorted(d.findings, key=lambda fid: position[fid])),
                depends_on=tuple(base + j + 1 for j in sorted(d.deps)),
            ))

    stopped = None
    if overflow is not None:
        index, part, usable, needed = overflow
        first = left_out[0][index]
        known = part in table
        stopped = Stopped(len(changes) + index + 1, part, usable, needed,
                          COUNT_VIOLATION if known else NOT_SUBSCRIBED,
                          words.of(first.kind, first.body, first.user, first.group, first.findings) if words else "",
                          METHODS[first.kind], first.path)
        cut = dict.fromkeys(fid for drafts in left_out for d in drafts for fid in d.findings)
        for fid in cut:
            f = by_id[fid]
            skipped.append(Skipped(fid, f.rule, STOPPED, f.subject))

    currency = currency_of(document)
    seats, net, unpriced = seats_and_cost(document, table, changes, currency)
    tenant_value = document.get("tenant")
    tenant: Mapping[str, Any] = tenant_value if isinstance(tenant_value, Mapping) else {}
    return Plan(
        tenant_id=str(tenant.get("id") or ""),
        tenant_name=str(tenant.get("name") or ""),
        cloud=str(tenant.get("cloud") or "worldwide"),
        locale=str(document.get("locale") or "en"),
        report_generated_at=str(document.get("generated_at") or ""),
        currency=currency,
        net_monthly=net,
        unpriced=unpriced,
        changes=tuple(changes),
        seats=seats,
        stopped=stopped,
        skipped=tuple(skipped),
        filters=filters,
    )
