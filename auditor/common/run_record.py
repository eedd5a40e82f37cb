"""Which run a folder belongs to, and which files that run wrote there: DIR/run.json.

A folder belongs to one kind of run: one tenant's `audit` (report.json and its digest), a `merge` of
tenants' reports, or the many-tenant run (`audit --tenants`, `rollup`: the tenants' folders and the
roll-up, tenants.json with its own digest.html and licensed-users.csv). Two kinds in one folder wrote
over each other's digest.html and licensed-users.csv, and `email` then sent one run's subject with the
other's body (issue 95). So each run, before it moves or writes anything, `claim`s its folder (a folder
another kind owns is refused, exit 2, naming the folder and what it holds), and once its files are
written `record`s them in run.json: its kind, its tenant, whether its files show the MSP's cost and
margin, and each file's SHA-256. `email` sends a part only when run.json names it with that digest
(`check_parts`), so a subject, a text part, an HTML body and attachments come from one run or nothing
is sent.

A folder an earlier version wrote has no run.json: report.json there is a report (one tenant's or a
merge's, not told apart), tenants.json the many-tenant run's.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .errors import UsageError
from .outputs import write_text

RECORD = "run.json"
_CHUNK = 1 << 20


class RunKind(StrEnum):
    TENANT = "tenant"  # `audit`: one tenant's reports
    MERGE = "merge"  # `merge`: a group's report, from the tenants' outputs
    FLEET = "fleet"  # `audit --tenants`, `rollup`: each tenant's folder and the roll-up beside them


_SAID = {
    RunKind.TENANT: "a one-tenant audit's reports",
    RunKind.MERGE: "a merge's cross-tenant report",
    RunKind.FLEET: "the tenants' folders and roll-up of `audit --tenants` (or `rollup`)",
}
_WRITER = {
    RunKind.TENANT: "`audit`",
    RunKind.MERGE: "`merge`",
    RunKind.FLEET: "`audit --tenants` (and `rollup`)",
}


@dataclass(frozen=True)
class Owner:
    """What a folder holds: `kind` None for an earlier version's report.json (a tenant's or a merge's)."""

    kind: RunKind | None
    what: str  # the owner in words, for a message
    files: Mapping[str, str]  # name -> SHA-256, as its run.json records them ({} without one)
    msp_cost: bool
    recorded: bool  # run.json was there

    def admits(self, kind: RunKind) -> bool:
        if self.kind is None:  # an earlier version's report.json: a tenant's or a merge's report
            return kind is not RunKind.FLEET
        return self.kind is kind


def digest(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _record(directory: Path) -> dict[str, object] | None:
    path = directory / RECORD
    if path.is_symlink():
        raise UsageError(f"{path} is a symbolic link; a run records its files in a file of that name — remove it")
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") not in set(RunKind) or not isinstance(data.get("files"), dict):
        raise UsageError(f"{path}: not a record of license-auditor's run (kind and files)")
    return data


def owner(directory: Path) -> Owner | None:
    """The run that owns `directory`, from its run.json (or an earlier version's files); None when no run does."""
    data = _record(directory)
    if data is not None:
        kind = RunKind(str(data["kind"]))
        tenant = data.get("tenant")
        named = f" ({tenant})" if isinstance(tenant, str) and tenant else ""
        at = data.get("generated_at")
        when = f", written {at}" if isinstance(at, str) and at else ""
        files = data["files"]
        assert isinstance(files, dict)
        return Owner(
            kind,
            f"{_SAID[kind]}{named}{when}",
            {str(k): str(v) for k, v in files.items()},
            data.get("msp_cost") is True,
            True,
        )
    if os.path.lexists(directory / "tenants.json"):
        return Owner(RunKind.FLEET, f"{_SAID[RunKind.FLEET]} (tenants.json)", {}, True, False)
    if os.path.lexists(directory / "report.json"):
        return Owner(None, "a report written by an earlier version (report.json, no run.json)", {}, False, False)
    return None


def claim(directory: Path, kind: RunKind, flag: str = "--output-dir") -> None:
    """Refuse (UsageError, exit 2) a folder another kind of run owns, before anything in it is moved or written."""
    found = owner(directory)
    if found is None or found.admits(kind):
        return
    raise UsageError(
        f"{flag} {directory}: the folder holds {found.what}; {_WRITER[kind]} writes into a folder of its own "
        "(a folder belongs to one run, so that no report, digest or license list of one is read or e-mailed as "
        f"the other's): give another {flag}, or move that run's files away first"
    )


def refuse_fleet_tenant(directory: Path, flag: str = "--output-dir") -> None:
    """Refuse (UsageError, exit 2) one tenant's `audit` on its own into a tenant's folder of `audit --tenants`
    (the folder above holds that run's record): its report would stand in the roll-up as the many-tenant
    run's, which names this tenant's folder as its own. The many-tenant run's own audits are not refused."""
    parent = directory.resolve().parent
    try:
        found = owner(parent)
    except UsageError:  # the folder above holds an unreadable run.json: not known to be a many-tenant run
        return
    if found is not None and found.kind is RunKind.FLEET:
        raise UsageError(
            f"{flag} {directory}: the folder is a tenant's of `audit --tenants`, whose roll-up is in {parent}; a "
            f"one-tenant `audit` writes into a folder of its own: give another {flag}, or run `audit --tenants` again"
        )


def record(
    directory: Path,
    kind: RunKind,
    written: Iterable[Path],
    *,
    tenant: str = "",
    generated_at: str = "",
    msp_cost: bool = False,
) -> Path:
    """Write DIR/run.json: the run's kind and each of its files in DIR with its SHA-256 (the last file a run writes)."""
    files = {p.name: digest(p) for p in sorted(set(written)) if p.parent == directory and p.name != RECORD}
    doc = {
        "kind": kind.value,
        "tenant": tenant,
        "generated_at": generated_at,
        "msp_cost": msp_cost,
        "files": files,
    }
    path = directory / RECORD
    write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


def check_parts(directory: Path, names: Iterable[str], *, kinds: Iterable[RunKind]) -> Owner:
    """The folder's owner when each of `names` that exists in it is a file its run.json names with that
    SHA-256 and the run is of one of `kinds`; else UsageError (exit 2) naming what does not belong."""
    found = owner(directory)
    allowed = set(kinds)
    if found is None or not found.recorded:
        what = found.what if found is not None else "no report"
        raise UsageError(
            f"{directory}: {what}: without run.json nothing tells that its files come from one run; "
            f"audit again into this folder (or give the folder a run wrote)"
        )
    if found.kind not in allowed:
        hint = (
            f"; the roll-up goes to the MSP with `rollup {directory} --output-dir DIR --email-to ...`, and each "
            f"customer's report is in its own folder, {directory}/<key>/"
            if found.kind is RunKind.FLEET
            else ""
        )
        raise UsageError(f"{directory}: the folder holds {found.what}, not what is e-mailed from it{hint}")
    for name in names:
        path = directory / name
        if not os.path.lexists(path):
            continue
        if path.is_symlink() or not path.is_file():
            raise UsageError(f"{path} is not a file the run wrote (a link or a folder): nothing is sent")
        if found.files.get(name) != digest(path):
            raise UsageError(
                f"{path} is not the file the run that wrote {directory / RECORD} wrote ({found.what}): "
                "another run wrote it or it was changed since; nothing is sent — audit again into a folder of "
                "its own"
            )
    return found
