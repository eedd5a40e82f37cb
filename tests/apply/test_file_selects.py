"""The file selects, the source decides: an edited plan.json makes apply do nothing the plan as written
would not have done.

The sample tenant is audited and planned once on the Graph emulator; the plan is then applied (--yes, the
real command line) as written, and once per edit, each on a fresh copy of the tenant. An edit is what a
person or a pull request could make of one field of one change: its target, product, group, kind, seats,
preconditions, findings, dependencies, words, or a change appended. For every edit, the writes Graph
receives are among the writes of the run as written, the run exits 3, and the refusal names the field the
fresh compile disagrees on (auditor.apply.agree)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
WRITE = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")
CEO = "8d116ece-1738-47d9-bd9c-172411e20b8f"  # ceo@contoso.example: no finding, holds E5
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
COPILOT = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
PILOT_GROUP = "aa7f1640-4c71-4ef9-8b16-a30b43fa0a23"
AT = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # apply runs half an hour after the audit
LEAVERS = ("--rules", DisabledUserLicensed.id)  # a plan reviewed as "disabled users only"
RAVI = "5c90a958-7403-4430-ac66-a78795e761d1"  # Ravi Patel (Contractor): E5 forbidden, not a leaver


class _Pinned(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Planned:
    plan: dict[str, Any]  # plan.json as `plan` wrote it
    token: str
    tenant_id: str
    written: frozenset[str]  # the writes Graph received from the plan applied as written
    leavers: dict[str, Any]  # plan.json as `plan --rules disabled-user-licensed` wrote it (reviewed as such)
    leavers_written: frozenset[str]  # the writes of that plan applied as written, with the same --rules


def _pinned(monkeypatch: pytest.MonkeyPatch, token: str, tenant_id: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    monkeypatch.setattr("auditor.apply.run.clock", lambda: AT)
    monkeypatch.setattr("auditor.graph.collector.datetime", _Pinned)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AZURE_TENANT_ID", tenant_id)


def _writes(graph: GraphEmulator) -> frozenset[str]:
    """Each write Graph received: its request and body (a group join's @odata.id names the emulator's own
    address, which differs from one emulator to the next)."""
    return frozenset(
        f"{r.method} {r.path} {json.dumps(r.body, sort_keys=True)}".replace(graph.url, "GRAPH") for r in graph.writes()
    )


def _apply(graph: GraphEmulator, plan: Path, journal: Path, *more: str) -> int:
    """apply --yes under the operator's policy (the example policy the sample was audited with)."""
    conn = ["--graph-endpoint", graph.url, "--auth", "token", "--policies", str(EXAMPLE)]
    return main(["apply", str(plan), "--yes", "--journal", str(journal), "--wait", "0", *conn, *more])


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planned]:
    folder = tmp_path_factory.mktemp("planned")
    snapshot = load_snapshot(SAMPLE)
    token = app_token(snapshot.tenant_id, roles=(*DEMO_ROLES, *WRITE))
    with pytest.MonkeyPatch.context() as monkeypatch:
        _pinned(monkeypatch, token, snapshot.tenant_id)
        # this process's own plan locks (tests/conftest.py's, which a module's fixture runs before)
        monkeypatch.setattr("auditor.apply.lock.lock_folder", lambda: folder / "plan-locks")
        with GraphEmulator(snapshot, token=token) as graph:
            conn = ["--graph-endpoint", graph.url, "--auth", "token"]
            policies = ["--policies", str(EXAMPLE), "--as-of", "2026-11-01T06:00:00Z"]
            assert main(["audit", *policies, "--output-dir", str(folder), "--format", "json", *conn]) == 1
            assert main(["plan", "--report-dir", str(folder)]) == 0
            assert main(["plan", "--report-dir", str(folder), "--output-dir", str(folder / "leavers"), *LEAVERS]) == 0
        plan = json.loads((folder / "plan.json").read_text("utf-8"))
        leavers = json.loads((folder / "leavers" / "plan.json").read_text("utf-8"))
        with GraphEmulator(snapshot, token=token) as graph:
            assert _apply(graph, folder / "plan.json", folder / "journal.jsonl") == 0
            written = _writes(graph)
        with GraphEmulator(snapshot, token=token) as graph:
            assert _apply(graph, folder / "leavers" / "plan.json", folder / "leavers.jsonl", *LEAVERS) == 0
            leavers_written = _writes(graph)
    assert written and leavers_written < written  # the plans as written change the tenant; the leavers' less
    yield Planned(plan, token, snapshot.tenant_id, written, leavers, leavers_written)


def _find(plan: dict[str, Any], test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return next(c for c in plan["changes"] if test(c))


def _retarget(change: dict[str, Any], user: str) -> None:
    change["path"] = change["path"].replace(change["user"], user)
    change["user"] = user


def _removes_e5(c: dict[str, Any]) -> bool:
    return c["kind"] == "assign_license" and c["body"] == {"addLicenses": [], "removeLicenses": [E5]}


def _gives_copilot(c: dict[str, Any]) -> bool:
    return c["kind"] == "assign_license" and any(a["skuId"] == COPILOT for a in c["body"]["addLicenses"])


def _target(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, _removes_e5)
    _retarget(change, CEO)
    return change["n"], "path"


def _product(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, _removes_e5)
    change["body"]["removeLicenses"] = [COPILOT]
    return change["n"], "body"


def _copilot_outside_candidates(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, _gives_copilot)
    _retarget(change, CEO)
    change["precondition"] = [p for p in change["precondition"] if "in_any_group" not in p]
    return change["n"], "path"


def _candidates_rewritten(plan: dict[str, Any]) -> tuple[int, str]:
    # the seat given to a member of the candidates group (one the audit log found has no group to re-check)
    change = _find(plan, lambda c: _gives_copilot(c) and any("in_any_group" in p for p in c["precondition"]))
    for p in change["precondition"]:
        if "in_any_group" in p:
            p["in_any_group"] = [PILOT_GROUP]
    return change["n"], "precondition"


def _group(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, lambda c: c["kind"] == "remove_member" and c["group"] != PILOT_GROUP)
    change["path"] = change["path"].replace(change["group"], PILOT_GROUP)
    change["group"] = PILOT_GROUP
    return change["n"], "path"


def _kind(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, lambda c: c["kind"] == "add_member")
    change |= {
        "kind": "remove_member",
        "method": "DELETE",
        "path": f"/groups/{change['group']}/members/{change['user']}/$ref",
        "body": None,
        "precondition": [{"member_of": change["group"]}],
    }
    return change["n"], "kind"


def _seats(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, _removes_e5)
    change["seats"] = {"SPE_E5": -2}
    return change["n"], "seats"


def _preconditions_deleted(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, lambda c: any("account_enabled" in p for p in c["precondition"]))
    change["precondition"] = []
    return change["n"], "precondition"


def _findings(plan: dict[str, Any]) -> tuple[int, str]:
    first, second = plan["changes"][0], plan["changes"][-1]
    first["findings"] = list(second["findings"])
    return first["n"], "findings"


def _dependency_removed(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, lambda c: bool(c["depends_on"]))
    change["depends_on"] = []
    return change["n"], "depends_on"


def _words(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, _removes_e5)
    change["description"] = "Remove Microsoft 365 E5 from the contractor"
    return change["n"], "description"


def _appended(plan: dict[str, Any]) -> tuple[int, str]:
    change = json.loads(json.dumps(_find(plan, _removes_e5)))
    _retarget(change, CEO)
    change["n"] = len(plan["changes"]) + 1
    plan["changes"].append(change)
    return change["n"], "path"


def _reprocess_elsewhere(plan: dict[str, Any]) -> tuple[int, str]:
    change = _find(plan, lambda c: c["kind"] == "reprocess")
    _retarget(change, CEO)
    return change["n"], "path"


EDITS = [
    _target,
    _product,
    _copilot_outside_candidates,
    _candidates_rewritten,
    _group,
    _kind,
    _seats,
    _preconditions_deleted,
    _findings,
    _dependency_removed,
    _words,
    _appended,
    _reprocess_elsewhere,
]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__.strip("_") for e in EDITS])
def test_an_edited_change_is_refused_naming_its_field_and_nothing_more_is_written(
    planned: Planned,
    edit: Callable[[dict[str, Any]], tuple[int, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _pinned(monkeypatch, planned.token, planned.tenant_id)
    plan = json.loads(json.dumps(planned.plan))
    n, field = edit(plan)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), "utf-8")
    capsys.readouterr()
    with GraphEmulator(load_snapshot(SAMPLE), token=planned.token) as graph:
        assert _apply(graph, path, tmp_path / "journal.jsonl") == 3
        written = _writes(graph)
    assert written <= planned.written, sorted(written - planned.written)
    err = capsys.readouterr().err
    assert f"change {n} ({field}): refused" in err
    lines = [json.loads(t) for t in (tmp_path / "journal.jsonl").read_text("utf-8").splitlines()]
    assert [(ln["outcome"], ln["note"].split(",")[0]) for ln in lines if ln["n"] == n] == [
        ("failed", f"refused ({field})")
    ]


# --- the plan's record of its policy and filters (issue 117: high 1, M1) ---------------------------
# Each edit of a field that says what the plan is judged by: apply judges under the operator's --policies and
# filters, so an edit either changes nothing (a record apply does not read) or refuses the plan (exit 2).


def _forged(tmp_path: Path) -> str:
    """A policy file of the plan's own (the example policy with one more line), beside the plan."""
    forged = tmp_path / "forged-policy.yaml"
    forged.write_text(EXAMPLE.read_text("utf-8") + "# the plan's own\n", "utf-8")
    return str(forged)


def _policy_files_elsewhere(plan: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    plan["policy_files"] = [_forged(tmp_path)]  # a record apply never reads: nothing changes
    return 0, ""


def _policy_of_its_own(plan: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    forged = _forged(tmp_path)
    plan["policy_files"] = [forged]
    plan["policy_sha256"] = {forged: hashlib.sha256(Path(forged).read_bytes()).hexdigest()}
    return 2, f"{forged} is missing (the plan was audited under it); {EXAMPLE} is extra (given, not among the plan's)"


def _policy_digest_edited(plan: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    plan["policy_sha256"] = {file: "0" * 64 for file in plan["policy_sha256"]}
    return 2, f"{EXAMPLE} differs (SHA-256 000000000000… in the plan, "


def _policy_added(plan: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    forged = _forged(tmp_path)
    plan["policy_sha256"][forged] = hashlib.sha256(Path(forged).read_bytes()).hexdigest()
    return 2, f"{forged} is missing (the plan was audited under it)"


def _policy_removed(plan: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    plan["policy_files"], plan["policy_sha256"] = [], {}
    return 2, "policy_sha256: the plan records no policy file it was audited under"


def _filters_narrowed(plan: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    plan["filters"] = {"rules": [DisabledUserLicensed.id], "min_severity": None, "findings": None}
    return 2, f"filters: the plan was made for rules {DisabledUserLicensed.id}, but apply was given every open finding"


def _filters_severity(plan: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    plan["filters"] = {"rules": None, "min_severity": "high", "findings": None}
    return 2, "filters: the plan was made for findings at or above high, but apply was given every open finding"


RECORDS = [
    _policy_files_elsewhere,
    _policy_of_its_own,
    _policy_digest_edited,
    _policy_added,
    _policy_removed,
    _filters_narrowed,
    _filters_severity,
]


@pytest.mark.parametrize("edit", RECORDS, ids=[e.__name__.strip("_") for e in RECORDS])
def test_an_edited_policy_or_filter_record_changes_nothing_or_refuses_the_plan(
    planned: Planned,
    edit: Callable[[dict[str, Any], Path], tuple[int, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _pinned(monkeypatch, planned.token, planned.tenant_id)
    monkeypatch.setattr("auditor.pipeline.recompile.recompile", _real_recompile())
    plan = json.loads(json.dumps(planned.plan))
    code, says = edit(plan, tmp_path)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), "utf-8")
    capsys.readouterr()
    with GraphEmulator(load_snapshot(SAMPLE), token=planned.token) as graph:
        assert _apply(graph, path, tmp_path / "journal.jsonl") == code
        written = _writes(graph)
    err = capsys.readouterr().err
    assert says in err
    if code == 2:  # refused before the first write: nothing sent, no journal
        assert written == frozenset() and not (tmp_path / "journal.jsonl").exists(), err
    else:
        assert written == planned.written


def test_a_plan_reviewed_for_leavers_with_its_filters_cleared_is_refused(
    planned: Planned, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 117, M1: a plan reviewed as "disabled users only" with its `filters` cleared and Ravi Patel's E5
    removal appended (a change the tool makes for every finding) would agree with a fresh compile of every
    finding. apply is given the filters the plan was reviewed with (the workflow: the run's inputs), shows
    them, and refuses the plan whose record differs (exit 2): nothing is sent, Ravi keeps his E5."""
    _pinned(monkeypatch, planned.token, planned.tenant_id)
    plan = json.loads(json.dumps(planned.leavers))
    ravi = json.loads(json.dumps(_find(planned.plan, lambda c: c["user"] == RAVI and _removes_e5(c))))
    assert not [c for c in plan["changes"] if c["user"] == RAVI]
    plan["filters"] = {"rules": None, "min_severity": None, "findings": None}
    plan["changes"].append(ravi | {"n": len(plan["changes"]) + 1, "depends_on": []})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), "utf-8")
    capsys.readouterr()
    with GraphEmulator(load_snapshot(SAMPLE), token=planned.token) as graph:
        assert _apply(graph, path, tmp_path / "journal.jsonl", *LEAVERS) == 2
        assert _writes(graph) == frozenset()
    err = capsys.readouterr().err
    assert "filters: the plan was made for every open finding, but apply was given rules disabled-user-licensed" in err
    # the plan as reviewed is applied with its filters, and shown with them
    path.write_text(json.dumps(planned.leavers), "utf-8")
    with GraphEmulator(load_snapshot(SAMPLE), token=planned.token) as graph:
        assert _apply(graph, path, tmp_path / "journal.jsonl", *LEAVERS) == 0
        assert _writes(graph) == planned.leavers_written
    assert "under your policy files, for rules disabled-user-licensed (only the" in capsys.readouterr().err


def _real_recompile() -> Any:
    """The fresh compile as the command line has it (tests/agreeing.py lets a hand-written plan agree)."""
    from auditor.pipeline import recompile as module

    return module.recompile.__wrapped__
