"""The counts a users listing is held to: GET /users/$count (ConsistencyLevel: eventual, answered as
text), the most users a listing may return beside it, and the gap of a listing no count could be
held to (auditor/graph/partitions.py reads /users against them; docs/graph.md)."""

from __future__ import annotations

from auditor.common.errors import AuthError, CollectionError
from auditor.data.model import Gap

from .client import GraphClient

# the $count segment answers as text, and only with eventual consistency
EVENTUAL = {"ConsistencyLevel": "eventual", "Accept": "text/plain"}

# A users listing is bounded by the users it returns, not only by its pages (GraphClient.max_pages
# alone lets 50,000 pages of 999 new users each through): at most twice GET /users/$count. $count
# lags by seconds, never by half the tenant; the 1,000 more keep a tiny tenant's count from
# stopping a read that met a few users created meanwhile. A listing read one page after another
# asks for the count once it passes COUNT_AFTER users; when no count can be had, UNCOUNTED_CAP
# bounds it (far above the directory's default object quota of 300,000 objects with a verified
# domain, docs/graph.md).
COUNT_AFTER = 50_000
UNCOUNTED_CAP = 5_000_000


def users_cap(counted: int | None) -> int:
    """The most users a listing may return when GET /users/$count reported `counted` (None: unknown)."""
    return UNCOUNTED_CAP if counted is None else max(2 * counted, counted + 1000)


def check_cap(read: int, counted: int | None, path: str) -> None:
    """CollectionError (nothing partial used) once `read` users passed users_cap(counted)."""
    if read <= users_cap(counted):
        return
    against = (
        f"GET /users/$count reports {counted:,}"
        if counted is not None
        else f"no count could be read and {UNCOUNTED_CAP:,} is the most read without one"
    )
    raise CollectionError(
        f"GET {path.split('?')[0]} returned {read:,} users while {against}; stopped reading a "
        "listing that does not end — nothing partial was used; re-run, and report it if it "
        "persists"
    )


async def count_at(client: GraphClient, path: str) -> int:
    """GET `path`, a `$count` segment (ConsistencyLevel: eventual, answered as text): the number.
    CollectionError when not answered with one."""
    response = await client.fetch(path, headers=EVENTUAL)
    text = response.content.strip()
    if not text.isdigit() or len(text) > 11:  # bytes: ASCII digits only
        raise CollectionError(f"GET {path} returned {text[:40]!r}, not a number")
    return int(text)


async def count_or_none(client: GraphClient, path: str) -> int | None:
    """count_at, or None when it cannot be read (an authentication failure still raises)."""
    try:
        return await count_at(client, path)
    except AuthError:
        raise
    except CollectionError:
        return None


def uncounted_gap(read: int) -> Gap:
    """The users gap of a listing no count could be held to."""
    return Gap(
        "users",
        "GET /users/$count",
        f"read {read:,} users and no count of them could be read (GET /users/$count failed, and the "
        "listing's first page gave no @odata.count): users may be missing — re-run; if it persists, report it",
    )
