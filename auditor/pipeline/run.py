"""One tenant's audit: the stages of auditor/pipeline/__init__.py, in order, with the output folder
locked from before the tenant is read to after the e-mail is sent."""

from __future__ import annotations

import contextlib
import gc

from auditor.common.cycles import collection_paused
from auditor.common.errors import UsageError
from auditor.common.heap import give_back, map_large_blocks
from auditor.common.run_record import RunKind, claim, refuse_fleet_tenant
from auditor.common.staging import retire, settle
from auditor.insights.nightly import extra_outputs
from auditor.pipeline.arguments import AuditOptions, Handed

from .assemble import document
from .collect import collect, distributor_seats
from .evaluate import evaluate
from .folder import locked_output_dir, prepare_output_dir, run_files
from .output import deliver, render
from .prepare import check_stop, prepare, say
from .values import Documented, Prepared, Rendered


def audit(options: AuditOptions) -> int:
    """One tenant's audit with `options`, which it never changes; the exit code."""
    prepared = prepare(options)
    distributor_seats(options, None)  # its file and the distributors' credentials, before the tenant is read
    if options.handed is not None:  # apply's fresh compile: the document in memory, nothing written
        return _hand(prepared, options.handed)
    out_dir = prepared.out_dir
    with locked_output_dir(out_dir), contextlib.ExitStack() as paused:
        claim(out_dir, RunKind.TENANT)  # a folder another kind of run owns is refused before anything moves
        if prepared.alone:  # on its own, not one of `audit --tenants`: never into one of that run's tenants' folders
            refuse_fleet_tenant(out_dir)
        prepared.nightly.check_outputs()  # a usage error (the history file) before anything is moved
        removed = prepare_output_dir(out_dir, extra_outputs)
        if removed:
            say(
                f"removed {', '.join(removed)} from {out_dir}: an interrupted run's files (no run.json); "
                "previous/ keeps the last complete report"
            )
        try:
            rendered = _report(prepared, paused)
        except Exception:
            # a run that failed leaves no report to be read as today's: the last one moved into previous/
            # in one step (what cannot be now, e.g. a many-tenant run clearing the folder meanwhile, the
            # next run recovers)
            with contextlib.suppress(OSError, UsageError):
                retire(out_dir, run_files(out_dir, extra_outputs))
            raise
        except BaseException:
            # interrupted (Ctrl-C, a signal): the folder as it was, or this run's report if it was
            # written whole (its swap finished), never a part of one
            with contextlib.suppress(OSError, UsageError):
                settle(out_dir, run_files(out_dir, extra_outputs))
            raise
        paused.close()  # the collector runs again before anything is sent
        return deliver(rendered)


def _report(prepared: Prepared, paused: contextlib.ExitStack) -> Rendered:
    """Read, evaluate and report the tenant into the staging folder, swapped in at the end."""
    return render(_documented(prepared, paused))


def _hand(prepared: Prepared, hand: Handed) -> int:
    """apply's fresh compile (AuditOptions.handed): the tenant read and evaluated, and the document with each
    finding's calls handed over; no folder is locked, moved or written (no report, no run.json: the compile
    reads none of them) and nothing is sent. Only those two outlive the audit: its plan and its evaluation are
    freed when it returns, before the handed document is compiled. The audit's exit code."""
    with contextlib.ExitStack() as paused:
        documented = _documented(prepared, paused)
    check_stop(prepared.options.source.stop)  # ended from outside meanwhile: nothing is handed
    hand(documented.document, documented.remediation.actions)
    return documented.code


def _documented(prepared: Prepared, paused: contextlib.ExitStack) -> Documented:
    """Read and evaluate the tenant, and build its document."""
    alone = prepared.alone
    prepared.timings.mark("policies")
    # the tenant is read, evaluated and reported from memory with the cycle collector paused
    # (auditor.common.cycles); an audit among many (auditor.fleet's) reads its tenant with it running:
    # their collections free the cycles those reads leave (docs/performance.md)
    if alone:
        paused.enter_context(collection_paused())
    map_large_blocks()  # a page's body unmapped when freed, not left resident in the C heap (auditor.common.heap)
    collected = collect(prepared)
    if alone:
        gc.collect()  # the collection's few cycles (its requests' and tasks'), once
    give_back()  # what the collection freed in the C heap, which the evaluation's small objects cannot use
    if not alone:
        paused.enter_context(collection_paused())
    prepared.timings.mark("collect")
    return document(evaluate(collected))
