"""What a fresh compile of a plan says (auditor.apply.agree compares a plan file's changes with it).

`apply` never takes a change from plan.json as it is: before the first write it compiles the plan again
from the tenant as the source says now, under the plan's policy, with the functions `plan` used, and makes
only the changes both agree on. The compile itself runs the audit's stages, which sit above apply in the
layers (docs/architecture.md), so the command layer hands it in: a `Recompile` (auditor.pipeline.recompile).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import msgspec

from ..common.json_value import JsonObject, JsonValue
from ..formats.bill_model import CommerceChange
from ..formats.plan_json import PlanFile
from .agree import Refusal, agreement
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


def agreed_bill(
    data: bytes, key: str, changes: Sequence[CommerceChange], fresh: FreshPlan, today: date
) -> tuple[list[CommerceChange], dict[int, Refusal]]:
    """The plan's bill changes (`key`: "commerce" or "distributor"; `changes`: as apply read them from the
    plan's bytes `data`), each that the fresh compile makes the same as the fresh compile has it (its day, the
    plan's number), each other as the plan has it; and why each other one is refused (by its number), never to
    be sent. `today`: apply's day (a day of the plan gone by counts as today)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
        raw = doc["bill"][key]
    except (ValueError, KeyError, TypeError):
        raw = []
    found = agreement(raw if isinstance(raw, list) else [], fresh.bill_changes(key), when=WHEN, today=today.isoformat())
    out: list[CommerceChange] = []
    refused: dict[int, Refusal] = {}
    for change in changes:
        if change.n not in found.matched:
            refused[change.n] = found.refused.get(change.n) or Refusal(change.n, "n", "not a change of the plan's bill")
            out.append(change)
            continue
        out.append(msgspec.convert({**found.matched[change.n], "n": change.n}, CommerceChange))
    return out, refused
