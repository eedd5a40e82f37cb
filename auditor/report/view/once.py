"""What the full report says once instead of at every place it applies.

- A role ("Groups Administrator, User Administrator ... to change its members") is listed once, in
  the report's table of roles; a recipe names its number.
- Why the plan holds findings back ("the usage reports cannot show whether the product is still
  used ...") is said once under its rule's tables, as a numbered note, when several rows share it;
  each row keeps its state and points to its note. A reason of one row stays beside its state.
- A long step the report has already shown in full (the same group to leave, the same product to
  move its users from) is shown again by its first words, linked to the recipe that has it in full
  (in report.html; report.md, which has no links, says every step whole).
  So is a long step that says what an earlier one says of other names (another group to leave,
  another product to move users from), when its first words name everything it says otherwise.
  A short step is repeated as it is: a reference would hardly be shorter; but a run of short steps
  another recipe has in full, as long together as a long step, is named by its first step's opening.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from difflib import SequenceMatcher
from typing import Any, TypeVar

import msgspec

REPEAT_FROM = 18  # words: a step at least this long is shown in full once per report
OPENING = 10  # words of a repeated step that are shown again, unless a clause ends near them
CLAUSE = range(5, 15)  # an opening may end with a clause ("...through the group All Office Staff;")


T = TypeVar("T")


def leading_steps(steps: Sequence[Sequence[T]]) -> tuple[T, ...]:
    """The steps every list starts with, in their order: only a shared beginning is said once above the
    recipes. A step all of them have later (a final "select Replace > Close", a source note) stays in
    each, after that recipe's own steps, or a reader would meet the last step first (native review 9, S1)."""
    if not steps:
        return ()
    common: list[T] = []
    for position, step in enumerate(steps[0]):
        if not all(len(other) > position and other[position] == step for other in steps[1:]):
            break
        common.append(step)
    return tuple(common)


class Step(msgspec.Struct, frozen=True):
    text: str
    ref: str = ""  # the anchor of the recipe that shows this step in full; empty when this is in full


class Note(msgspec.Struct, frozen=True):
    number: str
    text: str


class Role(msgspec.Struct, frozen=True):
    number: str
    anchor: str  # the role's row in the report's table of roles ("role-1")
    text: str


def opening(text: str) -> str:
    """The first words of a step shown again, which say what it is about (the product, the group):
    up to the last clause that ends within CLAUSE words, else OPENING words, never cut inside
    parentheses."""
    words = text.split()
    ends = [n for n in CLAUSE if n <= len(words) and words[n - 1][-1] in ";:"]  # a comma may start a relative clause
    if ends:
        return " ".join(words[: ends[-1]])
    kept = words[:OPENING]
    opened = [i for i, word in enumerate(kept) if "(" in word and ")" not in " ".join(kept[i:])]
    return " ".join(kept[: opened[0]] if opened and opened[0] >= CLAUSE.start else kept)


def _bare(text: str) -> list[str]:
    """The words of `text` without the punctuation that ends them."""
    return [word.rstrip(".,;:") for word in text.split()]


def _names(words: Sequence[str]) -> set[str]:
    """The words that name something (a product, a group, a number): those with a capital or a digit."""
    return {word for word in words if any(c.isupper() or "0" <= c <= "9" for c in word)}


def _same_but_names(step: str, earlier: str, said: str) -> bool:
    """Whether `step` says what `earlier` says of other names (another product, another group):
    each run of words in which they differ is, in `step`, in its opening or in what its recipe
    said before it (`said`), and in `earlier`, in its opening or a name."""
    own, other = _bare(step), _bare(earlier)
    matcher = SequenceMatcher(None, own, other, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5 or matcher.ratio() < 0.5:
        return False
    context = f" {' '.join(_bare(f'{opening(step)} {said}'))} "
    other_opening = f" {' '.join(_bare(opening(earlier)))} "
    differ = [(own[i1:i2], other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    return bool(differ) and all(
        (not mine or f" {' '.join(mine)} " in context)
        and (not theirs or f" {' '.join(theirs)} " in other_opening or _names(theirs))
        for mine, theirs in differ
    )


RUN = "\n"  # joins the steps of a run in the keys of steps_once's `shown`


def _runs(steps: Sequence[str]) -> Iterable[tuple[int, int, str]]:
    """(start, end, key) of each run of two or more short steps that together are as long as a long
    step ("go to Users > Active users", "Select this user, then open the Licenses and apps tab")."""
    for i in range(len(steps)):
        if len(steps[i].split()) >= REPEAT_FROM:
            continue
        for j in range(i + 2, len(steps) + 1):
            if len(steps[j - 1].split()) >= REPEAT_FROM:
                break
            if sum(len(step.split()) for step in steps[i:j]) >= REPEAT_FROM:
                yield i, j, RUN.join(steps[i:j])


def steps_once(steps: Sequence[str], anchor: str, shown: dict[str, str]) -> tuple[Step, ...]:
    """`steps` of the recipe at `anchor`, each long one in full only where the report first has it
    (or a step that says the same of other names), and so each run of short steps another recipe
    has in full (by the first step's opening); `shown`: step or run -> the anchor of the recipe that
    has it in full, updated."""
    out: list[Step] = []
    full: set[int] = set()
    runs = list(_runs(steps))
    i = 0
    while i < len(steps):
        elsewhere = [(j, shown[key]) for start, j, key in runs if start == i and shown.get(key, anchor) != anchor]
        if elsewhere:  # the longest run another recipe has
            end, where = max(elsewhere)  # its first step whole where that is about as short as an opening
            first_step = steps[i] if len(steps[i].split()) <= OPENING + 3 else opening(steps[i])
            out.append(Step(first_step, where))
            i = end
            continue
        step = steps[i]
        long = len(step.split()) >= REPEAT_FROM
        said = " ".join(s.text for s in out)
        alike = (
            where
            for text, where in shown.items()
            if where != anchor and RUN not in text and _same_but_names(step, text, said)
        )
        first = shown.get(step) or (next(alike, anchor) if long else anchor)
        if step not in shown and first == anchor:
            shown[step] = anchor
        out.append(Step(step) if first == anchor or not long else Step(opening(step), first))
        if first == anchor or not long:
            full.add(i)
        i += 1
    for start, end, key in runs:  # a run is in full here only if each of its steps is
        if full.issuperset(range(start, end)):
            shown.setdefault(key, anchor)
    return tuple(out)


def role_number(roles: dict[str, Role], text: str) -> str:
    """The number of role `text` in the report's table of roles (`roles`: each role once, in the
    order the report first names it, updated); empty for no role."""
    if not text:
        return ""
    if text not in roles:
        n = str(len(roles) + 1)
        roles[text] = Role(n, f"role-{n}", text)
    return roles[text].number


def state_notes(reasons: Iterable[tuple[str, str]]) -> tuple[tuple[Note, ...], dict[str, str]]:
    """(row id, why it waits) pairs -> each reason that several rows share as a numbered note, and
    row id -> its note's number; a row with a reason of its own keeps it beside its state."""
    pairs = [(row, reason) for row, reason in reasons if reason]
    shared = [reason for reason, n in Counter(reason for _, reason in pairs).items() if n > 1]
    numbers = {reason: str(i) for i, reason in enumerate(shared, 1)}
    note_of = {row: numbers[reason] for row, reason in pairs if reason in numbers}
    return tuple(Note(n, reason) for reason, n in numbers.items()), note_of


def titles_once(titles: Sequence[str]) -> list[str]:
    """Link titles as the report shows them side by side: one whose opening ("Resolve group license
    problems: ...") the title before it has is named by the rest of it."""
    out, before = [], ""
    for title in titles:
        head, colon, rest = title.partition(": ")
        out.append(rest if colon and rest and head == before else title)
        before = head if colon else ""
    return out


def fix_says(recipe: Any, ids: Collection[str]) -> Any:
    """`recipe` (a findings.Recipe) without the reasons of its rows `ids` names, which the fix above
    them says in full ("next step is commercial: renew the subscription ..." under "To keep it: ...
    renew it"): each row keeps its state."""
    rows = tuple(msgspec.structs.replace(r, state_reason="") if r.id in ids else r for r in recipe.rows)
    return msgspec.structs.replace(recipe, rows=rows)
