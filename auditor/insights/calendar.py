"""One iCalendar file (RFC 5545) per upcoming renewal: an all-day event on the renewal date with
a reminder REMINDER_DAYS before, attached to the e-mail and written beside the reports as
renewal-<product>-<subscription>-<date>.ics.

The UID is stable (subscription and date), so importing tomorrow's file updates today's event
instead of adding another. Text values are escaped as RFC 5545 3.3.11 says (backslash,
semicolon, comma, line break) and control characters dropped; lines are folded at 75 octets
without splitting a UTF-8 character; lines end with CRLF.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from auditor import i18n
from auditor.common.timestamps import parse_timestamp
from auditor.data.model import Locale
from auditor.formats.bill_model import BillAction
from auditor.formats.report_model import RenewalForecast
from auditor.plan.bill_view import action_label, product_name

REMINDER_DAYS = 14
PRODID = "-//license-auditor//renewal forecast//EN"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FILE_PART = re.compile(r"[^A-Za-z0-9_.+-]+")
_NAME_PART = re.compile(r"[^A-Za-z0-9]+")  # a product's name in a file name: letters and digits, "-" between


def escape_text(value: object) -> str:
    """A TEXT value: \\ ; , escaped, line breaks as \\n, other control characters removed."""
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded into chunks of at most 75 octets (continuations start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    out: list[str] = []
    chunk = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(chunk)
            chunk, size, limit = "", 0, 74  # the leading space of a continuation counts
        chunk += ch
        size += n
    out.append(chunk)
    return "\r\n ".join(out)


def entry_name(kind: str, day: str, part: str | None, taken: set[str]) -> str:
    """<kind>-<date>-<product>.ics, the product by its name in Microsoft's product table (the attachment
    a reader sees: "renewal-2026-12-01-Microsoft-365-E3.ics", no part number or subscription id); a
    second entry of the same product and day (two subscriptions) gets "-2", in the order the entries
    are written. `taken`: the names given so far in this folder, which this one joins."""
    product = _NAME_PART.sub("-", product_name(part) if part else "product").strip("-")[:60] or "product"
    stem = f"{kind}-{_FILE_PART.sub('', day[:10]) or 'undated'}-{product}"
    name, n = f"{stem}.ics", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.ics"
    taken.add(name)
    return name


def file_name(renewal: RenewalForecast, taken: set[str]) -> str:
    """renewal-<date>-<product>.ics: one file per subscription (entry_name)."""
    return entry_name("renewal", renewal.renews or "", renewal.sku or None, taken)


def event(renewal: RenewalForecast, *, locale: Locale, stamp: datetime, tenant: str, run_url: str | None = None) -> str:
    """The .ics text of one renewal (see auditor.insights.forecast for the fields)."""
    t = i18n.translations(locale)
    renews = parse_timestamp(str(renewal.renews))
    day = renews.date()

    def num(n: Any) -> str:
        return i18n.format_number(int(n), locale)

    seats = renewal.seats  # the count the texts agree with: "1 seat", "2 seats"
    summary = t.npgettext(
        "ics_summary",
        "Renew {product}: {n} seat ({tenant})",
        "Renew {product}: {n} seats ({tenant})",
        seats,
        product=renewal.name,
        tenant=tenant,
    )
    lines = [
        t.npgettext(
            "renewal_line",
            "Renew {product} at {n} seat (today {today}; range {low}–{high}) by {date}.",
            "Renew {product} at {n} seats (today {today}; range {low}–{high}) by {date}.",
            seats,
            product=renewal.name,
            today=num(renewal.seats_today),
            low=num(renewal.low),
            high=num(renewal.high),
            date=i18n.format_date(day, locale),
        ),
        t.pgettext(
            "renewal_basis",
            "Assigned today: {assigned}; seats the open findings would free: {freed}; "
            "spare seats the policy keeps: {buffer}.",
            assigned=num(renewal.assigned),
            freed=num(renewal.freed_by_findings),
            buffer=num(renewal.buffer),
        ),
    ]
    if run_url:
        lines.append(run_url)
    uid = f"renewal-{_FILE_PART.sub('-', renewal.subscription_id)}-{day:%Y%m%d}@license-auditor"
    return _calendar(uid, day, stamp, summary, lines, REMINDER_DAYS)


def bill_file_name(action: BillAction, taken: set[str]) -> str:
    """bill-<the day to act by>-<product>.ics (entry_name)."""
    return entry_name("bill", action.by or "", action.sku or None, taken)


def bill_event(action: BillAction, *, locale: Locale, stamp: datetime, tenant: str, run_url: str | None = None) -> str:
    """The .ics text of one action of the bill (auditor.plan.bill), on its `by` date: the last
    day to act. A 7-day window reminds a day before, a renewal REMINDER_DAYS before."""
    t = i18n.translations(locale)
    day = parse_timestamp(str(action.by)).date()
    summary = t.npgettext(
        "ics_bill_summary",
        "{action}: {product}, {n} seat ({tenant})",
        "{action}: {product}, {n} seats ({tenant})",
        action.seats,
        action=action_label(t, action.action),
        product=product_name(action.sku),
        tenant=tenant,
    )
    lines = [action.reason or "", *([run_url] if run_url else [])]
    uid = f"bill-{_FILE_PART.sub('-', str(action.subscription))}-{day:%Y%m%d}@license-auditor"
    reminder = 1 if action.window == "within_7_days" else REMINDER_DAYS
    return _calendar(uid, day, stamp, summary, lines, reminder)


def _calendar(uid: str, day: date, stamp: datetime, summary: str, lines: list[str], reminder_days: int) -> str:
    content = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(chr(10).join(lines))}",
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"TRIGGER:-P{reminder_days}D",
        f"DESCRIPTION:{escape_text(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in content)
