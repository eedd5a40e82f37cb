"""Whether a plan file's change is one the tool would make now: the file selects, the source decides.

`apply` compiles the plan again at the call, from a fresh read of the tenant under the operator's policy
(--policies, never one the plan names: auditor.apply.fresh), with the function `plan` used
(auditor.plan.command.compile_document). A change of
the file is made only if the fresh compile holds the same change, equal in every field; the file can
choose among the fresh compile's changes (which ones), never widen or alter one. Both are typed records, a
licence change (`Change`) or a bill change (`CommerceChange`), compared field by field: there is no list of
fields to re-check, and a field a later version adds to the record is compared too.

What a file may choose within a change is said where the change is: a bill change's day (`when`: later,
never sooner) and, for a kind that can be made smaller, its quantity (CommerceChange.smaller: fewer seats
off, fewer bought, never more). Two fields are positions, not facts: `n` (the change's number in its own
file) and `depends_on` (the numbers of the changes it rests on). They are compared through what they point
at: a file change's dependencies must be the changes the fresh compile's matching change depends on,
matched in turn.

    Refusal         a file change the fresh compile does not hold as it is, and the first field that
                    differs (or why no fresh change matches)
    agreement(...)  the file's changes that are refused ({n: Refusal}) and the fresh change each other one
                    is; the others may be made. The write engine is its one caller (write_engine.agreed), for
                    every write kind
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

import msgspec

from ..formats.bill_model import CommerceChange, CommerceRequest
from ..formats.change_model import Change, Precondition

# a licence change or a bill change: the file's and the fresh compile's are of one record
C = TypeVar("C", Change, CommerceChange)
# the fields that are positions in a file, compared through the changes they name; `raw`, the licence change as
# its file spelled it, is kept for the journal and is no field of the change
POSITIONS = ("n", "depends_on", "raw")
# the order fields are compared in (as the file names them): the write first (its request, target and body),
# then what it rests on, then the words; a field not named here (one a later version adds) after them, by name
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
# the day fields of a bill change: these two the file may put later (never sooner); `by`, the window's last
# day, the file may put sooner (never later); the window itself is the fresh compile's
LATER_OK = ("not_before", "saving_from")
SOONER_OK = ("by",)


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
class Agreement(Generic[C]):
    """`refused`: the file's changes the fresh compile does not hold as they are, by their `n`; `matched`: the
    fresh compile's change each other file change is (what is sent: the source's, equal to the file's)."""

    refused: dict[int, Refusal]
    matched: dict[int, C]


def agreement(
    file_changes: Sequence[C],
    fresh_changes: Sequence[C],
    *,
    when: tuple[str, ...] = (),
    today: str = "",
) -> Agreement[C]:
    """The file's changes (plan.json's `changes`, or a kind of its bill's) that the fresh compile's do not hold
    equal in every field, by their `n` (apply skips what rests on them), and the fresh change each other file
    change matched; `when`: the fields that say on which day a bill change is made (its window, not before,
    by, saving from): the file may put a change later than the fresh compile, never sooner (a day before
    `today`, ISO, counts as today)."""
    by_target: dict[tuple[str, ...], list[C]] = {}
    for change in fresh_changes:
        by_target.setdefault(_target(change), []).append(change)
    fresh_n = {c.n: c for c in fresh_changes}
    matched: dict[int, int] = {}  # file n -> fresh n
    sent: dict[int, C] = {}  # file n -> the change as it may be sent
    taken: set[int] = set()
    refused: dict[int, Refusal] = {}
    for change in file_changes:
        candidates = [c for c in by_target.get(_target(change), []) if c.n not in taken]
        if not candidates:
            refused[change.n] = _unmatched(change, fresh_changes, taken, when, today)
            continue
        first: tuple[str, str] | None = None
        for candidate in candidates:
            candidate = _chosen(change, candidate, today) if when else candidate
            differs = (
                _first_difference(change, candidate, when)
                or _hastened(change, candidate, when, today)
                or _dependencies_differ(change, candidate, matched, refused, fresh_n)
            )
            if differs is None:
                matched[change.n] = candidate.n
                taken.add(candidate.n)
                sent[change.n] = candidate
                first = None
                break
            first = first or differs
        if first is not None:
            refused[change.n] = Refusal(change.n, *first)
    return Agreement(refused, sent)


def _target(change: Change | CommerceChange) -> tuple[str, ...]:
    """What the change writes to: a licence change's request (its `method` and `path`), a bill change's
    subscription at its source (`source`, `api_id`: Sherweb's amendments share one path)."""
    if isinstance(change, Change):
        return change.method, change.path
    return change.source, change.api_id


def _chosen(change: C, fresh: C, today: str) -> C:
    """The fresh bill change as the file may choose it: smaller when its kind can be and the file makes it so
    from the same quantity (CommerceChange.smaller), on the file's day when the file puts it later
    (LATER_OK). Anything else the file says must be the fresh change's."""
    if not isinstance(change, CommerceChange) or not isinstance(fresh, CommerceChange):
        return fresh
    if change.kind == fresh.kind and change.from_ == fresh.from_ and change.to is not None:
        fresh = fresh.smaller(change.to) or fresh
    later = {
        k: _field(change, k) for k in LATER_OK if _day_of(_field(change, k), today) > _day_of(_field(fresh, k), today)
    }
    return msgspec.structs.replace(fresh, **later) if later else fresh


def _hastened(change: C, fresh: C, when: tuple[str, ...], today: str) -> tuple[str, str] | None:
    """The day field (of `when`) in which the file's bill change comes sooner than the fresh compile's, said."""
    for key in when:
        mine, theirs = _field(change, key), _field(fresh, key)
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


def _day_of(value: object, today: str) -> str:
    """An ISO day as the day a change can be made: none (now) or one gone by is today."""
    return max(value, today) if isinstance(value, str) else today


def _unmatched(change: C, fresh_changes: Sequence[C], taken: set[int], when: tuple[str, ...], today: str) -> Refusal:
    """A change whose target the fresh compile does not write: named by the field that differs from the
    fresh change made for the same findings (a bill change on its days: for the same product at the same
    source; a bill change without days: the first fresh change left), when there is one (an edited target),
    else by its target."""
    same = next((c for c in fresh_changes if c.n not in taken and _related(c, when) == _related(change, when)), None)
    differs = (
        (_first_difference(change, same, when) or _hastened(change, same, when, today)) if same is not None else None
    )
    if differs is not None:
        return Refusal(change.n, *differs)
    if isinstance(change, Change):
        field, what = "path", change.request
    else:
        field, what = "api_id", f"change of {change.source} subscription {change.api_id}"
    return Refusal(
        change.n,
        field,
        f"the tool would not make this change now: compiled again from the tenant as it is now, under the "
        f"plan's policy, the plan holds no {what}",
        absent=True,
    )


def _related(change: Change | CommerceChange, when: tuple[str, ...]) -> tuple[object, ...]:
    """What an unmatched change is named against: a licence change's findings, a bill change's product at its
    source when it has days (a PSA's change has none: any fresh change left)."""
    if isinstance(change, Change):
        return tuple(change.findings)
    return (change.source, change.sku) if when else ()


def _fields(change: Change | CommerceChange) -> tuple[tuple[str, str], ...]:
    """The record's fields as (attribute, the name the file gives it), positions aside."""
    return _fields_of(type(change))


@functools.cache
def _fields_of(kind: type[Change | CommerceChange]) -> tuple[tuple[str, str], ...]:
    """_fields of a record type, worked out once: msgspec.structs.fields evaluates the type's annotations at each
    call, which for each field of each change compared was most of the time between the fresh compile and the
    first write."""
    return tuple(
        (info.name, info.encode_name) for info in msgspec.structs.fields(kind) if info.encode_name not in POSITIONS
    )


@functools.cache
def _attributes(kind: type[Change | CommerceChange]) -> Mapping[str, str]:
    """The attribute of each name the file gives a field of the record type `kind`."""
    return {named: own for own, named in _fields_of(kind)}


def _field(change: Change | CommerceChange, name: str) -> object:
    """The field the file names `name` (CommerceChange's `from` is its `from_`); a field left unset is null."""
    attribute = _attributes(type(change)).get(name, name)
    value: object = getattr(change, attribute)
    return None if value is msgspec.UNSET else value


def _first_difference(change: C, fresh: C, when: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The first field (in FIELD_ORDER, positions and `when` aside) whose value differs, said; None when all agree."""
    names = [name for _, name in _fields(change) if name not in when]
    ordered = [k for k in FIELD_ORDER if k in names] + sorted(set(names) - set(FIELD_ORDER))
    for key in ordered:
        mine, theirs = _field(change, key), _field(fresh, key)
        if key == "precondition" and isinstance(change, Change) and isinstance(fresh, Change):
            mine = _as_strict(change.precondition, fresh.precondition)
        elif isinstance(mine, CommerceRequest) and isinstance(theirs, CommerceRequest) and when:
            mine, theirs = _without_query(mine), _without_query(theirs)  # a cancellation's day rides in its query
        if _canonical(mine) != _canonical(theirs):
            return key, (
                f"its `{key}` is not the one the tool would write now: the plan says {_shown(_field(change, key))}, "
                f"a fresh compile of the tenant under the plan's policy says {_shown(_field(fresh, key))}"
            )
    return None


def _without_query(request: CommerceRequest) -> CommerceRequest:
    return msgspec.structs.replace(request, path=request.path.split("?", 1)[0])


def _as_strict(mine: Sequence[Precondition], theirs: Sequence[Precondition]) -> Sequence[Precondition]:
    """The file's preconditions, with each one that is measured back from the compile's clock taken as the
    fresh compile's where the file's asks at least as much: a plan compiled last night says "no Copilot use
    since" an earlier day than a compile this morning, a longer idle span that apply checks as written. Only
    that one (`copilot_idle_since`, counted back from the compile's clock); every other must be equal."""
    if len(mine) != len(theirs):
        return mine
    out: list[Precondition] = []
    for own, fresh in zip(mine, theirs, strict=True):
        if "copilot_idle_since" in own and "copilot_idle_since" in fresh and set(own) == set(fresh):
            day, fresh_day = _day(own["copilot_idle_since"]), _day(fresh["copilot_idle_since"])
            if fresh_day is not None and day is not None and day <= fresh_day:
                own = {**own, "copilot_idle_since": fresh["copilot_idle_since"]}
        out.append(own)
    return out


def _day(value: str) -> date | None:
    """The day a precondition names (Precondition.copilot_idle_since, typed as plan.json is read); None: no day."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _dependencies_differ(
    change: C, fresh: C, matched: Mapping[int, int], refused: Mapping[int, Refusal], fresh_n: Mapping[int, C]
) -> tuple[str, str] | None:
    """Why a licence change's `depends_on` does not name, matched, the changes the fresh one rests on (a bill
    change rests on none)."""
    if not isinstance(change, Change) or not isinstance(fresh, Change):
        return None
    if any(dep in refused for dep in change.depends_on):
        return None  # never made: apply skips what rests on a change it did not make
    said = {matched.get(dep) for dep in change.depends_on}
    wanted = set(fresh.depends_on)
    if said != wanted:
        missing = sorted(wanted - {d for d in said if d is not None})
        rested = [fresh_n[d] for d in missing if d in fresh_n]
        names = ", ".join(_shown(c.description or c.path) for c in rested if isinstance(c, Change))
        return "depends_on", (
            "its `depends_on` is not what the change rests on now"
            + (f": it must come after {names}" if names else ": it names changes it does not rest on")
        )
    return None


def _canonical(value: object) -> str:
    """One spelling of a value as its file writes it (key order aside), so that equal values compare equal."""
    return json.dumps(msgspec.to_builtins(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _shown(value: object, limit: int = 160) -> str:
    text = _canonical(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
