"""LICENSE_AUDITOR_TIMINGS=1: an audit prints each phase's wall time, CPU time and peak memory on
stderr, and benchmarks.run reads the three lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks import run
from tests.core.factory import sample_audit_argv

PHASES = ["start-up", "policies", "collect", "evaluate", "free", "document", "render"]


def test_each_phase_has_its_wall_time_cpu_time_and_peak(tmp_path: Path) -> None:
    errors = tmp_path / "stderr"
    with errors.open("w") as err:
        audit = subprocess.Popen(
            [sys.executable, "-m", "auditor", *sample_audit_argv(tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "LICENSE_AUDITOR_TIMINGS": "1"},
        )
        _, status, usage = os.wait4(audit.pid, 0)  # this process's own usage, whatever else runs beside it
    stderr = errors.read_text()
    assert os.waitstatus_to_exitcode(status) == 0, stderr
    wall, cpu, peaks = run._phases(stderr), run._cpu(stderr), run._peaks(stderr)
    assert list(wall) == list(cpu) == list(peaks) == PHASES
    # the phases' CPU is the audit process's, up to its last report: no more than the kernel counted
    # for the whole process, and most of it (what is left is the outcome's lines and the exit)
    counted = usage.ru_utime + usage.ru_stime
    assert 0.5 * counted <= sum(cpu.values()) <= counted + 0.05
    assert all(seconds >= 0 for seconds in cpu.values()) and cpu["start-up"] > 0 and cpu["evaluate"] > 0
