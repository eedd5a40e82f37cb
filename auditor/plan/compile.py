"""A report document's actions -> one minimal, ordered, seat-checked change set (a `Plan`).

Pure: no files, no clock, no network. `compile_plan(document, ...)` reads only the document
(report.json as a dict, docs/report-format.md) and returns the same plan every time.

1. Which findings: open (unwaived) ones, narrowed by `rules`, `min_severity` and `finding_ids`.
   A finding is planned whole or not at all: when any of its `remediation.actions` is not
   `ready` (a placeholder id, a value to choose, data that would be lost, a lookup), none of them
   is, and the finding is listed in `skipped` with the reason. Running half of a replacement
   (leaving the old group without joining the new one) could leave a user unlicensed.
2. Minimal: a user's license changes become one `assignLicense` call with `addLicenses` and
   `removeLicenses` together; the same removal, group join or leave asked by two findings is one
   change (naming both findings). Two findings that contradict each other (one adds a product or
   group membership another removes) are both left out, each naming the other.
3. Order, per user: usage location, group joins, the license call, group leaves, reprocess. A
   change that takes something away depends on the user's changes that give (adds before removes,
   so a replacement never leaves the user without a license); reprocess depends on all of the
   user's other changes. Across users: users whose changes only free seats come first, then the
   others in report order, each as soon as its changes fit the seats free at that point (one that
   does not yet fit is tried again after later users freed what it needs), so the plan needs as
   few free seats as it can. A user's changes stay together.
4. Seats: each product's usable seats (enabled + warning) and consumed seats from the report's
   seat table; every change's `seats` deltas are applied in order. A change that would consume
   more than is usable (Graph's CountViolation) stops the plan: `stopped` names the first such
   change, and the users whose changes never fit are left out whole (none is half changed).
5. Cost: seat changes x the seat table's monthly price; products without a price are named in
   `unpriced` and not counted.

The plan's records are msgspec Structs rather than dataclasses (the same fields, equality and
repr): defining one costs a few hundredths of a millisecond where a dataclass costs about one,
which every audit's start-up pays.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from auditor.apply.plan_file import PlanFileError, Where, parse_change
from auditor.model import Severity
from auditor.plan.describe import Describer

KINDS = ("assign_license", "add_member", "remove_member", "reprocess", "set_usage_location", "lookup")
METHODS = {
    "assign_license": "POST",
    "add_member": "POST",
    "remove_member": "DELETE",
    "reprocess": "POST",
    "set_usage_location": "PATCH",
    "lookup": "GET",
}
DEFAULT_GRAPH_ROOT = "https://graph.microsoft.com/v1.0"
COUNT_VIOLATION = "no free seat: CountViolation"
NOT_SUBSCRIBED = "the tenant has no subscription for this product: CountViolation"

# Skipped reasons besides the actions' own `blocked` values.
NO_ACTION = "no_action"  # the finding has no action to run (a person decides what to do)
NOT_READY = "not_ready"  # an action is not ready and says no more
MALFORMED = "malformed"  # an action does not have the shape docs/report-format.md gives
CONTRADICTION = "contradiction"  # another finding asks for the opposite
DATA_TOGETHER = "data_together"  # with another finding's removals, the user's mailbox or files would end
STOPPED = "stopped"  # the plan stops before this finding's changes (no free seat)
WAIVED = "waived"  # named with --findings, but waived
WAIVER_LAPSED = "waiver_recently_expired"  # open again since its waiver expired (< 14 days): its owner decides
PLAN_REASONS = (NO_ACTION, NOT_READY, MALFORMED, CONTRADICTION, DATA_TOGETHER, STOPPED, WAIVED, WAIVER_LAPSED)



# --- the plan -------------------------------------------------------------------------------


class Change(msgspec.Struct, frozen=True):
    n: int  # position in execution order, from 1
    kind: str
    method: str
    path: str
    body: dict[str, Any] | None
    description: str
    user: str
    group: str | None
    precondition: tuple[dict[str, Any], ...]
    seats: dict[str, int]  # consumed-unit change per product (part number)
    findings: tuple[str, ...]
    depends_on: tuple[int, ...]  # `n` of earlier changes that must have succeeded

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "body": self.body,
            "description": self.description,
            "user": self.user,
            "group": self.group,
            "precondition": [dict(p) for p in self.precondition],
            "seats": dict(self.seats),
            "findings": list(self.findings),
            "depends_on": list(self.depends_on),
        }


class Skipped(msgspec.Struct, frozen=True):
    finding: str
    rule: str
    reason: str
    subject: str  # the subject's name, UPN or id, for a reader
    description: str = ""  # the action that needs a person, when there is one
    others: tuple[str, ...] = ()  # contradiction, data_together: the other findings
    data: tuple[str, ...] = ()  # data_together: the kinds of data that would end (mailbox, archive, files)
    waiver: dict[str, str] | None = None  # waiver_recently_expired: the waiver's owner and expires

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"finding": self.finding, "rule": self.rule, "reason": self.reason,
                               "subject": self.subject, "description": self.description}
        if self.others:
            out["with"] = list(self.others)
        if self.data:
            out["data"] = list(self.data)
        if self.waiver:
            out["waiver"] = dict(self.waiver)
        return out


class Stopped(msgspec.Struct, frozen=True):
    n: int  # the number the change would have had
    sku: str
    usable: int
    needed: int  # consumed seats the change would need
    reason: str
    description: str
    method: str
    path: str

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "sku": self.sku, "usable": self.usable, "needed": self.needed, "reason": self.reason,
                "description": self.description, "method": self.method, "path": self.path}


class SeatLine(msgspec.Struct, frozen=True):
    sku: str
    name: str
    usable: int | None  # None: not in the report's seat table
    consumed: int | None
    after: int
    price: float | None  # monthly, in the plan's currency; 0 for a free product

    def to_json(self) -> dict[str, Any]:
        return {"usable": self.usable, "consumed": self.consumed, "after": self.after}


class Filters(msgspec.Struct, frozen=True):
    rules: tuple[str, ...] | None = None
    min_severity: str | None = None
    findings: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rules": None if self.rules is None else list(self.rules), "min_severity": self.min_severity,
                "findings": None if self.findings is None else list(self.findings)}


class Plan(msgspec.Struct, frozen=True):
    tenant_id: str
    tenant_name: str
    cloud: str
    locale: str
    report_generated_at: str
    currency: str | None
    net_monthly: float | None  # None: no product of the plan has a price
    unpriced: tuple[str, ...]  # products whose seats change but which have no price
    changes: tuple[Change, ...]
    seats: tuple[SeatLine, ...]  # the products the changes touch
    stopped: Stopped | None
    skipped: tuple[Skipped, ...]
    filters: Filters = msgspec.field(default_factory=Filters)

    @property
    def need_a_person(self) -> int:
        """Findings in scope that the plan does not fix (a waived finding named on purpose is not one)."""
        return len({s.finding for s in self.skipped if s.reason != WAIVED})


# --- checking one action ----------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def action_problem(action: Any) -> str | None:
    """What is wrong with one report action (docs/report-format.md), or None.

    A not-ready action needs only a kind; a ready one must be exactly the call its kind makes,
    on the user (and group) it names: apply runs these against the tenant."""
    return _shape_problem(action) or _call_problem(action)


def _shape_problem(action: Any) -> str | None:
    """What is wrong with an action's kind, readiness, seats, precondition or description, or None."""
    if not isinstance(action, Mapping):
        return "is not an object"
    kind = action.get("kind")
    if kind not in KINDS:
        return f"kind {str(kind)[:40]!r} is not one of {', '.join(KINDS)}"
    if not isinstance(action.get("ready"), bool):
        return "ready must be true or false"
    seats = action.get("seats") or {}
    if not isinstance(seats, Mapping) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in seats.items()
    ):
        return "seats must map part numbers to whole numbers"
    precondition = action.get("precondition") or []
    if not isinstance(precondition, list) or not all(isinstance(p, Mapping) for p in precondition):
        return "precondition must be a list of objects"
    if not isinstance(action.get("description", ""), str):
        return "description must be text"
    return None


def _call_problem(action: Mapping[str, Any]) -> str | None:
    """What is wrong with the call of a well-shaped ready action, or None (also for one not ready)."""
    if not action["ready"] or action["kind"] == "lookup":
        return None
    # A ready call is checked exactly as apply will check it in plan.json (the same parser), so
    # the plan never holds a change apply would refuse.
    try:
        parse_change({**action, "n": 1}, _InAction(), "")
    except PlanFileError as exc:
        return str(exc)
    return None


class _InAction(Where):
    """Messages about one report action: the field, without a file name."""

    def __init__(self) -> None:
        super().__init__(Path("report.json"))

    def error(self, field: str, message: str) -> PlanFileError:
        return PlanFileError(f"{field.lstrip('.')} {message}" if field else message)


# --- atomic operations ------------------------------------------------------------------------


class _Op(msgspec.Struct):
    """One indivisible effect: a product added or removed, a group joined or left, a reprocess."""

    key: tuple[str, ...]  # ("license", user, skuId lower, "add"|"remove"), ("member", user, group, ...), ...
    kind: str
    user: str
    group: str | None
    path: str
    payload: Any  # license add: the addLicenses entry; usage location: the body; join: the body
    seats: dict[str, int]
    findings: list[str]
    precondition: list[dict[str, Any]]

    def absorb(self, other: _Op) -> None:
        """The same effect asked by another finding: one change naming both."""
        for fid in other.findings:
            if fid not in self.findings:
                self.findings.append(fid)
        _extend_unique(self.precondition, other.precondition)
        # findings may count the same effect differently (a direct copy a group's copy stands in
        # for frees no seat): keep the count that frees the fewest seats and takes the most
        for part in {*self.seats, *other.seats}:
            self.seats[part] = max(self.seats.get(part, 0), other.seats.get(part, 0))
        self.seats = {part: delta for part, delta in self.seats.items() if delta}


def _extend_unique(into: list[Any], items: Iterable[Any]) -> None:
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


def _ops_of(fid: str, action: Mapping[str, Any], parts: Mapping[str, str], root: str) -> list[_Op]:
    kind = action["kind"]
    user = action["user"]
    group = action.get("group")
    seats = {k: v for k, v in (action.get("seats") or {}).items() if v}
    pre = [dict(p) for p in action.get("precondition") or []]
    path = action["path"]

    def op(key: tuple[str, ...], payload: Any, op_seats: dict[str, int]) -> _Op:
        return _Op(key, kind, user, group, path, payload, op_seats, [fid], list(pre))

    if kind == "assign_license":
        body = action["body"]
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
        return [op(("usage", user), dict(action["body"]), seats)]
    return [op(("reprocess", user), None, seats)]


def _merge_ops(ops: Iterable[_Op]) -> dict[tuple[str, ...], _Op]:
    merged: dict[tuple[str, ...], _Op] = {}
    for o in ops:
        if o.key in merged:
            merged[o.key].absorb(o)
        else:
            merged[o.key] = o
    return merged


def _conflicts(ops: Sequence[_Op]) -> dict[str, set[str]]:
    """finding -> the findings it contradicts: the same product or group both added and removed
    for a user, one product added with different disabled plans, two usage locations."""
    by_subject: dict[tuple[str, ...], list[_Op]] = {}
    for o in ops:
        by_subject.setdefault(o.key[:3], []).append(o)
    clashes: dict[str, set[str]] = {}
    for subject, group in by_subject.items():
        if subject[0] == "reprocess":
            continue
        if subject[0] == "usage":
            clash = len({_canon(o.payload) for o in group}) > 1
        else:
            directions = {o.key[3] for o in group}
            adds = {_canon(sorted(o.payload["disabledPlans"])) for o in group
                    if subject[0] == "license" and o.key[3] == "add"}
            clash = len(directions) > 1 or len(adds) > 1
        if clash:
            involved = {fid for o in group for fid in o.findings}
            for fid in involved:
                clashes.setdefault(fid, set()).update(involved - {fid})
    return clashes


def _ends_data_together(ops: Iterable[_Op], findings: Mapping[str, Mapping[str, Any]]
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
    by_user: dict[str, list[_Op]] = {}
    for o in ops:
        by_user.setdefault(o.user, []).append(o)
    out: dict[str, tuple[set[str], list[str]]] = {}
    for user_ops in by_user.values():
        net: dict[str, int] = {}
        frees: dict[str, set[str]] = {}  # finding -> the products its own changes free
        for o in user_ops:
            for part, delta in o.seats.items():
                net[part] = net.get(part, 0) + delta
                if delta < 0:
                    for fid in o.findings:
                        frees.setdefault(fid, set()).add(part)
        lost = {part for part, delta in net.items() if delta < 0}
        removers = set(frees)
        # one finding that frees them all checked this very removal itself
        if not lost or any(lost <= parts for parts in frees.values()):
            continue
        details = [findings[fid].get("details") for fid in removers]
        maps = [d.get("data_kinds") if isinstance(d, Mapping) else None for d in details]
        held: dict[str, Any] = {}
        for m in maps:
            held.update(m if isinstance(m, Mapping) else {})
        well_formed = all(isinstance(v, list) and all(isinstance(k, str) for k in v) for v in held.values())
        if not all(isinstance(m, Mapping) for m in maps) or not well_formed:
            ends = ["unknown"]  # what the products hold cannot be read: a person decides
        else:
            kinds = {part: set(v) for part, v in held.items()}
            before = set().union(*kinds.values()) if kinds else set()
            after = set().union(*(v for part, v in kinds.items() if part not in lost)) if kinds else set()
            ends = sorted(before - after)
        if ends:
            linked = set(removers)
            grown = True
            while grown:  # findings sharing a change with one left out go with it
                grown = False
                for o in user_ops:
                    if set(o.findings) & linked and not set(o.findings) <= linked:
                        linked |= set(o.findings)
                        grown = True
            for fid in linked:
                out[fid] = (linked - {fid}, ends)
    return out


# --- changes per user ---------------------------------------------------------------------------


class _Draft(msgspec.Struct):
    kind: str
    path: str
    body: dict[str, Any] | None
    user: str
    group: str | None
    precondition: list[dict[str, Any]]
    seats: dict[str, int]
    findings: list[str]
    gives: bool = False  # adds a product or a group membership
    takes: bool = False  # removes one
    deps: list[int] = msgspec.field(default_factory=list)  # indices into the user's chain


def _draft(ops: Sequence[_Op], kind: str, path: str, body: dict[str, Any] | None) -> _Draft:
    # one effect's lists are already free of repeats (_Op.absorb)
    precondition: list[dict[str, Any]] = list(ops[0].precondition)
    findings: list[str] = list(ops[0].findings)
    for o in ops[1:]:
        _extend_unique(precondition, o.precondition)
        _extend_unique(findings, o.findings)
    seats: dict[str, int] = {}
    for o in ops:
        for part, delta in o.seats.items():
            seats[part] = seats.get(part, 0) + delta
    return _Draft(kind, path, body, ops[0].user, ops[0].group, precondition, {k: v for k, v in seats.items() if v},
                  findings)


def _chain(user_ops: Sequence[_Op]) -> list[_Draft]:
    """One user's changes in execution order, with their dependencies."""
    usage: list[_Op] = []
    joins: list[_Op] = []
    leaves: list[_Op] = []
    adds: list[_Op] = []
    removes: list[_Op] = []
    reprocess: list[_Op] = []
    sorts = {("usage",): usage, ("member", "add"): joins, ("member", "remove"): leaves, ("license", "add"): adds,
             ("license", "remove"): removes, ("reprocess",): reprocess}
    for o in user_ops:
        sorts[(o.key[0], o.key[3]) if len(o.key) > 3 else (o.key[0],)].append(o)
    chain: list[_Draft] = []
    for o in usage:
        chain.append(_draft([o], "set_usage_location", o.path, o.payload))
    for o in joins:
        d = _draft([o], "add_member", o.path, o.payload)
        d.gives = True
        chain.append(d)
    if adds or removes:
        first = (adds or removes)[0]
        body = {"addLicenses": [o.payload for o in adds], "removeLicenses": [o.payload for o in removes]}
        d = _draft([*adds, *removes], "assign_license", first.path, body)
        d.gives, d.takes = bool(adds), bool(removes)
        chain.append(d)
    for o in leaves:
        d = _draft([o], "remove_member", o.path, None)
        d.takes = True
        chain.append(d)
    for o in reprocess[:1]:
        chain.append(_draft(reprocess, "reprocess", o.path, None))

    for i, d in enumerate(chain):
        if d.kind == "reprocess":
            d.deps = [j for j in range(len(chain)) if j != i]
            continue
        if d.kind != "set_usage_location":
            d.deps = [j for j, e in enumerate(chain[:i]) if e.kind == "set_usage_location"]
        if d.takes:
            d.deps += [j for j, e in enumerate(chain[:i]) if e.gives and j not in d.deps]
    return chain


# --- seats ----------------------------------------------------------------------------------------


class _Seat(msgspec.Struct):
    usable: int
    consumed: int
    known: bool


def _seat_table(document: Mapping[str, Any]) -> dict[str, _Seat]:
    table: dict[str, _Seat] = {}
    for row in document.get("skus") or []:
        if not isinstance(row, Mapping) or not isinstance(row.get("sku"), str):
            continue
        usable = _int(row.get("enabled")) + _int(row.get("warning"))
        table.setdefault(row["sku"], _Seat(usable, _int(row.get("consumed")), True))
    return table


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _overflow(chain: Sequence[_Draft], state: Mapping[str, _Seat]) -> tuple[int, str, int, int] | None:
    """(index in chain, product, usable, needed) of the first change that would not fit, else None."""
    used: dict[str, int] = {}
    for i, d in enumerate(chain):
        for part, delta in d.seats.items():
            seat = state.get(part)
            now = used.get(part, seat.consumed if seat else 0) + delta
            usable = seat.usable if seat else 0
            if delta > 0 and now > usable:
                return i, part, usable, now
            used[part] = now
    return None


def _apply(chain: Sequence[_Draft], state: dict[str, _Seat]) -> None:
    for d in chain:
        for part, delta in d.seats.items():
            state.setdefault(part, _Seat(0, 0, False)).consumed += delta


def _order(chains: Sequence[list[_Draft]], table: Mapping[str, _Seat]) -> tuple[
        list[list[_Draft]], tuple[int, str, int, int] | None, list[list[_Draft]]]:
    """(chains that fit, in order; the overflow of the first that does not; the chains left out).

    Users whose changes only free seats go first. The others go in report order, each when its
    changes fit; one that does not yet is tried again after a later user freed a product it
    needs, until a pass frees nothing it waits for."""
    freeing = [c for c in chains if all(delta <= 0 for d in c for delta in d.seats.values())]
    pending = [c for c in chains if any(delta > 0 for d in c for delta in d.seats.values())]
    state = {part: _Seat(s.usable, s.consumed, s.known) for part, s in table.items()}
    done: list[list[_Draft]] = []
    for c in freeing:
        _apply(c, state)
        done.append(c)
    while pending:
        waiting: list[list[_Draft]] = []
        blocked: set[str] = set()
        freed: set[str] = set()
        for c in pending:
            overflow = _overflow(c, state)
            if overflow is None:
                _apply(c, state)
                done.append(c)
                freed.update(part for d in c for part, delta in d.seats.items() if delta < 0)
            else:
                waiting.append(c)
                blocked.add(overflow[1])
        if not waiting:
            return done, None, []
        if len(waiting) == len(pending) or not freed & blocked:
            return done, _overflow(waiting[0], state), waiting
        pending = waiting
    return done, None, []


# --- compiling ------------------------------------------------------------------------------------


def _subject_text(finding: Mapping[str, Any]) -> str:
    subject = finding.get("subject")
    if not isinstance(subject, Mapping):
        return ""
    for key in ("display_name", "upn", "sku", "id"):
        value = subject.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _rank(severity: Any) -> int:
    try:
        return int(Severity.parse(str(severity)))
    except KeyError:
        return 0


def _actions(finding: Mapping[str, Any]) -> list[Any]:
    remediation = finding.get("remediation")
    actions = remediation.get("actions") if isinstance(remediation, Mapping) else None
    return list(actions) if isinstance(actions, list) else []


def _currency(document: Mapping[str, Any]) -> str | None:
    summary = document.get("summary")
    cost = summary.get("unused_monthly_cost") if isinstance(summary, Mapping) else None
    currency = cost.get("currency") if isinstance(cost, Mapping) else None
    if isinstance(currency, str) and currency:
        return currency
    for row in document.get("skus") or []:
        if isinstance(row, Mapping) and isinstance(row.get("currency"), str) and row["currency"]:
            return str(row["currency"])
    return None


def has_actions(document: Mapping[str, Any]) -> bool:
    """Whether the report carries per-finding actions at all (report.json schema 2 and later)."""
    version = document.get("schema_version")
    return isinstance(version, int) and not isinstance(version, bool) and version >= 2


def compile_plan(
    document: Mapping[str, Any],
    *,
    rules: Sequence[str] | None = None,
    min_severity: str | None = None,
    finding_ids: Sequence[str] | None = None,
    graph_root: str | None = None,
    describe_changes: bool = True,
) -> Plan:
    """The plan for `document`'s open findings (see the module docstring).

    `graph_root` is the cloud's Graph v1.0 endpoint for the `@odata.id` of group joins; default:
    the worldwide endpoint. The plan holds no inverse calls: what undoing a change takes is known
    only from the state apply reads right before it (its journal; `license-auditor undo`).
    Each change's description says what its call does (auditor.plan.describe), never what the
    report's actions say; `describe_changes=False` leaves them empty, for a caller that shows only
    the plan's summary line (the report header)."""
    root = (graph_root or DEFAULT_GRAPH_ROOT).rstrip("/")
    filters = Filters(tuple(rules) if rules is not None else None, min_severity,
                      tuple(finding_ids) if finding_ids is not None else None)
    threshold = Severity.parse(min_severity) if min_severity else None
    wanted = set(finding_ids) if finding_ids is not None else None
    rule_set = set(rules) if rules is not None else None
    parts = {str(r["sku_id"]).lower(): r["sku"] for r in document.get("skus") or []
             if isinstance(r, Mapping) and isinstance(r.get("sku_id"), str) and isinstance(r.get("sku"), str)}

    skipped: list[Skipped] = []
    eligible: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = []
    for f in document.get("findings") or []:
        if not isinstance(f, Mapping) or not isinstance(f.get("id"), str):
            continue
        fid, rule = f["id"], str(f.get("rule", ""))
        if wanted is not None and fid not in wanted:
            continue
        if rule_set is not None and rule not in rule_set:
            continue
        if threshold is not None and _rank(f.get("severity")) < threshold:
            continue
        if f.get("waived"):
            if wanted is not None:
                skipped.append(Skipped(fid, rule, WAIVED, _subject_text(f)))
            continue
        lapsed = _lapsed_waiver(f)
        if lapsed is not None:
            skipped.append(Skipped(fid, rule, WAIVER_LAPSED, _subject_text(f), waiver=lapsed))
            continue
        actions = _actions(f)
        reason = _not_plannable(actions)
        if reason is not None:
            why, description = reason
            skipped.append(Skipped(fid, rule, why, _subject_text(f), description))
            continue
        eligible.append((f, actions))

    ops = [o for f, actions in eligible for a in actions for o in _ops_of(f["id"], a, parts, root)]
    clashes = _conflicts(ops)
    if clashes:
        for f, _ in eligible:
            if f["id"] in clashes:
                skipped.append(Skipped(f["id"], str(f.get("rule", "")), CONTRADICTION, _subject_text(f),
                                       others=tuple(sorted(clashes[f["id"]]))))
        ops = [o for o in ops if not set(o.findings) & clashes.keys()]

    merged = _merge_ops(ops)
    together = _ends_data_together(merged.values(), {f["id"]: f for f, _ in eligible})
    if together:
        for f, _ in eligible:
            if f["id"] in together:
                others, data = together[f["id"]]
                skipped.append(Skipped(f["id"], str(f.get("rule", "")), DATA_TOGETHER, _subject_text(f),
                                       others=tuple(sorted(others)), data=tuple(data)))
        merged = {k: o for k, o in merged.items() if not set(o.findings) & together.keys()}
    by_user: dict[str, list[_Op]] = {}
    for o in merged.values():
        by_user.setdefault(o.user, []).append(o)
    chains = [_chain(user_ops) for user_ops in by_user.values()]

    table = _seat_table(document)
    done, overflow, left_out = _order(chains, table)

    position = {f["id"]: i for i, (f, _) in enumerate(eligible)}
    by_id = {f["id"]: f for f, _ in eligible}
    words = Describer(by_id, document) if describe_changes else None
    changes: list[Change] = []
    for chain in done:
        base = len(changes)
        for i, d in enumerate(chain):
            changes.append(Change(
                n=base + i + 1, kind=d.kind, method=METHODS[d.kind], path=d.path, body=d.body,
                description=words.of(d.kind, d.body, d.user, d.group, d.findings) if words else "",
                user=d.user, group=d.group, precondition=tuple(d.precondition),
                seats=dict(d.seats), findings=tuple(sorted(d.findings, key=lambda fid: position[fid])),
                depends_on=tuple(base + j + 1 for j in sorted(d.deps)),
            ))

    stopped = None
    if overflow is not None:
        index, part, usable, needed = overflow
        first = left_out[0][index]
        known = part in table
        stopped = Stopped(len(changes) + index + 1, part, usable, needed,
                          COUNT_VIOLATION if known else NOT_SUBSCRIBED,
                          words.of(first.kind, first.body, first.user, first.group, first.findings) if words else "",
                          METHODS[first.kind], first.path)
        cut = dict.fromkeys(fid for chain in left_out for d in chain for fid in d.findings)
        for fid in cut:
            f = by_id[fid]
            skipped.append(Skipped(fid, str(f.get("rule", "")), STOPPED, _subject_text(f)))

    currency = _currency(document)
    seats, net, unpriced = _seats_and_cost(document, table, changes, currency)
    tenant_value = document.get("tenant")
    tenant: Mapping[str, Any] = tenant_value if isinstance(tenant_value, Mapping) else {}
    return Plan(
        tenant_id=str(tenant.get("id") or ""),
        tenant_name=str(tenant.get("name") or ""),
        cloud=str(tenant.get("cloud") or "worldwide"),
        locale=str(document.get("locale") or "en"),
        report_generated_at=str(document.get("generated_at") or ""),
        currency=currency,
        net_monthly=net,
        unpriced=unpriced,
        changes=tuple(changes),
        seats=seats,
        stopped=stopped,
        skipped=tuple(skipped),
        filters=filters,
    )


def _lapsed_waiver(finding: Mapping[str, Any]) -> dict[str, str] | None:
    """{"owner", "expires"} of the waiver an open finding keeps (it expired less than 14 days ago,
    auditor.engine): no change is made until its owner renews it or lets it go. None otherwise."""
    waiver = finding.get("waiver")
    if not isinstance(waiver, Mapping):
        return None
    return {key: str(waiver.get(key) or "") for key in ("owner", "expires")}


def _not_plannable(actions: Sequence[Any]) -> tuple[str, str] | None:
    """(reason, the action's description) when the finding cannot be planned, else None.

    An action of the wrong shape makes the finding `malformed`; else an action that is not ready
    gives its reason; else a ready call that apply would refuse makes it `malformed`. The `plan`
    command has parsed every call when it read the report, so for it the order changes nothing;
    the report header's plan skips parsing the calls of findings that wait for a person."""
    if not actions:
        return NO_ACTION, ""
    for action in actions:
        if _shape_problem(action) is not None:
            return _malformed(action)
    for action in actions:
        if not action["ready"] or action["kind"] == "lookup":
            blocked = action.get("blocked")
            reason = blocked if isinstance(blocked, str) and blocked else (
                "lookup" if action["kind"] == "lookup" else NOT_READY)
            return reason, str(action.get("description") or "")
    for action in actions:
        if _call_problem(action) is not None:
            return _malformed(action)
    return None


def _malformed(action: Any) -> tuple[str, str]:
    description = action.get("description") if isinstance(action, Mapping) else None
    return MALFORMED, description if isinstance(description, str) else ""


def _seats_and_cost(document: Mapping[str, Any], table: Mapping[str, _Seat], changes: Sequence[Change],
                    currency: str | None) -> tuple[tuple[SeatLine, ...], float | None, tuple[str, ...]]:
    rows = {r["sku"]: r for r in document.get("skus") or [] if isinstance(r, Mapping) and isinstance(r.get("sku"), str)}
    delta: dict[str, int] = {}
    for c in changes:
        for part, d in c.seats.items():
            delta[part] = delta.get(part, 0) + d
    lines: list[SeatLine] = []
    net = 0.0
    priced = False
    unpriced: list[str] = []
    for part, d in delta.items():
        row = rows.get(part, {})
        seat = table.get(part)
        price = _price(row, currency)
        name = row.get("name") if isinstance(row.get("name"), str) else ""
        consumed = seat.consumed if seat else None
        lines.append(SeatLine(part, name or "", seat.usable if seat else None, consumed, (consumed or 0) + d, price))
        if d == 0:
            continue
        if price is None:
            unpriced.append(part)
        else:
            priced = True
            net += d * price
    # Nothing changes seats: nothing to price (0 in the report's currency, when it has one).
    nothing = not any(delta.values())
    known = priced or (nothing and currency is not None)
    return tuple(lines), (round(net, 2) + 0.0 if known else None), tuple(unpriced)


def _price(row: Mapping[str, Any], currency: str | None) -> float | None:
    if row.get("free") is True:
        return 0.0
    price = row.get("price_monthly")
    if not isinstance(price, int | float) or isinstance(price, bool):
        return None
    if currency and row.get("currency") not in (None, currency):
        return None  # priced in another currency: not added to this one
    return float(price)
