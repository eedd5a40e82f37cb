"""Whether tonight's tenant corroborates the nightly's kept sign-in read (kept_sign_ins.py).

The kept file lies in the output folder, which CI restores between nights from artifacts and
caches, so it is input like any other: a file with this tenant's header and no users, every time
null, half the users dropped or times in 2099 is well formed, and taken as written it turns active
users into inactive findings or hides the inactive ones. So before a night rests on it, the kept
read is set beside tonight's user listing, and any of these makes the night read every user's sign-in
activity instead (distrust() says which, in one line):

- a sign-in time after the read was made, by more than AHEAD (sign-in times only move forward, and
  a full read ends within hours of its start: 3 h 20 min for a million users at Graph's 10 requests
  a minute), or a time that is not one;
- a number of users far from tonight's: more than COUNT_SHARE of the users listed tonight apart,
  and more than COUNT_FLOOR (users created and deleted in the nights since the read move the two
  apart, a week's churn in a tenant far less than a tenth);
- a user listed tonight and created (createdDateTime) before the read was made that the read lacks
  (a user without a createdDateTime is never excused; a user restored from the deleted items since
  the read is missing from it too, and rightly read again);
- no successful sign-in, in the read, for more than SILENT_SHARE of tonight's licensed users it holds,
  and more than SILENT_FLOOR: such a user keeps the kept times until the next full read (merge), so
  a read whose times were nulled would report them inactive uncorroborated.

What the checks cannot catch is a forger who writes plausible times; docs/graph.md says why the file
is corroborated rather than signed with a key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import User

from .kept_sign_ins import KeptRead, times

AHEAD = timedelta(days=1)  # a kept time may be this much after the read began (the read's length, clock skew)
COUNT_SHARE = 0.10  # the kept read's users may differ from tonight's by this share of tonight's ...
COUNT_FLOOR = 10  # ... and by at least this many
SILENT_SHARE = 0.25  # the licensed users the kept read may hold no successful sign-in for: this share ...
SILENT_FLOOR = 10  # ... and at least this many


def distrust(kept: KeptRead, users: Sequence[User], expected: Iterable[str]) -> str | None:
    """Why tonight's listed `users` do not corroborate `kept` (None: they do). `expected`: the ids of
    the listed users created before the read was made, which it must hold (users.missing_sign_ins)."""
    limit = max(COUNT_FLOOR, int(len(users) * COUNT_SHARE))
    if abs(kept.count - len(users)) > limit:
        return (
            f"the kept read holds {kept.count:,} users and tonight's listing {len(users):,}, more than {limit:,} apart"
        )
    read_at = timestamp_or_none(kept.read_at)
    assert read_at is not None  # load() checked it
    latest = read_at + AHEAD
    pending = set(expected)
    licensed = {u.id for u in users if u.assigned_licenses}
    held = silent = 0
    for chunk in times(kept):
        for uid, found in chunk.items():
            for when in found:
                if when is not None and _after(when, latest):
                    return f"the kept read holds a sign-in time after it was made ({when[:40]!r} for user {uid[:40]!r})"
            pending.discard(uid)
            if uid in licensed:
                held += 1
                ok = found[2]
                silent += ok is None or ok.startswith("0001-")
    if pending:
        first = min(pending)
        return (
            f"the kept read lacks {len(pending):,} of the users listed tonight that were created before it "
            f"was made (first: {first})"
        )
    if silent > max(SILENT_FLOOR, int(held * SILENT_SHARE)):
        return f"the kept read holds no successful sign-in for {silent:,} of the {held:,} licensed users it holds"
    return None


def _after(when: str, latest: datetime) -> bool:
    """Whether the kept time `when` is after `latest`, or is not a time at all."""
    parsed = timestamp_or_none(when)
    return parsed is None or parsed > latest
