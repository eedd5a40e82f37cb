"""The flags of the nightly extras (`audit --history/--causes/--notify-*`) and the `history`
command. Only argparse here: the parser must load nothing else (tests/core/test_startup.py)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

FORMATS = ("teams", "slack")


@dataclass(frozen=True)
class NightlyOptions:
    """`audit --history/--causes/--notify-*`, typed (auditor/insights/nightly.py's Nightly reads them)."""

    history: str | None = None  # --history FILE
    causes: bool = False  # --causes
    notify_webhook: str | None = None  # --notify-webhook URL (else AUDITOR_NOTIFY_WEBHOOK)
    notify_format: str | None = None  # --notify-format teams|slack (None: teams)

    @classmethod
    def of(cls, args: argparse.Namespace) -> NightlyOptions:
        """The nightly options of `args` (a command without the flags: their defaults)."""
        return cls(
            history=getattr(args, "history", None),
            causes=bool(getattr(args, "causes", False)),
            notify_webhook=getattr(args, "notify_webhook", None),
            notify_format=getattr(args, "notify_format", None),
        )


@dataclass(frozen=True)
class HistoryOptions:
    """`history FILE [--tenant-id ID] [--last N] [--products]`, typed (nightly.cmd_history)."""

    file: str
    tenant: str | None = None
    last: int | None = None
    products: bool = False

    @classmethod
    def of(cls, args: argparse.Namespace) -> HistoryOptions:
        return cls(file=args.file, tenant=args.tenant, last=args.last, products=args.products)


def add_nightly_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("history, causes and chat notification")
    group.add_argument(
        "--history",
        metavar="FILE",
        help="append this run's record to FILE (JSON Lines) and chart the last 30 runs in the reports; "
        "a malformed line is reported and skipped",
    )
    group.add_argument(
        "--causes",
        action="store_true",
        help="with --baseline: name the directory change behind each new finding "
        "(auditLogs/directoryAudits since the baseline; needs AuditLog.Read.All)",
    )
    group.add_argument(
        "--notify-webhook",
        metavar="URL",
        help="post a summary to this Teams Workflows or Slack webhook (a secret: prefer the "
        "AUDITOR_NOTIFY_WEBHOOK environment variable)",
    )
    group.add_argument(
        "--notify-format", choices=FORMATS, help="teams (an Adaptive Card) or slack (blocks); default: teams"
    )
    group.add_argument(
        "--notify-when",
        choices=("changed", "always"),
        help="send the e-mail and the webhook post only when something changed (a new or worse "
        "finding, a new gap, an incomplete run, a deadline within 7 days, the weekly reminder), "
        "or always; default: changed with --baseline or --history, else always",
    )
    group.add_argument(
        "--notify-weekday",
        default="monday",
        choices=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        help="the day of the weekly reminder while findings stay open (default: monday)",
    )


def add_history_command(sub: Any, run: Any) -> argparse.ArgumentParser:
    history: argparse.ArgumentParser = sub.add_parser(
        "history",
        help="print the audit history file as a table",
        description="Print the records `audit --history FILE` appended, oldest first. A "
        "malformed line is reported with its line number and skipped.",
    )
    history.add_argument("file", metavar="FILE", help="the history file (JSON Lines)")
    # --tenant-id, as every command that names a tenant says it (--tenant still works)
    history.add_argument("--tenant-id", "--tenant", dest="tenant", metavar="ID", help="only this tenant's records")
    history.add_argument("--last", type=int, metavar="N", help="only the last N records")
    history.add_argument(
        "--products", action="store_true", help="also show assigned/usable seats per product, first and last record"
    )
    history.set_defaults(func=run)
    return history
