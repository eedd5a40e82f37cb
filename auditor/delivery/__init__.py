"""Delivery stage: e-mail a written report directory over SMTP or Microsoft Graph sendMail.

    send_report(report_dir, options)   read report.json/.html/.md + findings.csv, build one message, send it
    add_email_arguments(parser)        shared flags (--email-to, --via, --smtp-*, --from, --sender)
    add_email_command(subparsers)      the `email --report-dir DIR --to ADDR...` command
    options_from_args(args)            parsed flags -> EmailOptions (None when no recipient)

Failures raise auditor.errors.DeliveryError (exit 4) with one line naming the server or request;
the report files are never touched. Passwords and tokens are never part of a message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .arguments import add_email_arguments, add_email_command, options_from_args, run_email_command
from .content import ReportMail, build_mail, run_url_from_env, subject_for
from .options import EmailOptions, SmtpSecurity, Transport

__all__ = [
    "EmailOptions",
    "ReportMail",
    "SmtpSecurity",
    "Transport",
    "add_email_arguments",
    "add_email_command",
    "build_mail",
    "options_from_args",
    "run_email_command",
    "run_url_from_env",
    "send_report",
    "subject_for",
]


def send_report(report_dir: Path, options: EmailOptions, *, environ: Mapping[str, str] | None = None) -> None:
    """E-mail the report in `report_dir` to `options.recipients`; raise DeliveryError (exit 4) when it fails."""
    env = os.environ if environ is None else environ
    mail = build_mail(Path(report_dir), attachment_limit=options.effective_attachment_limit,
                      run_url=run_url_from_env(env))
    if options.via is Transport.GRAPH:
        from .graph import send_graph

        send_graph(mail, options)
    else:
        from .smtp import send_smtp

        send_smtp(mail, options, env)
