"""A finding's subject, SKUs and details as the guidance reads them: decoded once, typed.

Details come from report.json and may be partial (an older engine): an absent key reads as absent,
never as an error. A value of the wrong type is refused with its place (FindingFactsError, exit 2):
the subject and the products as report.json is read (auditor.formats.report_model.ReportFinding), how
the user holds them and the fix by auditor.data.finding_facts.split, the rule's own fields by its
record (RuleDetails.own). Values stay plain text: escaping is the
renderers' job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Generic, TypeVar, cast

import msgspec

from auditor.common import shapes
from auditor.data.finding import Own
from auditor.data.finding_facts import FindingFactsError
from auditor.formats.report_model import ReportFinding

# a rule's own details (covariant: a helper typed by a shared base record takes any rule's built on it):
# the record beside the rule (auditor/rules/assignments/combination.py: SkuCombinationForbiddenDetails),
# which the rule writes (Rule[D]) and its texts read, so mypy finds a renamed field on both sides
D = TypeVar("D", bound=Own, covariant=True)
T = TypeVar("T")
USER_ID_PLACEHOLDER = "{user-id}"  # a path segment for a user the report has no id or UPN for
GROUP_ID_PLACEHOLDER = "{group-id}"
ASSIGNED = "assigned"  # the kind of a group whose members a membership call changes (GroupIndex.kind)


def waiver_label(subject_id: str) -> str:
    """A waiver as a reader knows it, "<rule>:<subject>": its id ("<rule>:<subject>[:<part number>]",
    auditor.rules.waivers) less the part number of the product it names, which the report shows by name
    beside it. A waiver's subject is a user id, a UPN or a part number, none of which holds a colon."""
    rule, _, rest = subject_id.partition(":")
    return f"{rule}:{rest.rpartition(':')[0]}" if ":" in rest else subject_id


def number(value: object, fallback: str) -> str:
    """Ints stay plain (no grouping), a float as it reads; anything else (absent, a bool) falls back."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return fallback
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return f"{value:g}"


def iso_date(value: str | None) -> str | None:
    """The day of an ISO date or date-time; None when absent."""
    return value[:10] if value else None


class Details:
    """Everything the guidance needs to know about one finding: its subject, its products, how the
    user holds them and what the fix rests on, as report.json holds the finding (ReportFinding, its
    holding and fix split once for all the finding's texts)."""

    def __init__(self, found: ReportFinding) -> None:
        self.subject, self.skus, self.holding, self.fix = found.subject, tuple(found.skus), found.holding, found.fix
        self.details = found.details  # as report.json holds them: RuleDetails.own reads the rule's own by its record

    # --- subject ---------------------------------------------------------------------------

    @property
    def subject_type(self) -> str:
        return self.subject.type

    @property
    def user_ref(self) -> str:
        """The path segment that names the user in Graph: object id, else UPN, else a placeholder
        (the calls that hold it are not ready)."""
        return self.subject.id or self.subject.upn or USER_ID_PLACEHOLDER

    def label(self) -> str:
        return self.subject.label

    @property
    def subject_sku(self) -> str:
        return self.subject.sku or (self.skus[0] if self.skus else "?")

    # --- licenses --------------------------------------------------------------------------

    def groups(self, part: str) -> tuple[str, ...]:
        """Display names of the groups that assign `part`; empty = assigned directly (or unknown)."""
        return tuple(self.holding.assigned_by_group.get(part, ()))

    def group_ids(self, part: str) -> tuple[str, ...]:
        return tuple(self.holding.assigned_by_group_ids.get(part, ()))

    def group_kind(self, gid: str) -> tuple[str, str] | None:
        """(kind, membership rule) of a group whose members no program may change: dynamic, synced,
        mail or unknown (fix.group_kinds, or the kind of replace_group or of a licensing_group
        entry). None for a group whose members a membership call changes. A report without the
        groups' kinds (an older engine) makes every group's kind unknown: unknown is never taken for
        "may be changed"."""
        joins = (self.fix.replace_group, *self.fix.licensing_group.values())  # the groups a fix joins
        for join in joins:
            if join is not None and join.id == gid and join.kind is not None:
                return None if join.kind == ASSIGNED else (join.kind or "unknown", join.rule or "")
        kinds = self.fix.group_kinds
        if kinds is None:
            return "unknown", ""
        found = kinds.get(gid)
        if found is None:
            return None
        return found.kind or "unknown", found.rule or ""

    def group_licenses(self, gid: str) -> tuple[str, ...]:
        """The part numbers group `gid` gives when it gives more than the finding's products
        (fix.group_licenses); empty otherwise."""
        return tuple(self.fix.group_licenses.get(gid, ()))

    def direct(self, parts: Sequence[str]) -> list[str]:
        """The parts held directly: those no group assigns, and those held from a group and
        directly at once (`also_direct`), which removing also takes an assignLicense call for."""
        return [p for p in parts if not self.groups(p) or p in self.holding.also_direct]

    def grouped(self, parts: Sequence[str]) -> list[str]:
        return [p for p in parts if self.groups(p)]

    def sku_id(self, part: str) -> str:
        """The skuId GUID of a part number, or a visible placeholder when the report lacks it."""
        known = self.holding.sku_ids.get(part)
        if known:
            return known
        if part == self.fix.replace_with and self.fix.replace_with_id:
            return self.fix.replace_with_id
        # A seat finding's subject is the subscribedSku itself: its id is the skuId.
        if self.subject_type == "sku" and part == self.subject.sku and self.subject.id:
            return self.subject.id
        return f"<skuId of {part}>"


class RuleDetails(Details, Generic[D]):
    """A finding's facts with the rule's own details typed: `own` is `details` decoded by the rule's
    record (`own_type`, the one the rule declares, which auditor.wording gives: auditor.evaluation.records;
    the empty record Own for a finding of no known rule), its fields only, each absent one taking its
    default (an older report), each value checked (a value of the wrong type is refused with its place,
    FindingFactsError). Its texts read `f.own.field`, which mypy checks against the record. The shared
    facts stay Details' (holding, fix)."""

    def __init__(self, found: ReportFinding, own_type: type[D] | None = None) -> None:
        super().__init__(found)
        self._own_type = own_type

    @cached_property
    def own(self) -> D:
        return decoded(self.details, self._own_type or cast(type[D], Own))


def decoded(details: Mapping[str, object], kind: type[T], where: str = "a finding's details") -> T:
    """`details` (report.json's) decoded by `kind` (a record: each absent field taking its default):
    its fields only, each value checked; a value of the wrong type is refused with its place
    (FindingFactsError, exit 2)."""
    try:
        return shapes.convert(details, kind)
    except msgspec.ValidationError as exc:
        raise FindingFactsError(f"{where}: {exc}".replace("`$", "`details")) from None
