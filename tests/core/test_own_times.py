"""A user's own date-times (created, three sign-ins, leave date) are held as one string
(User.own_times) and read through properties of their Graph names: each reads back what Graph gave,
or None, by every route a user is built or changed; a time that could not be told apart is refused."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.data.model import OWN_TIMES, TIMES_APART, User
from auditor.graph.kept_sign_ins import KEPT_FILE, load, save
from auditor.snapshot import BadValue, UserDecoder, user_to_json

BASE: dict[str, Any] = {"id": "0d8f3a52-6c4e-4f0a-9c61-3b2f8d7e1a90", "userPrincipalName": "ada@contoso.example"}

# (createdDateTime, lastSignInDateTime, lastNonInteractiveSignInDateTime, lastSuccessfulSignInDateTime,
# employeeLeaveDateTime), in OWN_TIMES's order
TIMES: list[tuple[str | None, ...]] = [
    ("2024-03-05T10:11:12Z", "2026-10-31T03:00:00Z", "2026-10-30T08:00:00+02:00", "2026-10-31T03:00:00Z", None),
    (None, None, None, None, None),
    (None, None, "2026-08-03T06:00:00.1234567Z", None, "2026-12-31T00:00:00Z"),
    ("2025-01-01T00:00:00Z", None, None, None, None),
    (None, None, None, None, "2027-01-01"),
]


def _raw(times: tuple[str | None, ...]) -> dict[str, Any]:
    created, last, last_ni, last_ok, leave = times
    activity = {
        "lastSignInDateTime": last,
        "lastNonInteractiveSignInDateTime": last_ni,
        "lastSuccessfulSignInDateTime": last_ok,
    }
    return BASE | {"createdDateTime": created, "signInActivity": activity, "employeeLeaveDateTime": leave}


def _times(user: User) -> tuple[str | None, ...]:
    return tuple(getattr(user, name) for name in OWN_TIMES)


@pytest.mark.parametrize("times", TIMES)
def test_each_own_time_reads_back_by_every_route(times: tuple[str | None, ...]) -> None:
    decoder = UserDecoder(with_sign_in=True)
    decoded = decoder.user(_raw(times))
    split = decoder.page(orjson.dumps({"value": [_raw(times)]}))
    assert split is not None
    paged = split[1]()
    assert paged is not None
    built = User.new(BASE["id"], BASE["userPrincipalName"], **dict(zip(OWN_TIMES, times, strict=True)))
    changed = User.new(BASE["id"], BASE["userPrincipalName"]).with_values(**dict(zip(OWN_TIMES, times, strict=True)))
    # the snapshot file writes and reads them as Graph's fields
    again = decoder.user(orjson.loads(orjson.dumps(user_to_json(decoded, with_sign_in=True))))
    for user in (decoded, paged[0], built, changed, again):
        assert _times(user) == times
        # one string: the five joined, "" where Graph gave none; "" when it gave none at all
        assert user.own_times == (TIMES_APART.join(t or "" for t in times) if any(times) else "")
    assert decoded == paged[0] == built == changed == again


def test_new_sign_ins_leave_the_other_times_as_they_were() -> None:
    created, leave = "2024-03-05T10:11:12Z", "2026-12-31T00:00:00Z"
    user = User.new("u", "u@contoso.example", created_date_time=created, employee_leave_date_time=leave)
    signed = user.with_sign_ins("2026-11-01T05:00:00Z", None, "2026-11-01T05:00:00Z")
    assert _times(signed) == (created, "2026-11-01T05:00:00Z", None, "2026-11-01T05:00:00Z", leave)
    assert _times(signed.with_sign_ins(None, None, None)) == (created, None, None, None, leave)
    assert _times(signed.with_values(last_non_interactive_sign_in_date_time="2026-11-01T04:00:00Z"))[1:4] == (
        "2026-11-01T05:00:00Z",
        "2026-11-01T04:00:00Z",
        "2026-11-01T05:00:00Z",
    )


def test_a_created_time_holding_the_separator_is_named() -> None:
    """createdDateTime is kept as Graph wrote it, unchecked; one holding the separator would read
    back as other times, so the user is malformed there."""
    odd = "2024-01-01T00:00:00Z" + TIMES_APART + "2025-01-01T00:00:00Z"
    with pytest.raises(BadValue, match=r"^createdDateTime: "):
        UserDecoder(with_sign_in=False).user(BASE | {"createdDateTime": odd})


def test_a_kept_read_whose_time_holds_the_separator_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / KEPT_FILE
    read_at = datetime(2026, 11, 1, 6, tzinfo=UTC)
    save(path, "t", read_at, 90, {"u": ("2026-10-31T03:00:00Z", None, "2026-10-31T03:00:00Z")})
    kept, why = load(path)
    assert kept is not None and not why
    written = gzip.decompress(path.read_bytes()).replace(b"03:00:00Z", b"03:00:00Z" + TIMES_APART.encode(), 1)
    path.write_bytes(gzip.compress(written))
    kept, why = load(path)
    assert kept is None and "not one this auditor wrote" in why
