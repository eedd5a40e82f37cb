"""Remediation templates: one per distinct text, shared by the findings that differ only in the
user they name (report.json stores each template once: auditor.remediations).

A large tenant has tens of thousands of findings of one rule whose guidance is the same text
apart from the user's name and object id. `Memo.get` computes it once with two sentinels in
place of the user's label and Graph path segment, turns them into the `{user}` and `{user_ref}`
placeholders, records which detail keys the builder read, and gives the same template to later
findings whose rule, locale, cloud, products, other subject fields and *read* details are equal.

Sound because the builders are pure functions of the facts they read: every read of the
details goes through `_Reads` (a key read, or the whole mapping when iterated), the user's
label and path segment are only ever interpolated into text (the actions' `user` field is the
path segment itself), and everything else about the subject is part of the key. Only user
subjects with an id or UPN get placeholders; the rest are few, and their templates are their
text (escaped).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import orjson

from ..remediations import USER, USER_REF, Template, template, to_template
from .facts import USER_ID_PLACEHOLDER, Facts, as_map, as_strs

_USER_FIELDS = ("id", "upn", "display_name")
_WHOLE = "\x00whole"  # read-set marker: the builder iterated the details
_MAX_ENTRIES = 4096  # per memo: distinct texts kept (beyond it, compute without storing)
_TRIAL = 64  # misses after which a slot that misses more often than it hits is no longer tried


class _Reads(Mapping[str, Any]):
    """The details, recording which keys are read."""

    def __init__(self, details: Mapping[str, Any]) -> None:
        self._details = details
        self.keys_read: dict[str, None] = {}

    def __getitem__(self, key: str) -> Any:
        self.keys_read[key] = None
        return self._details[key]

    def __iter__(self) -> Iterator[str]:
        self.keys_read[_WHOLE] = None
        return iter(self._details)

    def __len__(self) -> int:
        self.keys_read[_WHOLE] = None
        return len(self._details)


class _Masked(Facts):
    """Facts whose user label and Graph path segment are sentinels."""

    def __init__(self, subject: Mapping[str, Any], skus: Sequence[str], details: Mapping[str, Any],
                 label: str, ref: str) -> None:
        super().__init__(subject, skus, details)
        self._label = label
        self._ref = ref

    @property
    def user_ref(self) -> str:
        return self._ref


# Subclasses of str, dict or list are not taken for JSON (they could behave differently).
_STRICT = orjson.OPT_PASSTHROUGH_SUBCLASS


def _key_of(values: tuple[Any, ...]) -> bytes:
    """A key equal for equal JSON-like values: their JSON text plus the outer types (a builder
    may tell a list from a tuple; inside, lists and tuples are read alike). TypeError for a
    value JSON cannot hold. Mappings keep their order: another order is another key."""
    return orjson.dumps([list(map(_type_name, values)), values], option=_STRICT)


def _type_name(value: Any) -> str:
    return type(value).__name__


class _Slot:
    """What is kept for one (key, other subject fields, products)."""

    __slots__ = ("hits", "misses", "variants")

    def __init__(self) -> None:
        self.variants: list[tuple[tuple[str, ...], dict[bytes, Template]]] = []  # (keys read, {values: template})
        self.hits = 0
        self.misses = 0


class Memo:
    """`compute(facts)` -> a JSON-like structure, as a Template shared across users (see the module
    docstring). A structure JSON cannot hold unchanged (tuples, other types) is computed afresh
    each time (a template of its own text)."""

    def __init__(self) -> None:
        token = secrets.token_hex(8)  # tenant text cannot guess it
        self._label = f"\x00label-{token}\x00"
        self._ref = f"\x00ref-{token}\x00"
        self._placeholders = {self._label: USER, self._ref: USER_REF}
        # (key, other subject fields, products) -> _Slot
        self._slots: dict[Any, _Slot] = {}
        self._size = 0

    def get(self, key: Any, subject: Mapping[str, Any], skus: Sequence[str], details: Mapping[str, Any],
            compute: Callable[[Facts], Any]) -> Template:
        subject, details = as_map(subject), as_map(details)
        if subject.get("type") != "user" or Facts(subject, skus, details).user_ref == USER_ID_PLACEHOLDER:
            # no id to put in place of the sentinel: the actions say so (not ready), computed as they are
            return template(to_template(compute(Facts(subject, skus, details))))
        try:
            rest = _key_of(tuple(sorted((k, v) for k, v in subject.items() if k not in _USER_FIELDS)))
            slot = self._slots.get((key, rest, as_strs(skus)))
            if slot is None:
                slot = self._slots[(key, rest, as_strs(skus))] = _Slot()
            for keys_read, stored in slot.variants:
                found = stored.get(_read(details, keys_read))
                if found is not None:
                    slot.hits += 1
                    return found
        except TypeError:  # a value that cannot be part of a key
            return self._masked(subject, skus, details, compute)[0]
        slot.misses += 1
        if slot.misses > _TRIAL and slot.hits < slot.misses:  # per-user text: not worth keeping
            return self._masked(subject, skus, details, compute)[0]
        made, read = self._masked(subject, skus, details, compute)
        try:
            values = _read(details, read)
        except TypeError:
            return made
        if self._size < _MAX_ENTRIES and read is not None:
            self._size += 1
            for known, stored in slot.variants:
                if known == read:
                    stored[values] = made
                    break
            else:
                slot.variants.append((read, {values: made}))
        return made

    def _masked(self, subject: Mapping[str, Any], skus: Sequence[str], details: Mapping[str, Any],
                compute: Callable[[Facts], Any]) -> tuple[Template, tuple[str, ...] | None]:
        """The template computed with the sentinels, and the detail keys it read (None: the
        structure is not JSON as it stands, so it was computed plainly and holds this user's text)."""
        reads = _Reads(details)
        made = compute(_Masked(subject, skus, reads, self._label, self._ref))
        try:
            same = orjson.loads(orjson.dumps(made, option=_STRICT)) == made
        except TypeError:
            same = False
        if not same:  # not JSON, or not the same back from it
            return template(to_template(compute(Facts(subject, skus, details)))), None
        return template(to_template(made, self._placeholders)), tuple(reads.keys_read)


def _read(details: Mapping[str, Any], keys_read: tuple[str, ...] | None) -> bytes:
    """The key of what `keys_read` finds in `details` (present or not, and the values)."""
    if keys_read is None:
        raise TypeError("not kept")
    if _WHOLE in keys_read:
        return _key_of((details,))
    return _key_of((tuple(k in details for k in keys_read), *(details.get(k) for k in keys_read)))
