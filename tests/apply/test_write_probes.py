"""The write path's red team (issue 95, "not yet tried"): each attack through the real CLI against
the Graph emulator, and what apply or undo does about it (docs/plan-and-apply.md, "The write path's red team")."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind

from auditor.cli import main

from .conftest import (
    ANNA,
    BEN,
    DORA,
    E5,
    G_E3,
    OTHER_TENANT,
    TENANT,
    add_member,
    assign,
    journal_lines,
    make_tenant,
    outcome_lines,
    run,
    wall_clock,
    write_plan,
)
from .test_journal_crash import _cli
from .test_time import GUS, IDA, LEO, POLICY, _audit_and_plan, _tenant

# --- 1. a plan judged under another policy -----------------------------------------------------

WAIVER = """\
waivers:
  - {rule: inactive-user-licensed, subject: ida@contoso.example, reason: sabbatical, owner: hr@contoso.example,
     expires: 2027-06-30}
"""


def test_a_plan_judged_under_another_policy_is_refused(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A waiver for Ida written after the plan: the plan still removes her E5, and apply re-reads the
    tenant, not the policy. plan.json carries the SHA-256 of each policy file the report was judged
    under, and apply refuses (exit 2, before signing in) a plan whose files are not the operator's
    --policies as they are now, or when those cannot be read."""
    graph = graph_for(_tenant())
    plan = _audit_and_plan(tmp_path, graph, monkeypatch)
    policy = tmp_path / "policy.yaml"
    doc = json.loads(plan.read_text(encoding="utf-8"))
    report = json.loads((plan.parent / "report.json").read_text(encoding="utf-8"))
    assert doc["policy_sha256"] == report["policy_sha256"] and list(doc["policy_sha256"]) == [str(policy)]
    policy.write_text(POLICY + WAIVER, encoding="utf-8")
    audited = len(graph.emulator.requests)
    capsys.readouterr()
    assert run("apply", plan, graph, "--yes", "--policies", str(policy)) == 2
    err = capsys.readouterr().err
    assert f"{plan}: policy_sha256: the plan was audited under other policy files than --policies gives: " in err
    assert f"{policy} differs (SHA-256 " in err and "give --policies as audit was given it" in err
    assert len(graph.emulator.requests) == audited and graph.direct(IDA) == {E5: ()}
    policy.unlink()
    assert run("apply", plan, graph, "--yes", "--policies", str(policy)) == 2
    assert f"--policies: {policy} does not exist" in capsys.readouterr().err
    assert len(graph.emulator.requests) == audited
    # the very policy it was judged under: applied
    policy.write_text(POLICY, encoding="utf-8")
    assert run("apply", plan, graph, "--yes", "--policies", str(policy), "--journal", str(tmp_path / "j.jsonl")) == 0
    assert graph.direct(LEO) == graph.direct(GUS) == graph.direct(IDA) == {}


# the operator's policy leaves inactive accounts alone; a policy of the plan's own removes Ida's E5 too
OPERATORS = POLICY.replace("  inactive_users: {days: 90, severity: medium}\n", "")


def _audited(graph: Any, policy: str, out: str) -> Path:
    """`audit --policies POLICY` and `plan` into OUT (the working folder's), as of the tests' audit moment."""
    conn = ["--graph-endpoint", graph.url, "--auth", "token", "--format", "json"]
    assert main(["audit", "--policies", policy, "--as-of", "2026-11-01T06:00:00Z", "--output-dir", out, *conn]) == 1
    assert main(["plan", "--report-dir", out]) == 0
    return Path(out) / "plan.json"


def test_a_plan_pointed_at_a_policy_of_its_own_is_refused(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 117, high 1: plan.json named the policy it was judged by. A plan made under a policy file of its
    own (inactive accounts too: Ida's E5) and carried into the operator's folder is compiled again under
    the operator's policies/ (apply's --policies default, as audit's), not the file it names, and refused
    (exit 2) naming each file: nothing is read from the tenant, nothing written. Under the operator's own
    policy the plan as audited is applied."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))
    graph = graph_for(_tenant())
    Path("policies").mkdir()
    Path("policies/license-policy.yaml").write_text(OPERATORS, encoding="utf-8")
    Path("forged.yaml").write_text(POLICY, encoding="utf-8")
    honest = _audited(graph, "policies", "reports")
    forged = _audited(graph, "forged.yaml", "forged")
    assert IDA in {c["user"] for c in json.loads(forged.read_text("utf-8"))["changes"]}  # what it would do
    assert IDA not in {c["user"] for c in json.loads(honest.read_text("utf-8"))["changes"]}
    audited = len(graph.emulator.requests)
    capsys.readouterr()
    assert run("apply", forged, graph, "--yes", "--journal", "forged.jsonl") == 2
    err = capsys.readouterr().err
    assert "the plan was audited under other policy files than --policies gives: " in err
    assert "forged.yaml is missing (the plan was audited under it)" in err
    assert "policies/license-policy.yaml is extra (given, not among the plan's)" in err
    assert len(graph.emulator.requests) == audited and graph.writes() == []
    assert graph.direct(IDA) == {E5: ()} and not Path("forged.jsonl").exists()
    # the operator's own file, named however audit was given it (the same bytes): the honest plan is applied
    given = str(tmp_path / "policies" / "license-policy.yaml")
    assert run("apply", honest, graph, "--yes", "--policies", given, "--journal", "j.jsonl") == 0
    assert graph.direct(LEO) == graph.direct(GUS) == {} and graph.direct(IDA) == {E5: ()}


def test_an_edited_policy_digest_is_named(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = graph_for(_tenant())
    plan = _audit_and_plan(tmp_path, graph, monkeypatch)
    doc = json.loads(plan.read_text(encoding="utf-8"))
    doc["policy_sha256"] = {str(tmp_path / "policy.yaml"): "not a digest"}
    plan.write_text(json.dumps(doc), encoding="utf-8")
    audited = len(graph.emulator.requests)
    assert run("apply", plan, graph, "--yes") == 2
    assert "policy_sha256: must map each policy file to the SHA-256 of its bytes" in capsys.readouterr().err
    assert len(graph.emulator.requests) == audited


# --- 2. a journal undone against another tenant's endpoint ------------------------------------


def test_undo_against_an_endpoint_that_answers_for_another_tenant_is_refused(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The credential's token names the journal's tenant, but the endpoint answers for another (a
    proxy, a copy, a misconfigured --graph-endpoint): the token's `tid` alone is no proof of the tenant
    the writes land in. apply and undo ask Graph's /organization too and refuse (exit 2) a tenant
    that is not the journal's; nothing is written there."""
    graph = graph_for()
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5])])
    journal = tmp_path / "apply.jsonl"
    assert run("apply", plan, graph, "--yes", "--journal", str(journal)) == 0
    assert graph.direct(BEN) == {}
    other = graph_for(dataclasses.replace(make_tenant(), tenant_id=OTHER_TENANT), tenant_claim=TENANT)
    other.emulator.tenant.assign_license(BEN, {"addLicenses": [], "removeLicenses": [E5]})
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)  # the operator names the journal's tenant
    capsys.readouterr()
    assert run("undo", journal, other, "--yes", "--journal", str(tmp_path / "undo.jsonl")) == 2
    err = capsys.readouterr().err
    assert f"Graph answers for tenant {OTHER_TENANT}, but the changes are for tenant {TENANT}" in err
    assert other.writes() == [] and other.direct(BEN) == {}
    # and a plan is not applied there either
    assert run("apply", write_plan(tmp_path, [assign(ANNA, remove=[E5])], name="p2.json"), other, "--yes") == 2
    assert other.writes() == []


# --- 3. apply killed mid-write, then run again -------------------------------------------------


def test_apply_killed_mid_write_and_run_again_neither_repeats_nor_loses_the_write(
    tmp_path: Path, graph_for: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """kill -9 while Ben's removal is in flight (journals in the plan's folder, as `apply --yes` writes
    them): Graph still makes it. The next apply of the plan names the change left unknown, re-reads
    Ben, skips it (nothing sent twice) and makes the rest; each journal undoes its own part."""
    release = threading.Event()
    slow = Fault(
        FaultKind.SLOW, match=r"^POST /v1\.0/users/[^/]+/assignLicense$", count=1, delay=240.0, release=release
    )
    graph = graph_for(responders=[slow])
    plan = write_plan(tmp_path, [assign(BEN, remove=[E5]), add_member(DORA, G_E3)], created_at=wall_clock())
    proc = _cli(graph, "apply", str(plan), "--yes")
    deadline = time.monotonic() + 240  # a guard against a hang: apply starts however slowly
    while not (found := list(tmp_path.glob("journal-*.jsonl"))) or b'"sending"' not in found[0].read_bytes():
        assert proc.poll() is None and time.monotonic() < deadline, "no `sending` line before the write"
        time.sleep(0.05)
    [first] = found
    assert slow.arrived.wait(240), "the write never reached Graph"  # in flight, whatever the machine's load
    proc.kill()
    proc.communicate(timeout=60)
    release.set()
    deadline = time.monotonic() + 30
    while graph.direct(BEN):  # Graph still makes the write it received
        assert time.monotonic() < deadline, "the write never landed"
        time.sleep(0.05)
    assert [x["outcome"] for x in journal_lines(first)] == ["sending"]
    monkeypatch.setattr("auditor.apply.run.clock", lambda: datetime.now(UTC))  # the plan's wall clock
    time.sleep(1.1)  # the next journal's name (its second) differs
    capsys.readouterr()
    assert run("apply", plan, graph, "--yes") == 0
    captured = capsys.readouterr()
    assert f"change 1 (POST /users/{BEN}/assignLicense): outcome unknown in {first} (line 1)" in captured.err
    removals = [w for w in graph.writes() if w.path == f"/users/{BEN}/assignLicense"]
    assert len(removals) == 1, "the removal made in flight is not sent again"
    [second] = [j for j in tmp_path.glob("journal-*.jsonl") if j != first]
    assert [(x["n"], x["outcome"]) for x in outcome_lines(second)] == [(1, "skipped"), (2, "done")]
    assert graph.member(DORA, G_E3)
    # nothing lost: the first journal still undoes the change made in flight, the second its own
    assert run("undo", second, graph, "--yes", "--journal", str(tmp_path / "undo-2.jsonl")) == 0
    assert not graph.member(DORA, G_E3)
    assert run("undo", first, graph, "--yes", "--journal", str(tmp_path / "undo-1.jsonl")) == 0
    assert graph.direct(BEN) == {E5: ()}


def test_a_demo_plan_pointed_at_a_policy_of_its_own_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], virtual_graph_time: Any
) -> None:
    """Issue 117, high 1, with --demo: the demo's plan audited under a policy file of the plan's own (the
    example policy and one line more) is not applied under it. apply --demo judges under the demo's own
    policy, and refuses the plan (exit 2) naming both files: no change, no journal, no demo tenant kept."""
    from auditor_dev import demo

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")  # the plan made an hour before apply's clock (conftest)
    with demo.example_policy() as example:
        forged = tmp_path / "forged.yaml"
        forged.write_text(example.read_text("utf-8") + "# the plan's own\n", "utf-8")
        audit = ["audit", "--demo", "--policies", str(forged), "--output-dir", "reports", "--format", "json"]
        assert main([*audit, "--fail-on", "never"]) == 0
        assert main(["plan", "--demo"]) == 0
        capsys.readouterr()
        assert main(["apply", "--demo", "--yes", "--wait", "0"]) == 2
        err = capsys.readouterr().err
        assert f"{forged} is missing (the plan was audited under it); {example} is extra" in err
    assert not list(Path("reports").glob("journal-*")) and not (Path("reports") / "demo-tenant.json").exists()
