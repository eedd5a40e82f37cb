"""What a fresh compile of a plan says (auditor.apply.agree compares a plan file's changes with it).

`apply` never takes a change from plan.json as it is: before the first write it compiles the plan again
from the tenant as the source says now, under the plan's policy, with the functions `plan` used, and makes
only the changes both agree on. The compile itself runs the audit's stages, which sit above apply in the
layers (docs/architecture.md), so the command layer hands it in: a `Recompile` (auditor.pipeline.recompile).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..formats.plan_json import PlanFile
from .arguments import WriteOptions


@dataclass(frozen=True)
class FreshPlan:
    """The plan `plan` would write now (plan.json's content as JSON values), and what the fresh read
    could not read (each a gap: the judgements it hides are not in the compile, so their changes are refused)."""

    document: Mapping[str, Any]
    gaps: tuple[str, ...] = ()

    def changes(self) -> Sequence[Mapping[str, Any]]:
        found = self.document.get("changes")
        return found if isinstance(found, list) else []

    def bill_changes(self, key: str) -> Sequence[Mapping[str, Any]]:
        """The bill's `commerce` or `distributor` changes."""
        bill = self.document.get("bill")
        found = bill.get(key) if isinstance(bill, Mapping) else None
        return found if isinstance(found, list) else []


# (the plan as read and checked, the flags apply runs with, apply's clock) -> the fresh compile
Recompile = Callable[[PlanFile, WriteOptions, datetime], FreshPlan]
