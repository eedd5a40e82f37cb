"""The plan in one line, "3 changes, lowering license costs by €45.60 a month; 2 findings need a person", for the
command's output and the report header (which compiles the plan from the report it shows)."""

from __future__ import annotations

from dataclasses import dataclass

from msgspec import UNSET

from auditor import i18n
from auditor.data.blocked import DATA_LOST
from auditor.data.model import Locale
from auditor.formats.report_model import ReportDocument
from auditor.plan.actions import Remediation
from auditor.plan.compile import DATA_TOGETHER, WAIVED, ChangePlan, compile_plan, restated
from auditor.reference import product_names
from auditor.rules import RULES

# Skipped reasons that only a declaration that the user's data is kept (the policy's `data_kept`)
# turns into a ready change: the removal would end a mailbox or files.
DECLARATION_REASONS = frozenset({DATA_LOST, DATA_TOGETHER})


def locale_of(plan: ChangePlan) -> Locale:
    try:
        return Locale(plan.locale)
    except ValueError:
        return Locale.EN


def signed_money(amount: float, currency: str | None, locale: Locale) -> str:
    """Money with its sign: "-€45.60", "+€12.00", "€0.00" (a rise is as visible as a saving)."""
    text = i18n.format_money(amount, currency, locale)
    return "+" + text if round(amount, 2) > 0 else text


def summary(plan: ChangePlan, locale: Locale, amounts: bool = True) -> str:
    """The plan's changes, net monthly cost, where it stops and how many findings need a person, in
    `locale`. amounts=False leaves the money out: the money opening (auditor.plan.money) says it."""
    t = i18n.translations(locale)
    changes = t.npgettext("plan_changes", "{n} change", "{n} changes", len(plan.changes))
    if not amounts:
        text = changes
    elif plan.net_monthly is None:
        text = t.pgettext("plan_unpriced_summary", "{changes}, cost not known (no prices)", changes=changes)
    elif round(plan.net_monthly, 2) > 0:  # the words of the money opening: a saving lowers, never "net €…"
        text = t.pgettext(
            "plan_summary_lowers",
            "{changes}, lowering license costs by {amount} a month",
            changes=changes,
            amount=i18n.format_money(plan.net_monthly, plan.currency, locale),
        )
    elif round(plan.net_monthly, 2) < 0:
        text = t.pgettext(
            "plan_summary_raises",
            "{changes}, raising license costs by {amount} a month",
            changes=changes,
            amount=i18n.format_money(-plan.net_monthly, plan.currency, locale),
        )
    else:
        text = t.pgettext("plan_summary_even", "{changes}, license costs unchanged", changes=changes)
    parts = [text]
    if amounts and plan.unpriced and plan.net_monthly is not None:
        parts.append(
            t.npgettext(
                "plan_unpriced",
                "{n} product without a price not counted",
                "{n} products without a price not counted",
                len(plan.unpriced),
            )
        )
    if plan.stopped:
        parts.append(
            t.pgettext(
                "plan_stops",
                "stops at change {n}: no free {product} seat",
                n=i18n.format_number(plan.stopped.n, locale),
                product=product_names().product(None, plan.stopped.sku) or plan.stopped.sku,
            )
        )
    if plan.need_a_person:
        parts.append(
            t.npgettext("plan_people", "{n} finding needs a person", "{n} findings need a person", plan.need_a_person)
        )
    return "; ".join(parts)


@dataclass(frozen=True)
class ReclaimSplit:
    """The report's reclaimable amount per month, split by what it waits for, and how it meets the
    plan's net: `ready + declaration + person` is the reclaimable total, and `ready + other` is
    the plan's net saving (`other`: what the plan's changes for other findings add to it, signed)."""

    total: float
    ready: float  # what the plan's changes recover of it
    declaration: float  # waits for a declaration that the user's data is kept (the policy's data_kept)
    person: float  # waits for a person (a check, a choice, a size, a commercial step)
    other: float | None  # the rest of the plan's net, signed; None when the plan's net is not known


def reclaim_split(document: ReportDocument, plan: ChangePlan) -> ReclaimSplit:
    """Split the report summary's `reclaimable_monthly_cost` (one amount per user: the user's largest
    reclaimable finding, auditor.report.document.summary_json).

    Ready is what the plan's changes for a user's reclaimable findings free, at the plan's seat
    prices, up to the user's amount: a finding planned in part (a leaver's Power BI goes, the E3
    with the mailbox waits) counts its planned part as ready and the rest as waiting. What is left
    of the user's amount waits for a declaration when the user's largest waiting reclaimable finding
    waits for one (the removal would end data the policy's data_kept could declare kept), else for a
    person. Everything else the plan's changes cost or save is `other`."""
    reclaimable = {r.id for r in RULES if r.reclaimable}
    amounts: dict[str, float] = {}  # user -> the user's reclaimable amount
    owner: dict[str, str] = {}  # reclaimable finding -> its user
    costs: dict[str, float] = {}
    for f in document.findings:
        cost = f.monthly_cost
        if f.waived or f.rule not in reclaimable or not isinstance(cost, int | float) or cost <= 0:
            continue
        user = f.subject.id
        fid = f.id
        owner[fid], costs[fid] = user, float(cost)
        amounts[user] = max(amounts.get(user, 0.0), float(cost))

    prices = {line.sku: line.price for line in plan.seats}
    freed: dict[str, float] = {}  # user -> what the changes for the user's reclaimable findings free
    other = 0.0
    for change in plan.changes:
        value = sum(delta * price for part, delta in change.seats.items() if (price := prices.get(part)) is not None)
        users = {owner[fid] for fid in change.findings if fid in owner}
        if users:  # a change is one user's: its saving recovers that user's amount
            user = users.pop()
            freed[user] = freed.get(user, 0.0) - value
        else:
            other += value

    reasons = {s.finding: s.reason for s in plan.skipped if s.reason != WAIVED}
    waiting: dict[str, list[tuple[float, str]]] = {}  # user -> (cost, finding) of the reclaimable ones waiting
    for fid, user in owner.items():
        if fid in reasons:
            waiting.setdefault(user, []).append((costs[fid], fid))
    ready = declaration = person = 0.0
    for user, amount in amounts.items():
        value = freed.get(user, 0.0)
        got = min(max(value, 0.0), amount)
        ready += got
        # freed beyond the user's amount (leaving a group that gives more than the finding names),
        # or a cost: part of the plan's net all the same
        other -= value - got
        rest = amount - got
        if rest <= 0.005:
            continue
        largest = max(waiting.get(user, ()), default=None)
        reason = reasons[largest[1]] if largest is not None else None
        if reason in DECLARATION_REASONS:
            declaration += rest
        else:
            person += rest
    total = document.summary.reclaimable_monthly_cost
    whole = total.amount if total is not None else sum(amounts.values())
    return ReclaimSplit(
        round(whole, 2),
        round(ready, 2),
        round(declaration, 2),
        round(person, 2),
        None if plan.net_monthly is None else round(-other, 2) + 0.0,
    )


def reclaim_line(document: ReportDocument, plan: ChangePlan, locale: Locale) -> str:
    """ "Of the €481.60 reclaimable per month: €93.70 is ready in this plan, €300.00 waits for a
    declaration that the data is kept, €87.90 waits for a person. The plan's other changes count
    +€73.95 in its net." — why the plan's net is not the reclaimable amount; empty when nothing is
    reclaimable."""
    total = document.summary.reclaimable_monthly_cost
    if total is None or total.amount <= 0:
        return ""
    amount, currency = total.amount, total.currency
    split = reclaim_split(document, plan)
    t = i18n.translations(locale)

    def money(value: float) -> str:
        return i18n.format_money(value, currency, locale)

    text = t.pgettext(
        "plan_reclaim",
        "Of the {total} reclaimable per month: {ready} is ready in this plan, "
        "{declaration} waits until the users' data is kept, {person} waits for a "
        "person.",
        total=money(amount),
        ready=money(split.ready),
        declaration=money(split.declaration),
        person=money(split.person),
    )
    if split.other is not None and round(split.other, 2) != 0:
        text += " " + t.pgettext(
            "plan_reclaim_other",
            "The plan's other changes count {amount} in its net.",
            amount=signed_money(split.other, currency, locale),
        )
    return text


def header_plan(document: ReportDocument, remediation: Remediation | None = None) -> ChangePlan | None:
    """The plan the report header sums up: `document`'s, with the default filters; None for a merge
    of several tenants. An audit compiles it once
    and hands it to the renewal forecast and the report header. `remediation`: for a document
    whose findings do not carry theirs yet (compile_plan)."""
    if document.tenants is not UNSET:
        return None
    # the header and the forecast read no change's words
    return compile_plan(document, describe_changes=False, remediation=remediation)


def header_plan_of(
    plan: ChangePlan | None, before: ReportDocument, after: ReportDocument, remediation: Remediation | None = None
) -> ChangePlan | None:
    """header_plan(after) from `plan`, the header plan of `before`, which `after` is with some findings
    replaced (the bill's figures named on them): restated where that is the same plan, else compiled."""
    if plan is None:
        return header_plan(after, remediation)
    found = restated(plan, before, after, describe_changes=False, remediation=remediation)
    return found if found is not None else header_plan(after, remediation)


def plan_header(document: ReportDocument, locale: Locale, plan: ChangePlan | None = None) -> str:
    """The report header's plan line (see header_plan); empty for a merge. `plan`: header_plan(document)
    when the caller has it already. A report with `money` opens with its money story, so the line then
    says the plan's size alone."""
    if document.tenants is not UNSET:
        return ""
    plan = plan if plan is not None else compile_plan(document, describe_changes=False)
    if document.money is not UNSET:
        return summary(plan, locale, amounts=False)
    # the plan's net counts every change it makes; the split says how much of the reclaimable
    # amount it covers and what the rest waits for
    reclaim = reclaim_line(document, plan, locale)
    return summary(plan, locale) + (". " + reclaim if reclaim else "")
