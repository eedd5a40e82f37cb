"""A finding, as the rules write it and the engine gathers it into an AuditResult
(auditor.data.model re-exports it): what it is about (Subject) and its details in three typed parts,
the rule's own record (Own), how the user holds the products (Holding) and what the engine adds,
which report.json joins into one object (`Finding.details`, the one encoder) and its readers take
apart again (auditor.data.finding_facts.split; the rule's record by RuleDetails.own)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import ClassVar, Final

import msgspec
from msgspec import Struct

from auditor.data.enums import Severity, SubjectType


class Subject(Struct, frozen=True, omit_defaults=True):
    """What a finding is about, one record from the rule that finds it to report.json (the same keys
    in the same order, the absent ones left out) and every reader of it: a user, a product, a
    subscription, a group, a waiver."""

    type: SubjectType
    id: str
    upn: str | None = None  # users
    sku: str | None = None  # a product's part number, for a product or a subscription
    display_name: str | None = None
    kind: str | None = None  # a user's account kind (User.kind's value, AccountKind), what the account is

    @property
    def label(self) -> str:
        """How the texts name the subject: `display_name (upn)` for a user when both are present
        and differ, else upn, display_name or id; `sku (id)` for a subscription; else sku,
        display_name or id."""
        if self.type == "user":
            if self.display_name and self.upn and self.display_name != self.upn:
                return f"{self.display_name} ({self.upn})"
            return self.upn or self.display_name or self.id or "?"
        if self.type == "subscription" and self.sku and self.id:
            return f"{self.sku} ({self.id})"
        return self.sku or self.display_name or self.id or "?"


class Holding(Struct, frozen=True, kw_only=True):
    """How the user holds a finding's products (auditor.rules.base.Context.user_details): what every
    finding on a user carries beside the rule's own details. report.json writes its keys among the
    details (`to_json`); a reader decodes them from there (auditor.data.finding_facts.split), an
    absent one taking its default (a finding on no user, an older report)."""

    assignment: str | None = None  # the policy's assignment entry, for an assignment rule
    assigned_by_group: dict[str, list[str]] = {}  # product -> names of the groups that assign it
    assigned_by_group_ids: dict[str, list[str]] = {}  # product -> ids of those groups
    sku_ids: dict[str, str] = {}  # product -> its skuId
    # products held directly as well as from a group: removing them takes both the assignLicense call
    # and leaving the groups (written only when there are any)
    also_direct: list[str] = []

    def to_json(self) -> dict[str, object]:
        """The keys report.json writes among the details, as the audit has always written them:
        `assignment` even when null, `also_direct` only when there are any."""
        out: dict[str, object] = {
            "assignment": self.assignment,
            "assigned_by_group": self.assigned_by_group,
            "assigned_by_group_ids": self.assigned_by_group_ids,
            "sku_ids": self.sku_ids,
        }
        if self.also_direct:
            out["also_direct"] = self.also_direct
        return out


class Own(Struct, frozen=True, kw_only=True):
    """A rule's own details as one typed record (`<Rule>Details`, beside the rule): the rule writes
    it (Rule.make), the finding holds it as it is (Finding.own), report.json carries its fields among
    the finding's `details` (own_json, byte for byte what the rule's TypedDict once wrote) and its
    texts read it back decoded by the same record (auditor.guidance.details.RuleDetails.own), each
    absent field taking its default there, once (an older report). A field the rule always writes
    keeps a default all the same: the decoder fills it. A field the rule writes only at times is named
    in `optional`: left out while it holds its default, which is a value the rule never writes; where
    every value may be written (a size that may be null), the field's default is msgspec.UNSET, left
    out as such. Own itself is the empty record of a finding with no details of its own."""

    # the fields report.json leaves out while they hold their default (a subclass adds its own to its base's)
    optional: ClassVar[frozenset[str]] = frozenset()


def is_record(kind: object) -> bool:
    """Whether `kind` is a rule's details record (a subclass of Own)."""
    return isinstance(kind, type) and issubclass(kind, Own)


def own_json(details: Own) -> Mapping[str, object]:
    """A rule's own record as report.json writes it among the details (its keys sorted): its fields,
    every one written (null too) but an UNSET one and an `optional` one at its default."""
    found = msgspec.to_builtins(details)  # an UNSET field left out
    defaults = _defaults(type(details))
    for name in details.optional:
        if getattr(details, name) == defaults[name]:
            del found[name]
    return dict(sorted(found.items())) if found else NONE


@cache
def _defaults(kind: type[Own]) -> Mapping[str, object]:
    """Each optional field of record `kind` by its default (own_json leaves it out at that value)."""
    fields = {f.name: f for f in msgspec.structs.fields(kind)}
    return {
        name: fields[name].default_factory() if fields[name].default is msgspec.NODEFAULT else fields[name].default
        for name in kind.optional
    }


# the part a finding lacks (most findings have nothing added): one empty mapping for them all
NONE: Final[Mapping[str, object]] = {}
# the record of a finding whose rule writes no details of its own: one for them all
NO_OWN: Final = Own()


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    rule: str
    severity: Severity
    policy: str  # "<policy name>/<section>[/<entry name>]"
    subject: Subject
    skus: tuple[str, ...]  # part numbers (or skuId when unknown)
    message: str
    # A finding's details in three parts: the rule's own record (its `<Rule>Details`, as Rule.make took
    # it; mypy checked it there against the rule's `D`, and its texts read it decoded by the same record:
    # auditor.guidance.details.RuleDetails.own), how the user holds the products (Holding, for a
    # finding on a user) and what the engine adds after evaluation (auditor.evaluation.enrichment.Added, the
    # enrichment's TypedDict, its keys sorted). `details` joins them. Never changed once made.
    own: Own = NO_OWN
    monthly_cost: float | None = None
    waived: bool = False
    waiver: dict[str, str] | None = None
    alert: bool = True  # false: about products the catalog keeps out of alerts (`alert: false`) alone
    holding: Holding | None = None
    added: Mapping[str, object] = field(default_factory=lambda: NONE)

    @property
    def details(self) -> dict[str, object]:
        """The three parts as one JSON object, sorted by key, as report.json and findings.csv carry
        them: the one encoder, which flattens the rule's record into its fields (own_json). The one
        decoder takes them apart again (auditor.data.finding_facts.split, and the rule's record its
        own fields: auditor.guidance.details.RuleDetails.own): the rule's own over how the user holds
        the products, the engine's over both. A new dict on each call."""
        own = own_json(self.own)
        if self.holding is None and not self.added:
            return dict(own)
        joined = {**(self.holding.to_json() if self.holding is not None else {}), **own, **self.added}
        return dict(sorted(joined.items()))


def finding_id(rule: str, policy: str, subject: Subject, skus: Sequence[str], *, also: str = "") -> str:
    """Stable across runs. `also` tells apart findings that share all the rest (one product failing
    from two groups); empty for the rest, so their ids stay what they were."""
    key = "|".join((rule, policy, subject.type.value, subject.id.lower(), ",".join(sorted(skus))))
    key += f"|{also.lower()}" if also else ""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def make(
    rule: str,
    entry: str,
    severity: Severity,
    subject: Subject,
    skus: Sequence[str],
    message: str,
    details: Own,
    *,
    monthly_cost: float | None = None,
    also: str = "",
    holding: Holding | None = None,
) -> Finding:
    """The one maker of a finding, for the rules on one tenant (auditor.rules.base.Rule.make) and across
    tenants (auditor.cross_tenant.rules.MergeRule.make): its id from what it is about, its `own`
    details (the rule's record, held as it is) apart from how its user holds the products (`holding`,
    a finding on a user); report.json joins them (Finding.details)."""
    return Finding(
        id=finding_id(rule, entry, subject, skus, also=also),
        rule=rule,
        severity=severity,
        policy=entry,
        subject=subject,
        skus=tuple(skus),
        message=message,
        own=details,
        monthly_cost=monthly_cost,
        holding=holding,
    )
