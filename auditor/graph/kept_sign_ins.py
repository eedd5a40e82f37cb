"""The nightly's kept sign-in activity: each night reads again only what can have changed.

Graph allows "GET signInActivity" 10 requests a minute per app per tenant and per app across all
tenants (Microsoft's "Microsoft Graph service-specific throttling limits"), and a page holds at most
500 users, so a full read of a million users takes 3 h 20 min whatever the collector does. Inactivity
changes slowly, and the user resource documents a filter on it: signInActivity "Supports `$filter`
(`eq`, `ne`, `not`, `ge`, `le`) *but not with any other filterable properties*", with the example
`signInActivity/lastSuccessfulSignInDateTime le 2024-06-01T00:00:00Z` ("How to detect and
investigate inactive user accounts").

So the nightly (`audit --baseline previous`, one output folder from night to night) keeps the last
full read of every user's sign-in activity beside its reports (KEPT_FILE, never moved to previous/),
and on a night after it reads only

    GET /users?$select=id,signInActivity&$filter=signInActivity/lastSuccessfulSignInDateTime le <cutoff>&$top=500

(ceil(those users / 500) requests, often one), where <cutoff> is a day after the shortest inactivity
window's start. Each user is then taken

- from the answer, when it holds them: tonight's times, as a full read would give them;
- else from the kept read. A user whose last successful sign-in the kept read holds, and who is not
  in the answer, has one after <cutoff> (sign-in times only move forward): active, whatever the kept
  time says; their time is set to <cutoff>, the earliest it can be. A user the kept read holds no
  successful sign-in for (never signed in, or Graph only had the other two times) keeps the kept times
  until the next full read: the answer cannot show them (Graph does not document what a comparison
  does with a user without the time; the emulator matches none). That is the one way a night can
  differ from a full read: such a user who signs in since is still reported, until the next full
  read; apply re-reads the user's sign-in activity before removing a license and skips them.
- else (created since the full read) with no sign-in: the rule gives accounts created within the
  window their grace, and a full read is never older than the window.

The kept file is gzip'd JSON lines: the read's tenant, clock, window and number of users, then every
user's three times by id, CHUNK users a line. load() reads the first line and checks the others;
merge() gives them a chunk at a time and signed_in() puts each into the listed users in place, so a
million users' kept times are never decoded all at once beside the users (what that saves:
docs/performance.md, "The nightly"). A file of schema 1 (one JSON object) is of another version.

Only the users of `quiet_since` (a kept successful sign-in not after <cutoff>) can come out of the
answer other than the kept read holds them. When none of them holds a license in tonight's user
listing (the inactivity rule judges licensed users only; auditor.graph.users waits for the listing
when they fit in one request), the night sends no sign-in request at all and takes every user's
times from the kept read as they are: the same findings as a full read (an unlicensed quiet user
keeps the kept time, the earliest theirs can be, where the answer would have told tonight's), and
tomorrow decides again from the same kept read and tomorrow's licenses.

A full read happens (and is kept) every `every` nights (FULL_EVERY unless set), and whenever the kept
read is missing, unreadable, of another tenant, of another window, older than `every` days or than
the window less a day, or newer than the clock; and when tonight's user listing does not corroborate
it (kept_trust.py: the file is input like any other). Which nights: a stable hash of the tenant id picks
its night in each cycle (full_night), so an MSP's tenants spread their full reads over the nights
and each night's sign-in lane carries about 1/`every` of the fleet's full reads.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import msgspec

from auditor.common import shapes
from auditor.common.outputs import atomic_file
from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import TIMES_APART, User

from ..snapshot import SIGN_IN_ACTIVITY, SignInTimes

KEPT_FILE = "sign-in-activity.json.gz"
FULL_EVERY = 7  # nights between full reads, by default
SCHEMA = 2  # 1: one JSON object, decoded whole (before the lines of CHUNK users)
MARGIN = timedelta(days=1)  # the filter's cutoff is this much after the window's start
FILTERED = "signInActivity/lastSuccessfulSignInDateTime"


def utc_iso(when: datetime) -> str:
    """A moment as the kept read and Graph's filter write it, and as the notes about that read say it."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SignInPlan:
    """What a nightly run asks of its sign-in read: the folder the kept read lives in, the audit's
    clock (`as_of`, None: the collection's) and its shortest inactivity window, and the nights between
    full reads."""

    folder: Path
    window_days: int
    as_of: datetime | None = None
    every: int = FULL_EVERY
    # the fleet's lane budget (auditor.fleet.sign_in_lane): True, tonight is this tenant's full read; False, its
    # full read waits for a night with room (the cadence's reasons are set aside); None, the cadence decides
    tonight: bool | None = None

    def cutoff(self, now: datetime) -> datetime:
        """The filter's cutoff: a day after the window's start (the rule judges a little later than
        the collection begins; a user quiet since just after the window's start is read too)."""
        return (self.as_of or now) - timedelta(days=self.window_days) + MARGIN

    def path(self) -> Path:
        return self.folder / KEPT_FILE


class KeptRead(msgspec.Struct, forbid_unknown_fields=False):
    """The last full read of a tenant's sign-in activity: its first line. The file goes on with every
    user's three times by id, CHUNK users a line (times()), so a million users' are never decoded at
    once (docs/performance.md, "The nightly")."""

    schema: int
    tenant_id: str
    read_at: str  # when the full read was made (the collection's clock, UTC)
    window_days: int
    count: int  # the users whose times follow
    path: str = ""  # where load() read it (not in the file)

    @property
    def made(self) -> str:
        """When the read was made, in the one format its notes give every time (load() checked it is one)."""
        made = timestamp_or_none(self.read_at)
        return utc_iso(made) if made is not None else self.read_at


CHUNK = 10_000  # users a line of the kept file
# a kept time never holds TIMES_APART, which joins a user's sign-in times (User.sign_ins): a file
# with one is not one this auditor wrote
_Time = Annotated[str, msgspec.Meta(pattern=f"^[^{re.escape(TIMES_APART)}]*$")]
_Times = dict[str, tuple[_Time | None, _Time | None, _Time | None]]
_header = shapes.decoder(KeptRead)
_chunk = shapes.decoder(_Times)
# a line's bound once decompressed: CHUNK users of about 130 bytes each, twice over. A small gzip file can
# expand to gigabytes in one line (a bomb): read past this, it is refused, never read on into memory
MAX_LINE = CHUNK * 256


class _LineTooLong(Exception):
    """A line of the kept file decompresses past MAX_LINE bytes."""


_UNREADABLE = (OSError, EOFError, zlib.error, msgspec.DecodeError, msgspec.ValidationError, _LineTooLong)


def _line(fh: gzip.GzipFile) -> bytes:
    """The next line of the decompressed file (b"" at its end), never more than MAX_LINE bytes of it read."""
    line = fh.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise _LineTooLong(f"a line past {MAX_LINE:,} bytes once decompressed")
    return line


def load(path: Path) -> tuple[KeptRead | None, str]:
    """The kept read at `path` (its first line; each line after it is decoded once here to check it
    and again when it is used: times()), or None and why not."""
    kept, why, _ = _scan(path, None)
    return kept, why


def load_quiet(path: Path, cutoff: datetime) -> tuple[KeptRead | None, str, list[str]]:
    """load(), and in the same pass over the file quiet_since(kept, cutoff): the nightly's lane waits
    for them before its first request, so a million users' times are decoded once, not twice."""
    return _scan(path, cutoff)


def _scan(path: Path, cutoff: datetime | None) -> tuple[KeptRead | None, str, list[str]]:
    quiet: list[str] = []
    bound = utc_iso(cutoff) if cutoff is not None else ""
    try:
        with gzip.open(path, "rb") as fh:
            first = _line(fh)
            if first.startswith(b'{"schema":') and not first.startswith(b'{"schema":%d,' % SCHEMA):
                return None, "the kept read is of another version", []
            kept = _header.decode(first)
            count = 0
            while line := _line(fh):
                chunk = _chunk.decode(line)
                count += len(chunk)
                if cutoff is not None:
                    quiet.extend(uid for uid, found in chunk.items() if _quiet(found[2], bound, cutoff))
    except FileNotFoundError:
        return None, "no kept read yet", []
    except _UNREADABLE as exc:
        if isinstance(exc, OSError) and not isinstance(exc, gzip.BadGzipFile) and exc.strerror:
            return None, f"the kept read cannot be read ({exc.strerror})", []
        return None, f"the kept read is not one this auditor wrote ({exc})", []
    if timestamp_or_none(kept.read_at) is None:
        return None, "the kept read is of another version", []
    if count != kept.count:
        return None, f"the kept read is not one this auditor wrote (it holds {count:,} users of {kept.count:,})", []
    kept.path = str(path)
    return kept, "", quiet


def times(kept: KeptRead) -> Iterator[dict[str, SignInTimes]]:
    """The kept read's times by user id, CHUNK users at a time (the successful time shared with the
    interactive one when equal, as a full read's: shared_times). ValueError for a KeptRead that
    load() did not give (no path: its times are in no file)."""
    if not kept.path:
        raise ValueError(f"the kept read of tenant {kept.tenant_id} has no file: its times are read through load()")
    with gzip.open(kept.path, "rb") as fh:
        _line(fh)
        while line := _line(fh):
            chunk = _chunk.decode(line)
            for uid, (last, last_ni, ok) in chunk.items():
                if ok is not None and ok == last:
                    chunk[uid] = (last, last_ni, last)
            yield chunk


def save(path: Path, tenant_id: str, read_at: datetime, window_days: int, times: Mapping[str, SignInTimes]) -> None:
    """Keep a full read (atomically: a run that stops leaves the last one whole)."""
    header = {"schema": SCHEMA, "tenant_id": tenant_id, "read_at": utc_iso(read_at), "window_days": window_days}
    ids = list(times)
    with atomic_file(path) as fh, gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=1, mtime=0) as out:
        out.write(msgspec.json.encode({**header, "count": len(ids)}) + b"\n")
        for start in range(0, len(ids), CHUNK):
            out.write(msgspec.json.encode({uid: times[uid] for uid in ids[start : start + CHUNK]}) + b"\n")


def full_night(tenant_id: str, when: datetime, every: int) -> bool:
    """Whether `when`'s night is the tenant's night for a full read: one night in each `every`,
    picked by a stable hash of the tenant id (so a fleet's tenants spread over the nights)."""
    if every <= 1:
        return True
    phase = int.from_bytes(hashlib.sha256(tenant_id.lower().encode()).digest()[:8], "big") % every
    return when.astimezone(UTC).date().toordinal() % every == phase


def full_read_reason(plan: SignInPlan, kept: KeptRead | None, why: str, tenant_id: str, now: datetime) -> str | None:
    """Why tonight reads every user's sign-in activity (None: it reads only what can have changed)."""
    if kept is None:
        return why
    if not tenant_id or kept.tenant_id.lower() != tenant_id.lower():
        return "the kept read is of another tenant"
    if kept.window_days != plan.window_days:
        return f"the kept read was made for a {kept.window_days}-day window, the policy's is {plan.window_days}"
    read_at = timestamp_or_none(kept.read_at)
    assert read_at is not None  # load() checked it
    age = now - read_at
    if age < timedelta(0):
        return "the kept read is newer than the clock"
    if age >= timedelta(days=plan.window_days) - MARGIN:
        return f"the kept read is {age.days} days old"
    if plan.tonight is not None:  # the fleet's lane budget decides the cadence (auditor.fleet.sign_in_lane)
        return "the fleet's sign-in lane has room for this tenant's full read tonight" if plan.tonight else None
    if age >= timedelta(days=plan.every):
        return f"the kept read is {age.days} days old"
    # a read made on the tenant's night is that night's full read (a second run that night, apply's compile)
    if due(tenant_id, read_at, now, plan.every):
        return f"tonight is this tenant's night for a full read (one in {plan.every})"
    return None


def due(tenant_id: str, read_at: datetime, now: datetime, every: int) -> bool:
    """Whether the cadence asks for a full read by `now` of a tenant whose kept read was made at
    `read_at`: it is `every` days old, or one of the tenant's nights (full_night) came since it. A
    night that waited (the fleet's lane budget) stays due until the read is made."""
    if now - read_at >= timedelta(days=every):
        return True
    nights = (now.astimezone(UTC).date() - read_at.astimezone(UTC).date()).days
    return any(full_night(tenant_id, now - timedelta(days=back), every) for back in range(nights))


def header(path: Path) -> KeptRead | None:
    """The first line of the kept read at `path` (its tenant, clock, window and users), unchecked
    beyond that line: None when there is none this auditor could use. The tenant's audit checks the
    whole file (load)."""
    try:
        with gzip.open(path, "rb") as fh:
            kept = _header.decode(_line(fh))
    except _UNREADABLE:
        return None
    return kept if kept.schema == SCHEMA and timestamp_or_none(kept.read_at) is not None else None


def changed_path(cutoff: datetime, page_size: int) -> str:
    """The read of the users whose last successful sign-in is not after `cutoff`."""
    flt = f"{FILTERED} le {utc_iso(cutoff)}"
    return f"/users?$select=id,{SIGN_IN_ACTIVITY}&$filter={quote(flt, safe='/:')}&$top={page_size}"


def quiet_since(kept: KeptRead, cutoff: datetime) -> list[str]:
    """The ids of the users whose successful sign-in in `kept` is not after `cutoff`: the only users
    tonight's filtered read can change. Sign-in times only move forward, so anyone else's is after
    `cutoff` tonight; a user `kept` holds no successful sign-in for keeps the kept times whatever the
    answer (merge); a user created since the full read signed in after it, if at all, and the full
    read is after `cutoff` (full_read_reason: never older than the window less a day). None of
    them: the filter can find nobody whose times tonight differ from `merge`'s without it."""
    bound = utc_iso(cutoff)
    return [uid for chunk in times(kept) for uid, found in chunk.items() if _quiet(found[2], bound, cutoff)]


def merge(kept: KeptRead, answer: Mapping[str, SignInTimes], cutoff: datetime) -> Iterator[dict[str, SignInTimes]]:
    """Every user's times tonight, CHUNK users at a time: the answer's, else the kept read's (a kept
    successful sign-in not after `cutoff` that the answer does not hold is now after it: `cutoff`,
    its earliest). Users in neither have none (created since the full read)."""
    bound = utc_iso(cutoff)
    for chunk in times(kept):
        for uid, (last, last_ni, ok) in list(chunk.items()):
            if uid in answer:
                del chunk[uid]
            elif _quiet(ok, bound, cutoff):
                chunk[uid] = (last, last_ni, bound)
        yield chunk
    yield dict(answer)


def signed_in(users: list[User], chunks: Iterable[Mapping[str, SignInTimes]]) -> list[User]:
    """`users`, the same list, with the times of `chunks` (merge's), each user replaced; a user no chunk
    holds keeps the listing's (none). A million users' times are never all decoded at once, nor the
    users held twice: they are found by id in a dict that keeps their order, the list emptied meanwhile
    (an index of their positions would hold a million numbers beside them)."""
    by_id = {u.id: u for u in users}
    if len(by_id) < len(users):  # never from a listing: partitions.Gathered keeps each user once
        raise ValueError("a user is listed twice")
    users.clear()
    try:
        for chunk in chunks:
            for uid, (last, last_ni, ok) in chunk.items():
                user = by_id.get(uid)
                if user is not None:
                    by_id[uid] = user.with_sign_ins(last, last_ni, ok)
    finally:
        users.extend(by_id.values())
    return users


def _quiet(ok: str | None, bound: str, cutoff: datetime) -> bool:
    """Whether a kept successful sign-in `ok` is a time (not None, not 0001-01-01: Graph's "never")
    not after `cutoff` (`bound`: the same, as Graph writes it)."""
    if ok is None or ok.startswith("0001-"):
        return False
    # Graph's own form (…Z, whole seconds) compares as text; anything else is parsed
    return ok <= bound if len(ok) == 20 and ok[-1] == "Z" else _not_after(ok, cutoff)


def _not_after(text: str, cutoff: datetime) -> bool:
    when = timestamp_or_none(text)
    return when is not None and when <= cutoff
