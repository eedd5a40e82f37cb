"""What the plan reads of a leaver's finding (disabled-, inactive- and guest-user-licensed): the
admin's declarations (`data_kept`, `grace_days`), when the account was disabled, what the usage
reports say of its mailbox and OneDrive, the data its removals end, and what the Exchange export
says of its mailbox.

Read through the one decoder, once per finding: the rule's own fields by the leavers' records
(auditor.evaluation.records.record: DeclaredOwn, UnusedAccountDetails and the two leaver records of
auditor.rules.hygiene.accounts), the engine's and the Exchange export's by the fix
(auditor.data.finding_facts.Fix: data_kinds, data_lost, disabled_at, disable_unknown, exchange). A value
of the wrong type is refused naming the finding and its place (FindingFactsError, exit 2); an absent one
reads as absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.data.finding_facts import DataKept, ExchangeMailbox, FindingFactsError
from auditor.evaluation.records import record
from auditor.formats.report_model import ReportFinding
from auditor.rules.hygiene.accounts import (
    DisabledUserLicensedDetails,
    InactiveUserLicensedDetails,
    MailUse,
    UnusedAccountDetails,
)
from auditor.rules.hygiene.base import DeclaredOwn


@dataclass(frozen=True, slots=True)
class LeaverFacts:
    """The facts of a finding the plan reads (module docstring); a finding of another rule has only the
    fix's (data_kinds: what any removal's products hold)."""

    data_kept: DataKept | None = None  # the record the rule wrote it with (DeclaredOwn.data_kept)
    grace_days: int = 0
    mail_use: MailUse | None = None  # None: not said (a disabled account, a guest, an older report)
    mailbox_bytes: int | None = None  # None: the mailbox usage report gives no size or does not list it
    mailbox_archive: bool = False
    disabled_from: str = ""  # employeeLeaveDateTime | directoryAudit | auditSpan
    disabled_at: str | None = None
    disable_unknown: str = ""  # audit_not_read | not_in_audit
    data_kinds: dict[str, list[str]] | None = None  # None: not known
    data_lost: dict[str, list[str]] = field(default_factory=dict)
    exchange: ExchangeMailbox | None = None  # None: no Exchange export was given


def leaver_facts(finding: ReportFinding) -> LeaverFacts:
    """The finding's LeaverFacts, decoded by its rule's record and the fix; a value of the wrong type is
    refused naming the finding (its id, when it has one)."""
    try:
        declared = record(finding, DeclaredOwn)
        mailbox = record(finding, UnusedAccountDetails)
        inactive = record(finding, InactiveUserLicensedDetails)
        disabled = record(finding, DisabledUserLicensedDetails)
    except FindingFactsError as exc:
        if not finding.id:
            raise
        said = str(exc).replace("a finding's details", f"finding {finding.id}'s details", 1)
        raise FindingFactsError(said) from None
    fix = finding.fix
    size = mailbox.mailbox_bytes if mailbox is not None else None
    return LeaverFacts(
        data_kept=declared.data_kept if declared is not None else None,
        grace_days=declared.grace_days if declared is not None else 0,
        # the rule writes {"read": false} when no report lists the account: empty is an older report's absence
        mail_use=(inactive.mail_use or None) if inactive is not None else None,
        mailbox_bytes=size if isinstance(size, int) else None,
        mailbox_archive=mailbox is not None and mailbox.mailbox_archive is True,
        disabled_from=disabled.disabled_from if disabled is not None else "",
        disabled_at=fix.disabled_at,
        disable_unknown=fix.disable_unknown,
        data_kinds=fix.data_kinds,
        data_lost=fix.data_lost,
        exchange=fix.exchange,
    )
