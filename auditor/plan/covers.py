"""The product a removal rests on, as a precondition apply checks just before the removal.

A `license-redundant` finding removes a product because another one the user keeps (its
`covered_by`) turns on every service it does; a `sku-combination-forbidden` finding removes one
product of a combination and keeps the others (`keep`). Both removals are right only while the
user still holds the kept product. So each removal (the assignLicense that removes the product,
and the leave of a group that gives it) carries `{"holds": <kept skuId>, "active": true}`, and,
for redundancy, `"plans_on"`: the kept product's service plans that covered the removed one
(the rule's `cover_plans`). apply skips the removal when the user no longer holds the kept
product in an Active copy without error, or holds it with one of those plans turned off
(auditor.apply.state). The kept product's skuId is the finding's own fact: `cover_ids` for
redundancy, `sku_ids` for a combination (the finding's products include the kept ones); a finding
that does not give it is not planned (kept_unknown).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import msgspec

from auditor.evaluation.records import record
from auditor.formats.change_model import Precondition
from auditor.plan.actions import Action, PlanFinding
from auditor.rules.assignments.combination import SkuCombinationForbiddenDetails
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
from auditor.rules.hygiene.overlap import LicenseRedundantDetails


def _strs(value: str | list[str]) -> list[str]:
    """A combination's `remove`: one product, or the declared ones ("": none, the field's default)."""
    if isinstance(value, str):
        return [value] if value else []
    return value


def _redundant(f: PlanFinding) -> LicenseRedundantDetails | None:
    """A redundancy finding's own details, typed (a value of the wrong type refused with its place)."""
    return record(f, LicenseRedundantDetails)


def _ids(f: PlanFinding) -> dict[str, str]:
    """Part number -> skuId of the products the finding names: the ones it removes (`sku_ids`) and, for
    redundancy, the ones the user keeps (`cover_ids`: the removed product's `sku_ids` never lists them)."""
    redundant = _redundant(f)
    return {**f.source.holding.sku_ids, **(redundant.cover_ids if redundant is not None else {})}


def _rests_on(f: PlanFinding) -> dict[str, list[str]]:
    """Removed part number -> the part numbers of the products its removal rests on."""
    redundant = _redundant(f)
    if redundant is not None:
        return {part: [kept] for part, kept in redundant.covered_by.items()}
    combination = record(f, SkuCombinationForbiddenDetails)
    if combination is not None:
        return {part: list(combination.keep) for part in _strs(combination.remove)}
    return {}


def kept_unknown(f: PlanFinding) -> list[str]:
    """The products a removal of `f` rests on whose skuId the finding does not give (the removal cannot
    be made safely: the plan leaves the finding out)."""
    ids = _ids(f)
    return sorted({p for kept in _rests_on(f).values() for p in kept if p not in ids})


def _lower(guid: str) -> str:
    """`guid` in lower case, one string for every action that names it: a tenant's few products and
    service plans, named again by each of its redundant licenses (what that saves: docs/performance.md,
    "What the code's shapes save")."""
    return sys.intern(guid.lower())


def _lowered(guids: list[str]) -> list[str]:
    """_lower of each of `guids`, sorted (a redundant license's dozens of covering plans, each finding's)."""
    return sorted(map(sys.intern, map(str.lower, guids)))


def _kept(f: PlanFinding, ids: Mapping[str, str]) -> dict[str, list[Precondition]]:
    """Removed part number -> the preconditions on the products its removal rests on (`ids`: _ids(f))."""
    redundant = _redundant(f)
    plans = redundant.cover_plans if redundant is not None else {}

    def cond(part: str) -> Precondition:
        out: Precondition = {"holds": _lower(ids[part]), "active": True}
        given = plans.get(part)
        if given:
            out["plans_on"] = _lowered(given)
        return out

    return {part: [cond(k) for k in kept if k in ids] for part, kept in _rests_on(f).items()}


# a person's rule's removal rests on the account being a person's still (apply re-reads its kind):
# added here too, so a report.json written before the account kinds plans no removal apply cannot guard
PERSON_RULES = (DisabledUserLicensed.id, InactiveUserLicensed.id)
PERSON: Precondition = {"person": True}


def with_kept(f: PlanFinding, action: Action) -> Action:
    """`action` with the preconditions on the products its removal rests on (none: unchanged), and,
    for a person's rule, on the account being a person's still."""
    if action.kind not in ("assign_license", "remove_member"):
        return action
    if f.rule in PERSON_RULES and PERSON not in action.precondition:
        action = msgspec.structs.replace(action, precondition=(*action.precondition, PERSON))
    ids = _ids(f)
    kept = _kept(f, ids)
    if not kept:
        return action
    part_of = {v.lower(): k for k, v in ids.items()}
    if action.kind == "assign_license" and isinstance(action.body, Mapping):
        removed = [part_of.get(str(s).lower(), "") for s in action.body.get("removeLicenses") or []]
    else:  # a leave: every product of the finding it gives is removed with it
        removed = list(kept)
    extra = [c for part in removed for c in kept.get(part, ()) if c not in action.precondition]
    if not extra:
        return action
    unique = [c for i, c in enumerate(extra) if c not in extra[:i]]
    return msgspec.structs.replace(action, precondition=(*action.precondition, *unique))
