"""The plan a write is bound to, by the SHA-256 of its bytes: one place for every write kind (the licence
changes, commerce, the distributor, and each undo).

- `plan_bytes`: a file's bytes when, and only when, their SHA-256 is the one named (the one re-check);
- `read_again`: plan.json read again for the part of it a run sends (its bill): the bytes load_plan hashed;
- `changes_again`: plan.json read whole again, its changes with it, after the fresh compile's read;
- `keep_plan` / `kept_plan`: the copy apply keeps beside its journal, `plan-<SHA-256, 16 digits>.json`;
- `plan_beside` / `find_plan`: a journal's plan found by the SHA-256 its lines carry (plan.json beside it, else
  the kept copy), or given with --plan.

A file found this way only selects: what a write may do is decided at the call from the sources.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from auditor.common.errors import UsageError
from auditor.common.outputs import write_bytes

from ..formats.plan_json import PlanFile, PlanFileError, Where, load_plan, read_bounded
from .journal import Journal, JournalError


def bears(data: bytes, sha256: str) -> bool:
    """Whether `data` are the bytes of that SHA-256: the one re-check of a plan's bytes."""
    return hashlib.sha256(data).hexdigest() == sha256


def plan_bytes(path: Path, sha256: str) -> bytes | None:
    """The file's bytes (at most a plan's size) when their SHA-256 is `sha256`; None otherwise or unreadable."""
    try:
        data = read_bounded(path, Where(path), "a plan")
    except PlanFileError:
        return None
    return data if bears(data, sha256) else None


def kept_plan(directory: Path, sha256: str) -> Path:
    """Where apply keeps a copy of the plan it applies, beside its journal: `plan-<SHA-256, 16 digits>.json`.
    A later `plan` may write a new plan.json into the same folder; undo still finds the journal's own."""
    return directory / f"plan-{sha256[:16]}.json"


def read_again(plan: PlanFile) -> bytes:
    """plan.json read again for a part of it apply runs (its bill's commerce or distributor changes): its
    bytes must be the ones load_plan hashed, else the plan changed since apply read it (UsageError, exit 2:
    nothing is sent from a plan apply did not check)."""
    data = read_bounded(plan.path, Where(plan.path), "a plan")
    if not bears(data, plan.sha256):
        raise _changed(plan)
    return data


def changes_again(plan: PlanFile) -> PlanFile:
    """plan.json read whole again, its changes with it: apply lets them go while its fresh compile reads the
    tenant, where its memory peaks (auditor.apply.run), and reads them here from the bytes load_plan hashed,
    else the plan changed since apply read it (UsageError, exit 2, before anything is written)."""
    again = load_plan(plan.path)
    if again.sha256 != plan.sha256:
        raise _changed(plan)
    return again


def _changed(plan: PlanFile) -> PlanFileError:
    return Where(plan.path).error(
        "",
        f"the plan changed since apply read it (its sha256 is no longer {plan.sha256[:12]}…): nothing is sent "
        "from it; run apply again",
    )


def plan_paths(directory: Path, sha256: str, named: str = "plan.json") -> tuple[Path, Path]:
    """Where a journal's plan is looked for, in order: the file its lines name beside it (plan.json), else the
    copy apply kept (a later plan may have replaced plan.json)."""
    return directory / named, kept_plan(directory, sha256)


def plan_beside(directory: Path, sha256: str, named: str = "plan.json") -> PlanFile | None:
    """The plan of that SHA-256 beside a journal (plan_paths), read whole; None when neither is it."""
    for path in plan_paths(directory, sha256, named):
        try:
            plan = load_plan(path)
        except PlanFileError:
            continue
        if plan.sha256 == sha256:
            return plan
    return None


def keep_plan(plan: Path, directory: Path, sha256: str) -> None:
    """Copy `plan` (of that SHA-256) to kept_plan(directory, sha256) unless it is there already."""
    target = kept_plan(directory, sha256)
    if target.resolve() == plan.resolve() or plan_bytes(target, sha256) is not None:
        return
    data = plan_bytes(plan, sha256)
    if data is None:  # changed since it was read: keep nothing rather than another
        raise JournalError(f"{plan} changed while apply read it; run apply again")
    try:
        write_bytes(target, [data])
    except OSError as exc:
        raise JournalError(f"cannot keep a copy of the plan as {target}: {exc.strerror or exc}") from None


def find_plan(journal: Journal, given: str | None) -> PlanFile:
    """The plan the journal was applied from: --plan, else the file its lines name beside it; its
    SHA-256 must be the one the lines carry (UsageError, exit 2, otherwise)."""
    file, sha = journal.plan
    if given:
        plan = load_plan(Path(given))
        if sha is not None and plan.sha256 != sha:
            raise UsageError(
                f"--plan {given}: its SHA-256 is {plan.sha256}, but the journal {journal.path} was "
                f"applied from a plan with SHA-256 {sha}"
            )
    elif sha is None:
        raise UsageError(
            f"{journal.path}: its lines name no plan (a journal written before journals carried the "
            "plan's SHA-256): give the plan it was applied from with --plan"
        )
    else:
        found = plan_beside(journal.path.parent, sha, Path(file or "plan.json").name)
        if found is None:
            raise UsageError(
                f"{journal.path}: the plan it was applied from ({file}, SHA-256 {sha}) is not beside it; "
                "give it with --plan (undo touches only the users and groups that plan names)"
            )
        plan = found
    if plan.tenant_id != journal.tenant_id:
        raise UsageError(f"the plan {plan.path} is for tenant {plan.tenant_id}, the journal for {journal.tenant_id}")
    return plan
