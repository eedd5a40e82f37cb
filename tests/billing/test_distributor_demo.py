"""`apply PLAN --distributor --demo` and `undo --distributor --demo`: the distributor's write path tried
offline, on the plan of `audit --demo --tenants` (issue 99, point 15). The sample's Pax8 is served by its
stand-in on 127.0.0.1, and what the writes leave is kept in demo-pax8.json beside the plan, as
demo-tenant.json keeps the tenant, so the undo finds the reduction the apply made (docs/msp.md). Issue 108:
the same run plans a purchase at Pax8 (Contoso's Microsoft 365 F3, short of the policy's spare minimum) and at
Sherweb (Fabrikam's Exchange Online (Plan 1), its Sherweb served by the Sherweb stand-in, kept in
demo-sherweb.json), each made by `apply --distributor --demo --yes` and taken off again by `undo`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.apply import distributor_undo
from auditor.cli import main
from tests.demo_runs import DemoRuns, pin_environment

from .test_psa_write_demo import PINS, RUN

E3_AT_PAX8 = "00000000-0000-4000-8000-000000000001"  # the sample's Microsoft 365 E3 at Pax8: 210 seats billed
F1_AT_PAX8 = "00000000-0000-4000-8000-000000000006"  # its Microsoft 365 F3 at Pax8: 49 seats, 2 short
DEMO_DAY = "1794981600"  # 2026-11-18T06:00Z: apply's and undo's clock where a test sets no day of its own


def _planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: DemoRuns, today: str) -> None:
    """`audit --demo --tenants --fail-on never` and each tenant's plan (RUN) at `today` (SOURCE_DATE_EPOCH),
    the vendors' secrets unset (the demo gives the stand-ins' own): the session's one run (at DEMO_DAY, the
    PSA write tests' too), copied into tmp_path, the working directory, whose environment is the run's from
    here on."""
    pins = PINS | {"SOURCE_DATE_EPOCH": today}
    monkeypatch.chdir(tmp_path)
    pin_environment(monkeypatch, pins)
    run = runs.run(RUN, pins)
    assert run.codes == (0, 0, 0, 0), run.err[-2000:]
    run.copy_to(tmp_path)


def _seats(folder: Path, sub: str = E3_AT_PAX8) -> int:
    kept: dict[str, list[dict[str, Any]]] = json.loads((folder / "demo-pax8.json").read_text("utf-8"))
    return next(int(s["quantity"]) for s in kept["subscriptions"] if s["id"] == sub)


@pytest.mark.parametrize("today", [DEMO_DAY, "1801051200"])  # 2026-11-18 and 2027-01-27, 06:00Z
def test_the_demos_plan_at_pax8_is_judged_on_the_demos_own_day_and_undone_offline(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    virtual_graph_time: Any,
    demo_runs: DemoRuns,
    today: str,
) -> None:
    """The demo's windows are judged on the demo's own day (the moment its sample was read: 1 November), never
    on today's: whatever day it is run, the E3 reduction waits for its renewal and the F3 purchase is made, and
    undo takes it off again inside its 7 days."""
    # apply's clock (tests/billing/conftest.py): "today", SOURCE_DATE_EPOCH; no policies/ here: undo --demo
    # bounds a put-back by the demo's own policy, as apply --demo (issue 121)
    _planned(tmp_path, monkeypatch, demo_runs, today)
    folder = Path("reports/tenants/contoso")
    plan = str(folder / "plan.json")
    aged = ["--max-age", "400d"]  # the sample's data read on 1 November, at the later "today" too
    bill = json.loads((folder / "plan.json").read_text("utf-8"))["bill"]
    [change, bought] = bill["distributor"]
    # each product's one Pax8 subscription that names no Microsoft subscription: in English's singular
    assert all("(s)" not in why and " names no Microsoft subscription" in why for why in bill["distributor_skipped"])
    assert (change["api_id"], change["from"], change["to"]) == (E3_AT_PAX8, 210, 200)
    # day 14 after E3's monthly renewal (18 October): Microsoft's seven days are past, so the reduction and
    # its saving wait for the next renewal, 18 November (issue 116, point 4)
    assert (change["not_before"], change["saving_from"]) == ("2026-11-18", "2026-11-18")
    # F3: 48 assigned after the plan and the policy's 3 spare, 49 bought: 2 more at Pax8, at cost and price
    assert (bought["kind"], bought["api_id"], bought["from"], bought["to"]) == ("increase", F1_AT_PAX8, 49, 51)
    assert (bought["monthly_saving"], bought["monthly_price"]) == (-4.06, 4.5)
    capsys.readouterr()
    assert main(["apply", plan, "--distributor", "--demo", *aged]) == 0  # a dry run first
    assert "-> scheduled for 2026-11-18" in capsys.readouterr().out
    assert not (folder / "demo-pax8.json").exists()  # a dry run keeps nothing
    assert main(["apply", plan, "--demo", "--yes", *aged]) == 0  # the license changes, on the demo tenant
    assert main(["apply", plan, "--distributor", "--demo", "--yes", *aged]) == 0
    said = capsys.readouterr().out
    assert "D1. reduce SPE_E3 at Pax8" in said and "-> scheduled for 2026-11-18" in said
    assert "D2. buy 2 SPE_F1 at Pax8" in said
    assert (_seats(folder), _seats(folder, F1_AT_PAX8)) == (210, 51)  # on the demo's day: the purchase alone
    (journal,) = folder.glob("distributor-journal-*.jsonl")
    outcomes = [json.loads(line)["outcome"] for line in journal.read_text("utf-8").splitlines()]
    assert outcomes.count("done") == 1
    # undo without --yes: a dry run that says so; with --yes the purchase comes off again
    assert main(["undo", "--distributor", "--demo"]) == 0
    said = capsys.readouterr().out
    assert "dry run: 1 purchase would be taken off" in said
    assert (_seats(folder), _seats(folder, F1_AT_PAX8)) == (210, 51)
    # undo --demo judges on the demo's own day too, as apply --demo: the same on a day months later
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1809000000")  # 2027-04-29
    assert main(["undo", "--distributor", "--demo"]) == 0
    assert capsys.readouterr().out == said
    assert main(["undo", "--distributor", "--demo", "--yes"]) == 0
    assert "take the 2 SPE_F1 bought at Pax8 off again" in capsys.readouterr().out
    assert (_seats(folder), _seats(folder, F1_AT_PAX8)) == (210, 49)


def test_the_demos_purchase_at_sherweb_is_made_and_taken_off_offline(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    virtual_graph_time: Any,
    demo_runs: DemoRuns,
) -> None:
    _planned(tmp_path, monkeypatch, demo_runs, DEMO_DAY)  # the Sherweb stand-in's own secrets
    folder = Path("reports/tenants/fabrikam")
    [bought] = json.loads((folder / "plan.json").read_text("utf-8"))["bill"]["distributor"]
    # Exchange Online (Plan 1): none assigned, the policy's 2 spare, 1 bought: 1 more at Sherweb
    assert (bought["kind"], bought["source"], bought["from"], bought["to"]) == ("increase", "sherweb", 1, 2)
    plan = str(folder / "plan.json")
    capsys.readouterr()
    assert main(["apply", plan, "--distributor", "--demo", "--yes"]) == 0
    assert "D1. buy 1 EXCHANGESTANDARD at Sherweb" in capsys.readouterr().out

    def seats() -> int:
        kept = json.loads((folder / "demo-sherweb.json").read_text("utf-8"))
        return int(next(iter(kept.values()))[0]["quantity"])

    assert seats() == 2
    assert main(["undo", "--distributor", "--demo", "--yes"]) == 0
    assert "take the 1 EXCHANGESTANDARD bought at Sherweb off again" in capsys.readouterr().out
    assert seats() == 1


def test_undo_demo_puts_back_no_more_than_the_demos_own_policy_allows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    virtual_graph_time: Any,
    demo_runs: DemoRuns,
) -> None:
    """Issue 121: `undo --demo` bounds a put-back by the demo's own policy (its spare seats), never the journal's
    word. The demo's E3 reduction is only scheduled, so its reduction is made here at the stand-in and journaled
    as apply journals it (210 -> 200, Pax8's history keeping the 210): the put-back would buy 10 seats back, but
    the tenant's 198 seats assigned now and the demo policy's 9 spare allow 207, so only 7 are put back."""
    _planned(tmp_path, monkeypatch, demo_runs, DEMO_DAY)  # the Pax8 stand-in's own secrets
    folder = Path("reports/tenants/contoso")
    plan, aged = str(folder / "plan.json"), ["--max-age", "400d"]
    assert main(["apply", plan, "--demo", "--yes", *aged]) == 0  # the license changes, on the demo tenant
    assert main(["apply", plan, "--distributor", "--demo", "--yes", *aged]) == 0  # E3 scheduled, F3 bought
    (journal,) = folder.glob("distributor-journal-*.jsonl")
    doc = json.loads((folder / "plan.json").read_bytes())
    [change, _] = doc["bill"]["distributor"]
    assert (change["api_id"], change["from"], change["to"]) == (E3_AT_PAX8, 210, 200)
    kept = json.loads((folder / "demo-pax8.json").read_text("utf-8"))  # the reduction made at the stand-in
    (e3,) = [s for s in kept["subscriptions"] if s["id"] == E3_AT_PAX8]
    e3["quantity"] = 200
    kept["history"][E3_AT_PAX8].append({**e3, "updatedDate": "2026-11-01T06:05:00.000Z"})
    (folder / "demo-pax8.json").write_text(json.dumps(kept), "utf-8")
    sha = hashlib.sha256((folder / "plan.json").read_bytes()).hexdigest()
    at = "2026-11-01T06:05:00Z"
    lines = [{**change, "at": at, "outcome": o, "plan": sha, "read": 210} for o in ("sending", "done")]
    with journal.open("a", encoding="utf-8") as file:
        file.writelines(json.dumps(line) + "\n" for line in lines)
    monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)  # a yes at the terminal
    capsys.readouterr()
    assert main(["undo", "--distributor", "--demo", "--yes"]) == 0
    out = capsys.readouterr().out
    # the demo policy's spare for E3 is 9: 198 assigned now plus 9, never the journal's 210
    said = "the journal's line asks 210; Pax8 bills 200 seats of it, the tenant's 198 assigned now, 9 spare allowed"
    assert f"at most 207 seats: {said} by the policy" in out, out
    assert (_seats(folder), _seats(folder, F1_AT_PAX8)) == (207, 49)  # the purchase taken off as well
