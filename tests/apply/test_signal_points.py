"""A signal at any moment of `apply --yes` stops it before the next write (issue 121, high 2): the fresh compile
that runs before the first write included, which once ran before apply installed its signal handling (a
Ctrl-C late in it was ignored and every change made, exit 0; earlier, exit 130 and an empty journal).

The sample tenant is audited and planned once on the Graph emulator (test_file_selects' `planned`); each test
applies the plan through the real command line and delivers SIGINT to this process from a hook at one named
point, with no timing: at the start of the fresh audit, after it wrote its report (late in the compile),
between the compile and the first write, and between two writes. Each run exits 3 ("a signal stopped the
run", docs/plan-and-apply.md), and Graph receives no write after the signal."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from auditor.apply.session import Session
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator

from .test_file_selects import SAMPLE, Planned, _apply, _pinned, _real_recompile, _writes, planned

__all__ = ["planned"]  # the module's fixture: the sample audited and planned once


def _interrupt() -> None:
    os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C would: the process's own signal, handled at once


def _before(target: Any) -> Any:
    """`target`, with SIGINT delivered just before it runs."""

    def hooked(*args: Any, **kwargs: Any) -> Any:
        _interrupt()
        return target(*args, **kwargs)

    return hooked


def _points() -> dict[str, tuple[str, Any]]:
    from auditor.apply import run as apply_run
    from auditor.pipeline import recompile as fresh

    return {
        "the fresh audit's start": ("auditor.pipeline.recompile.audit", _before(fresh.audit)),
        "late in the compile (its report written)": (
            "auditor.pipeline.recompile.compile_document",
            _before(fresh.compile_document),
        ),
        "between the compile and the first write": ("auditor.apply.run._refusals", _before(apply_run._refusals)),
    }


@pytest.mark.parametrize("point", list(_points()))
def test_a_signal_before_the_first_write_stops_the_run_with_nothing_sent(
    planned: Planned,
    point: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _pinned(monkeypatch, planned.token, planned.tenant_id)
    monkeypatch.setattr("auditor.pipeline.recompile.recompile", _real_recompile())
    where, hook = _points()[point]
    monkeypatch.setattr(where, hook)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(planned.plan), "utf-8")
    capsys.readouterr()
    with GraphEmulator(load_snapshot(SAMPLE), token=planned.token) as graph:
        assert _apply(graph, path, tmp_path / "journal.jsonl") == 3
        assert _writes(graph) == frozenset()
    err = capsys.readouterr().err
    assert "stopped by SIGINT" in err and "interrupted" not in err
    assert not (tmp_path / "journal.jsonl").exists()  # no change was journaled: no empty journal either


def test_a_signal_between_two_writes_stops_before_the_second(
    planned: Planned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _pinned(monkeypatch, planned.token, planned.tenant_id)
    monkeypatch.setattr("auditor.pipeline.recompile.recompile", _real_recompile())
    real = Session.write
    made: list[int] = []

    async def write(self: Session, n: int, *args: Any, **kwargs: Any) -> Any:
        answer = await real(self, n, *args, **kwargs)
        made.append(n)
        if len(made) == 1:
            _interrupt()
        return answer

    monkeypatch.setattr(Session, "write", write)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(planned.plan), "utf-8")
    with GraphEmulator(load_snapshot(SAMPLE), token=planned.token) as graph:
        assert _apply(graph, path, tmp_path / "journal.jsonl") == 3
        assert len(graph.writes()) == 1 and _writes(graph) < planned.written
    assert made == made[:1]
    lines = [json.loads(t) for t in (tmp_path / "journal.jsonl").read_text("utf-8").splitlines()]
    assert [(ln["n"], ln["outcome"]) for ln in lines if ln["outcome"] in ("sending", "done")] == [
        (made[0], "sending"),
        (made[0], "done"),
    ]
    assert "stopped by SIGINT" in capsys.readouterr().err
