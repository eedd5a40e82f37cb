"""A finding's parts as report.json carries them, decoded once, typed, where a reader takes them.

A finding's `details` hold three kinds of facts side by side (the audit writes them apart, as
auditor.data.model.Finding's `own`, `holding` and `added`; docs/report-format.md keeps them in one
object, byte for byte as before):

    own       the rule's own facts: the TypedDict beside the rule (auditor/rules/<topic>/<name>.py),
              which its texts read typed (auditor.guidance.details.RuleDetails.own)
    holding   how the user holds the finding's products (Holding): written by every rule on users
              beside its own facts (Rule.make's `holding`, auditor.data.finding.Holding)
    fix       what the fix rests on beyond the rule's own facts (Fix): the facts the enrichment adds
              after evaluation (auditor.evaluation.enrichment, as Finding.added: the groups' kinds, the data a
              removal ends, the groups it leaves), the plan's bill for a seat finding
              (auditor.plan.bill), and the pieces several rules write alike and the shared guidance
              reads (the product or the group a fix gives instead, the policy's licensing groups, the
              admin's `data_kept` declaration)

`parts` decodes a finding's products and the last two with msgspec, once (FindingParts): a value of the wrong type is
refused with its place (FindingFactsError), an absent one takes its default (an older report). Keys
not named here are the rule's own and are left to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypeVar

import msgspec
from msgspec import Struct

from auditor.common import shapes
from auditor.common.errors import UsageError
from auditor.data.finding import Holding, Subject

__all__ = [
    "BillFigures",
    "DataKept",
    "FindingDetails",
    "FindingFactsError",
    "FindingParts",
    "Fix",
    "GroupKind",
    "GroupRef",
    "Holding",
    "Storage",
    "Subject",
    "parts",
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
    """A `data_kept` declaration as a finding carries it (auditor.policy.objects.DataKeptDetails)."""

    mailbox: str | None = None
    files: str | None = None
    accepted_by: str | None = None
    expires: str | None = None
    expired: bool = False


class Fix(Struct, frozen=True, kw_only=True):
    """What a finding's fix rests on beyond the rule's own facts (module docstring)."""

    # the enrichment's (auditor.evaluation.enrichment)
    group_kinds: dict[str, GroupKind] | None = None  # None: not known (an older report); {}: none such
    group_licenses: dict[str, list[str]] = {}  # group id -> every product it gives, when more than the finding's
    data_lost: dict[str, list[str]] = {}  # product -> the service plans whose data its removal ends
    plans_unknown: list[str] = []  # products whose service plans nobody lists
    storage: Storage | None = None
    leaving: dict[str, list[str]] | None = None  # group id -> products leaving it takes, in order
    # the plan's (auditor.plan.bill)
    bill: BillFigures | None = None
    # written by several rules alike
    replace_with: str | None = None  # the product a fix gives instead
    replace_with_id: str | None = None
    replace_group: GroupRef | None = None  # a group that gives it
    licensing_group: dict[str, GroupRef] = {}  # product -> the policy's group that gives it
    data_kept: DataKept | None = None


T = TypeVar("T")


class FindingDetails(dict[str, object]):
    """A finding's details as report.json holds them (one JSON object, sorted by key: the rule's own
    facts, its holding and its fix side by side, auditor.data.finding.Finding.details), carrying their
    typed parts: `holding` and `fix`, each decoded once, when first read. A dict, so every encoder
    writes it as the object it is; findings with equal details share one (the document's build:
    auditor.report.document.build_document), so they decode their parts once. Never changed once
    made (a reader that changes a finding's details makes a new one: report.redaction, plan.holds)."""

    __slots__ = ("_fix", "_holding")

    _holding: Holding
    _fix: Fix

    @classmethod
    def of(cls, details: Mapping[str, object] | None) -> FindingDetails:
        """`details` itself when it is one, else its keys in a new one (a decoded report.json's dict)."""
        if isinstance(details, FindingDetails):
            return details
        return cls(details) if details else _EMPTY

    @property
    def holding(self) -> Holding:
        """How the user holds the finding's products (defaults for a finding on no user)."""
        try:
            return self._holding
        except AttributeError:
            self._holding = _convert(self, Holding, "details")
            return self._holding

    @property
    def fix(self) -> Fix:
        """What the fix rests on beyond the rule's own facts (defaults where the details say none)."""
        try:
            return self._fix
        except AttributeError:
            self._fix = _convert(self, Fix, "details")
            return self._fix


_EMPTY: Final = FindingDetails()  # a finding without details: one for them all (never changed)


class FindingParts:
    """A finding as its texts read it, decoded once: its subject, its products, how the user holds
    them, what the fix rests on and the details as report.json holds them (one JSON object, which the
    rule's texts decode by the rule's own TypedDict: auditor.guidance.details.RuleDetails.own). Every
    text of one finding (its message, row note, remediation) reads the one FindingParts."""

    __slots__ = ("details", "fix", "holding", "skus", "subject")

    def __init__(
        self, subject: Subject, skus: tuple[str, ...], holding: Holding, fix: Fix, details: Mapping[str, object]
    ) -> None:
        self.subject, self.skus, self.holding, self.fix, self.details = subject, skus, holding, fix, details


def parts(
    subject: Subject | Mapping[str, object], skus: Sequence[str], details: Mapping[str, object] | None
) -> FindingParts:
    """A finding's parts, decoded from report.json's fields (module docstring): the holding and the fix
    those `details` carry when they are FindingDetails (decoded once for all their readers). A subject
    given as a mapping (a hand-made finding's) is decoded too (subject_of)."""
    found = FindingDetails.of(details)
    return FindingParts(
        subject if isinstance(subject, Subject) else subject_of(subject),
        tuple(_convert(skus, list[str], "skus")),
        found.holding,
        found.fix,
        found,
    )


def subject_of(value: Mapping[str, object]) -> Subject:
    """A subject given as a mapping (a test's, a hand-made finding's): without its type or id, a
    user's with none (the texts name it "?")."""
    return _convert({"type": "user", "id": "", **value}, Subject, "subject")


def _convert(value: object, kind: type[T], name: str) -> T:
    try:
        return shapes.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise FindingFactsError(f"a finding's {name}: {exc}".replace("`$", f"`{name}")) from None
