"""The plan in one line, "3 changes, net -€45.60 per month; 2 findings need a person", for the
command's output and the report header (which compiles the plan from the report it shows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor import i18n
from auditor.guidance.remediation import DATA_LOST
from auditor.model import Locale
from auditor.plan.compile import DATA_TOGETHER, WAIVED, ChangePlan, compile_plan, has_actions
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


def summary(plan: ChangePlan, locale: Locale) -> str:
    """The plan's changes, net monthly cost, where it stops and how many findings need a person, in `locale`."""
    t = i18n.translations(locale)
    changes = t.npgettext("plan_changes", "{n} change", "{n} changes", len(plan.changes))
    if plan.net_monthly is None:
        text = t.pgettext("plan_unpriced_summary", "{changes}, cost not known (no prices)", changes=changes)
    else:
        text = t.pgettext("plan_summary", "{changes}, net {amount} per month", changes=changes,
                          amount=signed_money(plan.net_monthly, plan.currency, locale))
    parts = [text]
    if plan.unpriced and plan.net_monthly is not None:
        parts.append(t.npgettext("plan_unpriced", "{n} product without a price not counted",
                                 "{n} products without a price not counted", len(plan.unpriced)))
    if plan.stopped:
        parts.append(t.pgettext("plan_stops", "stops at change {n}: no free {product} seat",
                                n=i18n.format_number(plan.stopped.n, locale), product=plan.stopped.sku))
    if plan.need_a_person:
        parts.append(t.npgettext("plan_people", "{n} finding needs a person", "{n} findings need a person",
                                 plan.need_a_person))
    return "; ".join(parts)


def reclaim_split(document: Mapping[str, Any], plan: ChangePlan) -> tuple[float, float, float]:
    """The report's reclaimable amount per month split three ways: (in the plan, waiting for a
    declaration that the data is kept, waiting for a person). The sum is the report summary's
    `reclaimable_monthly_cost`: like it, one amount per user, the user's largest reclaimable finding
    (auditor.report.document.summary_json). A user's planned findings count as ready up to the
    largest of them; the rest of the user's amount waits as that largest finding does."""
    reclaimable = {r.id for r in RULES if r.reclaimable}
    planned = {fid for change in plan.changes for fid in change.findings}
    reasons = {s.finding: s.reason for s in plan.skipped if s.reason != WAIVED}
    users: dict[str, list[tuple[float, str]]] = {}  # user -> (cost, "ready" | "declaration" | "person")
    for f in document.get("findings") or []:
        if not isinstance(f, Mapping):
            continue
        cost = f.get("monthly_cost")
        if f.get("waived") or f.get("rule") not in reclaimable or not isinstance(cost, int | float) or cost <= 0:
            continue
        fid = str(f.get("id", ""))
        bucket = "ready" if fid in planned and fid not in reasons else \
            "declaration" if reasons.get(fid) in DECLARATION_REASONS else "person"
        subject = f.get("subject")
        user = str(subject.get("id", "")) if isinstance(subject, Mapping) else ""
        users.setdefault(user, []).append((float(cost), bucket))
    out = {"ready": 0.0, "declaration": 0.0, "person": 0.0}
    for costs in users.values():
        top, bucket = max(costs, key=lambda c: (c[0], c[1] == "ready"))
        ready = max((c for c, b in costs if b == "ready"), default=0.0)
        out["ready"] += ready
        if top > ready:
            out[bucket] += top - ready
    return round(out["ready"], 2), round(out["declaration"], 2), round(out["person"], 2)


def reclaim_line(document: Mapping[str, Any], plan: ChangePlan, locale: Locale) -> str:
    """"Of the €481.60 reclaimable per month: €93.70 is in this plan, €300.00 waits for a declaration
    that the data is kept, €87.90 waits for a person." — why the plan's net is not the reclaimable
    amount; empty when nothing is reclaimable."""
    total = (document.get("summary") or {}).get("reclaimable_monthly_cost") or {}
    amount, currency = total.get("amount"), total.get("currency")
    if not isinstance(amount, int | float) or amount <= 0:
        return ""
    ready, declaration, person = reclaim_split(document, plan)
    t = i18n.translations(locale)

    def money(value: float) -> str:
        return i18n.format_money(value, currency, locale)

    return t.pgettext("plan_reclaim", "Of the {total} reclaimable per month: {ready} is in this plan, {declaration} "
                      "waits for a declaration that the user's data is kept, {person} waits for a person.",
                      total=money(amount), ready=money(ready), declaration=money(declaration), person=money(person))


def header_plan(document: Mapping[str, Any]) -> ChangePlan | None:
    """The plan the report header sums up: `document`'s, with the default filters; None for a report
    without actions (report.json schema 1) or a merge of several tenants. An audit compiles it once
    and hands it to the renewal forecast and the report header."""
    if not has_actions(document) or "tenants" in document:
        return None
    return compile_plan(document, describe_changes=False)  # the header and the forecast read no change's words


def plan_header(document: Mapping[str, Any], locale: Locale, plan: ChangePlan | None = None) -> str:
    """The report header's plan line (see header_plan); empty for a report without actions or a
    merge. `plan`: header_plan(document) when the caller has it already."""
    if not has_actions(document) or "tenants" in document:
        return ""
    plan = plan if plan is not None else compile_plan(document, describe_changes=False)
    # the plan's net counts every change it makes; the split says how much of the reclaimable
    # amount it covers and what the rest waits for
    reclaim = reclaim_line(document, plan, locale)
    return summary(plan, locale) + (". " + reclaim if reclaim else "")
