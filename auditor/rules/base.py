"""What every rule is: an id, a default severity, the policy key it owns (with its JSON-Schema
fragment), what it reads of the tenant (one declaration, auditor.data.reads.Reads), and an evaluate()
that yields findings. A rule is generic in its details' record (`Rule[<Rule>Details]`), so mypy
checks the keys it writes as it checks those its texts read. No I/O."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Generic, TypeVar, final

import msgspec

from auditor.common.json_value import JsonObject
from auditor.common.timestamps import timestamp_or_none
from auditor.data.finding import Holding, Own, make
from auditor.data.model import Finding, Layout, Severity, Subject, SubjectType, User
from auditor.policy.index import TenantIndex

from ..billing.file import BillingFile
from ..data.reads import Reads, Requests
from ..impact.services import DataLoss, DisableTimes, GroupIndex
from ..policy.objects import CatalogEntry, Policy, Selector

# A rule's details: the record (auditor.data.finding.Own) beside the rule (`<Rule>Details`), which
# its texts read too
D = TypeVar("D", bound=Own)


def _own(text: str) -> str:
    """A copy of `text` that the finding owns. A finding outlives the snapshot; holding the user's own
    strings would keep the memory pages of the freed users from going back to the system
    (benchmarks/results/history-performance.md, "Peak memory")."""
    return text.encode().decode()


@dataclass
class Context:
    """What a rule may read beside its user and its policy section: the index over the snapshot,
    the clock, the prices, and three services built once per audit (auditor.impact.services):
    `groups`, `data_loss` and `disable_times`."""

    index: TenantIndex
    as_of: datetime
    prices: dict[str, CatalogEntry]  # skuId (lower) -> catalog entry carrying price / free
    billing: BillingFile | None = None  # audit --billing: each subscription's term (auditor.billing)
    groups: GroupIndex = field(init=False, repr=False)
    data_loss: DataLoss = field(init=False, repr=False)
    disable_times: DisableTimes = field(init=False, repr=False)
    # what two rules of one policy both count, worked out once: (rule family, id of the Policy
    # object, which lives as long as the evaluation; two files may give policies one name) -> it
    # (the entitlement rules' tally of every user)
    counted: dict[tuple[str, int], object] = field(default_factory=dict, repr=False)
    # (license layout, SKUs, assignment) -> user_details
    _details: dict[tuple[Layout, frozenset[str], str | None], Holding] = field(default_factory=dict, repr=False)
    _holdings: dict[bytes, Holding] = field(default_factory=dict, repr=False)  # its JSON -> one Holding of it

    def __post_init__(self) -> None:
        self.groups = GroupIndex(self.index)
        self.data_loss = DataLoss(self.index)
        self.disable_times = DisableTimes(self.index)

    def monthly_price(self, sku_id: str) -> float | None:
        entry = self.prices.get(sku_id.lower())
        if entry is None or entry.free or entry.price is None:
            return None
        return entry.price.monthly

    def is_free(self, sku_id: str) -> bool:
        """Whether the policy's catalog marks the product free."""
        entry = self.prices.get(sku_id.lower())
        return entry is not None and entry.free

    def cost_of(self, sku_ids: Iterable[str]) -> float | None:
        prices = [p for p in (self.monthly_price(s) for s in sku_ids) if p is not None]
        return round(sum(prices), 2) if prices else None

    def user_subject(self, user: User) -> Subject:
        return Subject(
            SubjectType.USER,
            _own(user.id),
            upn=_own(user.user_principal_name),
            display_name=_own(user.display_name),
            kind=user.kind.value,
        )

    def user_details(self, user: User, sku_ids: Iterable[str], assignment: str | None) -> Holding:
        """How `user` holds `sku_ids`, for a finding's `holding` (worked out once per license layout,
        one frozen Holding shared by every finding of that layout). What the groups are and what
        leaving them takes the engine adds after evaluation (auditor/evaluation/enrichment.py)."""
        skus = sku_ids if isinstance(sku_ids, frozenset) else frozenset(sku_ids)
        key = (user.layout, skus, assignment)
        found = self._details.get(key)
        if found is None:
            ids = sorted(skus, key=self.index.part)
            # products held directly as well as from a group: removing them takes both the
            # assignLicense call and leaving the groups
            grouped = {st.sku_id.lower() for st in user.license_assignment_states if st.assigned_by_group}
            direct = {st.sku_id.lower() for st in user.license_assignment_states if not st.assigned_by_group}
            found = Holding(
                assignment=assignment,
                assigned_by_group={self.index.part(s): self.index.assigning_groups(user, s) for s in ids},
                assigned_by_group_ids={self.index.part(s): self.index.assigning_group_ids(user, s) for s in ids},
                sku_ids={
                    self.index.part(s): self.index.sku_by_id[s].sku_id if s in self.index.sku_by_id else s for s in ids
                },
                also_direct=[self.index.part(s) for s in ids if s.lower() in grouped and s.lower() in direct],
            )
            # layouts that differ in what no finding names hold equal holdings: one object for them all
            found = self._details[key] = self._holdings.setdefault(msgspec.json.encode(found), found)
        return found


class Rule(Generic[D]):
    """A rule: its id, default severity, policy key and schema fragment, and its evaluation.
    auditor.rules.RULES lists them; what the report says of a finding (texts, message, remediation)
    is in the `_texts` module beside the rule's, found by the rule's id. `D` is its details'
    record (`<Rule>Details`, beside it): `make` takes the finding's details as one, so mypy
    checks every key the rule writes, as it checks those its texts read (RuleGuidance[D])."""

    id: ClassVar[str]
    default_severity: ClassVar[Severity]
    section: ClassVar[str]  # the top-level policy section the rule reads
    # the key it owns inside that section (schema fragment below); the rule's family parses its value
    # into the typed policy object the rule reads (parse_* beside each family, wired by auditor/policyset/load.py)
    key: ClassVar[str | None] = None
    fragment: ClassVar[JsonObject | None] = None
    # What it reads of the tenant: the collector reads it, and a snapshot without it leaves the rule
    # "not evaluated" (auditor.data.reads.Reads; nothing else decides what is read)
    reads: ClassVar[Reads] = Reads("users")
    # The fix of a user's finding removes its products, or leaves the groups that give them: the
    # engine then adds what that ends and which groups it leaves (auditor/evaluation/enrichment.py).
    removes: ClassVar[bool] = False
    leaves: ClassVar[bool] = False
    reclaimable: ClassVar[bool] = False  # its cost counts as licenses to reclaim in the report summary

    @final
    @classmethod
    def example(cls) -> str:
        """The policy snippet after 'Example:' in the rule's docstring (a test validates it)."""
        doc = cls.__doc__ or ""
        return textwrap.dedent(doc.split("Example:\n", 1)[1]) if "Example:\n" in doc else ""

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def configured(self, policy: Policy) -> bool:
        """Whether `policy` asks for this rule at all."""
        raise NotImplementedError

    def selectors(self, policy: Policy) -> list[Selector]:
        """The selectors this rule applies in `policy` (their groups must be readable to evaluate it)."""
        return []

    def unavailable(self, policy: Policy, index: TenantIndex) -> str | None:
        """Why the snapshot cannot judge this rule for `policy` beyond its `reads` (a report the
        policy needs that the snapshot lacks), or None."""
        return None

    def requests(self, policy: Policy) -> Requests:
        """What the collector reads for this rule in `policy`: its `reads`, and what its family
        takes from the policy's entry (a window in days, the workloads a usage entry measures)."""
        return Requests.of(self.reads)

    @final
    def make(
        self,
        policy: Policy,
        where: str,
        subject: Subject,
        skus: Sequence[str],
        message: str,
        details: D,
        severity: Severity | None = None,
        monthly_cost: float | None = None,
        also: str = "",
        holding: Holding | None = None,
    ) -> Finding:
        """The finding, its `details` (the rule's record, Finding.own) apart from how its user holds
        the products (`holding`, Context.user_details); report.json joins them (Finding.details)."""
        entry = f"{policy.name}/{where}"
        severity = policy.severity_for(self.id, self.default_severity, severity)
        return make(
            self.id,
            entry,
            severity,
            subject,
            skus,
            message,
            details,
            monthly_cost=monthly_cost,
            also=also,
            holding=holding,
        )


SEVERITY_SCHEMA: JsonObject = {"enum": ["low", "medium", "high", "critical"]}
SKU_REF_SCHEMA: JsonObject = {
    "type": "string",
    "pattern": r"^([A-Za-z0-9_.+\-]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
    "description": "skuPartNumber (e.g. SPE_E3) or skuId GUID",
}
SKU_LIST_SCHEMA: JsonObject = {"type": "array", "items": SKU_REF_SCHEMA, "uniqueItems": True}


def parse_when(text: str | None) -> datetime | None:
    """Graph date-time text -> aware datetime; None when absent or unparseable."""
    return timestamp_or_none(text)
