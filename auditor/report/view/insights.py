"""The blocks auditor.insights writes into report.json, localised for the templates (`x` beside the report's
`v`): trends (bars as table cells for HTML, Mermaid xychart-beta for Markdown, a sparkline per
product), renewals, cost allocation, and each new finding's cause.

Tenant text passes through `clean`; escaping stays the template environment's job, except the
Mermaid blocks, which are built here from numbers, dates and catalog texts only (quotes and
brackets removed) and marked MdSafe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypedDict

import msgspec  # frozen Structs, as auditor/report/view/__init__.py says why

from auditor import i18n
from auditor.data.model import Locale
from auditor.formats.report_model import CostAllocation, RenewalForecast, ReportDocument, Trends
from auditor.formats.report_parts import FindingCause
from auditor.render.environment import MdSafe
from auditor.render.text import clean
from auditor.report.view.context import SEVERITIES, SEVERITY_COLOURS
from auditor.report.view.copilot_history import CopilotSeatRow, copilot_history
from auditor.report.view.findings import severity_count
from auditor.report.view.seats import SEAT_CAP, usage_text

BAR_HEIGHT = 80  # px of the tallest bar
SPARK_HEIGHT = 16
ALLOCATION_CAP = 15
SEAT_SPARK_RUNS = 14  # the seat table's sparkline: the last two weeks of nightly runs (the table is wide already)
_MERMAID_UNSAFE = re.compile(r'["\[\]{}<>`;#\\\n\r]')


class Segment(msgspec.Struct, frozen=True):
    height: int
    colour: str


class RunBar(msgspec.Struct, frozen=True):
    label: str  # the run's date
    title: str  # hover text: the counts
    segments: tuple[Segment, ...]  # top to bottom
    spend_height: int
    complete: bool


class Spark(msgspec.Struct, frozen=True):
    heights: tuple[int, ...]  # px, one per run (0 = no value)
    text: str  # ▁▂▃ for Markdown


class ProductTrend(msgspec.Struct, frozen=True):
    name: str
    spark: Spark
    now: str  # "185 of 200"
    change: str  # "+5"


class Renewal(msgspec.Struct, frozen=True):
    sentence: str
    basis: str
    difference: str


class AllocationTable(msgspec.Struct, frozen=True):
    title: str
    rows: tuple[tuple[str, str, str, str, str], ...]  # value, users, licensed, unused, reclaimable
    more: str


class InsightsView(msgspec.Struct, frozen=True):
    runs: tuple[RunBar, ...] = ()
    runs_text: str = ""
    spend_max: str = ""
    findings_max: str = ""
    products: tuple[ProductTrend, ...] = ()
    mermaid_findings: MdSafe = msgspec.field(default_factory=lambda: MdSafe(""))
    mermaid_spend: MdSafe = msgspec.field(default_factory=lambda: MdSafe(""))
    sparks: tuple[Spark, ...] = ()  # aligned with the seat table's rows
    renewals: tuple[Renewal, ...] = ()
    renewals_title: str = ""
    allocation: tuple[AllocationTable, ...] = ()
    allocation_note: str = ""
    causes: dict[str, str] = msgspec.field(default_factory=dict)
    legend: tuple[tuple[str, str], ...] = ()  # (label, colour) of the severities
    copilot_seats: tuple[CopilotSeatRow, ...] = ()  # each Copilot seat's nights (copilot_history.py)
    copilot_legend: str = ""
    copilot_more: str = ""

    @property
    def has_trends(self) -> bool:
        return len(self.runs) >= 2

    def md_spark_head(self, label: str) -> MdSafe:
        return MdSafe(f" {label} |" if self.sparks else "")

    def md_spark_sep(self) -> MdSafe:
        return MdSafe(" --- |" if self.sparks else "")

    def md_spark(self, index: int) -> MdSafe:
        if not self.sparks:
            return MdSafe("")
        text = self.sparks[index].text if index < len(self.sparks) else ""
        return MdSafe(f" {text} |")


class _ViewFields(TypedDict, total=False):
    """InsightsView's fields, as each part of insights_view works them out."""

    runs: tuple[RunBar, ...]
    runs_text: str
    spend_max: str
    findings_max: str
    products: tuple[ProductTrend, ...]
    mermaid_findings: MdSafe
    mermaid_spend: MdSafe
    sparks: tuple[Spark, ...]
    renewals: tuple[Renewal, ...]
    renewals_title: str
    allocation: tuple[AllocationTable, ...]
    allocation_note: str
    causes: dict[str, str]
    legend: tuple[tuple[str, str], ...]
    copilot_seats: tuple[CopilotSeatRow, ...]
    copilot_legend: str
    copilot_more: str


def _mermaid_text(text: str) -> str:
    return _MERMAID_UNSAFE.sub("", text)[:80]


def _mermaid(title: str, labels: Sequence[str], bars: Sequence[float] | None, line: Sequence[float] | None) -> MdSafe:
    top = max([*(bars or []), *(line or []), 1])
    out = [
        "```mermaid",
        "xychart-beta",
        f'    title "{_mermaid_text(title)}"',
        "    x-axis [" + ", ".join(f'"{_mermaid_text(x)}"' for x in labels) + "]",
        f"    y-axis 0 --> {top * 1.1:.0f}" if top > 10 else f"    y-axis 0 --> {top + 1:.0f}",
    ]
    if bars is not None:
        out.append("    bar [" + ", ".join(f"{v:g}" for v in bars) + "]")
    if line is not None:
        out.append("    line [" + ", ".join(f"{v:g}" for v in line) + "]")
    out.append("```")
    return MdSafe("\n".join(out))


def _spark(values: Sequence[int | None]) -> Spark:
    """Bars scaled to the series' largest value (none for fewer than two known values)."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return Spark((), "")
    top = max(known)
    heights = tuple(0 if v is None or top == 0 else max(1, round(v / top * SPARK_HEIGHT)) for v in values)
    first = next(i for i, v in enumerate(values) if v is not None)  # runs before the product existed: no text
    return Spark(heights, sparkline(values[first:]))


def _cause_text(cause: FindingCause, t: i18n.Translations, locale: Locale) -> str:
    by = clean(cause.by, 120) or t.pgettext("cause_someone", "someone")
    date = i18n.format_datetime(cause.at, locale)
    kind = cause.kind
    if kind == "group":
        key, english = (
            ("cause_group_add", "{by} added the user to the group {group} ({date})")
            if cause.joined
            else ("cause_group_remove", "{by} removed the user from the group {group} ({date})")
        )
        return t.pgettext(key, english, by=by, group=clean(cause.group or "", 120), date=date)
    if kind == "license":
        none = t.pgettext("cause_none", "none")
        added = ", ".join(clean(s, 60) for s in cause.added) or none
        removed = ", ".join(clean(s, 60) for s in cause.removed) or none
        return t.pgettext(
            "cause_license",
            "{by} changed the user's licenses ({date}; added: {added}; removed: {removed})",
            by=by,
            date=date,
            added=added,
            removed=removed,
        )
    unset = t.pgettext("cause_unset", "(not set)")
    return t.pgettext(
        "cause_property",
        "{by} changed {property} from {old} to {new} ({date})",
        by=by,
        property=clean(cause.property or "", 60),
        old=clean(cause.old or unset, 120),
        new=clean(cause.new or unset, 120),
        date=date,
    )


def insights_view(document: ReportDocument, locale: Locale) -> InsightsView:
    t = i18n.translations(locale)
    kwargs: _ViewFields = {}
    cause_label = t.pgettext("cause_label", "Cause")
    causes = {}
    for f in document.findings:
        if isinstance(f.cause, FindingCause):
            causes[f.id] = f"{cause_label}: {_cause_text(f.cause, t, locale)}"
    kwargs["causes"] = causes
    kwargs["legend"] = tuple((t.pgettext(f"severity_{s}", s.capitalize()), SEVERITY_COLOURS[s][0]) for s in SEVERITIES)

    trend = document.trends if isinstance(document.trends, Trends) else None
    if trend is not None and len(trend.runs) >= 2:
        kwargs.update(_trends(document, trend, t, locale))
    renewals = document.renewals or []
    if renewals:
        kwargs.update(_renewals(renewals, t, locale))
    alloc = document.cost_allocation if isinstance(document.cost_allocation, CostAllocation) else None
    if alloc:
        kwargs.update(_allocation(alloc, t, locale))
    return InsightsView(**kwargs)


def _trends(document: ReportDocument, trend: Trends, t: i18n.Translations, locale: Locale) -> _ViewFields:
    """The trend charts of two runs or more: a bar per run, the Mermaid charts, each product's seats."""
    formats = _Formats(locale)
    num, money = formats.num, formats.money
    kwargs: _ViewFields = {}
    currency, runs = trend.currency, trend.runs
    most = max(r.open for r in runs) or 1
    spend = [r.unused_monthly_cost or 0.0 for r in runs]
    top_spend = max(spend) or 1.0
    bars = []
    for r, s in zip(runs, spend, strict=True):
        by = r.by_severity
        segs = tuple(
            Segment(max(1, round(by.get(k, 0) / most * BAR_HEIGHT)), SEVERITY_COLOURS[k][0])
            for k in SEVERITIES
            if by.get(k, 0)
        )
        label = i18n.format_date(r.generated_at, locale)
        counts = ", ".join(severity_count(t, k, num(by.get(k, 0))) for k in SEVERITIES)
        bars.append(
            RunBar(
                label,
                f"{label}: {counts}",
                segs,
                max(1, round(s / top_spend * BAR_HEIGHT)) if s else 0,
                r.complete,
            )
        )
    kwargs["runs"] = tuple(bars)
    kwargs["runs_text"] = (
        t.npgettext("trends_runs", "{n} run", "{n} runs", len(runs))
        + ", "
        + t.pgettext("trends_span", "{first} to {last}", first=bars[0].label, last=bars[-1].label)
    )
    kwargs["findings_max"] = num(most)
    kwargs["spend_max"] = money(top_spend, currency) if currency else num(top_spend)
    labels = [r.generated_at[5:10] for r in runs]
    kwargs["mermaid_findings"] = _mermaid(
        t.pgettext("trends_findings", "Open findings per run"),
        labels,
        [r.open for r in runs],
        [r.by_severity.get("critical", 0) + r.by_severity.get("high", 0) for r in runs],
    )
    kwargs["mermaid_spend"] = _mermaid(
        t.pgettext("trends_spend", "Unused licenses per month, per run") + (f" ({currency})" if currency else ""),
        labels,
        None,
        [round(s, 2) for s in spend],
    )
    series = {p.sku: p for p in trend.products}
    names = {s.sku: str(s.name or s.sku) for s in document.skus}
    products = []
    for sku, p in series.items():
        assigned, usable = p.assigned, p.usable
        if not assigned or assigned[-1] is None:
            continue
        first = next((v for v in assigned if v is not None), assigned[-1])
        products.append(
            ProductTrend(
                clean(names.get(sku, sku), 200),
                _spark(assigned),
                usage_text(t, num, assigned[-1], usable[-1] or 0),
                f"{assigned[-1] - first:+d}",
            )
        )
    kwargs["products"] = tuple(products)
    sparks = []
    for row in document.skus[:SEAT_CAP]:
        found = series.get(row.sku)
        values = found.assigned if found is not None else []
        sparks.append(_spark(values[-SEAT_SPARK_RUNS:]))
    kwargs["sparks"] = tuple(sparks)
    if isinstance(trend.copilot_seats, list) and trend.copilot_seats:
        rows, legend, more = copilot_history(trend.copilot_seats, currency, t, locale)
        kwargs["copilot_seats"], kwargs["copilot_legend"], kwargs["copilot_more"] = rows, legend, more
    return kwargs


def _renewals(renewals: list[RenewalForecast], t: i18n.Translations, locale: Locale) -> _ViewFields:
    """The subscriptions renewing soon, a sentence each with its basis and the difference in money."""
    formats = _Formats(locale)
    num, money = formats.num, formats.money
    kwargs: _ViewFields = {}
    kwargs["renewals_title"] = t.pgettext("renewals_title", "Subscriptions renewing soon")
    rows = []
    for r in renewals:
        sentence = t.npgettext(
            "renewal_line",
            "Renew {product} at {n} seat (today {today}; range {low}–{high}) by {date}.",
            "Renew {product} at {n} seats (today {today}; range {low}–{high}) by {date}.",
            r.seats,
            product=clean(r.name or r.sku, 200),
            today=num(r.seats_today),
            low=num(r.low),
            high=num(r.high),
            date=i18n.format_date(r.renews or "", locale),
        )
        basis = t.pgettext(
            "renewal_basis",
            "Assigned today: {assigned}; seats the open findings would free: "
            "{freed}; spare seats the policy keeps: {buffer}.",
            assigned=num(r.assigned),
            freed=num(r.freed_by_findings),
            buffer=num(r.buffer),
        )
        diff = r.monthly_difference
        difference = ""
        if diff:
            difference = t.pgettext(
                "renewal_difference",
                "{amount} per month compared with today",
                amount=("+" if diff > 0 else "") + money(diff, r.currency),
            )
        rows.append(Renewal(sentence, basis, difference))
    kwargs["renewals"] = tuple(rows)
    return kwargs


def _allocation(alloc: CostAllocation, t: i18n.Translations, locale: Locale) -> _ViewFields:
    """The cost allocation's tables, one per dimension, and the unused seats nobody holds."""
    formats = _Formats(locale)
    num, money = formats.num, formats.money
    kwargs: _ViewFields = {}
    currency = alloc.currency
    titles = {
        "department": t.pgettext("alloc_department", "Department"),
        "companyName": t.pgettext("alloc_company", "Company"),
        "country": t.pgettext("alloc_country", "Country"),
    }
    not_set = t.pgettext("cause_unset", "(not set)")
    tables = []
    for dim in alloc.dimensions:
        rows_in = dim.rows
        shown = tuple(
            (
                clean(r.value, 120) if r.value is not None else not_set,
                num(r.users),
                money(r.licensed_monthly, currency),
                money(r.unused_monthly, currency),
                money(r.reclaimable_monthly, currency),
            )
            for r in rows_in[:ALLOCATION_CAP]
        )
        more = len(rows_in) - len(shown)
        tables.append(
            AllocationTable(
                titles.get(dim.key, clean(dim.key, 100)),
                shown,
                t.npgettext(
                    "alloc_more",
                    "…and {n} more, listed in cost-allocation.csv.",
                    "…and {n} more, listed in cost-allocation.csv.",
                    more,
                )
                if more > 0
                else "",
            )
        )
    kwargs["allocation"] = tuple(tables)
    unallocated = alloc.unallocated_unused
    if unallocated:
        kwargs["allocation_note"] = t.pgettext(
            "alloc_unallocated",
            "Unused seats of products nobody holds: {amount} per month.",
            amount=money(unallocated, currency),
        )
    return kwargs


class _Formats:
    """A number and an amount of money, formatted for one locale."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale

    def num(self, n: float) -> str:
        return i18n.format_number(n, self.locale)

    def money(self, amount: float, currency: str | None) -> str:
        return i18n.format_money(amount, currency, self.locale)


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int | float | None]) -> str:
    """Unicode block characters, one per value, scaled between the series' min and max; a run
    without a value is a space. Empty for fewer than two values."""
    known = [v for v in values if v is not None]
    if len(values) < 2 or not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif span == 0:
            out.append(BLOCKS[3])
        else:
            out.append(BLOCKS[round((v - low) / span * (len(BLOCKS) - 1))])
    return "".join(out)
