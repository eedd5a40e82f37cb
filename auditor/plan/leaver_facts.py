"""What the plan reads of a leaver's finding (disabled-, inactive- and guest-user-licensed): the
admin's declarations (`data_kept`, `grace_days`), when the account was disabled, what the usage
reports say of its mailbox and OneDrive, the data its removals end, and what the Exchange export
says of its mailbox. Typed as the rules and the engine write them (a key renamed in the engine fails
mypy here, one renamed in a leaver's record tests/guidance/test_account_records.py); decoded from
report.json's details once per reader, each value checked (a value of the wrong type is refused with
its place, exit 2; an absent key reads as absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypedDict, cast, get_type_hints

from auditor.data.finding_facts import DataKept
from auditor.guidance.details import decoded
from auditor.impact.services import DataEnded, DisabledAt
from auditor.rules.hygiene.accounts import MailUse


class MailboxFacts(TypedDict, total=False):
    """A finding's details.exchange: the account's mailbox as the Exchange export lists it."""

    listed: bool
    litigation_hold: bool
    holds: list[str]
    dir_synced: bool
    has_archive: bool
    recipient_type: str
    exchange_guid: str


class LeaverFacts(DisabledAt, DataEnded, total=False):
    """The details of a leaver's finding the plan reads: the engine's (DisabledAt, DataEnded) and these
    keys of the leavers' records (auditor.rules.hygiene.accounts: DisabledUserLicensedDetails,
    InactiveUserLicensedDetails; tests/guidance/test_account_records.py holds them to the records' fields)."""

    data_kept: DataKept  # the record the rule wrote it with (DeclaredOwn.data_kept)
    grace_days: int
    mail_use: MailUse
    mailbox_bytes: int | None
    mailbox_archive: bool
    exchange: MailboxFacts  # `plan --exchange-export` (auditor.plan.holds.attach)


def _optional_keys(kind: type[Any]) -> type[Any]:
    """TypedDict `kind` with every key optional (its values' types as they are): what leaver_facts
    decodes a finding's details by (an absent key reads as absent)."""
    found: type[Any] = TypedDict(f"{kind.__name__}Read", get_type_hints(kind), total=False)  # type: ignore[misc]
    return found


_READ: Final = _optional_keys(LeaverFacts)


def leaver_facts(details: Mapping[str, object], finding: str = "") -> LeaverFacts:
    """A finding's details (report.json's) as LeaverFacts: its keys only, each value checked; a value
    of the wrong type is refused naming the finding (`finding`: its id)."""
    where = f"finding {finding}'s details" if finding else "a finding's details"
    return cast(LeaverFacts, decoded(details, _READ, where))
