"""report.json `notify`: whether tonight's run speaks (the e-mail, the webhook), and why.

`--notify-when changed` (the default when there is a baseline or a history) sends only when
something changed since the last run: a new or worse finding, a finding whose monthly cost or
unused seats moved by a tenth or more (MATERIAL; the finding keeps its id when only its amounts
change), a finding no longer waived, findings gone in bulk (BULK_SHARE of the last run's open
findings, BULK_LEAST at least: a listing cut short makes them vanish too), a new gap, a failed or
incomplete run, a commerce window or a renewal closing within 7 days, or the weekly reminder (on
`--notify-weekday`) while findings stay open; with a history but no baseline (the last report is
missing or was incomplete) what changed is not known, and the run is sent. `--notify-when always`
(the default without a baseline or history: there is nothing to compare with) always sends. The
reasons are in the report's language; the e-mail repeats them at its top.

    "notify": {"send": true, "when": "changed",
               "reasons": [{"code": "new", "text": "2 new findings"}, ...]}
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec
from msgspec import UNSET

from auditor import i18n
from auditor.data.model import Locale
from auditor.formats.report_model import BaselineChanges, Gap, Notify, NotifyReason, ReportDocument, ReportFinding

WHEN = ("changed", "always")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SOON_DAYS = 7  # a commerce window or renewal this close is worth a message of its own
MATERIAL = 0.1  # a finding's monthly cost or unused seats moving by this share of the last run's is news
# findings gone in bulk are news: this share of the last run's open findings, and at least BULK_LEAST
# of them (a listing cut short makes findings vanish; a plan applied does too, and is worth a word)
BULK_SHARE = 0.25
BULK_LEAST = 5


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _moved(now: Any, before: Any, least: float) -> bool:
    """Two amounts differ by MATERIAL of the earlier one or more, and by `least` at least."""
    a, b = _number(now), _number(before)
    if a is None or b is None:
        return (a is None) != (b is None) and bool(a or b)  # an amount that appeared or went
    return abs(a - b) >= max(least, MATERIAL * abs(b))


def _material(finding: ReportFinding, before: ReportFinding) -> bool:
    """The finding's monthly cost (by one unit of money at least) or its unused seats (a seat
    finding's details) moved materially since the last run."""
    now_seats, seats = finding.details, before.details
    return _moved(finding.monthly_cost, before.monthly_cost, 1.0) or _moved(
        now_seats.get("unused"), seats.get("unused"), 1.0
    )


def _gap_key(gap: Gap) -> str:
    values = msgspec.structs.asdict(gap)
    return "|".join(str(values[k]) for k in sorted(values) if values[k] is not UNSET)


def _soon(document: ReportDocument, today: date) -> list[str]:
    """The days within SOON_DAYS by which a commerce action is due or a subscription renews."""
    end = (today + timedelta(days=SOON_DAYS)).isoformat()
    bill = document.bill if document.bill is not UNSET else None
    days = [
        a.by[:10]
        for a in (bill.actions if bill is not None else [])
        if a.by and a.action != "none" and a.seats and today.isoformat() <= a.by[:10] <= end
    ]
    days += [r.renews[:10] for r in document.renewals or [] if r.renews and today.isoformat() <= r.renews[:10] <= end]
    return sorted(set(days))


def _kept(findings: list[ReportFinding], previous: ReportDocument, t: Any) -> list[NotifyReason]:
    """The reasons among the open findings the last run had under the same id: amounts that moved
    (MATERIAL), a waiver gone."""
    earlier = {f.id: f for f in previous.findings}
    kept = [(f, earlier[f.id]) for f in findings if f.id in earlier]
    reasons: list[NotifyReason] = []
    moved = sum(1 for f, before in kept if _material(f, before))
    if moved:
        text = t.npgettext(
            "notify_amount",
            "{n} finding's monthly cost or unused seats changed by a tenth or more",
            "{n} findings' monthly cost or unused seats changed by a tenth or more",
            moved,
        )
        reasons.append(NotifyReason(code="amount", text=text))
    unwaived = sum(1 for _f, before in kept if before.waived)
    if unwaived:
        text = t.npgettext(
            "notify_unwaived", "{n} finding is no longer waived", "{n} findings are no longer waived", unwaived
        )
        reasons.append(NotifyReason(code="unwaived", text=text))
    return reasons


def decide(
    document: ReportDocument,
    previous: ReportDocument | None,
    *,
    when: str,
    today: date,
    weekday: str,
    locale: Locale,
) -> Notify:
    """The `notify` object of `document` (after `compare` with `previous`, the baseline, if any)."""
    t = i18n.translations(locale)
    reasons: list[NotifyReason] = []

    def say(code: str, text: str) -> None:
        reasons.append(NotifyReason(code=code, text=text))

    findings = [f for f in document.findings if not f.waived and f.alerts]  # alert: false stays quiet
    if when == "always":
        say("always", t.pgettext("notify_always", "every run is sent (--notify-when always)"))
    if not document.complete or document.not_evaluated:
        say("incomplete", t.pgettext("notify_incomplete", "the run is incomplete: some data could not be read"))
    if previous is not None:
        new = sum(1 for f in findings if f.change == "new")
        worse = sum(1 for f in findings if f.trend == "worse")
        if new:
            say("new", t.npgettext("notify_new", "{n} new finding", "{n} new findings", new))
        if worse:
            say("worse", t.npgettext("notify_worse", "{n} finding got worse", "{n} findings got worse", worse))
        reasons += _kept(findings, previous, t)
        gone = len(document.changes.resolved) if isinstance(document.changes, BaselineChanges) else 0
        last = sum(1 for f in previous.findings if not f.waived)
        if gone >= BULK_LEAST and gone >= BULK_SHARE * last:
            say(
                "gone",
                t.npgettext(
                    "notify_gone",
                    "{n} of the last run's {last} findings are gone at once: check that the run read the whole tenant",
                    "{n} of the last run's {last} findings are gone at once: check that the run read the whole tenant",
                    gone,
                    last=i18n.format_number(last, locale),
                ),
            )
        before = {_gap_key(g) for g in previous.gaps}
        fresh = [g for g in document.gaps if _gap_key(g) not in before]
        if fresh:
            say("gap", t.npgettext("notify_gap", "{n} new gap in the data", "{n} new gaps in the data", len(fresh)))
    elif when == "changed":  # a history, but no report to compare findings with: silence would hide a new one
        say(
            "no_baseline",
            t.pgettext(
                "notify_no_baseline", "there is no earlier report to compare with, so what changed is not known"
            ),
        )
    soon = _soon(document, today)
    if soon:
        say(
            "soon",
            t.pgettext(
                "notify_soon",
                "a commerce deadline or a renewal on {date}, within 7 days",
                date=i18n.format_date(soon[0], locale),
            ),
        )
    if WEEKDAYS[today.weekday()] == weekday and findings:
        say(
            "weekly",
            t.npgettext(
                "notify_weekly",
                "the weekly reminder: {n} finding stays open",
                "the weekly reminder: {n} findings stay open",
                len(findings),
            ),
        )
    return Notify(send=bool(reasons), when=when, reasons=reasons)
