"""The output folder of a run: locked for the whole run, what an interrupted run left finished or
undone before anything is read, and run.json, the record of what this run wrote. `audit` and `merge`
use it; an audit writes its files into a staging folder first and swaps them in, the last run's into
previous/, in one step (auditor.common.staging)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from auditor.common.errors import UsageError
from auditor.common.outputs import FLEET_TENANT_FILES, PREVIOUS, output_dir, output_lock
from auditor.common.run_record import RECORD, RunKind, record
from auditor.common.staging import fresh_staging
from auditor.formats.report_model import ReportDocument
from auditor.insights.nightly import extra_outputs
from auditor.plan.exchange import EXCHANGE_FILE
from auditor.plan.write import BATCH_NAME, PLAN_FILE, PLAN_MD
from auditor.report import feature_map_files, licensed_users
from auditor.report.write import DIGEST_FILES, FILE_NAMES

# run.json last: the record of which run wrote the others (auditor.common.run_record), moved aside with them
REPORT_FILES = (*FILE_NAMES.values(), *DIGEST_FILES, licensed_users.FILE_NAME, *feature_map_files.FILE_NAMES, RECORD)


def plan_files(directory: Path) -> tuple[str, ...]:
    """The files `plan` wrote from the folder's report (plan.json, plan.md, its batches and
    exchange-steps.ps1): a plan of that report, so they go into previous/ with it."""
    names = [PLAN_FILE, PLAN_MD, EXCHANGE_FILE, *(p.name for p in directory.glob("batch-*.json"))]
    return tuple(n for n in names if BATCH_NAME.match(n) or n in (PLAN_FILE, PLAN_MD, EXCHANGE_FILE))


def run_files(directory: Path, extra: Callable[[Path], tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The names of a run's files in DIR (the reports, the many-tenant run's files beside a tenant's
    report, the nightly's other files, and the plan made from the report): what leaves DIR for previous/
    together when the next run's report comes in."""
    more = extra(directory) if extra is not None else extra_outputs(directory)
    return tuple(dict.fromkeys(REPORT_FILES + FLEET_TENANT_FILES + more + plan_files(directory)))


def prepare_output_dir(path: Path, extra: Callable[[Path], tuple[str, ...]] | None = None) -> list[str]:
    """Fail before collecting if reports cannot be written, finish or undo what an interrupted run left
    (staging.recover), and make the staging folder this run writes into; the last run's reports stay in
    DIR until this run's are written whole, then one swap moves them into previous/ (auditor.common.staging).
    `extra`: the names of the other files a run leaves in DIR.

    Report files without their run.json (a run of an earlier version, interrupted while it wrote) are
    never moved over a complete report in previous/ (one with its run.json): they are removed instead,
    and named in the list returned. Called with the directory's lock held (see locked_output_dir)."""
    removed: list[str] = []
    try:
        fresh_staging(path, run_files(path, extra))  # an interrupted swap finished (or undone) first
        kept = path / PREVIOUS
        if kept.is_symlink() or (kept.exists() and not kept.is_dir()):
            raise UsageError(
                f"{kept} is a symbolic link or a file; the previous reports go into a directory "
                "of that name — remove it"
            )
        names = run_files(path, extra)
        reports = any(os.path.lexists(path / name) for name in REPORT_FILES)
        if reports and kept.is_dir() and not os.path.lexists(path / RECORD) and (kept / RECORD).is_file():
            removed = [name for name in names if os.path.lexists(path / name) and not (path / name).is_dir()]
            for name in removed:
                (path / name).unlink()
    except OSError as exc:
        raise UsageError(f"--output-dir: cannot write to {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK):
        raise UsageError(f"--output-dir: cannot write to {path}: permission denied")
    return removed


@contextlib.contextmanager
def locked_output_dir(path: Path) -> Iterator[None]:
    """Create DIR if needed and hold its lock for the whole run (a second run into it exits 2)."""
    with output_lock(output_dir(path)):
        yield


def record_run(out_dir: Path, kind: RunKind, written: Sequence[Path], document: ReportDocument) -> None:
    """run.json: the files this run wrote into `out_dir` (what `email` checks every part against)."""
    record(
        out_dir,
        kind,
        written,
        tenant=document.tenant.name or document.tenant.id or "",
        generated_at=str(document.generated_at or ""),
        msp_cost=document.shows_msp_cost(),  # the distributor's cost and margin, the PSA's differences
    )
