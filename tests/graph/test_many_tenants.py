"""`audit --tenants FILE`: many tenants in one process, each alone, a failure written up, not spread.

Twelve tenants, each served by its own Graph emulator on loopback: one refuses the run's token, one
answers 500 to every request, one has a broken policy, one is slower than --tenant-timeout, and the
other eight are audited right, each into its own folder with nothing of another tenant in it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.delivery.matrix import load_tenants
from auditor.fleet.run import select, slice_of, worst
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import GraphEmulator, Reply, Request, app_token, error_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
AS_OF = "2026-11-01T06:00:00Z"
CLIENT = "00000000-0000-0000-0000-0000000000c1"
GOOD, QUIET = "policies/good.yaml", "policies/quiet.yaml"


pytestmark = pytest.mark.usefixtures("pinned_many_tenants")  # tests/graph/conftest.py


def _tenant_id(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


def _always_500(request: Request) -> Reply:
    return Reply(500, error_document("InternalServerError", "The service had a problem."))


HOLD_AT_MOST = 120.0  # seconds the slow tenant's answers are held at most: a regression fails, not hangs


class _Held:
    """The slow tenant's Graph: every answer held until the test has checked the run (`released`)."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.released = threading.Event()

    def __call__(self, request: Request) -> None:
        self.asked.set()
        self.released.wait(HOLD_AT_MOST)
        return None


class _TimeLimitClock:
    """The clock of the tenants' time limits (auditor.fleet.run.clock): it stands still while any other
    tenant is at work, and moves past `limit` once the slow tenant, its request held, is the only one
    left. The slow tenant outlives its limit and no other does, however slowly a busy machine runs them:
    what is asserted is what the run decided at its limit, not the wall time the tenants took."""

    def __init__(self, limit: float, slow: _Held) -> None:
        self.limit, self.slow = limit, slow
        self.moved = False

    def __call__(self) -> float:
        if not self.moved and self.slow.asked.is_set():
            at_work = {t.name for t in threading.enumerate() if t.name.startswith("tenant-")}
            self.moved = at_work == {"tenant-too-slow"}
        return self.limit + 1 if self.moved else 0.0


@contextlib.contextmanager
def _tenants(tmp_path: Path, token: str, slow: _Held | None = None) -> Iterator[list[tuple[str, str]]]:
    """Twelve emulators and the tenants file naming them; yields (name, tenant id) of each. `slow`:
    the answers of the tenant "Too Slow" (default: held until the twelve emulators stop)."""
    slow = slow if slow is not None else _Held()
    sample = load_snapshot(SAMPLE)
    (tmp_path / "policies").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "policies" / "good.yaml")
    (tmp_path / "policies" / "bad.yaml").write_text("metadata: {name: broken\nrules: [\n", "utf-8")
    # the failing tenants check no inactivity and no resource accounts (whose kind rests on the sign-ins
    # too), so they read no sign-in activity: their retries do not spend the app's 10 sign-in requests a
    # minute, which the eight good tenants share
    example = EXAMPLE.read_text("utf-8")
    inactive = example[example.index("  inactive_users:") : example.index("  guest_users:")]
    resource = next(line for line in example.splitlines(keepends=True) if line.startswith("  resource_accounts:"))
    (tmp_path / "policies" / "quiet.yaml").write_text(example.replace(inactive, "").replace(resource, ""), "utf-8")
    specs = []
    for n in range(1, 13):
        name = {1: "Refused Token", 2: "Always Failing", 3: "Broken Policy", 4: "Too Slow"}.get(n, f"Customer {n:02d}")
        token_of = "another-token" if n == 1 else token
        responders = [_always_500] if n == 2 else [slow] if n == 4 else []
        specs.append(
            (name, _tenant_id(n), token_of, responders, {3: "policies/bad.yaml", 2: QUIET, 4: QUIET}.get(n, GOOD))
        )
    with contextlib.ExitStack() as stack:
        lines = ["defaults:", f"  client_id: {CLIENT}", "tenants:"]
        for name, tid, token_of, responders, policy in specs:
            snapshot = replace(sample, tenant_id=tid, tenant_name=name)
            graph = stack.enter_context(GraphEmulator(snapshot, token=token_of, responders=responders))
            lines += [
                f"  - name: {name}",
                f"    tenant_id: {tid}",
                f"    graph_endpoint: {graph.url}",
                f"    policies: {policy}",
            ]
        (tmp_path / "tenants.yaml").write_text("\n".join(lines) + "\n", "utf-8")
        stack.callback(slow.released.set)  # first on the way out: the emulators stop without a held answer
        yield [(name, tid) for name, tid, *_ in specs]


def test_twelve_tenants_each_alone_and_the_failures_written_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = app_token(_tenant_id(0))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.chdir(tmp_path)
    slow_graph = _Held()
    monkeypatch.setattr("auditor.fleet.run.clock", _TimeLimitClock(12, slow_graph))
    with _tenants(tmp_path, token, slow_graph) as tenants:
        code = main(
            [
                "audit",
                "--tenants",
                "tenants.yaml",
                "--auth",
                "token",
                "--output-dir",
                "out",
                "--format",
                "json,csv",
                "--as-of",
                AS_OF,
                "--tenant-concurrency",
                "4",
                "--tenant-timeout",
                "12",
            ]
        )
        # the slow tenant's collection was cancelled when its time ran out: its thread ends without
        # waiting for its answer, still held, and writes nothing after the run has written it up
        slow = [t for t in threading.enumerate() if t.name == "tenant-too-slow"]
        for thread in slow:
            thread.join(timeout=HOLD_AT_MOST / 2)  # a guard against a hang: the answer is held for longer
        assert not any(t.is_alive() for t in slow) and not slow_graph.released.is_set()
        assert not (tmp_path / "out" / "too-slow" / "report.json").exists()
    assert code == 3  # tenants failed
    rollup = json.loads((tmp_path / "out" / "tenants.json").read_text("utf-8"))
    assert rollup["schema_version"] == 1 and rollup["shard"] is None
    rows = {row["name"]: row for row in rollup["tenants"]}
    assert set(rows) == {name for name, _ in tenants}
    failed = {"Refused Token", "Always Failing", "Broken Policy", "Too Slow"}
    assert {name for name, row in rows.items() if row["status"] == "failed"} == failed
    assert [row["name"] for row in rollup["tenants"][:4]] and {r["name"] for r in rollup["tenants"][:4]} == failed
    assert rows["Broken Policy"]["exit_code"] == 2 and "policy error" in rows["Broken Policy"]["reason"]
    assert rows["Too Slow"]["exit_code"] == 3 and "--tenant-timeout" in rows["Too Slow"]["reason"]
    assert rows["Always Failing"]["exit_code"] == 3 and rows["Refused Token"]["exit_code"] == 3
    assert all(row["reason"] and "\n" not in row["reason"] for name, row in rows.items() if name in failed)
    assert token not in (tmp_path / "out" / "tenants.json").read_text("utf-8")
    for name, tid in tenants:
        folder = tmp_path / "out" / rows[name]["key"]
        if name in failed:
            assert not (folder / "report.json").exists(), name  # nothing that reads as a report
            continue
        report = json.loads((folder / "report.json").read_text("utf-8"))
        assert report["tenant"]["id"] == tid and report["tenant"]["name"] == name and report["complete"] is True
        row = rows[name]
        assert row["status"] == "ok" and row["exit_code"] == 1 and row["requests"] and row["seconds"] >= 0
        assert row["findings"] == report["summary"]["by_severity"] | row["findings"]
        assert row["unused_monthly"] == report["summary"]["unused_monthly_cost"]["amount"]
        # nothing of another tenant in this tenant's folder
        text = "".join(p.read_text("utf-8", errors="replace") for p in folder.iterdir() if p.is_file())
        others = [other for other, _ in tenants if other != name and other in text]
        assert others == [] and token not in text
    digest = (tmp_path / "out" / "digest.html").read_text("utf-8")
    assert "12 tenants audited, 4 failed" in digest and len(digest.encode()) < 100_000
    assert "Too Slow" in (tmp_path / "out" / "tenants.md").read_text("utf-8")
    assert "4 failed" in capsys.readouterr().err


def test_findings_equal_a_one_tenant_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tenant's findings.csv from the many-tenant run is the one `audit --graph-endpoint` writes."""
    sample = load_snapshot(SAMPLE)
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "policies" / "good.yaml")
    with GraphEmulator(sample, token=token) as graph:
        (tmp_path / "tenants.yaml").write_text(
            f"tenants:\n  - name: Contoso\n    tenant_id: {sample.tenant_id}\n    client_id: {CLIENT}\n"
            f"    graph_endpoint: {graph.url}\n    policies: policies/good.yaml\n",
            "utf-8",
        )
        assert (
            main(
                [
                    "audit",
                    "--tenants",
                    "tenants.yaml",
                    "--auth",
                    "token",
                    "--output-dir",
                    "many",
                    "--format",
                    "csv",
                    "--as-of",
                    AS_OF,
                ]
            )
            == 1
        )
        assert (
            main(
                [
                    "audit",
                    "--graph-endpoint",
                    graph.url,
                    "--auth",
                    "token",
                    "--policies",
                    "policies/good.yaml",
                    "--output-dir",
                    "one",
                    "--format",
                    "csv",
                    "--as-of",
                    AS_OF,
                ]
            )
            == 1
        )
    many, one = (tmp_path / "many" / "contoso" / "findings.csv"), (tmp_path / "one" / "findings.csv")
    assert many.read_bytes() == one.read_bytes()


def test_shards_are_disjoint_and_cover_the_file(tmp_path: Path) -> None:
    lines = ["tenants:"] + [
        f"  - name: Tenant {n}\n    tenant_id: {_tenant_id(n)}\n    client_id: {CLIENT}" for n in range(1, 41)
    ]
    (tmp_path / "t.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    jobs = load_tenants(tmp_path / "t.yaml")
    slices = [select(jobs, (k, 4)) for k in range(1, 5)]
    keys = [job.key for part in slices for job in part]
    assert sorted(keys) == sorted(job.key for job in jobs) and len(keys) == len(set(keys))
    assert all(part for part in slices)  # 40 tenants leave no slice empty
    # adding a tenant moves none of the others
    assert all(slice_of(job.key, 4) == k for k, part in enumerate(slices, start=1) for job in part)


def test_rollup_joins_shards_names_the_missing_and_refuses_a_tenant_twice(tmp_path: Path) -> None:
    def shard(name: str, keys: list[str], unused: float = 10.0) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        rows = [
            {
                "key": k,
                "name": k,
                "tenant_id": _tenant_id(i),
                "status": "ok",
                "exit_code": 0,
                "findings": {"critical": 0, "high": 0, "medium": 1, "low": 0},
                "unused_monthly": unused * i,
                "plan_monthly_saving": None,
                "currency": "EUR",
                "next_window": None,
                "seats_short": [],
                "seconds": 1.0,
                "requests": 9,
                "reason": None,
            }
            for i, k in enumerate(keys, start=1)
        ]
        (folder / "tenants.json").write_text(
            json.dumps(
                {"schema_version": 1, "shard": None, "tenants": rows, "generated_at": "2026-11-25T02:00:00+00:00"}
            ),
            "utf-8",
        )
        return folder

    lines = ["tenants:"] + [
        f"  - name: {k}\n    tenant_id: {_tenant_id(n)}\n    client_id: {CLIENT}"
        for n, k in enumerate(["a", "b", "c"], start=1)
    ]
    (tmp_path / "t.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    one, two = shard("s1", ["a"]), shard("s2", ["b"], unused=20.0)  # b wastes more: it leads
    assert (
        main(
            ["rollup", str(one), str(two), "--tenants", str(tmp_path / "t.yaml"), "--output-dir", str(tmp_path / "all")]
        )
        == 3
    )  # c is in no shard
    joined = json.loads((tmp_path / "all" / "tenants.json").read_text("utf-8"))
    assert [row["key"] for row in joined["tenants"]] == ["b", "a"] and joined["missing"] == ["c"]
    assert main(["rollup", str(one), str(shard("s3", ["a"])), "--output-dir", str(tmp_path / "x")]) == 2


def test_the_run_exit_code_is_the_worst_tenant() -> None:
    assert worst([0, 1, 0], False, False) == 1
    assert worst([0, 1, 3], True, False) == 3
    assert worst([0, 1, 3], True, True) == 1
    assert worst([0, 4, 1], False, False) == 4


@pytest.mark.parametrize(
    ("shard", "said"), [("1/99999999999999999999", "is not K/N"), ("1000", "more slices than the 40")]
)
def test_a_shard_count_past_the_tenants_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shard: str, said: str
) -> None:
    """`--shard 1/99999999999999999999` used to audit nothing and exit 0: N past the file's tenants is exit 2."""
    lines = ["tenants:"] + [
        f"  - name: Tenant {n}\n    tenant_id: {_tenant_id(n)}\n    client_id: {CLIENT}" for n in range(1, 41)
    ]
    (tmp_path / "t.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    if "/" not in shard:  # N past the 40 tenants, and a slice K of it that holds none
        keys = [job.key for job in load_tenants(tmp_path / "t.yaml")]
        shard = f"{next(k for k in range(1, 1001) if all(slice_of(key, 1000) != k for key in keys))}/1000"
    argv = ["audit", "--tenants", str(tmp_path / "t.yaml"), "--shard", shard, "--output-dir", str(tmp_path / "out")]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's refusal of the flag
        code = int(exc.code or 0)
    assert code == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "out" / "tenants.json").exists()
