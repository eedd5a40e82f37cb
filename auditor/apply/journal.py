"""The apply/undo journal: JSON Lines, written ahead of each write, each line on disk before the next step.

A line (keys in this order):

    {"time": "2026-11-02T09:14:03.120Z", "n": 3, "tenant_id": "...", "cloud": "worldwide",
     "action": {...the change as the plan gave it...},
     "request": {"method": "POST", "path": "/users/.../assignLicense", "body": {...}},
     "status": 200, "outcome": "done", "note": "",
     "before": {"exists": true, "assignedLicenses": [...], "licenseAssignmentStates": [...],
                "usageLocation": "DE", "member_of": [...], "groups_read": [...]},
     "plan": {"file": "plan.json", "sha256": "..."}}

Write-ahead: before a write is sent, its line is journaled with the outcome "sending" (and the
`before` state undo needs); the line with its outcome follows once Graph has answered. Outcomes:
"sending" (about to be sent), "done" (Graph accepted it, or a re-read of the user shows it made
after an answer that settled nothing), "unknown" (sent, and neither the answer nor a re-read of
the user settles whether Graph made it: the re-read failed, a reprocess, an unexpected answer or
an interruption), "failed" (Graph refused it, it was never sent, or the re-read after an answer
that settled nothing shows it not made), "skipped" (a precondition no
longer held, or a change it depends on was not applied), "pending" (never sent: it waited for a
group's license after a join, which was not active in time or is in error; auditor.apply.wait) and
"dry-run". Only "sending" lines stand for a request that went out: a "pending" line, like a
"skipped" one, is the change's only line. A "sending" line that is
not followed at once by its outcome line reads as outcome unknown. `status` is Graph's HTTP
status, null when no answer came. Lines written by undo also carry
`"undoes": {"journal": "<file name>", "n": <the line's n>}`; their `action` is the inverse change,
so a journal written by undo can itself be undone. An apply journal's lines name the plan
(`plan`: its file name and the SHA-256 of its bytes), so the next apply of that plan finds the
changes whose outcome is unknown. Lines written by undo name the same plan as the lines they undo:
every journal of a plan, apply's and undo's, is found by the plan's SHA-256, and undo touches only
the users and groups that plan names.

Each line is written with one write(), then fsync'ed; the file is created exclusively (an
existing journal is never overwritten or appended to) and locked while it is written. A line the
disk could not take whole is cut off again, so the file holds whole lines only; if even that
fails, the reader names the damaged line and uses every other one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import msgspec

from auditor.common.errors import CollectionError
from auditor.data.model import Cloud
from auditor.formats.change_model import Before, JournalRecord, PlanName, Request, Undoes

from ..formats.plan_json import (
    GUID,
    Change,
    PlanFileError,
    Where,
    parse_change,
    parse_cloud,
    read_bounded,
)
from .lock import lock

OUTCOMES = ("sending", "done", "unknown", "failed", "skipped", "pending", "dry-run")
START = b'{"time":'  # how every journal line begins (the keys are written in a fixed order)


class JournalError(CollectionError):
    """The journal could not be written: the run stops there (exit 3)."""


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


class LineFile:
    """A new file of whole lines, each durable before `append` returns: created exclusively (never
    overwritten or appended to), owner-only (0600), locked while written, its name made durable (the
    directory fsync'ed). A line the disk could not take whole is cut off again and JournalError
    raised: the file holds whole lines only. The licence journal and the commerce journal share it."""

    def __init__(self, path: Path, what: str, flag: str = "--journal") -> None:
        self.path = path
        self.lines = 0
        self._size = 0
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            raise PlanFileError(
                f"{flag}: {path} already exists; a journal is never overwritten — choose another file"
            ) from None
        except OSError as exc:
            raise PlanFileError(f"{flag}: cannot create {path}: {exc.strerror or exc}") from None
        lock(self._fd, path, what)  # a new file: only an undo of it could want it
        _fsync_dir(path.parent)

    def append(self, line: Mapping[str, object] | msgspec.Struct) -> None:
        record = msgspec.to_builtins(line) if isinstance(line, msgspec.Struct) else line
        data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
        except OSError as exc:
            # A full disk (or a file size limit) may have taken part of the line: cut it off again, so
            # the journal keeps whole lines only (shrinking a file needs no space).
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
                os.fsync(self._fd)
            raise JournalError(f"cannot write the journal {self.path}: {exc.strerror or exc}") from None
        self._size += len(data)
        self.lines += 1

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class JournalWriter:
    """Appends journal lines to a new file, each durable before `write` returns."""

    def __init__(self, path: Path, *, tenant_id: str, cloud: Cloud, plan: PlanName | None = None) -> None:
        self.path = path
        self.tenant_id = tenant_id
        self.cloud = cloud
        self.plan = plan
        self._file = LineFile(path, "the journal")

    @property
    def lines(self) -> int:
        return self._file.lines

    def write(
        self,
        n: int,
        change: Change,
        request: Request,
        *,
        status: int | None,
        outcome: str,
        note: str = "",
        before: Before | None = None,
        undoes: Undoes | None = None,
    ) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        line: JournalRecord = {
            "time": now(),
            "n": n,
            "tenant_id": self.tenant_id,
            "cloud": self.cloud.value,
            "action": change.raw,  # the change as its file gave it (apply's plan, or the journal undo wrote)
            "request": request,
            "status": status,
            "outcome": outcome,
            "note": note,
            "before": before,
        }
        if undoes is not None:
            line["undoes"] = undoes
        if self.plan is not None:
            line["plan"] = self.plan
        self._file.append(line)

    def close(self) -> None:
        self._file.close()


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
    before: Before | None
    request: str = ""  # "METHOD path" as journaled (for messages)
    plan_sha256: str | None = None
    time: str = ""
    undoes: Undoes | None = None  # a line written by undo: {"journal", "n"} of the line it undoes
    plan_file: str | None = None  # the plan's file name as journaled


@dataclass(frozen=True)
class Damaged:
    line: int
    reason: str
    # read from the damaged bytes where they still show them, so that undo can keep away from the
    # user's other changes (None: not readable)
    user: str | None = None
    plan_sha256: str | None = None
    n: int | None = None


_N_IN = re.compile(rb'^\{"time":"[^"]*","n":(\d{1,9})[,}]')
_USER_IN = re.compile(rb'"user"\s*:\s*"([0-9a-fA-F-]{36})"')
_SHA_IN = re.compile(rb'"sha256"\s*:\s*"([0-9a-f]{64})"')


def _damaged(number: int, reason: str, raw: bytes) -> Damaged:
    user, sha, n = _USER_IN.search(raw), _SHA_IN.search(raw), _N_IN.match(raw)
    return Damaged(
        number,
        reason,
        user.group(1).decode().lower() if user else None,
        sha.group(1).decode() if sha else None,
        int(n.group(1)) if n else None,
    )


@dataclass(frozen=True)
class Journal:
    path: Path
    tenant_id: str
    cloud: Cloud
    lines: tuple[JournalLine, ...]  # every intact line, in order
    damaged: tuple[Damaged, ...] = ()  # lines that are cut or invalid: named, never used
    unknown: tuple[JournalLine, ...] = ()  # writes whose outcome is unknown (see outcome_unknown)

    @property
    def done(self) -> list[JournalLine]:
        return [line for line in self.lines if line.outcome == "done"]

    @property
    def plan(self) -> tuple[str | None, str | None]:
        """(the plan's file name, its SHA-256) as the journal's lines name it; (None, None) for none."""
        for line in self.lines:
            if line.plan_sha256:
                return line.plan_file, line.plan_sha256
        return None, None

    @property
    def pending(self) -> list[JournalLine]:
        """Changes left undone while waiting for a group's license: never sent, nothing to undo."""
        return [line for line in self.lines if line.outcome == "pending"]


def whole_lines(path: Path) -> list[tuple[int, bytes]]:
    """The one reader of every journal (the licence changes' and the bill's, apply's and undo's): the file read
    bounded (PlanFileError, exit 2, when it cannot be), each line that is not blank with its 1-based number,
    for the journal's own decoder (read_journal's here, write_engine.read_lines for the bill's)."""
    data = read_bounded(path, Where(path), "a journal")
    return [(number, raw) for number, raw in enumerate(data.split(b"\n"), start=1) if raw.strip()]


def read_journal(path: Path) -> Journal:
    """Read a journal, using every intact line. A line that is cut or invalid (or names another
    tenant than the first intact line) is listed in `damaged` with the reason and left out.
    PlanFileError (exit 2) when the file cannot be read, is too large or holds no line at all;
    JournalError (exit 3, naming the lines) when it holds lines but none is intact."""
    where = Where(path)
    tenant: str | None = None
    cloud: Cloud | None = None
    lines: list[JournalLine] = []
    damaged: list[Damaged] = []
    for number, raw in whole_lines(path):
        try:
            line = _parse_line(raw, number, where)
        except PlanFileError as exc:
            damaged.append(_damaged(number, str(exc).removeprefix(f"{path}: line {number}: "), raw))
            continue
        tid, line_cloud, parsed = line
        if tenant is None:
            tenant, cloud = tid, line_cloud
        elif tid != tenant or line_cloud is not cloud:
            damaged.append(
                _damaged(
                    number, "tenant_id: differs from the first line's tenant or cloud; one journal is one tenant", raw
                )
            )
            continue
        lines.append(parsed)
    if tenant is None or cloud is None:
        if damaged:
            raise JournalError(
                f"{path}: no intact journal line; "
                + "; ".join(f"line {d.line}: {d.reason}" for d in damaged[:5])
                + ("" if len(damaged) <= 5 else f"; and {len(damaged) - 5} more")
            )
        raise where.error("", "holds no journal lines")
    return Journal(path, tenant, cloud, tuple(lines), tuple(damaged), outcome_unknown(lines))


def outcome_unknown(lines: list[JournalLine]) -> tuple[JournalLine, ...]:
    """Writes whose outcome is unknown: journaled as "unknown", or a "sending" line not followed at
    once by its outcome line (the run ended between sending the write and journaling its answer)."""
    out = []
    for i, line in enumerate(lines):
        if line.outcome == "sending":
            following = lines[i + 1] if i + 1 < len(lines) else None
            settled = (
                following is not None
                and following.line == line.line + 1
                and following.n == line.n
                and following.outcome != "sending"
            )
            if not settled:
                out.append(line)
        elif line.outcome == "unknown":
            out.append(line)
    return tuple(out)


@dataclass(frozen=True)
class EarlierUnknown:
    journal: Path
    line: int
    n: int
    request: str


def plan_journals(plan_sha256: str, directories: Iterable[Path]) -> list[Journal]:
    """Every journal in `directories` with a line of this plan (by its SHA-256), only those lines
    kept (and the damaged lines that name the plan, or name none). A file that is no journal, or
    cannot be read, is passed over."""
    found = []
    for directory in dict.fromkeys(d.resolve() for d in directories):
        try:
            candidates = sorted(p for p in directory.glob("*.jsonl") if p.is_file())
        except OSError:
            continue
        for path in candidates:
            try:
                with path.open("rb") as fh:
                    if fh.read(len(START)) != START:
                        continue
                journal = read_journal(path)
            except (OSError, PlanFileError, CollectionError):
                continue
            mine = [line for line in journal.lines if line.plan_sha256 == plan_sha256]
            if mine:
                found.append(
                    Journal(
                        path,
                        journal.tenant_id,
                        journal.cloud,
                        tuple(mine),
                        tuple(d for d in journal.damaged if d.plan_sha256 in (None, plan_sha256)),
                        outcome_unknown(mine),
                    )
                )
    return found


def unsettled(line: JournalLine, lines: Iterable[JournalLine]) -> bool:
    """Whether no later line of the plan (an apply's, for the same change) settled `line`."""
    return not any(
        other.n == line.n
        and other.time > line.time
        and other.undoes is None
        and other.outcome in ("done", "skipped", "pending", "failed")
        for other in lines
    )


def earlier_unknown(plan_sha256: str, directories: Iterable[Path]) -> list[EarlierUnknown]:
    """Changes of this plan (by its SHA-256) whose outcome an earlier apply's journal left unknown,
    and that no later journal line of the plan settled: read from the journals in `directories`
    (the plan's, and --journal's)."""
    journals = plan_journals(plan_sha256, directories)
    lines = [line for journal in journals for line in journal.lines]
    return [
        EarlierUnknown(journal.path, line.line, line.n, line.request)
        for journal in journals
        for line in journal.unknown
        if line.undoes is None and unsettled(line, lines)
    ]


def earlier_done(plan_sha256: str, directories: Iterable[Path]) -> dict[int, EarlierUnknown]:
    """Changes of this plan (by its SHA-256) an earlier apply's journal in `directories` records as done, and
    no undo line since names as undone: by change number, where each was journaled (the first)."""
    journals = plan_journals(plan_sha256, directories)
    undone = {
        (line.undoes.get("journal"), line.undoes.get("n"))
        for journal in journals
        for line in journal.lines
        if line.undoes is not None
    }
    made: dict[int, EarlierUnknown] = {}
    for journal in journals:
        for line in journal.lines:
            if line.outcome == "done" and line.undoes is None and (journal.path.name, line.n) not in undone:
                made.setdefault(line.n, EarlierUnknown(journal.path, line.line, line.n, line.request))
    return made


def _parse_line(raw: bytes, number: int, where: Where) -> tuple[str, Cloud, JournalLine]:
    at = f"line {number}"
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise where.error(at, "cut or damaged: not a JSON object (a journal holds one JSON object per line)") from None
    if not isinstance(doc, dict):
        raise where.error(at, "cut or damaged: not a JSON object")
    tid = doc.get("tenant_id")
    if not isinstance(tid, str) or not GUID.match(tid):
        raise where.error(f"{at}: tenant_id", "missing or not a GUID")
    line_cloud = parse_cloud(doc.get("cloud"), where, f"{at}: cloud")
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
    request = doc.get("request")
    shown = (
        f"{request.get('method')} {request.get('path')}"
        if isinstance(request, dict) and isinstance(request.get("method"), str) and isinstance(request.get("path"), str)
        else change.request
    )
    plan = doc.get("plan")
    digest = plan.get("sha256") if isinstance(plan, dict) and isinstance(plan.get("sha256"), str) else None
    stamp = doc.get("time")
    time = stamp if isinstance(stamp, str) else ""
    undoes = doc.get("undoes") if isinstance(doc.get("undoes"), dict) else None
    file = plan.get("file") if isinstance(plan, dict) and isinstance(plan.get("file"), str) else None
    # `before` and `undoes` as written: a done line's `before` is checked above, and readers take
    # each key of them with .get
    return (
        tid.lower(),
        line_cloud,
        JournalLine(
            number,
            n,
            change,
            outcome,
            status,
            cast(Before | None, before),
            shown,
            digest,
            time,
            cast(Undoes | None, undoes),
            file,
        ),
    )


def _check_before(change: Change, before: Any, where: Where, field: str) -> None:
    """A done line must carry the state its undo restores."""
    if not isinstance(before, dict) or before.get("exists") is not True:
        raise where.error(field, "a done change must record the user's state before it")
    if change.kind == "assign_license":
        states = before.get("licenseAssignmentStates")
        if not isinstance(states, list) or not all(
            isinstance(s, dict)
            and isinstance(s.get("skuId"), str)
            and isinstance(s.get("disabledPlans"), list)
            and all(isinstance(plan, str) and GUID.match(plan) for plan in s["disabledPlans"])
            and (s.get("assignedByGroup") is None or isinstance(s.get("assignedByGroup"), str))
            for s in states
        ):
            raise where.error(f"{field}.licenseAssignmentStates", "missing or malformed; undo needs it")
    if change.kind in ("add_member", "remove_member"):
        member_of = before.get("member_of")
        if not isinstance(member_of, list) or not all(isinstance(g, str) for g in member_of):
            raise where.error(f"{field}.member_of", "missing or malformed; undo needs it")
    if change.kind == "set_usage_location":
        loc = before.get("usageLocation")
        if loc is not None and not isinstance(loc, str):
            raise where.error(f"{field}.usageLocation", "must be a string or null")
