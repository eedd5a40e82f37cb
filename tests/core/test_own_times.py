"""A user's own date-times (created, three sign-ins, leave date) are held in two strings with its user
principal name and license times (User.own, User.sign_ins) and read through properties of their Graph
names: each reads back what Graph gave, or None, by every route a user is built or changed; a time that
could not be told apart is refused, and a name reads back whatever it holds."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.data.model import NAME_APART, OWN_TIMES, TIMES_APART, User
from auditor.data.times import SAME_AS_LAST
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
        # the sign-in times one string, "" where Graph gave none; "" when it gave none at all; the last
        # successful sign-in that is the last sign-in held as SAME_AS_LAST
        last, last_ni, last_ok = times[1:4]
        signed = (last, last_ni, SAME_AS_LAST if last_ok and last_ok == last else last_ok)
        assert user.sign_ins == (TIMES_APART.join(t or "" for t in signed) if any(signed) else "")
        # the name and the other two another (no license times here)
        assert user.own == f"{BASE['userPrincipalName']}{NAME_APART}{times[0] or ''}|{times[4] or ''}|"
        assert user.user_principal_name == BASE["userPrincipalName"] and user.license_times == ""
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


@pytest.mark.parametrize("apart", [TIMES_APART, NAME_APART])
def test_a_created_time_holding_a_separator_is_named(apart: str) -> None:
    """createdDateTime is kept as Graph wrote it, unchecked; one holding a separator would read
    back as other times or as part of the name, so the user is malformed there."""
    odd = "2024-01-01T00:00:00Z" + apart + "2025-01-01T00:00:00Z"
    with pytest.raises(BadValue, match=r"^createdDateTime: "):
        UserDecoder(with_sign_in=False).user(BASE | {"createdDateTime": odd})
    with pytest.raises(ValueError, match="not an ISO-8601 date-time"):
        User.new("u", "u@contoso.example", created_date_time=odd)


@pytest.mark.parametrize("name", ["odd|name@contoso.example", "two\nlines@contoso.example", "ü@contoso.example"])
def test_a_name_reads_back_whatever_it_holds(name: str) -> None:
    """The user principal name is Graph's to check: whatever it holds (a separator among it) reads back
    as it was, and so do the times after it."""
    times = TIMES[0]
    decoded = UserDecoder(with_sign_in=True).user(_raw(times) | {"userPrincipalName": name})
    built = User.new("u", name, **dict(zip(OWN_TIMES, times, strict=True)))
    renamed = built.with_values(user_principal_name="ada@contoso.example").with_values(user_principal_name=name)
    for user in (decoded, built, renamed):
        assert user.user_principal_name == name and _times(user) == times


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


def test_a_sign_in_time_that_is_the_marker_is_refused() -> None:
    """A last successful sign-in that is the last sign-in is held as SAME_AS_LAST and reads back as
    that time; a time Graph gives as the marker itself could not be told apart, so it is refused."""
    user = User.new("u", "u@contoso.example").with_sign_ins("2026-11-01T05:00:00Z", None, "2026-11-01T05:00:00Z")
    assert user.sign_ins == f"2026-11-01T05:00:00Z{TIMES_APART}{TIMES_APART}{SAME_AS_LAST}"
    assert user.last_successful_sign_in_date_time == "2026-11-01T05:00:00Z"
    other = user.with_sign_ins("2026-11-01T05:00:00Z", None, "2026-10-01T05:00:00Z")
    assert other.last_successful_sign_in_date_time == "2026-10-01T05:00:00Z"
    for times in ((SAME_AS_LAST, None, None), (None, SAME_AS_LAST, None), (None, None, SAME_AS_LAST)):
        with pytest.raises(ValueError, match="not an ISO-8601 date-time"):
            user.with_sign_ins(*times)
