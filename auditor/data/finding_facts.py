"""A finding's parts as report.json carries them, decoded once, typed, where a reader takes them.

A finding's `details` hold three kinds of facts side by side (the audit writes them apart, as
auditor.data.model.Finding's `own`, `holding` and `added`; docs/report-format.md keeps them in one
object, byte for byte as before):

    own       the rule's own facts: the record beside the rule (auditor/rules/<topic>/<name>.py, an
              auditor.data.finding.Own), which the finding holds as it is until report.json's encoder
              flattens it, and its texts read decoded by the same record (auditor.guidance.details.RuleDetails.own)
    holding   how the user holds the finding's products (Holding): written by every rule on users
              beside its own facts (Rule.make's `holding`, auditor.data.finding.Holding)
    fix       what the fix rests on beyond the rule's own facts (Fix): the facts the enrichment adds
              after evaluation (auditor.evaluation.enrichment, as Finding.added: the groups' kinds, the data a
              removal ends and the kinds of data each product holds, the groups it leaves, when a
              disabled account was disabled), the Exchange export's mailbox (`plan --exchange-export`),
              the plan's bill for a seat finding
              (auditor.plan.bill), and the pieces several rules write alike and the shared guidance
              reads (the product or the group a fix gives instead, the policy's licensing groups, the
              admin's `data_kept` declaration)

One record carries a finding from the rule to plan.json: the rule writes auditor.data.finding.Finding
(its own record itself, its Holding, the fix's facts), report.json holds it as
auditor.formats.report_model.ReportFinding, whose `details` are the one JSON object the encoder
(Finding.details) flattens the three parts into, and every reader after the document (the texts, the
plan, apply, the fleet) reads that same ReportFinding. `split` is the one decoder that takes the object
apart again: the holding and the fix here, the rule's own fields by the rule's record, found by the rule's
id (auditor.evaluation.records: `record`, and the texts' auditor.guidance.details.RuleDetails.own). A value
of the wrong type is refused with its place (FindingFactsError), an absent one takes its default (an older
report).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeVar

import msgspec
from msgspec import UNSET, Struct, UnsetType

from auditor.common import shapes
from auditor.common.errors import UsageError
from auditor.data.finding import Holding, Subject

__all__ = [
    "BillFigures",
    "DataKept",
    "ExchangeMailbox",
    "FindingFactsError",
    "Fix",
    "GroupKind",
    "GroupRef",
    "Holding",
    "Storage",
    "Subject",
    "checked",
    "split",
    "subject_of",
]


class FindingFactsError(UsageError, ValueError):
    """A finding's subject or details hold a value of the wrong type (the message names its place):
    report.json was not written by this version, or was changed by hand (exit 2, as bad input). A
    ValueError too, so that decoding report.json names the finding it is in (ReportFinding)."""


class GroupKind(Struct, frozen=True, kw_only=True):
    """A group whose members no program may change (GroupIndex.kind): dynamic (with its membership
    rule), synced, mail or unknown."""

    kind: str | None = None
    rule: str | None = None


class GroupRef(Struct, frozen=True, kw_only=True):
    """A group a fix joins: `replace_group` (GroupIndex.replacement) or a `licensing_group` entry
    (the policy's), with its kind when its members no program may change (`kind` absent: not known)."""

    id: str | None = None
    name: str | None = None
    kind: str | None = None
    rule: str | None = None
    gives: list[str] = []


class Storage(Struct, frozen=True, kw_only=True):
    """The user's sizes held to the limits a smaller plan leaves (auditor.impact.storage_fit.verdict)."""

    wait: str | None = None
    unknown: str | None = None
    mailbox_bytes: int | None = None
    has_archive: bool | None = None
    mailbox_limit_bytes: int | None = None
    mailbox_plan: str | None = None
    archive_plan: str | None = None
    onedrive_bytes: int | None = None
    onedrive_limit_bytes: int | None = None
    onedrive_plan: str | None = None


class BillFigures(Struct, frozen=True, kw_only=True, rename={"from_": "from"}):
    """The plan's bill for a seat finding's product (auditor.plan.bill.product_figures)."""

    purchased: int = 0
    after: int | None = None
    spare: int | None = None
    drop: int = 0
    buy: int = 0
    to: int | None = None
    from_: str | None = None
    drop_monthly: float | None = None
    buy_monthly: float | None = None
    # an entitlement-short finding's purchase: short (larger products' unassigned licenses counted), mixed (some
    # of its users get another, cheaper product: auditor.plan.bill._mixed_features)
    why: str | None = None


class DataKept(Struct, frozen=True, kw_only=True):
    """A `data_kept` declaration as a finding carries it: written by the rule in its record
    (auditor.policy.objects.DataKept.details, auditor.rules.hygiene.base.DeclaredOwn), in this field
    order, a kind the declaration leaves out (`mailbox`, `files`) left out; read back here and by the
    plan (auditor.plan.declared), an absent field taking its default (an older report)."""

    accepted_by: str | None = None
    expires: str | None = None  # ISO date
    mailbox: str | UnsetType | None = UNSET  # retention | litigation_hold | not_needed | converted_to_shared
    files: str | UnsetType | None = UNSET  # retention | not_needed
    # the audit's date is past `expires`: the declaration counts as absent (UNSET: not said, an older report,
    # which the plan takes for expired)
    expired: bool | UnsetType = UNSET


class ExchangeMailbox(Struct, frozen=True, kw_only=True):
    """A finding's `exchange`: the account's mailbox as `plan --exchange-export` lists it
    (auditor.plan.holds.attach writes it): `listed` false when the export lists no mailbox for the account."""

    listed: bool = False
    litigation_hold: bool | None = None
    holds: list[str] = []
    dir_synced: bool = False
    has_archive: bool = False
    recipient_type: str = ""
    exchange_guid: str = ""


class Fix(Struct, frozen=True, kw_only=True):
    """What a finding's fix rests on beyond the rule's own facts (module docstring)."""

    # the enrichment's (auditor.evaluation.enrichment)
    group_kinds: dict[str, GroupKind] | None = None  # None: not known (an older report); {}: none such
    group_licenses: dict[str, list[str]] = {}  # group id -> every product it gives, when more than the finding's
    data_lost: dict[str, list[str]] = {}  # product -> the service plans whose data its removal ends
    data_kinds: dict[str, list[str]] | None = None  # product -> mailbox | archive | files (None: not known)
    plans_unknown: list[str] = []  # products whose service plans nobody lists
    storage: Storage | None = None
    leaving: dict[str, list[str]] | None = None  # group id -> products leaving it takes, in order
    # when the account was disabled (auditor.impact.services.DisabledAt, a disabled account's finding whose
    # check sets grace_days; its `disabled_from` and `audit_span_days` are the rule's record's)
    disabled_at: str | None = None  # ISO 8601; None: not known
    disable_unknown: str = ""  # audit_not_read | not_in_audit
    # the plan's (auditor.plan.bill)
    bill: BillFigures | None = None
    # written by several rules alike
    replace_with: str | None = None  # the product a fix gives instead
    replace_with_id: str | None = None
    replace_group: GroupRef | None = None  # a group that gives it
    licensing_group: dict[str, GroupRef] = {}  # product -> the policy's group that gives it
    data_kept: DataKept | None = None
    # `plan --exchange-export`'s (auditor.plan.holds.attach)
    exchange: ExchangeMailbox | None = None


T = TypeVar("T")


# the details split last, by the identity of the object (findings with equal details share one:
# auditor.report.document.build_document), each kept with the object so that its id is not reused: a
# finding's texts, its plan and its row read the parts one after the other, decoded once
_SPLIT: dict[int, tuple[Mapping[str, object], Holding, Fix]] = {}
_SPLIT_KEPT: Final = 4096


def split(details: Mapping[str, object]) -> tuple[Holding, Fix]:
    """A finding's details as report.json holds them (one object, Finding.details) split back into how
    the user holds the products and what the fix rests on (module docstring): each absent key takes its
    default (an older report, a finding on no user), a value of the wrong type is refused with its place
    (FindingFactsError). Details are never changed once made (a reader that changes them makes new ones:
    report.redaction, plan.holds), so the same object splits the same way."""
    found = _SPLIT.get(id(details))
    if found is not None and found[0] is details:
        return found[1], found[2]
    holding, fix = checked(details, Holding, "details"), checked(details, Fix, "details")
    if len(_SPLIT) >= _SPLIT_KEPT:
        _SPLIT.clear()  # at once (a thread of the fleet's may split beside this one)
    _SPLIT[id(details)] = (details, holding, fix)
    return holding, fix


def subject_of(value: Mapping[str, object]) -> Subject:
    """A subject given as a mapping (a test's, a hand-made finding's): without its type or id, a
    user's with none (the texts name it "?")."""
    return checked({"type": "user", "id": "", **value}, Subject, "subject")


def checked(value: object, kind: type[T], name: str) -> T:
    """`value` decoded as `kind`; a value of the wrong type refused with its place, named `name` (FindingFactsError)."""
    try:
        return shapes.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise FindingFactsError(f"a finding's {name}: {exc}".replace("`$", f"`{name}")) from None
