"""How long each phase of an audit took, the CPU it spent and the peak memory by its end: the three
lines `LICENSE_AUDITOR_TIMINGS=1` prints on stderr, which the benchmarks read."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable


class PhaseTimings:
    """Wall time per phase, the CPU time spent in it (the audit's and its forked workers') and the
    peak resident memory by the end of each, on stderr when LICENSE_AUDITOR_TIMINGS=1 (the
    benchmark reads the three lines). CPU and memory are the process's: in `audit --tenants`,
    whose audits run side by side in threads, they are all of theirs."""

    def __init__(self, started: float, say: Callable[[str], None]) -> None:
        self.say = say
        self.on = bool(os.environ.get("LICENSE_AUDITOR_TIMINGS"))
        self.last = time.perf_counter()
        self.last_cpu = cpu_s()
        self.phases: list[tuple[str, float]] = [("start-up", self.last - started)]
        self.cpu: list[tuple[str, float]] = [("start-up", self.last_cpu)]
        self.peaks: list[tuple[str, float]] = [("start-up", peak_mb())]

    def mark(self, phase: str) -> None:
        now, cpu = time.perf_counter(), cpu_s()
        self.phases.append((phase, now - self.last))
        self.cpu.append((phase, cpu - self.last_cpu))
        self.peaks.append((phase, peak_mb()))
        self.last, self.last_cpu = now, cpu

    def report(self) -> None:
        if self.on:
            self.say("timings: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.phases))
            self.say("cpu: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.cpu))
            self.say("peak memory: " + ", ".join(f"{name} {mb:.0f}MB" for name, mb in self.peaks))


def cpu_s() -> float:
    """The CPU time of this process and of its children that have ended (the report's forked
    workers, once their pool is shut down), user and system, in seconds."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def peak_mb() -> float:
    """This process's peak resident set size so far, in MB (0 where the platform does not say)."""
    try:
        import resource  # the standard library's, on POSIX only
    except ImportError:  # not on Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
