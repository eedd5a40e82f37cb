"""Guards around apply's writes: one run of a plan at a time, the tenant named by the operator (never
by the plan), a plan `plan` writes is one `apply` reads, and each kind's own preconditions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind

from auditor.cli import main
from auditor.formats.report_model import builtins
from tests import agreeing
from tests.plan.builders import FORBIDDEN, finding, report, seat, uid
from tests.plan.builders import assign as report_assign

from .conftest import (
    ANNA,
    BEN,
    DORA,
    E3,
    E5,
    G_E3,
    OTHER_TENANT,
    TEAMS,
    TENANT,
    add_member,
    assign,
    journal_lines,
    reprocess,
    run,
    wall_clock,
    write_plan,
)

ROOT = Path(__file__).parents[2]


# --- one run of a plan at a time ---------------------------------------------------------------


def test_two_runs_of_one_plan_cannot_interleave(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # the first run's write is held in flight until the checks below are done
    held = threading.Event()
    slow = Fault(FaultKind.SLOW, match=r"^POST /v1\.0/users/[^/]+/assignLicense$", count=1, delay=240.0, release=held)
    graph = graph_for(responders=[slow])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3)], created_at=wall_clock())
    journal = tmp_path / "first.jsonl"
    env = {**os.environ, "AUDITOR_ACCESS_TOKEN": graph.token, "AZURE_TENANT_ID": TENANT, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(
        [
            sys.executable,
            str(agreeing.__file__),  # `python -m auditor`, a hand-written plan compiled again as its own changes
            "apply",
            str(plan),
            "--yes",
            "--journal",
            str(journal),
            "--graph-endpoint",
            graph.url,
            "--auth",
            "token",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240  # a guard against a hang: apply starts however slowly
        while not (journal.exists() and b'"sending"' in journal.read_bytes()):
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert run("apply", plan, graph, "--yes", "--journal", str(tmp_path / "second.jsonl")) == 2
        assert "another license-auditor run" in capsys.readouterr().err
        assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 2
        assert "another license-auditor run" in capsys.readouterr().err
        assert not (tmp_path / "second.jsonl").exists() and not (tmp_path / "undo.jsonl").exists()
    finally:
        held.set()
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert [(w.method, w.status) for w in graph.writes()] == [("POST", 200), ("POST", 204)]


def test_a_copy_of_the_plan_is_the_same_plan_for_apply_and_undo(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lock follows the plan's bytes, not its path: while one run holds the plan, a copy of it
    (or the plan-<sha>.json apply keeps) is neither applied nor undone (exit 2)."""
    import hashlib

    from auditor.apply.lock import hold_plan

    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    copy = tmp_path / "copy" / "plan.json"
    copy.parent.mkdir()
    copy.write_bytes(plan.read_bytes())
    writes = len(graph.writes())
    capsys.readouterr()
    with hold_plan(hashlib.sha256(plan.read_bytes()).hexdigest()):  # another run of the plan, elsewhere
        assert run("apply", copy, graph, "--yes", "--journal", str(tmp_path / "again.jsonl")) == 2
        assert "another license-auditor run is using the plan" in capsys.readouterr().err
        assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 2
        assert "another license-auditor run is using the plan" in capsys.readouterr().err
    assert len(graph.writes()) == writes
    assert run("undo", journal, graph, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 0


# --- the tenant --------------------------------------------------------------------------------


def test_the_plan_never_picks_the_tenant(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    monkeypatch.delenv("AZURE_TENANT_ID", raising=False)
    assert run("apply", plan, graph, "--yes") == 2
    assert "--tenant-id or AZURE_TENANT_ID" in capsys.readouterr().err
    monkeypatch.setenv("AZURE_TENANT_ID", OTHER_TENANT)
    assert run("apply", plan, graph, "--yes") == 2
    assert f"AZURE_TENANT_ID {OTHER_TENANT}: the plan {plan} is for tenant {TENANT}" in capsys.readouterr().err
    assert graph.writes() == [] and graph.emulator.requests == [], "refused before signing in"
    # the tenant the credential is built for is the operator's, not the plan's
    seen: list[str | None] = []
    import auditor.apply.run as apply_run

    real = apply_run.build_credential

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["tenant_id"])
        return real(*args, **kwargs)

    monkeypatch.setattr(apply_run, "build_credential", spy)
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT.upper())
    assert run("apply", plan, graph, "--yes") == 0
    assert seen == [TENANT.upper()]


# --- plan writes only what apply reads ---------------------------------------------------------


def test_plan_refuses_a_plan_apply_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    users = [uid(i) for i in range(1, 41)]
    document = report(
        [
            finding(f"f{i}", FORBIDDEN, u, [report_assign(u, remove=["SPE_E5"])], severity="high")
            for i, u in enumerate(users)
        ],
        [seat("SPE_E5", 100, 80, price=57.0)],
    )
    (folder / "report.json").write_text(json.dumps(document, default=builtins), encoding="utf-8")
    assert main(["plan", "--report-dir", str(folder)]) == 0
    size = (folder / "plan.json").stat().st_size
    (folder / "plan.json").unlink()
    # apply reads at most MAX_PLAN_BYTES; a plan one byte larger is refused by plan itself
    monkeypatch.setattr("auditor.formats.plan_json.MAX_PLAN_BYTES", size - 1)
    capsys.readouterr()
    assert main(["plan", "--report-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{folder / 'plan.json'} would be {size} bytes" in err and "--findings" in err
    assert not (folder / "plan.json").exists()
    monkeypatch.setattr("auditor.formats.plan_json.MAX_PLAN_BYTES", size)
    assert main(["plan", "--report-dir", str(folder)]) == 0
    assert (folder / "plan.json").stat().st_size == size


# --- each kind's own preconditions -------------------------------------------------------------


def test_each_kind_checks_its_own_preconditions(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for()
    ghost = "99999999-9999-4999-8999-999999999999"
    usage = {
        "kind": "set_usage_location",
        "method": "PATCH",
        "path": f"/users/{BEN}",
        "body": {"usageLocation": "DE"},
        "description": "Set the usage location",
        "user": BEN,
        "group": None,
        "precondition": [],
        "seats": {},
    }
    plan = write_plan(
        tmp_path,
        [
            assign(ANNA, add=[(E5, [])], precondition=[]),  # Anna holds E5 directly, Teams off: would turn Teams on
            assign(DORA, remove=[E3], precondition=[]),  # Dora holds no E3 directly
            usage,  # Ben's usage location is DE already
            reprocess(ghost) | {"precondition": []},  # no such user
        ],
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    out = capsys.readouterr().out
    assert "0 of 4 change(s) applied, 4 skipped" in out
    notes = [x["note"] for x in journal_lines(journal) if x["outcome"] == "skipped"]
    # the products by the names people know (their ids are in the journal's request)
    assert notes == [
        "the user already holds Microsoft 365 E5",
        "the user does not hold Microsoft 365 E3 by direct assignment",
        "the usage location is DE already",
        "the user no longer exists",
    ]
    assert graph.direct(ANNA) == {E5: (TEAMS,)}, "the disabled plan stays off"
    assert graph.writes() == []


def test_a_holds_precondition_keeps_the_implied_lacks_check(
    tmp_path: Path, graph_for: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan that says the user holds the product (any way, or from a group) still may not add it
    over a direct copy: that would replace the copy's disabled plans. Only a precondition that the
    user holds it directly says the call re-sets that copy on purpose (undo)."""
    from .conftest import CARL, G_E5

    graph = graph_for()
    plan = write_plan(
        tmp_path,
        [
            assign(ANNA, add=[(E5, [])], precondition=[{"holds": E5}]),  # Anna's direct E5 has Teams off
            assign(CARL, add=[(E5, [])], precondition=[{"holds": E5, "how": "group", "group": G_E5}]),
        ],
    )
    journal = tmp_path / "j.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    outcomes = {x["n"]: (x["outcome"], x.get("note")) for x in journal_lines(journal) if "outcome" in x}
    assert outcomes[1] == ("skipped", "the user already holds Microsoft 365 E5")
    assert outcomes[2][0] == "done", "Carl holds E5 only from a group: a direct copy replaces nothing"
    assert graph.direct(ANNA) == {E5: (TEAMS,)}, "the disabled plan stays off"
    assert E5 in graph.direct(CARL)
    capsys.readouterr()
