"""The roll-up's pages for people: tenants.md (every tenant, a table) and digest.html (the MSP's e-mail:
failed tenants and the ten that matter most, each a card), from the roll-up document auditor.fleet.rollup
builds (docs/msp.md); the headline is the e-mail's subject too."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from auditor.common.errors import EXIT_COLLECTION, EXIT_DELIVERY, EXIT_INTERNAL, EXIT_USAGE
from auditor.data.model import Locale

from ..i18n import Translations, format_date, format_money, format_number
from ..render.text import md_escape
from ..report.view.context import product_label
from . import copilot_cells, credit_cells, gdap_text, invoice_cells
from .distributor_cells import distributor_cell
from .psa_cells import psa_cell
from .rollup_model import SEVERITIES, Rollup, TenantRow

TOP = 10  # the tenants the digest's first screen names
FAILED_SHOWN = 10  # failed tenants the digest lists by name, at the top; the rest are counted
REASON_SHOWN = 200  # characters of a failure's log line in the digest (tenants.json holds it whole)
REASON_MD = 1000  # and in tenants.md
MISSING_SHOWN = 20  # keys of tenants found in no shard that the headline names; the rest are counted


def _money(value: float | None, currency: str | None, locale: Locale) -> str:
    return format_money(value, currency, locale) if value is not None and currency else "–"


def _totals(rows: Sequence[TenantRow], locale: Locale) -> str:
    """Unused spend over all tenants, one sum per currency (tenants may be billed in different ones)."""
    sums: dict[str, float] = {}
    for row in rows:
        unused, currency = row.get("unused_monthly"), row.get("currency")
        if unused is not None and currency:
            sums[currency] = sums.get(currency, 0.0) + unused
    return " + ".join(format_money(round(v, 2), c, locale) for c, v in sorted(sums.items())) or "–"


def headline(doc: Rollup, t: Translations, locale: Locale) -> str:
    rows = doc["tenants"]
    failed = sum(1 for r in rows if r["status"] == "failed")
    line = t.npgettext(
        "rollup_headline",
        "{n} tenant audited, {failed} failed; licenses unused: {unused} a month.",
        "{n} tenants audited, {failed} failed; licenses unused: {unused} a month.",
        len(rows),
        failed=format_number(failed, locale),
        unused=_totals(rows, locale),
    )
    missing = doc.get("missing") or []
    if missing:
        keys = ", ".join(missing[:MISSING_SHOWN]) + (" …" if len(missing) > MISSING_SHOWN else "")
        line += " " + t.npgettext(
            "rollup_missing",
            "{n} tenant of the file is in no shard: {keys}.",
            "{n} tenants of the file are in no shard: {keys}.",
            len(missing),
            keys=keys,
        )
    return line


def _cells(row: TenantRow, t: Translations, locale: Locale) -> list[str]:
    findings = row.get("findings")
    window = row.get("next_window")
    status = {
        "ok": t.pgettext("rollup_status_ok", "ok"),
        "incomplete": t.pgettext("rollup_status_incomplete", "incomplete data"),
        "failed": t.pgettext("rollup_status_failed", "failed"),
    }[row["status"]]
    return [
        status,
        " / ".join(str(findings[s]) for s in SEVERITIES) if findings else "–",
        _money(row.get("unused_monthly"), row.get("currency"), locale),
        _money(row.get("plan_monthly_saving"), row.get("currency"), locale),
        (
            f"{format_date(window['by'], locale)}: {_money(window['monthly_saving'], row.get('currency'), locale)}"
            if window
            else "–"
        ),
        _seats_cell(row, locale),
        distributor_cell(row, t, locale),
        psa_cell(row, t, locale),
        invoice_cells.invoice_cell(row, t, locale),
        ", ".join(product_label(part) for part in row.get("seats_short") or []) or "–",  # names; part numbers in JSON
        _reason(row, t),
    ]


def _seats_cell(row: TenantRow, locale: Locale) -> str:
    """ "202 · €8,333.50 (Oct 1, 2026: 195 · €8,100.00)": the paid seats in use and what the seats cost
    a month, then the same a month earlier from the tenant's history."""
    seats = row.get("seats")
    if seats is None:
        return "–"
    cell = f"{format_number(seats, locale)} · {_money(row.get('spend_monthly'), row.get('currency'), locale)}"
    then = row.get("last_month")
    if isinstance(then, Mapping) and then.get("seats") is not None:
        spend = _money(then.get("spend_monthly"), row.get("currency"), locale)
        cell += f" ({format_date(then['as_of'], locale)}: {format_number(then['seats'], locale)} · {spend})"
    return cell


def _advice(t: Translations) -> list[tuple[str, str]]:
    """(the English ending, the same advice in t's language) for the advice the program itself puts
    after a failure's log (auditor.graph's clients and retries), the longest first."""
    return [
        (
            "; re-run later; if it persists, check the Microsoft 365 service health",
            t.pgettext(
                "rollup_advice_service_health",
                "re-run later; if it persists, check the Microsoft 365 service health",
            ),
        ),
        (
            "; grant the app the missing Microsoft Graph application permission and admin consent",
            t.pgettext(
                "rollup_advice_permission",
                "grant the app the missing Microsoft Graph application permission and admin consent",
            ),
        ),
        (
            " — re-run later, or with fewer concurrent jobs against this tenant",
            t.pgettext("rollup_advice_fewer_jobs", "re-run later, or with fewer concurrent jobs against this tenant"),
        ),
        ("; re-run later", t.pgettext("rollup_advice_later", "re-run later")),
        (" — re-run later", t.pgettext("rollup_advice_later", "re-run later")),
    ]


def _cut(text: str, limit: int | None) -> str:
    """`text`, or its first words within `limit` characters and "…" (never a word cut in two)."""
    if limit is None or len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(" ;,:—") + "…"


def _reason(row: TenantRow, t: Translations, log_limit: int | None = None) -> str:
    """Why a tenant failed, in the roll-up's language, by its exit code (docs/msp.md), with the
    program's own advice; then the line its audit.log ends with, as the program wrote it (a Graph
    request, Graph's own message), cut to `log_limit` characters at a word's end when given."""
    detail = row.get("reason")
    if not detail:
        return ""
    advice = ""
    for english, said in _advice(t):
        if detail.endswith(english) and len(detail) > len(english):
            detail, advice = detail[: -len(english)], said
            break
    lead = {
        EXIT_USAGE: t.pgettext("rollup_failed_usage", "The tenant's settings or policy files were refused"),
        EXIT_COLLECTION: t.pgettext("rollup_failed_collection", "Reading the tenant through Microsoft Graph failed"),
        EXIT_DELIVERY: t.pgettext("rollup_failed_delivery", "Sending the report failed"),
        EXIT_INTERNAL: t.pgettext("rollup_failed_internal", "The audit stopped on a defect of the auditor"),
    }.get(int(row.get("exit_code") or 0), t.pgettext("rollup_failed_other", "The audit failed"))
    detail = _cut(detail, log_limit)
    if advice:
        return t.pgettext(
            "rollup_failed_reason_advice",
            "{lead}: {advice}. The log: {detail}",
            lead=lead,
            advice=advice,
            detail=detail,
        )
    return t.pgettext("rollup_failed_reason", "{lead}. The log: {detail}", lead=lead, detail=detail)


def _headers(t: Translations) -> list[str]:
    return [
        t.pgettext("rollup_tenant", "Tenant"),
        t.pgettext("rollup_status", "Status"),
        t.pgettext("rollup_findings", "Findings (critical / high / medium / low)"),
        t.pgettext("rollup_unused", "Unused a month"),
        t.pgettext("rollup_saving", "The plan saves a month"),
        t.pgettext("rollup_window", "Next 7-day window"),
        t.pgettext("rollup_seats", "Seats in use · spend a month (a month earlier)"),
        t.pgettext(
            "rollup_distributor_month",
            "Products whose seat count at the distributor differs from Microsoft's · a month at the distributor",
        ),
        t.pgettext(
            "rollup_psa_month", "Products whose billed seats differ from the seats assigned or bought · a month"
        ),
        t.pgettext(
            "rollup_invoice",
            "Products whose invoiced seats differ from the seats assigned or billed · what the invoice charges",
        ),
        t.pgettext("rollup_short", "Seats short"),
        t.pgettext("rollup_reason", "Why it failed"),
    ]


def markdown(doc: Rollup, t: Translations, locale: Locale) -> str:
    lines = [
        f"## {md_escape(t.pgettext('rollup_title', 'License audit of multiple tenants'))}",
        "",
        md_escape(headline(doc, t, locale)),
        "",
        *gdap_text.markdown(doc, t, locale),
        "| " + " | ".join(md_escape(h) for h in _headers(t)) + " |",
        "|" + " --- |" * len(_headers(t)),
    ]

    def _md_cells(row: TenantRow) -> list[str]:
        *rest, _ = _cells(row, t, locale)
        return [*rest, _reason(row, t, REASON_MD)]  # the log's line whole, up to a long one's REASON_MD

    for row in doc["tenants"]:
        name = f"{row['name']} ({row['key']})"
        lines.append(
            "| " + " | ".join(md_escape(c, REASON_MD + 300).replace("|", "\\|") for c in [name, *_md_cells(row)]) + " |"
        )
    lines.extend(copilot_cells.markdown(doc, t, locale))
    lines.extend(credit_cells.markdown(doc, t, locale))
    return "\n".join(lines) + "\n"


def digest(doc: Rollup, t: Translations, locale: Locale) -> str:
    """The MSP's e-mail: the headline, then failed tenants and the ten that matter most, nothing more
    (under 100 KB at any number of tenants: the rest is in tenants.md and tenants.json). Each tenant is
    a card of its own, a label beside each of its cells that holds something, so the e-mail reads on a
    phone's 600 px (twelve columns side by side did not fit: tests/report/test_rollup_browser.py)."""
    rows = doc["tenants"]
    failed = [r for r in rows if r["status"] == "failed"]
    top = [r for r in rows if r["status"] != "failed"][:TOP]
    cell = "padding:3px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top;overflow-wrap:anywhere;"

    def card(row: TenantRow) -> str:
        *rest, _ = _cells(row, t, locale)
        # the lead and the advice whole, in the language; the log's line cut at a word's end
        labels = _headers(t)[1:]
        pairs = [
            (label, text)
            for label, text in zip(labels, [*rest, _reason(row, t, REASON_SHOWN)], strict=True)
            if text not in ("", "–")
        ]
        lines = "".join(
            f'<tr><th style="{cell}width:40%;font-weight:normal;color:#495057;">{html.escape(label)}</th>'
            f'<td style="{cell}">{html.escape(text)}</td></tr>'
            for label, text in pairs
        )
        return (
            f'<h2 style="font-size:15px;margin:18px 0 4px;">{html.escape(row["name"])} ({html.escape(row["key"])})</h2>'
            f'<table role="presentation" style="border-collapse:collapse;font-size:13px;width:100%;'
            f'table-layout:fixed;">{lines}</table>'
        )

    title = html.escape(t.pgettext("rollup_title", "License audit of multiple tenants"))
    body = [
        f'<h1 style="font-size:20px;">{title}</h1>',
        f"<p>{html.escape(headline(doc, t, locale))}</p>",
        *gdap_text.digest(doc, t, locale),
    ]
    # failed tenants lead (never silently missing), at most FAILED_SHOWN of them, so that the ten
    # that matter most stay near the top
    body += [card(r) for r in failed[:FAILED_SHOWN] + top]
    if len(failed) > FAILED_SHOWN:
        body.append(
            "<p>"
            + html.escape(
                t.npgettext(
                    "rollup_more_failed",
                    "{n} more tenant failed: see tenants.md.",
                    "{n} more tenants failed: see tenants.md.",
                    len(failed) - FAILED_SHOWN,
                )
            )
            + "</p>"
        )
    return (
        f'<!DOCTYPE html><html lang="{locale.value}"><head><meta charset="utf-8"><title>'
        f"{html.escape(t.pgettext('rollup_title', 'License audit of multiple tenants'))}</title></head>"
        '<body style="font-family:Segoe UI,Arial,sans-serif;max-width:600px;">' + "".join(body) + "</body></html>\n"
    )
