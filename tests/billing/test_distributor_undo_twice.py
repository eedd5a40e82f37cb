"""Issue 121 (medium): `undo --distributor` run twice. The second run reads the first undo's own journal
beside the journal (distributor-undo-*.jsonl) and names the lines it gave back as already undone (exit 0,
nothing sent), never as "changed since". Through the real CLI, the Graph emulator and the Pax8 stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.apply import distributor_undo
from auditor.cli import main

from .test_distributor_writes import MONTHLY_AT_PAX8, audited, power_bi_seats, undo_argv


def test_a_second_undo_names_the_first_ones_put_back_as_already_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with audited(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned
        assert world.apply("--yes") == 0
        path, _ = world.journal()
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
        argv = undo_argv(path, "pax8", world.pax8.url, world.graph.url, world.tenant_id, "--yes")
        assert main(argv) == 0
        assert world.quantities()[MONTHLY_AT_PAX8] == 6
        puts = [r for r in world.pax8.requests if r.method == "PUT"]
        capsys.readouterr()
        assert main(argv) == 0  # again: the first undo's journal says it is done
        said = capsys.readouterr()
        assert "already undone by distributor-undo-" in said.out and "(2 -> 6 seats" in said.out
        assert "changed since" not in said.out + said.err
        assert [r for r in world.pax8.requests if r.method == "PUT"] == puts  # nothing sent again
        assert world.quantities()[MONTHLY_AT_PAX8] == 6
        # without --yes too (a dry run): the same, exit 0
        assert main([a for a in argv if a != "--yes"]) == 0
        assert "already undone" in capsys.readouterr().out
