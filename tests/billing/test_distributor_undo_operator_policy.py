"""Issue 117, point 4: a put-back is bounded by the operator's policy and the seats assigned now, never by the
policy a plan copy names. A Sherweb customer (Sherweb keeps no history: nothing else bounds it): the journal
edited to say 1,030 seats were there, bound to a forged plan copy (kept under its own SHA-256) that names a
forged policy file of its own with 1,000 spare seats of Power BI Pro. Undo puts back only what the operator's
policy (the working folder's policies/: at most 5 spare) and the 30 seats assigned now allow, and its question
says that Sherweb gives no price. Through the real CLI, the Sherweb stand-in and the Graph emulator."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from auditor.apply import distributor_undo
from auditor.apply.plan_binding import kept_plan
from auditor.cli import main

from .test_distributor_sherweb import at_sherweb
from .test_distributor_writes import EXAMPLE, power_bi_seats, undo_argv

FORGED_SPARE = "spare_seats: {max: 1000}"


def _forge(out: Path, path: Path, lines: list[dict[str, object]], seats_before: int) -> None:
    """The journal's reduction edited to say `seats_before` seats were there, bound to a plan copy that says the
    same and names a policy file of its own allowing 1,000 spare seats, each file under the hash it gives."""
    policy = EXAMPLE.read_text("utf-8")
    assert policy.count("spare_seats: {max: 5}") == 1
    forged_policy = out.parent / "generous.yaml"
    forged_policy.write_text(policy.replace("spare_seats: {max: 5}", FORGED_SPARE), "utf-8")
    doc = json.loads((out / "plan.json").read_text("utf-8"))
    doc["policy_files"] = [str(forged_policy)]
    doc["policy_sha256"] = {str(forged_policy): hashlib.sha256(forged_policy.read_bytes()).hexdigest()}
    (change,) = doc["bill"]["distributor"]
    change["from"], change["seats"] = seats_before, seats_before - change["to"]
    data = json.dumps(doc).encode()
    sha = hashlib.sha256(data).hexdigest()
    kept_plan(out, sha).write_bytes(data)
    for line in lines:  # the line says what the forged copy says, in every field the two share
        line.update({key: change[key] for key in line if key in change}, plan=sha)
        if line["outcome"] == "sending":
            line["read"] = seats_before
    path.write_text("".join(json.dumps(ln) + "\n" for ln in lines), "utf-8")


def test_a_forged_plan_copys_policy_buys_no_seat_above_the_operators_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        power_bi_seats(world, -1)  # the plan's license removals made: 30 assigned
        assert world.apply("--yes") == 0
        assert world.seats() == 30
        path, lines = world.journal()
        _forge(world.out, path, lines, 1030)
        asked: list[str] = []
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: asked.append(q) or True)
        capsys.readouterr()
        assert main(undo_argv(path, "sherweb", world.sherweb.url, world.graph.url, world.tenant_id, "--yes")) == 0
        # 30 assigned now and the operator's 5 spare: 35, never the forged copy's 1,030
        assert world.seats() == 35
        assert "the tenant's 30 assigned now, 5 spare allowed by the policy" in capsys.readouterr().out
        assert asked == [
            "D1. put POWER_BI_PRO back from 30 to 35 seats at Sherweb (5 seats, at a price Sherweb's API does not "
            "give)?"
        ]


def test_without_an_operators_policy_no_spare_seat_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with at_sherweb(tmp_path, monkeypatch) as world:
        for file in (tmp_path / "policies").iterdir():
            file.unlink()
        (tmp_path / "policies").rmdir()  # no policy from the operator: only the plan (copy) names one
        power_bi_seats(world, -1)
        assert world.apply("--yes") == 0
        path, lines = world.journal()
        _forge(world.out, path, lines, 1030)
        monkeypatch.setattr(distributor_undo, "_ask", lambda q: True)
        capsys.readouterr()
        assert main(undo_argv(path, "sherweb", world.sherweb.url, world.graph.url, world.tenant_id, "--yes")) == 3
        said = capsys.readouterr()
        assert "no policy given (--policies, or policies/ in the working folder)" in said.out
        assert "nothing to put back above its 30 seats" in said.err
        assert world.seats() == 30
