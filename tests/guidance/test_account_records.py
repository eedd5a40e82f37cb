"""The account rules' details are records (auditor.rules.hygiene.accounts): report.json gets the keys the
rule's TypedDict wrote, the sometimes-written ones only when set, a null where the rule wrote one; a report
that lacks the optional keys (an older one) decodes with each record's defaults, once, and reads as before."""

from __future__ import annotations

import typing

import msgspec

from auditor.data.finding import own_json
from auditor.data.finding_facts import ExchangeMailbox, Fix
from auditor.data.model import Locale
from auditor.formats.report_model import finding_of
from auditor.guidance.examples import USER
from auditor.impact.services import DataEnded, DisabledAt
from auditor.plan.holds import MailboxFacts
from auditor.rules.hygiene.accounts import (
    DisabledUserLicensed,
    DisabledUserLicensedDetails,
    InactiveUserLicensed,
    InactiveUserLicensedDetails,
    LicenseWith,
    SharedMailboxLicensed,
    SharedMailboxUnlicensed,
    SharedMailboxUnlicensedDetails,
)
from auditor.wording import message


def test_an_inactive_accounts_record_writes_what_its_typed_dict_wrote() -> None:
    """Always written: days, last_sign_in (null: never) and mail_use; a null mailbox size when the report
    lists the mailbox without one; the rest (last_attempt, shared_mailbox, data_kept, ...) only when set."""
    own = InactiveUserLicensedDetails(days=90, last_sign_in=None, mail_use={"read": False})
    assert list(own_json(own).items()) == [("days", 90), ("last_sign_in", None), ("mail_use", {"read": False})]
    listed = msgspec.structs.replace(own, mailbox_bytes=None, mailbox_archive=False, grace_days=14)
    assert own_json(listed) == {
        "days": 90,
        "grace_days": 14,
        "last_sign_in": None,
        "mail_use": {"read": False},
        "mailbox_archive": False,
        "mailbox_bytes": None,
    }
    # the engine's disable time is read by the record, never written by the rule
    assert own_json(DisabledUserLicensedDetails(shared_mailbox="unknown")) == {"shared_mailbox": "unknown"}


def test_a_shared_mailbox_unlicensed_record_writes_the_addon_only_for_a_pair() -> None:
    product = LicenseWith(sku="EXCHANGESTANDARD", name="Exchange Online (Plan 1)", monthly=4.0)
    own = SharedMailboxUnlicensedDetails(
        mailbox_purpose="shared",
        storage_used_bytes=None,
        needs="archive",
        license_with=product,
        litigation_hold="not_judged",
    )
    assert "addon" not in own_json(own) and own_json(own)["storage_used_bytes"] is None
    assert own_json(msgspec.structs.replace(own, addon=product))["addon"] == product


def test_an_older_reports_account_details_decode_with_the_records_defaults() -> None:
    """Details without the optional keys (and, for inactive, without `days` at all) read as before:
    no attempts, "unknown" days, no audit-span note, no Teams Rooms note, no add-on."""
    inactive = finding_of(USER, ["SPE_E5"], {"last_sign_in": "2026-01-02T03:04:05Z", "sku_ids": {}})
    said = message(InactiveUserLicensed.id, inactive, locale=Locale.EN)
    assert "at least unknown days (last sign-in: Jan 2, 2026)." in said and "attempts" not in said
    disabled = finding_of(USER, ["SPE_E5"], {"sku_ids": {}})
    assert "audit log" not in message(DisabledUserLicensed.id, disabled, locale=Locale.EN)
    # the engine's keys, among the details, are read by the same record
    spanned = finding_of(USER, ["SPE_E5"], {"disabled_from": "auditSpan", "audit_span_days": 30, "sku_ids": {}})
    assert "reaches back 30 days" in message(DisabledUserLicensed.id, spanned, locale=Locale.EN)
    room = finding_of(USER, ["SPE_E5"], {"mailbox_purpose": "room", "sku_ids": {}})
    said = message(SharedMailboxLicensed.id, room, locale=Locale.EN)
    assert "room mailbox" in said and "Teams Rooms" not in said
    archived = finding_of(USER, [], {"needs": "archive"})
    said = message(SharedMailboxUnlicensed.id, archived, locale=Locale.EN)
    assert said.endswith("it needs Exchange Online (Plan 2).")


def test_the_engines_added_keys_are_read_back_by_the_fix_or_the_leavers_record() -> None:
    """The plan reads what the engine adds to a leaver's finding (DisabledAt, DataEnded) by the fix (Fix) or
    the disabled account's record, and the Exchange export's `exchange` (written as MailboxFacts) by
    ExchangeMailbox: a key renamed on one side and not the other fails here."""

    def names(record: type) -> set[str]:
        return {f.encode_name for f in msgspec.structs.fields(record)}

    engine = set(typing.get_type_hints(DisabledAt)) | set(typing.get_type_hints(DataEnded)) | {"exchange"}
    assert engine <= names(Fix) | names(DisabledUserLicensedDetails)
    assert engine - names(Fix) <= {"disabled_from", "audit_span_days"}  # the record's: its texts say them
    assert set(typing.get_type_hints(MailboxFacts)) == names(ExchangeMailbox)
