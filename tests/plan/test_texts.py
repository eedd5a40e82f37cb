"""The words an admin reads in plan.md and the report header: every reason and kind of change is a
translated text (never its key), a catalog finding says its next step, and the header says what the
reclaimable amount waits for."""

from __future__ import annotations

import re

import msgspec
import pytest
from markupsafe import escape

from auditor import i18n
from auditor.data.blocked import BLOCKED_REASONS, LOOKUP
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import Amount, ReportDocument
from auditor.plan.compile import KINDS, METHODS, NO_ACTION, PLAN_REASONS, Change, ChangePlan, Skipped
from auditor.plan.write import plan_markdown
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.view import PageContext
from auditor.report.view.states import plan_states
from auditor.rules.hygiene.upkeep import SubscriptionExpiring
from auditor.rules.seats import LicenseSuspended, SeatsInGrace, SkuNotApproved, SpareSeatsUnderMinimum
from tests.report.report_fixtures import FakeGuidance

from .builders import DISABLED, FORBIDDEN, INACTIVE, assign, finding, leave, lookup, report, seat, uid

REASONS = (*BLOCKED_REASONS, *PLAN_REASONS)  # every reason a finding can be skipped for
RUN_KINDS = tuple(k for k in KINDS if k != "lookup")  # every kind of change a plan makes
ROW = re.compile(r"^\| (f\d+) \| [^|]* \| [^|]* \| (.*?) \| [^|]* \|$", re.M)


def _plan(locale: Locale, skipped: tuple[Skipped, ...]) -> ChangePlan:
    changes = tuple(
        Change(n, kind, METHODS[kind], f"/users/{uid(n)}", None, "", uid(n), None, (), {}, (f"c{n}",), ())
        for n, kind in enumerate(RUN_KINDS, 1)
    )
    return ChangePlan(
        "72f988bf-0000-0000-0000-000000000000",
        "Contoso",
        "worldwide",
        locale.value,
        "2026-11-22T03:00:00Z",
        "EUR",
        0.0,
        (),
        changes,
        (),
        None,
        skipped,
    )


def _every_reason() -> tuple[Skipped, ...]:
    return tuple(
        Skipped(f"f{i}", FORBIDDEN, reason, "Ann", "", ("f99",), ("mailbox",)) for i, reason in enumerate(REASONS)
    )


def _reason_cells(md: str) -> dict[str, str]:
    """finding id -> its Reason cell in "Findings that need a person"."""
    return {fid: cell for fid, cell in ROW.findall(md.split("\n### ")[-1])}


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_plan_md_shows_no_internal_key(locale: Locale) -> None:
    md = plan_markdown(_plan(locale, _every_reason()), created_at="2026-11-23T08:00:00Z")
    cells = _reason_cells(md)
    assert len(cells) == len(REASONS)
    english = _reason_cells(plan_markdown(_plan(Locale.EN, _every_reason()), created_at="2026-11-23T08:00:00Z"))
    for i, reason in enumerate(REASONS):
        cell = cells[f"f{i}"]
        assert cell not in (reason, reason.replace("_", "\\_")), f"{reason}: shown as its key"
        if locale is not Locale.EN:
            assert cell != english[f"f{i}"], f"{reason}: not translated into {locale.value}"
    counts = md.split("| --- | ---: |\n", 1)[1].split("\n\n", 1)[0]
    kinds = [line.split(" | ")[0].removeprefix("| ") for line in counts.splitlines()]
    assert len(kinds) == len(RUN_KINDS)
    assert not set(kinds) & {*RUN_KINDS, *(k.replace("_", "\\_") for k in RUN_KINDS)}
    for key in (*REASONS, *RUN_KINDS):  # a key with "_" is no word of any language: nowhere in plan.md
        if "_" in key:
            assert key not in md and key.replace("_", "\\_") not in md, key


def test_the_usage_reports_reason_is_a_sentence() -> None:
    usage = next(r for r in BLOCKED_REASONS if r == "usage_unknown")
    md = plan_markdown(_plan(Locale.EN, (Skipped("f0", FORBIDDEN, usage, "Ann"),)), created_at="2026-11-23T08:00:00Z")
    assert _reason_cells(md)["f0"] == (
        "the usage reports cannot show whether the product is still used\\: a person must check that first"
    )
    # the report and the digest show the plan's state in the plan's words (auditor.report.view.states)
    state = plan_states(_plan(Locale.EN, (Skipped("f0", FORBIDDEN, usage, "Ann"),)), Locale.EN)["f0"]
    assert (state.label, state.reason) == (
        "needs an admin's decision",
        "the usage reports cannot show whether the product is still used: a person must check that first",
    )


@pytest.mark.parametrize(
    ("rule", "reason", "step"),
    [
        (LicenseSuspended.id, LOOKUP, "reactivate or renew the subscription"),
        (SeatsInGrace.id, LOOKUP, "renew the subscription before its grace period ends"),
        (SpareSeatsUnderMinimum.id, LOOKUP, "free licenses or buy more"),
        (SkuNotApproved.id, LOOKUP, "approve the product in the policy"),
        (SubscriptionExpiring.id, NO_ACTION, "renew the subscription"),
    ],
)
def test_a_commercial_next_step_is_named(rule: str, reason: str, step: str) -> None:
    md = plan_markdown(_plan(Locale.EN, (Skipped("f0", rule, reason, "E3"),)), created_at="2026-11-23T08:00:00Z")
    cell = _reason_cells(md)["f0"]
    assert step in cell
    assert "look something up" not in cell and cell != "no change to run"


# --- the report header: what the reclaimable amount waits for --------------------------------------


def _reclaimable_report() -> ReportDocument:
    u1, u2, u3 = uid(1), uid(2), uid(3)
    findings = [
        # user 1: a leaver whose E5 removal is ready; a smaller finding of the same user is not added
        finding("f1", DISABLED, u1, [assign(u1, remove=["SPE_E5"])], monthly_cost=57.0),
        finding("f1b", INACTIVE, u1, [assign(u1, remove=["SPE_E5"])], monthly_cost=20.0),
        # user 2: the removal would end the mailbox: it waits for a declaration that the data is kept
        finding(
            "f2",
            INACTIVE,
            u2,
            [leave(u2, uid(9), {"SPE_E3": -1}, ready=False, blocked="data_lost")],
            skus=["SPE_E3"],
            monthly_cost=33.75,
        ),
        # user 3: only a lookup: a person
        finding("f3", INACTIVE, u3, [lookup()], skus=["SPE_E3"], monthly_cost=12.5),
        # not reclaimable: not in the split, though planned
        finding("f4", FORBIDDEN, uid(4), [assign(uid(4), remove=["SPE_E5"])], monthly_cost=57.0),
    ]
    doc = report(findings, [seat("SPE_E5", 10, 8, price=57.0), seat("SPE_E3", 10, 10, price=33.75)])
    doc.summary = msgspec.structs.replace(doc.summary, reclaimable_monthly_cost=Amount(amount=103.25, currency="EUR"))
    return doc


def test_the_markdown_header_splits_the_reclaimable_amount() -> None:
    md = render_page(MARKDOWN, _reclaimable_report(), PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    plan_row = next(line for line in md.splitlines() if line.startswith("| Plan |"))
    assert plan_row.endswith(
        "Of the €103\\.25 reclaimable per month\\: €57\\.00 is ready in this plan, €33\\.75 waits until the users' "
        "data is kept, €12\\.50 waits for a person\\. The plan's other changes count \\+€57\\.00 in "
        "its net\\. |"
    )
    # the net counts every change, the reclaimable ones or not: 57.00 ready + 57.00 other
    assert "lowering license costs by €114\\.00 a month" in plan_row


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
def test_the_html_header_splits_it_in_every_language(locale: Locale) -> None:
    html = render_page(HTML, _reclaimable_report(), PageContext(locale, Cloud.WORLDWIDE, FakeGuidance()))
    row = next(
        line
        for line in html.splitlines()
        if i18n.translations(locale).pgettext("plan_header", "Plan") + "</td>" in line
    )
    for amount in (103.25, 57.0, 33.75, 12.5):
        assert str(escape(i18n.format_money(amount, "EUR", locale))) in row
    english = "waits until the users' data is kept"
    assert (english in str(escape(row)) or english.replace("'", "&#39;") in row) == (locale is Locale.EN)


def test_a_finding_that_waits_for_its_data_says_what_it_waits_for() -> None:
    html = render_page(HTML, _reclaimable_report(), PageContext(Locale.EN, Cloud.WORLDWIDE, FakeGuidance()))
    assert "waits until the data is kept" in html  # the state of user 2's finding, whose removal ends the mailbox
    assert "declaration" not in html
