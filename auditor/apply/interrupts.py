"""SIGTERM and SIGINT from the moment apply starts, before its write loop takes them over (run._on_signals).

apply compiles the plan again before its first write (pipeline.recompile), which reads the tenant for
minutes on a large one. A signal then must stop the run before any write, whatever it lands on: the fresh
read (cancelled at once through the audit's StopSignal), its evaluation, the compile, or the steps between
the compile and the write loop. The first signal is kept (`signal`) and the compile is told to stop; the
run checks it (`check`) after the compile and again as the write loop starts. A second signal stops at once.
Either way the run ends with ApplyStopped (exit 3, "a signal stopped the run"), nothing sent.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType, TracebackType
from typing import Any

from auditor.common.errors import StopSignal

from .session import ApplyStopped

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Interrupts:
    """Catches SIGTERM and SIGINT while the block runs (in the main thread; elsewhere the defaults stay)."""

    def __init__(self) -> None:
        self.signal: str | None = None  # the first signal's name
        self.stop = StopSignal("apply was stopped by a signal before its first change")
        self._before: dict[signal.Signals, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._before[sig] = signal.getsignal(sig)
                signal.signal(sig, self._caught)
        return self

    def _caught(self, number: int, _frame: FrameType | None) -> None:
        name = signal.Signals(number).name
        if self.signal is not None:  # a second signal: at once
            raise KeyboardInterrupt
        self.signal = name
        print(f"license-auditor: {name}: stopping before the first change", file=sys.stderr, flush=True)
        self.stop.set()  # the fresh read in progress is cancelled

    def check(self, where: str) -> None:
        """ApplyStopped when a signal came (`where`: when, and what was sent, for the message)."""
        if self.signal is not None:
            raise ApplyStopped(f"stopped by {self.signal} {where}")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for sig, before in self._before.items():
            signal.signal(sig, before)
        self._before.clear()
        if isinstance(exc, KeyboardInterrupt) and self.signal is not None:
            raise ApplyStopped(f"stopped by a second {self.signal}; the journal keeps every change sent") from None
