"""The audit pauses the cyclic garbage collector while it reads the tenant, evaluates and writes
its reports, frees the reading's cycles once in between, and gives the collector back: after the
audit, after an audit that fails, and after the last of several side by side (auditor.fleet runs
audits in threads, each of which reads its tenant with the collector on)."""

import gc
import os
import weakref
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from auditor import commands
from auditor.cli import build_parser, main
from auditor.common import cycles
from auditor.pipeline import output as output_stage
from auditor.pipeline.arguments import AuditOptions

from .factory import sample_audit_argv, watch_command


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def _audit(tmp_path: Path) -> int:
    return main(sample_audit_argv(tmp_path))


def _watch(monkeypatch, seen: dict, name: str, key: str, also: Callable[[], None] = lambda: None) -> None:
    """What the audit's stages call by `name` (factory.STAGE_CALLS), noting in seen[key] whether the
    collector runs when it is called (and doing `also`)."""

    def note(*args, **kwargs) -> None:
        seen[key] = gc.isenabled()
        also()

    watch_command(monkeypatch, name, note)


def test_paused_while_evaluating_and_rendering_and_running_again_after(tmp_path, monkeypatch):
    seen: dict = {}
    _watch(monkeypatch, seen, "evaluate", "evaluate")
    _watch(monkeypatch, seen, "render", "render")
    assert _audit(tmp_path) == 0
    assert seen == {"evaluate": False, "render": False}
    assert gc.isenabled()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_paused_while_reading_the_tenant_whose_cycles_are_freed_before_the_evaluation(tmp_path, monkeypatch):
    seen: dict = {}

    def leave_a_cycle() -> None:  # cyclic garbage, as a collection's requests and tasks leave some
        seen["cycle"] = weakref.ref(_Cycle())

    _watch(monkeypatch, seen, "snapshot", "collect", leave_a_cycle)
    _watch(monkeypatch, seen, "evaluate", "evaluate", lambda: seen.update(freed=seen["cycle"]() is None))
    assert _audit(tmp_path) == 0
    assert (seen["collect"], seen["evaluate"], seen["freed"]) == (False, False, True)
    assert gc.isenabled()


def test_an_audit_among_many_reads_its_tenant_with_the_collector_running(tmp_path, monkeypatch):
    """auditor.fleet gives each tenant's audit its own environment: those audits run side by side
    all night, and their collections are what frees the cycles their reads leave."""
    seen: dict = {}
    _watch(monkeypatch, seen, "snapshot", "collect")
    _watch(monkeypatch, seen, "evaluate", "evaluate")
    options = AuditOptions.of(build_parser().parse_args(sample_audit_argv(tmp_path)))
    assert commands.run_audit(replace(options, environment=dict(os.environ))) == 0
    assert seen == {"collect": True, "evaluate": False}
    assert gc.isenabled()


def test_running_again_after_an_audit_that_fails(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(output_stage, "write_files", broken)
    assert _audit(tmp_path) != 0  # the CLI reports the internal error
    assert gc.isenabled()


def test_side_by_side_audits_give_it_back_when_the_last_ends():
    first, second = cycles.collection_paused(), cycles.collection_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second audit still builds its reports
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    with cycles.collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
