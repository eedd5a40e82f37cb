"""What a fresh compile of a plan says (the write engine compares a plan file's changes with it: auditor.apply.
write_engine.agreed, on auditor.apply.agree).

`apply` never takes a change from plan.json as it is: before the first write it compiles the plan again
from the tenant as the source says now, under the operator's policy files (--policies) and filters, with the
functions `plan` used, and makes only the changes both agree on. The compile itself runs the audit's stages,
which sit above apply in the layers (docs/architecture.md), so the command layer hands it in: a `Recompile`
(auditor.pipeline.recompile).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..common.json_value import JsonObject, JsonValue
from ..formats.plan_json import PlanFile
from .arguments import WriteOptions


@dataclass(frozen=True)
class FreshPlan:
    """The plan `plan` would write now (plan.json's content as JSON values), and what the fresh read
    could not read (each a gap: the judgements it hides are not in the compile, so their changes are refused)."""

    document: JsonObject
    gaps: tuple[str, ...] = ()

    def changes(self) -> list[JsonObject]:
        return _objects(self.document.get("changes"))

    def bill_changes(self, key: str) -> list[JsonObject]:
        """The bill's `commerce` or `distributor` changes."""
        bill = self.document.get("bill")
        return _objects(bill.get(key) if isinstance(bill, Mapping) else None)


def _objects(found: JsonValue) -> list[JsonObject]:
    """The objects of a list of JSON values (the compile writes its changes as objects); none for anything else."""
    return [c for c in found if isinstance(c, Mapping)] if isinstance(found, list) else []


# (the plan as read and checked, the flags apply runs with, apply's clock) -> the fresh compile
Recompile = Callable[[PlanFile, WriteOptions, datetime], FreshPlan]


# the fields of a bill change that say on which day it is made: the fresh compile's to say (the file's day may
# have passed since it was planned); every other field must be the fresh compile's
WHEN = ("window", "not_before", "by", "saving_from")
