"""Each Copilot seat's history over a week of nights (auditor.insights.copilot_history): the first night is
the demo tenant's own audit (report.json through the real CLI), the six after it are generated from it as
the seats change (a move made, a holder back at work, a seat reduced); each night's record goes through
the history file's lines and back, and the trends and the roll-up read the seats' states from them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import msgspec
import pytest

from auditor.cli import main
from auditor.data.copilot_use import CopilotSeat
from auditor.data.model import Locale
from auditor.fleet.copilot_cells import copilot_figures, row_ok
from auditor.fleet.copilot_cells import markdown as copilot_markdown
from auditor.formats.report_model import ReportDocument
from auditor.i18n import translations
from auditor.insights.copilot_history import (
    LAPSED,
    REACTIVATED,
    REASSIGNED,
    RECLAIMED,
    RETAINED,
    counts,
    idle_cost,
    seat_histories,
)
from auditor.insights.history import parse_lines, record_line, record_of
from auditor.insights.trends import trends
from auditor.rules.usage.copilot_seats import CopilotSeatIdle

SAMPLE = Path(__file__).parents[2] / "auditor_dev" / "sample"
DAILY, FRESH = "copilot.daily@contoso.example", "copilot.fresh@contoso.example"
IDLE, NEVER, PILOT = "copilot.idle@contoso.example", "copilot.never@contoso.example", "copilot.pilot@contoso.example"
SANNE = "user000006@contoso.example"
_ = None  # a night the seat is not held


@pytest.fixture(scope="module")
def first_night(tmp_path_factory: pytest.TempPathFactory) -> ReportDocument:
    out = tmp_path_factory.mktemp("night1")
    code = main(
        [
            "audit",
            "--snapshot",
            str(SAMPLE / "sample-tenant.json"),
            "--policies",
            str(SAMPLE / "example-policy.yaml"),
            "--as-of",
            "2026-11-01T06:00:00Z",
            "--output-dir",
            str(out),
        ]
    )
    assert code in (0, 1)
    return msgspec.json.decode((out / "report.json").read_bytes(), type=ReportDocument)


def _night(doc: ReportDocument, n: int, seats: list[CopilotSeat], used: set[str]) -> ReportDocument:
    """Night `n` (1 = the first): `seats` held; the holders in `used` used Copilot that day (no finding)."""
    day = (date(2026, 11, 1) + timedelta(days=n - 1)).isoformat()
    held = {s.user_id for s in seats}
    findings = [
        f
        for f in doc.findings
        if f.rule != CopilotSeatIdle.id or (f.subject.id in held and (f.subject.upn or "") not in used)
    ]
    seats = [msgspec.structs.replace(s, last_use=day) if s.upn in used else s for s in seats]
    stamp = f"{day}T06:00:00Z"
    return msgspec.structs.replace(doc, generated_at=stamp, as_of=stamp, copilot_seats=seats, findings=findings)


def test_a_week_of_nights(first_night: ReportDocument, tmp_path: Path) -> None:
    assert isinstance(first_night.copilot_seats, list)
    seats = {s.upn: s for s in first_night.copilot_seats}
    assert set(seats) == {DAILY, FRESH, IDLE, NEVER, PILOT}
    sanne = CopilotSeat(
        user_id="519088f5-90fb-4d11-9c1c-aaf75e8766ed", upn=SANNE, name="Sanne Jansen", sku=seats[NEVER].sku
    )
    every = [seats[DAILY], seats[FRESH], seats[IDLE], seats[NEVER], seats[PILOT]]
    after_move = [seats[DAILY], seats[FRESH], seats[IDLE], seats[PILOT], sanne]  # Never's seat went to Sanne
    reduced = [seats[DAILY], seats[FRESH], seats[IDLE], sanne]  # the pilot's seat left
    week = [
        _night(first_night, 1, every, {DAILY}),
        _night(first_night, 2, every, {DAILY}),
        _night(first_night, 3, after_move, {DAILY, IDLE, SANNE}),  # Copilot Idle is back at work
        _night(first_night, 4, after_move, {DAILY, IDLE, SANNE}),
        _night(first_night, 5, reduced, {DAILY, IDLE, SANNE}),
        _night(first_night, 6, reduced, {DAILY, IDLE, SANNE}),
        _night(first_night, 7, reduced, {DAILY, IDLE, SANNE}),
    ]
    history = tmp_path / "history.jsonl"
    history.write_bytes(b"".join(record_line(record_of(d)) for d in week))
    records, problems = parse_lines(history.read_bytes().splitlines())
    assert not problems and len(records) == 7

    by_upn = {h.upn: h for h in seat_histories(records)}
    r, re_, la, ra, rc = RETAINED, REACTIVATED, LAPSED, REASSIGNED, RECLAIMED
    assert by_upn[DAILY].states == (r, r, r, r, r, r, r)
    assert by_upn[FRESH].states == (r, r, r, r, r, r, r)  # too new to judge: the rule keeps it
    assert by_upn[IDLE].states == (la, la, re_, r, r, r, r)
    assert by_upn[NEVER].states == (la, la, ra, _, _, _, _)  # its finding gave it to Sanne
    assert by_upn[PILOT].states == (la, la, la, la, rc, _, _)  # reduced: gone without a candidate
    assert by_upn[SANNE].states == (_, _, r, r, r, r, r)

    # idle: a day's price for each night lapsed (the demo's €28.10 a month: €0.92 a day)
    day = 28.10 * 12 / 365
    assert by_upn[NEVER].idle_cost == pytest.approx(2 * day, abs=1e-9)  # unrounded: the sum is rounded once
    assert by_upn[IDLE].idle_cost == pytest.approx(2 * day, abs=1e-9)
    assert by_upn[PILOT].idle_cost == pytest.approx(4 * day, abs=1e-9)
    assert by_upn[DAILY].idle_cost is None
    histories = list(by_upn.values())
    assert idle_cost(histories) == round(8 * day, 2) == 7.39  # seat by seat rounded: 1.85 + 1.85 + 3.70
    # where each seat stands on the latest night that says something of it (the roll-up's counts)
    assert counts(histories) == {r: 4, re_: 0, la: 0, ra: 1, rc: 1}

    block = trends(records)
    assert isinstance(block.copilot_seats, list)
    shown = {s.upn: s.states for s in block.copilot_seats}
    assert shown[PILOT] == [la, la, la, la, rc, None, None]

    # the roll-up's row of the tenant, from its report's trends, and tenants.md's section
    figures = copilot_figures(msgspec.structs.replace(week[-1], trends=block))
    assert figures == {"nights": 7, "states": counts(histories), "idle_cost": idle_cost(histories)}
    assert row_ok(figures) and not row_ok({"nights": 7, "states": {r: "4"}, "idle_cost": None})
    row = {"name": "Contoso", "key": "contoso", "currency": "EUR", "copilot": figures}
    lines = copilot_markdown({"tenants": [row]}, translations(Locale.EN), Locale.EN)  # type: ignore[typeddict-item]
    assert (
        lines[-1] == "| Contoso \\(contoso\\) | 4 | 0 | 0 | 1 | 1 | €7\\.39 |"
    )  # the seats' idle costs summed, then rounded once


def test_a_gap_of_days_between_nights_costs_every_day(first_night: ReportDocument) -> None:
    assert isinstance(first_night.copilot_seats, list)
    seats = list(first_night.copilot_seats)
    nights = [_night(first_night, 1, seats, set()), _night(first_night, 4, seats, set())]  # three days apart
    (pilot,) = [h for h in seat_histories([record_of(d) for d in nights]) if h.upn == PILOT]
    assert pilot.states == (LAPSED, LAPSED)
    assert pilot.idle_cost == pytest.approx(4 * 28.10 * 12 / 365, abs=0.01)  # the first night's day and three


def test_a_second_run_the_same_day_costs_nothing_more(first_night: ReportDocument) -> None:
    """Two runs seconds apart used to count the second as a whole day (€1.85 a seat for one day)."""
    assert isinstance(first_night.copilot_seats, list)
    seats = list(first_night.copilot_seats)
    nights = [_night(first_night, 1, seats, set()), _night(first_night, 1, seats, set())]  # one day, twice
    (pilot,) = [h for h in seat_histories([record_of(d) for d in nights]) if h.upn == PILOT]
    assert pilot.states == (LAPSED, LAPSED)
    assert pilot.idle_cost == pytest.approx(28.10 * 12 / 365, abs=1e-9)  # the first night's one day alone


def test_a_night_without_seats_says_nothing(first_night: ReportDocument) -> None:
    assert isinstance(first_night.copilot_seats, list)
    seats = list(first_night.copilot_seats)
    old = msgspec.structs.replace(_night(first_night, 2, seats, set()), copilot_seats=msgspec.UNSET)
    records = [
        record_of(_night(first_night, 1, seats, set())),
        record_of(old),
        record_of(_night(first_night, 3, seats, set())),
    ]
    assert records[1].copilot_seats is None
    (never,) = [h for h in seat_histories(records) if h.upn == NEVER]
    assert never.states == (LAPSED, None, LAPSED)  # not "reassigned" on the night that kept no seats


def test_two_audits_seconds_apart_through_the_cli_cost_one_day(tmp_path: Path) -> None:
    """issue 121: the same night audited twice (`--history`, 30 seconds apart) through the real command; the
    second report's trends count the idle seat's first day once, never a second whole day."""
    history = tmp_path / "history.jsonl"
    for n, moment in enumerate(("2026-11-01T06:00:00Z", "2026-11-01T06:00:30Z")):
        code = main(
            [
                *("audit", "--snapshot", str(SAMPLE / "sample-tenant.json")),
                *("--policies", str(SAMPLE / "example-policy.yaml"), "--as-of", moment),
                *("--history", str(history), "--output-dir", str(tmp_path / f"run{n}")),
            ]
        )
        assert code in (0, 1)
    second = msgspec.json.decode((tmp_path / "run1" / "report.json").read_bytes(), type=ReportDocument)
    assert second.trends is not msgspec.UNSET and second.trends.copilot_seats is not msgspec.UNSET
    (pilot,) = [s for s in second.trends.copilot_seats if s.upn == PILOT]
    assert pilot.states == [LAPSED, LAPSED]
    assert pilot.idle_cost == pytest.approx(28.10 * 12 / 365, abs=1e-6)  # one day's price, not two
