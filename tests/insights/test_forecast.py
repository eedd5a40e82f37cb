"""Renewal forecast: seats to renew from the assigned-seat history, the seats open findings would
free and the policy's spare-seat minimum; one RFC 5545 entry per renewal, attached to the e-mail."""

from __future__ import annotations

import dataclasses
import email
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from auditor.data.enums import SubjectType
from auditor.data.finding_facts import Subject
from auditor.data.model import Locale
from auditor.delivery.content import build_mail
from auditor.delivery.graph import send_mail_body
from auditor.delivery.smtp import to_mime
from auditor.formats.report_model import RenewalForecast, ReportFinding
from auditor.insights import calendar, history
from auditor.insights.forecast import SubscriptionFacts, renewals
from auditor.rules.assignments import SkuForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.snapshot import save_snapshot
from tests.documents import report_document

from .conftest import audit

AS_OF = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
ROW = {
    "sku": "SPE_E3",
    "sku_id": "e3",
    "name": "Microsoft 365 E3",
    "enabled": 200,
    "warning": 0,
    "consumed": 185,
    "price_monthly": 33.75,
    "currency": "EUR",
    "free": False,
}


def _finding(rule: str, user: str, delta: int = -1, waived: bool = False) -> ReportFinding:
    return ReportFinding(
        id=f"{rule}-{user}",
        rule=rule,
        severity="high",
        policy=None,
        subject=Subject(type=SubjectType.USER, id=user),
        skus=["SPE_E3"],
        message="",
        details={},
        monthly_cost=None,
        waived=waived,
        waiver=None,
        remediation={
            "actions": [
                {
                    "kind": "remove_member",
                    "ready": False,
                    "blocked": "data_lost",
                    "user": user,
                    "seats": {"SPE_E3": delta},
                }
            ]
        },
    )


def _history(*points: tuple[int, int]) -> list[history.Record]:
    out = []
    for days_ago, assigned in points:
        at = (AS_OF - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(
            history.Record(
                at, at, "t", True, 0, 0, {}, {}, "EUR", 0.0, 0.0, {"SPE_E3": history.ProductPoint(200, assigned)}
            )
        )
    return out


def _sub(
    renews_in: float | None, *, ident: str = "s1", total: int = 200, trial: bool = False, status: str = "Enabled"
) -> SubscriptionFacts:
    when = None if renews_in is None else (AS_OF + timedelta(days=renews_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return SubscriptionFacts(ident, "e3", "SPE_E3", status, trial, total, when)


def test_seats_follow_the_trend_less_what_findings_free_plus_the_buffer() -> None:
    document = report_document(
        skus=[ROW],
        findings=[
            _finding(DisabledUserLicensed.id, "u1"),
            _finding(InactiveUserLicensed.id, "u1"),  # one seat, counted once
            _finding(InactiveUserLicensed.id, "u2"),
            _finding(InactiveUserLicensed.id, "u3", waived=True),
            _finding(SkuForbidden.id, "u4"),
        ],
    )  # not a rule that frees seats
    [r] = renewals(document, [_sub(30)], _history((60, 175), (30, 180), (0, 185)), {"SPE_E3": 2}, AS_OF)
    assert r.trend_per_30_days == 5.0 and r.projected == 190.0
    assert (r.freed_by_findings, r.buffer, r.seats, r.low, r.high) == (2, 2, 190, 190, 192)
    assert r.seats_today == 200 and r.monthly_difference == -337.5 and r.days_left == 30


def test_a_noisy_history_widens_the_range_and_other_subscriptions_keep_their_seats() -> None:
    document = report_document(skus=[ROW])
    subs = [
        _sub(20),
        _sub(None, ident="s2", total=50),
        _sub(10, ident="trial", trial=True),
        _sub(5, ident="lapsed", status="Warning"),
    ]
    [r] = renewals(document, subs, _history((60, 170), (45, 182), (30, 176), (0, 185)), {}, AS_OF)
    assert r.subscription_id == "s1" and r.other_subscriptions == 50  # neither the trial nor the lapsed one
    assert r.low < r.seats < r.high
    assert r.seats == -(-r.projected // 1) - 50
    # none renewing within 60 days (or no date): no forecast
    assert renewals(document, [_sub(None), _sub(61), _sub(-1)], [], {}, AS_OF) == []


def test_with_nothing_renewing_no_finding_is_worked_out() -> None:
    """Working out the findings' actions takes seconds in a large tenant: only for a forecast."""
    bare = msgspec.structs.replace(_finding(InactiveUserLicensed.id, "u1"), remediation=None)
    asked: list[str] = []

    def work_out(finding: Any) -> dict[str, Any]:
        asked.append(finding.id)
        return _finding(InactiveUserLicensed.id, "u1").remediation

    document = report_document(skus=[ROW], findings=[bare])
    assert renewals(document, [_sub(61)], [], {}, AS_OF, remediation=work_out) == []
    assert asked == []
    [r] = renewals(document, [_sub(30)], [], {}, AS_OF, remediation=work_out)
    assert r.freed_by_findings == 1 and asked  # worked out once something renews


def test_without_history_the_forecast_is_today_less_freed_plus_buffer() -> None:
    document = report_document(skus=[ROW], findings=[_finding(InactiveUserLicensed.id, "u9")])
    [r] = renewals(document, [_sub(59.5)], [], {"SPE_E3": 5}, AS_OF)
    assert (r.seats, r.low, r.high, r.history_points) == (189, 189, 190, 1)


def _unfold(text: str) -> list[str]:
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_entries_escape_fold_and_end_lines_with_crlf() -> None:
    renewal = RenewalForecast(
        subscription_id="sub-1",
        sku="SPE/E3",
        sku_id="05e9a617-0261-4cee-bb44-138d3ef5d965",
        name="E3; the, big\\one\nnext",
        renews="2026-12-01T00:00:00Z",
        days_left=30,
        seats=172,
        seats_today=185,
        low=168,
        high=176,
        assigned=180,
        projected=178.0,
        trend_per_30_days=-2.0,
        history_points=3,
        freed_by_findings=6,
        freed_by_plan=6,
        buffer=2,
        other_subscriptions=0,
        monthly_difference=None,
        currency=None,
    )
    text = calendar.event(renewal, locale=Locale.EN, stamp=AS_OF, tenant="Contoso ÅÄÖ " * 8)
    assert text.endswith("\r\n") and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and "END:VCALENDAR" in lines
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary.startswith("SUMMARY:Renew E3\\; the\\, big\\\\one\\nnext: 172 seats (Contoso ÅÄÖ")
    description = next(line for line in lines if line.startswith("DESCRIPTION:Renew"))
    assert "at 172 seats (today 185\\; range 168–176) by Dec 1\\, 2026." in description
    assert "DTSTART;VALUE=DATE:20261201" in lines and "DTEND;VALUE=DATE:20261202" in lines
    assert "UID:renewal-sub-1-20261201@license-auditor" in lines and "TRIGGER:-P14D" in lines
    # the file a reader sees attached: the day and the product by name, no part number or id (issue 89)
    taken: set[str] = set()
    assert calendar.file_name(renewal, taken) == "renewal-2026-12-01-SPE-E3.ics"  # a product no table names
    assert calendar.file_name(renewal, taken) == "renewal-2026-12-01-SPE-E3-2.ics"  # a second one that day
    named = msgspec.structs.replace(renewal, sku="SPE_E3")
    assert calendar.file_name(named, taken) == "renewal-2026-12-01-Microsoft-365-E3.ics"


def test_audit_writes_one_entry_per_renewal_and_the_e_mail_attaches_them(tmp_path: Path, sample) -> None:
    soon = (AS_OF + timedelta(days=25)).strftime("%Y-%m-%dT%H:%M:%SZ")
    subs = tuple(
        msgspec.structs.replace(s, next_lifecycle_date_time=soon) if s.sku_part_number in ("SPE_E3", "SPE_E5") else s
        for s in sample.subscriptions
    )
    path = tmp_path / "tenant.json"
    save_snapshot(dataclasses.replace(sample, subscriptions=subs), path)
    out = tmp_path / "out"
    _code, report = audit(out, "--snapshot", str(path))
    assert report is not None
    e3 = next(r for r in report["renewals"] if r["sku"] == "SPE_E3")
    assert e3["buffer"] == 2 and e3["seats_today"] == 204 and e3["freed_by_findings"] >= e3["freed_by_plan"]
    assert e3["seats"] == 203 - e3["freed_by_findings"] + 2
    files = sorted(p.name for p in out.glob("renewal-*.ics"))
    named = {"SPE_E3": "Microsoft-365-E3", "SPE_E5": "Microsoft-365-E5"}
    assert files == sorted(f"renewal-2026-11-26-{named[r['sku']]}.ics" for r in report["renewals"])
    assert len(files) == 2
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (
        f"Renew Microsoft 365 E3 at {e3['seats']} seats (today 204; range {e3['low']}–{e3['high']}) by Nov 26, "
        "2026." in html
    )
    mail = build_mail(out, attachment_limit=10_000_000, run_url=None)
    assert [a.filename for a in mail.calendar] == files
    message = email.message_from_bytes(to_mime(mail, "a@contoso.example", ("b@contoso.example",)).as_bytes())
    parts = [(p.get_content_type(), p.get_filename()) for p in message.walk() if p.get_filename()]
    assert parts == [
        ("application/zip", "report.html.zip"),
        ("text/csv", "findings.csv"),
        *(("text/calendar", f) for f in files),
    ]
    graph = send_mail_body(mail, ("b@contoso.example",))
    assert [a["name"] for a in graph["message"]["attachments"]] == ["report.html.zip", "findings.csv", *files]
    # the next run moves them to previous/ with the reports
    later = dataclasses.replace(sample)
    save_snapshot(later, path)
    audit(out, "--snapshot", str(path))
    assert not list(out.glob("renewal-*.ics")) and len(list((out / "previous").glob("renewal-*.ics"))) == 2
    assert json.loads((out / "report.json").read_text()).get("renewals") is None


def test_two_subscriptions_of_one_product_renewing_the_same_day_keep_a_file_each(tmp_path: Path, sample) -> None:
    soon = (AS_OF + timedelta(days=25)).strftime("%Y-%m-%dT%H:%M:%SZ")
    bi = [s for s in sample.subscriptions if s.sku_part_number == "POWER_BI_PRO"]
    assert len(bi) == 2  # the sample holds two Power BI Pro subscriptions
    subs = tuple(
        msgspec.structs.replace(s, next_lifecycle_date_time=soon, status="Enabled")
        if s.sku_part_number == "POWER_BI_PRO"
        else s
        for s in sample.subscriptions
    )
    path = tmp_path / "tenant.json"
    save_snapshot(dataclasses.replace(sample, subscriptions=subs), path)
    out = tmp_path / "out"
    _code, report = audit(out, "--snapshot", str(path))
    assert report is not None
    renewals = [r for r in report["renewals"] if r["sku"] == "POWER_BI_PRO"]
    files = sorted(p.name for p in out.glob("renewal-*-Power-BI-Pro*.ics"))
    assert len(files) == len(renewals) == 2, (files, renewals)
