"""Delivery stage: e-mail a written report directory over SMTP or Microsoft Graph sendMail.

    send_report(report_dir, options)   read report.json/.html/.md + findings.csv, build one message, send it
    add_email_arguments(parser)        shared flags (--email-to, --via, --smtp-*, --from, --sender)
    add_email_command(subparsers)      the `email --report-dir DIR --to ADDR...` command
    options_from_args(args)            parsed flags -> EmailOptions (None when no recipient)

Failures raise auditor.common.errors.DeliveryError (exit 4) with one line naming the server or request;
the report files are never touched. Passwords and tokens are never part of a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.common.lazy import lazy_exports

if TYPE_CHECKING:
    from .arguments import add_email_arguments, add_email_command, options_from_args, run_email_command
    from .content import ReportMail, build_mail, run_url_from_env, subject_for
    from .options import EmailOptions, SmtpSecurity, Transport
    from .send import send_report

# Loaded on first use: building the command line needs only the flags (arguments.py).
_WHERE = {
    "add_email_arguments": "arguments",
    "add_email_command": "arguments",
    "options_from_args": "arguments",
    "run_email_command": "arguments",
    "ReportMail": "content",
    "build_mail": "content",
    "run_url_from_env": "content",
    "subject_for": "content",
    "EmailOptions": "options",
    "SmtpSecurity": "options",
    "Transport": "options",
    "send_report": "send",
}
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


__getattr__ = lazy_exports(__name__, _WHERE)
