"""A finding's own record read back from report.json, in one way: the record its rule declares, found by the
rule's id, decoded once per finding.

Each rule declares its details' record as its type argument (`Rule[SkuCombinationForbiddenDetails]`, a merge
rule's `MergeRule[CrossTenantDuplicateDetails]`): `RECORDS` maps every rule's id, the engine's
(auditor.rules.RULES) and the merge's (auditor.cross_tenant.rules.MERGE_RULES), to that record, read from the
declaration, so no list of records is kept by hand. The texts decode by it (auditor.wording gives it to
auditor.guidance.details.RuleDetails), and every other reader of a finding's own facts (the plan, the report's
rows and redaction, the insights) asks `record(finding, Kind)`: the finding's details decoded by its rule's
record when that record is a `Kind` (a base record such as SeatCounts takes its rules' records), else None.

As everywhere a finding's details are read: an absent field takes its default (an older report), a value of the
wrong type is refused with its place (FindingFactsError, exit 2). A finding of a rule this version does not
know has the empty record (Own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol, TypeVar, get_args

from auditor.cross_tenant.rules import MERGE_RULES
from auditor.data.finding import Own, is_record
from auditor.guidance.details import decoded
from auditor.rules import RULES

__all__ = ["RECORDS", "Found", "own", "record", "record_type"]

K = TypeVar("K", bound=Own)


class Found(Protocol):
    """A finding as its readers hold it (report.json's ReportFinding, the plan's PlanFinding): its rule's id
    and its details as report.json holds them."""

    @property
    def rule(self) -> str: ...

    @property
    def details(self) -> Mapping[str, object]: ...


def declared(rule: object) -> type[Own]:
    """The record `rule` declares as its type argument, on its class or the nearest base that gives one
    (a family's generic class passes its own type variable down); the empty record Own when none does."""
    for cls in type(rule).__mro__:
        for base in getattr(cls, "__orig_bases__", ()):
            args = get_args(base)
            if args and is_record(args[0]):
                found: type[Own] = args[0]
                return found
    return Own


def _records(rules: Iterable[Any]) -> dict[str, type[Own]]:
    return {rule.id: declared(rule) for rule in rules}


RECORDS: Final[Mapping[str, type[Own]]] = _records((*RULES, *MERGE_RULES))


def record_type(rule: str) -> type[Own]:
    """The record rule `rule`'s details are decoded by; Own for a rule this version does not know."""
    return RECORDS.get(rule, Own)


# the records decoded last, by the identity of the details and the rule's id (findings with equal details
# share one object: auditor.report.document.build_document), each kept with its details so that their id is
# not reused: a finding's plan, its row and its history read the record one after the other, decoded once
_DECODED: dict[tuple[int, str], tuple[Mapping[str, object], Own]] = {}
_DECODED_KEPT: Final = 4096


def own(finding: Found) -> Own:
    """The finding's details decoded by its rule's record (module docstring), once per details object."""
    details, rule = finding.details, finding.rule
    key = (id(details), rule)
    found = _DECODED.get(key)
    if found is not None and found[0] is details:
        return found[1]
    value = decoded(details, record_type(rule))
    if len(_DECODED) >= _DECODED_KEPT:
        _DECODED.clear()  # at once (a thread of the fleet's may decode beside this one)
    _DECODED[key] = (details, value)
    return value


def record(finding: Found, kind: type[K]) -> K | None:
    """The finding's own record when its rule's record is a `kind`, else None (another rule's finding,
    whose details are then not decoded here)."""
    if not issubclass(record_type(finding.rule), kind):
        return None
    value = own(finding)
    return value if isinstance(value, kind) else None
