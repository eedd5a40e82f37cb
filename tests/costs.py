"""What each test costs, for finding where the suite's time goes: a pytest plugin, off by default.

    AUDITOR_TEST_COSTS=.test-costs python -m pytest -q -p tests.costs      # record (every xdist worker)
    python -m tests.costs .test-costs                                     # the tests, modules, folders that cost most

Each test (setup, call and teardown together) gets one JSON line in `DIR/costs-<worker>.jsonl`:
- `cpu`: this process's CPU (time.process_time: every thread, so the in-process emulators and servers too);
- `children`: the CPU of the child processes during the test: those that ended and were waited for
  (resource.getrusage(RUSAGE_CHILDREN), user and system), and those still running (/proc: a server, such as
  tests/killed_at.py's forkserver, with the children it waited for);
- `spawns`: how many child processes the test started (subprocess.Popen);
- `wall`: the wall time.
A fixture wider than a test (module, session) is charged to the first test that sets it up. Without the
variable, loading the plugin records nothing."""

from __future__ import annotations

import collections
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

VARIABLE = "AUDITOR_TEST_COSTS"
_spawns = [0]


def _children_cpu() -> float:
    """The CPU of this process's children: those ended and waited for, and those still running (a server a
    test started, such as a forkserver, with the children it waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + _live_children_cpu()


def _live_children_cpu() -> float:
    me, ticks, total = str(os.getpid()), os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if fields[1] == me:  # after the name: state, ppid, ...; utime, stime, cutime, cstime are the 14th to 17th
            total += sum(int(f) for f in fields[11:15])
    return total / ticks


def _counting(real: Any) -> Any:
    def execute_child(self: Any, *args: Any, **kwargs: Any) -> Any:
        _spawns[0] += 1
        return real(self, *args, **kwargs)

    return execute_child


def pytest_configure(config: pytest.Config) -> None:
    folder = os.environ.get(VARIABLE)
    if not folder:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(folder).mkdir(parents=True, exist_ok=True)
    config.stash[_out] = open(Path(folder) / f"costs-{worker}.jsonl", "a", encoding="utf-8")  # noqa: SIM115
    subprocess.Popen._execute_child = _counting(subprocess.Popen._execute_child)  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    out = config.stash.get(_out, None)
    if out is not None:
        # the whole process: what no test was charged (start-up, imports, collection) is the difference
        whole = {"worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "cpu": time.process_time()}
        out.write(json.dumps(whole | {"children": _children_cpu()}) + "\n")
        out.close()


_out = pytest.StashKey[Any]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    out = item.config.stash.get(_out, None)
    if out is None:
        yield
        return
    cpu, children, spawns, wall = time.process_time(), _children_cpu(), _spawns[0], time.perf_counter()
    yield
    record = {
        "test": item.nodeid,
        "cpu": round(time.process_time() - cpu, 4),
        "children": round(_children_cpu() - children, 4),
        "spawns": _spawns[0] - spawns,
        "wall": round(time.perf_counter() - wall, 4),
    }
    out.write(json.dumps(record) + "\n")
    out.flush()


def _read(folder: Path) -> list[dict[str, Any]]:
    records = []
    for file in sorted(folder.glob("costs-*.jsonl")):
        worker = file.stem.removeprefix("costs-")
        lines = file.read_text(encoding="utf-8").splitlines()
        records += [json.loads(line) | {"process": worker} for line in lines if line]
    return records


def _table(title: str, rows: dict[str, list[float]], top: int) -> None:
    print(f"\n{title}  (cpu = own + children, seconds)")
    print(f"{'cpu':>9} {'own':>9} {'children':>9} {'spawns':>7} {'wall':>9} {'tests':>6}  name")
    ranked = sorted(rows.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    for name, (own, children, spawns, wall, count) in ranked[:top]:
        print(f"{own + children:9.1f} {own:9.1f} {children:9.1f} {int(spawns):7d} {wall:9.1f} {int(count):6d}  {name}")


def report(folder: Path, top: int = 40) -> None:
    """Print the totals, then the costliest tests, modules and folders."""
    everything = _read(folder)
    records = [r for r in everything if "test" in r]
    workers = [r for r in everything if "worker" in r]
    groups: dict[str, dict[str, list[float]]] = {"test": {}, "module": {}, "folder": {}}
    for r in records:
        module = r["test"].split("::")[0]
        keys = {"test": r["test"], "module": module, "folder": str(Path(module).parent)}
        for kind, key in keys.items():
            row = groups[kind].setdefault(key, [0.0, 0.0, 0.0, 0.0, 0.0])
            for i, value in enumerate((r["cpu"], r["children"], r["spawns"], r["wall"], 1)):
                row[i] += value
    own = sum(r["cpu"] for r in records)
    children = sum(r["children"] for r in records)
    spawns = collections.Counter(bool(r["spawns"]) for r in records)
    print(f"{len(records)} tests: cpu {own + children:.1f} s (own {own:.1f}, children {children:.1f}), ")
    print(f"wall summed {sum(r['wall'] for r in records):.1f} s; {spawns[True]} tests start a child process, ")
    print(f"{sum(r['spawns'] for r in records)} children in all")
    for w in workers:  # the xdist controller's children are its workers: only its own CPU counts
        mine = [r for r in records if r["process"] == w["worker"]]
        whole = w["cpu"] + (0 if w["worker"] == "main" and len(workers) > 1 else w["children"])
        spent = sum(r["cpu"] + r["children"] for r in mine)
        outside = whole - spent
        print(f"process {w['worker']}: cpu {whole:.1f} s, outside any test (start-up, collection) {outside:.1f} s")
    _table("folders", groups["folder"], top)
    _table("modules", groups["module"], top)
    _table("tests", groups["test"], top)


if __name__ == "__main__":
    report(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 40)
