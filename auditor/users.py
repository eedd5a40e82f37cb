"""The tenant's users, stored by column: a million users in about a quarter of a gigabyte.

`UserTable` is a sequence of `User` (auditor.model): `table[i]` builds the plain record of user i,
so rules and everything else that looks at one user read ordinary fields. Underneath, what users
have in common is stored once and the rest compactly:

- a `Profile` per distinct (accountEnabled, userType, department, usageLocation, mailbox purpose,
  assignedLicenses, licenseAssignmentStates): a tenant has a few thousand, however many users;
  each user holds the number of its profile (4 bytes);
- the object id as 16 bytes (Ids: a GUID's bytes; any other text kept apart), and the UPN and
  display name joined, all users' in one UTF-8 buffer (Texts): no object per user;
- the date-times in Graph's usual form (YYYY-MM-DDTHH:MM:SSZ) packed as their 20 ASCII bytes
  (`NO_TIME` for none), all users' in one buffer: checked and packed a list at a time in C, no
  object per date-time, and ordered as the times are; a user with a date-time in any other form
  (fractions, an offset) keeps its texts as they were, apart.

Passes over every user (auditor.index, the collector's candidates) read the columns: `profile_of`
and `profiles`, `ids`, `upn_at`, `times`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from itertools import accumulate, chain, compress, count
from operator import add, getitem, itemgetter, methodcaller, not_
from struct import iter_unpack
from typing import Any, overload

import msgspec

from .model import AssignedLicense, LicenseAssignmentState, User


class Profile(msgspec.Struct, frozen=True, gc=False):
    """What many users share: their attributes apart from id, names and times. Never changed."""

    account_enabled: bool
    user_type: str
    department: str | None
    usage_location: str | None
    mailbox_purpose: str | None
    layout: int  # its license layout's number (Profiles.layout)
    assigned_licenses: tuple[AssignedLicense, ...]
    license_assignment_states: tuple[LicenseAssignmentState, ...]
    sku_ids: frozenset[str]


# What a rule reads of a user's licenses and attributes: the user, or the profile users share.
Licensed = User | Profile


def pack_times(texts: Sequence[str | None]) -> bytes | None:
    """Date-times packed in order, 20 ASCII bytes each (NO_TIME for None), when every one is None
    or in Graph's usual form: 20 characters, separators in place, a real day and time of day
    (msgspec's RFC 3339 reader, in C, refuses year 0, 31 April, 29 February of a common year,
    hour 24, second 60). None when one is not: then the user keeps its texts as they are, apart."""
    filled = [_NO_TEXT if text is None else text for text in texts]
    n = len(filled)
    if not n:
        return b""
    if set(map(len, filled)) != {20}:
        return None
    joined = "".join(filled)
    if not joined.isascii():
        return None
    raw = joined.encode()
    if any(raw[at::20] != mark * n for at, mark in _SEPARATORS):
        return None
    try:
        _READ_TIMES(filled if None not in texts else [text for text in texts if text is not None])
    except msgspec.ValidationError:  # _NO_TEXT itself among the texts is refused too (year 0)
        return None
    return raw


def _time_texts(raw: bytes | bytearray) -> list[str | None]:
    """The texts of packed date-times, in order (None for NO_TIME)."""
    text = raw.decode()
    return [None if (t := text[at:at + 20]) == _NO_TEXT else t for at in range(0, len(text), 20)]


_NO_TEXT = "0000-00-00T00:00:00Z"  # no date-time: never a real one (no year 0), and before all of them
NO_TIME = _NO_TEXT.encode()
_SEPARATORS = tuple((at, _NO_TEXT[at].encode()) for at in (4, 7, 10, 13, 16, 19))
_READ_TIMES = partial(msgspec.convert, type=list[datetime])

_PACK = 4096  # texts appended are packed this many at a time
_DECODE = methodcaller("decode", "utf-8", "surrogatepass")
_PART = 50_000  # ids checked and packed at a time by Ids.where


def _packed_guids(uids: Sequence[str]) -> bytes | None:
    """The 16 bytes of each id, in order, when every one is in Graph's usual GUID form (a
    lower-case GUID: 36 characters, hyphens at 8, 13, 18 and 23, lower-case hexadecimal digits
    elsewhere); else None. Checked on the texts joined, in a few passes in C, not a match per id."""
    joined, n = "".join(uids), len(uids)
    if len(joined) != 36 * n or joined.count("-") != 4 * n or any(joined[at::36] != "-" * n for at in (8, 13, 18, 23)):
        return None
    digits = joined.replace("-", "")
    try:
        packed = bytes.fromhex(digits)
    except ValueError:
        return None
    return packed if packed.hex() == digits else None  # lower-case digits only, no blanks


_FEW = 64  # Ids.where searches for this many ids or fewer one by one


def _aligned(raw: bytes | bytearray, key: bytes) -> Iterator[int]:
    """The offsets of `key` (16 bytes) in `raw` that are multiples of 16: where it is one packed id."""
    at = raw.find(key)
    while at != -1:
        if at % 16 == 0:
            yield at
        at = raw.find(key, at + 1)


def _chunks(raw: bytes | bytearray) -> Iterator[bytes]:
    """The ids packed in `raw`, 16 bytes each, one bytes object each (in C)."""
    return map(itemgetter(0), iter_unpack("16s", raw))


class _Packed(Sequence[str]):
    """Texts appended one at a time but stored packed, `_PACK` at a time: subclasses say how
    (`_pack` the pending texts, `_extend` by another of their kind, `_at` one packed text)."""

    def __init__(self) -> None:
        self._pending: list[str] = []

    def append(self, text: str) -> None:
        self._pending.append(text)
        if len(self._pending) >= _PACK:
            self._pack()

    def extend(self, other: Iterable[str]) -> None:
        if isinstance(other, type(self)):
            other._pack()
            self._pack()
            self._extend(other)
        else:
            self._pending.extend(other)
            if len(self._pending) >= _PACK:
                self._pack()

    def _packed(self) -> int:
        raise NotImplementedError

    def _pack(self) -> None:
        raise NotImplementedError

    def _extend(self, other: Any) -> None:
        raise NotImplementedError

    def _at(self, index: int) -> str:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._packed() + len(self._pending)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self._pack()
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._at(index)

    def __iter__(self) -> Iterator[str]:
        self._pack()
        return map(self._at, range(len(self)))

    def at(self, index: int) -> str:
        """The text at `index`, which the caller knows is in range (0 to len - 1)."""
        if self._pending:
            self._pack()
        return self._at(index)


class Ids(_Packed):
    """Object ids: 16 bytes each in Graph's usual form (a lower-case GUID, 36 characters), any
    other text kept as it is, apart. Reading one gives back the same text."""

    def __init__(self) -> None:
        super().__init__()
        self._raw = bytearray()
        self._odd: dict[int, str] = {}

    def _packed(self) -> int:
        return len(self._raw) // 16

    def _pack(self) -> None:
        pending = self._pending
        if not pending:
            return
        packed = _packed_guids(pending)
        if packed is not None:
            self._raw += packed
        else:
            for uid in pending:
                one = _packed_guids([uid])
                if one is None:
                    self._odd[len(self._raw) // 16] = uid
                    one = bytes(16)
                self._raw += one
        self._pending = []

    def _extend(self, other: Ids) -> None:
        base = self._packed()
        self._raw += other._raw
        for pos, uid in other._odd.items():
            self._odd[base + pos] = uid

    def keys(self) -> Iterator[bytes | str]:
        """A key per id, in order, equal exactly when the ids are: its 16 packed bytes, or the text
        of an id kept apart. No id text is made (one conversion per id, in C)."""
        self._pack()
        keys = _chunks(self._raw)
        odd = self._odd
        return (odd.get(pos, key) for pos, key in enumerate(keys)) if odd else keys

    def where(self, wanted: Iterable[str]) -> array[int]:
        """The positions, in order, of the ids that are among `wanted` (every position of an id
        held twice). One pass in C over the packed ids against the wanted ids packed alike: no
        id text is made per position, nor a map from every id to its position."""
        self._pack()
        asked = list(set(wanted))
        keys: set[bytes] = set()
        texts: set[str] = set()  # the wanted ids not in the usual form: kept as text, like these ids
        for start in range(0, len(asked), _PART):
            part = asked[start:start + _PART]
            packed = _packed_guids(part)
            if packed is None:
                texts.update(uid for uid in part if _packed_guids([uid]) is None)
                packed = _packed_guids([uid for uid in part if uid not in texts])
            keys.update(_chunks(packed or b""))
        if len(keys) <= _FEW:  # a few ids: search the packed bytes for each (no object per id)
            found = array("I", sorted({at // 16 for key in keys for at in _aligned(self._raw, key)}))
        else:
            found = array("I", compress(count(), map(keys.__contains__, _chunks(self._raw))))
        if not self._odd:
            return found
        # an id kept apart sits on 16 zero bytes, the key of the zero GUID: it counts by its text
        odd = self._odd
        hits = {pos for pos in found if pos not in odd} | {pos for pos, uid in odd.items() if uid in texts}
        return array("I", sorted(hits))

    def _at(self, index: int) -> str:
        odd = self._odd.get(index)
        if odd is not None:
            return odd
        h = self._raw[16 * index:16 * index + 16].hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Texts(_Packed):
    """Texts stored as one UTF-8 buffer and where each ends: no object per text."""

    def __init__(self) -> None:
        super().__init__()
        self._blob = bytearray()
        self._ends = array("Q")

    def _packed(self) -> int:
        return len(self._ends)

    def _pack(self) -> None:
        if not self._pending:
            return
        encoded = [t.encode("utf-8", "surrogatepass") for t in self._pending]
        self._ends.extend(array("Q", list(accumulate(map(len, encoded), initial=len(self._blob)))[1:]))
        self._blob += b"".join(encoded)
        self._pending = []

    def _extend(self, other: Texts) -> None:
        base = len(self._blob)
        self._blob += other._blob
        self._ends.extend(array("Q", [end + base for end in other._ends]))

    def _at(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._blob[start:self._ends[index]].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        # every text in one pass of C iterators (no Python call per text)
        self._pack()
        ends = self._ends
        return map(_DECODE, map(self._blob.__getitem__, map(slice, chain((0,), ends), ends)))


class UserTable(Sequence[User]):
    """Users by column (module docstring). Append with `add`; `extend` with another table."""

    def __init__(self, profiles: Profiles | None = None) -> None:
        self.registry = profiles if profiles is not None else Profiles()
        self.ids = Ids()
        self._names = Texts()  # upn + display name
        self._upn_len = array("I")
        self.profile_of = array("I")  # each user's profile number (self.profiles)
        self._times = bytearray()  # 4 packed date-times per user, in the order of `times`
        # user i's lastUpdatedDateTime: the packed date-times _stamp_at[i] to _stamp_at[i + 1] of _stamps
        self._stamp_at = array("I", (0,))
        self._stamps = bytearray()
        self._texts: dict[int, tuple[Any, ...]] = {}  # a user's date-time texts not in the usual form
        # each user's attribute pairs (User.attributes) by number (Profiles.pairs); empty while no
        # user of the table has any
        self._pairs_of = array("I")

    @property
    def profiles(self) -> list[Profile]:
        return self.registry.items

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def of(cls, users: Iterable[User]) -> UserTable:
        if isinstance(users, UserTable):
            return users
        table = cls()
        for u in users:
            table.append(u)
        return table

    def append(self, u: User) -> None:
        layout = self.registry.layout(u.assigned_licenses, u.license_assignment_states)
        self.add(u.id, u.user_principal_name, u.display_name,
                 self.registry.number(u.account_enabled, u.user_type, u.department, u.usage_location,
                                      u.mailbox_purpose, layout),
                 u.created_date_time, u.last_sign_in_date_time, u.last_non_interactive_sign_in_date_time,
                 u.last_successful_sign_in_date_time, u.license_states_updated)
        if u.attributes or self._pairs_of:
            self._pad_pairs(len(self.ids) - 1)
            self._pairs_of.append(self.registry.pairs(u.attributes))

    def _pad_pairs(self, length: int) -> None:
        """Start the attribute column: users before it have none (pairs number 0)."""
        if len(self._pairs_of) < length:
            self._pairs_of.extend(array("I", bytes(4 * (length - len(self._pairs_of)))))

    def set_attributes(self, pairs: Sequence[tuple[tuple[str, str], ...]]) -> None:
        """Every user's attribute pairs, in order (the decoder reads them apart from the rest)."""
        if len(pairs) != len(self.ids):
            raise ValueError(f"{len(pairs)} attribute tuples for {len(self.ids)} users")
        if any(pairs):
            self._pairs_of = array("I", map(self.registry.pairs, pairs))

    def add(self, uid: str, upn: str, name: str, profile: int, created: str | None, last: str | None,
            last_ni: str | None, last_ok: str | None, updated: tuple[str | None, ...]) -> None:
        """One user from checked values: `profile` from `registry.number`."""
        times, stamps = pack_times((created, last, last_ni, last_ok)), pack_times(updated)
        if times is None or stamps is None:
            self._texts[len(self.ids)] = (created, last, last_ni, last_ok, updated)
            times, stamps = NO_TIME * 4, b""
        self.ids.append(uid)
        self._names.append(upn + name)
        self._upn_len.append(len(upn))
        self.profile_of.append(profile)
        self._times += times
        self._stamps += stamps
        self._stamp_at.append(len(self._stamps) // 20)

    def add_usual(self, ids: list[str], upns: list[str], names: list[str], profiles: list[int],
                  times: bytes, stamps: bytes, held: list[int]) -> None:
        """Many users at once, each column extended in C: users whose date-times are all in the
        usual form. `times`: their four each, packed (`pack_times`), in order; `stamps`: their
        lastUpdatedDateTime, packed, in order, `held[i]` of them for user i."""
        self.ids.extend(ids)
        self._names.extend(list(map(add, upns, names)))
        self._upn_len.extend(map(len, upns))
        self.profile_of.extend(profiles)
        self._times += times
        self._stamp_at.extend(list(accumulate(held, initial=len(self._stamps) // 20))[1:])
        self._stamps += stamps

    def appenders(self) -> tuple[Any, ...]:
        """For a decoder adding many users whose date-times are all in Graph's usual form, without a
        call per user: the append of ids, of upn + display name, of the UPN's length, of the profile
        number, the extend of the four packed date-times, of the packed lastUpdatedDateTime, the
        append of the stamps' end, and the stamps buffer (whose length / 20 that end is)."""
        return (self.ids.append, self._names.append, self._upn_len.append, self.profile_of.append,
                self._times.extend, self._stamps.extend, self._stamp_at.append, self._stamps)

    def extend(self, other: UserTable) -> None:
        if other.registry is not self.registry:
            for u in other:
                self.append(u)
            return
        base, stamp_base = len(self.ids), len(self._stamps) // 20
        self.ids.extend(other.ids)
        self._names.extend(other._names)
        self._upn_len.extend(other._upn_len)
        self.profile_of.extend(other.profile_of)
        self._times.extend(other._times)
        self._stamps.extend(other._stamps)
        self._stamp_at.extend(at + stamp_base for at in other._stamp_at[1:])
        for pos, texts in other._texts.items():
            self._texts[base + pos] = texts
        if self._pairs_of or other._pairs_of:
            self._pad_pairs(base)
            self._pairs_of.extend(other._pairs_of or array("I", bytes(4 * len(other.ids))))

    def set_purpose(self, pos: int, purpose: str | None) -> None:
        """User `pos` with this mailbox purpose (the collector reads purposes after the users)."""
        p = self.profiles[self.profile_of[pos]]
        self.profile_of[pos] = self.registry.number(
            p.account_enabled, p.user_type, p.department, p.usage_location, purpose, p.layout)

    # --- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> User: ...

    @overload
    def __getitem__(self, index: slice) -> list[User]: ...

    def __getitem__(self, index: int | slice) -> User | list[User]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self._upn_len)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("user index out of range")
        uid, names, cut = self.ids.at(index), self._names.at(index), self._upn_len[index]
        p = self.profiles[self.profile_of[index]]
        texts = self._texts.get(index)
        if texts is None:
            created, last, last_ni, last_ok = _time_texts(self._times[80 * index:80 * index + 80])
            start, end = self._stamp_at[index], self._stamp_at[index + 1]
            updated = tuple(_time_texts(self._stamps[20 * start:20 * end])) if end > start else ()
        else:
            created, last, last_ni, last_ok, updated = texts
        pairs = self.registry.pair_items[self._pairs_of[index]] if self._pairs_of else ()
        return User(uid, names[:cut], names[cut:], p.account_enabled, p.user_type, p.department, p.usage_location,
                    p.assigned_licenses, p.license_assignment_states, created, last, last_ni, p.sku_ids, last_ok,
                    updated, p.mailbox_purpose, pairs)

    def __iter__(self) -> Iterator[User]:
        return map(self.__getitem__, range(len(self.ids)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UserTable):
            return len(self) == len(other) and all(map(_same, self, other))
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(map(_same, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Sequence[User]) -> tuple[User, ...]:
        return (*self, *other)

    def __repr__(self) -> str:
        return f"UserTable({len(self)} users, {len(self.profiles)} profiles)"

    def upn_at(self, pos: int) -> str:
        return self._names[pos][:self._upn_len[pos]]

    def upns(self) -> Iterator[str]:
        return map(getitem, self._names, map(slice, self._upn_len))  # each name text up to its UPN's end

    def ascii_upns(self) -> tuple[Iterator[bytearray], frozenset[int]]:
        """Each UPN lower-cased, as bytes, in order, in C (no text made per user, no copy of the
        names buffer); and the positions of the UPNs that are not ASCII, whose bytes here are not
        their lower-cased UTF-8 (read those with upn_at). For an ASCII UPN the bytes are exactly
        its str.lower() (bytes.lower changes ASCII letters only)."""
        names = self._names
        names._pack()
        blob, ends = names._blob, names._ends

        def upns() -> Iterator[bytearray]:
            # a UPN's length in characters is its length in bytes when it is ASCII
            return map(blob.__getitem__, map(slice, chain((0,), ends), map(add, chain((0,), ends), self._upn_len)))

        if blob.isascii():
            return map(bytearray.lower, upns()), frozenset()
        # a UPN with a character beyond ASCII has one among its first len(UPN) bytes
        return map(bytearray.lower, upns()), frozenset(compress(count(), map(not_, map(bytearray.isascii, upns()))))

    def positions(self, keep: Iterable[bool]) -> Iterator[int]:
        """Positions whose profile passes: `keep` is one truth value per profile number."""
        passing = list(keep)
        return compress(range(len(self.ids)), map(passing.__getitem__, self.profile_of))

    def times(self) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
        """Each user's four date-times, packed: (created, last sign-in, last non-interactive sign-in,
        last successful sign-in); NO_TIME for none, or kept as text (`texted`). Made one user at a
        time, in C. Packed date-times compare as the times do, NO_TIME before every one."""
        return iter_unpack("20s20s20s20s", self._times)

    def texted(self) -> frozenset[int]:
        """Users whose date-times are kept as text (not in Graph's usual form)."""
        return frozenset(self._texts)


def _same(a: User, b: User) -> bool:
    return a == b


class Profiles:
    """The distinct profiles (and license layouts) of one or more tables, numbered."""

    def __init__(self) -> None:
        self.items: list[Profile] = []
        self._number: dict[tuple[Any, ...], int] = {}
        self._layouts: list[tuple[tuple[AssignedLicense, ...], tuple[LicenseAssignmentState, ...], frozenset[str]]] = []
        self._layout_number: dict[tuple[Any, ...], int] = {}
        self.pair_items: list[tuple[tuple[str, str], ...]] = [()]  # distinct User.attributes, () first
        self._pair_number: dict[tuple[tuple[str, str], ...], int] = {(): 0}

    def pairs(self, pairs: tuple[tuple[str, str], ...]) -> int:
        """The number of a user's attribute pairs (0: none)."""
        found = self._pair_number.get(pairs)
        if found is None:
            found = self._pair_number[pairs] = len(self.pair_items)
            self.pair_items.append(pairs)
        return found

    def layout(self, licenses: tuple[AssignedLicense, ...], states: tuple[LicenseAssignmentState, ...]) -> int:
        """The number of a license layout: assignedLicenses and licenseAssignmentStates."""
        key = (licenses, states)
        found = self._layout_number.get(key)
        if found is None:
            found = self._layout_number[key] = len(self._layouts)
            self._layouts.append((licenses, states, frozenset(lic.sku_id.lower() for lic in licenses)))
        return found

    def number(self, enabled: bool, user_type: str, department: str | None, location: str | None,
               purpose: str | None, layout: int) -> int:
        key = (enabled, user_type, department, location, purpose, layout)
        found = self._number.get(key)
        if found is None:
            licenses, states, sku_ids = self._layouts[layout]
            found = self._number[key] = len(self.items)
            self.items.append(Profile(enabled, user_type, department, location, purpose, layout, licenses, states,
                                      sku_ids))
        return found
