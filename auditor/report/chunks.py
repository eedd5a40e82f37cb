"""The findings worked out a chunk at a time, in order: in this process, or by forked processes.

    in_chunks(items, work, *, workers=1) -> each chunk's work(items[i:i + CHUNK]), in order

Writing report.json and findings.csv is the audit's largest part after the collection: each
finding's remediation text is worked out as it is written (130,000 findings at a million users,
about 45 s on one core). The findings do not depend on one another, so an audit run alone
(`audit`, not one tenant among many in `audit --tenants`) hands the chunks to as many processes
as the machine has cores, at most MAX_WORKERS. They are forked: each starts with the findings and
`work` as this process holds them (nothing is pickled but the chunk's bounds and its result). Only Linux forks
here: elsewhere, and for a single chunk, the work is done in this process. The files are byte for
byte the same either way (tests/report/test_streamed_findings.py).

A forked process must not start from a process whose other threads hold locks, so the caller
decides: `workers` > 1 only where no other thread runs (auditor.pipeline). A forked process
ignores Ctrl-C (the audit stops it) and is killed when the audit dies, however it dies: it holds
the audit's files open and its lock on the output directory (auditor.common.outputs.output_lock), which
must not outlive the audit.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

__all__ = ["CHUNK", "available_workers", "in_chunks"]

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 500  # findings per chunk: about 2.5 MB of report.json
AHEAD = 2  # chunks out per process while the results are written in order
MAX_WORKERS = 8  # each a copy of the audit's page tables and memory of its own (docs/performance.md)

_PR_SET_PDEATHSIG = 1  # Linux prctl(2): the signal a process gets when its parent dies

# the job the forked processes find when they start: (items, work)
_JOB: tuple[Sequence[Any], Callable[[Sequence[Any]], Any]] | None = None


def available_workers() -> int:
    """The processes worth forking: the cores this process may run on, at most MAX_WORKERS (1 where
    nothing forks)."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


def in_chunks(items: Sequence[T], work: Callable[[Sequence[T]], R], *, workers: int = 1) -> Iterator[R]:
    """`work` of each CHUNK items, in order. With `workers` > 1 and more than one chunk, forked
    processes do the work, at most AHEAD chunks each ahead of the one the caller reads. An
    exception in `work` is raised here, as in this process; when a process is killed, the chunks
    not yet read are worked out in this one."""
    bounds = [(start, min(start + CHUNK, len(items))) for start in range(0, len(items), CHUNK)]
    if workers <= 1 or len(bounds) < 2 or available_workers() <= 1:
        for start, stop in bounds:
            yield work(items[start:stop])
        return
    global _JOB
    _JOB = (items, work)
    left = deque(bounds)  # the chunks not yet given to the caller
    workers = min(workers, len(bounds))
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_bound_to,
            initargs=(os.getpid(),),
        ) as pool:
            out: deque[Future[R]] = deque(pool.submit(_work, *b) for b in list(left)[: workers * AHEAD])
            while out:
                try:
                    result = out.popleft().result()
                except BrokenProcessPool:  # a process was killed (out of memory, a signal)
                    break
                left.popleft()
                if len(left) > len(out):
                    with contextlib.suppress(BrokenProcessPool):  # then the next result says so
                        out.append(pool.submit(_work, *left[len(out)]))
                yield result
    finally:
        _JOB = None
    if left:
        print(
            f"a process that worked out chunks ended unexpectedly: the last {len(left)} are worked out in this one",
            file=sys.stderr,
        )
    for start, stop in left:
        yield work(items[start:stop])


def _bound_to(parent: int) -> None:
    """In a forked process, first: killed when `parent` dies (then the inherited lock and files
    close with it), and deaf to Ctrl-C, which `parent` answers by stopping its processes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _work(start: int, stop: int) -> Any:
    """In a forked process: the chunk's work, from the job the parent held when it forked."""
    assert _JOB is not None, "in_chunks: a worker started without its job"
    items, work = _JOB
    return work(items[start:stop])
