"""The plan in one line, "3 changes, net -€45.60 per month; 2 findings need a person", for the
command's output and the report header (which compiles the plan from the report it shows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor import i18n
from auditor.model import Locale
from auditor.plan.compile import Plan, compile_plan, has_actions


def locale_of(plan: Plan) -> Locale:
    try:
        return Locale(plan.locale)
    except ValueError:
        return Locale.EN


def signed_money(amount: float, currency: str | None, locale: Locale) -> str:
    """Money with its sign: "-€45.60", "+€12.00", "€0.00" (a rise is as visible as a saving)."""
    text = i18n.format_money(amount, currency, locale)
    return "+" + text if round(amount, 2) > 0 else text


def summary(plan: Plan, locale: Locale) -> str:
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


def header_plan(document: Mapping[str, Any]) -> Plan | None:
    """The plan the report header sums up: `document`'s, with the default filters; None for a report
    without actions (report.json schema 1) or a merge of several tenants. An audit compiles it once
    and hands it to the renewal forecast and the report header."""
    if not has_actions(document) or "tenants" in document:
        return None
    return compile_plan(document, describe_changes=False)  # the header and the forecast read no change's words


def plan_header(document: Mapping[str, Any], locale: Locale, plan: Plan | None = None) -> str:
    """The report header's plan line (see header_plan); empty for a report without actions or a
    merge. `plan`: header_plan(document) when the caller has it already."""
    if not has_actions(document) or "tenants" in document:
        return ""
    return summary(plan if plan is not None else compile_plan(document, describe_changes=False), locale)
