"""What a fresh compile of a plan says (the write engine compares a plan file's changes with it: auditor.apply.
write_engine.agreed, on auditor.apply.agree).

`apply` never takes a change from plan.json as it is: before the first write it compiles the plan again
from the tenant as the source says now, under the operator's policy files (--policies) and filters, with the
functions `plan` used, and makes only the changes both agree on. The compile itself runs the audit's stages,
which sit above apply in the layers (docs/architecture.md), so the command layer hands it in: a `Recompile`
(auditor.pipeline.recompile).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from msgspec import UnsetType

from ..formats.bill_model import Bill, CommerceChange
from ..formats.change_model import Change
from ..formats.plan_json import PlanFile
from .arguments import WriteOptions


@dataclass(frozen=True)
class FreshPlan:
    """The plan `plan` would write now, as it compiled it: its licence changes and its bill (typed records, the
    ones plan.json encodes), and what the fresh read could not read (each a gap: the judgements it hides are
    not in the compile, so their changes are refused)."""

    changes: tuple[Change, ...] = ()
    bill: Bill | None = None
    gaps: tuple[str, ...] = ()

    def bill_changes(self, key: str) -> list[CommerceChange]:
        """The bill's `commerce`, `distributor` or `psa` changes."""
        if self.bill is None:
            return []
        found = {"commerce": self.bill.commerce, "distributor": self.bill.distributor, "psa": self.bill.psa}.get(key)
        return [] if found is None or isinstance(found, UnsetType) else list(found)


# (the plan as read and checked, whose changes a compile never reads: apply lets them go while it compiles,
# auditor.apply.run; the flags apply runs with; apply's clock) -> the fresh compile
Recompile = Callable[[PlanFile, WriteOptions, datetime], FreshPlan]


# the fields of a bill change that say on which day it is made: the fresh compile's to say (the file's day may
# have passed since it was planned); every other field must be the fresh compile's
WHEN = ("window", "not_before", "by", "saving_from")
