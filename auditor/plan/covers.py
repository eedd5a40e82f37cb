"""The product a removal rests on, as a precondition apply checks just before the removal.

A `license-redundant` finding removes a product because another one the user keeps (its
`covered_by`) turns on every service it does; a `sku-combination-forbidden` finding removes one
product of a combination and keeps the others (`keep`). Both removals are right only while the
user still holds the kept product. So each removal (the assignLicense that removes the product,
and the leave of a group that gives it) carries `{"holds": <kept skuId>, "active": true}`, and,
for redundancy, `"plans_on"`: the kept product's service plans that covered the removed one
(the rule's `cover_plans`). apply skips the removal when the user no longer holds the kept
product in an Active copy without error, or holds it with one of those plans turned off
(auditor.apply.state).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from auditor.plan.actions import Action, PlanFinding
from auditor.rules.assignments import SkuCombinationForbidden
from auditor.rules.hygiene.overlap import LicenseRedundant


def _strs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _kept(f: PlanFinding) -> dict[str, list[dict[str, Any]]]:
    """Removed part number -> the preconditions on the products its removal rests on."""
    ids = f.details.get("sku_ids")
    if not isinstance(ids, Mapping):
        return {}

    def cond(part: str, plans: Any = None) -> dict[str, Any] | None:
        sku = ids.get(part)
        if not isinstance(sku, str):
            return None
        out: dict[str, Any] = {"holds": sku.lower(), "active": True}
        if plans:
            out["plans_on"] = sorted(p.lower() for p in _strs(plans))
        return out

    found: dict[str, list[dict[str, Any]]] = {}
    if f.rule == LicenseRedundant.id:
        covers, plans = f.details.get("covered_by"), f.details.get("cover_plans")
        for part, cover in covers.items() if isinstance(covers, Mapping) else ():
            given = plans.get(cover) if isinstance(plans, Mapping) else None
            found[part] = [c for c in (cond(cover, given),) if c is not None]
    elif f.rule == SkuCombinationForbidden.id:
        keep = [c for c in (cond(part) for part in _strs(f.details.get("keep"))) if c is not None]
        for part in _strs(f.details.get("remove")):
            found[part] = keep
    return found


def with_kept(f: PlanFinding, action: Action) -> Action:
    """`action` with the preconditions on the products its removal rests on (none: unchanged)."""
    kept = _kept(f)
    if not kept or action.kind not in ("assign_license", "remove_member"):
        return action
    ids = f.details.get("sku_ids")
    part_of = {str(v).lower(): k for k, v in ids.items()} if isinstance(ids, Mapping) else {}
    if action.kind == "assign_license" and isinstance(action.body, Mapping):
        removed = [part_of.get(str(s).lower(), "") for s in action.body.get("removeLicenses") or []]
    else:  # a leave: every product of the finding it gives is removed with it
        removed = list(kept)
    extra = [c for part in removed for c in kept.get(part, ()) if c not in action.precondition]
    if not extra:
        return action
    unique = [c for i, c in enumerate(extra) if c not in extra[:i]]
    return msgspec.structs.replace(action, precondition=(*action.precondition, *unique))
