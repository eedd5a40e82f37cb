"""What the Exchange export (`--exchange-export`, auditor.data.exchange_export) tells the plan about a
user's mailbox, carried in the report's findings (docs/exchange-export.md).

    attach(document, export, file)   each account finding's details.exchange, and the report's
                                     `exchange_export` ({"file", "mailboxes"}): `audit` and `plan`
                                     both call it (the plan's export, when given, is the fresher)
    not_on_hold(facts)               the policy declares the mailbox kept by a litigation hold, and
                                     the export shows it is not on one: the removal waits

details.exchange is {"listed": False} for an account the export does not list (no mailbox), else
{"listed": True, "litigation_hold", "holds", "dir_synced", "has_archive", "recipient_type",
"exchange_guid"}.
Rows are matched by ExternalDirectoryObjectId, the user's object id, never by name. Without an
export nothing is attached, and the report says that holds were not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

import msgspec

from auditor.data.exchange_export import MailboxExport
from auditor.formats.report_model import ExchangeExport, ReportDocument
from auditor.plan.leaver_facts import LeaverFacts
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed, InactiveUserLicensed

# the rules whose removals end an account's mailbox, and whose data_kept may declare a hold
ACCOUNT_RULES = frozenset((DisabledUserLicensed.id, InactiveUserLicensed.id, GuestLicensed.id))
NOT_ON_HOLD = "not_on_hold"  # Skipped reason


class MailboxFacts(TypedDict, total=False):
    """A finding's details.exchange as attach writes it (read back as auditor.data.finding_facts.ExchangeMailbox,
    the fix's `exchange`; tests/guidance/test_account_records.py holds the two to the same keys)."""

    listed: bool
    litigation_hold: bool
    holds: list[str]
    dir_synced: bool
    has_archive: bool
    recipient_type: str
    exchange_guid: str


def mailbox_facts(row: MailboxExport | None) -> MailboxFacts:
    """The account's mailbox as the export lists it, {"listed": False} when it lists none."""
    if row is None:
        return {"listed": False}
    return {
        "listed": True,
        "litigation_hold": row.litigation_hold,
        "holds": list(row.holds),
        "dir_synced": row.dir_synced,
        "has_archive": row.has_archive,
        "recipient_type": row.recipient_type,
        "exchange_guid": row.exchange_guid,
    }


def attach(document: ReportDocument, export: Mapping[str, MailboxExport], file: str) -> ReportDocument:
    """`document` (report.json's ReportDocument) with each account finding's details.exchange set from
    `export`, and its `exchange_export` summary: a new document, the one given is left as it is."""
    findings = [
        # a dict of its own: findings with equal details share one (report.document.build_document)
        msgspec.structs.replace(f, details={**f.details, "exchange": mailbox_facts(export.get(f.subject.id.lower()))})
        if f.rule in ACCOUNT_RULES and f.subject.type == "user"
        else f
        for f in document.findings
    ]
    summary = ExchangeExport(file=Path(file).name, mailboxes=len(export))
    return msgspec.structs.replace(document, findings=findings, exchange_export=summary)


def not_on_hold(facts: LeaverFacts) -> bool:
    """The finding's data_kept declares `mailbox: litigation_hold`, and the Exchange export shows
    the mailbox without one (or lists no mailbox for the account)."""
    kept, exchange = facts.data_kept, facts.exchange
    if kept is None or kept.mailbox != "litigation_hold" or exchange is None:
        return False
    return exchange.litigation_hold is not True
