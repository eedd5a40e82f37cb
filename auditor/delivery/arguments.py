"""Command-line surface of e-mail delivery: shared flags, the `email` command, and args -> EmailOptions."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.common.errors import AuditorError, UsageError, clean_message

from .options import EmailOptions, SmtpSecurity, Transport, split_addresses

if TYPE_CHECKING:
    from kiota_abstractions.request_adapter import RequestAdapter

    from auditor.formats.report_model import Notify

AdapterFactory = Callable[[], "RequestAdapter"]


def add_email_arguments(
    parser: argparse.ArgumentParser, *, recipients_flag: str = "--email-to", required: bool = False
) -> None:
    """Flags shared by `audit --email-to` and `email --to`. Secrets are never flags: see SMTP_USERNAME/SMTP_PASSWORD."""
    group = parser.add_argument_group("e-mail delivery")
    # one name everywhere (`audit`, `rollup` and `email` say --email-to); `email --to` still works
    names = ("--email-to", "--to") if recipients_flag == "--to" else (recipients_flag,)
    group.add_argument(
        *names,
        dest="email_to",
        metavar="ADDR",
        action="extend",
        nargs="+",
        required=required,
        default=[],
        help="send the report to ADDR (repeatable; commas also separate addresses)",
    )
    group.add_argument(
        "--via",
        choices=[t.value for t in Transport],
        default=None,
        help="transport: smtp (default) or graph (default when --sender is given)",
    )
    group.add_argument("--from", dest="email_from", metavar="ADDR", help="From address for SMTP")
    group.add_argument("--smtp-host", metavar="HOST", help="SMTP relay host name")
    group.add_argument(
        "--smtp-port",
        metavar="PORT",
        type=int,
        help="SMTP port (default 587 with --smtp-starttls, 465 with --smtp-ssl, else 25)",
    )
    tls = group.add_mutually_exclusive_group()
    tls.add_argument(
        "--smtp-starttls",
        dest="smtp_security",
        action="store_const",
        const=SmtpSecurity.STARTTLS.value,
        help="upgrade the connection with STARTTLS (certificate verified)",
    )
    tls.add_argument(
        "--smtp-ssl",
        dest="smtp_security",
        action="store_const",
        const=SmtpSecurity.SSL.value,
        help="connect with implicit TLS, SMTPS (certificate verified)",
    )
    group.add_argument(
        "--smtp-ca-file",
        metavar="PEM",
        type=Path,
        help="trust the CA certificates in PEM (for a relay with a private CA)",
    )
    group.add_argument(
        "--sender", metavar="MAILBOX", help="send through Microsoft Graph as MAILBOX (POST /users/MAILBOX/sendMail)"
    )


def options_from_args(
    args: argparse.Namespace,
    *,
    graph_adapter_factory: AdapterFactory | None = None,
    recipients_instead: Sequence[str] | None = None,
) -> EmailOptions | None:
    """EmailOptions for the parsed flags, or None when no recipient was given. `recipients_instead`:
    these recipients, not --email-to's (`lists`: one tenant's list_to)."""
    given = getattr(args, "email_to", None) or [] if recipients_instead is None else recipients_instead
    recipients = split_addresses(given)
    if not recipients:
        return None
    via = Transport(args.via) if args.via else (Transport.GRAPH if args.sender else Transport.SMTP)
    return EmailOptions(
        recipients=recipients,
        via=via,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        smtp_security=SmtpSecurity(args.smtp_security or SmtpSecurity.NONE.value),
        smtp_ca_file=args.smtp_ca_file,
        from_address=args.email_from,
        sender=args.sender,
        graph_adapter_factory=graph_adapter_factory,
    )


def add_email_command(subparsers: Any, *, parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
    """Register `email --report-dir DIR --to ADDR...`. Pass the Graph connection flags as `parents` for --via graph."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "email",
        parents=list(parents),
        allow_abbrev=False,  # a prefix of an option is not taken for it (`--t` for `--to`)
        help="e-mail an existing report directory",
        description="E-mail the report in --report-dir: HTML body, plain-text alternative, findings.csv attached.",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="directory holding report.json, report.html, report.md, findings.csv (default: reports)",
    )
    add_email_arguments(parser, recipients_flag="--to", required=True)
    parser.add_argument(
        "--include-msp-cost",
        action="store_true",
        help="send a report whose distributor section shows the MSP's cost and margin (to the MSP itself); "
        "without it such a report is refused: a customer never gets the MSP's cost (docs/msp.md)",
    )
    parser.set_defaults(func=run_email_command)
    return parser


def run_email_command(args: argparse.Namespace, *, graph_adapter_factory: AdapterFactory | None = None) -> int:
    """The `email` command: 0 when sent; raises DeliveryError (exit 4) or UsageError (exit 2)."""
    from .send import send_report  # the message builder (it reads the report): not loaded by `--help`

    options = options_from_args(args, graph_adapter_factory=graph_adapter_factory)
    if options is None:
        raise UsageError("no e-mail recipients: give at least one --email-to address")
    _refuse_msp_cost(args.report_dir, shown=not getattr(args, "include_msp_cost", False))
    notify = _notify(args.report_dir)
    if notify is not None and not notify.send:  # audit --notify-when changed: nothing changed
        print("nothing changed since the last run: no e-mail (report.json notify.send is false)", file=sys.stderr)
        return 0
    print(clean_message(send_report(args.report_dir, options)), file=sys.stderr)
    return 0


def _refuse_msp_cost(report_dir: Path, *, shown: bool) -> None:
    """UsageError (exit 2) when the report's parts are not all of one report's run (the roll-up of
    `audit --tenants` among them, whatever the flags), or, unless `shown` is False (--include-msp-cost),
    when its rendered files show the MSP's cost and margin at the distributor (as run.json and
    report.json say): an audit written without e-mail is the MSP's, and `email` cannot tell the MSP's
    recipients from the customer's."""
    from .content import load_report, parts_of_one_run  # loaded when the command runs, not for `--help`

    report = load_report(Path(report_dir))  # the roll-up, a folder without a report: refused first
    # every part from one run, and that run's own word on its files
    recorded = parts_of_one_run(Path(report_dir)).msp_cost
    if shown and (recorded or report.shows_msp_cost()):
        raise UsageError(
            f"{report_dir}: the report shows the MSP's cost and margin at the distributor or its differences "
            "with its PSA (report.json distributor or psa, not mailed_to_customer): it is not sent to a customer; "
            f"{_audit_again(Path(report_dir))}, or give --include-msp-cost to send it to the MSP"
        )


def _audit_again(report_dir: Path) -> str:
    """How to get the report written for the customer's e-mail: a tenant's folder of `audit --tenants` (the
    folder above it is the many-tenant run's) is mailed by that run, which refuses --email-to."""
    from auditor.common.run_record import RunKind, owner  # with the report's reader: not for `--help`

    try:
        fleet = (found := owner(report_dir.resolve().parent)) is not None and found.kind is RunKind.FLEET
    except UsageError:  # the folder above holds an unreadable run.json: not known to be a many-tenant run
        fleet = False
    if fleet:
        return (
            "this folder is a tenant's of `audit --tenants`, which mails each tenant its report to the email_to "
            "the tenants file gives it: run it again with --smtp-host HOST --from ADDR (or --sender) (its files "
            "leave them out)"
        )
    return "audit again with --email-to (its files leave them out)"


def _notify(report_dir: Path) -> Notify | None:
    """report.json's `notify` (audit --notify-when), None when the report has none; read as
    send_report reads it (auditor.delivery.content.load_report), so a report it would refuse (another
    schema_version, not a report) is refused here (exit 2), never taken as "nothing changed"."""
    from auditor.formats.report_model import Notify  # with the report reader below: not for `--help`

    from .content import load_report  # the report reader: loaded when the command runs, not for `--help`

    notify = load_report(Path(report_dir)).notify
    return notify if isinstance(notify, Notify) else None


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m auditor.delivery --report-dir DIR --to ADDR` (SMTP only): the `email` command on its own."""
    parser = argparse.ArgumentParser(prog="python -m auditor.delivery", allow_abbrev=False)
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_email_command(subparsers)
    args = parser.parse_args(["email", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run_email_command(args)
    except AuditorError as exc:
        print(clean_message(f"license-auditor: error: {exc}"), file=sys.stderr)
        return exc.exit_code
    finally:
        os.environ.pop("SMTP_PASSWORD", None)  # no child of ours needs it
