"""`plan --demo`, `apply --demo` and `undo --demo`: the write path end to end on the bundled sample
tenant, served by the emulator, before a newcomer touches a tenant of their own."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import TenantSnapshot
from auditor.demo_write import DEMO_STATE
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.snapshot import load_snapshot
from auditor_dev import demo
from auditor_dev.demo import sample_tenant
from tests.demo_runs import NO_TOKEN, DemoRuns

ROOT = Path(__file__).parents[2]
# the write path as README.md's "Get started" gives it
README_WRITE_PATH = ("audit --demo", "plan --demo", "apply --demo --yes", "undo --demo --yes")
# the runs several tests start from, each made once a session (tests/demo_runs.py) and copied into the test's folder
WRITTEN = tuple(tuple(shlex.split(command)) for command in README_WRITE_PATH)
APPLIED = (("plan", "--demo"), ("apply", "--demo", "--yes", "--wait", "0"))
PLANNED = (("plan", "--demo"),)


def test_plan_apply_and_undo_on_the_demo_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["plan", "--demo"]) == 0  # audits the demo first: reports/ holds no report yet
    plan = json.loads((tmp_path / "reports" / "plan.json").read_text("utf-8"))
    assert plan["changes"]

    assert main(["apply", "--demo"]) == 0  # a dry run writes nothing, keeps no tenant
    assert not (tmp_path / "reports" / DEMO_STATE).exists()

    capsys.readouterr()
    assert main(["apply", "--demo", "--yes", "--wait", "0"]) == 0
    said = capsys.readouterr().err
    # how to see the effect: the audit of the tenant as the changes left it
    audit = shlex.split(said.rsplit("to audit it: ", 1)[1])
    assert main(audit[1:]) == 1
    after = json.loads((tmp_path / "reports" / "after" / "report.json").read_text("utf-8"))
    shipped = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    assert len(after["findings"]) < len(shipped["findings"])
    (journal,) = (tmp_path / "reports").glob("journal-*.jsonl")
    done = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    assert sum(1 for entry in done if entry.get("outcome") == "done") == len(plan["changes"])
    before, applied = _licenses(sample_tenant()), _licenses(load_snapshot(tmp_path / "reports" / DEMO_STATE))
    assert {uid for uid in before if before[uid] != applied.get(uid)}  # the kept tenant is the one the changes left
    assert "AUDITOR_ACCESS_TOKEN" not in __import__("os").environ  # the demo's token does not outlive it


def test_the_readme_write_path_gives_the_sample_back(capsys: pytest.CaptureFixture[str], demo_runs: DemoRuns) -> None:
    """README.md's write path, as written: audit, plan, apply --yes, undo --yes. Every product the
    demo's plan takes away has its seats enabled, so the undo gives every change back (exit 0) and
    the tenant holds the sample's licenses and group memberships again; only the reprocesses have no
    inverse, and their users keep the group license the reprocess made active."""
    readme = (ROOT / "README.md").read_text("utf-8")
    for command in README_WRITE_PATH:
        assert f".venv/bin/license-auditor {command}\n" in readme, f"README.md no longer gives `{command}`"
    run = demo_runs.run(WRITTEN, NO_TOKEN)  # the session's, read-only
    said = capsys.readouterr()
    assert run.codes == (1, 0, 0, 0), said.err[-2000:]  # the audit finds what the sample plants; the rest succeed
    plan = json.loads((run.folder / "reports" / "plan.json").read_text("utf-8"))
    shipped, restored = sample_tenant(), load_snapshot(run.folder / "reports" / DEMO_STATE)

    assert _members(restored) == _members(shipped)
    part_id = {s.sku_part_number: s.sku_id for s in shipped.skus}
    reprocessed = {c["user"]: {part_id[p] for p in c["seats"]} for c in plan["changes"] if c["kind"] == "reprocess"}
    assert reprocessed  # the sample plants errors a reprocess fixes
    expected = _licenses(shipped)
    for user, fixed in reprocessed.items():
        expected[user] |= fixed
    assert _licenses(restored) == expected


def test_the_undone_demo_tenant_reads_as_of_the_samples_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], demo_runs: DemoRuns
) -> None:
    """The demo keeps its own clock in what it writes: after apply and undo --demo, demo-tenant.json's
    audit log ends at the sample's moment (not the day the demo ran), so the audit `undo` names judges
    the leavers as the shipped audit does ("ready", their 30 days shown), not as "needs an admin's
    decision" under a message that says they were disabled at least 30 days ago."""
    run = demo_runs.run(WRITTEN, NO_TOKEN)  # the session's, copied: the audit below writes beside it
    assert run.codes == (1, 0, 0, 0)
    monkeypatch.chdir(run.copy_to(tmp_path))
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    kept = json.loads((tmp_path / "reports" / DEMO_STATE).read_text("utf-8"))["directoryAudits"]
    moment = demo.CLOCK.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert kept["until"] == moment
    # the sample's own entries, and the changes' at the sample's moment
    shipped_log = sample_tenant().directory_audits.entries
    assert len(kept["value"]) > len(shipped_log)
    assert max(entry["activityDateTime"] for entry in kept["value"]) == moment
    audit = shlex.split(capsys.readouterr().err.rsplit("to audit it: ", 1)[1])
    assert main(audit[1:]) == 1

    def leavers(path: Path) -> dict[str, tuple[object, object]]:
        findings = json.loads(path.read_text("utf-8"))["findings"]
        return {
            json.dumps(f["subject"], sort_keys=True): (f["state"], f["details"].get("audit_span_days"))
            for f in findings
            if f["rule"] == DisabledUserLicensed.id
        }

    shipped, undone = (
        leavers(tmp_path / "reports" / "report.json"),
        leavers(tmp_path / "reports" / "after" / "report.json"),
    )
    assert shipped and undone == shipped


def _licenses(tenant: TenantSnapshot) -> dict[str, frozenset[str]]:
    return {u.id: u.sku_ids for u in tenant.users}


def _members(tenant: TenantSnapshot) -> dict[str, tuple[frozenset[str], frozenset[str] | None]]:
    """Each group's members (through nested groups too) and, where read, its direct members."""
    return {
        g.id: (frozenset(g.members), None if g.direct_members is None else frozenset(g.direct_members))
        for g in tenant.groups
    }


def test_without_demo_the_write_commands_still_need_their_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan"]) == 2
    assert "--report-dir" in capsys.readouterr().err
    assert main(["apply"]) == 2
    assert "PLAN" in capsys.readouterr().err
    assert main(["undo"]) == 2
    assert "JOURNAL" in capsys.readouterr().err


def test_apply_on_the_demo_before_its_plan_says_to_plan_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README's write path out of order: `apply --demo --yes` after `audit --demo`, before `plan --demo`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    assert main(["audit", "--demo"]) == 1
    capsys.readouterr()
    assert main(["apply", "--demo", "--yes"]) == 2
    assert "apply --demo: no plan in reports/: run `license-auditor plan --demo` first" in capsys.readouterr().err
    assert not list((tmp_path / "reports").glob("journal-*.jsonl"))
    assert not (tmp_path / "reports" / DEMO_STATE).exists()


def test_a_later_plan_in_the_same_folder_leaves_the_undo_its_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], demo_runs: DemoRuns
) -> None:
    """apply keeps the plan it applied beside its journal: a second audit and plan in the folder
    replace plan.json, and the first journal can still be undone."""
    run = demo_runs.run(APPLIED, NO_TOKEN)  # the session's `plan --demo`, `apply --demo --yes`, copied
    assert run.codes == (0, 0)
    monkeypatch.chdir(run.copy_to(tmp_path))
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    first = (tmp_path / "reports" / "plan.json").read_bytes()
    assert main(["audit", "--demo"]) == 1
    assert main(["plan", "--demo"]) == 0
    assert (tmp_path / "reports" / "plan.json").read_bytes() != first  # a new plan took its name
    capsys.readouterr()
    main(["undo", "--demo", "--wait", "0"])  # a dry run of the first journal
    said = capsys.readouterr()
    assert "is not beside it" not in said.err
    assert "38 change(s) would be undone" in said.out  # all but the 2 reprocesses, which have no inverse


def test_plan_on_the_demo_says_nothing_of_the_frozen_datas_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], demo_runs: DemoRuns
) -> None:
    """The demo's data is the sample's frozen moment: `plan --demo` warned that it was 25 days old
    and to audit again, which cannot help on the demo. --max-age counts from that moment, as apply
    --demo's does; a plan of a real report of that age is still warned about."""
    run = demo_runs.run(PLANNED, NO_TOKEN)  # the session's `plan --demo`, copied: the plans below write beside it
    assert run.codes == (0,)
    monkeypatch.chdir(run.copy_to(tmp_path))
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    said = capsys.readouterr().err
    assert "plan: " in said and "ago" not in said and "audit again" not in said
    assert main(["plan", "--demo", "--max-age", "1d"]) == 0
    assert main(["plan", "--report-dir", "reports"]) == 0  # the same report, not as the demo
    assert "audit again, then plan" in capsys.readouterr().err


def test_an_undo_refused_while_another_holds_the_journal_keeps_no_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], demo_runs: DemoRuns
) -> None:
    """Two runs on one journal at once: the second is refused (exit 2) and writes nothing, not even
    the demo tenant as it read it, which would stand over the first run's."""
    from auditor.apply.lock import hold

    run = demo_runs.run(APPLIED, NO_TOKEN)  # the session's `plan --demo`, `apply --demo --yes`, copied
    assert run.codes == (0, 0)
    monkeypatch.chdir(run.copy_to(tmp_path))
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    state = tmp_path / "reports" / DEMO_STATE
    (journal,) = (tmp_path / "reports").glob("journal-*.jsonl")
    kept = state.read_bytes()
    capsys.readouterr()
    with hold(journal, "the journal"):  # an undo of it still running
        assert main(["undo", "--demo", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "another license-auditor run is using the journal" in err and "as the changes left it" not in err
    assert state.read_bytes() == kept
    assert sorted(p.name for p in (tmp_path / "reports").glob("journal-*.jsonl")) == [journal.name]


def test_the_audit_apply_names_is_made_with_the_plans_policy_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A demo audited with policy files of its own: plan.json records them (`policy_files`, as
    report.json has them) and apply's "to audit it" names them, not the demo's example policy (issue 89)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    files = ["examples/contoso-policy.yaml", "auditor_dev/sample/moves-example.yaml"]
    out = tmp_path / "reports"
    given = [arg for file in files for arg in ("--policies", file)]
    assert main(["audit", "--demo", *given, "--output-dir", str(out), "--format", "json", "--fail-on", "never"]) == 0
    assert main(["plan", "--report-dir", str(out)]) == 0
    plan = json.loads((out / "plan.json").read_text("utf-8"))
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert plan["policy_files"] == report["policy_files"] == files
    capsys.readouterr()
    # the operator gives apply the policy files audit was given (a plan never names its own)
    assert main(["apply", "--demo", str(out / "plan.json"), *given, "--yes", "--wait", "0"]) in (0, 3)
    audit = shlex.split(capsys.readouterr().err.rsplit("to audit it: ", 1)[1])
    assert [audit[i + 1] for i, arg in enumerate(audit) if arg == "--policies"] == files


@pytest.mark.parametrize(
    "argv",
    [
        ["apply", "--demo", "--auth", "azure-cli", "--yes"],
        ["undo", "--demo", "--auth", "certificate", "--yes"],
        ["apply", "--demo", "--tenant-id", "contoso.example"],
        ["audit", "--demo", "--tenants", "--graph-endpoint", "http://127.0.0.1:9/v1.0"],
        ["audit", "--demo", "--tenants", "--auth", "azure-cli"],
    ],
    ids=["apply+auth", "undo+auth", "apply+tenant-id", "tenants+endpoint", "tenants+auth"],
)
def test_the_demo_refuses_what_it_would_ignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """--demo serves its own Graph endpoint, tenant and token: --auth, --tenant-id and --graph-endpoint
    were ignored by some of its commands and refused by others; each refuses them alike (exit 2), before
    anything is read or written."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--demo serves its own Graph endpoint, tenant and sign-in" in err and "leave out --" in err
    assert not (tmp_path / "reports").exists()


def test_the_distributor_apply_example_in_a_fresh_folder_says_the_plan_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`apply --help`'s example `apply reports/tenants/contoso/plan.json --distributor --demo --yes` in a
    fresh folder used to end in an internal error (exit 5, writing the stand-ins' state into a folder that
    is not there): the plan is missing, exit 2, and nothing is written."""
    monkeypatch.chdir(tmp_path)
    plan = "reports/tenants/contoso/plan.json"
    assert main(["apply", plan, "--distributor", "--demo", "--yes"]) == 2
    err = capsys.readouterr().err
    assert f"no plan at {plan}" in err and "internal error" not in err
    assert not (tmp_path / "reports").exists()


def test_undo_after_apply_ran_twice_gives_every_change_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 121, high 1: apply run twice (or interrupted and run again) leaves one journal a run, and
    `undo --demo --yes` undid only the newest, where the second run had made nothing: every change stayed.
    It undoes every journal of the plan, newest first, and the sample is back as README's path leaves it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    commands = ("audit --demo", "plan --demo", "apply --demo --yes", "apply --demo --yes", "undo --demo --yes")
    codes = [main(shlex.split(command)) for command in commands]
    said = capsys.readouterr()
    assert codes == [1, 0, 0, 0, 0], said.err[-2000:]
    assert len(list((tmp_path / "reports").glob("journal-*.jsonl"))) >= 2
    plan = json.loads((tmp_path / "reports" / "plan.json").read_text("utf-8"))
    shipped, restored = sample_tenant(), load_snapshot(tmp_path / "reports" / DEMO_STATE)
    assert _members(restored) == _members(shipped)
    part_id = {s.sku_part_number: s.sku_id for s in shipped.skus}
    expected = _licenses(shipped)
    for change in plan["changes"]:
        if change["kind"] == "reprocess":  # no inverse: the group license the reprocess made active stays
            expected[change["user"]] |= {part_id[p] for p in change["seats"]}
    assert _licenses(restored) == expected


def test_undo_demo_reads_the_audit_log_back_from_the_demos_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's audit log dates every write at the sample's frozen moment; undo --demo reads the log's 30
    days back from that moment, never from the machine's day (from 30 days after the moment, every write
    fell outside them and undo --demo refused every change, exit 3)."""
    from datetime import UTC

    from auditor.apply import undoing
    from auditor.apply.undo_audit import AuditProof as real

    made: list[object] = []

    def recording(*args: object, **kwargs: object) -> object:
        made.append(kwargs.get("now"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(undoing, "AuditProof", recording)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITOR_ACCESS_TOKEN", raising=False)
    codes = [main(shlex.split(c)) for c in ("audit --demo", "plan --demo", "apply --demo --yes", "undo --demo --yes")]
    assert codes == [1, 0, 0, 0], capsys.readouterr().err[-2000:]
    assert made and set(made) == {demo.CLOCK.replace(tzinfo=UTC)}
