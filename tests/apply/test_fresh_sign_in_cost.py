"""apply's fresh compile reads sign-in activity at the cost of a second night (issue 120.1): the nightly's
kept read beside the plan (auditor.graph.kept_sign_ins), checked as the nightly checks it, and the filtered
request for the users who can have gone quiet; never the whole sign-in lane again. A user the answer shows
signed in since the kept read is judged on that sign-in, not on the kept time."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.apply import plan_binding
from auditor.apply import run as apply_run
from auditor.cli import main
from auditor.formats import report_json as decode
from auditor.formats.change_model import Change
from auditor.graph.kept_sign_ins import KEPT_FILE
from auditor.pipeline import recompile as module
from auditor.pipeline import run as pipeline_run
from auditor.pipeline.values import Collected, Documented, Evaluated

from .conftest import outcome_lines, run
from .test_time import GUS, IDA, LEO, POLICY, _tenant


def _nightly_and_plan(tmp_path: Path, graph: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The nightly (`--baseline previous`: its sign-in read is kept beside the reports), then `plan`."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793514600")  # 2026-11-01T06:30:00Z
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    reports = tmp_path / "reports"
    audit = ["audit", "--policies", str(policy), "--as-of", "2026-11-01T06:00:00Z", "--output-dir", str(reports)]
    assert (
        main([*audit, "--format", "json", "--baseline", "previous", "--graph-endpoint", graph.url, "--auth", "token"])
        == 1
    )
    assert (reports / KEPT_FILE).is_file()
    assert main(["plan", "--report-dir", str(reports)]) == 0
    return reports / "plan.json"


def _sign_in_listings(graph: Any) -> list[Any]:
    """The sign-in lane's requests: listings of users that select signInActivity (a full read or the filter)."""
    return [r for r in graph.emulator.requests_to(r"/users") if "signInActivity" in r.query.get("$select", "")]


def _apply(plan: Path, graph: Any, tmp_path: Path) -> int:
    policy = str(tmp_path / "policy.yaml")
    return run("apply", plan, graph, "--yes", "--policies", policy, "--journal", str(tmp_path / "j.jsonl"))


def test_apply_after_the_nightly_sends_the_second_nights_sign_in_request_not_the_full_lane(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(_tenant())
    plan = _nightly_and_plan(tmp_path, graph, monkeypatch)
    audited = len(graph.emulator.requests)
    assert [r.query.get("$filter") for r in _sign_in_listings(graph)] == [None]  # the nightly's full read
    capsys.readouterr()
    assert _apply(plan, graph, tmp_path) == 0
    lane = _sign_in_listings(graph)[1:]
    # the filtered request, once; no listing of every user's sign-in activity
    assert [r.query.get("$filter", "").startswith("signInActivity/lastSuccessfulSignInDateTime le ") for r in lane] == [
        True
    ]
    # beyond it, only the per-user reads Ida's removal rests on (its precondition: no sign-in in 90 days)
    per_user = [
        r
        for r in graph.emulator.requests[audited:]
        if r.path.startswith("/users/") and "signInActivity" in r.query.get("$select", "")
    ]
    assert {r.path for r in per_user} <= {f"/users/{IDA}"}
    assert "reads every user's sign-in activity" not in capsys.readouterr().err
    assert {x["action"]["user"]: x["outcome"] for x in outcome_lines(tmp_path / "j.jsonl")} == {
        LEO: "done",
        GUS: "done",
        IDA: "done",
    }


def test_a_sign_in_newer_than_the_kept_read_keeps_the_user_out_of_the_fresh_compile(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ida's kept sign-in is January's; she signs in after the nightly. The fresh compile must not hold her
    removal: the filtered request leaves her out (her sign-in is after the cutoff), so she is active."""
    graph = graph_for(_tenant())
    plan = _nightly_and_plan(tmp_path, graph, monkeypatch)
    graph.emulator.tenant.change_user(IDA, last_successful_sign_in_date_time="2026-10-31T09:15:00Z")
    compiled: list[Any] = []
    real = module.recompile

    def spy(*args: Any) -> Any:
        fresh = real(*args)
        compiled.append(fresh)
        return fresh

    monkeypatch.setattr(module, "recompile", spy)
    assert _apply(plan, graph, tmp_path) == 0
    [written] = compiled
    assert {c.user for c in written.changes} == {LEO, GUS}
    assert graph.direct(IDA) != {}
    assert json.loads((plan.parent / "report.json").read_text("utf-8"))  # the nightly's report stays as it was


def test_without_a_kept_read_apply_reads_every_users_sign_in_and_says_so(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(_tenant())
    plan = _nightly_and_plan(tmp_path, graph, monkeypatch)
    (plan.parent / KEPT_FILE).unlink()
    capsys.readouterr()
    assert _apply(plan, graph, tmp_path) == 0
    assert [r.query.get("$filter") for r in _sign_in_listings(graph)] == [None, None]
    err = capsys.readouterr().err
    assert err.count("apply: the fresh compile reads every user's sign-in activity") == 1, err


def test_the_fresh_compile_compiles_the_audits_document_in_memory_and_writes_no_report(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """apply's peak memory and its files (issue 120.1): the fresh audit hands over its document and each
    finding's calls, and the plan is compiled from those objects. It writes no report (report.json decoded
    again sat beside what the audit's heap keeps of its peak; the files a person reads nobody reads here):
    its folder holds only the copy of the kept sign-in read when the plan is compiled, and no renderer runs."""
    graph = graph_for(_tenant())
    plan = _nightly_and_plan(tmp_path, graph, monkeypatch)
    decoded: list[str] = []
    compiled: list[tuple[Any, list[str]]] = []
    rendered: list[str] = []
    read, compile_document = decode.decode_report, module.compile_document

    def counted(data: Any, name: str, *kind: Any) -> Any:
        decoded.append(name)
        return read(data, name, *kind)

    def spy(options: Any, document: Any, path: Path, *args: Any, **kwargs: Any) -> Any:
        folder = path.parent.parent  # the fresh compile's own (recompile: FOLDER/report/report.json)
        compiled.append((document, sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())))
        # nor does the audit's heap outlive it into the compile: its stages' values are freed
        assert not [o for o in gc.get_objects() if isinstance(o, (Collected, Evaluated, Documented))]
        return compile_document(options, document, path, *args, **kwargs)

    def renderer(name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            rendered.append(name)
            raise AssertionError(f"{name}: the fresh compile renders no file")

        return refuse

    monkeypatch.setattr("auditor.plan.read.decode_report", counted)
    monkeypatch.setattr("auditor.formats.report_json.decode_report", counted)
    monkeypatch.setattr(module, "compile_document", spy)
    for stage in ("run.render", "output.write_files", "output.record_run"):  # the report files, run.json
        monkeypatch.setattr(f"auditor.pipeline.{stage}", renderer(stage))
    assert _apply(plan, graph, tmp_path) == 0
    [(document, files)] = compiled
    assert files == [f"kept/{KEPT_FILE}"]  # the nightly's kept read, copied for the compile: nothing else
    assert rendered == []
    assert [name for name in decoded if Path(name).parent.name == "report"] == []  # the fresh compile's folder
    ids = [f["id"] for f in json.loads(plan.with_name("report.json").read_bytes())["findings"]]
    assert [f.id for f in document.findings] == ids  # the audit's document, handed over


def _files_changes() -> int:
    """The changes alive that were read from a file (a compiled change keeps no `raw`)."""
    return sum(1 for o in gc.get_objects() if isinstance(o, Change) and o.raw)


def _read_and_loads(monkeypatch: pytest.MonkeyPatch, during: Any = None) -> list[str]:
    """What apply did, in order: each load of plan.json (with how many changes it gave), and the fresh
    compile's read of the tenant, its start and end (with how many changes read from a file were alive then);
    `during`, run as the read starts."""
    did: list[str] = []
    collect, load, again = pipeline_run.collect, apply_run.load_plan, plan_binding.load_plan

    def read(prepared: Any) -> Any:
        did.append(f"read starts: {_files_changes()} changes alive")
        if during is not None:
            during()
        collected = collect(prepared)
        did.append(f"read ends: {_files_changes()} changes alive")
        return collected

    def loaded(real: Any) -> Any:
        def load_plan(path: Path) -> Any:
            plan = real(path)
            did.append(f"plan.json loaded: {len(plan.changes)} changes")
            return plan

        return load_plan

    monkeypatch.setattr(pipeline_run, "collect", read)
    monkeypatch.setattr(apply_run, "load_plan", loaded(load))
    monkeypatch.setattr(plan_binding, "load_plan", loaded(again))
    return did


def test_the_plans_changes_are_let_go_while_the_fresh_compile_reads_the_tenant(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """apply's peak memory (issue 120.1) is the fresh compile's read, as the audit's is its read: the plan's
    changes, read and checked first, are not held across it; they are read again from the same bytes after it,
    and applied."""
    graph = graph_for(_tenant())
    plan = _nightly_and_plan(tmp_path, graph, monkeypatch)
    did = _read_and_loads(monkeypatch)
    assert _apply(plan, graph, tmp_path) == 0
    assert did == [
        "plan.json loaded: 3 changes",
        "read starts: 0 changes alive",
        "read ends: 0 changes alive",
        "plan.json loaded: 3 changes",
    ]
    assert {x["outcome"] for x in outcome_lines(tmp_path / "j.jsonl")} == {"done"}


def test_a_plan_changed_during_the_fresh_compile_is_not_applied(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The changes read again after the fresh compile must be the bytes read and checked before it: a plan.json
    rewritten meanwhile (the same changes, other bytes) stops apply before its first write (exit 2)."""
    graph = graph_for(_tenant())
    plan = _nightly_and_plan(tmp_path, graph, monkeypatch)
    did = _read_and_loads(monkeypatch, during=lambda: plan.write_bytes(plan.read_bytes() + b"\n"))
    audited = len(graph.emulator.requests)
    capsys.readouterr()
    assert _apply(plan, graph, tmp_path) == 2
    assert "the plan changed since apply read it" in capsys.readouterr().err
    assert did[-1] == "plan.json loaded: 3 changes"  # read again, and refused for its bytes
    sent = [f"{r.method} {r.path}" for r in graph.emulator.requests[audited:] if r.method != "GET"]
    assert sent == ["POST /$batch"]  # the fresh compile's reads in a batch; no write
    assert not (tmp_path / "j.jsonl").exists()
