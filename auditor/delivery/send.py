"""send_report: one report directory -> one message -> SMTP or Graph sendMail; send_mail: a message built elsewhere
(the roll-up of many tenants)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .content import ReportMail, build_mail, run_url_from_env
from .options import EmailOptions, Transport


def send_report(report_dir: Path, options: EmailOptions, *, environ: Mapping[str, str] | None = None) -> str:
    """E-mail the report in `report_dir` to `options.recipients`; raise DeliveryError (exit 4) when it
    fails. Returns what was sent, in one line for the console."""
    env = os.environ if environ is None else environ
    mail = build_mail(
        Path(report_dir), attachment_limit=options.effective_attachment_limit, run_url=run_url_from_env(env)
    )
    send_mail(mail, options, env)
    return sent(mail, options)


def sent(mail: ReportMail, options: EmailOptions) -> str:
    """What went out: "e-mailed 'SUBJECT' to ADDR via smtp (HOST), with report.html, findings.csv"."""
    via = f"graph (as {options.sender})" if options.via is Transport.GRAPH else f"smtp ({options.smtp_host})"
    files = ", ".join(a.filename for a in mail.attachments()) or "no attachment"
    return f"e-mailed {mail.subject!r} to {', '.join(options.recipients)} via {via}, with {files}"


def send_mail(mail: ReportMail, options: EmailOptions, env: Mapping[str, str]) -> None:
    """Send `mail` the way `options` say; raise DeliveryError (exit 4) when it fails."""
    if options.via is Transport.GRAPH:
        from .graph import send_graph  # the Graph SDK: only when a message goes through Graph

        send_graph(mail, options)
    else:
        from .smtp import send_smtp  # smtplib and ssl: only when a message goes through SMTP

        send_smtp(mail, options, env)
