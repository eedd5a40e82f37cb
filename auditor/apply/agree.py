"""Whether a plan file's change is one the tool would make now: the file selects, the source decides.

`apply` compiles the plan again at the call, from a fresh read of the tenant under the plan's policy
(auditor.apply.fresh), with the function `plan` used (auditor.plan.command.compile_report). A change of
the file is made only if the fresh compile holds the same change, equal in every field; the file can
choose among the fresh compile's changes (which ones), never widen or alter one. So there is no list
of fields to re-check: every field is compared, and a field a later version adds is compared too.

Two fields are positions, not facts: `n` (the change's number in its own file) and `depends_on` (the
numbers of the changes it rests on). They are compared through what they point at: a file change's
dependencies must be the changes the fresh compile's matching change depends on, matched in turn.

    Refusal         a file change the fresh compile does not hold as it is, and the first field that
                    differs (or why no fresh change matches)
    agreement(...)  the file's changes that are refused ({n: Refusal}) and the fresh change each other one
                    is; the others may be made. The write engine is its one caller (write_engine.agreed), for
                    every write kind
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# the fields that are positions in a file, compared through the changes they name
POSITIONS = ("n", "depends_on")
# the order fields are compared in: the write first (its request, target and body), then what it rests on,
# then the words; a field not named here (one a later version adds) after them, by name
FIELD_ORDER = (
    "kind",
    "method",
    "path",
    "source",
    "scope",
    "api_id",
    "subscription",
    "sku",
    "from",
    "to",
    "request",
    "user",
    "group",
    "body",
    "precondition",
    "seats",
    "findings",
    "data_kept",
)
# preconditions whose day is counted back from the compile's clock: the file's may be earlier (stricter)
SINCE = ("copilot_idle_since",)
# the day fields of a bill change: these two the file may put later (never sooner); `by`, the window's last
# day, the file may put sooner (never later); the window itself is the fresh compile's
LATER_OK = ("not_before", "saving_from")
SOONER_OK = ("by",)
REDUCE = "reduce"  # a bill change that lowers a subscription's quantity (auditor.plan.commerce)
INCREASE = "increase"  # a purchase at the distributor: a subscription's quantity up (auditor.distributor.purchases)
# a change is looked for among the fresh compile's changes by what it writes to: its request, or a bill
# change's subscription at its source
IDENTITY = ("method", "path")
BILL_IDENTITY = ("source", "api_id")


@dataclass(frozen=True)
class Refusal:
    """A file change the fresh compile does not make as it is: `field` the first that differs (`path` when
    no fresh change writes the same request), `why` said for a person."""

    n: int
    field: str
    why: str
    # the fresh compile writes no such request at all (not one that differs): the tool would not make it now,
    # which is also what a change the tenant no longer needs looks like (apply's re-read tells them apart)
    absent: bool = False


@dataclass(frozen=True)
class Agreement:
    """`refused`: the file's changes the fresh compile does not hold as they are, by their `n`; `matched`: the
    fresh compile's change each other file change is (what is sent: the source's, equal to the file's)."""

    refused: dict[int, Refusal]
    matched: dict[int, Mapping[str, object]]


def agreement(
    file_changes: Sequence[Mapping[str, object]],
    fresh_changes: Sequence[Mapping[str, object]],
    *,
    when: tuple[str, ...] = (),
    today: str = "",
) -> Agreement:
    """The file's changes (as written: plan.json's `changes`, or a kind of its bill's) that the fresh compile's
    (as `plan` would write them) do not hold equal in every field, by their `n` (apply skips what rests on
    them), and the fresh change each other file change matched; `when`: the fields that say on which
    day a bill change is made (its window, not before, by, saving from): the file may put a change later than
    the fresh compile, never sooner (a day before `today`, ISO, counts as today)."""
    by_request: dict[tuple[Any, ...], list[Mapping[str, object]]] = {}
    for change in fresh_changes:
        by_request.setdefault(_identity(change), []).append(change)
    fresh_n = {_n(c): c for c in fresh_changes}
    matched: dict[int, int] = {}  # file n -> fresh n
    sent: dict[int, Mapping[str, object]] = {}  # file n -> the change as it may be sent
    taken: set[int] = set()
    refused: dict[int, Refusal] = {}
    for change in file_changes:
        n = _n(change)
        candidates = [c for c in by_request.get(_identity(change), []) if _n(c) not in taken]
        if not candidates:
            refused[n] = _unmatched(change, fresh_changes, taken, when, today)
            continue
        best: tuple[str, str] | None = None
        for candidate in candidates:
            candidate = _later(change, _fewer(change, candidate), today) if when else candidate
            differs = _first_difference(change, candidate, when) or _hastened(change, candidate, when, today)
            if differs is None:
                differs = _dependencies_differ(change, candidate, matched, refused, fresh_n)
            if differs is None:
                matched[n] = _n(candidate)
                taken.add(_n(candidate))
                sent[n] = candidate
                best = None
                break
            best = best or differs
        if best is not None:
            field, why = best
            refused[n] = Refusal(n, field, why)
    return Agreement(refused, sent)


def _n(change: Mapping[str, object]) -> int:
    n = change.get("n")
    return n if isinstance(n, int) else -1


def _identity(change: Mapping[str, object]) -> tuple[Any, ...]:
    """What the change writes to: a license change's request (its `method` and `path`), a bill change's
    subscription at its source (`source`, `api_id`: Sherweb's amendments share one path)."""
    if "method" not in change and "request" in change:
        return tuple(change.get(key) for key in BILL_IDENTITY)
    return tuple(change.get(key) for key in IDENTITY)


def _fewer(change: Mapping[str, object], fresh: Mapping[str, object]) -> Mapping[str, object]:
    """A reduction the file makes smaller than the fresh compile's (fewer seats off, from the same quantity): the
    fresh change with the file's smaller reduction, its request's quantity and its saving in proportion, so that
    the file may do less, never more. A purchase likewise: the file may buy fewer seats, never more
    (_fewer_bought). Any other change: `fresh` as it is."""
    if change.get("kind") == INCREASE and fresh.get("kind") == INCREASE:
        return _fewer_bought(change, fresh)
    if change.get("kind") != REDUCE or fresh.get("kind") != REDUCE:
        return fresh
    start, mine, theirs = fresh.get("from"), change.get("to"), fresh.get("to")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, mine, theirs)):
        return fresh
    assert isinstance(start, int) and isinstance(mine, int) and isinstance(theirs, int)
    if change.get("from") != start or not theirs < mine < start:
        return fresh
    seats = start - mine
    saving = fresh.get("monthly_saving")
    share = round(saving * seats / (start - theirs), 2) if isinstance(saving, int | float) else saving
    request = fresh.get("request")
    if isinstance(request, Mapping):
        request = {**request, "body": _quantity(request.get("body"), theirs, mine)}
    return {**fresh, "to": mine, "seats": seats, "monthly_saving": share, "request": request}


def _fewer_bought(change: Mapping[str, object], fresh: Mapping[str, object]) -> Mapping[str, object]:
    """A purchase the file makes smaller than the fresh compile's (fewer seats bought, from the same quantity): the
    fresh purchase with the file's quantity, its request's and its money in proportion. A file that buys more is
    left to differ (`to`), and is refused."""
    start, mine, theirs = fresh.get("from"), change.get("to"), fresh.get("to")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, mine, theirs)):
        return fresh
    assert isinstance(start, int) and isinstance(mine, int) and isinstance(theirs, int)
    if change.get("from") != start or not start < mine < theirs:
        return fresh
    seats, share = mine - start, (mine - start) / (theirs - start)
    money = {
        key: round(value * share, 2) + 0.0
        for key in ("monthly_saving", "monthly_price")
        if isinstance(value := fresh.get(key), int | float) and not isinstance(value, bool)
    }
    request = fresh.get("request")
    if isinstance(request, Mapping):
        request = {**request, "body": _quantity(request.get("body"), theirs, mine)}
    return {**fresh, "to": mine, "seats": seats, **money, "request": request}


def _later(change: Mapping[str, object], fresh: Mapping[str, object], today: str) -> Mapping[str, object]:
    """The fresh bill change on the file's day when the file puts it later (LATER_OK): the file chooses when,
    never sooner than the fresh compile allows."""
    later = {k: change[k] for k in LATER_OK if _day_of(change.get(k), today) > _day_of(fresh.get(k), today)}
    return {**fresh, **later} if later else fresh


def _hastened(
    change: Mapping[str, object], fresh: Mapping[str, object], when: tuple[str, ...], today: str
) -> tuple[str, str] | None:
    """The day field (of `when`) in which the file's bill change comes sooner than the fresh compile's, said."""
    for key in when:
        mine, theirs = change.get(key), fresh.get(key)
        if key in LATER_OK:
            sooner = _day_of(mine, today) < _day_of(theirs, today)
        elif key in SOONER_OK:
            sooner = theirs is not None and (not isinstance(mine, str) or not isinstance(theirs, str) or mine > theirs)
        else:
            sooner = mine != theirs
        if sooner:
            return key, (
                f"its `{key}` is not one the tool allows now: the plan says {_shown(mine)}, a fresh compile of the "
                f"tenant under the plan's policy says {_shown(theirs)} (a plan may put a change later, never sooner)"
            )
    return None


def _day_of(value: Any, today: str) -> str:
    """An ISO day as the day a change can be made: none (now) or one gone by is today."""
    return max(value, today) if isinstance(value, str) else today


def _quantity(body: Any, old: int, new: int) -> Any:
    """`body` with each quantity (a key naming one: Pax8's `quantity`, Sherweb's `newQuantity`) of `old` as `new`."""
    if isinstance(body, Mapping):
        return {
            k: new if "quantity" in k.lower() and v == old and isinstance(v, int) else _quantity(v, old, new)
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [_quantity(v, old, new) for v in body]
    return body


def _without_query(request: Any) -> Any:
    if not isinstance(request, Mapping) or not isinstance(request.get("path"), str):
        return request
    return {**request, "path": request["path"].split("?", 1)[0]}


def _unmatched(
    change: Mapping[str, object],
    fresh_changes: Sequence[Mapping[str, object]],
    taken: set[int],
    when: tuple[str, ...],
    today: str,
) -> Refusal:
    """A change whose request the fresh compile does not write: named by the field that differs from the
    fresh change made for the same findings (a bill change: for the same product at the same source), when
    there is one (an edited target), else by its request."""
    n = _n(change)
    keys = ("source", "sku") if when else ("findings",)
    related = [_canonical(change.get(k)) for k in keys]
    same = next(
        (c for c in fresh_changes if _n(c) not in taken and [_canonical(c.get(k)) for k in keys] == related), None
    )
    differs = (
        (_first_difference(change, same, when) or _hastened(change, same, when, today)) if same is not None else None
    )
    if differs is not None:
        return Refusal(n, *differs)
    source, written = _identity(change)
    request = f"{source} {written}" if "method" in change else f"change of {source} subscription {written}"
    return Refusal(
        n,
        "path" if "method" in change else "api_id",
        f"the tool would not make this change now: compiled again from the tenant as it is now, under the "
        f"plan's policy, the plan holds no {request}",
        absent=True,
    )


def _first_difference(
    change: Mapping[str, object], fresh: Mapping[str, object], when: tuple[str, ...] = ()
) -> tuple[str, str] | None:
    """The first field (in FIELD_ORDER, positions and `when` aside) whose value differs, said; None when all agree."""
    keys = (set(change) | set(fresh)) - set(POSITIONS) - set(when)
    ordered = [k for k in FIELD_ORDER if k in keys] + sorted(keys - set(FIELD_ORDER))
    for key in ordered:
        mine, theirs = change.get(key), fresh.get(key)
        if key == "precondition":
            mine, theirs = _as_strict(mine, theirs), theirs
        elif key == "request" and when:  # a cancellation's day rides in its query: the day is the fresh one's
            mine, theirs = _without_query(mine), _without_query(theirs)
        if _canonical(mine) != _canonical(theirs):
            return key, (
                f"its `{key}` is not the one the tool would write now: the plan says {_shown(change.get(key))}, "
                f"a fresh compile of the tenant under the plan's policy says {_shown(fresh.get(key))}"
            )
    return None


def _as_strict(mine: Any, theirs: Any) -> Any:
    """The file's preconditions, with each one that is measured back from the compile's clock taken as the
    fresh compile's where the file's asks at least as much: a plan compiled last night says "no Copilot use
    since" an earlier day than a compile this morning, a longer idle span that apply checks as written. Only
    those (SINCE); every other precondition must be equal."""
    if not isinstance(mine, list) or not isinstance(theirs, list) or len(mine) != len(theirs):
        return mine
    out = []
    for own, fresh in zip(mine, theirs, strict=True):
        key = next((k for k in SINCE if isinstance(own, dict) and isinstance(fresh, dict) and k in own), None)
        if key is not None and set(own) == set(fresh) and _day(own[key]) is not None:
            day, fresh_day = _day(own[key]), _day(fresh.get(key))
            if fresh_day is not None and day is not None and day <= fresh_day:
                own = {**own, key: fresh[key]}
        out.append(own)
    return out


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dependencies_differ(
    change: Mapping[str, object],
    fresh: Mapping[str, object],
    matched: Mapping[int, int],
    refused: Mapping[int, Refusal],
    fresh_n: Mapping[int, Mapping[str, object]],
) -> tuple[str, str] | None:
    """Why the change's `depends_on` does not name, matched, the changes the fresh one rests on."""
    deps = _numbers(change.get("depends_on"))
    if any(dep in refused for dep in deps):
        return None  # never made: apply skips what rests on a change it did not make
    said = {matched.get(dep) for dep in deps}
    wanted = set(_numbers(fresh.get("depends_on")))
    if said != wanted:
        missing = sorted(wanted - {d for d in said if d is not None})
        names = ", ".join(
            _shown(fresh_n[d].get("description") or fresh_n[d].get("path")) for d in missing if d in fresh_n
        )
        return "depends_on", (
            "its `depends_on` is not what the change rests on now"
            + (f": it must come after {names}" if names else ": it names changes it does not rest on")
        )
    return None


def _numbers(value: object) -> list[int]:
    """The whole numbers of a list (`depends_on`); none for anything else."""
    return [d for d in value if isinstance(d, int)] if isinstance(value, list) else []


def _canonical(value: Any) -> str:
    """One spelling of a JSON value (key order aside), so that equal values compare equal."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _shown(value: Any, limit: int = 160) -> str:
    text = _canonical(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
