"""The tenant's rooms from the places listing, read only for a rule that judges room mailboxes:

    GET /places/microsoft.graph.room?$select=emailAddress&$top=100                   Place.Read.All

Microsoft's place-list page (learn.microsoft.com/graph/api/place-list, v1.0) documents it for the
global service only ("US Government L4", "US Government L5 (DOD)" and "China operated by 21Vianet"
are marked not available), with Place.Read.All as its only application permission, 100 places a
page by default, and: "Rooms that are marked "Hidden from GAL" can't be retrieved through this
endpoint."

A room's `emailAddress` is matched to a user's user principal name, and the mailbox purpose of each
user it names is read first where it was not (unread_rooms): a person's sign-in name can be a
room's address too. The user's mailbox purpose becomes `room` only where it is still unknown (the
purpose read of the mailbox itself is kept where it was read); where the mailbox is a person's
(`user`), the two disagree, the account is not a room and a note says so. So a room mailbox whose
device signs in daily (never a candidate of the mailbox-purpose reads, which ask only the accounts
the disabled and inactive rules could flag) is a room, not a person, and a person is never a room
on the listing alone. A room hidden from the GAL, or whose address differs from its user principal name, is
known only by its mailbox purpose, as before.

Outside the global service the listing is not asked (a note says so), and a cloud whose Graph answers
that it does not know the segment (400 BadRequest "Resource not found for the segment '…'") is one
where it is not offered: the same note, and the run stays complete, as in the clouds the page names (the
rooms are known by their mailbox purpose there, as in every cloud without the listing). Elsewhere a
refusal (403: Place.Read.All, which the admin can grant), any other error answer, or an answer that is
not a listing of rooms
(a `value` that is no list, an item that is no object, an `emailAddress` that is no text) is a gap in
the part `rooms` alone (auditor/graph/optional.py). That gap hides only what the listing alone says:
a room mailbox whose purpose was not read (one that signs in, never a candidate of the purpose reads).
`shared-mailbox-licensed` still judges every mailbox whose purpose was read, shared and room alike, and
the report names the room judgements it could not make (auditor.data.reads.Without).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.data.account_kinds import ROOMS
from auditor.data.model import PERSON_PURPOSES, Cloud, Gap, User

from .client import GraphClient
from .optional import Unknown, optional_listing

PERMISSION = "Place.Read.All"
# the clouds the page marks not available (a Germany tenant is read through the global service since 2021)
NATIONAL = frozenset((Cloud.USGOV, Cloud.USGOV_DOD, Cloud.CHINA))
PAGE = 100  # the page's default page size
REQUEST = f"/places/microsoft.graph.room?$select=emailAddress&$top={PAGE}"
DISAGREE = (
    "the places listing names {upn} as a room, but Graph gives its mailbox the purpose {purpose}: what the "
    "account is stays unconfirmed, and it is judged as its mailbox says, not as a room; check it in the "
    "Exchange admin center"
)
NOT_HERE = (
    "the rooms of the places listing (GET /places/microsoft.graph.room) were not read: Microsoft offers it "
    "in the global service only; rooms are known by their mailbox purpose"
)


async def read_rooms(client: GraphClient, gaps: list[Gap], notes: list[str]) -> frozenset[str] | None:
    """The email addresses (lower case) of the tenant's rooms; None when not read (a gap or a note says why)."""
    if client.cloud in NATIONAL:
        notes.append(NOT_HERE)
        return None
    rooms = await optional_listing(client, REQUEST, ROOMS, PERMISSION, gaps)
    if isinstance(rooms, Unknown):
        # not offered here, as in the clouds the page marks not available: nothing to grant, nothing to wait for
        notes.append(f"{rooms.said}: {NOT_HERE}")
        return None
    if rooms is None:
        return None
    addresses = _addresses(rooms)
    if addresses is None:
        gaps.append(
            Gap(
                ROOMS,
                f"GET {REQUEST}",
                "an answer Graph does not document: a room that is no object or whose emailAddress is no text",
            )
        )
        return None
    return addresses


def _addresses(rooms: list[Any]) -> frozenset[str] | None:
    """The rooms' addresses (lower case; a room without one is left out); None when an item is not a room
    as Graph documents it (an object whose `emailAddress` is text or null)."""
    out = set()
    for room in rooms:
        address = room.get("emailAddress") if isinstance(room, dict) else 0
        if address is not None and not isinstance(address, str):
            return None
        if address and address.strip():
            out.add(address.strip().lower())
    return frozenset(out)


def with_rooms(users: Sequence[User], rooms: frozenset[str] | None, notes: list[str] | None = None) -> list[User]:
    """`users` with the mailbox purpose `room` for each user the places listing names whose own purpose
    was not read (None); the others as they are. A user the listing names whose mailbox Graph calls a
    person's (`user`, `linked`) stays what its mailbox says: the two signals disagree, so its kind is
    unconfirmed, never a room, and a note (`notes`) names it for a person to check."""
    if not rooms:
        return list(users)
    out = []
    for u in users:
        if u.user_principal_name.lower() not in rooms:
            out.append(u)
        elif u.mailbox_purpose is None:
            out.append(u.with_values(mailbox_purpose="room"))
        else:
            if notes is not None and u.mailbox_purpose.lower() in PERSON_PURPOSES:
                notes.append(DISAGREE.format(upn=u.user_principal_name, purpose=u.mailbox_purpose))
            out.append(u)
    return out


def unread_rooms(users: Sequence[User], rooms: frozenset[str] | None) -> list[int]:
    """Positions of the users the places listing names whose mailbox purpose was not read: it is read
    before the listing makes any of them a room (with_rooms), since a person's address can be a room's."""
    if not rooms:
        return []
    return [i for i, u in enumerate(users) if u.mailbox_purpose is None and u.user_principal_name.lower() in rooms]
