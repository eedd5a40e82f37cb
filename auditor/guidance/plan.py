"""Locale-independent building blocks of a remediation: text references and Graph actions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .facts import GROUP_ID_PLACEHOLDER, Facts


@dataclass(frozen=True)
class Line:
    """A text catalog key plus the values its placeholders need beyond the common ones."""

    key: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Action:
    method: str
    path: str
    body: dict[str, Any] | None
    description: Line


@dataclass
class Plan:
    summary: Line | tuple[Line, ...]  # several: one sentence per product where grammar needs it
    steps: list[Line]
    role: str
    next_steps: list[Line]
    links: list[str]  # keys of links.URLS, or "graph:<key of links.GRAPH>"
    action: Action | None = None


# --- Graph actions (Microsoft Graph v1.0, paths relative to the cloud's Graph endpoint) ------


def assign_license(f: Facts, add: Sequence[str], remove: Sequence[str], description: Line) -> Action:
    """POST /users/{id}/assignLicense; both arrays are required by the API, either may be empty."""
    body = {
        "addLicenses": [{"disabledPlans": [], "skuId": f.sku_id(p)} for p in add],
        "removeLicenses": [f.sku_id(p) for p in remove],
    }
    return Action("POST", f"/users/{f.user_ref}/assignLicense", body, description)


def remove_member(f: Facts, part: str, values: Mapping[str, str]) -> Action:
    """DELETE /groups/{gid}/members/{uid}/$ref for the group `values["group"]` names (else the
    first) among those that assign `part`. The report lists the groups' names and ids in one order
    (TenantIndex.assigning_groups), so the id is the one at the named group's position."""
    ids = list(f.group_ids(part))
    names = list(f.groups(part))
    if not ids:
        key = "graph.membership_lookup"
    elif len(ids) > 1 or len(names) > 1:
        key = "graph.membership_many"
    else:
        key = "graph.membership"
    group = values.get("group")
    at = names.index(group) if group in names and len(names) == len(ids) else 0
    gid = ids[at] if ids else GROUP_ID_PLACEHOLDER
    return Action("DELETE", f"/groups/{gid}/members/{f.user_ref}/$ref", None, Line(key, values))


def reprocess(f: Facts, description: Line) -> Action:
    return Action("POST", f"/users/{f.user_ref}/reprocessLicenseAssignment", None, description)


def set_usage_location(f: Facts, description: Line) -> Action:
    return Action("PATCH", f"/users/{f.user_ref}", {"usageLocation": "XX"}, description)


def list_holders(sku_id: str, description: Line) -> Action:
    path = (
        f"/users?$filter=assignedLicenses/any(x:x/skuId eq {sku_id})"
        "&$select=id,userPrincipalName,displayName,accountEnabled"
    )
    return Action("GET", path, None, description)
