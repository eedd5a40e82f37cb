"""A ChangePlan -> plan.json, plan.md and Graph `$batch` bodies (batch-001.json, ...), and the one-line summary.

plan.json (`plan_version` 1) is what `apply` reads; plan.md is for the person who reviews it, in
the report's language, with every value from the tenant escaped (the report's Markdown
environment, auditor.render.environment); the batch bodies are for posting to Graph's `$batch`
by hand or from a script. Files are written through auditor.common.outputs (temporary file, then
rename), so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from auditor import i18n
from auditor.common.errors import UsageError
from auditor.common.outputs import write_text
from auditor.data.model import Locale
from auditor.distributor.distributor_changes import distributor_lead, distributor_reasons, distributor_rows
from auditor.distributor.purchases import purchases_title
from auditor.formats.plan_records import DECLARED, BatchBody, BatchRequest, MailboxStep, PlanRecord
from auditor.plan.bill_view import bill_view
from auditor.plan.commerce import commerce_rows
from auditor.plan.compile import (
    Change,
    ChangePlan,
)
from auditor.plan.data_fate import DataRow, data_rows
from auditor.plan.exchange import EXCHANGE_FILE, script
from auditor.plan.money import opening
from auditor.plan.psa_quantities import psa_rows
from auditor.plan.reasons import skip_reason
from auditor.plan.summary import locale_of, summary
from auditor.reference import product_names
from auditor.render.environment import markdown_environment
from auditor.render.text import clean

PLAN_VERSION = 1
BATCH_LIMIT = 20  # requests per $batch (Graph's limit)
PLAN_FILE = "plan.json"
PLAN_MD = "plan.md"
BATCH_NAME = re.compile(r"batch-\d{3,}\.json\Z")
SKIPPED_CAP = 500  # rows of plan.md's "needs a person" table; plan.json lists all


# --- plan.json ------------------------------------------------------------------------------------


def plan_document(plan: ChangePlan, *, created_at: str) -> PlanRecord:
    """plan.json's content (docs/plan-and-apply.md)."""
    doc: PlanRecord = {
        "plan_version": PLAN_VERSION,
        "tenant_id": plan.tenant_id,
        "tenant_name": plan.tenant_name,
        "cloud": plan.cloud,
        "report_generated_at": plan.report_generated_at,
        "report_collected_at": plan.report_collected_at or None,
        "created_at": created_at,
        "policy_files": list(plan.policy_files),
        "policy_sha256": dict(plan.policy_sha256),
        "filters": plan.filters.to_json(),
        "currency": plan.currency,
        "net_monthly": plan.net_monthly,
        "unpriced": list(plan.unpriced),
        "changes": [c.to_json() for c in plan.changes],
        "seats": {s.sku: s.to_json() for s in plan.seats},
        "stopped": plan.stopped,
        "skipped": [s.to_json() for s in plan.skipped],
    }
    if plan.exchange:
        doc["exchange_steps"] = [s.to_json() for s in plan.exchange]
    if plan.bill is not None:
        doc["bill"] = plan.bill
    return doc


# --- $batch bodies --------------------------------------------------------------------------------


def batch_bodies(changes: Sequence[Change], limit: int = BATCH_LIMIT) -> list[BatchBody]:
    """The changes as `$batch` request bodies of at most `limit` requests, in plan order.

    Each batch runs in sequence: every request depends on the one before it in the same batch
    (Graph runs a batch's requests in any order unless `dependsOn` says otherwise, and accepts a
    batch that is either fully sequential or fully parallel), so the plan's order, and with it the
    seat check, holds inside a batch; a failed request fails the rest of its batch (424). Batches
    themselves are posted one after the other. A user's changes stay in one batch when they fit
    (a change's `depends_on` then lies in its own batch or an earlier one): were a join in one
    batch and the matching leave in the next, a failed join would not stop the leave."""
    groups: list[list[Change]] = []
    for change in changes:
        if groups and change.user == groups[-1][-1].user:
            groups[-1].append(change)
        else:
            groups.append([change])
    batches: list[list[Change]] = []
    for group in groups:
        if batches and len(batches[-1]) + len(group) <= limit:
            batches[-1].extend(group)
            continue
        for start in range(0, len(group), limit):  # a user with more changes than a batch holds
            batches.append(list(group[start : start + limit]))
    return [{"requests": [_request(c, batch[i - 1] if i else None) for i, c in enumerate(batch)]} for batch in batches]


def _request(change: Change, previous: Change | None) -> BatchRequest:
    request: BatchRequest = {"id": str(change.n), "method": change.method, "url": change.path}
    if change.body is not None:
        request["headers"] = {"Content-Type": "application/json"}
        request["body"] = change.body
    if previous is not None:
        request["dependsOn"] = [str(previous.n)]
    return request


# --- plan.md --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ChangeRow:
    n: int
    description: str
    request: str
    findings: str
    depends: str
    waits: str = ""  # the wait for a group's license before this change (apply --wait)


@dataclass(frozen=True)
class _SeatRow:
    product: str
    usable: str
    consumed: str
    after: str
    price: str


@dataclass(frozen=True)
class _SkipRow:
    finding: str
    rule: str
    subject: str
    reason: str
    action: str


@dataclass(frozen=True)
class _PlanView:
    tenant_name: str
    tenant_id: str
    cloud: str
    summary: str
    opening: str  # the report's money story (auditor.plan.money); "" for a report without one
    generated: str
    created: str
    filters: str
    counts: tuple[tuple[str, str], ...]  # (kind of change, how many), in the order changes of a user run
    changes: tuple[_ChangeRow, ...]
    seats: tuple[_SeatRow, ...]
    unpriced: str
    stopped: str
    skipped: tuple[_SkipRow, ...]
    skipped_more: str
    data: tuple[DataRow, ...] = ()  # what happens to the users' data (auditor.plan.data_fate)
    exchange: str = ""  # what exchange-steps.ps1 is for, when the plan writes it
    exchange_rows: tuple[str, ...] = ()  # one line per mailbox it converts


def awaited_joins(change: Change, changes: Sequence[Change]) -> list[int]:
    """The joins (their `n`) whose group's license `change` waits for: a change it depends on adds
    the user to a group whose copy of a product a precondition of `change` wants active. apply
    then re-reads the user until it is (`apply --wait`)."""
    joins = {c.n: str(c.group).lower() for c in changes if c.kind == "add_member" and c.n in change.depends_on}
    wanted = {
        str(cond.get("group")).lower()
        for cond in change.precondition
        if cond.get("how") == "group" and cond.get("active") is True
    }
    return [n for n, group in joins.items() if group in wanted]


def _waits(t: i18n.Translations, change: Change, changes: Sequence[Change]) -> str:
    joins = awaited_joins(change, changes)
    if not joins:
        return ""
    return t.pgettext(
        "plan_waits_for_group",
        "Runs only once the license from the group that change {changes} joins is active for the "
        "user: apply re-reads the user until it is, for up to 5 minutes (apply --wait). If it is not "
        "active by then, or is in error, this change is journaled as pending and left undone; the "
        "next apply of this plan makes it.",
        changes=", ".join(str(n) for n in joins),
    )


def _leaves(t: i18n.Translations, change: Change, locale: Locale) -> str:
    """What leaving a group takes away besides its purpose: the licenses it gives the user (the seats
    the leave frees), its team and the apps its app role assignments open (apply names those)."""
    if change.kind != "remove_member":
        return ""
    parts = [part for part, delta in sorted(change.seats.items()) if delta < 0]
    if not parts:
        return t.pgettext(
            "plan_leave_takes_other",
            "Leaving the group takes away what else it gives the user: membership of its team (when "
            "it is a Team) and the apps its app role assignments open. apply reads the group again "
            "before the change and names them.",
        )
    return t.npgettext(
        "plan_leave_takes",
        "Leaving the group takes away all it gives the user: the license {products}, and, as far "
        "as the group gives them, membership of its team (when it is a Team) and the apps its app "
        "role assignments open. apply reads the group again before the change and names them.",
        "Leaving the group takes away all it gives the user: the licenses {products}, and, as far "
        "as the group gives them, membership of its team (when it is a Team) and the apps its app "
        "role assignments open. apply reads the group again before the change and names them.",
        len(parts),
        # by name in Microsoft's product table (never one report.json could have changed)
        products=i18n.format_list([product_names().product(None, p) or p for p in parts], locale),
    )


def _counts(t: i18n.Translations, plan: ChangePlan, locale: Locale) -> tuple[tuple[str, str], ...]:
    """How many changes of each kind the plan makes, so a reviewer sees its size before its list."""
    names = {
        "set_usage_location": t.pgettext("plan_kind_usage_location", "Usage location set"),
        "add_member": t.pgettext("plan_kind_join", "Group joined"),
        "assign_license": t.pgettext("plan_kind_assign", "Licenses assigned or removed (assignLicense)"),
        "remove_member": t.pgettext("plan_kind_leave", "Group left"),
        "reprocess": t.pgettext("plan_kind_reprocess", "Group licenses reprocessed"),
    }
    counted = {kind: sum(1 for c in plan.changes if c.kind == kind) for kind in names}
    return tuple((names[kind], i18n.format_number(n, locale)) for kind, n in counted.items() if n)


def _view(plan: ChangePlan, created_at: str, locale: Locale) -> _PlanView:
    t = i18n.translations(locale)

    def num(value: int | None) -> str:
        return "–" if value is None else i18n.format_number(value, locale)

    changes = tuple(
        _ChangeRow(
            n=c.n,
            description=clean(c.description, 2000),
            request=clean(f"{c.method} {c.path}", 600),
            findings=clean(", ".join(c.findings), 2000),
            depends=" · "
            + t.pgettext("plan_depends", "after {changes}", changes=", ".join(str(n) for n in c.depends_on))
            if c.depends_on
            else "",
            waits=_waits(t, c, plan.changes) or _leaves(t, c, locale),
        )
        for c in plan.changes
    )
    seats = tuple(
        _SeatRow(
            product=clean(product_names().product(None, s.sku) or s.name or s.sku, 200),
            usable=num(s.usable),
            consumed=num(s.consumed),
            after=num(s.after),
            price=t.pgettext("no_price", "not priced")
            if s.price is None
            else i18n.format_money(s.price, plan.currency, locale),
        )
        for s in plan.seats
    )
    unpriced = (
        t.pgettext("plan_net_unpriced", "Not counted, no price: {products}.", products=", ".join(plan.unpriced))
        if plan.unpriced and plan.net_monthly is not None
        else ""
    )
    stopped = ""
    if plan.stopped:
        s = plan.stopped
        stopped = t.npgettext(
            "plan_stopped",
            "The plan stops before change {change}, {description} ({request}): it needs {n} {product} seat, more "
            "than the {usable} usable, so Graph would refuse it (CountViolation). Free or buy seats, then plan again.",
            "The plan stops before change {change}, {description} ({request}): it needs {n} {product} seats, more "
            "than the {usable} usable, so Graph would refuse it (CountViolation). Free or buy seats, then plan again.",
            s.needed,
            change=s.n,
            description=clean(s.description, 600),
            request=clean(f"{s.method} {s.path}", 600),
            product=clean(s.sku, 100),
            usable=num(s.usable),
        )
    rows = tuple(
        _SkipRow(
            clean(s.finding, 64),
            clean(s.rule, 100),
            clean(s.subject, 200),
            skip_reason(t, s),
            clean(s.description, 600),
        )
        for s in plan.skipped[:SKIPPED_CAP]
    )
    more = len(plan.skipped) - len(rows)
    filters = plan.filters
    filter_parts = []
    if filters.rules is not None:
        filter_parts.append("--rules " + " ".join(filters.rules))
    if filters.min_severity:
        filter_parts.append("--min-severity " + filters.min_severity)
    if filters.findings is not None:
        filter_parts.append("--findings " + " ".join(filters.findings))
    return _PlanView(
        tenant_name=clean(plan.tenant_name or plan.tenant_id, 200),
        tenant_id=clean(plan.tenant_id, 64),
        cloud=clean(i18n.cloud_name(t, plan.cloud), 60),
        summary=summary(plan, locale, amounts=plan.money is None),
        opening=" ".join(opening(plan.money, locale)) if plan.money is not None else "",
        generated=i18n.format_datetime(plan.report_generated_at, locale) if plan.report_generated_at else "",
        created=i18n.format_datetime(created_at, locale),
        filters=clean("; ".join(filter_parts), 2000),
        counts=_counts(t, plan, locale),
        changes=changes,
        seats=seats,
        unpriced=unpriced,
        stopped=stopped,
        skipped=rows,
        skipped_more=t.npgettext(
            "plan_skipped_more", "…and {n} more, listed in plan.json.", "…and {n} more, listed in plan.json.", more
        )
        if more > 0
        else "",
        data=data_rows(t, plan.changes),
        exchange=t.npgettext(
            "plan_exchange",
            "{n} mailbox must become a shared mailbox first: {file}, beside this plan, holds the "
            "Exchange Online PowerShell that shows its holds and archive and converts it. Review it and run it, then "
            "audit and plan again.",
            "{n} mailboxes must become shared mailboxes first: {file}, beside this plan, holds the Exchange Online "
            "PowerShell that shows their holds and archives and converts them. Review it and run it, then audit and "
            "plan again.",
            len(plan.exchange),
            file=EXCHANGE_FILE,
        )
        if plan.exchange
        else "",
        exchange_rows=tuple(_exchange_row(t, s) for s in plan.exchange),
    )


def _exchange_row(t: i18n.Translations, step: MailboxStep) -> str:
    who = f"{clean(step.subject, 200)} ({clean(step.upn, 200)}), {clean(step.finding, 64)}"
    if step.why == DECLARED:
        why = t.pgettext(
            "plan_exchange_declared",
            "declared converted to a shared mailbox: convert it before change {n} runs",
            n=step.change,
        )
    else:
        why = t.pgettext(
            "plan_exchange_waits", "its license waits: the removal would end the mailbox, and no declaration keeps it"
        )
    return f"{who}: {why}"


def plan_markdown(plan: ChangePlan, *, created_at: str) -> str:
    """plan.md, in the report's language; every value is escaped as the report's Markdown is."""
    locale = locale_of(plan)
    view = _view(plan, created_at, locale)
    shown = distributor_rows(plan.bill, locale, plan.currency)
    return (
        markdown_environment()
        .get_template("plan.md.j2")
        .render(
            v=view,
            t=i18n.translations(locale),
            b=bill_view(plan.bill, plan.currency, locale, plan.money),
            commerce=commerce_rows(plan.bill, plan.currency, locale),
            distributor=shown[0],
            distributor_skipped=shown[1],
            distributor_lead=distributor_lead(plan.bill, locale),
            distributor_title=purchases_title(plan.bill, locale),
            distributor_reasons=distributor_reasons(plan.bill, locale),
            psa=psa_rows(plan.bill, locale),
        )
    )


# --- writing --------------------------------------------------------------------------------------


def json_text(value: object) -> str:
    """plan.json's text: its Structs (the bill) as msgspec encodes them, the rest as json writes it."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=msgspec.to_builtins) + "\n"


def write_plan(plan: ChangePlan, out_dir: Path, *, created_at: str) -> list[Path]:
    """Write plan.json, plan.md, the batch bodies and exchange-steps.ps1 (when a mailbox must become
    shared first) into `out_dir`; remove batch files and an exchange-steps.ps1 an earlier plan left
    there (a stale batch-007.json must not be posted with a new plan). The caller holds
    the directory's lock (auditor.common.outputs.output_lock). Raises UsageError when a file cannot be written."""
    written: list[Path] = []
    batches = batch_bodies(plan.changes)
    files = [
        (PLAN_FILE, json_text(plan_document(plan, created_at=created_at))),
        (PLAN_MD, plan_markdown(plan, created_at=created_at)),
    ]
    files += [(f"batch-{i:03d}.json", json_text(body)) for i, body in enumerate(batches, 1)]
    if plan.exchange:
        files.append(
            (EXCHANGE_FILE, script(plan.exchange, tenant=plan.tenant_name or plan.tenant_id, created_at=created_at))
        )
    names = {name for name, _ in files}
    try:
        for entry in os.scandir(out_dir):
            stale = BATCH_NAME.match(entry.name) or entry.name == EXCHANGE_FILE  # an earlier plan's
            if stale and entry.name not in names and not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        for name, text in files:
            path = out_dir / name
            write_text(path, text)
            written.append(path)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot write the plan: {exc.strerror or exc}") from None
    return written
