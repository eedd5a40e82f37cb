"""Issue 87, point 3: a Pax8 cancellation on the plan's path. When the plan's reduction takes a Pax8
subscription's whole quantity, the change is Pax8's "Cancel Subscription" (`DELETE
/v1/subscriptions/{id}?cancelDate=…`): planned, made by `apply --distributor` through the Pax8
stand-in (re-read, re-checked, journaled write-ahead), refused as Pax8 refuses it, and named by
`undo --distributor` for a person, never called. A change scheduled at the commitment's end is
re-read and re-checked at the call on its day; a plan older than apply's --max-age is refused then."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import msgspec
import pytest

from auditor.apply import distributor_undo
from auditor.apply import run as apply_run
from auditor.apply.distributor import distributor_of, outgoing
from auditor.cli import main
from auditor.common.errors import UsageError
from auditor.formats.bill_model import CommerceChange
from auditor.vendors.pax8.client import Pax8

from .test_distributor_writes import ANNUAL_AT_PAX8, CANCELLED, MONTHLY_AT_PAX8, audited, power_bi_seats, undo_argv
from .test_pax8 import COMPANY, PBI, SECRET, _stand_in, _sub

NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the day apply runs: a day after the plan


def test_a_whole_subscription_is_cancelled_at_pax8_and_undo_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(apply_run, "clock", lambda: NOV_2)
    with audited(tmp_path, monkeypatch, split=CANCELLED, clock=NOV_2.timestamp) as world:
        assert world.apply() == 0  # the dry run: the DELETE it would send, today's cancelDate
        said = capsys.readouterr().out
        assert f"D1. cancel POWER_BI_PRO at Pax8 (subscription {MONTHLY_AT_PAX8}, 3 seats)" in said
        assert f"DELETE /v1/subscriptions/{MONTHLY_AT_PAX8}?cancelDate=2026-11-02\n      -> would apply" in said
        assert world.pax8.writes == 0
        assert world.apply("--yes") == 0
        assert "-> done" in capsys.readouterr().out
        (sent,) = [r for r in world.pax8.requests if r.method == "DELETE"]
        # the day, as the date-time Pax8's schema gives cancelDate (format date-time): noon UTC of it
        assert sent.path == f"/v1/subscriptions/{MONTHLY_AT_PAX8}"
        assert sent.query == {"cancelDate": "2026-11-02T12:00:00Z"}
        monthly = next(s for s in world.pax8.subscriptions if s["id"] == MONTHLY_AT_PAX8)
        assert monthly["status"] == "Cancelled" and monthly["quantity"] == 3
        path, lines = world.journal()
        assert [(ln["n"], ln["kind"], ln["outcome"]) for ln in lines] == [
            (1, "cancel", "sending"),
            (1, "cancel", "done"),
            (2, "reduce", "scheduled"),
        ]
        assert lines[0]["request"]["path"].endswith("?cancelDate=2026-11-02")  # the day sent, journaled before
        # undo says what a person must do, and sends nothing
        asked: list[str] = []
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: asked.append(q) or True)
        writes = world.pax8.writes
        argv = undo_argv(path, "pax8", world.pax8.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 3
        out = capsys.readouterr()
        assert "cannot be undone by this tool: buy the product again in Pax8's portal" in out.out + out.err
        assert world.pax8.writes == writes and not asked
        assert monthly["status"] == "Cancelled"
        assert SECRET not in out.out + out.err + path.read_text("utf-8")


def test_a_cancellation_is_refused_when_the_tenants_seats_were_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(apply_run, "clock", lambda: NOV_2)
    with audited(tmp_path, monkeypatch, split=CANCELLED, clock=NOV_2.timestamp) as world:
        power_bi_seats(world, 1)  # 32 of 34 assigned: 31 would be left
        assert world.apply("--yes") == 0
        assert "skipped: 31 seats would be left, below the 32 assigned now" in capsys.readouterr().out
        assert world.pax8.writes == 0


def test_a_scheduled_cancellation_is_sent_with_its_commitments_end() -> None:
    change = msgspec.convert(
        {
            "n": 1, "kind": "cancel", "source": "pax8", "scope": COMPANY, "api_id": ANNUAL_AT_PAX8,
            "subscription": "x", "sku": "POWER_BI_PRO", "sku_id": None, "from": 31, "to": 0, "seats": 31,
            "window": "renewal", "not_before": "2027-05-08", "by": None, "monthly_saving": 0.0,
            "saving_from": "2027-05-08",
            "request": {"method": "DELETE", "path": f"/v1/subscriptions/{ANNUAL_AT_PAX8}?cancelDate=2027-05-08",
                        "body": None},
        },
        CommerceChange,
    )  # fmt: skip
    assert outgoing(change, date(2027, 5, 8)).request == change.request  # due: its own date
    later = outgoing(change, date(2027, 5, 11)).request.path
    assert later.endswith("?cancelDate=2027-05-11")  # never a day before the call
    data = msgspec.json.encode({"bill": {"distributor": [change]}})
    assert distributor_of(data) == [change]
    edited = msgspec.structs.replace(change, to=1, seats=30)
    with pytest.raises(UsageError, match="a cancellation takes the whole quantity"):
        distributor_of(msgspec.json.encode({"bill": {"distributor": [edited]}}))
    other_day = msgspec.structs.replace(change, saving_from="2027-05-09")
    with pytest.raises(UsageError, match="is not the day it can be made"):
        distributor_of(msgspec.json.encode({"bill": {"distributor": [other_day]}}))


def test_the_stand_in_cancels_and_refuses_what_pax8_refuses() -> None:
    today = datetime.now(UTC).date()
    future = _sub(1, PBI, "Power BI Pro", 5, startDate="2099-01-01T00:00:00Z")
    with _stand_in([future, _sub(2, PBI, "Power BI Pro", 5)]) as pax8:
        url = f"{pax8.url}/v1/subscriptions"
        second = f"{url}/{_sub(2, PBI, '', 0)['id']}"
        assert httpx.delete(second, params={"cancelDate": today.isoformat()}).status_code == 401  # no token
        with Pax8("msp", SECRET, endpoint=pax8.url) as client:
            client.subscriptions(COMPANY)  # a token
            auth = {"Authorization": f"Bearer {next(iter(pax8.issued))}"}
        on = {"cancelDate": today.isoformat()}
        assert httpx.delete(f"{url}/nope", params=on, headers=auth).status_code == 404
        refused = httpx.delete(f"{url}/{future['id']}", params=on, headers=auth)
        assert refused.status_code == 422 and "future date" in refused.json()["message"]
        no_offset, spaced = f"{today.isoformat()}T12:00:00", f"{today.isoformat()} 12:00:00Z"
        for bad in ("2026-13-01", "tomorrow", "2020-01-01", "2020-01-01T12:00:00Z", no_offset, spaced):
            assert httpx.delete(second, params={"cancelDate": bad}, headers=auth).status_code == 400, bad
        assert pax8.subscriptions[1]["status"] == "Active"
        # a date-time with its offset, as Pax8's schema has it (its example 2000-10-31T01:30:00.000-05:00)
        later = date.fromordinal(today.toordinal() + 30).isoformat()
        taken = httpx.delete(second, params={"cancelDate": f"{later}T01:30:00.000-05:00"}, headers=auth)
        assert (taken.status_code, taken.content) == (204, b"")  # Pax8's answer: "Successful operation", no body
        assert pax8.subscriptions[1]["status"] == "PendingCancel"
        assert pax8.subscriptions[1]["endDate"] == f"{later}T00:00:00Z"  # the day as written
        again = httpx.delete(second, params=on, headers=auth)
        assert again.status_code == 422  # Pax8 no longer bills it as Active
        pax8.subscriptions[1]["status"] = "Active"
        plain = httpx.delete(second, params=on, headers=auth)  # a plain date is taken too
        assert plain.status_code == 204 and pax8.subscriptions[1]["status"] == "Cancelled"


DUE = datetime(2027, 5, 8, 9, 0, tzinfo=UTC)  # the annual commitment's end: its scheduled change is due


def test_when_due_the_scheduled_change_is_rechecked_at_the_call_and_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(apply_run, "clock", lambda: DUE)
    with audited(tmp_path, monkeypatch, split=CANCELLED, clock=DUE.timestamp) as world:
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned, the 30 kept
        annual = next(s for s in world.pax8.subscriptions if s["id"] == ANNUAL_AT_PAX8)
        annual["quantity"] = 33  # the MSP bought two more since the plan: the re-read says so
        # compiled again at the call, the annual subscription reduces from 33: not the plan's change
        assert world.apply("--yes") == 3
        err = capsys.readouterr().err
        assert "D2. reduce POWER_BI_PRO at Pax8" in err and "refused, nothing sent: (from)" in err
        assert annual["quantity"] == 33
        first, _ = world.journal()
        first.rename(first.with_suffix(".first"))  # the second run's journal may take the same second's name
        annual["quantity"] = 31
        # the cancellation was made by the first run (the fresh compile holds it no more: refused, exit 3); the
        # reduction is the plan's again, and a smaller one than the fresh compile's: made as the plan says
        assert world.apply("--yes") == 3
        said = capsys.readouterr().out
        assert "D2. reduce POWER_BI_PRO at Pax8" in said and "-> done" in said
        assert annual["quantity"] == 30
        (put,) = [r for r in world.pax8.requests if r.method == "PUT"]
        assert put.body == {"quantity": 30}


def test_a_plan_older_than_max_age_is_refused_on_its_changes_due_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(apply_run, "clock", lambda: DUE)
    with audited(tmp_path, monkeypatch, split=CANCELLED, clock=DUE.timestamp) as world:
        argv = ["apply", str(world.out / "plan.json"), "--distributor", "--yes", "--pax8-endpoint", world.pax8.url]
        argv += ["--graph-endpoint", world.graph.url, "--auth", "token", "--tenant-id", world.tenant_id]
        assert main(argv) == 2  # apply's --max-age (7 days): a scheduled change needs a plan made near its day
        err = capsys.readouterr().err
        assert "more than --max-age 7 days" in err and "audit and plan again" in err
        assert world.pax8.writes == 0 and not list(world.out.glob("distributor-journal-*"))
