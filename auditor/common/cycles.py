"""The cyclic garbage collector paused while the program builds a large tree of new objects: an
audit reading, evaluating and reporting a tenant (auditor.pipeline), report.json decoded
(auditor.formats.report_json), a migration plan built from two tenants (auditor.migration).

Such a tree holds no cycles to find, yet each full collection walks every object the process
holds, again and again while the tree grows; refcounting frees everything as before. What it saves
at a million users is measured in benchmarks/results/history-performance.md, "The cycle collector".

One counted switch for every caller: audits run side by side in one process (auditor.fleet), and
a report is decoded inside an audit, so the collector runs again when the last pause ends, as it
was before the first began (a collector switched off before stays off)."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_PAUSES = {"held": 0, "enabled": True}  # the pauses this process holds, and the collector before the first
_LOCK = threading.Lock()


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for the block."""
    with _LOCK:
        if _PAUSES["held"] == 0:
            _PAUSES["enabled"] = gc.isenabled()
            gc.disable()
        _PAUSES["held"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _PAUSES["held"] -= 1
            if _PAUSES["held"] == 0 and _PAUSES["enabled"]:
                gc.enable()
