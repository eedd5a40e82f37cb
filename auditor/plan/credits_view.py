"""The bill's Copilot Credits (auditor.plan.bill.copilot_credits) as the lines "Your bill" shows right
under its products, beside the Copilot seats, marked beta (auditor.plan.bill_view places them)."""

from __future__ import annotations

from collections.abc import Mapping

from auditor import i18n
from auditor.data.copilot_credits_data import USER_CREDITS_PERMISSION
from auditor.formats.bill_model import Bill, CopilotCredits


def _text(value: object, limit: int) -> str:
    """Untrusted text on one line, cut at `limit` (the templates escape it for Markdown and HTML)."""
    text = "" if value is None else str(value)
    return " ".join(text.split())[:limit]


def _method(t: i18n.Translations, method: str) -> str:
    """A costManagementBillingMethod in the reader's words (an evolvable enumeration: a value not
    known here is shown as Graph gave it)."""
    labels = {
        "prepaidCredits": t.pgettext("credits_prepaid", "Prepaid Copilot Credits"),
        "payAsYouGo": t.pgettext("credits_pay_as_you_go", "Pay-as-you-go"),
        "notSpecified": t.pgettext("credits_not_specified", "Billing method not specified"),
    }
    return labels.get(method, _text(method, 60))


def credit_lines(t: i18n.Translations, bill: Bill) -> list[str]:
    """The bill's `copilot_credits` (auditor.plan.bill.copilot_credits) as lines beside the Copilot
    seats: per billing method what was consumed, purchased and remains, an omitted quantity said as
    such (never 0); or why it was not read; then why no per-user record is shown."""
    credits = bill.copilot_credits
    if not credits:
        return []
    locale = t.locale
    title = t.pgettext("credits_title", "Copilot Credits (Microsoft Graph beta, subject to change)")

    def number(value: object, missing: str) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return i18n.format_number(value, locale, decimals=0 if float(value).is_integer() else 2)
        return missing

    lines: list[str] = []
    rows = credits.balances
    if credits.gap:
        lines.append(
            t.pgettext(
                "credits_gap",
                "{title}: not read, so not known (not zero): {request} {reason}.",
                title=title,
                request=_text(credits.request, 100),
                reason=_text(credits.gap, 300),
            )
        )
    elif not rows:
        lines.append(t.pgettext("credits_none", "{title}: Microsoft Graph gave no balance.", title=title))
    # said where Graph omitted a quantity (never 0): pybabel finds no call nested in another's arguments
    not_given = t.pgettext("credits_missing", "not given")
    no_pool = t.pgettext("credits_no_pool", "none (no purchased pool)")
    no_finite = t.pgettext("credits_no_finite", "none (no finite pool)")
    said_when = ""  # a line after the first names neither the title nor a date the line before it gave
    for row in rows or []:
        if not isinstance(row, Mapping):
            continue
        when = row.get("last_modified")
        figures = {
            "method": _method(t, str(row.get("billing_method") or "")),
            "consumed": number(row.get("consumed"), not_given),
            "purchased": number(row.get("purchased"), no_pool),
            "remaining": number(row.get("remaining"), no_finite),
        }
        line = (
            t.pgettext(
                "credits_row_next",
                "{method}: consumed {consumed}, purchased {purchased}, remaining {remaining}.",
                **figures,
            )
            if said_when
            else t.pgettext(
                "credits_row",
                "{title}, {method}: consumed {consumed}, purchased {purchased}, remaining {remaining}.",
                title=title,
                **figures,
            )
        )
        day = i18n.format_date(when, locale) if isinstance(when, str) and when else ""
        if day and day != said_when:
            line += " " + t.pgettext("credits_as_of", "Data as of {date}.", date=day)
        said_when = day or "-"
        lines.append(line)
    lines += use_lines(t, credits)
    lines.append(
        t.pgettext(
            "credits_per_user",
            "Credits per user are not shown: Microsoft allows them only with the delegated permission "
            "{permission}, and the audit signs in as an application.",
            permission=_text(credits.per_user.permission or USER_CREDITS_PERMISSION, 80),
        )
    )
    return lines


def _figures(t: i18n.Translations, pairs: list[tuple[str, float]]) -> str:
    """ "cowork 1,234; workIQ 56": each name as Graph gives it (a billing method in the reader's words)."""
    if not pairs:
        return t.pgettext("credits_use_nothing", "none reported")
    return "; ".join(f"{_method(t, name)} {i18n.format_number(value, t.locale, decimals=0)}" for name, value in pairs)


def use_lines(t: i18n.Translations, credits: CopilotCredits) -> list[str]:
    """The month's use (bill.copilot_credits.use, auditor.plan.credit_use): per service over the month's
    completed days read, per funding source over the month, each report's gap said as such (never 0); and
    that no spending policy is read (a gap of its own: they need a signed-in admin)."""
    use = credits.use
    if not use:
        return []
    lines: list[str] = []
    start = f"{use.month}-01" if use.month else ""
    first = i18n.format_date(start, t.locale) if start else ""
    if use.services_gap or use.services is None:
        what = t.pgettext("credits_use_services_label", "Copilot Credits per service")
        lines.append(_use_gap(t, what, use.services_gap))
    else:
        last = f"{use.month}-{max(use.days, 1):02d}"
        lines.append(
            t.pgettext(
                "credits_use_services",
                "Copilot Credits used per service, {start} to {end}: {figures}.",
                start=first,
                end=i18n.format_date(last, t.locale),
                figures=_figures(t, [(_text(s.service, 60), s.consumed) for s in use.services]),
            )
        )
    if use.funding_gap or use.funding is None:
        what = t.pgettext("credits_use_funding_label", "Copilot Credits per funding source")
        lines.append(_use_gap(t, what, use.funding_gap))
    else:
        lines.append(
            t.pgettext(
                "credits_use_funding",
                "Copilot Credits used per funding source in the month from {start}, unbilled included: {figures}.",
                start=first,
                figures=_figures(t, [(_text(f.funding_class, 60), f.consumed) for f in use.funding]),
            )
        )
    lines.append(
        t.pgettext(
            "credits_policies",
            "Spending policies are not read, so none that lets unlicensed users run up pay-as-you-go credits "
            "can be named: Microsoft allows them only with the delegated permission {permission}.",
            permission=_text(use.policies.permission, 80),
        )
    )
    return lines


def _use_gap(t: i18n.Translations, what: str, reason: object) -> str:
    return t.pgettext(
        "credits_use_gap",
        "{what}: not read, so not known (not zero): {reason}.",
        what=what,
        reason=_text(reason if isinstance(reason, str) else "", 300),
    )
