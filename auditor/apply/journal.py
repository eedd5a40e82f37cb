"""The apply/undo journal: JSON Lines, one line per change attempted, each on disk before the next change.

A line (keys in this order):

    {"time": "2026-11-02T09:14:03.120Z", "n": 3, "tenant_id": "...", "cloud": "worldwide",
     "action": {...the change as the plan gave it...},
     "request": {"method": "POST", "path": "/users/.../assignLicense", "body": {...}},
     "status": 200, "outcome": "done", "note": "",
     "before": {"exists": true, "assignedLicenses": [...], "licenseAssignmentStates": [...],
                "usageLocation": "DE", "member_of": [...], "groups_read": [...]}}

`outcome` is "done" (Graph accepted the write), "skipped" (a precondition no longer held, or a
change it depends on was not applied), "failed" (Graph refused it, or its outcome is unknown: the
run stopped there) or "dry-run" (what a run without --yes would do). `status` is Graph's HTTP
status, null when no write was sent. Lines written by undo also carry
`"undoes": {"journal": "<file name>", "n": <the line's n>}`; their `action` is the inverse change,
so a journal written by undo can itself be undone.

Each line is written with one write(), then flushed and fsync'ed; the file is created exclusively
(an existing journal is never overwritten or appended to).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..model import Cloud
from .plan_file import GUID, Change, PlanFileError, Where, parse_change, parse_cloud, read_bounded

OUTCOMES = ("done", "skipped", "failed", "dry-run")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def default_path(directory: Path, prefix: str) -> Path:
    """`<prefix>-<UTC timestamp>.jsonl` in `directory`, with -2, -3 ... when that name is taken."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{prefix}-{stamp}.jsonl"
    i = 2
    while os.path.lexists(path):
        path = directory / f"{prefix}-{stamp}-{i}.jsonl"
        i += 1
    return path


class JournalWriter:
    """Appends journal lines to a new file, each durable before `write` returns."""

    def __init__(self, path: Path, *, tenant_id: str, cloud: Cloud) -> None:
        self.path = path
        self.tenant_id = tenant_id
        self.cloud = cloud
        self.lines = 0
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            raise PlanFileError(f"--journal: {path} already exists; a journal is never overwritten — "
                                "choose another file") from None
        except OSError as exc:
            raise PlanFileError(f"--journal: cannot create {path}: {exc.strerror or exc}") from None
        _fsync_dir(path.parent)

    def write(self, n: int, action: dict[str, Any], request: dict[str, Any], *, status: int | None, outcome: str,
              note: str = "", before: dict[str, Any] | None = None, undoes: dict[str, Any] | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        line: dict[str, Any] = {"time": now(), "n": n, "tenant_id": self.tenant_id, "cloud": self.cloud.value,
                                "action": action, "request": request, "status": status, "outcome": outcome,
                                "note": note, "before": before}
        if undoes is not None:
            line["undoes"] = undoes
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)
        self.lines += 1

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _fsync_dir(directory: Path) -> None:
    """Make the new file's name durable too (best effort: not every file system allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class JournalLine:
    line: int  # 1-based line number in the file
    n: int
    change: Change
    outcome: str
    status: int | None
    before: dict[str, Any] | None


@dataclass(frozen=True)
class Journal:
    path: Path
    tenant_id: str
    cloud: Cloud
    lines: tuple[JournalLine, ...]


def read_journal(path: Path) -> Journal:
    """Read and validate a journal; PlanFileError (exit 2) names the file, line and field."""
    where = Where(path)
    data = read_bounded(path, where, "a journal")
    tenant: str | None = None
    cloud: Cloud | None = None
    lines: list[JournalLine] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        at = f"line {number}"
        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise where.error(at, "not a JSON object (a journal holds one JSON object per line)") from None
        if not isinstance(doc, dict):
            raise where.error(at, "not a JSON object")
        tid = doc.get("tenant_id")
        if not isinstance(tid, str) or not GUID.match(tid):
            raise where.error(f"{at}: tenant_id", "missing or not a GUID")
        line_cloud = parse_cloud(doc.get("cloud"), where, f"{at}: cloud")
        if tenant is None:
            tenant, cloud = tid.lower(), line_cloud
        elif tid.lower() != tenant or line_cloud is not cloud:
            raise where.error(f"{at}: tenant_id", "differs from the first line's tenant or cloud; one journal is "
                              "one tenant")
        outcome = doc.get("outcome")
        if outcome not in OUTCOMES:
            raise where.error(f"{at}: outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
        n = doc.get("n")
        if not isinstance(n, int) or isinstance(n, bool):
            raise where.error(f"{at}: n", "must be a whole number")
        change = parse_change(doc.get("action"), where, f"{at}: action")
        status = doc.get("status")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            raise where.error(f"{at}: status", "must be an HTTP status or null")
        before = doc.get("before")
        if before is not None and not isinstance(before, dict):
            raise where.error(f"{at}: before", "must be an object or null")
        if outcome == "done":
            _check_before(change, before, where, f"{at}: before")
        lines.append(JournalLine(number, n, change, outcome, status, before))
    if tenant is None or cloud is None:
        raise where.error("", "holds no journal lines")
    return Journal(path, tenant, cloud, tuple(lines))


def _check_before(change: Change, before: Any, where: Where, field: str) -> None:
    """A done line must carry the state its undo restores."""
    if not isinstance(before, dict) or before.get("exists") is not True:
        raise where.error(field, "a done change must record the user's state before it")
    if change.kind == "assign_license":
        states = before.get("licenseAssignmentStates")
        if not isinstance(states, list) or not all(
                isinstance(s, dict) and isinstance(s.get("skuId"), str) and isinstance(s.get("disabledPlans"), list)
                and all(isinstance(plan, str) and GUID.match(plan) for plan in s["disabledPlans"])
                and (s.get("assignedByGroup") is None or isinstance(s.get("assignedByGroup"), str)) for s in states):
            raise where.error(f"{field}.licenseAssignmentStates", "missing or malformed; undo needs it")
    if change.kind in ("add_member", "remove_member"):
        member_of = before.get("member_of")
        if not isinstance(member_of, list) or not all(isinstance(g, str) for g in member_of):
            raise where.error(f"{field}.member_of", "missing or malformed; undo needs it")
    if change.kind == "set_usage_location":
        loc = before.get("usageLocation")
        if loc is not None and not isinstance(loc, str):
            raise where.error(f"{field}.usageLocation", "must be a string or null")
