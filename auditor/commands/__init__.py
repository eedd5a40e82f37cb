"""The commands behind the command line (auditor/cli.py parses; these run): audit, merge, collect,
schema, email (the policy files' init and validate: auditor/commands/policy.py). Imported only once a
command runs, so `--help` loads none of it. The audit itself is auditor.pipeline's stages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditor.common.errors import EXIT_OK
from auditor.common.run_record import RECORD, RunKind, claim
from auditor.common.timestamps import now_or_pinned
from auditor.data.model import Locale
from auditor.pipeline.arguments import AuditOptions
from auditor.policyset.schema import schema_text

from .. import wording
from ..apply.arguments import WriteOptions
from ..delivery.arguments import run_email_command
from ..graph.arguments import CollectCommandOptions, GraphSource
from ..merge.arguments import MergeOptions
from ..merge.document import build_merged_document
from ..merge.run import merge
from ..pipeline import audit
from ..pipeline.exit_codes import document_exit_code
from ..pipeline.folder import locked_output_dir, record_run
from ..pipeline.prepare import as_of_flag, mail_adapter, policy_set, say
from ..report.write import RenderOptions, render
from ..rules.requests import requests_of


def cmd_audit(args: argparse.Namespace) -> int:
    """`audit` (one tenant): its flags made into AuditOptions, then the audit."""
    return run_audit(AuditOptions.of(args))


def run_audit(options: AuditOptions) -> int:
    """One tenant's audit with `options`, which it never changes: auditor.pipeline's stages (prepare,
    collect, evaluate, document, render, deliver); the exit code."""
    return audit(options)


def cmd_merge(options: MergeOptions) -> int:
    """`merge`: the tenants' outputs into one cross-tenant report, with `options`."""
    as_of = as_of_flag(options.as_of)
    policies = policy_set(options.policies)
    result = merge(options.dirs, policies, as_of)
    locale = options.locale or policies.locale or Locale.EN
    document = build_merged_document(result, generated_at=now_or_pinned(), locale=locale, remediate=wording.remediation)
    out_dir = Path(options.output_dir)
    with locked_output_dir(out_dir):
        claim(out_dir, RunKind.MERGE)  # a folder another kind of run owns is refused before anything is written
        (out_dir / RECORD).unlink(missing_ok=True)  # the last merge's record goes first: a failed write leaves none
        written = render(
            document, out_dir, RenderOptions(formats=options.formats, locale=locale, redact=options.redact)
        )
        record_run(out_dir, RunKind.MERGE, written, document)
    cross = sum(1 for f in document.findings if f.tenant is None and not f.waived)
    say(
        f"{result.name}: {len(result.tenants)} tenants, {result.identities} licensed identities, "
        f"{cross} cross-tenant findings, {document.summary.unwaived} findings in all"
    )
    for w in document.warnings:
        say(f"warning: {w}")
    if not document.complete:
        partial = sorted({t.name or t.id for t in document.tenants or () if not t.complete})
        reasons = dict.fromkeys([g["reason"] for g in result.gaps] + [n["reason"] for n in result.not_evaluated])
        say("INCOMPLETE: " + "; ".join([*(f"tenant {n} has incomplete data" for n in partial), *reasons]))
    for path in written:
        say(f"wrote {path}")
    return document_exit_code(document, options.fail_on, options.allow_gaps)


def cmd_collect(options: CollectCommandOptions) -> int:
    """`collect`: the tenant from Graph into a snapshot file, reading what the policies need."""
    policies = policy_set(options.policies, options.source.demo)
    from auditor.graph_cli import collect_command  # the Graph SDK: only `collect` and live audits load it

    return collect_command(
        options.source,
        options.output,
        allow_gaps=options.allow_gaps,
        group_refs=policies.group_refs,
        requests=requests_of(policies),
    )


def cmd_schema(args: argparse.Namespace) -> int:

    sys.stdout.write(schema_text())
    return EXIT_OK


def cmd_email(args: argparse.Namespace) -> int:
    """`email`: with --via graph it signs in like `audit` (--tenant-id, --auth, --cloud, --graph-endpoint)."""
    return run_email_command(args, graph_adapter_factory=mail_adapter(GraphSource.of(args)))


def cmd_apply(options: WriteOptions) -> int:
    """`apply PLAN`: auditor.apply.run's, with the plan compiled again at the call by the audit's own stages
    (auditor.pipeline.recompile): the file selects among the changes the tool would make now."""
    from ..apply.run import cmd_apply as apply_command  # the write path loads for apply only (start-up)
    from ..pipeline.recompile import recompile  # likewise

    return apply_command(options, recompile)
