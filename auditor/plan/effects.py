"""A plan's atomic effects: each ready action split into what it does to one thing.

An `Op` is one indivisible effect: a product added or removed for a user, a group joined or left,
a usage location set, a reprocess. The same effect asked by several findings becomes one
(`merge_ops`), naming them all; findings asking for opposite effects contradict each other
(`conflicts`); removals of several findings that together would end a user's data are found by
`ends_data_together`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from auditor.formats.change_model import DataKept, Precondition
from auditor.plan.actions import Action


class Op(msgspec.Struct):
    """One indivisible effect: a product added or removed, a group joined or left, a reprocess."""

    key: tuple[str, ...]  # ("license", user, skuId lower, "add"|"remove"), ("member", user, group, ...), ...
    kind: str
    user: str
    group: str | None
    path: str
    payload: Any  # license add: the addLicenses entry; usage location: the body; join: the body
    seats: dict[str, int]
    findings: list[str]
    precondition: list[Precondition]
    data_kept: list[DataKept] = msgspec.field(default_factory=list)  # declarations that allowed it

    def absorb(self, other: Op) -> None:
        """The same effect asked by another finding: one change naming both."""
        for fid in other.findings:
            if fid not in self.findings:
                self.findings.append(fid)
        extend_unique(self.precondition, other.precondition)
        extend_unique(self.data_kept, other.data_kept)
        # findings may count the same effect differently (a direct copy a group's copy stands in
        # for frees no seat): keep the count that frees the fewest seats and takes the most
        for part in {*self.seats, *other.seats}:
            self.seats[part] = max(self.seats.get(part, 0), other.seats.get(part, 0))
        self.seats = {part: delta for part, delta in self.seats.items() if delta}


def extend_unique(into: list[Any], items: Iterable[Any]) -> None:
    seen = {_canon(i) for i in into}
    for item in items:
        key = _canon(item)
        if key not in seen:
            seen.add(key)
            into.append(item)


def _canon(value: Any) -> Any:
    """A hashable stand-in for a JSON value, equal for equal values."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def ops_of(
    fid: str, action: Action, parts: Mapping[str, str], root: str, data_kept: DataKept | None = None
) -> list[Op]:
    """The action's effects; `data_kept`: the declaration that made it ready (auditor.plan.declared)."""
    kind, user, group, path = action.kind, action.user, action.group, action.path
    seats = dict(action.seats)
    pre = [p.copy() for p in action.precondition]
    declared: list[DataKept] = [{"finding": fid, **data_kept}] if data_kept else []

    def op(key: tuple[str, ...], payload: Any, op_seats: dict[str, int]) -> Op:
        return Op(key, kind, user, group, path, payload, op_seats, [fid], list(pre), list(declared))

    if kind == "assign_license":
        body = action.body
        items: list[tuple[tuple[str, ...], Any, str]] = []
        for add in body["addLicenses"]:
            sku = add["skuId"].lower()
            entry = {"disabledPlans": list(add.get("disabledPlans", [])), "skuId": add["skuId"]}
            items.append((("license", user, sku, "add"), entry, sku))
        for sku_id in body["removeLicenses"]:
            items.append((("license", user, sku_id.lower(), "remove"), sku_id, sku_id.lower()))
        # Each product's seat change belongs to the add or removal of that product; a change the
        # seat table cannot place stays with the action's first effect.
        left = dict(seats)
        out = []
        for key, payload, sku in items:
            part = parts.get(sku)
            mine = {part: left.pop(part)} if part is not None and part in left else {}
            out.append(op(key, payload, mine))
        for part, delta in left.items():
            out[0].seats[part] = out[0].seats.get(part, 0) + delta
        return out
    if kind in ("add_member", "remove_member"):
        direction = "add" if kind == "add_member" else "remove"
        payload = {"@odata.id": f"{root}/directoryObjects/{user}"} if kind == "add_member" else None
        return [op(("member", user, str(group).lower(), direction), payload, seats)]
    if kind == "set_usage_location":
        return [op(("usage_location", user), dict(action.body), seats)]
    return [op(("reprocess", user), None, seats)]


def merge_ops(ops: Iterable[Op]) -> dict[tuple[str, ...], Op]:
    merged: dict[tuple[str, ...], Op] = {}
    for o in ops:
        if o.key in merged:
            merged[o.key].absorb(o)
        else:
            merged[o.key] = o
    return merged


def conflicts(ops: Sequence[Op]) -> dict[str, set[str]]:
    """finding -> the findings it contradicts: the same product or group both added and removed
    for a user, one product added with different disabled plans, two usage locations."""
    by_subject: dict[tuple[str, ...], list[Op]] = {}
    for o in ops:
        by_subject.setdefault(o.key[:3], []).append(o)
    clashes: dict[str, set[str]] = {}
    for subject, group in by_subject.items():
        if subject[0] == "reprocess":
            continue
        if subject[0] == "usage_location":
            clash = len({_canon(o.payload) for o in group}) > 1
        else:
            directions = {o.key[3] for o in group}
            adds = {
                _canon(sorted(o.payload["disabledPlans"]))
                for o in group
                if subject[0] == "license" and o.key[3] == "add"
            }
            clash = len(directions) > 1 or len(adds) > 1
        if clash:
            involved = {fid for o in group for fid in o.findings}
            for fid in involved:
                clashes.setdefault(fid, set()).update(involved - {fid})
    return clashes


def ends_data_together(
    ops: Iterable[Op], kinds_of: Mapping[str, Mapping[str, list[str]] | None]
) -> dict[str, tuple[set[str], list[str]]]:
    """finding -> (the other findings, the kinds of data) for a user whose products, removed by two
    findings or more together (no one of them removing them all), would end a kind of data (a
    mailbox, an archive, files) that no one of the removals ends alone (each finding checked its
    own: details.data_lost). A product the
    user loses is one whose seat the merged changes free; what each held product keeps comes from
    details.data_kinds (docs/report-format.md). Without it the sum cannot be checked: "unknown".
    A product the changes add may keep the data too, but what it holds is not known here: such a
    plan is left to a person as well. A finding that shares a change with one left out is left out
    with it (a finding is planned whole or not at all)."""
    by_user: dict[str, list[Op]] = {}
    for o in ops:
        by_user.setdefault(o.user, []).append(o)
    out: dict[str, tuple[set[str], list[str]]] = {}
    for user_ops in by_user.values():
        lost, frees = _lost_and_freed(user_ops)
        # one finding that frees them all checked this very removal itself
        if not lost or any(lost <= parts for parts in frees.values()):
            continue
        removers = set(frees)
        ends = _data_ended(lost, [kinds_of[fid] for fid in removers])
        if ends:
            linked = _linked(removers, user_ops)
            for fid in linked:
                out[fid] = (linked - {fid}, ends)
    return out


def _lost_and_freed(user_ops: list[Op]) -> tuple[set[str], dict[str, set[str]]]:
    """The products one user's changes take away in all, and per finding the products its own
    changes free."""
    net: dict[str, int] = {}
    frees: dict[str, set[str]] = {}
    for o in user_ops:
        for part, delta in o.seats.items():
            net[part] = net.get(part, 0) + delta
            if delta < 0:
                for fid in o.findings:
                    frees.setdefault(fid, set()).add(part)
    return {part for part, delta in net.items() if delta < 0}, frees


def _data_ended(lost: set[str], maps: list[Mapping[str, list[str]] | None]) -> list[str]:
    """The kinds of data no product the user keeps holds once `lost` is gone (details.data_kinds
    of the removing findings, checked as the plan read them: auditor.plan.leaver_facts); ["unknown"]
    when a finding has none."""
    held: dict[str, list[str]] = {}
    for m in maps:
        held.update(m or {})
    if any(m is None for m in maps):
        return ["unknown"]  # what the products hold cannot be read: a person decides
    kinds = {part: set(v) for part, v in held.items()}
    before = set().union(*kinds.values()) if kinds else set()
    after = set().union(*(v for part, v in kinds.items() if part not in lost)) if kinds else set()
    return sorted(before - after)


def _linked(removers: set[str], user_ops: list[Op]) -> set[str]:
    """The removing findings and every finding that shares a change with one of them, and so on:
    a finding is planned whole or not at all, so they are left out together."""
    linked = set(removers)
    grown = True
    while grown:
        grown = False
        for o in user_ops:
            if set(o.findings) & linked and not set(o.findings) <= linked:
                linked |= set(o.findings)
                grown = True
    return linked
