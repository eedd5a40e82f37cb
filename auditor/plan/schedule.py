"""The order of a plan's changes, and fitting them into the seats the tenant has.

Per user (`chain`): usage location, group joins, the license call, group leaves, reprocess. A
change that takes something away depends on the user's changes that give (adds before removes, so
a replacement never leaves the user without a license); reprocess depends on all of the user's
other changes.

Across users (`order`): users whose changes only free seats come first, then the others in
report order, each as soon as its changes fit the seats free at that point (one that does not yet
fit is tried again after later users freed what it needs), so the plan needs as few free seats as
it can. A user's changes stay together. Each product's usable seats (enabled + warning) and
consumed seats come from the report's seat table (`seat_table`); a change that would consume more
than is usable is the one Graph would refuse with CountViolation: `order` returns where.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from auditor.formats.change_model import Body, DataKept, Precondition
from auditor.formats.report_model import ReportDocument
from auditor.plan.effects import Op, extend_unique

# --- changes per user ---------------------------------------------------------------------------


class Draft(msgspec.Struct):
    kind: str
    path: str
    body: Body | None
    user: str
    group: str | None
    precondition: list[Precondition]
    seats: dict[str, int]
    findings: list[str]
    gives: bool = False  # adds a product or a group membership
    takes: bool = False  # removes one
    deps: list[int] = msgspec.field(default_factory=list)  # indices into the user's chain
    data_kept: list[DataKept] = msgspec.field(default_factory=list)  # declarations that allowed it


def _draft(ops: Sequence[Op], kind: str, path: str, body: Body | None) -> Draft:
    # one effect's lists are already free of repeats (Op.absorb)
    precondition: list[Precondition] = list(ops[0].precondition)
    findings: list[str] = list(ops[0].findings)
    declared: list[DataKept] = list(ops[0].data_kept)
    for o in ops[1:]:
        extend_unique(precondition, o.precondition)
        extend_unique(findings, o.findings)
        extend_unique(declared, o.data_kept)
    seats: dict[str, int] = {}
    for o in ops:
        for part, delta in o.seats.items():
            seats[part] = seats.get(part, 0) + delta
    return Draft(
        kind,
        path,
        body,
        ops[0].user,
        ops[0].group,
        precondition,
        {k: v for k, v in seats.items() if v},
        findings,
        data_kept=declared,
    )


def chain(user_ops: Sequence[Op]) -> list[Draft]:
    """One user's changes in execution order, with their dependencies."""
    usage_location: list[Op] = []
    joins: list[Op] = []
    leaves: list[Op] = []
    adds: list[Op] = []
    removes: list[Op] = []
    reprocess: list[Op] = []
    sorts = {
        ("usage_location",): usage_location,
        ("member", "add"): joins,
        ("member", "remove"): leaves,
        ("license", "add"): adds,
        ("license", "remove"): removes,
        ("reprocess",): reprocess,
    }
    for o in user_ops:
        sorts[(o.key[0], o.key[3]) if len(o.key) > 3 else (o.key[0],)].append(o)
    chain: list[Draft] = []
    for o in usage_location:
        chain.append(_draft([o], "set_usage_location", o.path, o.payload))
    for o in joins:
        d = _draft([o], "add_member", o.path, o.payload)
        d.gives = True
        chain.append(d)
    if adds or removes:
        first = (adds or removes)[0]
        body: Body = {"addLicenses": [o.payload for o in adds], "removeLicenses": [o.payload for o in removes]}
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


# --- seats ---------------------------------------------------------------------------------------


class Seat(msgspec.Struct):
    usable: int
    consumed: int
    known: bool


def seat_table(document: ReportDocument) -> dict[str, Seat]:
    table: dict[str, Seat] = {}
    for row in document.skus:
        table.setdefault(row.sku, Seat(row.enabled + row.warning, row.consumed, True))
    return table


def _overflow(chain: Sequence[Draft], state: Mapping[str, Seat]) -> tuple[int, str, int, int] | None:
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


def _apply(chain: Sequence[Draft], state: dict[str, Seat]) -> None:
    for d in chain:
        for part, delta in d.seats.items():
            state.setdefault(part, Seat(0, 0, False)).consumed += delta


def order(
    chains: Sequence[list[Draft]], table: Mapping[str, Seat]
) -> tuple[list[list[Draft]], tuple[int, str, int, int] | None, list[list[Draft]]]:
    """(chains that fit, in order; the overflow of the first that does not; the chains left out).

    Users whose changes only free seats go first. The others go in report order, each when its
    changes fit; one that does not yet is tried again after a later user freed a product it
    needs, until a pass frees nothing it waits for."""
    freeing = [c for c in chains if all(delta <= 0 for d in c for delta in d.seats.values())]
    pending = [c for c in chains if any(delta > 0 for d in c for delta in d.seats.values())]
    state = {part: Seat(s.usable, s.consumed, s.known) for part, s in table.items()}
    done: list[list[Draft]] = []
    for c in freeing:
        _apply(c, state)
        done.append(c)
    while pending:
        waiting: list[list[Draft]] = []
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
