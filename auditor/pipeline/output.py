"""The last two stages (auditor/pipeline/__init__.py): the files written into the output folder, then
the chat webhook and the e-mail."""

from __future__ import annotations

from pathlib import Path

from auditor.common.errors import EXIT_COLLECTION, EXIT_DELIVERY, DeliveryError, UsageError, clean_message
from auditor.common.run_record import RunKind
from auditor.common.staging import staging_dir, swap
from auditor.data.model import AuditResult
from auditor.delivery.options import EmailOptions
from auditor.delivery.send import send_report
from auditor.formats.report_model import ReportDocument
from auditor.migration.headline import migration_lines
from auditor.policyset.config_problems import not_said_again, said
from auditor.report.chunks import available_workers
from auditor.report.write import RenderOptions
from auditor.report.write import render as write_files

from .folder import record_run, run_files
from .prepare import check_stop, say
from .values import Documented, Rendered


def render(documented: Documented) -> Rendered:
    """report.json, .html, .md, findings.csv and the digest as the options ask, the license list written
    during the evaluation, the nightly's files and run.json naming them, all written into the staging
    folder and then swapped into the output folder in one step, the last run's into previous/
    (auditor.common.staging); then the history record."""
    prepared, evaluated, document = documented.prepared, documented.evaluated, documented.document
    options, nightly = prepared.options, prepared.nightly
    out_dir = staging_dir(prepared.out_dir)
    check_stop(options.source.stop)  # ended from outside (audit --tenants' time limit): nothing is written
    migration = prepared.migration
    headlines = migration_lines(migration, evaluated.locale, prepared.as_of.date()) if migration is not None else ()
    written = write_files(
        document,
        out_dir,
        RenderOptions(
            formats=options.formats,
            locale=evaluated.locale,
            cloud=evaluated.cloud,
            redact=options.redact,
            workers=available_workers() if prepared.alone else 1,
        ),
        plan=documented.plan,
        remediation=documented.remediation,
        headlines=headlines,
    )
    written += evaluated.listed
    check_stop(options.source.stop)  # nor its history, which the next night compares with
    with_csv = any(f.value == "csv" for f in options.formats)
    written += nightly.write(document, out_dir, locale=evaluated.locale, with_csv=with_csv)
    record_run(out_dir, RunKind.TENANT, written, document)
    check_stop(options.source.stop)  # ended from outside meanwhile: the last report stays
    try:
        swap(prepared.out_dir, run_files(prepared.out_dir))
        written = [prepared.out_dir / p.name if p.parent == out_dir else p for p in written]
    except OSError as exc:
        raise UsageError(f"--output-dir: cannot write to {prepared.out_dir}: {exc.strerror or exc}") from None
    written += nightly.remember(document)  # a run whose reports are in place
    prepared.timings.mark("render")
    prepared.timings.report()
    return Rendered(prepared, documented, tuple(written))


def deliver(rendered: Rendered) -> int:
    """What the run says on stderr, then the webhook and the e-mail unless nothing changed (--notify-when);
    the exit code."""
    documented, prepared = rendered.documented, rendered.prepared
    document, code = documented.document, documented.code
    print_outcome(documented.result, document, rendered.written)
    if not documented.notify.send:
        say(f"nothing changed since the last run: no e-mail or webhook post (--notify-when {documented.when})")
        return code
    check_stop(prepared.options.source.stop)  # nor sent
    code = prepared.nightly.deliver(document, code, prepared.options.redact)
    return code if prepared.email is None else _send(prepared.email, prepared.out_dir, code)


def _send(options: EmailOptions, out_dir: Path, code: int) -> int:
    try:
        sent = send_report(out_dir, options)
    except DeliveryError as exc:
        say(f"license-auditor: error: {exc}")
        # Incomplete data (3) says more about the report than a failed e-mail does.
        return code if code == EXIT_COLLECTION else EXIT_DELIVERY
    say(sent)
    return code


def _safe(text: str) -> str:
    """Tenant text for one log line: clean_message, and no line breaks."""
    return clean_message(text).replace("\n", " ")


def print_outcome(result: AuditResult, document: ReportDocument, written: tuple[Path, ...]) -> None:
    summary = document.summary
    sev = ", ".join(f"{n} {s}" for s, n in summary.by_severity.items() if n)
    say(
        f"license-auditor: {_safe(result.tenant_name or result.tenant_id)}: {summary.unwaived} findings"
        f"{' (' + sev + ')' if sev else ''}, {summary.waived} waived"
    )
    for problem in document.config_problems or ():  # what the configuration says in vain, where it says it
        say(f"warning: {_safe(said(problem))}")
    for w in not_said_again(document.warnings or result.warnings, document.config_problems or ()):
        say(f"warning: {_safe(w)}")
    if not result.complete:
        names = ", ".join(sorted({n.rule for n in result.not_evaluated if n.only is None})) or "none"
        # a rule evaluated on the rest of the data, a gap hiding some of its judgements (NotEvaluated.only)
        partly = "".join(f"; {n.rule} judged in part: {n.reason}" for n in result.not_evaluated if n.only is not None)
        missing = "; ".join(g.dataset + ": " + g.reason for g in result.gaps) or "; ".join(
            sorted({n.reason for n in result.not_evaluated})
        )
        say(f"INCOMPLETE: {_safe(missing)}; rules not evaluated: {names}{_safe(partly)}")
    for path in written:
        say(f"wrote {path}")
