"""undo --distributor decides a put-back at the call from the sources: Pax8's own history of the
subscription, the tenant's seats assigned now (Graph) with the plan's policy's spare seats, and Pax8's
price now. The journal and a plan copy beside it only select the change: an edited journal with a forged
plan copy named by its own SHA-256 buys no seat above what the sources allow, at no price of the copy's.
Through the CLI, the Graph emulator and the Pax8 stand-in."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from auditor.apply import distributor_undo
from auditor.apply.plan_binding import kept_plan
from auditor.cli import main

from .test_distributor_writes import MONTHLY_AT_PAX8, World, audited, power_bi_seats

FORGED_PRICE = 0.36  # a seat's price as the forged plan copy would have the question say it


def _undo(world: World, path: Path) -> int:
    argv = ["undo", str(path), "--distributor", "--yes", "--pax8-endpoint", world.pax8.url]
    return main([*argv, "--graph-endpoint", world.graph.url, "--auth", "token", "--tenant-id", world.tenant_id])


def _forge(world: World, path: Path, lines: list[dict[str, object]], seats_before: int) -> None:
    """The journal's reduction edited to say `seats_before` seats were there, bound to a forged plan copy
    that says the same at FORGED_PRICE a seat, kept under the name its own SHA-256 gives it."""
    doc = world.plan()
    (change,) = [c for c in doc["bill"]["distributor"] if c["n"] == 1]
    change["from"] = seats_before
    change["seats"] = seats_before - change["to"]
    change["monthly_saving"] = round(FORGED_PRICE * change["seats"], 2)
    data = json.dumps(doc).encode()
    sha = hashlib.sha256(data).hexdigest()
    kept_plan(world.out, sha).write_bytes(data)
    for line in lines:  # the line says what the forged copy says, in every field the two share
        line.update({key: change[key] for key in line if key in change}, plan=sha)
        if line["outcome"] == "sending":
            line["read"] = seats_before
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines), "utf-8")


def _quantities_sent(world: World) -> list[int]:
    return [int(r.body["quantity"]) for r in world.pax8.requests if r.method == "PUT" and isinstance(r.body, dict)]


def test_an_edited_journal_with_a_forged_plan_copy_buys_only_what_pax8s_history_had(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned
        assert world.apply("--yes") == 0
        assert world.quantities()[MONTHLY_AT_PAX8] == 2  # 6 -> 2
        path, lines = world.journal()
        _forge(world, path, lines, 1000)
        asked: list[str] = []
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: asked.append(q) or True)
        capsys.readouterr()
        assert _undo(world, path) == 0
        out = capsys.readouterr().out
        # Pax8's history had 6 before the reduction: never more is asked for or sent
        assert _quantities_sent(world) == [2, 6] and world.quantities()[MONTHLY_AT_PAX8] == 6
        assert "at most 6 seats: the journal's line asks 1000, Pax8's history had 6 before the reduction" in out
        # priced from Pax8's re-read (partnerCost 10.14), never from the plan copy
        assert asked == [
            "D1. put POWER_BI_PRO back from 2 to 6 seats at Pax8 (4 seats at 10.14 at Pax8 now: they cost 40.56 a "
            "month again)?"
        ]
        assert f"{FORGED_PRICE:.2f}" not in "".join(asked)


def test_no_seat_is_put_back_above_the_seats_assigned_now_and_the_policys_spare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)  # 30 assigned: the monthly subscription 6 -> 2
        assert world.apply("--yes") == 0
        power_bi_seats(world, -4)  # four more users leave Power BI Pro since: 26 assigned
        path, lines = world.journal()
        _forge(world, path, lines, 1000)
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
        capsys.readouterr()
        # the policy keeps at most 5 spare (POWER_BI_PRO spare_seats max 5): 31 seats, of which the annual
        # subscription holds 28, so the monthly one may have 3 again, not the 6 Pax8's history had
        assert _undo(world, path) == 0
        assert _quantities_sent(world) == [2, 3] and world.quantities()[MONTHLY_AT_PAX8] == 3
        assert "Pax8 bills 30 seats of it, the tenant's 26 assigned now, 5 spare allowed by the policy" in (
            capsys.readouterr().out
        )
        # with all but 2 of the annual subscription's seats unassigned, nothing may be put back: exit 3, named
        power_bi_seats(world, -3)  # 23 assigned: 28 allowed, the annual subscription alone holds 28
        (undone,) = world.out.glob("distributor-undo-*")
        undone.rename(undone.with_suffix(".first"))
        world.pax8.subscriptions[1]["quantity"] = 2  # as the reduction left it, for the second undo to try
        world.pax8.history[MONTHLY_AT_PAX8].append(
            {**world.pax8.subscriptions[1], "updatedDate": "2099-01-01T00:00:00Z"}
        )
        assert _undo(world, path) == 3
        err = capsys.readouterr().err
        assert "nothing to put back above its 2 seats; give the licenses back first" in err
        assert _quantities_sent(world) == [2, 3]
